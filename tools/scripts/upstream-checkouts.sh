#!/usr/bin/env bash
# Sibling checkouts of the upstream sources the images are built from, the way
# a Zuul job hands them over: nodepool, openstacksdk and diskimage-builder
# cloned at their pinned releases into the siblings folder (default: the
# folder that holds this workspace, so ../nodepool; IMAGE_SOURCES_SIBLINGS
# changes it), from git bundles (IMGMONO_UPSTREAM, default ../shared/upstream)
# for machines that reach no git hosting. A checkout that is already there is
# left alone (it may carry a change under test). With network access, the same
# is: git clone --branch <ref> https://opendev.org/<project> ../<name>
# Also zuul-jobs (../zuul-jobs), whose roles the Zuul tests run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
siblings="${IMAGE_SOURCES_SIBLINGS:-$(cd .. && pwd)}"
bundles="${IMGMONO_UPSTREAM:-$(cd .. && pwd)/shared/upstream}"
say() { echo "upstream-checkouts: $*"; }
mkdir -p "$siblings"
for declaration in sources/*/source.json; do
  name="$(basename "$(dirname "$declaration")")"
  ref="$(node -p "require('./$declaration').ref")"
  target="$siblings/$name"
  if [ -d "$target/.git" ]; then
    say "$name: $target is already a checkout ($(git -C "$target" describe --tags --always 2>/dev/null)); left as it is"
    continue
  fi
  bundle="$bundles/$name-$ref.bundle"
  if [ ! -f "$bundle" ]; then
    say "$name: no bundle $bundle; clone it yourself: git clone --branch $ref $(node -p "require('./$declaration').url") $target" >&2
    exit 1
  fi
  git clone -q "$bundle" "$target"
  say "$name: cloned $bundle into $target ($(git -C "$target" describe --tags))"
done
if [ -d "$siblings/zuul-jobs/.git" ]; then
  say "zuul-jobs: $siblings/zuul-jobs is already a checkout; left as it is"
elif [ -f "$bundles/zuul-jobs.bundle" ]; then
  git clone -q "$bundles/zuul-jobs.bundle" "$siblings/zuul-jobs"
  say "zuul-jobs: cloned $bundles/zuul-jobs.bundle into $siblings/zuul-jobs"
else
  say "zuul-jobs: no bundle $bundles/zuul-jobs.bundle; clone it yourself: git clone https://opendev.org/zuul/zuul-jobs $siblings/zuul-jobs" >&2
  exit 1
fi
