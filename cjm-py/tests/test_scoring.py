"""Scoring through the Python API: the shared golden vectors of tests/vectors/survey/ and
tests/vectors/scoring/ (the comparison of the Rust runner: every key of ``expect`` present
in the result with an equal value, numbers to 1e-9 relative), the same table read from
pandas, polars, pyarrow and a dict, and live oracles (statsmodels' Wilson interval, NPS
counted with pandas)."""

from __future__ import annotations

import json
import math
import pickle
import random
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict, List

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from statsmodels.stats.proportion import proportion_confint

import cjm
from cjm import InputError, SurveyReport

from conftest import REPO

SURVEY = sorted((REPO / "tests" / "vectors" / "survey").glob("*.json"))
SCORING = sorted((REPO / "tests" / "vectors" / "scoring").glob("*.json"))
ROLES = ("scope", "segment", "nps", "csat", "ces")


def contains(found: Any, expected: Any, at: str, failures: List[str]) -> None:
    """The comparison of cjm-core/tests/common/mod.rs."""
    if isinstance(expected, dict) and isinstance(found, dict):
        for key, value in expected.items():
            if key in found:
                contains(found[key], value, f"{at}.{key}", failures)
            else:
                failures.append(f"{at}.{key}: missing")
    elif isinstance(expected, list) and isinstance(found, list):
        if len(found) != len(expected):
            failures.append(f"{at}: {len(found)} items, expected {len(expected)}")
        for i, (f, e) in enumerate(zip(found, expected)):
            contains(f, e, f"{at}[{i}]", failures)
    elif (
        isinstance(expected, (int, float))
        and not isinstance(expected, bool)
        and isinstance(found, (int, float))
        and not isinstance(found, bool)
    ):
        if abs(found - expected) > 1e-9 * max(abs(expected), 1.0):
            failures.append(f"{at}: {found} != {expected}")
    elif found != expected:
        failures.append(f"{at}: {found!r} != {expected!r}")


def columns_of(table: Dict[str, Any]) -> Dict[str, Any]:
    """The survey_kpis keyword arguments naming each column of a vector table."""
    return {role: (role if role in table else None) for role in ROLES}


def score_dict(table: Dict[str, Any], options: Dict[str, Any]) -> SurveyReport:
    return cjm.survey_kpis(table, **columns_of(table), **options)


@pytest.mark.parametrize("path", SURVEY, ids=[p.stem for p in SURVEY])
def test_survey_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    table, options, expect = vector["table"], vector["options"], vector["expect"]
    lengths = {len(column) for column in table.values()}
    # As a dict; and as an Arrow table when the columns can form one.
    sources: List[Any] = [table]
    if len(lengths) == 1 and lengths != {0}:
        sources.append(pa.table(table))
    for source in sources:
        how = type(source).__name__
        if "error" in expect:
            with pytest.raises(InputError) as info:
                cjm.survey_kpis(source, **columns_of(table), **options)
            assert info.value.code == expect["error"]["code"], f"{path.name} ({how})"
            assert info.value.row == expect["error"].get("row"), f"{path.name} ({how})"
            assert info.value.path == ""
        else:
            found = cjm.survey_kpis(source, **columns_of(table), **options).to_dict()
            failures: List[str] = []
            contains(found, expect, f"{path.name} ({how})", failures)
            assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path", SCORING, ids=[p.stem for p in SCORING])
def test_scoring_vector(path: Path) -> None:
    vector = json.loads(path.read_text(encoding="utf-8"))
    journey = cjm.load(vector["journey"])
    survey = score_dict(vector["survey"], {}) if "survey" in vector else None
    reach = vector.get("reach")
    found = {
        "priorities": journey.priorities(reach=reach).to_dict(),
        "health": journey.health(model=vector.get("model"), survey=survey, reach=reach).to_dict(),
    }
    failures: List[str] = []
    contains(found, vector["expect"], path.name, failures)
    assert not failures, "\n".join(failures)


def test_vectors_exist() -> None:
    assert len(SURVEY) >= 10 and len(SCORING) >= 3


# --- one table, four ways in -----------------------------------------------------------

TABLE: Dict[str, List[Any]] = {
    "touchpoint": ["search", "search", "checkout", "checkout", None, "checkout"],
    "persona": ["anna", "ben", "anna", None, "ben", "anna"],
    "nps": [10, 6, None, 9, 7, 0],
    "csat": [5, 4, 2, None, 3, 5],
    "ces": [7, 6, 1, 4, None, 5],
}
NAMES: Dict[str, Any] = {"scope": "touchpoint", "segment": "persona", "nps": "nps", "csat": "csat", "ces": "ces"}


def test_same_report_from_pandas_polars_pyarrow_and_dict() -> None:
    expected = cjm.survey_kpis(TABLE, **NAMES).to_dict()
    assert len(expected["groups"]) > 3
    nullable_ints = {k: pd.array(TABLE[k], dtype="Int64") for k in ("nps", "csat", "ces")}
    frames: Dict[str, Any] = {
        "pandas": pd.DataFrame({**TABLE, **nullable_ints}),
        "pandas (pyarrow dtypes)": pd.DataFrame(TABLE).convert_dtypes(dtype_backend="pyarrow"),
        "pandas (categorical scope)": pd.DataFrame(
            {**TABLE, **nullable_ints, "touchpoint": pd.Categorical(TABLE["touchpoint"])}
        ),
        "polars": pl.DataFrame(TABLE),
        "polars (categorical)": pl.DataFrame(TABLE).with_columns(pl.col("touchpoint").cast(pl.Categorical)),
        "pyarrow table": pa.table(TABLE),
        "pyarrow batch": pa.RecordBatch.from_pydict(TABLE),
        "pyarrow chunked": pa.concat_tables([pa.table(TABLE).slice(0, 2), pa.table(TABLE).slice(2)]),
        "pyarrow large strings and floats": pa.table(
            {
                **{k: pa.array(TABLE[k], pa.large_string()) for k in ("touchpoint", "persona")},
                **{k: pa.array(TABLE[k], pa.float32()) for k in ("nps", "csat", "ces")},
            }
        ),
        "pyarrow dictionaries and string views": pa.table(
            {
                "touchpoint": pa.array(TABLE["touchpoint"]).dictionary_encode(),
                "persona": pa.array(TABLE["persona"], pa.string_view()),
                **{k: pa.array(TABLE[k]) for k in ("nps", "csat", "ces")},
            }
        ),
        "a read-only mapping": MappingProxyType(TABLE),
        "pyarrow reader": pa.RecordBatchReader.from_batches(
            pa.table(TABLE).schema, pa.table(TABLE).to_batches(max_chunksize=4)
        ),
    }
    for how, frame in frames.items():
        assert cjm.survey_kpis(frame, **NAMES).to_dict() == expected, how


def test_nan_in_a_pandas_float_column_is_refused_with_its_row() -> None:
    frame = pd.DataFrame({"nps": [10.0, 9.0, 0.0, math.nan, 7.0], "other": [1, 2, 3, 4, 5]})
    assert frame["nps"].dtype == "float64"
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(frame, nps="nps")
    assert info.value.code == "not_finite"
    assert info.value.row == 3
    assert info.value.path == ""
    # Across batches the row is counted from the start of the data.
    table = pa.Table.from_batches(
        pa.table({"nps": pa.array([1.0, 2.0, 3.0, math.nan], from_pandas=False)}).to_batches(
            max_chunksize=2
        )
    )
    assert table.num_rows == 4 and len(table.to_batches()) == 2
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(table, nps="nps")
    assert (info.value.code, info.value.row) == ("not_finite", 3)
    # polars keeps NaN apart from null too; a dict as given.
    for source in (pl.DataFrame({"nps": [1.0, None, math.nan]}), {"nps": [1.0, None, math.nan]}):
        with pytest.raises(InputError) as info:
            cjm.survey_kpis(source, nps="nps")
        assert (info.value.code, info.value.row) == ("not_finite", 2)
    # A missing answer is null (a nullable pandas dtype), not NaN.
    nullable = pd.DataFrame({"nps": pd.array([10, None, 0], dtype="Int64")})
    overall = cjm.survey_kpis(nullable, nps="nps").to_dict()["groups"][0]["nps"]
    assert (overall["answered"], overall["missing"]) == (2, 1)


def test_bad_answers_columns_and_options() -> None:
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(pa.table({"nps": [3, 11]}), nps="nps")
    assert (info.value.code, info.value.row) == ("out_of_scale", 1)
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(pa.table({"nps": [3]}), nps="score")
    assert (info.value.code, info.value.row) == ("missing_column", None)
    # The message names the argument and lists the data's columns, the same for a table
    # and a dict of columns (the core's).
    arrow_message = str(info.value)
    assert "`score` (named as the `nps` column)" in arrow_message, arrow_message
    assert "its columns are `nps`" in arrow_message, arrow_message
    with pytest.raises(InputError) as info:
        cjm.survey_kpis({"nps": [3]}, nps="score")
    assert info.value.code == "missing_column"
    assert str(info.value) == arrow_message
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(pa.table({"nps": ["ten"]}), nps="nps")
    assert info.value.code == "wrong_type"
    with pytest.raises(InputError) as info:
        cjm.survey_kpis(pa.table({"tp": [1], "nps": [3]}), scope="tp", nps="nps")
    assert info.value.code == "wrong_type"
    with pytest.raises(InputError) as info:
        cjm.survey_kpis({"nps": [1]}, nps="nps", csat_method="best")
    assert info.value.code == "invalid_option"
    with pytest.raises(InputError) as info:
        cjm.survey_kpis({"nps": [1]}, nps="nps", csat_scale=300)
    assert info.value.code == "invalid_option"
    with pytest.raises(InputError) as info:
        cjm.survey_kpis({"nps": [1]}, nps="nps", ces_scale=6)
    assert info.value.code == "invalid_option"
    with pytest.raises(TypeError):
        cjm.survey_kpis([1, 2, 3], nps="nps")
    err = InputError("m", "not_finite", 4)
    again = pickle.loads(pickle.dumps(err))
    assert (type(again), again.code, again.row, str(again)) == (InputError, "not_finite", 4, "m")
    assert issubclass(InputError, cjm.CjmError) and issubclass(InputError, ValueError)


# --- live oracles -----------------------------------------------------------------------


@pytest.mark.parametrize("x,n", [(0, 1), (1, 1), (3, 10), (7, 9), (45, 50), (0, 40), (250, 1000), (999, 1000)])
def test_wilson_interval_equals_statsmodels(x: int, n: int) -> None:
    answers = [5] * x + [1] * (n - x)  # top box on 1-5: 4 and 5
    csat = cjm.survey_kpis({"csat": answers}, csat="csat").to_dict()["groups"][0]["csat"]
    low, high = proportion_confint(x, n, alpha=0.05, method="wilson")
    assert csat["value"] == pytest.approx(100 * x / n, rel=1e-12)
    assert csat["interval"][0] == pytest.approx(100 * low, rel=1e-9, abs=1e-9)
    assert csat["interval"][1] == pytest.approx(100 * high, rel=1e-9, abs=1e-9)


def test_nps_equals_a_pandas_count_on_generated_data() -> None:
    rng = random.Random(20240607)
    rows = 5000
    frame = pd.DataFrame(
        {
            "tp": [rng.choice(["search", "cart", "pay", "help"]) for _ in range(rows)],
            "nps": pd.array(
                [None if rng.random() < 0.07 else rng.randint(0, 10) for _ in range(rows)],
                dtype="Int64",
            ),
        }
    )
    report = cjm.survey_kpis(frame, scope="tp", nps="nps").to_dict()
    by_scope = {g["scope"]: g["nps"] for g in report["groups"] if g["level"] == "scope"}
    grouped = frame.groupby("tp")["nps"]
    promoters = grouped.apply(lambda s: int((s >= 9).sum()))
    detractors = grouped.apply(lambda s: int((s <= 6).sum()))
    answered = grouped.count()
    missing = grouped.apply(lambda s: int(s.isna().sum()))
    assert set(by_scope) == set(answered.index)
    for tp, nps in by_scope.items():
        n = int(answered[tp])
        p, d = promoters[tp] / n, detractors[tp] / n
        assert nps["answered"] == n and nps["missing"] == missing[tp]
        assert nps["promoters"] == promoters[tp] and nps["detractors"] == detractors[tp]
        assert nps["value"] == pytest.approx(100 * (p - d), rel=1e-12)
        margin = 1.96 * 100 * math.sqrt((p + d - (p - d) ** 2) / n)
        assert nps["margin"] == pytest.approx(margin, rel=1e-12)


# --- result objects ---------------------------------------------------------------------


def test_survey_report_exports() -> None:
    report = cjm.survey_kpis(TABLE, **NAMES)
    assert report.tables == ["groups"]
    as_dict = report.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict  # plain values only
    arrow = report.to_arrow()
    assert isinstance(arrow, pa.Table) and arrow.num_rows == len(report) == len(as_dict["groups"])
    for column in ("level", "scope", "segment", "responses", "suppressed", "nps", "nps_margin",
                   "nps_answered", "csat", "csat_low", "csat_high", "ces"):
        assert column in arrow.column_names
    first = as_dict["groups"][0]
    assert arrow.column("nps")[0].as_py() == first["nps"]["value"]
    assert arrow.column("csat_low")[0].as_py() == first["csat"]["interval"][0]
    assert report.to_pandas().shape == (arrow.num_rows, arrow.num_columns)
    assert report.to_polars().shape == (arrow.num_rows, arrow.num_columns)
    assert pa.table(report).equals(arrow)  # __arrow_c_stream__
    assert pl.DataFrame(report).shape == (arrow.num_rows, arrow.num_columns)
    definition = report.definition
    assert definition is not None and definition["kind"] == "survey"
    assert definition["hash"] in repr(report) and repr(report).startswith("<SurveyReport: ")
    with pytest.raises(ValueError):
        report.to_arrow("nope")
    with pytest.raises(cjm.InputError) as unknown:
        report.to_dicts("nope")
    assert unknown.value.code == "unknown_table" and "groups" in str(unknown.value)


def test_html_is_escaped_and_has_no_script() -> None:
    hostile = '<script>alert("x")</script>&'
    report = cjm.survey_kpis({"tp": [hostile], "nps": [9]}, scope="tp", nps="nps")
    html = report._repr_html_()
    assert "<script" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;" in html
    definition = report.definition
    assert definition is not None and definition["hash"] in html
    assert html.startswith("<table") and "<caption>SurveyReport" in html


def test_journey_scores() -> None:
    journey = cjm.template("b2c-ecommerce")
    tps = [tp["id"] for tp in journey.to_dict()["touchpoints"]]
    survey = cjm.survey_kpis(
        {"tp": [tps[i % len(tps)] for i in range(60)], "nps": [i % 11 for i in range(60)]},
        scope="tp",
        nps="nps",
    )
    health = journey.health(survey=survey, traffic={tps[0]: 100.0}, kpi_actuals={})
    assert health.tables == ["scores", "components"]
    scores = health.to_arrow()
    as_dict = health.to_dict()
    assert scores.num_rows == 1 + len(as_dict["stages"]) + len(as_dict["touchpoints"])
    assert scores.column("kind")[0].as_py() == "journey"
    assert scores.column("score")[0].as_py() == as_dict["journey"]["score"]
    components = health.components_table()
    assert components.column_names == [
        "kind", "id", "component", "raw", "normalised", "weight", "share", "contribution"
    ]
    assert components.num_rows == sum(
        len(s["components"]) for s in [as_dict["journey"], *as_dict["stages"], *as_dict["touchpoints"]]
    )
    nps_rows = components.filter(pa.compute.equal(components.column("component"), "nps"))
    assert nps_rows.num_rows > 0
    assert "<caption>HealthReport" in health._repr_html_()

    priorities = journey.priorities(reach={"stages": {"purchase": 0.3}})
    assert priorities.tables == ["pain_points", "opportunities"]
    pains = priorities.to_pandas()
    assert list(pains["rank"]) == list(range(1, len(pains) + 1))
    assert len(priorities.to_polars("opportunities")) == len(priorities.to_dict()["opportunities"])

    curves = journey.emotion_curves()
    assert len(curves) == len(journey.to_dict()["personas"])
    assert curves.to_list()[0]["persona"] == curves.to_arrow("curves").column("persona")[0].as_py()
    assert curves.to_polars().columns == ["persona", "kind", "id", "value", "observations"]


def test_bad_scoring_options() -> None:
    journey = cjm.template("b2c-ecommerce")
    models: List[Dict[str, Any]] = [{"weights": {"nps": -1}}, {"weigths": {}}, {"thresholds": {"poor": 90, "good": 50}}]
    for model in models:
        with pytest.raises(InputError) as info:
            journey.health(model=model)
        assert info.value.code == "invalid_option", model
    with pytest.raises(InputError) as info:
        journey.priorities(reach={"stage": {}})
    assert info.value.code == "invalid_option"
    with pytest.raises(TypeError):
        journey.health(survey={"groups": []})  # type: ignore[arg-type]


def test_nan_as_missing_is_explicit() -> None:
    # 9, NaN, 3: an error by default; with nan_as_missing the NaN is a missing answer and
    # the promoter (9) and detractor (3) give NPS 100·(1 − 1)/2 = 0.
    import pandas as pd

    frame = pd.DataFrame({"nps": [9.0, float("nan"), 3.0]})
    with pytest.raises(cjm.InputError) as caught:
        cjm.survey_kpis(frame, nps="nps")
    assert (caught.value.code, caught.value.row) == ("not_finite", 1)
    report = cjm.survey_kpis(frame, nps="nps", nan_as_missing=True).to_dict()
    nps = report["groups"][0]["nps"]
    assert (nps["value"], nps["answered"], nps["missing"]) == (0.0, 2, 1)
