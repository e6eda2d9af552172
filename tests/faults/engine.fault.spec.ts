/**
 * Engine faults, on real engines: none answering, one killed in the middle of
 * a build (a second dockerd of the test's own), a run interrupted by SIGINT
 * or SIGTERM, two runs at once on one workspace and engine, and two clones
 * of the workspace at once on one engine. Each case
 * states what must hold afterwards: the error names DOCKER_HOST, the exit is
 * non-zero, no tag moved, no container or temporary file is left, and the
 * next run builds cleanly.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { containersCreated, docker, imageIdOf, integrationEnabled, removeNamespaceImages, SecondEngine, createSecondEngine } from '@imgmono/test-engine';
import { makeTempDir, removeDir, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

/** Containers (running or not) that belong to the namespace: build steps carry their parent's project label. */
async function namespaceContainers(client: typeof docker, ns: string): Promise<string[]> {
  const containers = await client.listContainers({ all: true });
  return containers.filter((c) => (c.Labels?.[LABEL.project] ?? '').startsWith(`${ns}/`)).map((c) => `${c.Id.slice(0, 12)} ${c.State} ${c.Labels[LABEL.project]}`);
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    value = await read();
  }
  return value;
}

/**
 * Files below a folder, without the caches Nx keeps in TMPDIR on purpose: its
 * native module (nx-native-file-cache-*) and, since Nx 23, the transpile cache
 * of @swc-node/register (swc-node-*), which outlives every run by design.
 */
async function filesBelow(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return entries.map(String).filter((entry) => !entry.startsWith('nx-native-file-cache-') && !entry.startsWith('swc-node-')).sort();
}

describe.skipIf(!enabled)('engine faults', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;
  let tmpdir: string;

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-fault-');
    tmpdir = path.join(tmp, 'tmpdir');
    await fs.mkdir(tmpdir);
    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/slow`, [`${ns}/root`], `FROM ${ns}/root\nRUN echo v1 > /version\n`),
    });
    const first = await ws.nx(['run', `${ns}/slow:image`, '--output-style=stream']);
    expect(first.code, first.output).toBe(0);
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  it('no engine answering: the error names DOCKER_HOST, nothing is tagged, and the next run with the engine builds', async () => {
    await ws.write({ [`images/${ns}/slow/Dockerfile`]: `FROM ${ns}/root\nRUN echo v-unreachable > /version\n` });
    const before = await imageIdOf(`${ns}/slow:latest`);
    const run = await ws.nx(['run', `${ns}/slow:image`, '--output-style=stream'], { DOCKER_HOST: `unix://${tmp}/no-engine.sock` });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(`no Docker engine answers at DOCKER_HOST=unix://${tmp}/no-engine.sock`);
    expect(run.output).not.toContain('internal error');
    expect(await imageIdOf(`${ns}/slow:latest`)).toBe(before);

    const again = await ws.nx(['run', `${ns}/slow:image`, '--output-style=stream']);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`[${ns}/slow] built`);
    const built = await imageIdOf(`${ns}/slow:latest`);
    expect(built).not.toBe(before);

    // the image alone, its parent's record saying built: no ping first, but asking the engine about
    // the parent finds none, before a context is read
    await ws.write({ [`images/${ns}/slow/Dockerfile`]: `FROM ${ns}/root\nRUN echo v-alone > /version\n` });
    const alone = await ws.nx(['run', `${ns}/slow:image`, '--exclude-task-dependencies', '--output-style=stream'], { DOCKER_HOST: `unix://${tmp}/no-engine.sock` });
    expect(alone.code).not.toBe(0);
    expect(alone.output).toContain(`no Docker engine answers at DOCKER_HOST=unix://${tmp}/no-engine.sock`);
    expect(alone.output).not.toContain(`[${ns}/slow] context`);
    expect(alone.output).not.toContain('internal error');
    expect(await imageIdOf(`${ns}/slow:latest`)).toBe(built);
  });

  describe('an engine killed in the middle of a build', () => {
    let engine: SecondEngine;

    beforeAll(async () => {
      engine = await createSecondEngine(path.join(tmp, 'e2'));
      await engine.start();
      await engine.loadFromMain(`${ns}/root:latest`);
    });

    afterAll(async () => {
      await engine?.remove();
    });

    it('fails naming DOCKER_HOST and the step, tags nothing, and the run after a restart builds cleanly', async () => {
      await ws.write({ [`images/${ns}/slow/Dockerfile`]: `FROM ${ns}/root\nRUN echo killed-engine-step && sleep 15 && echo v2 > /version\n` });
      const env = { DOCKER_HOST: engine.host };
      const running = ws.start(['run', `${ns}/slow:image`, '--exclude-task-dependencies', '--output-style=stream'], env);
      await running.waitFor(/killed-engine-step/);
      await engine.kill();
      const run = await running.done;
      expect(run.code).not.toBe(0);
      expect(run.output).toContain(`the Docker engine at DOCKER_HOST=${engine.host} stopped answering during the build, at Step 2/3 (RUN echo killed-engine-step`);
      expect(run.output).toContain(`[${ns}/slow] failed after`);
      expect(run.output).not.toContain('internal error');
      expect((await readRecord(ws, `${ns}/slow`)).status).toBe('failed');

      await engine.start();
      const tagged = await engine.client.listImages({ filters: { reference: [`${ns}/slow`] } });
      expect(tagged).toEqual([]);
      const again = await ws.nx(['run', `${ns}/slow:image`, '--exclude-task-dependencies', '--output-style=stream'], env);
      expect(again.code, again.output).toBe(0);
      const record = await readRecord(ws, `${ns}/slow`);
      expect(record.status).toBe('built');
      expect((await engine.client.getImage(`${ns}/slow:latest`).inspect()).Id).toBe(record.imageId);
      expect(await namespaceContainers(engine.client, ns)).toEqual([]);
    });
  });

  describe.each<[string, NodeJS.Signals, 'group' | 'process']>([
    ['Ctrl-C (SIGINT to the process group)', 'SIGINT', 'group'],
    ['a supervisor stopping the job (SIGTERM to the Nx process only)', 'SIGTERM', 'process'],
  ])('an interrupted build: %s', (_case, signal, target) => {
    it('moves no tag, leaves no container, removes its temporary files, and the next run builds', async () => {
      const good = await ws.nx(['run', `${ns}/slow:image`, '--output-style=stream']);
      expect(good.code, good.output).toBe(0);
      const before = await imageIdOf(`${ns}/slow:latest`);
      const marker = `interrupted-${signal.toLowerCase()}`;
      await ws.write({ [`images/${ns}/slow/Dockerfile`]: `FROM ${ns}/root\nRUN echo ${marker} && sleep 12 && echo v3 > /version\n` });
      const running = ws.start(['run', `${ns}/slow:image`, '--output-style=stream'], { TMPDIR: tmpdir });
      await running.waitFor(new RegExp(marker));
      if (target === 'group') running.signalGroup(signal);
      else running.signal(signal);
      const run = await running.done;
      expect(run.code === 0 && run.signal === null, run.output).toBe(false);
      expect(run.output).not.toMatch(new RegExp(`\\[${ns}/slow\\] built`));
      // the executor, if it outlived Nx, would tag when the sleep ends: wait past that
      await new Promise((resolve) => setTimeout(resolve, 14_000));
      expect(await imageIdOf(`${ns}/slow:latest`)).toBe(before);
      expect(await eventually(() => namespaceContainers(docker, ns), (list) => list.length === 0)).toEqual([]);
      expect(await filesBelow(tmpdir)).toEqual([]);
      expect((await filesBelow(path.join(ws.root, 'dist/images'))).filter((file) => file.includes('.tmp'))).toEqual([]);

      const again = await ws.nx(['run', `${ns}/slow:image`, '--output-style=stream']);
      expect(again.code, again.output).toBe(0);
      expect(await imageIdOf(`${ns}/slow:latest`)).toBe((await readRecord(ws, `${ns}/slow`)).imageId);
    });
  });

  it('an interrupted root file system build removes its temporary folder and leaves no mmdebstrap behind', async () => {
    await ws.write(busyboxRoot(`${ns}/root2`));
    const running = ws.start(['run', `${ns}/root2:image`, '--output-style=stream'], { TMPDIR: tmpdir });
    await running.waitFor(/mmdebstrap: /);
    running.signalGroup('SIGINT');
    const run = await running.done;
    expect(run.code === 0 && run.signal === null, run.output).toBe(false);
    expect(await eventually(() => filesBelow(tmpdir), (files) => files.length === 0)).toEqual([]);
    const { execFileSync } = await import('node:child_process');
    const mmdebstraps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes('mmdebstrap') && line.includes(tmpdir));
    expect(mmdebstraps).toEqual([]);
    expect(await imageIdOf(`${ns}/root2:latest`)).toBeUndefined();
  });

  it('two runs at once on one workspace and engine both finish, build each image once, and every tag matches its project state', async () => {
    await ws.write({
      [`images/${ns}/slow/Dockerfile`]: `FROM ${ns}/root\nRUN echo concurrent > /version\n`,
      ...imageProject(`${ns}/left`, [`${ns}/root`], `FROM ${ns}/root\nRUN sleep 4 && echo left > /side\n`),
      ...imageProject(`${ns}/right`, [`${ns}/left`], `FROM ${ns}/left\nRUN echo right > /side\n`),
    });
    const projects = [`${ns}/root`, `${ns}/slow`, `${ns}/left`, `${ns}/right`];
    const args = ['run-many', '-t', 'image', `--projects=${projects.join(',')}`, '--output-style=stream'];
    const [one, two] = await Promise.all([ws.nx(args), ws.nx(args)]);
    expect(one.code, one.output).toBe(0);
    expect(two.code, two.output).toBe(0);
    // one run builds each new image while the other waits for it, then reuses it: no double build, no race to the tag
    for (const project of [`${ns}/left`, `${ns}/right`]) {
      const built = [one.output, two.output].map((output) => output.split('\n').filter((line) => line.includes(`[${project}] built sha256:`)).length);
      expect(built.reduce((a, b) => a + b), project).toBe(1);
    }
    expect(`${one.output}${two.output}`).toContain('waiting: another run (pid ');
    for (const project of projects) {
      const record = await readRecord(ws, project);
      const tagged = await docker.getImage(`${project}:latest`).inspect();
      expect(tagged.Id, `${project} right after the two runs`).toBe(record.imageId);
    }

    const started = Date.now();
    const third = await ws.nx(args);
    expect(third.code, third.output).toBe(0);
    expect(await containersCreated(started, Date.now(), `${ns}/`)).toBe(0);
    for (const project of projects) {
      const record = await readRecord(ws, project);
      const tagged = await docker.getImage(`${project}:latest`).inspect();
      expect(tagged.Id, project).toBe(record.imageId);
      expect(tagged.Config.Labels[LABEL.inputDigest], project).toBe(record.inputDigest);
    }
    expect(third.output).toContain(`[${ns}/right] reusing`);
  });

  it('two clones of the workspace building the same image names at once on one engine build each image once, and no tag ends on an image a record does not name', async () => {
    const files = {
      ...imageProject(`${ns}/clone-a`, [`${ns}/root`], `FROM ${ns}/root\nRUN sleep 4 && echo clone > /side\n`),
      ...imageProject(`${ns}/clone-b`, [`${ns}/clone-a`], `FROM ${ns}/clone-a\nRUN echo b > /side\n`),
    };
    const other = await createTestWorkspace(ns);
    try {
      // the second clone: the same root image and new images, in a folder of its own
      await fs.cp(path.join(ws.root, 'images', ns, 'root'), path.join(other.root, 'images', ns, 'root'), { recursive: true });
      await ws.write(files);
      await other.write(files);
      const projects = [`${ns}/root`, `${ns}/clone-a`, `${ns}/clone-b`];
      const args = ['run-many', '-t', 'image', `--projects=${projects.join(',')}`, '--output-style=stream'];
      const [one, two] = await Promise.all([ws.nx(args), other.nx(args)]);
      expect(one.code, one.output).toBe(0);
      expect(two.code, two.output).toBe(0);
      for (const project of [`${ns}/clone-a`, `${ns}/clone-b`]) {
        const built = [one.output, two.output].map((output) => output.split('\n').filter((line) => line.includes(`[${project}] built sha256:`)).length);
        expect(built.reduce((a, b) => a + b), project).toBe(1);
      }
      expect(`${one.output}${two.output}`).toContain('is building this image on this engine');
      for (const project of projects) {
        const tagged = await docker.getImage(`${project}:latest`).inspect();
        for (const clone of [ws, other]) expect(tagged.Id, `${project} in ${clone.root}`).toBe((await readRecord(clone, project)).imageId);
      }
    } finally {
      await other.remove();
    }
  });
});
