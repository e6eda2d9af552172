import { describe, expect, it } from 'vitest';
import { afterEach, beforeEach } from 'vitest';
import type { CreateNodesContext } from '@nx/devkit';
import { makeTempDir, removeDir, writeTree } from '@imgmono/testing';
import { PROJECT_FILES_GLOB, createNodes } from './plugin';
import { settingsNamedInputs } from '../lib/run-settings';

let root: string;
beforeEach(async () => {
  root = await makeTempDir();
});
afterEach(() => removeDir(root));

describe('image plugin', () => {
  it('matches Dockerfiles under images/', () => {
    expect(createNodes[0]).toBe(PROJECT_FILES_GLOB);
  });

  it('gives every image folder an image target that builds parents first, with no per-project boilerplate', async () => {
    await writeTree(root, {
      'images/opendev/python-base/Dockerfile': 'FROM debian/bookworm\n',
      'images/opendev/python-base/project.json': '{"name":"opendev/python-base"}',
      'images/debian/bookworm/Dockerfile': 'FROM scratch\n',
    });
    const context: CreateNodesContext = { nxJsonConfiguration: {}, workspaceRoot: root };
    const results = await createNodes[1](
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
    });
    // the executor's schema gives the Dockerfile (and Nx fills it in when the task runs)
    expect(target?.options).toBeUndefined();
    expect(target?.metadata?.description).toContain('opendev/python-base');
    expect(results[0][1].projects?.['images/opendev/python-base']?.projectType).toBe('application');
    const targets = results[0][1].projects?.['images/opendev/python-base']?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['image', 'graph-check', 'push', 'promote']);
    expect(targets.push).toMatchObject({ executor: '@imgmono/image-plugin:push', dependsOn: ['image'] });
    expect(targets['graph-check']).toMatchObject({ executor: '@imgmono/image-plugin:graph-check', cache: true });
  });

  it("declares as Nx inputs the settings that change each target, an image's IMAGE_SOURCE_<NAME> of its own sources included", async () => {
    await writeTree(root, {
      'images/zuul/launcher/Dockerfile': 'FROM opendev/python-base\n',
      'images/zuul/launcher/project.json': JSON.stringify({ name: 'zuul/launcher', implicitDependencies: ['opendev/python-base', 'nodepool', 'openstacksdk'] }),
      'sources/nodepool/source.json': '{}',
      'sources/openstacksdk/source.json': '{}',
    });
    const results = await createNodes[1](['images/zuul/launcher/Dockerfile'], {}, { nxJsonConfiguration: {}, workspaceRoot: root });
    const targets = results[0][1].projects?.['images/zuul/launcher']?.targets ?? {};
    const envOf = (target: string) => (targets[target]?.inputs ?? []).flatMap((input) => (typeof input === 'object' && 'env' in input ? [input.env] : []));
    expect(envOf('image')).toEqual(expect.arrayContaining(['DOCKER_HOST', 'IMAGE_SOURCE_NODEPOOL', 'IMAGE_SOURCE_OPENSTACKSDK', 'IMAGE_SOURCES_PROJECTS', 'IMAGE_SOURCES_SIBLINGS', 'IMAGE_REGISTRY', 'IMAGE_CHANGE', 'IMAGE_TAGS', 'IMAGE_NO_CACHE', 'CI']));
    expect(envOf('image')).not.toContain('IMAGE_SOURCE_PYTHON_BASE');
    expect(envOf('push')).toEqual(expect.arrayContaining(['IMAGE_REGISTRY', 'IMAGE_CHANGE', 'IMAGE_PATCHSET', 'IMAGE_BUILDSET', 'IMAGE_BRANCH', 'IMAGE_RELEASE']));
    expect(envOf('promote')).toEqual(expect.arrayContaining(['IMAGE_REGISTRY', 'IMAGE_CHANGE']));
    // the engine, the registry and checkouts outside the workspace decide too: each run is a task of its own for Nx's task history
    for (const target of ['image', 'push', 'promote']) expect(targets[target]?.inputs).toContainEqual({ runtime: 'date +%s%N' });
  });

  it("names nx.json's settings inputs instead of listing the variables, when the workspace defines them", async () => {
    await writeTree(root, {
      'images/zuul/launcher/Dockerfile': 'FROM opendev/python-base\n',
      'images/zuul/launcher/project.json': JSON.stringify({ name: 'zuul/launcher', implicitDependencies: ['opendev/python-base', 'nodepool'] }),
      'sources/nodepool/source.json': '{}',
    });
    const namedInputs = settingsNamedInputs();
    const results = await createNodes[1](['images/zuul/launcher/Dockerfile'], {}, { nxJsonConfiguration: { namedInputs }, workspaceRoot: root });
    const targets = results[0][1].projects?.['images/zuul/launcher']?.targets ?? {};
    expect(targets.image?.inputs).toEqual(['{projectRoot}/**/*', 'imageSettings', { env: 'IMAGE_SOURCE_NODEPOOL' }, { runtime: 'date +%s%N' }]);
    expect(targets.push?.inputs).toEqual(['default', 'pushSettings', { runtime: 'date +%s%N' }]);
    expect(targets.promote?.inputs).toEqual(['default', 'promoteSettings', { runtime: 'date +%s%N' }]);
    // the named input holds what the target would otherwise list
    expect(namedInputs.imageSettings).toEqual(expect.arrayContaining([{ env: 'DOCKER_HOST' }, { env: 'IMAGE_SOURCES_PROJECTS' }, { env: 'IMAGE_CHANGE' }]));
  });

  it('makes every sources/<name>/source.json a source project', async () => {
    const results = await createNodes[1](['sources/nodepool/source.json'], {}, { nxJsonConfiguration: {}, workspaceRoot: root });
    expect(results[0][1].projects?.['sources/nodepool']).toMatchObject({ name: 'nodepool', tags: ['kind:source'] });
    expect(results[0][1].projects?.['sources/nodepool']).not.toHaveProperty('targets');
  });

  it('uses the configured target name in dependsOn', async () => {
    const results = await createNodes[1](['images/a/b/Dockerfile'], { imageTargetName: 'docker' }, { nxJsonConfiguration: {}, workspaceRoot: root });
    expect(results[0][1].projects?.['images/a/b']?.targets?.docker?.dependsOn).toEqual(['^docker']);
  });

  it('gives an image with an image-test.json an image-test target on its own image, and copies no workspace option into a target', async () => {
    await writeTree(root, { 'images/a/tested/Dockerfile': 'FROM scratch\n', 'images/a/tested/image-test.json': '{}', 'images/a/plain/Dockerfile': 'FROM scratch\n' });
    const results = await createNodes[1](['images/a/tested/Dockerfile', 'images/a/plain/Dockerfile'], { secretEnv: ['ZUUL_TOKEN'] }, { nxJsonConfiguration: {}, workspaceRoot: root });
    const tested = results[0][1].projects?.['images/a/tested']?.targets ?? {};
    expect(tested['image-test']).toMatchObject({ executor: '@imgmono/image-plugin:image-test', dependsOn: ['image'], cache: false });
    // the executors read secretEnv and tagRules from nx.json when they run (lib/plugin-options.ts)
    for (const target of ['image', 'push', 'promote']) expect(JSON.stringify(tested[target])).not.toContain('ZUUL_TOKEN');
    expect(Object.keys(results[1][1].projects?.['images/a/plain']?.targets ?? {})).not.toContain('image-test');
  });

  it('makes every scenarios/<name>/scenario.json a scenario project whose images are its implicitDependencies', async () => {
    const scenario = {
      services: [{ name: 'keystone', image: 'test/keystone', command: ['serve'], ready: { command: ['probe'] } }],
      tests: [{ name: 't', image: 'opendev/openstacksdk', command: 'python3' }],
    };
    await writeTree(root, { 'scenarios/identity/scenario.json': JSON.stringify(scenario) });
    const results = await createNodes[1](['scenarios/identity/scenario.json'], {}, { nxJsonConfiguration: {}, workspaceRoot: root });
    const project = results[0][1].projects?.['scenarios/identity'];
    expect(project).toMatchObject({ name: 'scenarios/identity', tags: ['kind:scenario'], implicitDependencies: ['opendev/openstacksdk', 'test/keystone'] });
    expect(project?.targets?.['image-test']).toMatchObject({ executor: '@imgmono/image-plugin:scenario', dependsOn: ['^image'], cache: false });
  });

  it('names the file and the field of a malformed scenario', async () => {
    await writeTree(root, { 'scenarios/broken/scenario.json': '{"services": []}' });
    await expect(createNodes[1](['scenarios/broken/scenario.json'], {}, { nxJsonConfiguration: {}, workspaceRoot: root })).rejects.toThrow(
      'scenarios/broken/scenario.json: services must list at least one service',
    );
  });
});
