/**
 * The helper threads of large contexts on real worker threads: a thread is
 * started once and takes job after job; a job never waits behind another
 * (a busy thread's next job goes to a new thread); a thread whose job
 * failed takes no more jobs.
 */
import { describe, expect, it } from 'vitest';
import { helperThreadCount, runOnHelperThread, sharedInt32, warmHelperThread } from './helper-thread';

/** A job that writes its thread's id and, when told to, waits for a release before it ends. */
const REPORT_JOB = `
const { threadId } = require('node:worker_threads');
const { out, hold } = data;
Atomics.store(out, 0, threadId);
Atomics.store(out, 1, 1);
Atomics.notify(out, 1);
if (hold !== undefined) Atomics.wait(hold, 0, 0, 30000);
Atomics.store(out, 2, 1);
Atomics.notify(out, 2);
`;

/** Runs the reporting job; resolves with the id of the thread that ran it once it has started. */
function report(hold?: Int32Array): { threadId: Promise<number>; ended: Promise<void>; out: Int32Array } {
  const out = sharedInt32(3);
  runOnHelperThread('report', REPORT_JOB, { out, hold });
  return { threadId: until(out, 1).then(() => Atomics.load(out, 0)), ended: until(out, 2), out };
}

/** Resolves once the job has set `out[at]` (polled: this thread must not block, the job's thread may need it to). */
async function until(out: Int32Array, at: number): Promise<void> {
  for (let waited = 0; Atomics.load(out, at) === 0; waited += 10) {
    if (waited > 30_000) throw new Error(`the job did not set its flag ${at} within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('helper threads', () => {
  it('start once and take job after job', async () => {
    warmHelperThread();
    const running = helperThreadCount();
    const first = report();
    await first.ended;
    const second = report();
    await second.ended;
    expect(await second.threadId).toBe(await first.threadId);
    expect(helperThreadCount()).toBe(running);
  });

  it('give a job to a new thread while the others are busy, so it does not wait behind them', async () => {
    const hold = sharedInt32(1);
    const busy = report(hold);
    const busyThread = await busy.threadId;
    const other = report();
    // the second job ends while the first is still held
    await other.ended;
    expect(await other.threadId).not.toBe(busyThread);
    expect(Atomics.load(busy.out, 2)).toBe(0);
    Atomics.store(hold, 0, 1);
    Atomics.notify(hold, 0);
    await busy.ended;
  });

  it('give no more jobs to a thread whose job failed', async () => {
    warmHelperThread();
    const before = helperThreadCount();
    const failed = sharedInt32(1);
    runOnHelperThread('fail', `Atomics.store(data.failed, 0, require('node:worker_threads').threadId); throw new Error('a job that fails');`, { failed });
    // the failed thread is dropped once its error has arrived
    for (let i = 0; i < 250 && helperThreadCount() === before; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(helperThreadCount()).toBe(before - 1);
    // every job after it runs, on another thread
    for (let i = 0; i < 3; i++) {
      const next = report();
      await next.ended;
      expect(await next.threadId).not.toBe(Atomics.load(failed, 0));
    }
  });
});
