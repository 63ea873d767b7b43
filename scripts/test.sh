#!/usr/bin/env bash
# npm test: typecheck, lint, build, then every vitest tier (unit, then end-to-end with the real pulumi).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== pulumi $(pulumi version), node $(node --version)"
echo "== typecheck" && tsc -p tsconfig.json --noEmit
echo "== lint" && eslint .
echo "== actionlint" && source scripts/toolchain.sh && ensure_actionlint && actionlint examples/gitops/.github/workflows/*.yml
echo "== build" && tsc -p tsconfig.build.json
echo "== tests"
results=$(mktemp)
status=0
vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line, whatever reads the log.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$results" || true
rm -f "$results"
exit "$status"
