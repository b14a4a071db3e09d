"""Shared fixtures: a small valid document and paths into the repository."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Dict

import pytest

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors" / "documents"
TEMPLATES_DIR = REPO / "cjm-core" / "src" / "templates"

SMALL: Dict[str, Any] = {
    "schema_version": 1,
    "id": "small",
    "name": "Small shop",
    "personas": [{"id": "p", "name": "Shopper", "share": 0.5}],
    "stages": [
        {"id": "find", "name": "Find"},
        {"id": "buy", "name": "Buy"},
    ],
    "channels": [{"id": "web", "name": "Website", "kind": "online"}],
    "teams": [{"id": "shop", "name": "Shop team"}],
    "touchpoints": [
        {"id": "search", "name": "Search", "stage": "find", "channel": "web", "owner": "shop"},
        {"id": "checkout", "name": "Checkout", "stage": "buy", "channel": "web"},
    ],
    "pain_points": [
        {
            "id": "slow",
            "name": "Slow checkout",
            "touchpoint": "checkout",
            "severity": 3,
            "frequency": 0.2,
        }
    ],
    "extensions": {"source": "tests"},
}


@pytest.fixture
def doc() -> Dict[str, Any]:
    """A fresh copy of a small valid document, to break in one place per test."""
    return copy.deepcopy(SMALL)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With CJM_FAIL_ON_SKIP=1 (as `make test` sets), a skipped test fails the run: the
    oracles (pandas, polars, DuckDB, statsmodels, pyspark…) are pinned test requirements,
    so a skip means a broken test environment, not an optional check."""
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter is not None else 0
    if os.environ.get("CJM_FAIL_ON_SKIP") == "1" and skipped and session.exitstatus == 0:
        print(f"\nCJM_FAIL_ON_SKIP: {skipped} test(s) skipped; failing the run")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def check_tables(result: Any, tables: Dict[str, Any], at: str) -> None:
    """A result's tables against a vector's ``tables`` (``{name: {columns, rows}}``): the
    column names in full and in order (from the Arrow table), every row, numbers within
    1e-9, ``None`` where null; the same check as cjm-core/tests/common/mod.rs."""
    for name, want in tables.items():
        table = result.to_arrow(name)
        assert table.column_names == want["columns"], f"{at} {name}: columns"
        rows = [list(r.values()) for r in result.to_dicts(name)]
        assert rows == [list(r.values()) for r in table.to_pylist()], f"{at} {name}: dicts"
        assert len(rows) == len(want["rows"]), f"{at} {name}: rows"
        for i, (got, expected) in enumerate(zip(rows, want["rows"])):
            for column, g, w in zip(want["columns"], got, expected):
                where = f"{at} {name}[{i}].{column}"
                if isinstance(w, (int, float)) and not isinstance(w, bool):
                    assert g is not None and abs(g - w) < 1e-9, f"{where}: {g} != {w}"
                else:
                    assert g == w, f"{where}: {g!r} != {w!r}"
