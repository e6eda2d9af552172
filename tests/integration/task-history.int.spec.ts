/**
 * Nx's task history sees one task per distinct run: a build refused after a
 * good one, because another checkout was handed in (or the same checkout
 * changed in place), is not reported by Nx as a flaky task. The settings that
 * change what a target does are its inputs, and the state Nx cannot see (the
 * engine, the registry, checkouts outside the workspace) makes each run a task
 * of its own.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { commitAll, initRepo, makeTempDir, removeDir, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';

const enabled = await integrationEnabled();
const FLAKY = /flaky task/i;

describe.skipIf(!enabled)('Nx task history', () => {
  let ws: TestWorkspace;
  let tmp: string;
  let good: string;
  let bad: string;
  const build = (checkout: string) =>
    ws.nx(['run', `${ws.namespace}/app:image`, '--output-style=stream'], { IMAGE_SOURCE_TOOL: checkout, IMAGE_SOURCES_CLONE: 'false' });

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-history-');
    good = path.join(tmp, 'good');
    bad = path.join(tmp, 'bad');
    await initRepo(good, { 'VERSION': '1.0.0\n' });
    await initRepo(bad, { 'VERSION': '1.0.0\n' });
    await fs.symlink('../../etc/passwd', path.join(bad, 'escape'));
    await commitAll(bad, {}, 'a link out of the checkout');
    ws = await createTestWorkspace();
    await ws.write({
      'sources/tool/source.json': JSON.stringify({ url: 'file:///nowhere/tool.git', ref: 'master' }),
      ...busyboxRoot(`${ws.namespace}/root`),
      ...imageProject(`${ws.namespace}/app`, [`${ws.namespace}/root`, 'tool'], `FROM ${ws.namespace}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\n`),
    });
  });

  afterAll(async () => {
    await removeNamespaceImages(ws.namespace);
    await ws?.remove();
    await removeDir(tmp);
  });

  it('a build refused after a good one, with another checkout handed in, is no flaky task', async () => {
    const first = await build(good);
    expect(first.code, first.output).toBe(0);
    const refused = await build(bad);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('symlink escape points outside the checkout');
    expect(refused.output).not.toMatch(FLAKY);
  });

  it('nor is one refused after the same checkout changed in place, nor the good build after it', async () => {
    const again = await build(good);
    expect(again.code, again.output).toBe(0);
    await fs.symlink('../../etc/passwd', path.join(good, 'escape'));
    const refused = await build(good);
    expect(refused.code).not.toBe(0);
    expect(refused.output).not.toMatch(FLAKY);
    await fs.rm(path.join(good, 'escape'));
    const fixed = await build(good);
    expect(fixed.code, fixed.output).toBe(0);
    expect(fixed.output).not.toMatch(FLAKY);
  });
});
