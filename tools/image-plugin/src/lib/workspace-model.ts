/**
 * The workspace model (libs/workspace) from what Nx knows: an executor's
 * project configurations (the image target's options as Nx resolved them) and
 * the disk, or a generator's tree. Every executor, the graph check, the tree
 * view, the generators and the Zuul export take the model from here.
 */
import type { ProjectConfiguration, Tree } from '@nx/devkit';
import { getProjects, joinPathFragments } from '@nx/devkit';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ImageTargetOptions, ProjectLocation, SOURCE_FILE, SCENARIO_FILE, WorkspaceModel, loadWorkspaceModel } from '@imgmono/workspace';
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

/** The projects a generator's tree holds: its project.json files, and the sources and scenarios the plugin infers. */
export function treeProjects(tree: Tree): ProjectLocation[] {
  const found: ProjectLocation[] = [];
  for (const [name, config] of getProjects(tree)) {
    found.push({ name, root: config.root, implicitDependencies: config.implicitDependencies ?? [], imageOptions: config.targets?.image?.options as ImageTargetOptions | undefined });
  }
  for (const [folder, file] of [['sources', SOURCE_FILE], ['scenarios', SCENARIO_FILE]] as const) {
    if (!tree.exists(folder)) continue;
    for (const name of tree.children(folder)) {
      if (tree.exists(joinPathFragments(folder, name, file))) found.push({ name: folder === 'sources' ? name : `${folder}/${name}`, root: `${folder}/${name}` });
    }
  }
  return found;
}

export function modelFromTree(tree: Tree): Promise<WorkspaceModel> {
  return loadWorkspaceModel(treeProjects(tree), async (relative) => (tree.exists(relative) && tree.isFile(relative) ? tree.read(relative, 'utf-8') ?? undefined : undefined));
}
