#!/usr/bin/env bash
# Set-up shared by the main job and the tests: node modules from the lock
# file, then an engine (tools/scripts/engine-setup.sh). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ ! -x node_modules/.bin/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing node modules (npm ci)"
  npm ci --no-audit --no-fund
fi
# The plugin's build and its node_modules entry: node decides (build.js --if-stale) only when a
# file they are made from may have changed since it last looked (dist/inputs.json's time);
# find answers that in milliseconds, a node process takes 70.
plugin=tools/image-plugin
looked="$plugin/dist/inputs.json"
if [ ! -f "$looked" ] || [ ! -f node_modules/@imgmono/image-plugin/package.json ] \
  || [ -n "$(find libs "$plugin/src" "$plugin/executors.json" "$plugin/generators.json" "$plugin/package.json" tsconfig.base.json -newer "$looked" -print -quit)" ]; then
  node "$plugin/build.js" --if-stale
fi
bash tools/scripts/engine-setup.sh
