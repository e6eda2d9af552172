/** Build records on disk: written atomically, read back, the previous one kept when a write fails. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BuildRecord } from '@imgmono/image-meta';
import { makeTempDir, removeDir } from '@imgmono/testing';
import { readBuildRecord, readRunProjects, recordPath, runProjectsPath, writeBuildRecord, writeRunProjects } from './record-store';

const ID_A = `sha256:${'a'.repeat(64)}`;
const ID_B = `sha256:${'b'.repeat(64)}`;

describe('build records', () => {
  let root: string;
  beforeEach(async () => {
    root = await makeTempDir();
  });
  afterEach(() => removeDir(root));

  const record: BuildRecord = {
    schemaVersion: 1,
    project: 'opendev/python-base',
    status: 'built',
    imageId: ID_A,
    tags: ['opendev/python-base:latest'],
    inputDigest: 'sha256:x',
    parents: [{ project: 'debian/bookworm', imageId: ID_B }],
    size: 10,
    seconds: 1.5,
    finishedAt: '2026-01-01T00:00:00.000Z',
  };

  it('round-trips through dist/images/<namespace>/<name>/build.json', async () => {
    const file = await writeBuildRecord(root, record);
    expect(file).toBe(path.join(root, 'dist/images/opendev/python-base/build.json'));
    expect(await readBuildRecord(root, 'opendev/python-base')).toEqual(record);
    expect(await readBuildRecord(root, 'opendev/none')).toBeUndefined();
    expect(await fs.readdir(path.dirname(file))).toEqual(['build.json']); // no temp file left
  });

  it('keeps the previous record when the new one cannot be written', async () => {
    await writeBuildRecord(root, record);
    const folder = path.dirname(recordPath(root, record.project));
    await fs.chmod(folder, 0o500);
    try {
      if (process.getuid?.() === 0) {
        // root ignores folder permissions: make the target a folder so rename fails for real
        await fs.rename(recordPath(root, record.project), `${recordPath(root, record.project)}.keep`);
        await fs.mkdir(recordPath(root, record.project));
        await fs.writeFile(path.join(recordPath(root, record.project), 'x'), 'x');
      }
      await expect(writeBuildRecord(root, { ...record, imageId: ID_B })).rejects.toThrow(
        /cannot write the build record dist\/images\/opendev\/python-base\/build.json: .*the previous record, if any, is unchanged/,
      );
      expect((await fs.readdir(folder)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    } finally {
      await fs.chmod(folder, 0o755);
    }
  });

  it("gives a run's image projects to that run only", async () => {
    expect(await readRunProjects(root, 'run-1')).toBeUndefined();
    await writeRunProjects(root, 'run-1', ['zuul/b', 'opendev/a']);
    expect(await readRunProjects(root, 'run-1')).toEqual(['opendev/a', 'zuul/b']);
    expect(await readRunProjects(root, 'run-2')).toBeUndefined();
    await fs.writeFile(runProjectsPath(root), '{"runId": "run-1", "projects": [1]}');
    expect(await readRunProjects(root, 'run-1')).toBeUndefined();
    await fs.writeFile(runProjectsPath(root), '{ half');
    expect(await readRunProjects(root, 'run-1')).toBeUndefined();
  });
});
