#!/usr/bin/env bash
# Builds the cjm Python extension into the current virtual environment and checks it:
# stubs against the compiled module (mypy.stubtest), the typed example (mypy --strict),
# the example itself, and the pytest suite (golden vectors included).
#
# Usage, from anywhere in the repository (after `pip install -r cjm-py/requirements-test.txt`):
#   PYTHON=.venv/bin/python bash cjm-py/scripts/test.sh [pytest args...]
# PYTHON defaults to `python`; it must be a virtual environment's interpreter.
# CJM_PY_RELEASE=1 builds with optimisations (default: a debug build, faster to compile).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
crate="$(dirname "$here")"          # cjm-py/
root="$(dirname "$crate")"          # the repository
cd "$root"

PYTHON="${PYTHON:-python}"
# An absolute interpreter path (it may have been given relative to the repository root).
PYTHON="$(command -v "$PYTHON" 2>/dev/null || true)"
if [[ -z "$PYTHON" ]]; then
    echo "test.sh: no Python interpreter (set PYTHON to a virtual environment's python)" >&2
    exit 2
fi
venv="$("$PYTHON" -c 'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")')"
if [[ -z "$venv" ]]; then
    echo "test.sh: $PYTHON is not in a virtual environment; create one first:" >&2
    echo "  python3 -m venv .venv && .venv/bin/pip install -r cjm-py/requirements-test.txt" >&2
    exit 2
fi

step() { printf '\n==> %s\n' "$*"; }

step "build and install the extension into $venv"
PYTHON="$PYTHON" "$here/develop.sh"

export MYPY_CACHE_DIR="${MYPY_CACHE_DIR:-${TMPDIR:-/tmp}/cjm-py-mypy-cache}"
mypy_config="$crate/pyproject.toml"

step "stubtest: python/cjm/_cjm.pyi against the compiled module"
"$PYTHON" -m mypy.stubtest cjm --mypy-config-file "$mypy_config"

step "mypy --strict: the package, the example and the tests"
"$PYTHON" -m mypy --strict --config-file "$mypy_config" \
    "$crate/python/cjm" "$crate/examples/quickstart.py" "$crate/tests"

step "run the example"
"$PYTHON" "$crate/examples/quickstart.py"

step "pytest"
"$PYTHON" -m pytest "$crate/tests" -p no:cacheprovider "$@"
