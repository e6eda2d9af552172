#!/usr/bin/env bash
# The baseline of the benchmark: a plain shell loop of `docker build` over the
# same Dockerfiles and contexts, in dependency order, the way one would chain
# images by hand. Root images get their rootfs.tar from mmdebstrap (same
# arguments as the image target). Workspace parents are named by a loop tag.
# Usage: docker-build-loop.sh WORKSPACE TAG [--no-cache] IMAGE...
set -euo pipefail
ws="$1"; tag="$2"; shift 2
nocache=""
if [ "${1:-}" = "--no-cache" ]; then nocache="--no-cache"; shift; fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
names=" $* "
for image in "$@"; do
  ctx="$work/$image"
  mkdir -p "$ctx"
  cp -a "$ws/images/$image/." "$ctx/"
  if [ -f "$ctx/rootfs.json" ]; then
    args="$(node -e '
      const spec = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const a = ["--variant=" + (spec.variant || "minbase"), "--format=tar"];
      if (spec.include && spec.include.length) a.push("--include=" + [...spec.include].sort().join(","));
      a.push(spec.suite, process.argv[2], ...(spec.mirrors || ["http://deb.debian.org/debian"]));
      console.log(a.map((x) => JSON.stringify(x)).join(" "));
    ' "$ctx/rootfs.json" "$ctx/rootfs.tar")"
    eval "SOURCE_DATE_EPOCH=946684800 mmdebstrap --quiet $args" >/dev/null 2>&1
  fi
  # FROM <workspace image> -> FROM <workspace image>:<loop tag>
  awk -v names="$names" -v tag="$tag" '
    toupper($1) == "FROM" { for (i = 2; i <= NF; i++) if ($i !~ /^--/) { if (index(names, " " $i " ") > 0) $i = $i ":" tag; break } }
    { print }' "$ctx/Dockerfile" > "$ctx/Dockerfile.loop"
  mkdir -p "$ctx/.zuul-siblings"   # where handed-over checkouts go; none in the baseline
  DOCKER_BUILDKIT=0 docker build -q $nocache --network host -f "$ctx/Dockerfile.loop" -t "$image:$tag" "$ctx" >/dev/null
done
