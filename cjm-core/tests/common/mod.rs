//! Helpers shared by the integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "test helpers; not every test file uses every helper"
)]

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
