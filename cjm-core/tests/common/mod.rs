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
