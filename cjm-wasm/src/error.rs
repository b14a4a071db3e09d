//! The one place where core errors become JavaScript values.
//!
//! Design (after automerge-wasm): every failure reaches JavaScript as a real `Error`
//! object, so it has a stack, works with `instanceof Error` and prints well, with the
//! error data of `cjm_core::Error` attached as plain fields:
//!
//! | field      | value                                                                 |
//! |------------|-----------------------------------------------------------------------|
//! | `name`     | always `"CjmError"`                                                   |
//! | `message`  | the core's message (every problem of a document, one per line)        |
//! | `code`     | [`cjm_core::Error::code`]: the first problem's code, or `unknown_template` |
//! | `path`     | [`cjm_core::Error::path`]: the first problem's JSON path (`""` = root) |
//! | `family`   | [`cjm_core::Error::family`]: `"document"`, `"template"` or `"input"`  |
//! | `row`      | [`cjm_core::Error::row`]: 0-based row of an input error, else `null`  |
//! | `problems` | [`cjm_core::Error::problems`]: an array of `{code, path, message}`    |
//!
//! Callers match on `code` (stable), never on `message` (may be reworded).

use serde::Serialize;
use wasm_bindgen::JsValue;

/// The `name` of every error this package throws.
pub const ERROR_NAME: &str = "CjmError";

/// Converts a core error into a JavaScript `Error` named `CjmError`.
#[must_use]
pub fn to_js(err: &cjm_core::Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name(ERROR_NAME);
    set(&js, "code", &JsValue::from_str(err.code()));
    set(&js, "path", &JsValue::from_str(err.path()));
    set(&js, "family", &JsValue::from_str(err.family()));
    let row = err
        .row()
        .map_or(JsValue::NULL, |r| JsValue::from_f64(usize_to_f64(r)));
    set(&js, "row", &row);
    set(&js, "problems", &to_plain(err.problems()));
    js.into()
}

/// Converts a Rust value into a plain JavaScript value: objects (not `Map`s), arrays,
/// numbers, strings, booleans and `null`, as `JSON.parse` would give.
///
/// # Errors
/// A JavaScript `Error` if the value cannot be represented (not expected for cjm's
/// types, which hold only strings, finite numbers, arrays and string-keyed maps).
pub fn to_js_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    js_sys::JSON::parse(&text)
}

/// [`to_js_value`] for values that always convert; falls back to `null`.
fn to_plain<T: Serialize + ?Sized>(value: &T) -> JsValue {
    to_js_value(value).unwrap_or(JsValue::NULL)
}

#[allow(clippy::cast_precision_loss, reason = "row indices are far below 2^52")]
fn usize_to_f64(n: usize) -> f64 {
    n as f64
}

fn set(target: &js_sys::Error, key: &str, value: &JsValue) {
    // Setting a data property on a fresh, ordinary `Error` object cannot fail.
    let _ = js_sys::Reflect::set(target, &JsValue::from_str(key), value);
}
