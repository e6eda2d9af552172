/** The workspace as the graph check sees it: plain data, read elsewhere. */
export interface ImageProjectModel {
  name: string;
  /** `images/opendev/python-base` */
  root: string;
  /** Text of project.json (for line numbers), and its path. */
  projectFile: string;
  projectText: string;
  implicitDependencies: string[];
  optionalSources: string[];
  dockerfile: string;
  /** Undefined when the Dockerfile is missing. */
  dockerfileText?: string;
}

export interface SourceProjectModel {
  name: string;
  root: string;
  declarationFile: string;
  /** Its canonical project name: where its checkout stands in a context, `.zuul-siblings/<zuulProject>`. */
  zuulProject?: string;
  /** The problem with its declaration, if it does not parse. */
  declarationError?: string;
}

export interface WorkspaceModel {
  images: Map<string, ImageProjectModel>;
  sources: Map<string, SourceProjectModel>;
  /** Every other project of the workspace (libraries, tools). */
  otherProjects: Set<string>;
  namespacesFile: string;
  namespacesText?: string;
}
