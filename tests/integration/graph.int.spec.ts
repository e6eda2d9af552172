/**
 * The project graph of the real example images, through the real `nx`
 * command in a git copy of the workspace: the chain's edges, and what
 * `nx show projects --affected` says after a change.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TestWorkspace, createTestWorkspace } from '../support/test-workspace';

describe('project graph of the example images', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = await createTestWorkspace();
    await fs.cp(path.join(REPO_ROOT, 'images'), path.join(ws.root, 'images'), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'images']);
  });
  afterAll(() => ws?.remove());

  it('has the chain as edges in nx graph --file', async () => {
    const run = await ws.nx(['graph', '--file=graph.json']);
    expect(run.code, run.output).toBe(0);
    const graph = JSON.parse(await fs.readFile(path.join(ws.root, 'graph.json'), 'utf8')).graph;
    const edges = (project: string) => (graph.dependencies[project] as Array<{ target: string; type: string }>).map((d) => d.target);
    expect(edges('opendev/python-base')).toEqual(['debian/bookworm']);
    expect(edges('opendev/openstacksdk')).toEqual(['opendev/python-base']);
    expect(edges('opendev/diskimage-builder')).toEqual(['opendev/openstacksdk']);
    expect(edges('debian/bookworm')).toEqual([]);
    expect(graph.nodes['opendev/openstacksdk'].data.targets.image.dependsOn).toEqual(['^image']);
  });

  it.each([
    ['images/opendev/openstacksdk/Dockerfile', ['opendev/diskimage-builder', 'opendev/openstacksdk']],
    ['images/debian/bookworm/rootfs.json', ['debian/bookworm', 'opendev/diskimage-builder', 'opendev/openstacksdk', 'opendev/python-base']],
    ['images/opendev/diskimage-builder/Dockerfile', ['opendev/diskimage-builder']],
  ])('a change to %s affects exactly that image and the images above it', async (file, expected) => {
    const full = path.join(ws.root, file);
    const before = await fs.readFile(full, 'utf8');
    try {
      await fs.appendFile(full, file.endsWith('.json') ? '\n' : '# touched\n');
      const run = await ws.nx(['show', 'projects', '--affected', '--base=HEAD', '--json']);
      expect(run.code, run.output).toBe(0);
      const affected = (JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).sort();
      expect(affected).toEqual(expected);
    } finally {
      await fs.writeFile(full, before);
    }
  });
});
