"""Stubs of the compiled extension module ``cjm._cjm`` (checked with ``mypy.stubtest``)."""

import os
from typing import Any, ClassVar, Final, Mapping, Optional, final

from cjm._errors import Problem
from cjm._types import JourneyDict, JsonSchema, Source, Summary, TemplateInfo

__all__ = [
    "__version__",
    "SCHEMA_VERSION",
    "Journey",
    "load",
    "loads",
    "validate",
    "templates",
    "template",
    "journey_schema",
    "SurveyReport",
    "PriorityReport",
    "HealthReport",
    "EmotionCurves",
    "_survey_kpis",
    "_panic_for_tests",
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
    ) -> HealthReport:
        """Health 0–100 of every touchpoint, stage and the journey, each explained.

        ``model``: ``{"weights": {...}, "thresholds": {"good", "poor"}, "stage_weights":
        {...}}`` (defaults for what is not given); ``survey``: a ``SurveyReport`` grouped by
        touchpoint or stage id; ``reach`` as for ``priorities``; ``traffic``: customers per
        touchpoint id; ``kpi_actuals``: measured KPI values by KPI id. Raises ``InputError``
        (``invalid_option``) for a model that does not fit.
        """
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

class _Report:
    """Shared by the result classes (not a runtime class)."""

    @property
    def tables(self) -> list[str]:
        """The names of the tables this result exports; the first is the default."""
    @property
    def definition(self) -> Optional[dict[str, Any]]:
        """The definition that produced the result: ``{"kind", "params", "hash"}``."""
    def to_arrow(self, table: Optional[str] = None) -> Any:
        """A table as a ``pyarrow.Table`` (needs pyarrow)."""
    def to_pandas(self, table: Optional[str] = None) -> Any:
        """A table as a ``pandas.DataFrame`` (needs pandas and pyarrow)."""
    def to_polars(self, table: Optional[str] = None) -> Any:
        """A table as a ``polars.DataFrame`` (needs polars)."""
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

def _survey_kpis(
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
) -> SurveyReport:
    """Scores survey answers (use ``cjm.survey_kpis``)."""

def load(source: Source) -> Journey:
    """Loads a journey from a mapping, a path, or a ``str``.

    A ``str`` is JSON text when its first non-white-space character is ``{``, otherwise a
    file path. Raises ``DocumentError`` for a broken document, ``OSError`` (e.g.
    ``FileNotFoundError``) for an unreadable file, ``TypeError`` for anything else.
    """

def loads(text: str) -> Journey:
    """Loads a journey from JSON text."""

def validate(source: Source) -> list[Problem]:
    """Every problem of a document (read as ``load`` reads it); ``[]`` when it is valid.

    Never raises for problems of the document itself.
    """

def templates() -> list[TemplateInfo]:
    """The built-in templates."""

def template(name: str) -> Journey:
    """Loads a built-in template by name; ``TemplateError`` for an unknown name."""

def journey_schema() -> JsonSchema:
    """The JSON Schema (draft 2020-12) of a journey document."""

def _panic_for_tests(message: str) -> None:
    """Panics in Rust; for the tests of the panic guard only."""
