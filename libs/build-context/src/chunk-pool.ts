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
 *
 * A chunk can also be lent as it is, from memory its maker gets back once the
 * chunk is given back (a slot of the reader thread's ring: the chunk is then
 * never copied). Only a pipe that gives chunks back turns lending on.
 */
export class ChunkPool {
  private readonly free: Buffer[] = [];
  /** Chunks lent as they are, and what to do when each is given back. */
  private readonly lent = new Map<Buffer, () => void>();
  /** Whether chunks come back once written (a pipe with reuse): only then may they be lent. */
  lending = false;

  constructor(readonly size: number) {}

  /** A buffer of `size` bytes for the next chunk. */
  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Hands `chunk` on as it is; `onReturn` runs once it is given back. */
  lend(chunk: Buffer, onReturn: () => void): Buffer {
    this.lent.set(chunk, onReturn);
    return chunk;
  }

  /** Chunks lent and not given back yet. */
  get lentCount(): number {
    return this.lent.size;
  }

  /** A chunk nothing holds any more (its write is done): its buffer may be taken again, or its lender gets it back. */
  giveBack(chunk: Buffer): void {
    const onReturn = this.lent.get(chunk);
    if (onReturn !== undefined) {
      this.lent.delete(chunk);
      onReturn();
      return;
    }
    // the shorter last chunk is the end of the stream; nothing comes after it
    if (chunk.length === this.size && chunk.byteOffset === 0) this.free.push(chunk);
  }
}
