/**
 * A Zuul-style projects file: how a CI job hands over its whole speculative
 * state (the change under test and its Depends-On changes) in one go. The
 * shape is Zuul's `zuul.projects` variable, as JSON:
 *
 *   { "projects": { "opendev.org/openstack/openstacksdk": { "src_dir": "src/opendev.org/openstack/openstacksdk" } } }
 *
 * (the top-level "projects" key may be left out; a plain path may stand for
 * the object). Relative paths are resolved from `work_dir` if given, else from
 * the file's folder. Pure: text in, map out.
 */
import * as path from 'node:path';
import { UserError } from '@imgmono/errors';

export class ProjectsFileError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

/** Canonical project name -> absolute checkout folder. */
export type ZuulProjects = Map<string, string>;

export function parseZuulProjects(text: string, file: string): ZuulProjects {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ProjectsFileError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ProjectsFileError(`${file}: must be a JSON object mapping project names to {"src_dir": ...}`);
  }
  const top = data as Record<string, unknown>;
  const base = typeof top.work_dir === 'string' ? path.resolve(path.dirname(file), top.work_dir) : path.dirname(path.resolve(file));
  const projects = (typeof top.projects === 'object' && top.projects !== null ? top.projects : top) as Record<string, unknown>;
  const out: ZuulProjects = new Map();
  for (const [name, value] of Object.entries(projects)) {
    if (name === 'work_dir' || name === 'projects') continue;
    const dir = typeof value === 'string' ? value : (value as { src_dir?: unknown } | null)?.src_dir;
    if (typeof dir !== 'string' || dir === '') {
      throw new ProjectsFileError(`${file}: project "${name}" has no "src_dir": give the checkout folder of the project`);
    }
    out.set(name, path.resolve(base, dir));
  }
  return out;
}

/** The checkout the projects file gives for a source, by canonical name, then by its last path part. */
export function lookupZuulProject(projects: ZuulProjects, canonicalName: string, shortName: string): string | undefined {
  const exact = projects.get(canonicalName);
  if (exact !== undefined) return exact;
  for (const [name, dir] of projects) {
    if (name.split('/').pop() === shortName) return dir;
  }
  return undefined;
}
