/**
 * Names every project file of the workspace (project.json, source.json,
 * scenario.json) that is not valid JSON, with the position and the fix. The
 * main job runs it when Nx cannot read the workspace: Nx 23 reports only
 * "Failed to create project configurations" and leaves the file out.
 * Usage: broken-project-files.ts [workspace root]; exits 1 when it names one.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_FILES, jsonProblem } from '@imgmono/workspace';

const SKIPPED = new Set(['node_modules', 'dist', '.git', '.nx', 'tmp']);

async function projectFiles(root: string, relative = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(path.join(root, relative), { withFileTypes: true }).catch(() => [])) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) found.push(...(await projectFiles(root, child)));
    else if (entry.isFile() && PROJECT_FILES.includes(entry.name)) found.push(child);
  }
  return found;
}

async function main(): Promise<void> {
  const root = path.resolve(process.argv[2] ?? '.');
  let broken = 0;
  for (const file of (await projectFiles(root)).sort()) {
    const problem = jsonProblem(await fs.readFile(path.join(root, file), 'utf8'));
    if (problem === undefined) continue;
    console.error(`${file}: not valid JSON: ${problem}; fix the file (it is read by Nx before anything is built)`);
    broken++;
  }
  process.exit(broken > 0 ? 1 : 0);
}

void main();
