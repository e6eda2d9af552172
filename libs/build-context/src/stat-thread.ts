/**
 * `lstat` of many paths on both cores: the main thread and a second thread
 * take paths in turn from a shared counter and write what a context needs
 * of each (kind, mode, size, times, inode) into shared memory. For the
 * thousands of files of a source checkout, the system calls are most of a
 * listing's time. Few paths are stated on this thread alone: a thread's
 * start costs more than they do.
 */
import * as fs from 'node:fs';
import type { FileIdentity } from './context-entries';
import { READER_THREAD_FILES, runOnHelperThread, sharedFloat64, sharedInt32 } from './helper-thread';

/** Numbers per path in the result: kind, mode, size, mtimeMs, ctimeMs, ino. */
export const STAT_FIELDS = 6;

/** A path's kind in the result. */
export const PathKind = { missing: 0, file: 1, symlink: 2, other: 3 } as const;

/** How long this thread waits without the other thread stating anything before it calls it stuck. */
const STUCK_MS = 120_000;

/** States path `i` into `out` (a missing path, or one that cannot be stated, is `missing`); both threads run it, the other one from its text. */
function statInto(files: typeof fs, paths: readonly string[], out: Float64Array, i: number): void {
  let stat: fs.Stats | undefined;
  try {
    stat = files.lstatSync(paths[i], { throwIfNoEntry: false });
  } catch {
    stat = undefined;
  }
  const at = i * 6;
  if (stat === undefined) {
    out[at] = 0;
    return;
  }
  out[at] = stat.isFile() ? 1 : stat.isSymbolicLink() ? 2 : 3;
  out[at + 1] = stat.mode;
  out[at + 2] = stat.size;
  out[at + 3] = stat.mtimeMs;
  out[at + 4] = stat.ctimeMs;
  out[at + 5] = stat.ino;
}

// the helper thread's job, as text
const STAT_JOB = `
const fs = require('node:fs');
const { out, state, next } = data;
const paths = data.count === 0 ? [] : data.paths.split('\\0');
const statInto = ${statInto.toString()};
for (;;) {
  const i = Atomics.add(next, 0, 1);
  if (i >= paths.length) break;
  statInto(fs, paths, out, i);
  Atomics.store(state, i, 1);
  Atomics.notify(state, i);
}
`;

export interface StatOptions {
  /** State on two threads (default: from READER_THREAD_FILES paths on). */
  thread?: boolean;
  /** With a thread: whether this thread takes paths too (default); tests turn it off to have the other thread state them all. */
  share?: boolean;
}

/** What `lstat` says of each path: STAT_FIELDS numbers per path, in order. */
export function statPaths(paths: readonly string[], options: StatOptions = {}): Float64Array {
  const thread = options.thread ?? paths.length >= READER_THREAD_FILES;
  if (!thread) {
    const out = new Float64Array(paths.length * STAT_FIELDS);
    for (let i = 0; i < paths.length; i++) statInto(fs, paths, out, i);
    return out;
  }
  const out = sharedFloat64(paths.length * STAT_FIELDS);
  const state = sharedInt32(paths.length);
  const next = sharedInt32(1);
  // a failure inside the other thread shows as paths it did not state: the wait below ends with an error
  // the paths as one string: one copy to send, where an array of strings is cloned string by string
  runOnHelperThread('stat', STAT_JOB, { paths: paths.join('\0'), count: paths.length, out, state, next });
  // this thread takes paths as the other one does, from its start on
  while (options.share ?? true) {
    const i = Atomics.add(next, 0, 1);
    if (i >= paths.length) break;
    statInto(fs, paths, out, i);
    Atomics.store(state, i, 1);
  }
  // then waits for the paths the other thread took
  for (let i = 0; i < paths.length; i++) {
    if (Atomics.load(state, i) === 1) continue;
    if (Atomics.wait(state, i, 0, STUCK_MS) === 'timed-out' && Atomics.load(state, i) === 0) {
      // the other thread stops taking paths
      Atomics.store(next, 0, paths.length);
      throw new Error(`the stat thread answered nothing for ${STUCK_MS / 1000} s (at ${paths[i]}); is the folder on a stalled file system?`);
    }
  }
  return out;
}

/**
 * The identity of path `i` of a statPaths result, read from the result itself: one small object a
 * file, where an object of its own numbers holds each time as a number object of its own (20,000
 * files: 60,000 objects fewer for the garbage collector to copy while a listing grows).
 */
export class StatedIdentity implements FileIdentity {
  constructor(
    private readonly stats: Float64Array,
    private readonly at: number,
  ) {}

  get mtimeMs(): number {
    return this.stats[this.at * STAT_FIELDS + 3];
  }

  get ctimeMs(): number {
    return this.stats[this.at * STAT_FIELDS + 4];
  }

  get ino(): number {
    return this.stats[this.at * STAT_FIELDS + 5];
  }

  get changedMs(): number {
    return Math.max(this.mtimeMs, this.ctimeMs);
  }
}
