/**
 * Streams context entries as a tar archive, in chunks of 1 MiB that headers,
 * contents and padding are written into directly: file contents are read as
 * the consumer pulls, straight into the chunk being filled, so memory stays
 * flat whatever the context size. A large context's files are read on a
 * second thread (threaded-tar.ts), with the same bytes. The bytes depend only
 * on the entries' paths, modes and contents.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Readable, Writable } from 'node:stream';
import { CHUNK, ContextDigest, changedSize, changedWhileSent } from './context-digest';
import { ContextEntry, compareNames, statHasIdentity } from './context-entries';
import { ChunkPool } from './chunk-pool';
import { ChunkWriter } from './chunk-writer';
import { BLOCK, padding } from './tar-header';
import { READER_THREAD_FILES } from './helper-thread';
import { threadedTarChunks } from './threaded-tar';

/** Entries sorted by path, so that several folders merged into one context still give one order. */
export function sortEntries(entries: ContextEntry[]): ContextEntry[] {
  return [...entries].sort((a, b) => compareNames(a.path, b.path));
}

export interface PackOptions {
  /** Fed with every entry sent, except the entry at `digestSkips`: the context digest of what was sent. */
  digest?: ContextDigest;
  /** An entry the digest leaves out (the Dockerfile, which is digested as text on its own). */
  digestSkips?: string;
  /**
   * The content hash of a file as its listed identity says (the file hash cache's `peek`). Such a
   * file is not hashed again while it is sent: its identity is checked once it has been read
   * instead, and a file whose identity changed ends the stream with an error.
   */
  knownContent?: (entry: FileEntry) => Buffer | undefined;
  /**
   * Read the files on a second thread while this one writes the tar around them (see
   * reader-thread.ts). Default: when the context has READER_THREAD_FILES files or more, where the
   * thread's start (about 10 ms, and 16 MB while it runs) pays for itself.
   */
  readerThread?: boolean;
  /** With the reader thread: whether this thread reads files too while it would wait (default); tests turn it off to have the reader read them all. */
  shareReads?: boolean;
  /** Bytes per chunk handed on (a multiple of 512); tests use small ones to cross chunk edges often. */
  chunkBytes?: number;
  /**
   * When the stream is piped, its destination keeps no hold on a chunk once the chunk's write
   * callback has run (a socket, an HTTP request such as the engine's build request): the chunk's
   * buffer is then taken again for a later chunk (see chunk-pool.ts).
   */
  reuseChunks?: boolean;
}

export { READER_THREAD_FILES } from './helper-thread';

export type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

export function packContext(entries: readonly ContextEntry[], options: PackOptions = {}): Readable {
  const chunk = options.chunkBytes ?? CHUNK;
  if (chunk <= 0 || chunk % BLOCK !== 0) throw new RangeError(`chunkBytes must be a positive multiple of ${BLOCK}, not ${chunk}`);
  const pool = new ChunkPool(chunk);
  const threaded = options.readerThread ?? countFiles(entries) >= READER_THREAD_FILES;
  const chunks = threaded ? threadedTarChunks(entries, options, pool) : tarChunks(entries, options, pool);
  return new ContextTarStream(chunks, pool, options.reuseChunks ?? false);
}

/**
 * The tar as a stream, pulled from its chunks as the consumer reads. Piped with `reuseChunks`, it
 * writes each chunk itself and gives its buffer back to the pool once the write callback has run,
 * with at most two writes under way; read any other way, every chunk is a new buffer.
 */
export class ContextTarStream extends Readable {
  constructor(
    private readonly chunks: Generator<Buffer>,
    private readonly pool: ChunkPool,
    private readonly reuse: boolean,
  ) {
    super({ highWaterMark: pool.size });
  }

  override _read(): void {
    try {
      for (;;) {
        const next = this.chunks.next();
        if (next.done) {
          this.push(null);
          return;
        }
        if (!this.push(next.value)) return;
      }
    } catch (error) {
      this.destroy(error as Error);
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // ends the chunks' generator early: its files are closed and its reader thread stopped
    try {
      this.chunks.return(undefined);
    } catch {
      // the generator is running (destroyed from inside it) or already done
    }
    callback(error);
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    if (!this.reuse) return super.pipe(destination, options);
    void this.pump(destination as unknown as Writable, options?.end ?? true);
    return destination;
  }

  /** Writes every chunk into `destination`, giving each back once written; stops quietly if the destination goes away, as a pipe does. */
  private async pump(destination: Writable, end: boolean): Promise<void> {
    // every chunk comes back once written: a chunk may be lent as it is (see chunk-pool.ts)
    this.pool.lending = true;
    let writing = 0;
    let gone = false;
    let wake: (() => void) | undefined;
    try {
      for (;;) {
        const next = this.chunks.next();
        if (next.done) break;
        const chunk = next.value;
        writing++;
        destination.write(chunk, (error) => {
          writing--;
          if (error) gone = true;
          else this.pool.giveBack(chunk);
          wake?.();
        });
        while (writing >= 2 && !gone) await new Promise<void>((resolve) => (wake = resolve));
        if (gone || destination.destroyed) return void this.destroy();
      }
      if (end) destination.end();
      this.push(null);
      this.resume();
    } catch (error) {
      this.destroy(error as Error);
    }
  }
}

function countFiles(entries: readonly ContextEntry[]): number {
  let files = 0;
  for (const entry of entries) if (entry.kind === 'file') files++;
  return files;
}

/** The chunk being filled, a buffer of its own; full chunks wait in `full` to be handed on. */
class OwnChunkWriter extends ChunkWriter {
  chunk: Buffer;

  constructor(private readonly pool: ChunkPool) {
    super(pool.size);
    this.chunk = pool.take();
  }

  protected get target(): Buffer {
    return this.chunk;
  }

  protected get offset(): number {
    return 0;
  }

  protected nextChunk(): void {
    this.full.push(this.chunk);
    this.chunk = this.pool.take();
    this.used = 0;
  }

  /** How many bytes the last read asked for (less than its `max` when the chunk had less room). */
  lastAsked = 0;

  /** Reads up to `max` bytes of a file into the chunk; returns what it read (empty at its end). */
  read(fd: number, max: number, position: number): Buffer {
    this.lastAsked = Math.min(max, this.size - this.used);
    const read = readSync(fd, this.chunk, this.used, this.lastAsked, position);
    const piece = this.chunk.subarray(this.used, this.used + read);
    this.used += read;
    this.next();
    return piece;
  }

  rest(): Buffer {
    return this.chunk.subarray(0, this.used);
  }
}

function* tarChunks(entries: readonly ContextEntry[], options: PackOptions, pool: ChunkPool): Generator<Buffer> {
  const out = new OwnChunkWriter(pool);
  const oneByte = Buffer.allocUnsafe(1);
  for (const entry of entries) {
    const digest = entry.path === options.digestSkips ? undefined : options.digest;
    digest?.beginEntry(entry);
    out.entryHeader(entry);
    if (entry.kind === 'content') {
      digest?.addContent(entry.content);
      out.put(entry.content);
      out.zeros(padding(entry.content.length));
    } else if (entry.kind === 'file') {
      const known = digest !== undefined ? options.knownContent?.(entry) : undefined;
      const hashing = known === undefined ? digest : undefined;
      const fd = openSync(entry.absolutePath, constants.O_RDONLY);
      try {
        let position = 0;
        // each read asks for one byte more than is left: a short read proves the end of the file
        // without a read of its own, and a byte too many proves that it grew
        let atEnd = false;
        while (position < entry.size) {
          const wanted = entry.size - position + 1;
          const piece = out.read(fd, wanted, position);
          if (piece.length === 0) throw changedSize(entry, String(position));
          if (position + piece.length > entry.size) throw changedSize(entry, `more than ${entry.size}`);
          atEnd = piece.length < out.lastAsked;
          hashing?.addContent(piece);
          position += piece.length;
          // a big file: hand on what is full before reading more
          if (out.full.length > 0) yield* out.full.splice(0);
        }
        if (!atEnd && readSync(fd, oneByte, 0, 1, position) > 0) throw changedSize(entry, `more than ${entry.size}`);
        if (known !== undefined) {
          // every write changes a file's change time: the same identity after the read means the content hashed before
          if (entry.identity === undefined || !statHasIdentity(fstatSync(fd), entry.size, entry.identity)) throw changedWhileSent(entry);
          digest?.knownContent(known);
        }
      } finally {
        closeSync(fd);
      }
      out.zeros(padding(entry.size));
    }
    digest?.finishEntry();
    if (out.full.length > 0) yield* out.full.splice(0);
  }
  out.zeros(2 * BLOCK);
  yield* out.full.splice(0);
  if (out.used > 0) yield out.rest();
}
