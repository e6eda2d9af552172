/**
 * A 20,000-file, 200 MB source checkout is streamed into a context without
 * being held in memory: the figures come from a child process, which
 * reports its own peak memory (not a timing assertion).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_HASH_CACHE_RACY_MS } from '@imgmono/build-context';
import { makeBigCheckout, makeTempDir, removeDir } from '@imgmono/testing';
import { bundleScript } from '../../tools/scripts/bundle-script';

describe('streaming a large checkout', () => {
  let tmp: string;
  const files = 20_000;
  const bytesPerFile = 10_000;

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-big-');
    // older than the cache's racy window, as a checkout handed to a build is
    await makeBigCheckout(path.join(tmp, 'big'), files, bytesPerFile, FILE_HASH_CACHE_RACY_MS + 500);
  });
  afterAll(() => removeDir(tmp));

  it('sends every byte, keeps peak memory under 150 MB, and digests it the same with the file hash cache filled', async () => {
    const script = await bundleScript('tools/scripts/measure-context.ts', path.join(tmp, 'measure-context.js'));
    const measure = () => JSON.parse(execFileSync(process.execPath, [script, path.join(tmp, 'big'), path.join(tmp, 'hashes.tsv')], { encoding: 'utf8' }).trim().split('\n').pop()!);
    const cold = measure();
    const figures = measure();
    console.log(`context streaming: ${figures.files} files, ${(figures.bytes / 1e6).toFixed(1)} MB in ${figures.seconds.toFixed(2)} s (${figures.mbPerSecond.toFixed(0)} MB/s; ${cold.mbPerSecond.toFixed(0)} MB/s with no cache), peak RSS ${figures.peakRssMb.toFixed(0)} MB`);
    expect(figures.files).toBe(files);
    // each file: a 512-byte header and its content padded to 512; plus folders and the end blocks
    expect(figures.bytes).toBeGreaterThan(files * (512 + bytesPerFile));
    expect(figures.bytesAsDigested).toBe(figures.bytes);
    expect(Math.max(cold.peakRssMb, figures.peakRssMb)).toBeLessThan(150);
    expect(cold.filesRead).toBe(files);
    // every file is older than the racy window: the cache trusts them all
    expect(figures.filesRead).toBe(0);
    expect(figures.digest).toBe(cold.digest);
  });
});
