/**
 * One build of a project at a time in a workspace: two runs at once (two CI
 * jobs on one machine, a developer and a watcher) would otherwise both build
 * the same image and race to tag it and write its record. The lock is a
 * folder (dist/images/.locks/<ns>--<name>), made atomically with mkdir and
 * holding the owner's pid; a lock whose owner is gone is taken over. The second run waits,
 * then finds the first run's image and reuses it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

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
      options.log(`waiting: another run${pid > 0 ? ` (pid ${pid})` : ''} is building this image in this workspace`);
      waitingSaid = true;
    }
    if (options.signal?.aborted) throw new Error('interrupted while waiting for another run');
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 500));
  }
}
