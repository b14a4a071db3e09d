#!/usr/bin/env bash
# Builds the cjm Python extension and installs it (the distribution `cjm-journeys`, module
# `cjm`) into the virtual environment of $PYTHON (default: the repository's .venv), as
# `maturin develop` does.
# CJM_PY_RELEASE=1 builds with optimisations (default: a debug build, faster to compile).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate="$(dirname "$here")"
root="$(dirname "$crate")"
cd "$root"
PYTHON="$(command -v "${PYTHON:-$root/.venv/bin/python}" 2>/dev/null || true)"
venv="$([[ -n "$PYTHON" ]] && "$PYTHON" -c 'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")' || true)"
if [[ -z "$venv" ]]; then
    echo "develop.sh: set PYTHON to a virtual environment's python (scripts/setup.sh python makes .venv)" >&2
    exit 2
fi
# The distribution is `cjm-journeys` (the module is `cjm`). A distribution named `cjm` in
# this environment would own the same module: this project's own, from before the rename,
# or PyPI's unrelated `cjm`. It is removed first, so that `import cjm` is this build.
if "$PYTHON" -m pip show cjm >/dev/null 2>&1; then
    echo "develop.sh: uninstalling the distribution \`cjm\` from $venv (this package is \`cjm-journeys\`)" >&2
    "$PYTHON" -m pip uninstall --yes --quiet cjm
fi
profile=()
if [[ "${CJM_PY_RELEASE:-0}" == 1 ]]; then profile=(--release); fi
VIRTUAL_ENV="$venv" PATH="$venv/bin:$PATH" \
    "$PYTHON" -m maturin develop --quiet --manifest-path "$crate/Cargo.toml" "${profile[@]}"
