/**
 * Remote engines. Over TCP: DOCKER_HOST=tcp://127.0.0.1:<port> with DOCKER_TLS_VERIFY
 * and DOCKER_CERT_PATH, a second engine of the test's own listening on a
 * loopback TCP port with TLS (client certificates required). Every target
 * works against it: a build (the root file system made here, the context
 * streamed over TCP), reuse, push to a registry, and the image's tests; and
 * nothing lands in the engine the rest of the workspace uses. Over SSH:
 * DOCKER_HOST=ssh://root@127.0.0.1:<port>, an OpenSSH server of the test's
 * own on loopback (its own config, host key and authorized key; the key in an
 * ssh-agent of the test's own), the engine reached through
 * `docker system dial-stdio` on the other side: a build and its image tests.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '@imgmono/registry';
import { docker, integrationEnabled, SecondEngine, createSecondEngine } from '@imgmono/test-engine';
import { freePort, initRepo, TestRegistry, startRegistry, makeTempDir, removeDir, TestWorkspace, busyboxRoot, createTestWorkspace, imageProject, readRecord } from '@imgmono/testing';

const enabled = await integrationEnabled();

describe.skipIf(!enabled)('a remote engine over TCP with TLS', () => {
  let tmp: string;
  let engine: SecondEngine;
  let registry: TestRegistry;
  let ws: TestWorkspace;
  let env: Record<string, string>;
  let app: string;

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-remote-');
    engine = await createSecondEngine(path.join(tmp, 'engine'), { tlsPort: await freePort() });
    await engine.start();
    registry = await startRegistry(path.join(tmp, 'registry'));
    const checkout = path.join(tmp, 'tool');
    await initRepo(checkout, { VERSION: '1.0.0\n' });
    ws = await createTestWorkspace();
    app = `${ws.namespace}/app`;
    await ws.write({
      'sources/tool/source.json': JSON.stringify({ url: 'file:///nowhere/tool.git', ref: 'master' }),
      ...busyboxRoot(`${ws.namespace}/root`),
      ...imageProject(app, [`${ws.namespace}/root`, 'tool'], `FROM ${ws.namespace}/root\nCOPY .zuul-siblings/nowhere/tool /opt/tool\nRUN cat /opt/tool/VERSION > /version\n`, {
        'image-test.json': JSON.stringify({ commandTests: [{ name: 'the checkout is inside', command: 'cat', args: ['/version'], expectedOutput: ['^1\\.0\\.0$'] }] }),
      }),
    });
    env = { ...engine.tcpEnv!, IMAGE_SOURCE_TOOL: checkout, IMAGE_SOURCES_CLONE: 'false', IMAGE_REGISTRY: registry.host, IMAGE_CHANGE: '77', DOCKER_CONFIG: path.join(tmp, 'no-docker-config') };
  });

  afterAll(async () => {
    registry?.stop();
    await engine?.remove();
    await ws?.remove();
    await removeDir(tmp);
  });

  it('builds there, with the context streamed over TCP, and nothing lands in the local engine', async () => {
    const run = await ws.nx(['run', `${app}:image`, '--output-style=stream'], env);
    expect(run.code, run.output).toBe(0);
    const record = await readRecord(ws, app);
    expect(record.status).toBe('built');
    expect((await engine.client.getImage(record.imageId as string).inspect()).Id).toBe(record.imageId);
    await expect(docker.getImage(record.imageId as string).inspect()).rejects.toThrow();
    expect(run.output).toMatch(/\[.*\/root\] root file system .* made from Debian packages/);
  });

  it('reuses it there on the next run: no build is sent', async () => {
    const since = (Date.now() / 1000).toFixed(3);
    const run = await ws.nx(['run', `${app}:image`, '--output-style=stream'], env);
    expect(run.code, run.output).toBe(0);
    expect((await readRecord(ws, app)).status).toBe('reused');
    const events = (await engine.client.getEvents({ since, until: (Date.now() / 1000).toFixed(3), filters: { type: ['container'], event: ['create'] } } as never)) as unknown as NodeJS.ReadableStream;
    let text = '';
    for await (const chunk of events as AsyncIterable<Buffer>) text += chunk.toString('utf8');
    expect(text.trim(), run.output).toBe('');
  });

  it('pushes from there to the registry, and runs the image tests there', async () => {
    const push = await ws.nx(['run', `${app}:push`, '--output-style=stream'], env);
    expect(push.code, push.output).toBe(0);
    expect(await new RegistryClient({ host: registry.host }).listTags(app)).toContain('change_77');
    const tests = await ws.nx(['run', `${app}:image-test`, '--output-style=stream'], env);
    expect(tests.code, tests.output).toBe(0);
    expect(tests.output).toContain(`[${app}] PASS command "the checkout is inside"`);
  });

  it('a wrong certificate folder fails with the engine named, and builds nothing', async () => {
    const run = await ws.nx(['run', `${app}:image`, '--output-style=stream', '--skip-nx-cache'], { ...env, DOCKER_CERT_PATH: path.join(tmp, 'nowhere') });
    expect(run.code).not.toBe(0);
    expect(run.output).toContain('DOCKER_CERT_PATH');
  });
});

describe.skipIf(!enabled)('a remote engine over SSH', () => {
  let tmp: string;
  let ws: TestWorkspace;
  let env: Record<string, string>;
  const processes: ChildProcess[] = [];

  beforeAll(async () => {
    tmp = await makeTempDir('imgmono-ssh-');
    const port = await freePort();
    const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(tmp, file)]);
    keygen('host_key');
    keygen('client_key');
    await fs.copyFile(path.join(tmp, 'client_key.pub'), path.join(tmp, 'authorized_keys'));
    await fs.writeFile(
      path.join(tmp, 'sshd_config'),
      [`ListenAddress 127.0.0.1`, `Port ${port}`, `HostKey ${tmp}/host_key`, `AuthorizedKeysFile ${tmp}/authorized_keys`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', `PidFile ${tmp}/sshd.pid`, ''].join('\n'),
    );
    await fs.mkdir('/run/sshd', { recursive: true }); // sshd's privilege separation folder
    const sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', path.join(tmp, 'sshd_config')], { stdio: 'ignore' });
    const agent = spawn('ssh-agent', ['-D', '-a', path.join(tmp, 'agent.sock')], { stdio: 'ignore' });
    processes.push(sshd, agent);
    for (let i = 0; i < 50 && !(await fs.stat(path.join(tmp, 'agent.sock')).catch(() => undefined)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    execFileSync('ssh-add', ['-q', path.join(tmp, 'client_key')], { env: { ...process.env, SSH_AUTH_SOCK: path.join(tmp, 'agent.sock') } });
    ws = await createTestWorkspace();
    await ws.write({
      ...busyboxRoot(`${ws.namespace}/root`),
      ...imageProject(`${ws.namespace}/app`, [`${ws.namespace}/root`], `FROM ${ws.namespace}/root\nRUN echo over-ssh > /how\n`, {
        'image-test.json': JSON.stringify({ commandTests: [{ name: 'built over ssh', command: 'cat', args: ['/how'], expectedOutput: ['^over-ssh$'] }] }),
      }),
    });
    env = { DOCKER_HOST: `ssh://root@127.0.0.1:${port}`, SSH_AUTH_SOCK: path.join(tmp, 'agent.sock') };
  });

  afterAll(async () => {
    for (const child of processes) child.kill('SIGTERM');
    const { removeNamespaceImages } = await import('@imgmono/test-engine');
    await removeNamespaceImages(ws.namespace);
    await ws?.remove();
    await removeDir(tmp);
  });

  it('builds and tests through ssh:// (the engine on the other side)', async () => {
    const build = await ws.nx(['run', `${ws.namespace}/app:image-test`, '--output-style=stream'], env);
    expect(build.code, build.output).toBe(0);
    expect(build.output).toContain(`[${ws.namespace}/app] PASS command "built over ssh"`);
    expect((await readRecord(ws, `${ws.namespace}/app`)).status).toBe('built');
  });
});

