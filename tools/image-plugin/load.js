/**
 * Loads a part of the plugin: the compiled dist/ bundle when it is newer
 * than every source it is built from, else the TypeScript source itself
 * (through @swc-node/register, with the @imgmono/* paths of
 * tsconfig.base.json). Editing a source never runs a stale build.
 */
const fs = require('node:fs');
const path = require('node:path');

const ENTRIES = [
  'plugins/plugin',
  'executors/image/executor',
  'executors/image/batch',
  'executors/graph-check/executor',
  'executors/tree/executor',
  'executors/push/executor',
  'executors/promote/executor',
  'executors/image-test/executor',
  'executors/scenario/executor',
  'generators/image/generator',
  'generators/namespace/generator',
  'generators/source/generator',
];

const root = path.resolve(__dirname, '../..');
let newestSource;

function newestMtime(dir) {
  let newest = 0;
  let names;
  try {
    names = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of names) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.name.endsWith('.ts') || entry.name.endsWith('.json') || entry.name.endsWith('__')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function sourcesMtime() {
  if (newestSource === undefined) {
    newestSource = Math.max(newestMtime(path.join(__dirname, 'src')), newestMtime(path.join(root, 'libs')), fs.statSync(path.join(root, 'tsconfig.base.json')).mtimeMs);
  }
  return newestSource;
}

function load(entry) {
  const compiled = path.join(__dirname, 'dist', `${entry}.js`);
  const stat = fs.statSync(compiled, { throwIfNoEntry: false });
  if (stat !== undefined && stat.mtimeMs >= sourcesMtime() && process.env.IMGMONO_FROM_SOURCE !== 'true') return require(compiled);
  if (!process.env.SWC_NODE_PROJECT) process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.base.json');
  require('@swc-node/register');
  return require(path.join(__dirname, 'src', `${entry}.ts`));
}

module.exports = { load, ENTRIES };
