"""Measured KPIs (issue 18, item 1) on the shared vector `tests/vectors/measured/`, which
Rust and JavaScript run too: the same values, counts and reasons, from the core."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

import cjm

pa = pytest.importorskip("pyarrow")

VECTOR = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "measured" / "measured-kpis.json"


def measured(v: dict[str, Any]) -> cjm.MeasuredKpis:
    journey = cjm.Journey.from_dict(v["journey"])
    rows = v["events"]["rows"]
    table = pa.table({
        "customer": [r[0] for r in rows],
        "timestamp": pa.array([r[1] for r in rows], pa.timestamp("ms", tz="UTC")),
        "event": [r[2] for r in rows],
        "value": pa.array([r[3] for r in rows], pa.float64()),
    })
    log = cjm.EventLog.from_arrow(table, value="value", progress=False)
    survey = cjm.survey_kpis(v["survey"], scope="scope", nps="nps", csat="csat", ces="ces")
    return journey.measure_kpis(
        stage_funnel=log.funnel(journey=journey),
        conversion=log.funnel(v["conversion_steps"]),
        survey=survey,
        log=log,
    )


def test_the_shared_vector() -> None:
    v = json.loads(VECTOR.read_text(encoding="utf-8"))
    m = measured(v)
    d = m.to_dict()
    e = v["expect"]
    got = {k["kpi"]: k for k in d["kpis"]}
    assert set(got) == set(e["kpis"])
    for kpi, (value, n, source) in e["kpis"].items():
        assert math.isclose(got[kpi]["value"], value, abs_tol=1e-9), kpi
        assert m.value(kpi) == got[kpi]["value"]
        assert (got[kpi]["n"], got[kpi]["source"]) == (n, source), kpi
    assert [x["kpi"] for x in d["not_measured"]] == e["not_measured"]
    assert d["losses"][0] == e["largest_loss"]
    for key in ("events", "customers", "period_start", "period_end"):
        assert d[key] == e[key], key
    assert len(m) == len(e["kpis"])


def test_health_and_insights_judge_kpis_on_measured_values() -> None:
    v = json.loads(VECTOR.read_text(encoding="utf-8"))
    doc = v["journey"]
    doc["kpis"][0]["target"] = 0.8  # conv: designed 0.9 meets it, measured 0.5 does not
    journey = cjm.Journey.from_dict(doc)
    m = measured({**v, "journey": doc})

    def conversion(**k: Any) -> float:
        comps = journey.health(**k).to_dict()["journey"]["components"]
        return float(next(c["raw"] for c in comps if c["name"] == "conversion"))

    # Designed 0.9 of 0.8 → 100; measured 0.5 of 0.8 → 62.5.
    assert conversion() == 100.0
    assert conversion(measured=m) == 62.5
    missed = [i for i in journey.insights(measured=m).to_dicts() if i["code"] == "kpi_target_missed"]
    conv = [i for i in missed if "Conversion" in i["message"]]
    assert len(conv) == 1 and "measured 50 %" in conv[0]["message"].replace("\xa0", " "), missed
    assert conv[0]["path"] == "kpis[0]"  # a measured value is not in the document
