/**
 * The context tar with its files read on a second thread: for a large
 * context, the system calls of reading thousands of files run on the second
 * core while this thread writes headers and hashes (see reader-thread.ts).
 * The bytes, the digest of what was sent and the errors for a file that
 * changed are those of the single-threaded stream (tar-pack.ts).
 */
import { ChunkPool } from './chunk-pool';
import { changedSize, changedWhileSent, isPlainFileHeader, tarHeaderOf } from './context-digest';
import { ContextEntry } from './context-entries';
import { PLAN_FIELDS, ReaderFailure, ReaderThread } from './reader-thread';
import { ChunkWriter } from './chunk-writer';
import { sharedFloat64 } from './helper-thread';
import { BLOCK, TarHeader, headerLength, padding } from './tar-header';
import type { FileEntry, PackOptions } from './tar-pack';

/**
 * The bytes of tarChunks, with the files read on a second thread (reader-thread.ts): this thread
 * writes headers, padding and generated contents into the ring slot of the chunk at hand, hashes
 * the files the cache does not vouch for once the reader has read them, and hands on each finished
 * chunk: lent from its slot when the stream is piped with reuse, else copied into a buffer of the pool.
 */
export function* threadedTarChunks(entries: readonly ContextEntry[], options: PackOptions, pool: ChunkPool): Generator<Buffer> {
  const chunk = pool.size;
  // the layout: every file's content has its place in the stream before a byte is read
  const files: FileEntry[] = [];
  const known: Array<Buffer | undefined> = [];
  const headerLengths = new Uint32Array(entries.length);
  // the header of every entry that is not a plain file (isPlainFileHeader), built once: its length is needed first
  const headers: Array<TarHeader | undefined> = new Array(entries.length);
  // room for every entry; only files take a place
  const plan = sharedFloat64(entries.length * PLAN_FIELDS);
  let offset = 0;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    const header = isPlainFileHeader(entry) ? undefined : tarHeaderOf(entry);
    headers[i] = header;
    headerLengths[i] = header === undefined ? BLOCK : headerLength(header);
    offset += headerLengths[i];
    if (entry.kind === 'file') {
      const digested = options.digest !== undefined && entry.path !== options.digestSkips && entry.identity !== undefined;
      const knownContent = digested ? options.knownContent?.(entry) : undefined;
      const at = files.length * PLAN_FIELDS;
      plan[at] = offset;
      plan[at + 1] = entry.size;
      if (knownContent !== undefined) {
        // the identity the cache vouched for, which the file must still have once read
        const identity = entry.identity!;
        plan[at + 2] = 1;
        plan[at + 3] = identity.mtimeMs;
        plan[at + 4] = identity.ctimeMs;
        plan[at + 5] = identity.ino;
      }
      files.push(entry);
      known.push(knownContent);
      offset += entry.size + padding(entry.size);
    } else if (entry.kind === 'content') {
      offset += entry.content.length + padding(entry.content.length);
    }
  }

  const reader = new ReaderThread(
    files.map((file) => file.absolutePath),
    plan,
    chunk,
    options.shareReads ?? true,
  );
  try {
    const out = new RingWriter(reader, pool, (failure) => readerError(failure, files));
    let f = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const digest = entry.path === options.digestSkips ? undefined : options.digest;
      digest?.beginEntry(entry);
      const header = headers[i];
      if (header === undefined) out.plainFileHeader(entry as FileEntry);
      else out.header(header, headerLengths[i]);
      if (entry.kind === 'content') {
        digest?.addContent(entry.content);
        out.put(entry.content);
        out.zeros(padding(entry.content.length));
      } else if (entry.kind === 'file') {
        const knownContent = known[f++];
        if (knownContent === undefined && digest !== undefined) out.pass(entry.size, (piece) => digest.addContent(piece));
        else out.pass(entry.size);
        // its identity after the read is the reader's to check
        if (knownContent !== undefined) digest?.knownContent(knownContent);
        out.zeros(padding(entry.size));
      }
      digest?.finishEntry();
      if (out.full.length > 0) yield* out.full.splice(0);
    }
    out.end();
    yield* out.full.splice(0);
  } finally {
    reader.stop();
  }
}

/** The error a reader's failure stands for, as the single-threaded stream words it. */
function readerError(failure: ReaderFailure, files: readonly FileEntry[]): Error {
  const entry = files[failure.file];
  if (entry === undefined) return new Error(`the context's reader thread failed: ${failure.message}`);
  switch (failure.kind) {
    case 'short':
      return changedSize(entry, String(failure.read));
    case 'grew':
      return changedSize(entry, `more than ${entry.size}`);
    case 'changed':
      return changedWhileSent(entry);
    case 'error':
      return Object.assign(new Error(failure.message), { code: failure.code, path: entry.absolutePath });
  }
}

/** The chunk at hand, in the reader's ring: this thread writes all but the files' contents. */
class RingWriter extends ChunkWriter {
  /** Index of the chunk at hand in the stream. */
  private k = 0;

  constructor(
    private readonly reader: ReaderThread,
    private readonly pool: ChunkPool,
    private readonly failed: (failure: ReaderFailure) => Error,
  ) {
    super(pool.size);
  }

  protected get target(): Buffer {
    return this.reader.ring;
  }

  protected get offset(): number {
    return this.reader.slotOf(this.k);
  }

  /** Waits until the reader has read every file content of the chunk at hand. */
  private read(): void {
    const failure = this.reader.waitRead(this.k);
    if (failure !== undefined) throw this.failed(failure);
  }

  /**
   * Hands on the chunk at hand: piped into a destination that gives chunks back once written, as
   * it is, from its slot (which goes to a later chunk once it is given back), else as a copy (its
   * slot goes to a later chunk at once). All but two slots at most are lent: the next chunks always
   * have one, whatever this thread writes before the stream's consumer runs again.
   */
  protected nextChunk(): void {
    this.read();
    // the slot itself, not the chunk's index: by the time a lent chunk comes back, later chunks may use its index
    const slot = this.reader.slotHeldBy(this.k);
    const chunk = this.reader.ring.subarray(this.offset, this.offset + this.used);
    if (this.pool.lending && this.pool.lentCount < this.reader.slots - 2) {
      this.full.push(this.pool.lend(chunk, () => this.reader.free(slot)));
    } else {
      const copy = this.pool.take();
      chunk.copy(copy);
      this.full.push(this.used === this.size ? copy : copy.subarray(0, this.used));
      this.reader.free(slot);
    }
    this.k++;
    this.used = 0;
  }

  /** Passes over a file's content, which the reader writes; `onPiece` sees each piece once it is read. */
  pass(size: number, onPiece?: (piece: Buffer) => void): void {
    let left = size;
    while (left > 0) {
      const n = Math.min(left, this.size - this.used);
      if (onPiece !== undefined) {
        this.read();
        onPiece(this.reader.ring.subarray(this.offset + this.used, this.offset + this.used + n));
      }
      this.used += n;
      left -= n;
      this.next();
    }
  }

  /** Writes the two zero blocks that end the tar and hands on the last, partly filled chunk. */
  end(): void {
    this.zeros(2 * BLOCK);
    if (this.used > 0) this.nextChunk();
  }
}
