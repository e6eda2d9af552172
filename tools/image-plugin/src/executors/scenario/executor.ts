/**
 * The `image-test` executor of a scenario project: starts this run's images
 * of the scenario's services together, probes them, runs the test commands,
 * and tears everything down.
 */
import type { ExecutorContext } from '@nx/devkit';
import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createContainerClient } from '@imgmono/engine';
import { ImageFacts, RecordFacts, SCENARIO_FILE, parseScenario, runScenario, scenarioImages, summarise } from '@imgmono/image-test';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { withInterrupts } from '../../lib/interrupts';
import { imageOfThisRun, removeLeftovers, specFileReader, testRunLabels } from '../../lib/run-images';
import { strictSources } from '../../lib/run-mode';

export default async function scenarioExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const say = (line: string) => console.log(`[${project}] ${line}`);
  const root = context.projectsConfigurations.projects[project].root;
  const file = path.posix.join(root, SCENARIO_FILE);
  const docker = new Docker();
  const containers = createContainerClient(docker);
  const { labels, runLabel, workspaceLabel } = testRunLabels(context.root, project);
  const started = Date.now();
  try {
    const text = await fs.readFile(path.join(context.root, file), 'utf8').catch(() => {
      throw new ExecutorInputError(`${project}: ${file} cannot be read`);
    });
    const scenario = parseScenario(text, file);
    await removeLeftovers(containers, workspaceLabel, say);
    const images = new Map<string, { facts: ImageFacts; record: RecordFacts }>();
    for (const image of scenarioImages(scenario)) {
      const found = await imageOfThisRun(context.root, image, docker);
      if (found.kind === 'not-built') {
        if (strictSources(process.env)) throw new ExecutorInputError(`${project}: ${image} was not built, so the scenario cannot run: ${found.reason}. ${found.fix}`);
        say(`image-test: skipped, ${image} was not built: ${found.reason}`);
        return { success: true };
      }
      images.set(image, found);
    }
    const results = await withInterrupts((signal) => say(`${signal} received: stopping and removing this run's containers`), (signal) =>
      runScenario(
        { subject: project, scenario, images, labels, readSpecFile: specFileReader(context.root, root, file), signal },
        containers,
        (line) => console.log(line),
      ),
    );
    const failed = results.filter((result) => result.verdict.status === 'fail').length;
    const complete = results.length === scenario.services.length + scenario.tests.length;
    console.log(summarise(project, results, (Date.now() - started) / 1000, `scenario ${file}`));
    return { success: failed === 0 && complete };
  } catch (error) {
    return reportFailure(project, error);
  } finally {
    await containers.removeLabelled(...runLabel).catch(() => undefined);
  }
}
