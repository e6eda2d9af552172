/**
 * A throw-away copy of this workspace for integration tests: the real
 * nx.json, plugin and libraries (linked, not copied), its own images/ and a
 * real git repository, driven through the real `nx` command.
 */
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { makeTempDir, writeTree } from './temp-dir';

export const REPO_ROOT = path.resolve(__dirname, '../../..');

export interface RunResult {
  code: number | null;
  output: string;
}

/** An Nx run in the background, in its own process group (as a terminal's foreground job is). */
export interface RunningNx {
  pid: number;
  /** Output so far. */
  output(): string;
  /** Resolves when some output matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Ctrl-C in a terminal: the signal to the whole process group. */
  signalGroup(signal: NodeJS.Signals): void;
  /** A supervisor stopping the job: the signal to the Nx process only. */
  signal(signal: NodeJS.Signals): void;
  done: Promise<RunResult & { signal: NodeJS.Signals | null }>;
}

export interface TestWorkspace {
  root: string;
  namespace: string;
  write(files: Record<string, string>): Promise<void>;
  nx(args: string[], env?: Record<string, string>): Promise<RunResult>;
  start(args: string[], env?: Record<string, string>): RunningNx;
  git(args: string[]): Promise<RunResult>;
  remove(): Promise<void>;
}

export function uniqueNamespace(prefix = 'it'): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function createTestWorkspace(namespace = uniqueNamespace()): Promise<TestWorkspace> {
  const root = await makeTempDir('imgmono-ws-');
  for (const linked of ['node_modules', 'libs']) {
    await fs.symlink(path.join(REPO_ROOT, linked), path.join(root, linked));
  }
  // Copied, not linked: Nx does not discover projects (the local plugin) behind symlinks.
  // Timestamps kept: the plugin's compiled dist/ is used only while it is newer than its sources.
  await fs.cp(path.join(REPO_ROOT, 'tools'), path.join(root, 'tools'), { recursive: true, preserveTimestamps: true });
  // with their times too: tsconfig.base.json is an input of the compiled plugin (its @imgmono/* paths)
  for (const copied of ['nx.json', 'tsconfig.base.json']) {
    await fs.cp(path.join(REPO_ROOT, copied), path.join(root, copied), { preserveTimestamps: true });
  }
  await writeTree(root, {
    'package.json': JSON.stringify({ name: `test-${namespace}`, private: true }),
    '.gitignore': 'node_modules\nlibs\ndist\n.nx\n',
  });

  const exec = (command: string, args: string[], env: Record<string, string> = {}) =>
    new Promise<RunResult>((resolve) => {
      const child = spawn(command, args, {
        cwd: root,
        env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      child.on('close', (code) => resolve({ code, output }));
    });

  const start = (args: string[], env: Record<string, string> = {}): RunningNx => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'node_modules/.bin/nx'), ...args], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', FORCE_COLOR: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const waiters: Array<() => void> = [];
    const onData = (chunk: Buffer) => {
      output += chunk;
      for (const check of [...waiters]) check();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const done = new Promise<RunResult & { signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, output })));
    return {
      pid: child.pid!,
      output: () => output,
      waitFor: (pattern, timeoutMs = 300_000) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; output so far:\n${output}`)), timeoutMs);
          const check = () => {
            if (!pattern.test(output)) return;
            clearTimeout(timer);
            waiters.splice(waiters.indexOf(check), 1);
            resolve();
          };
          waiters.push(check);
          void done.then(() => {
            if (waiters.includes(check)) {
              clearTimeout(timer);
              waiters.splice(waiters.indexOf(check), 1);
              reject(new Error(`the run ended before output matched ${pattern}; output:\n${output}`));
            }
          });
          check();
        }),
      // as in a terminal, Ctrl-C after the job has ended does nothing (no ESRCH for the test)
      signalGroup: (signal) => {
        try {
          process.kill(-child.pid!, signal);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
        }
      },
      signal: (signal) => process.kill(child.pid!, signal),
      done,
    };
  };

  const workspace: TestWorkspace = {
    root,
    namespace,
    write: (files) => writeTree(root, files),
    nx: (args, env) => exec(process.execPath, [path.join(REPO_ROOT, 'node_modules/.bin/nx'), ...args], env),
    start,
    git: (args) => exec('git', args),
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
  await workspace.git(['init', '-q', '-b', 'main']);
  await workspace.git(['config', 'user.email', 'test@example.invalid']);
  await workspace.git(['config', 'user.name', 'Test']);
  await workspace.git(['remote', 'add', 'origin', 'https://opendev.org/opendev/system-config']);
  return workspace;
}

/** An image project's files: project.json and Dockerfile (plus any extras). */
export function imageProject(name: string, parents: string[], dockerfile: string, extra: Record<string, string> = {}): Record<string, string> {
  const folder = `images/${name}`;
  const files: Record<string, string> = {
    [`${folder}/project.json`]: JSON.stringify(
      { name, tags: [`namespace:${name.split('/')[0]}`, 'kind:image'], implicitDependencies: parents },
      null,
      2,
    ),
    [`${folder}/Dockerfile`]: dockerfile,
  };
  for (const [file, content] of Object.entries(extra)) files[`${folder}/${file}`] = content;
  return files;
}

/** A tiny root image: busybox from Debian's busybox-static package, extracted by mmdebstrap. */
export function busyboxRoot(name: string): Record<string, string> {
  return imageProject(name, [], 'FROM scratch\nADD rootfs.tar /\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\nCMD ["/bin/sh"]\n', {
    'rootfs.json': JSON.stringify({ suite: 'bookworm', variant: 'extract', include: ['busybox-static'], mirrors: ['http://deb.debian.org/debian'] }),
  });
}

export async function readRecord(workspace: TestWorkspace, project: string): Promise<Record<string, unknown>> {
  return JSON.parse(await fs.readFile(path.join(workspace.root, 'dist/images', project, 'build.json'), 'utf8'));
}

/** The model of a workspace on disk without Nx (for tests): its project.json files, and its source.json and scenario.json files. */
export async function workspaceModelFromDisk(workspaceRoot: string): Promise<import('@imgmono/workspace').WorkspaceModel> {
  const { loadWorkspaceModel, SOURCE_FILE, SCENARIO_FILE, isSourceRoot, isScenarioRoot } = await import('@imgmono/workspace');
  const found: Array<{ name: string; root: string; implicitDependencies?: string[] }> = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    const names = await fs.readdir(path.join(workspaceRoot, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of names) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (['node_modules', 'dist', '.git', '.nx', 'tmp'].includes(entry.name) || depth > 6) continue;
        await walk(child, depth + 1);
      } else if (entry.name === 'project.json' && relative !== '') {
        const json = JSON.parse(await fs.readFile(path.join(workspaceRoot, child), 'utf8')) as { name?: string; implicitDependencies?: string[] };
        if (json.name) found.push({ name: json.name, root: relative, implicitDependencies: json.implicitDependencies });
      } else if (entry.name === SOURCE_FILE && isSourceRoot(relative)) {
        found.push({ name: path.posix.basename(relative), root: relative });
      } else if (entry.name === SCENARIO_FILE && isScenarioRoot(relative)) {
        found.push({ name: relative, root: relative });
      }
    }
  };
  await walk('', 0);
  return loadWorkspaceModel(found, (relative) => fs.readFile(path.join(workspaceRoot, relative), 'utf8').catch(() => undefined));
}
