/**
 * Runs one of the plugin's scripts (src/scripts/<name>.ts) the way load.js
 * runs executors: the compiled bundle while it is fresh, else the source.
 * Usage: node tools/image-plugin/run-script.js <name> [arguments...]
 */
const { load, SCRIPTS } = require('./load');

const name = process.argv[2];
if (!SCRIPTS.includes(`scripts/${name}`)) {
  console.error(`run-script: no script "${name}"; the scripts are ${SCRIPTS.map((entry) => entry.replace(/^scripts\//, '')).join(', ')}`);
  process.exit(2);
}
// the script sees its own arguments at process.argv[2...], as when run directly
process.argv.splice(2, 1);
load(`scripts/${name}`);
