"""Errors as data: the exceptions cjm raises and the problems they carry.

Every failure about a document has a stable ``code`` to match on, a JSON ``path`` into the
document (``"touchpoints[3].stage"``; ``""`` is the root) and a human message that may be
reworded between versions. A document error carries *all* problems found, in document
order; ``.code`` and ``.path`` are those of the first one. Match on codes, never on
message wording. The catalogue of codes is ``docs/errors.md``.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

__all__ = ["CjmError", "DocumentError", "IngestWarning", "InputError", "Problem", "TemplateError"]


class Problem(NamedTuple):
    """One problem found in a document."""

    code: str
    """Stable snake_case code, e.g. ``"dangling_reference"``."""
    path: str
    """JSON path of the offending value (``"touchpoints[3].stage"``; ``""`` is the root)."""
    message: str
    """Human explanation; wording may change between versions."""

    def __str__(self) -> str:
        if self.path:
            return f"{self.code} at `{self.path}`: {self.message}"
        return f"{self.code}: {self.message}"


class CjmError(ValueError):
    """Base class of every error cjm raises.

    Code ``internal_error`` means a bug in cjm itself (a Rust panic caught at the boundary).
    """

    code: str
    """Stable code of the (first) problem."""
    path: str
    """JSON path of the first problem, ``""`` when the error is not about a place."""
    problems: list[Problem]
    """Every problem, in document order (empty when the error is not about a document)."""

    def __init__(
        self,
        message: str,
        code: str,
        path: str = "",
        problems: Sequence[Problem] = (),
    ) -> None:
        super().__init__(message)
        self.code = code
        self.path = path
        self.problems = list(problems)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.code, self.path, self.problems))


class DocumentError(CjmError):
    """A journey document has problems (``.problems`` lists them all)."""


class TemplateError(CjmError):
    """No built-in template has the name asked for (code ``unknown_template``)."""


class InputError(CjmError):
    """Tabular input or options that cannot be used: survey answers outside their scale,
    NaN where a number is needed, columns of different lengths, an unknown option value.

    ``.row`` is the 0-based index of the first offending row, ``None`` when the problem is
    not about one row; ``.path`` is ``""`` and ``.problems`` is empty.
    """

    row: int | None
    """0-based index of the first offending row, or ``None``."""

    def __init__(self, message: str, code: str, row: int | None = None) -> None:
        super().__init__(message, code)
        self.row = row

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.code, self.row))


class IngestWarning(UserWarning):
    """A likely mistake found while reading an event log that did not stop it (code
    ``no_rows_used``: rows were read and none is in the log). With ``strict=True`` the same
    problem is raised as an :class:`InputError`. The report lists it too
    (``log.ingest_report.warnings``).
    """

    code: str
    """Stable code of the problem."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self), self.code))
