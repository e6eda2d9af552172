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
/** Files changed this close to the start of the hashing are not trusted next time. */
const RACY_MS = 2000;

export interface FileHashCacheOptions {
  /** The racy window in milliseconds (default 2 s); tests of the cache's use set 0 to stand for files written long before. */
  racyMs?: number;
}

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

export class FileHashCache {
  /** The lines to keep: file -> `<sha256 hex>\t<identity>\t<file>` (strings only: 20,000 files cost little memory). */
  private readonly kept = new Map<string, string>();
  /** Whether saving would change the file: a file was hashed, or a known one was not used. */
  private changed = false;
  /** Wall-clock time the cache was loaded, before any file of this use was hashed. */
  private readonly startedMs = Date.now();

  private constructor(
    private readonly file: string,
    /** file -> its line as read */
    private readonly known: Map<string, string>,
    private readonly racyMs: number,
  ) {}

  /** The cache kept in `file`; empty when there is none or it cannot be read. */
  static async load(file: string, options: FileHashCacheOptions = {}): Promise<FileHashCache> {
    const known = new Map<string, string>();
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    const lines = text.split('\n');
    if (lines[0] === HEADER) {
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i];
        const second = line.indexOf('\t', 65);
        if (line.charCodeAt(64) !== 9 || second < 0) continue;
        known.set(line.slice(second + 1), line);
      }
    }
    return new FileHashCache(file, known, options.racyMs ?? RACY_MS);
  }

  /** The content hash of this file when it is known for exactly this identity. */
  get(entry: FileEntry): Buffer | undefined {
    if (entry.identity === undefined) return undefined;
    const line = this.known.get(entry.absolutePath);
    if (line === undefined || line.slice(65, 65 + entry.identity.key.length + 1) !== `${entry.identity.key}\t`) return undefined;
    this.keep(entry, line);
    return Buffer.from(line.slice(0, 64), 'hex');
  }

  /**
   * The content hash of this file when this use hashed it, or found it, for exactly this identity and
   * it was not racily clean: what the file holds while its identity stays the same. No side effects.
   */
  peek(entry: FileEntry): Buffer | undefined {
    if (entry.identity === undefined) return undefined;
    const line = this.kept.get(entry.absolutePath);
    if (line === undefined || line.slice(65, 65 + entry.identity.key.length + 1) !== `${entry.identity.key}\t`) return undefined;
    return Buffer.from(line.slice(0, 64), 'hex');
  }

  set(entry: FileEntry, sha256: Buffer): void {
    this.changed = true;
    // a name with a tab or a line break cannot be written on one line: such a file is read every time
    if (entry.identity !== undefined && !/[\t\n\r]/.test(entry.absolutePath)) this.keep(entry, `${sha256.toString('hex')}\t${entry.identity.key}\t${entry.absolutePath}`);
  }

  private keep(entry: FileEntry, line: string): void {
    // racily clean: changed too shortly before this use to be trusted next time
    if (entry.identity!.changedMs >= this.startedMs - this.racyMs) this.changed = true;
    else this.kept.set(entry.absolutePath, line);
  }

  /** Keeps the files of this use that are not racily clean; writes nothing when that is what the file holds. */
  async save(): Promise<void> {
    if (!this.changed && this.kept.size === this.known.size) return;
    await writeFileAtomic(this.file, `${[HEADER, ...this.kept.values()].join('\n')}\n`);
  }
}
