/**
 * Stages 7 and 8, tag and record: tags are set only after a successful build
 * (or a confirmed reuse), and every outcome, built, reused, failed or not
 * built, is written the one way: an atomic build record.
 */
import { writeBuildRecord } from '@imgmono/build-records';
import { BuildRecord, ParentImage, RECORD_SCHEMA_VERSION } from '@imgmono/image-meta';
import type { BuildScope } from './build-request';
import type { UsedSource } from './image-sources';

/** Sets the run's tags on the image; a tag the image already carries (its repoTags, as the engine just gave them) is not set again. */
export async function tagStage({ request, engine }: BuildScope, imageId: string, carried: readonly string[] = []): Promise<{ tags: string[]; changed: number }> {
  const tags: string[] = [];
  let changed = 0;
  for (const tag of request.tags) {
    const name = `${request.project}:${tag}`;
    if (!carried.includes(name)) {
      await engine.tagImage(imageId, request.project, tag);
      changed++;
    }
    tags.push(name);
  }
  return { tags, changed };
}

export type RecordedOutcome =
  | { status: 'built' | 'reused'; imageId: string; tags: string[]; inputDigest: string; parents: ParentImage[]; size: number; version?: string; sources: UsedSource[] }
  | { status: 'failed'; error: string }
  | { status: 'unavailable'; error: string; fix: string };

/** Writes the build record of this outcome; its seconds are the build's time so far. */
export async function recordStage({ request, now, started }: BuildScope, outcome: RecordedOutcome): Promise<BuildRecord> {
  const common = { schemaVersion: RECORD_SCHEMA_VERSION, project: request.project, seconds: (Date.now() - started) / 1000, finishedAt: now().toISOString(), runId: request.runId };
  let record: BuildRecord;
  if (outcome.status === 'failed') record = { ...common, status: outcome.status, tags: [], parents: [], error: outcome.error };
  else if (outcome.status === 'unavailable') record = { ...common, status: outcome.status, tags: [], parents: [], error: outcome.error, fix: outcome.fix };
  else {
    const { imageId, tags, inputDigest, parents, size, version, sources } = outcome;
    record = {
      ...common,
      status: outcome.status,
      imageId,
      tags,
      inputDigest,
      parents,
      size,
      version,
      sources: sources.map(({ name, origin, dir, url, revision, version }) => ({ name, origin, dir, url, revision, version })),
    };
  }
  await writeBuildRecord(request.workspaceRoot, record);
  return record;
}
