"""Bad input that used to surface as another library's exception (issue 14, item 8) is a
`cjm.CjmError` with a stable code and a message naming the column or option and the fix:

- polars columns of dtype `Null` (polars exports them with a buffer the Arrow C data
  interface does not have, which the Rust Arrow reader refused with a `ValueError`): ignored
  when unused, read as all-null columns by the ordinary rules when named;
- pandas object columns mixing types (pyarrow's `ArrowTypeError`/`ArrowInvalid`):
  `wrong_type`;
- integer options outside the range of the type they are read as (pyo3's `OverflowError`):
  `invalid_option`.
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any, Callable, Dict, List, Tuple

import pytest

import cjm

pa = pytest.importorskip("pyarrow")
pl = pytest.importorskip("polars")
pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

UTC = dt.timezone.utc
U64 = "from 0 to 18446744073709551615"


def events_frame(**extra: Any) -> Any:
    """A polars event log of 4 rows (2 customers) with more columns from `extra`."""
    base: Dict[str, Any] = {
        "customer": ["u1", "u1", "u2", "u2"],
        "ts": [dt.datetime(2024, 3, 1, 10, m, tzinfo=UTC) for m in range(4)],
        "event": ["view", "buy", "view", "view"],
        "channel": ["web", "web", "app", "app"],
        "session": ["s1", "s1", "s2", "s2"],
        "revenue": [None, 9.5, None, None],
        "ok": [True, True, True, False],
    }
    base.update(extra)
    return pl.DataFrame(base)


def survey_frame(**extra: Any) -> Any:
    base: Dict[str, Any] = {
        "touchpoint": ["search", "search", "checkout", "checkout"],
        "segment": ["a", "b", "a", "b"],
        "nps": [10, 6, 9, 0],
        "csat": [5, 4, 2, 5],
        "ces": [7, 6, 5, 1],
    }
    base.update(extra)
    return pl.DataFrame(base)


NULLS = [None, None, None, None]


def outcome(call: Callable[[], Any]) -> Tuple[Any, ...]:
    """What a call gave: its result as plain data, or its error as (class, code, message)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except cjm.CjmError as err:
            return ("error", type(err).__name__, err.code, str(err))
    warned = sorted(getattr(w.message, "code", "") for w in caught)
    if isinstance(result, cjm.EventLog):
        return ("log", result.ingest_report.to_dict(), len(result), result.customers, warned)
    return ("result", result.to_dicts(), warned)


def as_pyarrow(frame: Any) -> Any:
    # pyarrow imports polars' `Null` columns (its reader is lenient), as `null` columns.
    table = pa.table(frame)
    assert any(pa.types.is_null(f.type) for f in table.schema)
    return table


# ---------------------------------------------------------------------------------------
# polars `Null` columns


def test_polars_null_column_alone_is_read() -> None:
    # The polars export itself is what the Rust Arrow reader refuses (pola-rs/polars#22934).
    frame = events_frame(notes=NULLS)
    assert frame.schema["notes"] == pl.Null
    log = cjm.EventLog.from_arrow(frame, customer="customer", timestamp="ts", event="event", progress=False)
    plain = cjm.EventLog.from_arrow(
        frame.drop("notes"), customer="customer", timestamp="ts", event="event", progress=False
    )
    assert len(log) == len(plain) == 4
    assert log.ingest_report.to_dict() == plain.ingest_report.to_dict()
    assert log.variants().to_dicts() == plain.variants().to_dicts()


def test_polars_null_event_column_rejects_every_row_in_the_report() -> None:
    frame = events_frame(event=NULLS)
    with pytest.warns(cjm.IngestWarning) as record:
        log = cjm.EventLog.from_arrow(frame, customer="customer", timestamp="ts", event="event", progress=False)
    assert [getattr(w.message, "code", None) for w in record] == ["no_rows_used"]
    report = log.ingest_report
    assert report.rows_read == 4 and report.rows_used == 0
    assert report.rejected == {"missing_event": 4}
    with pytest.raises(cjm.InputError) as info:
        cjm.EventLog.from_arrow(
            frame, customer="customer", timestamp="ts", event="event", strict=True, progress=False
        )
    assert info.value.code == "missing_event"


ROLES: List[Tuple[str, Dict[str, Any]]] = [
    ("customer", {"customer": "customer"}),
    ("ts", {"timestamp": "ts"}),
    ("ts", {"timestamp": "ts", "unit": "ms"}),
    ("event", {"event": "event"}),
    ("channel", {"channel": "channel"}),
    ("session", {"session": "session"}),
    ("revenue", {"value": "revenue"}),
    ("ok", {"consent": "ok"}),
    ("notes", {"extra": ["notes"]}),
]


@pytest.mark.parametrize("column,roles", ROLES, ids=[f"{c}-{sorted(r)}" for c, r in ROLES])
def test_polars_null_column_in_each_role_reads_as_pyarrow_null(column: str, roles: Dict[str, Any]) -> None:
    # Whatever the rules make of an all-null column in a role (rows rejected, no consent,
    # no value), a polars `Null` column gets exactly what pyarrow's `null` column gets.
    frame = events_frame(**{column: NULLS})
    kwargs: Dict[str, Any] = {"customer": "customer", "timestamp": "ts", "event": "event", "progress": False}
    kwargs.update(roles)
    got = outcome(lambda: cjm.EventLog.from_arrow(frame, **kwargs))
    want = outcome(lambda: cjm.EventLog.from_arrow(as_pyarrow(frame), **kwargs))
    assert got == want


def test_polars_null_columns_in_survey_kpis() -> None:
    roles: Dict[str, Any] = {"scope": "touchpoint", "segment": "segment", "nps": "nps", "csat": "csat", "ces": "ces"}
    unused = survey_frame(comment=NULLS)
    assert cjm.survey_kpis(unused, **roles).to_dicts() == cjm.survey_kpis(survey_frame(), **roles).to_dicts()
    for column in roles.values():
        frame = survey_frame(**{column: NULLS})
        got = outcome(lambda: cjm.survey_kpis(frame, **roles))
        assert got == outcome(lambda: cjm.survey_kpis(as_pyarrow(frame), **roles)), column
        assert got[0] == "result", got
    overall = cjm.survey_kpis(survey_frame(nps=NULLS), **roles).to_dicts()[0]
    assert overall["nps"] is None and overall["nps_missing"] == 4


def test_polars_null_column_in_compare_groups() -> None:
    frame = survey_frame(comment=NULLS)
    got = cjm.compare_groups(frame, "a", "b", segment="segment", nps="nps").to_dicts()
    assert got == cjm.compare_groups(survey_frame(), "a", "b", segment="segment", nps="nps").to_dicts()


def test_polars_nested_null_column_is_wrong_type_when_named_and_ignored_otherwise() -> None:
    frame = survey_frame(tags=[[None], [None], None, [None]])
    assert frame.schema["tags"] == pl.List(pl.Null)
    assert cjm.survey_kpis(frame, nps="nps").to_dicts() == cjm.survey_kpis(survey_frame(), nps="nps").to_dicts()
    with pytest.raises(cjm.InputError) as info:
        cjm.survey_kpis(frame, scope="tags", nps="nps")
    err = info.value
    assert err.code == "wrong_type"
    assert "`tags`" in str(err) and "List(Null)" in str(err) and "flat type" in str(err)


# ---------------------------------------------------------------------------------------
# pandas object columns of mixed types


def mixed_events() -> Any:
    return pd.DataFrame(
        {
            "customer": ["u1", 2, "u3"],
            "ts": ["2024-03-01T10:00:00Z"] * 3,
            "event": ["view", "buy", "view"],
        }
    )


def test_pandas_mixed_customer_column_is_wrong_type() -> None:
    with pytest.raises(cjm.CjmError) as info:
        cjm.EventLog.from_arrow(mixed_events(), customer="customer", timestamp="ts", event="event", progress=False)
    err = info.value
    assert isinstance(err, cjm.InputError) and not isinstance(err, pa.ArrowException)
    assert err.code == "wrong_type"
    message = str(err)
    assert "`customer`" in message and "`str`" in message and "`int`" in message
    assert "at row 1" in message
    assert "astype(str)" in message and "pd.to_numeric" in message


def test_pandas_mixed_columns_in_survey_kpis_and_compare_groups() -> None:
    # str and int in a text column (pyarrow: ArrowTypeError) ...
    scope = pd.DataFrame({"touchpoint": ["search", 7, "checkout"], "nps": [10, 9, 0]})
    with pytest.raises(cjm.InputError) as info:
        cjm.survey_kpis(scope, scope="touchpoint", nps="nps")
    assert info.value.code == "wrong_type" and "`touchpoint`" in str(info.value)
    # ... and in a number column (pyarrow: ArrowInvalid).
    nps = pd.DataFrame({"segment": ["a", "b", "a"], "nps": pd.Series([10, "ten", 0], dtype=object)})
    for call in (
        lambda: cjm.survey_kpis(nps, segment="segment", nps="nps"),
        lambda: cjm.compare_groups(nps, "a", "b", segment="segment", nps="nps"),
    ):
        with pytest.raises(cjm.InputError) as info:
            call()
        assert info.value.code == "wrong_type"
        assert "`nps`" in str(info.value) and "pd.to_numeric" in str(info.value)
    # An unused mixed column is not converted at all.
    fine = nps.assign(nps=[10, 9, 0], note=["x", 1, None])
    assert cjm.survey_kpis(fine, segment="segment", nps="nps").to_dicts()[0]["nps_answered"] == 3


# ---------------------------------------------------------------------------------------
# Integer options out of range


def small_log() -> cjm.EventLog:
    return cjm.EventLog.from_csv(
        "customer,timestamp,event\nu1,2024-03-01T10:00:00Z,view\nu1,2024-03-01T10:05:00Z,buy\n",
        customer="customer",
        timestamp="timestamp",
        event="event",
    )


SURVEY = {"segment": ["a", "b"], "nps": [10, 0], "csat": [5, 1]}

CASES: List[Tuple[str, str, Callable[[], Any]]] = [
    ("k", U64, lambda: small_log().variants(k=-1)),
    ("k", U64, lambda: small_log().variants(-(2**200))),
    ("max_length", U64, lambda: small_log().variants(max_length=-1)),
    ("n", U64, lambda: small_log().flows(n=-1)),
    ("min_support", U64, lambda: small_log().drivers("buy", min_support=-1)),
    ("window", U64, lambda: small_log().funnel(["view", "buy"], window=2**70)),
    ("csat_scale", "from 0 to 255", lambda: cjm.survey_kpis(SURVEY, csat="csat", csat_scale=2**70)),
    ("ces_scale", "from 0 to 255", lambda: cjm.survey_kpis(SURVEY, csat="csat", ces_scale=-1)),
    ("min_group_size", U64, lambda: cjm.survey_kpis(SURVEY, nps="nps", min_group_size=-1)),
    (
        "csat_scale",
        "from 0 to 255",
        lambda: cjm.compare_groups(SURVEY, "a", "b", segment="segment", csat="csat", csat_scale=300),
    ),
    ("x1", U64, lambda: cjm.two_proportion_test(-1, 4, 1, 2)),
    ("n2", U64, lambda: cjm.two_proportion_test(1, 4, 1, n2=2**64)),
    ("customers", U64, lambda: cjm.generate_log(customers=-1)),
    ("seed", U64, lambda: cjm.generate_log(customers=1, seed=2**64)),
    ("indent", U64, lambda: cjm.template("b2c-ecommerce").to_json(indent=-1)),
    ("total_events", U64, lambda: cjm.template("b2c-ecommerce").insights(total_events=-1)),
    ("width", "from 0 to 4294967295", lambda: small_log().funnel(["view", "buy"]).to_svg(width=2**32)),
    ("height", "from 0 to 4294967295", lambda: small_log().flows().to_svg(height=-1)),
    (
        "width",
        "from 0 to 4294967295",
        lambda: cjm.attribute({"path": ["a > b"], "total_conversions": [1]}).to_svg(width=-1),
    ),
]


@pytest.mark.parametrize("name,allowed,call", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_integer_option_out_of_range_is_invalid_option(name: str, allowed: str, call: Callable[[], Any]) -> None:
    with pytest.raises(cjm.CjmError) as info:
        call()
    err = info.value
    assert isinstance(err, cjm.InputError) and not isinstance(err, OverflowError)
    assert err.code == "invalid_option"
    assert f"`{name}` must be an integer {allowed}" in str(err)


def test_integer_options_in_range_still_read_numpy_ints_and_refuse_floats() -> None:
    log = small_log()
    assert log.variants(k=np.int64(1)).to_dicts() == log.variants(k=1).to_dicts()
    report = cjm.survey_kpis(SURVEY, csat="csat", csat_scale=np.uint8(5))
    assert report.to_dicts()[0]["csat_answered"] == 2
    # Inside the type but outside the core's rule: the core's message.
    with pytest.raises(cjm.InputError, match="2 to 11"):
        cjm.survey_kpis(SURVEY, csat="csat", csat_scale=100)
    with pytest.raises(cjm.InputError, match="`k` must be an integer from 0 to .*, not 2.5") as e:
        log.variants(k=2.5)  # type: ignore[arg-type]
    assert e.value.code == "invalid_option"


@pytest.mark.parametrize(
    ("options", "says"),
    [
        # The core's words, as JavaScript gets them (the core splits these options).
        ({"markov_order": -1}, "option `markov_order` must be an integer from 0 to"),
        ({"markov_order": 2**70}, "option `markov_order` must be an integer from 0 to"),
        ({"half_life_seconds": "x"}, "option `half_life_seconds` invalid type: string"),
        ({"models": ["nope"]}, "option `models[0]` unknown variant `nope`"),
    ],
)
def test_options_passed_as_keywords_name_the_option(options: Dict[str, Any], says: str) -> None:
    """Options read from ``**kwargs`` name the key that failed, in the project's words
    (not Python's ``OverflowError``/``TypeError`` text)."""
    import pyarrow as pa

    table = pa.table({
        "customer": ["a", "a", "b"],
        "timestamp": pa.array([0, 1, 2], pa.timestamp("s", tz="UTC")),
        "event": ["visit", "purchase", "visit"],
        "channel": ["email", None, "search"],
    })
    log = cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event", channel="channel"
    )
    with pytest.raises(cjm.InputError) as err:
        log.attribute(conversion_events=["purchase"], **options)
    assert err.value.code == "invalid_option"
    assert says in str(err.value)
    assert "OverflowError" not in str(err.value) and "TypeError" not in str(err.value)


def test_progress_bar_only_for_inputs_worth_waiting_for() -> None:
    """No tqdm bar for a small input unless asked for; one for a million rows or an input
    of unknown size."""
    pytest.importorskip("tqdm")
    from cjm import _events

    assert _events._progress(10) is None
    assert _events._progress(_events.PROGRESS_MIN_ROWS - 1) is None
    for bar in (_events._progress(10, True), _events._progress(_events.PROGRESS_MIN_ROWS),
                _events._progress(None)):
        assert bar is not None
        bar.close()


def test_as_of_takes_a_date_as_the_start_of_its_day_in_utc() -> None:
    """``as_of=datetime.date`` (issue 15) is the start of that day in UTC: the same result
    as the ISO text of that instant; a naive datetime is refused unless ``assume_utc``."""
    import pyarrow as pa

    table = pa.table({
        "customer": ["a", "a", "b"],
        "timestamp": pa.array([0, 86_400 * 20_119 - 3_600, 86_400 * 20_119 - 60],
                              pa.timestamp("s", tz="UTC")),
        "event": ["visit", "cart", "visit"],
    })
    log = cjm.EventLog.from_arrow(table, customer="customer", timestamp="timestamp",
                                  event="event", progress=False)
    by_date = log.funnel(["visit", "cart"], as_of=dt.date(2025, 1, 31))
    by_text = log.funnel(["visit", "cart"], as_of="2025-01-31T00:00:00Z")
    assert by_date.to_dicts() == by_text.to_dicts()
    with pytest.raises(cjm.InputError) as err:
        log.funnel(["visit", "cart"], as_of=dt.datetime(2025, 1, 31))
    assert err.value.code == "naive_timestamp" and "assume_utc=True" in str(err.value)
    naive = log.funnel(["visit", "cart"], as_of=dt.datetime(2025, 1, 31), assume_utc=True)
    assert naive.to_dicts() == by_text.to_dicts()


def test_numpy_times_read_as_durations_and_instants_not_nanosecond_counts() -> None:
    """``np.timedelta64``/``np.datetime64`` (pandas' ``.values``, ``np.diff`` of times) read
    as what they stand for. ``item()`` of a nanosecond value is a bare count: read as
    seconds, a 30-minute gap would be 57 years and every customer one session."""
    log = cjm.EventLog.from_csv(
        "customer,timestamp,event\n"
        "u1,2024-03-01T10:00:00Z,view\nu1,2024-03-01T10:40:00Z,view\n"
        "u1,2024-03-01T10:45:00Z,buy\n",
        customer="customer",
        timestamp="timestamp",
        event="event",
    )
    by_gap = log.sessionize(dt.timedelta(minutes=30), replace=True).to_arrow()
    assert len(set(by_gap.column("session").to_pylist())) == 2
    gap_ns = np.timedelta64(30 * 60 * 10**9, "ns")
    assert log.sessionize(gap_ns, replace=True).to_arrow().equals(by_gap)
    steps = ["view", "buy"]
    assert log.funnel(steps, window=np.timedelta64(300, "s")).customers == [1, 1]
    assert log.funnel(steps, window=np.timedelta64(299 * 10**9, "ns")).customers == [1, 0]
    # An instant: the naive-time rule applies to a NumPy datetime as to a naive datetime.
    as_of = np.datetime64("2024-03-01T10:50:00.000000000")
    aware = log.funnel(steps, as_of="2024-03-01T10:50:00+00:00")
    read = log.funnel(steps, as_of=as_of, assume_utc=True)
    assert read.to_dicts() == aware.to_dicts()
    # The same instant (the definition also records how it was written).
    assert read.to_dict()["definition"]["params"]["options"]["as_of"] == "2024-03-01T10:50:00"
    with pytest.raises(cjm.InputError) as naive:
        log.funnel(steps, as_of=as_of)
    assert naive.value.code == "naive_timestamp"
    with pytest.raises(cjm.InputError, match="`gap` must be whole seconds") as frac:
        log.sessionize(np.timedelta64(1500, "ms"))
    assert frac.value.code == "invalid_option"
    for nat in (np.timedelta64("NaT"), pd.NaT):
        with pytest.raises(cjm.InputError, match="`window`.*NaT") as e:
            log.funnel(steps, window=nat)
        assert e.value.code == "invalid_option"


def test_numpy_scalars_in_keyword_options_read_as_their_values() -> None:
    """Options computed with NumPy in a notebook (``np.int64``, ``np.bool_``) read as the
    numbers and flags they stand for, in every options dict the core reads."""
    import numpy as np
    import pyarrow as pa

    table = pa.table({
        "customer": ["a", "a", "b", "b", "b"],
        "timestamp": pa.array([0, 1, 2, 3, 3], pa.timestamp("s", tz="UTC")),
        "event": ["visit", "purchase", "visit", "purchase", "purchase"],
        "channel": ["email", None, "search", None, None],
    })
    flag: Any = np.bool_(True)
    log = cjm.EventLog.from_arrow(table, channel="channel", dedup=flag, progress=False)
    assert len(log) == 4  # the duplicate purchase of `b` dropped: dedup was read as True
    # Arrays of names (a column's unique values) and any iterable are lists of steps.
    steps = np.array(["visit", "purchase"])
    assert log.funnel(steps).customers == log.funnel(["visit", "purchase"]).customers == [2, 2]
    assert log.funnel(s for s in ["visit", "purchase"]).customers == [2, 2]
    # None is the default; one name is a list of one, never its letters.
    plain_table = cjm.EventLog.from_arrow(table, channel="channel", extra=None, progress=False)
    assert len(plain_table) == 5
    with_extra = cjm.EventLog.from_arrow(table, channel="channel", extra="channel", progress=False)
    assert with_extra.funnel(["visit"], breakdown="channel").to_dict()["breakdown"]
    plain = log.attribute(conversion_events="purchase", markov_order=1, models=["first", "markov"])
    numpy = log.attribute(
        conversion_events=np.str_("purchase"), markov_order=np.int64(1), models=["first", "markov"]
    )
    assert numpy.to_dict() == plain.to_dict()
    assert log.directly_follows_svg(min_share=np.float32(0.5)).markup == log.directly_follows_svg(min_share=0.5).markup
    assert log.variants(max_length=np.int64(2)).to_dict() == log.variants(max_length=2).to_dict()
    # Not every object is a number: the option is still named.
    with pytest.raises(cjm.InputError, match="markov_order"):
        log.attribute(conversion_events="purchase", markov_order=object())
