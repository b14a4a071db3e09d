"""The funnel on Spark: ``cjm.spark.funnel`` (the Rust core in the executors, through
``mapInArrow`` and mergeable states) against plain PySpark SQL doing the same funnel.

Not part of the test suite. Generates a clickstream with the core's seeded generator
(``cjm.generate_log``, about 16 events per customer; 10M events by default), writes it
once as Parquet with a global ``row`` column (the order key), and runs both in one
SparkSession in local mode (``local[2]`` by default: this machine's cores):

- ``cjm``: ``cjm.spark.funnel(df, STEPS, columns=EventColumns(order_key="row"))`` (the
  default route: repartition by customer, a count-level state per partition);
- ``cjm events``: the same with ``event_states=True`` (no shuffle; each partition's
  relevant events are shipped, merged per customer and finished on the driver);
- ``sql``: the rule of docs/events.md in SQL. Every step-1 event starts an attempt; step
  k takes the earliest event of its name at or after (≥) step k−1's time and counts only
  when it is within the window of the step-1 time (inclusive, 7 days). As the earliest
  qualifying event is within the window exactly when some qualifying event is, each step
  is a range join on the customer: ``MIN(ts)`` of the step's events with
  ``t_prev <= ts <= t1 + window``. A customer counts at the deepest step of any attempt.

Then directly-follows transitions (without start/end edges) the same three ways, the SQL
one a ``LAG`` over each customer's events in (timestamp, row) order.

All read the same Parquet file; each timing is the best of ``--repeat`` runs (default 3),
and the script fails unless all give the same customers per step and the same
transitions.

Run with a release build (``CJM_PY_RELEASE=1 bash cjm-py/scripts/develop.sh``):

    .venv/bin/python cjm-py/bench/spark_bench.py                 # 10M events
    .venv/bin/python cjm-py/bench/spark_bench.py --events 1000000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import pyarrow as pa
import pyarrow.parquet as pq

import cjm
import cjm.spark as cs

STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]
WINDOW_MS = 7 * 86_400_000
EVENTS_PER_CUSTOMER = 16


def write_log(events: int, path: Path) -> int:
    if not path.exists():
        table = cjm.generate_log(customers=max(1, events // EVENTS_PER_CUSTOMER), seed=42)
        table = table.append_column("row", pa.array(range(table.num_rows), pa.int64()))
        pq.write_table(table, path, row_group_size=1 << 20)
    return int(pq.ParquetFile(path).metadata.num_rows)


def sql_funnel(spark: Any, df: Any) -> List[int]:
    df.createOrReplaceTempView("events")
    steps = ", ".join(f"'{s}'" for s in STEPS)
    joins = []
    for k in range(1, len(STEPS)):
        prev = "t1" if k == 1 else f"t{k}"
        carried = ", ".join(f"a.t{j}" for j in range(2, k + 1))
        carried = f", {carried}" if carried else ""
        joins.append(
            f"""a{k + 1} AS (
                SELECT a.customer, a.t1{carried}, MIN(e.ts) AS t{k + 1}
                FROM a{k} a LEFT JOIN e
                  ON e.customer = a.customer AND e.event = '{STEPS[k]}'
                 AND a.{prev} IS NOT NULL
                 AND e.ts >= a.{prev} AND e.ts <= a.t1 + {WINDOW_MS}
                GROUP BY a.customer, a.t1{carried})"""
        )
    n = len(STEPS)
    depth = " + ".join(f"CASE WHEN t{k} IS NOT NULL THEN 1 ELSE 0 END" for k in range(2, n + 1))
    counts = ", ".join(f"SUM(CASE WHEN depth >= {k} THEN 1 ELSE 0 END)" for k in range(1, n + 1))
    query = f"""
        WITH e AS (
            SELECT customer, event, unix_millis(timestamp) AS ts
            FROM events WHERE event IN ({steps})
        ),
        a1 AS (SELECT customer, ts AS t1 FROM e WHERE event = '{STEPS[0]}'),
        {", ".join(joins)},
        d AS (
            SELECT customer, MAX(1 + {depth}) AS depth FROM a{n} GROUP BY customer
        )
        SELECT {counts} FROM d
    """
    row = spark.sql(query).collect()[0]
    return [int(x or 0) for x in row]


def sql_directly_follows(spark: Any, df: Any) -> Dict[Tuple[str, str], int]:
    """Directly-follows transitions in Spark SQL: each event and the next one of the same
    customer, in (timestamp, row) order."""
    df.createOrReplaceTempView("events")
    rows = spark.sql(
        """
        SELECT prev, event, COUNT(*) AS n FROM (
            SELECT event, LAG(event) OVER (PARTITION BY customer ORDER BY timestamp, row) AS prev
            FROM events
        ) WHERE prev IS NOT NULL GROUP BY prev, event
        """
    ).collect()
    return {(r["prev"], r["event"]): int(r["n"]) for r in rows}


def best(fn: Callable[[], Any], repeat: int) -> Tuple[float, Any]:
    times = []
    out = None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--dir", default=os.path.join(tempfile.gettempdir(), "cjm-spark-bench"))
    args = parser.parse_args()

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    folder = Path(args.dir)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"events-{args.events}.parquet"
    rows = write_log(args.events, path)

    spark = (
        SparkSession.builder.master(args.master)
        .appName("cjm-spark-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "8g")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "100000")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    df = spark.read.parquet(str(path))
    partitions = df.rdd.getNumPartitions()
    print(f"{rows:,} events, {partitions} partitions, master {args.master}")

    columns = cs.EventColumns(order_key="row")
    t_cjm, result = best(lambda: cs.funnel(df, STEPS, columns=columns), args.repeat)
    t_ev, result_ev = best(
        lambda: cs.funnel(df, STEPS, columns=columns, event_states=True), args.repeat
    )
    t_sql, counts = best(lambda: sql_funnel(spark, df), args.repeat)
    t_dfg, dfg = best(lambda: cs.directly_follows(df, columns=columns, start_end=False), args.repeat)
    t_dfg_ev, dfg_ev = best(
        lambda: cs.directly_follows(df, columns=columns, start_end=False, event_states=True),
        args.repeat,
    )
    t_dfg_sql, dfg_sql = best(lambda: sql_directly_follows(spark, df), args.repeat)
    spark.stop()

    pairs = {(e["from"], e["to"]): e["transitions"] for e in dfg.to_dict()["edges"]}
    if pairs != dfg_sql or dfg.to_dict() != dfg_ev.to_dict():
        raise SystemExit("the directly-follows counts disagree")

    ours = list(result.customers)
    print(f"customers per step: cjm {ours}, sql {counts}")
    if ours != counts or result.to_dict() != result_ev.to_dict():
        raise SystemExit("the funnels disagree")
    print(f"cjm.spark.funnel (counts)  {t_cjm:8.2f} s")
    print(f"cjm.spark.funnel (events)  {t_ev:8.2f} s")
    print(f"Spark SQL funnel           {t_sql:8.2f} s")
    print(f"SQL / cjm (counts)         {t_sql / t_cjm:8.2f}x")
    print(f"SQL / cjm (events)         {t_sql / t_ev:8.2f}x")
    print(f"directly-follows pairs: {len(pairs)}, all equal")
    print(f"cjm.spark.directly_follows (counts)  {t_dfg:8.2f} s")
    print(f"cjm.spark.directly_follows (events)  {t_dfg_ev:8.2f} s")
    print(f"Spark SQL directly-follows           {t_dfg_sql:8.2f} s")
    print(f"SQL / cjm (counts)                   {t_dfg_sql / t_dfg:8.2f}x")
    print(f"SQL / cjm (events)                   {t_dfg_sql / t_dfg_ev:8.2f}x")


if __name__ == "__main__":
    main()
