import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { lockProject } from './project-lock';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir('imgmono-lock-');
});
afterEach(() => removeDir(dir));

describe('project lock', () => {
  it('lets one holder in at a time; the second waits, says so once, and gets it on release', async () => {
    const lockDir = path.join(dir, '.locks', 'ns--a');
    const lines: string[] = [];
    const first = await lockProject(lockDir, { log: (line) => lines.push(line) });
    let secondIn = false;
    const second = lockProject(lockDir, { log: (line) => lines.push(line), pollMs: 20 }).then((lock) => {
      secondIn = true;
      return lock;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondIn).toBe(false);
    expect(lines).toEqual([`waiting: another run (pid ${process.pid}) is building this image on this engine`]);
    await first.release();
    await (await second).release();
    expect(secondIn).toBe(true);
    await expect(fs.stat(lockDir)).rejects.toThrow();
  });

  it("takes over a lock whose owner died", async () => {
    const lockDir = path.join(dir, 'ns--b');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.on('exit', resolve));
    await fs.mkdir(lockDir, { recursive: true });
    await fs.writeFile(path.join(lockDir, 'pid'), String(child.pid));
    const lines: string[] = [];
    const lock = await lockProject(lockDir, { log: (line) => lines.push(line) });
    expect(lines).toEqual([]);
    expect(await fs.readFile(path.join(lockDir, 'pid'), 'utf8')).toBe(String(process.pid));
    await lock.release();
  });

  it('stops waiting when the run is interrupted', async () => {
    const lockDir = path.join(dir, 'ns--c');
    const held = await lockProject(lockDir, { log: () => undefined });
    const abort = new AbortController();
    const waiting = lockProject(lockDir, { log: () => undefined, signal: abort.signal, pollMs: 20 });
    abort.abort();
    await expect(waiting).rejects.toThrow('interrupted while waiting for another run');
    await held.release();
  });
});
