import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContextFilter, digestContext } from '@imgmono/build-context';
import { commitAll, git, initRepo, makeTempDir, removeDir, writeTree } from '@imgmono/testing';
import { canonicalProjectName, parseSourceDeclaration, sourceEnvVariable } from '@imgmono/workspace';
import { sourceContextEntries } from './source-entries';
import { describeCheckout } from './git-checkout';
import { versionFromDescribe } from './source-version';
import { lookupZuulProject, parseZuulProjects } from './zuul-projects';

describe('source.json', () => {
  it('reads a declaration and derives the Zuul project name from the URL', () => {
    expect(parseSourceDeclaration('{"url":"https://opendev.org/zuul/nodepool.git","ref":"9.0.0"}', 'sources/nodepool/source.json', 'nodepool')).toEqual({
      name: 'nodepool',
      url: 'https://opendev.org/zuul/nodepool.git',
      ref: '9.0.0',
      zuulProject: 'opendev.org/zuul/nodepool',
      debianPackage: undefined,
    });
  });

  it.each([
    ['{', /sources\/x\/source.json: not valid JSON/],
    ['[]', /must be a JSON object with "url" and "ref"/],
    ['{"ref":"1"}', /"url" must be a git URL/],
    ['{"url":"https://h/x"}', /"ref" must be a tag, branch or commit/],
    ['{"url":"https://h/x","ref":"a..b"}', /"ref" must be a tag/],
    ['{"url":"https://h/x","ref":"1","name":"y"}', /"name" is "y" but the folder is sources\/x: rename one so they agree/],
    ['{"url":"https://h/x","ref":"1","branch":"m"}', /"branch" is not a source setting/],
  ])('rejects %s', (text, message) => {
    expect(() => parseSourceDeclaration(text, 'sources/x/source.json', 'x')).toThrow(message);
  });

  it.each([
    ['https://opendev.org/openstack/openstacksdk', 'opendev.org/openstack/openstacksdk'],
    ['git@github.com:zuul/nodepool.git', 'github.com/zuul/nodepool'],
    ['file:///srv/git/demo.git', 'srv/git/demo'], // no leading slash: it names a place under .zuul-siblings/
  ])('canonical name of %s is %s', (url, name) => expect(canonicalProjectName(url)).toBe(name));

  it('names the per-source variable', () => {
    expect(sourceEnvVariable('diskimage-builder')).toBe('IMAGE_SOURCE_DISKIMAGE_BUILDER');
  });
});

describe('Zuul projects file', () => {
  it('resolves src_dir from work_dir, and matches by short name too', () => {
    const map = parseZuulProjects(
      JSON.stringify({ work_dir: '/home/zuul', projects: { 'opendev.org/zuul/nodepool': { src_dir: 'src/opendev.org/zuul/nodepool' } } }),
      '/tmp/p.json',
    );
    expect(lookupZuulProject(map, 'opendev.org/zuul/nodepool', 'nodepool')).toBe('/home/zuul/src/opendev.org/zuul/nodepool');
    expect(lookupZuulProject(map, 'review.example.org/zuul/nodepool', 'nodepool')).toBe('/home/zuul/src/opendev.org/zuul/nodepool');
    expect(lookupZuulProject(map, 'opendev.org/x/y', 'y')).toBeUndefined();
  });

  it('rejects a project without src_dir', () => {
    expect(() => parseZuulProjects('{"projects":{"a/b":{}}}', '/tmp/p.json')).toThrow('/tmp/p.json: project "a/b" has no "src_dir"');
  });
});

describe('versionFromDescribe', () => {
  it.each([
    ['1.2.3-0-gabc', false, '1.2.3'],
    ['v1.2.3-0-gabc', false, '1.2.3'],
    ['1.2.3-4-gabc', false, '1.2.4.dev4'],
    ['1.2.3-4-gabc', true, '1.2.4.dev4+dirty'],
    [undefined, false, '0.0.0.dev7'],
  ])('%s (dirty %s) -> %s', (describe, dirty, version) => {
    expect(versionFromDescribe(describe, 'f'.repeat(40), 7, dirty).version).toBe(version);
  });
});

describe('source checkouts in the context', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await makeTempDir();
    await initRepo(dir, { 'setup.py': 'x', 'pkg/a.py': 'a', 'pkg/b.py': 'b', '.gitignore': '*.pyc\nbuild/\n', 'docs/index.rst': 'd' });
    git(dir, 'tag', '2.0.0');
  });
  afterEach(() => removeDir(dir));

  it('sends tracked files and uncommitted changes, never .git or ignored files', async () => {
    await writeTree(dir, { 'pkg/a.py': 'changed', 'pkg/new.py': 'n', 'pkg/c.pyc': 'compiled', 'build/out': 'o' });
    await fs.rm(path.join(dir, 'pkg/b.py'));
    const entries = await sourceContextEntries('demo', 'example.org/demo', dir, undefined);
    expect(entries.map((e) => `${e.kind}:${e.path}`).sort()).toEqual(
      [
        'directory:.zuul-siblings/example.org',
        'directory:.zuul-siblings/example.org/demo',
        'directory:.zuul-siblings/example.org/demo/docs',
        'directory:.zuul-siblings/example.org/demo/pkg',
        'file:.zuul-siblings/example.org/demo/.gitignore',
        'file:.zuul-siblings/example.org/demo/docs/index.rst',
        'file:.zuul-siblings/example.org/demo/pkg/a.py',
        'file:.zuul-siblings/example.org/demo/pkg/new.py',
        'file:.zuul-siblings/example.org/demo/setup.py',
      ].sort(),
    );
    const version = await describeCheckout(dir);
    expect(version.dirty).toBe(true);
    expect(version.version).toBe('2.0.0+dirty');
  });

  it("honours the image's .dockerignore under .zuul-siblings/<canonical name>/", async () => {
    const entries = await sourceContextEntries('demo', 'example.org/demo', dir, createContextFilter(['.zuul-siblings/*/*/docs']));
    expect(entries.some((e) => e.path.includes('docs'))).toBe(false);
  });

  it('refuses a symlink that leaves the checkout, naming it', async () => {
    await fs.symlink('../../etc/passwd', path.join(dir, 'pkg/escape'));
    await commitAll(dir, {}, 'link');
    await expect(sourceContextEntries('demo', 'example.org/demo', dir, undefined)).rejects.toThrow(
      `source demo (${dir}): symlink pkg/escape points outside the checkout (to ../../etc/passwd)`,
    );
  });

  it('keeps a link to a folder whose name starts with two dots (Kubernetes-style ..data/), which is inside', async () => {
    await writeTree(dir, { '..data/real.txt': 'real' });
    await fs.symlink('..data/real.txt', path.join(dir, 'alias.txt'));
    await commitAll(dir, {}, 'kubernetes-style link');
    const entries = await sourceContextEntries('demo', 'example.org/demo', dir, undefined);
    expect(entries.find((entry) => entry.path === '.zuul-siblings/example.org/demo/alias.txt')).toEqual({ kind: 'symlink', path: '.zuul-siblings/example.org/demo/alias.txt', target: '..data/real.txt' });
  });

  it('refuses a file name that is not UTF-8, naming its bytes', async () => {
    await fs.writeFile(Buffer.concat([Buffer.from(path.join(dir, 'bad-')), Buffer.from([0xff, 0xfe]), Buffer.from('.txt')]), 'x');
    await expect(sourceContextEntries('demo', 'example.org/demo', dir, undefined)).rejects.toThrow(/file name "bad-ÿþ.txt" \(bytes 6261642dfffe2e747874\) is not UTF-8/);
  });

  it('gives the same bytes for the same checkout state, different bytes after a one-byte change', async () => {
    const first = await digestContext(await sourceContextEntries('demo', 'example.org/demo', dir, undefined));
    const again = await digestContext(await sourceContextEntries('demo', 'example.org/demo', dir, undefined));
    await writeTree(dir, { 'pkg/a.py': 'b' });
    const changed = await digestContext(await sourceContextEntries('demo', 'example.org/demo', dir, undefined));
    expect(again.sha256).toBe(first.sha256);
    expect(changed.sha256).not.toBe(first.sha256);
  });
});
