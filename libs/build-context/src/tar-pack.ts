/**
 * Streams context entries as a tar archive. File contents are read in
 * chunks as the consumer pulls, so memory stays flat whatever the context
 * size. The bytes depend only on the entries' paths, modes and contents.
 */
import { Hash, createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ContextEntry, ContextError, compareNames } from './context-entries';
import { encodeHeader, endOfArchive, paddingFor } from './tar-header';

/** Entries sorted by path, so that several folders merged into one context still give one order. */
export function sortEntries(entries: ContextEntry[]): ContextEntry[] {
  return [...entries].sort((a, b) => compareNames(a.path, b.path));
}

export interface PackOptions {
  /** Updated with every byte sent, except the bytes of the entry at `hashSkips`. */
  hash?: Hash;
  /** An entry whose bytes the hash leaves out (the Dockerfile, which is hashed as text on its own). */
  hashSkips?: string;
  /** Sees every piece of every file's content, in order (a scan for secret values). */
  onFileData?: (path: string, piece: Buffer) => void;
}

/** Files up to this size are read in one call; larger ones are streamed in chunks. */
const WHOLE_FILE_LIMIT = 4 << 20;
/** Small pieces are gathered into chunks of about this size before they are handed on. */
const CHUNK = 1 << 20;

export function packContext(entries: readonly ContextEntry[], options: PackOptions = {}): Readable {
  return Readable.from(tarChunks(entries, options), { objectMode: false, highWaterMark: CHUNK });
}

/** Hash of a context as `packContext` would send it, leaving out one entry's bytes; nothing is kept in memory. */
export async function hashContext(
  entries: readonly ContextEntry[],
  skips?: string,
  onFileData?: PackOptions['onFileData'],
): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of tarChunks(entries, { hash, hashSkips: skips, onFileData })) bytes += chunk.length;
  return { sha256: hash.digest('hex'), bytes };
}

async function* tarChunks(entries: readonly ContextEntry[], options: PackOptions): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const take = (piece: Buffer, entry: ContextEntry | undefined) => {
    if (options.hash !== undefined && (entry === undefined || entry.path !== options.hashSkips)) options.hash.update(piece);
    pending.push(piece);
    pendingBytes += piece.length;
  };
  const flush = () => {
    const chunk = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    return chunk;
  };
  for (const entry of entries) {
    for await (const piece of entryPieces(entry, options.onFileData)) {
      take(piece, entry);
      if (pendingBytes >= CHUNK) yield flush();
    }
  }
  take(endOfArchive(), undefined);
  yield flush();
}

async function* entryPieces(entry: ContextEntry, onFileData: PackOptions['onFileData']): AsyncGenerator<Buffer> {
  switch (entry.kind) {
    case 'directory':
      yield encodeHeader({ path: entry.path, type: 'directory', mode: entry.mode, size: 0 });
      return;
    case 'symlink':
      yield encodeHeader({ path: entry.path, type: 'symlink', mode: 0o777, size: 0, linkTarget: entry.target });
      return;
    case 'content':
      yield encodeHeader({ path: entry.path, type: 'file', mode: entry.mode, size: entry.content.length });
      onFileData?.(entry.path, entry.content);
      yield entry.content;
      yield paddingFor(entry.content.length);
      return;
    case 'file': {
      yield encodeHeader({ path: entry.path, type: 'file', mode: entry.mode, size: entry.size });
      const changed = (read: number) =>
        new ContextError(`${entry.absolutePath} changed size while it was being sent (${entry.size} bytes listed, ${read} read); do not edit files during a build`);
      if (entry.size <= WHOLE_FILE_LIMIT) {
        // One synchronous read: for small files far cheaper than a thread-pool round trip each,
        // and the generator is pulled a chunk at a time, so the socket still drains in between.
        const content = readFileSync(entry.absolutePath);
        if (content.length !== entry.size) throw changed(content.length);
        onFileData?.(entry.path, content);
        yield content;
      } else {
        let read = 0;
        for await (const chunk of createReadStream(entry.absolutePath, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>) {
          read += chunk.length;
          if (read > entry.size) break;
          onFileData?.(entry.path, chunk);
          yield chunk;
        }
        if (read !== entry.size) throw changed(read);
      }
      yield paddingFor(entry.size);
      return;
    }
  }
}
