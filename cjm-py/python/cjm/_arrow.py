"""How tabular data reaches the extension as Arrow (``EventLog.from_arrow``,
``cjm.survey_kpis``, ``cjm.compare_groups``).

Every rule lives in the Rust core; this module only converts, and only the columns the
call names (a missing one is reported by the extension as ``missing_column``):

- a pandas frame becomes a pyarrow table: NaN in a NumPy float column stays NaN (the core
  rejects the row as ``not_finite``/``non_finite_value`` and counts it, where pandas' own
  export would make it null), while ``None``/``NaN`` in an object column and ``NaT`` in a
  datetime column become nulls (counted as missing). An object column whose values no
  single Arrow type can hold (``str`` and ``int`` mixed) raises ``InputError``
  (``wrong_type``) naming the column, instead of pyarrow's ``ArrowTypeError``;
- a polars frame is narrowed to the named columns, and a column of dtype ``Null`` is sent
  as an all-null ``Boolean`` column that the extension reads back as ``Null``: polars
  exports ``Null`` columns with a buffer that the Arrow C data interface does not have
  (pola-rs/polars#22934), which the Rust Arrow reader refuses. A named column with a
  ``Null`` nested inside (``List(Null)``) raises ``InputError`` (``wrong_type``);
- a DuckDB result is read as a stream of record batches;
- a ``pyarrow.RecordBatchReader`` is a stream that can be read once: one that was given
  to cjm before raises ``InputError`` (``consumed_stream``) instead of giving an empty log
  or table, which is what the exhausted stream would yield.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any, List, Optional, Sequence, Tuple

from cjm._errors import InputError

__all__: list[str] = []


def _is_pandas_frame(data: object) -> bool:
    pandas = sys.modules.get("pandas")
    return pandas is not None and isinstance(data, pandas.DataFrame)


def _is_polars_frame(data: object) -> bool:
    polars = sys.modules.get("polars")
    return polars is not None and isinstance(data, polars.DataFrame)


def _pandas_to_arrow(frame: Any, names: Sequence[str]) -> Any:
    try:
        import numpy as np
        import pyarrow as pa
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError(
            "reading a pandas DataFrame needs the optional package `pyarrow`:"
            " pip install pyarrow (or pass a dict of lists)"
        ) from err
    arrays = {}
    for name in names:
        if name not in frame.columns:
            continue  # reported by the core as `missing_column`
        column = frame[name]
        if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
            # NumPy floats: NaN is a value here, not a missing answer.
            arrays[name] = pa.array(column.to_numpy(), from_pandas=False)
            continue
        try:
            arrays[name] = pa.array(column, from_pandas=True)
        except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError) as err:
            raise _mixed_column(name, column, err) from err
    return pa.table(arrays) if arrays else pa.table({"": pa.array([], pa.null())})


def _mixed_column(name: str, column: Any, err: Exception) -> InputError:
    """``wrong_type`` for a pandas column pyarrow cannot read as one Arrow type, with the
    Python types it holds and where the second one first appears."""
    first: Optional[Tuple[int, str]] = None
    other: Optional[Tuple[int, str]] = None
    kinds: List[str] = []
    for row, value in enumerate(column.array):
        if value is None or (isinstance(value, float) and value != value):
            continue  # missing: not a type of its own
        kind = type(value).__name__
        if kind not in kinds:
            kinds.append(kind)
        if first is None:
            first = (row, kind)
        elif other is None and kind != first[1]:
            other = (row, kind)
    where = ""
    if first is not None and other is not None:
        where = f" (`{first[1]}` at row {first[0]}, `{other[1]}` at row {other[0]})"
    held = ", ".join(f"`{k}`" for k in kinds) or "values"
    return InputError(
        f"column `{name}` of the pandas DataFrame holds {held} values that no single Arrow "
        f"type can hold{where}: pyarrow says: {err}. Give the column one type first, e.g. "
        f"`df[{name!r}] = df[{name!r}].astype(str)` for text or "
        f"`df[{name!r}] = pd.to_numeric(df[{name!r}], errors=\"coerce\")` for numbers",
        "wrong_type",
    )


def _polars_to_arrow(frame: Any, names: Sequence[str]) -> Tuple[Any, List[str]]:
    """The named columns of a polars frame, with ``Null`` columns as all-null booleans, and
    the names of those columns."""
    import polars as pl

    present = [name for name in names if name in frame.columns]
    picked = frame.select(present)
    nulls = [name for name, dtype in picked.schema.items() if dtype == pl.Null]
    for name, dtype in picked.schema.items():
        if name not in nulls and _holds_null(dtype):
            raise InputError(
                f"column `{name}` has polars dtype `{dtype}`, which polars cannot export"
                " through the Arrow C data interface (a `Null` inside it): give it the"
                " flat type the column is for (text, numbers, timestamps or booleans)",
                "wrong_type",
            )
    if nulls:
        picked = picked.with_columns(pl.col(name).cast(pl.Boolean) for name in nulls)
    return picked, nulls


def _holds_null(dtype: Any) -> bool:
    """Whether a polars dtype is or nests ``Null`` (``List(Null)``, a struct field)."""
    import polars as pl

    if dtype == pl.Null:
        return True
    inner = getattr(dtype, "inner", None)
    if inner is not None and _holds_null(inner):
        return True
    return any(_holds_null(field.dtype) for field in getattr(dtype, "fields", None) or ())


def _rows(data: Any) -> Optional[int]:
    for attr in ("num_rows", "height"):
        value = getattr(data, attr, None)
        if isinstance(value, int):
            return value
    try:
        return len(data)
    except TypeError:
        return None


_read_streams: "weakref.WeakSet[Any]" = weakref.WeakSet()
"""The one-shot streams (``pyarrow.RecordBatchReader``) cjm has started to read."""


def _claim_stream(data: Any) -> None:
    """Notes that a one-shot stream is being read; raises ``InputError``
    (``consumed_stream``) when cjm has read it before."""
    pa = sys.modules.get("pyarrow")
    if pa is None or not isinstance(data, pa.RecordBatchReader):
        return
    if data in _read_streams:
        raise InputError(
            "this pyarrow.RecordBatchReader was given to cjm before, and a stream can be"
            " read only once (read again, it holds no rows): cjm does not read it twice."
            " Pass a new reader, or the table it came from (`pa.Table`, a DataFrame),"
            " which can be read any number of times",
            "consumed_stream",
        )
    _read_streams.add(data)


def _column_names(data: Any) -> Optional[List[str]]:
    """Every column name of a pandas or polars frame (``_prepare`` narrows a frame to the
    columns read; the core finds columns by their usual names among all of them and lists
    them in its messages), or ``None``: the Arrow schema of anything else has them all."""
    if _is_pandas_frame(data) or _is_polars_frame(data):
        return [str(name) for name in data.columns]
    return None


def _prepare(data: Any, names: Sequence[str]) -> Tuple[Any, Optional[int], List[str]]:
    """The data as something with ``__arrow_c_stream__`` (or ``__arrow_c_array__``), its
    number of rows when known, and the columns the extension must read as ``Null``."""
    names = list(dict.fromkeys(names))
    _claim_stream(data)
    if _is_pandas_frame(data):
        table = _pandas_to_arrow(data, names)
        return table, table.num_rows, []
    if _is_polars_frame(data):
        picked, nulls = _polars_to_arrow(data, names)
        return picked, picked.height, nulls
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(data, duckdb.DuckDBPyRelation):
        if not hasattr(data, "__arrow_c_stream__"):
            return data.fetch_record_batch(), None, []
        return data, None, []
    return data, _rows(data), []
