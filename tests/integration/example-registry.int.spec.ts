/**
 * The example chain itself (debian/bookworm -> opendev/python-base ->
 * opendev/openstacksdk -> opendev/diskimage-builder) through a real local
 * registry: change build and push under change tags, a dependent child built
 * in another run from the registry's speculative parent (pinned by digest),
 * then promote without a rebuild. Local tags stay untouched (IMAGE_TAGS).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '@imgmono/registry';
import { docker, integrationEnabled } from '@imgmono/test-engine';
import { failureReport, TestRegistry, startRegistry, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, createTestWorkspace, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();
const CHAIN = ['debian/bookworm', 'opendev/python-base', 'opendev/openstacksdk', 'opendev/diskimage-builder'];

describe.skipIf(!enabled)('the example chain through a registry', () => {
  let ws: TestWorkspace;
  let tmp: string;
  let registry: TestRegistry;
  let client: RegistryClient;
  let env: Record<string, string>;
  const seconds: Record<string, number> = {};

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-example-registry-');
    registry = await startRegistry(path.join(tmp, 'registry'));
    client = new RegistryClient({ host: registry.host });
    ws = await createTestWorkspace();
    for (const part of ['images', 'sources', 'namespaces.json']) await fs.cp(path.join(REPO_ROOT, part), path.join(ws.root, part), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'example workspace']);
    env = { IMAGE_REGISTRY: registry.host, IMAGE_TAGS: 'example-registry-test', IMAGE_SOURCES_CLONE: 'false', IMAGE_SOURCES_STRICT: 'false' };
  });

  afterAll(async () => {
    registry?.stop();
    for (const image of CHAIN) {
      await docker.getImage(`${image}:example-registry-test`).remove({ noprune: true }).catch(() => undefined);
      const tags = (await docker.listImages({ filters: { reference: [`${registry?.host}/${image}`] } })).flatMap((i) => i.RepoTags ?? []);
      for (const tag of tags) await docker.getImage(tag).remove({ noprune: true }).catch(() => undefined);
    }
    await ws?.remove();
    await removeDir(tmp);
  });

  it('change 4242 builds the chain and pushes it under change tags', async () => {
    const started = Date.now();
    const run = await ws.nx(['run-many', '-t', 'push', `--projects=${CHAIN.join(',')}`, '--output-style=stream'], { ...env, IMAGE_CHANGE: '4242', IMAGE_RUN_ID: 'change-4242' });
    seconds.push = (Date.now() - started) / 1000;
    expect(run.code, failureReport(run.output, 3000)).toBe(0);
    for (const image of CHAIN) expect(await client.listTags(image)).toEqual(expect.arrayContaining(['change_4242', 'change_4242_latest']));
  });

  it('another run builds opendev/diskimage-builder on the speculative opendev/openstacksdk from the registry', async () => {
    await fs.rm(path.join(ws.root, 'dist'), { recursive: true, force: true }); // another job: no records of the parent's build
    const run = await ws.nx(['run', 'opendev/diskimage-builder:image', '--exclude-task-dependencies', '--output-style=stream'], { ...env, IMAGE_CHANGE: '4242', IMAGE_RUN_ID: 'child-job' });
    expect(run.code, failureReport(run.output, 3000)).toBe(0);
    const parent = ((await readRecord(ws, 'opendev/diskimage-builder')).parents as Array<Record<string, string>>)[0];
    const digest = (await client.getManifest('opendev/openstacksdk', 'change_4242'))!.digest;
    expect(parent).toMatchObject({ project: 'opendev/openstacksdk', origin: 'registry-change', reference: `${registry.host}/opendev/openstacksdk@${digest}` });
  });

  it('promote moves latest of every image to the change digest without a rebuild, and drops the change tags', async () => {
    const digests = Object.fromEntries(await Promise.all(CHAIN.map(async (image) => [image, (await client.getManifest(image, 'change_4242'))!.digest])));
    const started = Date.now();
    const run = await ws.nx(['run-many', '-t', 'promote', `--projects=${CHAIN.join(',')}`, '--removeChangeTags', '--output-style=stream'], { ...env, IMAGE_CHANGE: '4242' });
    seconds.promote = (Date.now() - started) / 1000;
    expect(run.code, failureReport(run.output, 3000)).toBe(0);
    expect(run.output).not.toMatch(/Step \d+\/\d+/);
    for (const image of CHAIN) {
      expect((await client.getManifest(image, 'latest'))!.digest).toBe(digests[image]);
      expect((await client.listTags(image)).filter((tag) => tag.startsWith('change_'))).toEqual([]);
    }
    console.log(`example chain through the registry: push (builds included) ${seconds.push.toFixed(1)} s, promote ${seconds.promote.toFixed(1)} s`);
  });
});
