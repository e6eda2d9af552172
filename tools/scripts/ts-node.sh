#!/usr/bin/env bash
# Runs a TypeScript file of the workspace with the @imgmono/* paths of tsconfig.base.json.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SWC_NODE_PROJECT="$here/tsconfig.base.json" exec node -r @swc-node/register "$@"
