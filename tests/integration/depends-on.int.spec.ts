/**
 * Depends-On with real code: the example workspace as committed, built from
 * real upstream checkouts of openstacksdk, diskimage-builder and nodepool
 * (the bundles in ../shared/upstream, cloned the way a Zuul job lays them
 * out: src/<canonical name>), handed over in one Zuul projects file.
 *
 * 1. An openstacksdk change alone (one commit adding a module) makes
 *    `nx affected -t image` select exactly the images that install
 *    openstacksdk and the images above them; running it rebuilds exactly
 *    those, and reuses the rest.
 * 2. A nodepool change that depends on it (it imports the new module) is
 *    handed over with it: opendev/nodepool-builder and zuul/nodepool-launcher
 *    carry both changes, numbered as pbr numbers them (0.103.1.dev1,
 *    10.0.1.dev1), their image tests pass on them, and the static-driver
 *    scenario passes on this launcher.
 * 3. A diskimage-builder change joins them: nodepool's functional job
 *    (scenarios/nodepool-openstack: build with diskimage-builder, upload to
 *    Glance, boot on Nova) passes on images that carry all three changes.
 * 4. A change that breaks any one of the three fails that scenario, and the
 *    output shows the broken project's own log (diskimage-builder's build
 *    log, the launcher's log with openstacksdk's or nodepool's error).
 *    Each broken change is then dropped (git reset), and the images of the
 *    previous state are reused.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, inspect, integrationEnabled, runInImage } from '@imgmono/test-engine';
import { failureReport, commitAll, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, createTestWorkspace, readRecord, UPSTREAM, cloneUpstream, upstreamMissing, writeProjectsFile } from '@imgmono/testing';

const enabled = (await integrationEnabled()) && upstreamMissing(['nodepool', 'openstacksdk', 'diskimage-builder']) === undefined;
const TAG = 'depends-on-test';
const SDK_IMAGES = ['opendev/openstacksdk', 'opendev/diskimage-builder', 'opendev/nodepool-builder', 'zuul/nodepool-builder', 'zuul/nodepool-launcher'];
const TEST_IMAGES = ['test/zookeeper', 'test/ssh-node', 'test/keystone', 'test/openstack', 'test/debian-mirror'];
const ALL_IMAGES = ['debian/bookworm', 'opendev/python-base', ...SDK_IMAGES, ...TEST_IMAGES];
const FUNCTIONAL = 'scenarios/nodepool-openstack';

describe.skipIf(!enabled)('Depends-On with real upstream code', () => {
  let ws: TestWorkspace;
  let tmp: string;
  let checkouts: Record<'nodepool' | 'openstacksdk' | 'diskimage-builder', string>;
  let env: Record<string, string>;
  const outputs: string[] = [];
  const nx = async (args: string[]) => {
    const run = await ws.nx([...args, '--output-style=stream'], env);
    outputs.push(run.output);
    return run;
  };

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-depends-on-');
    const src = path.join(tmp, 'src');
    checkouts = {
      nodepool: await cloneUpstream('nodepool', src),
      openstacksdk: await cloneUpstream('openstacksdk', src),
      'diskimage-builder': await cloneUpstream('diskimage-builder', src),
    };
    const projectsFile = path.join(tmp, 'projects.json');
    await writeProjectsFile(projectsFile, Object.fromEntries(Object.entries(checkouts).map(([name, dir]) => [UPSTREAM[name as keyof typeof checkouts].project, dir])));
    env = {
      IMAGE_SOURCES_PROJECTS: projectsFile,
      IMAGE_SOURCES_CLONE: 'false',
      IMAGE_SOURCES_SIBLINGS: path.join(tmp, 'no-siblings'),
      IMAGE_SOURCES_STRICT: 'true',
      IMAGE_TAGS: TAG,
      NX_BATCH_MODE: 'true',
    };
    ws = await createTestWorkspace();
    for (const item of ['images', 'sources', 'scenarios', 'namespaces.json']) await fs.cp(path.join(REPO_ROOT, item), path.join(ws.root, item), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'example workspace']);
    // the released checkouts: every image of the nodepool chains (reused when the main job built them already)
    const baseline = await nx(['run-many', '-t', 'image', `--projects=${ALL_IMAGES.join(',')}`]);
    expect(baseline.code, failureReport(baseline.output, 4000)).toBe(0);
  });

  afterAll(async () => {
    for (const image of ALL_IMAGES) {
      const record = await readRecord(ws, image).catch(() => undefined);
      await docker.getImage(`${image}:${TAG}`).remove({ noprune: true }).catch(() => undefined);
      if (record?.status === 'built') await docker.getImage(record.imageId as string).remove().catch(() => undefined);
    }
    await ws?.remove();
    await removeDir(tmp);
  });

  it('the released checkouts build every image, named by their release versions', async () => {
    const labels = (await inspect(`zuul/nodepool-launcher:${TAG}`)).Config.Labels;
    expect(labels['io.imgmono.source.nodepool.version']).toBe('10.0.0');
    expect(labels['io.imgmono.source.openstacksdk.version']).toBe('0.103.0');
    expect((await runInImage(`opendev/nodepool-builder:${TAG}`, ['disk-image-create', '--version'])).output.trim()).toBe('3.27.0');
  });

  it('an openstacksdk change alone: nx affected selects, and rebuilds, exactly the images that install it and those above them', async () => {
    await commitAll(checkouts.openstacksdk, { 'openstack/depends_on.py': 'CHANGE = "openstacksdk change under test"\n' }, 'Add a module the nodepool change uses');
    const selected = await ws.nx(['show', 'projects', '--affected', '-t', 'image', '--files=sources/openstacksdk/source.json', '--json'], env);
    expect((JSON.parse(selected.output.slice(selected.output.indexOf('['))) as string[]).sort()).toEqual([...SDK_IMAGES].sort());
    const run = await nx(['affected', '-t', 'image', '--files=sources/openstacksdk/source.json']);
    expect(run.code, failureReport(run.output, 4000)).toBe(0);
    for (const image of SDK_IMAGES) expect((await readRecord(ws, image)).status, image).toBe('built');
    for (const image of ['debian/bookworm', 'opendev/python-base']) expect((await readRecord(ws, image)).status, image).toBe('reused');
    expect(run.output).not.toContain('[test/');
    const labels = (await inspect(`opendev/diskimage-builder:${TAG}`)).Config.Labels;
    expect(labels['io.imgmono.source.openstacksdk.version']).toBe('0.103.1.dev1');
  });

  it('a nodepool change that depends on it: both changes are inside the images, their image tests and the static-driver scenario pass on them', async () => {
    await commitAll(
      checkouts.nodepool,
      { 'nodepool/depends_on.py': 'from openstack.depends_on import CHANGE as OPENSTACKSDK_CHANGE\n\n\ndef describe():\n    return f"nodepool change, depends on: {OPENSTACKSDK_CHANGE}"\n' },
      'Use the openstacksdk change\n\nDepends-On: https://review.opendev.org/c/openstack/openstacksdk/+/1',
    );
    const run = await nx(['run-many', '-t', 'image-test', '--projects=opendev/nodepool-builder,zuul/nodepool-launcher,scenarios/nodepool-static']);
    expect(run.code, failureReport(run.output, 8000)).toBe(0);
    for (const image of ['opendev/nodepool-builder', 'zuul/nodepool-launcher']) {
      const labels = (await inspect(`${image}:${TAG}`)).Config.Labels;
      expect(labels['io.imgmono.source.nodepool.version'], image).toBe('10.0.1.dev1');
      expect(labels['io.imgmono.source.openstacksdk.version'], image).toBe('0.103.1.dev1');
      expect(run.output).toMatch(new RegExp(`\\[${image}\\] image-test: \\d+ passed, 0 failed`));
      expect(run.output).toContain(`[${image}] PASS command "nodepool --version gives the checkout's version, as pbr numbers it"`);
      expect(run.output).toContain(`[${image}] PASS command "import openstack gives the handed-over checkout's version"`);
      const uses = await runInImage(`${image}:${TAG}`, ['python3', '-c', 'import nodepool.depends_on as change; print(change.describe())']);
      expect(uses, image).toEqual({ exitCode: 0, output: 'nodepool change, depends on: openstacksdk change under test\n' });
    }
    expect(run.output).toMatch(/\[scenarios\/nodepool-static\] image-test: \d+ passed, 0 failed/);
    expect(run.output).toContain('[scenarios/nodepool-static] PASS command "a node request made as Zuul makes it is fulfilled with the static node, which is ready again once returned"');
  });

  it('a diskimage-builder change joins them: nodepool builds, uploads and boots on images that carry all three changes', async () => {
    await commitAll(checkouts['diskimage-builder'], { 'diskimage_builder/depends_on.py': 'CHANGE = "diskimage-builder change under test"\n' }, 'Add a module\n\nDepends-On: https://review.opendev.org/c/zuul/nodepool/+/2');
    const run = await nx(['run', `${FUNCTIONAL}:image-test`]);
    expect(run.code, failureReport(run.output, 8000)).toBe(0);
    const labels = (await inspect(`opendev/nodepool-builder:${TAG}`)).Config.Labels;
    expect([labels['io.imgmono.source.nodepool.version'], labels['io.imgmono.source.openstacksdk.version'], labels['io.imgmono.source.diskimage-builder.version']]).toEqual(['10.0.1.dev1', '0.103.1.dev1', '3.27.1.dev1']);
    expect(run.output).toContain(`[${FUNCTIONAL}] PASS command "the images carry this run's nodepool, openstacksdk and diskimage-builder"`);
    expect(run.output).toContain(`[${FUNCTIONAL}] PASS command "a node request made as Zuul makes it is fulfilled with a server booted from the built image; returned, node and server are deleted"`);
    expect(run.output).toMatch(new RegExp(`\\[${FUNCTIONAL}\\] image-test: \\d+ passed, 0 failed`));
  });

  const raises = (name: string, target: string, message: string) =>
    (text: string) => `${text}\n\ndef _broken(self, *args, **kwargs):\n    raise RuntimeError("${message}")\n\n\n${target}.${name} = _broken\n`;
  const SDK_BROKEN = 'openstacksdk change under test breaks create_server';
  const NODEPOOL_BROKEN = 'nodepool change under test breaks server creation';
  const DIB_BROKEN = 'diskimage-builder change under test: debootstrap refuses';

  it.each<[keyof typeof checkouts, string, (text: string) => string, string, string]>([
    // debootstrap's hook stops at once: the message, then exit 1
    ['diskimage-builder', 'diskimage_builder/elements/debootstrap/root.d/08-debootstrap', (text) => text.replace('set -o pipefail\n', `set -o pipefail\necho "${DIB_BROKEN}" >&2\nexit 1\n`), DIB_BROKEN, 'diskimage-builder built the image'],
    ['openstacksdk', 'openstack/cloud/_compute.py', raises('create_server', 'ComputeCloudMixin', SDK_BROKEN), SDK_BROKEN, 'a node request made as Zuul makes it'],
    ['nodepool', 'nodepool/driver/openstack/adapter.py', raises('_createServer', 'OpenStackAdapter', NODEPOOL_BROKEN), NODEPOOL_BROKEN, 'a node request made as Zuul makes it'],
  ])('a breaking %s change fails the functional job, with its log', async (project, file, edit, message, failingStep) => {
    const before = await fs.readFile(path.join(checkouts[project], file), 'utf8');
    expect(edit(before)).not.toBe(before);
    await commitAll(checkouts[project], { [file]: edit(before) }, `Break ${project} on purpose`);
    try {
      const run = await nx(['run', `${FUNCTIONAL}:image-test`]);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain(`[${FUNCTIONAL}] FAIL command "${failingStep}`);
      expect(run.output).toContain(message);
      expect(run.output).toContain(`[${FUNCTIONAL}] --- logs of service launcher`);
    } finally {
      execFileSync('git', ['-C', checkouts[project], 'reset', '-q', '--hard', 'HEAD~1']);
    }
  });
});
