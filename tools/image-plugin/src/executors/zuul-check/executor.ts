/**
 * The `zuul-check` executor: renders the Zuul configuration from Nx's project
 * graph exactly as the generator writes it, and compares it with the committed
 * file; a difference fails, naming its first line and the command that
 * regenerates the file.
 */
import type { ExecutorContext } from '@nx/devkit';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { firstDifference } from '@imgmono/zuul-config';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { modelFromNx } from '../../lib/workspace-model';
import { zuulConfigFor } from '../../lib/zuul-workspace';

export const REGENERATE = 'npx nx g @imgmono/image-plugin:zuul';

export default async function zuulCheckExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName ?? 'zuul-config';
  try {
    const model = await modelFromNx(context.root, context.projectsConfigurations.projects);
    const { file, text } = zuulConfigFor(model, context.nxJsonConfiguration ?? {});
    const committed = await readFile(path.join(context.root, file), 'utf8').catch(() => undefined);
    if (committed === undefined) throw new ExecutorInputError(`${file} does not exist: write it with '${REGENERATE}' and commit it`);
    const difference = firstDifference(committed, text);
    if (difference !== undefined) {
      throw new ExecutorInputError(
        `${file}:${difference.line}: differs from what the project graph gives: the graph gives ${JSON.stringify(difference.expected)}, the file has ${JSON.stringify(difference.actual)}; regenerate it with '${REGENERATE}' and commit the result`,
      );
    }
    console.log(`[${project}] ${file} is in step with the project graph (${text.split('\n').filter((line) => line.startsWith('- job:')).length} jobs)`);
    return { success: true };
  } catch (error) {
    return reportFailure(project, error);
  }
}
