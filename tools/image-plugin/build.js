/**
 * Compiles the plugin (target inference, executors, generators) and the
 * libraries it uses into dist/ with esbuild: Nx then loads plain JavaScript
 * instead of registering a TypeScript compiler in every plugin worker and
 * task process (about 1.5 s a task). load.js uses dist/ only while it is
 * newer than every source file, so a stale build is never run.
 * Usage: node tools/image-plugin/build.js
 */
const { buildSync } = require('esbuild');
const path = require('node:path');
const { ENTRIES } = require('./load'); // derived from executors.json and generators.json

const root = path.resolve(__dirname, '../..');
const started = Date.now();
buildSync({
  entryPoints: Object.fromEntries(ENTRIES.map((entry) => [entry, path.join(__dirname, 'src', `${entry}.ts`)])),
  outdir: path.join(__dirname, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  tsconfig: path.join(root, 'tsconfig.base.json'),
  // Nx and packages with native parts are loaded from node_modules as they are
  external: ['nx', '@nx/*', 'dockerode', 'ssh2', 'cpu-features', 'esbuild', 'typescript'],
  logLevel: 'error',
});
console.log(`image-plugin: compiled ${ENTRIES.length} entry points to tools/image-plugin/dist in ${Date.now() - started} ms`);
