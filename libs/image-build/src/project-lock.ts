/**
 * One build of an image name at a time on an engine: two runs at once (two
 * CI jobs on one machine, two clones of the workspace, a developer and a
 * watcher) would otherwise both build the same image and race to tag it.
 * The lock is keyed by the engine (its canonical endpoint) and the project,
 * not by the workspace, so it holds across workspaces that share an engine:
 * a folder under /run/lock/imgmono (else the user's cache folder), made
 * atomically with mkdir and holding the owner's pid; a lock whose owner is
 * gone is taken over. The second run waits, then finds the first run's image
 * by its input digest and reuses it. Runs on other machines that share a
 * remote engine are not covered: the lock is a file of this machine.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Where this machine keeps build locks: /run/lock/imgmono when it can be made, else the user's cache folder. */
function lockRoot(): string {
  for (const candidate of ['/run/lock/imgmono', path.join(os.homedir(), '.cache', 'imgmono', 'locks')]) {
    try {
      mkdirSync(candidate, { recursive: true });
      return candidate;
    } catch {
      // not writable here: the next place
    }
  }
  return path.join(os.tmpdir(), `imgmono-locks-${os.userInfo().uid}`);
}

/** The lock folder of a project's builds on an engine. */
export function projectLockPath(engineEndpoint: string, project: string, root: string = lockRoot()): string {
  const engine = createHash('sha256').update(engineEndpoint).digest('hex').slice(0, 16);
  return path.join(root, engine, project.split('/').join('--'));
}

export interface ProjectLock {
  release(): Promise<void>;
}

/** Whether a process of this machine still runs (a lock's or a container's owner). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function lockProject(
  dir: string,
  options: { log: (line: string) => void; signal?: AbortSignal; pollMs?: number },
): Promise<ProjectLock> {
  const owner = path.join(dir, 'pid');
  await fs.mkdir(path.dirname(dir), { recursive: true });
  let waitingSaid = false;
  for (;;) {
    try {
      await fs.mkdir(dir);
      await fs.writeFile(owner, String(process.pid));
      return { release: () => fs.rm(dir, { recursive: true, force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number(await fs.readFile(owner, 'utf8').catch(() => ''));
    if (Number.isInteger(pid) && pid > 0 && !processAlive(pid)) {
      // its owner died without releasing it (killed): take it over
      await fs.rm(dir, { recursive: true, force: true });
      continue;
    }
    if (!waitingSaid) {
      options.log(`waiting: another run${pid > 0 ? ` (pid ${pid})` : ''} is building this image on this engine`);
      waitingSaid = true;
    }
    if (options.signal?.aborted) throw new Error('interrupted while waiting for another run');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
