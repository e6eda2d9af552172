/**
 * Where a source comes from for this build, tried in order:
 *   1. an explicit checkout for this run: IMAGE_SOURCE_<NAME>, then the Zuul projects file;
 *   2. a sibling checkout: <siblings>/<name> (default: the folder next to the workspace);
 *   3. a clone of the declared URL at the pinned ref, into a cache outside the repository;
 * and otherwise a clear error naming the places tried and how to provide it.
 */
import * as path from 'node:path';
import { cloneAtRef, whyNotCheckout } from './git-checkout';
import { SourceDeclaration, sourceEnvVariable } from '@imgmono/workspace';
import { ZuulProjects, lookupZuulProject } from './zuul-projects';
import { UserError } from '@imgmono/errors';

export type SourceOrigin = 'explicit' | 'projects-file' | 'sibling' | 'clone';

export interface ResolvedSource {
  name: string;
  origin: SourceOrigin;
  dir: string;
  /** How the origin is printed: `IMAGE_SOURCE_NODEPOOL=/src/nodepool`, `sibling ../nodepool`, ... */
  description: string;
}

export interface SourceSettings {
  workspaceRoot: string;
  env: Record<string, string | undefined>;
  /** Parsed Zuul projects file and its path, when one was handed over. */
  projects?: { file: string; map: ZuulProjects };
  /** Folder holding sibling checkouts; default: the workspace's parent folder. */
  siblingsRoot: string;
  cacheFolder: string;
  /** False to never clone (tests of the other branches, air-gapped runs). */
  allowClone: boolean;
}

export class SourceUnavailableError extends UserError {
  /** What was tried, without the fix. */
  readonly reason: string;
  constructor(
    readonly source: string,
    readonly attempts: string[],
    readonly fix: string,
  ) {
    const reason = `source ${source} could not be obtained; tried: ${attempts.join('; ')}`;
    super(`${reason}. Provide it: ${fix}`);
    this.reason = reason;
  }
}

/** A checkout handed over explicitly that is not usable: an error, never a silent fallback. */
export class SourceCheckoutError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export function siblingPath(settings: SourceSettings, name: string): string {
  return path.join(settings.siblingsRoot, name);
}

export function provideCommand(settings: SourceSettings, source: SourceDeclaration): string {
  const sibling = path.relative(settings.workspaceRoot, siblingPath(settings, source.name)) || '.';
  return `git clone ${source.url} ${sibling} (or set ${sourceEnvVariable(source.name)}=/path/to/checkout)`;
}

export async function resolveSource(source: SourceDeclaration, settings: SourceSettings, log: (line: string) => void = () => undefined): Promise<ResolvedSource> {
  const attempts: string[] = [];
  const variable = sourceEnvVariable(source.name);
  const explicit = settings.env[variable];
  if (explicit !== undefined && explicit !== '') {
    const dir = path.resolve(settings.workspaceRoot, explicit);
    const why = await whyNotCheckout(dir);
    if (why !== undefined) throw new SourceCheckoutError(`${variable}=${explicit} names the checkout of ${source.name}, but ${dir} ${why}: fix the path or unset ${variable}`);
    return { name: source.name, origin: 'explicit', dir, description: `${variable}=${dir}` };
  }
  attempts.push(`${variable} (not set)`);

  if (settings.projects !== undefined) {
    const dir = lookupZuulProject(settings.projects.map, source.zuulProject, source.name);
    if (dir !== undefined) {
      const why = await whyNotCheckout(dir);
      if (why !== undefined) throw new SourceCheckoutError(`${settings.projects.file} gives ${dir} for ${source.zuulProject}, but it ${why}: fix its src_dir`);
      return { name: source.name, origin: 'projects-file', dir, description: `projects file ${settings.projects.file}: ${dir}` };
    }
    attempts.push(`projects file ${settings.projects.file} (no ${source.zuulProject})`);
  } else {
    attempts.push('projects file (IMAGE_SOURCES_PROJECTS not set)');
  }

  const sibling = siblingPath(settings, source.name);
  const whySibling = await whyNotCheckout(sibling);
  if (whySibling === undefined) return { name: source.name, origin: 'sibling', dir: sibling, description: `sibling checkout ${sibling}` };
  attempts.push(`sibling ${sibling} (${whySibling})`);

  if (settings.allowClone) {
    try {
      log(`${source.name}: cloning ${source.url} at ${source.ref} into ${settings.cacheFolder}`);
      const dir = await cloneAtRef(source.url, source.ref, settings.cacheFolder, source.name);
      return { name: source.name, origin: 'clone', dir, description: `clone of ${source.url} at ${source.ref} in ${dir}` };
    } catch (error) {
      attempts.push(`clone of ${source.url} at ${source.ref} (${(error as Error).message})`);
    }
  } else {
    attempts.push('clone (disabled)');
  }
  throw new SourceUnavailableError(source.name, attempts, provideCommand(settings, source));
}
