"""Independent implementations of the event-log analytics in pandas, polars and DuckDB,
used as oracles by the tests and the benchmark (``bench/events_bench.py``).

Each takes a table with columns ``customer`` (str), ``ts`` (int64 milliseconds), ``row``
(input order) and ``event`` (str), and returns plain Python values:

- ``funnel``: customers per step of a sequential funnel under the rule of docs/events.md:
  every step-1 event starts an attempt at ``t0``; each later step takes the earliest
  event of that step at or after (>=) the previous step's time (an as-of join, forward);
  the step counts when its time minus ``t0`` is within the window (inclusive). Times only
  grow along an attempt, so an attempt that misses the window at step k misses it at every
  later step: the customers at step k are the distinct customers of the attempts still
  alive after step k (the deepest step any attempt reaches);
- ``directly_follows``: ``{(from, to): (transitions, customers)}`` over each customer's
  events ordered by (ts, row), with ``START`` and ``END``;
- ``variants``: the top k ``(events, customers)``, by customers descending then the
  sequence compared name by name (a prefix first);
- ``traffic``: ``{touchpoint: (events, customers)}`` for a mapping touchpoint → event
  names.
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence, Tuple

SEP = "\x1f"  # below every character of an event name: joined strings sort like lists

Dfg = Dict[Tuple[str, str], Tuple[int, int]]
Top = List[Tuple[Tuple[str, ...], int]]
Traffic = Dict[str, Tuple[int, int]]


def _top(counts: Sequence[Tuple[str, int]], k: int) -> Top:
    ranked = sorted(counts, key=lambda x: (-x[1], x[0]))[:k]
    return [(tuple(seq.split(SEP)), int(n)) for seq, n in ranked]


# ---------------------------------------------------------------------------------------
# pandas


def funnel_pandas(df: Any, steps: Sequence[str], window_ms: int) -> List[int]:
    import pandas as pd

    d = df[["customer", "ts", "event"]]
    att = d.loc[d["event"] == steps[0], ["customer", "ts"]].rename(columns={"ts": "t0"})
    att["t"] = att["t0"]
    out = [int(att["customer"].nunique())]
    for name in steps[1:]:
        ev = d.loc[d["event"] == name, ["customer", "ts"]].sort_values("ts")
        att = pd.merge_asof(
            att.sort_values("t"), ev, left_on="t", right_on="ts", by="customer",
            direction="forward", allow_exact_matches=True,
        )
        att = att[att["ts"].notna() & (att["ts"] - att["t0"] <= window_ms)]
        att = att.assign(t=att["ts"].astype("int64")).drop(columns="ts")
        out.append(int(att["customer"].nunique()))
    return out


def directly_follows_pandas(df: Any) -> Dfg:
    import pandas as pd

    d = df.sort_values(["customer", "ts", "row"], kind="stable")[["customer", "event"]]
    nxt = d.groupby("customer", sort=False)["event"].shift(-1).fillna("END")
    prev = d.groupby("customer", sort=False)["event"].shift(1)
    pairs = pd.DataFrame({"customer": d["customer"], "from": d["event"], "to": nxt})
    starts = pd.DataFrame(
        {"customer": d["customer"][prev.isna()], "from": "START", "to": d["event"][prev.isna()]}
    )
    pairs = pd.concat([starts, pairs], ignore_index=True)
    g = pairs.groupby(["from", "to"]).agg(
        transitions=("customer", "size"), customers=("customer", "nunique")
    )
    return {(a, b): (int(r.transitions), int(r.customers)) for (a, b), r in g.iterrows()}


def variants_pandas(df: Any, k: int) -> Top:
    d = df.sort_values(["customer", "ts", "row"], kind="stable")
    seqs = d.groupby("customer", sort=False)["event"].agg(SEP.join)
    counts = seqs.value_counts().rename_axis("seq").reset_index(name="n")
    top = counts.sort_values(["n", "seq"], ascending=[False, True], kind="stable").head(k)
    return _top(list(zip(top["seq"], top["n"])), k)


def traffic_pandas(df: Any, binding: Mapping[str, Sequence[str]]) -> Traffic:
    import pandas as pd

    pairs = pd.DataFrame(
        [(tp, e) for tp, events in binding.items() for e in events], columns=["tp", "event"]
    )
    m = df[["customer", "event"]].merge(pairs, on="event")
    g = m.groupby("tp").agg(events=("customer", "size"), customers=("customer", "nunique"))
    got = {tp: (int(r.events), int(r.customers)) for tp, r in g.iterrows()}
    return {tp: got.get(tp, (0, 0)) for tp in binding}


# ---------------------------------------------------------------------------------------
# polars


def funnel_polars(df: Any, steps: Sequence[str], window_ms: int) -> List[int]:
    import polars as pl

    d = df.select("customer", "ts", "event")
    att = d.filter(pl.col("event") == steps[0]).select(
        "customer", pl.col("ts").alias("t0"), pl.col("ts").alias("t")
    )
    out = [att["customer"].n_unique()]
    for name in steps[1:]:
        ev = d.filter(pl.col("event") == name).select("customer", "ts").sort("ts")
        att = (
            att.sort("t")
            .join_asof(ev, left_on="t", right_on="ts", by="customer", strategy="forward",
                       check_sortedness=False)
            .filter(pl.col("ts").is_not_null() & (pl.col("ts") - pl.col("t0") <= window_ms))
            .select("customer", "t0", pl.col("ts").alias("t"))
        )
        out.append(att["customer"].n_unique())
    return out


def directly_follows_polars(df: Any) -> Dfg:
    import polars as pl

    d = df.sort(["customer", "ts", "row"], maintain_order=True).select("customer", "event")
    d = d.with_columns(
        pl.col("event").shift(-1).over("customer").fill_null("END").alias("to"),
        pl.col("event").shift(1).over("customer").alias("prev"),
    )
    starts = d.filter(pl.col("prev").is_null()).select(
        "customer", pl.lit("START").alias("from"), pl.col("event").alias("to")
    )
    pairs = pl.concat([starts, d.select("customer", pl.col("event").alias("from"), "to")])
    g = pairs.group_by(["from", "to"]).agg(
        pl.len().alias("transitions"), pl.col("customer").n_unique().alias("customers")
    )
    return {(r[0], r[1]): (int(r[2]), int(r[3])) for r in g.iter_rows()}


def variants_polars(df: Any, k: int) -> Top:
    import polars as pl

    seqs = (
        df.sort(["customer", "ts", "row"], maintain_order=True)
        .group_by("customer", maintain_order=True)
        .agg(pl.col("event").str.join(SEP).alias("seq"))
    )
    counts = seqs.group_by("seq").agg(pl.len().alias("n"))
    top = counts.sort(["n", "seq"], descending=[True, False]).head(k)
    return _top([(s, n) for s, n in top.iter_rows()], k)


def traffic_polars(df: Any, binding: Mapping[str, Sequence[str]]) -> Traffic:
    import polars as pl

    pairs = pl.DataFrame(
        [(tp, e) for tp, events in binding.items() for e in events],
        schema=["tp", "event"], orient="row",
    )
    g = (
        df.select("customer", "event")
        .join(pairs, on="event")
        .group_by("tp")
        .agg(pl.len().alias("events"), pl.col("customer").n_unique().alias("customers"))
    )
    got = {r[0]: (int(r[1]), int(r[2])) for r in g.iter_rows()}
    return {tp: got.get(tp, (0, 0)) for tp in binding}


# ---------------------------------------------------------------------------------------
# DuckDB: `con` has a table or view `ev(customer, ts, row, event)`.


def funnel_duckdb(con: Any, steps: Sequence[str], window_ms: int) -> List[int]:
    ctes = [f"a0 AS (SELECT customer, ts AS t0, ts AS t FROM ev WHERE event = ${1})"]
    for k in range(1, len(steps)):
        ctes.append(
            f"s{k} AS (SELECT customer, ts FROM ev WHERE event = ${k + 1}), "
            f"a{k} AS (SELECT a.customer, a.t0, s.ts AS t FROM a{k - 1} a "
            f"ASOF JOIN s{k} s ON a.customer = s.customer AND a.t <= s.ts "
            f"WHERE s.ts - a.t0 <= {int(window_ms)})"
        )
    counts = " UNION ALL ".join(
        f"SELECT {k} AS k, count(DISTINCT customer) AS n FROM a{k}" for k in range(len(steps))
    )
    sql = f"WITH {', '.join(ctes)} {counts} ORDER BY k"
    return [int(n) for _, n in con.execute(sql, list(steps)).fetchall()]


def directly_follows_duckdb(con: Any) -> Dfg:
    sql = """
    WITH o AS (
        SELECT customer, event,
               lead(event) OVER w AS nxt, lag(event) OVER w AS prv
        FROM ev WINDOW w AS (PARTITION BY customer ORDER BY ts, row)
    ), pairs AS (
        SELECT customer, event AS "from", coalesce(nxt, 'END') AS "to" FROM o
        UNION ALL
        SELECT customer, 'START', event FROM o WHERE prv IS NULL
    )
    SELECT "from", "to", count(*), count(DISTINCT customer) FROM pairs GROUP BY ALL
    """
    return {(a, b): (int(t), int(c)) for a, b, t, c in con.execute(sql).fetchall()}


def variants_duckdb(con: Any, k: int) -> Top:
    sql = f"""
    WITH s AS (
        SELECT customer, string_agg(event, chr(31) ORDER BY ts, row) AS seq
        FROM ev GROUP BY customer
    )
    SELECT seq, count(*) AS n FROM s GROUP BY seq
    ORDER BY n DESC, seq LIMIT {int(k)}
    """
    return _top(con.execute(sql).fetchall(), k)


def traffic_duckdb(con: Any, binding: Mapping[str, Sequence[str]]) -> Traffic:
    rows = [(tp, e) for tp, events in binding.items() for e in events]
    con.execute("CREATE OR REPLACE TEMP TABLE tpmap(tp VARCHAR, event VARCHAR)")
    if rows:
        con.executemany("INSERT INTO tpmap VALUES (?, ?)", rows)
    sql = """
    SELECT m.tp, count(*), count(DISTINCT ev.customer)
    FROM ev JOIN tpmap m USING (event) GROUP BY m.tp
    """
    got = {tp: (int(n), int(c)) for tp, n, c in con.execute(sql).fetchall()}
    return {tp: got.get(tp, (0, 0)) for tp in binding}


# ---------------------------------------------------------------------------------------
# cjm, in the same shapes


def funnel_cjm(log: Any, steps: Sequence[str], window_ms: int) -> List[int]:
    import datetime as dt

    result = log.funnel(list(steps), window=dt.timedelta(milliseconds=window_ms))
    return list(result.customers)


def directly_follows_cjm(log: Any) -> Dfg:
    return {
        (e["from"], e["to"]): (e["transitions"], e["customers"])
        for e in log.directly_follows().to_dicts()
    }


def variants_cjm(log: Any, k: int) -> Top:
    return [(tuple(v["events"]), v["customers"]) for v in log.variants(k).to_dicts()]


def traffic_cjm(log: Any, journey: Any) -> Traffic:
    return {t["id"]: (t["events"], t["customers"]) for t in log.traffic(journey).to_dicts()}


def binding(journey: Any) -> Dict[str, List[str]]:
    """Touchpoint id → the event names that mean it."""
    return {t["id"]: list(t.get("events", [])) for t in journey.to_dict()["touchpoints"]}
