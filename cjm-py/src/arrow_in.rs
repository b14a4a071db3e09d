//! Tabular data from Python as a stream of Arrow record batches.
//!
//! The helper `cjm._arrow._prepare` first converts what the Arrow C data interface cannot
//! carry as it is: a pandas frame becomes a pyarrow table of the named columns, a DuckDB
//! result a record batch reader, and a polars frame is narrowed to the named columns with
//! its `Null`-typed ones sent as all-null booleans (polars exports `Null` arrays with a
//! buffer the interface does not have, and arrow-rs refuses them). The data is then read
//! through the Arrow PyCapsule interface with pyo3-arrow, and those columns are read back
//! as `Null` here, so every rule about a `Null` column applies to them as to pyarrow's.

use std::sync::Arc;

use arrow_array::{new_null_array, RecordBatch, RecordBatchOptions, RecordBatchReader};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3_arrow::input::AnyRecordBatch;

const HELPERS: &str = "cjm._arrow";

/// Arrow data, read batch by batch.
pub(crate) type Reader = Box<dyn RecordBatchReader + Send>;

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
    Ok((Box::new(AsNull::new(reader, &nulls)), rows, columns))
}

/// A Parquet file, read in Rust by the arrow-rs reader: `EventLog.from_parquet` hands it
/// to `from_arrow`, which reads it like any Arrow stream. Only the columns the ingest may
/// read are decoded (a projection), and no pyarrow table is built.
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
        use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
        use parquet::arrow::ProjectionMask;
        let file = py
            .detach(|| {
                let file = std::fs::File::open(&self.path)?;
                // A directory opens on Unix and fails at the first read: say so as `open`
                // does (EISDIR, 21 on Linux and macOS, is Python's IsADirectoryError).
                if file.metadata()?.is_dir() {
                    return Err(std::io::Error::from_raw_os_error(21));
                }
                Ok(file)
            })
            .map_err(|e| crate::source::os_error(&e, self.display.bind(py)))?;
        let invalid = |e: &dyn std::fmt::Display| {
            crate::errors::core_err(cjm_core::Error::Input {
                code: cjm_core::InputCode::InvalidParquet,
                row: None,
                message: format!(
                    "`{}` cannot be read as Parquet: {e}; read it with pyarrow or polars and \
                     pass the table to `EventLog.from_arrow`",
                    self.path.display()
                ),
            })
        };
        let builder = py
            .detach(|| ParquetRecordBatchReaderBuilder::try_new(file))
            .map_err(|e| invalid(&e))?;
        let columns: Vec<String> = builder
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        let rows = u64::try_from(builder.metadata().file_metadata().num_rows()).ok();
        let keep = columns
            .iter()
            .enumerate()
            .filter(|(_, c)| names.contains(c))
            .map(|(i, _)| i);
        let mask = ProjectionMask::roots(builder.parquet_schema(), keep);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(1 << 16)
            .build()
            .map_err(|e| invalid(&e))?;
        Ok((Box::new(Prefetch::new(reader)), rows, columns))
    }
}

/// Batches decoded on a second thread while the caller ingests the previous ones (at
/// most two waiting), so that decoding and ingesting a file overlap on two cores.
struct Prefetch {
    schema: SchemaRef,
    batches: std::sync::mpsc::Receiver<Result<RecordBatch, ArrowError>>,
    /// Joined when the batches end, so that a decoder that stopped early (a panic on a
    /// malformed file) is an error, never a shorter log.
    decoder: Option<std::thread::JoinHandle<()>>,
}

impl Prefetch {
    fn new(reader: impl RecordBatchReader + Send + 'static) -> Self {
        let schema = reader.schema();
        let (send, batches) = std::sync::mpsc::sync_channel(2);
        // The thread ends with the file, or when the receiver is dropped (a send fails).
        let decoder = std::thread::spawn(move || {
            let mut reader = reader;
            loop {
                // The arrow-rs decoder can panic on a malformed page: that ends the
                // batches with an error naming it, never a shorter log.
                let next = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.next()))
                    .unwrap_or_else(|payload| {
                        let why = payload
                            .downcast_ref::<&str>()
                            .map(|s| (*s).to_owned())
                            .or_else(|| payload.downcast_ref::<String>().cloned())
                            .unwrap_or_default();
                        Some(Err(ArrowError::ParquetError(format!(
                            "the decoder stopped on a malformed page ({why})"
                        ))))
                    });
                let Some(batch) = next else { break };
                let stop = batch.is_err();
                if send.send(batch).is_err() || stop {
                    break;
                }
            }
        });
        Self {
            schema,
            batches,
            decoder: Some(decoder),
        }
    }
}

impl Iterator for Prefetch {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Ok(batch) = self.batches.recv() {
            return Some(batch);
        }
        let stopped = self.decoder.take().is_some_and(|d| d.join().is_err());
        stopped.then(|| {
            Err(ArrowError::ParquetError(
                "the decoder stopped on a malformed page".to_owned(),
            ))
        })
    }
}

impl RecordBatchReader for Prefetch {
    fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }
}

/// A reader whose named columns are read as `Null` arrays of the batch's length.
struct AsNull {
    inner: Reader,
    schema: SchemaRef,
    columns: Vec<usize>,
}

impl AsNull {
    fn new(inner: Reader, names: &[String]) -> Self {
        let schema = inner.schema();
        let mut columns = Vec::new();
        let fields: Vec<Field> = schema
            .fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if names.iter().any(|n| n == f.name()) {
                    columns.push(i);
                    Field::new(f.name(), DataType::Null, true).with_metadata(f.metadata().clone())
                } else {
                    f.as_ref().clone()
                }
            })
            .collect();
        let schema = Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone()));
        Self {
            inner,
            schema,
            columns,
        }
    }

    fn restore(&self, batch: &RecordBatch) -> Result<RecordBatch, ArrowError> {
        let rows = batch.num_rows();
        let mut arrays = batch.columns().to_vec();
        for &i in &self.columns {
            if let Some(array) = arrays.get_mut(i) {
                *array = new_null_array(&DataType::Null, rows);
            }
        }
        RecordBatch::try_new_with_options(
            Arc::clone(&self.schema),
            arrays,
            &RecordBatchOptions::new().with_row_count(Some(rows)),
        )
    }
}

impl Iterator for AsNull {
    type Item = Result<RecordBatch, ArrowError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(self.inner.next()?.and_then(|batch| self.restore(&batch)))
    }
}

impl RecordBatchReader for AsNull {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }
}
