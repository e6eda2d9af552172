import { describe, expect, it } from 'vitest';
import { ImageFacts, RecordFacts, commandApplies, expandTemplates, judgeCommand, judgeFileContent, judgeFileExistence, judgeMetadata } from './image-checks';
import { parseScenario, scenarioFileFolders, scenarioImages } from './scenario-spec';
import { CommandTest, FileExistenceTest, MetadataTest, parseImageTestSpec } from './test-spec';

const FILE = 'images/opendev/x/image-test.json';
const image: ImageFacts = {
  id: 'sha256:abc',
  labels: { 'io.imgmono.source.sdk.version': '1.2.3', 'io.imgmono.source.sdk.revision': 'r1', 'org.opencontainers.image.base.digest': 'sha256:parent' },
  env: ['PATH=/usr/bin', 'PIP_NO_INDEX=1'],
  entrypoint: ['/usr/bin/dumb-init', '--'],
  cmd: ['python3'],
  workdir: '',
  user: '',
};
const record: RecordFacts = { version: '1.2.3', parents: [{ project: 'opendev/base', imageId: 'sha256:parent' }], sources: [{ name: 'sdk', revision: 'r1', version: '1.2.3' }] };
const names = { baseDigest: 'org.opencontainers.image.base.digest', sourceRevision: (name: string) => `io.imgmono.source.${name}.revision` };
const command = (fields: Partial<CommandTest> = {}): CommandTest => ({
  kind: 'command', name: 'c', command: 'python3', args: [], expectedOutput: [], excludedOutput: [], exitCode: 0, envVars: {}, timeoutSeconds: 5, network: 'none', files: {}, ...fields,
});

describe('parseImageTestSpec', () => {
  it('reads every kind of test with its defaults', () => {
    const spec = parseImageTestSpec(
      JSON.stringify({
        $schema: 'x',
        commandTests: [{ name: 'py', command: 'python3', args: ['-V'], expectedOutput: ['^Python 3'] }],
        fileExistenceTests: [{ path: '/usr/bin/python3', permissions: 'lrwxrwxrwx' }],
        fileContentTests: [{ path: '/etc/os-release', expectedContents: ['bookworm'] }],
        metadataTest: { cmd: ['python3'], labels: [{ key: 'a', value: '^b', isRegex: true }] },
      }),
      FILE,
    );
    expect(spec.checks.map((check) => `${check.kind}:${check.name}`)).toEqual(['command:py', 'file-existence:/usr/bin/python3 exists', 'file-content:/etc/os-release content', 'metadata:metadata']);
    expect(spec.checks[0]).toMatchObject({ exitCode: 0, timeoutSeconds: 60, network: 'none', excludedOutput: [] });
  });

  it.each<[string, unknown, string]>([
    ['not JSON', '{', `${FILE}: not valid JSON`],
    ['no tests', {}, `${FILE}: has no tests: add commandTests, fileExistenceTests, fileContentTests or metadataTest`],
    ['an unknown field', { commandTest: [] }, `${FILE}: commandTest is not a known field (known: commandTests, fileExistenceTests, fileContentTests, metadataTest)`],
    ['a command without a name', { commandTests: [{ command: 'x' }] }, `${FILE}: commandTests[0].name is required`],
    ['a bad regular expression', { commandTests: [{ name: 'a', command: 'x', expectedOutput: ['(unclosed'] }] }, `${FILE}: commandTests[0].expectedOutput has an invalid regular expression "(unclosed"`],
    ['an exit code out of range', { commandTests: [{ name: 'a', command: 'x', exitCode: 300 }] }, `${FILE}: commandTests[0].exitCode must be a whole number from 0 to 255`],
    ['a network other than none or host', { commandTests: [{ name: 'a', command: 'x', network: 'bridge' }] }, `${FILE}: commandTests[0].network must be 'none' or 'host'`],
    ['an absolute file source', { commandTests: [{ name: 'a', command: 'x', files: { '/tmp/a': '/etc/passwd' } }] }, `${FILE}: commandTests[0].files "/etc/passwd" must be relative to the spec's folder`],
    ['a relative path in the image', { fileExistenceTests: [{ path: 'etc/passwd' }] }, `${FILE}: fileExistenceTests[0].path must be an absolute path in the image`],
    ['permissions in octal', { fileExistenceTests: [{ path: '/a', permissions: '0755' }] }, `${FILE}: fileExistenceTests[0].permissions must look like ls -l, such as -rwxr-xr-x (got 0755)`],
    ['two tests of one name', { commandTests: [{ name: 'a', command: 'x' }, { name: 'a', command: 'y' }] }, `${FILE}: two command tests are named "a"`],
  ])('refuses %s', (_case, json, message) => {
    expect(() => parseImageTestSpec(typeof json === 'string' ? json : JSON.stringify(json), FILE)).toThrow(message);
  });
});

describe('judging checks', () => {
  it.each<[string, Partial<CommandTest>, { exitCode: number; output: string; timedOut: boolean }, string | undefined]>([
    ['a passing command', { expectedOutput: ['^3\\.11'], excludedOutput: ['Traceback'] }, { exitCode: 0, output: '3.11.2\n', timedOut: false }, undefined],
    ['a wrong exit code', {}, { exitCode: 1, output: '', timedOut: false }, 'exit code 1, expected 0'],
    ['an expected failure', { exitCode: 2 }, { exitCode: 2, output: '', timedOut: false }, undefined],
    ['output that does not match', { expectedOutput: ['^ok$'] }, { exitCode: 0, output: 'nope\n', timedOut: false }, 'output does not match /^ok$/'],
    ['excluded output', { excludedOutput: ['Traceback'] }, { exitCode: 0, output: 'Traceback (most recent call last)', timedOut: false }, 'output matches the excluded /Traceback/'],
    ['a time-out', { timeoutSeconds: 3 }, { exitCode: 137, output: '', timedOut: true }, 'did not finish within 3 s (stopped)'],
    ['a label template', { expectedOutput: ['^{{label:io.imgmono.source.sdk.version}}$'] }, { exitCode: 0, output: '1.2.3\n', timedOut: false }, undefined],
    ['a label template, other version', { expectedOutput: ['^{{label:io.imgmono.source.sdk.version}}$'] }, { exitCode: 0, output: '1.2.4\n', timedOut: false }, 'output does not match /^1\\.2\\.3$/'],
    ['a template of a missing label', { expectedOutput: ['{{label:nope}}'] }, { exitCode: 0, output: '', timedOut: false }, 'output pattern /{{label:nope}}/ cannot be checked: label nope is not set on the image'],
  ])('%s', (_case, fields, result, reason) => {
    const verdict = judgeCommand(command(fields), result, image, record);
    expect(verdict).toEqual(reason === undefined ? { status: 'pass' } : { status: 'fail', reason });
  });

  it('skips a command whose label condition does not hold', () => {
    expect(commandApplies(command({ whenLabel: 'io.imgmono.source.other.version' }), image)).toEqual({ status: 'skip', reason: 'the image has no label io.imgmono.source.other.version' });
    expect(commandApplies(command({ unlessLabel: 'io.imgmono.source.sdk.version' }), image)).toEqual({ status: 'skip', reason: 'the image has the label io.imgmono.source.sdk.version' });
    expect(commandApplies(command({ whenLabel: 'io.imgmono.source.sdk.version' }), image)).toEqual({ status: 'pass' });
  });

  it('expands {{version}} from the record, escaped for a regular expression', () => {
    expect(expandTemplates('^v{{version}}$', image, record)).toEqual({ text: '^v1\\.2\\.3$' });
    expect(expandTemplates('{{version}}', image, { ...record, version: undefined })).toEqual({ missing: 'the build record has no version' });
  });

  const exists = (fields: Partial<FileExistenceTest>): FileExistenceTest => ({ kind: 'file-existence', name: 'f', path: '/a', shouldExist: true, ...fields });
  it.each<[string, Partial<FileExistenceTest>, { permissions: string; uid: number; gid: number } | undefined, string | undefined]>([
    ['present', {}, { permissions: '-rw-r--r--', uid: 0, gid: 0 }, undefined],
    ['missing', {}, undefined, '/a does not exist'],
    ['present but must not be', { shouldExist: false }, { permissions: '-rw-r--r--', uid: 0, gid: 0 }, '/a exists, and must not'],
    ['absent as it should be', { shouldExist: false }, undefined, undefined],
    ['wrong permissions', { permissions: '-rwxr-xr-x' }, { permissions: '-rw-r--r--', uid: 0, gid: 0 }, '/a has permissions -rw-r--r--, expected -rwxr-xr-x'],
    ['wrong owner', { uid: 101 }, { permissions: '-rw-r--r--', uid: 0, gid: 0 }, '/a is owned by uid 0, expected 101'],
  ])('a file %s', (_case, fields, stat, reason) => {
    expect(judgeFileExistence(exists(fields), stat)).toEqual(reason === undefined ? { status: 'pass' } : { status: 'fail', reason });
  });

  it('checks file content by expected and excluded patterns', () => {
    const test = { kind: 'file-content' as const, name: 'c', path: '/etc/x', expectedContents: ['^a=1$'], excludedContents: ['secret'] };
    expect(judgeFileContent(test, 'a=1\n', image, record)).toEqual({ status: 'pass' });
    expect(judgeFileContent(test, 'a=1\nsecret\n', image, record)).toEqual({ status: 'fail', reason: '/etc/x matches the excluded /secret/' });
    expect(judgeFileContent(test, undefined, image, record)).toEqual({ status: 'fail', reason: '/etc/x does not exist' });
  });

  const metadata = (fields: Partial<MetadataTest>): MetadataTest => ({ kind: 'metadata', name: 'metadata', labels: [], envVars: [], recordedLabels: false, ...fields });
  it.each<[string, Partial<MetadataTest>, Partial<ImageFacts>, string | undefined]>([
    ['all as expected', { cmd: ['python3'], entrypoint: ['/usr/bin/dumb-init', '--'], envVars: [{ key: 'PIP_NO_INDEX', value: '1', isRegex: false }], recordedLabels: true }, {}, undefined],
    ['a wrong label', { labels: [{ key: 'io.imgmono.source.sdk.version', value: '9.9.9', isRegex: false }] }, {}, 'label io.imgmono.source.sdk.version is "1.2.3", expected "9.9.9"'],
    ['a missing label', { labels: [{ key: 'nope', value: 'x', isRegex: false }] }, {}, 'label nope is not set'],
    ['a wrong cmd', { cmd: ['bash'] }, {}, 'cmd is ["python3"], expected ["bash"]'],
    ['a wrong user', { user: 'keystone' }, {}, 'user is "", expected "keystone"'],
    ['a base label that disagrees with the record', { recordedLabels: true }, { labels: { ...image.labels, 'org.opencontainers.image.base.digest': 'sha256:other' } }, 'label org.opencontainers.image.base.digest is "sha256:other", but the build record\'s parent opendev/base is sha256:parent'],
    ['a source revision that disagrees with the record', { recordedLabels: true }, { labels: { ...image.labels, 'io.imgmono.source.sdk.revision': 'r2' } }, 'label io.imgmono.source.sdk.revision is "r2", but the build record says source sdk was r1'],
  ])('metadata: %s', (_case, fields, facts, reason) => {
    expect(judgeMetadata(metadata(fields), { ...image, ...facts }, record, names)).toEqual(reason === undefined ? { status: 'pass' } : { status: 'fail', reason });
  });
});

describe('parseScenario', () => {
  const SCENARIO = 'scenarios/s/scenario.json';
  const valid = {
    services: [{ name: 'keystone', image: 'test/keystone', command: ['serve'], ready: { command: ['probe'] } }],
    tests: [{ name: 't', image: 'opendev/openstacksdk', command: 'python3' }],
  };

  it('reads services and tests, and names their images', () => {
    const scenario = parseScenario(JSON.stringify(valid), SCENARIO);
    expect(scenario.timeoutSeconds).toBe(600);
    expect(scenario.services[0].ready).toEqual({ command: ['probe'], timeoutSeconds: 120, intervalSeconds: 1 });
    expect(scenarioImages(scenario)).toEqual(['opendev/openstacksdk', 'test/keystone']);
    expect(scenario.setup).toEqual([]);
    expect(scenario.sharedFolder).toBeUndefined();
  });

  it('reads setup steps and the shared folder; the images of setup steps are the scenario\'s too', () => {
    const scenario = parseScenario(
      JSON.stringify({ ...valid, sharedFolder: '/scenario', setup: [{ name: 'certificates', image: 'test/zookeeper', user: 'root', command: 'zookeeper-test-certs', args: ['/scenario/tls'] }] }),
      SCENARIO,
    );
    expect(scenario.sharedFolder).toBe('/scenario');
    expect(scenario.setup).toEqual([expect.objectContaining({ name: 'certificates', image: 'test/zookeeper', user: 'root', command: 'zookeeper-test-certs', args: ['/scenario/tls'], exitCode: 0 })]);
    expect(scenarioImages(scenario)).toEqual(['opendev/openstacksdk', 'test/keystone', 'test/zookeeper']);
  });

  it("names the other scenarios whose files it copies in, and not its own folder or files outside scenarios/", () => {
    const uses = (files: Record<string, string>) =>
      scenarioFileFolders(parseScenario(JSON.stringify({ ...valid, tests: [{ ...valid.tests[0], files }] }), SCENARIO), 'scenarios/s');
    expect(uses({ '/a': 'own.py', '/b': './sub/x.py' })).toEqual([]);
    expect(uses({ '/a': '../nodepool-static/node-request.py', '/b': '../b/x', '/c': '../nodepool-static/other.py' })).toEqual(['scenarios/b', 'scenarios/nodepool-static']);
    expect(uses({ '/a': '../../images/test/keystone/keystone-setup', '/b': '../s/own.py' })).toEqual([]);
  });

  it('gives a service no capability or device unless it declares them, and then exactly those (CAP_ prefix or not)', () => {
    expect(parseScenario(JSON.stringify(valid), SCENARIO).services[0]).toMatchObject({ capabilities: [], devices: [] });
    const service = { ...valid.services[0], capabilities: ['NET_ADMIN', 'CAP_SYS_ADMIN', 'SYS_ADMIN'], devices: ['/dev/loop-control', '/dev/loop0'] };
    expect(parseScenario(JSON.stringify({ ...valid, services: [service] }), SCENARIO).services[0]).toMatchObject({
      capabilities: ['NET_ADMIN', 'SYS_ADMIN'],
      devices: ['/dev/loop-control', '/dev/loop0'],
    });
  });

  it.each<[string, unknown, string]>([
    ['no services', { ...valid, services: [] }, `${SCENARIO}: services must list at least one service`],
    ['a service without a probe', { ...valid, services: [{ name: 'k', image: 'a/b', command: ['x'] }] }, `${SCENARIO}: services[0].ready is required`],
    ['a test with a network of its own', { ...valid, tests: [{ ...valid.tests[0], network: 'host' }] }, `${SCENARIO}: tests[0].network is not a known field`],
    ['a test without an image', { ...valid, tests: [{ name: 't', command: 'x' }] }, `${SCENARIO}: tests[0].image is required`],
    ['two services of one name', { ...valid, services: [valid.services[0], valid.services[0]] }, `${SCENARIO}: two services are named keystone`],
    ['a relative shared folder', { ...valid, sharedFolder: 'scenario' }, `${SCENARIO}: sharedFolder must be an absolute path in the containers, such as /scenario`],
    ['a setup step without an image', { ...valid, setup: [{ name: 's', command: 'x' }] }, `${SCENARIO}: setup[0].image is required`],
    ['a setup step with a network of its own', { ...valid, setup: [{ name: 's', image: 'a/b', command: 'x', network: 'host' }] }, `${SCENARIO}: setup[0].network is not a known field`],
    ['a privileged service', { ...valid, services: [{ ...valid.services[0], privileged: true }] }, `${SCENARIO}: services[0].privileged is refused: a privileged container can do anything on the engine's host; declare what the service needs instead, as "capabilities"`],
    ['every capability', { ...valid, services: [{ ...valid.services[0], capabilities: ['ALL'] }] }, `${SCENARIO}: services[0].capabilities may not be ALL`],
    ['a capability that reaches past the container', { ...valid, services: [{ ...valid.services[0], capabilities: ['SYS_MODULE'] }] }, `${SCENARIO}: services[0].capabilities has "SYS_MODULE", which a scenario service may not add; allowed: NET_ADMIN,`],
    ['a disk of the host as a device', { ...valid, services: [{ ...valid.services[0], devices: ['/dev/sda'] }] }, `${SCENARIO}: services[0].devices has "/dev/sda"; a scenario service may be given /dev/loop-control`],
    ['capabilities for a test step', { ...valid, tests: [{ ...valid.tests[0], capabilities: ['NET_ADMIN'] }] }, `${SCENARIO}: tests[0].capabilities is not a known field`],
  ])('refuses %s', (_case, json, message) => {
    expect(() => parseScenario(JSON.stringify(json), SCENARIO)).toThrow(message);
  });
});
