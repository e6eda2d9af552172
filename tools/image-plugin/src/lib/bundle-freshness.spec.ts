/**
 * When load.js runs a compiled bundle: only while it is newer than every
 * workspace file it was built from (dist/inputs.json, written by build.js).
 * Real files with real times; the last test reads the set-up's own build.
 */
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@imgmono/testing';

const loader = require('../../load') as {
  newerThanInputs: (bundleMtimeMs: number, inputs: unknown, root: string) => boolean;
  compiled: (entry: string) => { file: string; fresh: boolean };
  INPUTS_FILE: string;
};

describe('bundle freshness', () => {
  let root: string;
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function workspace(files: Record<string, number>): void {
    root = mkdtempSync(path.join(os.tmpdir(), 'freshness-'));
    for (const [file, seconds] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), '');
      utimesSync(path.join(root, file), seconds, seconds);
    }
  }

  it('is fresh while every input is older than the bundle, and stale once one is edited after it', () => {
    workspace({ 'libs/a/src/a.ts': 1000, 'libs/b/src/b.ts': 1500, 'tsconfig.base.json': 900 });
    const inputs = ['tsconfig.base.json', 'libs/a/src/a.ts', 'libs/b/src/b.ts'];
    expect(loader.newerThanInputs(2000 * 1000, inputs, root)).toBe(true);
    utimesSync(path.join(root, 'libs/b/src/b.ts'), 2001, 2001);
    expect(loader.newerThanInputs(2000 * 1000, inputs, root)).toBe(false);
  });

  it('is stale when an input is gone, or when no inputs are known', () => {
    workspace({ 'libs/a/src/a.ts': 1000 });
    expect(loader.newerThanInputs(2000 * 1000, ['libs/a/src/a.ts', 'libs/gone/src/gone.ts'], root)).toBe(false);
    expect(loader.newerThanInputs(2000 * 1000, [], root)).toBe(false);
    expect(loader.newerThanInputs(2000 * 1000, undefined, root)).toBe(false);
  });

  it("lists, for the set-up's build of the image executor, the sources it runs", () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'freshness-')); // nothing to clean but this
    const inputs = require(loader.INPUTS_FILE)['executors/image/executor'] as string[];
    expect(inputs).toContain('tsconfig.base.json');
    expect(inputs).toContain('tools/image-plugin/src/executors/image/executor.ts');
    expect(inputs).toContain('libs/image-build/src/build-image.ts');
    expect(inputs.every((input) => !input.includes('node_modules'))).toBe(true);
    expect(loader.compiled('executors/image/executor').file).toBe(path.join(REPO_ROOT, 'tools/image-plugin/dist/executors/image/executor.js'));
  });
});
