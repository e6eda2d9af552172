/**
 * A file's identity key gives back the numbers it was made of, exactly: the
 * reader thread checks a file's `fstat` against them, so a time with any
 * fraction, a size or an inode up to 2^53 must come back as the same number.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assertProperty } from '@imgmono/testing';
import { fileIdentity, identityNumbers } from './context-entries';

describe('file identities (property)', () => {
  it('give back the size, times and inode their key was made of', () => {
    const count = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    const time = fc.double({ min: 0, max: 4e12, noNaN: true });
    assertProperty(
      'identityNumbers(fileIdentity(stat)) = stat',
      fc.property(count, time, time, count, (size, mtimeMs, ctimeMs, ino) => {
        expect(identityNumbers(fileIdentity({ size, mtimeMs, ctimeMs, ino }))).toEqual({ size, mtimeMs, ctimeMs, ino });
      }),
      2000,
    );
  });
});
