/** Resolution order, each branch, against real git repositories made by the test. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bareMirror, commitAll, git, initRepo, pythonPackage, makeTempDir, removeDir } from '@imgmono/testing';
import { SourceDeclaration } from '@imgmono/workspace';
import { SourceCheckoutError, SourceSettings, SourceUnavailableError, resolveSource } from './resolve-source';
import { parseZuulProjects } from './zuul-projects';
import { describeCheckout } from './git-checkout';

let tmp: string;
let upstream: string;
let declaration: SourceDeclaration;
let settings: SourceSettings;

beforeEach(async () => {
  tmp = await makeTempDir();
  const work = path.join(tmp, 'upstream-work');
  await initRepo(work, pythonPackage('demo', 'demo', '1.0.0'));
  git(work, 'tag', '1.0.0');
  await commitAll(work, pythonPackage('demo', 'demo', '1.1.0'), 'next');
  upstream = bareMirror(work, path.join(tmp, 'demo.git'));
  declaration = { name: 'demo', url: upstream, ref: '1.0.0', zuulProject: 'opendev.org/example/demo' };
  await fs.mkdir(path.join(tmp, 'workspace'));
  settings = {
    workspaceRoot: path.join(tmp, 'workspace'),
    env: {},
    siblingsRoot: tmp,
    cacheFolder: path.join(tmp, 'cache'),
    allowClone: true,
  };
});
afterEach(() => removeDir(tmp));

async function checkout(name: string, version: string): Promise<string> {
  const dir = path.join(tmp, name);
  await initRepo(dir, pythonPackage('demo', 'demo', version));
  return dir;
}

describe('resolveSource', () => {
  it('clones the pinned ref into the cache when nothing is handed over', async () => {
    const resolved = await resolveSource(declaration, settings);
    expect(resolved.origin).toBe('clone');
    expect(resolved.dir).toBe(path.join(tmp, 'cache', 'demo', '1.0.0'));
    expect(await fs.readFile(path.join(resolved.dir, 'demo/__init__.py'), 'utf8')).toContain("'1.0.0'");
    expect((await describeCheckout(resolved.dir)).version).toBe('1.0.0');
    // a second resolution uses the cached clone
    expect((await resolveSource(declaration, settings)).dir).toBe(resolved.dir);
  });

  it('prefers a sibling checkout over a clone', async () => {
    const dir = await checkout('demo', '2.0.0');
    expect(await resolveSource(declaration, settings)).toEqual({ name: 'demo', origin: 'sibling', dir, description: `sibling checkout ${dir}` });
  });

  it('prefers the Zuul projects file over a sibling, matching the canonical name', async () => {
    await checkout('demo', '2.0.0');
    const handed = await checkout('zuul-src-demo', '3.0.0');
    const file = path.join(tmp, 'projects.json');
    const projects = { file, map: parseZuulProjects(JSON.stringify({ projects: { 'opendev.org/example/demo': { src_dir: 'zuul-src-demo' } } }), file) };
    const resolved = await resolveSource(declaration, { ...settings, projects });
    expect(resolved).toMatchObject({ origin: 'projects-file', dir: handed });
  });

  it('prefers IMAGE_SOURCE_<NAME> over everything', async () => {
    await checkout('demo', '2.0.0');
    const explicit = await checkout('explicit-demo', '4.0.0');
    const resolved = await resolveSource(declaration, { ...settings, env: { IMAGE_SOURCE_DEMO: explicit } });
    expect(resolved).toMatchObject({ origin: 'explicit', dir: explicit, description: `IMAGE_SOURCE_DEMO=${explicit}` });
  });

  it('hands over a change and its Depends-On together through one projects file', async () => {
    const sdk = await checkout('src/opendev.org/openstack/openstacksdk', '9.0.0');
    const dib = await checkout('src/opendev.org/openstack/diskimage-builder', '8.0.0');
    const file = path.join(tmp, 'zuul-projects.json');
    const map = parseZuulProjects(
      JSON.stringify({
        projects: {
          'opendev.org/openstack/openstacksdk': { src_dir: 'src/opendev.org/openstack/openstacksdk' },
          'opendev.org/openstack/diskimage-builder': { src_dir: 'src/opendev.org/openstack/diskimage-builder' },
        },
      }),
      file,
    );
    const withProjects = { ...settings, projects: { file, map }, allowClone: false };
    const decl = (name: string): SourceDeclaration => ({ name, url: 'file:///nowhere', ref: 'master', zuulProject: `opendev.org/openstack/${name}` });
    expect((await resolveSource(decl('openstacksdk'), withProjects)).dir).toBe(sdk);
    expect((await resolveSource(decl('diskimage-builder'), withProjects)).dir).toBe(dib);
  });

  it('fails naming every place tried and how to provide the source', async () => {
    const missing = { ...declaration, url: `file://${tmp}/no-such.git` };
    const error = await resolveSource(missing, settings).catch((e) => e);
    expect(error).toBeInstanceOf(SourceUnavailableError);
    expect(error.message).toMatch(
      new RegExp(
        `^source demo could not be obtained; tried: IMAGE_SOURCE_DEMO \\(not set\\); projects file \\(IMAGE_SOURCES_PROJECTS not set\\); sibling ${tmp}/demo \\(does not exist\\); clone of file://${tmp}/no-such.git at 1.0.0 \\(.*\\)\\. Provide it: git clone file://${tmp}/no-such.git \\.\\./demo \\(or set IMAGE_SOURCE_DEMO=/path/to/checkout\\)$`,
      ),
    );
  });

  it('refuses an explicit checkout that is not a git checkout instead of falling back', async () => {
    await fs.mkdir(path.join(tmp, 'plain'));
    await expect(resolveSource(declaration, { ...settings, env: { IMAGE_SOURCE_DEMO: path.join(tmp, 'plain') } })).rejects.toThrow(SourceCheckoutError);
    await expect(resolveSource(declaration, { ...settings, env: { IMAGE_SOURCE_DEMO: path.join(tmp, 'plain') } })).rejects.toThrow(
      /IMAGE_SOURCE_DEMO=.*plain names the checkout of demo, but .*plain is not a git checkout/,
    );
  });

  it('skips a sibling folder that is not a checkout and says why', async () => {
    await fs.mkdir(path.join(tmp, 'demo'));
    const error = await resolveSource(declaration, { ...settings, allowClone: false }).catch((e) => e);
    expect(error.message).toContain(`sibling ${tmp}/demo (is not a git checkout with a commit`);
  });
});
