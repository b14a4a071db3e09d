"""``cjm.attribute``: multi-touch attribution of an aggregated path table.

Every model runs in the Rust core; this module only turns the caller's table into rows.
The table is in the ``channelattribution`` format: a path string (channels separated by
``" > "``), total conversions, total conversion value and total nulls (journeys on the
path that did not convert), optionally the seconds from each touch to the conversion
(for time decay). A pandas or polars DataFrame, a pyarrow Table or RecordBatch, anything
with ``__arrow_c_stream__`` (read with pyarrow), a dict of column name → list, or a list
of dicts.
"""

from __future__ import annotations

import sys
from typing import Any, Mapping

from cjm._cjm import Attribution, _attribute

__all__ = ["attribute"]


def _rows(paths: Any) -> list[Any]:
    """The table as a list of dicts (one per row)."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(paths, pandas.DataFrame):
        return list(paths.to_dict("records"))
    polars = sys.modules.get("polars")
    if polars is not None and isinstance(paths, polars.DataFrame):
        return list(paths.to_dicts())
    if isinstance(paths, Mapping):
        columns = {str(k): list(v) for k, v in paths.items()}
        n = max((len(v) for v in columns.values()), default=0)
        return [{k: v[i] if i < len(v) else None for k, v in columns.items()} for i in range(n)]
    if hasattr(paths, "to_pylist"):  # pyarrow Table / RecordBatch
        return list(paths.to_pylist())
    if hasattr(paths, "__arrow_c_stream__"):
        try:
            import pyarrow as pa
        except ImportError as err:  # pragma: no cover - depends on the environment
            raise ImportError(
                "reading Arrow data needs the optional package `pyarrow`: pip install pyarrow"
                " (or pass a list of dicts)"
            ) from err
        return list(pa.table(paths).to_pylist())
    if isinstance(paths, (str, bytes)):
        raise TypeError("`paths` must be a table or a list of dicts, not a string")
    return [dict(row) for row in paths]


def attribute(
    paths: Any,
    *,
    path: str = "path",
    conversions: str = "total_conversions",
    value: str = "total_conversion_value",
    nulls: str = "total_null",
    times: str = "seconds_to_conversion",
    **options: Any,
) -> Attribution:
    """Credits conversions (and their value) to channels under every attribution model.

    ``paths`` is a path table (see the module documentation); ``path``, ``conversions``,
    ``value``, ``nulls`` and ``times`` name its columns (the ``channelattribution`` names
    by default; the short names ``conversions``, ``value``, ``nulls`` are read too).
    A missing column or a ``None`` number counts as 0 (only ``path`` is required); NaN raises ``InputError`` (``not_finite``)
    with its row.

    ``options``: the path-table options ``separator`` (default ``">"``) and
    ``collapse_repeats`` (default ``False``: the heuristics credit the whole path, as
    ``channelattribution`` does), and the model options as the core's
    ``AttributionOptions``: ``models`` (default all: ``first``, ``last``,
    ``last_non_direct``, ``linear``, ``position_based``, ``time_decay``,
    ``participation``, ``markov``, ``shapley``, ``ordered_shapley``), ``direct_channel``
    (``"direct"``), ``position_weights`` (``"u"``, ``"j"``, ``"inverse_j"`` or
    ``{"custom": {"first", "middle", "last"}}``), ``half_life_seconds`` (7 days),
    ``decay`` (``"continuous"``/``"stepped"``), ``markov_order`` (1), ``remove_self_loops``
    (default ``True``: Markov drops repeated channels as self-transitions, as
    ``channelattribution`` does) and ``shapley_max_channels`` (15). Unknown options raise ``InputError``
    (``invalid_option``). The definitions are in ``docs/attribution.md``.
    """
    columns = {"path": path, "conversions": conversions, "value": value, "nulls": nulls,
               "times": times}
    return _attribute(_rows(paths), columns=columns, options=options)
