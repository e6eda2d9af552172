/**
 * Infers the `image` target of every image project: any folder under
 * `images/` with a Dockerfile. Nothing to declare per project beyond its
 * name, tags and implicitDependencies.
 */
import { CreateNodesV2, TargetConfiguration, createNodesFromFiles } from '@nx/devkit';
import * as path from 'node:path';
import { IMAGE_EXECUTOR } from '../lib/workspace-images';

export interface ImagePluginOptions {
  /** Name of the build target; default `image`. */
  imageTargetName?: string;
}

export const DOCKERFILE_GLOB = 'images/**/Dockerfile';

export function normaliseOptions(options: ImagePluginOptions | undefined): Required<ImagePluginOptions> {
  return { imageTargetName: options?.imageTargetName ?? 'image' };
}

export function imageTarget(projectRoot: string, options: Required<ImagePluginOptions>): TargetConfiguration {
  const name = projectRoot.replace(/^images\//, '');
  return {
    executor: IMAGE_EXECUTOR,
    dependsOn: [`^${options.imageTargetName}`],
    // The executor is its own cache: it reuses an image only after the engine confirms it holds it.
    cache: false,
    inputs: ['{projectRoot}/**/*', { env: 'DOCKER_HOST' }],
    options: { dockerfile: 'Dockerfile' },
    metadata: {
      description: `Build the ${name} image on the Docker engine, parents first, each child pinned to its parent's image id`,
      technologies: ['docker'],
    },
  };
}

export const createNodesV2: CreateNodesV2<ImagePluginOptions> = [
  DOCKERFILE_GLOB,
  async (dockerfiles, rawOptions, context) => {
    const options = normaliseOptions(rawOptions);
    return createNodesFromFiles(
      (dockerfile) => {
        const projectRoot = path.posix.dirname(dockerfile);
        return {
          projects: {
            [projectRoot]: {
              targets: { [options.imageTargetName]: imageTarget(projectRoot, options) },
            },
          },
        };
      },
      dockerfiles,
      options,
      context,
    );
  },
];
