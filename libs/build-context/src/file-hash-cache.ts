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
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '@imgmono/build-records';
import type { ContextEntry } from './context-entries';

const HEADER = 'imgmono-file-hashes 1';
/** Files changed this close to the start of the hashing are not trusted next time (git's racy-clean rule). */
export const FILE_HASH_CACHE_RACY_MS = 2000;

export interface FileHashCacheOptions {
  /** The racy window in milliseconds (default 2 s); tests of the cache's use set 0 to stand for files written long before. */
  racyMs?: number;
}

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

export class FileHashCache {
  /** Lines hashed in this use and not racily clean: file -> `<sha256 hex>\t<identity>\t<file>`. */
  private readonly fresh = new Map<string, string>();
  /** Which known lines this use confirmed (and found not racily clean), by their index. */
  private readonly used: Uint8Array;
  private usedCount = 0;
  /** Content hashes of known lines already decoded, by line index: a build asks for each twice (digest, then send). */
  private readonly decoded: Array<Buffer | undefined> = [];
  /** Whether saving would change the file: a file was hashed, or a known one was racily clean. */
  private changed = false;
  /** Wall-clock time the cache was loaded, before any file of this use was hashed. */
  private readonly startedMs = Date.now();

  private constructor(
    private readonly file: string,
    /** The lines as read (strings only: 20,000 files cost little memory). */
    private readonly lines: string[],
    /** file -> the index of its line */
    private readonly known: Map<string, number>,
    private readonly racyMs: number,
  ) {
    this.used = new Uint8Array(lines.length);
  }

  /** The cache kept in `file`; empty when there is none or it cannot be read. */
  static async load(file: string, options: FileHashCacheOptions = {}): Promise<FileHashCache> {
    const known = new Map<string, number>();
    const lines: string[] = [];
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const all = text.split('\n');
    if (all[0] === HEADER) {
      for (let i = 1; i < all.length; i++) {
        const line = all[i];
        const cachedPath = line.charCodeAt(64) === 9 ? linePath(line) : undefined;
        if (cachedPath === undefined) continue;
        known.set(cachedPath, lines.length);
        lines.push(line);
      }
    }
    return new FileHashCache(file, lines, known, options.racyMs ?? FILE_HASH_CACHE_RACY_MS);
  }

  /** The content hash of this file when it is known for exactly this identity. */
  get(entry: FileEntry): Buffer | undefined {
    if (entry.identity === undefined) return undefined;
    const index = this.known.get(entry.absolutePath);
    if (index === undefined || !hasIdentity(this.lines[index], entry.identity.key)) return undefined;
    // racily clean: changed too shortly before this use to be trusted next time
    if (this.racy(entry)) this.changed = true;
    else if (this.used[index] === 0) {
      this.used[index] = 1;
      this.usedCount++;
    }
    return this.hashOfLine(index);
  }

  private hashOfLine(index: number): Buffer {
    return (this.decoded[index] ??= lineHash(this.lines[index]));
  }

  /**
   * The content hash of this file when this use hashed it, or found it, for exactly this identity and
   * it was not racily clean: what the file holds while its identity stays the same. No side effects.
   */
  peek(entry: FileEntry): Buffer | undefined {
    if (entry.identity === undefined) return undefined;
    const line = this.fresh.get(entry.absolutePath);
    if (line !== undefined) return hasIdentity(line, entry.identity.key) ? lineHash(line) : undefined;
    const index = this.known.get(entry.absolutePath);
    if (index === undefined || this.used[index] !== 1 || !hasIdentity(this.lines[index], entry.identity.key)) return undefined;
    return this.hashOfLine(index);
  }

  set(entry: FileEntry, sha256: Buffer): void {
    this.changed = true;
    // a name with a tab or a line break cannot be written on one line: such a file is read every time
    if (entry.identity === undefined || /[\t\n\r]/.test(entry.absolutePath) || this.racy(entry)) return;
    this.fresh.set(entry.absolutePath, `${sha256.toString('hex')}\t${entry.identity.key}\t${entry.absolutePath}`);
  }

  private racy(entry: FileEntry): boolean {
    return entry.identity!.changedMs >= this.startedMs - this.racyMs;
  }

  /** Keeps the files of this use that are not racily clean; writes nothing when that is what the file holds. */
  async save(): Promise<void> {
    if (!this.changed && this.usedCount === this.lines.length) return;
    const kept = [HEADER];
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i];
      if (this.used[i] === 1 && !this.fresh.has(linePath(line)!)) kept.push(line);
    }
    for (const line of this.fresh.values()) kept.push(line);
    await writeFileAtomic(this.file, `${kept.join('\n')}\n`);
  }
}

/** The content hash a cache line gives (`<sha256 hex>\t...`). */
function lineHash(line: string): Buffer {
  return Buffer.from(line.substring(0, 64), 'hex');
}

/** The file a cache line is for (`...\t<identity>\t<file>`; a file name holds no tab); undefined for a malformed line. */
function linePath(line: string): string | undefined {
  const tab = line.indexOf('\t', 65);
  return tab < 0 ? undefined : line.slice(tab + 1);
}

/** Whether a cache line is for this identity (`<sha256 hex>\t<identity>\t...`), without cutting the line. */
function hasIdentity(line: string, key: string): boolean {
  return line.startsWith(key, 65) && line.charCodeAt(65 + key.length) === 9;
}
