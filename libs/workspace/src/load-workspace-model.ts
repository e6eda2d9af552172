/**
 * Builds the workspace model from the projects Nx knows (or a generator's
 * tree lists) and the files they hold, read through an injected reader: the
 * disk for executors, the tree for generators. Pure but for that reader.
 */
import { parseScenario, scenarioFileFolders, scenarioImages } from '@imgmono/image-test-spec';
import { parseSourceDeclaration } from './source-declaration';
import { DOCKERFILE, IMAGE_TEST_FILE, NAMESPACES_FILE, PROJECT_FILE, ROOTFS_FILE, SCENARIO_FILE, SOURCE_FILE, projectKind } from './workspace-files';
import { ImageProjectModel, ImageTargetOptions, WorkspaceModel } from './workspace-model';

export interface ProjectLocation {
  name: string;
  root: string;
  implicitDependencies?: string[];
  /** The image target's options as Nx resolved them (project.json's and the plugin's); else project.json's are read. */
  imageOptions?: ImageTargetOptions;
}

/** Reads a file of the workspace by its path relative to the workspace; undefined when it does not exist. */
export type WorkspaceFileReader = (relativePath: string) => Promise<string | undefined>;

export async function loadWorkspaceModel(projects: readonly ProjectLocation[], read: WorkspaceFileReader): Promise<WorkspaceModel> {
  const model: WorkspaceModel = {
    images: new Map(),
    sources: new Map(),
    scenarios: new Map(),
    otherProjects: new Set(),
    namespacesFile: NAMESPACES_FILE,
    namespacesText: await read(NAMESPACES_FILE),
  };
  await Promise.all(
    projects.map(async (project) => {
      const kind = projectKind(project.root);
      if (kind === 'image') {
        const projectFile = `${project.root}/${PROJECT_FILE}`;
        const projectText = (await read(projectFile)) ?? '{}';
        let json: { implicitDependencies?: string[]; targets?: { image?: { options?: ImageTargetOptions } } } = {};
        try {
          json = JSON.parse(projectText);
        } catch {
          // the project.json is Nx's to reject; the names from Nx are used below
        }
        const options = project.imageOptions ?? json.targets?.image?.options ?? {};
        const dockerfile = options.dockerfile ?? DOCKERFILE;
        const [dockerfileText, imageTest, rootfs] = await Promise.all([
          read(`${project.root}/${dockerfile}`),
          read(`${project.root}/${IMAGE_TEST_FILE}`),
          read(`${project.root}/${ROOTFS_FILE}`),
        ]);
        const image: ImageProjectModel = {
          name: project.name,
          root: project.root,
          projectFile,
          projectText,
          implicitDependencies: (project.implicitDependencies ?? json.implicitDependencies ?? []).filter((dep) => !dep.startsWith('!')),
          parents: [],
          sources: [],
          optionalSources: options.optionalSources ?? [],
          options,
          dockerfile,
          dockerfileText,
          tested: imageTest !== undefined,
          rootfs: rootfs !== undefined,
        };
        model.images.set(project.name, image);
      } else if (kind === 'source') {
        const declarationFile = `${project.root}/${SOURCE_FILE}`;
        const text = await read(declarationFile);
        const folder = project.root.split('/').pop()!;
        try {
          if (text === undefined) throw new Error(`${declarationFile} is missing`);
          const declaration = parseSourceDeclaration(text, declarationFile, folder);
          model.sources.set(project.name, { name: project.name, root: project.root, declarationFile, declaration, zuulProject: declaration.zuulProject });
        } catch (error) {
          model.sources.set(project.name, { name: project.name, root: project.root, declarationFile, declarationError: (error as Error).message });
        }
      } else if (kind === 'scenario') {
        const file = `${project.root}/${SCENARIO_FILE}`;
        const text = await read(file);
        try {
          if (text === undefined) throw new Error(`${file} is missing`);
          const scenario = parseScenario(text, file);
          model.scenarios.set(project.name, { name: project.name, root: project.root, file, images: scenarioImages(scenario), fileFolders: scenarioFileFolders(scenario, project.root) });
        } catch (error) {
          model.scenarios.set(project.name, { name: project.name, root: project.root, file, images: [], fileFolders: [], error: (error as Error).message });
        }
      } else {
        model.otherProjects.add(project.name);
      }
    }),
  );
  // what an image builds on and installs, now that every project's kind is known
  for (const image of model.images.values()) {
    image.parents = image.implicitDependencies.filter((dep) => model.images.has(dep));
    image.sources = image.implicitDependencies.filter((dep) => model.sources.has(dep));
  }
  return model;
}
