# The README's two commands:
#   make demo   set up, then run the demo analysis on bundled sample data
#   make test   set up, then run every test: Rust, Python, node and headless Chromium
# Everything they need is installed by scripts/setup.sh (idempotent; kept as a cache).

SHELL := bash
PYTHON := $(CURDIR)/.venv/bin/python
# One interpreter for cargo and maturin, so pyo3 is not rebuilt between them.
PYO3_PYTHON := $(PYTHON)
# In the test command a skipped Python test fails the run (see cjm-py/tests/conftest.py).
CJM_FAIL_ON_SKIP := 1
export PYTHON PYO3_PYTHON CJM_FAIL_ON_SKIP

.PHONY: demo test setup test-rust test-py test-js test-pictures test-report-xss test-oracles test-docs test-notebook lint schema

demo:
	scripts/setup.sh python
	cjm-py/scripts/develop.sh
	$(PYTHON) examples/demo.py

test: setup lint test-rust test-py test-js test-pictures test-report-xss test-oracles test-docs test-notebook
	@echo "all test suites passed"

setup:
	scripts/setup.sh

lint:
	scripts/setup.sh python
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings
	# Every intra-doc link resolves (a broken one is a warning, made an error here).
	RUSTDOCFLAGS="-D warnings" cargo doc -q --workspace --no-deps

test-rust:
	cargo test --workspace --exclude cjm-py
	cargo run -q -p cjm-core --example quickstart

test-py:
	cjm-py/scripts/test.sh

# The browser build's own lints first (some only fire where `usize` is 32 bits).
test-js:
	cargo clippy -q -p cjm-wasm --target wasm32-unknown-unknown -- -D warnings
	cjm-wasm/scripts/test.sh

# Pictures rendered to PNG in headless Chromium, each checked to be a real picture.
test-pictures:
	rm -rf out/pictures
	cargo run -q -p cjm-core --example render -- out/pictures
	node scripts/render-pngs.mjs out/pictures
	node scripts/check-pngs.mjs out/pictures

# The HTML report against known SVG/HTML script-injection vectors in headless Chromium:
# fails if any script runs, with or without the page's Content-Security-Policy.
test-report-xss:
	rm -rf out/report-xss
	cargo run -q -p cjm-core --example report_xss -- out/report-xss
	node scripts/check-report-xss.mjs out/report-xss

# Results checked live against other tools: channelattribution and numpy for attribution,
# pandas for the funnel's median and p90.
test-oracles:
	$(PYTHON) -m pytest tests/oracles -q -p no:cacheprovider

# The analysis notebook, executed headlessly with a fresh kernel from the venv; any cell
# error fails. It is committed without outputs.
test-notebook:
	cjm-py/scripts/develop.sh
	$(PYTHON) docs/examples/run_notebook.py

# The documentation site, with the Python API reference from the stubs; warnings fail.
test-docs:
	NO_MKDOCS_2_WARNING=1 $(CURDIR)/.venv/bin/mkdocs build --strict --quiet

# Regenerate what follows from the Rust types: the JSON Schemas and the TypeScript types.
schema:
	CJM_BLESS=1 cargo test -q -p cjm-core --test schema_drift
	node cjm-wasm/scripts/gen-types.mjs
