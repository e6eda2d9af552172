#!/usr/bin/env bash
# Set-up shared by the main job and the tests: node modules from the lock
# file, then an engine (tools/scripts/engine-setup.sh). Safe to run again.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [ ! -x node_modules/.bin/nx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing node modules (npm ci)"
  npm ci --no-audit --no-fund
fi
node tools/image-plugin/build.js --if-stale
bash tools/scripts/engine-setup.sh
