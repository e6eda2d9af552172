/**
 * The workspace as the Zuul export sees it, from the graph check's model (the
 * project graph's images and sources) plus what the export needs beside it:
 * each image's target options (dockerfile, target, build arguments), whether
 * it has an image-test.json or a rootfs.json, and the scenarios. The files
 * come through `read`, so a generator's tree and the disk give the same.
 */
import * as path from 'node:path';
import type { WorkspaceModel } from '@imgmono/graph-check';
import { IMAGE_TEST_FILE, SCENARIO_FILE, parseScenario, scenarioImages } from '@imgmono/image-test';
import { ROOTFS_FILE } from '@imgmono/rootfs';
import { parseSourceDeclaration } from '@imgmono/sources';
import { ZuulWorkspace, jobGraphLines, renderZuulConfig } from '@imgmono/zuul-config';
import { ZuulUserOptions, imagePluginOptions, normaliseZuulOptions } from './zuul-options';

export interface WorkspaceFiles {
  read(file: string): string | undefined;
  /** Names in a folder of the workspace (none when it does not exist). */
  list(folder: string): string[];
}

export function zuulWorkspace(model: WorkspaceModel, files: WorkspaceFiles): ZuulWorkspace {
  const images = [...model.images.values()].map((image) => {
    let options: { dockerfile?: string; target?: string; buildArgs?: Record<string, string> } = {};
    try {
      options = JSON.parse(image.projectText).targets?.image?.options ?? {};
    } catch {
      // the graph check and Nx report a broken project.json
    }
    return {
      name: image.name,
      root: image.root,
      parents: image.implicitDependencies.filter((dep) => model.images.has(dep)),
      sources: image.implicitDependencies.filter((dep) => model.sources.has(dep)),
      dockerfile: options.dockerfile,
      target: options.target,
      buildArgs: options.buildArgs,
      tested: files.read(path.posix.join(image.root, IMAGE_TEST_FILE)) !== undefined,
      rootfs: files.read(path.posix.join(image.root, ROOTFS_FILE)) !== undefined,
    };
  });
  const sources = [...model.sources.values()].map((source) => {
    const text = files.read(source.declarationFile);
    const zuulProject = text === undefined ? source.name : parseSourceDeclaration(text, source.declarationFile, path.posix.basename(source.root)).zuulProject;
    return { name: source.name, root: source.root, zuulProject };
  });
  const scenarios = files
    .list('scenarios')
    .sort()
    .flatMap((folder) => {
      const file = `scenarios/${folder}/${SCENARIO_FILE}`;
      const text = files.read(file);
      return text === undefined ? [] : [{ name: `scenarios/${folder}`, root: `scenarios/${folder}`, images: scenarioImages(parseScenario(text, file)) }];
    });
  return { images, sources, scenarios, sharedFiles: [model.namespacesFile] };
}

/** The Zuul file of a workspace and where it goes: the plugin's "zuul" options from nx.json, overridden by the caller's. */
export function zuulConfigFor(
  model: WorkspaceModel,
  files: WorkspaceFiles,
  nxJson: Parameters<typeof imagePluginOptions>[0],
  overrides: { perChain?: boolean; file?: string } = {},
): { file: string; text: string; jobGraph: string[] } {
  const user = { ...((imagePluginOptions(nxJson).zuul ?? {}) as ZuulUserOptions) };
  if (overrides.perChain !== undefined) user.perChain = overrides.perChain;
  if (overrides.file !== undefined) user.file = overrides.file;
  const { file, options } = normaliseZuulOptions(user);
  const workspace = zuulWorkspace(model, files);
  return { file, text: renderZuulConfig(workspace, options), jobGraph: jobGraphLines(workspace, options) };
}
