/**
 * The helper threads of large contexts (the stat job of a listing, the
 * reader job of a send): when one pays for itself, how jobs reach it, and
 * the shared memory the threads meet in.
 *
 * A thread's start costs 50 to 100 ms of a core on this kind of machine, as
 * much as the job it helps with. So a thread is kept once started, and takes
 * the next job (a listing's stat, then the send's reads) at once; it can be
 * started early (warmHelperThread), while git lists a checkout. A job goes to
 * an idle thread, or to a new one when all are busy (builds run side by side
 * in a batch process), so no job waits behind another. Kept threads do not
 * keep the process alive.
 */
import { MessagePort, Worker } from 'node:worker_threads';

/** From this many files on, a context's files are read (and a checkout's stated) on two threads: below, the help costs more than it saves. */
export const READER_THREAD_FILES = 2000;

/**
 * The thread's code, as text (a bundled task process has no file to point a worker at): it runs
 * each job's code, compiled once per kind, with the job's data; then it is idle again. A job
 * reports its results and failures through the shared memory or port in its data.
 */
const HELPER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { idle } = workerData;
const compiled = new Map();
parentPort.on('message', ({ kind, source, data }) => {
  try {
    let run = compiled.get(kind);
    if (run === undefined) {
      run = new Function('require', 'data', source);
      compiled.set(kind, run);
    }
    run(require, data);
  } finally {
    Atomics.store(idle, 0, 1);
  }
});
`;

interface Helper {
  worker: Worker;
  /** 1 while the thread has no job; set by the thread itself, so it is current without a turn of the event loop. */
  idle: Int32Array;
}

const helpers: Helper[] = [];

function startHelper(): Helper {
  const idle = sharedInt32(1);
  idle[0] = 1;
  const worker = new Worker(HELPER_SOURCE, {
    eval: true,
    workerData: { idle },
    stdout: false,
    stderr: false,
    // its garbage is a stat a file: a small young generation keeps the thread's memory small
    resourceLimits: { maxYoungGenerationSizeMb: 1 },
  });
  const helper = { worker, idle };
  worker.unref();
  // a thread that failed is not given jobs again; its job's waits end with their own errors
  const drop = () => {
    const at = helpers.indexOf(helper);
    if (at >= 0) helpers.splice(at, 1);
  };
  worker.on('error', drop);
  worker.on('exit', drop);
  helpers.push(helper);
  return helper;
}

function idleHelper(): Helper | undefined {
  return helpers.find((helper) => Atomics.load(helper.idle, 0) === 1);
}

/** How many helper threads are running (idle or with a job). */
export function helperThreadCount(): number {
  return helpers.length;
}

/** Starts a helper thread now, unless one is idle: the next job finds it running. */
export function warmHelperThread(): void {
  if (idleHelper() === undefined) startHelper();
}

/**
 * Runs a job on an idle helper thread (a new one if none is idle): `source` is the body of a
 * function of `require` and `data`, compiled once per `kind`.
 */
export function runOnHelperThread(kind: string, source: string, data: object, transferList: MessagePort[] = []): void {
  const helper = idleHelper() ?? startHelper();
  Atomics.store(helper.idle, 0, 0);
  helper.worker.postMessage({ kind, source, data }, transferList);
}

/** Shared memory for `count` numbers (at least one: a shared buffer cannot be empty of elements here). */
export function sharedFloat64(count: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(Math.max(1, count) * Float64Array.BYTES_PER_ELEMENT));
}

/** Shared memory for `count` 32-bit counters (at least one). */
export function sharedInt32(count: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Math.max(1, count) * Int32Array.BYTES_PER_ELEMENT));
}
