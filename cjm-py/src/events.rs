//! `cjm.EventLog`: event logs from Arrow data or CSV, and their analyses.
//!
//! Arrow data (pyarrow, DuckDB, pandas and polars through `cjm/_arrow.py`, anything with
//! `__arrow_c_stream__`) is read batch by batch through the Arrow PyCapsule interface
//! and pushed row by row into the core's [`EventLogBuilder`] in Rust, with the GIL
//! released; the core accounts for every row ([`cjm_core::events::IngestReport`]).
//!
//! Timestamps: an Arrow `timestamp` column with a time zone is read in its own unit
//! (the builder takes that unit); a timestamp column *without* a time zone is refused
//! (`naive_timestamp`) unless the caller says it is UTC (`assume_utc=True`) — no zone is
//! guessed; an integer column is a count of `unit` since the epoch; a string column is
//! ISO-8601 text, read by the core.

use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, TimestampMillisecondBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type,
    UInt8Type,
};
use arrow_array::{
    Array, ArrayRef, BooleanArray, DictionaryArray, Float64Array, GenericStringArray, Int64Array,
    LargeStringArray, OffsetSizeTrait, RecordBatch, RecordBatchReader, StringArray, UInt64Array,
};
use arrow_buffer::NullBuffer;
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use cjm_core::events::columns::{
    Bitmap, BoolCol, ColumnBatch, F64Col, I64Col, IdCol, Keys, StrArray, StrCol, TimeCol, U64Col,
    Utf8,
};
use cjm_core::events::synth::{for_each_event, SynthOptions};
use cjm_core::events::{
    ColumnMapping, DirectlyFollowsOptions, DriverOptions, EventLog, EventLogBuilder, FilterOptions,
    FlowOptions, Funnel, FunnelOptions, FunnelTrendsOptions, IngestOptions, IngestReport,
    IngestSpec, JourneyStateOptions, LogOperation, MapLevel, RelabelOptions, RetentionOptions,
    SampleOptions, SessionOptions, StepSpec, TimeUnit, TimestampFormat, TrendsOptions,
    VariantOptions,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use pyo3_arrow::PyTable;

use crate::convert::{read_keywords, with_keywords};
use crate::errors::{core_err, input_err, warn_report};
use crate::results::{
    PyConformance, PyDirectlyFollows, PyDrivers, PyFlows, PyFunnelResult, PyFunnelTrendsResult,
    PyIngestReport, PyJourneyStates, PyRetentionResult, PyTraffic, PyTrendsResult, PyVariants,
};
use crate::PyJourney;

const HELPERS: &str = "cjm._events";

/// The core's ingest spec of the keyword arguments of `from_arrow` / `from_csv`: every
/// option (columns, preset, unit, flags, key, extra columns) is the core's
/// ([`IngestSpec`]), read as it reads any options.
fn ingest_spec(options: Option<&Bound<'_, PyDict>>, what: &str) -> PyResult<IngestSpec> {
    match options {
        Some(d) if !d.is_empty() => crate::options_from(d.as_any(), what),
        _ => Ok(IngestSpec::default()),
    }
}

// ---------------------------------------------------------------------------------------
// CSV

/// Where CSV comes from: text in memory, or a file (with the argument that named it, for
/// the `OSError`).
enum CsvInput<'a, 'py> {
    Bytes(Vec<u8>),
    File(std::path::PathBuf, &'a Bound<'py, PyAny>),
}

/// Reads CSV into a log with the core's reader (a file streamed, never read whole), with
/// the GIL released; emits the report's warnings.
fn read_csv_input(
    py: Python<'_>,
    input: CsvInput<'_, '_>,
    spec: &IngestSpec,
    journey: Option<&Bound<'_, PyJourney>>,
) -> PyResult<(EventLog, IngestReport)> {
    let choice = spec.choice().map_err(core_err)?;
    let b = spec
        .builder(spec.options(), journey.map(|j| &j.get().inner))
        .map_err(core_err)?;
    let (log, report) = match input {
        CsvInput::Bytes(bytes) => py
            .detach(|| cjm_core::events::read_csv(bytes.as_slice(), choice, b))
            .map_err(core_err)?,
        CsvInput::File(path, display) => {
            // The first read happens here, so that a file that cannot be read (a
            // directory…) is an `OSError`, not a CSV problem.
            let file = py
                .detach(|| {
                    let mut file = std::io::BufReader::new(std::fs::File::open(&path)?);
                    std::io::BufRead::fill_buf(&mut file)?;
                    Ok::<_, std::io::Error>(file)
                })
                .map_err(|e| crate::source::os_error(&e, display))?;
            py.detach(|| cjm_core::events::read_csv(file, choice, b))
                .map_err(core_err)?
        }
    };
    warn_report(py, &report)?;
    Ok((log, report))
}

// ---------------------------------------------------------------------------------------
// Arrow columns

/// A string column of one batch, in a layout the core reads in place.
pub(crate) enum Strs {
    Utf8(StringArray),
    Large(LargeStringArray),
    /// A dictionary array whose values are `Utf8` or `LargeUtf8`.
    Dict(ArrayRef),
    Null(usize),
}

fn wrong_type(name: &str, found: &DataType, wanted: &str) -> PyErr {
    input_err(
        cjm_core::InputCode::WrongType,
        format!("column `{name}` has Arrow type `{found}` where {wanted} are needed"),
    )
}

pub(crate) fn bitmap(nulls: Option<&NullBuffer>) -> Option<Bitmap<'_>> {
    nulls.map(|n| Bitmap {
        bits: n.inner().values(),
        offset: n.inner().offset(),
    })
}

/// Arrow's two string offset widths, as the core's [`Utf8`] layouts.
trait Offsets: OffsetSizeTrait {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a>;
}

impl Offsets for i32 {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a> {
        Utf8::Offsets32 { offsets, data }
    }
}

impl Offsets for i64 {
    fn utf8<'a>(offsets: &'a [Self], data: &'a [u8]) -> Utf8<'a> {
        Utf8::Offsets64 { offsets, data }
    }
}

fn str_array<O: Offsets>(a: &GenericStringArray<O>) -> StrArray<'_> {
    StrArray {
        values: O::utf8(a.value_offsets(), a.values().as_slice()),
        validity: bitmap(a.nulls()),
    }
}

fn plain(values: &ArrayRef) -> Option<StrArray<'_>> {
    match values.data_type() {
        DataType::Utf8 => Some(str_array(values.as_string::<i32>())),
        DataType::LargeUtf8 => Some(str_array(values.as_string::<i64>())),
        _ => None,
    }
}

macro_rules! dict_keys {
    ($array:expr, $($t:ty => $v:ident),*) => {{
        let a: &ArrayRef = $array;
        let mut out = None;
        $(
            if out.is_none() {
                if let Some(d) = a.as_any().downcast_ref::<DictionaryArray<$t>>() {
                    out = Some((Keys::$v(d.keys().values()), bitmap(d.keys().nulls()), d.values()));
                }
            }
        )*
        out
    }};
}

impl Strs {
    pub(crate) fn of(name: &str, array: &ArrayRef) -> PyResult<Self> {
        let cast = |to: &DataType| {
            arrow_cast::cast(array, to)
                .map_err(|e| wrong_type(name, array.data_type(), &format!("strings ({e})")))
        };
        Ok(match array.data_type() {
            DataType::Utf8 => Self::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Self::Large(array.as_string::<i64>().clone()),
            DataType::Utf8View => {
                Self::Large(cast(&DataType::LargeUtf8)?.as_string::<i64>().clone())
            }
            DataType::Null => Self::Null(array.len()),
            DataType::Dictionary(_, v) if matches!(**v, DataType::Utf8 | DataType::LargeUtf8) => {
                Self::Dict(array.clone())
            }
            DataType::Dictionary(k, _) => Self::Dict(cast(&DataType::Dictionary(
                k.clone(),
                Box::new(DataType::LargeUtf8),
            ))?),
            t if t.is_integer() => Self::Utf8(cast(&DataType::Utf8)?.as_string::<i32>().clone()),
            t => return Err(wrong_type(name, t, "strings")),
        })
    }

    pub(crate) fn view(&self) -> StrCol<'_> {
        match self {
            Self::Utf8(a) => StrCol::Plain(str_array(a)),
            Self::Large(a) => StrCol::Plain(str_array(a)),
            Self::Null(n) => StrCol::Null(*n),
            Self::Dict(a) => {
                let parts = dict_keys!(a,
                    Int8Type => I8, Int16Type => I16, Int32Type => I32, Int64Type => I64,
                    UInt8Type => U8, UInt16Type => U16, UInt32Type => U32, UInt64Type => U64);
                match parts.and_then(|(keys, validity, values)| {
                    plain(values).map(|values| StrCol::Dict {
                        keys,
                        validity,
                        values,
                    })
                }) {
                    Some(col) => col,
                    // `of` only keeps dictionaries of strings with integer keys.
                    None => StrCol::Null(a.len()),
                }
            }
        }
    }
}

/// A customer column: integers stay integers.
enum Ids {
    Int(Int64Array),
    Str(Strs),
}

impl Ids {
    fn of(name: &str, array: &ArrayRef) -> PyResult<Self> {
        let t = array.data_type();
        if t.is_integer() {
            // UInt64 ids above i64::MAX do not fit: they are read as text instead.
            if let Ok(ints) = arrow_cast::cast_with_options(
                array,
                &DataType::Int64,
                &arrow_cast::CastOptions {
                    safe: false,
                    ..Default::default()
                },
            ) {
                return Ok(Self::Int(ints.as_primitive::<Int64Type>().clone()));
            }
        }
        Strs::of(name, array).map(Self::Str)
    }

    fn view(&self) -> IdCol<'_> {
        match self {
            Self::Int(a) => IdCol::Int(ints(a)),
            Self::Str(s) => IdCol::Str(s.view()),
        }
    }
}

fn ints(a: &Int64Array) -> I64Col<'_> {
    I64Col {
        values: a.values(),
        validity: bitmap(a.nulls()),
    }
}

/// How the timestamp column is read, decided once from the schema.
#[derive(Clone, Copy)]
pub(crate) enum TsKind {
    /// Integer ticks of a unit (Arrow timestamps and integer columns).
    Ticks(TimeUnit),
    /// ISO-8601 text.
    Text,
    /// An all-null column.
    Null,
}

pub(crate) fn ts_kind(
    name: &str,
    data_type: &DataType,
    unit: Option<TimeUnit>,
    assume_utc: bool,
) -> PyResult<TsKind> {
    use arrow_schema::TimeUnit as A;
    let of = |u: &A| match u {
        A::Second => TimeUnit::Seconds,
        A::Millisecond => TimeUnit::Milliseconds,
        A::Microsecond => TimeUnit::Microseconds,
        A::Nanosecond => TimeUnit::Nanoseconds,
    };
    Ok(match data_type {
        DataType::Timestamp(u, Some(_)) => TsKind::Ticks(of(u)),
        DataType::Timestamp(u, None) if assume_utc => TsKind::Ticks(of(u)),
        DataType::Timestamp(_, None) => {
            return Err(input_err(
                cjm_core::InputCode::NaiveTimestamp,
                format!(
                    "column `{name}` holds timestamps without a time zone; no zone is guessed: \
                     pass `assume_utc=True` if they are UTC, or give them a zone"
                ),
            ))
        }
        t if t.is_integer() => TsKind::Ticks(unit.unwrap_or(TimeUnit::Milliseconds)),
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => TsKind::Text,
        DataType::Dictionary(_, v)
            if matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            ) =>
        {
            TsKind::Text
        }
        DataType::Null => TsKind::Null,
        t => {
            return Err(wrong_type(
                name,
                t,
                "timestamps with a time zone, integers or ISO-8601 strings",
            ))
        }
    })
}

enum Times {
    Ticks(Int64Array, TimeUnit),
    /// A `UInt64` column, read as it is: counts past `i64::MAX` are out of range.
    UnsignedTicks(UInt64Array, TimeUnit),
    Text(Strs),
    Null(usize),
}

/// The columns of one batch, held as Arrow arrays and lent to the core as slices.
pub(crate) struct BatchColumns {
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

fn column<'a>(batch: &'a RecordBatch, name: &str) -> PyResult<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        input_err(
            cjm_core::InputCode::MissingColumn,
            format!("the data has no column `{name}`"),
        )
    })
}

impl BatchColumns {
    pub(crate) fn of(
        batch: &RecordBatch,
        m: &ColumnMapping,
        kind: TsKind,
        extra: &[String],
    ) -> PyResult<Self> {
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
                .collect::<PyResult<_>>()?,
            timestamp,
            event: strings(&m.event)?,
            channel: opt(&m.channel)?,
            session: opt(&m.session)?,
            value,
            consent,
            extra: extra.iter().map(|c| strings(c)).collect::<PyResult<_>>()?,
            order: None,
        })
    }

    /// Reads each row's global row index from `keys` (non-negative integers) instead of
    /// numbering rows from the builder's `row_offset` (partitions that are not contiguous
    /// runs of rows, as in `cjm.spark`).
    pub(crate) fn with_order_keys(mut self, keys: Int64Array) -> Self {
        self.order = Some(keys);
        self
    }

    /// The batch as the core's borrowed columns.
    fn view(&self) -> ColumnBatch<'_> {
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

    /// Pushes every row of the batch into the builder, column at a time.
    pub(crate) fn push_all(&self, b: &mut EventLogBuilder) -> cjm_core::Result<()> {
        b.push_batch(&self.view())
    }
}

/// Reads every batch into the builder, calling `progress.update(rows)` after each.
fn ingest(
    reader: Box<dyn RecordBatchReader + Send>,
    m: &ColumnMapping,
    kind: TsKind,
    extra: &[String],
    mut b: EventLogBuilder,
    progress: Option<&Py<PyAny>>,
) -> PyResult<(EventLog, IngestReport)> {
    for batch in reader {
        let batch = batch.map_err(|e| match e {
            // A Parquet file read in Rust (`from_parquet`) that fails past its footer.
            arrow_schema::ArrowError::ParquetError(m) => core_err(cjm_core::Error::Input {
                code: cjm_core::InputCode::InvalidParquet,
                row: None,
                message: format!(
                    "the Parquet file cannot be read: {m}; read it with pyarrow or polars \
                     and pass the table to `EventLog.from_arrow`"
                ),
            }),
            e => pyo3::exceptions::PyValueError::new_err(format!("{e}")),
        })?;
        let columns = BatchColumns::of(&batch, m, kind, extra)?;
        columns.push_all(&mut b).map_err(core_err)?;
        if let Some(bar) = progress {
            Python::attach(|py| bar.call_method1(py, "update", (batch.num_rows(),)))?;
        }
    }
    b.finish_checked().map_err(core_err)
}

/// How to ingest an Arrow stream: checks the mapped (and `checked`) columns exist,
/// classifies the timestamp column, and adjusts the spec's `options` to it (the unit of
/// its ticks; text the mapping says is UTC).
pub(crate) fn arrow_ingest_plan(
    schema: &arrow_schema::SchemaRef,
    m: &ColumnMapping,
    checked: &[String],
    options: IngestOptions,
) -> PyResult<(TsKind, IngestOptions)> {
    check_columns(schema, m, checked)?;
    let ts_field = schema
        .field_with_name(&m.timestamp)
        .map_err(|e| input_err(cjm_core::InputCode::MissingColumn, format!("{e}")))?;
    let integer_unit = match m.timestamp_format {
        TimestampFormat::Integer { unit } => Some(unit),
        TimestampFormat::Iso8601 { .. } => None,
    };
    let text_utc = matches!(
        m.timestamp_format,
        TimestampFormat::Iso8601 { assume_utc: true }
    );
    let kind = ts_kind(
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

pub(crate) fn check_columns(
    schema: &SchemaRef,
    m: &ColumnMapping,
    extra: &[String],
) -> PyResult<()> {
    let all = m
        .customer
        .iter()
        .chain([&m.timestamp, &m.event])
        .chain(m.channel.iter())
        .chain(m.session.iter())
        .chain(m.value.iter())
        .chain(m.consent.iter())
        .chain(extra);
    for name in all {
        if schema.field_with_name(name).is_err() {
            return Err(input_err(
                cjm_core::InputCode::MissingColumn,
                format!("the data has no column `{name}`"),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Options

/// A funnel of `steps` (any iterable of steps; `None`: the journey's stage funnel) with
/// `options`.
fn funnel_of(
    steps: Option<&Bound<'_, PyAny>>,
    j: Option<&cjm_core::ValidJourney>,
    options: FunnelOptions,
) -> PyResult<Funnel> {
    let steps: Option<Vec<StepSpec>> = steps
        .filter(|s| !s.is_none())
        .map(|s| crate::convert::read_plain(s, "steps"))
        .transpose()?;
    Funnel::of(steps, options, j).map_err(core_err)
}

#[doc = stub_doc!("_funnel_options")]
#[pyfunction]
#[pyo3(signature = (**options))]
pub(crate) fn _funnel_options<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let options: FunnelOptions = read_keywords(py, options, &[], "funnel")?;
        crate::convert::Wrap(&options).into_json_value(py)
    })
}

// ---------------------------------------------------------------------------------------
// The class

#[doc = stub_doc!("EventLog")]
#[pyclass(frozen, module = "cjm", name = "EventLog")]
pub(crate) struct PyEventLog {
    log: EventLog,
    report: IngestReport,
}

impl PyEventLog {
    /// The core's log.
    pub(crate) fn log(&self) -> &EventLog {
        &self.log
    }
}

#[pymethods]
impl PyEventLog {
    #[doc = stub_doc!("EventLog.from_parquet")]
    #[staticmethod]
    #[pyo3(signature = (path, **options))]
    fn from_parquet(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        if path.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "expected a path as str or os.PathLike, found `bytes`",
            ));
        }
        let file = Py::new(py, crate::arrow_in::ParquetFile::new(path)?)?;
        Ok(py
            .get_type::<Self>()
            .call_method("from_arrow", (file,), options)?
            .unbind())
    }

    #[doc = stub_doc!("EventLog.from_arrow")]
    #[staticmethod]
    #[pyo3(signature = (data, *, journey = None, progress = None, **options))]
    fn from_arrow(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        progress: Option<bool>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let spec = ingest_spec(options, "from_arrow")?;
            let choice = spec.choice().map_err(core_err)?;
            // Every column the choice may read survives the narrowing of a data frame.
            let mut wanted = choice.candidate_columns();
            wanted.extend(spec.extra.iter().cloned());
            let wanted: Vec<&String> = wanted.iter().collect();
            let (reader, total, columns) = crate::arrow_in::read(
                py,
                data,
                &wanted,
                "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, a DuckDB \
                 result or an object with `__arrow_c_stream__`",
            )?;
            let schema = reader.schema();
            let m = choice
                .resolve(&columns, spec.assume_utc)
                .map_err(core_err)?;
            let (kind, options) = arrow_ingest_plan(&schema, &m, &spec.extra, spec.options())?;
            let b = spec
                .builder(options, journey.map(|j| &j.get().inner))
                .map_err(core_err)?
                .columns(m.clone());
            let extra = &spec.extra;
            // `None`: a bar only for inputs worth waiting for (`_events._progress`).
            let bar: Option<Py<PyAny>> = if progress != Some(false) {
                let bar = py
                    .import(HELPERS)?
                    .getattr("_progress")?
                    .call1((total, progress == Some(true)))?;
                (!bar.is_none()).then(|| bar.unbind())
            } else {
                None
            };
            let result = py.detach(|| ingest(reader, &m, kind, extra, b, bar.as_ref()));
            if let Some(bar) = &bar {
                bar.call_method0(py, "close")?;
            }
            let (log, report) = result?;
            warn_report(py, &report)?;
            Ok(Self { log, report })
        })
    }

    #[doc = stub_doc!("EventLog.from_csv")]
    #[staticmethod]
    #[pyo3(signature = (source, *, journey = None, **options))]
    fn from_csv(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let input = if let Ok(b) = source.cast::<PyBytes>() {
                CsvInput::Bytes(b.as_bytes().to_vec())
            } else if let Ok(text) = source.cast::<PyString>() {
                let text = text.to_cow()?;
                if !(text.contains('\n') || text.contains('\r')) {
                    return Err(input_err(
                        cjm_core::InputCode::InvalidCsv,
                        "the CSV text has no line break (a header row, then one row per \
                         event); a `str` is always read as CSV text, never as a file path: to \
                         read a file, call `EventLog.from_csv_file(path)` or pass a \
                         `pathlib.Path`"
                            .to_owned(),
                    ));
                }
                CsvInput::Bytes(text.into_owned().into_bytes())
            } else {
                CsvInput::File(source.extract()?, source)
            };
            let spec = ingest_spec(options, "from_csv")?;
            read_csv_input(py, input, &spec, journey).map(|(log, report)| Self { log, report })
        })
    }

    #[doc = stub_doc!("EventLog.from_csv_file")]
    #[staticmethod]
    #[pyo3(signature = (path, **options))]
    fn from_csv_file(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        if path.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "expected a path as str or os.PathLike, found `bytes`; CSV text goes to \
                 `EventLog.from_csv`",
            ));
        }
        // `from_csv` reads a `str` as CSV text: hand it the path as a `pathlib.Path`.
        let path = py.import("pathlib")?.getattr("Path")?.call1((path,))?;
        Ok(py
            .get_type::<Self>()
            .call_method("from_csv", (path,), options)?
            .unbind())
    }

    #[doc = stub_doc!("EventLog.ingest_report")]
    #[getter]
    fn ingest_report(&self) -> PyIngestReport {
        PyIngestReport::from(self.report.clone())
    }

    #[doc = stub_doc!("EventLog.customers")]
    #[getter]
    fn customers(&self) -> usize {
        self.log.customers().len()
    }

    #[doc = stub_doc!("EventLog.event_names")]
    #[getter]
    fn event_names(&self) -> Vec<String> {
        self.log.event_names().to_vec()
    }

    #[doc = stub_doc!("EventLog.traffic")]
    fn traffic(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<PyTraffic> {
        crate::guard(|| {
            let j = &journey.get().inner;
            Ok(py.detach(|| self.log.traffic(j)).into())
        })
    }

    #[doc = stub_doc!("EventLog.conformance")]
    fn conformance(
        &self,
        py: Python<'_>,
        journey: &Bound<'_, PyJourney>,
    ) -> PyResult<PyConformance> {
        crate::guard(|| {
            let j = &journey.get().inner;
            Ok(py.detach(|| self.log.conformance(j)).into())
        })
    }

    #[doc = stub_doc!("EventLog.funnel")]
    #[pyo3(
        signature = (steps = None, *, journey = None, **options),
        text_signature = "($self, steps=None, *, journey=None, order='sequential', window=None, \
            step_windows=None, exclusions=None, as_of=None, breakdown=None, \
            breakdown_attribution=None, percentile='linear', allow_missing_events=False, \
            unit='customer', assume_utc=False)"
    )]
    fn funnel(
        &self,
        py: Python<'_>,
        steps: Option<&Bound<'_, PyAny>>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFunnelResult> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            let funnel = funnel_of(steps, j, read_keywords(py, options, &[], "funnel")?)?;
            let result = py.detach(|| funnel.run(&self.log, j)).map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.retention")]
    #[pyo3(
        signature = (**options),
        text_signature = "($self, *, start_event=None, return_event=None, period='day', \
            periods=10, mode='on', cohort='first_time', time_zone='+00:00', as_of=None, \
            breakdown=None, allow_missing_events=False, assume_utc=False)"
    )]
    fn retention(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyRetentionResult> {
        crate::guard(|| {
            let options: RetentionOptions = read_keywords(py, options, &[], "retention")?;
            let result = py
                .detach(|| self.log.retention(&options))
                .map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.trends")]
    #[pyo3(
        signature = (events = None, **options),
        text_signature = "($self, events=None, *, period='day', time_zone='+00:00', since=None, \
            as_of=None, breakdown=None, allow_missing_events=False, assume_utc=False)"
    )]
    fn trends(
        &self,
        py: Python<'_>,
        events: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyTrendsResult> {
        crate::guard(|| {
            let options: TrendsOptions =
                read_keywords(py, options, &[("events", events)], "trends")?;
            let result = py.detach(|| self.log.trends(&options)).map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.funnel_trends")]
    #[pyo3(
        signature = (steps = None, *, journey = None, **options),
        text_signature = "($self, steps=None, *, journey=None, period='day', \
            time_zone='+00:00', since=None, order='sequential', window=None, \
            step_windows=None, exclusions=None, as_of=None, breakdown=None, \
            percentile='linear', allow_missing_events=False, unit='customer', \
            assume_utc=False)"
    )]
    fn funnel_trends(
        &self,
        py: Python<'_>,
        steps: Option<&Bound<'_, PyAny>>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFunnelTrendsResult> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            let (periods, options) = with_keywords(py, options, &[], |d| {
                FunnelTrendsOptions::with_funnel(d, "funnel_trends")
            })?;
            let funnel = funnel_of(steps, j, options)?;
            let result = py
                .detach(|| funnel.trends(&self.log, j, &periods))
                .map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.directly_follows")]
    #[pyo3(
        signature = (**options),
        text_signature = "($self, *, start_end=True, unit=None)"
    )]
    fn directly_follows(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDirectlyFollows> {
        crate::guard(|| {
            let options: DirectlyFollowsOptions =
                read_keywords(py, options, &[], "directly_follows")?;
            let result = py
                .detach(|| self.log.directly_follows(&options))
                .map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.directly_follows_svg")]
    #[pyo3(signature = (**options))]
    fn directly_follows_svg(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<crate::pictures::PySvg> {
        crate::guard(|| {
            let options: cjm_core::render::DfgChartOptions =
                crate::pictures::kwargs_options(options, "directly_follows_svg")?;
            let svg = py
                .detach(|| cjm_core::render::directly_follows_svg(&self.log, &options))
                .map_err(core_err)?;
            Ok(crate::pictures::PySvg::new(svg))
        })
    }

    #[doc = stub_doc!("EventLog.variants")]
    #[pyo3(
        signature = (k = None, **options),
        text_signature = "($self, k=10, *, max_length=None, collapse_repeats=False, unit=None)"
    )]
    fn variants(
        &self,
        py: Python<'_>,
        k: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyVariants> {
        crate::guard(|| {
            let options: VariantOptions = read_keywords(py, options, &[("k", k)], "variants")?;
            let result = py
                .detach(|| self.log.variants(&options))
                .map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.flows")]
    #[pyo3(
        signature = (n = None, **options),
        text_signature = "($self, n=5, *, min_share=0.02, collapse_repeats=True, unit=None)"
    )]
    fn flows(
        &self,
        py: Python<'_>,
        n: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFlows> {
        crate::guard(|| {
            let options: FlowOptions = read_keywords(py, options, &[("n", n)], "flows")?;
            options.check().map_err(core_err)?;
            let result = py.detach(|| self.log.flows(&options)).map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!("EventLog.journey_states")]
    #[pyo3(
        signature = (journey, **options),
        text_signature = "($self, journey, *, as_of=None, conversion=None, assume_utc=False)"
    )]
    fn journey_states(
        &self,
        py: Python<'_>,
        journey: &Bound<'_, PyJourney>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyJourneyStates> {
        crate::guard(|| {
            let options: JourneyStateOptions = read_keywords(py, options, &[], "journey_states")?;
            let j = &journey.get().inner;
            let states = py
                .detach(|| self.log.journey_states(j, &options))
                .map_err(core_err)?;
            Ok(states.into())
        })
    }

    #[doc = stub_doc!("EventLog.drivers")]
    #[pyo3(
        signature = (conversion, *, journey = None, **options),
        text_signature = "($self, conversion, *, journey=None, by_touchpoint=False, \
            min_support=5, allow_missing_events=False)"
    )]
    fn drivers(
        &self,
        py: Python<'_>,
        conversion: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDrivers> {
        crate::guard(|| {
            let options: DriverOptions =
                read_keywords(py, options, &[("conversion", Some(conversion))], "drivers")?;
            let j = journey.map(|j| &j.get().inner);
            let drivers = py
                .detach(|| self.log.drivers(j, &options))
                .map_err(core_err)?;
            Ok(drivers.into())
        })
    }

    #[doc = stub_doc!("EventLog.attribute")]
    #[pyo3(signature = (*, journey = None, **options))]
    fn attribute(
        &self,
        py: Python<'_>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<crate::attribution::PyAttribution> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            crate::attribution::attribute_log(py, &self.log, j, options)
        })
    }

    #[doc = stub_doc!("EventLog.filter")]
    #[pyo3(
        signature = (**options),
        text_signature = "($self, *, events=None, drop_events=None, start=None, end=None, \
            customers=None, drop_customers=None, where=None, where_not=None, \
            allow_missing=False, assume_utc=False)"
    )]
    fn filter(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        crate::guard(|| {
            let options: FilterOptions = read_keywords(py, options, &[], "filter")?;
            self.apply(py, LogOperation::Filter(options))
        })
    }

    #[doc = stub_doc!("EventLog.sample")]
    #[pyo3(
        signature = (fraction = None, **options),
        text_signature = "($self, fraction=None, *, count=None, seed=0)"
    )]
    fn sample(
        &self,
        py: Python<'_>,
        fraction: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: SampleOptions =
                read_keywords(py, options, &[("fraction", fraction)], "sample")?;
            self.apply(py, LogOperation::Sample(options))
        })
    }

    #[doc = stub_doc!("EventLog.sessionize")]
    #[pyo3(
        signature = (gap = None, **options),
        text_signature = "($self, gap=None, *, replace=False)"
    )]
    fn sessionize(
        &self,
        py: Python<'_>,
        gap: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: SessionOptions =
                read_keywords(py, options, &[("gap", gap)], "sessionize")?;
            self.apply(py, LogOperation::Sessionize(options))
        })
    }

    #[doc = stub_doc!("EventLog.relabel")]
    #[pyo3(
        signature = (labels, **options),
        text_signature = "($self, labels, *, allow_missing=False)"
    )]
    fn relabel(
        &self,
        py: Python<'_>,
        labels: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: RelabelOptions =
                read_keywords(py, options, &[("labels", Some(labels))], "relabel")?;
            self.apply(py, LogOperation::Relabel(options))
        })
    }

    #[doc = stub_doc!("EventLog.by_stage")]
    fn by_stage(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<Self> {
        let options = RelabelOptions::from_journey(&journey.get().inner, MapLevel::Stage);
        crate::guard(|| self.apply(py, LogOperation::Relabel(options)))
    }

    #[doc = stub_doc!("EventLog.by_touchpoint")]
    fn by_touchpoint(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<Self> {
        let options = RelabelOptions::from_journey(&journey.get().inner, MapLevel::Touchpoint);
        crate::guard(|| self.apply(py, LogOperation::Relabel(options)))
    }

    #[doc = stub_doc!("EventLog.to_arrow")]
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| {
            let pyarrow = crate::reports::optional(py, "pyarrow", "EventLog.to_arrow()")?;
            let batch = py
                .detach(|| crate::log_out::record_batch(&self.log))
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
            let schema = batch.schema();
            let table = Bound::new(py, PyTable::try_new(vec![batch], schema)?)?;
            pyarrow.getattr("table")?.call1((table,))
        })
    }

    fn __len__(&self) -> usize {
        self.log.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<EventLog: {} events, {} customers, {} event names; {} of {} rows used>",
            self.log.len(),
            self.log.customers().len(),
            self.log.event_names().len(),
            self.report.rows_used,
            self.report.rows_read
        )
    }
}

impl PyEventLog {
    /// The log an operation makes, with its report; warns when it left no events.
    fn apply(&self, py: Python<'_>, operation: LogOperation) -> PyResult<Self> {
        let (log, report) = py
            .detach(|| operation.apply(&self.log, &self.report))
            .map_err(core_err)?;
        if log.is_empty() && !self.log.is_empty() {
            let fresh = IngestReport {
                warnings: report
                    .warnings
                    .iter()
                    .filter(|w| w.code == "empty_log")
                    .cloned()
                    .collect(),
                ..report.clone()
            };
            warn_report(py, &fresh)?;
        }
        Ok(Self { log, report })
    }
}

// ---------------------------------------------------------------------------------------
// Synthetic logs

/// Rows per generated batch.
const SYNTH_BATCH: usize = 1 << 20;

struct SynthBatch {
    customer: StringBuilder,
    timestamp: TimestampMillisecondBuilder,
    event: StringBuilder,
    channel: StringBuilder,
    session: StringBuilder,
    value: Float64Builder,
    rows: usize,
}

impl SynthBatch {
    fn new() -> Self {
        Self {
            customer: StringBuilder::new(),
            timestamp: TimestampMillisecondBuilder::new().with_timezone("UTC"),
            event: StringBuilder::new(),
            channel: StringBuilder::new(),
            session: StringBuilder::new(),
            value: Float64Builder::new(),
            rows: 0,
        }
    }

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, arrow_schema::ArrowError> {
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.customer.finish()),
            Arc::new(self.timestamp.finish()),
            Arc::new(self.event.finish()),
            Arc::new(self.channel.finish()),
            Arc::new(self.session.finish()),
            Arc::new(self.value.finish()),
        ];
        self.rows = 0;
        RecordBatch::try_new(Arc::clone(schema), columns)
    }
}

fn synth_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("customer", DataType::Utf8, false),
        Field::new(
            "timestamp",
            DataType::Timestamp(arrow_schema::TimeUnit::Millisecond, Some("UTC".into())),
            false,
        ),
        Field::new("event", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("session", DataType::Utf8, false),
        Field::new("value", DataType::Float64, true),
    ]))
}

fn synth_batches(options: &SynthOptions) -> Result<Vec<RecordBatch>, arrow_schema::ArrowError> {
    let schema = synth_schema();
    let mut batches = Vec::new();
    let mut current = SynthBatch::new();
    let mut error = None;
    for_each_event(options, |e| {
        current.customer.append_value(e.customer);
        current.timestamp.append_value(e.timestamp_ms);
        current.event.append_value(e.event);
        current.channel.append_value(e.channel);
        current.session.append_value(e.session);
        current.value.append_option(e.value);
        current.rows += 1;
        if current.rows == SYNTH_BATCH {
            match current.finish(&schema) {
                Ok(b) => batches.push(b),
                Err(err) => error = Some(err),
            }
        }
    });
    if let Some(err) = error {
        return Err(err);
    }
    if current.rows > 0 {
        batches.push(current.finish(&schema)?);
    }
    Ok(batches)
}

#[doc = stub_doc!("generate_log")]
#[pyfunction]
#[pyo3(
    signature = (customers = None, seed = None),
    text_signature = "(customers=1000, seed=42)"
)]
pub(crate) fn generate_log<'py>(
    py: Python<'py>,
    customers: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let given = [("customers", customers), ("seed", seed)];
        let options: SynthOptions = read_keywords(py, None, &given, "generate_log")?;
        let pyarrow = crate::reports::optional(py, "pyarrow", "generate_log()")?;
        let batches = py
            .detach(|| synth_batches(&options))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
        let table = Bound::new(py, PyTable::try_new(batches, synth_schema())?)?;
        pyarrow.getattr("table")?.call1((table,))
    })
}
