/**
 * The digest of a build context: SHA-256 over, entry by entry in the order
 * they are sent, a line that says everything the entry's tar header says
 * (kind, mode, size, path, link target) and, for a file, the SHA-256 of its
 * content. It changes exactly when what the engine receives changes, and it
 * can be worked out without reading a file whose content hash is already
 * known: the file hash cache gives those, so an unchanged context is
 * digested from metadata. The same digest is computed from the bytes while
 * a context is sent (`packContext`'s digest), which is how a build notices a
 * file that changed under it.
 */
import { Hash, createHash, hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { ContextEntry, ContextError } from './context-entries';
import { FileHashCache } from './file-hash-cache';
import { BLOCK, MAX_OCTAL_SIZE, TarHeader, headerLength, padding } from './tar-header';

export const CHUNK = 1 << 20;

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

/** Bytes of entry lines and content hashes gathered before they are handed to the outer hash. */
const BATCH = 64 << 10;

/** Accumulates the digest entry by entry: an entry's line, then (for a file) its content, in pieces. */
export class ContextDigest {
  private readonly outer = createHash('sha256');
  /** Lines and content hashes for the outer hash, handed on in blocks: a call per entry cost more than the hashing. */
  private readonly batch = Buffer.allocUnsafe(BATCH);
  private batched = 0;
  /** The entry begun last has content still to come. */
  private open = false;
  /** Its content's hash, made on the first piece. */
  private content: Hash | undefined;

  beginEntry(entry: ContextEntry): void {
    this.finishEntry();
    if (entry.kind === 'file' || entry.kind === 'content') this.fileLine(entry);
    else {
      const line = entryLine(entry);
      // a UTF-16 unit takes at most 3 bytes of UTF-8
      if (line.length * 3 > BATCH - this.batched) this.flush();
      if (line.length * 3 > BATCH) this.outer.update(line);
      else this.batched += this.batch.write(line, this.batched, 'utf8');
    }
    this.open = entry.kind === 'file' || entry.kind === 'content';
  }

  /** A file's line (`f\0<mode>\0<size>\0<path>\n`, as entryLine makes it), written into the batch without making the string: most lines are files'. */
  private fileLine(entry: Extract<ContextEntry, { kind: 'file' | 'content' }>): void {
    // a UTF-16 unit takes at most 3 bytes of UTF-8; the numbers at most 16 digits each
    const room = entry.path.length * 3 + 40;
    if (room > BATCH - this.batched) this.flush();
    if (room > BATCH) {
      this.outer.update(entryLine(entry));
      return;
    }
    const size = entry.kind === 'file' ? entry.size : entry.content.length;
    const batch = this.batch;
    let at = this.batched;
    batch[at++] = 0x66; // f
    batch[at++] = 0;
    at = writeDecimal(batch, at, entry.mode);
    batch[at++] = 0;
    at = writeDecimal(batch, at, size);
    batch[at++] = 0;
    at += batch.write(entry.path, at, 'utf8');
    batch[at++] = 0x0a;
    this.batched = at;
  }

  addContent(piece: Buffer): void {
    if (!this.open) return;
    this.content ??= createHash('sha256');
    this.content.update(piece);
  }

  /** A file whose content hash is already known (from the cache, or hashed in one call): no bytes needed. */
  knownContent(sha256: Buffer): void {
    this.addHash(sha256);
    this.open = false;
    this.content = undefined;
  }

  /** Ends the entry begun last; the content hash of a file, else undefined. */
  finishEntry(): Buffer | undefined {
    if (!this.open) return undefined;
    const sha = this.content?.digest() ?? (hash('sha256', EMPTY, 'buffer') as unknown as Buffer);
    this.addHash(sha);
    this.open = false;
    this.content = undefined;
    return sha;
  }

  digest(): string {
    this.finishEntry();
    this.flush();
    return this.outer.digest('hex');
  }

  private addHash(sha256: Buffer): void {
    if (sha256.length > BATCH - this.batched) this.flush();
    this.batch.set(sha256, this.batched);
    this.batched += sha256.length;
  }

  private flush(): void {
    if (this.batched === 0) return;
    this.outer.update(this.batch.subarray(0, this.batched));
    this.batched = 0;
  }
}

const EMPTY = Buffer.alloc(0);

/** Writes a whole number's decimal digits at `at`; returns where they end. */
function writeDecimal(target: Buffer, at: number, value: number): number {
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  let rest = value;
  for (let i = at + digits - 1; i >= at; i--) {
    target[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}

/** What an entry's tar header says, as one line (NUL-separated, so no path can fake another field). */
export function entryLine(entry: ContextEntry): string {
  switch (entry.kind) {
    case 'directory':
      return `d\0${entry.mode}\0${entry.path}\n`;
    case 'symlink':
      return `l\0${entry.path}\0${entry.target}\n`;
    case 'content':
      return `f\0${entry.mode}\0${entry.content.length}\0${entry.path}\n`;
    case 'file':
      return `f\0${entry.mode}\0${entry.size}\0${entry.path}\n`;
  }
}

/** What an entry's tar header says. */
export function tarHeaderOf(entry: ContextEntry): TarHeader {
  switch (entry.kind) {
    case 'directory':
      return { path: entry.path, type: 'directory', mode: entry.mode, size: 0 };
    case 'symlink':
      return { path: entry.path, type: 'symlink', mode: 0o777, size: 0, linkTarget: entry.target };
    case 'content':
      return { path: entry.path, type: 'file', mode: entry.mode, size: entry.content.length };
    case 'file':
      return { path: entry.path, type: 'file', mode: entry.mode, size: entry.size };
  }
}

export interface DigestOptions {
  /** An entry left out of the digest (the Dockerfile, which goes into the input digest as text of its own). */
  skips?: string;
  /** Sees every piece of every file's content (a scan for secret values): every file is then read. */
  onFileData?: (path: string, piece: Buffer) => void;
  /** Content hashes of files already seen, by path and identity; updated with what is read. */
  cache?: FileHashCache;
}

/**
 * The context's digest and its size as sent (the tar's bytes, counted from the headers and
 * sizes); reads only files the cache does not know (or all, when scanning).
 */
export async function digestContext(entries: readonly ContextEntry[], options: DigestOptions = {}): Promise<{ sha256: string; bytes: number; filesRead: number }> {
  const digest = new ContextDigest();
  const buffer = Buffer.allocUnsafe(CHUNK);
  let bytes = 2 * BLOCK;
  let filesRead = 0;
  for (const entry of entries) {
    bytes += tarBytes(entry);
    const skipped = entry.path === options.skips;
    if (!skipped) digest.beginEntry(entry);
    if (entry.kind === 'content') {
      options.onFileData?.(entry.path, entry.content);
      if (!skipped) digest.addContent(entry.content);
    } else if (entry.kind === 'file') {
      const known = options.onFileData === undefined && !skipped ? options.cache?.get(entry) : undefined;
      if (known !== undefined) {
        digest.knownContent(known);
        continue;
      }
      if (skipped && options.onFileData === undefined) continue;
      filesRead++;
      if (entry.size < buffer.length) {
        // the common small file: one piece, hashed in one call (no hash object per file)
        let whole = buffer.subarray(0, 0);
        readFileInto(entry, buffer, (piece) => (whole = piece));
        options.onFileData?.(entry.path, whole);
        if (skipped) continue;
        const sha = hash('sha256', whole, 'buffer') as unknown as Buffer;
        digest.knownContent(sha);
        options.cache?.set(entry, sha);
        continue;
      }
      readFileInto(entry, buffer, (piece) => {
        options.onFileData?.(entry.path, piece);
        if (!skipped) digest.addContent(piece);
      });
      if (!skipped) options.cache?.set(entry, digest.finishEntry()!);
    }
  }
  return { sha256: digest.digest(), bytes, filesRead };
}

/** Bytes an entry takes in the tar: its header and its content padded to whole blocks. */
function tarBytes(entry: ContextEntry): number {
  const size = entry.kind === 'file' ? entry.size : entry.kind === 'content' ? entry.content.length : 0;
  return entryHeaderLength(entry) + size + padding(size);
}

/**
 * Bytes an entry's header takes (headerLength of its tarHeaderOf); for the common file, a name
 * of 100 bytes or fewer, without making the header.
 */
function entryHeaderLength(entry: ContextEntry): number {
  return isPlainFileHeader(entry) ? BLOCK : headerLength(tarHeaderOf(entry));
}

/**
 * Whether an entry is a file whose header is one ustar block with its whole path in the name
 * field (100 bytes at most; a longer path may still fit one block, split into the prefix field,
 * which writeFileHeader does not do) and its size in the octal size field.
 */
export function isPlainFileHeader(entry: ContextEntry): entry is FileEntry {
  if (entry.kind !== 'file' || entry.size > MAX_OCTAL_SIZE) return false;
  const length = entry.path.length;
  // a UTF-16 unit takes at most 3 bytes of UTF-8
  return length <= 33 || (length <= 100 && Buffer.byteLength(entry.path) <= 100);
}

export function changedSize(entry: FileEntry, read: string): ContextError {
  return new ContextError(`${entry.absolutePath} changed size while it was being sent (${entry.size} bytes listed, ${read} read); do not edit files during a build`);
}

export function changedWhileSent(entry: FileEntry): ContextError {
  return new ContextError(`${entry.absolutePath} changed while it was being sent; do not edit files during a build`);
}

/**
 * Reads a file, in pieces that reuse `buffer`, with synchronous calls (for the many small files
 * of a checkout far cheaper than a thread-pool round trip each), checked against its listed size.
 */
export function readFileInto(entry: FileEntry, buffer: Buffer, onPiece: (piece: Buffer) => void): void {
  const fd = openSync(entry.absolutePath, 'r');
  try {
    let position = 0;
    while (position < entry.size) {
      const read = readSync(fd, buffer, 0, Math.min(buffer.length, entry.size - position), position);
      if (read === 0) throw changedSize(entry, String(position));
      onPiece(buffer.subarray(0, read));
      position += read;
    }
    if (readSync(fd, buffer, 0, 1, position) > 0) throw changedSize(entry, `more than ${entry.size}`);
  } finally {
    closeSync(fd);
  }
}
