"""Every default a Python signature shows for an option the core also holds equals the
core's default (``_cjm._option_defaults()``, serialised from the core's ``Default``
impls). The stubs repeat those defaults so that ``help()`` and editors show them (the
extension's signatures are the stubs'), and ``cjm.spark`` reads them from that table;
this test keeps the first from drifting and the second from naming the wrong field. The stubs (``_cjm.pyi``) are checked against
these runtime signatures by stubtest, so they are covered too."""

from __future__ import annotations

import inspect
from typing import Any, Callable, Dict, List, Tuple

import cjm
import cjm.spark as cs
from cjm import _cjm

#: (callable, its keyword argument, the core's options type, that type's field).
FUNNEL = [("order", "order"), ("percentile", "percentile"), ("as_of", "as_of"),
          ("breakdown", "breakdown"), ("allow_missing_events", "allow_missing_events")]
RETENTION = ["start_event", "return_event", "period", "periods", "mode", "cohort",
             "time_zone", "as_of", "breakdown"]
TRENDS = ["events", "period", "time_zone", "since", "as_of", "breakdown"]
SURVEY = ["csat_scale", "csat_method", "ces_scale", "ces_method"]
INSIGHTS = ["high_priority", "high_drop_off", "unmapped_share"]
PATHS = ["touch", "collapse_repeats", "keep_times"]

Case = Tuple[str, Callable[..., Any], str, str, str]


def cases() -> List[Case]:
    log = _cjm.EventLog
    out: List[Case] = []

    def add(name: str, f: Callable[..., Any], kind: str, pairs: Any) -> None:
        for p in pairs:
            kwarg, field = (p, p) if isinstance(p, str) else p
            out.append((name, f, kwarg, kind, field))

    add("EventLog.funnel", log.funnel, "FunnelOptions", FUNNEL)
    add("EventLog.funnel_trends", log.funnel_trends, "FunnelOptions",
        [p for p in FUNNEL if p[0] != "breakdown"])
    add("EventLog.funnel_trends", log.funnel_trends, "FunnelTrendsOptions",
        ["period", "time_zone", "since"])
    add("EventLog.retention", log.retention, "RetentionOptions", RETENTION)
    add("EventLog.trends", log.trends, "TrendsOptions", TRENDS)
    add("EventLog.directly_follows", log.directly_follows, "DirectlyFollowsOptions",
        ["start_end"])
    add("EventLog.variants", log.variants, "VariantOptions",
        [("k", "top_k"), "max_length", "collapse_repeats"])
    add("EventLog.flows", log.flows, "FlowOptions",
        [("n", "steps"), "min_share", "collapse_repeats"])
    add("EventLog.drivers", log.drivers, "DriverOptions", ["by_touchpoint", "min_support"])
    add("EventLog.sample", log.sample, "SampleOptions", ["fraction", "count", "seed"])
    add("generate_log", cjm.generate_log, "SynthOptions", ["customers", "seed"])
    add("attribute", cjm.attribute, "PathColumns",
        ["path", "conversions", "value", "nulls", "times"])
    add("survey_kpis", cjm.survey_kpis, "SurveyOptions",
        [*SURVEY, "min_group_size", "nan_as_missing"])
    add("compare_groups", cjm.compare_groups, "SurveyOptions", [*SURVEY, "nan_as_missing"])
    add("Journey.insights", _cjm.Journey.insights, "InsightOptions", [*INSIGHTS, "as_of"])
    add("patterns", cjm.patterns, "PatternOptions", ["high_priority", "as_of"])
    # cjm.spark's signatures take their defaults from the core's table; checked here all
    # the same, so that each reads the field it names.
    add("spark.funnel", cs.funnel, "FunnelOptions", FUNNEL[:-1])  # no allow_missing_events
    add("spark.retention", cs.retention, "RetentionOptions", RETENTION)
    add("spark.trends", cs.trends, "TrendsOptions", TRENDS)
    add("spark.directly_follows", cs.directly_follows, "DirectlyFollowsOptions", ["start_end"])
    add("spark.variants", cs.variants, "VariantOptions",
        [("k", "top_k"), "max_length", "collapse_repeats"])
    add("spark.flows", cs.flows, "FlowOptions", [("n", "steps"), "min_share", "collapse_repeats"])
    add("spark.path_table", cs.path_table, "PathOptions", [*PATHS, ("lookback", "lookback_seconds")])
    add("spark.attribute", cs.attribute, "PathOptions", [*PATHS, ("lookback", "lookback_seconds")])
    add("spark.survey_kpis", cs.survey_kpis, "SurveyOptions",
        [*SURVEY, "min_group_size", "nan_as_missing"])
    return out


#: Fields the core leaves out of its JSON while they hold their "off" value (a false
#: flag); any other field missing from the core's defaults is a misspelling here.
OFF_WHEN_ABSENT = {"allow_missing_events"}


def mismatches(all_cases: List[Case], core: Dict[str, Dict[str, Any]]) -> List[str]:
    """Each case whose signature default differs from the core's, as a line."""
    wrong = []
    for name, f, kwarg, kind, field in all_cases:
        parameter = inspect.signature(f).parameters.get(kwarg)
        if parameter is None:
            wrong.append(f"{name} has no argument `{kwarg}`")
            continue
        shown = parameter.default
        defaults = core[kind]
        if field in defaults:
            expected = defaults[field]
        elif field in OFF_WHEN_ABSENT:
            expected = False
        else:
            wrong.append(f"{name}({kwarg}): the core's {kind} has no field `{field}`")
            continue
        if shown != expected or type(shown) is not type(expected):
            wrong.append(f"{name}({kwarg}={shown!r}): the core's {kind}.{field} is {expected!r}")
    return wrong


def test_every_signature_default_is_the_cores() -> None:
    wrong = mismatches(cases(), _cjm._option_defaults())
    assert not wrong, "\n".join(wrong)


def test_the_check_can_fail() -> None:
    # A signature showing another default, and a field the core does not have, are
    # both reported.
    def flows(n: int = 6, *, min_share: float = 0.02, colour: bool = False) -> None: ...

    fake: List[Case] = [
        ("flows", flows, "n", "FlowOptions", "steps"),
        ("flows", flows, "min_share", "FlowOptions", "min_share"),
        ("flows", flows, "colour", "FlowOptions", "colour"),
    ]
    assert mismatches(fake, _cjm._option_defaults()) == [
        "flows(n=6): the core's FlowOptions.steps is 5",
        "flows(colour): the core's FlowOptions has no field `colour`",
    ]
