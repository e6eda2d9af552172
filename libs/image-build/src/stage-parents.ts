/**
 * Stage 2, parents: every image the Dockerfile builds on, pinned by image id.
 * An outside image must already be in the engine (builds never pull). A
 * workspace parent is the image its own target produced in this run; else,
 * with a registry, the change's speculative image or the released one, pulled
 * by digest. The Dockerfile to send names each parent by its id.
 */
import { pinParents } from '@imgmono/dockerfile';
import { readBuildRecord } from '@imgmono/build-records';
import type { ParentImage } from '@imgmono/image-meta';
import type { BuildRegistry, BuildScope, NotBuilt } from './build-request';
import { shortId } from './format';
import type { PlannedBuild } from './stage-plan';

export interface PinnedParents {
  kind: 'pinned';
  parents: ParentImage[];
  /** Parent project -> the image id its FROM is pinned to. */
  pins: Map<string, string>;
  /** The Dockerfile as sent: each workspace parent named by its image id, line numbers kept. */
  sentDockerfile: string;
}

export async function parentsStage(scope: BuildScope, planned: PlannedBuild): Promise<PinnedParents | NotBuilt> {
  const { request, engine, log, fail } = scope;
  // The engine must answer before sources are brought or a context is read. An image with parents
  // asks the engine about them below (an inspection, or a pull from the registry) before any stage
  // after this one runs, and that answer is the check; only an image without parents pings. The
  // first request of a task process is the slow one (Node's http client, cold), so a ping before
  // the parent's inspection cost every task about 6 ms.
  if (planned.parents.externalImages.length === 0 && planned.parents.workspaceParents.length === 0) await engine.ping();
  for (const external of planned.parents.externalImages) {
    if ((await engine.inspectImage(external.image)) === undefined) {
      fail(
        `${planned.dockerfileLabel}:${external.line}: image ${external.image} is neither a workspace image nor present in the engine (${engine.host}), and builds never pull: make it a workspace image project or load it into the engine first`,
      );
    }
  }
  const parents: ParentImage[] = [];
  for (const parent of planned.parents.workspaceParents) {
    const record = await readBuildRecord(request.workspaceRoot, parent);
    if (record?.status === 'unavailable' && !request.strictSources) {
      return { kind: 'not-built', reason: `parent ${parent} was not built: ${record.error ?? 'unavailable'}`, fix: record.fix ?? '' };
    }
    const builtOk = record !== undefined && (record.status === 'built' || record.status === 'reused') && record.imageId !== undefined;
    const thisRun = builtOk && (request.parentRegistry === undefined || request.runId === undefined || record!.runId === request.runId);
    if (thisRun && (await engine.inspectImage(record!.imageId!)) !== undefined) {
      parents.push({ project: parent, imageId: record!.imageId!, origin: 'this-run', reason: `built in this run (${record!.status})` });
      log(`parent ${parent} pinned to ${record!.imageId} (built in this run)`);
      continue;
    }
    if (request.parentRegistry !== undefined) {
      const pinned = await parentFromRegistry(scope, parent, request.parentRegistry);
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
  return { kind: 'pinned', parents, pins, sentDockerfile: pinParents(planned.dockerfileText, planned.parents.allStages, pins) };
}

/** A parent from the run's registry: the change's speculative image if there is one, else the released one; pulled by digest. */
async function parentFromRegistry({ engine, fail }: BuildScope, parent: string, registry: BuildRegistry): Promise<ParentImage> {
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
