/**
 * The tar headers are written in place, field by field, for speed; GNU tar
 * is the judge of whether they say what the entries say. For any generated
 * set of entries (names of any script, up to several hundred bytes, so plain
 * ustar names, ustar prefix splits and pax headers all occur; files of any
 * size below a few blocks, executable or not; folders; symlinks with long
 * targets), the archive extracts to exactly those entries. And the order the
 * context is sent in, byte order of the UTF-8 names, is the order the names'
 * strings sort in without encoding them.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { assertAsyncProperty, assertProperty } from '@imgmono/testing';
import { ContextEntry, compareNames, fileIdentity, sortNames } from './context-entries';
import { hashStream } from './hash-stream';
import { packContext } from './tar-pack';
import { BLOCK, MAX_OCTAL_SIZE, encodeHeader, headerLength, writeFileHeader } from './tar-header';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'imgmono-tar-header-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A file name of any script (no slash, no control character, at most 255 bytes as Linux allows). */
const segmentArb = fc
  .string({ unit: fc.oneof(fc.constantFrom('a', 'b', 'x', '.', '-', ' '), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 70 })
  // eslint-disable-next-line no-control-regex -- control characters are what the filter leaves out
  .filter((name) => !/[\u0000-\u001f\u007f-\u009f/\\]/.test(name) && name !== '.' && name !== '..' && Buffer.byteLength(name) <= 255);

type Generated = { parts: string[]; kind: 'file' | 'executable' | 'directory' | 'symlink'; size: number; target: string; onDisk: boolean };

/** A long name of a part: paths over 100 bytes, which take the ustar prefix field or a pax header. */
const longSegmentArb = fc.tuple(fc.integer({ min: 30, max: 99 }), fc.constantFrom('L', 'é', '語')).map(([length, unit]) => unit.repeat(Math.ceil(length / Buffer.byteLength(unit))));

const entryArb: fc.Arbitrary<Generated> = fc.record({
  parts: fc.array(fc.oneof({ weight: 3, arbitrary: segmentArb }, { weight: 1, arbitrary: longSegmentArb }), { minLength: 1, maxLength: 4 }),
  kind: fc.constantFrom('file' as const, 'executable' as const, 'directory' as const, 'symlink' as const),
  size: fc.integer({ min: 0, max: 1600 }),
  target: fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
  // a file read from disk as a checkout's are, or a generated content: their headers are written by different code
  onDisk: fc.boolean(),
});

let diskFiles = 0;

/** Entries whose paths can all exist at once: none below a file or a symlink, none twice. */
function compatible(generated: Generated[]): ContextEntry[] {
  const kept: ContextEntry[] = [];
  const leaves = new Set<string>();
  const folders = new Set<string>();
  for (const item of generated) {
    const name = item.parts.join('/');
    const parents = item.parts.slice(0, -1).map((_, i) => item.parts.slice(0, i + 1).join('/'));
    if (leaves.has(name) || folders.has(name) || parents.some((parent) => leaves.has(parent))) continue;
    parents.forEach((parent) => folders.add(parent));
    if (item.kind === 'directory') {
      folders.add(name);
      kept.push({ kind: 'directory', path: name, mode: 0o755 });
      continue;
    }
    leaves.add(name);
    const mode = item.kind === 'executable' ? 0o755 : 0o644;
    if (item.kind === 'symlink') kept.push({ kind: 'symlink', path: name, target: item.target });
    else if (item.onDisk) {
      const absolutePath = path.join(scratch, `file-${diskFiles++}`);
      writeFileSync(absolutePath, Buffer.alloc(item.size, name));
      kept.push({ kind: 'file', path: name, mode, size: item.size, absolutePath, identity: fileIdentity(lstatSync(absolutePath)) });
    } else kept.push({ kind: 'content', path: name, mode, content: Buffer.alloc(item.size, name) });
  }
  return kept;
}

let archives = 0;

describe('tar headers (property)', () => {
  it('are read back by GNU tar as exactly the entries they were written for', async () => {
    await assertAsyncProperty(
      'GNU tar extracts the written entries',
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 12 }), fc.boolean(), async (generated, readerThread) => {
        const entries = compatible(generated);
        const folder = path.join(scratch, `archive-${archives++}`);
        mkdirSync(folder);
        const chunks: Buffer[] = [];
        for await (const chunk of packContext(entries, { readerThread })) chunks.push(chunk as Buffer);
        writeFileSync(`${folder}.tar`, Buffer.concat(chunks));
        execFileSync('tar', ['-xf', `${folder}.tar`, '-C', folder], { env: { ...process.env, LC_ALL: 'C.UTF-8' } });
        for (const entry of entries) {
          const at = path.join(folder, entry.path);
          const stat = lstatSync(at);
          if (entry.kind === 'directory') expect(stat.isDirectory(), entry.path).toBe(true);
          if (entry.kind === 'symlink') expect(readlinkSync(at), entry.path).toBe(entry.target);
          if (entry.kind === 'content' || entry.kind === 'file') {
            expect(stat.mode & 0o777, entry.path).toBe(entry.mode);
            const content = entry.kind === 'content' ? entry.content : readFileSync(entry.absolutePath);
            expect(readFileSync(at).equals(content), entry.path).toBe(true);
          }
        }
        // nothing more than the entries and the folders above them
        const listed = execFileSync('tar', ['-tf', `${folder}.tar`, '--quoting-style=literal'], { env: { ...process.env, LC_ALL: 'C.UTF-8' }, encoding: 'utf8' });
        expect(listed.split('\n').filter(Boolean).map((name) => name.replace(/\/$/, ''))).toEqual(entries.map((entry) => entry.path));
        for (const entry of entries) {
          const header = entry.kind === 'directory' ? { path: entry.path, type: 'directory' as const, mode: 0o755, size: 0 } : entry.kind === 'symlink' ? { path: entry.path, type: 'symlink' as const, mode: 0o777, size: 0, linkTarget: entry.target } : { path: entry.path, type: 'file' as const, mode: 0o644, size: 3 };
          expect(encodeHeader(header).length).toBe(headerLength(header));
        }
        rmSync(folder, { recursive: true, force: true });
        rmSync(`${folder}.tar`, { force: true });
        // and the stream of the same entries is the same bytes again
        expect(await hashStream(packContext(entries))).toEqual(await hashStream(packContext(entries)));
      }),
      60,
    );
  });
});

describe('the header of a file that fits one block (property)', () => {
  it('is the bytes of the general encoder, written over whatever the buffer held', () => {
    assertProperty(
      'file header fast path = general encoder',
      fc.property(
        fc.array(segmentArb, { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
        fc.constantFrom(0o644, 0o755, 0o600, 0o4755),
        fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 0, max: MAX_OCTAL_SIZE })),
        fc.integer({ min: 0, max: 255 }),
        (name, mode, size, stale) => {
          fc.pre(Buffer.byteLength(name) <= 100);
          const header = { path: name, type: 'file' as const, mode, size };
          expect(headerLength(header)).toBe(BLOCK);
          const target = Buffer.alloc(3 * BLOCK, stale);
          writeFileHeader(target, BLOCK, name, mode, size);
          expect(target.subarray(BLOCK, 2 * BLOCK).equals(encodeHeader(header))).toBe(true);
          // nothing written outside its block
          expect(target.subarray(0, BLOCK).every((byte) => byte === stale) && target.subarray(2 * BLOCK).every((byte) => byte === stale)).toBe(true);
        },
      ),
      400,
    );
  });
});

describe('name order (property)', () => {
  it('compares names as their UTF-8 bytes compare, and sorts lists the same way', () => {
    const nameArb = fc.string({ unit: fc.oneof(fc.constantFrom('a', 'b', '/', '.', '\uffff', '\ue000', '\ud7ff'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 });
    assertProperty(
      'compareNames is UTF-8 byte order',
      fc.property(fc.array(nameArb, { maxLength: 30 }), (names) => {
        for (let i = 1; i < names.length; i++) {
          expect(Math.sign(compareNames(names[i - 1], names[i]))).toBe(Math.sign(Buffer.compare(Buffer.from(names[i - 1]), Buffer.from(names[i]))));
        }
        const bytewise = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect(sortNames([...names])).toEqual(bytewise);
        // a list already in order is left so; one with a pair out of place is put in order
        expect(sortNames([...bytewise])).toEqual(bytewise);
        if (bytewise.length > 1 && bytewise[0] !== bytewise[1]) expect(sortNames([bytewise[1], bytewise[0], ...bytewise.slice(2)])).toEqual(bytewise);
      }),
      500,
    );
  });
});
