"""Helpers the extension calls while reading an event log (``cjm.EventLog.from_arrow``).

Every rule lives in the Rust core; this module only decides how the columns reach it and
shows progress:

- a pandas frame becomes a pyarrow table of just the named columns, the way
  ``cjm.survey_kpis`` does it: NaN in a NumPy float column stays NaN (the core rejects the
  row as ``non_finite_value`` and counts it), while ``None``/``NaN`` in an object column
  of strings and ``NaT`` in a datetime column become nulls (counted as missing);
- a DuckDB result is read as a stream of record batches;
- a tqdm progress bar over batches, when tqdm is installed.
"""

from __future__ import annotations

import sys
from typing import Any, Optional, Sequence, Tuple

from cjm._survey import _is_pandas_frame, _pandas_to_arrow

__all__: list[str] = []


def _rows(data: Any) -> Optional[int]:
    for attr in ("num_rows", "height"):
        value = getattr(data, attr, None)
        if isinstance(value, int):
            return value
    try:
        return len(data)
    except TypeError:
        return None


def _prepare(data: Any, names: Sequence[str]) -> Tuple[Any, Optional[int]]:
    """The data as something with ``__arrow_c_stream__`` (or ``__arrow_c_array__``) and its
    number of rows when known."""
    if _is_pandas_frame(data):
        table = _pandas_to_arrow(data, list(dict.fromkeys(names)))
        return table, table.num_rows
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(data, duckdb.DuckDBPyRelation):
        if not hasattr(data, "__arrow_c_stream__"):
            return data.fetch_record_batch(), None
        return data, None
    return data, _rows(data)


def _progress(total: Optional[int]) -> Any:
    """A tqdm bar counting rows, or ``None`` when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, unit="rows", unit_scale=True, desc="cjm: reading events")
