#!/usr/bin/env bash
# The image tests of the CI flow, after the main job: `nx affected -t image-test`
# runs the image-test.json checks of every affected image and every affected
# scenario, on the images of this run (their image targets run first, reusing
# what the main job built). The change's base commit comes from NX_BASE, as Nx
# reads it (a Zuul job sets it to the change's parent); without it, every image
# and scenario is tested. Extra arguments go to nx.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/scripts/bootstrap.sh
export NX_BATCH_MODE="${NX_BATCH_MODE:-true}"
# Nx 23 runs every plugin, its own core ones too, in a worker process of its own, started
# anew by each command when the daemon is off (as in CI): 1.3 s against 0.5 s for
# `nx show projects` here. Our plugin needs no isolation (docs/performance.md).
export NX_ISOLATE_PLUGINS="${NX_ISOLATE_PLUGINS:-false}"
if [ -n "${NX_BASE:-}" ]; then
  echo "image-tests: testing what changed since ${NX_BASE} (nx affected -t image-test)"
  exec npx nx affected -t image-test --output-style=stream "$@"
fi
echo "image-tests: NX_BASE is not set: testing every image and scenario (nx run-many -t image-test)"
exec npx nx run-many -t image-test --output-style=stream "$@"
