/**
 * Build records on disk: one JSON file per image project under the
 * workspace's output folder, written atomically (temp file + rename), so a
 * reader never sees half a record.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { withoutUrlUserInfo } from '@imgmono/secrets';
import { writeFileAtomic } from './atomic-file';
import { BuildRecord, RecordError, parseBuildRecord } from '@imgmono/image-meta';

export const RECORDS_FOLDER = 'dist/images';

/** Content hashes of the files of the project's last context (the file hash cache), beside its record. */
export function fileHashCachePath(workspaceRoot: string, project: string): string {
  return path.join(workspaceRoot, RECORDS_FOLDER, ...project.split('/'), 'file-hashes.bin');
}

export function recordPath(workspaceRoot: string, project: string): string {
  return path.join(workspaceRoot, RECORDS_FOLDER, ...project.split('/'), 'build.json');
}

export async function readBuildRecord(workspaceRoot: string, project: string): Promise<BuildRecord | undefined> {
  const file = recordPath(workspaceRoot, project);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new RecordError(`${file}: cannot be read (${(error as Error).message})`);
  }
  return parseBuildRecord(text, path.relative(workspaceRoot, file));
}

export async function writeBuildRecord(workspaceRoot: string, record: BuildRecord): Promise<string> {
  const file = recordPath(workspaceRoot, record.project);
  try {
    // URLs lose their user information (a CI token in a clone URL), wherever in the record they stand
    await writeFileAtomic(file, `${withoutUrlUserInfo(JSON.stringify(record, null, 2))}\n`);
  } catch (error) {
    throw new RecordError(`cannot write the build record ${path.relative(workspaceRoot, file)}: ${(error as Error).message}; the previous record, if any, is unchanged`);
  }
  return file;
}

/** The image projects of the newest run, written by its image tasks, for the run's summary (no second Nx command for the list). */
export function runProjectsPath(workspaceRoot: string): string {
  return path.join(workspaceRoot, RECORDS_FOLDER, 'run-projects.json');
}

export async function writeRunProjects(workspaceRoot: string, runId: string, projects: readonly string[]): Promise<void> {
  await writeFileAtomic(runProjectsPath(workspaceRoot), `${JSON.stringify({ runId, projects: [...projects].sort() }, null, 1)}\n`);
}

/** The image projects a task of the run `runId` wrote; undefined when no task of that run did (another run's list is not this run's). */
export async function readRunProjects(workspaceRoot: string, runId: string): Promise<string[] | undefined> {
  const text = await fs.readFile(runProjectsPath(workspaceRoot), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const json = JSON.parse(text) as { runId?: unknown; projects?: unknown };
    return json.runId === runId && Array.isArray(json.projects) && json.projects.every((name) => typeof name === 'string') ? (json.projects as string[]) : undefined;
  } catch {
    return undefined;
  }
}
