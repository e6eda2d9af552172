/**
 * A second thread that reads a large context's files while the main thread
 * writes the tar around them, so the system calls (open, read, fstat, close
 * for every file) run on both cores. The tar's layout is fixed before it
 * starts: every file's content has its offset in the stream. The stream is cut
 * into chunks; a file is read straight into its place in the chunk's slot of a
 * small ring of shared memory, and the main thread writes headers and padding
 * into the same slot and hashes what it must once the files are read. A
 * finished chunk is handed on from its slot (lent, when the stream is piped
 * into a destination that gives chunks back once written) or copied out; its
 * slot then goes to the next chunk without one. The two threads take files in
 * turn from a shared counter: the reader always, the main thread whenever it
 * would otherwise wait for a chunk (and only files whose chunks have slots).
 * They wait on shared counters (`Atomics.wait`), never on a message per file
 * or chunk. (Chunks of new shared memory, one a chunk, were tried: V8 does not
 * count them towards collecting garbage, and peak memory went from 160 MB to
 * 240-280 MB on 200 MB. The ring's slots are the same few all along.)
 *
 * A file is checked as the single-threaded stream checks it: one that ends
 * early, or whose `fstat` after the read shows it grew, fails; one whose
 * content hash the file hash cache vouched for must still have its listed
 * identity (size, times, inode) after the read. The reader stops at its first
 * failure; the main thread throws the first failure in file order before it
 * hands on a chunk past it.
 */
import * as fs from 'node:fs';
import { MessageChannel, MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import { runOnHelperThread, sharedFloat64, sharedInt32 } from './helper-thread';

/** Shared counters (Int32 slots). */
const NEXT = 0; // the next file to take (either thread)
const ASSIGNED = 1; // chunks given a slot of the ring so far, in order (main -> reader)
const STOP = 2; // set by the main thread when it stops early
const PROGRESS = 3; // bumped whenever a file, or a piece of a file across chunks, has been read

/** Numbers per file in the plan: content offset in the tar, size, check identity (0/1), mtimeMs, ctimeMs, ino. */
export const PLAN_FIELDS = 6;

/** A file's state (Int32 per file): not read yet, read, failed. */
const READ = 1;
const FAILED = 2;

/** Why reading a file failed. */
export interface ReaderFailure {
  /** Index of the file in the plan (-1: the reader itself failed). */
  file: number;
  /** `short`: fewer bytes than listed; `grew`: more than listed; `changed`: another identity; `error`: a system call failed. */
  kind: 'short' | 'grew' | 'changed' | 'error';
  /** Bytes read when it ended early. */
  read?: number;
  code?: string;
  message?: string;
}

/**
 * Slots in the ring. A slot is given to the next chunk once the chunk it held is done: copied out,
 * or, lent as it is to a pipe that gives chunks back, written (see RingWriter). At most all but two
 * are lent at once, so the chunk at hand and the next one always have a slot.
 */
export const RING_SLOTS = 6;

/** How long the main thread waits without any file read before it calls the reader stuck. */
const STUCK_MS = 120_000;

/**
 * Reads file `i` of the plan into its place in the ring (through `slotOf`, which gives where a
 * chunk's slot starts and may wait for it to be free) and checks it; undefined, or why it failed.
 * Both threads run it: the reader runs its text, so it uses nothing but its arguments.
 */
function readPlannedFile(
  files: typeof fs,
  ring: Buffer,
  plan: Float64Array,
  read: Float64Array,
  control: Int32Array,
  progress: number,
  chunk: number,
  slotOf: (k: number) => number,
  i: number,
  path: string,
): ReaderFailure | undefined {
  const at = i * 6;
  const offset = plan[at];
  const size = plan[at + 1];
  let fd: number;
  try {
    fd = files.openSync(path, 'r');
  } catch (error) {
    return { file: i, kind: 'error', code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
  }
  try {
    let position = 0;
    while (position < size) {
      const where = offset + position;
      const k = Math.floor(where / chunk);
      const inChunk = where - k * chunk;
      const count = files.readSync(fd, ring, slotOf(k) + inChunk, Math.min(size - position, chunk - inChunk), position);
      if (count === 0) return { file: i, kind: 'short', read: position };
      position += count;
      if (position < size) {
        // a file across chunks: the chunks before this piece's end are read
        read[i] = position;
        Atomics.add(control, progress, 1);
        Atomics.notify(control, progress);
      }
    }
    // no byte past the listed size is read: the size after the read shows a file that grew
    const stat = files.fstatSync(fd);
    if (stat.size > size) return { file: i, kind: 'grew' };
    if (plan[at + 2] === 1 && (stat.size !== size || stat.mtimeMs !== plan[at + 3] || stat.ctimeMs !== plan[at + 4] || stat.ino !== plan[at + 5])) {
      return { file: i, kind: 'changed' };
    }
    return undefined;
  } catch (error) {
    // a system call's error is the file's; anything else (the reader told to stop) goes on up
    if ((error as NodeJS.ErrnoException).code === undefined) throw error;
    return { file: i, kind: 'error', code: (error as NodeJS.ErrnoException).code, message: (error as Error).message };
  } finally {
    files.closeSync(fd);
  }
}

// The reader's job on a helper thread, as text: a bundled task process has no file to point a worker at.
const READ_JOB = `
const fs = require('node:fs');
const { plan, read, state, control, ring, chunkSlots, chunk, port } = data;
const paths = data.count === 0 ? [] : data.paths.split('\\0');
const view = Buffer.from(ring);
const NEXT = ${NEXT}, ASSIGNED = ${ASSIGNED}, STOP = ${STOP}, PROGRESS = ${PROGRESS}, READ = ${READ}, FAILED = ${FAILED};
const readPlannedFile = ${readPlannedFile.toString()};
const stopped = new Error('stopped');
function slotOf(k) {
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) throw stopped;
    const assigned = Atomics.load(control, ASSIGNED);
    if (k < assigned) return Atomics.load(chunkSlots, k % chunkSlots.length) * chunk;
    Atomics.wait(control, ASSIGNED, assigned, 1000);
  }
}
function done(i, value) {
  Atomics.store(state, i, value);
  Atomics.add(control, PROGRESS, 1);
  Atomics.notify(control, PROGRESS);
}
try {
  while (Atomics.load(control, STOP) === 0) {
    const i = Atomics.add(control, NEXT, 1);
    if (i >= paths.length) break;
    const failure = readPlannedFile(fs, view, plan, read, control, PROGRESS, chunk, slotOf, i, paths[i]);
    if (failure !== undefined) {
      port.postMessage(failure);
      done(i, FAILED);
      break;
    }
    done(i, READ);
  }
} catch (error) {
  if (error !== stopped) {
    port.postMessage({ file: -1, kind: 'error', message: String((error && error.stack) || error) });
    Atomics.store(control, STOP, 2);
    Atomics.add(control, PROGRESS, 1);
    Atomics.notify(control, PROGRESS);
  }
} finally {
  port.close();
}
`;

/** The main thread's side of a reader thread. */
export class ReaderThread {
  private readonly control = sharedInt32(4);
  /** Per file: READ, FAILED or 0. */
  private readonly state: Int32Array;
  /** Per file across chunks: bytes read so far. */
  private readonly read: Float64Array;
  /** The ring of chunk slots both threads write into. */
  readonly ring: Buffer;
  private readonly port: MessagePort;
  /** The first file not yet read (every file before it is). */
  private first = 0;
  /** Failures by file, as reported. */
  private readonly failures = new Map<number, ReaderFailure>();
  /**
   * The slot of each chunk given one, at the chunk's index modulo its length: twice the slots, so
   * the chunks from the main thread's on (each holding a slot) never share an index.
   */
  private readonly chunkSlots: Int32Array;
  /** Chunks given a slot so far (chunks 0 to assigned - 1). */
  private assigned = 0;
  /** Slots no chunk holds. */
  private readonly freeSlots: number[] = [];

  /**
   * Starts reading `paths` by `plan` (PLAN_FIELDS numbers per file, in order of their offsets) into
   * a ring of `slots` chunks of `chunk` bytes.
   */
  constructor(
    private readonly paths: readonly string[],
    private readonly plan: Float64Array,
    readonly chunk: number,
    /** Whether this thread reads files too while it would wait (tests turn it off to have the reader read them all). */
    private readonly share = true,
    readonly slots = RING_SLOTS,
  ) {
    const shared = new SharedArrayBuffer(chunk * slots);
    this.ring = Buffer.from(shared);
    this.state = sharedInt32(paths.length);
    this.read = sharedFloat64(paths.length);
    this.chunkSlots = sharedInt32(2 * slots);
    // the first chunks get the slots in order
    for (let slot = slots - 1; slot >= 0; slot--) this.freeSlots.push(slot);
    this.assignFreeSlots();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    runOnHelperThread('read', READ_JOB, { paths: paths.join('\0'), count: paths.length, plan, read: this.read, state: this.state, control: this.control, ring: shared, chunkSlots: this.chunkSlots, chunk, port: port2 }, [port2]);
    // a stream left unread must not keep the process alive
    this.port.unref();
  }

  /** Where chunk `k` (given a slot, and not yet done) is in the ring. */
  slotOf(k: number): number {
    return this.slotHeldBy(k) * this.chunk;
  }

  /**
   * Waits until every file content of chunk `k` is read, reading files itself meanwhile;
   * undefined, or the first failure in file order at or before the chunk.
   */
  waitRead(k: number): ReaderFailure | undefined {
    const end = (k + 1) * this.chunk;
    for (;;) {
      const seen = Atomics.load(this.control, PROGRESS);
      while (this.first < this.paths.length) {
        const state = Atomics.load(this.state, this.first);
        if (state === FAILED) return this.failureOf(this.first);
        if (state !== READ) break;
        this.first++;
      }
      if (Atomics.load(this.control, STOP) === 2) return this.failureOf(-1);
      // read: every file, or the first file not read starts after the chunk, or is read past its end
      if (this.first === this.paths.length) return undefined;
      const at = this.first * PLAN_FIELDS;
      if (this.plan[at] >= end || this.plan[at] + this.read[this.first] >= end) return undefined;
      if (this.share && this.readOne()) continue;
      if (Atomics.wait(this.control, PROGRESS, seen, STUCK_MS) === 'timed-out' && Atomics.load(this.control, PROGRESS) === seen) {
        throw new Error(`the context's reader thread read nothing for ${STUCK_MS / 1000} s (chunk ${k}); is a file of the context on a stalled file system?`);
      }
    }
  }

  /** Takes the next file and reads it on this thread, if it fits in the free slots; whether it did. */
  private readOne(): boolean {
    for (;;) {
      const i = Atomics.load(this.control, NEXT);
      if (i >= this.paths.length) return false;
      const at = i * PLAN_FIELDS;
      const last = Math.floor((this.plan[at] + Math.max(0, this.plan[at + 1] - 1)) / this.chunk);
      if (last >= this.assigned) return false;
      if (Atomics.compareExchange(this.control, NEXT, i, i + 1) !== i) continue;
      const failure = readPlannedFile(fs, this.ring, this.plan, this.read, this.control, PROGRESS, this.chunk, (chunk) => this.slotOf(chunk), i, this.paths[i]);
      if (failure !== undefined) this.failures.set(i, failure);
      Atomics.store(this.state, i, failure === undefined ? READ : FAILED);
      return true;
    }
  }

  private failureOf(file: number): ReaderFailure {
    if (!this.failures.has(file)) {
      // the reader's reports, in the order it sent them
      for (let message = receiveMessageOnPort(this.port); message !== undefined; message = receiveMessageOnPort(this.port)) {
        const failure = message.message as ReaderFailure;
        this.failures.set(failure.file, failure);
      }
    }
    return this.failures.get(file) ?? { file, kind: 'error', message: 'the reader thread failed' };
  }

  /** The slot chunk `k` (given a slot, and not yet done) holds. */
  slotHeldBy(k: number): number {
    return this.chunkSlots[k % this.chunkSlots.length];
  }

  /** The chunk in `slot` is done (copied out, or written): the slot goes to the next chunk without one. */
  free(slot: number): void {
    this.freeSlots.push(slot);
    this.assignFreeSlots();
  }

  private assignFreeSlots(): void {
    while (this.freeSlots.length > 0) {
      Atomics.store(this.chunkSlots, this.assigned % this.chunkSlots.length, this.freeSlots.pop()!);
      this.assigned++;
    }
    Atomics.store(this.control, ASSIGNED, this.assigned);
    Atomics.notify(this.control, ASSIGNED);
  }

  /** Ends the reader's job, whether it finished or not: its thread is free for the next job. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, ASSIGNED);
    this.port.close();
  }
}
