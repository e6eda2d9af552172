/**
 * The workspace model (libs/workspace) from what Nx knows in an executor: the
 * project configurations (the image target's options as Nx resolved them) and
 * the disk. Every executor, the graph check, the tree view and the Zuul check
 * take the model from here; generators take it from their tree (tree-model.ts).
 * Nothing of @nx/devkit is loaded at run time here: a task process does not
 * pay for it.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ImageTargetOptions, ProjectLocation, WorkspaceModel, loadWorkspaceModel } from '@imgmono/workspace';
import { IMAGE_EXECUTOR } from './workspace-images';

export function projectLocations(projects: Record<string, ProjectConfiguration>): ProjectLocation[] {
  return Object.entries(projects).map(([name, config]) => {
    const imageTarget = Object.values(config.targets ?? {}).find((target) => target.executor === IMAGE_EXECUTOR);
    return {
      name,
      root: config.root,
      implicitDependencies: (config.implicitDependencies ?? []).filter((dep) => !dep.startsWith('!')),
      imageOptions: imageTarget?.options as ImageTargetOptions | undefined,
    };
  });
}

export function modelFromNx(workspaceRoot: string, projects: Record<string, ProjectConfiguration>): Promise<WorkspaceModel> {
  return loadWorkspaceModel(projectLocations(projects), (relative) => fs.readFile(path.join(workspaceRoot, relative), 'utf8').catch(() => undefined));
}
