/**
 * Adding an image takes one command: `nx g` in a real workspace copy, the
 * graph check on it, a build on the real engine, `nx affected` picking it
 * up when its parent changes; and drift between the Dockerfile and the graph
 * fails the check with the fix. The workspace copy runs the set-up's plugin
 * build first (`node tools/image-plugin/build.js`), so `nx g` runs the compiled
 * plugin exactly as a user gets it after the README's set-up.
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { imageIdOf, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { TestWorkspace, busyboxRoot, createTestWorkspace, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('generators end to end', () => {
  let ws: TestWorkspace;
  let ns: string;

  beforeAll(async () => {
    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      'namespaces.json': JSON.stringify({ namespaces: { [ns]: { base: `${ns}/root`, mayBuildOn: [] } } }, null, 2),
      ...busyboxRoot(`${ns}/root`),
    });
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'workspace']);
    // the set-up's step: the plugin compiled to dist/, which load.js then prefers to the sources
    execFileSync(process.execPath, [path.join(ws.root, 'tools/image-plugin/build.js')]);
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
  });

  it('--dry-run writes nothing', async () => {
    const run = await ws.nx(['g', '@imgmono/image-plugin:image', `${ns}/tool`, '--dry-run', '--no-interactive']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`CREATE images/${ns}/tool/Dockerfile`);
    expect(run.output).toContain(`CREATE images/${ns}/tool/project.json`);
    await expect(fs.stat(path.join(ws.root, 'images', ns, 'tool'))).rejects.toThrow();
  });

  it('generates an image that passes the check and builds with no hand edits', async () => {
    const gen = await ws.nx(['g', '@imgmono/image-plugin:image', `${ns}/tool`, '--no-interactive']);
    expect(gen.code, gen.output).toBe(0);
    const check = await ws.nx(['run', `${ns}/tool:graph-check`, '--skip-nx-cache']);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toContain(`[${ns}/tool] graph check: ok`);
    const build = await ws.nx(['run', `${ns}/tool:image`, '--output-style=stream']);
    expect(build.code, build.output).toBe(0);
    const record = await readRecord(ws, `${ns}/tool`);
    expect(record.status).toBe('built');
    expect(await imageIdOf(`${ns}/tool:latest`)).toBe(record.imageId);
    expect(record.parents).toEqual([{ project: `${ns}/root`, imageId: await imageIdOf(`${ns}/root:latest`), origin: 'this-run', reason: 'built in this run (built)' }]);
  });

  it('shows the new image in nx graph and nx affected picks it up when its parent changes', async () => {
    await ws.git(['add', '-A']);
    await ws.git(['commit', '-qm', 'tool']);
    const graph = await ws.nx(['graph', '--file=graph.json']);
    expect(graph.code, graph.output).toBe(0);
    const json = JSON.parse(await fs.readFile(path.join(ws.root, 'graph.json'), 'utf8')).graph;
    expect(json.dependencies[`${ns}/tool`].map((d: { target: string }) => d.target)).toEqual([`${ns}/root`]);
    // its project.json names no projectType: the plugin makes it an application
    expect(json.nodes[`${ns}/tool`].type).toBe('app');

    await fs.appendFile(path.join(ws.root, 'images', ns, 'root', 'Dockerfile'), 'ENV CHANGED=1\n');
    const affected = await ws.nx(['show', 'projects', '--affected', '--base=HEAD', '-t', 'image', '--json']);
    expect(JSON.parse(affected.output.slice(affected.output.indexOf('['))).sort()).toEqual([`${ns}/root`, `${ns}/tool`]);
    const tree = await ws.nx(['run', 'image-plugin:tree', '--affected', '--base=HEAD']);
    expect(tree.output).toContain(`  ${ns}/root *\n  └── ${ns}/tool *`);
    await ws.git(['checkout', '--', 'images']);
  });

  it('the namespace generator adds the rules and a base image that builds, and leaves tsconfig.base.json alone', async () => {
    const tsconfigBefore = await fs.readFile(path.join(ws.root, 'tsconfig.base.json'), 'utf8');
    const ns2 = `${ns}x`;
    const gen = await ws.nx(['g', '@imgmono/image-plugin:namespace', ns2, '--parent', `${ns}/root`, '--no-interactive']);
    expect(gen.code, gen.output).toBe(0);
    expect(gen.output).toContain(`CREATE images/${ns2}/base/Dockerfile`);
    expect(gen.output).toContain('UPDATE namespaces.json');
    expect(gen.output).not.toContain('tsconfig.base.json');
    expect(await fs.readFile(path.join(ws.root, 'tsconfig.base.json'), 'utf8')).toBe(tsconfigBefore);
    const build = await ws.nx(['run', `${ns2}/base:image`, '--output-style=stream']);
    expect(build.code, build.output).toBe(0);
    expect((await readRecord(ws, `${ns2}/base`)).status).toBe('built');
    await removeNamespaceImages(ns2);
  });

  it('drift between Dockerfile and graph fails the check with the fix', async () => {
    const gen = await ws.nx(['g', '@imgmono/image-plugin:image', `${ns}/second`, '--no-interactive']);
    expect(gen.code, gen.output).toBe(0);
    await fs.writeFile(path.join(ws.root, 'images', ns, 'tool', 'Dockerfile'), `ARG BASE=${ns}/second\nFROM \${BASE}\n`);
    const check = await ws.nx(['run-many', '-t', 'graph-check', '--skip-nx-cache', '--output-style=stream']);
    expect(check.code).not.toBe(0);
    expect(check.output).toContain(
      `images/${ns}/tool/Dockerfile:2: [from-undeclared] FROM ${ns}/second uses the workspace image ${ns}/second, which is not in implicitDependencies of ${ns}/tool; fix: add "${ns}/second" to implicitDependencies in images/${ns}/tool/project.json`,
    );
    expect(check.output).toContain(`[dependency-unused] implicitDependencies of ${ns}/tool names the image ${ns}/root, but no FROM or COPY --from of images/${ns}/tool/Dockerfile uses it`);
    expect(check.output).toContain(`[${ns}/second] graph check: ok`);
  });
});
