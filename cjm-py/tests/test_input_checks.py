"""Smaller findings of the bad-input campaign (issue 14, items 9 and 10): the document size
limit as documented, every problem of a document reported past values with no JSON form,
UInt64 timestamps past ``i64::MAX``, customer ids and event names that are only white space
or hold a NUL, a consumed Arrow stream, and files read only when the caller says so, with
no more than a short excerpt of their content in any message."""

from __future__ import annotations

import decimal
import json
import gzip
from pathlib import Path
from typing import Any, Dict, List, Tuple, Union

import numpy as np
import pyarrow as pa
import pytest

import cjm


def pairs(problems: List[cjm.Problem]) -> List[Tuple[str, str]]:
    return [(p.code, p.path) for p in problems]


def first_rows(log: cjm.EventLog) -> Dict[str, int]:
    return {r["reason"]: r["first_row"] for r in log.ingest_report.to_dict()["rejected"]}


# ---- 9a: the size limit is 16 MiB of text --------------------------------------------


def zeros_document(arrays: int, items: int) -> str:
    zeros = "[" + "0," * (items - 1) + "0]"
    fields = ",".join(f'"a{i}":{zeros}' for i in range(arrays))
    return '{"schema_version":1,"id":"x","name":"n","extensions":{' + fields + "}}"


def test_compact_text_up_to_sixteen_mebibytes_loads(tmp_path: Path) -> None:
    # 80 arrays of 100 000 zeros, each exactly the item limit: 16.0 MB of text, under
    # 16 MiB. Reading used to stop near 12.45 MB (an estimate of 8 bytes a value).
    text = zeros_document(80, 100_000)
    assert 16_000_000 < len(text) < 16 * 1024 * 1024
    assert cjm.validate(text) == []
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    assert cjm.validate_file(path) == []
    # One byte over the limit, as text or as a file (read no further than the limit).
    over = text + " " * (16 * 1024 * 1024 + 1 - len(text))
    assert pairs(cjm.validate(over)) == [("document_too_large", "")]
    path.write_text(over + " " * 1_000_000, encoding="utf-8")
    assert pairs(cjm.validate_file(path)) == [("document_too_large", "")]


# ---- 9b: values with no JSON form do not hide the other problems ---------------------


def test_every_problem_is_reported_past_values_with_no_json_form(doc: Dict[str, Any]) -> None:
    doc["name"] = " "
    doc["stages"][0]["id"] = "has space"
    doc["extensions"] = {
        "huge": 10**400,
        "inexact": decimal.Decimal("0.1000000000000000000001"),
        "surrogate": "a\ud800b",
        "binary": b"\x00",
        "thing": object(),
        7: "an integer key",
        "fine": [1, 2],
    }
    doc["pain_points"][0]["severity"] = np.int64(6)
    problems = cjm.validate(doc)
    assert pairs(problems) == [
        ("wrong_type", "extensions.huge"),
        ("wrong_type", "extensions.inexact"),
        ("wrong_type", "extensions.surrogate"),
        ("wrong_type", "extensions.binary"),
        ("wrong_type", "extensions.thing"),
        ("wrong_type", "extensions"),
        ("out_of_range", "pain_points[0].severity"),
        ("empty_text", "name"),
        ("invalid_id", "stages[0].id"),
        # The renamed stage no longer has the id the touchpoint names.
        ("dangling_reference", "touchpoints[0].stage"),
    ]
    messages = {p.path: p.message for p in problems}
    assert "1329` bits" in messages["extensions.huge"]
    assert "no exact float" in messages["extensions.inexact"]
    assert "surrogate" in messages["extensions.surrogate"]
    assert "`builtins.object`" not in messages["extensions.thing"]
    assert "`object`" in messages["extensions.thing"]
    with pytest.raises(cjm.DocumentError) as info:
        cjm.load(doc)
    assert pairs(info.value.problems) == pairs(problems)


def test_numpy_and_decimal_values_with_an_exact_json_form_are_read(doc: Dict[str, Any]) -> None:
    doc["pain_points"][0]["severity"] = np.int64(3)
    doc["pain_points"][0]["frequency"] = decimal.Decimal("0.25")
    doc["personas"][0]["share"] = np.float32(0.5)
    doc["extensions"] = {
        "whole": decimal.Decimal("12.000"),
        "tenth": decimal.Decimal("0.1"),
        "flag": np.bool_(True),
        "big": np.uint64(2**64 - 1),
        "tuple": (1, 2),
    }
    j = cjm.load(doc)
    d = j.to_dict()
    assert d["pain_points"][0]["severity"] == 3
    assert d["pain_points"][0]["frequency"] == 0.25
    assert d["personas"][0]["share"] == 0.5
    assert d["extensions"] == {
        "whole": 12,
        "tenth": 0.1,
        "flag": True,
        "big": 2**64 - 1,
        "tuple": [1, 2],
    }
    nan = dict(doc, extensions={"nan": decimal.Decimal("NaN")})
    assert pairs(cjm.validate(nan)) == [("not_finite", "extensions.nan")]


# ---- 9c: UInt64 timestamps past i64::MAX are out of range, not missing ---------------


def test_uint64_timestamps_past_i64_max_are_invalid() -> None:
    table = pa.table(
        {
            "c": ["a", "b", "c", "d"],
            "t": pa.array([2**64 - 1, 2**63, 1_700_000_000_000, None], pa.uint64()),
            "e": ["x", "x", "y", "z"],
        }
    )
    log = cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", progress=False)
    assert log.ingest_report.rejected == {"invalid_timestamp": 2, "missing_timestamp": 1}
    assert first_rows(log) == {"invalid_timestamp": 0, "missing_timestamp": 3}
    assert log.event_names == ["y"]


# ---- 9d: ids and names of only white space, or holding a NUL, are rejected rows ------

CUSTOMERS = ["u1", " \t", "u\x00x", "u1", "u2", "u2"]
EVENTS = ["view", "view", "view", "\xa0 ", "bu\x00y", "buy"]


def check_unusable(log: cjm.EventLog) -> None:
    report = log.ingest_report
    assert report.rejected == {"invalid_customer": 2, "invalid_event": 2}
    assert first_rows(log) == {"invalid_customer": 1, "invalid_event": 3}
    assert report.rows_used == 2
    assert log.event_names == ["buy", "view"]
    assert log.customers == 2


def test_unusable_ids_and_names_through_arrow() -> None:
    table = pa.table({"c": CUSTOMERS, "t": pa.array(range(6), pa.int64()), "e": EVENTS})
    check_unusable(cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", progress=False))
    # Dictionary (categorical) columns are checked once per dictionary value.
    encoded = pa.table(
        {"c": pa.array(CUSTOMERS).dictionary_encode(), "t": table["t"], "e": pa.array(EVENTS).dictionary_encode()}
    )
    check_unusable(cjm.EventLog.from_arrow(encoded, customer="c", timestamp="t", event="e", progress=False))


def test_unusable_ids_and_names_through_csv(tmp_path: Path) -> None:
    lines = ["c,t,e"] + [f'"{c}",{i},"{e}"' for i, (c, e) in enumerate(zip(CUSTOMERS, EVENTS))]
    text = "\n".join(lines) + "\n"
    check_unusable(cjm.EventLog.from_csv(text, customer="c", timestamp="t", event="e", unit="ms"))
    path = tmp_path / "events.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    check_unusable(cjm.EventLog.from_csv_file(path, customer="c", timestamp="t", event="e", unit="ms"))


def test_unusable_ids_in_strict_mode() -> None:
    table = pa.table({"c": CUSTOMERS, "t": pa.array(range(6), pa.int64()), "e": EVENTS})
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", strict=True, progress=False)
    assert (info.value.code, info.value.row) == ("invalid_customer", 1)


# ---- 9e: a consumed Arrow stream is an error, not an empty log -----------------------


def test_a_consumed_record_batch_reader_is_refused() -> None:
    table = pa.table({"c": ["a", "b"], "t": pa.array([1, 2], pa.int64()), "e": ["x", "y"]})
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches())
    log = cjm.EventLog.from_arrow(reader, customer="c", timestamp="t", event="e", progress=False)
    assert len(log) == 2
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(reader, customer="c", timestamp="t", event="e", progress=False)
    assert info.value.code == "consumed_stream"
    assert "given to cjm before" in str(info.value)
    # A table (or a new reader) reads any number of times, and an empty stream is empty.
    for _ in range(2):
        assert len(cjm.EventLog.from_arrow(table, customer="c", timestamp="t", event="e", progress=False)) == 2
    empty = pa.RecordBatchReader.from_batches(table.schema, [])
    assert cjm.EventLog.from_arrow(empty, customer="c", timestamp="t", event="e", progress=False).ingest_report.rows_read == 0


# ---- 10: a str is text, never a path; files are read by the *_file functions ---------


SECRET = "SECRET-" + "x" * 500


def test_a_str_is_never_read_as_a_path(tmp_path: Path, doc: Dict[str, Any]) -> None:
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    for text in [str(path), "journey.json", "", "[1, 2]", "/etc/passwd"]:
        problems = cjm.validate(text)
        assert pairs(problems) == [("invalid_json", "")], text
        assert "cjm.load_file(path)" in problems[0].message
        with pytest.raises(cjm.DocumentError) as info:
            cjm.load(text)
        assert info.value.code == "invalid_json"
    # The explicit ways to read a file.
    expected = cjm.load(doc)
    assert cjm.load_file(path) == cjm.load_file(str(path)) == expected
    assert cjm.load(path) == expected
    assert cjm.validate_file(str(path)) == cjm.validate(path) == []
    with pytest.raises(FileNotFoundError):
        cjm.load_file(str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError):
        cjm.validate_file(tmp_path / "missing.json")
    with pytest.raises(TypeError):
        cjm.load_file(b"journey.json")  # type: ignore[arg-type]


def test_csv_str_without_a_line_break_is_not_a_path(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("c,t,e\nu,1,view\n", encoding="utf-8")
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_csv(str(path), customer="c", timestamp="t", event="e", unit="ms")
    assert info.value.code == "invalid_csv"
    assert "EventLog.from_csv_file(path)" in str(info.value)
    assert str(path) not in str(info.value)
    sources: List[Union[str, Path]] = [path, str(path)]
    for source in sources:
        log = cjm.EventLog.from_csv_file(source, customer="c", timestamp="t", event="e", unit="ms")
        assert log.event_names == ["view"]
    assert len(cjm.EventLog.from_csv(path, customer="c", timestamp="t", event="e", unit="ms")) == 1
    with pytest.raises(FileNotFoundError):
        cjm.EventLog.from_csv_file(tmp_path / "missing.csv", preset="segment")
    with pytest.raises(IsADirectoryError):
        cjm.EventLog.from_csv_file(tmp_path, preset="segment")


def test_messages_quote_a_short_excerpt_of_a_file(tmp_path: Path, doc: Dict[str, Any]) -> None:
    doc["stages"][0]["expected_duration"] = SECRET
    doc["touchpoints"][0]["stage"] = SECRET
    path = tmp_path / "journey.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    problems = cjm.validate_file(path)
    assert [p.code for p in problems] == ["dangling_reference", "invalid_duration"]
    for p in problems:
        assert "SECRET-" + "x" * 33 + "…" in p.message
        assert "x" * 34 not in p.message
    csv = tmp_path / "events.csv"
    csv.write_text(f"c,t,e\nu,{SECRET},view\n", encoding="utf-8")
    with pytest.warns(cjm.IngestWarning) as warned:
        log = cjm.EventLog.from_csv_file(csv, customer="c", timestamp="t", event="e")
    assert "x" * 34 not in str(warned[0].message)
    assert log.ingest_report.to_dict()["rejected"][0]["sample"] == "SECRET-" + "x" * 33 + "…"
