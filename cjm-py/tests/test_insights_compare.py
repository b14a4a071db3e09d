"""Insights and comparisons through the Python API: the shared vectors in
tests/vectors/insights/ and tests/vectors/compare/, statsmodels' z-test as a live oracle,
group comparisons worked by hand, map diffs and patterns."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from types import MappingProxyType
from typing import Any, Dict

import pytest

import cjm

from conftest import REPO

INSIGHTS = sorted((REPO / "tests" / "vectors" / "insights").glob("*.json"))
COMPARE = REPO / "tests" / "vectors" / "compare" / "two-proportion-z.json"


def subset(expected: Any, actual: Any, path: str = "") -> None:
    """``expected`` is a subset of ``actual`` (objects by key, numbers within 1e-9)."""
    if isinstance(expected, dict):
        for k, v in expected.items():
            assert k in actual, f"{path}.{k} missing"
            subset(v, actual[k], f"{path}.{k}")
    elif isinstance(expected, list):
        assert len(expected) == len(actual), path
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset(e, a, f"{path}[{i}]")
    elif isinstance(expected, float) or isinstance(actual, float):
        assert actual is not None and abs(expected - actual) < 1e-9, f"{path}: {expected} != {actual}"
    else:
        assert expected == actual, path


@pytest.mark.parametrize("path", INSIGHTS, ids=[p.stem for p in INSIGHTS])
def test_insight_vectors(path: Path) -> None:
    v = json.loads(path.read_text(encoding="utf-8"))
    journey = cjm.Journey.from_dict(v["journey"])
    kwargs: Dict[str, Any] = dict(v["inputs"])
    options = dict(v["options"])
    as_of = options.pop("as_of", None)
    if "error" in v["expect"]:
        with pytest.raises(cjm.InputError) as info:
            journey.insights(as_of, **options, **kwargs)
        assert info.value.code == v["expect"]["error"]
        return
    report = journey.insights(as_of, **options, **kwargs)
    found = [[i["code"], i["path"], i["severity"]] for i in report.to_dicts()]
    assert found == v["expect"]["insights"]
    assert report.not_checked == v["expect"]["not_checked"]
    assert len(report) == len(found)
    assert report.definition is not None and report.definition["kind"] == "insights"
    if as_of is not None and "error" not in v["expect"]:
        # A date object and a datetime give the same findings as the text.
        date = dt.date.fromisoformat(as_of)
        assert journey.insights(date, **options, **kwargs).to_dict() == report.to_dict()
        moment = dt.datetime(date.year, date.month, date.day, 13, 0)
        assert journey.insights(moment, **options, **kwargs).to_dict() == report.to_dict()


def test_insights_from_traffic_and_html() -> None:
    journey = cjm.template("b2c-ecommerce")
    log = cjm.EventLog.from_arrow(
        cjm.generate_log(300, 3), customer="customer", timestamp="timestamp", event="event",
        progress=False,
    )
    traffic = log.traffic(journey)
    report = journey.insights(
        "2026-01-01", reach=traffic, unmapped_events=traffic, total_events=len(log),
        stage_drop_off={"purchase": 0.9},
    )
    assert "unmapped_events" in {i["code"] for i in report.to_dicts()}
    html = report._repr_html_()
    assert html.startswith("<table") and "insights" in html
    # Not a date: the core names the option (it was Python's TypeError).
    with pytest.raises(cjm.InputError, match="option `as_of` invalid type: floating point") as e:
        journey.insights(3.5)  # type: ignore[arg-type]
    assert e.value.code == "invalid_option"
    # A datetime is read as its calendar date; an unknown option is named.
    at_ten = dt.datetime(2026, 1, 1, 10, tzinfo=dt.timezone.utc)
    assert journey.insights(at_ten).to_dicts() == journey.insights(dt.date(2026, 1, 1)).to_dicts()
    with pytest.raises(cjm.InputError, match="unknown field `high_prio`"):
        journey.insights(high_prio=0.2)  # type: ignore[call-arg]


def test_two_proportion_vectors() -> None:
    v = json.loads(COMPARE.read_text(encoding="utf-8"))
    for i, case in enumerate(v["cases"]):
        got = cjm.two_proportion_test(case["x1"], case["n1"], case["x2"], case["n2"])
        subset(case["expect"], got, f"case {i}")


@pytest.mark.parametrize(
    "x1,n1,x2,n2", [(45, 100, 30, 100), (5, 8, 9, 10), (1, 50, 7, 60), (300, 1000, 250, 900)]
)
def test_two_proportion_against_statsmodels(x1: int, n1: int, x2: int, n2: int) -> None:
    from statsmodels.stats.proportion import proportions_ztest

    z, p = proportions_ztest([x1, x2], [n1, n2])
    got = cjm.two_proportion_test(x1, n1, x2, n2)
    assert math.isclose(got["z"], z, rel_tol=1e-12)
    assert math.isclose(got["p_value"], p, rel_tol=1e-9)
    assert got["difference"] == pytest.approx(x1 / n1 - x2 / n2)


def test_two_proportion_undefined_is_none() -> None:
    got = cjm.two_proportion_test(0, 10, 0, 20)
    assert got["z"] is None and got["p_value"] is None
    with pytest.raises(cjm.InputError, match="`x1` must be an integer from 0"):
        cjm.two_proportion_test(-1, 4, 1, 2)


SURVEY = {
    "scope": ["checkout", "checkout", "checkout", "search"],
    "segment": ["anna", "ben", "anna", "anna"],
    "nps": [10, 0, 8, 9],
    "csat": [5, 1, 4, 2],
}


def test_compare_groups_by_hand() -> None:
    # As cjm-core/tests/compare.rs: anna NPS 10, 8, 9 → 66.67 ± 53.3444; ben 0 → −100 ± 0;
    # CSAT top box 2 of 3 against 0 of 1: pooled 0.5, z = 0.6667/0.57735 = 1.1547.
    result = cjm.compare_groups(
        SURVEY, "anna", "ben", scope="scope", segment="segment", nps="nps", csat="csat"
    )
    rows = {r["metric"]: r for r in result.to_dicts()}
    assert rows["nps"]["difference"] == pytest.approx(166.6667, abs=1e-4)
    assert rows["nps"]["margin"] == pytest.approx(53.3444, abs=1e-4)
    assert rows["nps"]["significant"] is True
    assert rows["csat"]["z"] == pytest.approx(1.1547, abs=1e-4)
    assert rows["csat"]["method"] == "two_proportion_z"
    assert result.definition is not None


def test_compare_groups_frames_and_scopes() -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    kwargs: Dict[str, Any] = dict(scope="scope", segment="segment", nps="nps", csat="csat")
    a = cjm.compare_groups(SURVEY, "anna", "ben", **kwargs).to_dict()
    assert cjm.compare_groups(pd.DataFrame(SURVEY), "anna", "ben", **kwargs).to_dict() == a
    assert cjm.compare_groups(pl.DataFrame(SURVEY), "anna", "ben", **kwargs).to_dict() == a
    # Any mapping of columns reads as a dict does; `by` is the core's default, segments.
    assert cjm.compare_groups(MappingProxyType(SURVEY), "anna", "ben", **kwargs).to_dict() == a
    assert cjm.compare_groups(SURVEY, "anna", "ben", by="segment", **kwargs).to_dict() == a
    # Two scopes, and two segments within one scope.
    by_scope = cjm.compare_groups(SURVEY, "checkout", "search", by="scope", **kwargs)
    assert {r["metric"] for r in by_scope.to_dicts()} == {"nps", "csat"}
    within = cjm.compare_groups(SURVEY, "anna", "ben", within="checkout", **kwargs)
    # anna at checkout: 10 and 8 → one promoter, one passive → NPS 50.
    assert within.to_dicts()[0]["a"] == pytest.approx(50.0)
    with pytest.raises(cjm.InputError) as info:
        cjm.compare_groups(SURVEY, "anna", "nobody", **kwargs)
    assert info.value.code == "invalid_option"
    # The core's `SurveyState.compare` names the side it could not pick.
    assert str(info.value).startswith(
        "`b`: no responses at level `segment` with segment `nobody`"
    ), str(info.value)
    with pytest.raises(cjm.InputError):
        cjm.compare_groups(SURVEY, "anna", "ben", by="colour", **kwargs)
    # A comparison hides no group: a minimum group size is refused, not ignored.
    with pytest.raises(cjm.InputError, match=r"`min_group_size` \(5\) does not apply"):
        cjm.compare_groups(SURVEY, "anna", "ben", min_group_size=5, **kwargs)  # type: ignore[call-arg]
    # Without a scope column a segment is still a group (the core's `GroupSelector`
    # reads it at the level that holds it), the same as JavaScript's compareSegments;
    # a `within` scope then has no column to come from.
    plain = {k: v for k, v in SURVEY.items() if k != "scope"}
    no_scope: Dict[str, Any] = dict(segment="segment", nps="nps", csat="csat")
    assert cjm.compare_groups(plain, "anna", "ben", **no_scope).to_dict() == a
    with pytest.raises(cjm.InputError, match="without a scope column"):
        cjm.compare_groups(plain, "anna", "ben", within="checkout", **no_scope)


def test_diff_maps_and_patterns() -> None:
    before = cjm.template("b2c-ecommerce")
    doc = before.to_dict()
    doc["name"] = "Changed"
    doc["pain_points"][0]["severity"] = 5
    del doc["touchpoints"][-1]
    after = cjm.Journey.from_dict(doc)
    diff = cjm.diff_maps(before, after)
    assert diff.journey_fields == ["name"]
    changes = diff.to_dicts("changes")
    assert {"collection": "pain_points", "change": "changed", "id": doc["pain_points"][0]["id"],
            "fields": ["severity"]} in changes
    assert any(c["change"] == "removed" and c["collection"] == "touchpoints" for c in changes)
    assert any(s["kind"] == "journey" for s in diff.to_dicts("scores"))
    with pytest.raises(cjm.InputError, match="option `colour` unknown field") as unknown:
        cjm.diff_maps(before, after, before_inputs={"colour": 1})
    assert unknown.value.code == "invalid_option"
    # The inputs are the core's `MapInputs`; a survey report is read as its value.
    tp = before.to_dict()["touchpoints"][0]["id"]
    survey = cjm.survey_kpis({"scope": [tp, tp], "nps": [0, 1]}, scope="scope", nps="nps")
    measured = cjm.diff_maps(before, before, before_inputs={"survey": survey})
    moved = [s for s in measured.to_dicts("scores") if s["id"] == tp]
    assert moved and moved[0]["delta"] > 0
    # A dict shaped like a report is not one: nothing would check its numbers.
    with pytest.raises(cjm.InputError, match="`before_inputs`'s `survey` must be a SurveyReport") as shaped:
        cjm.diff_maps(before, before, before_inputs={"survey": survey.to_dict()})
    assert shaped.value.code == "invalid_option"
    doc["id"] = "changed"
    found = cjm.patterns([before, cjm.Journey.from_dict(doc)], "2026-01-01")
    assert len(found) > 0 and all(p["maps"] >= 2 for p in found.to_dicts())
    # Nothing is measured across maps: the thresholds of measured data are refused.
    for key in ("high_drop_off", "unmapped_share"):
        with pytest.raises(cjm.InputError) as refused:
            cjm.patterns([before, cjm.Journey.from_dict(doc)], **{key: 0.2})  # type: ignore[arg-type]
        assert refused.value.code == "invalid_option" and key in str(refused.value)
