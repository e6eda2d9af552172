/**
 * The example workspace itself (images/ and sources/ as committed), built
 * with checkouts of openstacksdk, diskimage-builder and nodepool handed over
 * the way a Zuul job does it: one projects file naming the change under
 * test and its Depends-On. No upstream repository is reachable here, so the
 * checkouts are stand-ins made by the test: real git repositories holding
 * real Python packages with the same module names and console scripts.
 * The whole seed chain and both zuul variants must build, each image must
 * name the source revisions it was built from, and the checkouts must win
 * over Debian's released packages (the speculative path).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, inspect, integrationEnabled, runInImage } from '@imgmono/test-engine';
import { failureReport, git, initRepo, pythonPackage, makeTempDir, removeDir, REPO_ROOT, TestWorkspace, createTestWorkspace, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();
const TAG = 'speculative-test';

/** diskimage-builder's stand-in: the disk-image-create script with its usage line, and the elements nodepool uses, found as dib finds them. */
function diskimageBuilderStandIn(version: string): Record<string, string> {
  const files = pythonPackage('diskimage-builder', 'diskimage_builder', version, ['disk-image-create']);
  files['setup.py'] = files['setup.py'].replace("packages=['diskimage_builder']", "packages=['diskimage_builder'], package_data={'diskimage_builder': ['elements/*/*']}");
  files['diskimage_builder/cli.py'] = [
    'import sys',
    'from diskimage_builder import __version__',
    '',
    'def main():',
    "    if '--help' in sys.argv[1:]:",
    "        print('Usage: disk-image-create [OPTION]... [ELEMENT]... (stand-in of diskimage-builder', __version__ + ')')",
    '        return 0',
    "    print('diskimage-builder', __version__, ' '.join(sys.argv[1:]))",
    '',
  ].join('\n');
  files['diskimage_builder/paths.py'] = 'import os\n\ndef get_path(name):\n    return os.path.join(os.path.dirname(__file__), name)\n';
  for (const element of ['debian-minimal', 'ubuntu-minimal', 'centos', 'vm', 'simple-init']) files[`diskimage_builder/elements/${element}/README.rst`] = `${element} (stand-in)\n`;
  return files;
}

/** nodepool's driver folders, as nodepool 10 has them: the images leave some out by name (leave-out fails on a missing one). */
const NODEPOOL_DRIVERS = ['aws', 'azure', 'example', 'fake', 'gce', 'ibmvpc', 'kubernetes', 'metastatic', 'openshift', 'openshiftpods', 'openstack', 'static', 'test'];

/** nodepool's stand-in: its three commands, each with a usage line, config-validate, and its driver folders. */
function nodepoolStandIn(version: string): Record<string, string> {
  const files = pythonPackage('nodepool', 'nodepool', version, ['nodepool', 'nodepool-builder', 'nodepool-launcher']);
  files['setup.py'] = files['setup.py'].replace("packages=['nodepool']", "packages=['nodepool', 'nodepool.driver'] + ['nodepool.driver.' + d for d in " + JSON.stringify(NODEPOOL_DRIVERS) + ']');
  files['nodepool/driver/__init__.py'] = '';
  for (const driver of NODEPOOL_DRIVERS) files[`nodepool/driver/${driver}/__init__.py`] = `# stand-in of nodepool's ${driver} driver\n`;
  files['nodepool/cli.py'] = [
    'import os',
    'import sys',
    'from nodepool import __version__',
    '',
    'def main():',
    '    prog = os.path.basename(sys.argv[0])',
    '    args = sys.argv[1:]',
    "    if '--help' in args:",
    "        print(f'usage: {prog} [-h] [-c CONFIG] (stand-in of nodepool {__version__})')",
    '        return 0',
    "    if '--version' in args:",
    "        print(f'Nodepool version: {__version__}')",
    '        return 0',
    "    if 'config-validate' in args:",
    "        config = args[args.index('-c') + 1] if '-c' in args else '/etc/nodepool/nodepool.yaml'",
    '        text = open(config).read()',
    "        if 'providers:' not in text or 'labels:' not in text:",
    "            print(f'{config}: not a nodepool configuration')",
    '            return 1',
    "        print('Configuration validation passed')",
    '        return 0',
    "    print('nodepool', __version__, ' '.join(args))",
    '',
  ].join('\n');
  return files;
}

const IMAGES = [
  'debian/bookworm',
  'opendev/python-base',
  'opendev/openstacksdk',
  'opendev/diskimage-builder',
  'opendev/nodepool-builder',
  'zuul/nodepool-builder',
  'zuul/nodepool-launcher',
];

describe.skipIf(!enabled)('example images with handed-over checkouts', () => {
  let ws: TestWorkspace;
  let tmp: string;
  const revisions: Record<string, string> = {};
  let run: { code: number | null; output: string };

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-example-');
    const src = (name: string) => path.join(tmp, 'src/opendev.org', name);
    const standIns: Record<string, Record<string, string>> = {
      'openstack/openstacksdk': {
        ...pythonPackage('openstacksdk', 'openstack', '99.1.0'),
        'openstack/version.py': "__version__ = '99.1.0'\n",
      },
      'openstack/diskimage-builder': diskimageBuilderStandIn('99.2.0'),
      'zuul/nodepool': nodepoolStandIn('99.3.0'),
    };
    const projects: Record<string, { src_dir: string }> = {};
    for (const [name, files] of Object.entries(standIns)) {
      revisions[name.split('/')[1]] = await initRepo(src(name), files, `stand-in of ${name}`);
      git(src(name), 'tag', /version='([^']+)'/.exec(files['setup.py'])![1]);
      projects[`opendev.org/${name}`] = { src_dir: `src/opendev.org/${name}` };
    }
    await fs.writeFile(path.join(tmp, 'projects.json'), JSON.stringify({ projects }));

    ws = await createTestWorkspace();
    await fs.cp(path.join(REPO_ROOT, 'images'), path.join(ws.root, 'images'), { recursive: true });
    await fs.cp(path.join(REPO_ROOT, 'sources'), path.join(ws.root, 'sources'), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'example workspace']);
    run = await ws.nx(['run-many', '-t', 'image', '--output-style=stream'], {
      IMAGE_SOURCES_PROJECTS: path.join(tmp, 'projects.json'),
      IMAGE_SOURCES_CLONE: 'false',
      IMAGE_SOURCES_SIBLINGS: path.join(tmp, 'no-siblings'),
      IMAGE_SOURCES_STRICT: 'true',
      IMAGE_TAGS: TAG,
    });
  });

  afterAll(async () => {
    // Untag what the test tagged, and drop the images only it uses (shared ones stay: removal is not forced).
    for (const image of IMAGES) {
      const record = await readRecord(ws, image).catch(() => undefined);
      await docker.getImage(`${image}:${TAG}`).remove({ noprune: true }).catch(() => undefined);
      if (record?.status === 'built') await docker.getImage(record.imageId as string).remove().catch(() => undefined);
    }
    await ws?.remove();
    await removeDir(tmp);
  });

  it('builds the whole seed chain and both zuul variants in strict (CI) mode', async () => {
    expect(run.code, failureReport(run.output, 4000)).toBe(0);
    for (const image of IMAGES) expect(['built', 'reused']).toContain((await readRecord(ws, image)).status);
  });

  it('prints where every source of every build came from', () => {
    for (const [image, sources] of [
      ['opendev/openstacksdk', ['openstacksdk']],
      ['opendev/diskimage-builder', ['diskimage-builder']],
      ['opendev/nodepool-builder', ['nodepool']],
      ['zuul/nodepool-builder', ['diskimage-builder', 'nodepool', 'openstacksdk']],
      ['zuul/nodepool-launcher', ['nodepool', 'openstacksdk']],
    ] as const) {
      for (const source of sources) {
        expect(run.output).toMatch(new RegExp(`\\[${image}\\] source ${source}: projects file .*projects.json: .*/src/opendev.org/[a-z]+/${source}, version 99\\.\\d\\.0 \\(`));
      }
    }
  });

  it('labels every image with the revisions of the checkouts it was built from', async () => {
    const expectLabels = async (image: string, sources: string[]) => {
      const labels = (await inspect(`${image}:${TAG}`)).Config.Labels;
      for (const source of sources) expect(labels[`io.imgmono.source.${source}.revision`], `${image} ${source}`).toBe(revisions[source]);
    };
    await expectLabels('opendev/openstacksdk', ['openstacksdk']);
    await expectLabels('opendev/diskimage-builder', ['diskimage-builder']);
    await expectLabels('opendev/nodepool-builder', ['nodepool']);
    await expectLabels('zuul/nodepool-builder', ['nodepool', 'openstacksdk', 'diskimage-builder']);
    await expectLabels('zuul/nodepool-launcher', ['nodepool', 'openstacksdk']);
  });

  it('installs the checkouts over the released Debian packages', async () => {
    const sdk = await runInImage(`opendev/nodepool-builder:${TAG}`, ['python3', '-c', 'import openstack.version; print(openstack.version.__version__)']);
    expect(sdk.output.trim()).toBe('99.1.0'); // Debian's python3-openstacksdk is 0.101.0
    const launcher = await runInImage(`zuul/nodepool-launcher:${TAG}`, ['nodepool-launcher', '--help']);
    expect(launcher).toEqual({ exitCode: 0, output: 'usage: nodepool-launcher [-h] [-c CONFIG] (stand-in of nodepool 99.3.0)\n' });
    const dib = await runInImage(`zuul/nodepool-builder:${TAG}`, ['disk-image-create', '--version']);
    expect(dib.output.trim()).toBe('diskimage-builder 99.2.0 --version');
  });

  it('passes the chain images\' tests, which see the checkouts, not the released packages; the nodepool images carry the stand-in and record what they left out', async () => {
    // The nodepool images' own tests exercise real nodepool (drivers, config-validate): they run on the
    // real checkouts in CI's main flow and in depends-on.int.spec.ts, not on this stand-in.
    const projects = ['opendev/python-base', 'opendev/openstacksdk', 'opendev/diskimage-builder'];
    const tests = await ws.nx(['run-many', '-t', 'image-test', `--projects=${projects.join(',')}`, '--output-style=stream'], {
      IMAGE_SOURCES_PROJECTS: path.join(tmp, 'projects.json'),
      IMAGE_SOURCES_CLONE: 'false',
      IMAGE_SOURCES_SIBLINGS: path.join(tmp, 'no-siblings'),
      IMAGE_SOURCES_STRICT: 'true',
      IMAGE_TAGS: TAG,
    });
    expect(tests.code, failureReport(tests.output, 6000)).toBe(0);
    for (const image of projects) expect(tests.output).toMatch(new RegExp(`\\[${image}\\] image-test: \\d+ passed, 0 failed`));
    for (const image of ['opendev/openstacksdk', 'opendev/diskimage-builder']) {
      expect(tests.output).toContain(`[${image}] PASS command "import openstack gives the handed-over checkout's version"`);
      expect(tests.output).toContain(`[${image}] SKIP command "import openstack gives the version of Debian's package"`);
    }
    expect(tests.output).toContain(`[opendev/diskimage-builder] PASS command "diskimage-builder is the handed-over checkout's version"`);
    for (const [image, leftOut] of [
      ['opendev/nodepool-builder', ['ibmvpc']],
      ['zuul/nodepool-builder', ['aws', 'gce', 'kubernetes', 'openshift', 'openshiftpods', 'ibmvpc']],
      ['zuul/nodepool-launcher', ['ibmvpc']],
    ] as const) {
      expect((await runInImage(`${image}:${TAG}`, ['nodepool', '--version'])).output.trim()).toBe('Nodepool version: 99.3.0');
      const record = await runInImage(`${image}:${TAG}`, ['cat', '/usr/local/share/imgmono/left-out']);
      expect(record.output.split('\n').filter(Boolean).map((line) => line.split(':')[0])).toEqual(leftOut.map((driver) => `nodepool.driver.${driver}`));
    }
  });

  it('keeps the lean launcher lean: no diskimage-builder in zuul/nodepool-launcher', async () => {
    const result = await runInImage(`zuul/nodepool-launcher:${TAG}`, ['sh', '-c', 'command -v disk-image-create || echo absent']);
    expect(result.output.trim()).toBe('absent');
  });
});
