import { describe, expect, it } from 'vitest';
import { afterEach, beforeEach } from 'vitest';
import type { CreateNodesContextV2 } from '@nx/devkit';
import { makeTempDir, removeDir, writeTree } from '../../../../tests/support/temp-dir';
import { PROJECT_FILES_GLOB, createNodesV2 } from './plugin';

let root: string;
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(() => removeDir(root));

describe('image plugin', () => {
  it('matches Dockerfiles under images/', () => {
    expect(createNodesV2[0]).toBe(PROJECT_FILES_GLOB);
  });

  it('gives every image folder an image target that builds parents first, with no per-project boilerplate', async () => {
    await writeTree(root, {
      'images/opendev/python-base/Dockerfile': 'FROM debian/bookworm\n',
      'images/opendev/python-base/project.json': '{"name":"opendev/python-base"}',
      'images/debian/bookworm/Dockerfile': 'FROM scratch\n',
    });
    const context: CreateNodesContextV2 = { nxJsonConfiguration: {}, workspaceRoot: root };
    const results = await createNodesV2[1](
      ['images/opendev/python-base/Dockerfile', 'images/debian/bookworm/Dockerfile'],
      { imageTargetName: 'image' },
      context,
    );
    expect(results.map(([file]) => file)).toEqual(['images/opendev/python-base/Dockerfile', 'images/debian/bookworm/Dockerfile']);
    const target = results[0][1].projects?.['images/opendev/python-base']?.targets?.image;
    expect(target).toMatchObject({
      executor: '@imgmono/image-plugin:image',
      dependsOn: ['^image'],
      cache: false,
      options: { dockerfile: 'Dockerfile' },
    });
    expect(target?.metadata?.description).toContain('opendev/python-base');
    const targets = results[0][1].projects?.['images/opendev/python-base']?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['image', 'graph-check', 'push', 'promote']);
    expect(targets.push).toMatchObject({ executor: '@imgmono/image-plugin:push', dependsOn: ['image'] });
    expect(targets['graph-check']).toMatchObject({ executor: '@imgmono/image-plugin:graph-check', cache: true });
  });

  it('makes every sources/<name>/source.json a source project', async () => {
    const results = await createNodesV2[1](['sources/nodepool/source.json'], {}, { nxJsonConfiguration: {}, workspaceRoot: root });
    expect(results[0][1].projects?.['sources/nodepool']).toMatchObject({ name: 'nodepool', tags: ['kind:source'] });
    expect(results[0][1].projects?.['sources/nodepool']).not.toHaveProperty('targets');
  });

  it('uses the configured target name in dependsOn', async () => {
    const results = await createNodesV2[1](['images/a/b/Dockerfile'], { imageTargetName: 'docker' }, { nxJsonConfiguration: {}, workspaceRoot: root });
    expect(results[0][1].projects?.['images/a/b']?.targets?.docker?.dependsOn).toEqual(['^docker']);
  });
});
