//! Tabular data from Python as a stream of Arrow record batches.
//!
//! The helper `cjm._arrow._prepare` first converts what the Arrow C data interface cannot
//! carry as it is: a pandas frame becomes a pyarrow table of the named columns, a DuckDB
//! result a record batch reader, and a polars frame is narrowed to the named columns with
//! its `Null`-typed ones sent as all-null booleans (polars exports `Null` arrays with a
//! buffer the interface does not have, and arrow-rs refuses them). The data is then read
//! through the Arrow PyCapsule interface with pyo3-arrow, and those columns are read back
//! as `Null` (`cjm_arrow::NullColumns`), so every rule about a `Null` column applies to them as to pyarrow's.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;

const HELPERS: &str = "cjm._arrow";

pub(crate) use cjm_arrow::Reader;

/// Reads `data` (only the columns in `names` need to survive the conversion); `expected`
/// lists what the caller accepts, for the `TypeError` about anything else. Returns the
/// reader, the number of rows when it is known in advance, and the names of every
/// column of `data` (a data frame's own, before it was narrowed to `names`; otherwise
/// the schema's), to find columns by their usual names and to list them in messages.
pub(crate) fn read(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    names: &[&String],
    expected: &str,
) -> PyResult<(Reader, Option<u64>, Vec<String>)> {
    if let Ok(file) = data.cast::<ParquetFile>() {
        return file.get().open(py, names);
    }
    let helpers = py.import(HELPERS)?;
    let own: Option<Vec<String>> = helpers
        .getattr("_column_names")?
        .call1((data,))?
        .extract()?;
    let prepared = helpers.getattr("_prepare")?.call1((data, names.to_vec()))?;
    let (data, rows, nulls): (Bound<'_, PyAny>, Option<u64>, Vec<String>) = prepared.extract()?;
    let input: AnyRecordBatch = data.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "expected {expected}; found `{}`",
            data.get_type()
                .name()
                .map_or_else(|_| "?".to_owned(), |n| n.to_string())
        ))
    })?;
    let reader = input.into_reader()?;
    let columns = own.unwrap_or_else(|| {
        reader
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect()
    });
    if nulls.is_empty() {
        return Ok((reader, rows, columns));
    }
    Ok((
        Box::new(cjm_arrow::NullColumns::new(reader, &nulls)),
        rows,
        columns,
    ))
}

/// A Parquet file, read in Rust by the arrow-rs reader (`cjm_arrow::parquet_reader`):
/// `EventLog.from_parquet` hands it to `from_arrow`, which reads it like any Arrow
/// stream. Only the columns the ingest may read are decoded (a projection), and no
/// pyarrow table is built.
#[pyclass(frozen, module = "cjm", name = "_ParquetFile")]
pub(crate) struct ParquetFile {
    path: std::path::PathBuf,
    /// The path as given, for `OSError.filename`.
    display: Py<PyAny>,
}

impl ParquetFile {
    pub(crate) fn new(path: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Self {
            path: path.extract()?,
            display: path.clone().unbind(),
        })
    }

    fn open(
        &self,
        py: Python<'_>,
        names: &[&String],
    ) -> PyResult<(Reader, Option<u64>, Vec<String>)> {
        let file = py
            .detach(|| cjm_arrow::parquet_reader(&self.path, Some(names)))
            .map_err(|e| match e {
                cjm_arrow::Error::Io(e) => crate::source::os_error(&e, self.display.bind(py)),
                e => crate::errors::arrow_err(e),
            })?;
        Ok((file.reader, file.rows, file.columns))
    }
}
