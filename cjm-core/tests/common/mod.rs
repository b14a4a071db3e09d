//! Helpers shared by the integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers; not every test file uses every helper"
)]

use cjm_core::events::{EventLog, IngestOptions, RawEvent, TimeValue};
use serde_json::Value;

/// Every key of `expected` must be in `found` with an equal value (numbers to 1e-9).
pub fn contains(found: &Value, expected: &Value, at: &str, failures: &mut Vec<String>) {
    match (found, expected) {
        (Value::Object(f), Value::Object(e)) => {
            for (k, ev) in e {
                match f.get(k) {
                    Some(fv) => contains(fv, ev, &format!("{at}.{k}"), failures),
                    None => failures.push(format!("{at}.{k}: missing")),
                }
            }
        }
        (Value::Array(f), Value::Array(e)) => {
            if f.len() != e.len() {
                failures.push(format!("{at}: {} items, expected {}", f.len(), e.len()));
            }
            for (i, (fv, ev)) in f.iter().zip(e).enumerate() {
                contains(fv, ev, &format!("{at}[{i}]"), failures);
            }
        }
        (Value::Number(f), Value::Number(e)) => {
            let (f, e) = (f.as_f64().unwrap(), e.as_f64().unwrap());
            if (f - e).abs() > 1e-9 * e.abs().max(1.0) {
                failures.push(format!("{at}: {f} != {e}"));
            }
        }
        (f, e) if f == e => {}
        (f, e) => failures.push(format!("{at}: {f} != {e}")),
    }
}

/// A state's bytes without their trailing CRC-32, to change a field by hand.
pub fn unseal(bytes: &[u8]) -> Vec<u8> {
    bytes[..bytes.len() - 4].to_vec()
}

/// Bytes ended with their CRC-32 (IEEE), as every state is: hand-changed fields then reach
/// the state's own checks instead of failing the checksum.
pub fn seal(mut body: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&body);
    body.extend_from_slice(&crc.to_le_bytes());
    body
}

/// Fails unless `result` is an `invalid_state` error raised by a state's own field checks
/// (not by its checksum).
pub fn refused_by_fields<T: std::fmt::Debug>(result: cjm_core::Result<T>) {
    let e = result.unwrap_err();
    assert_eq!(e.code(), "invalid_state", "{e}");
    assert!(!e.to_string().contains("checksum"), "{e}");
}

/// `(customer, ISO-8601 time, event, channel)` rows in input order.
pub type Row = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
);

pub fn log_of(rows: &[Row]) -> EventLog {
    let raw = rows.iter().map(|&(customer, ts, event, channel)| RawEvent {
        customer: Some(customer),
        timestamp: TimeValue::Text(ts),
        event: Some(event),
        channel,
        session: None,
        value: None,
        consent: None,
        extra: &[],
        row: None,
    });
    let (log, report) = EventLog::from_rows(raw, IngestOptions::default()).unwrap();
    assert_eq!(report.rejected_total, 0);
    log
}

/// The log of tests/retention.rs and tests/trends.rs. 2025-01-06 is a Monday; the last event is cy's at 2025-01-20T10:00Z.
///
/// ```text
/// ann  01-06 09:00 signup (web)   01-07 09:00 open   01-09 09:00 open   01-14 09:00 purchase
/// bob  01-06 23:30 signup (email) 01-08 12:00 open   01-13 08:00 signup (web)
/// cy   01-07 10:00 open           01-07 11:00 signup (web)  01-08 10:00 purchase  01-20 10:00 open
/// dee  01-08 10:00 signup (no channel)
/// ```
pub const LOG: &[Row] = &[
    ("ann", "2025-01-06T09:00:00Z", "signup", Some("web")),
    ("ann", "2025-01-07T09:00:00Z", "open", None),
    ("ann", "2025-01-09T09:00:00Z", "open", None),
    ("ann", "2025-01-14T09:00:00Z", "purchase", None),
    ("bob", "2025-01-06T23:30:00Z", "signup", Some("email")),
    ("bob", "2025-01-08T12:00:00Z", "open", None),
    ("bob", "2025-01-13T08:00:00Z", "signup", Some("web")),
    ("cy", "2025-01-07T10:00:00Z", "open", None),
    ("cy", "2025-01-07T11:00:00Z", "signup", Some("web")),
    ("cy", "2025-01-08T10:00:00Z", "purchase", None),
    ("cy", "2025-01-20T10:00:00Z", "open", None),
    ("dee", "2025-01-08T10:00:00Z", "signup", None),
];

/// Checks a result's tables against a vector's `tables`, `{name: {columns, rows}}`: the
/// column names in full and in order, every row, numbers within 1e-9, nulls where null.
pub fn check_tables(result: &dyn cjm_core::tables::Tabular, expected: &Value, at: &str) {
    for (name, want) in expected.as_object().unwrap() {
        let table = result.table(name).unwrap();
        let columns: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        let want_columns: Vec<&str> = want["columns"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        assert_eq!(columns, want_columns, "{at} {name}: columns");
        let rows = want["rows"].as_array().unwrap();
        assert_eq!(table.rows(), rows.len(), "{at} {name}: rows");
        let by_column = serde_json::to_value(table.by_column()).unwrap();
        for (i, row) in rows.iter().enumerate() {
            for (j, column) in want_columns.iter().enumerate() {
                let (got, w) = (&by_column[column][i], &row[j]);
                match (got.as_f64(), w.as_f64()) {
                    (Some(g), Some(w)) => {
                        assert!(
                            (g - w).abs() < 1e-9,
                            "{at} {name}[{i}].{column}: {g} != {w}"
                        );
                    }
                    _ => assert_eq!(got, w, "{at} {name}[{i}].{column}"),
                }
            }
        }
    }
}

/// Asserts that a definition hash covers every option (issue 16, item 4): `base` gives the
/// same hash twice, and each of `flipped` (one option changed from `base`, named) a hash
/// of its own. Returns every hash seen.
pub fn assert_every_option_in_hash<O: Clone>(
    hash: impl Fn(O) -> String,
    base: &O,
    flipped: Vec<(&str, O)>,
) -> std::collections::BTreeSet<String> {
    let default = hash(base.clone());
    assert_eq!(
        hash(base.clone()),
        default,
        "the same options, the same hash"
    );
    let mut seen = std::collections::BTreeSet::from([default]);
    for (what, o) in flipped {
        assert!(seen.insert(hash(o)), "`{what}` does not change the hash");
    }
    seen
}
