"""End to end, from a Parquet export: cjm against pandas, polars and DuckDB (issue 13).

Not a test (never part of ``make test``). Measures what a user feels: the time from a
Parquet file to a result, on data shaped like a real export rather than by cjm's own
generator.

Data (seeded numpy, written once with pyarrow and cached in ``--data-dir``):

- an event log of ``--events`` rows (default 10M): about ``events / 10`` customers with
  random 64-bit integer ids (int64 over the whole range), a geometric number of events
  each (mean 10), grouped into sessions (a channel per session: 8 channels, skewed;
  ``push_received`` events have no channel), event names from a 17-state Markov chain of
  an e-commerce site (``purchase`` reached by about 10 % of customers), timestamps
  ``timestamp[us, tz=UTC]`` over about 90 days at whole seconds (so a customer has some
  events at equal times), rows in global time order (customers interleave), ``event`` and
  ``channel`` dictionary-encoded;
- a survey table of ``--survey-rows`` rows (default 10M): ``touchpoint`` (dictionary, 30
  values, Zipf-like skew), ``segment`` (dictionary, 5 personas), ``survey`` (which
  question was sent: nps, csat or ces) and the score columns ``nps`` (0-10), ``csat``
  (1-5), ``ces`` (1-7) as nullable int8, null where not asked or not answered.

Analyses, each tool written the way its users would write it:

- ``funnel``: view_item > add_to_cart > begin_checkout > add_payment_info > purchase,
  sequential, 7-day window from the step-1 event, inclusive: cjm's default rule (every
  step-1 event starts an attempt; each step takes the earliest event at or after the
  previous step's time; a customer counts at the deepest step any attempt reaches). The
  dataframe versions are forward as-of joins (as in ``tests/oracles.py``);
- ``paths``: directly-follows counts (transitions and customers per pair, START/END) and
  the top-20 variants (whole event sequences, by customers, ties by sequence);
- ``attribution``: first, last, linear, time decay (half-life 7 days) and Markov (order
  1, removal effects) crediting ``purchase``, with cjm's default path options (touch =
  the channel column, events without a channel are not touches; touches strictly before
  the customer's first conversion in (time, row) order; no lookback; paths kept whole,
  repeated touches included, and the Markov chain without self-transitions, as
  channelattribution; non-converters are null paths).
  pandas, polars and DuckDB build the paths and the Markov transition counts themselves
  and hand the (at most 10 x 10) transition matrix to numpy for the removal effects;
- ``survey``: NPS (with its margin), CSAT top box and CES mean per touchpoint, with the
  answer counts (cjm computes every group level, the others only per touchpoint);
- ``retention``: weekly cohorts (ISO weeks, UTC) by each customer's first event, a return
  being any event in week k exactly, k = 0..8; a cell whose week had not begun by the last
  event is null (cjm's defaults but for the period and the number of periods);
- ``trends``: events and distinct customers per day (UTC) and event name;
- ``sessions``: sessions by 30 minutes of inactivity (a gap of exactly 30 minutes stays
  in the session), then the funnel above counted in sessions (an attempt stays inside
  one session);
- ``filter``: the funnel's events of the export's last 30 days (from 30 days before its
  end, ``EPOCH_S + SPAN_S``), then the funnel on them: cjm's ``EventLog.filter`` against
  a boolean mask.

Each (tool, analysis) runs in its own process: "load" is file to in-memory form (cjm:
``pq.read_table`` then ``EventLog.from_arrow(..., progress=False)``, or the pyarrow table
for the survey; "cjm (``from_parquet``)": ``EventLog.from_parquet``, the file read in
Rust without a pyarrow table, for the event analyses; pandas: ``pd.read_parquet``; polars: ``pl.read_parquet``; DuckDB:
``CREATE TABLE ... AS SELECT * FROM read_parquet(...)`` into an in-memory database, with
``file_row_number`` for the input order), "compute" the analysis on it down to plain
Python values, "end to end" both in one span; peak RSS is the process's own
high-water mark (``VmHWM``; ``ru_maxrss`` would include the generator's peak when the
data was generated in the same run). With ``--repeat N`` each is the best of N runs of load + compute. Every
tool's result is asserted equal to cjm's (counts exactly, floats to 1e-9 relative);
the script fails otherwise.

Needs the packages of ``cjm-py/bench/requirements.txt`` (numpy, pyarrow, pandas, polars,
duckdb; all are in the project's .venv) and an optimised build of the extension:

    CJM_PY_RELEASE=1 PYTHON=.venv/bin/python cjm-py/scripts/develop.sh
    .venv/bin/python cjm-py/bench/export_bench.py --events 1000000 --survey-rows 1000000
    .venv/bin/python cjm-py/bench/export_bench.py --json /tmp/export-bench.json
    .venv/bin/python cjm-py/bench/export_bench.py --analyses none --scale   # 100M, cjm only
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence, Tuple

GENERATOR_VERSION = 1
TOOLS = ["cjm", "cjm-parquet", "pandas", "polars", "duckdb"]
TOOL_NAMES = {"cjm": "cjm", "cjm-parquet": "cjm (`from_parquet`)", "pandas": "pandas",
              "polars": "polars", "duckdb": "DuckDB"}
ANALYSES = ["funnel", "paths", "attribution", "survey", "retention", "trends", "sessions",
            "filter"]
ANALYSIS_TITLES = {
    "funnel": "5-step funnel, 7-day window",
    "paths": "directly-follows + top-20 variants",
    "attribution": "attribution: first, last, linear, time decay, Markov",
    "survey": "NPS/CSAT/CES per touchpoint",
    "retention": "weekly retention cohorts, 8 periods",
    "trends": "daily events and customers per event",
    "sessions": "30-minute sessions, then the funnel in sessions",
    "filter": "the last 30 days' funnel events, then the funnel",
}

STEPS = ["view_item", "add_to_cart", "begin_checkout", "add_payment_info", "purchase"]
WINDOW = dt.timedelta(days=7)
CONVERSION = "purchase"
MODELS = ["first", "last", "linear", "time_decay", "markov"]
HALF_LIFE_SECONDS = 7 * 86_400.0  # cjm's default half_life_seconds
TOP_K = 20
PERIODS = 8  # weekly retention: periods 0 to 8
SESSION_GAP = dt.timedelta(minutes=30)
FILTER_DAYS = 30  # `filter`: the funnel events of the export's last 30 days
SEP = "\x1f"  # below every character of an event name: joined strings sort like lists
REL_TOL = 1e-9

# ---------------------------------------------------------------------------------------
# Data

EVENTS = [
    "session_start", "page_view", "view_item_list", "search", "view_item",
    "add_to_wishlist", "add_to_cart", "remove_from_cart", "view_cart", "begin_checkout",
    "add_shipping_info", "add_payment_info", "purchase", "login", "sign_up",
    "newsletter_signup", "push_received",
]
NO_CHANNEL = {"push_received"}  # sent by the server: no channel, so not a touch
# Next-event weights of the site's Markov chain (each session starts with session_start).
NEXT: Dict[str, Dict[str, float]] = {
    "session_start": {"page_view": 30, "view_item_list": 20, "search": 15, "view_item": 30,
                      "login": 8, "sign_up": 2, "push_received": 3, "newsletter_signup": 2},
    "page_view": {"page_view": 25, "view_item_list": 25, "search": 15, "view_item": 25,
                  "newsletter_signup": 3, "login": 4, "push_received": 3},
    "view_item_list": {"view_item": 55, "view_item_list": 15, "search": 10, "page_view": 15,
                       "push_received": 5},
    "search": {"view_item_list": 40, "view_item": 40, "search": 15, "page_view": 5},
    "view_item": {"view_item": 15, "add_to_cart": 40, "view_item_list": 20,
                  "add_to_wishlist": 6, "search": 12, "page_view": 10, "push_received": 5},
    "add_to_wishlist": {"view_item": 50, "view_item_list": 30, "add_to_cart": 20},
    "add_to_cart": {"view_cart": 35, "begin_checkout": 45, "view_item": 12,
                    "remove_from_cart": 5, "view_item_list": 3},
    "remove_from_cart": {"view_item": 50, "view_cart": 30, "view_item_list": 20},
    "view_cart": {"begin_checkout": 60, "remove_from_cart": 15, "view_item": 25,
                  "page_view": 10},
    "begin_checkout": {"add_shipping_info": 60, "add_payment_info": 25, "view_cart": 10,
                       "login": 5},
    "add_shipping_info": {"add_payment_info": 80, "view_cart": 12, "page_view": 8},
    "add_payment_info": {"purchase": 75, "view_cart": 15, "add_payment_info": 10},
    "purchase": {"page_view": 40, "view_item_list": 30, "view_item": 30},
    "login": {"page_view": 40, "view_item_list": 30, "view_item": 30},
    "sign_up": {"page_view": 40, "newsletter_signup": 30, "view_item_list": 30},
    "newsletter_signup": {"page_view": 60, "view_item_list": 40},
    "push_received": {"view_item": 40, "page_view": 40, "view_item_list": 20},
}
CHANNELS = ["organic_search", "paid_search", "direct", "email", "social", "referral",
            "display", "affiliate"]
FIRST_SESSION_CHANNEL = [0.34, 0.26, 0.10, 0.02, 0.12, 0.08, 0.05, 0.03]
LATER_SESSION_CHANNEL = [0.22, 0.14, 0.30, 0.17, 0.07, 0.04, 0.03, 0.03]
MEAN_EVENTS = 10.0
NEW_SESSION = 0.12  # chance that an event after the first opens a new session
IN_SESSION_GAP_S = 45.0
SESSION_GAP_S = 4 * 86_400.0
SPAN_S = 90 * 86_400
EPOCH_S = int(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc).timestamp())
ROW_GROUP = 1 << 20

TOUCHPOINTS = [f"tp_{name}" for name in [
    "homepage", "search_results", "product_page", "cart", "checkout", "payment",
    "order_confirmation", "shipping_email", "delivery", "unboxing", "returns_portal",
    "refund", "support_chat", "support_phone", "support_email", "faq", "account_signup",
    "login", "password_reset", "newsletter", "push_notification", "mobile_app",
    "store_locator", "in_store", "loyalty_program", "reviews", "wishlist", "price_alert",
    "invoice", "survey_followup",
]]
SEGMENTS = ["bargain_hunter", "loyal_regular", "first_timer", "business_buyer", "gift_shopper"]
SEGMENT_SHARE = [0.30, 0.25, 0.25, 0.08, 0.12]
SURVEY_KINDS = ["nps", "csat", "ces"]
SURVEY_KIND_SHARE = [0.5, 0.3, 0.2]
UNANSWERED = 0.08
# Score distributions of a happy and an unhappy respondent; each touchpoint mixes them.
NPS_HAPPY = [1, 1, 1, 1, 1, 2, 3, 8, 17, 25, 40]
NPS_UNHAPPY = [8, 5, 7, 9, 10, 14, 14, 12, 9, 6, 6]
CSAT_HAPPY = [2, 3, 10, 35, 50]
CSAT_UNHAPPY = [15, 20, 30, 25, 10]
CES_HAPPY = [35, 30, 15, 8, 6, 4, 2]
CES_UNHAPPY = [8, 12, 15, 20, 20, 15, 10]


def events_path(data_dir: Path, events: int, seed: int) -> Path:
    return data_dir / f"events-{events}-s{seed}-v{GENERATOR_VERSION}.parquet"


def survey_path(data_dir: Path, rows: int, seed: int) -> Path:
    return data_dir / f"survey-{rows}-s{seed}-v{GENERATOR_VERSION}.parquet"


def _probs(weights: Sequence[float]) -> Any:
    import numpy as np

    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def _cumulative_next() -> Any:
    """Row e: the cumulative distribution of the event after e."""
    import numpy as np

    index = {e: i for i, e in enumerate(EVENTS)}
    m = np.zeros((len(EVENTS), len(EVENTS)))
    for e, nxt in NEXT.items():
        for f, w in nxt.items():
            m[index[e], index[f]] = w
    m /= m.sum(axis=1, keepdims=True)
    c = np.cumsum(m, axis=1)
    c[:, -1] = 1.0
    return c


def _event_chunk(rng: Any, counts: Any, first: int) -> Tuple[Any, Any, Any, Any]:
    """Events of customers first..first+len(counts)-1, in (customer, time) order:
    customer index, seconds since EPOCH_S, event code, channel code (-1: none)."""
    import numpy as np

    n = len(counts)
    m = int(counts.sum())
    cust = np.repeat(np.arange(first, first + n, dtype=np.int32), counts)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=starts[1:])
    opens = rng.random(m) < NEW_SESSION
    opens[starts] = True
    gaps = rng.exponential(IN_SESSION_GAP_S, m)
    gaps[opens] = rng.exponential(SESSION_GAP_S, int(opens.sum()))
    gaps[starts] = 0.0
    offset = np.cumsum(gaps)
    offset -= np.repeat(offset[starts], counts)
    span = offset[starts + counts - 1]
    # Customers whose sessions would outlast the export are squeezed into it.
    squeeze = np.minimum(1.0, SPAN_S / np.maximum(span, 1.0))
    offset *= np.repeat(squeeze, counts)
    span *= squeeze
    begin = rng.random(n) * np.maximum(0.0, SPAN_S - span)
    seconds = np.floor(np.repeat(begin, counts) + offset).astype(np.int64)
    del gaps, offset, begin
    # Sessions: a channel each, skewed differently for a customer's first session.
    session = np.cumsum(opens) - 1
    session_start = np.flatnonzero(opens)
    first_session = np.zeros(len(session_start), dtype=bool)
    first_session[np.searchsorted(session_start, starts)] = True
    channel_of_session = np.where(
        first_session,
        rng.choice(len(CHANNELS), len(session_start), p=_probs(FIRST_SESSION_CHANNEL)),
        rng.choice(len(CHANNELS), len(session_start), p=_probs(LATER_SESSION_CHANNEL)),
    ).astype(np.int8)
    channel = channel_of_session[session]
    # Event names: a Markov chain walked one position of the sessions at a time.
    position = np.arange(m) - session_start[session]
    del session
    event = np.zeros(m, dtype=np.int8)  # position 0: session_start
    cum = _cumulative_next()
    order = np.argsort(position, kind="stable")
    bounds = np.searchsorted(position[order], np.arange(int(position.max()) + 2))
    for p in range(1, len(bounds) - 1):
        idx = order[bounds[p]:bounds[p + 1]]
        prev = event[idx - 1]
        u = rng.random(len(idx))
        event[idx] = (u[:, None] > cum[prev]).sum(axis=1)
    no_channel = np.isin(event, [EVENTS.index(e) for e in NO_CHANNEL])
    channel[no_channel] = -1
    return cust, seconds, event, channel


def _dictionary(codes: Any, names: Sequence[str]) -> Any:
    import pyarrow as pa

    return pa.DictionaryArray.from_arrays(
        pa.array(codes, mask=codes < 0), pa.array(names, pa.string())
    )


def generate_events(path: Path, events: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    drawn = rng.geometric(1.0 / MEAN_EVENTS, int(events / MEAN_EVENTS * 1.1) + 16)
    total = np.cumsum(drawn)
    n = int(np.searchsorted(total, events)) + 1  # customers
    counts = drawn[:n].copy()
    counts[-1] -= int(total[n - 1]) - events
    del drawn, total
    ids = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, n, dtype=np.int64)
    while len(np.unique(ids)) != n:  # practically never: 1M draws out of 2^64
        ids = rng.integers(np.iinfo(np.int64).min, np.iinfo(np.int64).max, n, dtype=np.int64)
    parts: List[Tuple[Any, Any, Any, Any]] = []
    chunk = 1_000_000  # customers per chunk, to bound the temporaries
    for first in range(0, n, chunk):
        parts.append(_event_chunk(rng, counts[first:first + chunk], first))
    cust = np.concatenate([p[0] for p in parts])
    seconds = np.concatenate([p[1] for p in parts])
    event = np.concatenate([p[2] for p in parts])
    channel = np.concatenate([p[3] for p in parts])
    del parts
    # Global time order; equal times keep the (customer, position) order, so a
    # customer's events at one second stay in the order they happened.
    order = np.argsort(seconds, kind="stable")
    schema = pa.schema([
        ("customer", pa.int64()),
        ("timestamp", pa.timestamp("us", tz="UTC")),
        ("event", pa.dictionary(pa.int8(), pa.string())),
        ("channel", pa.dictionary(pa.int8(), pa.string())),
    ])
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for lo in range(0, events, ROW_GROUP):
            sl = order[lo:lo + ROW_GROUP]
            us = (seconds[sl] + EPOCH_S) * 1_000_000
            writer.write_table(pa.table({
                "customer": pa.array(ids[cust[sl]]),
                "timestamp": pa.array(us, pa.timestamp("us", tz="UTC")),
                "event": _dictionary(event[sl], EVENTS),
                "channel": _dictionary(channel[sl], CHANNELS),
            }, schema=schema))
    tmp.rename(path)


def generate_survey(path: Path, rows: int, seed: int) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed + 1)
    tp_weight = 1.0 / np.arange(1, len(TOUCHPOINTS) + 1) ** 0.8
    happy_share = rng.uniform(0.3, 0.9, len(TOUCHPOINTS))
    schema = pa.schema([
        ("touchpoint", pa.dictionary(pa.int8(), pa.string())),
        ("segment", pa.dictionary(pa.int8(), pa.string())),
        ("survey", pa.dictionary(pa.int8(), pa.string())),
        ("nps", pa.int8()),
        ("csat", pa.int8()),
        ("ces", pa.int8()),
    ])
    scales = [
        (NPS_HAPPY, NPS_UNHAPPY, 0),
        (CSAT_HAPPY, CSAT_UNHAPPY, 1),
        (CES_HAPPY, CES_UNHAPPY, 1),
    ]
    tmp = path.with_suffix(".tmp")
    with pq.ParquetWriter(tmp, schema) as writer:
        for lo in range(0, rows, ROW_GROUP):
            k = min(ROW_GROUP, rows - lo)
            tp = rng.choice(len(TOUCHPOINTS), k, p=tp_weight / tp_weight.sum()).astype(np.int8)
            seg = rng.choice(len(SEGMENTS), k, p=_probs(SEGMENT_SHARE)).astype(np.int8)
            kind = rng.choice(3, k, p=_probs(SURVEY_KIND_SHARE)).astype(np.int8)
            happy = rng.random(k) < happy_share[tp]
            answered = rng.random(k) >= UNANSWERED
            columns = {}
            for q, (good, bad, low) in enumerate(scales):
                score = np.where(
                    happy,
                    rng.choice(len(good), k, p=_probs(good)),
                    rng.choice(len(bad), k, p=_probs(bad)),
                ).astype(np.int8) + low
                columns[SURVEY_KINDS[q]] = pa.array(score, mask=~((kind == q) & answered))
            writer.write_table(pa.table({
                "touchpoint": _dictionary(tp, TOUCHPOINTS),
                "segment": _dictionary(seg, SEGMENTS),
                "survey": _dictionary(kind, SURVEY_KINDS),
                **columns,
            }, schema=schema))
    tmp.rename(path)


def ensure_data(data_dir: Path, events: int, survey_rows: int, seed: int,
                analyses: Sequence[str]) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    if any(a != "survey" for a in analyses):
        p = events_path(data_dir, events, seed)
        if not p.exists():
            t = time.perf_counter()
            generate_events(p, events, seed)
            log(f"generated {p} in {time.perf_counter() - t:.1f} s")
    if "survey" in analyses:
        p = survey_path(data_dir, survey_rows, seed)
        if not p.exists():
            t = time.perf_counter()
            generate_survey(p, survey_rows, seed)
            log(f"generated {p} in {time.perf_counter() - t:.1f} s")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Markov removal effects from transition counts (numpy), for pandas, polars and DuckDB


def markov_credits(
    counts: Dict[Tuple[str, str], float], conversions: float
) -> Dict[str, float]:
    """Order-1 removal-effect credits from counts of (from, to) transitions, with states
    START, channels, CONVERSION and NULL: P(conv) solves (I - Q) x = r; removing a
    channel sends the transitions into it to NULL; credit = RE / sum RE x conversions."""
    import numpy as np

    # Self-transitions are dropped (cjm's default `remove_self_loops`, as channelattribution):
    # at order 1 the same as collapsing repeated touches.
    counts = {pair: n for pair, n in counts.items() if pair[0] != pair[1]}
    channels = sorted({s for pair in counts for s in pair} - {"START", "CONVERSION", "NULL"})
    states = ["START"] + channels
    index = {s: i for i, s in enumerate(states)}
    q = np.zeros((len(states), len(states)))
    r = np.zeros(len(states))
    out = np.zeros(len(states))
    for (a, b), n in counts.items():
        out[index[a]] += n
        if b == "CONVERSION":
            r[index[a]] += n
        elif b != "NULL":
            q[index[a], index[b]] += n
    q /= out[:, None]
    r /= out

    def p_conv(keep: Any) -> float:
        qk = q[np.ix_(keep, keep)]
        x = np.linalg.solve(np.eye(len(keep)) - qk, r[keep])
        return float(x[0])

    base = p_conv(np.arange(len(states)))
    effects = {}
    for c in channels:
        keep = np.array([i for i in range(len(states)) if states[i] != c])
        effects[c] = min(1.0, max(0.0, 1.0 - p_conv(keep) / base))
    total = sum(effects.values())
    return {c: e / total * conversions for c, e in effects.items()}


# ---------------------------------------------------------------------------------------
# cjm


def cjm_load(path: str) -> Any:
    import pyarrow.parquet as pq

    import cjm

    table = pq.read_table(path)
    return cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event", channel="channel",
        progress=False,
    )


def cjm_parquet_load(path: str) -> Any:
    import cjm

    # The file read in Rust, only the columns the log needs, no pyarrow table.
    return cjm.EventLog.from_parquet(
        path, customer="customer", timestamp="timestamp", event="event", channel="channel",
        progress=False,
    )


def cjm_funnel(log: Any) -> Any:
    return list(log.funnel(STEPS).customers)  # default: sequential, 7-day window


def cjm_paths(log: Any) -> Any:
    dfg = sorted([e["from"], e["to"], e["transitions"], e["customers"]]
                 for e in log.directly_follows().to_dicts())
    top = [[list(v["events"]), v["customers"]] for v in log.variants(TOP_K).to_dicts()]
    return {"directly_follows": dfg, "variants": top}


def cjm_attribution(log: Any) -> Any:
    a = log.attribute(conversion_events=[CONVERSION], models=MODELS)
    credits = {
        m: {c: a.credit(c, m) or 0.0 for c in a.channels} for m in MODELS
    }
    t = a.totals
    return {
        "credits": credits,
        "conversions": int(t["conversions"]),
        "nulls": int(t["nulls"]),
        "unattributed": int(t["unattributed_conversions"]),
    }


def cjm_retention(log: Any) -> Any:
    r = log.retention(period="week", periods=PERIODS)
    return {c["period_start"]: [c["size"], *c["retained"]] for c in r.to_dict()["cohorts"]}


def cjm_trends(log: Any) -> Any:
    rows = log.trends().to_dicts("events")
    # Every day is listed, with zeros; the others list the days with events.
    assert all(r["customers"] == 0 for r in rows if r["volume"] == 0)
    return {f"{r['period']} {r['event']}": [r["volume"], r["customers"]]
            for r in rows if r["volume"] > 0}


def cjm_sessions(log: Any) -> Any:
    return list(log.sessionize(SESSION_GAP).funnel(STEPS, unit="session").customers)


def cjm_filter(log: Any) -> Any:
    return list(log.filter(events=STEPS, start=_window_start()).funnel(STEPS).customers)


def cjm_survey_load(path: str) -> Any:
    import pyarrow.parquet as pq

    return pq.read_table(path)


def cjm_survey(table: Any) -> Any:
    import cjm

    report = cjm.survey_kpis(
        table, scope="touchpoint", segment="segment", nps="nps", csat="csat", ces="ces"
    )
    return {
        g["scope"]: [g["nps"], g["nps_margin"], g["csat"], g["ces"],
                     g["nps_answered"], g["csat_answered"], g["ces_answered"]]
        for g in report.to_dicts("groups")
        if g["level"] == "scope"
    }


# ---------------------------------------------------------------------------------------
# pandas


def pandas_funnel(df: Any, unit: str = "customer") -> Any:
    import pandas as pd

    d = df[[unit, "timestamp", "event"]]
    att = d.loc[d["event"] == STEPS[0], [unit, "timestamp"]]
    att = att.rename(columns={"timestamp": "t0"}).assign(t=lambda x: x["t0"])
    out = [int(att[unit].nunique())]
    for name in STEPS[1:]:
        ev = d.loc[d["event"] == name, [unit, "timestamp"]].sort_values("timestamp")
        att = pd.merge_asof(
            att.sort_values("t"), ev, left_on="t", right_on="timestamp", by=unit,
            direction="forward", allow_exact_matches=True,
        )
        att = att[att["timestamp"].notna() & (att["timestamp"] - att["t0"] <= WINDOW)]
        att = att[[unit, "t0", "timestamp"]].rename(columns={"timestamp": "t"})
        out.append(int(att[unit].nunique()))
    return out


MONDAY = dt.datetime(1970, 1, 5, tzinfo=dt.timezone.utc)  # weeks are ISO: Monday first


def _week_start(week: int) -> str:
    return (MONDAY + dt.timedelta(weeks=week)).date().isoformat()


def _retention_table(sizes: Dict[int, int], kept: Dict[Tuple[int, int], int],
                     last_week: int) -> Any:
    """The cohort table from sizes, retained counts per (cohort, k) and the week of the
    last event: a cell whose week had not begun by then is None."""
    return {
        _week_start(c): [n, n, *(kept.get((c, k), 0) if c + k <= last_week else None
                                 for k in range(1, PERIODS + 1))]
        for c, n in sorted(sizes.items())
    }


def pandas_retention(df: Any) -> Any:
    import pandas as pd

    week = (df["timestamp"] - pd.Timestamp(MONDAY)) // pd.Timedelta(weeks=1)
    active = pd.DataFrame({"customer": df["customer"], "week": week}).drop_duplicates()
    cohort = active.groupby("customer")["week"].min().rename("cohort")
    active = active.join(cohort, on="customer")
    active["k"] = active["week"] - active["cohort"]
    kept = active[(active["k"] >= 1) & (active["k"] <= PERIODS)].groupby(["cohort", "k"]).size()
    return _retention_table(
        {int(c): int(n) for c, n in cohort.value_counts().items()},
        {(int(c), int(k)): int(n) for (c, k), n in kept.items()},
        int(week.max()),
    )


def pandas_trends(df: Any) -> Any:
    day = df["timestamp"].dt.floor("D").dt.strftime("%Y-%m-%d")
    g = df.assign(day=day).groupby(["day", "event"], observed=True)["customer"].agg(
        ["size", "nunique"])
    return {f"{d} {e}": [int(v), int(c)] for (d, e), v, c in
            zip(g.index, g["size"], g["nunique"], strict=True)}


def pandas_sessions(df: Any) -> Any:
    # Stable: rows are in time order, so each customer's stay in (time, input) order.
    d = df.sort_values("customer", kind="stable", ignore_index=True)
    new = (d["customer"] != d["customer"].shift()) | (d["timestamp"].diff() > SESSION_GAP)
    return pandas_funnel(d.assign(session=new.cumsum()), unit="session")


def _window_start() -> dt.datetime:
    """`filter`'s start: FILTER_DAYS before the export's end."""
    return dt.datetime.fromtimestamp(EPOCH_S + SPAN_S, dt.timezone.utc) - dt.timedelta(
        days=FILTER_DAYS)


def pandas_filter(df: Any) -> Any:
    import pandas as pd

    keep = df["event"].isin(STEPS) & (df["timestamp"] >= pd.Timestamp(_window_start()))
    return pandas_funnel(df[keep])


def pandas_paths(df: Any) -> Any:
    import numpy as np
    import pandas as pd

    d = df.sort_values(["customer", "timestamp"], kind="stable", ignore_index=True)
    # On the sorted frame a row's neighbour is the same customer's next event unless the
    # customer changes (a grouped shift is several times slower).
    c = d["customer"].to_numpy()
    e = d["event"].astype(str).to_numpy()
    new = np.r_[True, c[1:] != c[:-1]]
    end = np.r_[new[1:], True]
    pairs = pd.DataFrame({
        "customer": np.concatenate([c[new], c]),
        "from": np.concatenate([np.full(int(new.sum()), "START", dtype=object), e]),
        "to": np.concatenate([e[new], np.where(end, "END", np.append(e[1:], "END"))]),
    })
    g = pairs.groupby(["from", "to"]).agg(
        transitions=("customer", "size"), customers=("customer", "nunique")
    )
    dfg = sorted([str(a), str(b), int(r.transitions), int(r.customers)]
                 for (a, b), r in g.iterrows())
    # Each customer's events joined from the sorted array: `groupby(...).agg(SEP.join)`
    # gives the same strings but is about 10x slower (a Python call per group on
    # pandas' own string arrays).
    seqs = pd.Series([SEP.join(x) for x in np.split(e, np.flatnonzero(new)[1:])])
    counts = seqs.value_counts().rename_axis("seq").reset_index(name="n")
    top = counts.sort_values(["n", "seq"], ascending=[False, True], kind="stable").head(TOP_K)
    variants = [[s.split(SEP), int(n)] for s, n in zip(top["seq"], top["n"], strict=True)]
    return {"directly_follows": dfg, "variants": variants}


def pandas_attribution(df: Any) -> Any:
    import numpy as np
    import pandas as pd

    d = df.sort_values(["customer", "timestamp"], kind="stable", ignore_index=True)
    conv = d["event"] == CONVERSION
    prior = conv.astype("int64").groupby(d["customer"], sort=False).cumsum() - conv
    conv_at = d.loc[conv, ["customer", "timestamp"]].groupby("customer").first()["timestamp"]
    t = d.loc[(prior == 0) & ~conv & d["channel"].notna(), ["customer", "timestamp", "channel"]]
    by = t.groupby("customer", sort=False)
    t = t.assign(
        pos=by.cumcount(),
        n=by["channel"].transform("size"),
        end=t["customer"].map(conv_at).fillna(by["timestamp"].transform("max")),
        converted=t["customer"].isin(conv_at.index),
    )
    c = t[t["converted"]]
    w = np.exp2(-(c["end"] - c["timestamp"]).dt.total_seconds() / HALF_LIFE_SECONDS)
    c = c.assign(
        first=(c["pos"] == 0).astype("float64"),
        last=(c["pos"] == c["n"] - 1).astype("float64"),
        linear=1.0 / c["n"],
        time_decay=w / w.groupby(c["customer"], sort=False).transform("sum"),
    )
    sums = c.groupby("channel", observed=True)[["first", "last", "linear", "time_decay"]].sum()
    credits = {m: {str(ch): float(v) for ch, v in sums[m].items()} for m in sums.columns}
    # Markov transition counts: START > touches > CONVERSION or NULL.
    channel = t["channel"].astype(str)
    prev = channel.groupby(t["customer"], sort=False).shift(1).fillna("START")
    ends = t["pos"] == t["n"] - 1
    pairs = pd.concat([
        pd.DataFrame({"from": prev, "to": channel}),
        pd.DataFrame({"from": channel[ends],
                      "to": np.where(t["converted"][ends], "CONVERSION", "NULL")}),
    ])
    counts = pairs.value_counts()
    conversions = int(t.loc[ends & t["converted"]].shape[0])
    credits["markov"] = markov_credits(
        {(a, b): float(n) for (a, b), n in counts.items()}, conversions
    )
    return {
        "credits": credits,
        "conversions": conversions,
        "nulls": int((ends & ~t["converted"]).sum()),
        "unattributed": int(len(conv_at)) - conversions,
    }


def pandas_survey(frame: Any) -> Any:
    import numpy as np

    answered = frame.assign(
        promoter=(frame["nps"] >= 9).astype("Int64").where(frame["nps"].notna()),
        detractor=(frame["nps"] <= 6).astype("Int64").where(frame["nps"].notna()),
        top=(frame["csat"] >= 4).astype("Int64").where(frame["csat"].notna()),
    )
    g = answered.groupby("touchpoint", observed=True).agg(
        p=("promoter", "mean"), d=("detractor", "mean"), n=("nps", "count"),
        csat=("top", "mean"), csat_n=("csat", "count"), ces=("ces", "mean"),
        ces_n=("ces", "count"),
    )
    nps = 100 * (g["p"] - g["d"])
    margin = 1.96 * 100 * np.sqrt((g["p"] + g["d"] - (g["p"] - g["d"]) ** 2) / g["n"])
    return {
        str(tp): [float(nps[tp]), float(margin[tp]), 100 * float(g["csat"][tp]),
                  float(g["ces"][tp]), int(g["n"][tp]), int(g["csat_n"][tp]),
                  int(g["ces_n"][tp])]
        for tp in g.index
    }


# ---------------------------------------------------------------------------------------
# polars


def polars_funnel(df: Any) -> Any:
    return polars_funnel_by(df.select("customer", "timestamp", "event"), "customer")


def polars_funnel_by(d: Any, unit: str) -> Any:
    import polars as pl

    att = d.filter(pl.col("event") == STEPS[0]).select(
        unit, pl.col("timestamp").alias("t0"), pl.col("timestamp").alias("t")
    )
    out = [att[unit].n_unique()]
    for name in STEPS[1:]:
        ev = d.filter(pl.col("event") == name).select(unit, "timestamp").sort("timestamp")
        att = (
            att.sort("t")
            .join_asof(ev, left_on="t", right_on="timestamp", by=unit,
                       strategy="forward", check_sortedness=False)
            .filter(pl.col("timestamp").is_not_null()
                    & (pl.col("timestamp") - pl.col("t0") <= WINDOW))
            .select(unit, "t0", pl.col("timestamp").alias("t"))
        )
        out.append(att[unit].n_unique())
    return out


def polars_retention(df: Any) -> Any:
    import polars as pl

    # Days since Monday 1970-01-05 (1970-01-01 was a Thursday), in whole weeks.
    week = ((pl.col("timestamp").dt.epoch("d") - 4) // 7).alias("week")
    active = df.select("customer", week).unique()
    cohort = active.group_by("customer").agg(pl.col("week").min().alias("cohort"))
    kept = (
        active.join(cohort, on="customer")
        .with_columns((pl.col("week") - pl.col("cohort")).alias("k"))
        .filter((pl.col("k") >= 1) & (pl.col("k") <= PERIODS))
        .group_by("cohort", "k").len()
    )
    sizes = cohort.group_by("cohort").len()
    return _retention_table(
        dict(zip(sizes["cohort"].to_list(), sizes["len"].to_list(), strict=True)),
        {(c, k): n for c, k, n in kept.iter_rows()},
        int(df.select(week.max()).item()),
    )


def polars_trends(df: Any) -> Any:
    import polars as pl

    g = df.group_by(pl.col("timestamp").dt.date().alias("day"), "event").agg(
        pl.len().alias("volume"), pl.col("customer").n_unique().alias("customers"))
    return {f"{d.isoformat()} {e}": [v, c] for d, e, v, c in g.iter_rows()}


def polars_sessions(df: Any) -> Any:
    import polars as pl

    d = df.select("customer", "timestamp", "event").sort("customer", maintain_order=True)
    new = ((pl.col("customer") != pl.col("customer").shift())
           | (pl.col("timestamp").diff() > SESSION_GAP)).fill_null(True)
    return polars_funnel_by(d.with_columns(new.cum_sum().alias("session")), "session")


def polars_filter(df: Any) -> Any:
    import polars as pl

    d = df.filter(pl.col("event").cast(pl.String).is_in(STEPS)
                  & (pl.col("timestamp") >= _window_start()))
    return polars_funnel_by(d.select("customer", "timestamp", "event"), "customer")


def polars_paths(df: Any) -> Any:
    import polars as pl

    d = df.select("customer", "timestamp", pl.col("event").cast(pl.String)).sort(
        ["customer", "timestamp"], maintain_order=True
    )
    # On the sorted frame a row's neighbour is the same customer's next event unless the
    # customer changes (`shift().over("customer")` is several times slower).
    same_next = (pl.col("customer").shift(-1) == pl.col("customer")).fill_null(False)
    new = (pl.col("customer").shift(1) != pl.col("customer")).fill_null(True)
    d = d.with_columns(
        to=pl.when(same_next).then(pl.col("event").shift(-1)).otherwise(pl.lit("END")),
        new=new,
    )
    starts = d.filter("new").select(
        "customer", pl.lit("START").alias("from"), pl.col("event").alias("to")
    )
    pairs = pl.concat([starts, d.select("customer", pl.col("event").alias("from"), "to")])
    g = pairs.group_by(["from", "to"]).agg(
        pl.len().alias("transitions"), pl.col("customer").n_unique().alias("customers")
    )
    dfg = sorted([a, b, int(t), int(c)] for a, b, t, c in g.iter_rows())
    seqs = d.group_by("customer", maintain_order=True).agg(
        pl.col("event").str.join(SEP).alias("seq")
    )
    top = (
        seqs.group_by("seq").agg(pl.len().alias("n"))
        .sort(["n", "seq"], descending=[True, False]).head(TOP_K)
    )
    variants = [[s.split(SEP), int(n)] for s, n in top.iter_rows()]
    return {"directly_follows": dfg, "variants": variants}


def polars_attribution(df: Any) -> Any:
    import polars as pl

    d = df.sort(["customer", "timestamp"], maintain_order=True).with_row_index("i")
    conv_at = d.filter(pl.col("event") == CONVERSION).group_by("customer").agg(
        pl.col("i").min().alias("ci"), pl.col("timestamp").min().alias("at")
    )
    # On the sorted frame a row's neighbour is the same customer's next touch unless the
    # customer changes (`shift().over("customer")` is several times slower).
    other_next = (pl.col("customer").shift(-1) != pl.col("customer")).fill_null(True)
    other_prev = (pl.col("customer").shift(1) != pl.col("customer")).fill_null(True)
    t = (
        d.join(conv_at, on="customer", how="left", maintain_order="left")
        .filter((pl.col("ci").is_null() | (pl.col("i") < pl.col("ci")))
                & pl.col("channel").is_not_null())
        .select("customer", "timestamp", pl.col("channel").cast(pl.String), "at")
        .with_columns(
            first=other_prev,
            last=other_next,
            prev=pl.when(other_prev).then(pl.lit("START")).otherwise(pl.col("channel").shift(1)),
            n=pl.len().over("customer"),
            converted=pl.col("at").is_not_null(),
            end=pl.coalesce("at", pl.col("timestamp").max().over("customer")),
        )
    )
    seconds = (pl.col("end") - pl.col("timestamp")).dt.total_microseconds() / 1e6
    w = pl.lit(2.0).pow(-seconds / HALF_LIFE_SECONDS)
    sums = (
        t.filter("converted")
        .with_columns(w=w)
        .with_columns(share=pl.col("w") / pl.col("w").sum().over("customer"))
        .group_by("channel")
        .agg(
            first=pl.col("first").sum().cast(pl.Float64),
            last=pl.col("last").sum().cast(pl.Float64),
            linear=(1.0 / pl.col("n")).sum(),
            time_decay=pl.col("share").sum(),
        )
    )
    credits: Dict[str, Dict[str, float]] = {m: {} for m in MODELS}
    for row in sums.iter_rows(named=True):
        for m in ("first", "last", "linear", "time_decay"):
            credits[m][row["channel"]] = float(row[m])
    ends = t.filter("last")
    pairs = pl.concat([
        t.select(pl.col("prev").alias("from"), pl.col("channel").alias("to")),
        ends.select(pl.col("channel").alias("from"),
                    pl.when("converted").then(pl.lit("CONVERSION")).otherwise(pl.lit("NULL"))
                    .alias("to")),
    ])
    counts = pairs.group_by(["from", "to"]).agg(pl.len().alias("n"))
    conversions = ends.filter("converted").height
    credits["markov"] = markov_credits(
        {(a, b): float(n) for a, b, n in counts.iter_rows()}, conversions
    )
    return {
        "credits": credits,
        "conversions": conversions,
        "nulls": ends.height - conversions,
        "unattributed": conv_at.height - conversions,
    }


def polars_survey(frame: Any) -> Any:
    import polars as pl

    g = frame.group_by("touchpoint").agg(
        p=(pl.col("nps") >= 9).mean(),
        d=(pl.col("nps") <= 6).mean(),
        n=pl.col("nps").count(),
        csat=(pl.col("csat") >= 4).mean(),
        csat_n=pl.col("csat").count(),
        ces=pl.col("ces").mean(),
        ces_n=pl.col("ces").count(),
    ).with_columns(
        nps=100 * (pl.col("p") - pl.col("d")),
        margin=1.96 * 100 * ((pl.col("p") + pl.col("d") - (pl.col("p") - pl.col("d")) ** 2)
                             / pl.col("n")).sqrt(),
    )
    return {
        str(r["touchpoint"]): [r["nps"], r["margin"], 100 * r["csat"], r["ces"], r["n"],
                              r["csat_n"], r["ces_n"]]
        for r in g.iter_rows(named=True)
    }


# ---------------------------------------------------------------------------------------
# DuckDB: an in-memory database with the table `ev` (the Parquet columns and `row`, the
# input order) or `sv` (the survey).


def _sql_string(text: str) -> str:
    return text.replace("'", "''")


def duckdb_load(path: str) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE ev AS SELECT * EXCLUDE (file_row_number), file_row_number AS rn "
        f"FROM read_parquet('{_sql_string(path)}', file_row_number = true)"
    )
    return con


def duckdb_funnel(con: Any) -> Any:
    sql = "WITH " + _duckdb_funnel_sql("ev", "customer")
    return [int(n) for _, n in con.execute(sql, STEPS).fetchall()]


def _duckdb_funnel_sql(source: str, unit: str) -> str:
    ctes = [f"a0 AS (SELECT {unit} AS u, timestamp AS t0, timestamp AS t FROM {source} "
            "WHERE event = $1)"]
    for k in range(1, len(STEPS)):
        ctes.append(
            f"s{k} AS (SELECT {unit} AS u, timestamp AS ts FROM {source} "
            f"WHERE event = ${k + 1}), "
            f"a{k} AS (SELECT a.u, a.t0, s.ts AS t FROM a{k - 1} a "
            f"ASOF JOIN s{k} s ON a.u = s.u AND a.t <= s.ts "
            f"WHERE s.ts <= a.t0 + INTERVAL {WINDOW.days} DAY)"
        )
    counts = " UNION ALL ".join(
        f"SELECT {k} AS k, count(DISTINCT u) AS n FROM a{k}" for k in range(len(STEPS))
    )
    return f"{', '.join(ctes)} {counts} ORDER BY k"


def duckdb_retention(con: Any) -> Any:
    week = "(floor((epoch(timestamp) - 345600) / 604800))::BIGINT"  # 345600 s: 1970-01-05
    sql = f"""
    WITH active AS (SELECT DISTINCT customer, {week} AS week FROM ev),
    cohort AS (SELECT customer, min(week) AS cohort FROM active GROUP BY customer),
    kept AS (
        SELECT c.cohort, a.week - c.cohort AS k, count(*) AS n
        FROM active a JOIN cohort c USING (customer)
        WHERE a.week - c.cohort BETWEEN 1 AND {PERIODS}
        GROUP BY ALL
    )
    SELECT 's', cohort, 0, count(*) FROM cohort GROUP BY cohort
    UNION ALL SELECT 'k', cohort, k, n FROM kept
    UNION ALL SELECT 'last', max({week}), 0, 0 FROM ev
    """
    sizes: Dict[int, int] = {}
    kept: Dict[Tuple[int, int], int] = {}
    last = 0
    for kind, c, k, n in con.execute(sql).fetchall():
        if kind == "s":
            sizes[int(c)] = int(n)
        elif kind == "k":
            kept[(int(c), int(k))] = int(n)
        else:
            last = int(c)
    return _retention_table(sizes, kept, last)


def duckdb_trends(con: Any) -> Any:
    rows = con.execute(
        "SELECT strftime(timestamp, '%Y-%m-%d') AS day, event::VARCHAR, count(*), "
        "count(DISTINCT customer) FROM ev GROUP BY ALL").fetchall()
    return {f"{d} {e}": [int(v), int(c)] for d, e, v, c in rows}


def duckdb_sessions(con: Any) -> Any:
    gap = int(SESSION_GAP.total_seconds())
    con.execute(f"""
    CREATE TEMP TABLE sv AS
    SELECT *, sum(new::INT) OVER (ORDER BY customer, timestamp, rn) AS session FROM (
        SELECT customer, timestamp, event, rn,
               coalesce(timestamp - lag(timestamp) OVER w > INTERVAL {gap} SECOND, true) AS new
        FROM ev WINDOW w AS (PARTITION BY customer ORDER BY timestamp, rn))
    """)
    sql = "WITH " + _duckdb_funnel_sql("sv", "session")
    return [int(n) for _, n in con.execute(sql, STEPS).fetchall()]


def duckdb_filter(con: Any) -> Any:
    start = _window_start().isoformat()
    con.execute(
        "CREATE TEMP TABLE fv AS SELECT * FROM ev WHERE event::VARCHAR IN "
        f"({', '.join('?' for _ in STEPS)}) AND timestamp >= '{start}'::TIMESTAMPTZ", STEPS)
    sql = "WITH " + _duckdb_funnel_sql("fv", "customer")
    return [int(n) for _, n in con.execute(sql, STEPS).fetchall()]


def duckdb_paths(con: Any) -> Any:
    dfg_sql = """
    WITH o AS (
        SELECT customer, event,
               lead(event) OVER w AS nxt, lag(event) OVER w AS prv
        FROM ev WINDOW w AS (PARTITION BY customer ORDER BY timestamp, rn)
    ), pairs AS (
        SELECT customer, event AS "from", coalesce(nxt, 'END') AS "to" FROM o
        UNION ALL
        SELECT customer, 'START', event FROM o WHERE prv IS NULL
    )
    SELECT "from", "to", count(*), count(DISTINCT customer) FROM pairs GROUP BY ALL
    """
    dfg = sorted([a, b, int(t), int(c)] for a, b, t, c in con.execute(dfg_sql).fetchall())
    variants_sql = f"""
    WITH s AS (
        SELECT customer, string_agg(event, chr(31) ORDER BY timestamp, rn) AS seq
        FROM ev GROUP BY customer
    )
    SELECT seq, count(*) AS n FROM s GROUP BY seq ORDER BY n DESC, seq LIMIT {TOP_K}
    """
    variants = [[s.split(SEP), int(n)] for s, n in con.execute(variants_sql).fetchall()]
    return {"directly_follows": dfg, "variants": variants}


def duckdb_attribution(con: Any) -> Any:
    con.execute(f"""
    CREATE OR REPLACE TEMP TABLE touches AS
    WITH o AS (
        SELECT customer, timestamp, rn, event, channel,
               coalesce(sum((event = '{CONVERSION}')::INT) OVER (
                   PARTITION BY customer ORDER BY timestamp, rn
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS prior
        FROM ev
    ), t AS (
        SELECT customer, timestamp, rn, channel
        FROM o WHERE prior = 0 AND event <> '{CONVERSION}' AND channel IS NOT NULL
    ), conv AS (
        SELECT customer, min(timestamp) AS at FROM ev WHERE event = '{CONVERSION}'
        GROUP BY customer
    )
    SELECT t.customer, t.timestamp, t.channel, conv.at IS NOT NULL AS converted,
           row_number() OVER w AS pos,
           count(*) OVER (PARTITION BY t.customer) AS n,
           coalesce(lag(t.channel) OVER w, 'START') AS prev,
           coalesce(conv.at, max(t.timestamp) OVER (PARTITION BY t.customer)) AS "end"
    FROM t LEFT JOIN conv USING (customer)
    WINDOW w AS (PARTITION BY t.customer ORDER BY t.timestamp, t.rn)
    """)
    rows = con.execute(f"""
    WITH c AS (
        SELECT customer, channel, pos, n,
               pow(2.0, -date_diff('microsecond', timestamp, "end") / 1e6
                   / {HALF_LIFE_SECONDS}) AS w
        FROM touches WHERE converted
    ), s AS (
        SELECT channel, pos, n, w / sum(w) OVER (PARTITION BY customer) AS share FROM c
    )
    SELECT channel,
           count(*) FILTER (WHERE pos = 1)::DOUBLE,
           count(*) FILTER (WHERE pos = n)::DOUBLE,
           sum(1.0::DOUBLE / n),
           sum(share)
    FROM s GROUP BY channel
    """).fetchall()
    credits: Dict[str, Dict[str, float]] = {m: {} for m in MODELS}
    for ch, first, last, linear, decay in rows:
        credits["first"][ch] = first
        credits["last"][ch] = last
        credits["linear"][ch] = linear
        credits["time_decay"][ch] = decay
    counts = con.execute("""
    SELECT prev, channel, count(*) FROM touches GROUP BY ALL
    UNION ALL
    SELECT channel, CASE WHEN converted THEN 'CONVERSION' ELSE 'NULL' END, count(*)
    FROM touches WHERE pos = n GROUP BY ALL
    """).fetchall()
    conversions, nulls = con.execute(
        "SELECT count(*) FILTER (WHERE converted), count(*) FILTER (WHERE NOT converted) "
        "FROM touches WHERE pos = n"
    ).fetchone()
    converters = con.execute(
        f"SELECT count(DISTINCT customer) FROM ev WHERE event = '{CONVERSION}'"
    ).fetchone()[0]
    credits["markov"] = markov_credits(
        {(a, b): float(n) for a, b, n in counts}, conversions
    )
    return {
        "credits": credits,
        "conversions": int(conversions),
        "nulls": int(nulls),
        "unattributed": int(converters) - int(conversions),
    }


def duckdb_survey_load(path: str) -> Any:
    import duckdb

    con = duckdb.connect()
    con.execute(f"CREATE TABLE sv AS SELECT * FROM read_parquet('{_sql_string(path)}')")
    return con


def duckdb_survey(con: Any) -> Any:
    rows = con.execute("""
    WITH g AS (
        SELECT touchpoint,
               avg((nps >= 9)::INT) AS p, avg((nps <= 6)::INT) AS d, count(nps) AS n,
               avg((csat >= 4)::INT) AS csat, count(csat) AS csat_n,
               avg(ces) AS ces, count(ces) AS ces_n
        FROM sv GROUP BY touchpoint
    )
    SELECT touchpoint::VARCHAR, 100 * (p - d),
           1.96 * 100 * sqrt((p + d - (p - d) ** 2) / n), 100 * csat, ces, n, csat_n, ces_n
    FROM g
    """).fetchall()
    return {
        tp: [float(a), float(b), float(c), float(e), int(n), int(cn), int(en)]
        for tp, a, b, c, e, n, cn, en in rows
    }


# ---------------------------------------------------------------------------------------
# Workers


def _events_loader(tool: str) -> Callable[[str], Any]:
    if tool == "cjm":
        return cjm_load
    if tool == "cjm-parquet":
        return cjm_parquet_load
    if tool == "pandas":
        import pandas as pd

        return pd.read_parquet
    if tool == "polars":
        import polars as pl

        return pl.read_parquet
    return duckdb_load


def _survey_loader(tool: str) -> Callable[[str], Any]:
    if tool == "cjm":
        return cjm_survey_load
    if tool == "duckdb":
        return duckdb_survey_load
    return _events_loader(tool)


def _import_tool(tool: str) -> None:
    """Imports what the tool's load and compute use, so no timing includes an import."""
    import importlib

    modules = {
        "cjm": ["pyarrow.parquet", "cjm"],
        "cjm-parquet": ["cjm"],
        "pandas": ["numpy", "pyarrow.parquet", "pandas"],
        "polars": ["numpy", "polars"],
        "duckdb": ["numpy", "duckdb"],
    }
    for name in modules[tool]:
        importlib.import_module(name)


def peak_rss_mib() -> float:
    """This process's peak resident memory, MiB: ``VmHWM``, the high-water mark of its
    own address space. Not ``ru_maxrss`` alone: Linux carries a parent's peak across
    fork and exec into the child's ``ru_maxrss``, so workers started by a run that had
    just generated the data all reported the generator's peak (670 MiB)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def worker(tool: str, analysis: str, path: str, repeat: int) -> Dict[str, Any]:
    """One tool, one analysis: best of `repeat` (load, compute), result, peak RSS."""
    _import_tool(tool)
    # Both cjm routes compute alike; they differ in how the file is read.
    prefix = "cjm" if tool.startswith("cjm") else tool
    compute: Callable[[Any], Any] = globals()[f"{prefix}_{analysis}"]
    load = _survey_loader(tool) if analysis == "survey" else _events_loader(tool)
    best = {"load": math.inf, "compute": math.inf, "end_to_end": math.inf}
    load_avg = [os.getloadavg()[0]]
    result: Any = None
    for _ in range(repeat):
        data = None
        gc.collect()
        t0 = time.perf_counter()
        data = load(path)
        t1 = time.perf_counter()
        result = compute(data)
        t2 = time.perf_counter()
        best["load"] = min(best["load"], t1 - t0)
        best["compute"] = min(best["compute"], t2 - t1)
        best["end_to_end"] = min(best["end_to_end"], t2 - t0)
        del data
    peak = peak_rss_mib()
    load_avg.append(os.getloadavg()[0])
    return {"times": best, "peak_mib": peak, "load_avg": load_avg, "result": result}


def run_worker(tool: str, analysis: str, path: Path, repeat: int) -> Dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", tool, analysis, "--file", str(path),
         "--repeat", str(repeat)],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{tool} {analysis} failed:\n{proc.stderr}")
    report: Dict[str, Any] = json.loads(proc.stdout)
    return report


# ---------------------------------------------------------------------------------------
# Comparing and reporting


def _same(a: Any, b: Any, where: str, problems: List[str]) -> None:
    if isinstance(a, bool) or isinstance(b, bool) or isinstance(a, str) or a is None:
        if a != b:
            problems.append(f"{where}: {a!r} != {b!r}")
    elif isinstance(a, int) and isinstance(b, int):
        if a != b:
            problems.append(f"{where}: {a} != {b}")
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        if not math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-9):
            problems.append(f"{where}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                problems.append(f"{where}.{k}: only in {'cjm' if k in a else 'the tool'}")
            else:
                _same(a[k], b[k], f"{where}.{k}", problems)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            problems.append(f"{where}: {len(a)} items != {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            _same(x, y, f"{where}[{i}]", problems)
    else:
        problems.append(f"{where}: {a!r} != {b!r}")


def compare(analysis: str, want: Any, got: Any) -> List[str]:
    problems: List[str] = []
    if analysis == "attribution":
        # A channel credited nothing may be absent from a dataframe's group-by.
        def filled(r: Any) -> Any:
            return dict(r, credits={
                m: {c: r["credits"].get(m, {}).get(c, 0.0)
                    for c in sorted(set(want["credits"].get(m, {}))
                                    | set(got["credits"].get(m, {})))}
                for m in MODELS
            })

        want, got = filled(want), filled(got)
    _same(want, got, analysis, problems)
    return problems[:20]


def fmt_seconds(x: float) -> str:
    if x >= 100:
        return f"{x:.0f} s"
    if x >= 10:
        return f"{x:.1f} s"
    return f"{x:.2f} s" if x >= 1 else f"{x:.3f} s"


def fmt_ratio(x: float) -> str:
    return f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def table(analysis: str, reports: Dict[str, Dict[str, Any]], tools: Sequence[str]) -> str:
    lines = [
        "| step | " + " | ".join(TOOL_NAMES[t] for t in tools) + " |",
        "|---|" + "---:|" * len(tools),
    ]
    rows = [("file → in-memory form", "load"), ("compute", "compute"),
            ("**end to end**", "end_to_end")]
    base = reports.get("cjm")
    for label, key in rows:
        cells = []
        for t in tools:
            x = reports[t]["times"][key]
            cell = fmt_seconds(x)
            if t != "cjm" and base is not None and base["times"][key] > 0:
                cell += f" ({fmt_ratio(x / base['times'][key])})"
            cells.append(f"**{cell}**" if key == "end_to_end" else cell)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for t in tools:
        x = reports[t]["peak_mib"]
        cell = f"{x:,.0f} MiB"
        if t != "cjm" and base is not None:
            cell += f" ({fmt_ratio(x / base['peak_mib'])})"
        cells.append(cell)
    lines.append("| peak RSS | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def summary_line(analysis: str, result: Any) -> str:
    if analysis == "funnel":
        return f"customers per step: {result}"
    if analysis == "paths":
        return (f"{len(result['directly_follows'])} directly-follows pairs; top variant "
                f"{' > '.join(result['variants'][0][0])} ({result['variants'][0][1]:,} "
                "customers)")
    if analysis == "attribution":
        return (f"{result['conversions']:,} attributed conversions, {result['nulls']:,} null "
                f"paths, {result['unattributed']:,} conversions without a touch")
    if analysis == "retention":
        first = next(iter(result.values()))
        return (f"{len(result)} weekly cohorts; the first: {first[0]:,} customers, "
                f"retained {first[2:]}")
    if analysis == "trends":
        return f"{len(result):,} (day, event) cells"
    if analysis in ("sessions", "filter"):
        return f"{'sessions' if analysis == 'sessions' else 'customers'} per step: {result}"
    return f"{len(result)} touchpoints"


def notes(analysis: str) -> List[str]:
    if analysis == "attribution":
        return ["pandas, polars and DuckDB count the Markov transitions themselves and solve "
                "the removal effects in numpy (`markov_credits`); cjm does all of it in Rust."]
    if analysis == "survey":
        return ["cjm also computes the overall, per-segment and per touchpoint × segment "
                "groups, Wilson intervals and a validity check of every answer; the others "
                "only the per-touchpoint figures compared here."]
    return []


def scale_run(args: argparse.Namespace, data_dir: Path) -> Dict[str, Any]:
    path = events_path(data_dir, args.scale_events, args.seed)
    if not path.exists():
        t = time.perf_counter()
        generate_events(path, args.scale_events, args.seed)
        log(f"generated {path} in {time.perf_counter() - t:.1f} s")
    out: Dict[str, Any] = {}
    print(f"\n### Scale: cjm alone, {args.scale_events:,} events, Parquet → funnel\n")
    for tool in ("cjm", "cjm-parquet"):
        log(f"scale: {tool} funnel on {args.scale_events:,} events")
        report = run_worker(tool, "funnel", path, 1)
        print(f"- {TOOL_NAMES[tool]}: file → in-memory form "
              f"{fmt_seconds(report['times']['load'])}, funnel "
              f"{fmt_seconds(report['times']['compute'])}, "
              f"**end to end {fmt_seconds(report['times']['end_to_end'])}**, "
              f"peak RSS {report['peak_mib']:,.0f} MiB; customers per step: "
              f"{report['result']}", flush=True)
        out[tool] = report
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--survey-rows", type=int, default=10_000_000)
    parser.add_argument("--tools", default=",".join(TOOLS),
                        help="comma-separated, from " + ",".join(TOOLS))
    parser.add_argument("--analyses", default=",".join(ANALYSES),
                        help="comma-separated, from " + ",".join(ANALYSES) + "; or none")
    parser.add_argument("--repeat", type=int, default=1, help="best of N (default 1)")
    parser.add_argument("--scale", action="store_true",
                        help="also cjm alone on a --scale-events log: Parquet → funnel")
    parser.add_argument("--scale-events", type=int, default=100_000_000)
    parser.add_argument("--data-dir", default="/tmp/cjm-bench")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--json", help="write every timing and result to this file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.file, args.repeat)))
        return

    tools = [t for t in args.tools.split(",") if t]
    analyses = [] if args.analyses == "none" else [a for a in args.analyses.split(",") if a]
    for t in tools:
        if t not in TOOLS:
            parser.error(f"unknown tool {t}")
    for a in analyses:
        if a not in ANALYSES:
            parser.error(f"unknown analysis {a}")
    if analyses and "cjm" not in tools:
        parser.error("cjm is the reference: keep it in --tools")
    data_dir = Path(args.data_dir)
    ensure_data(data_dir, args.events, args.survey_rows, args.seed, analyses)

    import cjm
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    versions = (f"cjm {cjm.__version__}, pandas {pd.__version__}, polars {pl.__version__}, "
                f"DuckDB {duckdb.__version__}, pyarrow {pa.__version__}, "
                f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    print(f"# Parquet export → result ({versions})\n")
    print(f"Best of {args.repeat}; in brackets, the tool's figure ÷ cjm's (above 1: cjm "
          "is faster or smaller). Each tool and analysis in its own process.\n")
    out: Dict[str, Any] = {"versions": versions, "events": args.events,
                           "survey_rows": args.survey_rows, "repeat": args.repeat,
                           "seed": args.seed, "analyses": {}}
    failures: List[str] = []
    for analysis in analyses:
        path = (survey_path(data_dir, args.survey_rows, args.seed) if analysis == "survey"
                else events_path(data_dir, args.events, args.seed))
        reports: Dict[str, Dict[str, Any]] = {}
        for tool in ["cjm"] + [t for t in tools if t != "cjm"]:
            if tool == "cjm-parquet" and analysis == "survey":
                continue  # survey answers are read with pyarrow in both routes
            log(f"{analysis}: {tool}")
            reports[tool] = run_worker(tool, analysis, path, args.repeat)
        want = reports["cjm"]["result"]
        agree: Dict[str, List[str]] = {}
        for tool in tools:
            if tool != "cjm" and tool in reports:
                agree[tool] = compare(analysis, want, reports[tool]["result"])
        size = (f"{args.survey_rows:,} survey rows" if analysis == "survey"
                else f"{args.events:,} events")
        print(f"### {ANALYSIS_TITLES[analysis]} ({size})\n")
        print(table(analysis, reports, [t for t in TOOLS if t in reports]))
        print()
        print(f"Result: {summary_line(analysis, want)}. " + (
            "Every tool's result equals cjm's." if not any(agree.values()) else
            "DIFFERENCES: " + "; ".join(f"{t}: {p[0]} (+{len(p) - 1} more)"
                                        for t, p in agree.items() if p)))
        for note in notes(analysis):
            print(f"Note: {note}")
        loads = [x for r in reports.values() for x in r["load_avg"]]
        print(f"Load average (1 min) at the start and end of the runs: {min(loads):.1f} to "
              f"{max(loads):.1f} on {os.cpu_count()} CPUs.")
        print(flush=True)
        for tool, problems in agree.items():
            failures.extend(f"{tool} {p}" for p in problems)
        out["analyses"][analysis] = {"reports": reports, "differences": agree}
    if args.scale:
        out["scale"] = scale_run(args, data_dir)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    if failures:
        raise SystemExit("results differ from cjm's:\n" + "\n".join(failures[:40]))


if __name__ == "__main__":
    main()
