/**
 * The file hash cache on real files: what it keeps between uses, what it
 * trusts, and when it writes.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, writeTree } from '@imgmono/testing';
import { ContextEntry, listContextEntries } from './context-entries';
import { FileHashCache } from './file-hash-cache';

type FileEntry = Extract<ContextEntry, { kind: 'file' }>;

let dir: string;
let cacheFile: string;
beforeEach(async () => {
  dir = await makeTempDir();
  cacheFile = `${dir}-hashes.bin`;
});
afterEach(async () => {
  await removeDir(dir);
  await fs.rm(cacheFile, { force: true });
});

const sha = (text: string) => createHash('sha256').update(text).digest();
const files = async () => (await listContextEntries(dir)).filter((entry): entry is FileEntry => entry.kind === 'file');
const cachedPaths = async () =>
  (await FileHashCache.load(cacheFile)).knownFiles()
    .map((file) => path.relative(dir, file))
    .sort();

/** One use of the cache: every file looked up, and hashed when it is not known. */
async function use(racyMs = 0): Promise<{ cache: FileHashCache; known: string[] }> {
  const cache = await FileHashCache.load(cacheFile, { racyMs });
  const known: string[] = [];
  for (const file of await files()) {
    if (cache.get(file) !== undefined) known.push(file.path);
    else cache.set(file, sha(await fs.readFile(file.absolutePath, 'utf8')));
  }
  await cache.save();
  return { cache, known };
}

describe('file hash cache', () => {
  it('knows a file by its identity on the next use, and keeps only the files of the latest use', async () => {
    await writeTree(dir, { 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await use()).known).toEqual([]);
    expect(await cachedPaths()).toEqual(['a.txt', 'b.txt', 'c.txt']);
    const second = await use();
    expect(second.known).toEqual(['a.txt', 'b.txt', 'c.txt']);
    const [a] = await files();
    expect(second.cache.get(a)).toEqual(sha('a'));
    await fs.rm(path.join(dir, 'b.txt'));
    await use();
    expect(await cachedPaths()).toEqual(['a.txt', 'c.txt']);
  });

  it('does not write the file again when a use found exactly what it holds', async () => {
    await writeTree(dir, { 'a.txt': 'a', 'b.txt': 'b' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await use();
    const before = await fs.stat(cacheFile);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await use();
    expect((await fs.stat(cacheFile)).mtimeMs).toBe(before.mtimeMs);
  });

  it('reads a rewritten file again, even with the same size, and keeps its new hash', async () => {
    await writeTree(dir, { 'a.txt': 'aaaa' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await use();
    await writeTree(dir, { 'a.txt': 'aaab' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    const { cache, known } = await use();
    expect(known).toEqual([]);
    const [a] = await files();
    expect(cache.peek(a)).toEqual(sha('aaab'));
    expect((await use()).known).toEqual(['a.txt']);
  });

  it('does not keep a file changed within the racy window, and does not vouch for it', async () => {
    await writeTree(dir, { 'a.txt': 'a' });
    const { cache } = await use(60_000);
    const [a] = await files();
    expect(cache.peek(a)).toBeUndefined();
    expect(await cachedPaths()).toEqual([]);
  });

  it('keeps files whose names hold tabs, line breaks and any other character but NUL', async () => {
    const names = ['tab\there.txt', 'line\nbreak.txt', 'crlf\r\n.txt', 'ünïcødé ✓.txt'];
    await writeTree(dir, Object.fromEntries(names.map((name) => [name, name])));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await use()).known).toEqual([]);
    expect(await cachedPaths()).toEqual([...names].sort());
    expect((await use()).known.sort()).toEqual([...names].sort());
  });

  it('treats an unreadable or foreign file as an empty cache', async () => {
    await writeTree(dir, { 'a.txt': 'a' });
    // another program's file, and a text cache of the first version
    await fs.writeFile(cacheFile, 'something else\nx\ty\n');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await use()).known).toEqual([]);
    await fs.writeFile(cacheFile, `imgmono-file-hashes 1\n${'0'.repeat(64)}\t1:2:3:4\t${path.join(dir, 'a.txt')}\n`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await use()).known).toEqual([]);
    expect(await cachedPaths()).toEqual(['a.txt']);
  });
});
