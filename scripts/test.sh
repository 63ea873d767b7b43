#!/usr/bin/env bash
# npm test: typecheck, lint, build, then every vitest tier (unit, then end-to-end with the real pulumi).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== pulumi $(pulumi version), node $(node --version)"
echo "== typecheck" && tsc -p tsconfig.json --noEmit
echo "== lint" && eslint .
echo "== build" && tsc -p tsconfig.build.json
echo "== tests" && vitest run "$@"
