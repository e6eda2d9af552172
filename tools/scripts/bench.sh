#!/usr/bin/env bash
# npm run bench: set up (as the other commands do), then run the benchmark script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/scripts/bootstrap.sh
# CI's mode, the one the figures are about: no daemon, no terminal UI (Nx turns both off in CI)
export NX_DAEMON=false NX_TUI=false
# as the main job runs Nx (see build-images.sh); the floors measured beside it run the same way
export NX_ISOLATE_PLUGINS="${NX_ISOLATE_PLUGINS:-false}"
exec bash tools/scripts/ts-node.sh tools/bench/bench.ts "$@"
