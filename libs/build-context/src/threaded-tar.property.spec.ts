/**
 * Reading a context's files on a second thread changes nothing a consumer
 * sees: for any generated context (files on disk of any size across chunk
 * edges, generated contents, folders, symlinks, names long enough for pax
 * headers), any chunk size, and any mix of files the file hash cache vouches
 * for and files it does not, the threaded stream gives the bytes of the
 * single-threaded one, and the digest of what was sent is the digest of the
 * context; whether the reader thread reads every file or the main thread
 * reads some while it would wait, and whether the stream is read or piped
 * with its chunks reused.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAsyncProperty } from '@imgmono/testing';
import { ContextDigest, digestContext } from './context-digest';
import { ContextEntry, fileIdentity } from './context-entries';
import { hashStream } from './hash-stream';
import { packContext, sortEntries } from './tar-pack';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'imgmono-threaded-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const nameArb = fc.oneof(fc.constantFrom('a', 'b', 'setup.py', 'é-ü', '.hidden'), fc.constant('n'.repeat(120)), fc.constant('d/'.repeat(60) + 'deep'));
const itemArb = fc.record({
  kind: fc.constantFrom('disk', 'disk', 'disk', 'content', 'directory', 'symlink'),
  size: fc.oneof(fc.integer({ min: 0, max: 600 }), fc.integer({ min: 0, max: 9000 })),
  vouched: fc.boolean(),
  seed: fc.integer({ min: 0, max: 255 }),
});

let trees = 0;

/** Hashes a stream piped into a destination that finishes each write a moment later, as a socket does. */
function hashPiped(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  return new Promise((resolve, reject) => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        bytes += chunk.length;
        setImmediate(callback);
      },
    });
    stream.on('error', reject);
    stream.pipe(destination).on('finish', () => resolve({ sha256: hash.digest('hex'), bytes })).on('error', reject);
  });
}

/** Entries for the generated items, files written under a fresh folder; and which files the cache vouches for. */
function contextOf(items: Array<{ name: string; kind: string; size: number; vouched: boolean; seed: number }>) {
  const root = path.join(scratch, `tree-${trees++}`);
  mkdirSync(root);
  const entries: ContextEntry[] = [];
  const vouched = new Map<string, Buffer>();
  items.forEach((item, i) => {
    const entryPath = `${i}-${item.name}`;
    const bytes = Buffer.alloc(item.size, item.seed);
    for (let at = 0; at < bytes.length; at += 97) bytes[at] = (at + item.seed) & 0xff;
    if (item.kind === 'disk') {
      const absolutePath = path.join(root, String(i));
      writeFileSync(absolutePath, bytes);
      const entry = { kind: 'file' as const, path: entryPath, mode: 0o644, size: item.size, absolutePath, identity: fileIdentity(lstatSync(absolutePath)) };
      entries.push(entry);
      if (item.vouched) vouched.set(absolutePath, createHash('sha256').update(bytes).digest());
    } else if (item.kind === 'content') {
      entries.push({ kind: 'content', path: entryPath, mode: 0o755, content: bytes });
    } else if (item.kind === 'directory') {
      entries.push({ kind: 'directory', path: entryPath, mode: 0o755 });
    } else {
      entries.push({ kind: 'symlink', path: entryPath, target: `t/${item.name}` });
    }
  });
  return { root, entries: sortEntries(entries), vouched };
}

describe('the context tar read on a second thread (property)', () => {
  it('is the single-threaded tar, byte for byte, with the same digest of what was sent', async () => {
    await assertAsyncProperty(
      'threaded tar = single-threaded tar',
      fc.asyncProperty(
        fc.array(fc.tuple(nameArb, itemArb), { minLength: 0, maxLength: 14 }),
        fc.constantFrom(512, 1024, 1536, 4096, 1 << 20),
        fc.boolean(),
        fc.boolean(),
        async (generated, chunkBytes, reuseChunks, shareReads) => {
          const { root, entries, vouched } = contextOf(generated.map(([name, item]) => ({ name, ...item })));
          const knownContent = (entry: { absolutePath: string }) => vouched.get(entry.absolutePath);
          const single = new ContextDigest();
          const threaded = new ContextDigest();
          const expected = await hashStream(packContext(entries, { digest: single, knownContent, chunkBytes, readerThread: false }));
          const stream = packContext(entries, { digest: threaded, knownContent, chunkBytes, readerThread: true, reuseChunks, shareReads });
          const actual = reuseChunks ? await hashPiped(stream) : await hashStream(stream);
          expect(actual).toEqual(expected);
          const sent = threaded.digest();
          expect(sent).toBe(single.digest());
          expect(sent).toBe((await digestContext(entries)).sha256);
          rmSync(root, { recursive: true, force: true });
        },
      ),
      80,
    );
  });
});
