#!/usr/bin/env bash
# Builds the package and runs every cjm-wasm test:
#   1. node --test tests/   golden vectors, API and type-drift tests on the Node.js build
#   2. cargo test --target wasm32-unknown-unknown   wasm-bindgen-test in headless Chromium
#   3. node --test e2e/     the checker page in Chromium through playwright-core, including
#                           a 1M-event CSV analysed by the worker (e2e/million.test.mjs)
#
# Assumes the set-up is done: `npm ci` in cjm-wasm/, Chromium and chromedriver installed
# (Debian: apt-get install chromium chromium-driver), wasm-bindgen-cli on PATH at the
# version in Cargo.lock.
set -euo pipefail

crate_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo_root="$(cd "$crate_dir/.." && pwd)"
cd "$repo_root"

bash "$crate_dir/scripts/build.sh"

echo "== node tests (pkg/node)"
node --test "$crate_dir/tests/"

echo "== wasm-bindgen-test in headless Chromium"
CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-120}" \
WASM_BINDGEN_TEST_WEBDRIVER_JSON="$crate_dir/webdriver.json" \
    cargo test -p cjm-wasm --target wasm32-unknown-unknown

echo "== end to end: www/ in Chromium"
node --test "$crate_dir/e2e/"
