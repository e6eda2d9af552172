/**
 * The sources step of an image build: resolve every source the image
 * installs, describe each checkout, and turn them into context entries,
 * build arguments, digest inputs and labels.
 */
import { ContextEntry, ContextError, ContextFilter, loadContextFilter } from '@imgmono/build-context';
import { sourceLabel } from '@imgmono/image-meta';
import { withoutUrlUserInfo } from '@imgmono/secrets';
import {
  GitError,
  ResolvedSource,
  SOURCES_IN_CONTEXT,
  SourceCheckoutError,
  SourceSettings,
  SourceUnavailableError,
  SourceVersion,
  describeCheckout,
  resolveSource,
  sourceContextEntries,
} from '@imgmono/sources';
import { SourceDeclaration } from '@imgmono/workspace';
import type { BuildScope, NotBuilt } from './build-request';
import type { PlannedBuild } from './stage-plan';
import { byCodePoint } from './code-point-order';

export interface ImageSource {
  declaration: SourceDeclaration;
  /** Required sources must be obtained; optional ones fall back to the released package in the image. */
  required: boolean;
}

export interface UsedSource {
  name: string;
  /** Canonical project name: the checkout's place under .zuul-siblings/. */
  zuulProject: string;
  origin: ResolvedSource['origin'];
  dir: string;
  url: string;
  revision: string;
  version: string;
  describe: string;
}

export type PreparedSources = Omit<Extract<SourcesStep, { kind: 'ready' }>, 'kind'> & { kind: 'prepared'; filter: ContextFilter };

export type SourcesStep =
  | { kind: 'ready'; used: UsedSource[]; entries: ContextEntry[]; buildArgs: Record<string, string>; digestInputs: Record<string, string>; labels: Record<string, string> }
  | { kind: 'unavailable'; reason: string; fix: string };

/**
 * Build arguments every image with sources gets: ZUUL_SIBLINGS, the canonical names of the
 * checkouts under .zuul-siblings/, exactly as zuul-jobs' build-docker-image role passes it; and
 * SOURCE_VERSIONS (`<canonical name>=<version> ...`), since .git is never sent (under Zuul's role
 * .git is copied, and pbr reads the version from it).
 */
export const SOURCES_BUILD_ARG = 'ZUUL_SIBLINGS';
export const VERSIONS_BUILD_ARG = 'SOURCE_VERSIONS';

export function sourceLabels(used: readonly UsedSource[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const source of used) {
    labels[sourceLabel(source.name, 'url')] = source.url;
    labels[sourceLabel(source.name, 'revision')] = source.revision;
    labels[sourceLabel(source.name, 'version')] = source.version;
  }
  return labels;
}

/** Stage 3, sources: the checkouts the image installs, filtered by the image's .dockerignore; or why the image cannot be built outside CI. */
export async function sourcesStage({ request, log, fail }: BuildScope, planned: PlannedBuild): Promise<PreparedSources | NotBuilt> {
  const filter = await loadContextFilter(planned.folder).catch((error: Error) => fail(error.message));
  let step: SourcesStep;
  try {
    step = await prepareSources(request.sources, request.sourceSettings, filter, log);
  } catch (error) {
    if (error instanceof ContextError || error instanceof SourceCheckoutError || error instanceof GitError) fail(error.message);
    throw error;
  }
  if (step.kind === 'unavailable') {
    if (request.strictSources) fail(`${step.reason}. Provide it: ${step.fix} (CI mode: every source must be obtainable; IMAGE_SOURCES_STRICT=false builds what it can)`);
    return { kind: 'not-built', reason: step.reason, fix: step.fix };
  }
  return { ...step, kind: 'prepared', filter };
}

export async function prepareSources(
  sources: readonly ImageSource[],
  settings: SourceSettings,
  filter: ContextFilter,
  log: (line: string) => void,
): Promise<SourcesStep> {
  if (sources.length === 0) return { kind: 'ready', used: [], entries: [], buildArgs: {}, digestInputs: {}, labels: {} };
  const used: UsedSource[] = [];
  const entries: ContextEntry[] = [{ kind: 'directory', path: SOURCES_IN_CONTEXT, mode: 0o755 }];
  const folders = new Set<string>([SOURCES_IN_CONTEXT]);
  for (const source of [...sources].sort((a, b) => byCodePoint(a.declaration.name, b.declaration.name))) {
    let resolved: ResolvedSource;
    try {
      resolved = await resolveSource(source.declaration, settings, log);
    } catch (error) {
      if (!(error instanceof SourceUnavailableError)) throw error;
      if (source.required) return { kind: 'unavailable', reason: error.reason, fix: error.fix };
      const fallback = source.declaration.debianPackage ? `Debian's ${source.declaration.debianPackage}` : 'the released package';
      log(`source ${source.declaration.name}: none handed over or found (${error.attempts.join('; ')}); the image uses ${fallback}`);
      continue;
    }
    // the version and the files at once: separate git processes
    const [version, sourceEntries]: [SourceVersion, ContextEntry[]] = await Promise.all([
      describeCheckout(resolved.dir),
      sourceContextEntries(resolved.name, source.declaration.zuulProject, resolved.dir, filter),
    ]);
    log(`source ${resolved.name}: ${resolved.description}, version ${version.version} (${version.revision.slice(0, 12)})`);
    used.push({
      name: resolved.name,
      zuulProject: source.declaration.zuulProject,
      origin: resolved.origin,
      dir: resolved.dir,
      url: withoutUrlUserInfo(source.declaration.url),
      revision: version.revision,
      version: version.version,
      describe: version.describe,
    });
    for (const entry of sourceEntries) {
      // checkouts under one host share its folder (.zuul-siblings/opendev.org): one entry for it
      if (entry.kind === 'directory') {
        if (folders.has(entry.path)) continue;
        folders.add(entry.path);
      }
      entries.push(entry);
    }
  }
  return {
    kind: 'ready',
    used,
    entries,
    buildArgs: {
      [SOURCES_BUILD_ARG]: used.map((source) => source.zuulProject).join(' '),
      [VERSIONS_BUILD_ARG]: used.map((source) => `${source.zuulProject}=${source.version}`).join(' '),
    },
    digestInputs: Object.fromEntries(used.map((source) => [`source:${source.name}`, `${source.url} ${source.revision} ${source.version}`])),
    labels: sourceLabels(used),
  };
}
