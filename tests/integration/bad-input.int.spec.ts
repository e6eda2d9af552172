/**
 * Bad input, one row a case: the exact error a user sees, a non-zero exit,
 * and nothing built or tagged (no image of the test's namespace appears).
 * Plus: no engine answering, and what a build can see of the host.
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL } from '@imgmono/image-meta';
import { docker, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { initRepo, makeTempDir, removeDir, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('bad input', () => {
  let ws: TestWorkspace;
  let ns: string;
  let tmp: string;

  const namespaceImages = async () =>
    (await docker.listImages({ all: true, filters: { label: [`${LABEL.managed}=true`] } }))
      .filter((image) => (image.Labels?.[LABEL.project] ?? '').startsWith(`${ns}/`))
      .map((image) => `${image.Id} ${(image.RepoTags ?? []).sort().join(',')}`)
      .sort();

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-bad-');
    ws = await createTestWorkspace();
    ns = ws.namespace;
    const outside = path.join(tmp, 'outside-secret');
    await fs.writeFile(outside, 'x');
    const escaping = path.join(tmp, 'escaping');
    await initRepo(escaping, { 'setup.py': 'x' });
    await fs.symlink(outside, path.join(escaping, 'link'));
    const latin1 = path.join(tmp, 'latin1');
    await initRepo(latin1, { 'setup.py': 'x' });
    await fs.writeFile(Buffer.concat([Buffer.from(`${latin1}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'x');
    await ws.write({
      ...busyboxRoot(`${ns}/root`),
      'sources/escaping/source.json': JSON.stringify({ url: 'file:///nowhere/escaping.git', ref: '1.0.0' }),
      'sources/latin1/source.json': JSON.stringify({ url: 'file:///nowhere/latin1.git', ref: '1.0.0' }),
      'sources/unpinned/source.json': JSON.stringify({ url: 'file:///nowhere/unpinned.git' }),
      ...imageProject(`${ns}/bad-source`, [`${ns}/root`, 'unpinned'], `FROM ${ns}/root\nCOPY .zuul-siblings/ /s/\n`),
      ...imageProject(`${ns}/no-dockerfile`, [`${ns}/root`], 'FROM scratch\n'),
      [`images/${ns}/no-dockerfile/project.json`]: JSON.stringify({ name: `${ns}/no-dockerfile`, implicitDependencies: [`${ns}/root`], targets: { image: { options: { dockerfile: 'Dockerfile.zuul' } } } }),
      ...imageProject(`${ns}/empty`, [], '\n# nothing\n'),
      ...imageProject(`${ns}/unknown-parent`, [], 'FROM opendev/does-not-exist-anywhere:1.0\n'),
      ...imageProject(`${ns}/ignored`, [`${ns}/root`], `FROM ${ns}/root\n`, { '.dockerignore': '*\n' }),
      ...imageProject(`${ns}/bad-rootfs`, [], 'FROM scratch\nADD rootfs.tar /\n', { 'rootfs.json': '{"suite": "bookworm", "variant": "tiny"}' }),
      ...imageProject(`${ns}/secret-arg`, [`${ns}/root`], `FROM ${ns}/root\nARG REGISTRY_PASSWORD\n`),
      [`images/${ns}/secret-arg/project.json`]: JSON.stringify({ name: `${ns}/secret-arg`, implicitDependencies: [`${ns}/root`], targets: { image: { options: { buildArgs: { REGISTRY_PASSWORD: 'hunter2-value' } } } } }),
      ...imageProject(`${ns}/secret-mount`, [`${ns}/root`], `FROM ${ns}/root\nRUN --mount=type=secret,id=token cat /run/secrets/token\n`),
      ...imageProject(`${ns}/escapes`, [`${ns}/root`, 'escaping'], `FROM ${ns}/root\nCOPY .zuul-siblings/ /s/\n`),
      ...imageProject(`${ns}/not-utf8`, [`${ns}/root`, 'latin1'], `FROM ${ns}/root\nCOPY .zuul-siblings/ /s/\n`),
      ...imageProject(`${ns}/no-checkout`, [`${ns}/root`, 'escaping'], `FROM ${ns}/root\nCOPY .zuul-siblings/ /s/\n`),
      ...imageProject(`${ns}/Bad_Name`, [`${ns}/root`], `FROM ${ns}/root\n`),
      ...imageProject(`${ns}/sees-host`, [`${ns}/root`], `FROM ${ns}/root\nRUN test ! -e /var/run/docker.sock && test ! -e /run/docker.sock && ! grep -q docker /proc/mounts && echo clean > /host-check\n`),
    });
    await ws.nx(['run', `${ns}/root:image`]);
  });

  afterAll(async () => {
    await removeNamespaceImages(ns);
    await ws?.remove();
    await removeDir(tmp);
  });

  it.each<[string, string, Record<string, string>, string]>([
    ['Dockerfile missing', 'no-dockerfile', {}, 'images/NS/no-dockerfile/Dockerfile.zuul does not exist: every image project needs a Dockerfile'],
    ['Dockerfile empty', 'empty', {}, 'NS/empty: images/NS/empty/Dockerfile:1: no FROM instruction: a Dockerfile must start a stage with FROM'],
    ['FROM an image that exists nowhere', 'unknown-parent', {}, 'NS/unknown-parent: images/NS/unknown-parent/Dockerfile:1: image opendev/does-not-exist-anywhere:1.0 is neither a workspace image nor present in the engine'],
    ['a malformed source declaration', 'bad-source', {}, 'NS/bad-source: sources/unpinned/source.json: "ref" must be a tag, branch or commit'],
    ['.dockerignore excludes the Dockerfile', 'ignored', {}, "NS/ignored: images/NS/ignored/.dockerignore excludes the Dockerfile Dockerfile (pattern '*'): remove that pattern or add '!Dockerfile'"],
    ['malformed rootfs.json', 'bad-rootfs', {}, 'NS/bad-rootfs: images/NS/bad-rootfs/rootfs.json: "variant" must be one of extract, custom'],
    ['invalid tag', 'empty', { IMAGE_TAGS: 'bad tag!' }, "NS/empty: tag 'bad tag!' is not a valid image tag"],
    ['invalid image name', 'Bad_Name', {}, 'NS/Bad_Name: the project name has upper-case letters; image names are lowercase: rename the project and its folder'],
    ['a secret as a build argument', 'secret-arg', {}, 'NS/secret-arg: images/NS/secret-arg/project.json: build argument REGISTRY_PASSWORD looks like a secret and is refused'],
    ['a secret mount', 'secret-mount', {}, 'NS/secret-mount: images/NS/secret-mount/Dockerfile:2: RUN --mount=type=secret asks for a secret, which is refused'],
    ['a source symlink out of the checkout', 'escapes', { IMAGE_SOURCE_ESCAPING: 'TMP/escaping' }, 'NS/escapes: source escaping (TMP/escaping): symlink link points outside the checkout (to TMP/outside-secret)'],
    ['a non-UTF-8 file name in a source', 'not-utf8', { IMAGE_SOURCE_LATIN1: 'TMP/latin1' }, 'NS/not-utf8: source latin1 (TMP/latin1): file name "café.txt" (bytes 636166e92e747874) is not UTF-8'],
    ['a source path that is not a checkout', 'no-checkout', { IMAGE_SOURCE_ESCAPING: '/etc' }, 'NS/no-checkout: IMAGE_SOURCE_ESCAPING=/etc names the checkout of escaping, but /etc is not a git checkout'],
    ['a relative source path escaping upwards', 'no-checkout', { IMAGE_SOURCE_ESCAPING: '../../../..' }, 'NS/no-checkout: IMAGE_SOURCE_ESCAPING=../../../.. names the checkout of escaping, but / is not a git checkout'],
    ['no engine answering', 'sees-host', { DOCKER_HOST: 'unix:///tmp/no-such-engine.sock' }, 'no Docker engine answers at DOCKER_HOST=unix:///tmp/no-such-engine.sock'],
  ])('%s', async (_case, name, rawEnv, expected) => {
    const sub = (text: string) => text.replaceAll('NS', ns).replaceAll('TMP', tmp);
    const before = await namespaceImages();
    const env = Object.fromEntries(Object.entries(rawEnv).map(([key, value]) => [key, sub(value)]));
    const run = await ws.nx(['run', `${ns}/${name}:image`, '--exclude-task-dependencies', '--output-style=stream'], { ...env, IMAGE_SOURCES_CLONE: 'false' });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain(sub(expected));
    expect(run.output).not.toContain('internal error');
    expect(run.output).not.toContain('hunter2-value');
    expect(await namespaceImages()).toEqual(before);
  });

  it.each<[string, (n: string) => Record<string, string>, (n: string, root: string) => string[]]>([
    [
      'a malformed project.json',
      (n) => ({ ...busyboxRoot(`${n}/root`), [`images/${n}/root/project.json`]: '{"name": "broken",' }),
      (n) => [`images/${n}/root/project.json: not valid JSON: Expected double-quoted property name at line 1, column 19; fix the file`],
    ],
    [
      'a parent that is no project',
      (n) => ({ ...busyboxRoot(`${n}/root`), ...imageProject(`${n}/child`, [`${n}/nowhere`], `FROM ${n}/nowhere\n`) }),
      (n) => [`The following implicitDependencies point to non-existent project(s):\n  ${n}/child\n    ${n}/nowhere`],
    ],
  ])('%s stops the main command with the file named, and nothing is built', async (_case, files, expected) => {
    const otherNs = `${ns}x${_case.length}`;
    const other = await createTestWorkspace(otherNs);
    try {
      await other.write(files(otherNs));
      const run = spawnSync('bash', ['tools/scripts/build-images.sh'], { cwd: other.root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false' } });
      const output = `${run.stdout}${run.stderr}`;
      expect(run.status, output).not.toBe(0);
      for (const text of expected(otherNs, other.root)) expect(output).toContain(text);
      expect(output).toContain('build-images: Nx cannot read the workspace; nothing was built');
      expect((await docker.listImages({ filters: { label: [`${LABEL.project}=${otherNs}/root`] } })).length).toBe(0);
    } finally {
      await removeNamespaceImages(otherNs);
      await other.remove();
    }
  });

  it('a build sees neither the engine socket nor host mounts', async () => {
    const run = await ws.nx(['run', `${ns}/sees-host:image`, '--exclude-task-dependencies', '--output-style=stream']);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(new RegExp(`\\[${ns}/sees-host\\] built`));
  });
});
