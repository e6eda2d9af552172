/**
 * The labels every image of the workspace carries. Pure: the clock and the
 * git state come in as arguments. No label value keeps the user information
 * of a URL (a token in the workspace's origin URL, say).
 */
import { withoutUrlUserInfo } from '@imgmono/secrets';

export const LABEL = {
  title: 'org.opencontainers.image.title',
  created: 'org.opencontainers.image.created',
  source: 'org.opencontainers.image.source',
  revision: 'org.opencontainers.image.revision',
  baseName: 'org.opencontainers.image.base.name',
  baseDigest: 'org.opencontainers.image.base.digest',
  /** The Nx project that built the image. */
  project: 'io.imgmono.project',
  /** Digest of everything the build consumed; equal digests mean an equal build. */
  inputDigest: 'io.imgmono.input-digest',
  /** `project=imageId` of every workspace parent, comma-separated. */
  parents: 'io.imgmono.parents',
  /** The image's version: its primary source's. */
  version: 'io.imgmono.version',
  /** Marks images and containers made by this workspace's tools. */
  managed: 'io.imgmono.managed',
} as const;

export interface ParentImage {
  project: string;
  imageId: string;
  /** Where the parent came from: this run's build, or the run's registry (speculative or released). */
  origin?: 'this-run' | 'registry-change' | 'registry-release';
  /** The registry reference pulled, by digest. */
  reference?: string;
  /** Why that origin was chosen. */
  reason?: string;
}

export interface LabelInput {
  project: string;
  inputDigest: string;
  /** Workspace parents in Dockerfile order; the last one is the final stage's base. */
  parents: ParentImage[];
  /** The final stage's base when it is not a workspace image (`scratch` gives none). */
  externalBase?: string;
  created: Date;
  workspaceSource?: string;
  workspaceRevision?: string;
  extra?: Record<string, string>;
}

/** The label that records one fact (url, revision, version) of a source the image installs. */
export function sourceLabel(name: string, field: 'url' | 'revision' | 'version'): string {
  return `io.imgmono.source.${name}.${field}`;
}

export function imageLabels(input: LabelInput): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL.title]: input.project,
    [LABEL.created]: input.created.toISOString(),
    [LABEL.project]: input.project,
    [LABEL.inputDigest]: input.inputDigest,
    [LABEL.managed]: 'true',
  };
  if (input.workspaceSource) labels[LABEL.source] = input.workspaceSource;
  if (input.workspaceRevision) labels[LABEL.revision] = input.workspaceRevision;
  const base = input.parents[input.parents.length - 1];
  if (base !== undefined) {
    labels[LABEL.baseName] = base.project;
    labels[LABEL.baseDigest] = base.imageId;
    labels[LABEL.parents] = input.parents.map((parent) => `${parent.project}=${parent.imageId}`).join(',');
  } else if (input.externalBase !== undefined) {
    labels[LABEL.baseName] = input.externalBase;
  }
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    if (key in labels) throw new Error(`label ${key} is set by the build itself and cannot be overridden`);
    labels[key] = value;
  }
  for (const key of Object.keys(labels)) labels[key] = withoutUrlUserInfo(labels[key]);
  return labels;
}
