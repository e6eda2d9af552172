/**
 * The `image` executor: reads the run's settings and the workspace model,
 * and hands over to buildImageProject. Interrupts abort the build; user
 * errors print plainly, anything else asks for a bug report.
 */
import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { writeRunProjects } from '@imgmono/build-records';
import { createEngineClient } from '@imgmono/engine';
import { buildImageProject, readWorkspaceGit } from '@imgmono/image-build';
import { withInterrupts } from '../../lib/interrupts';
import { registryFrom } from '../../lib/registry-settings';
import { reportFailure } from '../../lib/report-failure';
import { RunSettings, readRunSettings } from '../../lib/run-settings';
import { imageTaskModel } from '../../lib/workspace-model';
import { CONSOLE_OUTPUT, MaskedOutput, maskedOutput, runSecrets } from '../../lib/workspace-secrets';
import { imageSources, sourceSettingsFrom } from '../../lib/workspace-sources';
import type { ImageExecutorOptions } from './schema';

const recordedRuns = new Set<string>();

/** The run's image projects, for its summary (npm run images): once per process and run; a list that cannot be written costs the summary an Nx command. */
async function recordRunProjects(root: string, runId: string, images: ReadonlySet<string>): Promise<void> {
  if (recordedRuns.has(runId)) return;
  recordedRuns.add(runId);
  await writeRunProjects(root, runId, [...images]).catch(() => undefined);
}

export default async function imageExecutor(options: ImageExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return runImageTask(options, context, readRunSettings(process.env));
}

/** One image task: the body of the executor, shared with the batch implementation. */
export async function runImageTask(options: ImageExecutorOptions, context: ExecutorContext, settings: RunSettings, to: MaskedOutput = CONSOLE_OUTPUT): Promise<{ success: boolean }> {
  const project = context.projectName;
  if (project === undefined) throw new Error('the image executor runs for one project; no project name in the Nx context');
  const config = context.projectsConfigurations.projects[project];
  // until the secrets are known, nothing is printed but errors about the environment itself
  let output = maskedOutput([], to);
  try {
    const parentRegistry = await registryFrom(settings).then((registry) => (registry === undefined ? undefined : { ...registry, change: settings.tagContext.change }));
    const secrets = runSecrets(options.secretEnv, context.nxJsonConfiguration, settings.env, parentRegistry);
    output = maskedOutput(secrets, to);
    const { model, workspaceImages } = await imageTaskModel(context.root, context.projectsConfigurations.projects, project);
    if (settings.runId !== undefined) await recordRunProjects(context.root, settings.runId, workspaceImages);
    const sourceSettings = await sourceSettingsFrom(context.root, settings, project);
    const announce = (signal: NodeJS.Signals) => console.error(`[${project}] ${signal} received: stopping the build; no tag will be changed`);
    await withInterrupts(announce, (signal) =>
      buildImageProject(
        {
          workspaceRoot: context.root,
          project,
          projectRoot: config.root,
          projectFile: path.posix.join(config.root, 'project.json'),
          dockerfile: options.dockerfile ?? 'Dockerfile',
          buildArgs: options.buildArgs ?? {},
          target: options.target,
          platform: options.platform,
          networkMode: options.network ?? settings.buildNetwork,
          tags: settings.tags ?? options.tags ?? ['latest'],
          workspaceImages,
          declaredParents: model.images.get(project)?.implicitDependencies ?? [],
          git: () => readWorkspaceGit(context.root),
          sources: imageSources(model, project),
          sourceSettings,
          strictSources: settings.strictSources,
          runId: settings.runId,
          noCache: options.noCache ?? settings.noCache,
          secrets: options.secrets,
          secretValues: secrets,
          primarySource: options.primarySource,
          parentRegistry,
          signal,
        },
        { engine: createEngineClient(), log: output.log },
      ),
    );
    return { success: true };
  } catch (error) {
    return reportFailure(project, error, output.error);
  }
}
