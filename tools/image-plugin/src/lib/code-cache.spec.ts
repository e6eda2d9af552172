/**
 * code-cache.js, as task processes use it: a bundle is compiled with the V8
 * code cache a first run left, and a rebuilt bundle never runs from the cache
 * of the one it replaced. Real processes (the cache is written when a
 * process exits) on a copy of code-cache.js, so the checkout's dist/ is not
 * touched.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

describe('the code cache of compiled bundles', () => {
  let folder: string;
  let bundle: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'code-cache-'));
    copyFileSync(path.join(__dirname, '../../code-cache.js'), path.join(folder, 'code-cache.js'));
    mkdirSync(path.join(folder, 'dist'));
    bundle = path.join(folder, 'dist', 'bundle.js');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  const load = () => execFileSync(process.execPath, ['-e', `console.log(require('./code-cache').requireWithCodeCache(${JSON.stringify(bundle)})())`], { cwd: folder, encoding: 'utf8' }).trim();
  const caches = () => readdirSync(path.join(folder, 'dist', '.code-cache'));

  it('is written by the first run and used by the next, which gives the same result', () => {
    writeFileSync(bundle, "module.exports = () => 'first';\n");
    expect(load()).toBe('first');
    expect(caches()).toHaveLength(1);
    expect(load()).toBe('first');
    expect(caches()).toHaveLength(1);
  });

  it('is not used for a rebuilt bundle, even one of the same length (V8 checks only the length)', () => {
    writeFileSync(bundle, "module.exports = () => 'first';\n");
    expect(load()).toBe('first');
    writeFileSync(bundle, "module.exports = () => 'other';\n");
    expect(load()).toBe('other');
    expect(caches()).toHaveLength(2);
  });
});
