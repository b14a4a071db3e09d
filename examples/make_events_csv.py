"""Writes `examples/events.csv`, the sample event log of docs/getting-started.md: the seeded
synthetic clickstream of `cjm.generate_log(100, seed=7)` with the customer column named
`user_id` (one of the usual names) and timestamps as ISO-8601 text in UTC.

    python examples/make_events_csv.py          # from the repository root
"""

from __future__ import annotations

import csv
from pathlib import Path

import cjm


def main() -> None:
    out = Path(__file__).resolve().parent / "events.csv"
    rows = cjm.generate_log(100, seed=7).to_pylist()
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["user_id", "timestamp", "event", "channel", "value"])
        for r in rows:
            t = r["timestamp"]
            stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
            value = "" if r["value"] is None else f"{r['value']:.2f}"
            writer.writerow(["u" + r["customer"][-3:], stamp, r["event"], r["channel"], value])
    print(f"wrote {out} ({len(rows)} events)")


if __name__ == "__main__":
    main()
