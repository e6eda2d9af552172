/**
 * The plugin's one loader. executors.json and generators.json name every
 * executor and generator as `./load.js#<entry>` (the entry is the source
 * file's path under src/, without `.ts`); this file exports each such entry
 * lazily, so Nx finds `module[<entry>]` and only what runs is loaded. The
 * list of entries is derived from those two files, once: build.js compiles
 * exactly these.
 *
 * An entry comes from the compiled dist/ bundle while it is newer than every
 * source it is built from, else from the TypeScript source (through
 * @swc-node/register, with the @imgmono/* paths of tsconfig.base.json), so
 * editing a source never runs a stale build. IMGMONO_PLUGIN_FROM=dist or
 * =source forces one (tests of the compiled plugin use dist).
 */
const fs = require('node:fs');
const path = require('node:path');

const REFERENCE = /^\.\/load(?:\.js)?#(.+)$/;

/** Every entry point: target inference, then each executor, batch implementation and generator as the JSON files name them. */
function entriesFromManifests() {
  const entries = ['plugins/plugin'];
  const add = (reference, where) => {
    const match = REFERENCE.exec(reference ?? '');
    if (match === null) throw new Error(`tools/image-plugin/${where}: "${reference}" must be "./load.js#<path under src/>"`);
    if (!entries.includes(match[1])) entries.push(match[1]);
  };
  for (const [name, executor] of Object.entries(require('./executors.json').executors)) {
    add(executor.implementation, `executors.json: ${name}.implementation`);
    if (executor.batchImplementation !== undefined) add(executor.batchImplementation, `executors.json: ${name}.batchImplementation`);
  }
  for (const [name, generator] of Object.entries(require('./generators.json').generators)) add(generator.factory, `generators.json: ${name}.factory`);
  return entries;
}

const ENTRIES = entriesFromManifests();
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

/** The compiled file of an entry, and whether it is newer than every source it is built from. */
function compiled(entry) {
  const file = path.join(__dirname, 'dist', `${entry}.js`);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return { file, fresh: stat !== undefined && stat.mtimeMs >= sourcesMtime() };
}

function load(entry) {
  const from = process.env.IMGMONO_PLUGIN_FROM;
  const build = compiled(entry);
  if (from === 'dist' || (from !== 'source' && build.fresh)) return require(build.file);
  if (!process.env.SWC_NODE_PROJECT) process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.base.json');
  require('@swc-node/register');
  return require(path.join(__dirname, 'src', `${entry}.ts`));
}

module.exports = { load, compiled, ENTRIES };
// `./load.js#executors/image/executor` in executors.json: the entry's default export, loaded on first use
for (const entry of ENTRIES) {
  Object.defineProperty(module.exports, entry, {
    enumerable: false,
    get() {
      const loaded = load(entry);
      return loaded.default ?? loaded;
    },
  });
}
