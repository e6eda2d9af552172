/**
 * A 20,000-file, 200 MB source checkout is streamed into a context without
 * being held in memory: the figures come from a child process, which
 * reports its own peak memory (not a timing assertion).
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBigCheckout, makeTempDir, removeDir } from '@imgmono/testing';
import { bundleScript } from '../../tools/scripts/bundle-script';

describe('streaming a large checkout', () => {
  let tmp: string;
  const files = 20_000;
  const bytesPerFile = 10_000;

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-big-');
    await makeBigCheckout(path.join(tmp, 'big'), files, bytesPerFile);
  });
  afterAll(() => removeDir(tmp));

  it('sends every byte and keeps peak memory under 150 MB', async () => {
    const script = await bundleScript('tools/scripts/measure-context.ts', path.join(tmp, 'measure-context.js'));
    const out = execFileSync(process.execPath, [script, path.join(tmp, 'big')], { encoding: 'utf8' });
    const figures = JSON.parse(out.trim().split('\n').pop()!);
    console.log(`context streaming: ${figures.files} files, ${(figures.bytes / 1e6).toFixed(1)} MB in ${figures.seconds.toFixed(2)} s (${figures.mbPerSecond.toFixed(0)} MB/s), peak RSS ${figures.peakRssMb.toFixed(0)} MB`);
    expect(figures.files).toBe(files);
    // each file: a 512-byte header and its content padded to 512; plus folders and the end blocks
    expect(figures.bytes).toBeGreaterThan(files * (512 + bytesPerFile));
    expect(figures.peakRssMb).toBeLessThan(150);
  });
});
