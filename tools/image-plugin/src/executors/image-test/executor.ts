/**
 * The `image-test` executor of an image project: runs the checks of its
 * image-test.json against the image id this run's build record names.
 */
import type { ExecutorContext } from '@nx/devkit';
import Docker from 'dockerode';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createContainerClient } from '@imgmono/engine';
import { IMAGE_TEST_FILE, parseImageTestSpec, runImageTests, summarise } from '@imgmono/image-test';
import { ExecutorInputError, reportFailure } from '../../lib/report-failure';
import { withInterrupts } from '../../lib/interrupts';
import { imageOfThisRun, removeLeftovers, specFileReader, testRunLabels } from '../../lib/run-images';
import { strictSources } from '../../lib/run-mode';
import type { ImageTestExecutorOptions } from './schema';

export default async function imageTestExecutor(options: ImageTestExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  const project = context.projectName!;
  const say = (line: string) => console.log(`[${project}] ${line}`);
  const specFile = path.posix.join(context.projectsConfigurations.projects[project].root, options.spec ?? IMAGE_TEST_FILE);
  const docker = new Docker();
  const containers = createContainerClient(docker);
  const { labels, runLabel, workspaceLabel } = testRunLabels(context.root, project);
  const started = Date.now();
  try {
    const text = await fs.readFile(path.join(context.root, specFile), 'utf8').catch(() => {
      throw new ExecutorInputError(`${project}: ${specFile} cannot be read: create it, or remove the image-test target`);
    });
    const spec = parseImageTestSpec(text, specFile);
    await removeLeftovers(containers, workspaceLabel, say);
    const image = await imageOfThisRun(context.root, project, docker);
    if (image.kind === 'not-built') {
      if (strictSources(process.env)) throw new ExecutorInputError(`${project}: not built, so not tested: ${image.reason}. ${image.fix}`);
      say(`image-test: skipped, the image was not built: ${image.reason}`);
      return { success: true };
    }
    const results = await withInterrupts((signal) => say(`${signal} received: stopping and removing this run's containers`), (signal) =>
      runImageTests(
        {
          subject: project,
          image: image.facts,
          record: image.record,
          checks: spec.checks,
          labels,
          readSpecFile: specFileReader(context.root, path.dirname(specFile), specFile),
          signal,
        },
        containers,
        (line) => console.log(line),
      ),
    );
    const failed = results.filter((result) => result.verdict.status === 'fail').length;
    console.log(summarise(project, results, (Date.now() - started) / 1000, `image ${image.facts.id.slice(0, 19)}, ${specFile}`));
    if (results.length < spec.checks.length) say('interrupted: not every check ran');
    return { success: failed === 0 && results.length === spec.checks.length };
  } catch (error) {
    return reportFailure(project, error);
  } finally {
    await containers.removeLabelled(...runLabel).catch(() => undefined);
  }
}
