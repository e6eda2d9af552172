/**
 * What both tar streams share: writing headers, generated contents and zero
 * padding into the chunk at hand, which lies at `offset` in `target` (its own
 * buffer on one thread, a slot of the ring shared with the reader on two),
 * moving on to the next chunk whenever one is full.
 */
import { BLOCK, TarHeader, encodeHeader, headerLength, writeFileHeader, writeHeader } from './tar-header';
import { isPlainFileHeader, tarHeaderOf } from './context-digest';
import type { ContextEntry } from './context-entries';

export abstract class ChunkWriter {
  /** Bytes of the chunk at hand already written. */
  used = 0;
  /** Full chunks waiting to be handed on. */
  readonly full: Buffer[] = [];

  constructor(protected readonly size: number) {}

  /** The buffer the chunk at hand is in. */
  protected abstract get target(): Buffer;
  /** Where the chunk at hand starts in `target`. */
  protected abstract get offset(): number;
  /** Called when the chunk at hand is full: hands it on and makes the next one the chunk at hand. */
  protected abstract nextChunk(): void;

  protected next(): void {
    if (this.used === this.size) this.nextChunk();
  }

  /** An entry's header: a plain file's (isPlainFileHeader) is written without building its header. */
  entryHeader(entry: ContextEntry): void {
    if (isPlainFileHeader(entry)) this.plainFileHeader(entry);
    else this.header(tarHeaderOf(entry));
  }

  /** The header of a file for which isPlainFileHeader holds: one block, written from a template. */
  plainFileHeader(entry: Extract<ContextEntry, { kind: 'file' }>): void {
    if (this.size - this.used < BLOCK) return this.header(tarHeaderOf(entry), BLOCK);
    writeFileHeader(this.target, this.offset + this.used, entry.path, entry.mode, entry.size);
    this.used += BLOCK;
    this.next();
  }

  /** A header, written straight into the chunk when it has room (it always has: headers and contents fill whole blocks). */
  header(header: TarHeader, length = headerLength(header)): void {
    if (this.size - this.used < length) return this.put(encodeHeader(header));
    writeHeader(this.target, this.offset + this.used, header);
    this.used += length;
    this.next();
  }

  put(bytes: Buffer): void {
    let from = 0;
    while (from < bytes.length) {
      const n = Math.min(bytes.length - from, this.size - this.used);
      bytes.copy(this.target, this.offset + this.used, from, from + n);
      this.used += n;
      from += n;
      this.next();
    }
  }

  zeros(count: number): void {
    let left = count;
    while (left > 0) {
      const n = Math.min(left, this.size - this.used);
      // the typed array's own fill: Buffer's adds an encoding's checks, a cost for every file's few padding bytes
      Uint8Array.prototype.fill.call(this.target, 0, this.offset + this.used, this.offset + this.used + n);
      this.used += n;
      left -= n;
      this.next();
    }
  }
}
