/**
 * Speculative images through a real registry (Debian's docker-registry on
 * 127.0.0.1, with htpasswd auth): a change build pushes a chain under change
 * tags; a child is built on another engine state (local parents and records
 * gone) from the registry's speculative parent; the change is promoted
 * without a rebuild; wrong credentials push nothing; no credential is ever
 * printed.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { RegistryClient } from '@imgmono/registry';
import { docker, inspect, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { commitAll, git, initRepo, TestRegistry, startRegistry, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();
const USER = 'zuul';
const PASSWORD = 'Sup3r-S3cret-pw';

describe.skipIf(!enabled)('change build, push, dependent child, promote', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;
  let registry: TestRegistry;
  let client: RegistryClient;
  let env: Record<string, string>;
  const outputs: string[] = [];
  const figures: Record<string, number> = {};

  const nx = async (args: string[], extra: Record<string, string> = {}) => {
    const run = await ws.nx(args, { ...env, ...extra });
    outputs.push(run.output);
    return run;
  };

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-registry-');
    registry = await startRegistry(path.join(tmp, 'registry'), { username: USER, password: PASSWORD });
    client = new RegistryClient({ host: registry.host, credentials: { username: USER, password: PASSWORD, from: 'test' } });
    // credentials the way the docker CLI keeps them
    await fs.mkdir(path.join(tmp, 'docker'));
    await fs.writeFile(path.join(tmp, 'docker/config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${USER}:${PASSWORD}`).toString('base64') } } }));

    const checkout = path.join(tmp, 'tool');
    await initRepo(checkout, { 'VERSION': '1.2.0\n', 'bin/tool': '#!/bin/sh\necho tool 1.2.0\n' });
    git(checkout, 'tag', '1.2.0');

    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      'sources/tool/source.json': JSON.stringify({ url: 'file:///nowhere/tool.git', ref: '1.2.0' }),
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/middle`, [`${ns}/root`, 'tool'], `FROM ${ns}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\n`),
      ...imageProject(`${ns}/leaf`, [`${ns}/middle`], `FROM ${ns}/middle\nRUN cat /opt/tool/VERSION > /leaf-version\n`),
    });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'workspace']);
    env = { IMAGE_REGISTRY: registry.host, DOCKER_CONFIG: path.join(tmp, 'docker'), IMAGE_SOURCE_TOOL: checkout, IMAGE_SOURCES_CLONE: 'false' };
  });

  afterAll(async () => {
    registry?.stop();
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  const middleTags = (change: string) => [`change_${change}`, `change_${change}_1`, `change_${change}_1.2`, `change_${change}_1.2.0`, `change_${change}_latest`];

  it('pushes the chain under change tags and prints each digest', async () => {
    const started = Date.now();
    const run = await nx(['run-many', '-t', 'push', '--output-style=stream', '--parallel=1'], { IMAGE_CHANGE: '1001', IMAGE_RUN_ID: 'change-1001' });
    figures.pushChain = (Date.now() - started) / 1000;
    expect(run.code, run.output).toBe(0);
    const tags = await client.listTags(`${ns}/middle`);
    expect(tags.filter((tag) => tag.startsWith('change_'))).toEqual(middleTags('1001'));
    expect(tags.filter((tag) => tag.startsWith('inputs-') || tag.startsWith('sha-')).length).toBe(2);
    expect(await client.listTags(`${ns}/root`)).toEqual(expect.arrayContaining(['change_1001', 'change_1001_latest']));
    const manifest = await client.getManifest(`${ns}/middle`, 'change_1001_1.2.0');
    expect(run.output).toContain(`[${ns}/middle] pushed ${registry.host}/${ns}/middle:change_1001_1.2.0 ${manifest!.digest}`);
    expect(run.output).toContain(`[${ns}/root] tag rule '{{version}}' gives no tag: not a release build`);
    expect((await readRecord(ws, `${ns}/middle`)).version).toBe('1.2.0');
    expect((await inspect(`${ns}/middle:latest`)).Config.Labels[LABEL.version]).toBe('1.2.0');
  });

  it('builds a child on another engine state from the registry, pinned by digest to the speculative parent', async () => {
    const middleDigest = (await client.getManifest(`${ns}/middle`, 'change_1001'))!.digest;
    // another machine: no local images of the chain, no build records
    await removeNamespaceImages(ns);
    await fs.rm(path.join(ws.root, 'dist'), { recursive: true, force: true });
    const run = await nx(['run', `${ns}/leaf:image`, '--exclude-task-dependencies', '--output-style=stream'], { IMAGE_CHANGE: '1001', IMAGE_RUN_ID: 'child-job' });
    expect(run.code, run.output).toBe(0);
    const leaf = await readRecord(ws, `${ns}/leaf`);
    const parent = (leaf.parents as Array<Record<string, string>>)[0];
    expect(parent).toMatchObject({ project: `${ns}/middle`, origin: 'registry-change', reference: `${registry.host}/${ns}/middle@${middleDigest}` });
    expect(parent.reason).toBe('not built in this run; change 1001 has a speculative image');
    const leafImage = await inspect(leaf.imageId as string);
    expect(leafImage.Config.Labels[LABEL.baseDigest]).toBe(parent.imageId);
    const middleImage = await inspect(parent.imageId);
    expect(leafImage.RootFS.Layers!.slice(0, middleImage.RootFS.Layers!.length)).toEqual(middleImage.RootFS.Layers);
  });

  it('promotes without pulling or rebuilding: every change_1001_<tag> becomes <tag>, change tags removed', async () => {
    const changeDigest = (await client.getManifest(`${ns}/middle`, 'change_1001'))!.digest;
    const namespaceImages = async () =>
      (await docker.listImages({ all: true }))
        .filter((image) => (image.Labels?.[LABEL.project] ?? '').startsWith(`${ns}/`) || (image.RepoTags ?? []).some((tag) => tag.includes(`/${ns}/`)))
        .map((image) => image.Id)
        .sort();
    const imagesBefore = await namespaceImages();
    const started = Date.now();
    const run = await nx(['run-many', '-t', 'promote', `--projects=${ns}/*`, '--removeChangeTags', '--output-style=stream'], { IMAGE_CHANGE: '1001' });
    figures.promoteChain = (Date.now() - started) / 1000;
    expect(run.code, run.output).toBe(0);
    const tags = await client.listTags(`${ns}/middle`);
    expect(tags.filter((tag) => !tag.startsWith('inputs-') && !tag.startsWith('sha-'))).toEqual(['1', '1.2', '1.2.0', 'latest']);
    for (const tag of ['1', '1.2', '1.2.0', 'latest']) expect((await client.getManifest(`${ns}/middle`, tag))!.digest).toBe(changeDigest);
    expect(await client.listTags(`${ns}/root`)).toEqual(expect.arrayContaining(['latest']));
    expect((await client.listTags(`${ns}/root`)).some((tag) => tag.startsWith('change_'))).toBe(false);
    expect(await namespaceImages()).toEqual(imagesBefore); // nothing pulled, nothing built
    console.log(`registry figures: push of the 3-image chain (build included) ${figures.pushChain.toFixed(1)} s, promote ${figures.promoteChain.toFixed(1)} s`);
  });

  it('a child of a change with no speculative parent takes the released parent, and says why', async () => {
    await fs.rm(path.join(ws.root, 'dist'), { recursive: true, force: true });
    const run = await nx(['run', `${ns}/leaf:image`, '--exclude-task-dependencies', '--output-style=stream'], { IMAGE_CHANGE: '2002', IMAGE_RUN_ID: 'other-change' });
    expect(run.code, run.output).toBe(0);
    const parent = ((await readRecord(ws, `${ns}/leaf`)).parents as Array<Record<string, string>>)[0];
    expect(parent.origin).toBe('registry-release');
    expect(parent.reference).toBe(`${registry.host}/${ns}/middle@${(await client.getManifest(`${ns}/middle`, 'latest'))!.digest}`);
    expect(parent.reason).toBe('not built in this run; change 2002 has no image of it, so the released one is used');
  });

  it('wrong credentials give a clear error and push nothing', async () => {
    const before = await client.listTags(`${ns}/leaf`);
    const run = await nx(['run', `${ns}/leaf:push`, '--output-style=stream'], {
      IMAGE_CHANGE: '3003',
      IMAGE_REGISTRY_USERNAME: USER,
      IMAGE_REGISTRY_PASSWORD: 'wrong-Pa55word-xyz',
    });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`${registry.host}: the credentials from IMAGE_REGISTRY_USERNAME/PASSWORD were refused (GET /v2/)`);
    expect(await client.listTags(`${ns}/leaf`)).toEqual(before);
    expect(run.output).not.toContain('wrong-Pa55word-xyz');
  });

  it('never prints a credential, in any run', () => {
    const all = outputs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});

describe.skipIf(!enabled)('a registry without auth', () => {
  it('takes a push with no credentials at all', async () => {
    const tmp = await makeTempDir('imgmono-registry-open-');
    const registry = await startRegistry(path.join(tmp, 'registry'));
    const ws = await createTestWorkspace();
    try {
      await ws.write(busyboxRoot(`${ws.namespace}/root`));
      const run = await ws.nx(['run', `${ws.namespace}/root:push`, '--output-style=stream'], {
        IMAGE_REGISTRY: registry.host,
        IMAGE_RELEASE: 'true',
        DOCKER_CONFIG: path.join(tmp, 'no-docker-config'),
      });
      expect(run.code, run.output).toBe(0);
      expect(await new RegistryClient({ host: registry.host }).listTags(`${ws.namespace}/root`)).toEqual(expect.arrayContaining(['latest']));
    } finally {
      registry.stop();
      await removeNamespaceImages(ws.namespace);
      await ws.remove();
      await removeDir(tmp);
    }
  });
});

describe.skipIf(!enabled)('custom moving tags never go back', () => {
  // tagRules with a moving tag of the workspace's own shape ({{major}}-bookworm): it moves like {{major}}, and is guarded like it
  const RULES = ['{{version}}', '{{major}}', '{{major}}-bookworm', 'latest', 'change_{{change}}', 'change_{{change}}_{{tag}}'];
  let ws: TestWorkspace;
  let tmp: string;
  let registry: TestRegistry;
  let client: RegistryClient;
  let checkout: string;
  let project: string;
  const digestOf = async (tag: string) => (await client.getManifest(project, tag))?.digest;
  const release = async (version: string, extra: Record<string, string> = {}) => {
    await commitAll(checkout, { VERSION: `${version}\n` }, `release ${version}`);
    git(checkout, 'tag', version);
    return ws.nx(['run', `${project}:push`, '--output-style=stream'], {
      IMAGE_REGISTRY: registry.host,
      IMAGE_SOURCE_TOOL: checkout,
      IMAGE_SOURCES_CLONE: 'false',
      DOCKER_CONFIG: path.join(tmp, 'no-docker-config'),
      IMAGE_RELEASE: 'true',
      ...extra,
    });
  };

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-moving-');
    registry = await startRegistry(path.join(tmp, 'registry'));
    client = new RegistryClient({ host: registry.host });
    checkout = path.join(tmp, 'tool');
    await initRepo(checkout, { VERSION: '0\n' });
    ws = await createTestWorkspace();
    project = `${ws.namespace}/tool`;
    const nxJson = JSON.parse(await fs.readFile(path.join(REPO_ROOT, 'nx.json'), 'utf8'));
    nxJson.plugins[0].options.tagRules = RULES;
    await ws.write({
      'nx.json': JSON.stringify(nxJson, null, 2),
      'sources/tool/source.json': JSON.stringify({ url: 'file:///nowhere/tool.git', ref: 'master' }),
      ...busyboxRoot(`${ws.namespace}/root`),
      ...imageProject(project, [`${ws.namespace}/root`, 'tool'], `FROM ${ws.namespace}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\n`),
    });
  });

  afterAll(async () => {
    registry?.stop();
    await removeNamespaceImages(ws.namespace);
    await ws?.remove();
    await removeDir(tmp);
  });

  it('a release of 1.1.5 after 1.2.0 moves no moving tag back, {{major}}-bookworm included, and says why', async () => {
    const first = await release('1.2.0');
    expect(first.code, first.output).toBe(0);
    const v120 = await digestOf('1.2.0');
    for (const tag of ['1', '1-bookworm', 'latest']) expect(await digestOf(tag), tag).toBe(v120);

    const second = await release('1.1.5');
    expect(second.code, second.output).toBe(0);
    expect(await digestOf('1.1.5')).toBeDefined();
    expect(await digestOf('1.1.5')).not.toBe(v120);
    for (const tag of ['1', '1-bookworm', 'latest']) expect(await digestOf(tag), tag).toBe(v120);
    expect(second.output).toContain(`tag rule '{{major}}-bookworm' gives no tag: 1.1.5 is lower than 1.2.0, already published as '1-bookworm'`);
    expect(second.output).not.toContain(':1-bookworm sha256');
  });

  it('promote checks moving tags again: a change pushed at 1.3.0 does not take 1-bookworm back from a 1.4.0 released meanwhile', async () => {
    const change = await release('1.3.0', { IMAGE_RELEASE: 'false', IMAGE_CHANGE: '4004' });
    expect(change.code, change.output).toBe(0);
    expect(await digestOf('change_4004_1-bookworm')).toBeDefined();
    const meanwhile = await release('1.4.0');
    expect(meanwhile.code, meanwhile.output).toBe(0);
    const v140 = await digestOf('1.4.0');
    const promote = await ws.nx(['run', `${project}:promote`, '--output-style=stream'], { IMAGE_REGISTRY: registry.host, IMAGE_CHANGE: '4004', DOCKER_CONFIG: path.join(tmp, 'no-docker-config') });
    expect(promote.code, promote.output).toBe(0);
    expect(await digestOf('1.3.0')).toBe(await digestOf('change_4004'));
    for (const tag of ['1', '1-bookworm', 'latest']) expect(await digestOf(tag), tag).toBe(v140);
    expect(promote.output).toContain(`kept ${registry.host}/${project}:1-bookworm where it is: 1.3.0 is lower than 1.4.0, already published as '1-bookworm'`);
  });
});
