/**
 * Bundles a TypeScript script of the workspace (with its @imgmono/* imports)
 * into one JavaScript file for plain `node`, so that measurements of memory
 * are not inflated by an on-the-fly TypeScript compiler in the process.
 */
import { build } from 'esbuild';
import * as path from 'node:path';

export async function bundleScript(entry: string, outFile: string): Promise<string> {
  const root = path.resolve(__dirname, '../..');
  await build({
    entryPoints: [path.resolve(root, entry)],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    tsconfig: path.join(root, 'tsconfig.base.json'),
    external: ['dockerode', 'ssh2', 'cpu-features'],
    logLevel: 'error',
  });
  return outFile;
}
