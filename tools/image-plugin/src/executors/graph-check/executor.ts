/**
 * The `graph-check` executor: checks one image project against the whole
 * workspace's graph and namespace rules, prints each finding with its file,
 * line, rule and fix, and fails on any.
 */
import type { ExecutorContext } from '@nx/devkit';
import { checkWorkspace, formatFinding } from '@imgmono/graph-check';
import { modelFromNx } from '../../lib/workspace-model';
import type { GraphCheckExecutorOptions } from './schema';

export default async function graphCheckExecutor(options: GraphCheckExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const started = process.hrtime.bigint();
  const model = await modelFromNx(context.root, context.projectsConfigurations.projects);
  const findings = checkWorkspace(model, options.all ? undefined : new Set([project]));
  const scope = options.all ? `${model.images.size} images` : project;
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  for (const finding of findings) console.error(formatFinding(finding));
  console.log(`[${scope}] graph check: ${findings.length === 0 ? 'ok' : `${findings.length} finding${findings.length === 1 ? '' : 's'}`} (${ms.toFixed(0)} ms)`);
  return { success: findings.length === 0 };
}
