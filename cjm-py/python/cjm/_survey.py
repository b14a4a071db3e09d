"""``cjm.survey_kpis``: survey answers from a data frame, an Arrow table or a dict.

Every formula and every check of the answers lives in the Rust core; this module only
decides how the columns reach it. Dicts of lists go straight to the extension; so does
Arrow data (pyarrow, polars, anything with ``__arrow_c_stream__``), which the extension
reads through ``cjm._arrow``. A pandas frame is turned there into a pyarrow table of just
the named columns, because pandas' own Arrow export (``Table.from_pandas``) reads NaN in
a float column as a missing value: there NaN in a NumPy float column stays NaN, so the
core rejects it with its row (``not_finite``) instead of silently dropping the answer.
Use ``None``/``pd.NA`` (a nullable dtype such as ``"Int64"`` or ``"Float64"``) for a
question left unanswered.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from cjm._cjm import GroupComparison, SurveyReport, _compare_groups, _survey_kpis

__all__ = ["compare_groups", "survey_kpis"]


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
    data = _as_input(data)
    return _survey_kpis(
        data,
        scope=scope,
        segment=segment,
        nps=nps,
        csat=csat,
        ces=ces,
        csat_scale=csat_scale,
        csat_method=csat_method,
        ces_scale=ces_scale,
        ces_method=ces_method,
        min_group_size=min_group_size,
        nan_as_missing=nan_as_missing,
    )


def _as_input(data: Any) -> Any:
    """Hands data to the binding: a Mapping as a dict, anything else as it is (the
    binding converts data frames with ``cjm._arrow``)."""
    if isinstance(data, Mapping) and not isinstance(data, dict):
        return dict(data)
    return data


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
    data = _as_input(data)
    return _compare_groups(
        data,
        a,
        b,
        by=by,
        within=within,
        scope=scope,
        segment=segment,
        nps=nps,
        csat=csat,
        ces=ces,
        csat_scale=csat_scale,
        csat_method=csat_method,
        ces_scale=ces_scale,
        ces_method=ces_method,
    )
