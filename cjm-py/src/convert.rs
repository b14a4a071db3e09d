//! Core values on their way to Python (arguments on their way in: `args`).
//!
//! After polars' binding: a local newtype [`Wrap`] carries the conversions, so the core
//! knows nothing of Python. Results cross as serde values and arrive as plain `dict`,
//! `list`, `str`, `int`, `float`, `bool` and `None`.

use pyo3::prelude::*;
use serde::Serialize;

/// A core value on its way to Python.
pub(crate) struct Wrap<T>(pub(crate) T);

impl<T: Serialize> Wrap<&T> {
    /// The value as plain Python objects (maps become `dict`, sequences `list`).
    pub(crate) fn into_py_value(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        Ok(pythonize::pythonize(py, self.0)?)
    }

    /// The value as JSON-shaped Python objects: like [`Self::into_py_value`], but fixed-size
    /// arrays (an interval `[low, high]`) become lists, not tuples, exactly as the value's
    /// JSON form (and `JSON.parse` in JavaScript) has them.
    pub(crate) fn into_json_value(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let value = serde_json::to_value(self.0).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("cannot convert the result: {e}"))
        })?;
        Ok(pythonize::pythonize(py, &value)?)
    }
}

/// JSON text indented by `width` spaces (like `json.dumps(indent=width)`).
pub(crate) fn to_json_indented<T: Serialize>(value: &T, width: usize) -> String {
    let indent = " ".repeat(width);
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(indent.as_bytes());
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // Journey values hold only strings, finite numbers and JSON maps: this cannot fail,
    // and serde_json writes UTF-8 only.
    match value.serialize(&mut serializer) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// `text` between `quote` characters, with that quote, backslashes and control characters
/// escaped, for `__repr__`.
pub(crate) fn quoted(text: &str, quote: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push(quote);
    out
}
