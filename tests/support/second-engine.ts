/**
 * A second, real Docker engine for fault tests that stop an engine: Debian's
 * dockerd with its own data root, exec root, socket and containerd, so the
 * tests can kill it mid-build without touching the engine everything else
 * uses. Started with the same flags as tools/scripts/engine-setup.sh.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import Docker from 'dockerode';
import { docker } from './engine';

export interface SecondEngine {
  /** DOCKER_HOST value for this engine. */
  host: string;
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

export async function createSecondEngine(dir: string): Promise<SecondEngine> {
  // exec root under /run: containerd's socket path must stay within the 108-byte limit
  const execRoot = path.join('/run', `imgmono-${path.basename(dir)}`);
  const socket = path.join(dir, 'docker.sock');
  const host = `unix://${socket}`;
  const client = new Docker({ socketPath: socket });
  let daemon: ChildProcess | undefined;
  let log = '';

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
