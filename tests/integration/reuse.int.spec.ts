/**
 * Content-addressed reuse against a real engine, one row a kind of input:
 * an unchanged image is reused with no container created by the engine (its
 * events say so), every kind of input change rebuilds, an input the context
 * does not send (.dockerignore) does not, and going back to earlier inputs
 * finds the earlier image again.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containersCreated, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('reuse by input digest', () => {
  let ws: TestWorkspace;
  let ns: string;
  let child: string;
  let original: Record<string, string>;

  const project = (buildArgs: Record<string, string>) =>
    JSON.stringify({ name: child, tags: ['kind:image'], implicitDependencies: [`${ns}/root`], targets: { image: { options: { buildArgs } } } });

  /** Builds the child; returns its status and how many containers the engine created meanwhile. */
  const build = async (env: Record<string, string> = {}) => {
    const since = Date.now();
    const run = await ws.nx(['run', `${child}:image`, '--output-style=stream'], env);
    expect(run.code, run.output).toBe(0);
    const until = Date.now() + 1000;
    const record = await readRecord(ws, child);
    return { status: record.status, imageId: record.imageId, created: await containersCreated(since, until, `${ns}/`) };
  };

  beforeAll(async () => {
    ws = await createTestWorkspace();
    ns = ws.namespace;
    child = `${ns}/child`;
    original = {
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(child, [`${ns}/root`], `FROM ${ns}/root\nARG FLAVOUR=plain\nCOPY data.txt /data.txt\nRUN cat /data.txt > /copy && echo $FLAVOUR > /flavour\n`, {
        'data.txt': 'one\n',
        'notes.md': 'not sent\n',
        '.dockerignore': '*.md\n',
      }),
      [`images/${ns}/child/project.json`]: project({ FLAVOUR: 'plain' }),
    };
    await ws.write(original);
    await ws.nx(['run', `${child}:image`]);
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
  });

  it('reuses an unchanged image: no container is created', async () => {
    const result = await build();
    expect(result).toMatchObject({ status: 'reused', created: 0 });
  });

  it.each<[string, () => Promise<void>]>([
    ['the Dockerfile', () => ws.write({ [`images/${ns}/child/Dockerfile`]: `${original[`images/${ns}/child/Dockerfile`]}ENV CHANGED=1\n` })],
    ['one byte of a context file', () => ws.write({ [`images/${ns}/child/data.txt`]: 'onf\n' })],
    ['a build argument', () => ws.write({ [`images/${ns}/child/project.json`]: project({ FLAVOUR: 'spicy' }) })],
    ['the parent image', () => ws.write({ [`images/${ns}/root/Dockerfile`]: `${original[`images/${ns}/root/Dockerfile`]}ENV ROOT_CHANGED=1\n` })],
  ])('rebuilds when %s changes, and finds the earlier image when it changes back', async (_what, change) => {
    const before = await build();
    await change();
    const changed = await build();
    expect(changed.status).toBe('built');
    expect(changed.created).toBeGreaterThan(0);
    expect(changed.imageId).not.toBe(before.imageId);
    await ws.write(original);
    const back = await build();
    expect(back).toMatchObject({ status: 'reused', imageId: before.imageId, created: 0 });
  });

  it('does not rebuild when only a file the .dockerignore leaves out changes', async () => {
    const before = await build();
    await fs.writeFile(path.join(ws.root, 'images', ns, 'child', 'notes.md'), 'edited, still not sent\n');
    expect(await build()).toMatchObject({ status: 'reused', imageId: before.imageId, created: 0 });
  });

  it('IMAGE_NO_CACHE=true builds again from scratch although the inputs are the same', async () => {
    const result = await build({ IMAGE_NO_CACHE: 'true' });
    expect(result.status).toBe('built');
    expect(result.created).toBeGreaterThan(0);
  });
});
