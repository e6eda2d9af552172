/**
 * Sources against a real engine: a chain whose middle image installs a
 * test-made Python package from a checkout outside the workspace; the clone
 * of the pinned ref, a handed-over checkout, a change to it rebuilding the
 * middle image and its child, and a missing source offline and in CI.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspect, integrationEnabled, removeNamespaceImages, runInImage } from '@imgmono/test-engine';
import { bareMirror, commitAll, git, initRepo, pythonPackage, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('sources in image builds', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;
  let upstreamWork: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-sources-');
    upstreamWork = path.join(tmp, 'upstream');
    await initRepo(upstreamWork, pythonPackage('testpkg', 'testpkg', '1.0.0', ['testpkg']));
    git(upstreamWork, 'tag', '1.0.0');
    const url = bareMirror(upstreamWork, path.join(tmp, 'testpkg.git'));

    ws = await createTestWorkspace();
    ns = ws.namespace;
    const installSources = await fs.readFile(path.join(REPO_ROOT, 'images/opendev/python-base/install-sources'), 'utf8');
    await ws.write({
      'sources/testpkg/source.json': JSON.stringify({ url, ref: '1.0.0' }),
      ...imageProject(`${ns}/root`, [], 'FROM scratch\nADD rootfs.tar /\nCOPY install-sources /usr/local/bin/install-sources\nENV PIP_BREAK_SYSTEM_PACKAGES=1\n', {
        'rootfs.json': JSON.stringify({ suite: 'bookworm', variant: 'minbase', include: ['python3-pip', 'python3-setuptools', 'python3-wheel'] }),
        'install-sources': installSources,
      }),
      ...imageProject(
        `${ns}/middle`,
        [`${ns}/root`, 'testpkg'],
        `FROM ${ns}/root\nARG ZUUL_SIBLINGS\nARG SOURCE_VERSIONS\nCOPY .zuul-siblings/ /tmp/sources/\nRUN sh /usr/local/bin/install-sources /tmp/sources && rm -rf /tmp/sources\n`,
      ),
      ...imageProject(`${ns}/leaf`, [`${ns}/middle`], `FROM ${ns}/middle\nRUN testpkg from-leaf > /leaf.txt\n`),
    });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'workspace']);
    // no sibling checkouts next to the test workspace; the clone cache is the test's own
    env = { IMAGE_SOURCES_SIBLINGS: path.join(tmp, 'siblings'), IMAGE_SOURCES_CACHE: path.join(tmp, 'cache'), IMAGE_SOURCES_STRICT: 'false' };
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  const leafSays = async () => (await runInImage(`${ns}/leaf:latest`, ['cat', '/leaf.txt'])).output.trim();

  it('builds from a clone of the pinned ref when no checkout is handed over, and labels the revision', async () => {
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream'], env);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`[${ns}/middle] source testpkg: clone of file://${tmp}/testpkg.git at 1.0.0`);
    expect(await leafSays()).toBe('testpkg 1.0.0 from-leaf');
    const middle = await readRecord(ws, `${ns}/middle`);
    const revision = git(upstreamWork, 'rev-parse', '1.0.0');
    expect(middle.sources).toEqual([
      { name: 'testpkg', origin: 'clone', dir: path.join(tmp, 'cache/testpkg/1.0.0'), url: `file://${tmp}/testpkg.git`, revision, version: '1.0.0' },
    ]);
    const labels = (await inspect(`${ns}/middle:latest`)).Config.Labels;
    expect(labels['io.imgmono.source.testpkg.revision']).toBe(revision);
    expect(labels['io.imgmono.source.testpkg.version']).toBe('1.0.0');
  });

  it('installs a handed-over checkout, and a change to it rebuilds the middle image and its child', async () => {
    const checkout = path.join(tmp, 'zuul', 'testpkg');
    await fs.mkdir(path.dirname(checkout), { recursive: true });
    git(tmp, 'clone', '-q', upstreamWork, checkout);
    const handed = { ...env, IMAGE_SOURCE_TESTPKG: checkout };
    const before = await readRecord(ws, `${ns}/middle`);

    const same = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream'], handed);
    expect(same.code, same.output).toBe(0);
    expect(same.output).toContain(`[${ns}/middle] source testpkg: IMAGE_SOURCE_TESTPKG=${checkout}, version 1.0.0`);
    expect(same.output).toContain(`[${ns}/middle] reused ${before.imageId}`); // same files, same commit: same image

    await commitAll(checkout, pythonPackage('testpkg', 'testpkg', '1.1.0', ['testpkg']), 'bump to 1.1.0');
    const changed = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream'], handed);
    expect(changed.code, changed.output).toBe(0);
    expect(changed.output).toMatch(new RegExp(`\\[${ns}/root\\] reused`));
    expect(changed.output).toMatch(new RegExp(`\\[${ns}/middle\\] built`));
    expect(changed.output).toMatch(new RegExp(`\\[${ns}/leaf\\] built`));
    expect(await leafSays()).toBe('testpkg 1.1.0 from-leaf');
    const labels = (await inspect(`${ns}/middle:latest`)).Config.Labels;
    expect(labels['io.imgmono.source.testpkg.revision']).toBe(git(checkout, 'rev-parse', 'HEAD'));
    expect(labels['io.imgmono.source.testpkg.version']).toBe('1.0.1.dev1');
  });

  it('an uncommitted one-line change in the checkout is sent too', async () => {
    const checkout = path.join(tmp, 'zuul', 'testpkg');
    await fs.writeFile(path.join(checkout, 'testpkg/cli.py'), "def main():\n    print('uncommitted')\n");
    const run = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream'], { ...env, IMAGE_SOURCE_TESTPKG: checkout });
    expect(run.code, run.output).toBe(0);
    expect(await leafSays()).toBe('uncommitted');
    expect((await readRecord(ws, `${ns}/middle`)).sources).toMatchObject([{ version: '1.0.1.dev1+dirty' }]);
  });

  it('offline, an unobtainable source leaves its images unbuilt and named; with CI=true it is an error', async () => {
    const offline = { ...env, IMAGE_SOURCES_CLONE: 'false', IMAGE_RUN_ID: 'offline-run' };
    const leafBefore = (await inspect(`${ns}/leaf:latest`)).Id;
    const run = await ws.nx(['run-many', '-t', 'image', '--output-style=stream'], offline);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`[${ns}/middle] not built: source testpkg could not be obtained; tried: IMAGE_SOURCE_TESTPKG (not set)`);
    expect(run.output).toContain(`[${ns}/leaf] not built: parent ${ns}/middle was not built`);
    expect((await readRecord(ws, `${ns}/leaf`)).fix).toMatch(/^git clone file:\/\/.*testpkg.git .*siblings\/testpkg \(or set IMAGE_SOURCE_TESTPKG=\/path\/to\/checkout\)$/);
    expect((await inspect(`${ns}/leaf:latest`)).Id).toBe(leafBefore); // nothing retagged

    const strict = await ws.nx(['run', `${ns}/leaf:image`, '--output-style=stream'], { ...offline, IMAGE_SOURCES_STRICT: 'true' });
    expect(strict.code).not.toBe(0);
    expect(strict.output).toContain(`${ns}/middle: source testpkg could not be obtained`);
    expect(strict.output).toContain('CI mode: every source must be obtainable');
  });

  it('nx show projects --affected after a change to the source declaration lists the images that install it and those above', async () => {
    await ws.write({ 'sources/testpkg/source.json': JSON.stringify({ url: 'file:///elsewhere/testpkg.git', ref: '1.1.0' }) });
    try {
      const run = await ws.nx(['show', 'projects', '--affected', '--base=HEAD', '-t', 'image', '--json']);
      expect(run.code, run.output).toBe(0);
      expect((JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).sort()).toEqual([`${ns}/leaf`, `${ns}/middle`]);
    } finally {
      await ws.git(['checkout', '--', 'sources']);
    }
  });
});
