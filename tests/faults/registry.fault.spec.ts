/**
 * Registry faults, on a real registry (Debian's docker-registry on 127.0.0.1)
 * behind a loopback proxy made by the test: a registry that is down, one that
 * answers 500 for a while or for good, connections closed in the middle of a
 * push, and a promote that fails part-way. Afterwards: a clear error naming
 * the registry, retries only where they are safe, no tag pointing at a
 * partial image, and release tags either all moved or all where they were.
 */
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '@imgmono/registry';
import { integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { FaultProxy, startFaultProxy, git, initRepo, TestRegistry, freePort, startRegistry, makeTempDir, removeDir, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';

const enabled = await integrationEnabled();
const RELEASE_TAGS = ['1', '1.2', '1.2.0', 'latest'];

describe.skipIf(!enabled)('registry faults', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;
  let registry: TestRegistry;
  let proxy: FaultProxy;
  let direct: RegistryClient;
  let env: Record<string, string>;
  let app: string;

  /** Every blob a tag's manifest names is in the registry: the tag points at a whole image. */
  const assertComplete = async (tag: string) => {
    const manifest = await direct.getManifest(app, tag);
    expect(manifest, `${app}:${tag}`).toBeDefined();
    const body = JSON.parse(manifest!.body.toString('utf8')) as { config: { digest: string }; layers: Array<{ digest: string }> };
    for (const digest of [body.config.digest, ...body.layers.map((layer) => layer.digest)]) {
      const response = await fetch(`http://${registry.host}/v2/${app}/blobs/${digest}`, { method: 'HEAD' });
      expect(response.status, `${app}:${tag} names blob ${digest}`).toBe(200);
    }
  };
  const changeTags = async (change: string) => (await direct.listTags(app).catch(() => [] as string[])).filter((tag) => tag.startsWith(`change_${change}`));
  const push = (change: string, extra: Record<string, string> = {}) =>
    ws.nx(['run', `${app}:push`, '--output-style=stream'], { ...env, IMAGE_REGISTRY: proxy.host, IMAGE_CHANGE: change, ...extra });
  const promote = (change: string) => ws.nx(['run', `${app}:promote`, '--output-style=stream'], { ...env, IMAGE_REGISTRY: proxy.host, IMAGE_CHANGE: change });

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-regfault-');
    registry = await startRegistry(path.join(tmp, 'registry'));
    direct = new RegistryClient({ host: registry.host });
    proxy = await startFaultProxy(registry.host);
    const checkout = path.join(tmp, 'tool');
    await initRepo(checkout, { VERSION: '1.2.0\n' });
    git(checkout, 'tag', '1.2.0');
    ws = await createTestWorkspace();
    ns = ws.namespace;
    app = `${ns}/app`;
    await ws.write({
      'sources/tool/source.json': JSON.stringify({ url: 'file:///nowhere/tool.git', ref: '1.2.0' }),
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(app, [`${ns}/root`, 'tool'], `FROM ${ns}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\nRUN echo one > /state\n`),
    });
    env = { IMAGE_SOURCE_TOOL: checkout, IMAGE_SOURCES_CLONE: 'false', DOCKER_CONFIG: path.join(tmp, 'no-docker-config') };
    const built = await ws.nx(['run', `${app}:image`, '--output-style=stream'], env);
    expect(built.code, built.output).toBe(0);
  });

  afterEach(() => proxy.reset());

  afterAll(async () => {
    await proxy?.close();
    registry?.stop();
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  it('a registry that is down: the error names it, and nothing is pushed', async () => {
    const nowhere = `127.0.0.1:${await freePort()}`;
    const run = await push('501', { IMAGE_REGISTRY: nowhere });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`${nowhere}: the registry does not answer (GET /v2/: ECONNREFUSED (connect ECONNREFUSED ${nowhere}), 3 attempts): check that it runs and that IMAGE_REGISTRY names it`);
    expect(run.output).not.toContain('internal error');
    expect(await changeTags('501')).toEqual([]);
  });

  it('a registry answering 500 for good: retried, then a clear error, and nothing is pushed', async () => {
    proxy.rule = () => ({ status: 500 });
    const run = await push('502');
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`${proxy.host}: GET /v2/ answered 500 (3 attempts): UNKNOWN fault injected by the test proxy (500)`);
    expect(proxy.log.filter((request) => request.kind === 'ping').length).toBe(3);
    expect(await changeTags('502')).toEqual([]);
  });

  it('a registry answering 500 for a moment: the safe requests are retried and the push succeeds', async () => {
    proxy.rule = (request) => (request.kind === 'ping' && request.seen < 2 ? { status: 500 } : 'pass');
    const run = await push('503');
    expect(run.code, run.output).toBe(0);
    expect(proxy.log.filter((request) => request.action === '500').length).toBe(2);
    expect(await changeTags('503')).toEqual(['change_503', 'change_503_1', 'change_503_1.2', 'change_503_1.2.0', 'change_503_latest']);
    for (const tag of await changeTags('503')) await assertComplete(tag);
  });

  it('a connection closed in the middle of a layer upload: the engine uploads again, and every tag is a whole image', async () => {
    // a new layer, so there is something to upload
    await ws.write({ [`images/${app}/Dockerfile`]: `FROM ${ns}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\nRUN echo two > /state\n` });
    proxy.rule = (request) => (request.kind === 'blob-upload' && request.seen === 0 ? 'drop' : 'pass');
    const run = await push('504');
    expect(run.code, run.output).toBe(0);
    expect(proxy.log.filter((request) => request.action === 'drop').length).toBe(1);
    expect(await changeTags('504')).toHaveLength(5);
    for (const tag of await changeTags('504')) await assertComplete(tag);
  });

  it('connections closed on every manifest upload: a clear error, and no tag in the registry points at the new image', async () => {
    await ws.write({ [`images/${app}/Dockerfile`]: `FROM ${ns}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\nRUN echo three > /state\n` });
    proxy.rule = (request) => (request.kind === 'manifest-put' ? 'drop' : 'pass');
    const run = await push('505');
    expect(run.code).not.toBe(0);
    expect(run.output).toMatch(new RegExp(`push of ${proxy.host}/${app}:change_505 failed: .*(EOF|connection reset|broken pipe)`));
    expect(run.output).not.toContain('internal error');
    expect(await changeTags('505')).toEqual([]);
  });

  it('a promote that fails part-way puts back every release tag it moved, and a second promote moves them all', async () => {
    const first = await promote('503');
    expect(first.code, first.output).toBe(0);
    const released = (await direct.getManifest(app, 'latest'))!.digest;
    const candidate = (await direct.getManifest(app, 'change_504'))!.digest;
    expect(candidate).not.toBe(released);

    // the second release tag's manifest upload fails for good; putting tags back still works
    let releasePuts = 0;
    proxy.rule = (request) => {
      if (request.kind !== 'manifest-put' || !request.path.endsWith('/manifests/1.2')) return 'pass';
      releasePuts++;
      return { status: 500 };
    };
    const failed = await promote('504');
    expect(failed.code).not.toBe(0);
    expect(releasePuts).toBe(3); // a manifest upload is idempotent: retried
    expect(failed.output).toContain('promote failed');
    expect(failed.output).toContain('1 tag(s) put back as they were');
    for (const tag of RELEASE_TAGS) expect((await direct.getManifest(app, tag))!.digest, tag).toBe(released);

    proxy.rule = () => 'pass';
    const again = await promote('504');
    expect(again.code, again.output).toBe(0);
    // the same promote failed, then succeeded: the registry decided, and Nx's task history must not call it flaky
    expect(again.output).not.toMatch(/flaky task/i);
    for (const tag of RELEASE_TAGS) {
      expect((await direct.getManifest(app, tag))!.digest, tag).toBe(candidate);
      await assertComplete(tag);
    }
  });
});
