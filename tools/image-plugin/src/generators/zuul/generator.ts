/**
 * `nx g @imgmono/image-plugin:zuul [--perChain] [--file zuul.d/images.yaml]`
 * Writes the Zuul configuration of the workspace from its project graph (the
 * image plugin's "zuul" options in nx.json shape it), and touches no other file.
 */
import { Tree, logger, readNxJson } from '@nx/devkit';
import { modelFromTree } from '../../lib/tree-model';
import { zuulConfigFor } from '../../lib/zuul-workspace';
import type { ZuulGeneratorSchema } from './schema';

export default async function zuulGenerator(tree: Tree, options: ZuulGeneratorSchema): Promise<void> {
  const { file, text, jobGraph } = zuulConfigFor(await modelFromTree(tree), readNxJson(tree) ?? {}, options);
  if (!tree.exists(file) || tree.read(file, 'utf-8') !== text) tree.write(file, text);
  logger.info(`${file}: ${text.split('\n').filter((line) => line.startsWith('- job:')).length} jobs; the check pipeline's job graph:\n${jobGraph.join('\n')}`);
}
