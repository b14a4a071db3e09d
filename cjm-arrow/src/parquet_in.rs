//! Parquet files read by the arrow-rs reader, decoded on a second thread.

use std::path::Path;

use arrow_array::{RecordBatch, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use cjm_core::InputCode;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use crate::{input, Reader, Result};

/// A Parquet file opened for reading.
pub struct ParquetStream {
    /// The batches (64 Ki rows each) of the columns asked for.
    pub reader: Reader,
    /// The number of rows, from the footer.
    pub rows: Option<u64>,
    /// The names of every column of the file, read or not (to find columns by their
    /// usual names, and to list them in messages).
    pub columns: Vec<String>,
}

/// Opens the Parquet file at `path`, decoding only the columns in `names` (every column
/// when `None`). Batches are decoded on a second thread while the caller
/// ingests the previous ones (at most two waiting), so that decoding and ingesting
/// overlap on two cores.
///
/// # Errors
/// [`crate::Error::Io`] when the file cannot be opened (a directory is `EISDIR`);
/// `invalid_parquet` when it is not Parquet.
pub fn parquet_reader(path: &Path, names: Option<&[&String]>) -> Result<ParquetStream> {
    let file = std::fs::File::open(path)?;
    // A directory opens on Unix and fails at the first read: say so as `open` does
    // (EISDIR, 21 on Linux and macOS, is Python's IsADirectoryError).
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::from_raw_os_error(21).into());
    }
    let invalid = |e: &dyn std::fmt::Display| {
        input(
            InputCode::InvalidParquet,
            format!(
                "`{}` cannot be read as Parquet: {e}; read it with another Parquet reader \
                 (pyarrow, polars) and pass the table to `EventLog.from_arrow` (Python) or \
                 `cjm_arrow::EventIngest` (Rust)",
                path.display()
            ),
        )
    };
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| invalid(&e))?;
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
        .filter(|(_, c)| names.is_none_or(|names| names.contains(c)))
        .map(|(i, _)| i);
    let mask = ProjectionMask::roots(builder.parquet_schema(), keep);
    let reader = builder
        .with_projection(mask)
        .with_batch_size(1 << 16)
        .build()
        .map_err(|e| invalid(&e))?;
    Ok(ParquetStream {
        reader: Box::new(Prefetch::new(reader)),
        rows,
        columns,
    })
}

/// Batches decoded on a second thread (at most two waiting).
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
