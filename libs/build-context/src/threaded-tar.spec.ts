/**
 * A file that changes between the listing and the send ends the stream with
 * the same error whether its context is read on one thread or two; and a
 * stream piped with its chunks reused into a real socket whose reader is
 * slow delivers exactly the bytes of a stream of new chunks.
 */
import { createHash } from 'node:crypto';
import { promises as fs, lstatSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { ContextDigest } from './context-digest';
import { ContextEntry, fileIdentity } from './context-entries';
import { hashStream } from './hash-stream';
import { packContext } from './tar-pack';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

/** Three files listed as they are now, each vouched for by its content hash. */
async function listed(): Promise<{ entries: ContextEntry[]; known: Map<string, Buffer> }> {
  const known = new Map<string, Buffer>();
  const entries: ContextEntry[] = [];
  for (const [name, content] of [['a.txt', 'aaaa'], ['b.txt', 'b'.repeat(5000)], ['c.txt', 'cccccccccc']] as const) {
    const absolutePath = path.join(dir, name);
    await fs.writeFile(absolutePath, content);
    const stat = lstatSync(absolutePath);
    entries.push({ kind: 'file', path: name, mode: 0o644, size: stat.size, absolutePath, identity: fileIdentity(stat) });
    known.set(absolutePath, createHash('sha256').update(content).digest());
  }
  return { entries, known };
}

const send = (entries: ContextEntry[], known: Map<string, Buffer> | undefined, readerThread: boolean) =>
  hashStream(packContext(entries, { digest: new ContextDigest(), knownContent: known && ((entry) => known.get(entry.absolutePath)), readerThread, chunkBytes: 1024 }));

describe.each([
  ['on one thread', false],
  ['with its files read on a second thread', true],
])('a context sent %s', (_, readerThread) => {
  it('ends with an error naming a vouched-for file rewritten after the listing (same size, same bytes)', async () => {
    const { entries, known } = await listed();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fs.writeFile(path.join(dir, 'b.txt'), 'b'.repeat(5000));
    await expect(send(entries, known, readerThread)).rejects.toThrow(/b\.txt changed while it was being sent; do not edit files during a build/);
  });

  it('ends with an error naming a file that got shorter, with how much of it was read', async () => {
    const { entries } = await listed();
    await fs.writeFile(path.join(dir, 'c.txt'), 'cccc');
    await expect(send(entries, undefined, readerThread)).rejects.toThrow(/c\.txt changed size while it was being sent \(10 bytes listed, 4 read\)/);
  });

  it('ends with an error naming a file that grew', async () => {
    const { entries } = await listed();
    await fs.writeFile(path.join(dir, 'b.txt'), 'b'.repeat(5001));
    await expect(send(entries, undefined, readerThread)).rejects.toThrow(/b\.txt changed size while it was being sent \(5000 bytes listed, more than 5000 read\)/);
  });

  it('ends with the system error of a file removed after the listing', async () => {
    const { entries } = await listed();
    await fs.rm(path.join(dir, 'a.txt'));
    await expect(send(entries, undefined, readerThread)).rejects.toThrow(/ENOENT: no such file or directory, open '.*a\.txt'/);
  });

  it('with its chunks reused, delivers through a socket whose reader is slow exactly the bytes of fresh chunks', async () => {
    const entries: ContextEntry[] = [];
    for (let i = 0; i < 40; i++) {
      const absolutePath = path.join(dir, `f${i}`);
      // sizes across several chunks, contents that differ chunk by chunk
      await fs.writeFile(absolutePath, Buffer.alloc(7000 * i + 13, i));
      const stat = lstatSync(absolutePath);
      entries.push({ kind: 'file', path: `f${String(i).padStart(2, '0')}`, mode: 0o644, size: stat.size, absolutePath, identity: fileIdentity(stat) });
    }
    entries.sort((a, b) => (a.path < b.path ? -1 : 1));
    const expected = await hashStream(packContext(entries, { chunkBytes: 4096, readerThread }));
    const socketPath = path.join(dir, 'slow.sock');
    const received = new Promise<{ sha256: string; bytes: number }>((resolve, reject) => {
      const server = net.createServer((socket) => {
        const hash = createHash('sha256');
        let bytes = 0;
        // reads a little, then waits: the sender's writes back up and it has to wait for 'drain'
        socket.on('data', (piece) => {
          hash.update(piece);
          bytes += piece.length;
          socket.pause();
          setTimeout(() => socket.resume(), 3);
        });
        socket.on('end', () => {
          server.close();
          resolve({ sha256: hash.digest('hex'), bytes });
        });
        socket.on('error', reject);
      });
      server.listen(socketPath);
    });
    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(socketPath, () => {
        packContext(entries, { chunkBytes: 4096, readerThread, reuseChunks: true }).pipe(socket).on('finish', resolve).on('error', reject);
      });
      socket.on('error', reject);
    });
    expect(await received).toEqual(expected);
  });
});
