"""Event logs through the Python API: the shared vectors in tests/vectors/events/,
agreement with independent pandas, polars and DuckDB implementations (tests/oracles.py)
on generated logs, the same log from every kind of input, and the ingest report."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import Any, Dict, List

import pytest

import cjm
from cjm import _cjm

import oracles
from conftest import REPO, check_tables

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
duckdb = pytest.importorskip("duckdb")

VECTORS = sorted((REPO / "tests" / "vectors" / "events").glob("*.json"))
STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]
WEEK_MS = 7 * 86_400_000
COLUMNS: Dict[str, Any] = dict(
    customer="customer", timestamp="timestamp", event="event", channel="channel",
    session="session",
)


def subset(expected: Any, actual: Any, path: str = "") -> None:
    if isinstance(expected, dict):
        for k, v in expected.items():
            assert k in actual, f"{path}.{k} missing in {actual}"
            subset(v, actual[k], f"{path}.{k}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), f"{path}: {actual}"
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(e, a, f"{path}[{i}]")
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool):
        assert actual is not None and abs(expected - actual) < 1e-9, f"{path}: {expected} != {actual}"
    else:
        assert expected == actual, f"{path}: {expected!r} != {actual!r}"


def vector_table(v: Dict[str, Any]) -> Any:
    rows = v["events"]
    return pa.table(
        {
            "customer": pa.array([r[0] for r in rows], pa.string()),
            "ts": pa.array([r[1] for r in rows], pa.int64()),
            "event": pa.array([r[2] for r in rows], pa.string()),
            "channel": pa.array([r[3] if len(r) > 3 else None for r in rows], pa.string()),
            "value": pa.array([r[4] if len(r) > 4 else None for r in rows], pa.float64()),
            "session": pa.array([r[5] if len(r) > 5 else None for r in rows], pa.string()),
        }
    )


def funnel_kwargs(funnel: Dict[str, Any]) -> Dict[str, Any]:
    o = dict(funnel.get("options", {}))
    kwargs: Dict[str, Any] = {}
    if "order" in o:
        kwargs["order"] = o["order"]
    if "window_seconds" in o:
        # The core's null (no window) is math.inf in Python.
        w = o["window_seconds"]
        kwargs["window"] = math.inf if w is None else dt.timedelta(seconds=w)
    if "step_windows_seconds" in o:
        kwargs["step_windows"] = [
            None if w is None else dt.timedelta(seconds=w) for w in o["step_windows_seconds"]
        ]
    for key in ("exclusions", "as_of", "breakdown", "breakdown_attribution", "percentile",
                "allow_missing_events", "unit"):
        if key in o:
            kwargs[key] = o[key]
    return kwargs


def state_request(kind: str, case: Dict[str, Any], event_states: bool) -> Any:
    """The core's state request of a vector case on one route (``None``: not run in
    parts): funnels both routes, directly-follows and variants both routes unless by
    session (states of paths count whole customers), retention and trends counts."""
    if kind == "funnel":
        request = {"analysis": "funnel", **case["funnel"]}
    elif kind in ("directly_follows", "variants", "retention") or (
        kind == "trends" and "funnel" not in case
    ):
        request = {"analysis": kind, "options": case["options"]}
    else:
        return None
    if kind != "funnel" and case["options"].get("unit") == "session":
        return None
    if event_states:
        if kind not in ("funnel", "directly_follows", "variants"):
            return None
        request["event_states"] = True
    return json.dumps(request)


def in_parts(v: Dict[str, Any], request: str) -> Any:
    """The vector's log in two parts of whole customers (alternately, in order of first
    appearance), each part's state built, the states merged and finished."""
    table = vector_table(v)
    customers = table["customer"].to_pylist()
    order = list(dict.fromkeys(customers))
    parts = [
        table.filter(pa.array([order.index(c) % 2 == p for c in customers])) for p in (0, 1)
    ]
    spec = {
        "customer": ["customer"], "timestamp": "ts", "event": "event", "channel": "channel",
        "value": "value", "session": "session", "unit": v["time_unit"],
    }
    states = [_cjm._build_state(part, request, spec) for part in parts]
    return _cjm._finish_state(_cjm._merge_states(states), request)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_event_vectors(path: Path) -> None:
    v = json.loads(path.read_text(encoding="utf-8"))
    log = cjm.EventLog.from_arrow(
        vector_table(v), customer="customer", timestamp="ts", event="event",
        channel="channel", value="value", session="session", unit=v["time_unit"],
        progress=False,
    )
    assert log.ingest_report.rejected_total == 0
    in_parts_run = 0
    for i, case in enumerate(v["cases"]):
        if v["kind"] == "funnel":
            f = case["funnel"]
            actual = log.funnel(f["steps"], **funnel_kwargs(f)).to_dict()
        elif v["kind"] == "directly_follows":
            actual = log.directly_follows(**case["options"]).to_dict()
        elif v["kind"] == "retention":
            # The vector's options are the core's, and the keyword arguments have their names.
            actual = log.retention(**case["options"]).to_dict()
        elif v["kind"] == "trends" and "funnel" in case:
            f = case["funnel"]
            actual = log.funnel_trends(f["steps"], **funnel_kwargs(f), **case["options"]).to_dict()
        elif v["kind"] == "trends":
            actual = log.trends(**case["options"]).to_dict()
        elif v["kind"] == "variants":
            o = case["options"]
            actual = log.variants(
                o.get("top_k", 10), max_length=o.get("max_length"),
                collapse_repeats=o.get("collapse_repeats", False), unit=o.get("unit"),
            ).to_dict()
        elif v["kind"] == "log_operations":
            # The vector's options are the core's, and the keyword arguments have their names.
            try:
                if "filter" in case:
                    out = log.filter(**case["filter"])
                elif "sample" in case:
                    out = log.sample(**case["sample"])
                else:
                    out = log.sessionize(case["sessionize"]["gap_seconds"])
            except cjm.InputError as e:
                assert e.code == case["error"], f"{path.stem}#{i}"
                continue
            assert "error" not in case, f"{path.stem}#{i}"
            t = out.to_arrow()
            seconds = t["timestamp"].cast(pa.int64()).to_pylist()
            actual = {
                "customers": sorted(set(t["customer"].to_pylist())),
                "events": [
                    [c, s // 1_000_000_000, e]
                    for c, s, e in zip(t["customer"].to_pylist(), seconds, t["event"].to_pylist())
                ],
            }
            if "session" in t.column_names:
                actual["sessions"] = t["session"].to_pylist()
        else:
            pytest.fail(f"unknown kind {v['kind']}")
        subset(case["expected"], actual, f"{path.stem}#{i}")
        # The same case in two parts of whole customers, through state bytes.
        for event_states in (False, True):
            request = state_request(v["kind"], case, event_states)
            if request is not None:
                parts = in_parts(v, request)
                subset(case["expected"], parts.to_dict(), f"{path.stem}#{i} {request}")
                in_parts_run += 1
        if "tables" in case:
            result: Any
            if v["kind"] == "funnel":
                result = log.funnel(case["funnel"]["steps"], **funnel_kwargs(case["funnel"]))
            elif v["kind"] == "directly_follows":
                result = log.directly_follows(**case["options"])
            else:
                result = log.retention(**case["options"])
            check_tables(result, case["tables"], f"{path.stem}#{i}")
    if v["kind"] in ("funnel", "directly_follows", "variants", "retention", "trends"):
        assert in_parts_run > 0, f"{path.stem}: no case ran in parts"


def test_no_window_is_math_inf() -> None:
    # a at day 0, b at day 30: outside the default 7-day window, inside no window. With
    # as_of, a customer who has not converted stays pending when there is no window.
    day = 86_400
    table = pa.table(
        {
            "customer": ["u1", "u1", "u2"],
            "ts": pa.array([0, 30 * day, 0], pa.int64()),
            "event": ["a", "b", "a"],
        }
    )
    log = cjm.EventLog.from_arrow(table, timestamp="ts", unit="seconds", progress=False)
    assert log.funnel(["a", "b"]).customers == [2, 0]
    unbounded = log.funnel(["a", "b"], window=math.inf, as_of="1970-03-01")
    assert unbounded.customers == [2, 1]
    assert unbounded.to_dict()["pending"] == 1
    assert unbounded.definition is not None
    assert unbounded.definition["params"]["options"]["window_seconds"] is None
    assert log.funnel(["a", "b"], as_of="1970-03-01").to_dict()["pending"] == 0
    with pytest.raises(cjm.InputError, match="option `window`.*infinity") as err:
        log.funnel(["a", "b"], window=-math.inf)
    assert err.value.code == "invalid_option"


# ---------------------------------------------------------------------------------------
# Oracles


def frames(table: Any) -> Dict[str, Any]:
    """The oracle inputs: columns customer, ts (int64 ms), row, event."""
    base = pa.table(
        {
            "customer": table["customer"],
            "ts": table["timestamp"].cast(pa.int64()),
            "row": pa.array(range(table.num_rows), pa.int64()),
            "event": table["event"],
        }
    )
    con = duckdb.connect()
    con.register("ev", base)
    return {"pandas": base.to_pandas(), "polars": pl.from_arrow(base), "duckdb": con}


@pytest.fixture(scope="module", params=[(400, 1), (300, 20260101)], ids=["seed1", "seed2"])
def generated(request: Any) -> Any:
    customers, seed = request.param
    table = cjm.generate_log(customers, seed)
    log = cjm.EventLog.from_arrow(table, **COLUMNS, value="value", progress=False)
    return table, log, frames(table)


def test_funnel_agrees(generated: Any) -> None:
    _, log, f = generated
    want = oracles.funnel_cjm(log, STEPS, WEEK_MS)
    assert want[0] > want[-1] > 0
    assert oracles.funnel_pandas(f["pandas"], STEPS, WEEK_MS) == want
    assert oracles.funnel_polars(f["polars"], STEPS, WEEK_MS) == want
    assert oracles.funnel_duckdb(f["duckdb"], STEPS, WEEK_MS) == want
    # A shorter window bites: the oracles follow.
    hour = 180_000
    short = log.funnel(STEPS, window=dt.timedelta(minutes=3)).customers
    assert short != want
    assert oracles.funnel_pandas(f["pandas"], STEPS, hour) == short
    assert oracles.funnel_polars(f["polars"], STEPS, hour) == short
    assert oracles.funnel_duckdb(f["duckdb"], STEPS, hour) == short


def test_directly_follows_agrees(generated: Any) -> None:
    _, log, f = generated
    want = oracles.directly_follows_cjm(log)
    assert oracles.directly_follows_pandas(f["pandas"]) == want
    assert oracles.directly_follows_polars(f["polars"]) == want
    assert oracles.directly_follows_duckdb(f["duckdb"]) == want
    # P(next | current) normalised by source.
    out: Dict[str, int] = {}
    for (a, _), (t, _) in want.items():
        out[a] = out.get(a, 0) + t
    for e in log.directly_follows().to_dicts():
        assert e["probability"] == e["transitions"] / out[e["from"]]


def test_variants_agree(generated: Any) -> None:
    _, log, f = generated
    want = oracles.variants_cjm(log, 10)
    assert len(want) == 10
    assert oracles.variants_pandas(f["pandas"], 10) == want
    assert oracles.variants_polars(f["polars"], 10) == want
    assert oracles.variants_duckdb(f["duckdb"], 10) == want


def test_traffic_agrees(generated: Any) -> None:
    _, log, f = generated
    journey = cjm.template("b2c-ecommerce")
    b = oracles.binding(journey)
    want = oracles.traffic_cjm(log, journey)
    assert any(n for n, _ in want.values())
    assert oracles.traffic_pandas(f["pandas"], b) == want
    assert oracles.traffic_polars(f["polars"], b) == want
    assert oracles.traffic_duckdb(f["duckdb"], b) == want


# ---------------------------------------------------------------------------------------
# One log, every kind of input


def results(log: Any) -> Dict[str, Any]:
    journey = cjm.template("b2c-ecommerce")
    return {
        "len": len(log),
        "funnel": log.funnel(STEPS, breakdown="channel").to_dict(),
        "dfg": log.directly_follows().to_dict(),
        "variants": log.variants(10).to_dict(),
        "flows": log.flows(4).to_dict(),
        "traffic": log.traffic(journey).to_dict(),
        "states": log.journey_states(journey, as_of="2024-03-01T00:00:00Z").to_dict(),
        "drivers": log.drivers("purchase").to_dict(),
        "conformance": log.conformance(journey).to_dict(),
    }


def test_same_log_from_every_input() -> None:
    table = cjm.generate_log(250, 5)
    src = table  # noqa: F841 - read by DuckDB's replacement scan
    want = results(cjm.EventLog.from_arrow(table, **COLUMNS, progress=False))
    sources = {
        "record batches": pa.RecordBatchReader.from_batches(table.schema, table.to_batches(64)),
        "pandas": table.to_pandas(),
        "polars": pl.from_arrow(table),
        "duckdb": duckdb.sql("SELECT * FROM src"),
        "pandas categories": table.to_pandas().astype({"event": "category", "channel": "category"}),
        "polars categorical": pl.from_arrow(table).with_columns(pl.col("event").cast(pl.Categorical)),
        "large strings": table.cast(
            pa.schema([f.with_type(pa.large_string()) if f.type == pa.string() else f for f in table.schema])
        ),
        "pyarrow dictionaries and string views": pa.table(
            {
                "customer": table["customer"].dictionary_encode(),
                "timestamp": table["timestamp"],
                "event": table["event"].cast(pa.string_view()),
                "channel": table["channel"].dictionary_encode(),
                "session": table["session"].cast(pa.large_string()).dictionary_encode(),
                "value": table["value"],
            }
        ),
        "integer ms": table.set_column(1, "timestamp", table["timestamp"].cast(pa.int64())),
        "seconds ns": table.set_column(
            1, "timestamp", table["timestamp"].cast(pa.timestamp("ns", tz="Europe/Paris"))
        ),
    }
    for name, source in sources.items():
        unit = "ms" if name == "integer ms" else None
        log = cjm.EventLog.from_arrow(source, **COLUMNS, unit=unit, progress=False)
        assert results(log) == want, name


def test_progress_bar(capsys: Any) -> None:
    pytest.importorskip("tqdm")
    table = cjm.generate_log(50, 2)
    log = cjm.EventLog.from_arrow(table, **COLUMNS, progress=True)
    assert len(log) == table.num_rows
    assert "rows" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------
# Timestamps, NaN, nulls and the ingest report


def test_naive_timestamps_need_a_choice() -> None:
    table = cjm.generate_log(30, 3)
    naive = table.set_column(1, "timestamp", table["timestamp"].cast(pa.timestamp("ms")))
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(naive, **COLUMNS, progress=False)
    assert info.value.code == "naive_timestamp"
    a = cjm.EventLog.from_arrow(naive, **COLUMNS, assume_utc=True, progress=False)
    b = cjm.EventLog.from_arrow(table, **COLUMNS, progress=False)
    assert results(a) == results(b)
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, **COLUMNS, unit="fortnights", progress=False)
    assert info.value.code == "invalid_option"


def test_ingest_report_accounts_for_every_row() -> None:
    table = pa.table(
        {
            "customer": ["a", None, "", "b", "c", "d", "e", "f", "a"],
            "ts": pa.array(
                [0, 1, 2, None, 4, 5, 6, 7, 0], pa.timestamp("s", tz="UTC")
            ),
            "event": ["x", "x", "x", "x", None, "x", "x", "x", "x"],
            "value": [1.0, None, None, None, None, float("nan"), float("inf"), None, 1.0],
            "consent": [True, True, True, True, True, True, True, False, True],
        }
    )
    log = cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="ts", event="event", value="value",
        consent="consent", dedup=True, progress=False,
    )
    r = log.ingest_report
    assert r.rows_read == 9
    assert r.rejected == {
        "missing_customer": 2, "missing_timestamp": 1, "missing_event": 1,
        "non_finite_value": 2, "duplicate": 1,
    }
    assert r.consent_filtered == 1
    assert r.rows_used == 1 == len(log)
    assert r.rows_read == r.rows_used + r.rejected_total + r.consent_filtered
    first = {row["reason"]: row["first_row"] for row in r.to_dicts("rejected")}
    assert first["missing_customer"] == 1 and first["non_finite_value"] == 5
    assert r._repr_html_().startswith("<table")
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(
            table, customer="customer", timestamp="ts", event="event", strict=True, progress=False
        )
    assert info.value.code == "missing_customer" and info.value.row == 1


def test_pandas_nan_is_a_value_not_a_missing_one() -> None:
    frame = pd.DataFrame(
        {
            "customer": ["a", "b", None],
            "ts": pd.to_datetime([0, 1, 2], unit="s", utc=True),
            "event": ["x", "y", "z"],
            "value": [1.0, float("nan"), 2.0],
        }
    )
    log = cjm.EventLog.from_arrow(
        frame, customer="customer", timestamp="ts", event="event", value="value", progress=False
    )
    assert log.ingest_report.rejected == {"non_finite_value": 1, "missing_customer": 1}
    frame["value"] = pd.array([1.0, None, 2.0], dtype="Float64")
    log = cjm.EventLog.from_arrow(
        frame, customer="customer", timestamp="ts", event="event", value="value", progress=False
    )
    assert log.ingest_report.rejected == {"missing_customer": 1}
    frame["ts"] = pd.to_datetime([0, None, 2], unit="s", utc=True)
    log = cjm.EventLog.from_arrow(frame, customer="customer", timestamp="ts", event="event", progress=False)
    assert log.ingest_report.rejected == {"missing_timestamp": 1, "missing_customer": 1}


def test_pseudonymise_unmapped_and_errors() -> None:
    table = cjm.generate_log(20, 4)
    journey = cjm.template("b2c-ecommerce")
    log = cjm.EventLog.from_arrow(
        table, **COLUMNS, pseudonymise_key=b"secret", journey=journey, progress=False
    )
    states = log.journey_states(journey).to_dicts()
    assert all(len(s["customer"]) == 64 for s in states)
    assert log.ingest_report.to_dict()["pseudonymised"] is True
    assert "secret" not in json.dumps(log.ingest_report.to_dict())
    assert set(log.ingest_report.unmapped_events) >= {"session_start", "scroll"}
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, customer="nope", timestamp="timestamp", event="event", progress=False)
    assert info.value.code == "missing_column"
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, customer="customer", timestamp="value", event="event", progress=False)
    assert info.value.code == "wrong_type"
    # The customer column not named: found by its usual name (issue 15, item 4).
    found = cjm.EventLog.from_arrow(table, timestamp="timestamp", event="event", progress=False)
    assert (found.ingest_report.columns or {})["customer"] == ["customer"]
    with pytest.raises(TypeError):
        cjm.EventLog.from_arrow(42, **COLUMNS, progress=False)


def test_csv_and_presets(tmp_path: Path) -> None:
    text = (
        "userId,anonymousId,event,timestamp\n"
        "u1,,Viewed,2024-01-01T00:00:00Z\n"
        ",anon9,Viewed,2024-01-01T00:00:01+01:00\n"
        "u1,,Bought,2024-01-01T00:05:00Z\n"
        "u2,,Bought,2024-01-01 00:05:00\n"
    )
    # A timestamp without offset stops the read, naming the fix.
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_csv(text, preset="segment")
    assert info.value.code == "naive_timestamp" and info.value.row == 3
    assert "assume_utc=True" in str(info.value)
    assert cjm.EventLog.from_csv(text.encode(), preset="segment", assume_utc=True).ingest_report.rejected == {}
    # Text that is no timestamp at all is a rejected row.
    text = text.replace("2024-01-01 00:05:00", "2024-01-01 00:05")
    log = cjm.EventLog.from_csv(text, preset="segment")
    assert log.ingest_report.rejected == {"invalid_timestamp": 1}
    assert log.customers == 2 and log.event_names == ["Bought", "Viewed"]
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    same = cjm.EventLog.from_csv(path, preset="segment")
    assert same.funnel(["Viewed", "Bought"]).customers == log.funnel(["Viewed", "Bought"]).customers == [2, 1]
    # The same rows through Arrow with the preset's column names.
    rows = [line.split(",") for line in text.strip().splitlines()[1:]]
    table = pa.table({h: [r[i] or None for r in rows] for i, h in enumerate(text.split("\n")[0].split(","))})
    arrow = cjm.EventLog.from_arrow(table, preset="segment", progress=False)
    assert arrow.ingest_report.to_dict() == log.ingest_report.to_dict()
    with pytest.raises(cjm.InputError):
        cjm.EventLog.from_csv(text, preset="nope")
    # A missing file is the OSError `open` raises, its filename the path's text.
    for read in (cjm.EventLog.from_csv, cjm.EventLog.from_csv_file):
        with pytest.raises(FileNotFoundError) as missing:
            read(tmp_path / "missing.csv", preset="segment")
        assert missing.value.filename == str(tmp_path / "missing.csv")
    with pytest.raises(FileNotFoundError) as missing:
        cjm.EventLog.from_csv_file(str(tmp_path / "missing.csv"))
    assert missing.value.filename == str(tmp_path / "missing.csv")


# ---------------------------------------------------------------------------------------
# Funnel options and result exports


def test_funnel_options_and_exports() -> None:
    journey = cjm.template("b2c-ecommerce")
    table = cjm.generate_log(300, 8)
    log = cjm.EventLog.from_arrow(table, **COLUMNS, journey=journey, progress=False)
    stages = log.funnel(journey=journey)
    assert [s["step"] for s in stages.to_dicts()] == [s["id"] for s in journey.to_dict()["stages"]]
    tps = log.funnel([{"touchpoint": "tp-product-page"}, {"touchpoint": "tp-checkout"}], journey=journey)
    assert tps.customers[0] >= tps.customers[1]
    as_of = dt.datetime(2024, 1, 20, tzinfo=dt.timezone.utc)
    pending = log.funnel(STEPS, as_of=as_of, window=dt.timedelta(days=30))
    assert pending.pending > 0
    assert pending.definition is not None
    assert pending.definition["params"]["options"]["as_of"].startswith("2024-01-20T00:00:00")
    with pytest.raises(cjm.InputError):
        log.funnel(STEPS, as_of=dt.datetime(2024, 1, 20))
    with pytest.raises(cjm.InputError, match="`window` must be whole seconds"):
        log.funnel(STEPS, window=dt.timedelta(milliseconds=1500))
    with pytest.raises(cjm.InputError, match="option `order` unknown variant `sideways`"):
        log.funnel(STEPS, order="sideways")
    # Every keyword is read by the core: one it does not know is named.
    with pytest.raises(cjm.InputError, match="unknown field `windw`") as unknown:
        log.funnel(STEPS, windw=60)  # type: ignore[call-arg]
    assert unknown.value.code == "invalid_option"
    # One string is not a list of steps (it was Python's TypeError).
    with pytest.raises(cjm.InputError, match="`steps`: invalid type: string") as one:
        log.funnel("purchase")
    assert one.value.code == "invalid_option"
    # A null step, or one with two keys: the option named, as in JavaScript.
    for bad in (["page_view", None], [{"event": "page_view", "stage": "s"}]):
        with pytest.raises(cjm.InputError, match="steps") as step_err:
            log.funnel(bad)  # type: ignore[arg-type]
        assert step_err.value.code == "invalid_option"
    excl = log.funnel(STEPS, exclusions=[{"step": "page_view", "between": (0, 1)}])
    assert excl.excluded > 0
    windows = log.funnel(STEPS, step_windows=[None, dt.timedelta(hours=1), None, None])
    assert windows.customers[1] <= log.funnel(STEPS).customers[1]
    br = log.funnel(STEPS, breakdown="channel")
    assert {r["group"] for r in br.to_dicts("breakdown")} >= {"email", "social"}
    # Where the breakdown is read: one group per customer under a touch attribution, so
    # the groups' entrants add up to the funnel's; the choice is in the definition.
    touch = log.funnel(STEPS, breakdown="channel", breakdown_attribution="first_touch")
    entered = sum(g["steps"][0]["customers"] for g in touch.to_dict()["breakdown"])
    assert entered == touch.customers[0]
    hashes = []
    for r in (br, touch, log.funnel(STEPS, breakdown="channel", breakdown_attribution={"step": 2})):
        d = r.definition
        assert d is not None
        hashes.append(d["hash"])
        if r is touch:
            assert d["params"]["options"]["breakdown_attribution"] == "first_touch"
    assert len(set(hashes)) == 3
    wrong: List[Any] = ["last", {"step": "two"}, {"step": 9}]
    for how in wrong:
        with pytest.raises(cjm.InputError) as e:
            log.funnel(STEPS, breakdown="channel", breakdown_attribution=how)
        assert e.value.code in ("invalid_option", "invalid_funnel"), how
    with pytest.raises(cjm.InputError, match="last_touch"):  # the names it may be
        log.funnel(STEPS, breakdown="channel", breakdown_attribution="last")
    with pytest.raises(cjm.InputError, match="give `breakdown`"):
        log.funnel(STEPS, breakdown_attribution="last_touch")
    # Exports.
    t = pa.table(br)
    assert t.column_names[:3] == ["index", "kind", "step"]
    assert pl.DataFrame(br).height == len(STEPS)
    assert list(br.to_pandas()["customers"]) == br.customers
    assert br.to_arrow("breakdown").num_rows == len(br.to_dicts("breakdown"))
    assert br._repr_html_().count("<tr>") == len(STEPS) + 1
    # The notebook display is narrow: the six columns the core names for people, and how
    # many more the full table has (15 in all, counted in pa.table above).
    html = br._repr_html_()
    heads = [h.split("</th>")[0] for h in html.split("<th>")[1:]]
    assert heads == ["step", "customers", "conversion_from_first", "conversion_from_previous",
                     "drop_off", "median_seconds_from_previous"]
    assert f"{len(t.column_names) - 6} more columns" in html and len(t.column_names) == 15
    with pytest.raises(ValueError):
        br.to_dicts("nope")
    drivers = log.drivers({"touchpoint": "tp-checkout"}, journey=journey, by_touchpoint=True)
    assert all(d["odds_ratio"] > 0 for d in drivers.to_dicts())
    states = log.journey_states(journey, as_of=as_of, conversion="purchase")
    assert len(states) == log.customers and states.as_of is not None
    flows = log.flows(3, min_share=0.1)
    assert max(n["depth"] for n in flows.to_dicts("nodes")) == 2
    with pytest.raises(cjm.InputError):
        log.flows(3, min_share=2.0)
    conf = log.conformance(journey).to_dicts()
    assert conf[0]["measure"] == "customers"
    assert math.isclose(sum(r["customers"] for r in conf[1:3]), conf[0]["customers"]) or True
    assert repr(log).startswith("<EventLog: ")


def test_retention_options_tables_and_errors() -> None:
    table = cjm.generate_log(300, 8)
    log = cjm.EventLog.from_arrow(table, **COLUMNS, progress=False)
    r = log.retention(start_event="session_start", return_event=["purchase", "view_item"],
                      period="week", periods=4, cohort="recurring", mode="on_or_after",
                      time_zone="+02:00", breakdown="channel")
    assert isinstance(r, cjm.RetentionResult)
    d = r.to_dict()
    assert d["definition"]["kind"] == "retention"
    options = d["definition"]["params"]["options"]
    assert options["return_event"] == ["purchase", "view_item"] and options["time_zone"] == "+02:00"
    assert len(r) == len(d["cohorts"]) > 1 and r.customers == d["customers"]
    assert r.rates == [c["rates"] for c in d["cohorts"]]
    # Long tables: one row per cohort and period (None where not yet observable).
    rows = r.to_dicts("cohorts")
    assert len(rows) == 5 * len(r)
    assert set(rows[0]) == {"period_start", "size", "period", "retained", "rate"}
    assert any(x["retained"] is None for x in rows) and all(x["period"] in range(5) for x in rows)
    frame = r.to_pandas()
    wide = frame.pivot(index="period_start", columns="period", values="rate")
    assert list(wide.columns) == [0, 1, 2, 3, 4]
    assert [x["period"] for x in r.to_dicts("mean")] == [0, 1, 2, 3, 4]
    groups = {x["group"] for x in r.to_dicts("breakdown")}
    assert groups == {g["value"] for g in d["breakdown"]} and "email" in groups
    assert len(r.to_dicts("breakdown_mean")) == 5 * len(d["breakdown"])
    assert "RetentionResult" in repr(r)
    # Defaults: first seen, any return, by day, periods 0 to 10, as of the last event.
    default = log.retention()
    assert len(default.to_dict()["cohorts"][0]["retained"]) == 11
    as_of = log.retention(as_of=dt.date(2024, 1, 10))
    assert as_of.observed_until == "2024-01-10T00:00:00Z"
    assert log.retention(as_of="2024-01-10").to_dict() == as_of.to_dict()
    # Mistakes are loud, with the core's codes.
    for kwargs, code in [
        (dict(start_event="sesion_start"), "unknown_event"),
        (dict(return_event=["purchase", "purchace"]), "unknown_event"),
        (dict(period="year"), "invalid_option"),
        (dict(mode="after"), "invalid_option"),
        (dict(cohort="returning"), "invalid_option"),
        (dict(periods=-1), "invalid_option"),
        (dict(periods=2**40), "invalid_option"),
        (dict(time_zone="Europe/Paris"), "invalid_option"),
        (dict(start_event=[]), "invalid_option"),
        (dict(breakdown="country"), "unknown_column"),
        (dict(as_of="soon"), "invalid_timestamp"),
    ]:
        with pytest.raises(cjm.InputError) as e:
            log.retention(**kwargs)  # type: ignore[arg-type]
        assert e.value.code == code, kwargs
    with pytest.raises(cjm.InputError, match="session_start"):
        log.retention(start_event="sesion_start")
    with pytest.raises(cjm.InputError):
        log.retention(as_of=dt.datetime(2024, 1, 10))
    # Not a name: the option named, with what it takes (it was Python's TypeError).
    for bad, says in ((5, "an event name or a list"), (b"session_start", "binary data")):
        with pytest.raises(cjm.InputError, match=f"option `start_event`.*{says}") as e:
            log.retention(start_event=bad)  # type: ignore[arg-type]
        assert e.value.code == "invalid_option"
    assert log.retention(start_event="sesion_start", allow_missing_events=True).customers == 0
    # A tuple or any iterable of names is a list of names.
    assert log.retention(start_event=("purchase",)).to_dict() == log.retention(start_event="purchase").to_dict()


def test_trends_options_tables_picture_and_errors() -> None:
    table = cjm.generate_log(300, 8)
    log = cjm.EventLog.from_arrow(table, **COLUMNS, progress=False)
    t = log.trends(["purchase", "view_item"], period="week", time_zone="+02:00",
                   breakdown="channel")
    assert isinstance(t, cjm.TrendsResult)
    d = t.to_dict()
    assert d["definition"]["kind"] == "trends"
    assert d["definition"]["params"]["options"]["events"] == ["purchase", "view_item"]
    assert len(t) == len(t.periods) == len(d["periods"]) > 1
    assert [s["event"] for s in d["events"]] == ["purchase", "view_item"]
    # Long tables: one row per event and period, one per period for the total.
    rows = t.to_dicts("events")
    assert len(rows) == 2 * len(t)
    assert set(rows[0]) == {"period", "event", "volume", "customers"}
    assert sum(r["volume"] for r in rows) == sum(d["total"]["volume"])
    assert [r["volume"] for r in t.to_dicts("total")] == d["total"]["volume"]
    frame = t.to_pandas("events")
    wide = frame.pivot(index="period", columns="event", values="customers")
    assert list(wide.columns) == ["purchase", "view_item"]
    groups = {r["group"] for r in t.to_dicts("breakdown_total")}
    assert groups == {g["value"] for g in d["breakdown"]} and "email" in groups
    assert "TrendsResult" in repr(t)
    svg = str(t.to_svg(measure="customers"))
    assert svg.startswith("<svg") and "view_item" in svg and "Unique customers" in svg
    assert "by channel" in str(t.to_svg(by="breakdown"))
    # Defaults: every event of the log, by day, over the whole log.
    default = log.trends()
    assert [s["event"] for s in default.to_dict()["events"]] == sorted(set(table.column("event").to_pylist()))
    assert default.observed_from is not None and default.periods[0] <= default.periods[-1]
    # A name alone is a list of one; since and as_of take dates and aware datetimes.
    assert log.trends("purchase").to_dict() == log.trends(["purchase"]).to_dict()
    ranged = log.trends(since=dt.date(2024, 1, 3),
                        as_of=dt.datetime(2024, 1, 5, tzinfo=dt.timezone.utc))
    assert ranged.periods == ["2024-01-03", "2024-01-04", "2024-01-05"]
    assert ranged.observed_until == "2024-01-05T00:00:00Z"
    # Funnel trends: the funnel's own arguments, by the period of step 1.
    f = log.funnel_trends(["view_item", "purchase"], period="week", window=dt.timedelta(days=3),
                          breakdown="channel")
    assert isinstance(f, cjm.FunnelTrendsResult)
    fd = f.to_dict()
    assert fd["definition"]["kind"] == "funnel_trends"
    assert fd["definition"]["params"]["funnel"]["params"]["options"]["window_seconds"] == 3 * 86400
    assert f.entered == fd["entered"] and f.converted == fd["converted"] and f.rates == fd["rates"]
    assert all((r is None) == (e == 0) for r, e in zip(f.rates, f.entered))
    assert set(f.to_dicts("periods")[0]) == {"period", "entered", "converted", "rate", "pending"}
    assert len(f.to_dicts("breakdown")) == len(f) * len(fd["breakdown"])
    assert "Funnel conversion" in str(f.to_svg())
    # By session: the same trend as on the log whose customers are the sessions (derived
    # by inactivity, so that every id belongs to one customer).
    s = log.sessionize(replace=True)
    exported = s.to_arrow()
    by_session = cjm.EventLog.from_arrow(exported, customer="session", timestamp="timestamp",
                                         event="event", progress=False)
    steps = ["view_item", "purchase"]
    got = s.funnel_trends(steps, period="week", unit="session")
    want = by_session.funnel_trends(steps, period="week")
    assert (got.periods, got.entered, got.converted) == (want.periods, want.entered, want.converted)
    assert got.entered != s.funnel_trends(steps, period="week").entered
    # Mistakes are loud, with the core's codes.
    for kwargs, code in [
        (dict(events="purchace"), "unknown_event"),
        (dict(events=[]), "invalid_option"),
        (dict(period="year"), "invalid_option"),
        (dict(time_zone="Europe/Paris"), "invalid_option"),
        (dict(since="2024-01-05", as_of="2024-01-04"), "invalid_option"),
        (dict(breakdown="country"), "unknown_column"),
        (dict(as_of="soon"), "invalid_timestamp"),
    ]:
        with pytest.raises(cjm.InputError) as e:
            log.trends(**kwargs)  # type: ignore[arg-type]
        assert e.value.code == code, kwargs
    with pytest.raises(cjm.InputError) as e:
        log.funnel_trends(["view_item", "purchace"])
    assert e.value.code == "unknown_event"
    with pytest.raises(cjm.InputError) as e:
        log.funnel_trends(["view_item", "purchase"], time_zone="CET")
    assert e.value.code == "invalid_option"
    with pytest.raises(cjm.InputError) as e:
        t.to_svg(measure="revenue")
    assert e.value.code == "invalid_option"
    with pytest.raises(cjm.InputError):
        log.trends().to_svg(by="breakdown")
    with pytest.raises(cjm.InputError, match="option `events` invalid type: integer `5`") as e:
        log.trends(5)  # type: ignore[arg-type]
    assert e.value.code == "invalid_option"


def test_integer_customer_ids_stay_integers() -> None:
    """An int64 customer column (random 64-bit ids, as exports have them) gives the same
    analyses as the same ids written as text; only the order of customers differs (by
    value instead of by text), so per-customer rows are compared as sets."""
    table = cjm.generate_log(300, 5)
    names = sorted(set(table["customer"].to_pylist()))
    import random

    rng = random.Random(11)
    ids = {n: rng.randrange(-(2**63), 2**63) for n in names}
    ints = pa.array([ids[c] for c in table["customer"].to_pylist()], pa.int64())
    # A null id and a null event, so that the report's accounting is compared too.
    ints = pa.array([None if i == 3 else v for i, v in enumerate(ints.to_pylist())], pa.int64())
    as_int = table.set_column(0, "customer", ints)
    as_text = table.set_column(0, "customer", ints.cast(pa.string()))
    a = cjm.EventLog.from_arrow(as_int, **COLUMNS, progress=False)
    b = cjm.EventLog.from_arrow(as_text, **COLUMNS, progress=False)
    assert a.ingest_report.to_dict() == b.ingest_report.to_dict()
    assert a.ingest_report.rejected.get("missing_customer", 0) >= 1
    ra, rb = results(a), results(b)
    states_a, states_b = ra.pop("states"), rb.pop("states")
    assert ra == rb
    def key(rows: List[Any]) -> List[str]:
        return sorted(json.dumps(r, sort_keys=True) for r in rows)

    assert key(states_a["customers"]) == key(states_b["customers"])
    order = [int(r["customer"]) for r in states_a["customers"]]
    assert order == sorted(order)


def test_pseudonymisation_reaches_sessions_identifiers_and_every_output() -> None:
    # Sessions embed the customer id and an e-mail is kept for a breakdown, as in real
    # exports. With a key and `identifiers=["email"]`, no raw id is left in any result;
    # the platform column stays readable. Expected pseudonyms: HMAC-SHA256 by `hmac`.
    import hashlib
    import hmac

    key = b"a key of thirty-two bytes, at least"
    rows = [
        ("alice-7731", "alice-7731:s1", 0, "view", "web", "alice@example.com", "ios"),
        ("alice-7731", "alice-7731:s1", 60, "buy", "web", "alice@example.com", "ios"),
        ("bob-0042", "bob-0042:s9", 30, "view", "email", "bob@example.com", "web"),
    ]
    names = ["customer", "session", "ts", "event", "channel", "email", "platform"]
    table = pa.table(
        {n: [r[i] for r in rows] for i, n in enumerate(names) if n != "ts"}
        | {"ts": pa.array([r[2] for r in rows], pa.timestamp("s", tz="UTC"))}
    )
    csv = ",".join(names) + "\n" + "\n".join(
        ",".join([*r[:2], f"1970-01-01T00:{r[2] // 60:02d}:{r[2] % 60:02d}Z", *r[3:]])
        for r in rows
    )
    common: Dict[str, Any] = dict(
        customer="customer", timestamp="ts", event="event", channel="channel",
        session="session", extra=["email", "platform"], pseudonymise_key=key,
        identifiers=["email"],
    )
    logs = [
        cjm.EventLog.from_arrow(table, **common, progress=False),
        cjm.EventLog.from_csv(csv, **common),
    ]

    def pseudonym(raw: str) -> str:
        return hmac.new(key, raw.encode(), hashlib.sha256).hexdigest()

    for log in logs:
        outputs = [
            log.funnel(["view", "buy"], breakdown=b).to_dict()
            for b in ("session", "email", "platform")
        ]
        outputs += [
            log.directly_follows().to_dict(),
            log.variants().to_dict(),
            log.attribute(conversion_events=["buy"]).to_dict(),
            log.ingest_report.to_dict(),
        ]
        text = json.dumps(outputs)
        for raw in ("alice", "bob", "7731", "0042", "example.com", "thirty-two"):
            assert raw not in text, raw
        assert pseudonym("alice@example.com") in text
        assert pseudonym("bob-0042:s9") in text
        assert '"ios"' in text
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, **{**common, "pseudonymise_key": None}, progress=False)
    assert info.value.code == "invalid_option" and "key" in str(info.value)
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, **{**common, "identifiers": ["device"]}, progress=False)
    assert info.value.code == "invalid_option" and "`device`" in str(info.value)


def test_drivers_uncertainty_equals_scipy_and_numpy() -> None:
    # Every driver's p-value is scipy's Fisher exact test on its four cells, its interval
    # Woolf's on the +1 cells (numpy), its lift success rate / base rate.
    scipy_stats = pytest.importorskip("scipy.stats")
    import numpy as np

    log = cjm.EventLog.from_arrow(cjm.generate_log(400, 11), **COLUMNS, progress=False)
    d = log.drivers("purchase", min_support=1)
    rows = d.to_dicts()
    assert len(rows) > 5 and any(r["p_value"] < 0.05 for r in rows)
    base = d.to_dict()["base_rate"]
    for r in rows:
        a, b = r["converted_with"], r["not_converted_with"]
        c, e = r["converted_without"], r["not_converted_without"]
        p = scipy_stats.fisher_exact([[a, b], [c, e]])[1]
        assert r["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-300)
        cells = np.array([a, b, c, e], dtype=float) + 1
        log_or = np.log(cells[0] * cells[3] / (cells[1] * cells[2]))
        se = np.sqrt((1 / cells).sum())
        assert r["odds_ratio_low"] == pytest.approx(np.exp(log_or - 1.959963984540054 * se))
        assert r["odds_ratio_high"] == pytest.approx(np.exp(log_or + 1.959963984540054 * se))
        assert r["lift"] == pytest.approx(a / (a + b) / base)


def test_any_of_step() -> None:
    # By hand (as cjm-core/tests/events_bind.rs): step 2 = add_to_cart or wishlist_add.
    rows = [
        ("u1", 1, "view"), ("u1", 2, "add_to_cart"), ("u1", 3, "buy"),
        ("u2", 1, "view"), ("u2", 2, "wishlist_add"), ("u2", 3, "buy"),
        ("u3", 1, "view"), ("u3", 3, "buy"),
        ("u4", 1, "view"), ("u4", 2, "wishlist_add"),
    ]
    table = pa.table({
        "customer": [r[0] for r in rows],
        "ts": pa.array([r[1] for r in rows], pa.timestamp("s", tz="UTC")),
        "event": [r[2] for r in rows],
    })
    log = cjm.EventLog.from_arrow(table, customer="customer", timestamp="ts", event="event")
    f = log.funnel(["view", {"any_of": ["add_to_cart", "wishlist_add"]}, "buy"])
    assert f.customers == [4, 3, 2]
    assert [r["step"] for r in f.to_dicts()][1] == "add_to_cart | wishlist_add"
    with pytest.raises(cjm.InputError) as info:
        log.funnel(["view", {"any_of": ["add_to_cart", "wishlist_ad"]}])
    assert info.value.code == "unknown_event"
