"""``cjm.spark``: the event-log analytics and survey KPIs on Spark DataFrames.

Each function takes a Spark DataFrame and returns exactly what the single-machine API
returns for the same rows (``cjm.EventLog.from_arrow(...).funnel(...)``,
``cjm.survey_kpis(...)``, ...). The work runs in the executors on Spark's Arrow path
(``DataFrame.mapInArrow``): every partition is read by the Rust core into a **mergeable
state**, serialised to its versioned bytes; states are merged in the executors when there
are many partitions (a tree of ``fanout``-way merges), and only the merged state reaches
the driver, where it is finished into the usual result. No Python code runs per row.

- Funnels: the DataFrame is first repartitioned by the customer column
  (``repartition_by_customer=True``); each partition's funnel is computed in the
  executors and only its counts are merged (``event_states=True``: the route below).
  The order key below still orders a customer's equal timestamps.
- Directly-follows counts, variants, flows and traffic: the same, count-level states
  after a repartition by customer (``event_states=True``: the route below).
- Retention and trends: count-level states after a repartition by customer, always: a
  customer split across partitions would enter two cohorts, and count twice among a
  period's unique customers (``repartition_by_customer=False`` only when each customer's
  rows already sit in one partition).
- Event-level states (``event_states=True``): a customer's events may
  sit in any partitions. Each row needs a global **order key** (its index in the whole
  log; ties of one customer's timestamps keep that order): name an integer column with
  ``EventColumns(order_key=...)``, or let cjm add ``monotonically_increasing_id()`` on the
  DataFrame as given (its current partition order).
- Path tables and attribution: a path needs all of a customer's events, so the DataFrame
  is first repartitioned by the customer column (``repartition_by_customer=True``).
- Survey KPIs: counts, any split.

PySpark is an optional dependency (``pip install cjm-journeys[spark]``), imported only here; the
executors must be able to ``import cjm`` (see ``docs/spark.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Optional, Sequence, Union

from cjm import _cjm
from cjm._cjm import (
    DirectlyFollows,
    Flows,
    FunnelResult,
    Journey,
    RetentionResult,
    SurveyReport,
    Traffic,
    TrendsResult,
    Variants,
)

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame

__all__ = [
    "EventColumns",
    "attribute",
    "directly_follows",
    "flows",
    "funnel",
    "merged_state",
    "path_table",
    "retention",
    "survey_kpis",
    "traffic",
    "trends",
    "variants",
]

#: The column that carries a state between the Arrow stages.
_STATE = "state"
#: The core's defaults of every options type (``cjm_core::schema::option_defaults``): the
#: analysis options below take theirs from here, so no default is written a second time
#: in this module, and ``help()`` still shows the values.
_DEFAULTS: Mapping[str, Mapping[str, Any]] = _cjm._option_defaults()


def _default(kind: str, name: str) -> Any:
    """The core's default of option ``name`` of the options type ``kind``."""
    return _DEFAULTS[kind][name]


#: Name of the order key column cjm adds when the caller names none.
_ORDER_KEY = "__cjm_row"


@dataclass(frozen=True)
class EventColumns:
    """Which columns of the DataFrame hold what (as ``EventLog.from_arrow``'s keyword
    arguments), and the global order key column (``None``: cjm adds
    ``monotonically_increasing_id()`` to the DataFrame as given)."""

    customer: Union[str, Sequence[str]] = "customer"
    timestamp: str = "timestamp"
    event: str = "event"
    channel: Optional[str] = None
    session: Optional[str] = None
    value: Optional[str] = None
    unit: Optional[str] = None
    assume_utc: bool = False
    order_key: Optional[str] = None
    #: As ``EventLog.from_arrow``'s: customer and session ids are replaced by their
    #: HMAC-SHA256 on the executors, before any state is made (never printed).
    pseudonymise_key: Optional[Union[str, bytes]] = field(default=None, repr=False)

    def _customers(self) -> list[str]:
        return [self.customer] if isinstance(self.customer, str) else list(self.customer)

    def _names(self) -> list[str]:
        names = self._customers() + [self.timestamp, self.event]
        names += [n for n in (self.channel, self.session, self.value, self.order_key) if n]
        return list(dict.fromkeys(names))

    def _spec(self) -> dict[str, Any]:
        return {
            "customer": self._customers(),
            "timestamp": self.timestamp,
            "event": self.event,
            "channel": self.channel,
            "session": self.session,
            "value": self.value,
            "unit": self.unit,
            "assume_utc": self.assume_utc,
            "order_key": self.order_key,
            "pseudonymise_key": self.pseudonymise_key,
        }


def _pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("cjm.spark needs pyarrow: pip install cjm-journeys[spark]") from err
    return pyarrow


def _functions() -> Any:
    try:
        from pyspark.sql import functions
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("cjm.spark needs PySpark: pip install cjm-journeys[spark]") from err
    return functions


def _reader(batches: Iterable[Any]) -> Any:
    """The batches of one partition as a stream (``None`` when there are none)."""
    pa = _pyarrow()
    it = iter(batches)
    first = next(it, None)
    while first is not None and first.num_rows == 0:
        first = next(it, None)
    if first is None:
        return None

    def rest() -> Iterator[Any]:
        yield first
        for b in it:
            if b.num_rows:
                yield b

    return pa.RecordBatchReader.from_batches(first.schema, rest())


def _one_state(state: bytes) -> Any:
    pa = _pyarrow()
    return pa.RecordBatch.from_arrays([pa.array([state], pa.binary())], names=[_STATE])


def _merge_stream(batches: Iterable[Any]) -> Iterator[Any]:
    """A ``mapInArrow`` function merging the states of one partition into one."""
    states: list[bytes] = []
    for b in batches:
        states.extend(s for s in b.column(0).to_pylist() if s is not None)
    if states:
        yield _one_state(_cjm._merge_states(states))


def merged_state(
    df: "DataFrame",
    build: Callable[[Any], bytes],
    *,
    fanout: int = 16,
) -> Optional[bytes]:
    """The merged state of a whole DataFrame: ``build`` turns one partition (an Arrow
    record batch stream) into a state (the bytes of ``_cjm._build_state`` or
    ``_cjm._survey_state``) in the executors; while more than ``fanout`` partial states
    remain they are merged ``fanout`` at a time in the executors (the kind of state is
    read from its bytes); the driver merges the last ones. ``None`` when the DataFrame
    has no rows.

    ``build`` is pickled to the executors; it may call only what they can import."""
    if fanout < 2:
        raise ValueError("`fanout` must be at least 2")

    def partition(batches: Iterable[Any]) -> Iterator[Any]:
        reader = _reader(batches)
        if reader is not None:
            yield _one_state(build(reader))

    schema = f"{_STATE} binary"
    states = df.mapInArrow(partition, schema)
    n = states.rdd.getNumPartitions()
    while n > fanout:
        n = -(-n // fanout)
        states = states.repartition(n).mapInArrow(_merge_stream, schema)
    rows = [r[0] for r in states.collect() if r[0] is not None]
    if not rows:
        return None
    return _cjm._merge_states([bytes(r) for r in rows])


def _request(request: Mapping[str, Any], journey: Optional[Journey] = None) -> str:
    """The request read and checked by the core (with ``journey``) and written by it as
    JSON (``cjm_core::states::StateRequest``), the text the executors get: a bad option,
    NaN or an infinity included, is ``InputError`` naming the option, before any job.
    NumPy scalars and arrays in it are read as the values and lists they stand for."""
    return _cjm._state_request(dict(request), journey)


def _run(
    df: "DataFrame",
    columns: EventColumns,
    request: Mapping[str, Any],
    *,
    journey: Optional[Journey] = None,
    repartition_by_customer: bool = True,
    fanout: int = 16,
    extra: Optional[str] = None,
) -> Any:
    """Runs the core's state request ``request`` on the event columns of ``df`` (plus the
    column ``extra``, a breakdown). The core checks the request on the driver first and
    says how to hand it the rows (``_state_route``): whole customers per partition or any
    split, and the only event names it reads, if it reads only some. Each partition's
    state is built in the executors (after a repartition by customer when the route
    needs whole customers, unless told the rows already are), the states are merged, and
    the merged one is finished on the driver into the single-machine result. No rows:
    the state of an empty table."""
    text = _request(request, journey)
    route = _cjm._state_route(text, journey)
    df, columns = _with_order_key(df, columns)
    names = columns._names() + ([extra] if extra and extra not in columns._names() else [])
    selected = df.select(*names)
    if route["events"] is not None:
        selected = selected.where(_functions().col(columns.event).isin(route["events"]))
    if route["whole_customers"] and repartition_by_customer:
        selected = _by_customer(selected, columns)
    spec = columns._spec()

    def build(reader: Any) -> bytes:
        return _cjm._build_state(reader, text, spec, journey)

    state = merged_state(selected, build, fanout=fanout)
    if state is None:
        pa = _pyarrow()
        state = build(pa.table({n: pa.nulls(0) for n in names}))
    return _cjm._finish_state(state, text, journey)


def _with_order_key(df: "DataFrame", columns: EventColumns) -> tuple["DataFrame", EventColumns]:
    if columns.order_key is not None:
        return df, columns
    f = _functions()
    keyed = df.withColumn(_ORDER_KEY, f.monotonically_increasing_id())
    return keyed, EventColumns(**{**columns.__dict__, "order_key": _ORDER_KEY})


def funnel(
    df: "DataFrame",
    steps: Optional[Sequence[Union[str, Mapping[str, str]]]] = None,
    *,
    columns: EventColumns = EventColumns(),
    journey: Optional[Journey] = None,
    order: str = _default("FunnelOptions", "order"),
    window: Union[dt.timedelta, int, float, None] = None,
    step_windows: Optional[Sequence[Union[dt.timedelta, int, None]]] = None,
    exclusions: Optional[Sequence[Mapping[str, Any]]] = None,
    as_of: Union[dt.datetime, dt.date, str, None] = None,
    breakdown: Optional[str] = None,
    breakdown_attribution: Union[str, Mapping[str, int], None] = None,
    percentile: str = _default("FunnelOptions", "percentile"),
    assume_utc: bool = False,
    repartition_by_customer: bool = True,
    event_states: bool = False,
    fanout: int = 16,
) -> FunnelResult:
    """``EventLog.from_arrow(df...).funnel(steps, ...)`` on a Spark DataFrame (same
    arguments, same result). With a non-``strict`` order, only the rows of the step and
    exclusion events are used (touchpoint and stage steps resolved with ``journey``; the
    other rows cannot change a funnel).

    By default the rows are repartitioned by customer (one shuffle), each partition's
    funnel is computed in the executors, and only its counts (customers per step, counted
    times to convert) are merged: pass ``repartition_by_customer=False`` when the
    DataFrame already holds each customer's rows in one partition. ``event_states=True``
    takes the other route: no shuffle, customers may be split across partitions, and each
    partition's relevant events are shipped and merged per customer before the funnel is
    computed once (memory on the driver grows with the relevant events)."""
    # Read as `EventLog.funnel` reads them (one translation of windows, instants and
    # exclusions, in the extension).
    options = _cjm._funnel_options(
        order=order, window=window, step_windows=step_windows, exclusions=exclusions,
        as_of=as_of, breakdown=breakdown, breakdown_attribution=breakdown_attribution,
        percentile=percentile, assume_utc=assume_utc,
    )
    request = {
        "analysis": "funnel",
        "steps": steps,
        "options": options,
        "event_states": event_states,
    }
    result: FunnelResult = _run(
        df, columns, request, journey=journey, fanout=fanout, extra=breakdown,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def directly_follows(
    df: "DataFrame",
    *,
    columns: EventColumns = EventColumns(),
    start_end: bool = _default("DirectlyFollowsOptions", "start_end"),
    repartition_by_customer: bool = True,
    event_states: bool = False,
    fanout: int = 16,
) -> DirectlyFollows:
    """``log.directly_follows(start_end=...)`` on a Spark DataFrame.

    By default the rows are repartitioned by customer (one shuffle), each partition's
    counts are computed in the executors and only counts are merged (driver memory does
    not grow with the events); pass ``repartition_by_customer=False`` when each
    customer's rows already sit in one partition. ``event_states=True`` takes the
    event-level route: no shuffle, customers may be split across partitions, and every
    event is shipped and merged per customer before the analysis runs once."""
    request = {
        "analysis": "directly_follows",
        "options": {"start_end": start_end},
        "event_states": event_states,
    }
    result: DirectlyFollows = _run(
        df, columns, request, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def variants(
    df: "DataFrame",
    k: int = _default("VariantOptions", "top_k"),
    *,
    columns: EventColumns = EventColumns(),
    max_length: Optional[int] = None,
    collapse_repeats: bool = _default("VariantOptions", "collapse_repeats"),
    repartition_by_customer: bool = True,
    event_states: bool = False,
    fanout: int = 16,
) -> Variants:
    """``log.variants(k, ...)`` on a Spark DataFrame. The count-level state keeps one
    entry per distinct variant (bounded by ``max_length``); the top ``k`` is chosen after
    merging, ties broken as on one machine.

    By default the rows are repartitioned by customer (one shuffle), each partition's
    counts are computed in the executors and only counts are merged (driver memory does
    not grow with the events); pass ``repartition_by_customer=False`` when each
    customer's rows already sit in one partition. ``event_states=True`` takes the
    event-level route: no shuffle, customers may be split across partitions, and every
    event is shipped and merged per customer before the analysis runs once."""
    request = {
        "analysis": "variants",
        "options": {"top_k": k, "max_length": max_length, "collapse_repeats": collapse_repeats},
        "event_states": event_states,
    }
    result: Variants = _run(
        df, columns, request, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def flows(
    df: "DataFrame",
    n: int = _default("FlowOptions", "steps"),
    *,
    columns: EventColumns = EventColumns(),
    min_share: float = _default("FlowOptions", "min_share"),
    collapse_repeats: bool = _default("FlowOptions", "collapse_repeats"),
    repartition_by_customer: bool = True,
    event_states: bool = False,
    fanout: int = 16,
) -> Flows:
    """``log.flows(n, ...)`` on a Spark DataFrame. Rare nodes are folded into
    ``(other)`` after merging, so ``min_share`` applies to the whole log's shares.

    By default the rows are repartitioned by customer (one shuffle), each partition's
    counts are computed in the executors and only counts are merged (driver memory does
    not grow with the events); pass ``repartition_by_customer=False`` when each
    customer's rows already sit in one partition. ``event_states=True`` takes the
    event-level route: no shuffle, customers may be split across partitions, and every
    event is shipped and merged per customer before the analysis runs once."""
    request = {
        "analysis": "flows",
        "options": {"steps": n, "min_share": min_share, "collapse_repeats": collapse_repeats},
        "event_states": event_states,
    }
    result: Flows = _run(
        df, columns, request, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def traffic(
    df: "DataFrame",
    journey: Journey,
    *,
    columns: EventColumns = EventColumns(),
    repartition_by_customer: bool = True,
    event_states: bool = False,
    fanout: int = 16,
) -> Traffic:
    """``log.traffic(journey)`` on a Spark DataFrame: events and unique customers per
    touchpoint and stage, and the unmapped events.

    By default the rows are repartitioned by customer (one shuffle), each partition's
    counts are computed in the executors and only counts are merged (driver memory does
    not grow with the events); pass ``repartition_by_customer=False`` when each
    customer's rows already sit in one partition. ``event_states=True`` takes the
    event-level route: no shuffle, customers may be split across partitions, and every
    event is shipped and merged per customer before the analysis runs once."""
    request = {"analysis": "traffic", "event_states": event_states}
    result: Traffic = _run(
        df, columns, request, journey=journey, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def retention(
    df: "DataFrame",
    *,
    columns: EventColumns = EventColumns(),
    start_event: Union[str, Iterable[str], None] = None,
    return_event: Union[str, Iterable[str], None] = None,
    period: str = _default("RetentionOptions", "period"),
    periods: int = _default("RetentionOptions", "periods"),
    mode: str = _default("RetentionOptions", "mode"),
    cohort: str = _default("RetentionOptions", "cohort"),
    time_zone: str = _default("RetentionOptions", "time_zone"),
    as_of: Union[dt.datetime, dt.date, str, None] = None,
    breakdown: Optional[str] = None,
    assume_utc: bool = False,
    repartition_by_customer: bool = True,
    fanout: int = 16,
) -> RetentionResult:
    """``log.retention(...)`` on a Spark DataFrame (same arguments, same result).

    The rows are repartitioned by customer (one shuffle; ``repartition_by_customer=False``
    when each customer's rows already sit in one partition), each partition's cohort
    counts are computed in the executors (``RetentionCounts``), and only counts are
    merged: they add up because every customer is whole in one partition. Unlike
    ``EventLog.retention``, a start or return event that no row has is not an error (a
    partition may lack it)."""
    options = {
        "start_event": start_event,
        "return_event": return_event,
        "period": period,
        "periods": periods,
        "mode": mode,
        "cohort": cohort,
        "time_zone": time_zone,
        "as_of": as_of,
        "assume_utc": assume_utc or None,
        "breakdown": breakdown,
    }
    options = {k: v for k, v in options.items() if v is not None}
    result: RetentionResult = _run(
        df, columns, {"analysis": "retention", "options": options}, fanout=fanout,
        extra=breakdown, repartition_by_customer=repartition_by_customer,
    )
    return result


def trends(
    df: "DataFrame",
    events: Union[str, Iterable[str], None] = None,
    *,
    columns: EventColumns = EventColumns(),
    period: str = _default("TrendsOptions", "period"),
    time_zone: str = _default("TrendsOptions", "time_zone"),
    since: Union[dt.datetime, dt.date, str, None] = None,
    as_of: Union[dt.datetime, dt.date, str, None] = None,
    breakdown: Optional[str] = None,
    assume_utc: bool = False,
    repartition_by_customer: bool = True,
    fanout: int = 16,
) -> TrendsResult:
    """``log.trends(...)`` on a Spark DataFrame (same arguments, same result).

    Volumes would add up over any split, but unique customers add up only when no
    customer spans two partitions: the rows are repartitioned by customer first (one
    shuffle; ``repartition_by_customer=False`` when each customer's rows already sit in
    one partition), as ``directly_follows`` does; each partition's counts
    (``TrendsCounts``) are computed in the executors and merged by adding. Unlike
    ``EventLog.trends``, an event that no row has is not an error (its series is zeros)."""
    options = {
        "events": events,
        "period": period,
        "time_zone": time_zone,
        "since": since,
        "as_of": as_of,
        "assume_utc": assume_utc or None,
        "breakdown": breakdown,
    }
    options = {k: v for k, v in options.items() if v is not None}
    result: TrendsResult = _run(
        df, columns, {"analysis": "trends", "options": options}, fanout=fanout,
        extra=breakdown, repartition_by_customer=repartition_by_customer,
    )
    return result


def _by_customer(df: "DataFrame", columns: EventColumns) -> "DataFrame":
    f = _functions()
    names = columns._customers()
    if len(names) == 1:
        return df.repartition(f.col(names[0]))
    key = f.coalesce(*(f.when(f.col(n) != "", f.col(n)) for n in names))
    return df.repartition(key)


def _path_options(
    conversion_events: Union[str, Sequence[str]],
    touch: str,
    lookback: Union[dt.timedelta, float, None],
    collapse_repeats: bool,
    keep_times: bool,
) -> dict[str, Any]:
    """The core's ``PathOptions``."""
    if isinstance(lookback, dt.timedelta):
        lookback = lookback.total_seconds()
    return {
        "touch": touch,
        # One name may be given as a string: the core reads it as a list of one.
        "conversion_events": (
            conversion_events if isinstance(conversion_events, str) else list(conversion_events)
        ),
        "lookback_seconds": lookback,
        "collapse_repeats": collapse_repeats,
        "keep_times": keep_times,
    }


def path_table(
    df: "DataFrame",
    conversion_events: Union[str, Sequence[str]],
    *,
    columns: EventColumns = EventColumns(channel="channel"),
    touch: str = _default("PathOptions", "touch"),
    lookback: Union[dt.timedelta, float, None] = None,
    collapse_repeats: bool = _default("PathOptions", "collapse_repeats"),
    keep_times: bool = _default("PathOptions", "keep_times"),
    journey: Optional[Journey] = None,
    repartition_by_customer: bool = True,
    fanout: int = 16,
) -> dict[str, Any]:
    """The attribution path table of a Spark DataFrame of events, as a dict
    ``{"rows": [{"channels", "seconds_to_conversion", "conversions", "value", "nulls"}]}``
    (the core's ``PathTable``; rows sorted by path). ``touch`` is ``"channel"``,
    ``"touchpoint"`` (with ``journey``) or ``"event"``. The DataFrame is repartitioned by
    customer first (paths need whole customers); pass ``repartition_by_customer=False``
    only when it already is."""
    paths = _path_options(conversion_events, touch, lookback, collapse_repeats, keep_times)
    table: dict[str, Any] = _run(
        df, columns, {"analysis": "paths", "paths": paths}, journey=journey, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return table


def attribute(
    df: "DataFrame",
    conversion_events: Union[str, Sequence[str]],
    *,
    columns: EventColumns = EventColumns(channel="channel"),
    touch: str = _default("PathOptions", "touch"),
    lookback: Union[dt.timedelta, float, None] = None,
    collapse_repeats: bool = _default("PathOptions", "collapse_repeats"),
    keep_times: bool = _default("PathOptions", "keep_times"),
    journey: Optional[Journey] = None,
    options: Optional[Mapping[str, Any]] = None,
    repartition_by_customer: bool = True,
    fanout: int = 16,
) -> dict[str, Any]:
    """Multi-touch attribution (docs/attribution.md) of a Spark DataFrame of events: the
    path table as ``path_table`` builds it, then every model, as a dict (the core's
    ``Attribution``). ``options`` are the attribution options (``models``,
    ``direct_channel``, ``position_weights``, ``half_life_seconds``, ``decay``,
    ``markov_order``, ``remove_self_loops``, ``shapley_max_channels``)."""
    request = {
        "analysis": "attribution",
        "paths": _path_options(conversion_events, touch, lookback, collapse_repeats, keep_times),
        "options": {} if options is None else dict(options),
    }
    result: dict[str, Any] = _run(
        df, columns, request, journey=journey, fanout=fanout,
        repartition_by_customer=repartition_by_customer,
    )
    return result


def survey_kpis(
    df: "DataFrame",
    *,
    scope: Optional[str] = None,
    segment: Optional[str] = None,
    nps: Optional[str] = None,
    csat: Optional[str] = None,
    ces: Optional[str] = None,
    csat_scale: int = _default("SurveyOptions", "csat_scale"),
    csat_method: str = _default("SurveyOptions", "csat_method"),
    ces_scale: int = _default("SurveyOptions", "ces_scale"),
    ces_method: str = _default("SurveyOptions", "ces_method"),
    min_group_size: int = _default("SurveyOptions", "min_group_size"),
    nan_as_missing: bool = _default("SurveyOptions", "nan_as_missing"),
    fanout: int = 16,
) -> SurveyReport:
    """``cjm.survey_kpis`` on a Spark DataFrame of answers (same arguments, same report).
    A bad answer raises ``InputError`` with its row index **within its partition**."""
    names = list(dict.fromkeys(n for n in (scope, segment, nps, csat, ces) if n is not None))
    request = _request({  # checked on the driver, before any job
        "analysis": "survey",
        "metrics": [nps is not None, csat is not None, ces is not None],
        "options": {
            "csat_scale": csat_scale,
            "csat_method": csat_method,
            "ces_scale": ces_scale,
            "ces_method": ces_method,
            "min_group_size": min_group_size,
            "nan_as_missing": nan_as_missing,
        },
    })
    kwargs: dict[str, Any] = dict(scope=scope, segment=segment, nps=nps, csat=csat, ces=ces)

    def build(reader: Any) -> bytes:
        return _cjm._survey_state(reader, request, **kwargs)

    state = merged_state(df.select(*names), build, fanout=fanout)
    if state is None:
        pa = _pyarrow()
        state = build(pa.table({n: pa.nulls(0) for n in names}))
    report: SurveyReport = _cjm._finish_state(state, request)
    return report
