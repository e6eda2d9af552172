/**
 * Judging an image against its checks, from facts gathered by the runner:
 * a command's exit code and output, a path's stat and content, the image's
 * config, and the build record. Pure: every function takes data and returns
 * a verdict with the reason a user needs.
 */
import type { CommandTest, FileContentTest, FileExistenceTest, KeyValueExpectation, MetadataTest } from './test-spec';

export interface ImageFacts {
  id: string;
  labels: Record<string, string>;
  /** `KEY=value` entries, as the image config keeps them. */
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  workdir: string;
  user: string;
}

/** What the build record says about the image: its version, parents and sources. */
export interface RecordFacts {
  version?: string;
  parents: Array<{ project: string; imageId: string }>;
  sources: Array<{ name: string; revision?: string; version?: string }>;
}

export type Verdict = { status: 'pass' } | { status: 'fail'; reason: string } | { status: 'skip'; reason: string };

export interface CommandResult {
  exitCode: number;
  output: string;
  timedOut: boolean;
}

export interface PathStat {
  /** `ls -l` style mode string, such as `-rwxr-xr-x`. */
  permissions: string;
  uid: number;
  gid: number;
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces `{{label:<key>}}` and `{{version}}` by the image's values, escaped for a regular
 * expression (or as they are, for plain comparison). Returns what is missing instead, if anything.
 */
export function expandTemplates(pattern: string, image: ImageFacts, record: RecordFacts, regex = true): { text: string } | { missing: string } {
  let missing: string | undefined;
  const text = pattern.replace(/\{\{\s*(label:([^}\s]+)|version)\s*\}\}/g, (_all, _what: string, label: string | undefined) => {
    const value = label !== undefined ? image.labels[label] : record.version;
    if (value === undefined) {
      missing ??= label !== undefined ? `label ${label} is not set on the image` : 'the build record has no version';
      return '';
    }
    return regex ? escapeRegex(value) : value;
  });
  return missing !== undefined ? { missing } : { text };
}

/** Whether a command test applies to this image (its whenLabel/unlessLabel). */
export function commandApplies(test: CommandTest, image: ImageFacts): Verdict {
  if (test.whenLabel !== undefined && image.labels[test.whenLabel] === undefined) return { status: 'skip', reason: `the image has no label ${test.whenLabel}` };
  if (test.unlessLabel !== undefined && image.labels[test.unlessLabel] !== undefined) return { status: 'skip', reason: `the image has the label ${test.unlessLabel}` };
  return { status: 'pass' };
}

function matchAll(patterns: string[], text: string, image: ImageFacts, record: RecordFacts, shouldMatch: boolean, what: string): string | undefined {
  for (const pattern of patterns) {
    const expanded = expandTemplates(pattern, image, record);
    if ('missing' in expanded) return `${what} pattern /${pattern}/ cannot be checked: ${expanded.missing}`;
    const matches = new RegExp(expanded.text, 'm').test(text);
    if (matches !== shouldMatch) return shouldMatch ? `${what} does not match /${expanded.text}/` : `${what} matches the excluded /${expanded.text}/`;
  }
  return undefined;
}

export function judgeCommand(test: CommandTest, result: CommandResult, image: ImageFacts, record: RecordFacts): Verdict {
  if (result.timedOut) return { status: 'fail', reason: `did not finish within ${test.timeoutSeconds} s (stopped)` };
  if (result.exitCode !== test.exitCode) return { status: 'fail', reason: `exit code ${result.exitCode}, expected ${test.exitCode}` };
  const problem =
    matchAll(test.expectedOutput, result.output, image, record, true, 'output') ?? matchAll(test.excludedOutput, result.output, image, record, false, 'output');
  return problem === undefined ? { status: 'pass' } : { status: 'fail', reason: problem };
}

export function judgeFileExistence(test: FileExistenceTest, stat: PathStat | undefined): Verdict {
  if (stat === undefined) return test.shouldExist ? { status: 'fail', reason: `${test.path} does not exist` } : { status: 'pass' };
  if (!test.shouldExist) return { status: 'fail', reason: `${test.path} exists, and must not` };
  if (test.permissions !== undefined && stat.permissions !== test.permissions) return { status: 'fail', reason: `${test.path} has permissions ${stat.permissions}, expected ${test.permissions}` };
  if (test.uid !== undefined && stat.uid !== test.uid) return { status: 'fail', reason: `${test.path} is owned by uid ${stat.uid}, expected ${test.uid}` };
  if (test.gid !== undefined && stat.gid !== test.gid) return { status: 'fail', reason: `${test.path} has gid ${stat.gid}, expected ${test.gid}` };
  return { status: 'pass' };
}

export function judgeFileContent(test: FileContentTest, content: string | undefined, image: ImageFacts, record: RecordFacts): Verdict {
  if (content === undefined) return { status: 'fail', reason: `${test.path} does not exist` };
  const problem =
    matchAll(test.expectedContents, content, image, record, true, `${test.path}`) ?? matchAll(test.excludedContents, content, image, record, false, `${test.path}`);
  return problem === undefined ? { status: 'pass' } : { status: 'fail', reason: problem };
}

function judgeKeyValues(kind: string, expectations: KeyValueExpectation[], actual: Record<string, string>, image: ImageFacts, record: RecordFacts): string | undefined {
  for (const { key, value, isRegex } of expectations) {
    const have = actual[key];
    if (have === undefined) return `${kind} ${key} is not set`;
    const expanded = expandTemplates(value, image, record, isRegex);
    if ('missing' in expanded) return `${kind} ${key} cannot be checked: ${expanded.missing}`;
    const ok = isRegex ? new RegExp(expanded.text).test(have) : have === expanded.text;
    if (!ok) return `${kind} ${key} is ${JSON.stringify(have)}, expected ${isRegex ? 'to match ' : ''}${JSON.stringify(expanded.text)}`;
  }
  return undefined;
}

const sameList = (a: string[] | null, b: string[]) => JSON.stringify(a ?? []) === JSON.stringify(b);

export function judgeMetadata(test: MetadataTest, image: ImageFacts, record: RecordFacts, labelNames: { baseDigest: string; sourceRevision: (name: string) => string }): Verdict {
  const env = Object.fromEntries(image.env.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  const problem =
    judgeKeyValues('label', test.labels, image.labels, image, record) ??
    judgeKeyValues('environment variable', test.envVars, env, image, record) ??
    (test.entrypoint !== undefined && !sameList(image.entrypoint, test.entrypoint) ? `entrypoint is ${JSON.stringify(image.entrypoint)}, expected ${JSON.stringify(test.entrypoint)}` : undefined) ??
    (test.cmd !== undefined && !sameList(image.cmd, test.cmd) ? `cmd is ${JSON.stringify(image.cmd)}, expected ${JSON.stringify(test.cmd)}` : undefined) ??
    (test.workdir !== undefined && image.workdir !== test.workdir ? `working directory is ${JSON.stringify(image.workdir)}, expected ${JSON.stringify(test.workdir)}` : undefined) ??
    (test.user !== undefined && image.user !== test.user ? `user is ${JSON.stringify(image.user)}, expected ${JSON.stringify(test.user)}` : undefined) ??
    (test.recordedLabels ? recordedLabelProblem(image, record, labelNames) : undefined);
  return problem === undefined ? { status: 'pass' } : { status: 'fail', reason: problem };
}

/** The labels that name the base image and the sources agree with what the build recorded. */
function recordedLabelProblem(image: ImageFacts, record: RecordFacts, names: { baseDigest: string; sourceRevision: (name: string) => string }): string | undefined {
  const parent = record.parents[record.parents.length - 1];
  if (parent !== undefined && image.labels[names.baseDigest] !== parent.imageId) {
    return `label ${names.baseDigest} is ${JSON.stringify(image.labels[names.baseDigest] ?? null)}, but the build record's parent ${parent.project} is ${parent.imageId}`;
  }
  for (const source of record.sources) {
    if (source.revision === undefined) continue;
    const label = names.sourceRevision(source.name);
    if (image.labels[label] !== source.revision) return `label ${label} is ${JSON.stringify(image.labels[label] ?? null)}, but the build record says source ${source.name} was ${source.revision}`;
  }
  return undefined;
}
