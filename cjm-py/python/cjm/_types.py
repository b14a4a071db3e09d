"""Types of the plain values cjm returns (``TypedDict``s for static checkers)."""

from __future__ import annotations

import datetime
import os
from typing import Any, Dict, List, Literal, Mapping, Sequence, TypedDict, Union

__all__ = [
    "DateLike",
    "Duration",
    "Instant",
    "Step",
    "JourneyDict",
    "JsonSchema",
    "Source",
    "StageSummary",
    "Summary",
    "TemplateInfo",
]

JourneyDict = Dict[str, Any]
"""A journey document as plain values (the ``cjm`` format, see ``journey_schema()``)."""

JsonSchema = Dict[str, Any]
"""A JSON Schema (draft 2020-12) as plain values."""

Source = Union[Mapping[str, Any], str, os.PathLike[str]]
"""What ``cjm.load`` and ``cjm.validate`` accept: a mapping (a parsed document), JSON text
(a ``str``, never read as a path), or a file as an ``os.PathLike`` (a ``pathlib.Path``).
A file named by a ``str`` is read by ``cjm.load_file`` and ``cjm.validate_file``."""


DateLike = Union[datetime.date, str]
"""A date: ``datetime.date``, ``datetime.datetime`` (its calendar date) or ``"YYYY-MM-DD"``."""

Instant = Union[datetime.datetime, datetime.date, str]
"""An instant: a time-zone-aware ``datetime``, a ``date`` (the start of that day in UTC),
or ISO-8601 text with an offset or a date alone (``"YYYY-MM-DD"``, the same); a naive
``datetime`` is refused: no time zone is guessed."""

Duration = Union[datetime.timedelta, int]
"""A duration in whole seconds: a ``timedelta`` or an ``int`` of seconds."""

Step = Union[str, Mapping[str, Union[str, Sequence[str]]]]
"""A funnel step: an event name, ``{"event" | "touchpoint" | "stage": id}``, or
``{"any_of": [name, ...]}`` (any of these events satisfies the step)."""


class TemplateInfo(TypedDict):
    """A built-in template, as listed by ``cjm.templates()``."""

    name: str
    title: str
    description: str


class StageSummary(TypedDict):
    """One stage in a ``Summary``."""

    id: str
    name: str
    touchpoints: int
    channels: int
    pain_points: int


class Summary(TypedDict):
    """Counts and the stage outline of a journey, as ``Journey.summary()`` returns them."""

    id: str
    name: str
    schema_version: int
    state: Literal["as_is", "to_be"]
    personas: int
    stages: List[StageSummary]
    channels: int
    touchpoints: int
    observations: int
    pain_points: int
    opportunities: int
    kpis: int
    evidence: int
    teams: int
    bound_event_names: int
