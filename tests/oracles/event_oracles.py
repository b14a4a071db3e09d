"""Shared by the pandas oracles of event analyses (retention, trends): the generated logs
and the pandas frame the oracles read, UTC offsets, and a comparison of results."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest

cjm = pytest.importorskip("cjm", reason="the cjm package (make test-py installs it)")


def frame(table: Any) -> pd.DataFrame:
    df = table.to_pandas()
    df["row"] = range(len(df))
    return df


def offset_of(text: str) -> pd.Timedelta:
    if text in ("UTC", "Z"):
        return pd.Timedelta(0)
    sign = -1 if text[0] == "-" else 1
    hours, minutes = text[1:].split(":")
    return sign * pd.Timedelta(hours=int(hours), minutes=int(minutes))


def same(expected: Any, actual: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            same(value, actual[key], f"{path}.{key}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), f"{path}: {len(expected)} != {len(actual)}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            same(e, a, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert actual is not None and math.isclose(expected, actual, rel_tol=1e-12, abs_tol=1e-12), \
            f"{path}: {expected} != {actual}"
    else:
        assert expected == actual, f"{path}: {expected!r} != {actual!r}"


@pytest.fixture(scope="module", params=[(500, 3), (300, 20260101)], ids=["seed3", "seed20260101"])
def generated(request: Any) -> tuple[Any, pd.DataFrame]:
    customers, seed = request.param
    table = cjm.generate_log(customers, seed)
    log = cjm.EventLog.from_arrow(table, customer="customer", timestamp="timestamp",
                                  event="event", channel="channel", session="session",
                                  progress=False)
    return log, frame(table)
