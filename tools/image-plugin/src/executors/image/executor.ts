/**
 * The `image` executor: normalises options, reads what it needs from the
 * Nx context, and hands over to buildImageProject. Interrupts abort the
 * build; user errors print plainly, anything else asks for a bug report.
 */
import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { createEngineClient } from '@imgmono/engine';
import { buildImageProject, readWorkspaceGit } from '@imgmono/image-build';
import { maskSecrets } from '@imgmono/secrets';
import { registryFromEnv } from '../../lib/registry-settings';
import { reportFailure } from '../../lib/report-failure';
import { strictSources } from '../../lib/run-mode';
import { imageProjectsOf } from '../../lib/workspace-images';
import { withInterrupts } from '../../lib/interrupts';
import { maskedOutput, runSecrets } from '../../lib/workspace-secrets';
import { readImageSources, sourceSettingsFromEnv } from '../../lib/workspace-sources';
import type { ImageExecutorOptions } from './schema';

/** IMAGE_TAGS="change_123,latest" overrides the target's tags for one run (CI jobs, tests). */
function tagsFromEnv(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((tag) => tag.trim()).filter(Boolean);
}

export default async function imageExecutor(options: ImageExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return runImageTask(options, context, (line) => console.log(line));
}

/** One image task: the body of the executor, shared with the batch implementation. */
export async function runImageTask(options: ImageExecutorOptions, context: ExecutorContext, log: (line: string) => void): Promise<{ success: boolean }> {
  const project = context.projectName;
  if (project === undefined) throw new Error('the image executor runs for one project; no project name in the Nx context');
  const config = context.projectsConfigurations.projects[project];
  // until the secrets are known, nothing is printed but errors about the environment itself
  let output = maskedOutput([]);
  try {
    const parentRegistry = await registryFromEnv(process.env).then((registry) =>
      registry === undefined ? undefined : { ...registry, change: process.env.IMAGE_CHANGE || undefined },
    );
    const secrets = runSecrets(options.secretEnv, process.env, parentRegistry);
    output = maskedOutput(secrets);
    const maskedLog = (line: string) => log(maskSecrets(line, secrets));
    const dependencies = (config.implicitDependencies ?? []).filter((dep) => !dep.startsWith('!'));
    const projects = context.projectsConfigurations.projects;
    const git = await readWorkspaceGit(context.root);
    const sources = await readImageSources(context.root, project, projects, dependencies, options.optionalSources ?? []);
    const sourceSettings = await sourceSettingsFromEnv(context.root, process.env, project);
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
          networkMode: options.network ?? process.env.IMAGE_BUILD_NETWORK ?? 'host',
          tags: tagsFromEnv(process.env.IMAGE_TAGS) ?? options.tags ?? ['latest'],
          workspaceImages: imageProjectsOf(projects),
          declaredParents: dependencies,
          git,
          sources,
          sourceSettings,
          strictSources: strictSources(process.env),
          runId: process.env.IMAGE_RUN_ID,
          noCache: options.noCache ?? process.env.IMAGE_NO_CACHE === 'true',
          secrets: options.secrets,
          secretValues: secrets,
          primarySource: options.primarySource,
          parentRegistry,
          signal,
        },
        { engine: createEngineClient(), log: maskedLog },
      ),
    );
    return { success: true };
  } catch (error) {
    return reportFailure(project, error, output.error);
  }
}
