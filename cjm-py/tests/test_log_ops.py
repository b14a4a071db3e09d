"""Working with a log from Python: filters equal pandas filtering before ingest, samples
equal the documented hash rule computed here with hashlib, and `to_arrow` round-trips
through pyarrow, pandas and polars with the same analyses."""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from typing import Any, Dict, List, Set, Tuple

import pytest

import cjm

pa = pytest.importorskip("pyarrow")
pc = pytest.importorskip("pyarrow.compute")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

COLUMNS: Dict[str, Any] = dict(
    customer="customer", timestamp="timestamp", event="event", channel="channel",
    session="session", value="value", progress=False,
)
STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]


@pytest.fixture(scope="module")
def table() -> Any:
    return cjm.generate_log(300, 7)


@pytest.fixture(scope="module")
def log(table: Any) -> cjm.EventLog:
    return cjm.EventLog.from_arrow(table, **COLUMNS)


def analyses(log: cjm.EventLog) -> Dict[str, Any]:
    """Every analysis whose result does not name the input, as plain values."""
    return {
        "funnel": log.funnel(STEPS, allow_missing_events=True).to_dict(),
        "variants": log.variants(5).to_dict(),
        "dfg": log.directly_follows().to_dict(),
        "retention": log.retention(period="week", periods=3).to_dict(),
    }


def test_to_arrow_types_and_readers(log: cjm.EventLog) -> None:
    t = log.to_arrow()
    assert t.num_rows == len(log)
    assert t.column_names == ["customer", "timestamp", "event", "channel", "session", "value"]
    assert t.schema.field("customer").type == pa.string()
    assert t.schema.field("timestamp").type == pa.timestamp("ns", tz="UTC")
    assert t.schema.field("event").type == pa.dictionary(pa.int32(), pa.string())
    assert t.schema.field("channel").type == pa.dictionary(pa.int32(), pa.string())
    assert t.schema.field("value").type == pa.float64()
    df = t.to_pandas()
    assert str(df["event"].dtype) == "category"
    assert str(df["timestamp"].dtype) == "datetime64[ns, UTC]"
    frame = pl.from_arrow(t)
    assert frame.height == len(log)
    # The log's order: customer, then time.
    keys = list(zip(df["customer"], df["timestamp"]))
    assert keys == sorted(keys)
    assert set(df["event"].astype(str)) == set(log.event_names)


@pytest.mark.parametrize("via", ["arrow", "pandas", "polars"])
def test_round_trip_gives_the_same_analyses(log: cjm.EventLog, via: str) -> None:
    t = log.to_arrow()
    # pandas writes a missing float as NaN, which cjm reads as a value (rejected as
    # `non_finite_value`, docs/python.md): a nullable dtype keeps "no value".
    frame = t.to_pandas().astype({"value": "Float64"})
    data = {"arrow": t, "pandas": frame, "polars": pl.from_arrow(t)}[via]
    again = cjm.EventLog.from_arrow(data, **COLUMNS)
    assert len(again) == len(log)
    assert analyses(again) == analyses(log)
    assert again.to_arrow().equals(t)


def test_integer_ids_stay_integers() -> None:
    t = pa.table({
        "customer": pa.array([3, 1, 3, 2], pa.int64()),
        "timestamp": pa.array([5, 1, 2, 9], pa.int64()),
        "event": ["a", "b", "c", "a"],
    })
    log = cjm.EventLog.from_arrow(t, unit="s", progress=False)
    out = log.to_arrow()
    assert out.schema.field("customer").type == pa.int64()
    assert out["customer"].to_pylist() == [1, 2, 3, 3]
    assert out["event"].to_pylist() == ["b", "a", "c", "a"]
    assert log.filter(customers=[3]).to_arrow()["timestamp"].cast(pa.int64()).to_pylist() == [
        2_000_000_000, 5_000_000_000,
    ]
    assert len(log.filter(customers="2")) == 1


def pandas_filtered(table: Any, keep: Any) -> cjm.EventLog:
    """The log of the rows pandas keeps, ingested from scratch (the oracle); the values
    nullable, so that a missing one stays missing (docs/python.md)."""
    df = table.to_pandas().astype({"value": "Float64"})
    return cjm.EventLog.from_arrow(df[keep(df)], **COLUMNS)


def test_filters_equal_pandas_filtering_before_ingest(table: Any, log: cjm.EventLog) -> None:
    start = dt.datetime(2024, 1, 8, tzinfo=dt.timezone.utc)
    end = dt.date(2024, 1, 20)
    df = table.to_pandas()
    customers = sorted(df["customer"].unique())[::3]
    cases: List[Tuple[Dict[str, Any], Any]] = [
        (
            dict(events=["view_item", "purchase"]),
            lambda d: d["event"].isin(["view_item", "purchase"]),
        ),
        (dict(drop_events="session_start"), lambda d: d["event"] != "session_start"),
        (
            dict(start=start, end=end),
            lambda d: (d["timestamp"] >= pd.Timestamp(start))
            & (d["timestamp"] < pd.Timestamp("2024-01-20", tz="UTC")),
        ),
        (dict(customers=customers), lambda d: d["customer"].isin(customers)),
        (dict(drop_customers=customers), lambda d: ~d["customer"].isin(customers)),
        (dict(where={"channel": ["email", "social"]}), lambda d: d["channel"].isin(["email", "social"])),
        (dict(where_not={"channel": "email"}), lambda d: d["channel"] != "email"),
    ]
    for options, keep in cases:
        if "start" in options:
            assert df["timestamp"].min() < pd.Timestamp(start), "the range must cut the data"
        filtered = log.filter(**options)
        expected = pandas_filtered(table, keep)
        assert 0 < len(filtered) < len(log), options
        assert len(filtered) == len(expected), options
        assert analyses(filtered) == analyses(expected), options
        assert filtered.to_arrow().equals(expected.to_arrow()), options
    # Composed: one call with several criteria equals chained calls and pandas' AND.
    both = log.filter(events=["view_item", "purchase"], where={"channel": "email"})
    chained = log.filter(events=["view_item", "purchase"]).filter(where={"channel": "email"})
    expected = pandas_filtered(
        table, lambda d: d["event"].isin(["view_item", "purchase"]) & (d["channel"] == "email")
    )
    assert analyses(both) == analyses(chained) == analyses(expected)


def hashlib_sample(ids: Any, fraction: float, seed: int) -> Set[Any]:
    """The documented rule, written independently of the core."""
    def h(i: Any) -> int:
        return int.from_bytes(hashlib.sha256(f"{seed}:{i}".encode()).digest()[:8], "big")
    return {i for i in ids if (h(i) >> 11) / 2**53 < fraction}


def test_samples_follow_the_documented_rule(table: Any, log: cjm.EventLog) -> None:
    ids = set(table["customer"].to_pylist())
    for fraction, seed in [(0.1, 0), (0.5, 42), (0.9, 2**40)]:
        sample = log.sample(fraction, seed=seed)
        kept = set(sample.to_arrow()["customer"].to_pylist())
        assert kept == hashlib_sample(ids, fraction, seed)
        assert sample.customers == len(kept)
    # A count: the smallest hashes.
    def h(i: Any) -> int:
        return int.from_bytes(hashlib.sha256(f"5:{i}".encode()).digest()[:8], "big")
    kept = set(log.sample(count=25, seed=5).to_arrow()["customer"].to_pylist())
    assert kept == set(sorted(ids, key=h)[:25])
    # Whatever the row order.
    shuffled = table.take(pc.sort_indices(table, [("event", "descending"), ("value", "ascending")]))
    again = cjm.EventLog.from_arrow(shuffled, **COLUMNS)
    assert again.sample(0.3, seed=9).to_arrow()["customer"].unique().to_pylist() == (
        log.sample(0.3, seed=9).to_arrow()["customer"].unique().to_pylist()
    )


def test_the_report_records_operations(log: cjm.EventLog) -> None:
    out = log.filter(events="purchase").sample(0.5, seed=1)
    r = out.ingest_report
    assert r.rows_used == len(out)
    assert r.rows_read == r.rows_used + r.rejected_total + r.consent_filtered + r.removed_by_operations
    assert r.removed_by_operations == len(log) - len(out)
    kinds = [o["definition"]["kind"] for o in r.operations]
    assert kinds == ["log_filter", "log_sample"]
    assert r.operations[0]["definition"]["params"]["events"] == ["purchase"]
    assert r.operations[0]["events_before"] == len(log)
    assert r.operations[1]["events_after"] == len(out)
    assert log.ingest_report.operations == []


def test_bad_filters_are_errors_with_codes(log: cjm.EventLog) -> None:
    bad: List[Tuple[Dict[str, Any], str]] = [
        (dict(events=["purchse"]), "unknown_event"),
        (dict(customers=["nobody"]), "unknown_customer"),
        (dict(where={"channel": "emial"}), "unknown_value"),
        (dict(where={"country": "fr"}), "unknown_column"),
        (dict(start="2025-02-01", end="2025-01-01"), "invalid_option"),
        (dict(start="soon"), "invalid_timestamp"),
    ]
    for kwargs, code in bad:
        with pytest.raises(cjm.InputError) as info:
            log.filter(**kwargs)
        assert info.value.code == code, kwargs
    # A naive datetime: the core's naive_timestamp, naming the option and assume_utc.
    with pytest.raises(cjm.InputError) as info:
        log.filter(start=dt.datetime(2025, 1, 1))
    assert info.value.code == "naive_timestamp" and "`start`" in str(info.value)
    samples: List[Tuple[Tuple[float, ...], Dict[str, Any]]] = [
        ((), {}), ((0.0,), {}), ((0.5,), {"count": 3}), ((), {"count": 0}),
    ]
    for args, kwargs in samples:
        with pytest.raises(cjm.InputError) as info:
            log.sample(*args, **kwargs)
        assert info.value.code == "invalid_option"
    with pytest.raises(cjm.InputError, match=r"option `customers\[0\]`.*a customer id") as refused:
        log.filter(customers=[True])
    assert refused.value.code == "invalid_option"
    # Allowed: nothing of it is kept, and the empty log warns.
    with pytest.warns(cjm.IngestWarning, match="left no events"):
        empty = log.filter(events=["purchse"], allow_missing=True)
    assert len(empty) == 0
    assert [w[0] for w in empty.ingest_report.warnings] == ["empty_log"]
    assert empty.to_arrow().num_rows == 0
    assert empty.variants().to_dict()["variants"] == []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(log.filter(events=["purchase"])) > 0
        # The emptied log filtered again: its report keeps the warning, nothing is said.
        again = empty.filter(events=["purchse"], allow_missing=True)
        assert [w[0] for w in again.ingest_report.warnings] == ["empty_log"]


def test_sessions_equal_a_pandas_sessionisation(table: Any) -> None:
    """The rule written in pandas: a new session where the gap to the customer's previous
    event is more than the gap (ties in time keep their input order, as the log does)."""
    plain = cjm.EventLog.from_arrow(table, customer="customer", timestamp="timestamp",
                                    event="event", progress=False)
    gaps: List[Any] = [dt.timedelta(minutes=30), 600, dt.timedelta(hours=6)]
    for gap in gaps:
        seconds = gap if isinstance(gap, int) else int(gap.total_seconds())
        df = plain.sessionize(gap).to_arrow().to_pandas()
        ts = df["timestamp"].astype("int64")
        new = (df["customer"] != df["customer"].shift()) | (ts.diff() > seconds * 10**9)
        k = new.astype(int).groupby(df["customer"]).cumsum()
        expected = df["customer"] + ":" + k.astype(str)
        assert list(df["session"].astype(str)) == list(expected)
    # The default is 30 minutes; the report records it.
    s = plain.sessionize()
    assert s.ingest_report.operations[0]["definition"]["params"] == {
        "gap_seconds": 1800, "replace": False,
    }
    assert s.to_arrow()["session"].to_pylist() == plain.sessionize(1800).to_arrow()["session"].to_pylist()
    # Sessions feed breakdowns.
    assert len(s.funnel(["session_start"], breakdown="session").to_dict()["breakdown"]) > 300


def test_sessionize_refuses_to_overwrite(log: cjm.EventLog) -> None:
    with pytest.raises(cjm.InputError) as info:
        log.sessionize()
    assert info.value.code == "invalid_option"
    assert "replace" in str(info.value)
    assert len(log.sessionize(replace=True)) == len(log)
    with pytest.raises(cjm.InputError):
        log.sessionize(0, replace=True)


def test_session_funnels_count_sessions(table: Any) -> None:
    """`unit="session"` equals the funnel of a log whose customer is the session (pandas
    builds that log), and differs from counting customers."""
    plain = cjm.EventLog.from_arrow(table, customer="customer", timestamp="timestamp",
                                    event="event", progress=False)
    s = plain.sessionize()
    by_session = s.funnel(STEPS, unit="session").to_dict()
    df = s.to_arrow().to_pandas()
    df["customer"] = df["session"].astype(str)
    oracle = cjm.EventLog.from_arrow(df[["customer", "timestamp", "event"]], progress=False)
    expected = oracle.funnel(STEPS).to_dict()
    assert [x["customers"] for x in by_session["steps"]] == [x["customers"] for x in expected["steps"]]
    assert by_session["definition"]["params"]["options"]["unit"] == "session"
    by_customer = s.funnel(STEPS).to_dict()
    assert by_customer["steps"][0]["customers"] < by_session["steps"][0]["customers"]
    with pytest.raises(cjm.InputError) as info:
        plain.funnel(STEPS, unit="session")
    assert info.value.code == "unknown_column"
    with pytest.raises(cjm.InputError) as info:
        plain.funnel(STEPS, unit="visits")
    assert info.value.code == "invalid_option"


MAP = {
    "schema_version": 1, "id": "j", "name": "J",
    "stages": [{"id": "s1", "name": "Aware"}, {"id": "s2", "name": "Consider"},
               {"id": "s3", "name": "Buy"}],
    "channels": [{"id": "web", "name": "Web", "kind": "online"}],
    "touchpoints": [
        {"id": "t1", "name": "Ad", "stage": "s1", "channel": "web", "events": ["ad"]},
        {"id": "t2", "name": "Browse", "stage": "s2", "channel": "web", "events": ["view", "search"]},
        {"id": "t3", "name": "Product", "stage": "s2", "channel": "web", "events": ["view"]},
        {"id": "t4", "name": "Checkout", "stage": "s3", "channel": "web", "events": ["buy"]},
    ],
}


def test_by_stage_and_by_touchpoint_relabel_events() -> None:
    # u1: ad view buy zzz; u2: view ad; u3: ad buy; u4: zzz. No touchpoint binds zzz.
    rows = [("u1", 0, "ad"), ("u1", 10, "view"), ("u1", 20, "buy"), ("u1", 30, "zzz"),
            ("u2", 0, "view"), ("u2", 5, "ad"), ("u3", 0, "ad"), ("u3", 10, "buy"),
            ("u4", 0, "zzz")]
    table = pa.table({
        "customer": [r[0] for r in rows], "timestamp": [r[1] for r in rows],
        "event": [r[2] for r in rows],
    })
    log = cjm.EventLog.from_arrow(table, customer="customer", timestamp="timestamp",
                                  event="event", unit="s", progress=False)
    j = cjm.Journey.from_dict(MAP)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stages = log.by_stage(j)
    # Worked by hand: u1 Aware Consider Buy, u2 Consider Aware, u3 Aware Buy; u4 leaves.
    assert len(stages) == 7
    assert stages.ingest_report.removed_by_operations == 2
    nodes = sorted((n["depth"], n["name"], n["customers"])
                   for n in stages.flows(3, min_share=0.0).to_dicts("nodes"))
    assert nodes == [(0, "Aware", 2), (0, "Consider", 1), (1, "Aware", 1), (1, "Buy", 1),
                     (1, "Consider", 1), (2, "Buy", 1)]
    tps = log.by_touchpoint(j)
    assert [(list(v["events"]), v["customers"]) for v in tps.variants().to_dicts()] == [
        (["Ad", "Browse", "Checkout"], 1), (["Ad", "Checkout"], 1), (["Browse", "Ad"], 1)]
    # Own labels: two names share one, the rest leave.
    # The log has no `search`: a labelled name it lacks is refused unless allowed.
    with pytest.raises(cjm.InputError) as e:
        log.relabel({"ad": "marketing", "serch": "site"})
    assert e.value.code == "unknown_event"
    mine = log.relabel({"ad": "marketing", "view": "site", "search": "site"}, allow_missing=True)
    assert sorted({e for e in mine.to_arrow().column("event").to_pylist()}) == ["marketing", "site"]
    for bad in ({"ad": ""}, {}):
        with pytest.raises(cjm.InputError) as e:
            log.relabel(bad)
        assert e.value.code == "invalid_option"
