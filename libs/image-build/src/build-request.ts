/**
 * What one image build is asked to do and what it gives back, and the scope
 * every stage of the pipeline (build-image.ts) works in: the request, the
 * engine, the log with the project's prefix, one `fail`, the clock.
 */
import type { EngineClient, RegistryAuth } from '@imgmono/engine';
import type { ParentImage } from '@imgmono/image-meta';
import type { RegistryClient } from '@imgmono/registry';
import type { SecretValue } from '@imgmono/secrets';
import type { SourceSettings } from '@imgmono/sources';
import { ImageBuildError } from './errors';
import type { WorkspaceGitInfo } from './git-info';
import type { ImageSource, UsedSource } from './image-sources';

export interface ImageBuildRequest {
  workspaceRoot: string;
  project: string;
  /** The project's folder relative to the workspace (`images/opendev/python-base`). */
  projectRoot: string;
  /** The project's configuration file, for messages. */
  projectFile: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  target?: string;
  platform?: string;
  networkMode: string;
  /** Tags (the part after `:`) set on the image once it is built or reused. */
  tags: string[];
  /** Names of every image project in the workspace. */
  workspaceImages: ReadonlySet<string>;
  /** The project's implicitDependencies. */
  declaredParents: readonly string[];
  /** The workspace's git facts for the source/revision labels: asked for only when a build is sent (a reused image keeps its labels). */
  git: () => Promise<WorkspaceGitInfo>;
  /** Sources the image installs (its implicitDependencies that are source projects). */
  sources: ImageSource[];
  sourceSettings: SourceSettings;
  /** CI mode: a source that cannot be obtained is an error, not an image left unbuilt. */
  strictSources: boolean;
  /** The source whose version is the image's version; default: the only source, if there is one. */
  primarySource?: string;
  /**
   * The run's registry: a parent not built in this run comes from there, pinned by digest:
   * its change_<N> image (speculative) when one exists, else its released `latest`.
   */
  parentRegistry?: BuildRegistry;
  /** Secrets the image target says the build needs: refused, see build-policy. */
  secrets?: string[];
  /** Values the workspace marks as secret: a build that would carry one (argument, label, context file) is refused. */
  secretValues?: SecretValue[];
  /** Build again from scratch: no reuse by input digest, no layer cache (docker build --no-cache). */
  noCache?: boolean;
  runId?: string;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface BuildRegistry {
  client: RegistryClient;
  auth?: RegistryAuth;
  change?: string;
}

export interface ImageBuildDeps {
  engine: EngineClient;
  log: (line: string) => void;
}

export type ImageBuildOutcome =
  | {
      status: 'built' | 'reused';
      imageId: string;
      tags: string[];
      size: number;
      seconds: number;
      inputDigest: string;
      parents: ParentImage[];
      sources: UsedSource[];
    }
  | { status: 'unavailable'; reason: string; fix: string; seconds: number };

/** An image not built because something it needs (a source, a parent) cannot be had outside CI: a result, not an error. */
export interface NotBuilt {
  kind: 'not-built';
  reason: string;
  fix: string;
}

export interface BuildScope {
  request: ImageBuildRequest;
  engine: EngineClient;
  /** The build's log, each line prefixed `[project]`. */
  log: (line: string) => void;
  /** Ends the build with a user error naming the project. */
  fail: (message: string) => never;
  now: () => Date;
  started: number;
}

export function buildScope(request: ImageBuildRequest, deps: ImageBuildDeps): BuildScope {
  return {
    request,
    engine: deps.engine,
    log: (line) => deps.log(`[${request.project}] ${line}`),
    fail: (message) => {
      throw new ImageBuildError(request.project, message);
    },
    now: request.now ?? (() => new Date()),
    started: Date.now(),
  };
}
