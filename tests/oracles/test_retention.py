"""Oracle for cjm's retention cohorts: an independent pandas implementation.

The definition (docs/events.md, "Retention") is written here again with pandas' own
calendar: periods are `Series.dt.to_period("D" | "W-SUN" | "M")` of the local time
(`timestamp + offset`; weeks ending on Sunday start on Monday), the distance between two
periods is the difference of their ordinals, cohort entries are the first row of each key
(`drop_duplicates` in the order (time, row)), returns come from a merge, and unobservable
cells from the period of the last timestamp (or `as_of`). cjm is called through its
Python binding on logs made by `cjm.generate_log` (the core's seeded generator, about two
months of clickstream), so both sides read the very same events; every option is
exercised.
"""

from __future__ import annotations

import itertools
from typing import Any, Optional

import pandas as pd
import pytest

cjm = pytest.importorskip("cjm", reason="the cjm package (make test-py installs it)")
from event_oracles import frame, generated, offset_of, same  # noqa: E402,F401 (a fixture)
pa = pytest.importorskip("pyarrow")

FREQ = {"day": "D", "week": "W-SUN", "month": "M"}


def names(spec: Any) -> Optional[list[str]]:
    if spec is None:
        return None
    return [spec] if isinstance(spec, str) else list(spec)


def oracle(df: pd.DataFrame, *, start_event: Any = None, return_event: Any = None,
           period: str = "day", periods: int = 10, mode: str = "on",
           cohort: str = "first_time", time_zone: str = "+00:00",
           as_of: Optional[str] = None, breakdown: Optional[str] = None) -> dict[str, Any]:
    """The retention table of `df` by the definition, in cjm's result shape (subset)."""
    df = df.sort_values(["customer", "timestamp", "row"], kind="stable")
    if as_of is not None:
        df = df[df["timestamp"] <= pd.Timestamp(as_of)]
    local = (df["timestamp"] + offset_of(time_zone)).dt.tz_localize(None)
    per = local.dt.to_period(FREQ[period])
    df = df.assign(p=per.array.asi8, start_day=per.dt.start_time.dt.strftime("%Y-%m-%d"))
    end_ts = pd.Timestamp(as_of) if as_of is not None else df["timestamp"].max()
    end = (end_ts + offset_of(time_zone)).tz_localize(None).to_period(FREQ[period]).ordinal

    starts = df if names(start_event) is None else df[df["event"].isin(names(start_event))]
    returns = df if names(return_event) is None else df[df["event"].isin(names(return_event))]
    # Cohort entries: the first start event of the customer (first time) or of each of
    # their periods (recurring), with the breakdown value there.
    keys = ["customer"] if cohort == "first_time" else ["customer", "p"]
    entries = starts.drop_duplicates(keys, keep="first")
    entries = entries[["customer", "p", "start_day"] + ([breakdown] if breakdown else [])]
    ret = returns[["customer", "p"]].drop_duplicates().rename(columns={"p": "r"})

    def table(e: pd.DataFrame) -> dict[str, Any]:
        m = e.merge(ret, on="customer", how="left")
        m["k"] = m["r"] - m["p"]
        counts: dict[tuple[int, int], int] = {}
        if mode == "on":
            hit = m[(m["k"] >= 1) & (m["k"] <= periods)]
            for (p, k), n in hit.groupby(["p", "k"])["customer"].nunique().items():
                counts[(int(p), int(k))] = int(n)
        else:
            last = m.groupby(["customer", "p"])["k"].max().reset_index()
            for k in range(1, periods + 1):
                for p, n in last[last["k"] >= k].groupby("p")["customer"].nunique().items():
                    counts[(int(p), k)] = int(n)
        cohorts = []
        by_p = e.groupby("p").agg(size=("customer", "nunique"), start=("start_day", "first"))
        for p, row in by_p.sort_index().iterrows():
            size = int(row["size"])
            retained = [size if k == 0 else counts.get((int(p), k), 0) for k in range(periods + 1)]
            retained = [x if p + k <= end else None for k, x in enumerate(retained)]
            cohorts.append({"period_start": row["start"], "size": size, "retained": retained,
                            "rates": [None if x is None else x / size for x in retained]})
        weighted, simple = [], []
        for k in range(periods + 1):
            seen = [c for c in cohorts if c["retained"][k] is not None]
            sizes = sum(c["size"] for c in seen)
            weighted.append(sum(c["retained"][k] for c in seen) / sizes if seen else None)
            simple.append(sum(c["rates"][k] for c in seen) / len(seen) if seen else None)
        return {"customers": int(e["customer"].nunique()), "cohorts": cohorts,
                "mean": {"weighted": weighted, "simple": simple}}

    out = table(entries)
    if breakdown:
        groups = []
        values = entries[breakdown]
        for value in sorted(values.dropna().unique()):
            groups.append({"value": value, **table(entries[values == value])})
        if values.isna().any():
            groups.append({"value": None, **table(entries[values.isna()])})
        out["breakdown"] = groups
    return out


EVENTS = [
    (None, None),
    ("session_start", "purchase"),
    (["add_to_cart", "view_item"], ["purchase", "session_start"]),
]
GRID = list(itertools.product(["day", "week", "month"], ["on", "on_or_after"],
                              ["first_time", "recurring"], range(len(EVENTS))))


@pytest.mark.parametrize("period,mode,cohort,events", GRID,
                         ids=[f"{p}-{m}-{c}-e{e}" for p, m, c, e in GRID])
def test_retention_equals_pandas(generated: Any, period: str, mode: str, cohort: str,
                                 events: int) -> None:
    log, df = generated
    start_event, return_event = EVENTS[events]
    options = dict(start_event=start_event, return_event=return_event, period=period,
                   periods={"day": 30, "week": 8, "month": 2}[period], mode=mode,
                   cohort=cohort, time_zone="+00:00")
    expected = oracle(df, **options)
    actual = log.retention(**options).to_dict()
    # Tables worth comparing: several cohorts, returns and null cells (every first visit
    # is in January, so first-time months have one cohort, and February purchases are rare).
    assert any(x is None for c in expected["cohorts"] for x in c["retained"]), "null cells"
    if period != "month":
        assert len(expected["cohorts"]) > 1
        assert any(c["retained"][1] for c in expected["cohorts"]), "a table with returns"
    same(expected, actual)


@pytest.mark.parametrize("time_zone", ["+05:30", "-08:00", "+14:00"])
def test_time_zones_breakdowns_and_as_of_equal_pandas(generated: Any, time_zone: str) -> None:
    log, df = generated
    for options in [
        dict(period="day", periods=7, time_zone=time_zone),
        dict(start_event="session_start", return_event="purchase", period="week", periods=5,
             cohort="recurring", mode="on_or_after", time_zone=time_zone, breakdown="channel"),
        dict(period="day", periods=10, time_zone=time_zone, breakdown="channel",
             as_of="2024-01-20T06:00:00+00:00"),
        dict(start_event=["add_to_cart"], period="month", periods=2, time_zone=time_zone,
             as_of="2024-02-01T00:00:00+00:00", breakdown="channel"),
    ]:
        expected = oracle(df, **options)
        actual = log.retention(**options).to_dict()
        same(expected, actual)
    # The offset moves events across day boundaries: the tables differ from UTC.
    utc = log.retention(period="day", periods=7).to_dict()
    assert utc["cohorts"] != log.retention(period="day", periods=7, time_zone=time_zone).to_dict()["cohorts"]
