"""Pictures: SVG parses as XML and escapes every user string, Mermaid round trip, the
HTML report with sections from results."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict

import pytest

import cjm

from conftest import SMALL

HOSTILE = '<script>alert("x")</script> & \'quotes\''


def hostile_journey() -> cjm.Journey:
    doc: Dict[str, Any] = copy.deepcopy(SMALL)
    doc["name"] = HOSTILE
    doc["stages"][0]["name"] = HOSTILE
    doc["touchpoints"][0]["name"] = HOSTILE
    doc["pain_points"][0]["name"] = HOSTILE
    return cjm.Journey.from_dict(doc)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def test_svgs_parse_and_escape() -> None:
    journey = hostile_journey()
    for svg in (journey.map_svg(), journey.emotion_svg(), journey.map_svg(width=1600, legend=False)):
        assert isinstance(svg, cjm.Svg)
        root = parse(svg._repr_svg_())
        assert root.tag.endswith("svg")
        assert str(svg) == svg.markup == svg._repr_svg_()
        assert "<script" not in str(svg)
        assert "&lt;script&gt;" in str(svg) or "script" not in str(svg)
        assert not any(el.tag.endswith("script") for el in root.iter())
        assert repr(svg).startswith("<Svg")


def test_svg_options_are_checked(tmp_path: Path) -> None:
    journey = cjm.template("b2c-ecommerce")
    with pytest.raises(cjm.InputError) as info:
        journey.map_svg(colour="red")
    assert info.value.code == "invalid_option"
    out = tmp_path / "map.svg"
    journey.map_svg(lanes=["touchpoints", "emotion"]).save(out)
    parse(out.read_text(encoding="utf-8"))


def test_mermaid_round_trip() -> None:
    journey = cjm.template("b2c-ecommerce")
    text, dropped = journey.to_mermaid()
    assert text.startswith("journey") and dropped
    back, notes = cjm.from_mermaid(text)
    assert isinstance(back, cjm.Journey)
    assert [s["name"] for s in back.to_dict()["stages"]] == [
        s["name"] for s in journey.to_dict()["stages"]
    ]
    assert all(set(n) == {"line", "message"} for n in notes)
    with pytest.raises(cjm.CjmError):
        cjm.from_mermaid("not a diagram")


def test_a_breakdown_funnel_draws_every_group() -> None:
    log = cjm.EventLog.from_arrow(
        cjm.generate_log(200, 1), customer="customer", timestamp="timestamp", event="event",
        channel="channel", progress=False,
    )
    funnel = log.funnel(["session_start", "purchase"], breakdown="channel")
    svg = str(funnel.to_svg(title="By channel"))
    parse(svg)
    groups = funnel.to_dicts("breakdown")
    assert groups and f"{len({g['group'] for g in groups})} panels (" in svg
    assert " entered)" in svg


def test_mermaid_scores_a_touchpoint_from_its_survey_answers() -> None:
    # CSAT 5, 5 (mean 5 on 1..5: e' = +1, score 5) for the product page and the first
    # persona; the other tasks keep the map's emotions.
    journey = cjm.template("b2c-ecommerce")
    doc = journey.to_dict()
    persona = doc["personas"][0]["id"]
    page = next(t for t in doc["touchpoints"] if t["id"] == "tp-product-page")
    survey = cjm.survey_kpis(
        {"touchpoint": ["tp-product-page"] * 2, "persona": [persona] * 2, "csat": [5, 5]},
        scope="touchpoint", segment="persona", csat="csat", csat_method="mean",
    )
    text, dropped = journey.to_mermaid(persona, survey=survey)
    plain, _ = journey.to_mermaid(persona)
    assert f"{page['name']}: 5:" in text
    assert any(d.startswith("1 tasks scored from measured survey answers") for d in dropped)
    other = [line for line in text.splitlines() if page["name"] not in line]
    assert other == [line for line in plain.splitlines() if page["name"] not in line]


def test_funnel_and_flow_svgs_and_report() -> None:
    journey = hostile_journey()
    table = cjm.generate_log(200, 1)
    log = cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event", progress=False
    )
    funnel = log.funnel(["session_start", "view_item", "add_to_cart", "purchase"])
    flows = log.flows(4)
    parse(str(funnel.to_svg(title=HOSTILE)))
    parse(str(flows.to_svg(title=HOSTILE)))
    dfg = log.directly_follows_svg(title=HOSTILE, min_share=0.2)
    root = parse(str(dfg))
    assert "&lt;script&gt;" in str(dfg) and root.tag.endswith("svg")
    assert "Directly-follows graph:" in str(dfg)
    for bad in ({"min_share": 2.0}, {"colour": "red"}):
        with pytest.raises(cjm.InputError) as e:
            log.directly_follows_svg(**bad)
        assert e.value.code == "invalid_option"
    assert "&lt;script&gt;" in str(funnel.to_svg(title=HOSTILE))
    html = journey.report_html(
        health=journey.health(), insights=journey.insights(), funnel=funnel, flows=flows,
        title=HOSTILE, footer="made in a test",
        sections=[{"kind": "other", "title": "Mine", "blocks": [{"type": "paragraph", "text": HOSTILE}]}],
    )
    assert html.startswith("<!DOCTYPE html>") or html.lower().startswith("<!doctype html>")
    assert "<script" not in html
    for heading in ("Health", "Insights", "Funnel", "Flows", "Mine"):
        assert heading in html
    with pytest.raises(cjm.InputError):
        journey.report_html(colour="red")


def test_retention_heat_map_is_the_cores() -> None:
    """``RetentionResult.to_svg``: observable cells written once, the others blank (the
    hand-worked case of cjm-core/tests/retention.rs)."""
    csv = (
        "customer,timestamp,event\n"
        "a,2024-03-01T10:00:00Z,view\na,2024-03-02T10:00:00Z,view\n"
        "b,2024-03-01T11:00:00Z,view\nc,2024-03-02T12:00:00Z,view\n"
    )
    log = cjm.EventLog.from_csv(csv, customer="customer", timestamp="timestamp", event="event")
    svg = str(log.retention(periods=2).to_svg(title="Daily retention"))
    assert svg.startswith("<svg") and "<title>Daily retention</title>" in svg
    cells = re.findall(r'<text [^>]*text-anchor="middle">(\d+)\xa0%</text>', svg)
    assert cells == ["100", "50", "100", "100", "50"], cells
    with pytest.raises(cjm.InputError):
        log.retention(periods=2).to_svg(colour="red")
