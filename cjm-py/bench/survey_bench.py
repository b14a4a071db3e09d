"""Benchmark: survey KPIs of 1M generated answers, cjm against pandas and polars.

Not a test (nothing here runs in the test suite). Build the extension with optimisations
first, then run:

    CJM_PY_RELEASE=1 PYTHON=.venv/bin/python bash cjm-py/scripts/develop.sh
    .venv/bin/python cjm-py/bench/survey_bench.py [--rows 1000000] [--repeat 3]

The same NPS (with its margin), CSAT top box (share of 4-5 on 1-5) and CES mean (1-7) per
touchpoint are computed three ways: ``cjm.survey_kpis`` (fed a pyarrow table, a polars
frame and a pandas frame), a pandas groupby and a polars group_by. The script checks the
numbers agree (to 1e-9 relative) and prints the best of ``--repeat`` times and the ratios.
cjm also computes the overall group, the Wilson interval and per-segment groups, which
the dataframe versions skip, so the comparison flatters them slightly.
"""

from __future__ import annotations

import argparse
import math
import time
from typing import Any, Callable, Dict, Tuple

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import cjm

Scores = Dict[str, Tuple[float, float, float, float]]  # touchpoint → (nps, margin, csat, ces)


def generate(rows: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    touchpoints = np.array([f"tp-{i:02d}" for i in range(12)])
    segments = np.array(["new", "returning", "vip"])
    nps = rng.integers(0, 11, rows).astype("float64")
    csat = rng.integers(1, 6, rows).astype("float64")
    ces = rng.integers(1, 8, rows).astype("float64")
    # About 5 % unanswered per question, as nulls.
    masks = [rng.random(rows) < 0.05 for _ in range(3)]
    return pa.table(
        {
            "touchpoint": pa.array(touchpoints[rng.integers(0, len(touchpoints), rows)]),
            "segment": pa.array(segments[rng.integers(0, len(segments), rows)]),
            "nps": pa.array(nps, mask=masks[0]),
            "csat": pa.array(csat, mask=masks[1]),
            "ces": pa.array(ces, mask=masks[2]),
        }
    )


def with_cjm(data: Any) -> Scores:
    report = cjm.survey_kpis(
        data, scope="touchpoint", segment="segment", nps="nps", csat="csat", ces="ces"
    ).to_dict()
    return {
        g["scope"]: (g["nps"]["value"], g["nps"]["margin"], g["csat"]["value"], g["ces"]["value"])
        for g in report["groups"]
        if g["level"] == "scope"
    }


def with_pandas(frame: pd.DataFrame) -> Scores:
    answered = frame.assign(
        promoter=(frame["nps"] >= 9).astype("Int64").where(frame["nps"].notna()),
        detractor=(frame["nps"] <= 6).astype("Int64").where(frame["nps"].notna()),
        top=(frame["csat"] >= 4).astype("Int64").where(frame["csat"].notna()),
    )
    g = answered.groupby("touchpoint").agg(
        p=("promoter", "mean"), d=("detractor", "mean"), n=("nps", "count"),
        csat=("top", "mean"), ces=("ces", "mean"),
    )
    nps = 100 * (g["p"] - g["d"])
    margin = 1.96 * 100 * np.sqrt((g["p"] + g["d"] - (g["p"] - g["d"]) ** 2) / g["n"])
    return {
        str(tp): (float(nps[tp]), float(margin[tp]), 100 * float(g["csat"][tp]), float(g["ces"][tp]))
        for tp in g.index
    }


def with_polars(frame: pl.DataFrame) -> Scores:
    g = frame.group_by("touchpoint").agg(
        p=(pl.col("nps") >= 9).mean(),
        d=(pl.col("nps") <= 6).mean(),
        n=pl.col("nps").count(),
        csat=(pl.col("csat") >= 4).mean(),
        ces=pl.col("ces").mean(),
    ).with_columns(
        nps=100 * (pl.col("p") - pl.col("d")),
        margin=1.96 * 100 * ((pl.col("p") + pl.col("d") - (pl.col("p") - pl.col("d")) ** 2) / pl.col("n")).sqrt(),
    )
    return {
        row["touchpoint"]: (row["nps"], row["margin"], 100 * row["csat"], row["ces"])
        for row in g.iter_rows(named=True)
    }


def best_of(repeat: int, run: Callable[[], Scores]) -> Tuple[float, Scores]:
    times = []
    result: Scores = {}
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return min(times), result


def same(a: Scores, b: Scores) -> bool:
    return a.keys() == b.keys() and all(
        math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for k in a for x, y in zip(a[k], b[k])
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    table = generate(args.rows)
    pandas_frame = table.to_pandas(types_mapper=pd.ArrowDtype)  # nulls stay nulls
    pandas_numpy = table.to_pandas()  # NumPy floats: nulls become NaN, for pandas' groupby
    polars_frame = pl.from_arrow(table)
    assert isinstance(polars_frame, pl.DataFrame)

    runs: Dict[str, Callable[[], Scores]] = {
        "cjm (pyarrow table)": lambda: with_cjm(table),
        "cjm (polars frame)": lambda: with_cjm(polars_frame),
        "cjm (pandas frame, Arrow dtypes)": lambda: with_cjm(pandas_frame),
        "pandas groupby (NumPy dtypes)": lambda: with_pandas(pandas_numpy),
        "polars group_by": lambda: with_polars(polars_frame),
    }
    results = {name: best_of(args.repeat, run) for name, run in runs.items()}
    reference = results["cjm (pyarrow table)"][1]
    print(f"{args.rows:,} rows, {len(reference)} touchpoints, best of {args.repeat}\n")
    for name, (seconds, scores) in results.items():
        agrees = "same numbers" if same(scores, reference) else "DIFFERENT NUMBERS"
        print(f"  {name:<34} {seconds * 1000:9.1f} ms   {agrees}")
    cjm_time = results["cjm (pyarrow table)"][0]
    print()
    for other in ("pandas groupby (NumPy dtypes)", "polars group_by"):
        print(f"  {other} / cjm (pyarrow table): {results[other][0] / cjm_time:.2f}x")
    if not all(same(scores, reference) for _, scores in results.values()):
        raise SystemExit("the numbers differ")


if __name__ == "__main__":
    main()
