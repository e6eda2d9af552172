/**
 * The example workspace's image tests and its Keystone scenario, as
 * committed: debian/bookworm -> opendev/python-base -> opendev/openstacksdk,
 * test/keystone, and scenarios/keystone-identity, in a copy of the workspace.
 * Every image test and the scenario pass; a deliberately broken
 * openstacksdk image (`import openstack` removed) fails them with the image
 * and the check named; `nx affected` picks the right tests.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationEnabled } from '@imgmono/test-engine';
import { REPO_ROOT, TestWorkspace, createTestWorkspace } from '@imgmono/testing';

const enabled = await integrationEnabled();
const COPIED = ['images/debian/bookworm', 'images/opendev/python-base', 'images/opendev/openstacksdk', 'images/test/keystone', 'scenarios/keystone-identity', 'sources', 'namespaces.json'];
const env = { IMAGE_SOURCES_CLONE: 'false', IMAGE_SOURCES_SIBLINGS: '/nonexistent', IMAGE_SOURCES_STRICT: 'false' };

/** Seconds from the summary line of one project's image-test run. */
function testSeconds(output: string, project: string): number {
  const match = new RegExp(`\\[${project}\\] image-test: \\d+ passed, \\d+ failed(?:, \\d+ skipped)? in ([\\d.]+) s`).exec(output);
  return match ? Number(match[1]) : NaN;
}

describe.skipIf(!enabled)('the example image tests and the Keystone scenario', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = await createTestWorkspace();
    for (const item of COPIED) await fs.cp(path.join(REPO_ROOT, item), path.join(ws.root, item), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'example workspace']);
  });

  afterAll(async () => {
    await ws?.remove();
  });

  it('every image test and the scenario pass on the images of this run', async () => {
    const started = Date.now();
    const run = await ws.nx(['run-many', '-t', 'image-test', '--output-style=stream'], env);
    expect(run.code, run.output).toBe(0);
    for (const project of ['opendev/python-base', 'opendev/openstacksdk', 'test/keystone', 'scenarios/keystone-identity']) {
      expect(run.output).toMatch(new RegExp(`\\[${project}\\] image-test: \\d+ passed, 0 failed`));
    }
    expect(run.output).toContain('[scenarios/keystone-identity] PASS command "keystone ready"');
    expect(run.output).toContain('[scenarios/keystone-identity] PASS command "openstacksdk authenticates, reads the catalogue, creates and lists a project"');
    console.log(
      `image-test figures: whole run (builds reused or made) ${((Date.now() - started) / 1000).toFixed(1)} s; python-base ${testSeconds(run.output, 'opendev/python-base')} s, openstacksdk ${testSeconds(run.output, 'opendev/openstacksdk')} s, keystone ${testSeconds(run.output, 'test/keystone')} s, Keystone scenario ${testSeconds(run.output, 'scenarios/keystone-identity')} s`,
    );
  });

  it('nx affected: the openstacksdk Dockerfile affects its tests and the scenario; python-base affects every test', async () => {
    const affected = async (file: string) => {
      const run = await ws.nx(['show', 'projects', '--affected', '-t', 'image-test', `--files=${file}`, '--json']);
      return (JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).sort();
    };
    expect(await affected('images/opendev/openstacksdk/Dockerfile')).toEqual(['opendev/openstacksdk', 'scenarios/keystone-identity']);
    expect(await affected('images/opendev/python-base/Dockerfile')).toEqual(['opendev/openstacksdk', 'opendev/python-base', 'scenarios/keystone-identity', 'test/keystone']);
    expect(await affected('images/test/keystone/keystone-setup')).toEqual(['scenarios/keystone-identity', 'test/keystone']);
  });

  it('a broken openstacksdk image fails its tests and the scenario, naming the image and the check', async () => {
    const dockerfile = path.join(ws.root, 'images/opendev/openstacksdk/Dockerfile');
    await fs.appendFile(dockerfile, '# deliberately broken by the test\nRUN rm -rf /usr/lib/python3/dist-packages/openstack\n');
    const run = await ws.nx(['run-many', '-t', 'image-test', '--output-style=stream'], env);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`[opendev/openstacksdk] FAIL command "import openstack gives the version of Debian's package"`);
    expect(run.output).toContain("ModuleNotFoundError: No module named 'openstack'");
    expect(run.output).toMatch(/\[opendev\/openstacksdk\] image-test: \d+ passed, 1 failed/);
    expect(run.output).toContain('[scenarios/keystone-identity] FAIL command "openstacksdk authenticates, reads the catalogue, creates and lists a project"');
    expect(run.output).toContain('[scenarios/keystone-identity] --- logs of service keystone');
    expect(run.output).toMatch(/\[opendev\/python-base\] image-test: \d+ passed, 0 failed/);
  });
});
