"""The demo analysis of `make demo`: a whole journey analysis on bundled sample data.

1. Load the B2C e-commerce template (a designed map: stages, touchpoints, pain points,
   KPIs) and generate a seeded synthetic clickstream for it (``cjm.generate_log``).
2. Ingest the log (every row accounted for) and bind it to the map: traffic and reach
   per touchpoint and stage, and the events the map does not name.
3. The stage funnel and its drop-off; survey KPIs (NPS, CSAT, CES) on generated answers
   per touchpoint and persona; the map's KPIs measured from these data
   (``Journey.measure_kpis``), which health, the insights and the report all use;
   insights as of a date; multi-touch attribution of purchases to the log's channels.
4. One self-contained HTML report with every section: ``out/report.html``. Every number
   printed here appears, written the same way, in the report (``tests/test_demo.py``).

Everything is seeded, so every run prints and writes the same.
"""

from __future__ import annotations

import datetime
import os
import random
from pathlib import Path
from typing import Any, Dict, List

import cjm

SEED = 42
CUSTOMERS = 2_000
AS_OF = datetime.date(2027, 4, 1)
OUT = Path(os.environ.get("CJM_DEMO_OUT") or Path(__file__).resolve().parents[1] / "out" / "report.html")

# How good each surveyed touchpoint is (0 = awful, 1 = excellent) and how each persona
# leans; the answers below are drawn around these.
TOUCHPOINT_QUALITY: Dict[str, float] = {
    "tp-product-page": 0.78,
    "tp-pre-sale-chat": 0.70,
    "tp-basket": 0.66,
    "tp-checkout": 0.42,
    "tp-delivery": 0.58,
    "tp-returns": 0.35,
    "tp-customer-care": 0.62,
    "tp-app-reorder": 0.82,
}
PERSONA_LEAN: Dict[str, float] = {
    "bargain-hunter": -0.08,
    "busy-professional": -0.03,
    "loyal-enthusiast": 0.12,
}


def survey_answers(journey: cjm.Journey, seed: int, per_touchpoint: int = 120) -> Dict[str, List[Any]]:
    """Seeded, realistic survey answers: NPS 0-10, CSAT 1-5, CES 1-7 per touchpoint and
    persona (personas drawn by their share of the customer base; some questions skipped)."""
    rng = random.Random(seed)
    personas = [(p["id"], p.get("share") or 0.1) for p in journey.to_dict()["personas"]]
    ids, weights = zip(*personas)
    cols: Dict[str, List[Any]] = {"touchpoint": [], "persona": [], "nps": [], "csat": [], "ces": []}

    def scale(q: float, low: int, high: int, spread: float) -> int:
        x = rng.gauss(q, spread)
        return max(low, min(high, round(low + x * (high - low))))

    for touchpoint, quality in TOUCHPOINT_QUALITY.items():
        for _ in range(per_touchpoint):
            persona = rng.choices(ids, weights)[0]
            q = quality + PERSONA_LEAN.get(persona, 0.0)
            cols["touchpoint"].append(touchpoint)
            cols["persona"].append(persona)
            cols["nps"].append(scale(q + 0.22, 0, 10, 0.18) if rng.random() > 0.1 else None)
            cols["csat"].append(scale(q, 1, 5, 0.25) if rng.random() > 0.05 else None)
            cols["ces"].append(scale(q, 1, 7, 0.22) if rng.random() > 0.2 else None)
    return cols


def main() -> None:
    journey = cjm.template("b2c-ecommerce")
    stages = journey.to_dict()["stages"]
    print(f"cjm demo: {journey.name}")

    table = cjm.generate_log(customers=CUSTOMERS, seed=SEED)
    log = cjm.EventLog.from_arrow(
        table,
        customer="customer",
        timestamp="timestamp",
        event="event",
        channel="channel",
        session="session",
        value="value",
        journey=journey,
        progress=False,
    )
    ingest = log.ingest_report
    print(f"  events: {ingest.rows_used:,} of {ingest.rows_read:,} rows used, {log.customers:,} customers")

    traffic = log.traffic(journey)
    reach = traffic.measured_reach()
    unmapped = traffic.unmapped_counts()
    print(f"  bound: {len(unmapped)} event names the map does not name: {', '.join(sorted(unmapped))}")

    funnel = log.funnel(
        [{"stage": s["id"]} for s in stages],
        journey=journey,
        window=datetime.timedelta(days=30),
    )
    steps = funnel.to_dicts()
    drop_off = {s["id"]: row["drop_off_rate"] for s, row in zip(stages, steps) if row["drop_off_rate"] is not None}
    print("  stage funnel: " + " -> ".join(f"{s['name']} {n:,}" for s, n in zip(stages, funnel.customers)))

    survey = cjm.survey_kpis(
        survey_answers(journey, SEED),
        scope="touchpoint",
        segment="persona",
        nps="nps",
        csat="csat",
        ces="ces",
    )
    overall = survey.to_dict()["groups"][0]
    nps = overall["nps"]["value"]
    print(f"  survey: NPS {nps:.0f} ± {overall['nps']['margin']:.0f} over {overall['nps']['answered']} answers")

    purchase = log.funnel(["session_start", "purchase"], window=datetime.timedelta(days=30))
    measured = journey.measure_kpis(stage_funnel=funnel, conversion=purchase, survey=survey, log=log)
    kpis = {k["id"]: k for k in journey.to_dict()["kpis"]}
    print(f"  measured KPIs ({len(measured)} of {len(kpis)}):")
    for m in measured.to_dict()["kpis"]:
        print(f"    {kpis[m['kpi']]['name']}: {m['text']} (n = {m['n']:,})")
    health = journey.health(
        survey=survey,
        reach=reach,
        traffic=traffic.touchpoint_customers(),
        measured=measured,
    )
    print(f"  health: journey {health.to_dict()['journey']['score']:.1f} / 100")

    insights = journey.insights(
        AS_OF,
        reach=traffic,
        stage_drop_off=drop_off,
        unmapped_events=traffic,
        total_events=ingest.rows_used,
        measured=measured,
    )
    print(f"  insights as of {AS_OF}: {len(insights)} findings")

    attribution = log.attribute(conversion_events="purchase")
    markov = {c: attribution.credit(c, "markov") or 0.0 for c in attribution.channels}
    best = max(markov, key=lambda c: markov[c])
    # Credits written as the report's attribution table writes them: at most two decimals.
    credit = f"{markov[best]:.2f}".rstrip("0").rstrip(".")
    print(f"  attribution: {attribution.totals['conversions']:.0f} purchases; Markov credits {best} most ({credit})")

    # The Sankey of stages, as the CX team reads it (events renamed to their stage).
    flows = log.by_stage(journey).flows(4)
    weekly = log.trends(["session_start", "add_to_cart", "purchase"], period="week")
    retention = log.retention(period="week", periods=6)
    html = journey.report_html(
        health=health,
        insights=insights,
        funnel=funnel,
        flows=flows,
        attribution=attribution,
        measured=measured,
        survey=survey,
        trends=weekly,
        retention=retention,
        footer=(
            f"Generated by examples/demo.py: the b2c-ecommerce template, {CUSTOMERS:,} synthetic "
            f"customers and survey answers (seed {SEED}), insights as of {AS_OF}."
        ),
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(html, encoding="utf-8")
    print(f"\nreport: {OUT} ({len(html) // 1024} KiB, self-contained)")


if __name__ == "__main__":
    main()
