"""Fail the oracle run on any skip when CJM_FAIL_ON_SKIP=1 (as `make test` sets): the
oracles are pinned test requirements, so a skip means a broken test environment."""

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if os.environ.get("CJM_FAIL_ON_SKIP") == "1" and skipped and session.exitstatus == 0:
        print(f"\nCJM_FAIL_ON_SKIP: {skipped} test(s) skipped; failing the run")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
