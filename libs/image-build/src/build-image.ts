/**
 * Builds one image project: plans its parents, assembles and hashes its
 * context, reuses an image with the same input digest or sends the build to
 * the engine, tags only after success, and writes the build record.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ContextEntry, ContextError, assembleImageContext, hashContext, loadContextFilter, packContext } from '@imgmono/build-context';
import { DockerfileSyntaxError, Stage, appendLabels, parseDockerfile, pinParents } from '@imgmono/dockerfile';
import { BuildFailedError, EngineClient, RegistryAuth } from '@imgmono/engine';
import { imageNameProblem } from '@imgmono/graph-check';
import { BuildRecord, LABEL, ParentImage, RECORD_SCHEMA_VERSION, imageLabels, inputDigest as computeInputDigest } from '@imgmono/image-meta';
import { readBuildRecord, lockPath, writeBuildRecord } from '@imgmono/build-records';
import { IMAGE_TEST_FILE, IMAGE_TEST_FOLDER } from '@imgmono/workspace';
import { RegistryClient } from '@imgmono/registry';
import { ROOTFS_FILE } from '@imgmono/workspace';
import { ROOTFS_TAR, canonicalRootfsSpec, parseRootfsSpec, runMmdebstrap, RootfsSpec } from '@imgmono/rootfs';
import { GitError, SourceCheckoutError, SourceSettings, siblingInContext } from '@imgmono/sources';
import { SecretScanner, SecretValue } from '@imgmono/secrets';
import { buildPolicyProblems, secretsCarried } from './build-policy';
import { ImageBuildError } from './errors';
import { formatBytes, formatSeconds, shortId } from './format';
import { WorkspaceGitInfo } from './git-info';
import { planParents } from './image-parents';
import { ProjectLock, lockProject } from './project-lock';
import { ImageSource, UsedSource, prepareSources } from './image-sources';

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
  git: WorkspaceGitInfo;
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
  parentRegistry?: { client: RegistryClient; auth?: RegistryAuth; change?: string };
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

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export async function buildImageProject(request: ImageBuildRequest, deps: ImageBuildDeps): Promise<ImageBuildOutcome> {
  const started = Date.now();
  const now = request.now ?? (() => new Date());
  const log = (line: string) => deps.log(`[${request.project}] ${line}`);
  const fail = (message: string): never => {
    throw new ImageBuildError(request.project, message);
  };
  const notBuilt = async (reason: string, fix: string): Promise<ImageBuildOutcome> => {
    const seconds = (Date.now() - started) / 1000;
    await writeBuildRecord(request.workspaceRoot, {
      schemaVersion: RECORD_SCHEMA_VERSION,
      project: request.project,
      status: 'unavailable',
      tags: [],
      parents: [],
      seconds,
      finishedAt: now().toISOString(),
      runId: request.runId,
      error: reason,
      fix,
    });
    log(`not built: ${reason}`);
    return { status: 'unavailable', reason, fix, seconds };
  };
  const folder = path.join(request.workspaceRoot, request.projectRoot);
  const dockerfileLabel = `${request.projectRoot}/${request.dockerfile}`;
  let lock: ProjectLock | undefined;

  try {
    const nameProblem = imageNameProblem(request.project);
    if (nameProblem !== undefined) fail(`the project name ${nameProblem}: rename the project and its folder (${request.projectFile}) to a valid image name`);
    for (const tag of request.tags) {
      if (!TAG.test(tag)) fail(`tag '${tag}' is not a valid image tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-'): fix the image target's "tags" option`);
    }
    const dockerfileText = await fs.readFile(path.join(folder, request.dockerfile), 'utf8').catch((error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? `${dockerfileLabel} does not exist: every image project needs a Dockerfile (create one, or set the image target's "dockerfile" option)`
          : `${dockerfileLabel} cannot be read: ${error.message}`,
      ),
    );
    if (dockerfileText.trim() === '') fail(`${dockerfileLabel} is empty: it needs at least a FROM instruction`);

    let plan;
    let parsed;
    try {
      parsed = parseDockerfile(dockerfileText);
      plan = planParents({
        dockerfile: parsed,
        dockerfileLabel,
        projectFileLabel: request.projectFile,
        buildArgs: request.buildArgs,
        target: request.target,
        workspaceImages: request.workspaceImages,
        declaredParents: request.declaredParents,
      });
    } catch (error) {
      if (error instanceof DockerfileSyntaxError) fail(`${dockerfileLabel}:${error.line}: ${error.message}`);
      throw error;
    }
    const policy = buildPolicyProblems({
      dockerfile: parsed,
      dockerfileLabel,
      projectFileLabel: request.projectFile,
      buildArgs: request.buildArgs,
      secrets: request.secrets ?? [],
      secretValues: request.secretValues ?? [],
    });
    if (plan.problems.length + policy.length > 0) fail([...plan.problems, ...policy].join('\n'));

    await deps.engine.ping();

    for (const external of plan.externalImages) {
      if ((await deps.engine.inspectImage(external.image)) === undefined) {
        fail(
          `${dockerfileLabel}:${external.line}: image ${external.image} is neither a workspace image nor present in the engine (${deps.engine.host}), and builds never pull: make it a workspace image project or load it into the engine first`,
        );
      }
    }

    const parents: ParentImage[] = [];
    for (const parent of plan.workspaceParents) {
      const record = await readBuildRecord(request.workspaceRoot, parent);
      if (record?.status === 'unavailable' && !request.strictSources) {
        return await notBuilt(`parent ${parent} was not built: ${record.error ?? 'unavailable'}`, record.fix ?? '');
      }
      const builtOk = record !== undefined && (record.status === 'built' || record.status === 'reused') && record.imageId !== undefined;
      const thisRun = builtOk && (request.parentRegistry === undefined || request.runId === undefined || record!.runId === request.runId);
      if (thisRun && (await deps.engine.inspectImage(record!.imageId!)) !== undefined) {
        parents.push({ project: parent, imageId: record!.imageId!, origin: 'this-run', reason: `built in this run (${record!.status})` });
        log(`parent ${parent} pinned to ${record!.imageId} (built in this run)`);
        continue;
      }
      if (request.parentRegistry !== undefined) {
        const pinned = await parentFromRegistry(parent, request.parentRegistry, deps.engine, fail);
        parents.push(pinned);
        log(`parent ${parent} pinned to ${pinned.imageId} from ${pinned.reference} (${pinned.reason})`);
        continue;
      }
      if (record === undefined || record.status === 'failed' || record.imageId === undefined) {
        fail(
          `parent ${parent} has no successful build record${record?.status === 'failed' ? ' (its last build failed)' : ''}: build through Nx so parents come first ('nx run ${request.project}:image'), not with --exclude-task-dependencies, or set IMAGE_REGISTRY to take it from a registry`,
        );
      }
      fail(`parent ${parent} was built as ${shortId(record!.imageId!)}, which the engine no longer holds: run 'nx run ${request.project}:image' to rebuild the chain`);
    }
    const pins = new Map(parents.map((parent) => [parent.project, parent.imageId]));
    const sentDockerfile = pinParents(dockerfileText, plan.allStages, pins);

    const rootfsSpec = await readRootfsSpec(folder, request.projectRoot, fail);
    const generated: Record<string, string> = {};
    if (rootfsSpec !== undefined) generated[ROOTFS_TAR] = canonicalRootfsSpec(rootfsSpec);

    let entries: ContextEntry[];
    let sourcesStep;
    let version: string | undefined;
    try {
      const filter = await loadContextFilter(folder);
      sourcesStep = await prepareSources(request.sources, request.sourceSettings, filter, log);
      if (sourcesStep.kind === 'unavailable') {
        if (request.strictSources) fail(`${sourcesStep.reason}. Provide it: ${sourcesStep.fix} (CI mode: every source must be obtainable; IMAGE_SOURCES_STRICT=false builds what it can)`);
        return await notBuilt(sourcesStep.reason, sourcesStep.fix);
      }
      Object.assign(generated, sourcesStep.digestInputs);
      const primaryName = request.primarySource ?? (request.sources.length === 1 ? request.sources[0].declaration.name : undefined);
      version = sourcesStep.used.find((source) => source.name === primaryName)?.version;
      if (version !== undefined) sourcesStep.labels[LABEL.version] = version;
      entries = await assembleImageContext({
        folder,
        displayFolder: request.projectRoot,
        dockerfile: request.dockerfile,
        dockerfileContent: Buffer.from(sentDockerfile),
        extraEntries: sourcesStep.entries,
        filter,
        // the image's tests check the image; they are not inputs of it
        leaveOut: [IMAGE_TEST_FILE, IMAGE_TEST_FOLDER],
      });
      if (rootfsSpec !== undefined && entries.some((entry) => entry.path === ROOTFS_TAR)) {
        fail(`${request.projectRoot}/${ROOTFS_TAR} is generated from ${ROOTFS_FILE} and must not exist in the folder: delete it`);
      }
    } catch (error) {
      if (error instanceof ContextError || error instanceof SourceCheckoutError || error instanceof GitError) fail(error.message);
      throw error;
    }
    const buildArgs = { ...request.buildArgs, ...sourcesStep.buildArgs };
    const dockerfilePath = request.dockerfile.split(path.sep).join('/');
    const scanner = new SecretScanner(request.secretValues ?? []);
    const context = await hashContext(entries, dockerfilePath, scanner.active ? (file, piece) => scanner.push(file, piece) : undefined);
    if (scanner.found !== undefined) {
      fail(
        `the build context file ${scanner.found.file} (${contextFileOrigin(scanner.found.file, request.projectRoot, sourcesStep.used)}) contains the value of ${scanner.found.secret.name}, which is secret: it would be sent to the engine and could end up in a layer; remove it, or exclude it with .dockerignore`,
      );
    }
    const digest = computeInputDigest({
      project: request.project,
      contextSha256: context.sha256,
      dockerfile: dockerfilePath,
      dockerfileText: sentDockerfile,
      buildArgs,
      target: request.target,
      platform: request.platform,
      parents: Object.fromEntries(pins),
      generated,
    });
    log(`context ${formatBytes(context.bytes)} in ${entries.length} entries, input digest ${digest}`);
    const labels = imageLabels({
      project: request.project,
      inputDigest: digest,
      parents,
      externalBase: plan.externalBase,
      created: now(),
      workspaceSource: request.git.source,
      workspaceRevision: request.git.revision,
      extra: sourcesStep.labels,
    });
    // everything the image keeps: every build argument and every label, the workspace's own included
    const carried = secretsCarried({ ...buildArgs, ...labels }, request.secretValues ?? []);
    if (carried !== undefined) fail(`${carried}: it would be kept in the image and its record; remove it from the workspace, or hand the source over without credentials in its URL`);

    // from here to the record: one run at a time for this project in this workspace
    lock = await lockProject(lockPath(request.workspaceRoot, request.project), { log, signal: request.signal }).catch((error: Error) =>
      fail(`cannot take the build lock of ${request.project}: ${error.message}`),
    );
    const previous = await readBuildRecord(request.workspaceRoot, request.project).catch(() => undefined);
    let reusable: { imageId: string; from: string } | undefined;
    if (request.noCache) {
      log('IMAGE_NO_CACHE: building again from scratch, no reuse, no layer cache');
    } else {
      const local = await findReusable(deps.engine, digest, previous?.inputDigest === digest ? previous.imageId : undefined);
      if (local !== undefined) reusable = { imageId: local, from: 'the engine holds an image built from the same inputs' };
      else if (request.parentRegistry !== undefined) reusable = await reusableFromRegistry(request.project, digest, request.parentRegistry, deps.engine);
    }
    let imageId: string;
    let status: 'built' | 'reused';
    if (reusable !== undefined) {
      imageId = reusable.imageId;
      status = 'reused';
      log(`reusing ${imageId}: ${reusable.from}`);
    } else {
      imageId = await sendBuild({
        request,
        deps,
        log,
        entries,
        rootfsSpec,
        expectedContextSha: rootfsSpec ? undefined : context.sha256,
        labels,
        dockerfileLines: parsed.instructions.map((i) => i.line),
        dockerfileLabel,
        dockerfilePath,
        sentDockerfile,
        builtStages: plan.stages,
        allStages: plan.allStages,
        buildArgs,
        noCache: request.noCache ?? false,
      });
      status = 'built';
    }

    const tags: string[] = [];
    for (const tag of request.tags) {
      await deps.engine.tagImage(imageId, request.project, tag);
      tags.push(`${request.project}:${tag}`);
    }
    const info = await deps.engine.inspectImage(imageId);
    if (info === undefined) fail(`image ${imageId} disappeared from the engine right after the build; is another process pruning images?`);
    const seconds = (Date.now() - started) / 1000;
    const record: BuildRecord = {
      schemaVersion: RECORD_SCHEMA_VERSION,
      project: request.project,
      status,
      imageId,
      tags,
      inputDigest: digest,
      parents,
      size: info!.size,
      seconds,
      finishedAt: now().toISOString(),
      runId: request.runId,
      version,
      sources: sourcesStep.used.map(({ name, origin, dir, url, revision, version }) => ({ name, origin, dir, url, revision, version })),
    };
    await writeBuildRecord(request.workspaceRoot, record);
    log(`${status} ${imageId} ${formatBytes(info!.size)} in ${formatSeconds(seconds)} tags ${tags.join(' ')}`);
    return { status, imageId, tags, size: info!.size, seconds, inputDigest: digest, parents, sources: sourcesStep.used };
  } catch (error) {
    const seconds = (Date.now() - started) / 1000;
    const message = error instanceof Error ? error.message : String(error);
    await writeBuildRecord(request.workspaceRoot, {
      schemaVersion: RECORD_SCHEMA_VERSION,
      project: request.project,
      status: 'failed',
      tags: [],
      parents: [],
      seconds,
      finishedAt: now().toISOString(),
      runId: request.runId,
      error: message,
    }).catch(() => undefined);
    log(`failed after ${formatSeconds(seconds)}; no tag was changed`);
    if (error instanceof ImageBuildError) throw error;
    if (error instanceof BuildFailedError) throw new ImageBuildError(request.project, error.message);
    throw error;
  } finally {
    await lock?.release();
  }
}

/**
 * An image with these inputs in the run's registry, found by its `inputs-<digest>` tag, pulled
 * by digest, and trusted only after the pulled image's own top layer names the same digest.
 */
async function reusableFromRegistry(
  project: string,
  digest: string,
  registry: NonNullable<ImageBuildRequest['parentRegistry']>,
  engine: EngineClient,
): Promise<{ imageId: string; from: string } | undefined> {
  const tag = `inputs-${digest.replace(/^sha256:/, '').slice(0, 12)}`;
  const manifest = await registry.client.getManifest(project, tag).catch(() => undefined);
  if (manifest === undefined) return undefined;
  const reference = `${registry.client.host}/${project}@${manifest.digest}`;
  const imageId = await engine.pullImage(reference, registry.auth).catch(() => undefined);
  if (imageId === undefined) return undefined;
  const info = await engine.inspectImage(imageId);
  if (info?.labels[LABEL.inputDigest] !== digest || !(await engine.topInstruction(imageId))?.includes(`${LABEL.inputDigest}=${digest}`)) return undefined;
  return { imageId, from: `${reference} in the run's registry was built from the same inputs` };
}

/** A parent from the run's registry: the change's speculative image if there is one, else the released one; pulled by digest. */
async function parentFromRegistry(
  parent: string,
  registry: NonNullable<ImageBuildRequest['parentRegistry']>,
  engine: EngineClient,
  fail: (message: string) => never,
): Promise<ParentImage> {
  const tried: string[] = [];
  const candidates: Array<[string, 'registry-change' | 'registry-release', string]> = [];
  if (registry.change !== undefined) candidates.push([`change_${registry.change}`, 'registry-change', `not built in this run; change ${registry.change} has a speculative image`]);
  candidates.push(['latest', 'registry-release', registry.change !== undefined ? `not built in this run; change ${registry.change} has no image of it, so the released one is used` : 'not built in this run; the released image is used']);
  for (const [tag, origin, reason] of candidates) {
    const manifest = await registry.client.getManifest(parent, tag).catch((error: Error) => fail(`cannot look up parent ${parent} in ${registry.client.host}: ${error.message}`));
    if (manifest === undefined) {
      tried.push(`${registry.client.host}/${parent}:${tag}`);
      continue;
    }
    const reference = `${registry.client.host}/${parent}@${manifest.digest}`;
    const imageId = await engine.pullImage(reference, registry.auth).catch((error: Error) => fail(error.message));
    return { project: parent, imageId, origin, reference, reason };
  }
  return fail(`parent ${parent} was not built in this run and the registry has none of ${tried.join(', ')}: build the parent in this run, or push it first`);
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

/**
 * An image the engine holds that was built from exactly these inputs. Labels are inherited,
 * so every descendant of that image (and every intermediate layer of a child's build) carries
 * the same input-digest label: only an image whose own top layer is the LABEL instruction
 * that set the digest is the image itself. The previous record's image is tried first.
 */
async function findReusable(engine: EngineClient, digest: string, recorded: string | undefined): Promise<string | undefined> {
  const isTheImage = async (id: string) => {
    const info = await engine.inspectImage(id);
    if (info?.labels[LABEL.inputDigest] !== digest) return undefined;
    return (await engine.topInstruction(info.id))?.includes(`${LABEL.inputDigest}=${digest}`) ? info.id : undefined;
  };
  // the common case, cheaply: the image the last record names is still there
  if (recorded !== undefined) {
    const confirmed = await isTheImage(recorded);
    if (confirmed !== undefined) return confirmed;
  }
  for (const id of await engine.findImagesByLabel(LABEL.inputDigest, digest)) {
    const confirmed = await isTheImage(id);
    if (confirmed !== undefined) return confirmed;
  }
  return undefined;
}

interface SendBuildArgs {
  request: ImageBuildRequest;
  deps: ImageBuildDeps;
  log: (line: string) => void;
  entries: ContextEntry[];
  rootfsSpec?: RootfsSpec;
  expectedContextSha?: string;
  labels: Record<string, string>;
  dockerfileLines: number[];
  dockerfileLabel: string;
  dockerfilePath: string;
  sentDockerfile: string;
  builtStages: Stage[];
  allStages: Stage[];
  buildArgs: Record<string, string>;
  noCache: boolean;
}

async function sendBuild(args: SendBuildArgs): Promise<string> {
  const { request, deps, log } = args;
  let tempDir: string | undefined;
  try {
    let entries = args.entries;
    if (args.rootfsSpec !== undefined) {
      tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'imgmono-rootfs-'));
      const tarFile = path.join(tempDir, ROOTFS_TAR);
      await runMmdebstrap(args.rootfsSpec, tarFile, (line) => log(`mmdebstrap: ${line}`), request.signal);
      const stat = await fs.stat(tarFile);
      log(`root file system ${formatBytes(stat.size)} made from Debian packages`);
      entries = [...entries, { kind: 'file', path: ROOTFS_TAR, mode: 0o644, size: stat.size, absolutePath: tarFile }];
    }
    // One LABEL instruction at the end of the built stage: one step, instead of one per label.
    const labelled = appendLabels(args.sentDockerfile, args.builtStages, args.allStages, args.labels);
    entries = entries.map((entry) =>
      entry.path === args.dockerfilePath ? { kind: 'content', path: entry.path, mode: 0o644, content: Buffer.from(labelled) } : entry,
    );
    const hash = createHash('sha256');
    const sent = packContext(entries, { hash, hashSkips: args.dockerfilePath });
    const imageId = await deps.engine.build(
      sent,
      {
        dockerfile: request.dockerfile,
        buildArgs: args.buildArgs,
        labels: {},
        networkMode: request.networkMode,
        target: request.target,
        platform: request.platform,
        noCache: args.noCache,
        signal: request.signal,
      },
      (event) => {
        if (event.kind === 'output') log(event.text);
        else if (event.kind === 'error') log(`ERROR: ${event.message}`);
      },
    ).catch((error) => {
      if (error instanceof BuildFailedError && error.step !== undefined) {
        const line = args.dockerfileLines[error.step.number - 1];
        const where = line !== undefined ? `${args.dockerfileLabel}:${line}` : args.dockerfileLabel;
        throw new ImageBuildError(request.project, `build failed at ${where}, Step ${error.step.number}/${error.step.total} (${error.step.instruction}): ${error.engineMessage}`);
      }
      if (error instanceof ContextError) throw new ImageBuildError(request.project, error.message);
      throw error;
    });
    if (args.expectedContextSha !== undefined) {
      const sentSha = hash.digest('hex');
      if (sentSha !== args.expectedContextSha) {
        await deps.engine.removeImage(imageId).catch(() => undefined);
        throw new ImageBuildError(request.project, `files in ${request.projectRoot} changed while the image was being built; the result was discarded: run the build again`);
      }
    }
    return imageId;
  } finally {
    if (tempDir !== undefined) await fs.rm(tempDir, { recursive: true, force: true });
  }
}
