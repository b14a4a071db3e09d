"""`EventLog.from_parquet`: Parquet files read in Rust give the log `from_arrow` gives for
the same table, whoever wrote the file (pyarrow, polars), and fail loudly otherwise."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Callable, Dict

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cjm

STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]


def results(log: cjm.EventLog) -> Dict[str, Any]:
    """Every analysis a reading difference would show in."""
    return {
        "customers": log.customers,
        "events": len(log),
        "funnel": log.funnel(STEPS, breakdown="channel").to_dict(),
        "follows": log.directly_follows().to_dict(),
        "variants": log.variants(5).to_dict(),
        "attribution": log.attribute(conversion_events=["purchase"]).to_dict(),
    }


@pytest.fixture(scope="module")
def table() -> Any:
    t = cjm.generate_log(300, 11)
    # An export's shape: integer ids, dictionary-encoded strings, microseconds, and a
    # column the log does not read, of a type it could not read (a list).
    ids = {c: i * 7919 + 2**40 for i, c in enumerate(sorted(set(t["customer"].to_pylist())))}
    return pa.table(
        {
            "customer_id": pa.array([ids[c] for c in t["customer"].to_pylist()], pa.int64()),
            "event_time": t["timestamp"].cast(pa.timestamp("us", tz="UTC")),
            "event_name": t["event"].dictionary_encode(),
            "channel": t["channel"].dictionary_encode(),
            "value": t["value"],
            "tags": pa.array([[1, 2]] * t.num_rows, pa.list_(pa.int64())),
        }
    )


def test_pyarrow_and_polars_files_equal_the_table(table: Any, tmp_path: Path) -> None:
    want = results(cjm.EventLog.from_arrow(table, channel="channel", value="value", progress=False))
    assert want["funnel"]["steps"][-1]["customers"] > 0
    frame = pl.DataFrame(table)
    written: Dict[str, Callable[[Path], None]] = {
        "pyarrow-snappy": lambda p: pq.write_table(table, p),
        "pyarrow-gzip": lambda p: pq.write_table(table, p, compression="gzip", row_group_size=1000),
        "pyarrow-none": lambda p: pq.write_table(table, p, compression="none"),
        "polars-zstd": lambda p: frame.write_parquet(p),
        "polars-lz4": lambda p: frame.write_parquet(p, compression="lz4"),
    }
    for name, write in written.items():
        path = tmp_path / f"{name}.parquet"
        write(path)
        for given in (path, str(path)):
            log = cjm.EventLog.from_parquet(given, channel="channel", value="value", progress=False)
            assert results(log) == want, name
            # The usual column names were found, and the report says so.
            columns = log.ingest_report.columns
            assert columns is not None and columns["customer"] == ["customer_id"], name


def test_keyword_arguments_are_from_arrows(table: Any, tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    extra = cjm.EventLog.from_parquet(path, channel="channel", extra=["channel"], progress=False)
    assert extra.funnel(STEPS, breakdown="channel").to_dict() == cjm.EventLog.from_arrow(
        table, channel="channel", extra=["channel"], progress=False
    ).funnel(STEPS, breakdown="channel").to_dict()
    # The options are the core's ingest spec: an unknown one is refused with the list.
    with pytest.raises(cjm.InputError, match="no_such_option") as unknown:
        cjm.EventLog.from_parquet(path, no_such_option=1)
    assert unknown.value.code == "invalid_option" and "`customer`" in str(unknown.value)
    # Columns named one by one or as one mapping (JavaScript's form) read the same.
    mapped = cjm.EventLog.from_arrow(table, mapping={"channel": "channel"}, progress=False)
    flat = cjm.EventLog.from_arrow(table, channel="channel", progress=False)
    assert mapped.ingest_report.to_dict() == flat.ingest_report.to_dict()
    with pytest.raises(cjm.InputError, match="mapping"):
        cjm.EventLog.from_arrow(table, mapping={"channel": "channel"}, event="event_name")
    with pytest.raises(cjm.InputError) as e:
        cjm.EventLog.from_parquet(path, customer="nope", progress=False)
    assert e.value.code == "missing_column"


def test_naive_timestamps_in_a_file_need_assume_utc(table: Any, tmp_path: Path) -> None:
    path = tmp_path / "naive.parquet"
    pq.write_table(table.set_column(1, "event_time", table["event_time"].cast(pa.timestamp("us"))), path)
    with pytest.raises(cjm.InputError) as e:
        cjm.EventLog.from_parquet(path, progress=False)
    assert e.value.code == "naive_timestamp"
    log = cjm.EventLog.from_parquet(path, assume_utc=True, progress=False)
    assert log.customers == 300


def test_bad_paths_and_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.parquet"
    with pytest.raises(FileNotFoundError) as nf:
        cjm.EventLog.from_parquet(missing)
    # As `open(missing)` says it: the path's text.
    assert nf.value.filename == str(missing)
    not_parquet = tmp_path / "events.csv"
    not_parquet.write_text("customer,timestamp,event\nu1,2024-01-01T00:00:00Z,a\n")
    with pytest.raises(cjm.InputError) as e:
        cjm.EventLog.from_parquet(not_parquet)
    assert e.value.code == "invalid_parquet"
    assert "from_arrow" in str(e.value) and "  " not in str(e.value)
    with pytest.raises(IsADirectoryError):
        cjm.EventLog.from_parquet(tmp_path)
    brotli = tmp_path / "brotli.parquet"
    pq.write_table(pa.table({"customer": ["u1"], "timestamp": [dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)], "event": ["a"]}), brotli, compression="brotli")
    with pytest.raises(cjm.InputError) as e:
        cjm.EventLog.from_parquet(brotli, progress=False)
    assert e.value.code == "invalid_parquet"
    with pytest.raises(TypeError, match="bytes"):
        cjm.EventLog.from_parquet(b"events.parquet")  # type: ignore[arg-type]


def test_a_corrupt_file_is_an_error_or_read_whole(table: Any, tmp_path: Path) -> None:
    # Bytes of the data pages overwritten, the footer intact: the decoder either fails
    # (InputError invalid_parquet, whether it returns an error or stops on a panic) or
    # reads every row; it never hands over a shorter log.
    good = tmp_path / "good.parquet"
    pq.write_table(table, good, row_group_size=500)
    data = bytearray(good.read_bytes())
    rows = table.num_rows
    failures = 0
    for start in range(100, len(data) // 2, len(data) // 20):
        bad = bytearray(data)
        bad[start : start + 64] = bytes(range(64))
        path = tmp_path / f"bad-{start}.parquet"
        path.write_bytes(bytes(bad))
        try:
            log = cjm.EventLog.from_parquet(path, channel="channel", progress=False)
        except cjm.InputError as e:
            assert e.code in ("invalid_parquet", "invalid_timestamp", "wrong_type"), e.code
            failures += 1
            continue
        assert log.ingest_report.rows_read == rows
    assert failures > 0
