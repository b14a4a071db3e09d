//! Logs, result tables and synthetic logs as Arrow record batches.

use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, ListBuilder, StringBuilder, TimestampMillisecondBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, BooleanArray, DictionaryArray, Float64Array, Int32Array, Int64Array,
    LargeStringArray, RecordBatch, RecordBatchOptions, StringArray, TimestampNanosecondArray,
    UInt64Array,
};
use arrow_schema::{ArrowError, DataType, Field, Schema, SchemaRef};
use cjm_core::events::synth::{for_each_event, SynthOptions};
use cjm_core::events::{Coded, CustomerIds, EventLog, NO_VALUE};
use cjm_core::tables::{Table, Values};

fn dictionary(c: &Coded<'_>) -> Result<ArrayRef, ArrowError> {
    let keys: Int32Array = c
        .codes
        .iter()
        .map(|&k| {
            if k == NO_VALUE {
                Ok(None)
            } else {
                i32::try_from(k).map(Some).map_err(|_| {
                    ArrowError::InvalidArgumentError(
                        "a column has more than 2^31 distinct values".to_owned(),
                    )
                })
            }
        })
        .collect::<Result<_, _>>()?;
    let values = StringArray::from_iter_values(c.dict.iter());
    Ok(Arc::new(DictionaryArray::<Int32Type>::try_new(
        keys,
        Arc::new(values),
    )?))
}

/// The log's columns as one record batch, in the log's order (customer, timestamp,
/// input order), from the core's [`EventLog::export`]:
///
/// * `customer`: `int64` for a log built from integer ids, else `string` (`large_string`
///   past 2 GiB of ids);
/// * `timestamp`: `timestamp[ns, tz=UTC]`, the unit the log keeps;
/// * `event`, and `channel`, `session` and the extra columns when the log has them:
///   dictionary-encoded strings (`dictionary<values=string, indices=int32>`, the sorted
///   dictionary of the log), null where an event has no value;
/// * `value` (`double`, null where none) when the log has values.
///
/// Read back with [`crate::EventIngest`] (channel, session, value and the extra columns
/// named), it gives a log with the same analyses.
///
/// # Errors
/// A column with more than 2^31 distinct values.
pub fn log_batch(log: &EventLog) -> Result<RecordBatch, ArrowError> {
    let x = log.export();
    let n = x.timestamp_ns.len();
    let mut columns: Vec<(&str, ArrayRef)> = Vec::new();
    let customer: ArrayRef = match x.customers {
        CustomerIds::Int(ids) => Arc::new(Int64Array::from_iter_values(
            x.customer
                .iter()
                .map(|&c| ids.get(c as usize).copied().unwrap_or(0)),
        )),
        CustomerIds::Str(ids) => {
            let name = |c: u32| ids.get(c as usize).map_or("", String::as_str);
            let bytes: usize = x.customer.iter().map(|&c| name(c).len()).sum();
            if i32::try_from(bytes).is_ok() {
                Arc::new(StringArray::from_iter_values(
                    x.customer.iter().map(|&c| name(c)),
                ))
            } else {
                Arc::new(LargeStringArray::from_iter_values(
                    x.customer.iter().map(|&c| name(c)),
                ))
            }
        }
    };
    columns.push(("customer", customer));
    columns.push((
        "timestamp",
        Arc::new(TimestampNanosecondArray::from(x.timestamp_ns.to_vec()).with_timezone("UTC")),
    ));
    columns.push(("event", dictionary(&x.event)?));
    if let Some(c) = &x.channel {
        columns.push(("channel", dictionary(c)?));
    }
    if let Some(c) = &x.session {
        columns.push(("session", dictionary(c)?));
    }
    if let Some(v) = x.value {
        columns.push((
            "value",
            Arc::new(Float64Array::from_iter(
                v.iter().map(|v| (!v.is_nan()).then_some(*v)),
            )),
        ));
    }
    for (name, c) in &x.extras {
        columns.push((name, dictionary(c)?));
    }
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| {
            Field::new(
                *name,
                a.data_type().clone(),
                name != &"customer" && name != &"timestamp" && name != &"event",
            )
        })
        .collect();
    RecordBatch::try_new_with_options(
        Arc::new(Schema::new(fields)),
        columns.into_iter().map(|(_, a)| a).collect(),
        &RecordBatchOptions::new().with_row_count(Some(n)),
    )
}

/// A column of a core table as an Arrow array.
fn array(values: &Values) -> ArrayRef {
    match values {
        Values::Text(v) => Arc::new(StringArray::from(v.clone())),
        Values::Number(v) => Arc::new(Float64Array::from(v.clone())),
        Values::Count(v) => Arc::new(UInt64Array::from(v.clone())),
        Values::Flag(v) => Arc::new(BooleanArray::from(v.clone())),
        Values::TextList(v) => {
            let mut builder = ListBuilder::new(StringBuilder::new());
            for items in v {
                for item in items {
                    builder.values().append_value(item);
                }
                builder.append(true);
            }
            Arc::new(builder.finish())
        }
    }
}

/// A result table ([`cjm_core::tables::Tabular`]) as one record batch: text as `string`,
/// numbers as `double`, counts as `uint64`, flags as `bool`, lists of text as
/// `list<string>`, missing cells null.
///
/// # Errors
/// Columns of different lengths (a bug of the table's producer).
pub fn table_batch(table: &Table) -> Result<RecordBatch, ArrowError> {
    RecordBatch::try_from_iter(
        table
            .columns
            .iter()
            .map(|c| (c.name.as_str(), array(&c.values))),
    )
}

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

    fn finish(&mut self, schema: &SchemaRef) -> Result<RecordBatch, ArrowError> {
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

/// The schema of [`synth_batches`]: `customer`, `timestamp` (milliseconds, UTC),
/// `event`, `channel`, `session` as strings and a nullable `value`.
#[must_use]
pub fn synth_schema() -> SchemaRef {
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

/// The core's synthetic log ([`for_each_event`]) as record batches of 2^20 rows.
///
/// # Errors
/// Only if Arrow refuses a batch (a bug).
pub fn synth_batches(options: &SynthOptions) -> Result<Vec<RecordBatch>, ArrowError> {
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
