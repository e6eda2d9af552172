/**
 * The image test spec (`image-test.json` beside a Dockerfile), in the shape
 * of container-structure-test: command tests, file existence and content
 * tests, and a metadata test. Parsed up front into typed objects with
 * defaults; a bad spec throws an error naming the file, the field and the
 * fix. Pure. The JSON schema for editors is
 * tools/image-plugin/schemas/image-test.schema.json.
 */
import { FieldReader, TestSpecError, isObject, parseJson, withoutTemplates } from './field-reader';

export interface CommandTest {
  kind: 'command';
  name: string;
  command: string;
  args: string[];
  /** Regular expressions the output (stdout and stderr together) must match. */
  expectedOutput: string[];
  /** Regular expressions it must not match. */
  excludedOutput: string[];
  exitCode: number;
  envVars: Record<string, string>;
  timeoutSeconds: number;
  /** `none` unless the test asks for the host's network. */
  network: 'none' | 'host';
  /** Files of the workspace (relative to the spec's folder, never outside the workspace) copied into the container before it starts. */
  files: Record<string, string>;
  /** Run only if the image has this label (say, the version of a handed-over source). */
  whenLabel?: string;
  /** Run only if the image does not have this label. */
  unlessLabel?: string;
}

export interface FileExistenceTest {
  kind: 'file-existence';
  name: string;
  path: string;
  shouldExist: boolean;
  /** `ls -l` style, such as `-rwxr-xr-x`. */
  permissions?: string;
  uid?: number;
  gid?: number;
}

export interface FileContentTest {
  kind: 'file-content';
  name: string;
  path: string;
  expectedContents: string[];
  excludedContents: string[];
}

export interface KeyValueExpectation {
  key: string;
  value: string;
  isRegex: boolean;
}

export interface MetadataTest {
  kind: 'metadata';
  name: string;
  labels: KeyValueExpectation[];
  envVars: KeyValueExpectation[];
  /** The base image and source revision labels agree with the build record. */
  recordedLabels: boolean;
  entrypoint?: string[];
  cmd?: string[];
  workdir?: string;
  user?: string;
}

export type ImageCheck = CommandTest | FileExistenceTest | FileContentTest | MetadataTest;

export interface ImageTestSpec {
  file: string;
  checks: ImageCheck[];
}

const PERMISSIONS = /^[-dl]([-r][-w][-xsS]){2}[-r][-w][-xtT]$/;
const CONTAINER_PATH = /^\/[^\0]*$/;

/** A `files` field: container path -> file relative to the spec's folder. */
export function containerFiles(reader: FieldReader): Record<string, string> {
  const files = reader.stringMap('files');
  for (const [target, source] of Object.entries(files)) {
    if (!CONTAINER_PATH.test(target)) throw reader.error('files', `key ${JSON.stringify(target)} must be an absolute path in the container`);
    if (source.startsWith('/')) throw reader.error('files', `${JSON.stringify(source)} must be relative to the spec's folder (and stay inside the workspace)`);
  }
  return files;
}

export function parseCommandTest(reader: FieldReader): CommandTest {
  const network = reader.string('network') ?? 'none';
  if (network !== 'none' && network !== 'host') throw reader.error('network', "must be 'none' or 'host'");
  const files = containerFiles(reader);
  return {
    kind: 'command',
    name: reader.requiredString('name'),
    command: reader.requiredString('command'),
    args: reader.strings('args') ?? [],
    expectedOutput: reader.regexes('expectedOutput'),
    excludedOutput: reader.regexes('excludedOutput'),
    exitCode: reader.integer('exitCode', 0, 255) ?? 0,
    envVars: reader.stringMap('envVars'),
    timeoutSeconds: reader.integer('timeoutSeconds', 1, 3600) ?? 60,
    network,
    files,
    whenLabel: reader.string('whenLabel'),
    unlessLabel: reader.string('unlessLabel'),
  };
}

export const COMMAND_FIELDS = ['name', 'command', 'args', 'expectedOutput', 'excludedOutput', 'exitCode', 'envVars', 'timeoutSeconds', 'network', 'files', 'whenLabel', 'unlessLabel'];
const EXISTENCE_FIELDS = ['name', 'path', 'shouldExist', 'permissions', 'uid', 'gid'];
const CONTENT_FIELDS = ['name', 'path', 'expectedContents', 'excludedContents'];
const METADATA_FIELDS = ['labels', 'envVars', 'recordedLabels', 'entrypoint', 'cmd', 'workdir', 'user'];
const KEY_VALUE_FIELDS = ['key', 'value', 'isRegex'];
export const SPEC_FIELDS = ['commandTests', 'fileExistenceTests', 'fileContentTests', 'metadataTest'];

function keyValues(reader: FieldReader, field: string): KeyValueExpectation[] {
  return reader.objects(field).map((item, index) => {
    const entry = new FieldReader(reader.file, `${reader.where}.${field}[${index}]`, item, KEY_VALUE_FIELDS);
    const isRegex = entry.boolean('isRegex') ?? false;
    const value = entry.value.value;
    if (typeof value !== 'string') throw entry.error('value', 'must be a string');
    if (isRegex) {
      try {
        new RegExp(withoutTemplates(value));
      } catch (error) {
        throw entry.error('value', `is an invalid regular expression: ${(error as Error).message}`);
      }
    }
    return { key: entry.requiredString('key'), value, isRegex };
  });
}

export function parseImageTestSpec(text: string, file: string): ImageTestSpec {
  const json = parseJson(text, file);
  const top = new FieldReader(file, '', json, SPEC_FIELDS);
  const checks: ImageCheck[] = [];
  top.objects('commandTests').forEach((item, index) => checks.push(parseCommandTest(new FieldReader(file, `commandTests[${index}]`, item, COMMAND_FIELDS))));
  top.objects('fileExistenceTests').forEach((item, index) => {
    const reader = new FieldReader(file, `fileExistenceTests[${index}]`, item, EXISTENCE_FIELDS);
    const filePath = reader.requiredString('path');
    if (!CONTAINER_PATH.test(filePath)) throw reader.error('path', 'must be an absolute path in the image');
    const permissions = reader.string('permissions');
    if (permissions !== undefined && !PERMISSIONS.test(permissions)) throw reader.error('permissions', `must look like ls -l, such as -rwxr-xr-x (got ${permissions})`);
    const shouldExist = reader.boolean('shouldExist') ?? true;
    checks.push({
      kind: 'file-existence',
      name: reader.string('name') ?? `${filePath} ${shouldExist ? 'exists' : 'does not exist'}`,
      path: filePath,
      shouldExist,
      permissions,
      uid: reader.integer('uid', 0, 2 ** 31),
      gid: reader.integer('gid', 0, 2 ** 31),
    });
  });
  top.objects('fileContentTests').forEach((item, index) => {
    const reader = new FieldReader(file, `fileContentTests[${index}]`, item, CONTENT_FIELDS);
    const filePath = reader.requiredString('path');
    if (!CONTAINER_PATH.test(filePath)) throw reader.error('path', 'must be an absolute path in the image');
    checks.push({
      kind: 'file-content',
      name: reader.string('name') ?? `${filePath} content`,
      path: filePath,
      expectedContents: reader.regexes('expectedContents'),
      excludedContents: reader.regexes('excludedContents'),
    });
  });
  if (json.metadataTest !== undefined) {
    if (!isObject(json.metadataTest)) throw top.error('metadataTest', 'must be an object');
    const reader = new FieldReader(file, 'metadataTest', json.metadataTest, METADATA_FIELDS);
    checks.push({
      kind: 'metadata',
      name: 'metadata',
      labels: keyValues(reader, 'labels'),
      envVars: keyValues(reader, 'envVars'),
      recordedLabels: reader.boolean('recordedLabels') ?? false,
      entrypoint: reader.strings('entrypoint'),
      cmd: reader.strings('cmd'),
      workdir: reader.string('workdir'),
      user: reader.string('user'),
    });
  }
  if (checks.length === 0) throw new TestSpecError(`${file}: has no tests: add commandTests, fileExistenceTests, fileContentTests or metadataTest`);
  const names = new Set<string>();
  for (const check of checks) {
    const id = `${check.kind} ${check.name}`;
    if (names.has(id)) throw new TestSpecError(`${file}: two ${check.kind} tests are named "${check.name}": names identify tests in the output, make them unique`);
    names.add(id);
  }
  return { file, checks };
}
