/**
 * The workspace model (libs/workspace) from what Nx knows in an executor: the
 * project configurations (the image target's options as Nx resolved them) and
 * the disk. Every executor, the graph check, the tree view and the Zuul check
 * take the model from here; generators take it from their tree (tree-model.ts).
 * Nothing of @nx/devkit is loaded at run time here: a task process does not
 * pay for it.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ImageTargetOptions, ProjectLocation, WorkspaceModel, loadWorkspaceModel, projectKind } from '@imgmono/workspace';
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

/**
 * Reads with one synchronous call a file: a model reads thousands of small files (four an image), and
 * a synchronous read costs a fraction of the thread pool's open, stat, read and close round trips.
 */
const diskReader =
  (workspaceRoot: string) =>
  async (relative: string): Promise<string | undefined> => {
    try {
      return readFileSync(path.join(workspaceRoot, relative), 'utf8');
    } catch {
      return undefined;
    }
  };

export function modelFromNx(workspaceRoot: string, projects: Record<string, ProjectConfiguration>): Promise<WorkspaceModel> {
  return loadWorkspaceModel(projectLocations(projects), diskReader(workspaceRoot));
}

/** What one image task needs of the workspace. */
export interface ImageTaskModel {
  /** The model of the task's own image and of every source project; no other image's or scenario's files are read. */
  model: WorkspaceModel;
  /** Every image project's name (a FROM naming one is built on this run's image). */
  workspaceImages: ReadonlySet<string>;
}

/**
 * The model for one image task: its own files and the source declarations,
 * so a task's cost does not grow with the number of images and scenarios.
 */
export async function imageTaskModel(workspaceRoot: string, projects: Record<string, ProjectConfiguration>, project: string): Promise<ImageTaskModel> {
  const locations = projectLocations(projects);
  const needed = locations.filter((location) => location.name === project || projectKind(location.root) === 'source');
  const model = await loadWorkspaceModel(needed, diskReader(workspaceRoot));
  return { model, workspaceImages: new Set(locations.filter((location) => projectKind(location.root) === 'image').map((location) => location.name)) };
}
