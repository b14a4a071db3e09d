"""Stubs of the compiled extension module ``cjm._cjm`` (checked with ``mypy.stubtest``)."""

import os
from typing import Any, ClassVar, Final, Iterable, Mapping, Optional, Sequence, Union, final

from cjm._errors import Problem
from cjm._types import (
    DateLike,
    Duration,
    Instant,
    JourneyDict,
    JsonSchema,
    Source,
    Step,
    Summary,
    TemplateInfo,
)

__all__ = [
    "__version__",
    "SCHEMA_VERSION",
    "Journey",
    "load",
    "load_file",
    "loads",
    "validate",
    "validate_file",
    "templates",
    "template",
    "journey_schema",
    "SurveyReport",
    "MeasuredKpis",
    "PriorityReport",
    "HealthReport",
    "EmotionCurves",
    "Svg",
    "Insights",
    "GroupComparison",
    "MapDiff",
    "Patterns",
    "EventLog",
    "IngestReport",
    "Traffic",
    "FunnelResult",
    "RetentionResult",
    "TrendsResult",
    "FunnelTrendsResult",
    "DirectlyFollows",
    "Variants",
    "Flows",
    "JourneyStates",
    "Drivers",
    "Conformance",
    "Attribution",
    "two_proportion_test",
    "diff_maps",
    "patterns",
    "from_mermaid",
    "generate_log",
    "survey_kpis",
    "compare_groups",
    "_panic_for_tests",
    "_attribute",
    "_option_defaults",
    "_state_request",
    "_funnel_options",
    "_state_route",
    "_build_state",
    "_survey_state",
    "_merge_states",
    "_finish_state",
]


__version__: Final[str]
SCHEMA_VERSION: Final[int]

@final
class Journey:
    """A validated customer journey map.

    Immutable: edit the document with ``to_dict()``, change the dict, load it again.
    Raises ``DocumentError`` (a ``CjmError``, a ``ValueError``) for a broken document.
    """

    __hash__: ClassVar[None]  # type: ignore[assignment]

    @staticmethod
    def from_json(text: str) -> Journey:
        """Loads and validates a journey document from JSON text."""
    @staticmethod
    def from_dict(d: Mapping[str, Any]) -> Journey:
        """Loads and validates a journey document from a mapping (a parsed JSON object)."""
    @staticmethod
    def from_file(path: str | os.PathLike[str]) -> Journey:
        """Loads and validates a journey document from a UTF-8 JSON file."""
    @property
    def id(self) -> str:
        """The journey's id."""
    @property
    def name(self) -> str:
        """The journey's display name."""
    @property
    def schema_version(self) -> int:
        """The format version of the document."""
    def to_dict(self) -> JourneyDict:
        """The document as plain Python values."""
    def to_json(self, indent: int | None = None) -> str:
        """The document as JSON text: compact, or indented by ``indent`` spaces."""
    def summary(self) -> Summary:
        """Counts and the stage outline, for a first look at a map."""
    def emotion_curves(self) -> EmotionCurves:
        """The emotion curve of every persona, in persona order."""
    def priorities(self, reach: Optional[Mapping[str, Any]] = None) -> PriorityReport:
        """Pain points ranked by priority and opportunities by score.

        ``reach`` is the measured share of customers per stage and touchpoint,
        ``{"stages": {id: share}, "touchpoints": {id: share}}``; 1 where not given.
        """
    def health(
        self,
        model: Optional[Mapping[str, Any]] = None,
        survey: Optional[SurveyReport] = None,
        reach: Optional[Mapping[str, Any]] = None,
        traffic: Optional[Mapping[str, float]] = None,
        kpi_actuals: Optional[Mapping[str, float]] = None,
        measured: Optional[MeasuredKpis] = None,
    ) -> HealthReport:
        """Health 0–100 of every touchpoint, stage and the journey, each explained.

        ``model``: ``{"weights": {...}, "thresholds": {"good", "poor"}, "stage_weights":
        {...}}`` (defaults for what is not given); ``survey``: a ``SurveyReport`` grouped by
        touchpoint or stage id; ``reach`` as for ``priorities``; ``traffic``: customers per
        touchpoint id; ``kpi_actuals``: measured KPI values by KPI id; ``measured``: the
        ``MeasuredKpis`` of ``measure_kpis``, used where ``kpi_actuals`` has no value. A
        stage without survey answers of its own is scored on its touchpoints' answers
        pooled. Raises ``InputError`` (``invalid_option``) for a model that does not fit.
        """
    def insights(
        self,
        as_of: Optional[DateLike] = None,
        *,
        high_priority: float = 0.3,
        high_drop_off: float = 0.5,
        unmapped_share: float = 0.05,
        reach: Union[Mapping[str, Any], Traffic, None] = None,
        stage_drop_off: Optional[Mapping[str, float]] = None,
        unmapped_events: Union[Mapping[str, int], Traffic, None] = None,
        total_events: Optional[int] = None,
        measured: Optional[MeasuredKpis] = None,
    ) -> Insights:
        """Map lint findings: each with a stable code, severity, path and message.

        ``as_of`` enables the staleness rules (never the wall clock); ``reach`` (or a
        ``Traffic``) feeds pain-point priorities; ``stage_drop_off`` (share 0–1 per stage
        id), ``unmapped_events`` (counts by name, or a ``Traffic``) and ``total_events``
        enable the rules on measured data; with ``measured`` (from ``measure_kpis``) a KPI
        is judged on its measured value. Rules without their input are listed in
        ``not_checked``.
        """
    def measure_kpis(
        self,
        *,
        stage_funnel: Optional[FunnelResult] = None,
        conversion: Optional[FunnelResult] = None,
        survey: Optional[SurveyReport] = None,
        log: Optional[EventLog] = None,
    ) -> MeasuredKpis:
        """The value of each KPI of the map that the data can answer, with its
        provenance, kept apart from the document's ``actual`` (docs/scoring.md,
        "Measured KPIs"). ``stage_funnel``: a funnel over the map's stages (conversion and
        drop-off per stage or touchpoint); ``conversion``: the funnel that defines the
        journey's conversion (default: the stage funnel's first to last step);
        ``survey``: survey KPIs by touchpoint or stage (a stage without its own answers
        pools its touchpoints'); ``log``: the data period, customers, order value and
        revenue. Pass the result to ``health``, ``insights`` and ``report_html``
        (``measured=``) so that every part of the page uses the same values.
        """
    def map_svg(self, **options: Any) -> Svg:
        """The journey map as SVG: options ``lanes``, ``personas``, ``width``, ``title``,
        ``legend``, ``max_lines`` (``InputError`` ``invalid_option`` for unknown ones)."""
    def emotion_svg(self, **options: Any) -> Svg:
        """The emotion curves as SVG: options ``personas``, ``width``, ``title``."""
    def to_mermaid(
        self, persona: Optional[str] = None, survey: Optional[SurveyReport] = None
    ) -> tuple[str, list[str]]:
        """A Mermaid ``journey`` diagram of one persona (default the first) and what it
        left out: ``(text, dropped)``. With ``survey`` (``cjm.survey_kpis`` by touchpoint,
        segmented by persona), each touchpoint task takes its own measured score (CSAT,
        else NPS; docs/pictures.md)."""
    def report_html(
        self,
        *,
        health: Optional[HealthReport] = None,
        insights: Optional[Insights] = None,
        funnel: Optional[FunnelResult] = None,
        flows: Optional[Flows] = None,
        attribution: Optional[Attribution] = None,
        measured: Optional[MeasuredKpis] = None,
        retention: Optional[RetentionResult] = None,
        trends: Optional[TrendsResult] = None,
        survey: Optional[SurveyReport] = None,
        **options: Any,
    ) -> str:
        """One self-contained HTML page (no JavaScript): map, emotion curve, summary, then
        a section per result given, built and placed by the core (survey, health,
        insights, funnel, flows, attribution, then ``sections``, then trends and
        retention), so the page equals the browser's ``reportHtml`` of the same results
        byte for byte (options as the core's ``ReportOptions``: ``title``, ``map``,
        ``emotion_curve``, ``summary``, ``sections``, ``footer``). Each finding of
        ``insights`` links to the map item it is about. With ``measured`` (from
        ``measure_kpis``) the page
        opens with "At a glance" (data period, customers, KPIs measured against target,
        the largest loss between stages), and the KPI table and the map's KPI cards show
        the measured value beside the designed one and judge each KPI on it. ``trends``
        adds customers per period as a line chart and ``retention`` the cohort heat map,
        each after the other sections; ``survey`` adds NPS, CSAT and CES overall, per
        segment and per touchpoint or stage, by name, before them."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

@final
class MeasuredKpis:
    """KPIs measured from the data (``Journey.measure_kpis``): ``to_dict()`` holds
    ``kpis`` (each ``kpi``, ``value``, ``n``, ``source``, ``how``, ``definition_hash``),
    ``not_measured`` (each ``kpi`` and ``reason``), ``losses`` between consecutive steps
    of the stage funnel, the data period and customers, and the definition."""

    def value(self, kpi: str) -> Optional[float]:
        """The measured value of a KPI (by id), or ``None``."""
    def values(self) -> dict[str, float]:
        """The measured values by KPI id."""
    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

class _Report:
    """Shared by the result classes (not a runtime class)."""

    @property
    def tables(self) -> list[str]:
        """The names of the tables this result exports; the first is the default.

        The tables are the core's (``cjm_core::tables``): the same columns as JavaScript's
        ``result.table(name)``. A name not in ``tables`` raises ``InputError``
        (``unknown_table``)."""
    @property
    def definition(self) -> Optional[dict[str, Any]]:
        """The definition that produced the result: ``{"kind", "params", "hash"}``."""
    def to_arrow(self, table: Optional[str] = None) -> Any:
        """A table as a ``pyarrow.Table`` (needs pyarrow)."""
    def to_pandas(self, table: Optional[str] = None) -> Any:
        """A table as a ``pandas.DataFrame`` (needs pandas and pyarrow)."""
    def to_polars(self, table: Optional[str] = None) -> Any:
        """A table as a ``polars.DataFrame`` (needs polars)."""
    def to_dicts(self, table: Optional[str] = None) -> list[dict[str, Any]]:
        """A table as a list of dicts, one per row (no optional package needed)."""
    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        """The default table through the Arrow PyCapsule interface."""
    def _repr_html_(self) -> str: ...

@final
class SurveyReport(_Report):
    """Survey KPIs overall, per scope and per scope × segment (``cjm.survey_kpis``).

    Table ``groups``: one row per group with level, scope, segment, responses, suppressed,
    nps, nps_margin, nps_answered, nps_missing, promoters, passives, detractors, csat,
    csat_low, csat_high, csat_answered, csat_missing, ces, ces_low, ces_high, ces_answered,
    ces_missing.
    """

    def to_dict(self) -> dict[str, Any]:
        """The report as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

@final
class PriorityReport(_Report):
    """Ranked pain points and opportunities (``Journey.priorities``).

    Tables ``pain_points`` and ``opportunities``.
    """

    def to_dict(self) -> dict[str, Any]:
        """The report as plain Python values (the core's JSON shape)."""

@final
class HealthReport(_Report):
    """Explained health scores (``Journey.health``).

    Tables ``scores`` (one row per scored item: kind, id, score, band, missing) and
    ``components`` (one row per component of each score).
    """

    def to_dict(self) -> dict[str, Any]:
        """The report as plain Python values (the core's JSON shape)."""
    def components_table(self) -> Any:
        """The ``components`` table as a ``pyarrow.Table``."""

@final
class EmotionCurves(_Report):
    """The emotion curve of every persona (``Journey.emotion_curves``).

    Tables ``points`` (persona, kind, id, value, observations) and ``curves`` (low, high
    and peak-end per persona).
    """

    def to_list(self) -> list[dict[str, Any]]:
        """The curves as plain Python values, one dict per persona."""
    def __len__(self) -> int: ...

@final
class Svg:
    """An SVG picture: shown inline by Jupyter, ``str(svg)`` is the markup."""

    @property
    def markup(self) -> str:
        """The SVG markup."""
    def save(self, path: str | os.PathLike[str]) -> None:
        """Writes the markup to a file (UTF-8)."""
    def _repr_svg_(self) -> str: ...

@final
class Insights(_Report):
    """Map lint findings (``Journey.insights``). Table ``insights``: code, severity, path,
    message."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def not_checked(self) -> list[str]:
        """Rules skipped for lack of input, with the input they need."""
    def __len__(self) -> int: ...

@final
class GroupComparison(_Report):
    """Two survey groups compared (``cjm.compare_groups``). Table ``kpis``: metric, a, b,
    difference, margin, z, p_value, significant, method."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

@final
class MapDiff(_Report):
    """Two versions of a map compared (``cjm.diff_maps``). Tables ``scores`` (kind, id,
    before, after, delta) and ``changes`` (collection, change, id, fields)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def journey_fields(self) -> list[str]:
        """Top-level journey fields that changed."""

@final
class Patterns(_Report):
    """What recurs across maps (``cjm.patterns``). Table ``patterns``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

@final
class IngestReport(_Report):
    """How every input row of an event log was used:
    ``rows_read = rows_used + rejected_total + consent_filtered + removed_by_operations``. Tables ``rows``,
    ``rejected`` (reason, count, first_row, sample) and ``unmapped_events``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def rows_read(self) -> int:
        """Rows given."""
    @property
    def rows_used(self) -> int:
        """Rows in the log."""
    @property
    def rejected_total(self) -> int:
        """Rows not used, all reasons together."""
    @property
    def consent_filtered(self) -> int:
        """Rows filtered for lack of consent."""
    @property
    def removed_by_operations(self) -> int:
        """Used rows that log operations (``filter``, ``sample``) removed since ingest."""
    @property
    def operations(self) -> list[dict[str, Any]]:
        """The operations applied since ingest, in order: ``definition`` (``kind``,
        ``params``, ``hash``), ``events_before``, ``events_after``, ``customers_before``,
        ``customers_after``."""
    @property
    def rejected(self) -> dict[str, int]:
        """Rejected rows by reason code."""
    @property
    def unmapped_events(self) -> dict[str, int]:
        """Used events no touchpoint binds, by name (when a journey was given)."""
    @property
    def warnings(self) -> list[tuple[str, str]]:
        """Likely mistakes that did not stop ingest, as ``(code, message)`` pairs
        (``no_rows_used``)."""
    @property
    def columns(self) -> Optional[dict[str, Any]]:
        """The columns read (``customer``, ``timestamp``, ``timestamp_format``, ``event``,
        ``channel``, ``session``, ``value``, ``consent``): named, from the preset or found
        by their usual names; ``None`` for a log without column names."""

@final
class Traffic(_Report):
    """A log bound to a map (``EventLog.traffic``). Tables ``touchpoints``, ``stages``
    (id, events, customers, reach) and ``unmapped_events``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def measured_reach(self) -> dict[str, Any]:
        """``{"stages": {...}, "touchpoints": {...}}`` for ``priorities``/``health``."""
    def touchpoint_customers(self) -> dict[str, float]:
        """Customers per touchpoint, for ``Journey.health(traffic=...)``."""
    def unmapped_counts(self) -> dict[str, int]:
        """Unmapped event names with their counts, for ``Journey.insights``."""

@final
class FunnelResult(_Report):
    """A funnel (``EventLog.funnel``). Tables ``steps`` and ``breakdown`` (one row per
    group and step)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def excluded(self) -> int:
        """Customers all of whose attempts were void (by exclusions)."""
    @property
    def pending(self) -> int:
        """Pending customers (not complete, window still open at ``as_of``)."""
    @property
    def customers(self) -> list[int]:
        """Customers per step, first to last."""
    def to_svg(self, title: Optional[str] = None, width: Optional[int] = None) -> Svg:
        """The funnel as an SVG picture; with a breakdown, one small funnel per group (the
        share of the group's entrants reaching each step)."""
    def __len__(self) -> int: ...

@final
class RetentionResult(_Report):
    """Retention cohorts (``EventLog.retention``). Tables ``cohorts`` (one row per cohort
    and period k: ``period_start``, ``size``, ``period``, ``retained``, ``rate``; null
    where period k was not yet observable), ``mean`` (per k: ``weighted``, ``simple``,
    ``cohorts``, ``customers``), ``breakdown`` and ``breakdown_mean`` (the same with a
    ``group`` column first)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def customers(self) -> int:
        """Distinct customers with at least one cohort entry."""
    @property
    def observed_until(self) -> Optional[str]:
        """The end of observation (ISO-8601, UTC), or None for an empty log."""
    @property
    def rates(self) -> list[list[Optional[float]]]:
        """Per cohort, the retention rates for k = 0..periods (None where not yet observable)."""
    def to_svg(self, **options: Any) -> Svg:
        """The retention table as a heat map: a row per cohort (its start and size), a
        column per period k, each cell the share retained, written and shaded (six
        steps of blue); the weighted mean as the last row; cells not yet observable
        left blank, never 0 %. Options (the core's ``RetentionChartOptions``):
        ``title``."""
    def __len__(self) -> int: ...

@final
class TrendsResult(_Report):
    """Event trends (``EventLog.trends``). Tables ``events`` (one row per event and period:
    ``period``, ``event``, ``volume``, ``customers``), ``total`` (per period: ``period``,
    ``volume``, ``customers``), ``breakdown`` and ``breakdown_total`` (the same with a
    ``group`` column first)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def periods(self) -> list[str]:
        """The first day of each period (``YYYY-MM-DD`` in the time zone), in order."""
    @property
    def observed_from(self) -> Optional[str]:
        """The start of the range (ISO-8601, UTC), or None when there is none."""
    @property
    def observed_until(self) -> Optional[str]:
        """The end of the range (ISO-8601, UTC), or None when there is none."""
    def to_svg(self, **options: Any) -> Svg:
        """The trends as a line chart: options ``measure`` (``"volume"``, default, or
        ``"customers"``), ``by`` (``"event"``, default: one line per event; ``"total"``;
        ``"breakdown"``: one line per breakdown value, of its total), ``title``, ``width``
        (``InputError`` ``invalid_option`` for unknown ones)."""
    def __len__(self) -> int: ...

@final
class FunnelTrendsResult(_Report):
    """Funnel trends (``EventLog.funnel_trends``). Tables ``periods`` (per period:
    ``period``, ``entered``, ``converted``, ``rate`` — null when nobody entered —,
    ``pending``) and ``breakdown`` (the same with a ``group`` column first)."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def periods(self) -> list[str]:
        """The first day of each period (``YYYY-MM-DD`` in the time zone), in order."""
    @property
    def entered(self) -> list[int]:
        """Per period: customers with a non-void attempt starting in it."""
    @property
    def converted(self) -> list[int]:
        """Per period: those of them with an attempt starting in it that converts."""
    @property
    def rates(self) -> list[Optional[float]]:
        """Per period: ``converted / entered`` (None when nobody entered)."""
    def to_svg(self, **options: Any) -> Svg:
        """The conversion rate per period as a line chart: options ``by`` (``"total"``, or
        ``"breakdown"``: one line per breakdown value), ``title``, ``width``."""
    def __len__(self) -> int: ...

@final
class DirectlyFollows(_Report):
    """The directly-follows graph (``EventLog.directly_follows``). Tables ``edges``
    (from, to, transitions, customers, probability) and ``nodes``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""

@final
class Variants(_Report):
    """The top event sequences (``EventLog.variants``). Table ``variants``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

@final
class Flows(_Report):
    """Flow (Sankey) data (``EventLog.flows``). Tables ``links`` and ``nodes``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def to_svg(
        self,
        title: Optional[str] = None,
        width: Optional[int] = None,
        height: Optional[int] = None,
    ) -> Svg:
        """The flows as an SVG Sankey picture."""

@final
class JourneyStates(_Report):
    """Where each customer is (``EventLog.journey_states``). Table ``customers``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def as_of(self) -> Optional[str]:
        """The ``as_of`` used (ISO-8601, UTC)."""
    def __len__(self) -> int: ...

@final
class Drivers(_Report):
    """Conversion drivers (``EventLog.drivers``). Table ``drivers``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    def __len__(self) -> int: ...

@final
class Conformance(_Report):
    """Observed stage order against the map's (``EventLog.conformance``). Tables
    ``summary`` and ``entry_stages``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""

@final
class Attribution(_Report):
    """Attribution results side by side (``cjm.attribute``, ``EventLog.attribute``).
    Tables ``credits`` (one column of credited conversions per model), ``value``,
    ``long`` (channel × model), ``models`` (each model's definition and hash),
    ``removal_effects`` and ``transitions`` (Markov) and ``ordered_shapley``."""

    def to_dict(self) -> dict[str, Any]:
        """The result as plain Python values (the core's JSON shape)."""
    @property
    def models(self) -> list[str]:
        """The model columns, in table order."""
    @property
    def channels(self) -> list[str]:
        """The channels, in table order."""
    @property
    def totals(self) -> dict[str, Any]:
        """Totals of the path table: ``paths``, ``conversions``, ``value``, ``nulls``,
        ``unattributed_conversions``, ``unattributed_value``."""
    def credit(self, channel: str, model: str) -> Optional[float]:
        """Conversions credited to ``channel`` by ``model`` (``None`` when undefined)."""
    def to_svg(self, title: Optional[str] = None, width: Optional[int] = None) -> Svg:
        """Conversions credited per channel by every model that credits each conversion
        in full, as an SVG bar chart."""
    def __len__(self) -> int: ...

@final
class EventLog:
    """An event log: events sorted by (customer, timestamp, input order), with the report
    of how every input row was used."""

    @staticmethod
    def from_parquet(path: Union[str, os.PathLike[str]], **options: Any) -> EventLog:
        """Reads a Parquet file in Rust: only the columns the log needs are decoded, and
        no pyarrow table is built (less memory, and no pyarrow needed). Every keyword
        argument is ``from_arrow``'s, with the same meaning and defaults. Compressions:
        snappy, gzip, zstd, lz4 and none; a file that is not Parquet (or uses another
        compression, such as brotli) raises ``InputError`` (``invalid_parquet``), a path
        that cannot be opened ``OSError``.
        """
    @staticmethod
    def from_arrow(
        data: Any,
        *,
        customer: Union[str, Sequence[str], None] = None,
        timestamp: Optional[str] = None,
        event: Optional[str] = None,
        channel: Optional[str] = None,
        session: Optional[str] = None,
        value: Optional[str] = None,
        unit: Optional[str] = None,
        assume_utc: bool = False,
        preset: Optional[str] = None,
        mapping: Optional[Mapping[str, Any]] = None,
        journey: Optional[Journey] = None,
        dedup: bool = False,
        strict: bool = False,
        pseudonymise_key: Union[str, bytes, None] = None,
        consent: Optional[str] = None,
        extra: Optional[Sequence[str]] = None,
        identifiers: Optional[Sequence[str]] = None,
        progress: Optional[bool] = None,
    ) -> EventLog:
        """Reads a pandas/polars DataFrame, a pyarrow Table or RecordBatch, a DuckDB
        result or anything with ``__arrow_c_stream__``, batch by batch in Rust.

        Timestamps: Arrow timestamps with a time zone (any unit); a timestamp column
        without a zone raises ``InputError`` (``naive_timestamp``) unless
        ``assume_utc=True``; integer columns count ``unit`` (``"s"``, ``"ms"``, ``"us"``,
        ``"ns"``; default the preset's, else ``"ms"``); strings are ISO-8601 with an
        offset (strings without one raise ``naive_timestamp`` too, unless
        ``assume_utc=True``). When rows are read and none is usable, ``strict=True`` raises
        ``InputError`` (``no_rows_used``) and otherwise a ``cjm.IngestWarning`` is emitted
        with the reasons, their counts and a sample value. ``preset`` (``"ga4"``, ``"segment"``, ``"snowplow"``, ``"xes"``) names
        the columns; keyword arguments override it (or ``mapping``, a dict of the same
        column names, JavaScript's form; not both). Without either, the customer,
        timestamp and event columns are found by their usual names (``customer``,
        ``customer_id``, ``user_id``…; ``timestamp``, ``event_time``…; ``event``,
        ``event_name``…; docs/events.md): exactly one must be there, else ``InputError``
        ``missing_column`` or ``ambiguous_column`` names the argument to pass;
        ``ingest_report.columns`` says which columns were read. ``consent`` names a boolean column:
        rows without consent are filtered and counted. ``extra`` names string columns to
        keep for funnel breakdowns. ``pseudonymise_key`` replaces customer and session ids
        by their HMAC-SHA256 under the key, and the ``extra`` columns named in
        ``identifiers`` (an e-mail, a device id) too. With tqdm installed, a bar shows progress for inputs
        of a million rows or more (or of unknown size); ``progress=True`` always shows it,
        ``progress=False`` never.
        """
    @staticmethod
    def from_csv(
        source: Union[str, bytes, os.PathLike[str]],
        *,
        preset: Optional[str] = None,
        mapping: Optional[Mapping[str, Any]] = None,
        customer: Union[str, Sequence[str], None] = None,
        timestamp: Optional[str] = None,
        event: Optional[str] = None,
        channel: Optional[str] = None,
        session: Optional[str] = None,
        value: Optional[str] = None,
        consent: Optional[str] = None,
        unit: Optional[str] = None,
        assume_utc: bool = False,
        journey: Optional[Journey] = None,
        dedup: bool = False,
        strict: bool = False,
        pseudonymise_key: Union[str, bytes, None] = None,
        extra: Optional[Sequence[str]] = None,
        identifiers: Optional[Sequence[str]] = None,
    ) -> EventLog:
        """Reads CSV with a header row: CSV text (``str`` or ``bytes``) or a file given as an
        ``os.PathLike`` (a ``pathlib.Path``); gzip input (``.csv.gz``) is decompressed on
        the fly. A ``str`` is always CSV text, never a file path: one without a line break
        raises ``InputError`` (``invalid_csv``) that names ``from_csv_file``. Timestamps
        without ``Z`` or an offset raise ``InputError`` (``naive_timestamp``) unless
        ``assume_utc=True``; input where no row is usable raises ``no_rows_used`` with
        ``strict=True`` and otherwise emits a ``cjm.IngestWarning``. Columns: as
        ``from_arrow`` (a preset, the keyword arguments, else the usual names)."""
    @staticmethod
    def from_csv_file(
        path: Union[str, os.PathLike[str]],
        *,
        preset: Optional[str] = None,
        mapping: Optional[Mapping[str, Any]] = None,
        customer: Union[str, Sequence[str], None] = None,
        timestamp: Optional[str] = None,
        event: Optional[str] = None,
        channel: Optional[str] = None,
        session: Optional[str] = None,
        value: Optional[str] = None,
        consent: Optional[str] = None,
        unit: Optional[str] = None,
        assume_utc: bool = False,
        journey: Optional[Journey] = None,
        dedup: bool = False,
        strict: bool = False,
        pseudonymise_key: Union[str, bytes, None] = None,
        extra: Optional[Sequence[str]] = None,
        identifiers: Optional[Sequence[str]] = None,
    ) -> EventLog:
        """Reads a CSV file with a header row, as ``from_csv`` reads CSV text; the file is
        streamed, not held in memory. Raises ``OSError`` (e.g. ``FileNotFoundError``) for
        an unreadable file."""
    @property
    def ingest_report(self) -> IngestReport:
        """How every input row was used."""
    @property
    def customers(self) -> int:
        """Number of customers."""
    @property
    def event_names(self) -> list[str]:
        """The distinct event names, sorted."""
    def traffic(self, journey: Journey) -> Traffic:
        """Traffic per touchpoint and stage, and the unmapped events."""
    def conformance(self, journey: Journey) -> Conformance:
        """Observed stage order against the journey's stage order."""
    def funnel(
        self,
        steps: Optional[Iterable[Step]] = None,
        *,
        journey: Optional[Journey] = None,
        order: str = "sequential",
        window: Optional[Union[Duration, float]] = None,
        step_windows: Optional[Sequence[Optional[Duration]]] = None,
        exclusions: Optional[Sequence[Mapping[str, Any]]] = None,
        as_of: Optional[Instant] = None,
        breakdown: Optional[str] = None,
        breakdown_attribution: Optional[Union[str, Mapping[str, int]]] = None,
        percentile: str = "linear",
        allow_missing_events: bool = False,
        unit: str = "customer",
        assume_utc: bool = False,
    ) -> FunnelResult:
        """A funnel in unique customers (docs/events.md).

        ``steps``: event names or ``{"touchpoint": id}``/``{"stage": id}`` (with
        ``journey``); without steps, the journey's stage funnel. ``order``:
        ``"sequential"`` (default), ``"strict"`` or ``"any"``; ``window`` from the step-1
        event, inclusive (default 7 days; ``math.inf`` for no window); ``step_windows`` from the prior step (first
        entry ``None``); ``exclusions``: ``{"step": step, "between": (a, b)}``;
        ``as_of`` reports pending customers; ``breakdown`` names ``channel``, ``session``
        or an ``extra`` column (``InputError`` ``unknown_column`` when the log has none),
        read where ``breakdown_attribution`` says: ``"first_step"`` (default: each
        attempt's step-1 event), ``"first_touch"`` / ``"last_touch"`` (PostHog's: the
        customer's earliest / latest step event with a value, one group per customer) or
        ``{"step": k}`` (the event each attempt uses for step k; attempts that never reach
        it go to the group without a value). ``percentile``: how the median and p90 times to convert are taken, ``"linear"``
        (default, as numpy and pandas: the median of an even count is the mean of the two
        middle values) or ``"nearest_rank"``. A step or exclusion event name that the log
        does not contain raises ``InputError`` (``unknown_event``, naming the closest
        names) unless ``allow_missing_events=True``. ``unit="session"`` counts sessions:
        each (customer, session id) is a unit, so an attempt stays inside one session
        (every event needs a session id: ``log.sessionize()`` gives them). A naive
        ``datetime`` (or text without an offset) as ``as_of`` raises ``InputError``
        (``naive_timestamp``) unless ``assume_utc=True`` reads it as UTC; a date is the
        start of its day in UTC.
        """
    def retention(
        self,
        *,
        start_event: Optional[Union[str, Iterable[str]]] = None,
        return_event: Optional[Union[str, Iterable[str]]] = None,
        period: str = "day",
        periods: int = 10,
        mode: str = "on",
        cohort: str = "first_time",
        time_zone: str = "+00:00",
        as_of: Optional[Instant] = None,
        breakdown: Optional[str] = None,
        allow_missing_events: bool = False,
        assume_utc: bool = False,
    ) -> RetentionResult:
        """Retention cohorts in unique customers (docs/events.md, "Retention").

        A customer's cohort is the ``period`` (``"day"``, ``"week"``: ISO, Monday first,
        or ``"month"``) of their first ``start_event`` (one name, or a list: any of them;
        ``None``: any event, i.e. first seen); with ``cohort="recurring"``, every period
        with a start event is a cohort entry. Period 0 is the cohort itself (every entry
        counts there); for k = 1..``periods`` (default 10) a customer is retained with a
        ``return_event`` (default any event) in period k (``mode="on"``) or in k or any
        later period (``mode="on_or_after"``). Periods are read at the fixed UTC offset
        ``time_zone`` (``"+02:00"``, ``"UTC"``…; zones with daylight-saving time are not
        supported). ``as_of`` ends the observation (later events are not read; default
        the log's last timestamp): cells whose period had not begun are ``None``, never
        0. ``breakdown`` names ``channel``, ``session`` or an ``extra`` column, read at
        each cohort entry's first start event. A start or return event the log does not
        contain raises ``InputError`` (``unknown_event``, naming the closest names) unless
        ``allow_missing_events=True``. A naive ``as_of`` raises ``naive_timestamp`` unless
        ``assume_utc=True``.
        """
    def trends(
        self,
        events: Optional[Union[str, Iterable[str]]] = None,
        *,
        period: str = "day",
        time_zone: str = "+00:00",
        since: Optional[Instant] = None,
        as_of: Optional[Instant] = None,
        breakdown: Optional[str] = None,
        allow_missing_events: bool = False,
        assume_utc: bool = False,
    ) -> TrendsResult:
        """Event trends (docs/events.md, "Trends"): per ``period`` (``"day"``, ``"week"``:
        ISO, Monday first, or ``"month"``, read at the fixed UTC offset ``time_zone``) and
        per event (``events``: one name or a list; default every event of the log), the
        number of events (``volume``) and the distinct customers with one (``customers``),
        and a total over the selected events (its customers are distinct, not summed).
        Events before ``since`` or after ``as_of`` are not read; every period from the one
        holding ``since`` (default the first event) to the one holding ``as_of`` (default
        the last event) is listed, with zeros where nothing happened. ``breakdown`` names
        ``channel``, ``session`` or an ``extra`` column, read at each event. An event the
        log does not contain raises ``InputError`` (``unknown_event``) unless
        ``allow_missing_events=True``. A naive ``since`` or ``as_of`` raises
        ``naive_timestamp`` unless ``assume_utc=True``.
        """
    def funnel_trends(
        self,
        steps: Optional[Iterable[Step]] = None,
        *,
        journey: Optional[Journey] = None,
        period: str = "day",
        time_zone: str = "+00:00",
        since: Optional[Instant] = None,
        order: str = "sequential",
        window: Optional[Duration] = None,
        step_windows: Optional[Sequence[Optional[Duration]]] = None,
        exclusions: Optional[Sequence[Mapping[str, Any]]] = None,
        as_of: Optional[Instant] = None,
        breakdown: Optional[str] = None,
        percentile: str = "linear",
        allow_missing_events: bool = False,
        unit: str = "customer",
        assume_utc: bool = False,
    ) -> FunnelTrendsResult:
        """Funnel trends (docs/events.md, "Trends"): the funnel of ``EventLog.funnel``
        (same steps and options) counted by the ``period`` of each attempt's step-1 event.
        Per period: ``entered`` (customers with a non-void attempt starting in it),
        ``converted`` (those with such an attempt that completes every step within the
        window), ``rate`` (None when nobody entered) and ``pending`` (with ``as_of``).
        Attempts starting before ``since`` or after ``as_of`` are not counted.
        ``unit="session"`` counts sessions, as ``EventLog.funnel`` does. A naive
        ``since`` or ``as_of`` raises ``naive_timestamp`` unless ``assume_utc=True``.
        """
    def directly_follows(
        self, *, start_end: bool = True, unit: Optional[str] = None
    ) -> DirectlyFollows:
        """Directly-follows counts (with ``START``/``END`` nodes unless ``start_end=False``).
        ``unit="session"`` counts the paths of sessions: each (customer, session id) is a
        unit, so no transition crosses a session, and customer counts are session counts
        (``InputError`` ``unknown_column`` or ``invalid_option`` when events have no
        session id; ``sessionize`` derives them)."""
    def directly_follows_svg(self, **options: Any) -> Svg:
        """The directly-follows graph as SVG: layered, edges labelled with transitions and
        median times. Options ``min_share`` (default 0.1: edges under that share of their
        source's transitions fold into a count in its box), ``start_end``, ``title``,
        ``direction`` (``"auto"``, ``"left_right"``, ``"top_down"``) (``InputError``
        ``invalid_option`` for unknown ones)."""
    def variants(
        self,
        k: int = 10,
        *,
        max_length: Optional[int] = None,
        collapse_repeats: bool = False,
        unit: Optional[str] = None,
    ) -> Variants:
        """The ``k`` most common event sequences; ``unit="session"`` counts the sequences
        of sessions (each (customer, session id) a unit) instead of customers."""
    def flows(
        self,
        n: int = 5,
        *,
        min_share: float = 0.02,
        collapse_repeats: bool = True,
        unit: Optional[str] = None,
    ) -> Flows:
        """Sankey data of the first ``n`` events; rarer nodes fold into ``(other)``;
        ``unit="session"`` follows sessions (each (customer, session id) a unit) instead
        of customers."""
    def journey_states(
        self,
        journey: Journey,
        *,
        as_of: Optional[Instant] = None,
        conversion: Optional[Step] = None,
        assume_utc: bool = False,
    ) -> JourneyStates:
        """Where each customer is in the journey, measured at ``as_of`` (default the
        log's last timestamp; a naive ``as_of`` raises ``naive_timestamp`` unless
        ``assume_utc=True``)."""
    def drivers(
        self,
        conversion: Step,
        *,
        journey: Optional[Journey] = None,
        by_touchpoint: bool = False,
        min_support: int = 5,
        allow_missing_events: bool = False,
    ) -> Drivers:
        """Odds ratios of converting (+1 prior in every cell) per event or touchpoint, each
        with its 95 % interval (Woolf's, on the same cells), the two-sided p-value of
        Fisher's exact test on the raw cells (as ``scipy.stats.fisher_exact``) and the lift
        over the base rate. A conversion event name that the log does not contain raises
        ``InputError`` (``unknown_event``) unless ``allow_missing_events=True``."""
    def attribute(self, *, journey: Optional[Journey] = None, **options: Any) -> Attribution:
        """Multi-touch attribution over the paths of this log: ``conversion_events``
        (required; a name or a list) and the other path options (``touch``,
        ``lookback_seconds``, ``collapse_repeats`` (default ``False``), ``keep_times``,
        ``allow_missing_events``), then the model options (``models``, ``direct_channel``,
        ``position_weights``, ``half_life_seconds``, ``decay``, ``markov_order``,
        ``remove_self_loops`` (default ``True``), ``shapley_max_channels``). A conversion
        event the log does not contain raises ``InputError`` (``unknown_event``);
        ``touch="channel"`` (the default) on a log without channels raises
        ``unknown_column``."""
    def filter(
        self,
        *,
        events: Optional[Union[str, Iterable[str]]] = None,
        drop_events: Optional[Union[str, Iterable[str]]] = None,
        start: Optional[Instant] = None,
        end: Optional[Instant] = None,
        customers: Optional[Union[int, str, Iterable[Union[int, str]]]] = None,
        drop_customers: Optional[Union[int, str, Iterable[Union[int, str]]]] = None,
        where: Optional[Mapping[str, Union[str, Iterable[str]]]] = None,
        where_not: Optional[Mapping[str, Union[str, Iterable[str]]]] = None,
        allow_missing: bool = False,
        assume_utc: bool = False,
    ) -> EventLog:
        """The events passing every criterion given, as a new log built from this one's
        columns (docs/events.md, "Working with a log"): names in ``events`` and not in
        ``drop_events``; time in ``[start, end)`` (half-open; a time-zone-aware datetime,
        a date or ISO-8601 text; a naive one raises ``naive_timestamp`` unless
        ``assume_utc=True``); customers in ``customers`` and not in
        ``drop_customers``; for each column of ``where`` (``channel``, ``session`` or an
        extra column) a value among those given, and for each of ``where_not`` none of
        them. A name, customer or value the log does not hold raises ``InputError``
        (``unknown_event``, ``unknown_customer``, ``unknown_value``) unless
        ``allow_missing=True``; a column it does not keep raises ``unknown_column``. A
        filter that keeps nothing gives an empty log and a ``cjm.IngestWarning``
        (``empty_log``). The new log's ``ingest_report`` records the filter."""
    def sample(
        self, fraction: Optional[float] = None, *, count: Optional[int] = None, seed: int = 0
    ) -> EventLog:
        """A seeded sample of whole customers: exactly one of ``fraction`` (in (0, 1]) and
        ``count``. A customer is kept when ``(h >> 11) / 2**53 < fraction``, where ``h`` is
        ``int.from_bytes(hashlib.sha256(f"{seed}:{id}".encode()).digest()[:8], "big")``;
        with ``count``, the ``count`` customers with the smallest ``h``. The same customers
        in Rust, Python and JavaScript, whatever the row order."""
    def sessionize(
        self, gap: Optional[Duration] = None, *, replace: bool = False
    ) -> EventLog:
        """The log with session ids derived by inactivity: a customer's event opens a new
        session when **more than** ``gap`` (a ``timedelta`` or whole seconds; default 30
        minutes, as GA4 and Amplitude) passed since their previous event; a gap of exactly
        ``gap`` stays in the session. The k-th session of a customer is ``"{customer}:{k}"``.
        A log with session ids raises ``InputError`` (``invalid_option``) unless
        ``replace=True``."""
    def relabel(self, labels: Mapping[str, str], *, allow_missing: bool = False) -> EventLog:
        """The log with each event renamed by ``labels`` (event name → new name; several
        names may share one), times and order kept; events whose name is not in
        ``labels`` are dropped and counted in ``ingest_report.removed_by_operations``
        (``InputError`` ``invalid_option`` for no labels or an empty label;
        ``unknown_event`` for a labelled name the log lacks, unless ``allow_missing``)."""
    def by_stage(self, journey: Journey) -> EventLog:
        """The log with each event renamed to the name of its stage in ``journey`` (the
        stage of the touchpoints that bind it; the earliest when several), events no
        touchpoint binds dropped: flows, directly-follows and variants of the result are
        by stage."""
    def by_touchpoint(self, journey: Journey) -> EventLog:
        """The log with each event renamed to the name of the first touchpoint (in the
        map's order) that binds it, events no touchpoint binds dropped."""
    def to_arrow(self) -> Any:
        """The ordered log as a ``pyarrow.Table``: ``customer`` (``int64`` for integer
        ids, else ``string``), ``timestamp`` (``timestamp[ns, tz=UTC]``), ``event`` and,
        when the log has them, ``channel``, ``session`` and the extra columns
        (dictionary-encoded strings), and ``value`` (``double``). ``pl.from_arrow`` and
        ``.to_pandas()`` read it; ``EventLog.from_arrow(t, channel="channel",
        session="session", value="value", extra=[...])`` rebuilds the log."""
    def __len__(self) -> int: ...

def two_proportion_test(x1: int, n1: int, x2: int, n2: int) -> dict[str, Any]:
    """Two-proportion z-test: ``{"p1", "p2", "difference", "z", "p_value", "interval"}``
    (pooled standard error; ``None`` where undefined, never NaN)."""

def diff_maps(
    before: Journey,
    after: Journey,
    model: Optional[Mapping[str, Any]] = None,
    *,
    before_inputs: Optional[Mapping[str, Any]] = None,
    after_inputs: Optional[Mapping[str, Any]] = None,
) -> MapDiff:
    """Compares two versions of a map; ``*_inputs`` are dicts with ``survey``, ``reach``,
    ``traffic``, ``kpi_actuals`` as for ``Journey.health``."""

def patterns(
    journeys: Sequence[Journey],
    as_of: Optional[DateLike] = None,
    *,
    high_priority: float = 0.3,
) -> Patterns:
    """Pain points, emotional low points and findings that recur across maps.

    Each map's findings are those of ``Journey.insights`` without measured data, so only
    ``as_of`` and ``high_priority`` apply (``high_drop_off`` and ``unmapped_share`` are
    ``InputError``: nothing here is measured for them)."""

def from_mermaid(text: str) -> tuple[Journey, list[dict[str, Any]]]:
    """Reads a Mermaid ``journey`` diagram: ``(journey, notes)``."""

def generate_log(customers: int = 1000, seed: int = 42) -> Any:
    """A seeded synthetic clickstream as a ``pyarrow.Table`` (needs pyarrow)."""

def _attribute(
    rows: list[Any],
    *,
    columns: Optional[Mapping[str, str]] = None,
    options: Optional[Mapping[str, Any]] = None,
) -> Attribution:
    """Attribution of path-table rows (dicts), their columns named by ``columns`` (the
    core's ``PathColumns``); use ``cjm.attribute``."""

def compare_groups(
    data: Any,
    a: str,
    b: str,
    *,
    by: str = "segment",
    within: Optional[str] = None,
    scope: Optional[str] = None,
    segment: Optional[str] = None,
    nps: Optional[str] = None,
    csat: Optional[str] = None,
    ces: Optional[str] = None,
    csat_scale: int = 5,
    csat_method: str = "top_box",
    ces_scale: int = 7,
    ces_method: str = "mean",
    nan_as_missing: bool = False,
) -> GroupComparison:
    """Compares two groups of survey answers on NPS, CSAT and CES (docs/scoring.md).

    The groups are two values ``a`` and ``b`` of the ``by`` column: ``"segment"`` (two
    personas or segments, across all scopes) or ``"scope"`` (two touchpoints, stages or
    channels, across all segments); ``within`` restricts both to one value of the other
    column (two segments at one touchpoint, or two touchpoints for one segment). ``data``
    and the column arguments are as for ``survey_kpis``. NPS differences come with the
    margin ``sqrt(m_a² + m_b²)``; top-box rates with a two-proportion z-test; means with a
    normal-approximation z-test. Raises ``InputError`` (``invalid_option``) when a group
    has no responses.
    """

def survey_kpis(
    data: Any,
    *,
    scope: Optional[str] = None,
    segment: Optional[str] = None,
    nps: Optional[str] = None,
    csat: Optional[str] = None,
    ces: Optional[str] = None,
    csat_scale: int = 5,
    csat_method: str = "top_box",
    ces_scale: int = 7,
    ces_method: str = "mean",
    min_group_size: int = 0,
    nan_as_missing: bool = False,
) -> SurveyReport:
    """NPS, CSAT and CES overall, per scope and per scope × segment.

    ``data`` is a pandas or polars DataFrame, a pyarrow Table or RecordBatch, anything with
    ``__arrow_c_stream__``, or a dict of column name → list. ``scope``, ``segment``,
    ``nps``, ``csat`` and ``ces`` name its columns (``None``: not used): scope is the
    touchpoint or stage id an answer is about, segment the persona or segment; string
    columns for those two, numeric columns for the answers. Nulls are unanswered
    questions; NaN, fractions and answers outside the scale raise ``InputError`` with the
    row (``not_finite``, ``out_of_scale``).

    ``csat_method`` is ``"top_box"`` (default), ``"mean"`` or ``"pct_of_max"`` on a 1..``csat_scale``
    scale (2–11, default 5); ``ces_method`` is ``"mean"`` (default) or ``"top_box"`` on a
    1..``ces_scale`` scale (7 or 5). Groups with fewer answers than ``min_group_size`` are
    reported without values (``suppressed``). ``nan_as_missing=True`` counts NaN answers
    as missing instead of rejecting them, for frames that store blanks as NaN (a pandas
    integer column read with blanks becomes float64 with NaN).
    """

def load(source: Source) -> Journey:
    """Loads a journey from a mapping, JSON text (a ``str``) or a file (an ``os.PathLike``).

    A ``str`` is always JSON text, never a file path: one that is not a JSON object is a
    ``DocumentError`` (``invalid_json``) that names ``cjm.load_file``, so an application
    that forwards user text cannot be made to read a local file. Values of a mapping with
    no JSON form (a ``Decimal`` no float holds, an integer beyond any float, text with a
    lone surrogate, another type) are ``wrong_type`` problems at their paths, reported
    with the document's other problems; NumPy numbers and exact ``Decimal`` values are
    read as the numbers they hold. Raises ``DocumentError`` for a broken document,
    ``OSError`` (e.g. ``FileNotFoundError``) for an unreadable file, ``TypeError`` for
    anything else.
    """

def load_file(path: str | os.PathLike[str]) -> Journey:
    """Loads a journey from a UTF-8 JSON file (a leading byte order mark is skipped); no
    more than the size limit (16 MiB) is read. Raises ``DocumentError`` for a broken
    document and ``OSError`` for an unreadable file."""

def loads(text: str) -> Journey:
    """Loads a journey from JSON text."""

def validate(source: Source) -> list[Problem]:
    """Every problem of a document (read as ``load`` reads it); ``[]`` when it is valid.

    Never raises for problems of the document itself.
    """

def validate_file(path: str | os.PathLike[str]) -> list[Problem]:
    """Every problem of a UTF-8 JSON file (read as ``load_file`` reads it); ``[]`` when it
    is valid. Raises ``OSError`` for an unreadable file."""

def templates() -> list[TemplateInfo]:
    """The built-in templates."""

def template(name: str) -> Journey:
    """Loads a built-in template by name; ``TemplateError`` for an unknown name."""

def journey_schema() -> JsonSchema:
    """The JSON Schema (draft 2020-12) of a journey document."""

def _option_defaults() -> dict[str, Any]:
    """The core's default of every options type, ``{type name: default}`` (for the tests
    that check the signatures' defaults against the core)."""

def _panic_for_tests(message: str) -> None:
    """Panics in Rust; for the tests of the panic guard only."""

# Partial states for distributed runs (cjm.spark; cjm-py/src/states.rs). `data` is Arrow
# data (anything with `__arrow_c_stream__`); `columns` names the event columns as
# EventLog.from_arrow's keyword arguments do, plus `order_key`; `request` is the core's
# `StateRequest` as JSON (docs/spark.md), as `_state_request` writes it; states are
# versioned bytes.

def _state_request(request: Mapping[str, Any], journey: Optional[Journey] = None) -> str:
    """Reads a request (the core's ``StateRequest`` as a dict: ``{"analysis": "funnel",
    "steps": [...], "options": {...}}`` and so on) as options are read, checks it (with
    ``journey``) and writes it as the JSON text the other state functions take. A value
    that does not fit, or fails its check (NaN and infinities included), is
    ``InputError`` ``invalid_option`` naming the option."""

def _funnel_options(**options: Any) -> dict[str, Any]:
    """The core's funnel options (a dict for a ``funnel`` request) of the keyword
    arguments ``EventLog.funnel`` takes, read exactly as it reads them."""

def _state_route(request: str, journey: Optional[Journey] = None) -> dict[str, Any]:
    """Checks a request on the driver and says how to hand it the rows:
    ``{"whole_customers": bool, "events": list of event names or None}``."""

def _build_state(
    data: Any, request: str, columns: Mapping[str, Any], journey: Optional[Journey] = None
) -> bytes:
    """The state of one partition of events for ``request`` (the core's ``StateRequest``
    as JSON: ``{"analysis": "funnel", "steps": [...], "options": {...}}`` and so on)."""

def _survey_state(data: Any, request: str, **columns: Optional[str]) -> bytes:
    """The survey state of one partition of answers, for a ``survey`` request (its
    options give the scales)."""

def _merge_states(states: Sequence[bytes]) -> bytes:
    """Merges one or more states of one kind (read from their bytes)."""

def _finish_state(state: bytes, request: str, journey: Optional[Journey] = None) -> Any:
    """The result of a merged state for the request that built it: a ``FunnelResult``,
    ``DirectlyFollows``, ``Variants``, ``Flows``, ``Traffic``, ``RetentionResult``,
    ``TrendsResult`` or ``SurveyReport``, or a dict for ``paths`` and ``attribution``."""

