/**
 * The `tree` executor: the image forest as text. With --affected, asks Nx
 * itself which projects a change affects (`nx show projects --affected`).
 */
import type { ExecutorContext } from '@nx/devkit';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { renderForest } from '@imgmono/graph-check';
import { modelFromNx } from '../../lib/workspace-model';
import type { TreeExecutorOptions } from './schema';

const run = promisify(execFile);

async function affectedProjects(root: string, options: TreeExecutorOptions): Promise<Set<string>> {
  const args = [path.join(root, 'node_modules/.bin/nx'), 'show', 'projects', '--affected', '--json'];
  if (options.base) args.push(`--base=${options.base}`);
  if (options.head) args.push(`--head=${options.head}`);
  const { stdout } = await run(process.execPath, args, { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, maxBuffer: 64 << 20 });
  return new Set(JSON.parse(stdout.slice(stdout.indexOf('['))) as string[]);
}

export default async function treeExecutor(options: TreeExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const model = await modelFromNx(context.root, context.projectsConfigurations.projects);
  const affected = options.affected ? await affectedProjects(context.root, options) : undefined;
  console.log(renderForest(model, { affected }).join('\n'));
  return { success: true };
}
