#!/usr/bin/env bash
# Installs every tool the demo and the tests need, idempotently, so that a fresh machine
# needs nothing but this repository: the wasm target, wasm-bindgen-cli at the version in
# Cargo.lock, Debian's Chromium and ChromeDriver, a Python virtualenv with the test
# packages, and the npm packages of cjm-wasm. What is already there is kept (cache).
#
#   scripts/setup.sh [python] [wasm] [browser]    (no argument: all three)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

parts=("$@")
has() { [ ${#parts[@]} -eq 0 ] && return 0; for p in "${parts[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

setup_python() {
  if [ ! -x .venv/bin/python ]; then
    log "creating .venv"
    python3 -m venv .venv
  fi
  local stamp=.venv/.requirements.sha
  local want_sha
  want_sha=$(cat cjm-py/requirements-test.txt tests/oracles/requirements.txt docs/requirements.txt | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want_sha" ]; then
    log "installing Python test packages and oracles (channelattribution compiles C++, ~1 min once)"
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -r cjm-py/requirements-test.txt -r tests/oracles/requirements.txt \
      -r docs/requirements.txt
    echo "$want_sha" > "$stamp"
  fi
}

setup_wasm() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
  local version
  version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
  if [ -z "$version" ]; then
    echo "setup: no wasm-bindgen in Cargo.lock" >&2
    exit 1
  fi
  if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$version" ]; then
    log "installing wasm-bindgen-cli $version (a few minutes, once)"
    cargo install --quiet wasm-bindgen-cli --version "=$version"
  fi
  if [ ! -d cjm-wasm/node_modules ] || [ cjm-wasm/package-lock.json -nt cjm-wasm/node_modules/.package-lock.json ]; then
    log "installing npm packages of cjm-wasm"
    (cd cjm-wasm && npm ci --no-audit --no-fund --loglevel=error)
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "installing Debian's chromium and chromium-driver"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

has python && setup_python
has wasm && setup_wasm
has browser && setup_browser
log "ready ($root)"
