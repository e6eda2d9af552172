/**
 * Buffers for the chunks of a context stream: a new one, or one given back
 * after its write. A chunk is given back only by a pipe that asked for reuse
 * (see ContextTarStream), once the destination's write callback has run; a
 * stream read any other way gets new buffers only, so a consumer may keep
 * its chunks as long as it likes.
 *
 * Why: V8 frees a dead buffer's memory only when it collects garbage, and it
 * lets the young generation's buffers reach twice its largest semi-space
 * (32 MB in Node 20) before it does. A stream of new 1 MiB chunks holds that
 * much dead memory at its peak; given-back chunks hold a few.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];

  constructor(readonly size: number) {}

  /** A buffer of `size` bytes for the next chunk. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** A chunk nothing holds any more (its write is done): its buffer may be taken again. */
  giveBack(chunk: Buffer): void {
    // the shorter last chunk is the end of the stream; nothing comes after it
    if (chunk.length === this.size && chunk.byteOffset === 0) this.free.push(chunk);
  }
}
