"""Attribution through the Python API: every golden vector in tests/vectors/attribution/
(the same files and comparison as cjm-core/tests/attribution_vectors.rs), the input
forms (list of dicts, pandas, polars, pyarrow), paths from an event log, the result's
tables and pictures, and its report section."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

import cjm
from cjm import InputError

from conftest import REPO, check_tables

VECTORS = REPO / "tests" / "vectors" / "attribution"
FILES = sorted(VECTORS.glob("*.json"))


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * (1.0 + abs(b))


def num_or_null(actual: Optional[float], expected: Any, what: str) -> None:
    if expected is None:
        assert actual is None, f"{what}: expected null, got {actual}"
    else:
        assert actual is not None, f"{what}: expected {expected}, got null"
        assert close(actual, float(expected)), f"{what}: expected {expected}, got {actual}"


def check(name: str, r: cjm.Attribution, expected: Dict[str, Any]) -> None:
    d = r.to_dict()
    assert "NaN" not in json.dumps(d), f"{name}: NaN in output"
    for k, v in expected.get("totals", {}).items():
        num_or_null(d["totals"][k], v, f"{name}: totals.{k}")
    rows = {c["channel"]: c for c in d["channels"]}
    for channel, models in expected.get("credits", {}).items():
        assert channel in rows, f"{name}: no channel {channel}"
        credits = {c["model"]: c for c in rows[channel]["credits"]}
        for model, want in models.items():
            got = credits[model]
            what = f"{name}: {model} of {channel}"
            if want is None:
                assert got["conversions"] is None and got["value"] is None, what
            else:
                num_or_null(got["conversions"], want[0], f"{what} conversions")
                num_or_null(got["value"], want[1], f"{what} value")
                # The same number through the table and the accessor.
                assert r.credit(channel, model) == got["conversions"]
    if "conversion_probability" in expected:
        num_or_null(
            d["markov"]["conversion_probability"],
            expected["conversion_probability"],
            f"{name}: P(conv)",
        )
    for channel, want in expected.get("removal_effects", {}).items():
        e = next(e for e in d["markov"]["channels"] if e["channel"] == channel)
        num_or_null(e["removal_effect"], want, f"{name}: RE of {channel}")
    if "transitions" in expected:
        got_t = d["markov"]["transitions"]
        assert len(got_t) == len(expected["transitions"]), f"{name}: transitions"
        for t, w in zip(got_t, expected["transitions"]):
            assert (t["from"], t["to"]) == (w[0], w[1]), name
            assert close(t["probability"], w[2]), f"{name}: {t}"
    for k, v in expected.get("shapley", {}).items():
        num_or_null(d["shapley"][k], v, f"{name}: shapley.{k}")
    if "ordered_shapley" in expected:
        got_o = d["ordered_shapley"]
        assert len(got_o) == len(expected["ordered_shapley"]), name
        for g, w in zip(got_o, expected["ordered_shapley"]):
            assert (g["channel"], g["position"]) == (w[0], w[1]), name
            assert close(g["conversions"], w[2]) and close(g["value"], w[3]), f"{name}: {g}"
    if "skipped" in expected:
        assert [s["model"] for s in d["skipped"]] == expected["skipped"], f"{name}: skipped"


def cases() -> List[Tuple[str, List[Dict[str, Any]], Dict[str, Any], Dict[str, Any], Any]]:
    out = []
    for file in FILES:
        v = json.loads(file.read_text(encoding="utf-8"))
        for case in v["cases"]:
            options = {**v.get("table_options", {}), **case["options"]}
            out.append(
                (
                    f"{file.name} / {case['name']}",
                    case.get("paths", v["paths"]),
                    options,
                    case["expected"],
                    case.get("tables"),
                )
            )
    return out


CASES = cases()


def test_every_vector_file_is_run() -> None:
    assert len(FILES) >= 4
    assert len(CASES) >= 10


@pytest.mark.parametrize("name,paths,options,expected,tables", CASES, ids=[c[0] for c in CASES])
def test_vector(
    name: str,
    paths: List[Dict[str, Any]],
    options: Dict[str, Any],
    expected: Dict[str, Any],
    tables: Any,
) -> None:
    result = cjm.attribute(paths, **options)
    check(name, result, expected)
    if tables is not None:
        check_tables(result, tables, name)


ROWS: List[Dict[str, Any]] = [
    {"path": "search > email", "total_conversions": 2, "total_conversion_value": 30.0, "total_null": 1},
    {"path": "email", "total_conversions": 1, "total_conversion_value": 10.0, "total_null": 3},
    {"path": "search > direct", "total_conversions": 1, "total_conversion_value": 5.0, "total_null": 0},
    {"path": "display", "total_conversions": 0, "total_conversion_value": 0.0, "total_null": 4},
]


def table(r: cjm.Attribution) -> List[Dict[str, Any]]:
    return r.to_dicts()


def test_frames_give_the_same_numbers() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    pa = pytest.importorskip("pyarrow")
    want = table(cjm.attribute(ROWS))
    columns = {k: [r[k] for r in ROWS] for k in ROWS[0]}
    assert table(cjm.attribute(pd.DataFrame(ROWS))) == want
    assert table(cjm.attribute(pl.DataFrame(ROWS))) == want
    assert table(cjm.attribute(pa.Table.from_pylist(ROWS))) == want
    assert table(cjm.attribute(columns)) == want


def test_column_names_and_options() -> None:
    renamed = [
        {"journey": r["path"].replace(" > ", " | "), "conv": r["total_conversions"]} for r in ROWS
    ]
    r = cjm.attribute(renamed, path="journey", conversions="conv", separator="|", models=["last"])
    assert r.models == ["last"]
    assert r.credit("email", "last") == 3.0
    assert r.totals["value"] == 0.0
    # A channel or model the result does not hold: a stable code, and what it holds.
    with pytest.raises(InputError, match=r"^no channel `emial`; this result has `") as e:
        r.credit("emial", "last")
    assert e.value.code == "unknown_channel"
    with pytest.raises(InputError, match=r"^no model column `first`; this result has `last`$") as e:
        r.credit("email", "first")
    assert e.value.code == "unknown_model"
    with pytest.raises(InputError) as e:
        cjm.attribute(ROWS, no_such_option=1)
    assert e.value.code == "invalid_option"
    with pytest.raises(InputError) as e:
        cjm.attribute([{"route": "a"}])
    assert e.value.code == "missing_column"
    with pytest.raises(InputError) as e:
        cjm.attribute([{"path": "a", "total_conversions": math.nan}])
    assert e.value.code == "not_finite"
    with pytest.raises(InputError) as e:
        cjm.attribute([{"path": "a", "total_conversions": "two"}])
    assert e.value.code == "wrong_type"
    with pytest.raises(InputError) as e:
        cjm.attribute([{"path": "a >  > b", "total_conversions": 1}])
    assert e.value.code == "invalid_path"


def test_result_tables_and_views() -> None:
    r = cjm.attribute(ROWS)
    assert r.tables[0] == "credits"
    assert set(r.channels) == {"search", "email", "direct", "display"}
    credits = r.to_dicts()
    assert list(credits[0]) == ["channel", *r.models]
    long = r.to_dicts("long")
    assert len(long) == len(r.channels) * len(r.models)
    models = r.to_dicts("models")
    assert all(len(m["hash"]) == 12 for m in models)
    html = r._repr_html_()
    for m in models:
        assert m["hash"] in html
    assert r.to_dicts("removal_effects")
    assert r.to_dicts("transitions")
    pa = pytest.importorskip("pyarrow")
    assert pa.table(r).num_rows == len(r.channels)
    assert r.to_pandas("value").shape[0] == len(r.channels)
    svg = r.to_svg(title="Credits <by> model")
    assert str(svg).startswith("<svg") and "&lt;by&gt;" in str(svg)
    assert "attribution" in repr(r)
    assert len(r) == len(r.channels)


def test_paths_from_an_event_log() -> None:
    pytest.importorskip("pyarrow")
    log = cjm.EventLog.from_arrow(
        cjm.generate_log(300, seed=7),
        customer="customer",
        timestamp="timestamp",
        event="event",
        channel="channel",
        value="value",
        progress=False,
    )
    r = log.attribute(conversion_events="purchase")
    assert r.totals["conversions"] > 0
    s = log.attribute(conversion_events=["purchase"], models=["markov"], keep_times=False)
    assert s.models == ["markov"]
    assert s.credit(r.channels[0], "markov") == pytest.approx(r.credit(r.channels[0], "markov"))
    with pytest.raises(InputError) as e:
        log.attribute()
    assert e.value.code == "invalid_option"


def test_report_section_comes_from_the_core() -> None:
    journey = cjm.template("b2c-ecommerce")
    r = cjm.attribute(ROWS)
    html = journey.report_html(attribution=r)
    assert 'id="section-attribution-1"' in html
    for m in r.to_dicts("models"):
        assert m["hash"] in html
    assert html == journey.report_html(attribution=cjm.attribute(ROWS))
