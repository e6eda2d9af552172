/**
 * The foundation against a real engine: a three-image chain built through
 * `nx`, each child pinned to its parent's image id, reuse of unchanged
 * images, and a failing parent that leaves tags and children alone.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { docker, imageIdOf, inspect, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord, makeTempDir, removeDir, writeTree } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('image chain on a real engine', () => {
  let ws: TestWorkspace;
  let ns: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/middle`, [`${ns}/root`], `FROM ${ns}/root\nRUN echo middle > /middle\n`),
      ...imageProject(`${ns}/leaf`, [`${ns}/middle`], `ARG BASE=${ns}/middle\nFROM \${BASE}\nRUN cat /middle > /leaf\n`),
    });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'chain']);
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
  });

  it('builds parents first and pins every child to the exact parent image', async () => {
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream']);
    expect(run.code, run.output).toBe(0);
    for (const name of ['root', 'middle', 'leaf']) {
      const record = await readRecord(ws, `${ns}/${name}`);
      expect(record.status).toBe('built');
      ids[name] = record.imageId as string;
      expect(await imageIdOf(`${ns}/${name}:latest`)).toBe(ids[name]);
      expect(run.output).toMatch(new RegExp(`\\[${ns}/${name}\\] built sha256:[0-9a-f]{64} .* in [0-9.]+ s`));
    }
    const order = ['root', 'middle', 'leaf'].map((name) => run.output.indexOf(`[${ns}/${name}] built`));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    const [root, middle, leaf] = await Promise.all(['root', 'middle', 'leaf'].map((name) => inspect(ids[name])));
    expect(middle.RootFS.Layers!.slice(0, root.RootFS.Layers!.length)).toEqual(root.RootFS.Layers);
    expect(leaf.RootFS.Layers!.slice(0, middle.RootFS.Layers!.length)).toEqual(middle.RootFS.Layers);
    expect(leaf.Config.Labels).toMatchObject({
      [LABEL.baseName]: `${ns}/middle`,
      [LABEL.baseDigest]: ids.middle,
      [LABEL.source]: 'https://opendev.org/opendev/system-config',
      [LABEL.revision]: (await ws.git(['rev-parse', 'HEAD'])).output.trim(),
      [LABEL.project]: `${ns}/leaf`,
    });
    expect(Date.parse(leaf.Config.Labels[LABEL.created])).toBeGreaterThan(Date.now() - 600_000);
    expect(middle.Config.Labels[LABEL.baseDigest]).toBe(ids.root);
    expect(root.Config.Labels[LABEL.baseName]).toBeUndefined();
    expect((await readRecord(ws, `${ns}/leaf`)).parents).toEqual([
      { project: `${ns}/middle`, imageId: ids.middle, origin: 'this-run', reason: 'built in this run (built)' },
    ]);
  });

  it('reuses every unchanged image without sending a build, never a descendant that inherited its labels', async () => {
    // An image built outside the workspace on top of middle inherits middle's labels, input digest included.
    const outside = await makeTempDir();
    try {
      await writeTree(outside, { Dockerfile: `FROM ${ns}/middle:latest\nRUN echo outside > /outside\n` });
      const stream = await docker.buildImage({ context: outside, src: ['Dockerfile'] }, { t: `${ns}/outside:latest`, networkmode: 'none' });
      await new Promise((resolve, reject) => docker.modem.followProgress(stream, (error) => (error ? reject(error) : resolve(undefined))));
      expect((await inspect(`${ns}/outside:latest`)).Config.Labels[LABEL.inputDigest]).toBe((await inspect(ids.middle)).Config.Labels[LABEL.inputDigest]);
    } finally {
      await removeDir(outside);
    }
    for (const name of ['root', 'middle', 'leaf']) await ws.write({ [`dist/images/${ns}/${name}/build.json`]: '{"broken": true' }); // records lost: only labels remain
    const run = await ws.nx(['run-many', '-t', 'image', '--output-style=stream']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).not.toMatch(/Step \d+\/\d+/);
    for (const name of ['root', 'middle', 'leaf']) {
      expect(run.output).toContain(`[${ns}/${name}] reused ${ids[name]}`);
      expect((await readRecord(ws, `${ns}/${name}`)).status).toBe('reused');
    }
    await docker.getImage(`${ns}/outside:latest`).remove();
  });

  it('rebuilds a deleted image even though its record says it exists', async () => {
    await docker.getImage(ids.leaf).remove({ force: true });
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`[${ns}/middle] reused ${ids.middle}`);
    expect(run.output).toMatch(new RegExp(`\\[${ns}/leaf\\] built `));
    ids.leaf = (await readRecord(ws, `${ns}/leaf`)).imageId as string;
  });

  it('a failing parent exits non-zero with the failing step, keeps its tag, and its child is not built', async () => {
    const leafRecordBefore = await readRecord(ws, `${ns}/leaf`);
    await ws.write({ [`images/${ns}/middle/Dockerfile`]: `FROM ${ns}/root\nRUN echo middle > /middle\nRUN echo broken; exit 3\n` });
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(
      `${ns}/middle: build failed at images/${ns}/middle/Dockerfile:3, Step 3/4 (RUN echo broken; exit 3): The command '/bin/sh -c echo broken; exit 3' returned a non-zero code: 3`,
    );
    expect(await imageIdOf(`${ns}/middle:latest`)).toBe(ids.middle);
    expect(await imageIdOf(`${ns}/leaf:latest`)).toBe(ids.leaf);
    expect(run.output).not.toContain(`[${ns}/leaf]`);
    expect(await readRecord(ws, `${ns}/leaf`)).toEqual(leafRecordBefore);
    const failed = await readRecord(ws, `${ns}/middle`);
    expect(failed.status).toBe('failed');
    expect(failed.imageId).toBeUndefined();
  });

  it('refuses a child run on its own when the parent last failed, naming the fix', async () => {
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--exclude-task-dependencies', '--output-style=stream']);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`${ns}/leaf: parent ${ns}/middle has no successful build record (its last build failed)`);
    expect(await imageIdOf(`${ns}/leaf:latest`)).toBe(ids.leaf);
  });

  it('batch mode (NX_BATCH_MODE=true, as npm run images runs): a failing parent stops its child, then the fixed chain builds', async () => {
    const broken = await ws.nx(['run-many', '-t', 'image', '--output-style=stream'], { NX_BATCH_MODE: 'true' });
    expect(broken.code).not.toBe(0);
    expect(broken.output).toContain(`${ns}/middle: build failed at images/${ns}/middle/Dockerfile:3`);
    // the error again under the task's own line, where Nx's account of the run puts it
    const underTask = broken.output.slice(broken.output.lastIndexOf(`nx run ${ns}/middle:image`));
    expect(underTask.split('\n').slice(1, 4).join('\n')).toContain(`${ns}/middle: build failed at images/${ns}/middle/Dockerfile:3`);
    expect(broken.output).not.toMatch(new RegExp(`\\[${ns}/leaf\\] (built|reused)`));
    expect(await imageIdOf(`${ns}/leaf:latest`)).toBe(ids.leaf);

    await ws.write({ [`images/${ns}/middle/Dockerfile`]: `FROM ${ns}/root\nRUN echo middle > /middle\n` });
    const fixed = await ws.nx(['run-many', '-t', 'image', '--output-style=stream'], { NX_BATCH_MODE: 'true' });
    expect(fixed.code, fixed.output).toBe(0);
    const order = ['root', 'middle', 'leaf'].map((name) => fixed.output.indexOf(`[${ns}/${name}] reused`));
    expect(order.every((at) => at >= 0), fixed.output).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // each line of a task's log once, each on a line of its own (under its task's line, only the outcome again)
    for (const name of ['root', 'middle', 'leaf']) {
      expect(fixed.output.split(`[${ns}/${name}] context `).length - 1, fixed.output).toBe(1);
      expect(fixed.output.split(`[${ns}/${name}] reused `).length - 1, fixed.output).toBe(2);
    }
    expect(fixed.output).not.toMatch(new RegExp(`\\S\\[${ns}/`));
    expect((await readRecord(ws, `${ns}/middle`)).imageId).toBe(ids.middle);
  });

  it('the main job (npm run images): Nx in batch mode, then the summary of the run, a row an image, from the projects its tasks listed', async () => {
    const run = spawnSync('bash', ['tools/scripts/build-images.sh'], { cwd: ws.root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', IMAGE_RUN_ID: `summary-${ns}` } });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    for (const name of ['root', 'middle', 'leaf']) expect(output).toMatch(new RegExp(`^${ns}/${name} +reused +${ids[name].slice(7, 19)} `, 'm'));
    expect(output).toMatch(/^images: 0 built, 3 reused, 0 failed, 0 not built \(sources missing\), 0 skipped in [0-9.]+ s$/m);
    // the table comes after Nx's own account of the run
    expect(output.indexOf('images: 0 built')).toBeGreaterThan(output.indexOf('Successfully ran target image'));
  });
});
