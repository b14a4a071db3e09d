"""The shared report vector (`tests/vectors/report/`, also run by Rust and JavaScript):
health, insights, funnel, flows and attribution results given to ``report_html`` come
out in the core's one order with the numbers worked by hand, and the page is the same,
byte for byte, as the one Rust and JavaScript render (its SHA-256 in the vector)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

import cjm

pa = pytest.importorskip("pyarrow")

VECTOR = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "report" / "report-sections.json"


def page(v: dict[str, Any]) -> str:
    journey = cjm.Journey.from_dict(v["journey"])
    rows = v["events"]["rows"]
    table = pa.table({
        "customer": [r[0] for r in rows],
        "timestamp": pa.array([r[1] for r in rows], pa.timestamp("s", tz="UTC")),
        "event": [r[2] for r in rows],
        "channel": [r[3] for r in rows],
        "value": pa.array([r[4] for r in rows], pa.float64()),
    })
    log = cjm.EventLog.from_arrow(table, channel="channel", value="value", progress=False)
    return journey.report_html(
        health=journey.health(),
        insights=journey.insights(as_of=v["insights_as_of"]),
        funnel=log.funnel(v["funnel_steps"], journey=journey),
        flows=log.flows(),
        attribution=log.attribute(
            conversion_events=v["conversion_events"], models=v["attribution_models"]
        ),
    )


def section_rows(html: str, kind: str) -> list[list[str]]:
    """The cells of every table row of one report section (by its class)."""
    start = html.index(f'class="{kind}">')
    section = html[start : html.index("</section>", start)]
    return [
        re.findall(r"<td[^>]*>(.*?)</td>", row)
        for row in section.split("<tr>")[1:]
        if "<td" in row
    ]


def test_the_shared_report_vector() -> None:
    v = json.loads(VECTOR.read_text(encoding="utf-8"))
    html = page(v)
    e = v["expect"]
    assert re.findall(r"<h2>([^<]*)</h2>", html) == e["headings"]
    assert section_rows(html, "funnel") == e["funnel_rows"]
    credits = e["attribution_conversions"]
    assert section_rows(html, "attribution")[: len(credits)] == credits
    assert hashlib.sha256(html.encode("utf-8")).hexdigest() == e["html_sha256"]
