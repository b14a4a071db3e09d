"""A catalogue of likely mistakes (issue 15): each is loud, with a stable code and a message
that names the fix, never a silent empty or zero result; and no NaN or -0.0 in any
output. The rules are the core's; these tests check they reach Python."""

from __future__ import annotations

import gzip
import json
import math
import warnings
from pathlib import Path
from typing import Any

import pytest

import cjm

pa = pytest.importorskip("pyarrow")

SHOP = (
    "customer,timestamp,event\n"
    "u1,2024-03-01T10:00:00Z,catalog\n"
    "u1,2024-03-01T10:05:00Z,purchase\n"
    "u2,2024-03-01T11:00:00Z,catalog\n"
    "u3,2024-03-01T12:00:00Z,purchased_gift\n"
)
NAIVE = "customer,timestamp,event\nu1,2024-03-01 10:00:00,catalog\nu1,2024-03-01 10:05:00,purchase\n"


def shop() -> cjm.EventLog:
    return cjm.EventLog.from_csv(SHOP, customer="customer", timestamp="timestamp", event="event")


def no_nan_or_negative_zero(value: Any, at: str = "") -> None:
    if isinstance(value, float):
        assert not math.isnan(value), f"NaN at {at}"
        assert not (value == 0.0 and math.copysign(1.0, value) < 0), f"-0.0 at {at}"
    elif isinstance(value, dict):
        for k, v in value.items():
            no_nan_or_negative_zero(v, f"{at}.{k}")
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            no_nan_or_negative_zero(v, f"{at}[{i}]")


def raises(code: str, *words: str) -> Any:
    """Context: an InputError with `code` whose message contains every word."""

    class Check:
        def __enter__(self) -> None:
            self.ctx = pytest.raises(cjm.InputError)
            self.info = self.ctx.__enter__()

        def __exit__(self, *exc: Any) -> bool:
            handled = self.ctx.__exit__(*exc)
            err = self.info.value
            assert err.code == code, f"{err.code}: {err}"
            for w in words:
                assert w in str(err), f"`{w}` not in: {err}"
            return bool(handled)

    return Check()


# ---------------------------------------------------------------------------------------
# Naive timestamps


def test_naive_csv_timestamps_raise_naming_assume_utc() -> None:
    with raises("naive_timestamp", "assume_utc=True", "2024-03-01 10:00:00"):
        cjm.EventLog.from_csv(NAIVE, customer="customer", timestamp="timestamp", event="event")
    with raises("naive_timestamp"):
        cjm.EventLog.from_csv(NAIVE, customer="customer", timestamp="timestamp", event="event", strict=True)
    log = cjm.EventLog.from_csv(NAIVE, customer="customer", timestamp="timestamp", event="event", assume_utc=True)
    assert len(log) == 2


def test_naive_arrow_strings_raise_like_arrow_timestamps() -> None:
    table = pa.table({"c": ["u1"], "t": ["2024-03-01T10:00:00"], "e": ["catalog"]})
    with raises("naive_timestamp", "assume_utc=True"):
        cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", progress=False)
    naive = pa.table({"c": ["u1"], "t": pa.array([0], pa.timestamp("ms")), "e": ["catalog"]})
    with raises("naive_timestamp", "assume_utc=True"):
        cjm.EventLog.from_arrow(naive, customer="c", timestamp="t", event="e", progress=False)
    ok = cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", assume_utc=True, progress=False)
    assert len(ok) == 1


# ---------------------------------------------------------------------------------------
# No row used


def test_no_row_used_warns_with_reasons_counts_and_a_sample() -> None:
    text = "customer,timestamp,event\nu1,01/03/2024 10:00,catalog\nu2,01/03/2024 11:00,view\n"
    with pytest.warns(cjm.IngestWarning) as record:
        log = cjm.EventLog.from_csv(text, customer="customer", timestamp="timestamp", event="event")
    assert len(log) == 0
    w = record[0].message
    assert isinstance(w, cjm.IngestWarning) and w.code == "no_rows_used"
    for part in ("2 × invalid_timestamp", "`01/03/2024 10:00`", "ISO-8601"):
        assert part in str(w)
    assert log.ingest_report.warnings == [("no_rows_used", str(w))]
    # Strict: the first bad row stops the read.
    with raises("invalid_timestamp"):
        cjm.EventLog.from_csv(text, customer="customer", timestamp="timestamp", event="event", strict=True)
    # Through Arrow too, and an input where every row is filtered raises in strict mode.
    table = pa.table({"c": ["u1", "u2"], "t": ["yesterday", "today"], "e": ["a", "b"]})
    with pytest.warns(cjm.IngestWarning, match="sample|e.g."):
        cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", progress=False)
    consent = pa.table({"c": ["u1"], "t": ["2024-03-01T10:00:00Z"], "e": ["a"], "ok": [False]})
    with raises("no_rows_used", "without consent"):
        cjm.EventLog.from_arrow(consent, customer="c", timestamp="t", event="e", consent="ok", strict=True, progress=False)


def test_a_usable_log_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        log = shop()
    assert log.ingest_report.warnings == []


# ---------------------------------------------------------------------------------------
# gzip


def test_gzip_csv_is_read_transparently(tmp_path: Path) -> None:
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(SHOP.encode()))
    zipped = cjm.EventLog.from_csv(path, customer="customer", timestamp="timestamp", event="event")
    assert zipped.ingest_report.to_dict() == shop().ingest_report.to_dict()
    assert zipped.funnel(["catalog", "purchase"]).customers == [2, 1]
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(SHOP.encode())[:40])
    with raises("invalid_csv", "gzip"):
        cjm.EventLog.from_csv(cut, customer="customer", timestamp="timestamp", event="event")


# ---------------------------------------------------------------------------------------
# Unknown events and columns


def test_misspelt_event_names_raise_with_the_closest_names() -> None:
    log = shop()
    with raises("unknown_event", "`purchse`", "`purchase`", "allow_missing_events=True"):
        log.funnel(["catalog", "purchse"])
    with raises("unknown_event", "`refnd`"):
        log.funnel(["catalog", "purchase"], exclusions=[{"step": "refnd", "between": (0, 1)}])
    with raises("unknown_event", "`purchase`"):
        log.drivers("purchse")
    with raises("unknown_event", "conversion event `purchse`", "`purchase`"):
        log.attribute(conversion_events=["purchse"], touch="event")
    # The explicit opt-out, for logs that legitimately lack the event.
    f = log.funnel(["catalog", "refund"], allow_missing_events=True)
    assert f.customers == [2, 0]
    assert log.drivers("refund", allow_missing_events=True, min_support=1).to_dict()["converters"] == 0
    log.attribute(conversion_events=["refund"], touch="event", allow_missing_events=True)


def test_attribution_and_breakdown_by_a_missing_column_raise() -> None:
    log = shop()
    with raises("unknown_column", 'channel="', 'touch="event"'):
        log.attribute(conversion_events=["purchase"])
    with raises("unknown_column", 'channel="'):
        log.funnel(["catalog", "purchase"], breakdown="channel")
    with raises("unknown_column", 'extra=["country"]'):
        log.funnel(["catalog", "purchase"], breakdown="country")


# ---------------------------------------------------------------------------------------
# No -0.0, no NaN


def test_attribution_has_no_negative_zero() -> None:
    log = shop()
    result = log.attribute(conversion_events=["purchase"], touch="event")
    d = result.to_dict()
    no_nan_or_negative_zero(d)
    assert "-0" not in json.dumps(d["totals"])
    assert "-0 " not in repr(result)
    empty = cjm.attribute([{"path": "", "total_conversions": 2}])
    no_nan_or_negative_zero(empty.to_dict())


# ---------------------------------------------------------------------------------------
# Defaults that agree with the anchors


def test_funnel_median_is_numpys_by_default() -> None:
    seconds = [300, 300, 300, 17_940, 173_100, 604_800]
    rows = []
    for i, s in enumerate(seconds):
        rows.append((f"c{i}", 1_709_287_200_000, "view"))
        rows.append((f"c{i}", 1_709_287_200_000 + s * 1000, "buy"))
    table = pa.table({"c": [r[0] for r in rows], "t": [r[1] for r in rows], "e": [r[2] for r in rows]})
    log = cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", unit="ms", progress=False)
    t = log.funnel(["view", "buy"]).to_dict()["steps"][1]["time_from_first"]
    assert (t["median_seconds"], t["p90_seconds"]) == (9120.0, 388950.0)
    t = log.funnel(["view", "buy"], percentile="nearest_rank").to_dict()["steps"][1]["time_from_first"]
    assert (t["median_seconds"], t["p90_seconds"]) == (300.0, 604800.0)
    with raises("invalid_option", "nearest_rank"):
        log.funnel(["view", "buy"], percentile="median")


def test_heuristics_read_the_whole_path_by_default() -> None:
    result = cjm.attribute([{"path": "a > a > b", "total_conversions": 3, "total_null": 1}])
    assert result.credit("a", "linear") == pytest.approx(2.0)
    collapsed = cjm.attribute([{"path": "a > a > b", "total_conversions": 3}], collapse_repeats=True)
    assert collapsed.credit("a", "linear") == pytest.approx(1.5)
    markov = result.to_dict()["markov"]
    assert all(t["from"] != t["to"] for t in markov["transitions"])


# ---------------------------------------------------------------------------------------
# Naive instants in options


def test_a_naive_as_of_raises_naming_assume_utc_in_every_analysis() -> None:
    import datetime as dt

    log = shop()
    naive = dt.datetime(2024, 3, 8, 10, 30)
    calls: dict[str, Any] = {
        "funnel": lambda **k: log.funnel(["catalog", "purchase"], as_of=naive, **k),
        "funnel_trends": lambda **k: log.funnel_trends(["catalog", "purchase"], since=naive, **k),
        "retention": lambda **k: log.retention(as_of=naive, **k),
        "trends": lambda **k: log.trends(as_of="2024-03-08T10:30:00", **k),
        "filter": lambda **k: log.filter(end=naive, **k),
        "journey_states": lambda **k: log.journey_states(
            cjm.template("b2c-ecommerce"), as_of=naive, **k),
    }
    for name, call in calls.items():
        with raises("naive_timestamp", "assume_utc=True", "2024-03-08T10:30:00"):
            call()
        call(assume_utc=True)  # read as UTC: no error
    # u2 entered at 2024-03-01T11:00Z and did not buy: its 7-day window closes at
    # 2024-03-08T11:00Z, so it is pending at 10:30 UTC and not at 11:30 UTC.
    def pending(as_of: Any, **k: Any) -> int:
        result = log.funnel(["catalog", "purchase"], as_of=as_of, **k).to_dict()
        return int(result["steps"][0]["pending"])

    assert pending(naive, assume_utc=True) == 1
    assert pending(dt.datetime(2024, 3, 8, 11, 30), assume_utc=True) == 0
    assert pending(naive.replace(tzinfo=dt.timezone.utc)) == 1
    # An aware datetime in another zone is its own instant: 12:30+02:00 is 10:30 UTC.
    plus2 = dt.timezone(dt.timedelta(hours=2))
    assert pending(dt.datetime(2024, 3, 8, 12, 30, tzinfo=plus2), assume_utc=True) == 1
    # Filtering before 10:02 UTC keeps u1's catalog event at 10:00 only.
    assert len(log.filter(end=dt.datetime(2024, 3, 1, 10, 2), assume_utc=True)) == 1


# ---------------------------------------------------------------------------------------
# Integer extra columns sort as numbers


def test_an_integer_extra_column_breaks_down_in_number_order() -> None:
    """An int64 ``store`` column (as pandas or polars writes one): groups are listed 9,
    10, 100, not by their text ("10" < "100" < "9"); the group without a store is last."""
    stores = [9, 10, 100, None]
    table = pa.table({
        "customer": ["a", "a", "b", "b", "c", "d", "d"],
        "timestamp": pa.array([0, 60, 0, 60, 0, 0, 60], pa.timestamp("s", tz="UTC")),
        "event": ["visit", "buy", "visit", "buy", "visit", "visit", "buy"],
        "store": pa.array([9, 9, 10, 10, 100, None, None], pa.int64()),
    })
    log = cjm.EventLog.from_arrow(table, extra=["store"], progress=False)
    want = [str(s) if s is not None else None for s in stores]
    funnel = log.funnel(["visit", "buy"], breakdown="store").to_dict()
    assert [g["value"] for g in funnel["breakdown"]] == want
    # Store 100's customer visited and did not buy.
    assert [g["steps"][1]["customers"] for g in funnel["breakdown"]] == [1, 1, 0, 1]
    assert [g["value"] for g in log.retention(breakdown="store").to_dict()["breakdown"]] == want
    assert [g["value"] for g in log.trends(breakdown="store").to_dict()["breakdown"]] == want
    ft = log.funnel_trends(["visit", "buy"], breakdown="store").to_dict()
    assert [g["value"] for g in ft["breakdown"]] == want
