//! An event log as one Arrow record batch (`EventLog.to_arrow`), in the log's order
//! (customer, timestamp, input order), from the core's [`EventLog::export`]:
//!
//! * `customer`: `int64` for a log built from integer ids, else `string` (`large_string`
//!   past 2 GiB of ids);
//! * `timestamp`: `timestamp[ns, tz=UTC]`, the unit the log keeps;
//! * `event`, and `channel`, `session` and the extra columns when the log has them:
//!   dictionary-encoded strings (`dictionary<values=string, indices=int32>`, the sorted
//!   dictionary of the log), null where an event has no value;
//! * `value` (`double`, null where none) when the log has values.
//!
//! So `pl.from_arrow(t)` and `t.to_pandas()` work (categoricals for the dictionary
//! columns), and `EventLog.from_arrow(t, channel="channel", session="session",
//! value="value", extra=[…])` builds a log with the same analyses.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::{
    ArrayRef, DictionaryArray, Float64Array, Int32Array, Int64Array, LargeStringArray, RecordBatch,
    RecordBatchOptions, StringArray, TimestampNanosecondArray,
};
use arrow_schema::{ArrowError, Field, Schema};
use cjm_core::events::{Coded, CustomerIds, EventLog, NO_VALUE};

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

/// The log's columns as one record batch.
pub(crate) fn record_batch(log: &EventLog) -> Result<RecordBatch, ArrowError> {
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
