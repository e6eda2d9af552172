/** The workspace as the Zuul export sees it (images, sources, scenarios), and the export's options. Pure data. */
export interface ZuulImageInput {
  name: string;
  /** `images/opendev/python-base` */
  root: string;
  /** Workspace images it builds on (its implicitDependencies that are images). */
  parents: string[];
  /** Sources it installs (its implicitDependencies that are sources). */
  sources: string[];
  dockerfile?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  /** It has an image-test.json: a test job runs its checks. */
  tested: boolean;
  /** A root image made from Debian packages (rootfs.json): zuul-jobs' docker build cannot make it, an Nx job does. */
  rootfs: boolean;
}

export interface ZuulSourceInput {
  name: string;
  root: string;
  zuulProject: string;
}

export interface ZuulScenarioInput {
  /** The Nx project (`scenarios/nodepool-static`). */
  name: string;
  root: string;
  images: string[];
  /** Other scenarios' folders whose files it copies in: a change there runs its job too. */
  fileFolders: string[];
}

export interface ZuulWorkspace {
  images: ZuulImageInput[];
  sources: ZuulSourceInput[];
  scenarios: ZuulScenarioInput[];
  /** Files every image depends on (the namespace rules). */
  sharedFiles: string[];
}

export interface ZuulExportOptions {
  /** Prefix of every job name. */
  jobPrefix: string;
  buildParent: string;
  uploadParent: string;
  promoteParent: string;
  /** The buildset registry job every build depends on. */
  registryJob: string;
  /** Parent of jobs that run an Nx target on a node (root images, image tests); it runs `nx run {{ nx_target }}`. */
  nxParent: string;
  /** The registry images are tagged for (zuul-jobs' docker_registry); empty: Docker Hub. */
  registry: string;
  tags: string[];
  pipelines: { check: string; gate: string; promote: string };
  /** One build job per chain (root to leaf, in graph order on one node) instead of one per image. */
  perChain: boolean;
}

export const DEFAULT_ZUUL_OPTIONS: ZuulExportOptions = {
  jobPrefix: 'imgmono',
  buildParent: 'opendev-build-docker-image',
  uploadParent: 'opendev-upload-docker-image',
  promoteParent: 'opendev-promote-docker-image',
  registryJob: 'opendev-buildset-registry',
  nxParent: 'imgmono-nx-run',
  registry: '',
  tags: ['latest'],
  pipelines: { check: 'check', gate: 'gate', promote: 'promote' },
  perChain: false,
};

export const ZUUL_FILE = 'zuul.d/images.yaml';
