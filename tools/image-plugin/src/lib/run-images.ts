/**
 * This run's image of a project, for tests: the image id its build record
 * names (never a tag), confirmed by the engine, with the facts the checks
 * need. A project whose image was not built (a source missing outside CI)
 * says so instead.
 */
import { createHash, randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { LABEL, readBuildRecord } from '@imgmono/image-meta';
import type { ImageFacts, RecordFacts } from '@imgmono/image-test';
import { ExecutorInputError } from './report-failure';

export type RunImage = { kind: 'image'; facts: ImageFacts; record: RecordFacts } | { kind: 'not-built'; reason: string; fix: string };

export async function imageOfThisRun(workspaceRoot: string, project: string, docker: Docker): Promise<RunImage> {
  const record = await readBuildRecord(workspaceRoot, project);
  if (record === undefined) throw new ExecutorInputError(`${project}: no build record (dist/images/${project}/build.json): run 'nx run ${project}:image' first (the image-test target does so through dependsOn)`);
  if (record.status === 'unavailable') return { kind: 'not-built', reason: record.error ?? 'not built', fix: record.fix ?? '' };
  if (record.status === 'failed' || record.imageId === undefined) throw new ExecutorInputError(`${project}: its last build failed, so there is no image to test: ${record.error ?? ''}`);
  const info = await ((docker.getImage(record.imageId).inspect() as Promise<Docker.ImageInspectInfo>).catch(() => undefined));
  if (info === undefined) throw new ExecutorInputError(`${project}: the engine no longer holds ${record.imageId}, the image its build record names: run 'nx run ${project}:image' again`);
  return {
    kind: 'image',
    facts: {
      id: info.Id,
      labels: info.Config.Labels ?? {},
      env: info.Config.Env ?? [],
      entrypoint: (info.Config.Entrypoint as string[] | null) ?? null,
      cmd: (info.Config.Cmd as string[] | null) ?? null,
      workdir: info.Config.WorkingDir ?? '',
      user: info.Config.User ?? '',
    },
    record: {
      version: record.version,
      parents: record.parents.map((parent) => ({ project: parent.project, imageId: parent.imageId })),
      sources: (record.sources ?? []).map((source) => ({ name: source.name, revision: source.revision, version: source.version })),
    },
  };
}

/** Labels of every container a test run creates: the managed mark, this workspace, and this run (for clean-up by label). */
export function testRunLabels(workspaceRoot: string, subject: string): { labels: Record<string, string>; runLabel: [string, string] } {
  const run = `${subject.replace(/[^a-z0-9]+/gi, '-')}-${randomBytes(4).toString('hex')}`;
  return {
    labels: {
      [LABEL.managed]: 'true',
      'io.imgmono.workspace': createHash('sha256').update(workspaceRoot).digest('hex').slice(0, 12),
      'io.imgmono.test-run': run,
    },
    runLabel: ['io.imgmono.test-run', run],
  };
}

/** An AbortSignal that fires on SIGINT or SIGTERM while `body` runs; the handlers are removed afterwards. */
export async function withInterrupts<T>(say: (line: string) => void, body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal} received: stopping and removing this run's containers`);
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Reads a file a spec names, relative to the spec's folder; refuses paths that leave the workspace. */
export function specFileReader(workspaceRoot: string, specFolder: string, specFile: string): (relative: string) => Promise<Buffer> {
  return async (relative) => {
    const absolute = path.resolve(workspaceRoot, specFolder, relative);
    if (path.relative(workspaceRoot, absolute).startsWith('..')) throw new ExecutorInputError(`${specFile}: file ${relative} is outside the workspace: keep test files in the workspace`);
    return fs.readFile(absolute).catch((error: NodeJS.ErrnoException) => {
      throw new ExecutorInputError(`${specFile}: file ${relative} (${path.relative(workspaceRoot, absolute)}) cannot be read: ${error.code ?? error.message}`);
    });
  };
}
