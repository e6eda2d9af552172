/**
 * Streams context entries as a tar archive. File contents are read in
 * chunks as the consumer pulls, so memory stays flat whatever the context
 * size. The bytes depend only on the entries' paths, modes and contents.
 */
import { Hash, createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
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
}

export function packContext(entries: readonly ContextEntry[], options: PackOptions = {}): Readable {
  return Readable.from(hashing(generateTar(entries), options.hash, options.hashSkips), { objectMode: false, highWaterMark: 1 << 20 });
}

async function* hashing(tar: AsyncGenerator<[ContextEntry | undefined, Buffer]>, hash?: Hash, skips?: string): AsyncGenerator<Buffer> {
  for await (const [entry, chunk] of tar) {
    if (hash !== undefined && (entry === undefined || entry.path !== skips)) hash.update(chunk);
    yield chunk;
  }
}

/** Hash of a context as `packContext` would send it, leaving out one entry's bytes; nothing is kept in memory. */
export async function hashContext(entries: readonly ContextEntry[], skips?: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const [entry, chunk] of generateTar(entries)) {
    bytes += chunk.length;
    if (entry === undefined || entry.path !== skips) hash.update(chunk);
  }
  return { sha256: hash.digest('hex'), bytes };
}

async function* generateTar(entries: readonly ContextEntry[]): AsyncGenerator<[ContextEntry | undefined, Buffer]> {
  for (const entry of entries) {
    for await (const chunk of entryChunks(entry)) yield [entry, chunk];
  }
  yield [undefined, endOfArchive()];
}

async function* entryChunks(entry: ContextEntry): AsyncGenerator<Buffer> {
  {
    switch (entry.kind) {
      case 'directory':
        yield encodeHeader({ path: entry.path, type: 'directory', mode: entry.mode, size: 0 });
        break;
      case 'symlink':
        yield encodeHeader({ path: entry.path, type: 'symlink', mode: 0o777, size: 0, linkTarget: entry.target });
        break;
      case 'content':
        yield encodeHeader({ path: entry.path, type: 'file', mode: entry.mode, size: entry.content.length });
        yield entry.content;
        yield paddingFor(entry.content.length);
        break;
      case 'file': {
        yield encodeHeader({ path: entry.path, type: 'file', mode: entry.mode, size: entry.size });
        let read = 0;
        for await (const chunk of createReadStream(entry.absolutePath, { highWaterMark: Math.min(1 << 20, Math.max(16 << 10, entry.size)) }) as AsyncIterable<Buffer>) {
          read += chunk.length;
          if (read > entry.size) break;
          yield chunk;
        }
        if (read !== entry.size) {
          throw new ContextError(`${entry.absolutePath} changed size while it was being sent (${entry.size} bytes listed, ${read} read); do not edit files during a build`);
        }
        yield paddingFor(entry.size);
        break;
      }
    }
  }
}
