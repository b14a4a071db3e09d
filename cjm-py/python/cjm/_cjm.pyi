"""Stubs of the compiled extension module ``cjm._cjm`` (checked with ``mypy.stubtest``)."""

import os
from typing import Any, ClassVar, Final, Mapping, final

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
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __reduce__(self) -> tuple[Any, tuple[str]]: ...

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
