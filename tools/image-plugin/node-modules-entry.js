/**
 * Makes `@imgmono/image-plugin` an installed package as Nx sees it:
 * node_modules/@imgmono/image-plugin/ with a package.json and copies of
 * executors.json and generators.json whose paths lead back here.
 *
 * Why: Nx resolves `@imgmono/image-plugin:image` to a package. When the
 * package is found outside node_modules (a local plugin, or a workspace
 * symlink, which Node resolves to its real path), every forked task process
 * looks for the executor's TypeScript source first and loads the TypeScript
 * compiler to read tsconfig.base.json for it: about 0.45 s of each image task
 * in Nx's default task mode, before the executor runs. Found in
 * node_modules, the executor is required as the plain JavaScript it is
 * (load.js, which picks the compiled bundle).
 *
 * Written by build.js at every set-up (npm ci empties node_modules); a file
 * is rewritten only when its content changes.
 */
const fs = require('node:fs');
const path = require('node:path');

const PLUGIN = __dirname;

function relink(manifest, key, toPlugin) {
  const out = {};
  for (const [name, entry] of Object.entries(manifest[key])) {
    out[name] = { ...entry };
    for (const field of ['implementation', 'batchImplementation', 'factory', 'schema']) {
      if (typeof entry[field] === 'string') out[name][field] = `${toPlugin}/${entry[field].replace(/^\.\//, '')}`;
    }
  }
  return { ...manifest, [key]: out };
}

/** The files of the entry, by path relative to its folder. */
function entryFiles(folder) {
  const toPlugin = path.relative(folder, PLUGIN).split(path.sep).join('/');
  const own = JSON.parse(fs.readFileSync(path.join(PLUGIN, 'package.json'), 'utf8'));
  const read = (file) => JSON.parse(fs.readFileSync(path.join(PLUGIN, file), 'utf8'));
  return {
    'package.json': { name: own.name, version: own.version, private: true, description: `${own.description} (entry written by tools/image-plugin/node-modules-entry.js)`, executors: './executors.json', generators: './generators.json' },
    'executors.json': relink(read('executors.json'), 'executors', toPlugin),
    'generators.json': relink(read('generators.json'), 'generators', toPlugin),
  };
}

function writeNodeModulesEntry(root = path.resolve(PLUGIN, '../..')) {
  const folder = path.join(root, 'node_modules', '@imgmono', 'image-plugin');
  // an npm workspace link or an older entry of another shape: replaced by a real folder
  if (fs.lstatSync(folder, { throwIfNoEntry: false })?.isSymbolicLink()) fs.unlinkSync(folder);
  fs.mkdirSync(folder, { recursive: true });
  let written = 0;
  for (const [file, json] of Object.entries(entryFiles(folder))) {
    const text = `${JSON.stringify(json, null, 2)}\n`;
    const target = path.join(folder, file);
    if (fs.readFileSync(target, { encoding: 'utf8', flag: 'a+' }) === text) continue;
    fs.writeFileSync(target, text);
    written += 1;
  }
  return { folder, written };
}

module.exports = { writeNodeModulesEntry, entryFiles };
