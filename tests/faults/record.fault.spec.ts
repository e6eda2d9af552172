/**
 * A full disk where the build records live: a real tmpfs of a few kilobytes
 * mounted over the image's record folder. The build record is written
 * atomically (temporary file, then rename), so a failed write gives a clear
 * error and leaves the previous record whole; the next run with space
 * writes it.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { docker, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('a full disk for the build record', () => {
  let ws: TestWorkspace;
  let ns: string;
  let folder: string;
  let mounted = false;

  beforeAll(async () => {
    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/app`, [`${ns}/root`], `FROM ${ns}/root\nRUN echo one > /state\n`),
    });
    const first = await ws.nx(['run', `${ns}/app:image`, '--output-style=stream']);
    expect(first.code, first.output).toBe(0);
    folder = path.join(ws.root, 'dist/images', ns, 'app');
  });

  afterAll(async () => {
    if (mounted) execFileSync('umount', [folder]);
    await removeNamespaceImages(ns);
    await ws?.remove();
  });

  it('gives a clear error, keeps the previous record whole, leaves no temporary file, and the next run writes it', async () => {
    const previousText = await fs.readFile(path.join(folder, 'build.json'), 'utf8');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', folder]);
    mounted = true;
    await fs.writeFile(path.join(folder, 'build.json'), previousText);
    // fill what is left
    await fs.writeFile(path.join(folder, 'filler'), Buffer.alloc(64 * 1024)).catch((error: NodeJS.ErrnoException) => expect(error.code).toBe('ENOSPC'));

    await ws.write({ [`images/${ns}/app/Dockerfile`]: `FROM ${ns}/root\nRUN echo two > /state\n` });
    const run = await ws.nx(['run', `${ns}/app:image`, '--output-style=stream']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`cannot write the build record dist/images/${ns}/app/build.json: ENOSPC: no space left on device`);
    expect(run.output).toContain('the previous record, if any, is unchanged');
    expect(run.output).not.toContain('internal error');
    expect(await fs.readFile(path.join(folder, 'build.json'), 'utf8')).toBe(previousText);
    expect((await fs.readdir(folder)).sort()).toEqual(['build.json', 'filler']);

    execFileSync('umount', [folder]);
    mounted = false;
    const again = await ws.nx(['run', `${ns}/app:image`, '--output-style=stream']);
    expect(again.code, again.output).toBe(0);
    const record = await readRecord(ws, `${ns}/app`);
    const tagged = await docker.getImage(`${ns}/app:latest`).inspect();
    expect(tagged.Id).toBe(record.imageId);
    expect(tagged.Config.Labels[LABEL.inputDigest]).toBe(record.inputDigest);
    expect(again.output).toContain(`[${ns}/app] reused`);
  });
});
