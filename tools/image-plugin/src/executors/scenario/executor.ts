/**
 * The `image-test` executor of a scenario project: starts this run's images
 * of the scenario's services together, probes them, runs the test commands,
 * and tears everything down.
 */
import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { ImageFacts, RecordFacts, parseScenario, scenarioImages } from '@imgmono/image-test-spec';
import { SCENARIO_FILE } from '@imgmono/workspace';
import { runScenario, summarise } from '@imgmono/image-test';
import { imageOfThisRun, specFileReader } from '../../lib/run-images';
import { runTestTarget } from '../../lib/test-target';

export default async function scenarioExecutor(_options: Record<string, never>, context: ExecutorContext): Promise<{ success: boolean }> {
  return runTestTarget(context, async ({ project, docker, containers, labels, started, readSpec, interruptible, notBuilt }) => {
    const root = context.projectsConfigurations.projects[project].root;
    const file = path.posix.join(root, SCENARIO_FILE);
    const scenario = parseScenario(await readSpec(file, 'restore it, or remove the scenario folder'), file);
    const images = new Map<string, { facts: ImageFacts; record: RecordFacts }>();
    for (const image of scenarioImages(scenario)) {
      const found = await imageOfThisRun(context.root, image, docker);
      if (found.kind === 'not-built') return notBuilt(image, found.reason, found.fix).success;
      images.set(image, found);
    }
    const results = await interruptible((signal) =>
      runScenario({ subject: project, scenario, images, labels, readSpecFile: specFileReader(context.root, root, file), signal }, containers, (line) => console.log(line)),
    );
    const failed = results.filter((result) => result.verdict.status === 'fail').length;
    const complete = results.length === scenario.setup.length + scenario.services.length + scenario.tests.length;
    console.log(summarise(project, results, (Date.now() - started) / 1000, `scenario ${file}`));
    return failed === 0 && complete;
  });
}
