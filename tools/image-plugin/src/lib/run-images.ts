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
import type { ContainerClient } from '@imgmono/engine';
import { processAlive } from '@imgmono/image-build';
import { LABEL } from '@imgmono/image-meta';
import { readBuildRecord } from '@imgmono/build-records';
import type { ImageFacts, RecordFacts } from '@imgmono/image-test-spec';
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

const WORKSPACE_LABEL = 'io.imgmono.workspace';
const RUN_LABEL = 'io.imgmono.test-run';
const PID_LABEL = 'io.imgmono.test-pid';

/**
 * Labels of every container a test run creates: the managed mark, this workspace, this run
 * (for clean-up by label), and the process that owns it (so a later run can tell a leftover).
 */
export function testRunLabels(workspaceRoot: string, subject: string): { labels: Record<string, string>; runLabel: [string, string]; workspaceLabel: [string, string] } {
  const run = `${subject.replace(/[^a-z0-9]+/gi, '-')}-${randomBytes(4).toString('hex')}`;
  const workspace = createHash('sha256').update(workspaceRoot).digest('hex').slice(0, 12);
  return {
    labels: { [LABEL.managed]: 'true', [WORKSPACE_LABEL]: workspace, [RUN_LABEL]: run, [PID_LABEL]: String(process.pid) },
    runLabel: [RUN_LABEL, run],
    workspaceLabel: [WORKSPACE_LABEL, workspace],
  };
}

/**
 * Removes this workspace's test containers whose owning process is gone: what a run killed
 * before its own clean-up (SIGKILL, a crash) left behind, the way testcontainers' reaper does.
 */
export async function removeLeftovers(containers: ContainerClient, workspaceLabel: [string, string], say: (line: string) => void): Promise<void> {
  const orphaned = ({ labels }: { labels: Record<string, string> }) => {
    const pid = Number(labels[PID_LABEL]);
    return Number.isInteger(pid) && pid > 0 && !processAlive(pid);
  };
  const orphans = (await containers.listLabelled(...workspaceLabel)).filter(orphaned);
  for (const { id } of orphans) await containers.remove(id);
  // a scenario's shared folders, after the containers that mounted them
  const volumes = (await containers.listLabelledVolumes(...workspaceLabel)).filter(orphaned);
  for (const { name } of volumes) await containers.removeVolume(name);
  if (orphans.length + volumes.length > 0) say(`removed ${orphans.length} container(s) and ${volumes.length} volume(s) an interrupted test run of this workspace left behind`);
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
