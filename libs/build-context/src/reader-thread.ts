/**
 * A second thread that reads a large context's files while the main thread
 * writes the tar around them, so the system calls (open, read, fstat, close
 * for every file) run on the second core. The tar's layout is fixed before it
 * starts: every file's content has its offset in the stream. The stream is cut
 * into chunks; the reader reads each file straight into its place in the
 * chunk's slot of a small ring of shared memory, and the main thread writes
 * headers and padding into the same slot, hashes what it must once the reader
 * is past it, copies the chunk out and frees the slot. Both sides wait on
 * shared counters (`Atomics.wait`), never on a message per file or chunk.
 * (Chunks of shared memory handed on as they are, one new buffer each, were
 * tried: V8 does not count them towards collecting garbage, and peak memory
 * went from 160 MB to 240-280 MB on 200 MB.)
 *
 * The reader checks each file as the single-threaded stream does: a file that
 * ends early, or whose `fstat` after the read shows it grew, fails; a file
 * whose content hash the file hash cache vouched for must still have its
 * listed identity (size, times, inode) after the read. The first failure stops
 * the reader; the main thread throws it before it hands on a chunk past it.
 */
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';

/** Shared counters (Int32 slots). */
const READ = 0; // chunks whose file contents are all read (reader -> main)
const RELEASED = 1; // chunks the main thread has copied out (main -> reader)
const STOP = 2; // set by the main thread when it stops early
const FAILED = 3; // set by the reader when it stopped on a failure (its details come as a message)

/** Numbers per file in the plan: content offset in the tar, size, check identity (0/1), mtimeMs, ctimeMs, ino. */
export const PLAN_FIELDS = 6;

/** What the reader reports when it stops on a file. */
export interface ReaderFailure {
  /** Index of the file in the plan. */
  file: number;
  /** `short`: fewer bytes than listed; `grew`: more than listed; `changed`: another identity; `error`: a system call failed. */
  kind: 'short' | 'grew' | 'changed' | 'error';
  /** Bytes read when it ended early. */
  read?: number;
  code?: string;
  message?: string;
}

/** Slots in the ring: the reader runs at most this many chunks ahead of what the main thread has copied out. */
export const RING_SLOTS = 4;

/** How long the main thread waits for the reader's next chunk before it calls the reader stuck. */
const STUCK_MS = 120_000;

// The reader's code, run from text (`eval`): a bundled task process has no file to point a worker at.
const READER_SOURCE = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { paths, plan, control, ring, slots, chunk, chunks, port } = workerData;
const view = Buffer.from(ring);
const READ = ${READ}, RELEASED = ${RELEASED}, STOP = ${STOP}, FAILED = ${FAILED}, FIELDS = ${PLAN_FIELDS};
const stopped = new Error('stopped');
let done = 0;
function publish(count) {
  if (count <= done) return;
  done = count;
  Atomics.store(control, READ, count);
  Atomics.notify(control, READ);
}
function slot(k) {
  for (;;) {
    if (Atomics.load(control, STOP) !== 0) throw stopped;
    const released = Atomics.load(control, RELEASED);
    if (k - released < slots) return (k % slots) * chunk;
    Atomics.wait(control, RELEASED, released, 1000);
  }
}
function fail(report) {
  port.postMessage(report);
  Atomics.store(control, FAILED, 1);
}
try {
  files: for (let i = 0; i < paths.length; i++) {
    const at = i * FIELDS;
    const offset = plan[at], size = plan[at + 1];
    publish(Math.floor(offset / chunk));
    let fd;
    try {
      fd = fs.openSync(paths[i], 'r');
    } catch (error) {
      fail({ file: i, kind: 'error', code: error.code, message: error.message });
      break files;
    }
    try {
      let position = 0;
      while (position < size) {
        const where = offset + position;
        const k = Math.floor(where / chunk);
        publish(k);
        const inChunk = where - k * chunk;
        const read = fs.readSync(fd, view, slot(k) + inChunk, Math.min(size - position, chunk - inChunk), position);
        if (read === 0) {
          fail({ file: i, kind: 'short', read: position });
          break files;
        }
        position += read;
      }
      // the reader reads no byte past the listed size: the size after the read shows a file that grew
      const stat = fs.fstatSync(fd);
      if (stat.size > size) {
        fail({ file: i, kind: 'grew' });
        break files;
      }
      if (plan[at + 2] === 1 && (stat.size !== size || stat.mtimeMs !== plan[at + 3] || stat.ctimeMs !== plan[at + 4] || stat.ino !== plan[at + 5])) {
        fail({ file: i, kind: 'changed' });
        break files;
      }
    } catch (error) {
      if (error === stopped) break files;
      fail({ file: i, kind: 'error', code: error.code, message: error.message });
      break files;
    } finally {
      fs.closeSync(fd);
    }
  }
} catch (error) {
  if (error !== stopped) fail({ file: -1, kind: 'error', message: String((error && error.stack) || error) });
} finally {
  // every chunk counts as read: the main thread then sees the end, or the failure
  publish(chunks);
  port.close();
}
`;

/** The main thread's side of a reader thread. */
export class ReaderThread {
  private readonly control = new Int32Array(new SharedArrayBuffer(4 * Int32Array.BYTES_PER_ELEMENT));
  /** The ring of chunk slots both threads write into. */
  readonly ring: Buffer;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private failure: ReaderFailure | undefined;

  /**
   * Starts reading `paths` by `plan` (PLAN_FIELDS numbers per file, in order of their offsets) into
   * a ring of `slots` chunks of `chunk` bytes; `chunks` is how many chunks the whole tar has.
   */
  constructor(paths: readonly string[], plan: Float64Array, readonly chunk: number, chunks: number, readonly slots = RING_SLOTS) {
    const shared = new SharedArrayBuffer(chunk * slots);
    this.ring = Buffer.from(shared);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(READER_SOURCE, {
      eval: true,
      workerData: { paths, plan, control: this.control, ring: shared, slots, chunk, chunks, port: port2 },
      transferList: [port2],
      stdout: false,
      stderr: false,
      // its garbage is a stat a file: a small young generation keeps the thread's memory small
      resourceLimits: { maxYoungGenerationSizeMb: 1 },
    });
    // a stream left unread must not keep the process alive
    this.worker.unref();
    this.port.unref();
  }

  /** Where chunk `k` is in the ring. */
  slotOf(k: number): number {
    return (k % this.slots) * this.chunk;
  }

  /** Waits until every file content of chunk `k` is read; undefined, or the failure the reader stopped on. */
  waitRead(k: number): ReaderFailure | undefined {
    for (;;) {
      const read = Atomics.load(this.control, READ);
      if (read > k) break;
      if (Atomics.wait(this.control, READ, read, STUCK_MS) === 'timed-out' && Atomics.load(this.control, READ) === read) {
        throw new Error(`the context's reader thread read nothing for ${STUCK_MS / 1000} s (chunk ${k}); is a file of the context on a stalled file system?`);
      }
    }
    if (this.failure === undefined && Atomics.load(this.control, FAILED) !== 0) {
      this.failure = (receiveMessageOnPort(this.port)?.message as ReaderFailure | undefined) ?? { file: -1, kind: 'error', message: 'the reader thread failed' };
    }
    return this.failure;
  }

  /** Chunk `k` has been copied out: its slot may take chunk `k + slots`. */
  release(k: number): void {
    Atomics.store(this.control, RELEASED, k + 1);
    Atomics.notify(this.control, RELEASED);
  }

  /** Ends the reader, whether it finished or not. */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, RELEASED);
    void this.worker.terminate();
    this.port.close();
  }
}
