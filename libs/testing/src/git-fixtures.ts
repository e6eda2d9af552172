/**
 * Real git repositories made by tests: a Python package with a console
 * script, its upstream as a bare repository reachable over file://, and
 * checkouts of it at chosen versions.
 */
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeTree } from './temp-dir';

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' },
  }).trim();
}

export async function initRepo(dir: string, files: Record<string, string>, message = 'initial'): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  git(dir, 'init', '-q', '-b', 'master');
  await writeTree(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
  return git(dir, 'rev-parse', 'HEAD');
}

export async function commitAll(dir: string, files: Record<string, string>, message: string): Promise<string> {
  await writeTree(dir, files);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', message);
  return git(dir, 'rev-parse', 'HEAD');
}

/** A setuptools package `module` whose version is a constant, with a console script printing it. */
export function pythonPackage(distribution: string, module: string, version: string, scripts: string[] = []): Record<string, string> {
  const entryPoints = scripts.map((script) => `'${script} = ${module}.cli:main'`).join(', ');
  return {
    'setup.py': `from setuptools import setup\nsetup(name='${distribution}', version='${version}', packages=['${module}'], entry_points={'console_scripts': [${entryPoints}]})\n`,
    [`${module}/__init__.py`]: `__version__ = '${version}'\n`,
    [`${module}/cli.py`]: `import sys\nfrom ${module} import __version__\n\ndef main():\n    print('${distribution}', __version__, ' '.join(sys.argv[1:]))\n`,
  };
}

/** A bare clone of `dir` at `target`, usable as a file:// upstream. */
export function bareMirror(dir: string, target: string): string {
  execFileSync('git', ['clone', '-q', '--bare', dir, target]);
  return `file://${path.resolve(target)}`;
}
