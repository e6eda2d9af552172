/**
 * The end-of-run summary CI logs are read for: every image of the run,
 * built, reused, failed or skipped, with times. Pure: records in, lines out.
 */
import { BuildRecord } from '@imgmono/image-meta';
import { formatBytes, formatSeconds, shortId } from './format';

export type SummaryResult = 'built' | 'reused' | 'failed' | 'unavailable' | 'skipped';

export interface SummaryRow {
  project: string;
  result: SummaryResult;
  imageId?: string;
  size?: number;
  seconds?: number;
  error?: string;
  fix?: string;
}

/** A project counts as skipped when it has no record from this run (its parent failed, or it was not reached). */
export function summariseRun(projects: readonly string[], records: ReadonlyMap<string, BuildRecord>, runId: string | undefined): SummaryRow[] {
  return [...projects].sort().map((project) => {
    const record = records.get(project);
    if (record === undefined || (runId !== undefined && record.runId !== runId)) return { project, result: 'skipped' };
    return { project, result: record.status, imageId: record.imageId, size: record.size, seconds: record.seconds, error: record.error, fix: record.fix };
  });
}

export function formatSummary(rows: readonly SummaryRow[], wallSeconds?: number): string[] {
  const width = Math.max(7, ...rows.map((row) => row.project.length));
  const lines = [`${'image'.padEnd(width)}  result     image id      size       time`];
  for (const row of rows) {
    lines.push(
      [
        row.project.padEnd(width),
        (row.result === 'unavailable' ? 'not built' : row.result).padEnd(9),
        (row.imageId ? shortId(row.imageId) : '-').padEnd(12),
        (row.size !== undefined ? formatBytes(row.size) : '-').padStart(9),
        (row.seconds !== undefined ? formatSeconds(row.seconds) : '-').padStart(9),
      ].join('  '),
    );
  }
  const count = (result: SummaryResult) => rows.filter((row) => row.result === result).length;
  const total = wallSeconds !== undefined ? ` in ${formatSeconds(wallSeconds)}` : '';
  lines.push(
    `images: ${count('built')} built, ${count('reused')} reused, ${count('failed')} failed, ${count('unavailable')} not built (sources missing), ${count('skipped')} skipped${total}`,
  );
  for (const row of rows) if (row.result === 'failed' && row.error) lines.push(`failed ${row.project}: ${row.error.split('\n')[0]}`);
  for (const row of rows) {
    if (row.result === 'unavailable') lines.push(`not built ${row.project}: ${row.error ?? ''}${row.fix ? `\n  provide it: ${row.fix}` : ''}`);
  }
  return lines;
}
