"""Oracle for cjm's trends: an independent pandas implementation.

The definitions (docs/events.md, "Trends") are written here again with pandas' own
calendar: periods are `Series.dt.to_period("D" | "W-SUN" | "M")` of the local time
(`timestamp + offset`), the periods reported are `pd.period_range` from the period of
`since` (or of the first event read) to that of `as_of` (or of the last event read);
volume is `groupby(...).size()` and unique customers `groupby(...).nunique()`. Funnel
trends are computed attempt by attempt: a step-1 event at t0 converts when the later
steps can be taken in order (each at or after the previous step's time) by t0 + window,
found with `searchsorted` on each step's sorted times; a customer is entered in the
period of each of their step-1 events, converted there when one of those attempts
converts. cjm is called through its Python binding on logs made by `cjm.generate_log`
(the core's seeded generator, about two months of clickstream), so both sides read the
very same events.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any, Optional

import numpy as np
import pandas as pd
import pytest

cjm = pytest.importorskip("cjm", reason="the cjm package (make test-py installs it)")
from event_oracles import frame, generated, offset_of, same  # noqa: E402,F401 (a fixture)
pa = pytest.importorskip("pyarrow")

FREQ = {"day": "D", "week": "W-SUN", "month": "M"}


def local_period(ts: Any, period: str, time_zone: str) -> Any:
    local = ts + offset_of(time_zone)
    if isinstance(local, pd.Series):
        return local.dt.tz_localize(None).dt.to_period(FREQ[period])
    return local.tz_localize(None).to_period(FREQ[period])


def instant(text: str) -> pd.Timestamp:
    """An instant as the core reads it: a date alone is the start of that day in UTC."""
    t = pd.Timestamp(text)
    return t.tz_localize("UTC") if t.tzinfo is None else t


def in_range(df: pd.DataFrame, since: Optional[str], as_of: Optional[str]) -> pd.DataFrame:
    if since is not None:
        df = df[df["timestamp"] >= instant(since)]
    if as_of is not None:
        df = df[df["timestamp"] <= instant(as_of)]
    return df


def period_axis(df: pd.DataFrame, period: str, time_zone: str, since: Optional[str],
                as_of: Optional[str]) -> pd.PeriodIndex:
    first = instant(since) if since is not None else df["timestamp"].min()
    last = instant(as_of) if as_of is not None else df["timestamp"].max()
    return pd.period_range(local_period(first, period, time_zone),
                           local_period(last, period, time_zone), freq=FREQ[period])


def start_days(axis: pd.PeriodIndex) -> list[str]:
    return [p.start_time.strftime("%Y-%m-%d") for p in axis]


def series(part: pd.DataFrame, axis: pd.PeriodIndex) -> tuple[list[int], list[int]]:
    volume = part.groupby("p").size().reindex(axis, fill_value=0)
    customers = part.groupby("p")["customer"].nunique().reindex(axis, fill_value=0)
    return [int(x) for x in volume], [int(x) for x in customers]


def trends_oracle(df: pd.DataFrame, *, events: Optional[list[str]] = None, period: str = "day",
                  time_zone: str = "+00:00", since: Optional[str] = None,
                  as_of: Optional[str] = None, breakdown: Optional[str] = None) -> dict[str, Any]:
    names = sorted(set(events)) if events is not None else sorted(df["event"].unique())
    read = in_range(df, since, as_of)
    axis = period_axis(read, period, time_zone, since, as_of)
    read = read.assign(p=local_period(read["timestamp"], period, time_zone))
    chosen = read[read["event"].isin(names)]

    def table(part: pd.DataFrame) -> dict[str, Any]:
        out = []
        for name in names:
            volume, customers = series(part[part["event"] == name], axis)
            out.append({"event": name, "volume": volume, "customers": customers})
        volume, customers = series(part, axis)
        return {"events": out, "total": {"volume": volume, "customers": customers}}

    result = {"periods": start_days(axis), **table(chosen)}
    if breakdown:
        groups = []
        values = chosen[breakdown]
        for value in sorted(values.dropna().unique()):
            groups.append({"value": value, **table(chosen[values == value])})
        if values.isna().any():
            groups.append({"value": None, **table(chosen[values.isna()])})
        result["breakdown"] = groups
    return result


def funnel_trends_oracle(df: pd.DataFrame, steps: list[str], *, window: dt.timedelta,
                         period: str = "day", time_zone: str = "+00:00",
                         since: Optional[str] = None, breakdown: Optional[str] = None
                         ) -> dict[str, Any]:
    """Sequential funnel over distinct event names, no exclusions."""
    w = np.int64(window.total_seconds() * 1e9)
    ts = df["timestamp"].dt.as_unit("ns").astype("int64")  # the column may be in ms
    df = df.assign(t=ts.to_numpy(), p=local_period(df["timestamp"], period, time_zone))
    axis = period_axis(in_range(df, since, None), period, time_zone, since, None)
    rows = []  # (customer, period, group value, converted) per attempt
    for customer, mine in df.groupby("customer", sort=False):
        times = [np.sort(mine.loc[mine["event"] == s, "t"].to_numpy()) for s in steps]
        anchors = mine[mine["event"] == steps[0]]
        if since is not None:
            anchors = anchors[anchors["timestamp"] >= instant(since)]
        for t0, p, value in zip(anchors["t"], anchors["p"],
                                anchors[breakdown] if breakdown else [None] * len(anchors)):
            prev, ok = t0, True
            for later in times[1:]:
                i = np.searchsorted(later, prev, side="left")
                if i == len(later) or later[i] - t0 > w:
                    ok = False
                    break
                prev = later[i]
            rows.append((customer, p, value, ok))
    attempts = pd.DataFrame(rows, columns=["customer", "p", "value", "ok"])

    def table(part: pd.DataFrame) -> dict[str, Any]:
        entered = part.groupby("p")["customer"].nunique().reindex(axis, fill_value=0)
        converted = part[part["ok"]].groupby("p")["customer"].nunique().reindex(axis, fill_value=0)
        return {
            "entered": [int(x) for x in entered],
            "converted": [int(x) for x in converted],
            "rates": [None if e == 0 else c / e for e, c in zip(entered, converted)],
        }

    result = {"periods": start_days(axis), **table(attempts)}
    if breakdown:
        groups = []
        values = attempts["value"]
        for value in sorted(values.dropna().unique()):
            groups.append({"value": value, **table(attempts[values == value])})
        if values.isna().any():
            groups.append({"value": None, **table(attempts[values.isna()])})
        result["breakdown"] = groups
    return result


EVENTS = [None, ["purchase"], ["add_to_cart", "view_item", "session_start"]]
ZONES = ["+00:00", "+05:30", "-08:00"]
GRID = list(itertools.product(["day", "week", "month"], range(len(EVENTS)), ZONES))


@pytest.mark.parametrize("period,events,time_zone", GRID,
                         ids=[f"{p}-e{e}-{z}" for p, e, z in GRID])
def test_trends_equal_pandas(generated: Any, period: str, events: int, time_zone: str) -> None:
    log, df = generated
    options = dict(events=EVENTS[events], period=period, time_zone=time_zone)
    expected = trends_oracle(df, **options)
    actual = log.trends(**options).to_dict()
    # Tables worth comparing: several periods, customers fewer than events somewhere
    # (purchases are rarely repeated within a period), distinct totals below the sum.
    if period != "month":
        assert len(expected["periods"]) > 2
    if EVENTS[events] != ["purchase"]:
        assert any(v > c for s in expected["events"] for v, c in zip(s["volume"], s["customers"]))
        summed = [sum(s["customers"][i] for s in expected["events"])
                  for i in range(len(expected["periods"]))]
        assert any(t < x for t, x in zip(expected["total"]["customers"], summed))
    same(expected, actual)


@pytest.mark.parametrize("time_zone", ZONES)
def test_trends_ranges_and_breakdowns_equal_pandas(generated: Any, time_zone: str) -> None:
    log, df = generated
    for options in [
        dict(period="day", since="2024-01-10T12:00:00+00:00", as_of="2024-01-20T06:00:00+00:00",
             time_zone=time_zone),
        dict(events=["purchase", "view_item"], period="week", breakdown="channel",
             time_zone=time_zone),
        dict(period="day", breakdown="channel", as_of="2024-01-15", time_zone=time_zone),
        # A range wider than the log: empty periods at both ends.
        dict(events=["purchase"], period="week", since="2023-12-01", as_of="2024-04-01",
             time_zone=time_zone),
    ]:
        expected = trends_oracle(df, **options)
        actual = log.trends(**options).to_dict()
        same(expected, actual)


FUNNELS = [
    (["view_item", "add_to_cart", "purchase"], dt.timedelta(days=1)),
    (["view_item", "add_to_cart", "purchase"], dt.timedelta(days=7)),
    (["session_start", "purchase"], dt.timedelta(hours=2)),
]
FGRID = list(itertools.product(["day", "week", "month"], range(len(FUNNELS)), ZONES[:2]))


@pytest.mark.parametrize("period,funnel,time_zone", FGRID,
                         ids=[f"{p}-f{f}-{z}" for p, f, z in FGRID])
def test_funnel_trends_equal_pandas(generated: Any, period: str, funnel: int,
                                    time_zone: str) -> None:
    log, df = generated
    steps, window = FUNNELS[funnel]
    expected = funnel_trends_oracle(df, steps, window=window, period=period,
                                    time_zone=time_zone)
    actual = log.funnel_trends(steps, window=window, period=period,
                               time_zone=time_zone).to_dict()
    assert sum(expected["converted"]) > 0 and sum(expected["entered"]) > sum(expected["converted"])
    same(expected, actual)


def test_funnel_trends_since_and_breakdown_equal_pandas(generated: Any) -> None:
    log, df = generated
    steps, window = FUNNELS[1]
    for since in [None, "2024-01-20T00:00:00+00:00"]:
        expected = funnel_trends_oracle(df, steps, window=window, period="week",
                                        since=since, breakdown="channel")
        actual = log.funnel_trends(steps, window=window, period="week", since=since,
                                   breakdown="channel").to_dict()
        assert len(expected["breakdown"]) > 2
        same(expected, actual)
