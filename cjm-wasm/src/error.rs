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
use wasm_bindgen::{JsCast, JsValue};

/// The `name` of every error this package throws.
pub const ERROR_NAME: &str = "CjmError";

/// Converts a core error into a JavaScript `Error` named `CjmError`, with the core's
/// [`cjm_core::Error::data`] as its fields.
#[must_use]
pub fn to_js(err: &cjm_core::Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name(ERROR_NAME);
    // A fresh, ordinary `Error` takes the plain fields; the data always converts.
    if let Ok(data) = to_js_value(&err.data()) {
        js_sys::Object::assign(&js, &data.unchecked_into());
    }
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
