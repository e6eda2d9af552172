/** The graph check's model of the workspace, from Nx's project configurations. */
import type { ProjectConfiguration } from '@nx/devkit';
import { ProjectLocation, WorkspaceModel, loadWorkspaceModel } from '@imgmono/graph-check';
import { IMAGE_EXECUTOR } from './workspace-images';

export function projectLocations(projects: Record<string, ProjectConfiguration>): ProjectLocation[] {
  return Object.entries(projects).map(([name, config]) => {
    const imageTarget = Object.values(config.targets ?? {}).find((target) => target.executor === IMAGE_EXECUTOR);
    return {
      name,
      root: config.root,
      implicitDependencies: (config.implicitDependencies ?? []).filter((dep) => !dep.startsWith('!')),
      optionalSources: (imageTarget?.options as { optionalSources?: string[] } | undefined)?.optionalSources ?? [],
    };
  });
}

export function modelFromNx(workspaceRoot: string, projects: Record<string, ProjectConfiguration>): Promise<WorkspaceModel> {
  return loadWorkspaceModel(workspaceRoot, projectLocations(projects));
}
