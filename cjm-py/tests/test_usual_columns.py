"""Columns with the usual names are taken without naming them (issue 15, item 4): the rule
is the core's (exactly one usual name per field, else ``missing_column`` or
``ambiguous_column`` naming the argument to pass); these tests check it reaches every
Python route (``from_csv``, ``from_csv_file``, ``from_arrow`` with pandas, polars and
pyarrow) and that the ingest report says which columns were read."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Dict

import pytest

import cjm

pa = pytest.importorskip("pyarrow")
pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")

CSV = (
    "user_id,event_time,event_name,channel,page\n"
    "u1,2024-03-01T10:00:00Z,catalog,email,/\n"
    "u1,2024-03-01T10:05:00Z,purchase,email,/buy\n"
    "u2,2024-03-01T11:00:00Z,catalog,search,/\n"
)
ROWS: Dict[str, Any] = {
    "user_id": ["u1", "u1", "u2"],
    "event_time": ["2024-03-01T10:00:00Z", "2024-03-01T10:05:00Z", "2024-03-01T11:00:00Z"],
    "event_name": ["catalog", "purchase", "catalog"],
    "channel": ["email", "email", "search"],
    "page": ["/", "/buy", "/"],
}
USED = {
    "customer": ["user_id"],
    "timestamp": "event_time",
    "timestamp_format": {"kind": "iso8601", "assume_utc": False},
    "event": "event_name",
    "channel": None,
    "session": None,
    "value": None,
    "consent": None,
}


def check(log: cjm.EventLog, **changes: Any) -> None:
    assert len(log) == 3
    assert log.customers == 2
    assert log.event_names == ["catalog", "purchase"]
    assert log.ingest_report.columns == {**USED, **changes}
    assert log.ingest_report.to_dict()["columns"] == {**USED, **changes}


def test_every_route_finds_the_usual_names(tmp_path: Path) -> None:
    check(cjm.EventLog.from_csv(CSV))
    path = tmp_path / "events.csv"
    path.write_text(CSV, encoding="utf-8")
    check(cjm.EventLog.from_csv_file(path))
    check(cjm.EventLog.from_arrow(pd.DataFrame(ROWS), progress=False))
    check(cjm.EventLog.from_arrow(pl.DataFrame(ROWS), progress=False))
    check(cjm.EventLog.from_arrow(pa.table(ROWS), progress=False))
    # Optional columns are never guessed; naming one reads it.
    log = cjm.EventLog.from_arrow(pd.DataFrame(ROWS), channel="channel", progress=False)
    check(log, channel="channel")
    assert log.attribute(conversion_events="purchase").channels == ["email", "search"]


def test_named_columns_and_usual_names_mix() -> None:
    text = "who,event_time,event\nu1,2024-03-01T10:00:00Z,a\n"
    log = cjm.EventLog.from_csv(text, customer="who", assume_utc=True)
    assert log.ingest_report.columns is not None
    assert log.ingest_report.columns["customer"] == ["who"]
    assert log.ingest_report.columns["timestamp"] == "event_time"
    assert log.ingest_report.columns["timestamp_format"] == {"kind": "iso8601", "assume_utc": True}


@pytest.mark.parametrize(
    "data",
    [
        lambda rows: cjm.EventLog.from_csv(
            ",".join(rows) + "\n" + ",".join(["x"] * len(rows)) + "\n"
        ),
        lambda rows: cjm.EventLog.from_arrow(pd.DataFrame({r: ["x"] for r in rows}), progress=False),
        lambda rows: cjm.EventLog.from_arrow(pl.DataFrame({r: ["x"] for r in rows}), progress=False),
        lambda rows: cjm.EventLog.from_arrow(pa.table({r: ["x"] for r in rows}), progress=False),
    ],
    ids=["csv", "pandas", "polars", "pyarrow"],
)
def test_two_usual_names_or_none_are_loud(data: Any) -> None:
    with pytest.raises(cjm.InputError) as info:
        data(["customer_id", "user_id", "timestamp", "event"])
    assert info.value.code == "ambiguous_column"
    for word in ("`customer_id`", "`user_id`", 'customer="…"'):
        assert word in str(info.value)

    with pytest.raises(cjm.InputError) as info:
        data(["id", "when", "what", "page"])
    assert info.value.code == "missing_column"
    # The usual names, every column the data has (a data frame's too, though only the
    # columns read cross to Rust), and the argument to pass.
    for word in ("`customer`", "`user_id`", "`id`, `when`, `what`, `page`", 'customer="…"', "preset"):
        assert word in str(info.value)


def test_the_ga4_preset_reads_the_event_traffic_source_as_channel() -> None:
    header = "user_pseudo_id,event_name,event_timestamp,collected_traffic_source.manual_medium"
    text = header + "\nu1,page_view,1709283600000000,cpc\nu1,purchase,1709283660000000,\n"
    log = cjm.EventLog.from_csv(text, preset="ga4")
    columns = log.ingest_report.columns
    assert columns is not None
    assert columns["channel"] == "collected_traffic_source.manual_medium"
    assert columns["value"] is None  # optional, and this export has none
    assert log.attribute(conversion_events="purchase").channels == ["cpc"]
    frame = pd.read_csv(io.StringIO(text))
    same = cjm.EventLog.from_arrow(frame, preset="ga4", progress=False)
    assert same.ingest_report.columns == columns
    # Without the column, a GA4 export still reads, with no channel.
    bare = "user_pseudo_id,event_name,event_timestamp\nu1,page_view,1709283600000000\n"
    columns = cjm.EventLog.from_csv(bare, preset="ga4").ingest_report.columns
    assert columns is not None and columns["channel"] is None
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_csv(bare, preset="gaa4")
    assert info.value.code == "invalid_option"
    assert "`ga4`" in str(info.value)


def test_the_generated_log_reads_without_naming_columns() -> None:
    log = cjm.EventLog.from_arrow(cjm.generate_log(5, seed=1), progress=False)
    columns = log.ingest_report.columns
    assert columns is not None
    assert (columns["customer"], columns["timestamp"], columns["event"]) == (
        ["customer"],
        "timestamp",
        "event",
    )
