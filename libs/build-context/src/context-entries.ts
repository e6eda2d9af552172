/**
 * Lists the files of a folder that go into a build context, in a fixed
 * order, honouring a `.dockerignore` filter. Reads the file system (metadata
 * only); file contents are read later, while the tar is streamed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ContextFilter } from './dockerignore';
import { symlinkStaysInside } from './inside-folder';
import { UserError } from '@imgmono/errors';

/**
 * What identifies a file's content without reading it (the file hash cache's key, with the
 * size): modification and change times, inode. Times in milliseconds with their fraction, as
 * the file system gives them (sub-microsecond steps at today's dates). Numbers only: a listing
 * of 20,000 files makes no string of them.
 */
export interface FileIdentity {
  /** The later of the modification and change times, in milliseconds. */
  readonly changedMs: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** The identity of a file from its stat. */
export function fileIdentity(stat: { mtimeMs: number; ctimeMs: number; ino: number }): FileIdentity {
  return { changedMs: Math.max(stat.mtimeMs, stat.ctimeMs), mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

/** Whether a stat shows the file with this size and identity. */
export function statHasIdentity(stat: { size: number; mtimeMs: number; ctimeMs: number; ino: number }, size: number, identity: FileIdentity): boolean {
  return stat.size === size && stat.mtimeMs === identity.mtimeMs && stat.ctimeMs === identity.ctimeMs && stat.ino === identity.ino;
}

export type ContextEntry =
  | { kind: 'directory'; path: string; mode: number }
  | { kind: 'file'; path: string; mode: number; size: number; absolutePath: string; identity?: FileIdentity }
  | { kind: 'content'; path: string; mode: number; content: Buffer }
  | { kind: 'symlink'; path: string; target: string };

export class ContextError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export interface ListOptions {
  /** Folder placed at this prefix inside the context (`.sources/nodepool`); '' for the root. */
  prefix?: string;
  filter?: ContextFilter;
  /** Paths (relative to the folder) never listed, such as `.git`. */
  alwaysSkip?: (relativePath: string) => boolean;
  /** What a user calls this folder in errors ("the checkout of nodepool at ../nodepool"). */
  label?: string;
}

/** Files 0644 or 0755, folders 0755: permission bits beyond that are host noise. */
export function normaliseMode(mode: number, isDirectory: boolean): number {
  if (isDirectory) return 0o755;
  return mode & 0o111 ? 0o755 : 0o644;
}

export async function listContextEntries(root: string, options: ListOptions = {}): Promise<ContextEntry[]> {
  const prefix = options.prefix ?? '';
  const label = options.label ?? root;
  const entries: ContextEntry[] = [];
  await fs.realpath(root).catch(() => {
    throw new ContextError(`${label}: folder does not exist`);
  });

  async function walk(relativeDir: string): Promise<void> {
    const absoluteDir = path.join(root, relativeDir);
    const names = (await fs.readdir(absoluteDir)).sort(compareNames);
    for (const name of names) {
      const relativePath = relativeDir === '' ? name : `${relativeDir}/${name}`;
      if (options.alwaysSkip?.(relativePath)) continue;
      const absolutePath = path.join(absoluteDir, name);
      const stat = await fs.lstat(absolutePath);
      const inContext = prefix === '' ? relativePath : `${prefix}/${relativePath}`;
      if (stat.isDirectory()) {
        if (options.filter?.excludesFolder(relativePath)) continue;
        const excluded = options.filter?.excludes(relativePath) ?? false;
        if (!excluded) entries.push({ kind: 'directory', path: inContext, mode: normaliseMode(stat.mode, true) });
        await walk(relativePath);
      } else if (options.filter?.excludes(relativePath)) {
        continue;
      } else if (stat.isSymbolicLink()) {
        const target = await fs.readlink(absolutePath);
        if (!symlinkStaysInside(relativePath, target)) {
          throw new ContextError(
            `${label}: symlink ${relativePath} points outside the folder (to ${target}); replace it with a relative link inside the folder or remove it`,
          );
        }
        entries.push({ kind: 'symlink', path: inContext, target });
      } else if (stat.isFile()) {
        entries.push({ kind: 'file', path: inContext, mode: normaliseMode(stat.mode, false), size: stat.size, absolutePath, identity: fileIdentity(stat) });
      }
      // sockets, fifos and devices are never part of a context
    }
  }

  await walk('');
  return entries;
}

/**
 * Byte order of the names' UTF-8, not locale order: the same on every machine. That is
 * code point order, worked out on the strings without encoding them: UTF-16 order differs
 * from it only between a surrogate and a unit from U+E000 up.
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  let i = 0;
  while (i < length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === length) return a.length - b.length;
  let x = a.charCodeAt(i);
  let y = b.charCodeAt(i);
  if (x >= 0xd800 && y >= 0xd800) {
    x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
  }
  return x - y;
}

/** A UTF-16 unit from U+D800 up: where UTF-16 order and code point order can part (see compareNames). */
const FROM_SURROGATES = /[\ud800-\uffff]/;

/** The names in byte order (see compareNames); a list already in that order, as git lists a checkout, is not sorted again. */
export function sortNames(names: string[]): string[] {
  // the common list, no unit from U+D800 up: the strings' own comparison is that order, and far cheaper
  const plain = !names.some((name) => FROM_SURROGATES.test(name));
  for (let i = 1; i < names.length; i++) {
    if (plain ? names[i - 1] > names[i] : compareNames(names[i - 1], names[i]) > 0) return names.sort(compareNames);
  }
  return names;
}
