/** Whole-or-nothing writes: the file, the build record, the push record and the file-hash cache all go through this. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { writeFileAtomic } from './atomic-file';

describe('writeFileAtomic', () => {
  let root: string;
  beforeEach(async () => {
    root = await makeTempDir();
  });
  afterEach(() => removeDir(root));

  it('creates the folder and replaces the previous file whole', async () => {
    const file = path.join(root, 'a/b/state.json');
    await writeFileAtomic(file, 'one\n');
    await writeFileAtomic(file, 'two\n');
    expect(await fs.readFile(file, 'utf8')).toBe('two\n');
    expect(await fs.readdir(path.dirname(file))).toEqual(['state.json']);
  });

  it('throws on a failed rename and leaves neither a temporary file nor a change behind', async () => {
    // a real failure: the name is taken by a folder that is not empty, so the rename is refused
    const file = path.join(root, 'state.json');
    await fs.mkdir(file);
    await fs.writeFile(path.join(file, 'kept'), 'kept');
    await expect(writeFileAtomic(file, 'new')).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST/);
    expect(await fs.readdir(root)).toEqual(['state.json']);
    expect(await fs.readFile(path.join(file, 'kept'), 'utf8')).toBe('kept');
  });
});
