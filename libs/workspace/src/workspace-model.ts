/**
 * The workspace as everything here sees it (the graph check, the tree view,
 * the executors, the generators, the Zuul export): its images with their
 * parents, sources and target options, its sources with their declarations,
 * its scenarios, and the namespace rules. Plain data, built by
 * loadWorkspaceModel from Nx's project graph or a generator's tree.
 */
import type { SourceDeclaration } from './source-declaration';

/** The options of an image project's image target that decide what is built. */
export interface ImageTargetOptions {
  dockerfile?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  /** The source whose version is the image's version. */
  primarySource?: string;
  /** Sources the image can do without (the released package is used then). */
  optionalSources?: string[];
}

export interface ImageProjectModel {
  name: string;
  /** `images/opendev/python-base` */
  root: string;
  /** Text of project.json (for line numbers), and its path. */
  projectFile: string;
  projectText: string;
  implicitDependencies: string[];
  /** The implicitDependencies that are images of the workspace: what it builds on. */
  parents: string[];
  /** The implicitDependencies that are sources: what it installs. */
  sources: string[];
  optionalSources: string[];
  options: ImageTargetOptions;
  dockerfile: string;
  /** Undefined when the Dockerfile is missing. */
  dockerfileText?: string;
  /** It has an image-test.json. */
  tested: boolean;
  /** A root image made from Debian packages (it has a rootfs.json). */
  rootfs: boolean;
}

export interface SourceProjectModel {
  name: string;
  root: string;
  declarationFile: string;
  declaration?: SourceDeclaration;
  /** Its canonical project name: where its checkout stands in a context, `.zuul-siblings/<zuulProject>`. */
  zuulProject?: string;
  /** The problem with its declaration, if it does not parse. */
  declarationError?: string;
}

export interface ScenarioProjectModel {
  /** The Nx project: `scenarios/nodepool-static`. */
  name: string;
  root: string;
  file: string;
  /** The images it runs; empty when the file does not parse (error says why). */
  images: string[];
  /** Other scenarios' folders whose files it copies in (scenarioFileFolders). */
  fileFolders: string[];
  error?: string;
}

export interface WorkspaceModel {
  images: Map<string, ImageProjectModel>;
  sources: Map<string, SourceProjectModel>;
  scenarios: Map<string, ScenarioProjectModel>;
  /** Every other project of the workspace (libraries, tools). */
  otherProjects: Set<string>;
  namespacesFile: string;
  namespacesText?: string;
}
