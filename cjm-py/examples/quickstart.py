"""Quickstart: load a built-in template, look at it, and see what a broken map reports.

Run with ``python cjm-py/examples/quickstart.py``; checked with ``mypy --strict``.
"""

from __future__ import annotations

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


if __name__ == "__main__":
    main()
