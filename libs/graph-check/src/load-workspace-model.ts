/**
 * Reads the workspace model from disk: the files of the given projects and
 * the namespace rules. The only I/O of the graph check.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SOURCE_FILE, isSourceRoot, parseSourceDeclaration } from '@imgmono/sources';
import { NAMESPACES_FILE } from './namespace-rules';
import { ImageProjectModel, SourceProjectModel, WorkspaceModel } from './workspace-model';

export interface ProjectLocation {
  name: string;
  root: string;
  implicitDependencies?: string[];
  optionalSources?: string[];
}

/** Reads a file of the workspace; undefined when it does not exist. Disk by default; a generator passes Nx's tree. */
export type FileReader = (absolutePath: string) => Promise<string | undefined>;

const fromDisk: FileReader = (file) => fs.readFile(file, 'utf8').catch(() => undefined);

export async function loadWorkspaceModel(workspaceRoot: string, projects: readonly ProjectLocation[], read: FileReader = fromDisk): Promise<WorkspaceModel> {
  const model: WorkspaceModel = {
    images: new Map(),
    sources: new Map(),
    otherProjects: new Set(),
    namespacesFile: NAMESPACES_FILE,
    namespacesText: await read(path.join(workspaceRoot, NAMESPACES_FILE)),
  };
  await Promise.all(
    projects.map(async (project) => {
      if (project.root.startsWith('images/')) {
        const projectFile = `${project.root}/project.json`;
        const projectText = (await read(path.join(workspaceRoot, projectFile))) ?? '{}';
        let json: { implicitDependencies?: string[]; targets?: { image?: { options?: { optionalSources?: string[] } } } } = {};
        try {
          json = JSON.parse(projectText);
        } catch {
          // the project.json is Nx's to reject; the names from Nx are used below
        }
        const image: ImageProjectModel = {
          name: project.name,
          root: project.root,
          projectFile,
          projectText,
          implicitDependencies: project.implicitDependencies ?? json.implicitDependencies ?? [],
          optionalSources: project.optionalSources ?? json.targets?.image?.options?.optionalSources ?? [],
          dockerfile: 'Dockerfile',
          dockerfileText: await read(path.join(workspaceRoot, project.root, 'Dockerfile')),
        };
        model.images.set(project.name, image);
      } else if (isSourceRoot(project.root)) {
        const declarationFile = `${project.root}/${SOURCE_FILE}`;
        const source: SourceProjectModel = { name: project.name, root: project.root, declarationFile };
        const text = await read(path.join(workspaceRoot, declarationFile));
        try {
          if (text === undefined) throw new Error(`${declarationFile} is missing`);
          source.zuulProject = parseSourceDeclaration(text, declarationFile, path.posix.basename(project.root)).zuulProject;
        } catch (error) {
          source.declarationError = (error as Error).message;
        }
        model.sources.set(project.name, source);
      } else {
        model.otherProjects.add(project.name);
      }
    }),
  );
  return model;
}

/** Projects found on disk without Nx (for tests and scripts): image and other project.json files, and source.json files. */
export async function discoverProjects(workspaceRoot: string): Promise<ProjectLocation[]> {
  const found: ProjectLocation[] = [];
  const walk = async (relative: string, depth: number): Promise<void> => {
    const names = await fs.readdir(path.join(workspaceRoot, relative), { withFileTypes: true }).catch(() => []);
    for (const entry of names) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (['node_modules', 'dist', '.git', '.nx', 'tmp'].includes(entry.name) || depth > 6) continue;
        await walk(child, depth + 1);
      } else if (entry.name === 'project.json' && relative !== '') {
        const json = JSON.parse((await fromDisk(path.join(workspaceRoot, child))) ?? '{}') as { name?: string; implicitDependencies?: string[] };
        if (json.name) found.push({ name: json.name, root: relative, implicitDependencies: json.implicitDependencies });
      } else if (entry.name === SOURCE_FILE && isSourceRoot(relative)) {
        found.push({ name: path.posix.basename(relative), root: relative });
      }
    }
  };
  await walk('', 0);
  return found;
}
