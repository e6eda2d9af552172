/**
 * A 20,000-file, 200 MB source checkout is streamed into a context without
 * being held in memory: the figures come from a child process, which
 * reports its own peak memory (not a timing assertion). And a context large
 * enough to be read on a second thread, piped into the engine's build with
 * its chunks reused as a build sends it, arrives whole: every file in the
 * image holds what the folder held.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FILE_HASH_CACHE_RACY_MS, READER_THREAD_FILES, listContextEntries, packContext } from '@imgmono/build-context';
import { createEngineClient } from '@imgmono/engine';
import { LABEL } from '@imgmono/image-meta';
import { makeBigCheckout, makeTempDir, removeDir } from '@imgmono/testing';
import { docker, integrationEnabled } from '@imgmono/test-engine';
import { bundleScript } from '../../tools/scripts/bundle-script';

const enabled = await integrationEnabled();

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
    const measure = () => JSON.parse(execFileSync(process.execPath, [script, path.join(tmp, 'big'), path.join(tmp, 'hashes.bin')], { encoding: 'utf8' }).trim().split('\n').pop()!);
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

describe.skipIf(!enabled)('a large context sent to the engine', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-threaded-');
  });
  afterAll(() => removeDir(tmp));

  it('read on a second thread and piped with its chunks reused, gives an image with every file as it was', async () => {
    const folder = path.join(tmp, 'ctx');
    const expected = new Map<string, string>();
    const files = READER_THREAD_FILES + 500;
    for (let i = 0; i < files; i++) {
      const name = `d${i % 37}/f${i}`;
      // sizes from empty to several 1 MiB chunks, contents that differ file by file
      const content = Buffer.alloc(i % 97 === 0 ? 1_500_000 + i : (i * 131) % 9000, i % 251);
      content.write(name);
      await fs.mkdir(path.join(folder, path.dirname(name)), { recursive: true });
      await fs.writeFile(path.join(folder, name), content);
      expected.set(name, createHash('sha256').update(content).digest('hex'));
    }
    await fs.writeFile(path.join(folder, 'Dockerfile'), 'FROM scratch\nCOPY . /ctx/\n');
    const entries = await listContextEntries(folder);
    const engine = createEngineClient();
    const imageId = await engine.build(
      packContext(entries, { reuseChunks: true }),
      { dockerfile: 'Dockerfile', buildArgs: {}, labels: { [LABEL.managed]: 'true' }, networkMode: 'none' },
      () => undefined,
    );
    const container = await docker.createContainer({ Image: imageId, Cmd: ['none'], Labels: { [LABEL.managed]: 'true' } });
    try {
      const archive = path.join(tmp, 'ctx.tar');
      const stream = (await container.getArchive({ path: '/ctx' })) as unknown as NodeJS.ReadableStream;
      const handle = await fs.open(archive, 'w');
      for await (const piece of stream as AsyncIterable<Buffer>) await handle.write(piece);
      await handle.close();
      const out = path.join(tmp, 'out');
      await fs.mkdir(out);
      execFileSync('tar', ['-xf', archive, '-C', out]);
      let checked = 0;
      for (const [name, sha] of expected) {
        const content = await fs.readFile(path.join(out, 'ctx', name));
        expect(createHash('sha256').update(content).digest('hex'), name).toBe(sha);
        checked++;
      }
      expect(checked).toBe(files);
    } finally {
      await container.remove({ force: true }).catch(() => undefined);
      await docker.getImage(imageId).remove({ force: true }).catch(() => undefined);
    }
  });
});
