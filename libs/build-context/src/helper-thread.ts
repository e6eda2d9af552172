/**
 * What the two helper threads of a large context share (the stat thread of a
 * listing, the reader thread of a send): when one pays for itself, how it is
 * started, and the shared memory the threads meet in.
 */
import { MessagePort, Worker } from 'node:worker_threads';

/** From this many files on, a context's files are read (and a checkout's stated) on two threads: below, a thread's start (about 10 ms, and 16 MB while it runs) costs more than it saves. */
export const READER_THREAD_FILES = 2000;

/**
 * Starts a helper thread from its code as text (a bundled task process has no file to point a
 * worker at). It does not keep the process alive; its failures reach the main thread through the
 * shared memory they meet in (a report, or a wait that ends with an error), since an 'error' event
 * nobody listens to would end the process.
 */
export function startHelperThread(source: string, workerData: unknown, transferList: MessagePort[] = []): Worker {
  const worker = new Worker(source, {
    eval: true,
    workerData,
    transferList,
    stdout: false,
    stderr: false,
    // its garbage is a stat a file: a small young generation keeps the thread's memory small
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
  });
  worker.unref();
  worker.on('error', () => undefined);
  return worker;
}

/** Shared memory for `count` numbers (at least one: a shared buffer cannot be empty of elements here). */
export function sharedFloat64(count: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, count) * Float64Array.BYTES_PER_ELEMENT));
}

/** Shared memory for `count` 32-bit counters (at least one). */
export function sharedInt32(count: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, count) * Int32Array.BYTES_PER_ELEMENT));
}
