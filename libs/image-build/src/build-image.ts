/**
 * Builds one image project, as a pipeline of stages, each in a file of its
 * own with a typed input and output:
 *
 *   plan -> parents -> sources -> context and digest -> reuse -> build -> tag -> record
 *
 * stage-plan.ts reads and checks the project's files; stage-parents.ts pins
 * each parent by image id; image-sources.ts brings the sources' checkouts;
 * stage-context.ts assembles and hashes the context and computes the input
 * digest and labels; stage-reuse.ts finds an image built from the same
 * inputs; stage-build.ts sends the build; stage-record.ts tags and records.
 * Nothing is tagged before the build succeeded; one run at a time builds a
 * project (the lock, from the digest to the record); every outcome is
 * recorded.
 */
import { readBuildRecord } from '@imgmono/build-records';
import { BuildFailedError } from '@imgmono/engine';
import { BuildScope, ImageBuildDeps, ImageBuildOutcome, ImageBuildRequest, NotBuilt, buildScope } from './build-request';
import { ImageBuildError } from './errors';
import { formatBytes, formatSeconds } from './format';
import { sourcesStage } from './image-sources';
import { ProjectLock, lockProject, projectLockPath } from './project-lock';
import { buildStage } from './stage-build';
import { contextStage, loadFileHashCache } from './stage-context';
import { parentsStage } from './stage-parents';
import { planStage } from './stage-plan';
import { recordStage, tagStage } from './stage-record';
import { reuseStage } from './stage-reuse';

export type { ImageBuildDeps, ImageBuildOutcome, ImageBuildRequest } from './build-request';

export async function buildImageProject(request: ImageBuildRequest, deps: ImageBuildDeps): Promise<ImageBuildOutcome> {
  const scope = buildScope(request, deps);
  let lock: ProjectLock | undefined;
  try {
    const planned = await planStage(scope);
    // read while the engine and git are asked what the next stages need
    const hashCache = loadFileHashCache(scope);
    const parents = await parentsStage(scope, planned);
    if (parents.kind === 'not-built') return await notBuilt(scope, parents);
    const sources = await sourcesStage(scope, planned);
    if (sources.kind === 'not-built') return await notBuilt(scope, sources);
    const context = await contextStage(scope, planned, parents, sources, hashCache);

    // from here to the record: one run at a time for this image name on this engine, whatever the workspace
    lock = await lockProject(projectLockPath(deps.engine.endpoint, request.project), { log: scope.log, signal: request.signal }).catch((error: Error) =>
      scope.fail(`cannot take the build lock of ${request.project}: ${error.message}`),
    );
    const previous = await readBuildRecord(request.workspaceRoot, request.project).catch(() => undefined);
    const reusable = await reuseStage(scope, context.inputDigest, previous?.inputDigest === context.inputDigest ? previous.imageId : undefined);
    if (reusable !== undefined) scope.log(`reusing ${reusable.imageId}: ${reusable.from}`);
    const imageId = reusable?.imageId ?? (await buildStage(scope, planned, parents, context));
    const status = reusable !== undefined ? 'reused' : 'built';

    const { tags, changed } = await tagStage(scope, imageId, reusable?.info.repoTags);
    // a reused image that already carried every tag was inspected a moment ago, under the lock
    const info = changed === 0 && reusable !== undefined ? reusable.info : await deps.engine.inspectImage(imageId);
    if (info === undefined) scope.fail(`image ${imageId} disappeared from the engine right after the build; is another process pruning images?`);
    const record = await recordStage(scope, { status, imageId, tags, inputDigest: context.inputDigest, parents: parents.parents, size: info!.size, version: context.version, sources: sources.used });
    scope.log(`${status} ${imageId} ${formatBytes(info!.size)} in ${formatSeconds(record.seconds)} tags ${tags.join(' ')}`);
    return { status, imageId, tags, size: info!.size, seconds: record.seconds, inputDigest: context.inputDigest, parents: parents.parents, sources: sources.used };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const record = await recordStage(scope, { status: 'failed', error: message }).catch(() => undefined);
    scope.log(`failed after ${formatSeconds(record?.seconds ?? (Date.now() - scope.started) / 1000)}; no tag was changed`);
    if (error instanceof ImageBuildError) throw error;
    if (error instanceof BuildFailedError) throw new ImageBuildError(request.project, error.message);
    throw error;
  } finally {
    await lock?.release();
  }
}

/** Not built because a source or a parent cannot be had outside CI: recorded, and a result, not an error. */
async function notBuilt(scope: BuildScope, why: NotBuilt): Promise<ImageBuildOutcome> {
  const record = await recordStage(scope, { status: 'unavailable', error: why.reason, fix: why.fix });
  scope.log(`not built: ${why.reason}`);
  return { status: 'unavailable', reason: why.reason, fix: why.fix, seconds: record.seconds };
}
