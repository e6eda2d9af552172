/** The `push` executor: the run's registry and change context from the environment, then pushImageProject. */
import type { ExecutorContext } from '@nx/devkit';
import { createEngineClient } from '@imgmono/engine';
import { pushImageProject } from '@imgmono/image-publish';
import { parseTagRules } from '@imgmono/tags';
import { workspaceTagRules } from '../../lib/plugin-options';
import { registryFrom } from '../../lib/registry-settings';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { readRunSettings } from '../../lib/run-settings';
import { maskedOutput, runSecrets } from '../../lib/workspace-secrets';
import type { PushExecutorOptions } from './schema';

export default async function pushExecutor(options: PushExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  let output = maskedOutput([]);
  try {
    const settings = readRunSettings(process.env);
    const registry = await registryFrom(settings, options.registry);
    if (registry === undefined) throw new ExecutorInputError(`${project}: no registry to push to: set IMAGE_REGISTRY (host:port) or the push target's "registry" option`);
    output = maskedOutput(runSecrets(options.secretEnv, context.nxJsonConfiguration, settings.env, registry));
    const outcome = await pushImageProject(
      {
        workspaceRoot: context.root,
        project,
        registry: registry.client,
        auth: registry.auth,
        rules: parseTagRules(workspaceTagRules(options.tagRules, context.nxJsonConfiguration)),
        context: settings.tagContext,
        strict: settings.strictSources,
      },
      { engine: createEngineClient(), log: output.log },
    );
    if ('digest' in outcome) output.log(`[${project}] pushed ${outcome.tags.length} tag(s) to ${registry.client.host} as ${outcome.digest}`);
    return { success: true };
  } catch (error) {
    return reportFailure(project, error, output.error);
  }
}
