/**
 * The `image-test` executor of an image project: runs the checks of its
 * image-test.json against the image id this run's build record names.
 */
import type { ExecutorContext } from '@nx/devkit';
import * as path from 'node:path';
import { IMAGE_TEST_FILE } from '@imgmono/workspace';
import { parseImageTestSpec } from '@imgmono/image-test-spec';
import { runImageTests, summarise } from '@imgmono/image-test';
import { imageOfThisRun, specFileReader } from '../../lib/run-images';
import { runTestTarget } from '../../lib/test-target';
import type { ImageTestExecutorOptions } from './schema';

export default async function imageTestExecutor(options: ImageTestExecutorOptions, context: ExecutorContext): Promise<{ success: boolean }> {
  return runTestTarget(context, async ({ project, say, docker, containers, labels, started, readSpec, interruptible, notBuilt }) => {
    const specFile = path.posix.join(context.projectsConfigurations.projects[project].root, options.spec ?? IMAGE_TEST_FILE);
    const spec = parseImageTestSpec(await readSpec(specFile, 'create it, or remove the image-test target'), specFile);
    const image = await imageOfThisRun(context.root, project, docker);
    if (image.kind === 'not-built') return notBuilt('the image', image.reason, image.fix).success;
    const results = await interruptible((signal) =>
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
    return failed === 0 && results.length === spec.checks.length;
  });
}
