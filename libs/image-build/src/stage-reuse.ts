/**
 * Stage 5, reuse: an image built from exactly these inputs, in the engine or
 * the run's registry, is used instead of a build. Labels are inherited, so
 * every descendant of that image (and every intermediate layer of a child's
 * build) carries the same input-digest label: an image is the one a digest
 * names only when its own top layer is the LABEL instruction that set it.
 * confirmImageOfDigest is that one check, for both places.
 */
import type { EngineClient, ImageSummary } from '@imgmono/engine';
import { LABEL } from '@imgmono/image-meta';
import { inputsTag } from '@imgmono/tags';
import type { BuildRegistry, BuildScope } from './build-request';

export interface Reusable {
  imageId: string;
  /** Why it is the same build, for the log. */
  from: string;
  /** The engine's answer about it (tags, size), just now. */
  info: ImageSummary;
}

/**
 * The image when it is the image the digest names (not a descendant that inherited the label);
 * else undefined. `confirmed`: the caller already knows this id was confirmed as the image of
 * this digest (the build record names both): an image id is the digest of the image's config,
 * history included, so what was confirmed once holds while the engine holds the id, and only
 * the label is looked at again.
 */
export async function confirmImageOfDigest(engine: EngineClient, imageId: string, digest: string, confirmed = false): Promise<ImageSummary | undefined> {
  const info = await engine.inspectImage(imageId);
  if (info?.labels[LABEL.inputDigest] !== digest) return undefined;
  if (confirmed && info.id === imageId) return info;
  return (await engine.topInstruction(info.id))?.includes(`${LABEL.inputDigest}=${digest}`) ? info : undefined;
}

export async function reuseStage({ request, engine, log }: BuildScope, digest: string, recorded: string | undefined): Promise<Reusable | undefined> {
  if (request.noCache) {
    log('IMAGE_NO_CACHE: building again from scratch, no reuse, no layer cache');
    return undefined;
  }
  const local = { from: 'the engine holds an image built from the same inputs' };
  // the common case, cheaply: the image the last record names for these inputs is still there
  if (recorded !== undefined) {
    const info = await confirmImageOfDigest(engine, recorded, digest, true);
    if (info !== undefined) return { imageId: info.id, info, ...local };
  }
  for (const id of await engine.findImagesByLabel(LABEL.inputDigest, digest)) {
    const info = await confirmImageOfDigest(engine, id, digest);
    if (info !== undefined) return { imageId: info.id, info, ...local };
  }
  if (request.parentRegistry !== undefined) return reusableFromRegistry(engine, request.project, digest, request.parentRegistry);
  return undefined;
}

/** An image with these inputs in the run's registry, found by its inputs-<digest> tag and pulled by digest. */
async function reusableFromRegistry(engine: EngineClient, project: string, digest: string, registry: BuildRegistry): Promise<Reusable | undefined> {
  const manifest = await registry.client.getManifest(project, inputsTag(digest)).catch(() => undefined);
  if (manifest === undefined) return undefined;
  const reference = `${registry.client.host}/${project}@${manifest.digest}`;
  const imageId = await engine.pullImage(reference, registry.auth).catch(() => undefined);
  if (imageId === undefined) return undefined;
  const info = await confirmImageOfDigest(engine, imageId, digest);
  return info === undefined ? undefined : { imageId: info.id, info, from: `${reference} in the run's registry was built from the same inputs` };
}
