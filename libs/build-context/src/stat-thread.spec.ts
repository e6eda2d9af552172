/**
 * Stating a checkout's paths on two threads sees what one thread sees: the
 * kind, mode, size, times and inode of every path, in order, a missing path
 * as missing, whichever thread took it.
 */
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { PathKind, STAT_FIELDS, StatedIdentity, statPaths } from './stat-thread';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(() => removeDir(dir));

describe('stating many paths', () => {
  it('gives on two threads, path by path, what one thread gives, and what lstat says', () => {
    const paths: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const file = path.join(dir, `d${i % 13}`, `f${i}`);
      paths.push(file);
      if (i % 500 === 7) continue; // listed, but not there (deleted in the working tree)
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'x'.repeat(i % 300), { mode: i % 2 === 0 ? 0o755 : 0o644 });
    }
    symlinkSync('f1', path.join(dir, 'd0', 'link'));
    paths.push(path.join(dir, 'd0', 'link'), path.join(dir, 'd1'));

    const two = statPaths(paths, { thread: true });
    const one = statPaths(paths, { thread: false });
    expect(Array.from(two)).toEqual(Array.from(one));
    // the other thread alone, as when it takes the most paths
    expect(Array.from(statPaths(paths, { thread: true, share: false }))).toEqual(Array.from(one));

    const kindOf = (i: number) => two[i * STAT_FIELDS];
    expect(kindOf(7)).toBe(PathKind.missing);
    expect(kindOf(3000)).toBe(PathKind.symlink);
    expect(kindOf(3001)).toBe(PathKind.other);
    for (const i of [0, 1, 299, 2999]) {
      const stat = lstatSync(paths[i]);
      expect(kindOf(i)).toBe(PathKind.file);
      expect(Array.from(two.subarray(i * STAT_FIELDS + 1, (i + 1) * STAT_FIELDS))).toEqual([stat.mode, stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino]);
      // and the identity a listing gives the file, read from the result
      const identity = new StatedIdentity(two, i);
      expect([identity.mtimeMs, identity.ctimeMs, identity.ino, identity.changedMs]).toEqual([stat.mtimeMs, stat.ctimeMs, stat.ino, Math.max(stat.mtimeMs, stat.ctimeMs)]);
    }
    // 3,000 files written on a busy machine
  }, 60_000);
});
