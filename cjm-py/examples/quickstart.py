"""Quickstart: load a built-in template, look at it, and see what a broken map reports.

Run with ``python cjm-py/examples/quickstart.py``; checked with ``mypy --strict``.
"""

from __future__ import annotations

import datetime

import cjm


def main() -> None:
    for info in cjm.templates():
        print(f"{info['name']:<24} {info['title']}")

    journey = cjm.template("b2c-ecommerce")
    print(repr(journey))

    summary: cjm.Summary = journey.summary()
    print(f"{summary['personas']} personas, {summary['pain_points']} pain points")
    for stage in summary["stages"]:
        print(
            f"  {stage['name']:<16} {stage['touchpoints']:>2} touchpoints"
            f" on {stage['channels']} channels, pain points: {stage['pain_points']}"
        )

    # Break the map: a severity outside 1..5.
    doc = journey.to_dict()
    doc["pain_points"][0]["severity"] = 9
    for problem in cjm.validate(doc):
        print(f"problem: {problem.code} at {problem.path}")

    try:
        cjm.load(doc)
    except cjm.DocumentError as err:
        print(f"DocumentError: code={err.code} path={err.path} ({len(err.problems)} problem(s))")

    # The document round-trips through JSON.
    assert cjm.loads(journey.to_json()) == journey

    # Score survey answers (a dict of lists here; a pandas or polars DataFrame or a pyarrow
    # Table works the same), then the health of the map with them.
    survey = cjm.survey_kpis(
        {
            "touchpoint": ["tp-checkout", "tp-checkout", "tp-checkout", "tp-product-page", None],
            "nps": [10, 9, 3, 8, None],
            "csat": [5, 4, 2, 4, 5],
        },
        scope="touchpoint",
        nps="nps",
        csat="csat",
    )
    print(repr(survey))
    overall = survey.to_dict()["groups"][0]
    print(f"NPS {overall['nps']['value']:.0f} ± {overall['nps']['margin']:.0f}")
    health = journey.health(survey=survey)
    print(repr(health))
    top = journey.priorities().to_dict()["pain_points"][0]
    print(f"top pain point: {top['pain_point']} (priority {top['priority']})")
    try:
        cjm.survey_kpis({"nps": [10, 11]}, nps="nps")
    except cjm.InputError as err:
        print(f"InputError: code={err.code} row={err.row}")

    # Lint the map as of a date.
    findings = journey.insights(datetime.date(2026, 1, 1))
    print(repr(findings))

    # An event log (a synthetic clickstream; pyarrow needed), bound to the map: measured
    # traffic feeds the priorities, a funnel is counted in unique customers.
    try:
        table = cjm.generate_log(customers=300, seed=7)
    except ImportError:
        return
    log = cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event",
        journey=journey, progress=False,
    )
    print(repr(log))
    report = log.ingest_report
    assert report.rows_read == report.rows_used + report.rejected_total + report.consent_filtered
    traffic = log.traffic(journey)
    print(repr(journey.priorities(reach=traffic.measured_reach())))
    funnel = log.funnel(
        ["session_start", "view_item", "add_to_cart", "purchase"],
        window=datetime.timedelta(days=7),
    )
    print("funnel:", " -> ".join(str(n) for n in funnel.customers))
    svg = funnel.to_svg(title="Purchase funnel")
    assert str(svg).startswith("<svg")


if __name__ == "__main__":
    main()
