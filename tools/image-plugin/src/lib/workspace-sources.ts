/**
 * The sources of an image project, read from the workspace: its
 * implicitDependencies that are source projects (`sources/<name>/source.json`),
 * and the settings that say where checkouts come from for this run.
 */
import type { ProjectConfiguration } from '@nx/devkit';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageBuildError, ImageSource } from '@imgmono/image-build';
import { SOURCE_FILE, SourceSettings, isSourceRoot, parseSourceDeclaration, parseZuulProjects } from '@imgmono/sources';

export function isSourceProject(config: ProjectConfiguration | undefined): boolean {
  return config !== undefined && isSourceRoot(config.root);
}

export async function readImageSources(
  workspaceRoot: string,
  project: string,
  projects: Record<string, ProjectConfiguration>,
  dependencies: readonly string[],
  optional: readonly string[],
): Promise<ImageSource[]> {
  const out: ImageSource[] = [];
  for (const name of dependencies) {
    const config = projects[name];
    if (!isSourceProject(config)) continue;
    const file = path.posix.join(config.root, SOURCE_FILE);
    const text = await fs.readFile(path.join(workspaceRoot, file), 'utf8').catch(() => {
      throw new ImageBuildError(project, `source ${name} has no declaration ${file}: create it with "url" and "ref", or drop ${name} from implicitDependencies`);
    });
    try {
      out.push({ declaration: parseSourceDeclaration(text, file, path.posix.basename(config.root)), required: !optional.includes(name) });
    } catch (error) {
      throw new ImageBuildError(project, (error as Error).message);
    }
  }
  for (const name of optional) {
    if (!out.some((source) => source.declaration.name === name)) {
      throw new ImageBuildError(project, `optionalSources names ${name}, which is not a source in its implicitDependencies: add it there or drop it from optionalSources`);
    }
  }
  return out;
}

/** Where checkouts come from, from the environment: IMAGE_SOURCE_<NAME>, IMAGE_SOURCES_PROJECTS, IMAGE_SOURCES_SIBLINGS, IMAGE_SOURCES_CACHE, IMAGE_SOURCES_CLONE. */
export async function sourceSettingsFromEnv(workspaceRoot: string, env: NodeJS.ProcessEnv, project: string): Promise<SourceSettings> {
  let projects: SourceSettings['projects'];
  const projectsFile = env.IMAGE_SOURCES_PROJECTS;
  if (projectsFile !== undefined && projectsFile !== '') {
    const file = path.resolve(workspaceRoot, projectsFile);
    const text = await fs.readFile(file, 'utf8').catch((error: Error) => {
      throw new ImageBuildError(project, `IMAGE_SOURCES_PROJECTS=${projectsFile}: cannot read ${file} (${error.message})`);
    });
    try {
      projects = { file, map: parseZuulProjects(text, file) };
    } catch (error) {
      throw new ImageBuildError(project, (error as Error).message);
    }
  }
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return {
    workspaceRoot,
    env,
    projects,
    siblingsRoot: path.resolve(workspaceRoot, env.IMAGE_SOURCES_SIBLINGS || '..'),
    cacheFolder: path.resolve(env.IMAGE_SOURCES_CACHE || path.join(cacheHome, 'imgmono', 'sources')),
    allowClone: env.IMAGE_SOURCES_CLONE !== 'false',
  };
}
