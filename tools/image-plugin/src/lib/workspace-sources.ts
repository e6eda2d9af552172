/**
 * The sources of an image project, from the workspace model (their
 * declarations, parsed once), and where checkouts come from for this run,
 * from the run's settings.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageBuildError, ImageSource } from '@imgmono/image-build';
import { SourceSettings, parseZuulProjects } from '@imgmono/sources';
import type { WorkspaceModel } from '@imgmono/workspace';
import type { RunSettings } from './run-settings';

export function imageSources(model: WorkspaceModel, project: string): ImageSource[] {
  const image = model.images.get(project);
  if (image === undefined) throw new ImageBuildError(project, `${project} is not an image project of this workspace (images/<namespace>/<name> with a Dockerfile)`);
  const out: ImageSource[] = [];
  for (const name of image.sources) {
    const source = model.sources.get(name)!;
    if (source.declaration === undefined) throw new ImageBuildError(project, source.declarationError ?? `source ${name} has no declaration ${source.declarationFile}`);
    out.push({ declaration: source.declaration, required: !image.optionalSources.includes(name) });
  }
  for (const name of image.optionalSources) {
    if (!image.sources.includes(name)) {
      throw new ImageBuildError(project, `optionalSources names ${name}, which is not a source in its implicitDependencies: add it there or drop it from optionalSources`);
    }
  }
  return out;
}

/** Where checkouts come from: IMAGE_SOURCE_<NAME>, IMAGE_SOURCES_PROJECTS, IMAGE_SOURCES_SIBLINGS, IMAGE_SOURCES_CACHE, IMAGE_SOURCES_CLONE. */
export async function sourceSettingsFrom(workspaceRoot: string, settings: RunSettings, project: string): Promise<SourceSettings> {
  let projects: SourceSettings['projects'];
  const projectsFile = settings.sources.projectsFile;
  if (projectsFile !== undefined) {
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
  const cacheHome = settings.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return {
    workspaceRoot,
    env: settings.env,
    projects,
    siblingsRoot: path.resolve(workspaceRoot, settings.sources.siblings ?? '..'),
    cacheFolder: path.resolve(settings.sources.cache ?? path.join(cacheHome, 'imgmono', 'sources')),
    allowClone: settings.sources.clone,
  };
}
