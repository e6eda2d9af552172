/**
 * Streams context entries as a tar archive, in chunks of 1 MiB that headers,
 * contents and padding are written into directly: file contents are read as
 * the consumer pulls, straight into the chunk being filled, so memory stays
 * flat whatever the context size and no byte is copied twice. The bytes
 * depend only on the entries' paths, modes and contents.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import { CHUNK, ContextDigest, changedSize, changedWhileSent, tarHeaderOf } from './context-digest';
import { ContextEntry, compareNames, fileIdentity } from './context-entries';
import { BLOCK, TarHeader, encodeHeader, headerLength, writeHeader } from './tar-header';

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
}

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

export function packContext(entries: readonly ContextEntry[], options: PackOptions = {}): Readable {
  return Readable.from(tarChunks(entries, options), { objectMode: false, highWaterMark: CHUNK });
}

/** The chunk being filled; full chunks are handed on and never written again. */
class ChunkWriter {
  chunk = Buffer.allocUnsafe(CHUNK);
  used = 0;
  readonly full: Buffer[] = [];

  private next(): void {
    if (this.used < CHUNK) return;
    this.full.push(this.chunk);
    this.chunk = Buffer.allocUnsafe(CHUNK);
    this.used = 0;
  }

  put(bytes: Buffer): void {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(bytes.length - offset, CHUNK - this.used);
      bytes.copy(this.chunk, this.used, offset, offset + n);
      this.used += n;
      offset += n;
      this.next();
    }
  }

  /** An entry's header, written straight into the chunk when it has room (it always has: headers and contents fill whole blocks). */
  header(header: TarHeader): void {
    const length = headerLength(header);
    if (CHUNK - this.used < length) return this.put(encodeHeader(header));
    writeHeader(this.chunk, this.used, header);
    this.used += length;
    this.next();
  }

  zeros(count: number): void {
    let left = count;
    while (left > 0) {
      const n = Math.min(left, CHUNK - this.used);
      this.chunk.fill(0, this.used, this.used + n);
      this.used += n;
      left -= n;
      this.next();
    }
  }

  /** How many bytes the last read asked for (less than its `max` when the chunk had less room). */
  lastAsked = 0;

  /** Reads up to `max` bytes of a file into the chunk; returns what it read (empty at its end). */
  read(fd: number, max: number, position: number): Buffer {
    this.lastAsked = Math.min(max, CHUNK - this.used);
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

function* tarChunks(entries: readonly ContextEntry[], options: PackOptions): Generator<Buffer> {
  const out = new ChunkWriter();
  const oneByte = Buffer.allocUnsafe(1);
  for (const entry of entries) {
    const digest = entry.path === options.digestSkips ? undefined : options.digest;
    digest?.beginEntry(entry);
    out.header(tarHeaderOf(entry));
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
          if (fileIdentity(fstatSync(fd)).key !== entry.identity?.key) throw changedWhileSent(entry);
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

function padding(size: number): number {
  const rest = size % BLOCK;
  return rest === 0 ? 0 : BLOCK - rest;
}
