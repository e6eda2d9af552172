/** The workspace model (libs/workspace) from a generator's tree: the generators and the Zuul export take it from here. */
import type { Tree } from '@nx/devkit';
import { getProjects, joinPathFragments } from '@nx/devkit';
import { ImageTargetOptions, ProjectLocation, SCENARIO_FILE, SOURCE_FILE, WorkspaceModel, loadWorkspaceModel } from '@imgmono/workspace';

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
