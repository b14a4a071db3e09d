//! Arrow in and out for [`cjm_core`]: record batches (and Parquet files) into event logs
//! and survey states, and logs and result tables back out as record batches.
//!
//! The core takes columns it borrows ([`cjm_core::events::columns`]): this crate lends it
//! Arrow arrays as they are, a batch at a time, without copying rows. Integer customer
//! ids stay integers, dictionary columns are read through their codes, timestamps in any
//! Arrow unit are converted by the core arithmetically. Every rule about the rows (what
//! is skipped, what is an error, in which order) is the core's; what this crate decides
//! is only which Arrow types a role accepts:
//!
//! | role | Arrow types read |
//! |---|---|
//! | customer | integers (kept as `i64`; `UInt64` past `i64::MAX` read as text), strings, dictionaries of strings, `Null` |
//! | timestamp | `timestamp` with a time zone in any unit; without one only with `assume_utc` (else `naive_timestamp`); integers (ticks of `unit`, milliseconds by default); ISO-8601 strings and dictionaries of them; `Null` |
//! | event, channel, session, extra | `Utf8`, `LargeUtf8`, `Utf8View`, dictionaries with integer keys (values other than `Utf8`/`LargeUtf8` cast to text); integers (read as their decimal text), `Null` |
//! | survey scope, segment | strings and dictionaries of strings as above, `Null`; not integers |
//! | value | integers and floats (as `f64`), `Null` |
//! | consent | `Boolean`, `Null` |
//! | NPS, CSAT, CES answers | integers and floats of any width, read in their own type (`Float16` as `Float32`), `Null` |
//!
//! Anything else is an [`cjm_core::Error::Input`] with code `wrong_type` naming the
//! column; a named column that is not there is `missing_column`.
//!
//! Used by the Python binding (`EventLog.from_arrow`, `EventLog.from_parquet`,
//! `survey_kpis`, `EventLog.to_arrow`, the `to_arrow()` of every result, `cjm.spark`'s
//! partitions) and by any Rust service holding Arrow data: see [`EventIngest`] and the
//! `parquet_funnel` example.

pub mod columns;
mod events;
mod nulls;
mod out;
#[cfg(feature = "parquet")]
mod parquet_in;
mod survey;

pub use events::{order_keys, EventColumns, EventIngest, TsKind};
pub use nulls::NullColumns;
pub use out::{log_batch, synth_batches, synth_schema, table_batch};
#[cfg(feature = "parquet")]
pub use parquet_in::{parquet_reader, ParquetStream};
pub use survey::{survey_state, SurveyColumns};

/// Arrow data, read batch by batch.
pub type Reader = Box<dyn arrow_array::RecordBatchReader + Send>;

/// Why Arrow data could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The core refused the data or the options (a missing column, a column of the wrong
    /// type, a bad row, a file that is not Parquet…), with its stable code.
    #[error(transparent)]
    Core(#[from] cjm_core::Error),
    /// The Arrow stream itself failed (an error of the producer).
    #[error("{0}")]
    Arrow(#[from] arrow_schema::ArrowError),
    /// A file could not be opened.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// The caller's progress callback stopped the read with this error.
    #[error("{0}")]
    Stopped(Box<dyn std::error::Error + Send + Sync>),
}

/// The result of this crate's functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An input error of the core's, without a row.
pub(crate) fn input(code: cjm_core::InputCode, message: String) -> Error {
    Error::Core(cjm_core::Error::Input {
        code,
        row: None,
        message,
    })
}
