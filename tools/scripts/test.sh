#!/usr/bin/env bash
# The test command: set up, type-check, lint, run the unit and integration tests
# against the real engine, and end with one line 'tests: N passed, N failed'.
# Extra arguments go to vitest, e.g. `npm test -- --project unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bash tools/scripts/bootstrap.sh
bash tools/scripts/test-setup.sh
echo "typecheck: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit
echo "lint: nx run-many -t lint (the layers' module boundaries, see docs/architecture.md)"
node_modules/.bin/nx run-many -t lint --output-style=static
mkdir -p dist
results=dist/test-results.json
rm -f "$results"
set +e
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
status=$?
set -e
if [ -f "$results" ]; then
  node -e '
    const r = require(process.argv[1]);
    const failed = r.numFailedTests + (r.numFailedTestSuites && !r.numFailedTests ? r.numFailedTestSuites : 0);
    console.log(`tests: ${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
    if (r.numTotalTests === 0) { console.error("no test ran"); process.exit(1); }
  ' "$PWD/$results" || status=1
fi
exit $status
