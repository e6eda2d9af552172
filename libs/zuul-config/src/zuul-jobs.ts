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
import { YamlMap, YamlValue } from './yaml-writer';
import { Graph, ancestry, chains, filesOf, graphOrder, imageSlug, providesOf, requiredProjects } from './zuul-graph';
import { DEFAULT_ZUUL_OPTIONS, ZuulExportOptions, ZuulImageInput, ZuulScenarioInput, ZuulWorkspace } from './zuul-workspace';

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

  /**
   * A test job's files: its folder and its images' files, as for any test job. A scenario that copies
   * files from other scenarios depends on them in Nx (implicitDependencies), and Nx's dependencies are
   * transitive: it is affected by their folders and by what affects them, so its files say the same.
   */
  const scenarioFiles = (scenario: ZuulScenarioInput): string[] => {
    const seen = new Map<string, ZuulScenarioInput>();
    const visit = (current: ZuulScenarioInput) => {
      if (seen.has(current.root)) return;
      seen.set(current.root, current);
      for (const folder of current.fileFolders) {
        const other = workspace.scenarios.find((candidate) => candidate.root === folder);
        if (other !== undefined) visit(other);
      }
    };
    visit(scenario);
    const all = [...seen.values()];
    return filesOf(graph, [...new Set(all.flatMap((each) => each.images))], workspace.sharedFiles, all.map((each) => each.root));
  };
  const testJob = (project: string, images: string[], files: string[]) => {
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
        files,
        'required-projects': requiredProjects(graph, images.flatMap((image) => ancestry(graph, image))).length > 0 ? requiredProjects(graph, images.flatMap((image) => ancestry(graph, image))) : undefined,
        vars: { nx_target: `${project}:image-test` },
      },
    });
    check.push(job);
    gate.push(job);
  };
  for (const image of order) if (graph.images.get(image)!.tested) testJob(image, [image], filesOf(graph, [image], workspace.sharedFiles, [graph.images.get(image)!.root]));
  for (const scenario of [...workspace.scenarios].sort((a, b) => a.name.localeCompare(b.name))) testJob(scenario.name, [...scenario.images].sort(), scenarioFiles(scenario));

  const project: YamlMap = {
    [options.pipelines.check]: { jobs: check },
    [options.pipelines.gate]: { jobs: gate },
    [options.pipelines.promote]: { jobs: promote },
  };
  return { jobs, project: { project } };
}

