/**
 * The libs are Nx projects with layers Nx enforces: what `nx graph`, `nx run-many -t lint`
 * and `nx affected -t test` show on a copy of this very workspace. The expected graph is
 * worked out here independently, by reading the import lines of every file.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceCopy, copyThisWorkspace, writeTree } from '@imgmono/testing';

/** Project roots of the TypeScript projects: every lib, and the plugin. */
async function codeProjects(root: string): Promise<Map<string, string>> {
  const projects = new Map<string, string>();
  for (const dir of await fs.readdir(path.join(root, 'libs'))) {
    const json = JSON.parse(await fs.readFile(path.join(root, 'libs', dir, 'project.json'), 'utf8'));
    projects.set(json.name, `libs/${dir}`);
  }
  projects.set('image-plugin', 'tools/image-plugin');
  return projects;
}

async function tsFiles(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts') && !path.join(e.parentPath, e.name).includes(`${path.sep}dist${path.sep}`)).map((e) => path.join(e.parentPath, e.name));
}

/** The @imgmono/* modules each project imports (statically or dynamically), read from its files. */
async function importsOf(root: string, projects: Map<string, string>, withSpecs: boolean): Promise<Map<string, Set<string>>> {
  const imports = new Map<string, Set<string>>();
  for (const [name, projectRoot] of projects) {
    const found = new Set<string>();
    for (const file of await tsFiles(path.join(root, projectRoot, 'src'))) {
      if (!withSpecs && file.endsWith('.spec.ts')) continue;
      for (const match of (await fs.readFile(file, 'utf8')).matchAll(/(?:from |import\()'(@imgmono\/[a-z-]+)'/g)) if (match[1] !== name) found.add(match[1]);
    }
    imports.set(name, found);
  }
  return imports;
}

describe('libs as Nx projects, layers enforced', () => {
  let copy: WorkspaceCopy;
  let projects: Map<string, string>;

  beforeAll(async () => {
    copy = await copyThisWorkspace();
    projects = await codeProjects(copy.root);
  }, 300_000);
  afterAll(async () => copy?.remove());

  it('nx graph shows every lib with its layer beside the images, and every import between libs as an edge', async () => {
    const file = path.join(copy.root, 'graph.json');
    const run = await copy.nx(['graph', `--file=${file}`]);
    expect(run.code, run.output).toBe(0);
    const { graph } = JSON.parse(await fs.readFile(file, 'utf8')) as {
      graph: { nodes: Record<string, { data: { tags?: string[] } }>; dependencies: Record<string, Array<{ target: string }>> };
    };
    for (const name of projects.keys()) {
      expect(graph.nodes[name], `${name} is a node of the graph`).toBeDefined();
      expect(graph.nodes[name].data.tags?.filter((tag) => tag.startsWith('layer:')), `${name} names one layer`).toHaveLength(1);
    }
    expect(graph.nodes['opendev/nodepool-builder']).toBeDefined();
    expect(graph.dependencies['opendev/nodepool-builder'].map((d) => d.target)).toContain('opendev/diskimage-builder');
    for (const [name, imported] of await importsOf(copy.root, projects, true)) {
      const edges = new Set(graph.dependencies[name].map((d) => d.target));
      for (const target of imported) expect(edges.has(target), `${name} imports ${target}: an edge of the graph`).toBe(true);
    }
  }, 300_000);

  it('nx run-many -t lint passes, and fails on an upward import, a test helper in product code, and I/O in a pure lib', async () => {
    const clean = await copy.nx(['run-many', '-t', 'lint', '--skip-nx-cache']);
    expect(clean.code, clean.output).toBe(0);

    const planted = {
      // a pure lib reaching up into the I/O layer
      'libs/tags/src/planted.ts': "import { EngineClient } from '@imgmono/engine';\nexport type Planted = EngineClient;\n",
      // an I/O lib reaching up into orchestration, and into the test helpers
      'libs/registry/src/planted.ts': "import { buildImageProject } from '@imgmono/image-build';\nimport { makeTempDir } from '@imgmono/testing';\nexport const planted = [buildImageProject, makeTempDir];\n",
      // a pure lib doing I/O
      'libs/secrets/src/planted.ts': "import { readFileSync } from 'node:fs';\nexport const planted = readFileSync;\n",
    };
    await writeTree(copy.root, planted);
    const dirty = await copy.nx(['run-many', '-t', 'lint', '-p', '@imgmono/tags', '@imgmono/registry', '@imgmono/secrets', '--skip-nx-cache', '--output-style=static']);
    expect(dirty.code).not.toBe(0);
    expect(dirty.output).toMatch(/libs\/tags\/src\/planted\.ts[\s\S]*?A project tagged with "layer:pure" can only depend on libs tagged with "layer:pure"/);
    expect(dirty.output).toMatch(/libs\/registry\/src\/planted\.ts[\s\S]*?A project tagged with "layer:io" can only depend on libs tagged with "layer:pure", "layer:io"/);
    expect(dirty.output).toContain('test helpers are for specs (*.spec.ts) only');
    expect(dirty.output).toMatch(/libs\/secrets\/src\/planted\.ts[\s\S]*?'node:fs' import is restricted[\s\S]*?a pure lib does no I\/O/);

    for (const file of Object.keys(planted)) await fs.rm(path.join(copy.root, file));
    const again = await copy.nx(['run-many', '-t', 'lint', '-p', '@imgmono/tags', '@imgmono/registry', '@imgmono/secrets', '--skip-nx-cache']);
    expect(again.code, again.output).toBe(0);
  }, 600_000);

  it('nx affected -t test after touching one lib runs the tests of that lib and of its dependants only', async () => {
    await writeTree(copy.root, { '.gitignore': 'node_modules\ndist\n.nx\n' });
    const inCopy = (args: string[]) => execFileSync('git', args, { cwd: copy.root, stdio: 'pipe' });
    inCopy(['init', '-q', '-b', 'main']);
    inCopy(['-c', 'user.email=t@example.invalid', '-c', 'user.name=T', 'add', '-A']);
    inCopy(['-c', 'user.email=t@example.invalid', '-c', 'user.name=T', 'commit', '-qm', 'base']);
    const touched = path.join(copy.root, 'libs/tags/src/tag-rules.ts');
    await fs.appendFile(touched, '\n// touched\n');

    // expected: @imgmono/tags and everything that reaches it through imports, among the projects that have tests
    const imports = await importsOf(copy.root, projects, true);
    const reached = new Set(['@imgmono/tags']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const [name, imported] of imports) if (!reached.has(name) && [...imported].some((target) => reached.has(target))) (reached.add(name), (grew = true));
    }
    const withTests = new Set<string>();
    for (const [name, root] of projects) if ((await tsFiles(path.join(copy.root, root, 'src'))).some((file) => file.endsWith('.spec.ts'))) withTests.add(name);
    const expected = [...reached].filter((name) => withTests.has(name)).sort();
    expect(expected.length).toBeLessThan(withTests.size); // touching one lib must not select everything

    const listed = await copy.nx(['show', 'projects', '--affected', '--base=HEAD', '-t', 'test']);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.output.trim().split('\n').filter((line) => projects.has(line.trim())).map((line) => line.trim()).sort()).toEqual(expected);

    const ran = await copy.nx(['affected', '-t', 'test', '--base=HEAD', '--output-style=static']);
    expect(ran.code, ran.output).toBe(0);
    const ranTasks = [...ran.output.matchAll(/> nx run (\S+):test/g)].map((m) => m[1]).sort();
    expect([...new Set(ranTasks)]).toEqual(expected);
  }, 600_000);
});
