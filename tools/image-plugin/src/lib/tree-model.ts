/** The graph check's model of a workspace held in an Nx generator tree (in memory or on disk). */
import { Tree, getProjects, joinPathFragments } from '@nx/devkit';
import * as path from 'node:path';
import { ProjectLocation, WorkspaceModel, loadWorkspaceModel } from '@imgmono/graph-check';
import { SOURCE_FILE } from '@imgmono/sources';

export function treeProjects(tree: Tree): ProjectLocation[] {
  const found: ProjectLocation[] = [];
  for (const [name, config] of getProjects(tree)) {
    const imageTarget = config.targets?.image?.options as { optionalSources?: string[] } | undefined;
    found.push({ name, root: config.root, implicitDependencies: config.implicitDependencies ?? [], optionalSources: imageTarget?.optionalSources ?? [] });
  }
  if (tree.exists('sources')) {
    for (const name of tree.children('sources')) {
      if (tree.exists(joinPathFragments('sources', name, SOURCE_FILE))) found.push({ name, root: `sources/${name}` });
    }
  }
  return found;
}

export function modelFromTree(tree: Tree): Promise<WorkspaceModel> {
  return loadWorkspaceModel(tree.root, treeProjects(tree), async (absolute) => {
    const relative = path.relative(tree.root, absolute);
    return tree.exists(relative) ? tree.read(relative, 'utf-8') ?? undefined : undefined;
  });
}
