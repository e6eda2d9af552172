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
 * =source forces one (tests of the compiled plugin use dist). A bundle is
 * compiled with V8's code cache (code-cache.js).
 */
const fs = require('node:fs');
const path = require('node:path');
const { requireWithCodeCache } = require('./code-cache');

const REFERENCE = /^\.\/load(?:\.js)?#(.+)$/;

/** Scripts the main job runs (run-script.js), compiled like the executors. */
const SCRIPTS = ['scripts/image-summary'];

/** Every entry point: target inference, then each executor, batch implementation and generator as the JSON files name them, then the scripts. */
function entriesFromManifests() {
  const entries = ['plugins/plugin', ...SCRIPTS];
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
/** Written by build.js: entry -> the workspace files (relative to the root) its bundle is built from. */
const INPUTS_FILE = path.join(__dirname, 'dist', 'inputs.json');
let inputsOfEntries;

/**
 * Whether a bundle is newer than every file it was built from. An import added
 * to a source is an edit of a listed file, so the list from the last build is
 * enough; a listed file that is gone makes the bundle stale too.
 */
function newerThanInputs(bundleMtimeMs, inputs, workspaceRoot) {
  if (!Array.isArray(inputs) || inputs.length === 0) return false;
  for (const input of inputs) {
    const stat = fs.statSync(path.join(workspaceRoot, input), { throwIfNoEntry: false });
    if (stat === undefined || stat.mtimeMs > bundleMtimeMs) return false;
  }
  return true;
}

/** The compiled file of an entry, and whether it is newer than every source it is built from. */
function compiled(entry) {
  const file = path.join(__dirname, 'dist', `${entry}.js`);
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat === undefined) return { file, fresh: false };
  if (inputsOfEntries === undefined) {
    try {
      inputsOfEntries = JSON.parse(fs.readFileSync(INPUTS_FILE, 'utf8'));
    } catch {
      inputsOfEntries = {};
    }
  }
  return { file, fresh: newerThanInputs(stat.mtimeMs, inputsOfEntries[entry], root) };
}

function load(entry) {
  const from = process.env.IMGMONO_PLUGIN_FROM;
  const build = compiled(entry);
  if (from === 'dist' || (from !== 'source' && build.fresh)) return requireWithCodeCache(build.file);
  if (!process.env.SWC_NODE_PROJECT) process.env.SWC_NODE_PROJECT = path.join(root, 'tsconfig.base.json');
  require('@swc-node/register');
  return require(path.join(__dirname, 'src', `${entry}.ts`));
}

module.exports = { load, compiled, newerThanInputs, ENTRIES, SCRIPTS, INPUTS_FILE };
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
