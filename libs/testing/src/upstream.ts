/**
 * Upstream source trees, as a Zuul job hands them over: git bundles of
 * nodepool, openstacksdk, diskimage-builder and zuul-jobs (each one commit,
 * tagged with its release) cloned into a test's own `src/<canonical name>`
 * folders. They are found in IMGMONO_UPSTREAM (a folder of bundles) or in
 * `../shared/upstream` beside the repository. Without them a test skips with
 * the reason, except in CI (CI=true), where their absence fails the test.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './test-workspace';

export interface Upstream {
  /** Zuul's canonical project name: the checkout's place under `src/`. */
  project: string;
  bundle: string;
  /** The release the bundle's one commit is tagged with. */
  release: string;
}

export const UPSTREAM = {
  nodepool: { project: 'opendev.org/zuul/nodepool', bundle: 'nodepool-10.0.0.bundle', release: '10.0.0' },
  openstacksdk: { project: 'opendev.org/openstack/openstacksdk', bundle: 'openstacksdk-0.103.0.bundle', release: '0.103.0' },
  'diskimage-builder': { project: 'opendev.org/openstack/diskimage-builder', bundle: 'diskimage-builder-3.27.0.bundle', release: '3.27.0' },
  'zuul-jobs': { project: 'opendev.org/zuul/zuul-jobs', bundle: 'zuul-jobs.bundle', release: '' },
} satisfies Record<string, Upstream>;

export type UpstreamName = keyof typeof UPSTREAM;

export function upstreamFolder(): string {
  return process.env.IMGMONO_UPSTREAM ?? path.resolve(REPO_ROOT, '../shared/upstream');
}

/** Undefined when every named bundle is there; else why not. Throws in CI, where skipping would hide a missing input. */
export function upstreamMissing(names: UpstreamName[]): string | undefined {
  const folder = upstreamFolder();
  const missing = names.filter((name) => !existsSync(path.join(folder, UPSTREAM[name].bundle)));
  if (missing.length === 0) return undefined;
  const reason = `upstream bundles ${missing.map((name) => UPSTREAM[name].bundle).join(', ')} not found in ${folder} (set IMGMONO_UPSTREAM to their folder)`;
  if (process.env.CI === 'true') throw new Error(`${reason}: CI must run this test`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

/** Clones the bundle to `<srcRoot>/<canonical name>` (as Zuul lays out a job's checkouts); returns the checkout. */
export async function cloneUpstream(name: UpstreamName, srcRoot: string): Promise<string> {
  const target = path.join(srcRoot, UPSTREAM[name].project);
  await fs.mkdir(path.dirname(target), { recursive: true });
  execFileSync('git', ['clone', '-q', path.join(upstreamFolder(), UPSTREAM[name].bundle), target]);
  execFileSync('git', ['-C', target, 'config', 'user.email', 'test@example.invalid']);
  execFileSync('git', ['-C', target, 'config', 'user.name', 'Test']);
  return target;
}

/** A Zuul-style projects file handing over the given checkouts (src_dir relative to its folder). */
export async function writeProjectsFile(file: string, checkouts: Record<string, string>): Promise<void> {
  const projects = Object.fromEntries(Object.entries(checkouts).map(([project, dir]) => [project, { src_dir: path.relative(path.dirname(file), dir) }]));
  await fs.writeFile(file, JSON.stringify({ projects }, null, 2));
}
