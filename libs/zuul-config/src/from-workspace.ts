/** The Zuul export's view of the workspace model: images, sources and scenarios as the jobs need them. Pure. */
import type { WorkspaceModel } from '@imgmono/workspace';
import type { ZuulWorkspace } from './zuul-workspace';

export function zuulWorkspace(model: WorkspaceModel): ZuulWorkspace {
  return {
    images: [...model.images.values()].map((image) => ({
      name: image.name,
      root: image.root,
      parents: image.parents,
      sources: image.sources,
      dockerfile: image.options.dockerfile,
      target: image.options.target,
      buildArgs: image.options.buildArgs,
      tested: image.tested,
      rootfs: image.rootfs,
    })),
    sources: [...model.sources.values()].map((source) => ({ name: source.name, root: source.root, zuulProject: source.zuulProject ?? source.name })),
    scenarios: [...model.scenarios.values()].filter((scenario) => scenario.error === undefined).map((scenario) => ({ name: scenario.name, root: scenario.root, images: scenario.images, fileFolders: scenario.fileFolders })),
    sharedFiles: [model.namespacesFile],
  };
}
