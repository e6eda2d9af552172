#!/usr/bin/env bash
# The main job: set up, build every image project in dependency order
# (independent branches in parallel), then print the run's summary.
# Extra arguments go to nx, e.g. `npm run images -- --parallel=1`
# or `npm run images -- --projects=opendev/openstacksdk`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/scripts/bootstrap.sh
export IMAGE_RUN_ID="${IMAGE_RUN_ID:-run-$(date -u +%Y%m%dT%H%M%SZ)-$$}"
# every image task of the run in one process (the image executor's batch implementation)
export NX_BATCH_MODE="${NX_BATCH_MODE:-true}"
# Nx 23 runs every plugin, its own core ones too, in a worker process of its own, started
# anew by each command when the daemon is off (as in CI): 1.3 s against 0.5 s for
# `nx show projects` here. Our plugin needs no isolation (docs/performance.md).
export NX_ISOLATE_PLUGINS="${NX_ISOLATE_PLUGINS:-false}"
# Nx itself, not through npx (which costs about 0.4 s a call)
NX=node_modules/.bin/nx
summary() { node tools/image-plugin/run-script.js image-summary "$@"; }
# The summary's process starts now, beside Nx, and waits for the wall time on a named pipe:
# its start-up overlaps the run's instead of following it.
# The shell holds the pipe open for reading and writing, so no open or write ever blocks;
# the summary sees the end of it when the shell closes its end (fd 3).
work="$(mktemp -d)"
mkfifo "$work/wall"
exec 3<>"$work/wall"
summary --wall-from "$work/wall" 3>&- &
summary_pid=$!
cleanup() {
  exec 3>&- # nothing written: the summary ends without printing
  wait "$summary_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
start=$(date +%s%N)
set +e
"$NX" run-many -t image --output-style=stream "$@"
status=$?
set -e
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wall="$((ms / 1000)).$(printf %03d $((ms % 1000)))"
echo
# the image tasks wrote the run's image projects; when none ran, Nx is asked for them
echo "$wall" >&3
exec 3>&-
listed=0
wait "$summary_pid" || listed=$?
if [ "$listed" = 3 ]; then
  projects="$work/projects.json"
  if ! "$NX" show projects --with-target image --json > "$projects" 2>&1; then
    # Nx could not read the workspace: show what it said, and name any project file that is
    # not valid JSON (Nx 23 reports only "Failed to create project configurations" for one)
    cat "$projects" >&2
    bash tools/scripts/ts-node.sh tools/scripts/broken-project-files.ts . || true
    echo "build-images: Nx cannot read the workspace; nothing was built" >&2
    exit 1
  fi
  summary "$wall" "$projects"
elif [ "$listed" != 0 ]; then
  exit "$listed"
fi
exit $status
