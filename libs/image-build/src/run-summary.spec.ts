import { describe, expect, it } from 'vitest';
import { BuildRecord } from '@imgmono/image-meta';
import { formatSummary, summariseRun } from './run-summary';

const record = (project: string, status: BuildRecord['status'], runId: string, extra: Partial<BuildRecord> = {}): BuildRecord => ({
  schemaVersion: 1,
  project,
  status,
  imageId: status === 'built' || status === 'reused' ? `sha256:${'1'.repeat(64)}` : undefined,
  tags: [],
  parents: [],
  size: status === 'built' || status === 'reused' ? 1_500_000 : undefined,
  seconds: 2,
  finishedAt: '2026-01-01T00:00:00Z',
  runId,
  ...extra,
});

describe('run summary', () => {
  const records = new Map([
    ['a/root', record('a/root', 'reused', 'r2')],
    ['a/mid', record('a/mid', 'failed', 'r2', { error: 'a/mid: build failed at images/a/mid/Dockerfile:3\nmore' })],
    ['a/leaf', record('a/leaf', 'built', 'r1')], // an older run's record
  ]);

  it('counts a project without a record of this run as skipped', () => {
    expect(summariseRun(['a/root', 'a/mid', 'a/leaf', 'a/other'], records, 'r2').map((row) => [row.project, row.result])).toEqual([
      ['a/leaf', 'skipped'],
      ['a/mid', 'failed'],
      ['a/other', 'skipped'],
      ['a/root', 'reused'],
    ]);
  });

  it('prints a table, a count line, the first line of each failure and how to provide missing sources', () => {
    const withUnavailable = new Map(records);
    withUnavailable.set(
      'a/np',
      record('a/np', 'unavailable', 'r2', { error: 'source nodepool could not be obtained', fix: 'git clone https://opendev.org/zuul/nodepool ../nodepool' }),
    );
    const lines = formatSummary(summariseRun(['a/root', 'a/mid', 'a/leaf', 'a/np'], withUnavailable, 'r2'), 12.34);
    expect(lines).toEqual([
      'image    result     image id      size       time',
      'a/leaf   skipped    -                     -          -',
      'a/mid    failed     -                     -      2.0 s',
      'a/np     not built  -                     -      2.0 s',
      'a/root   reused     111111111111     1.5 MB      2.0 s',
      'images: 0 built, 1 reused, 1 failed, 1 not built (sources missing), 1 skipped in 12.3 s',
      'failed a/mid: a/mid: build failed at images/a/mid/Dockerfile:3',
      'not built a/np: source nodepool could not be obtained\n  provide it: git clone https://opendev.org/zuul/nodepool ../nodepool',
    ]);
  });
});
