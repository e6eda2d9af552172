/** The `promote` executor: registry and change from options or the environment, then promoteImageProject. */
import type { ExecutorContext } from '@nx/devkit';
import { promoteImageProject } from '@imgmono/image-publish';
import { parseTagRules } from '@imgmono/tags';
import { workspaceTagRules } from '../../lib/plugin-options';
import { registryFrom } from '../../lib/registry-settings';
import { readRunSettings } from '../../lib/run-settings';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { maskedOutput, runSecrets } from '../../lib/workspace-secrets';
import type { PromoteExecutorOptions } from './schema';

export default async function promoteExecutor(options: PromoteExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  let output = maskedOutput([]);
  try {
    const settings = readRunSettings(process.env);
    const registry = await registryFrom(settings, options.registry);
    if (registry === undefined) throw new ExecutorInputError(`${project}: no registry: set IMAGE_REGISTRY (host:port) or the promote target's "registry" option`);
    output = maskedOutput(runSecrets(options.secretEnv, context.nxJsonConfiguration, settings.env, registry));
    const change = options.change ?? settings.tagContext.change;
    if (!change) throw new ExecutorInputError(`${project}: which change? set IMAGE_CHANGE or --change`);
    const started = Date.now();
    const rules = parseTagRules(workspaceTagRules(options.tagRules, context.nxJsonConfiguration));
    const outcome = await promoteImageProject({ project, registry: registry.client, change, removeChangeTags: options.removeChangeTags ?? false, rules }, output.log);
    if (outcome.digest !== undefined) output.log(`[${project}] promoted ${outcome.promoted.join(' ')} to ${outcome.digest} in ${((Date.now() - started) / 1000).toFixed(2)} s`);
    return { success: true };
  } catch (error) {
    return reportFailure(project, error, output.error);
  }
}
