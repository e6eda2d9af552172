/**
 * The context tar is a function of the tree alone: for any generated tree
 * (nested folders, executable and plain files, empty files, symlinks inside,
 * long names), written twice in different orders, with different
 * modification times and permission bits beyond executable-or-not, the
 * streamed tar is the same bytes, and its hash (what reuse decides on) is
 * the same.
 */
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAsyncProperty } from '@imgmono/testing';
import { listContextEntries } from './context-entries';
import { hashStream } from './hash-stream';
import { digestContext, entryLine } from './context-digest';
import { packContext } from './tar-pack';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'imgmono-tar-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const nameArb = fc.constantFrom('a', 'b', 'setup.py', 'README', 'é-ü', 'x'.repeat(90), '.hidden', 'Z');
const fileArb = fc.record({
  path: fc.array(nameArb, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('/')),
  content: fc.uint8Array({ maxLength: 300 }),
  executable: fc.boolean(),
});
const treeArb = fc
  .uniqueArray(fileArb, { selector: (file) => file.path, minLength: 1, maxLength: 12 })
  .map((files) => files.filter((file) => !files.some((other) => other.path.startsWith(`${file.path}/`))));

let written = 0;
/** Writes the tree in the given order, with the given times and extra permission bits; a symlink to the first file beside the last. */
function writeTree(files: Array<{ path: string; content: Uint8Array; executable: boolean }>, order: number[], seconds: number, loose: boolean): string {
  const root = path.join(scratch, `tree-${written++}`);
  mkdirSync(root);
  for (const index of order) {
    const file = files[index];
    const target = path.join(root, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    chmodSync(target, file.executable ? (loose ? 0o775 : 0o700) : loose ? 0o664 : 0o600);
    utimesSync(target, seconds + index, seconds + index);
  }
  const last = files[files.length - 1].path;
  const link = path.join(root, path.dirname(last), 'link-to-first');
  if (files.length > 1 && !files.some((file) => file.path === path.relative(root, link))) {
    symlinkSync(path.relative(path.dirname(link), path.join(root, files[0].path)), link);
  }
  return root;
}

describe('the context tar (property)', () => {
  it('gives the same bytes for the same tree, whatever the order of creation, the times and the spare permission bits', async () => {
    await assertAsyncProperty(
      'context tar bytes depend on the tree alone',
      fc.asyncProperty(treeArb.chain((files) => fc.tuple(fc.constant(files), fc.shuffledSubarray(files.map((_, i) => i), { minLength: files.length }))), fc.integer({ min: 0, max: 2e9 }), async ([files, order], seconds) => {
        const first = writeTree(files, files.map((_, i) => i), 1_000_000, false);
        const second = writeTree(files, order, seconds, true);
        const [a, b] = [await listContextEntries(first), await listContextEntries(second)];
        const bytesA = await hashStream(packContext(a));
        const bytesB = await hashStream(packContext(b));
        expect(bytesB).toEqual(bytesA);
        const digestA = await digestContext(a);
        expect((await digestContext(b)).sha256).toBe(digestA.sha256);
        // the size worked out from the entries is the size sent
        expect(digestA.bytes).toBe(bytesA.bytes);
        // and the digest is what its definition says: SHA-256 over each entry's line, then a file's content hash
        const reference = createHash('sha256');
        for (const entry of a) {
          reference.update(entryLine(entry));
          if (entry.kind === 'file') reference.update(createHash('sha256').update(readFileSync(entry.absolutePath)).digest());
        }
        expect(digestA.sha256).toBe(reference.digest('hex'));
      }),
      150,
    );
  });
});
