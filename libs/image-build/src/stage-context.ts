/**
 * Stage 4, context and digest: the image's folder (filtered by its
 * .dockerignore, the Dockerfile as sent), the sources' checkouts and, for a
 * root image, its root file system spec, hashed as they would be sent; the
 * input digest of everything the build consumes; the labels the image will
 * carry. Nothing secret may be in any of it: a context file holding a marked
 * value, or a label or build argument carrying one, is refused here.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ContextEntry, ContextError, FileHashCache, assembleImageContext, digestContext } from '@imgmono/build-context';
import { fileHashCachePath } from '@imgmono/build-records';
import { LABEL, LabelInput, imageLabels, inputDigest } from '@imgmono/image-meta';
import { ROOTFS_TAR, RootfsSpec, canonicalRootfsSpec, parseRootfsSpec } from '@imgmono/rootfs';
import { SecretScanner } from '@imgmono/secrets';
import { siblingInContext } from '@imgmono/sources';
import { IMAGE_TEST_FILE, IMAGE_TEST_FOLDER, ROOTFS_FILE } from '@imgmono/workspace';
import { secretsCarried } from './build-policy';
import type { BuildScope } from './build-request';
import { formatBytes } from './format';
import type { PreparedSources, UsedSource } from './image-sources';
import type { PinnedParents } from './stage-parents';
import type { PlannedBuild } from './stage-plan';

export interface AssembledContext {
  entries: ContextEntry[];
  /** A root image's file system, made at build time (mmdebstrap). */
  rootfsSpec?: RootfsSpec;
  /** Digest of the context as it will be sent (a root image's generated tar aside): each entry's tar header and its content's SHA-256. */
  contextSha256: string;
  inputDigest: string;
  buildArgs: Record<string, string>;
  /** What the image's labels are made of, but the workspace's git facts (read only when a build is sent: see labelsForBuild). */
  labelInput: LabelInput;
  /** The image's version: its primary source's. */
  version?: string;
  /** Content hashes of the context's files as digested, for their listed identities (see packContext's `knownContent`). */
  knownContent: (entry: Extract<ContextEntry, { kind: 'file' }>) => Buffer | undefined;
}

/** The image's file hash cache (an empty one when it cannot be read: it never fails). */
export function loadFileHashCache({ request }: BuildScope): Promise<FileHashCache> {
  return FileHashCache.load(fileHashCachePath(request.workspaceRoot, request.project));
}

export async function contextStage(scope: BuildScope, planned: PlannedBuild, parents: PinnedParents, sources: PreparedSources, hashCache: Promise<FileHashCache>): Promise<AssembledContext> {
  const { request, log, fail, now } = scope;
  const rootfsSpec = await readRootfsSpec(planned.folder, request.projectRoot, fail);
  const generated: Record<string, string> = { ...sources.digestInputs };
  if (rootfsSpec !== undefined) generated[ROOTFS_TAR] = canonicalRootfsSpec(rootfsSpec);
  const primaryName = request.primarySource ?? (request.sources.length === 1 ? request.sources[0].declaration.name : undefined);
  const version = sources.used.find((source) => source.name === primaryName)?.version;
  let entries: ContextEntry[];
  try {
    entries = await assembleImageContext({
      folder: planned.folder,
      displayFolder: request.projectRoot,
      dockerfile: request.dockerfile,
      dockerfileContent: Buffer.from(parents.sentDockerfile),
      extraEntries: sources.entries,
      filter: sources.filter,
      // the image's tests check the image; they are not inputs of it
      leaveOut: [IMAGE_TEST_FILE, IMAGE_TEST_FOLDER],
    });
  } catch (error) {
    if (error instanceof ContextError) fail(error.message);
    throw error;
  }
  if (rootfsSpec !== undefined && entries.some((entry) => entry.path === ROOTFS_TAR)) {
    fail(`${request.projectRoot}/${ROOTFS_TAR} is generated from ${ROOTFS_FILE} and must not exist in the folder: delete it`);
  }
  const buildArgs = { ...request.buildArgs, ...sources.buildArgs };
  const scanner = new SecretScanner(request.secretValues ?? []);
  // files the cache knows are not read, unless the context must be scanned for secret values
  const cache = await hashCache;
  const context = await digestContext(entries, { skips: planned.dockerfilePath, onFileData: scanner.active ? (file, piece) => scanner.push(file, piece) : undefined, cache });
  // a cache that cannot be written costs the next run time, not correctness
  await cache.save().catch(() => undefined);
  if (scanner.found !== undefined) {
    fail(
      `the build context file ${scanner.found.file} (${contextFileOrigin(scanner.found.file, request.projectRoot, sources.used)}) contains the value of ${scanner.found.secret.name}, which is secret: it would be sent to the engine and could end up in a layer; remove it, or exclude it with .dockerignore`,
    );
  }
  const digest = inputDigest({
    project: request.project,
    contextSha256: context.sha256,
    dockerfile: planned.dockerfilePath,
    dockerfileText: parents.sentDockerfile,
    buildArgs,
    target: request.target,
    platform: request.platform,
    parents: Object.fromEntries(parents.pins),
    generated,
  });
  log(`context ${formatBytes(context.bytes)} in ${entries.length} entries (${context.filesRead} files read, the rest known by the file hash cache), input digest ${digest}`);
  const labelInput: LabelInput = {
    project: request.project,
    inputDigest: digest,
    parents: parents.parents,
    externalBase: planned.parents.externalBase,
    created: now(),
    extra: version !== undefined ? { ...sources.labels, [LABEL.version]: version } : sources.labels,
  };
  // everything the image keeps: every build argument and every label (the workspace's git labels are checked when they are read)
  refuseCarriedSecrets({ ...buildArgs, ...imageLabels(labelInput) }, scope);
  return { entries, rootfsSpec, contextSha256: context.sha256, inputDigest: digest, buildArgs, labelInput, version, knownContent: (entry) => cache.peek(entry) };
}

/** The labels of an image about to be built: the workspace's source and revision read now, from git, once per process. */
export async function labelsForBuild(scope: BuildScope, context: AssembledContext): Promise<Record<string, string>> {
  const git = await scope.request.git();
  const labels = imageLabels({ ...context.labelInput, workspaceSource: git.source, workspaceRevision: git.revision });
  // the other labels were checked with the context; only git's two are new here
  const fromGit = Object.fromEntries([LABEL.source, LABEL.revision].filter((key) => key in labels).map((key) => [key, labels[key]]));
  refuseCarriedSecrets(fromGit, scope);
  return labels;
}

function refuseCarriedSecrets(values: Record<string, string>, { request, fail }: BuildScope): void {
  const carried = secretsCarried(values, request.secretValues ?? []);
  if (carried !== undefined) fail(`${carried}: it would be kept in the image and its record; remove it from the workspace, or hand the source over without credentials in its URL`);
}

/** Where a context path comes from, for messages: a source checkout or the image folder. */
function contextFileOrigin(file: string, projectRoot: string, sources: readonly UsedSource[]): string {
  const source = sources.find((used) => file.startsWith(`${siblingInContext(used.zuulProject)}/`));
  return source !== undefined ? `from the checkout of source ${source.name}` : `${projectRoot}/${file}`;
}

async function readRootfsSpec(folder: string, projectRoot: string, fail: (m: string) => never): Promise<RootfsSpec | undefined> {
  const file = path.join(folder, ROOTFS_FILE);
  const text = await fs.readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    return fail(`${projectRoot}/${ROOTFS_FILE} cannot be read: ${error.message}`);
  });
  if (text === undefined) return undefined;
  try {
    return parseRootfsSpec(text, `${projectRoot}/${ROOTFS_FILE}`);
  } catch (error) {
    return fail((error as Error).message);
  }
}
