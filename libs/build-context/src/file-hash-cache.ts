/**
 * Content hashes of files already read, kept between runs so an unchanged
 * file is not read again: keyed by the file's path and identity (size,
 * modification and change times, inode), as git's index and
 * Nx's own file hasher do. A file written shortly before it was hashed is
 * not kept ("racily clean", as git calls it: a second write in the same
 * timestamp tick would leave its identity unchanged), so it is read again
 * next time. The cache holds hashes of contents, never contents, and nothing
 * derived from secret values (a context that is scanned for them is read in
 * full, whatever the cache knows). Only the files of the latest use are
 * kept, so it does not grow. Written atomically; an unreadable cache is an
 * empty one.
 *
 * The file is binary, like git's index, so a use of 20,000 files parses
 * no text: a header, then each file's size, times and inode as numbers,
 * then the content hashes, then the paths (see FileHashRecords).
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '@imgmono/build-records';
import { ContextEntry, statHasIdentity } from './context-entries';
import { FileHashRecords, HASH_BYTES, RECORD_NUMBERS, decodeFileHashRecords, encodeFileHashRecords } from './file-hash-records';

/** Files changed this close to the start of the hashing are not trusted next time (git's racy-clean rule). */
export const FILE_HASH_CACHE_RACY_MS = 2000;

export interface FileHashCacheOptions {
  /** The racy window in milliseconds (default 2 s); tests of the cache's use set 0 to stand for files written long before. */
  racyMs?: number;
}

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

/** A file hashed in this use and not racily clean. */
interface FreshRecord {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  sha256: Buffer;
}

export class FileHashCache {
  /** Files hashed in this use and not racily clean, by path. */
  private readonly fresh = new Map<string, FreshRecord>();
  /** Which known records this use confirmed (and found not racily clean), by their index. */
  private readonly used: Uint8Array;
  private usedCount = 0;
  /** path -> the index of its record, made on the first lookup out of the records' order. */
  private byPath: Map<string, number> | undefined;
  /** Where the next lookup of `get` and of `peek` is expected: a build asks in the order it saved them. */
  private nextGet = 0;
  private nextPeek = 0;
  /** Whether saving would change the file: a file was hashed, or a known one was racily clean. */
  private changed = false;
  /** Wall-clock time the cache was loaded, before any file of this use was hashed. */
  private readonly startedMs = Date.now();

  private constructor(
    private readonly file: string,
    private readonly known: FileHashRecords,
    private readonly racyMs: number,
  ) {
    this.used = new Uint8Array(known.paths.length);
  }

  /** The cache kept in `file`; empty when there is none or it cannot be read. */
  static async load(file: string, options: FileHashCacheOptions = {}): Promise<FileHashCache> {
    const data = await fs.readFile(file).catch(() => undefined);
    return new FileHashCache(file, decodeFileHashRecords(data), options.racyMs ?? FILE_HASH_CACHE_RACY_MS);
  }

  /** The files this cache knew when it was loaded, in the order it holds them. */
  knownFiles(): readonly string[] {
    return this.known.paths;
  }

  /** The content hash of this file when it is known for exactly this identity. */
  get(entry: FileEntry): Buffer | undefined {
    const index = this.lookup(entry, this.nextGet);
    if (index < 0) return undefined;
    this.nextGet = index + 1;
    // racily clean: changed too shortly before this use to be trusted next time
    if (this.racy(entry)) this.changed = true;
    else if (this.used[index] === 0) {
      this.used[index] = 1;
      this.usedCount++;
    }
    return this.hashOf(index);
  }

  /**
   * The content hash of this file when this use hashed it, or found it, for exactly this identity and
   * it was not racily clean: what the file holds while its identity stays the same. No side effects
   * but where the next lookup is expected.
   */
  peek(entry: FileEntry): Buffer | undefined {
    if (entry.identity === undefined) return undefined;
    const fresh = this.fresh.get(entry.absolutePath);
    if (fresh !== undefined) return statHasIdentity(fresh, entry.size, entry.identity) ? fresh.sha256 : undefined;
    const index = this.lookup(entry, this.nextPeek);
    if (index < 0 || this.used[index] !== 1) return undefined;
    this.nextPeek = index + 1;
    return this.hashOf(index);
  }

  set(entry: FileEntry, sha256: Buffer): void {
    this.changed = true;
    if (entry.identity === undefined || this.racy(entry)) return;
    const { identity } = entry;
    this.fresh.set(entry.absolutePath, { size: entry.size, mtimeMs: identity.mtimeMs, ctimeMs: identity.ctimeMs, ino: identity.ino, sha256 });
  }

  /** Keeps the files of this use that are not racily clean; writes nothing when that is what the file holds. */
  async save(): Promise<void> {
    if (!this.changed && this.usedCount === this.known.paths.length) return;
    const kept: FileHashRecords = { paths: [], numbers: new Float64Array((this.usedCount + this.fresh.size) * RECORD_NUMBERS), hashes: Buffer.allocUnsafe((this.usedCount + this.fresh.size) * HASH_BYTES) };
    const keep = (file: string, size: number, mtimeMs: number, ctimeMs: number, ino: number, sha256: Buffer) => {
      const at = kept.paths.length;
      kept.numbers.set([size, mtimeMs, ctimeMs, ino], at * RECORD_NUMBERS);
      sha256.copy(kept.hashes, at * HASH_BYTES);
      kept.paths.push(file);
    };
    const { paths, numbers } = this.known;
    for (let i = 0; i < paths.length; i++) {
      const at = i * RECORD_NUMBERS;
      if (this.used[i] === 1 && !this.fresh.has(paths[i])) keep(paths[i], numbers[at], numbers[at + 1], numbers[at + 2], numbers[at + 3], this.hashOf(i));
    }
    for (const [file, record] of this.fresh) keep(file, record.size, record.mtimeMs, record.ctimeMs, record.ino, record.sha256);
    kept.numbers = kept.numbers.subarray(0, kept.paths.length * RECORD_NUMBERS);
    kept.hashes = kept.hashes.subarray(0, kept.paths.length * HASH_BYTES);
    await writeFileAtomic(this.file, encodeFileHashRecords(kept));
  }

  /** The index of the known record of this file with exactly its size and identity, or -1; `expected` is tried first. */
  private lookup(entry: FileEntry, expected: number): number {
    const { identity } = entry;
    if (identity === undefined) return -1;
    const { paths, numbers } = this.known;
    let index = expected;
    if (paths[index] !== entry.absolutePath) {
      this.byPath ??= new Map(paths.map((file, i) => [file, i]));
      index = this.byPath.get(entry.absolutePath) ?? -1;
      if (index < 0) return -1;
    }
    const at = index * RECORD_NUMBERS;
    const same = numbers[at] === entry.size && numbers[at + 1] === identity.mtimeMs && numbers[at + 2] === identity.ctimeMs && numbers[at + 3] === identity.ino;
    return same ? index : -1;
  }

  private hashOf(index: number): Buffer {
    return this.known.hashes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }

  private racy(entry: FileEntry): boolean {
    return entry.identity!.changedMs >= this.startedMs - this.racyMs;
  }
}
