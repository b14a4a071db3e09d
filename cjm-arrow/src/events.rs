//! Arrow record batches into an event log.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, UInt64Type};
use arrow_array::{Array, BooleanArray, Float64Array, Int64Array, RecordBatch, UInt64Array};
use arrow_schema::{ArrowError, DataType, Schema};
use cjm_core::events::columns::{Bitmap, BoolCol, ColumnBatch, F64Col, TimeCol, U64Col};
use cjm_core::events::{
    ColumnMapping, EventLog, EventLogBuilder, IngestOptions, IngestReport, IngestSpec, TimeUnit,
    TimestampFormat,
};
use cjm_core::{InputCode, ValidJourney};

use crate::columns::{bitmap, column, ints, missing, wrong_type, Ids, Strs};
use crate::{input, Error, Result};

/// How the timestamp column is read, decided once from the schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TsKind {
    /// Integer ticks of a unit (Arrow timestamps and integer columns).
    Ticks(TimeUnit),
    /// ISO-8601 text.
    Text,
    /// An all-null column.
    Null,
}

impl TsKind {
    /// How a timestamp column `name` of this type is read: an Arrow `timestamp` with a
    /// time zone in its own unit; one without a zone only when `assume_utc`; integers as
    /// ticks of `unit` (milliseconds when `None`); strings as ISO-8601 text.
    ///
    /// # Errors
    /// `naive_timestamp` for a timestamp without a zone and no `assume_utc`;
    /// `wrong_type` for any other type.
    pub fn of(
        name: &str,
        data_type: &DataType,
        unit: Option<TimeUnit>,
        assume_utc: bool,
    ) -> Result<Self> {
        use arrow_schema::TimeUnit as A;
        let of = |u: &A| match u {
            A::Second => TimeUnit::Seconds,
            A::Millisecond => TimeUnit::Milliseconds,
            A::Microsecond => TimeUnit::Microseconds,
            A::Nanosecond => TimeUnit::Nanoseconds,
        };
        Ok(match data_type {
            DataType::Timestamp(u, Some(_)) => Self::Ticks(of(u)),
            DataType::Timestamp(u, None) if assume_utc => Self::Ticks(of(u)),
            DataType::Timestamp(_, None) => {
                return Err(input(
                    InputCode::NaiveTimestamp,
                    format!(
                        "column `{name}` holds timestamps without a time zone; no zone is \
                         guessed: pass `assume_utc=True` if they are UTC, or give them a zone"
                    ),
                ))
            }
            t if t.is_integer() => Self::Ticks(unit.unwrap_or(TimeUnit::Milliseconds)),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Self::Text,
            DataType::Dictionary(_, v)
                if matches!(
                    **v,
                    DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
                ) =>
            {
                Self::Text
            }
            DataType::Null => Self::Null,
            t => {
                return Err(wrong_type(
                    name,
                    t,
                    "timestamps with a time zone, integers or ISO-8601 strings",
                ))
            }
        })
    }
}

enum Times {
    Ticks(Int64Array, TimeUnit),
    /// A `UInt64` column, read as it is: counts past `i64::MAX` are out of range.
    UnsignedTicks(UInt64Array, TimeUnit),
    Text(Strs),
    Null(usize),
}

/// The event columns of one batch, held as Arrow arrays and lent to the core as slices.
pub struct EventColumns {
    customer: Vec<Ids>,
    timestamp: Times,
    event: Strs,
    channel: Option<Strs>,
    session: Option<Strs>,
    value: Option<Float64Array>,
    consent: Option<BooleanArray>,
    extra: Vec<Strs>,
    /// Global row indices (order keys among equal timestamps), when the caller has them.
    order: Option<Int64Array>,
}

impl EventColumns {
    /// The columns of `batch` that `m` maps (and the `extra` ones), the timestamp read as
    /// `kind` says.
    ///
    /// # Errors
    /// `missing_column`, or `wrong_type` for a column of a type its role does not read.
    pub fn of(
        batch: &RecordBatch,
        m: &ColumnMapping,
        kind: TsKind,
        extra: &[String],
    ) -> Result<Self> {
        let strings = |name: &str| Strs::of(name, column(batch, name)?);
        let opt = |name: &Option<String>| name.as_deref().map(strings).transpose();
        let ts = column(batch, &m.timestamp)?;
        let timestamp = match kind {
            TsKind::Ticks(unit) if ts.data_type() == &DataType::UInt64 => {
                Times::UnsignedTicks(ts.as_primitive::<UInt64Type>().clone(), unit)
            }
            TsKind::Ticks(unit) => {
                let ints = arrow_cast::cast(ts, &DataType::Int64).map_err(|e| {
                    wrong_type(&m.timestamp, ts.data_type(), &format!("integers ({e})"))
                })?;
                Times::Ticks(ints.as_primitive::<Int64Type>().clone(), unit)
            }
            TsKind::Text => Times::Text(strings(&m.timestamp)?),
            TsKind::Null => Times::Null(ts.len()),
        };
        let value = match &m.value {
            None => None,
            Some(name) => {
                let a = column(batch, name)?;
                let t = a.data_type();
                if !(t.is_integer() || t.is_floating() || matches!(t, DataType::Null)) {
                    return Err(wrong_type(name, t, "numbers"));
                }
                let floats = arrow_cast::cast(a, &DataType::Float64)
                    .map_err(|e| wrong_type(name, t, &format!("numbers ({e})")))?;
                Some(floats.as_primitive::<Float64Type>().clone())
            }
        };
        let consent = match &m.consent {
            None => None,
            Some(name) => {
                let a = column(batch, name)?;
                match a.data_type() {
                    DataType::Boolean => Some(a.as_boolean().clone()),
                    DataType::Null => Some(BooleanArray::new_null(a.len())),
                    t => return Err(wrong_type(name, t, "booleans")),
                }
            }
        };
        Ok(Self {
            customer: m
                .customer
                .iter()
                .map(|c| Ids::of(c, column(batch, c)?))
                .collect::<Result<_>>()?,
            timestamp,
            event: strings(&m.event)?,
            channel: opt(&m.channel)?,
            session: opt(&m.session)?,
            value,
            consent,
            extra: extra.iter().map(|c| strings(c)).collect::<Result<_>>()?,
            order: None,
        })
    }

    /// Reads each row's global row index from `keys` (non-negative integers, see
    /// [`order_keys`]) instead of numbering rows from the builder's row offset
    /// (partitions that are not contiguous runs of rows, as in `cjm.spark`).
    #[must_use]
    pub fn with_order_keys(mut self, keys: Int64Array) -> Self {
        self.order = Some(keys);
        self
    }

    /// The batch as the core's borrowed columns.
    #[must_use]
    pub fn view(&self) -> ColumnBatch<'_> {
        ColumnBatch {
            customer: self.customer.iter().map(Ids::view).collect(),
            timestamp: match &self.timestamp {
                Times::Ticks(a, unit) => TimeCol::Ticks {
                    values: ints(a),
                    unit: *unit,
                },
                Times::UnsignedTicks(a, unit) => TimeCol::UnsignedTicks {
                    values: U64Col {
                        values: a.values(),
                        validity: bitmap(a.nulls()),
                    },
                    unit: *unit,
                },
                Times::Text(s) => TimeCol::Text(s.view()),
                Times::Null(n) => TimeCol::Null(*n),
            },
            event: self.event.view(),
            channel: self.channel.as_ref().map(Strs::view),
            session: self.session.as_ref().map(Strs::view),
            value: self.value.as_ref().map(|v| F64Col {
                values: v.values(),
                validity: bitmap(v.nulls()),
            }),
            consent: self.consent.as_ref().map(|c| BoolCol {
                values: Bitmap {
                    bits: c.values().values(),
                    offset: c.values().offset(),
                },
                validity: bitmap(c.nulls()),
                len: c.len(),
            }),
            extra: self.extra.iter().map(Strs::view).collect(),
            row: self.order.as_ref().map(ints),
        }
    }
}

/// Global row indices from the integer column `name`, as 64-bit integers (the core
/// refuses null and negative keys, with the row).
///
/// # Errors
/// `missing_column`; `wrong_type` for a column that is not integers.
pub fn order_keys(batch: &RecordBatch, name: &str) -> Result<Int64Array> {
    let array = column(batch, name)?;
    if !array.data_type().is_integer() {
        return Err(wrong_type(name, array.data_type(), "integers"));
    }
    let ints = arrow_cast::cast(array, &DataType::Int64).map_err(|e| {
        input(
            InputCode::WrongType,
            format!("column `{name}` cannot be read as integers ({e})"),
        )
    })?;
    Ok(ints.as_primitive::<Int64Type>().clone())
}

/// An Arrow stream's way into an event log, decided from its schema before any row is
/// read: the columns (the spec resolved against the data's column names), how the
/// timestamps are read, and a builder with the spec's options adjusted to them.
///
/// ```no_run
/// # fn main() -> Result<(), cjm_arrow::Error> {
/// use cjm_core::events::IngestSpec;
/// let file = cjm_arrow::parquet_reader("events.parquet".as_ref(), None)?;
/// let spec = IngestSpec::default(); // the usual column names, found in the file
/// let ingest = cjm_arrow::EventIngest::new(&spec, &file.reader.schema(), &file.columns, None)?;
/// let (log, report) = ingest.read(file.reader, |_rows| Ok(()))?;
/// println!("{} events of {} rows", log.len(), report.rows_read);
/// # Ok(())
/// # }
/// ```
pub struct EventIngest {
    mapping: ColumnMapping,
    kind: TsKind,
    extra: Vec<String>,
    order_key: Option<String>,
    builder: EventLogBuilder,
    checked: bool,
}

impl EventIngest {
    /// The plan for a whole log: `names` are the data's column names (where the spec's
    /// preset and usual names are looked for; a data frame's own, before it was narrowed
    /// to the columns read), `journey` binds the log.
    ///
    /// # Errors
    /// The spec's own errors (`invalid_option`, `invalid_key`), `missing_column`,
    /// `naive_timestamp`, `wrong_type` for the timestamp column.
    pub fn new<S: AsRef<str>>(
        spec: &IngestSpec,
        schema: &Schema,
        names: &[S],
        journey: Option<&ValidJourney>,
    ) -> Result<Self> {
        let choice = spec.choice()?;
        let mapping = choice.resolve(names, spec.assume_utc)?;
        let (kind, options) = plan(schema, &mapping, &spec.extra, spec.options())?;
        let builder = spec.builder(options, journey)?.columns(mapping.clone());
        Ok(Self {
            mapping,
            kind,
            extra: spec.extra.clone(),
            order_key: None,
            builder,
            checked: true,
        })
    }

    /// The plan for one partition of a log (`IngestSpec::partition_options`), each row's
    /// global index read from the integer column `order_key` when there is one (else
    /// rows are numbered from 0 in the order read).
    ///
    /// # Errors
    /// As [`Self::new`], and the partition rule's `invalid_option`.
    pub fn partition(
        spec: &IngestSpec,
        schema: &Schema,
        order_key: Option<String>,
        journey: Option<&ValidJourney>,
    ) -> Result<Self> {
        let choice = spec.choice()?;
        let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let mapping = choice.resolve(&names, spec.assume_utc)?;
        let options = spec.partition_options()?;
        let (kind, options) = plan(schema, &mapping, order_key.as_slice(), options)?;
        Ok(Self {
            builder: spec.builder(options, journey)?,
            mapping,
            kind,
            extra: Vec::new(),
            order_key,
            checked: false,
        })
    }

    /// The columns the plan reads.
    #[must_use]
    pub fn mapping(&self) -> &ColumnMapping {
        &self.mapping
    }

    /// Reads every batch into the log, calling `progress(rows)` after each; a whole
    /// log's checks (`no_rows_used`…) apply as the core's `finish_checked` says, a
    /// partition's do not.
    ///
    /// # Errors
    /// The stream's errors (an unreadable Parquet page is `invalid_parquet`), a column of
    /// the wrong type in a batch, a bad row (with its index), and [`Error::Stopped`] with
    /// the error `progress` returned.
    pub fn read(
        mut self,
        reader: impl Iterator<Item = Result<RecordBatch, ArrowError>>,
        mut progress: impl FnMut(usize) -> Result<(), Box<dyn std::error::Error + Send + Sync>>,
    ) -> Result<(EventLog, IngestReport)> {
        for batch in reader {
            let batch = batch.map_err(stream_error)?;
            let mut columns = EventColumns::of(&batch, &self.mapping, self.kind, &self.extra)?;
            if let Some(name) = &self.order_key {
                columns = columns.with_order_keys(order_keys(&batch, name)?);
            }
            self.builder.reserve(batch.num_rows());
            self.builder.push_batch(&columns.view())?;
            progress(batch.num_rows()).map_err(Error::Stopped)?;
        }
        if self.checked {
            Ok(self.builder.finish_checked()?)
        } else {
            Ok(self.builder.finish())
        }
    }
}

/// An error of the stream: a Parquet file that fails past its footer is `invalid_parquet`.
fn stream_error(e: ArrowError) -> Error {
    match e {
        ArrowError::ParquetError(m) => input(
            InputCode::InvalidParquet,
            format!(
                "the Parquet file cannot be read: {m}; read it with another Parquet reader \
                 (pyarrow, polars) and pass the table to `EventLog.from_arrow` (Python) or \
                 `cjm_arrow::EventIngest` (Rust)"
            ),
        ),
        e => Error::Arrow(e),
    }
}

/// Checks the mapped (and `checked`) columns exist, classifies the timestamp column, and
/// adjusts `options` to it (the unit of its ticks; text the mapping says is UTC).
fn plan(
    schema: &Schema,
    m: &ColumnMapping,
    checked: &[String],
    options: IngestOptions,
) -> Result<(TsKind, IngestOptions)> {
    let all = m
        .customer
        .iter()
        .chain([&m.timestamp, &m.event])
        .chain(m.channel.iter())
        .chain(m.session.iter())
        .chain(m.value.iter())
        .chain(m.consent.iter())
        .chain(checked);
    for name in all {
        if schema.field_with_name(name).is_err() {
            return Err(missing(name));
        }
    }
    let ts_field = schema
        .field_with_name(&m.timestamp)
        .map_err(|_| missing(&m.timestamp))?;
    let integer_unit = match m.timestamp_format {
        TimestampFormat::Integer { unit } => Some(unit),
        TimestampFormat::Iso8601 { .. } => None,
    };
    let text_utc = matches!(
        m.timestamp_format,
        TimestampFormat::Iso8601 { assume_utc: true }
    );
    let kind = TsKind::of(
        &m.timestamp,
        ts_field.data_type(),
        integer_unit,
        options.assume_utc,
    )?;
    let options = IngestOptions {
        time_unit: match kind {
            TsKind::Ticks(u) => u,
            TsKind::Text | TsKind::Null => TimeUnit::Milliseconds,
        },
        assume_utc: options.assume_utc || text_utc,
        ..options
    };
    Ok((kind, options))
}
