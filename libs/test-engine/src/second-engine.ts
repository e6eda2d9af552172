/**
 * A second, real Docker engine for fault tests that stop an engine: Debian's
 * dockerd with its own data root, exec root, socket and containerd, so the
 * tests can kill it mid-build without touching the engine everything else
 * uses. Started with the same flags as tools/scripts/engine-setup.sh.
 * Optionally it also listens on a loopback TCP port with TLS (a remote
 * engine, DOCKER_HOST=tcp://...), and resolves Docker Hub images through a
 * registry mirror (a buildset registry, as zuul-jobs' use-buildset-registry
 * arranges it).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { docker } from './engine';

export interface SecondEngineOptions {
  /** Also listen on 127.0.0.1:<port> with TLS (client certificates under <dir>/client: ca.pem, cert.pem, key.pem). */
  tlsPort?: number;
  /** Registry mirror for Docker Hub images (http://localhost:<port>), as use-buildset-registry configures one. */
  registryMirror?: string;
}

export interface SecondEngine {
  /** DOCKER_HOST value for this engine. */
  host: string;
  /** With tlsPort: the environment that points a client at it over TCP (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH). */
  tcpEnv?: Record<string, string>;
  client: Docker;
  /** Starts dockerd (again) on the same data root; resolves when it answers. */
  start(): Promise<void>;
  /** Kills dockerd (SIGKILL: a crash, not a clean shutdown) and waits for it to be gone. */
  kill(): Promise<void>;
  /** Copies an image of the main engine into this one (docker save | docker load). */
  loadFromMain(reference: string): Promise<void>;
  /** Stops dockerd and removes its folders. */
  remove(): Promise<void>;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, as `docker` and dockerd expect them. */
function makeEngineCertificates(dir: string): { server: string; client: string } {
  const server = path.join(dir, 'server');
  const client = path.join(dir, 'client');
  execFileSync('mkdir', ['-p', server, client]);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=imgmono test engine CA', '-keyout', path.join(dir, 'ca-key.pem'), '-out', path.join(server, 'ca.pem'));
  for (const [who, folder, ext] of [['server', server, 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', client, 'extendedKeyUsage=clientAuth']] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', path.join(folder, 'key.pem'), '-out', path.join(dir, `${who}.csr`));
    execFileSync('sh', ['-c', `printf '${ext}\n' > ${path.join(dir, `${who}.ext`)}`]);
    openssl('x509', '-req', '-in', path.join(dir, `${who}.csr`), '-CA', path.join(server, 'ca.pem'), '-CAkey', path.join(dir, 'ca-key.pem'), '-CAcreateserial', '-days', '2', '-out', path.join(folder, 'cert.pem'), '-extfile', path.join(dir, `${who}.ext`));
  }
  execFileSync('cp', [path.join(server, 'ca.pem'), path.join(client, 'ca.pem')]);
  return { server, client };
}

export async function createSecondEngine(dir: string, options: SecondEngineOptions = {}): Promise<SecondEngine> {
  // exec root under /run: containerd's socket path must stay within the 108-byte limit
  const execRoot = path.join('/run', `imgmono-${path.basename(dir)}`);
  const socket = path.join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const client = new Docker({ socketPath: socket });
  let daemon: ChildProcess | undefined;
  let log = '';
  await fs.mkdir(dir, { recursive: true });
  const tls = options.tlsPort !== undefined ? makeEngineCertificates(path.join(dir, 'tls')) : undefined;
  const extraFlags = [
    ...(tls !== undefined
      ? ['--host', `tcp://127.0.0.1:${options.tlsPort}`, '--tlsverify', '--tlscacert', path.join(tls.server, 'ca.pem'), '--tlscert', path.join(tls.server, 'cert.pem'), '--tlskey', path.join(tls.server, 'key.pem')]
      : []),
    ...(options.registryMirror !== undefined ? ['--registry-mirror', options.registryMirror] : []),
  ];

  const answers = async () => {
    try {
      await client.ping();
      return true;
    } catch {
      return false;
    }
  };

  const engine: SecondEngine = {
    host,
    tcpEnv: tls !== undefined ? { DOCKER_HOST: `tcp://127.0.0.1:${options.tlsPort}`, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: tls.client } : undefined,
    client,
    async start() {
      await fs.mkdir(path.join(dir, 'data'), { recursive: true });
      await fs.mkdir(execRoot, { recursive: true });
      log = '';
      daemon = spawn(
        'dockerd',
        [
          '--host', host,
          '--data-root', path.join(dir, 'data'),
          '--exec-root', execRoot,
          '--pidfile', path.join(dir, 'dockerd.pid'),
          '--bridge=none', '--iptables=false', '--ip6tables=false',
          ...extraFlags,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      daemon.stdout!.on('data', (chunk) => (log += chunk));
      daemon.stderr!.on('data', (chunk) => (log += chunk));
      for (let i = 0; i < 120; i++) {
        if (await answers()) return;
        if (daemon.exitCode !== null) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      throw new Error(`the second dockerd did not answer at ${host}; its log:\n${log.slice(-3000)}`);
    },
    async kill() {
      const running = daemon;
      if (running === undefined || running.exitCode !== null) return;
      const gone = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await gone;
      // its containerd and shims outlive a killed dockerd; stop them too, as a reboot would
      await killProcessesUnder(execRoot);
      // as after a reboot: no pid file of the dead containerd (its zombie would pass for alive)
      await fs.rm(path.join(execRoot, 'containerd/containerd.pid'), { force: true });
      await fs.rm(socket, { force: true });
    },
    async loadFromMain(reference) {
      const tar = await docker.getImage(reference).get();
      const loading = await client.loadImage(tar);
      await new Promise<void>((resolve, reject) => client.modem.followProgress(loading, (error) => (error ? reject(error) : resolve())));
    },
    async remove() {
      if (daemon !== undefined && daemon.exitCode === null) {
        const gone = new Promise((resolve) => daemon!.once('exit', resolve));
        daemon.kill('SIGTERM');
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 15_000))]);
        if (daemon.exitCode === null) daemon.kill('SIGKILL');
      }
      await killProcessesUnder(execRoot);
      // overlay mounts of a killed engine may remain; unmount before removing
      const mounts = (await fs.readFile('/proc/mounts', 'utf8')).split('\n').map((line) => line.split(' ')[1]).filter((m) => m?.startsWith(dir) || m?.startsWith(execRoot));
      for (const mount of mounts.reverse()) await new Promise((resolve) => spawn('umount', ['-l', mount]).on('close', resolve));
      await fs.rm(execRoot, { recursive: true, force: true });
      await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    },
  };
  return engine;
}

/** Kills every process whose command line names the folder (containerd, shims), and waits until they are gone. */
async function killProcessesUnder(folder: string): Promise<void> {
  const matching = async () => {
    const pids: number[] = [];
    for (const pid of await fs.readdir('/proc').catch(() => [] as string[])) {
      if (!/^\d+$/.test(pid)) continue;
      const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.includes(folder)) pids.push(Number(pid));
    }
    return pids;
  };
  for (let i = 0; i < 100; i++) {
    const pids = await matching();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`processes under ${folder} did not go away`);
}
