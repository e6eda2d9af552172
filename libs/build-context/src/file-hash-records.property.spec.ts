/**
 * The file hash cache's file: any records (any paths but NUL, any sizes,
 * times with their fractions, inodes, hashes) come back as they went in;
 * a file cut anywhere, or with a byte of its header changed, comes back as
 * no records, never as wrong ones.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '@imgmono/testing';
import { FileHashRecords, HASH_BYTES, RECORD_NUMBERS, decodeFileHashRecords, encodeFileHashRecords } from './file-hash-records';

const recordArb = fc.record({
  path: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).filter((text) => !text.includes('\0')),
  size: fc.nat({ max: 2 ** 40 }),
  // what stat gives: milliseconds with a sub-microsecond fraction
  mtimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
  ctimeMs: fc.double({ min: 0, max: 4e12, noNaN: true }),
  ino: fc.nat({ max: 2 ** 50 }),
  sha256: fc.uint8Array({ minLength: HASH_BYTES, maxLength: HASH_BYTES }),
});

function records(list: ReadonlyArray<{ path: string; size: number; mtimeMs: number; ctimeMs: number; ino: number; sha256: Uint8Array }>): FileHashRecords {
  return {
    paths: list.map((record) => record.path),
    numbers: Float64Array.from(list.flatMap((record) => [record.size, record.mtimeMs, record.ctimeMs, record.ino])),
    hashes: Buffer.concat(list.map((record) => Buffer.from(record.sha256))),
  };
}

const plain = (decoded: FileHashRecords) => ({ paths: decoded.paths, numbers: [...decoded.numbers], hashes: decoded.hashes.toString('hex') });

describe('file hash records', () => {
  it('come back as they were written', () => {
    assertProperty(
      'file hash records round trip',
      fc.property(fc.array(recordArb, { maxLength: 30 }), (list) => {
        const written = records(list);
        const decoded = decodeFileHashRecords(encodeFileHashRecords(written));
        expect(decoded.numbers.length).toBe(list.length * RECORD_NUMBERS);
        expect(plain(decoded)).toEqual(plain(written));
      }),
      200,
    );
  });

  it('come back as none from a cut file or a changed header, whatever is cut', () => {
    assertProperty(
      'file hash records refuse a damaged file',
      fc.property(fc.array(recordArb, { minLength: 1, maxLength: 10 }), fc.nat(), fc.nat({ max: 31 }), (list, cutAt, headerByte) => {
        const bytes = encodeFileHashRecords(records(list));
        expect(decodeFileHashRecords(bytes.subarray(0, cutAt % bytes.length)).paths).toEqual([]);
        const changed = Buffer.from(bytes);
        changed[headerByte] ^= 0x40;
        expect(decodeFileHashRecords(changed).paths).toEqual([]);
      }),
      200,
    );
  });

  it('read a record at any alignment in memory', () => {
    const written = records([{ path: 'a', size: 3, mtimeMs: 1.5, ctimeMs: 2.25, ino: 7, sha256: new Uint8Array(HASH_BYTES).fill(9) }]);
    const bytes = encodeFileHashRecords(written);
    for (let shift = 0; shift < 8; shift++) {
      const at = Buffer.alloc(bytes.length + shift);
      bytes.copy(at, shift);
      expect(plain(decodeFileHashRecords(at.subarray(shift)))).toEqual(plain(written));
    }
  });
});
