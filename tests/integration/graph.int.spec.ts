/**
 * The project graph of the real example images, through the real `nx`
 * command in a git copy of the workspace: the chain's edges, and what
 * `nx show projects --affected` says after a change.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, TestWorkspace, createTestWorkspace } from '@imgmono/testing';

describe('project graph of the example images', () => {
  let ws: TestWorkspace;

  beforeAll(async () => {
    ws = await createTestWorkspace();
    for (const part of ['images', 'sources', 'scenarios', 'namespaces.json']) {
      await fs.cp(path.join(REPO_ROOT, part), path.join(ws.root, part), { recursive: true });
    }
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
    expect(edges('opendev/openstacksdk').sort()).toEqual(['opendev/python-base', 'openstacksdk']);
    expect(edges('zuul/nodepool-launcher').sort()).toEqual(['nodepool', 'opendev/python-base', 'openstacksdk']);
    expect(edges('opendev/diskimage-builder').sort()).toEqual(['diskimage-builder', 'opendev/openstacksdk']);
    expect(graph.nodes['nodepool'].data.tags).toEqual(['kind:source']);
    expect(edges('debian/bookworm')).toEqual([]);
    expect(graph.nodes['opendev/openstacksdk'].data.targets.image.dependsOn).toEqual(['^image']);
  });

  const ALL = [
    'debian/bookworm',
    'opendev/diskimage-builder',
    'opendev/nodepool-builder',
    'opendev/openstacksdk',
    'opendev/python-base',
    'test/debian-mirror',
    'test/keystone',
    'test/openstack',
    'test/ssh-node',
    'test/zookeeper',
    'zuul/nodepool-builder',
    'zuul/nodepool-launcher',
  ];
  it.each([
    ['images/opendev/openstacksdk/Dockerfile', ['opendev/diskimage-builder', 'opendev/nodepool-builder', 'opendev/openstacksdk']],
    ['images/debian/bookworm/rootfs.json', ALL],
    ['images/opendev/python-base/Dockerfile', ALL.filter((name) => name !== 'debian/bookworm')],
    ['images/opendev/diskimage-builder/Dockerfile', ['opendev/diskimage-builder', 'opendev/nodepool-builder']],
    ['sources/openstacksdk/source.json', ['opendev/diskimage-builder', 'opendev/nodepool-builder', 'opendev/openstacksdk', 'zuul/nodepool-builder', 'zuul/nodepool-launcher']],
    ['sources/nodepool/source.json', ['opendev/nodepool-builder', 'zuul/nodepool-builder', 'zuul/nodepool-launcher']],
  ])('a change to %s affects exactly the images built from it and the images above them', async (file, expected) => {
    const full = path.join(ws.root, file);
    const before = await fs.readFile(full, 'utf8');
    try {
      await fs.appendFile(full, file.endsWith('.json') ? '\n' : '# touched\n');
      const run = await ws.nx(['show', 'projects', '--affected', '--base=HEAD', '-t', 'image', '--json']);
      expect(run.code, run.output).toBe(0);
      const affected = (JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).sort();
      expect(affected).toEqual(expected);
    } finally {
      await fs.writeFile(full, before);
    }
  });

  it('a change to sources/nodepool makes nx affected -t image-test run the nodepool images\' tests and both nodepool scenarios', async () => {
    const run = await ws.nx(['show', 'projects', '--affected', '-t', 'image-test', '--files=sources/nodepool/source.json', '--json']);
    expect(run.code, run.output).toBe(0);
    expect((JSON.parse(run.output.slice(run.output.indexOf('['))) as string[]).sort()).toEqual([
      'opendev/nodepool-builder',
      'scenarios/nodepool-openstack',
      'scenarios/nodepool-static',
      'zuul/nodepool-builder',
      'zuul/nodepool-launcher',
    ]);
  });
});
