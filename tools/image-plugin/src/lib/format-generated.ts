/**
 * Formats what a generator wrote, and nothing else: Nx's formatFiles would
 * also re-sort the paths of tsconfig.base.json, a file no generator of this
 * plugin owns.
 */
import { Tree, formatFiles } from '@nx/devkit';

export async function formatGenerated(tree: Tree, skipFormat: boolean | undefined): Promise<void> {
  if (!skipFormat) await formatFiles(tree, { sortRootTsconfigPaths: false });
}
