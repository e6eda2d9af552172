/**
 * A scenario (`scenarios/<name>/scenario.json`): several images of the same
 * run started together, as a functional job does. Services start in order,
 * each with a readiness probe; test commands then run in containers of their
 * own; all share one network namespace (the first service's, which has no
 * network but loopback), so they reach each other on 127.0.0.1 and nothing
 * else. Setup steps run to completion before the first service starts (making
 * certificates, say), and a shared folder, a fresh volume of each run, is
 * mounted in every container of the scenario, so what a step writes the
 * services and tests read. Parsed up front with errors that name the field.
 * Pure. The JSON schema for editors is
 * tools/image-plugin/schemas/scenario.schema.json.
 */
import * as path from 'node:path';
import { FieldReader, TestSpecError, parseJson } from './field-reader';
import { COMMAND_FIELDS, CommandTest, containerFiles, parseCommandTest } from './test-spec';


export interface ScenarioService {
  name: string;
  /** The image project whose image of this run the service runs. */
  image: string;
  command: string[];
  envVars: Record<string, string>;
  user?: string;
  /** Files of the workspace (relative to the scenario's folder) copied into the service's container before it starts. */
  files: Record<string, string>;
  ready: { command: string[]; timeoutSeconds: number; intervalSeconds: number };
  /** Linux capabilities added to the engine's default set for this service only (NET_ADMIN, SYS_ADMIN, ...). */
  capabilities: string[];
  /** Host devices (such as /dev/loop-control) passed into this service's container only. */
  devices: string[];
}

export interface ScenarioTest extends CommandTest {
  image: string;
  /** The user to run as; default: the image's. */
  user?: string;
}

export interface Scenario {
  file: string;
  timeoutSeconds: number;
  /** A folder (absolute path) shared by every container of the scenario: a fresh volume of each run, removed at its end. */
  sharedFolder?: string;
  /** Commands run to completion, in order, before the first service starts; each must pass. */
  setup: ScenarioTest[];
  services: ScenarioService[];
  tests: ScenarioTest[];
}

export const SCENARIO_FIELDS = ['timeoutSeconds', 'sharedFolder', 'setup', 'services', 'tests'];
export const STEP_FIELDS = [...COMMAND_FIELDS.filter((field) => field !== 'network'), 'image', 'user'];
export const SERVICE_FIELDS = ['name', 'image', 'command', 'envVars', 'user', 'files', 'ready', 'capabilities', 'devices'];
/**
 * The capabilities a service may add: each one narrow enough to name, and
 * none of those that let a container take the host over wholesale
 * (SYS_MODULE, SYS_RAWIO, SYS_BOOT, MAC_ADMIN, SYSLOG, BPF, PERFMON) or ALL.
 */
export const SERVICE_CAPABILITIES = ['NET_ADMIN', 'NET_RAW', 'SYS_ADMIN', 'SYS_PTRACE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_NICE', 'IPC_LOCK', 'MKNOD', 'AUDIT_CONTROL', 'DAC_READ_SEARCH', 'LINUX_IMMUTABLE'];
/** Devices a service may be given: loop devices (a disk image build), /dev/net/tun and /dev/fuse. */
const SERVICE_DEVICE = /^\/dev\/(loop-control|loop[0-9]{1,3}|net\/tun|fuse)$/;
const READY_FIELDS = ['command', 'timeoutSeconds', 'intervalSeconds'];
const SERVICE_NAME = /^[a-z][a-z0-9-]{0,30}$/;

export function parseScenario(text: string, file: string): Scenario {
  const json = parseJson(text, file);
  const top = new FieldReader(file, '', json, SCENARIO_FIELDS);
  const timeoutSeconds = top.integer('timeoutSeconds', 10, 7200) ?? 600;
  const sharedFolder = top.string('sharedFolder');
  if (sharedFolder !== undefined && !/^\/[^\0]+$/.test(sharedFolder)) throw top.error('sharedFolder', 'must be an absolute path in the containers, such as /scenario');
  const step = (field: string) => (item: Record<string, unknown>, index: number): ScenarioTest => {
    const reader = new FieldReader(file, `${field}[${index}]`, item, STEP_FIELDS);
    return { ...parseCommandTest(reader), image: reader.requiredString('image'), user: reader.string('user') };
  };
  const setup = top.objects('setup').map(step('setup'));
  const services = top.objects('services').map((item, index): ScenarioService => {
    if ('privileged' in item) {
      throw new TestSpecError(
        `${file}: services[${index}].privileged is refused: a privileged container can do anything on the engine's host; declare what the service needs instead, as "capabilities" (such as ["NET_ADMIN"]) and "devices" (such as ["/dev/loop-control", "/dev/loop0"])`,
      );
    }
    const reader = new FieldReader(file, `services[${index}]`, item, SERVICE_FIELDS);
    const name = reader.requiredString('name');
    if (!SERVICE_NAME.test(name)) throw reader.error('name', 'must be lowercase letters, digits and dashes');
    const command = reader.strings('command');
    if (command === undefined || command.length === 0) throw reader.error('command', 'is required: the command that runs the service in the foreground');
    const readyValue = item.ready;
    if (typeof readyValue !== 'object' || readyValue === null || Array.isArray(readyValue)) {
      throw reader.error('ready', 'is required: a probe command that exits 0 once the service answers');
    }
    const ready = new FieldReader(file, `services[${index}].ready`, readyValue as Record<string, unknown>, READY_FIELDS);
    const probe = ready.strings('command');
    if (probe === undefined || probe.length === 0) throw ready.error('command', 'is required');
    return {
      name,
      image: reader.requiredString('image'),
      command,
      envVars: reader.stringMap('envVars'),
      user: reader.string('user'),
      files: containerFiles(reader),
      ready: { command: probe, timeoutSeconds: ready.integer('timeoutSeconds', 1, 3600) ?? 120, intervalSeconds: ready.integer('intervalSeconds', 1, 60) ?? 1 },
      capabilities: serviceCapabilities(reader),
      devices: serviceDevices(reader),
    };
  });
  if (services.length === 0) throw top.error('services', 'must list at least one service: a scenario starts images together');
  const names = new Set<string>();
  for (const service of services) {
    if (names.has(service.name)) throw new TestSpecError(`${file}: two services are named ${service.name}`);
    names.add(service.name);
  }
  const tests = top.objects('tests').map(step('tests'));
  if (tests.length === 0) throw top.error('tests', 'must list at least one test command');
  return { file, timeoutSeconds, sharedFolder, setup, services, tests };
}

function serviceCapabilities(reader: FieldReader): string[] {
  const names = reader.strings('capabilities') ?? [];
  for (const name of names) {
    const bare = name.replace(/^CAP_/, '');
    if (bare === 'ALL') throw reader.error('capabilities', 'may not be ALL: name the capabilities the service needs');
    if (!SERVICE_CAPABILITIES.includes(bare)) throw reader.error('capabilities', `has ${JSON.stringify(name)}, which a scenario service may not add; allowed: ${SERVICE_CAPABILITIES.join(', ')}`);
  }
  return [...new Set(names.map((name) => name.replace(/^CAP_/, '')))];
}

function serviceDevices(reader: FieldReader): string[] {
  const paths = reader.strings('devices') ?? [];
  for (const device of paths) {
    if (!SERVICE_DEVICE.test(device)) throw reader.error('devices', `has ${JSON.stringify(device)}; a scenario service may be given /dev/loop-control, /dev/loopN, /dev/net/tun or /dev/fuse`);
  }
  return [...new Set(paths)];
}

/** Every image project the scenario runs: its implicitDependencies. */
export function scenarioImages(scenario: Scenario): string[] {
  return [...new Set([...scenario.setup, ...scenario.services, ...scenario.tests].map((part) => part.image))].sort();
}

/**
 * The other scenarios whose files this one copies into its containers (a
 * helper script kept in one place): `scenarios/<name>` each, sorted. A change
 * to such a file affects this scenario too, so they are its dependencies.
 */
export function scenarioFileFolders(scenario: Scenario, folder: string): string[] {
  const sources = [...scenario.setup, ...scenario.services, ...scenario.tests].flatMap((part) => Object.values(part.files));
  const folders = sources
    .map((source) => path.posix.normalize(path.posix.join(folder, source)).split('/'))
    .filter((parts) => parts[0] === 'scenarios' && parts.length > 2)
    .map((parts) => `scenarios/${parts[1]}`);
  return [...new Set(folders)].filter((other) => other !== folder).sort();
}
