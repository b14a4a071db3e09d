"""Event-log analytics: cjm against pandas, polars and DuckDB doing the same work.

Not part of the test suite. Generates clickstreams with the core's seeded generator
(``cjm.generate_log``, about 14 events per customer), writes each once as an Arrow IPC
file, and hands the same table to every tool, each in its own process:

- ``ingest``: cjm builds its ``EventLog`` (``EventLog.from_arrow``); pandas and polars
  convert the Arrow table to a frame; DuckDB copies it into a table;
- ``funnel``: 4 steps (session_start → view_item → add_to_cart → purchase), sequential,
  7-day window (the rule of docs/events.md; the pandas/polars/DuckDB versions are the
  as-of-join oracles of ``tests/oracles.py``);
- ``directly_follows``: transitions and distinct customers per (from, to), START/END;
- ``variants``: the top 10 event sequences;
- ``traffic``: events and distinct customers per touchpoint of the b2c-ecommerce map.

Each timing is the best of 3. Every tool's results must equal cjm's (the script fails
otherwise). Peak memory: each tool runs in a child of a small measuring process, which
reads ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` when the tool's process has
ended, so every tool's peak is its own (the Arrow table it loads included; the ``arrow``
row is that baseline alone).

Run with a release build (``CJM_PY_RELEASE=1 bash cjm-py/scripts/develop.sh``):

    .venv/bin/python cjm-py/bench/events_bench.py            # 1M and 10M events
    .venv/bin/python cjm-py/bench/events_bench.py --events 1000000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]
WEEK_MS = 7 * 86_400_000
TOP_K = 10
TOOLS = ["arrow", "cjm", "pandas", "polars", "duckdb"]
OPS = ["ingest", "funnel", "directly_follows", "variants", "traffic"]
EVENTS_PER_CUSTOMER = 14.0


def best_of(n: int, fn: Callable[[], Any]) -> Tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(n):
        gc.collect()
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


def oracle_base(table: Any) -> Any:
    import pyarrow as pa

    return pa.table(
        {
            "customer": table["customer"],
            "ts": table["timestamp"].cast(pa.int64()),
            "row": pa.array(range(table.num_rows), pa.int64()),
            "event": table["event"],
        }
    )


def worker(tool: str, path: str, repeat: int) -> Dict[str, Any]:
    """Runs one tool's work on the table in `path`; prints timings and results."""
    import pyarrow as pa

    import cjm
    import oracles

    with pa.memory_map(path) as source:
        table = pa.ipc.open_file(source).read_all()
    journey = cjm.template("b2c-ecommerce")
    binding = oracles.binding(journey)
    times: Dict[str, float] = {}
    results: Dict[str, Any] = {}
    if tool == "arrow":
        return {"times": times, "results": results}
    if tool == "cjm":
        times["ingest"], log = best_of(
            repeat,
            lambda: cjm.EventLog.from_arrow(
                table, customer="customer", timestamp="timestamp", event="event", progress=False
            ),
        )
        ops: Dict[str, Callable[[], Any]] = {
            "funnel": lambda: oracles.funnel_cjm(log, STEPS, WEEK_MS),
            "directly_follows": lambda: oracles.directly_follows_cjm(log),
            "variants": lambda: oracles.variants_cjm(log, TOP_K),
            "traffic": lambda: oracles.traffic_cjm(log, journey),
        }
    elif tool == "pandas":
        base = oracle_base(table)
        times["ingest"], df = best_of(repeat, base.to_pandas)
        ops = {
            "funnel": lambda: oracles.funnel_pandas(df, STEPS, WEEK_MS),
            "directly_follows": lambda: oracles.directly_follows_pandas(df),
            "variants": lambda: oracles.variants_pandas(df, TOP_K),
            "traffic": lambda: oracles.traffic_pandas(df, binding),
        }
    elif tool == "polars":
        import polars as pl

        base = oracle_base(table)
        times["ingest"], df = best_of(repeat, lambda: pl.from_arrow(base))
        ops = {
            "funnel": lambda: oracles.funnel_polars(df, STEPS, WEEK_MS),
            "directly_follows": lambda: oracles.directly_follows_polars(df),
            "variants": lambda: oracles.variants_polars(df, TOP_K),
            "traffic": lambda: oracles.traffic_polars(df, binding),
        }
    elif tool == "duckdb":
        import duckdb

        base = oracle_base(table)
        con = duckdb.connect()
        con.register("src", base)

        def load() -> None:
            con.execute("CREATE OR REPLACE TABLE ev AS SELECT * FROM src")

        times["ingest"], _ = best_of(repeat, load)
        ops = {
            "funnel": lambda: oracles.funnel_duckdb(con, STEPS, WEEK_MS),
            "directly_follows": lambda: oracles.directly_follows_duckdb(con),
            "variants": lambda: oracles.variants_duckdb(con, TOP_K),
            "traffic": lambda: oracles.traffic_duckdb(con, binding),
        }
    else:
        raise SystemExit(f"unknown tool {tool}")
    for name, fn in ops.items():
        times[name], out = best_of(repeat, fn)
        results[name] = out
    return {"times": times, "results": normalise(results)}


def normalise(results: Dict[str, Any]) -> Dict[str, Any]:
    """JSON-friendly, order-independent forms."""
    out: Dict[str, Any] = {}
    for name, value in results.items():
        if name == "directly_follows":
            out[name] = sorted([list(k) + list(v) for k, v in value.items()])
        elif name == "variants":
            out[name] = [[list(seq), n] for seq, n in value]
        elif name == "traffic":
            out[name] = sorted([[k, *v] for k, v in value.items()])
        else:
            out[name] = value
    return out


def measure(tool: str, path: str, repeat: int) -> Dict[str, Any]:
    """Runs the worker as a child and reports its peak RSS (this process has no other
    children, so RUSAGE_CHILDREN is the worker's own peak)."""
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", tool, "--file", path, "--repeat", str(repeat)],
        check=True,
        capture_output=True,
        text=True,
    )
    report = json.loads(proc.stdout)
    report["peak_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return report


def run_size(events: int, repeat: int, seed: int) -> None:
    import pyarrow as pa

    import cjm

    customers = max(1, round(events / EVENTS_PER_CUSTOMER))
    t = time.perf_counter()
    table = cjm.generate_log(customers, seed)
    print(
        f"\n## {table.num_rows:,} events, {customers:,} customers "
        f"(generated in {time.perf_counter() - t:.1f} s)\n",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.arrow")
        with pa.OSFile(path, "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        del table
        reports: Dict[str, Dict[str, Any]] = {}
        for tool in TOOLS:
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", tool, "--file", path,
                 "--repeat", str(repeat)],
                check=True,
                capture_output=True,
                text=True,
            )
            reports[tool] = json.loads(proc.stdout)
            print(f"  {tool} done", file=sys.stderr, flush=True)
    want = reports["cjm"]["results"]
    for tool in ("pandas", "polars", "duckdb"):
        got = reports[tool]["results"]
        for op in want:
            assert got[op] == want[op], f"{tool} disagrees with cjm on {op}"
    print(f"All results agree (funnel customers per step: {want['funnel']}).\n")
    cols = ["cjm", "pandas", "polars", "duckdb"]
    print("Time in seconds (best of %d); in brackets, the tool's time ÷ cjm's\n" % repeat)
    print("| operation | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    for op in OPS + ["total"]:
        cells: List[str] = []
        base = None
        for tool in cols:
            times = reports[tool]["times"]
            value = sum(times.values()) if op == "total" else times[op]
            if tool == "cjm":
                base = value
                cells.append(f"{value:.3f}")
            else:
                cells.append(f"{value:.3f} ({value / base:.1f}×)" if base else f"{value:.3f}")
        print(f"| {op} | " + " | ".join(cells) + " |")
    print("\nPeak memory (max RSS of the tool's process, MiB); the Arrow table alone: "
          f"{reports['arrow']['peak_mib']:.0f} MiB\n")
    print("| | " + " | ".join(cols) + " |")
    print("|---|" + "---:|" * len(cols))
    base_mem = reports["cjm"]["peak_mib"]
    cells = [f"{base_mem:.0f}"] + [
        f"{reports[t]['peak_mib']:.0f} ({reports[t]['peak_mib'] / base_mem:.1f}×)"
        for t in cols[1:]
    ]
    print("| peak RSS | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="*", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.file, args.repeat)))
        return
    if args.measure:
        print(json.dumps(measure(args.measure, args.file, args.repeat)))
        return
    import cjm

    print(f"cjm {cjm.__version__}, Python {sys.version.split()[0]}")
    for events in args.events:
        run_size(events, args.repeat, args.seed)


if __name__ == "__main__":
    main()
