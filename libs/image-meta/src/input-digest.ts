/**
 * The input digest of an image build: everything that decides what the
 * engine would produce. Equal digests mean the build can be reused. Pure.
 */
import { createHash } from 'node:crypto';

export interface BuildInputs {
  /** The project: two projects with the same files are still two images, each labelled with its own name. */
  project: string;
  /** sha256 (hex) of the context tar as it is sent, leaving out the Dockerfile entry. */
  contextSha256: string;
  /** Dockerfile path within the context. */
  dockerfile: string;
  /** The Dockerfile as sent to the engine, parents pinned, before labels are added. */
  dockerfileText: string;
  buildArgs: Record<string, string>;
  target?: string;
  platform?: string;
  /** Workspace parents: project -> image id. Already part of the pinned Dockerfile; kept explicit for clarity. */
  parents: Record<string, string>;
  /** Inputs of generated context entries that are not hashed as bytes (a root filesystem's spec). */
  generated?: Record<string, string>;
}

/** Bump when the meaning of the digest changes, so old images are not reused by mistake. */
export const INPUT_DIGEST_VERSION = 1;

export function inputDigest(inputs: BuildInputs): string {
  const canonical = JSON.stringify({
    v: INPUT_DIGEST_VERSION,
    project: inputs.project,
    context: inputs.contextSha256,
    dockerfile: inputs.dockerfile,
    dockerfileSha256: createHash('sha256').update(inputs.dockerfileText).digest('hex'),
    buildArgs: sortedObject(inputs.buildArgs),
    target: inputs.target ?? null,
    platform: inputs.platform ?? null,
    parents: sortedObject(inputs.parents),
    generated: sortedObject(inputs.generated ?? {}),
  });
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

function sortedObject(value: Record<string, string>): Array<[string, string]> {
  return Object.keys(value)
    .sort()
    .map((key) => [key, value[key]]);
}
