/**
 * The git side of sources: is a folder a checkout, which files does it
 * hold (tracked plus untracked-but-not-ignored, in their working-tree state),
 * what version is it, and a clone of a pinned ref into the cache. Real git.
 */
import { execFile } from 'node:child_process';
import { promises as fs, statSync } from 'node:fs';
import * as path from 'node:path';
import { TextDecoder, promisify } from 'node:util';
import { SourceVersion, versionFromDescribe } from './source-version';
import { UserError } from '@imgmono/errors';

const run = promisify(execFile);

export class GitError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

async function git(dir: string, args: string[], timeout = 120_000): Promise<string> {
  try {
    const { stdout } = await run('git', ['-C', dir, ...args], { timeout, maxBuffer: 256 << 20, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } });
    return stdout;
  } catch (error) {
    const err = error as { stderr?: string; message: string };
    throw new GitError((err.stderr ?? err.message).trim().split('\n').slice(-3).join(' | '));
  }
}

/** Undefined when the folder is a git checkout's top level, else why it is not. */
export async function whyNotCheckout(dir: string): Promise<string | undefined> {
  const stat = await fs.stat(dir).catch(() => undefined);
  if (stat === undefined) return 'does not exist';
  if (!stat.isDirectory()) return 'is not a folder';
  try {
    // one git process: the top level, and HEAD (which fails without a commit)
    const top = (await git(dir, ['rev-parse', '--show-toplevel', 'HEAD'])).split('\n')[0].trim();
    if (path.resolve(top) !== (await fs.realpath(dir))) return `is inside the git checkout ${top}, not the top of one`;
    return undefined;
  } catch (error) {
    return `is not a git checkout with a commit (${(error as Error).message})`;
  }
}

/** The size of a checkout's git index (`.git/index`), which grows with its files; 0 when it has none of its own (a worktree's `.git` is a file). */
export function gitIndexBytes(dir: string): number {
  return statSync(path.join(dir, '.git', 'index'), { throwIfNoEntry: false })?.size ?? 0;
}

/** Paths of the checkout's files as raw bytes decoded strictly: a name that is not UTF-8 is refused by name. */
export async function listCheckoutFiles(dir: string, label: string): Promise<string[]> {
  const { stdout } = await run('git', ['-C', dir, 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    encoding: 'buffer',
    maxBuffer: 1 << 30,
  }).catch((error: { stderr?: Buffer; message: string }) => {
    throw new GitError(`${label}: git ls-files failed: ${(error.stderr?.toString() ?? error.message).trim()}`);
  });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let names: string[];
  try {
    // the common case, every name UTF-8: one decode for the whole list
    names = decoder.decode(stdout).split('\0');
  } catch {
    throw notUtf8(stdout, decoder, label);
  }
  names.pop(); // after the last NUL
  // a path listed twice (an unmerged file has one index entry per stage) is one file
  return names.some((name, i) => i > 0 && name === names[i - 1]) ? [...new Set(names)] : names;
}

/** The error for the first name that is not UTF-8, found name by name. */
function notUtf8(stdout: Buffer, decoder: TextDecoder, label: string): GitError {
  let start = 0;
  for (let i = 0; i < stdout.length; i++) {
    if (stdout[i] !== 0) continue;
    const raw = stdout.subarray(start, i);
    start = i + 1;
    try {
      decoder.decode(raw);
    } catch {
      return new GitError(
        `${label}: file name ${JSON.stringify(raw.toString('latin1'))} (bytes ${raw.toString('hex')}) is not UTF-8; image contexts carry UTF-8 names only: rename the file in the checkout`,
      );
    }
  }
  return new GitError(`${label}: git ls-files printed a list that is not UTF-8`);
}

/** The checkout's version, as pbr numbers it: from `git describe` (with the full revision in it), else from the commit count. */
export async function describeCheckout(dir: string): Promise<SourceVersion> {
  const [describe, dirty] = await Promise.all([
    git(dir, ['describe', '--tags', '--long', '--abbrev=40', '--match', '*[0-9]*'])
      .then((out) => out.trim())
      .catch(() => undefined),
    git(dir, ['status', '--porcelain', '--untracked-files=normal']).then((out) => out.trim() !== ''),
  ]);
  const described = describe !== undefined ? /-g([0-9a-f]{40})$/.exec(describe)?.[1] : undefined;
  if (describe !== undefined && described !== undefined) return versionFromDescribe(describe, described, 0, dirty);
  // no tag: the revision and the commit count
  const [revision, count] = await Promise.all([git(dir, ['rev-parse', 'HEAD']).then((out) => out.trim()), git(dir, ['rev-list', '--count', 'HEAD']).then((out) => Number(out.trim()))]);
  return versionFromDescribe(describe, revision, count, dirty);
}

/**
 * A checkout of `ref` from `url` under the cache folder, made once: cloned into a temporary
 * folder, then renamed into place, so concurrent builds never see half a clone.
 */
export async function cloneAtRef(url: string, ref: string, cacheFolder: string, name: string): Promise<string> {
  const slug = ref.replace(/[^A-Za-z0-9._-]/g, '_');
  const target = path.join(cacheFolder, name, slug);
  if ((await whyNotCheckout(target)) === undefined) return target;
  await fs.mkdir(path.dirname(target), { recursive: true });
  const temp = await fs.mkdtemp(path.join(path.dirname(target), `.clone-${slug}-`));
  try {
    await git(path.dirname(target), ['clone', '--quiet', '--no-checkout', url, temp], 600_000);
    await git(temp, ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', ref]).catch(async () => {
      await git(temp, ['-c', 'advice.detachedHead=false', 'checkout', '--quiet', '--detach', `origin/${ref}`]);
    });
    await fs.rename(temp, target).catch(async (error: NodeJS.ErrnoException) => {
      if ((await whyNotCheckout(target)) !== undefined) throw error; // someone else's clone won the race: use it
    });
    return target;
  } finally {
    await fs.rm(temp, { recursive: true, force: true });
  }
}
