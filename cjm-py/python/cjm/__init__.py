"""cjm: customer journey mapping and journey analytics.

One typed, versioned journey document, its validation (every problem at once, each with a
stable code and a JSON path), its JSON Schema and built-in starter maps. The rules live in
the Rust core ``cjm-core``; this package is a thin binding, so Python, Rust and the browser
give the same answers.

>>> import cjm
>>> journey = cjm.template("b2c-ecommerce")
>>> journey.id
'b2c-ecommerce'
>>> cjm.validate({"schema_version": 1, "id": "x"})[0].code
'missing_field'

Scoring (docs/scoring.md): ``cjm.survey_kpis(data, scope=..., nps=..., ...)`` scores
survey answers from a pandas/polars frame, an Arrow table or a dict of lists;
``journey.emotion_curves()``, ``journey.priorities(reach=None)`` and
``journey.health(model=None, survey=None, ...)`` score a map. Each returns a result object
with ``to_dict()``, ``to_arrow()``, ``to_pandas()``, ``to_polars()`` and an HTML view.

Insights and comparisons: ``journey.insights(as_of=...)``, ``cjm.two_proportion_test``,
``cjm.compare_groups``, ``cjm.diff_maps`` and ``cjm.patterns``. Pictures:
``journey.map_svg()``, ``journey.emotion_svg()``, ``journey.to_mermaid()``,
``cjm.from_mermaid(text)`` and ``journey.report_html(...)``. Event logs
(docs/events.md): ``cjm.EventLog.from_arrow(data, customer=..., timestamp=..., event=...)`` or
``cjm.EventLog.from_csv(...)``, then ``log.funnel``, ``log.traffic``,
``log.directly_follows``, ``log.variants``, ``log.flows``, ``log.journey_states``,
``log.drivers`` and ``log.conformance``. Attribution (docs/attribution.md):
``cjm.attribute(paths, ...)`` over a ``channelattribution``-style path table, or
``log.attribute(conversion_events=[...])`` over the paths of a log.

``cjm.load(source)`` reads a mapping (a parsed document), a ``str`` (always JSON text,
never a file path) or an ``os.PathLike`` (a file); ``cjm.load_file(path)`` and
``cjm.validate_file(path)`` read a file named by a ``str`` or a path, and
``cjm.loads(text)`` reads JSON text.

On Spark: ``cjm.spark`` (``pip install cjm-journeys[spark]``, imported on demand) runs the funnel,
paths, traffic, attribution and survey KPIs on a Spark DataFrame with the same results
(``docs/spark.md``).
"""

from __future__ import annotations

from cjm._errors import CjmError, DocumentError, IngestWarning, InputError, Problem, TemplateError
from cjm._types import (
    JourneyDict,
    JsonSchema,
    Source,
    StageSummary,
    Summary,
    TemplateInfo,
)
from cjm._cjm import (
    SCHEMA_VERSION,
    Attribution,
    Conformance,
    DirectlyFollows,
    Drivers,
    EmotionCurves,
    EventLog,
    Flows,
    FunnelResult,
    FunnelTrendsResult,
    GroupComparison,
    HealthReport,
    IngestReport,
    Insights,
    Journey,
    JourneyStates,
    MapDiff,
    MeasuredKpis,
    Patterns,
    PriorityReport,
    RetentionResult,
    SurveyReport,
    Svg,
    Traffic,
    TrendsResult,
    Variants,
    __version__,
    compare_groups,
    diff_maps,
    from_mermaid,
    generate_log,
    journey_schema,
    load,
    load_file,
    loads,
    patterns,
    survey_kpis,
    template,
    templates,
    two_proportion_test,
    validate,
    validate_file,
)
from cjm._attribution import attribute

__all__ = [
    "SCHEMA_VERSION",
    "Attribution",
    "CjmError",
    "Conformance",
    "DirectlyFollows",
    "DocumentError",
    "Drivers",
    "EmotionCurves",
    "EventLog",
    "Flows",
    "FunnelResult",
    "FunnelTrendsResult",
    "GroupComparison",
    "HealthReport",
    "IngestReport",
    "IngestWarning",
    "InputError",
    "Insights",
    "Journey",
    "JourneyDict",
    "JourneyStates",
    "JsonSchema",
    "MapDiff",
    "MeasuredKpis",
    "Patterns",
    "PriorityReport",
    "Problem",
    "RetentionResult",
    "Source",
    "StageSummary",
    "Summary",
    "SurveyReport",
    "Svg",
    "TemplateError",
    "TemplateInfo",
    "Traffic",
    "TrendsResult",
    "Variants",
    "__version__",
    "attribute",
    "compare_groups",
    "diff_maps",
    "from_mermaid",
    "generate_log",
    "journey_schema",
    "load",
    "load_file",
    "loads",
    "patterns",
    "survey_kpis",
    "template",
    "templates",
    "two_proportion_test",
    "validate",
    "validate_file",
]
