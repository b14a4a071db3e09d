"""Oracles for cjm's multi-touch attribution.

cjm is called through its Rust example (`cargo run -q --release -p cjm-core --example
attribute -- <input.json>`), which reads a path table and options and prints the result
JSON, so these tests do not depend on the Python binding.

(a) Markov removal effects against an independent exact computation with numpy: the
    transition matrix is built here from the path table and the absorbing chain solved
    with `numpy.linalg.solve`; agreement to 1e-9.
(b) Markov against `channelattribution.markov_model`, which estimates the conversion
    probabilities by simulating journeys through the chain: agreement within its
    sampling error (see `CA_SHARE_TOLERANCE`).
(c) first, last and linear heuristics against `channelattribution.heuristic_models`,
    exactly (to 1e-9), with repeats kept as that function keeps them.
(d) cjm's *default* options on channelattribution's own sample table: heuristics equal to
    `heuristic_models` and Markov within `markov_model`'s simulation error, with no option
    set (the defaults follow the package's convention: whole paths for the heuristics,
    no self-transitions for Markov).

Data: the sample table bundled inside the installed channelattribution package (read
at test time; it is GPL data and is not copied here) and paths generated with a fixed
seed.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]

ca = pytest.importorskip("ChannelAttribution")

#: channelattribution simulates `nsim_start` journeys through the chain and counts how
#: many end in CONVERSION with and without each channel. Each conversion probability is
#: then a binomial proportion with standard error sqrt(p(1-p)/n) <= 0.5/sqrt(n): 5e-4 at
#: n = 1e6. A removal effect 1 - P_-c/P and its normalised share combine a few such
#: estimates (about 3 standard errors' worth for P near 0.3), so a share is within
#: ~0.003 of its exact value with high probability; 0.01 leaves margin for the
#: adaptive stopping rule of the package (`conv_par`) while still catching any
#: difference of definition (e.g. the default `max_step`, which truncates looping
#: journeys and moved a share by 0.02 on a 4-row table).
CA_SHARE_TOLERANCE = 0.01
CA_NSIM = 1_000_000
CA_MAX_STEP = 1_000


def run_cjm(paths: list[dict], options: dict, table_options: dict | None = None) -> dict:
    payload = {"paths": paths, "options": options, "table_options": table_options or {}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(payload, f)
        name = f.name
    try:
        out = subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "cjm-core", "--example", "attribute", "--", name],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        os.unlink(name)
    assert out.returncode == 0, out.stdout + out.stderr
    return json.loads(out.stdout)


def credits(result: dict, model: str, field: str = "conversions") -> dict[str, float]:
    out = {}
    for row in result["channels"]:
        for c in row["credits"]:
            if c["model"] == model:
                out[row["channel"]] = c[field]
    return out


def ca_sample() -> pd.DataFrame:
    """The sample path table shipped inside the installed channelattribution package."""
    base = Path(ca.__file__).resolve().parent.parent
    for candidate in [base / "cypack" / "data" / "Data.csv", Path(ca.__file__).parent / "data" / "Data.csv"]:
        if candidate.exists():
            return pd.read_csv(candidate, sep=";")
    pytest.skip("the channelattribution sample data is not installed")


def generated(seed: int = 7, rows: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channels = ["search", "email", "social", "display", "direct", "affiliate"]
    data = []
    seen = set()
    while len(data) < rows:
        n = int(rng.integers(1, 7))
        path = " > ".join(rng.choice(channels, size=n, p=[0.3, 0.2, 0.15, 0.15, 0.15, 0.05]))
        if path in seen:
            continue
        seen.add(path)
        conv = int(rng.poisson(1.5 if "email" in path else 0.6))
        data.append(
            {
                "path": path,
                "total_conversions": conv,
                "total_conversion_value": float(np.round(rng.gamma(2.0, 20.0) * conv, 2)),
                "total_null": int(rng.poisson(3.0)),
            }
        )
    return pd.DataFrame(data)


def as_rows(df: pd.DataFrame) -> list[dict]:
    return [
        {
            "path": r.path,
            "conversions": float(r.total_conversions),
            "value": float(r.total_conversion_value),
            "nulls": float(r.total_null),
        }
        for r in df.itertuples()
    ]


def numpy_markov(df: pd.DataFrame) -> tuple[float, dict[str, float], dict[str, float]]:
    """Order-1 removal effects and credits, solved exactly with numpy."""
    paths = []
    for r in df.itertuples():
        chans = [c.strip() for c in r.path.split(">")]
        collapsed = [c for i, c in enumerate(chans) if i == 0 or c != chans[i - 1]]
        paths.append((collapsed, float(r.total_conversions), float(r.total_null)))
    channels = sorted({c for p, _, _ in paths for c in p})
    idx = {c: i + 1 for i, c in enumerate(channels)}  # 0 = START
    n = len(channels) + 1
    conv, null = n, n + 1
    counts = np.zeros((n, n + 2))
    for chans, c, nl in paths:
        prev = 0
        for ch in chans:
            counts[prev, idx[ch]] += c + nl
            prev = idx[ch]
        counts[prev, conv] += c
        counts[prev, null] += nl
    total_conv = sum(c for _, c, _ in paths)

    def p_conv(removed: int | None) -> float:
        m = counts.copy()
        if removed is not None:
            m[:, null] += m[:, removed]
            m[:, removed] = 0.0
        rows = m.sum(axis=1)
        keep = [i for i in range(n) if rows[i] > 0 and i != removed]
        prob = m[keep][:, keep] / rows[keep][:, None]
        r = m[keep, conv] / rows[keep]
        x = np.linalg.solve(np.eye(len(keep)) - prob, r)
        return float(x[keep.index(0)])

    base = p_conv(None)
    re = {c: 1.0 - p_conv(idx[c]) / base for c in channels}
    s = sum(re.values())
    return base, re, {c: re[c] / s * total_conv for c in channels}


@pytest.fixture(scope="session", autouse=True)
def build_example():
    subprocess.run(
        ["cargo", "build", "-q", "--release", "-p", "cjm-core", "--example", "attribute"],
        cwd=ROOT,
        check=True,
    )


@pytest.mark.parametrize("source", ["channelattribution_sample", "generated"])
def test_markov_matches_numpy_exactly(source):
    df = ca_sample() if source != "generated" else generated()
    result = run_cjm(as_rows(df), {"models": ["markov"]})
    base, re, credit = numpy_markov(df)
    m = result["markov"]
    assert abs(m["conversion_probability"] - base) <= 1e-9
    got_re = {e["channel"]: e["removal_effect"] for e in m["channels"]}
    got = credits(result, "markov")
    assert set(got) == set(credit)
    diffs = [abs(got_re[c] - re[c]) for c in re] + [abs(got[c] - credit[c]) / max(1.0, credit[c]) for c in credit]
    print(f"{source}: max |cjm - numpy| = {max(diffs):.3e}")
    assert max(diffs) <= 1e-9


def test_markov_transition_matrix_matches_channelattribution():
    df = ca_sample()
    result = run_cjm(as_rows(df), {"models": ["markov"]})
    tm = ca.transition_matrix(df, "path", "total_conversions", var_null="total_null", flg_pro=False)
    names = dict(zip(tm["channels"]["id_channel"].astype(str), tm["channels"]["channel_name"]))
    rename = {"(start)": "START", "(conversion)": "CONVERSION", "(null)": "NULL"}
    theirs = {
        (rename.get(str(r.channel_from), names.get(str(r.channel_from))), rename.get(str(r.channel_to), names.get(str(r.channel_to)))): r.transition_probability
        for r in tm["transition_matrix"].itertuples()
    }
    ours = {(t["from"], t["to"]): t["probability"] for t in result["markov"]["transitions"]}
    # transition_matrix keeps consecutive repeats (self-loops) while markov_model and cjm
    # (remove_self_loops, the default) drop them, so only the START row, which repeats do
    # not change, is compared.
    start_theirs = {k: v for k, v in theirs.items() if k[0] == "START"}
    start_ours = {k: v for k, v in ours.items() if k[0] == "START"}
    assert set(start_theirs) == set(start_ours)
    assert max(abs(start_theirs[k] - start_ours[k]) for k in start_ours) <= 1e-9


@functools.lru_cache(maxsize=None)
def ca_markov_credits(source: str) -> dict[str, float]:
    """channelattribution's simulated Markov credits (computed once per source)."""
    df = ca_sample() if source != "generated" else generated()
    out = ca.markov_model(
        df,
        "path",
        "total_conversions",
        var_value="total_conversion_value",
        var_null="total_null",
        nsim_start=CA_NSIM,
        max_step=CA_MAX_STEP,
        seed=0,
        out_more=True,
        verbose=False,
        flg_pro=False,
    )
    return dict(zip(out["result"]["channel_name"], out["result"]["total_conversions"]))


@pytest.mark.parametrize("source", ["channelattribution_sample", "generated"])
def test_markov_within_channelattribution_simulation_error(source):
    df = ca_sample() if source != "generated" else generated()
    result = run_cjm(as_rows(df), {"models": ["markov"]})
    theirs = ca_markov_credits(source)
    ours = credits(result, "markov")
    total = result["totals"]["conversions"]
    assert set(theirs) == set(ours)
    worst = max(abs(theirs[c] - ours[c]) / total for c in ours)
    print(f"{source}: max share difference cjm vs channelattribution = {worst:.4f}")
    assert worst <= CA_SHARE_TOLERANCE


@pytest.mark.parametrize("source", ["channelattribution_sample", "generated"])
def test_heuristics_match_channelattribution_exactly(source):
    df = ca_sample() if source != "generated" else generated()
    # heuristic_models credits every touch (repeats kept) for linear, as cjm by default.
    result = run_cjm(as_rows(df), {"models": ["first", "last", "linear"]})
    h = ca.heuristic_models(df, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False)
    worst = 0.0
    for model in ["first", "last", "linear"]:
        for field, suffix in [("conversions", "conversions"), ("value", "value")]:
            theirs = dict(zip(h["channel_name"], h[f"{model}_touch_{suffix}"]))
            ours = credits(result, model, field)
            assert set(theirs) == set(ours)
            for c in ours:
                d = abs(theirs[c] - ours[c]) / max(1.0, abs(theirs[c]))
                worst = max(worst, d)
    print(f"{source}: max relative |cjm - channelattribution| heuristics = {worst:.3e}")
    assert worst <= 1e-9


def test_defaults_reproduce_channelattribution_on_its_own_sample():
    """Issue 15: with no option at all, `Data.csv` (10,000 paths) gives
    `heuristic_models`' first, last and linear credits exactly and `markov_model`'s credits
    within its simulation error. Before, the default collapsed repeats for every model and
    linear differed by up to 195 conversions."""
    df = ca_sample()
    result = run_cjm(as_rows(df), {})
    h = ca.heuristic_models(df, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False)
    worst = 0.0
    for model in ["first", "last", "linear"]:
        for field in ["conversions", "value"]:
            theirs = dict(zip(h["channel_name"], h[f"{model}_touch_{field}"]))
            ours = credits(result, model, field)
            assert set(theirs) == set(ours)
            worst = max(worst, *(abs(theirs[c] - ours[c]) / max(1.0, abs(theirs[c])) for c in ours))
    print(f"defaults: max relative |cjm - channelattribution| heuristics = {worst:.3e}")
    assert worst <= 1e-9
    theirs = ca_markov_credits("channelattribution_sample")
    ours = credits(result, "markov")
    total = result["totals"]["conversions"]
    assert set(theirs) == set(ours)
    share = max(abs(theirs[c] - ours[c]) / total for c in ours)
    print(f"defaults: max Markov share difference = {share:.4f}")
    assert share <= CA_SHARE_TOLERANCE
    # Nothing negative-zero or NaN anywhere in the result.
    text = json.dumps(result)
    assert "-0.0" not in text and "NaN" not in text
