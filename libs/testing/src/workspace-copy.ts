/**
 * A copy of this whole workspace (the files git tracks or would track, as a
 * clean clone with the working tree's changes has them, plus the compiled
 * plugin) in a temporary folder, with node_modules linked: for tests that change the
 * workspace itself (a planted import, a touched lib) and run the real `nx`
 * on it, without touching the checkout the tests run from.
 */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeTempDir } from './temp-dir';
import { REPO_ROOT } from './test-workspace';

export interface WorkspaceCopy {
  root: string;
  /** Runs the workspace's own nx, the daemon off; never throws on a non-zero exit. */
  nx(args: string[]): Promise<{ code: number; output: string }>;
  remove(): Promise<void>;
}

export async function copyThisWorkspace(): Promise<WorkspaceCopy> {
  const root = await makeTempDir('imgmono-copy-');
  const listed = await new Promise<string>((resolve, reject) =>
    execFile('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
  );
  const files = listed.split('\0').filter((file) => file !== '');
  for (const file of files) {
    const from = path.join(REPO_ROOT, file);
    if (!(await fs.lstat(from).catch(() => undefined))) continue; // deleted in the working tree
    await fs.mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await fs.cp(from, path.join(root, file), { preserveTimestamps: true, verbatimSymlinks: true });
  }
  // the compiled plugin as the set-up leaves it; timestamps kept: dist/ is used only while it is newer than its sources
  await fs.cp(path.join(REPO_ROOT, 'tools/image-plugin/dist'), path.join(root, 'tools/image-plugin/dist'), { recursive: true, preserveTimestamps: true });
  await fs.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const nx = (args: string[]) =>
    new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(REPO_ROOT, 'node_modules/.bin/nx'), ...args],
        { cwd: root, env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0' }, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
  return { root, nx, remove: () => fs.rm(root, { recursive: true, force: true }) };
}
