/**
 * The Zuul export through the real `nx`, on a copy of the example workspace:
 * the generator writes exactly the committed zuul.d/images.yaml; the drift
 * check passes on it, fails on a graph that moved (naming the first
 * difference and the command that regenerates the file) and passes again
 * after regenerating; and for every image's Dockerfile, the jobs whose `files`
 * regexes match a change to it are exactly the jobs of the projects that
 * `nx show projects --affected` names for that change.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT, TestWorkspace, createTestWorkspace } from '@imgmono/testing';

type Job = { name: string; files?: string[]; vars?: { nx_target?: string } };

describe('zuul export and drift check', () => {
  let ws: TestWorkspace;
  const committed = () => fs.readFile(path.join(REPO_ROOT, 'zuul.d/images.yaml'), 'utf8');

  beforeAll(async () => {
    ws = await createTestWorkspace();
    for (const item of ['images', 'sources', 'scenarios', 'namespaces.json']) await fs.cp(path.join(REPO_ROOT, item), path.join(ws.root, item), { recursive: true });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'example workspace']);
  });
  afterAll(() => ws?.remove());

  it('the generator writes exactly the committed file, and touches nothing else', async () => {
    const run = await ws.nx(['g', '@imgmono/image-plugin:zuul', '--no-interactive']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('CREATE zuul.d/images.yaml');
    expect(await fs.readFile(path.join(ws.root, 'zuul.d/images.yaml'), 'utf8')).toBe(await committed());
    const status = await ws.git(['status', '--porcelain']);
    expect(status.output.trim()).toBe('?? zuul.d/');
    const again = await ws.nx(['g', '@imgmono/image-plugin:zuul', '--no-interactive']);
    expect(again.output).not.toContain('UPDATE zuul.d/images.yaml');
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'zuul jobs']);
  });

  it('the drift check passes on it, fails naming the first difference and the command once the graph moved, and passes after regenerating', async () => {
    const ok = await ws.nx(['run', 'zuul-config:zuul-check', '--skip-nx-cache']);
    expect(ok.code, ok.output).toBe(0);
    expect(ok.output).toMatch(/zuul\.d\/images\.yaml is in step with the project graph \(\d+ jobs\)/);
    const projectFile = path.join(ws.root, 'images/test/ssh-node/project.json');
    const project = JSON.parse(await fs.readFile(projectFile, 'utf8'));
    await fs.writeFile(projectFile, JSON.stringify({ ...project, targets: { image: { options: { buildArgs: { SSH_PORT: '22' } } } } }, null, 2));
    const drift = await ws.nx(['run', 'zuul-config:zuul-check', '--skip-nx-cache']);
    expect(drift.code).not.toBe(0);
    expect(drift.output).toMatch(/zuul\.d\/images\.yaml:\d+: differs from what the project graph gives: the graph gives " +build_args:", the file has ".*"; regenerate it with 'npx nx g @imgmono\/image-plugin:zuul' and commit the result/);
    const regenerate = await ws.nx(['g', '@imgmono/image-plugin:zuul', '--no-interactive']);
    expect(regenerate.output).toContain('UPDATE zuul.d/images.yaml');
    expect(await fs.readFile(path.join(ws.root, 'zuul.d/images.yaml'), 'utf8')).toContain('- SSH_PORT=22');
    const fixed = await ws.nx(['run', 'zuul-config:zuul-check', '--skip-nx-cache']);
    expect(fixed.code, fixed.output).toBe(0);
    await ws.git(['checkout', '--', '.']);
  });

  it("a change to one image's Dockerfile matches exactly the files regexes of the jobs of the projects nx affected names", async () => {
    const jobs = (parse(await committed()) as Array<{ job?: Job }>).flatMap((item) => (item.job ? [item.job] : []));
    const graph = await ws.nx(['show', 'projects', '--json']);
    const projects = JSON.parse(graph.output.slice(graph.output.indexOf('['))) as string[];
    const images = projects.filter((name) => name.includes('/') && !name.startsWith('scenarios/')).sort();
    expect(images.length).toBeGreaterThanOrEqual(10);
    /** The jobs a project has in the export: its build, upload and promote jobs, or its Nx job; and its image test. */
    const jobsOfProject = (project: string) =>
      jobs
        .filter((job) => job.name.endsWith(`-${project.replace(/[^A-Za-z0-9]+/g, '-')}`) && /^imgmono-(build|upload|promote|image-test)-/.test(job.name))
        .map((job) => job.name);
    for (const image of images) {
      const dockerfile = `images/${image}/Dockerfile`;
      const affected = await ws.nx(['show', 'projects', '--affected', `--files=${dockerfile}`, '--json']);
      const names = (JSON.parse(affected.output.slice(affected.output.indexOf('['))) as string[]).filter((name) => name.includes('/'));
      const expected = names.flatMap(jobsOfProject).sort();
      const matching = jobs.filter((job) => (job.files ?? []).some((pattern) => new RegExp(pattern).test(dockerfile))).map((job) => job.name).sort();
      expect(matching, dockerfile).toEqual(expected);
      expect(matching.length, dockerfile).toBeGreaterThan(0);
    }
  });
});
