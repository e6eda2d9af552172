/**
 * A source checkout as build context entries at `.zuul-siblings/<canonical
 * project name>/` (`.zuul-siblings/opendev.org/openstack/openstacksdk/`),
 * exactly where zuul-jobs' build-docker-image role puts a job's sibling
 * checkouts, so one Dockerfile builds under both: its git-listed files in
 * their working-tree state, never `.git`, filtered by the image's
 * `.dockerignore`, symlinks kept only when they stay inside.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  ContextEntry,
  ContextError,
  ContextFilter,
  PathKind,
  READER_THREAD_FILES,
  STAT_FIELDS,
  StatedIdentity,
  normaliseMode,
  sortNames,
  statPaths,
  symlinkStaysInside,
  warmHelperThread,
} from '@imgmono/build-context';
import { gitIndexBytes, listCheckoutFiles } from './git-checkout';

export const SOURCES_IN_CONTEXT = '.zuul-siblings';

/** A path with a `..` part or an empty part (`a//b`, a leading or trailing slash). */
const ESCAPING_OR_EMPTY_PART = /(^|\/)\.\.(\/|$)|\/\/|^\/|\/$|^$/;

/** Where a source's checkout stands in a build context: `.zuul-siblings/<canonical project name>`. */
export function siblingInContext(zuulProject: string): string {
  return `${SOURCES_IN_CONTEXT}/${zuulProject}`;
}

export async function sourceContextEntries(name: string, zuulProject: string, dir: string, filter: ContextFilter | undefined): Promise<ContextEntry[]> {
  const label = `source ${name} (${dir})`;
  const prefix = siblingInContext(zuulProject);
  // a checkout whose git index holds thousands of files is stated and sent with a helper thread:
  // started now, it is running by the time git has listed them (an index entry takes over 62 bytes)
  if (gitIndexBytes(dir) >= READER_THREAD_FILES * 62) warmHelperThread();
  const files = sortNames(await listCheckoutFiles(dir, label));
  const root = path.resolve(dir);
  const entries: ContextEntry[] = [];
  const folders = new Set<string>();
  // the files come sorted, so a folder's files come together: its parents are added once, at its first file
  let lastFolder = '';
  const addFolders = (relative: string) => {
    let folder = relative.slice(0, Math.max(0, relative.lastIndexOf('/')));
    if (folder === lastFolder) return;
    lastFolder = folder;
    while (folder !== '' && !folders.has(folder)) {
      folders.add(folder);
      folder = folder.slice(0, Math.max(0, folder.lastIndexOf('/')));
    }
  };
  // the files to state: listed, not `.git`, not excluded
  const wanted: string[] = [];
  const absolutes: string[] = [];
  for (const relative of files) {
    if (relative === '.git' || relative.startsWith('.git/') || relative.includes('/.git/')) continue;
    if (ESCAPING_OR_EMPTY_PART.test(relative)) {
      throw new ContextError(`${label}: path ${relative} escapes the checkout; it cannot be sent`);
    }
    if (filter?.excludes(`${prefix}/${relative}`)) continue;
    wanted.push(relative);
    absolutes.push(`${root}/${relative}`);
  }
  // synchronous lstat, on both cores for a large checkout: far cheaper than a thread-pool round trip a file
  const stats = statPaths(absolutes);
  for (let i = 0; i < wanted.length; i++) {
    const relative = wanted[i];
    const at = i * STAT_FIELDS;
    const kind = stats[at];
    // tracked but deleted in the working tree (an uncommitted change), or a submodule's folder: not this checkout's files
    if (kind === PathKind.missing || kind === PathKind.other) continue;
    const absolute = absolutes[i];
    const inContext = `${prefix}/${relative}`;
    if (kind === PathKind.symlink) {
      const target = await fs.readlink(absolute);
      if (!symlinkStaysInside(relative, target)) {
        throw new ContextError(`${label}: symlink ${relative} points outside the checkout (to ${target}); make it relative and inside, or remove it`);
      }
      entries.push({ kind: 'symlink', path: inContext, target });
    } else {
      entries.push({ kind: 'file', path: inContext, mode: normaliseMode(stats[at + 1], false), size: stats[at + 2], absolutePath: absolute, identity: new StatedIdentity(stats, i) });
    }
    addFolders(relative);
  }
  for (const folder of folders) entries.push({ kind: 'directory', path: `${prefix}/${folder}`, mode: 0o755 });
  // the checkout's own folder and the folders of its canonical name (`opendev.org`, `opendev.org/openstack`)
  const parts = zuulProject.split('/');
  for (let depth = 1; depth <= parts.length; depth++) entries.push({ kind: 'directory', path: `${SOURCES_IN_CONTEXT}/${parts.slice(0, depth).join('/')}`, mode: 0o755 });
  return entries;
}
