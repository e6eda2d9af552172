/**
 * What the two test executors (image-test of an image, scenario) share: the
 * run's labelled containers, removal of what killed runs left, interrupts,
 * the not-built rule, and the end (user errors plainly, this run's
 * containers removed whatever happened).
 */
import type { ExecutorContext } from '@nx/devkit';
import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ContainerClient, createContainerClient, engineFromEnv } from '@imgmono/engine';
import { withInterrupts } from './interrupts';
import { ExecutorInputError, reportFailure } from './report-failure';
import { removeLeftovers, testRunLabels } from './run-images';
import { readRunSettings } from './run-settings';

export interface TestTarget {
  project: string;
  say: (line: string) => void;
  docker: Docker;
  containers: ContainerClient;
  /** Labels of every container this run creates. */
  labels: Record<string, string>;
  started: number;
  /** Reads a spec file of the workspace, with an error that names it and the fix. */
  readSpec: (file: string, fix: string) => Promise<string>;
  /** Runs the tests with an AbortSignal that Ctrl-C or SIGTERM fires. */
  interruptible: <T>(body: (signal: AbortSignal) => Promise<T>) => Promise<T>;
  /** An image of the run was not built (a source missing): an error in CI mode, else a skip that says why. */
  notBuilt: (what: string, reason: string, fix: string) => { success: true };
}

export async function runTestTarget(context: ExecutorContext, body: (target: TestTarget) => Promise<boolean>): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const say = (line: string) => console.log(`[${project}] ${line}`);
  const docker = engineFromEnv();
  const containers = createContainerClient(docker);
  const { labels, runLabel, workspaceLabel } = testRunLabels(context.root, project);
  const target: TestTarget = {
    project,
    say,
    docker,
    containers,
    labels,
    started: Date.now(),
    readSpec: (file, fix) =>
      fs.readFile(path.join(context.root, file), 'utf8').catch(() => {
        throw new ExecutorInputError(`${project}: ${file} cannot be read: ${fix}`);
      }),
    interruptible: (run) => withInterrupts((signal) => say(`${signal} received: stopping and removing this run's containers`), run),
    notBuilt: (what, reason, fix) => {
      if (readRunSettings(process.env).strictSources) throw new ExecutorInputError(`${project}: ${what} was not built, so it cannot be tested: ${reason}. ${fix}`);
      say(`image-test: skipped, ${what} was not built: ${reason}`);
      return { success: true };
    },
  };
  try {
    await removeLeftovers(containers, workspaceLabel, say);
    return { success: await body(target) };
  } catch (error) {
    return reportFailure(project, error);
  } finally {
    await containers.removeLabelled(...runLabel).catch(() => undefined);
    for (const { name } of await containers.listLabelledVolumes(...runLabel).catch(() => [])) await containers.removeVolume(name);
  }
}
