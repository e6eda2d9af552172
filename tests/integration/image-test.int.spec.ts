/**
 * The image-test target on a real engine: a table of specs, each passing or
 * failing with the exact text a user reads; scenarios of busybox services in
 * one loopback-only network namespace (ready, never ready, interrupted);
 * and afterwards no container of the workspace is left (label query).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainerClient } from '@imgmono/engine';
import { docker, integrationEnabled, removeNamespaceImages } from '@imgmono/test-engine';
import { TestWorkspace, busyboxRoot, createTestWorkspace, imageProject } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('image tests and scenarios', () => {
  let ws: TestWorkspace;
  let ns: string;
  const containers = createContainerClient();
  /** Containers carrying this workspace's label: the image-test target labels every container it creates. */
  const workspaceContainers = async () => {
    const label = `io.imgmono.workspace=${createHash('sha256').update(ws.root).digest('hex').slice(0, 12)}`;
    const all = await docker.listContainers({ all: true, filters: { label: [label] } });
    return all.map((c) => `${c.Id.slice(0, 12)} ${c.Labels['io.imgmono.test-run']}`);
  };
  /** Volumes carrying this workspace's label: a scenario's shared folders. */
  const workspaceVolumes = async () => {
    const label = `io.imgmono.workspace=${createHash('sha256').update(ws.root).digest('hex').slice(0, 12)}`;
    const listed = (await docker.listVolumes({ filters: { label: [label] } })) as { Volumes?: Array<{ Name: string }> | null };
    return (listed.Volumes ?? []).map((volume) => volume.Name);
  };
  const spec = (checks: Record<string, unknown>) => JSON.stringify({ $schema: '../../../tools/image-plugin/schemas/image-test.schema.json', ...checks }).replaceAll('NS/', `${ns}/`);
  const test = (project: string, env: Record<string, string> = {}) => ws.nx(['run', `${project}:image-test`, '--output-style=stream'], env);

  beforeAll(async () => {
    ws = await createTestWorkspace();
    ns = ws.namespace;
    await ws.write({
      ...busyboxRoot(`${ns}/root`),
      ...imageProject(`${ns}/app`, [`${ns}/root`], `FROM ${ns}/root\nRUN mkdir -p /www /etc/app && echo hello-from-app > /www/index.html && echo 'mode=test' > /etc/app/app.conf && chmod 640 /etc/app/app.conf\nENV APP_MODE=test\nCMD ["httpd", "-f", "-p", "127.0.0.1:8080", "-h", "/www"]\n`),
      [`images/${ns}/app/script.sh`]: '#!/bin/sh\necho "script ran with $1"\n',
    });
    const built = await ws.nx(['run', `${ns}/app:image`, '--output-style=stream']);
    expect(built.code, built.output).toBe(0);
  });

  afterAll(async () => {
    await containers.removeLabelled('io.imgmono.managed', 'true').catch(() => undefined);
    await removeNamespaceImages(ns);
    await ws?.remove();
  });

  it.each<[string, Record<string, unknown>, number, string[]]>([
    [
      'a passing spec of every kind',
      {
        commandTests: [
          { name: 'shell works', command: 'sh', args: ['-c', 'echo $((6*7))'], expectedOutput: ['^42$'] },
          { name: 'a copied script runs', command: '/tmp/t/script.sh', args: ['arg1'], files: { '/tmp/t/script.sh': 'script.sh' }, expectedOutput: ['script ran with arg1'] },
          { name: 'no network by default', command: 'sh', args: ['-c', 'ls /sys/class/net'], expectedOutput: ['^lo$'], excludedOutput: ['eth0'] },
        ],
        fileExistenceTests: [{ path: '/etc/app/app.conf', permissions: '-rw-r-----', uid: 0, gid: 0 }, { path: '/etc/shadow-nope', shouldExist: false }],
        fileContentTests: [{ path: '/www/index.html', expectedContents: ['^hello-from-app$'] }],
        metadataTest: { envVars: [{ key: 'APP_MODE', value: 'test' }], cmd: ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'], labels: [{ key: 'io.imgmono.project', value: `NS/app` }], recordedLabels: true },
      },
      0,
      ['[NS/app] PASS command "shell works"', '[NS/app] PASS file-existence "/etc/app/app.conf exists"', '[NS/app] PASS metadata "metadata"', '[NS/app] image-test: 7 passed, 0 failed in'],
    ],
    [
      'a wrong exit code',
      { commandTests: [{ name: 'exits 3', command: 'sh', args: ['-c', 'echo line-one; echo line-two; exit 3'] }] },
      1,
      ['[NS/app] FAIL command "exits 3"', ': exit code 3, expected 0', '[NS/app]   command: sh -c "echo line-one; echo line-two; exit 3"', '[NS/app]   exit code: 3', '[NS/app]   | line-one', '[NS/app]   | line-two', '[NS/app] image-test: 0 passed, 1 failed'],
    ],
    ['output that does not match', { commandTests: [{ name: 'greets', command: 'echo', args: ['hello'], expectedOutput: ['^goodbye$'] }] }, 1, ['[NS/app] FAIL command "greets"', ': output does not match /^goodbye$/']],
    ['a missing file', { fileExistenceTests: [{ path: '/usr/bin/python3' }] }, 1, ['[NS/app] FAIL file-existence "/usr/bin/python3 exists"', ': /usr/bin/python3 does not exist']],
    ['wrong file permissions', { fileExistenceTests: [{ path: '/etc/app/app.conf', permissions: '-rw-r--r--' }] }, 1, [': /etc/app/app.conf has permissions -rw-r-----, expected -rw-r--r--']],
    ['a wrong label', { metadataTest: { labels: [{ key: 'io.imgmono.project', value: 'opendev/other' }] } }, 1, ['[NS/app] FAIL metadata "metadata"', ': label io.imgmono.project is "NS/app", expected "opendev/other"']],
    ['a time limit exceeded', { commandTests: [{ name: 'hangs', command: 'sleep', args: ['60'], timeoutSeconds: 2 }] }, 1, ['[NS/app] FAIL command "hangs"', ': did not finish within 2 s (stopped)', '[NS/app]   exit code: none (stopped at the time limit)']],
    ['a malformed spec', { commandTests: [{ command: 'true' }] }, 1, [`ERROR images/NS/app/image-test.json: commandTests[0].name is required`]],
  ])('%s', async (_case, checks, failures, expected) => {
    await ws.write({ [`images/${ns}/app/image-test.json`]: spec(checks) });
    const started = Date.now();
    const run = await test(`${ns}/app`);
    if (failures === 0) expect(run.code, run.output).toBe(0);
    else expect(run.code, run.output).not.toBe(0);
    for (const text of expected) expect(run.output).toContain(text.replaceAll('NS', ns));
    expect(run.output).not.toContain('internal error');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await workspaceContainers()).toEqual([]);
  });

  it('tests the image id of the build record, not the tag', async () => {
    await ws.write({ [`images/${ns}/app/image-test.json`]: spec({ commandTests: [{ name: 'the built content', command: 'cat', args: ['/www/index.html'], expectedOutput: ['^hello-from-app$'] }] }) });
    // someone moves the tag to another image: the test must not follow it
    await docker.getImage(`${ns}/root:latest`).tag({ repo: `${ns}/app`, tag: 'latest' });
    try {
      const run = await test(`${ns}/app`);
      expect(run.code, run.output).toBe(0);
      const record = JSON.parse(await fs.readFile(path.join(ws.root, 'dist/images', ns, 'app/build.json'), 'utf8'));
      expect(run.output).toContain(`(image ${record.imageId.slice(0, 19)}, images/${ns}/app/image-test.json)`);
    } finally {
      await ws.nx(['run', `${ns}/app:image`, '--output-style=stream']);
    }
  });

  it('removes what an earlier run killed before its clean-up left behind (its owner process is gone)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const workspace = createHash('sha256').update(ws.root).digest('hex').slice(0, 12);
    const labels = { 'io.imgmono.managed': 'true', 'io.imgmono.workspace': workspace, 'io.imgmono.test-run': 'killed-run', 'io.imgmono.test-pid': String(dead) };
    const orphan = await docker.createContainer({ Image: `${ns}/app`, Cmd: ['true'], Labels: labels, HostConfig: { NetworkMode: 'none' } });
    const orphanVolume = ((await docker.createVolume({ Labels: labels })) as unknown as { name: string }).name;
    await ws.write({ [`images/${ns}/app/image-test.json`]: spec({ commandTests: [{ name: 'shell works', command: 'true' }] }) });
    const run = await test(`${ns}/app`);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain(`[${ns}/app] removed 1 container(s) and 1 volume(s) an interrupted test run of this workspace left behind`);
    await expect(docker.getContainer(orphan.id).inspect()).rejects.toThrow();
    await expect(docker.getVolume(orphanVolume).inspect()).rejects.toThrow();
    expect(await workspaceContainers()).toEqual([]);
  });

  describe('scenarios', () => {
    const scenario = (name: string, body: Record<string, unknown>) => ({
      [`scenarios/${name}/scenario.json`]: JSON.stringify({ $schema: '../../tools/image-plugin/schemas/scenario.schema.json', ...body }),
    });
    const web = { name: 'web', image: `NS/app`, command: ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'], ready: { command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/'], timeoutSeconds: 20 } };
    const sub = (value: unknown) => JSON.parse(JSON.stringify(value).replaceAll('NS', ns));

    it('starts services in one loopback-only namespace, probes them, runs the tests, and removes everything', async () => {
      await ws.write(
        scenario(
          'web',
          sub({
            timeoutSeconds: 60,
            services: [web],
            tests: [
              { name: 'a client reaches the service on loopback', image: 'NS/app', command: 'wget', args: ['-q', '-O', '-', 'http://127.0.0.1:8080/index.html'], expectedOutput: ['^hello-from-app$'] },
              { name: 'and nothing else', image: 'NS/app', command: 'sh', args: ['-c', 'ls /sys/class/net'], expectedOutput: ['^lo$'], excludedOutput: ['eth'] },
            ],
          }),
        ),
      );
      const graph = await ws.nx(['show', 'project', 'scenarios/web', '--json']);
      expect(JSON.parse(graph.output.slice(graph.output.indexOf('{'))).implicitDependencies).toEqual([`${ns}/app`]);
      const run = await test('scenarios/web');
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain('[scenarios/web] PASS command "web ready"');
      expect(run.output).toContain('[scenarios/web] PASS command "a client reaches the service on loopback"');
      expect(run.output).toContain('[scenarios/web] image-test: 3 passed, 0 failed');
      expect(await workspaceContainers()).toEqual([]);
    });

    it('setup steps run first and write the shared folder, which services and tests read; the folder is removed afterwards', async () => {
      await ws.write(
        scenario(
          'shared',
          sub({
            timeoutSeconds: 60,
            sharedFolder: '/scenario',
            setup: [{ name: 'writes the shared file', image: 'NS/app', command: 'sh', args: ['-c', 'echo made-by-setup > /scenario/greeting.txt && echo written'], expectedOutput: ['^written$'] }],
            services: [{ ...web, command: ['httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/scenario'], ready: { command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/greeting.txt'], timeoutSeconds: 20 } }],
            tests: [
              { name: 'the service serves what setup wrote', image: 'NS/app', command: 'wget', args: ['-q', '-O', '-', 'http://127.0.0.1:8080/greeting.txt'], expectedOutput: ['^made-by-setup$'] },
              { name: 'a test reads it too', image: 'NS/app', command: 'cat', args: ['/scenario/greeting.txt'], expectedOutput: ['^made-by-setup$'] },
            ],
          }),
        ),
      );
      const graph = await ws.nx(['show', 'project', 'scenarios/shared', '--json']);
      expect(JSON.parse(graph.output.slice(graph.output.indexOf('{'))).implicitDependencies).toEqual([`${ns}/app`]);
      const run = await test('scenarios/shared');
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/\[scenarios\/shared\] shared folder \/scenario: volume [0-9a-f]{12} of this run/);
      expect(run.output).toContain('[scenarios/shared] PASS command "setup: writes the shared file"');
      expect(run.output).toContain('[scenarios/shared] PASS command "the service serves what setup wrote"');
      expect(run.output).toContain('[scenarios/shared] image-test: 4 passed, 0 failed');
      expect(await workspaceContainers()).toEqual([]);
      expect(await workspaceVolumes()).toEqual([]);
    });

    it('a failing setup step stops the scenario before any service starts, naming the step', async () => {
      await ws.write(
        scenario(
          'bad-setup',
          sub({
            timeoutSeconds: 60,
            sharedFolder: '/scenario',
            setup: [{ name: 'cannot make certificates', image: 'NS/app', command: 'sh', args: ['-c', 'echo "openssl: no such CA" >&2; exit 2'] }],
            services: [web],
            tests: [{ name: 'never runs', image: 'NS/app', command: 'true' }],
          }),
        ),
      );
      const run = await test('scenarios/bad-setup');
      expect(run.code).not.toBe(0);
      expect(run.output).toContain('[scenarios/bad-setup] FAIL command "setup: cannot make certificates"');
      expect(run.output).toContain('[scenarios/bad-setup]   | openssl: no such CA');
      expect(run.output).not.toContain('web ready');
      expect(run.output).not.toContain('never runs');
      expect(await workspaceContainers()).toEqual([]);
      expect(await workspaceVolumes()).toEqual([]);
    });

    it('a service gets exactly the capabilities it declares, printed at its start; other containers of the scenario and builds get none', async () => {
      await ws.write({
        ...scenario(
          'capabilities',
          sub({
            timeoutSeconds: 60,
            services: [
              {
                name: 'netadmin',
                image: 'NS/app',
                capabilities: ['NET_ADMIN'],
                command: ['sh', '-c', 'ip link set lo mtu 65535 && echo mtu set && sleep 600'],
                ready: { command: ['sh', '-c', 'ip link show lo | grep -q "mtu 65535"'], timeoutSeconds: 20 },
              },
            ],
            tests: [
              { name: 'the service changed its namespace', image: 'NS/app', command: 'sh', args: ['-c', 'ip link show lo'], expectedOutput: ['mtu 65535'] },
              { name: 'a test without the capability may not', image: 'NS/app', command: 'ip', args: ['link', 'set', 'lo', 'mtu', '65000'], exitCode: 2, expectedOutput: ['Operation not permitted'] },
            ],
          }),
        ),
        // the host's own loopback, unchanged if this ever ran: it may not run at all
        ...imageProject(`${ns}/wants-net-admin`, [`${ns}/root`], `FROM ${ns}/root\nRUN ip link set lo mtu 65536\n`),
      });
      const run = await test('scenarios/capabilities');
      expect(run.code, run.output).toBe(0);
      expect(run.output).toMatch(/\[scenarios\/capabilities\] service netadmin started from [^ ]+\/app \(sha256:[0-9a-f]{12}\) with capabilities NET_ADMIN\n/);
      expect(run.output).toContain('[scenarios/capabilities] image-test: 3 passed, 0 failed');
      expect(await workspaceContainers()).toEqual([]);

      const build = await ws.nx(['run', `${ns}/wants-net-admin:image`, '--output-style=stream']);
      expect(build.code).not.toBe(0);
      expect(build.output).toContain('Operation not permitted');
    });

    it('a service that never becomes ready fails within its limit, with that service log', async () => {
      await ws.write(
        scenario(
          'stuck',
          sub({
            timeoutSeconds: 60,
            services: [{ name: 'stuck', image: 'NS/app', command: ['sh', '-c', 'echo "config error: no listen address" >&2; sleep 600'], ready: { command: ['wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:9/'], timeoutSeconds: 4 } }],
            tests: [{ name: 'never runs', image: 'NS/app', command: 'true' }],
          }),
        ),
      );
      const started = Date.now();
      const run = await test('scenarios/stuck');
      expect(run.code).not.toBe(0);
      expect(Date.now() - started).toBeLessThan(40_000);
      expect(run.output).toContain('[scenarios/stuck] FAIL command "stuck ready"');
      expect(run.output).toContain(': not ready within 4 s: wget -q -O /dev/null http://127.0.0.1:9/ never exited 0');
      expect(run.output).toContain('[scenarios/stuck] --- logs of service stuck (last 60 lines) ---');
      expect(run.output).toContain('[scenarios/stuck]   stuck | config error: no listen address');
      expect(run.output).not.toContain('never runs');
      expect(await workspaceContainers()).toEqual([]);
    });

    it('an interrupted scenario (Ctrl-C, twice) leaves no container behind', async () => {
      await ws.write(
        scenario(
          'slow',
          sub({ timeoutSeconds: 300, services: [web], tests: [{ name: 'takes long', image: 'NS/app', command: 'sh', args: ['-c', 'echo slow-test-started; sleep 120'], timeoutSeconds: 200 }] }),
        ),
      );
      const running = ws.start(['run', 'scenarios/slow:image-test', '--output-style=stream']);
      await running.waitFor(/PASS command "web ready"/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // an impatient user: Ctrl-C twice; the second must not cut the clean-up short
      running.signalGroup('SIGINT');
      await new Promise((resolve) => setTimeout(resolve, 150));
      running.signalGroup('SIGINT');
      const run = await running.done;
      expect(run.code === 0 && run.signal === null).toBe(false);
      const left = async () => workspaceContainers();
      let remaining = await left();
      for (let i = 0; i < 20 && remaining.length > 0; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        remaining = await left();
      }
      expect(remaining).toEqual([]);
    });
  });
});
