/**
 * The build record: what an `image` target produced, for the targets and
 * tools that come after it (children, tests, push). Pure: construction and
 * validation only; see record-store for reading and writing.
 */
import { ParentImage } from './labels';
import { UserError } from '@imgmono/errors';

export const RECORD_SCHEMA_VERSION = 1;

/** `unavailable`: not built because a required source (or a parent) could not be obtained outside CI. */
export type BuildStatus = 'built' | 'reused' | 'failed' | 'unavailable';

export interface RecordedSource {
  name: string;
  /** explicit, projects-file, sibling or clone */
  origin: string;
  dir: string;
  url: string;
  revision: string;
  version: string;
}

export interface BuildRecord {
  schemaVersion: number;
  project: string;
  status: BuildStatus;
  /** The image this project's target produced; absent when it failed. */
  imageId?: string;
  /** Tags set on the image (`repo:tag`); none when it failed. */
  tags: string[];
  inputDigest?: string;
  parents: ParentImage[];
  /** Image size in bytes. */
  size?: number;
  seconds: number;
  finishedAt: string;
  /** Set by the caller of the run (IMAGE_RUN_ID) so tools can tell this run's records from older ones. */
  runId?: string;
  error?: string;
  /** The image's version: its primary source's version, when it has one. */
  version?: string;
  /** The sources the image was built from, with where each came from. */
  sources?: RecordedSource[];
  /** For `unavailable`: the one command that provides what was missing. */
  fix?: string;
}

export class RecordError extends UserError {
  constructor(message: string) {
    super(message);
  }
}

export function parseBuildRecord(text: string, file: string): BuildRecord {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new RecordError(`${file}: not valid JSON (${(error as Error).message}); delete it and build the image again`);
  }
  const record = data as Partial<BuildRecord>;
  const problems: string[] = [];
  if (typeof data !== 'object' || data === null) problems.push('not an object');
  else {
    if (record.schemaVersion !== RECORD_SCHEMA_VERSION) problems.push(`schemaVersion ${String(record.schemaVersion)} (expected ${RECORD_SCHEMA_VERSION})`);
    if (typeof record.project !== 'string') problems.push('no project');
    if (!['built', 'reused', 'failed', 'unavailable'].includes(record.status as string)) problems.push(`bad status ${String(record.status)}`);
    if ((record.status === 'built' || record.status === 'reused') && !/^sha256:[0-9a-f]{64}$/.test(String(record.imageId))) problems.push('no image id');
    if (!Array.isArray(record.tags)) problems.push('no tags');
    if (!Array.isArray(record.parents)) problems.push('no parents');
  }
  if (problems.length > 0) {
    throw new RecordError(`${file}: not a build record (${problems.join(', ')}); delete it and build the image again`);
  }
  return record as BuildRecord;
}
