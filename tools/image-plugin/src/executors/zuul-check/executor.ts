/**
 * The `zuul-check` executor: renders the Zuul configuration from Nx's project
 * graph exactly as the generator writes it, and compares it with the committed
 * file; a difference fails, naming its first line and the command that
 * regenerates the file.
 */
import type { ExecutorContext } from '@nx/devkit';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { loadWorkspaceModel } from '@imgmono/graph-check';
import { firstDifference } from '@imgmono/zuul-config';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { zuulConfigFor } from '../../lib/zuul-workspace';

export const REGENERATE = 'npx nx g @imgmono/image-plugin:zuul';

export default async function zuulCheckExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName ?? 'zuul-config';
  try {
    const read = (file: string) => {
      try {
        return readFileSync(path.join(context.root, file), 'utf8');
      } catch {
        return undefined;
      }
    };
    const projects = Object.entries(context.projectsConfigurations.projects).map(([name, config]) => ({
      name,
      root: config.root,
      implicitDependencies: config.implicitDependencies ?? [],
      optionalSources: (config.targets?.image?.options as { optionalSources?: string[] } | undefined)?.optionalSources ?? [],
    }));
    const model = await loadWorkspaceModel(context.root, projects);
    const { file, text } = zuulConfigFor(model, { read, list: (folder) => { try { return readdirSync(path.join(context.root, folder)); } catch { return []; } } }, context.nxJsonConfiguration ?? {});
    const committed = read(file);
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
