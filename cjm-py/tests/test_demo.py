"""The demo tells one truth (issue 18, item 1): every number `make demo` prints appears,
written the same way, in the report it writes; the KPIs measured from the data are the
values the report's glance, KPI table and map cards show."""

from __future__ import annotations

import html
import io
import re
import runpy
import contextlib
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"


def page_text(markup: str) -> str:
    markup = re.sub(r"<style>.*?</style>", " ", markup, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup)).replace("\xa0", " ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: Any) -> tuple[str, str]:
    out = tmp_path_factory.mktemp("demo") / "report.html"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CJM_DEMO_OUT", str(out))
        with contextlib.redirect_stdout(printed):
            runpy.run_path(str(DEMO), run_name="__main__")
    return printed.getvalue().replace("\xa0", " "), out.read_text(encoding="utf-8")


def test_every_number_the_demo_prints_is_in_the_report(demo: tuple[str, str]) -> None:
    printed, report = demo
    text = page_text(report)
    # The last line names the file; single digits are left out (any page has them).
    lines = [line for line in printed.splitlines() if not line.startswith("report:")]
    numbers = [
        n for n in re.findall(r"\d[\d,]*(?:\.\d+)?", "\n".join(lines))
        if len(n.replace(",", "").replace(".", "")) >= 2
    ]
    assert len(numbers) >= 20, numbers
    missing = [n for n in numbers if not re.search(rf"(?<![\d.,]){re.escape(n)}(?![\d]|[.,]\d)", text)]
    assert not missing, missing


def test_measured_kpis_are_what_the_glance_the_table_and_the_map_show(demo: tuple[str, str]) -> None:
    printed, report = demo
    measured = re.findall(r"^    (.+): (.+) \(n = ([\d,]+)\)$", printed, flags=re.M)
    assert len(measured) >= 5, printed
    text = page_text(report)
    glance = page_text(report.split('<section id="glance">')[1].split("</section>")[0])
    kpi_table = page_text(report.split("<caption>KPIs</caption>")[1].split("</table>")[0])
    # The map's text, its wrapped lines joined by single spaces.
    map_text = " ".join(page_text(report.split('<section id="map">')[1].split("</section>")[0]).split())
    for name, value, n in measured:
        assert re.search(rf"{re.escape(name)}\s+{re.escape(value)}\s", glance), (name, value)
        assert f"n = {n}" in kpi_table and value in kpi_table, (name, value)
        assert f"measured {value}" in map_text, (name, value)
    # The designed sample values never stand in for a measured KPI's status.
    assert "NPS 27" not in text
