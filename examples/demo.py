"""The demo analysis of `make demo`, on the bundled sample data.

At this stage of cjm it validates every bundled template and summarises one; it grows
with each capability (scores, funnels, attribution, pictures).
"""

from __future__ import annotations

import cjm


def main() -> None:
    print("cjm demo: bundled journey templates\n")
    for info in cjm.templates():
        journey = cjm.template(info["name"])
        problems = cjm.validate(journey.to_dict())
        verdict = "valid" if not problems else f"{len(problems)} problems"
        print(f"  {info['name']:<24} {info['title']:<28} {verdict}")

    journey = cjm.template("b2c-ecommerce")
    summary = journey.summary()
    print(f"\n{summary['name']}")
    print(
        f"  {summary['personas']} personas, {summary['touchpoints']} touchpoints on "
        f"{summary['channels']} channels, {summary['pain_points']} pain points, "
        f"{summary['opportunities']} opportunities, {summary['kpis']} KPIs, "
        f"{summary['bound_event_names']} bound event names"
    )
    print(f"\n  {'stage':<16}{'touchpoints':>12}{'channels':>10}{'pain points':>13}")
    for stage in summary["stages"]:
        print(
            f"  {stage['name']:<16}{stage['touchpoints']:>12}"
            f"{stage['channels']:>10}{stage['pain_points']:>13}"
        )

    broken = journey.to_dict()
    broken["touchpoints"][0]["stage"] = "nowhere"
    broken["pain_points"][0]["severity"] = 9
    print("\nAfter two bad edits, validation says:")
    for problem in cjm.validate(broken):
        print(f"  {problem.code:<20} {problem.path:<28} {problem.message}")


if __name__ == "__main__":
    main()
