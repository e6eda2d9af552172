/**
 * The image graph as Zuul jobs, for zuul-jobs' own roles: per image a build,
 * an upload and a promote job sharing one anchored `docker_images` block in
 * zuul-jobs' schema; `provides`/`requires` so a Depends-On change in another
 * repository hands its speculative parent through the intermediate registry;
 * `dependencies` on the buildset registry job and soft ones on the parents'
 * build jobs of the same change; `files` regular expressions for what makes
 * the image affected; `required-projects` for its sources; a test job per
 * image with an image-test.json and per scenario; and a project stanza. Or,
 * with `perChain`, one build job per chain, its images built in graph order
 * on one node. Pure: the workspace comes in as data, YAML text goes out.
 */
import { YamlMap, YamlValue, renderYaml } from './yaml-writer';

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

/** `opendev/python-base` -> `opendev-python-base`: the part of job names and `provides` an image gives. */
export function imageSlug(image: string): string {
  return image.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export function providesOf(image: string): string {
  return `${imageSlug(image)}-container-image`;
}

/** A regular expression matching exactly this path or everything under this folder. */
export function folderRegex(folder: string): string {
  return `^${escapeRegex(folder)}/.*$`;
}

export function fileRegex(file: string): string {
  return `^${escapeRegex(file)}$`;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Graph {
  images: Map<string, ZuulImageInput>;
  sources: Map<string, ZuulSourceInput>;
}

/** The image and every image below it, nearest first, each once. */
function ancestry(graph: Graph, image: string): string[] {
  const out: string[] = [];
  const visit = (name: string) => {
    if (out.includes(name)) return;
    out.push(name);
    for (const parent of graph.images.get(name)?.parents ?? []) visit(parent);
  };
  visit(image);
  return out;
}

/** What makes these images affected: their folders, their sources' declarations, their ancestors', and the shared rules. */
function filesOf(graph: Graph, images: string[], shared: string[], extraFolders: string[] = []): string[] {
  const folders = new Set<string>(extraFolders);
  for (const image of images) {
    for (const name of ancestry(graph, image)) {
      const node = graph.images.get(name);
      if (node === undefined) continue;
      folders.add(node.root);
      for (const source of node.sources) {
        const declared = graph.sources.get(source);
        if (declared !== undefined) folders.add(declared.root);
      }
    }
  }
  return [...[...folders].sort().map(folderRegex), ...[...shared].sort().map(fileRegex)];
}

function requiredProjects(graph: Graph, images: string[]): string[] {
  const projects = new Set<string>();
  for (const image of images) for (const source of graph.images.get(image)?.sources ?? []) {
    const declared = graph.sources.get(source);
    if (declared !== undefined) projects.add(declared.zuulProject);
  }
  return [...projects].sort();
}

/** One entry of zuul-jobs' docker_images. */
function dockerImage(graph: Graph, image: ZuulImageInput, options: ZuulExportOptions): YamlMap {
  const buildArgs = Object.entries(image.buildArgs ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([key, value]) => `${key}=${value}`);
  const siblings = image.sources.map((source) => graph.sources.get(source)?.zuulProject).filter((name): name is string => name !== undefined).sort();
  return {
    context: image.root,
    dockerfile: image.dockerfile !== undefined && image.dockerfile !== 'Dockerfile' ? image.dockerfile : undefined,
    repository: image.name,
    tags: [...options.tags],
    siblings: siblings.length > 0 ? siblings : undefined,
    build_args: buildArgs.length > 0 ? buildArgs : undefined,
    target: image.target,
  };
}

export interface ZuulJobSet {
  /** Every job, in the order they are written. */
  jobs: YamlMap[];
  project: YamlMap;
}

export function zuulJobs(workspace: ZuulWorkspace, options: ZuulExportOptions = DEFAULT_ZUUL_OPTIONS): ZuulJobSet {
  const graph: Graph = {
    images: new Map(workspace.images.map((image) => [image.name, image])),
    sources: new Map(workspace.sources.map((source) => [source.name, source])),
  };
  const order = graphOrder(workspace.images);
  const name = (kind: string, image: string) => `${options.jobPrefix}-${kind}-${imageSlug(image)}`;
  const jobs: YamlMap[] = [];
  const check: string[] = [options.registryJob];
  const gate: string[] = [options.registryJob];
  const promote: string[] = [];
  /** The job that makes each image in check (build) and in gate (upload); a root image's Nx job in both. */
  const jobOf = { build: new Map<string, string>(), upload: new Map<string, string>() };

  const units: Array<{ key: string; images: string[] }> = options.perChain
    ? chains(workspace.images, order).map((chain) => ({ key: `chain-${imageSlug(chain[chain.length - 1])}`, images: chain.filter((image) => !graph.images.get(image)!.rootfs) }))
    : order.filter((image) => !graph.images.get(image)!.rootfs).map((image) => ({ key: imageSlug(image), images: [image] }));

  // root images come from Debian packages (mmdebstrap): an Nx job builds and pushes them
  for (const image of order.filter((image) => graph.images.get(image)!.rootfs)) {
    const job = name('build', image);
    jobOf.build.set(image, job);
    jobOf.upload.set(image, job);
    jobs.push({
      job: {
        name: job,
        parent: options.nxParent,
        description: `Build the root image ${image} from Debian packages with Nx (zuul-jobs' docker build cannot make its generated root file system) and push it to the buildset registry.`,
        provides: [providesOf(image)],
        dependencies: [{ name: options.registryJob }],
        files: filesOf(graph, [image], workspace.sharedFiles),
        vars: { nx_target: `${image}:push` },
      },
    });
    check.push(job);
    gate.push(job);
  }

  for (const unit of units) {
    if (unit.images.length === 0) continue;
    const inUnit = new Set(unit.images);
    const parents = [...new Set(unit.images.flatMap((image) => graph.images.get(image)!.parents).filter((parent) => !inUnit.has(parent)))].sort();
    const anchor = `${options.jobPrefix}-${unit.key}-images`;
    const images = unit.images.map((image) => dockerImage(graph, graph.images.get(image)!, options));
    const common = (first: boolean): YamlMap => ({
      provides: unit.images.map(providesOf),
      requires: parents.length > 0 ? parents.map(providesOf) : undefined,
      files: filesOf(graph, unit.images, workspace.sharedFiles),
      'required-projects': requiredProjects(graph, unit.images).length > 0 ? requiredProjects(graph, unit.images) : undefined,
      vars: {
        docker_registry: options.registry !== '' ? options.registry : undefined,
        docker_images: first ? { anchor, value: images } : { alias: anchor },
      },
    });
    const dependencies = (kind: 'build' | 'upload'): YamlValue[] => [
      { name: options.registryJob },
      ...parents.map((parent) => ({ name: jobOf[kind].get(parent)!, soft: true })),
    ];
    const what = unit.images.length === 1 ? unit.images[0] : `the chain ${unit.images.join(' -> ')} (in this order, on one node)`;
    const build = `${options.jobPrefix}-build-${unit.key}`;
    const upload = `${options.jobPrefix}-upload-${unit.key}`;
    for (const image of unit.images) {
      jobOf.build.set(image, build);
      jobOf.upload.set(image, upload);
    }
    const { provides, requires, files, 'required-projects': projects, vars } = common(true);
    jobs.push({ job: { name: build, parent: options.buildParent, description: `Build ${what}.`, provides, requires, dependencies: dependencies('build'), files, 'required-projects': projects, vars } });
    const second = common(false);
    jobs.push({ job: { name: upload, parent: options.uploadParent, description: `Build ${what} and upload it to the change's registry tags.`, provides: second.provides, requires: second.requires, dependencies: dependencies('upload'), files: second.files, 'required-projects': second['required-projects'], vars: second.vars } });
    const third = common(false);
    jobs.push({ job: { name: `${options.jobPrefix}-promote-${unit.key}`, parent: options.promoteParent, description: `Promote ${what} after the change merges.`, files: third.files, vars: third.vars } });
    check.push(build);
    gate.push(upload);
    promote.push(`${options.jobPrefix}-promote-${unit.key}`);
  }

  const testJob = (project: string, images: string[], folder: string) => {
    const job = `${options.jobPrefix}-image-test-${imageSlug(project)}`;
    // soft: in check the build jobs run, in gate the upload jobs; the test waits for whichever runs
    const builds = [...new Set(images.flatMap((image) => [jobOf.build.get(image), jobOf.upload.get(image)]).filter((job): job is string => job !== undefined))].sort();
    jobs.push({
      job: {
        name: job,
        parent: options.nxParent,
        description: `Run nx run ${project}:image-test on this change's images.`,
        requires: images.map(providesOf).sort(),
        dependencies: [{ name: options.registryJob }, ...builds.map((build) => ({ name: build, soft: true }))],
        files: filesOf(graph, images, workspace.sharedFiles, [folder]),
        'required-projects': requiredProjects(graph, images.flatMap((image) => ancestry(graph, image))).length > 0 ? requiredProjects(graph, images.flatMap((image) => ancestry(graph, image))) : undefined,
        vars: { nx_target: `${project}:image-test` },
      },
    });
    check.push(job);
    gate.push(job);
  };
  for (const image of order) if (graph.images.get(image)!.tested) testJob(image, [image], graph.images.get(image)!.root);
  for (const scenario of [...workspace.scenarios].sort((a, b) => a.name.localeCompare(b.name))) testJob(scenario.name, [...scenario.images].sort(), scenario.root);

  const project: YamlMap = {
    [options.pipelines.check]: { jobs: check },
    [options.pipelines.gate]: { jobs: gate },
    [options.pipelines.promote]: { jobs: promote },
  };
  return { jobs, project: { project } };
}

/** Images in graph order (parents first), ties broken by name: the same graph always gives the same order. */
export function graphOrder(images: readonly ZuulImageInput[]): string[] {
  const byName = new Map(images.map((image) => [image.name, image]));
  const done: string[] = [];
  const visit = (name: string, path: string[]) => {
    if (done.includes(name) || !byName.has(name)) return;
    if (path.includes(name)) throw new Error(`images depend on each other in a cycle: ${[...path, name].join(' -> ')}`);
    for (const parent of [...byName.get(name)!.parents].sort()) visit(parent, [...path, name]);
    done.push(name);
  };
  for (const name of [...byName.keys()].sort()) visit(name, []);
  return done;
}

/** Every chain from a root to a leaf (an image no other image builds on), in graph order. */
function chains(images: readonly ZuulImageInput[], order: string[]): string[][] {
  const children = new Set(images.flatMap((image) => image.parents));
  return order
    .filter((name) => !children.has(name))
    .map((leaf) => {
      const chain: string[] = [];
      const byName = new Map(images.map((image) => [image.name, image]));
      const visit = (name: string) => {
        if (chain.includes(name) || !byName.has(name)) return;
        for (const parent of [...byName.get(name)!.parents].sort()) visit(parent);
        chain.push(name);
      };
      visit(leaf);
      return chain;
    });
}

/** The Zuul file: jobs, then the project stanza, with a header saying how it is made. */
export function renderZuulConfig(workspace: ZuulWorkspace, options: ZuulExportOptions = DEFAULT_ZUUL_OPTIONS): string {
  const set = zuulJobs(workspace, options);
  return renderYaml([...set.jobs, set.project], [
    `Generated from the Nx project graph by 'nx g @imgmono/image-plugin:zuul'; do not edit.`,
    `Regenerate after changing images, sources or scenarios; 'nx run zuul-config:zuul-check' fails while it is stale.`,
  ]);
}

/** The first line where two texts differ (1-based), with both lines; undefined when they are equal. */
export function firstDifference(actual: string, expected: string): { line: number; expected: string; actual: string } | undefined {
  if (actual === expected) return undefined;
  const a = actual.split('\n');
  const e = expected.split('\n');
  for (let index = 0; index < Math.max(a.length, e.length); index++) {
    if (a[index] !== e[index]) return { line: index + 1, expected: e[index] ?? '(end of file)', actual: a[index] ?? '(end of file)' };
  }
  return undefined;
}

/**
 * The check pipeline's job graph as text, each job under the job it depends on (the registry job
 * at the top), with what runs it: for a README and for the generator to print.
 */
export function jobGraphLines(workspace: ZuulWorkspace, options: ZuulExportOptions = DEFAULT_ZUUL_OPTIONS): string[] {
  const set = zuulJobs(workspace, options);
  const jobs = set.jobs.map((item) => item.job as YamlMap);
  const checkJobs = new Set(((set.project.project as YamlMap)[options.pipelines.check] as { jobs: string[] }).jobs);
  const byName = new Map(jobs.filter((job) => checkJobs.has(job.name as string)).map((job) => [job.name as string, job]));
  const parentOf = (job: YamlMap): string => {
    const deps = ((job.dependencies ?? []) as Array<{ name: string }>).map((dep) => dep.name).filter((dep) => byName.has(dep));
    return deps.length > 0 ? deps[deps.length - 1] : options.registryJob;
  };
  const children = new Map<string, string[]>();
  for (const [name, job] of byName) {
    const parent = parentOf(job);
    children.set(parent, [...(children.get(parent) ?? []), name]);
  }
  const what = (job: YamlMap): string => {
    const vars = (job.vars ?? {}) as YamlMap;
    const others = ((job.dependencies ?? []) as Array<{ name: string }>).map((dep) => dep.name).filter((dep) => byName.has(dep) && dep !== parentOf(job));
    const also = others.length > 0 ? `; also after ${others.join(', ')}` : '';
    if (typeof vars.nx_target === 'string') return `nx run ${vars.nx_target}${also}`;
    const images = ((vars.docker_images as { value?: YamlMap[] })?.value ?? []) as YamlMap[];
    const siblings = images.flatMap((image) => (image.siblings ?? []) as string[]);
    return `${job.parent as string}${siblings.length > 0 ? `, siblings ${[...new Set(siblings)].join(' ')}` : ''}${also}`;
  };
  const lines = [options.registryJob];
  const draw = (name: string, prefix: string) => {
    const kids = (children.get(name) ?? []).sort((a, b) => (a.includes('-image-test-') === b.includes('-image-test-') ? a.localeCompare(b) : a.includes('-image-test-') ? 1 : -1));
    kids.forEach((kid, index) => {
      const last = index === kids.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${kid}  (${what(byName.get(kid)!)})`);
      draw(kid, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  draw(options.registryJob, '');
  return lines;
}
