"""``cjm.spark`` in PySpark local mode: the funnel, directly-follows counts, variants,
traffic, retention, trends, attribution paths and survey KPIs of a generated log split over several
partitions (customers split across them) equal the single-machine API's results; and the
state functions' merge laws without Spark."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import random
import sys
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import cjm
from cjm import _cjm

# pyarrow and pyspark are pinned in requirements-test.txt: their absence is a failure of
# the test environment, not a reason to skip.
import pyarrow as pa  # noqa: E402
import pyspark.sql as pyspark_sql  # noqa: E402

import cjm.spark as cs  # noqa: E402
from pyspark.sql import DataFrame, SparkSession  # noqa: E402
from pyspark.sql import functions as F  # noqa: E402

STEPS = ["session_start", "view_item", "add_to_cart", "purchase"]
COLUMNS = cs.EventColumns(channel="channel", session="session", order_key="row")
SPEC: Dict[str, Any] = {
    "customer": ["customer"], "timestamp": "timestamp", "event": "event",
    "channel": "channel", "session": "session", "order_key": "row",
}
PATHS = json.dumps({"analysis": "paths", "paths": {"conversion_events": ["purchase"]}})
ATTRIBUTION = json.dumps({"analysis": "attribution", "paths": {"conversion_events": ["purchase"]}})
FUNNEL: Dict[str, Any] = {
    "analysis": "funnel", "steps": [{"event": "session_start"}, {"event": "purchase"}],
}
pytestmark = pytest.mark.filterwarnings(
    "ignore:PySpark does not yet fully support pandas:FutureWarning"
)


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    # The Python workers must import the same cjm as the tests: this interpreter's.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("cjm-tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def table() -> Any:
    t = cjm.generate_log(customers=400, seed=7)
    # The global order key: each row's index in the whole log.
    return t.append_column("row", pa.array(range(t.num_rows), pa.int64()))


@pytest.fixture(scope="module")
def events(spark: SparkSession, table: Any) -> DataFrame:
    # Rows scattered at random over 4 partitions: customers ARE split across them.
    df = spark.createDataFrame(table).repartition(4, F.rand(11)).cache()
    spread = (
        df.withColumn("part", F.spark_partition_id())
        .groupBy("customer")
        .agg(F.countDistinct("part").alias("parts"))
        .where(F.col("parts") > 1)
        .count()
    )
    assert df.rdd.getNumPartitions() == 4 and spread > 100
    return df


@pytest.fixture(scope="module")
def log(table: Any) -> cjm.EventLog:
    return cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event", channel="channel",
        session="session", progress=False,
    )


def test_funnel(events: DataFrame, log: cjm.EventLog) -> None:
    expected = log.funnel(STEPS)
    got = cs.funnel(events, STEPS, columns=COLUMNS)
    assert got.to_dict() == expected.to_dict()
    assert got.customers[0] > got.customers[-1] > 0


def test_funnel_strict_breakdown_tree_merge(events: DataFrame, log: cjm.EventLog) -> None:
    # Strict order reads every event; fanout=2 merges states in the executors first; both
    # routes: count states after a repartition by customer, and event-level states.
    for kwargs in (
        {"order": "strict"},
        {"breakdown": "channel", "window": 3 * 86_400},
        {"breakdown": "channel", "breakdown_attribution": "last_touch"},
        {"breakdown": "channel", "breakdown_attribution": {"step": 2}},
        {"window": math.inf},
        {"percentile": "nearest_rank"},
    ):
        expected = log.funnel(STEPS, **kwargs)
        for event_states in (False, True):
            got = cs.funnel(
                events, STEPS, columns=COLUMNS, fanout=2, event_states=event_states, **kwargs
            )
            assert got.to_dict() == expected.to_dict(), (kwargs, event_states)


def test_funnel_counts_route_with_split_customers(
    spark: SparkSession, events: DataFrame, log: cjm.EventLog
) -> None:
    # `events` splits customers across its 4 partitions (checked by the fixture). The
    # default route repartitions them by customer, computes each partition's funnel in the
    # executors and merges counts: the single-machine funnel, with exclusions, per-step
    # windows, a breakdown and pending customers, on 7 shuffle partitions.
    kwargs: Dict[str, Any] = dict(
        window=2 * 86_400,
        step_windows=[None, 86_400, None, None],
        exclusions=[{"step": "add_to_wishlist", "between": [1, 2]}],
        as_of="2024-02-01T00:00:00+00:00",
        breakdown="channel",
    )
    expected = log.funnel(STEPS, **kwargs)
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    assert previous is not None
    spark.conf.set("spark.sql.shuffle.partitions", "7")
    try:
        got = cs.funnel(events, STEPS, columns=COLUMNS, fanout=2, **kwargs)
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)
    assert got.to_dict() == expected.to_dict()
    assert got.customers[0] > got.customers[-1] > 0
    assert got.to_dict()["excluded"] > 0 and got.to_dict()["pending"] > 0
    # A DataFrame already partitioned by customer skips the shuffle.
    by_customer = events.repartition(3, "customer")
    got2 = cs.funnel(by_customer, STEPS, columns=COLUMNS, repartition_by_customer=False)
    assert got2.to_dict() == log.funnel(STEPS).to_dict()
    empty = cs.funnel(events.where(F.lit(False)), STEPS, columns=COLUMNS)
    assert list(empty.customers) == [0, 0, 0, 0]


def test_paths_and_traffic(events: DataFrame, log: cjm.EventLog) -> None:
    # Both routes: count states after a repartition by customer (default), and
    # event-level states with customers split across the 4 partitions.
    journey = cjm.template("b2c-ecommerce")
    for event_states in (False, True):
        kw: Dict[str, Any] = dict(columns=COLUMNS, event_states=event_states)
        assert cs.directly_follows(events, **kw).to_dict() == log.directly_follows().to_dict()
        assert cs.variants(events, 5, **kw).to_dict() == log.variants(k=5).to_dict()
        assert cs.traffic(events, journey, **kw).to_dict() == log.traffic(journey).to_dict()
    # Options that shape the counts; fanout=2 merges count states in the executors.
    got = cs.directly_follows(events, columns=COLUMNS, start_end=False, fanout=2)
    assert got.to_dict() == log.directly_follows(start_end=False).to_dict()
    got_v = cs.variants(events, 4, columns=COLUMNS, max_length=3, collapse_repeats=True)
    assert got_v.to_dict() == log.variants(k=4, max_length=3, collapse_repeats=True).to_dict()
    got_f = cs.flows(events, 3, columns=COLUMNS, min_share=0.1)
    assert got_f.to_dict() == log.flows(3, min_share=0.1).to_dict()
    # A DataFrame already partitioned by customer skips the shuffle; no rows at all.
    by_customer = events.repartition(3, "customer")
    got_t = cs.traffic(by_customer, journey, columns=COLUMNS, repartition_by_customer=False)
    assert got_t.to_dict() == log.traffic(journey).to_dict()
    empty = events.where(F.lit(False))
    assert cs.variants(empty, columns=COLUMNS).to_dict()["customers"] == 0


def test_retention_and_trends(spark: SparkSession, events: DataFrame, log: cjm.EventLog) -> None:
    # `events` splits customers across its 4 partitions: the count states are built after
    # a repartition by customer (on 7 shuffle partitions, merged 2 at a time in the
    # executors), and equal the single-machine tables.
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    assert previous is not None
    spark.conf.set("spark.sql.shuffle.partitions", "7")
    try:
        for kwargs in [
            dict(),
            dict(start_event="session_start", return_event=["purchase", "view_item"],
                 period="week", periods=4, mode="on_or_after", cohort="recurring",
                 time_zone="+05:30", breakdown="channel"),
            dict(period="day", periods=14, as_of=dt.date(2024, 1, 20), breakdown="channel"),
        ]:
            expected = log.retention(**kwargs).to_dict()  # type: ignore[arg-type]
            got = cs.retention(events, columns=COLUMNS, fanout=2, **kwargs)  # type: ignore[arg-type]
            assert got.to_dict() == expected, kwargs
        for tkwargs in [
            dict(),
            dict(events=["purchase", "view_item"], period="week", time_zone="-08:00",
                 breakdown="channel"),
            dict(events="purchase", since="2024-01-05",
                 as_of=dt.datetime(2024, 1, 25, tzinfo=dt.timezone.utc)),
        ]:
            expected_t = log.trends(**tkwargs).to_dict()  # type: ignore[arg-type]
            got_t = cs.trends(events, columns=COLUMNS, fanout=2, **tkwargs)  # type: ignore[arg-type]
            assert got_t.to_dict() == expected_t, tkwargs
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", previous)
    # Unique customers are not additive over split customers: without the repartition,
    # on rows that split customers, a week's customers are over-counted (the reason for
    # the shuffle), while the volumes still agree.
    split = cs.trends(events, columns=COLUMNS, period="week", repartition_by_customer=False)
    whole = log.trends(period="week")
    assert split.to_dict()["total"]["volume"] == whole.to_dict()["total"]["volume"]
    assert sum(split.to_dict()["total"]["customers"]) > sum(whole.to_dict()["total"]["customers"])
    # A DataFrame already partitioned by customer skips the shuffle; no rows at all.
    by_customer = events.repartition(3, "customer")
    got_r = cs.retention(by_customer, columns=COLUMNS, repartition_by_customer=False)
    assert got_r.to_dict() == log.retention().to_dict()
    empty = events.where(F.lit(False))
    assert cs.trends(empty, columns=COLUMNS).to_dict()["periods"] == []
    assert cs.retention(empty, columns=COLUMNS).customers == 0


def test_attribution(events: DataFrame, table: Any, log: cjm.EventLog) -> None:
    # Single machine: the core's path counts of the whole log (= PathTable::from_log).
    whole = _cjm._build_state(table, PATHS, SPEC)
    paths = cs.path_table(events, ["purchase"], columns=COLUMNS)
    assert paths == _cjm._finish_state(whole, PATHS)
    assert sum(r["conversions"] for r in paths["rows"]) > 0
    result = cs.attribute(events, ["purchase"], columns=COLUMNS)
    assert result == _cjm._finish_state(whole, ATTRIBUTION)
    # Path counts finish only with the path options they were built with.
    other = json.dumps(
        {"analysis": "paths", "paths": {"conversion_events": ["purchase"], "keep_times": False}}
    )
    with pytest.raises(cjm.CjmError) as err:
        _cjm._finish_state(whole, other)
    assert err.value.code == "incompatible_states"
    # The same definition (path options included) as the log's attribution, and another
    # one for another lookback.
    local = log.attribute(conversion_events=["purchase"]).to_dict()
    assert result["definition"] == local["definition"]
    # One conversion event may be given as a string, as on a log (the core reads it).
    one = cs.attribute(events, "purchase", columns=COLUMNS)
    assert one["definition"] == result["definition"] and one["markov"] == result["markov"]
    assert result["markov"]["channels"] == local["markov"]["channels"]
    week = cs.attribute(events, ["purchase"], columns=COLUMNS, lookback=dt.timedelta(days=7))
    assert week["definition"]["hash"] != result["definition"]["hash"]
    assert week["definition"]["params"]["paths"]["lookback_seconds"] == 7 * 86_400


def test_requests_are_checked_on_the_driver(events: DataFrame, log: cjm.EventLog) -> None:
    # The core reads and checks each request before any Spark job: an InputError naming
    # the option, not a failed task per executor.
    with pytest.raises(cjm.InputError) as err:
        cs.variants(events, k=-1, columns=COLUMNS)
    assert "top_k" in str(err.value)
    with pytest.raises(cjm.InputError) as err2:
        cs.flows(events, min_share=2.0, columns=COLUMNS)
    assert "min_share" in str(err2.value)
    with pytest.raises(cjm.InputError) as err3:
        cs.traffic(events, None, columns=COLUMNS)  # type: ignore[arg-type]
    assert "journey" in str(err3.value)
    # NaN and infinities are refused by the option's own check, naming it (JSON has no
    # NaN: a request written as JSON in Python failed as text that is not JSON).
    nan, inf = float("nan"), float("inf")
    with pytest.raises(cjm.InputError) as err4:
        cs.flows(events, min_share=nan, columns=COLUMNS)
    assert err4.value.code == "invalid_option"
    assert "`min_share`" in str(err4.value)
    with pytest.raises(cjm.InputError) as err5:
        cs.path_table(events, ["purchase"], columns=COLUMNS, lookback=inf)
    assert err5.value.code == "invalid_option"
    assert "`lookback_seconds`" in str(err5.value)
    with pytest.raises(cjm.InputError) as err6:
        cs.attribute(events, ["purchase"], columns=COLUMNS, options={"half_life_seconds": -inf})
    assert err6.value.code == "invalid_option"
    assert "`half_life_seconds`" in str(err6.value)
    # NumPy scalars are the values they stand for.
    np = pytest.importorskip("numpy")
    got = cs.variants(events, np.int64(3), columns=COLUMNS, collapse_repeats=np.True_)
    assert got.to_dict() == log.variants(3, collapse_repeats=True).to_dict()


def test_state_request_is_read_checked_and_written_by_the_core() -> None:
    # The request crosses as a dict, read as options are: NaN reaches the check that
    # names it, a value that does not fit is named by its key, and the text the
    # executors get is the core's.
    for options, option in [
        ({"min_share": float("nan")}, "`min_share`"),
        ({"min_share": float("inf")}, "`min_share`"),
        ({"steps": "five"}, "`steps`"),
    ]:
        with pytest.raises(cjm.InputError) as err:
            _cjm._state_request({"analysis": "flows", "options": options})
        assert err.value.code == "invalid_option", options
        assert option in str(err.value), (options, str(err.value))
    with pytest.raises(cjm.InputError) as err2:
        _cjm._state_request({"analysis": "traffic"})
    assert "journey" in str(err2.value)
    text = _cjm._state_request({"analysis": "traffic"}, cjm.template("b2c-ecommerce"))
    assert json.loads(text) == {"analysis": "traffic", "event_states": False}
    # NumPy scalars, nested too, are the values they stand for.
    np = pytest.importorskip("numpy")
    request = {
        "analysis": "attribution",
        "paths": {"conversion_events": ("purchase",), "lookback_seconds": np.float64(60)},
        "options": {"markov_order": np.int64(2), "remove_self_loops": np.False_},
    }
    written = json.loads(cs._request(request))
    assert written["paths"]["lookback_seconds"] == 60
    assert written["paths"]["conversion_events"] == ["purchase"]
    assert written["options"]["markov_order"] == 2
    assert written["options"]["remove_self_loops"] is False
    with pytest.raises(cjm.InputError) as err3:
        cs._request({**request, "options": {"half_life_seconds": np.float64("nan")}})
    assert "`half_life_seconds`" in str(err3.value)


def answers(n: int, seed: int) -> Any:
    rng = random.Random(seed)
    scopes = ["tp-checkout", "tp-product-page", None]
    return pa.table(
        {
            "touchpoint": [rng.choice(scopes) for _ in range(n)],
            "persona": [rng.choice(["anna", "ben"]) for _ in range(n)],
            "nps": pa.array([rng.choice([None, *range(11)]) for _ in range(n)], pa.int64()),
            "csat": pa.array([rng.choice([None, 1, 2, 3, 4, 5]) for _ in range(n)], pa.float64()),
            "ces": pa.array([rng.randint(1, 7) for _ in range(n)], pa.int32()),
        }
    )


def test_survey_kpis(spark: SparkSession) -> None:
    t = answers(3000, 5)
    df = spark.createDataFrame(t).repartition(3, F.rand(2))
    kwargs: Dict[str, Any] = dict(
        scope="touchpoint", segment="persona", nps="nps", csat="csat", ces="ces",
        ces_method="top_box", min_group_size=10,
    )
    assert cs.survey_kpis(df, **kwargs).to_dict() == cjm.survey_kpis(t, **kwargs).to_dict()
    empty = df.where(F.lit(False))
    assert cs.survey_kpis(empty, **kwargs).to_dict() == cjm.survey_kpis(t.slice(0, 0), **kwargs).to_dict()
    # NaN answers: an error by default (its row within the partition), missing answers
    # with nan_as_missing, as on one machine.
    nan = t.set_column(3, "csat", pa.array([float("nan")] + t["csat"].to_pylist()[1:], pa.float64()))
    nan_df = spark.createDataFrame(nan).repartition(3, F.rand(2))
    with pytest.raises(Exception, match="is `NaN`, not a finite number"):
        cs.survey_kpis(nan_df, **kwargs)
    got = cs.survey_kpis(nan_df, nan_as_missing=True, **kwargs).to_dict()
    assert got == cjm.survey_kpis(nan, nan_as_missing=True, **kwargs).to_dict()


# --- merge laws of the state functions, without Spark ---------------------------------


def pieces(table: Any, parts: int, seed: int) -> List[Any]:
    """The rows of `table` dealt at random into `parts` tables."""
    rng = random.Random(seed)
    owner = [rng.randrange(parts) for _ in range(table.num_rows)]
    return [table.filter(pa.array([o == p for o in owner])) for p in range(parts)]


def test_funnel_counts_of_customer_parts_merge_to_the_whole(
    table: Any, log: cjm.EventLog
) -> None:
    counts, event_states = json.dumps(FUNNEL), json.dumps({**FUNNEL, "event_states": True})
    customers = table.column("customer").to_pylist()
    rng = random.Random(4)
    owner = {c: rng.randrange(3) for c in sorted(set(customers))}
    parts = [table.filter(pa.array([owner[c] == p for c in customers])) for p in range(3)]
    states = [_cjm._build_state(p, counts, SPEC) for p in parts]
    merged = _cjm._merge_states(states)
    whole = _cjm._build_state(table, counts, SPEC)
    assert merged == whole
    events = _cjm._build_state(table, event_states, SPEC)
    expected = _cjm._finish_state(events, event_states)
    assert _cjm._finish_state(merged, counts).to_dict() == expected.to_dict()
    assert expected.to_dict() == log.funnel(["session_start", "purchase"]).to_dict()
    # A state finishes only with a request that builds its kind.
    with pytest.raises(cjm.CjmError) as err:
        _cjm._finish_state(events, counts)
    assert err.value.code == "invalid_state"
    with pytest.raises(cjm.CjmError) as err2:
        _cjm._merge_states([events, whole])
    assert err2.value.code == "incompatible_states"


def test_sequence_counts_of_customer_parts_merge_to_the_whole(table: Any) -> None:
    customers = table.column("customer").to_pylist()
    rng = random.Random(5)
    owner = {c: rng.randrange(3) for c in sorted(set(customers))}
    parts = [table.filter(pa.array([owner[c] == p for c in customers])) for p in range(3)]
    journey = cjm.template("b2c-ecommerce")
    # Every event-level request of these analyses builds the same sequence state.
    sequence = _cjm._build_state(table, '{"analysis": "variants", "event_states": true}', SPEC)
    cases: List[Tuple[Dict[str, Any], Any]] = [
        ({"analysis": "directly_follows", "options": {"start_end": False}}, None),
        ({"analysis": "variants", "options": {"top_k": 7, "max_length": 4}}, None),
        ({"analysis": "flows", "options": {"steps": 4, "min_share": 0.05}}, None),
        ({"analysis": "traffic"}, journey),
    ]
    for request, j in cases:
        counts, event_states = json.dumps(request), json.dumps({**request, "event_states": True})
        states = [_cjm._build_state(p, counts, SPEC, j) for p in parts]
        merged = _cjm._merge_states(states[::-1])
        assert merged == _cjm._build_state(table, counts, SPEC, j), request
        assert _cjm._build_state(table, event_states, SPEC, j) == sequence, request
        expected = _cjm._finish_state(sequence, event_states, j)
        assert _cjm._finish_state(merged, counts, j).to_dict() == expected.to_dict(), request
        with pytest.raises(cjm.CjmError) as err:
            _cjm._finish_state(sequence, counts, j)
        assert err.value.code == "invalid_state"
    variants = [
        _cjm._build_state(part, json.dumps({"analysis": "variants", "options": options}), SPEC)
        for part, options in [(parts[0], {}), (parts[1], {"max_length": 2})]
    ]
    with pytest.raises(cjm.CjmError) as err2:
        _cjm._merge_states(variants)
    assert err2.value.code == "incompatible_states"


def test_states_split_any_way_merge_to_the_whole(table: Any) -> None:
    requests = {
        "funnel": json.dumps({**FUNNEL, "event_states": True}),
        "sequence": '{"analysis": "directly_follows", "event_states": true}',
    }
    whole = {kind: _cjm._build_state(table, r, SPEC) for kind, r in requests.items()}
    parts = pieces(table, 5, 3)
    for kind, request in requests.items():
        states = [_cjm._build_state(p, request, SPEC) for p in parts]
        linear = _cjm._merge_states(states)
        tree = _cjm._merge_states(
            [_cjm._merge_states(states[:2]), _cjm._merge_states(states[2:])]
        )
        assert linear == tree == whole[kind], kind
        assert _cjm._merge_states([linear]) == linear, kind


def test_state_errors(table: Any) -> None:
    with pytest.raises(cjm.InputError) as err:
        _cjm._merge_states([])
    assert err.value.code == "invalid_option"
    with pytest.raises(cjm.CjmError) as err2:
        _cjm._finish_state(b"not a state", json.dumps(FUNNEL))
    assert err2.value.code == "invalid_state"
    sequence = '{"analysis": "directly_follows", "event_states": true}'
    with pytest.raises(cjm.InputError) as err3:
        _cjm._build_state(table, sequence, {**SPEC, "order_key": "missing"})
    assert err3.value.code == "missing_column"
    # Order keys are global row indices: the core refuses a negative one, with its row.
    keys = table.column("row").to_pylist()
    keys[3] = -1
    negative = table.set_column(table.schema.get_field_index("row"), "row", pa.array(keys))
    with pytest.raises(cjm.InputError) as err_key:
        _cjm._build_state(negative, sequence, SPEC)
    assert err_key.value.code == "invalid_option"
    assert err_key.value.row == 3
    with pytest.raises(cjm.InputError) as err4:
        _cjm._build_state(table, sequence, {**SPEC, "colour": "x"})
    assert err4.value.code == "invalid_option"
    with pytest.raises(cjm.InputError) as err5:
        _cjm._build_state(table, '{"analysis": "sequence"}', SPEC)
    assert err5.value.code == "invalid_option"
    assert "funnel" in str(err5.value)
    with pytest.raises(cjm.InputError) as err6:
        _cjm._build_state(table, '{"analysis": "traffic"}', SPEC)
    assert err6.value.code == "invalid_option"
    assert "journey" in str(err6.value)


def test_survey_state_finishes_only_with_its_metric_columns() -> None:
    # A survey state records the metric columns it was read with: a request that says
    # otherwise is refused (it used to score a metric the answers lack as empty), and
    # so is a merge with a state read with other columns.
    t = answers(200, 3)
    request = _cjm._state_request({"analysis": "survey", "metrics": [True, True, False]})
    nps_csat = _cjm._survey_state(t, request, scope="touchpoint", nps="nps", csat="csat")
    nps_only = _cjm._survey_state(t, request, scope="touchpoint", nps="nps")
    expected = cjm.survey_kpis(t, scope="touchpoint", nps="nps", csat="csat").to_dict()
    assert _cjm._finish_state(nps_csat, request).to_dict() == expected
    with pytest.raises(cjm.InputError) as err:
        _cjm._finish_state(nps_only, request)
    assert err.value.code == "incompatible_states"
    assert "`metrics`" in str(err.value)
    with pytest.raises(cjm.InputError) as err2:
        _cjm._merge_states([nps_csat, nps_only])
    assert err2.value.code == "incompatible_states"


def test_pseudonymise_key_reaches_every_state(events: DataFrame, table: Any) -> None:
    # With a key, the executors replace customer and session ids before any state is made:
    # a breakdown by session and the event-level states hold pseudonyms only, and the
    # numbers equal the single-machine log built with the same key.
    key = b"a key of thirty-two bytes, at least"
    columns = cs.EventColumns(
        channel="channel", session="session", order_key="row", pseudonymise_key=key
    )
    assert "thirty-two" not in repr(columns)
    log = cjm.EventLog.from_arrow(
        table, customer="customer", timestamp="timestamp", event="event",
        channel="channel", session="session", pseudonymise_key=key, progress=False,
    )
    expected = log.funnel(STEPS[:2], breakdown="session")
    for event_states in (False, True):
        got = cs.funnel(
            events, STEPS[:2], columns=columns, breakdown="session", event_states=event_states
        )
        assert got.to_dict() == expected.to_dict()
    raw_customers = set(table.column("customer").to_pylist())
    raw_sessions = set(table.column("session").to_pylist()) - {None}
    text = repr(expected.to_dict())
    sequence = '{"analysis": "directly_follows", "event_states": true}'
    state = _cjm._build_state(table, sequence, {**SPEC, "pseudonymise_key": key})

    def as_state_string(raw: str) -> bytes:
        # States write a string as its u64 length, little-endian, then its bytes.
        return len(raw).to_bytes(8, "little") + raw.encode()

    for raw in sorted(raw_customers | raw_sessions):
        assert repr(raw) not in text, raw
        assert as_state_string(raw) not in state, raw
    # Without the key the same state holds the raw ids: the check above can fail.
    plain = _cjm._build_state(table, sequence, SPEC)
    assert all(as_state_string(c) in plain for c in raw_customers)
