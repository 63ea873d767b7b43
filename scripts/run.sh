#!/usr/bin/env bash
# Runs a command with the project's toolchain on PATH: scripts/run.sh [--pulumi] CMD [ARGS...]
# Every npm script goes through here, so a fresh clone whose system Node is 20 still runs on Node 22.
set -euo pipefail
source "$(dirname "$0")/toolchain.sh"
ensure_node
ensure_packages
if [ "${1:-}" = "--pulumi" ]; then
  shift
  ensure_pulumi
fi
exec "$@"
