//! Conversions between core values and Python values.
//!
//! After polars' binding: a local newtype [`Wrap`] carries the conversions, so the core
//! knows nothing of Python. Results cross as serde values and arrive as plain `dict`,
//! `list`, `str`, `int`, `float`, `bool` and `None`.

use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde::Serialize;

use crate::errors::input_err;

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

/// Reads an integer argument as `i128` (for `#[pyo3(from_py_with = wide_int)]`): any
/// Python `int` or object with `__index__` (a NumPy integer), with values beyond 128 bits
/// saturated. No option type is that wide, so [`int_option`] still refuses them, naming
/// the option; pyo3's own conversion to `usize` or `u8` would raise a bare
/// `OverflowError` that names neither. Anything else is a `TypeError`, as before.
pub(crate) fn wide_int(obj: &Bound<'_, PyAny>) -> PyResult<i128> {
    match obj.extract::<i128>() {
        Ok(value) => Ok(value),
        Err(err) if err.is_instance_of::<PyOverflowError>(obj.py()) => {
            // Past 128 bits: the sign decides the side.
            let negative = obj.lt(0)?;
            Ok(if negative { i128::MIN } else { i128::MAX })
        }
        Err(err) => Err(err),
    }
}

/// [`wide_int`] for an optional argument (`None` stays `None`).
#[allow(
    clippy::unnecessary_wraps,
    reason = "the signature pyo3's `from_py_with` takes"
)]
pub(crate) fn wide_int_opt(obj: &Bound<'_, PyAny>) -> PyResult<Option<i128>> {
    if obj.is_none() {
        Ok(None)
    } else {
        wide_int(obj).map(Some)
    }
}

/// The Rust integer types options are read as, with their ranges.
pub(crate) trait IntOption: TryFrom<i128> {
    /// The smallest value.
    const MIN: i128;
    /// The largest value.
    const MAX: i128;
}

macro_rules! int_option {
    ($($t:ty),*) => {$(
        impl IntOption for $t {
            const MIN: i128 = <$t>::MIN as i128;
            const MAX: i128 = <$t>::MAX as i128;
        }
    )*};
}

int_option!(u8, u16, u32, u64, usize, i64);

/// The integer option `name` as the type `T` the core reads it as; a value outside `T`'s
/// range is an `InputError` with code `invalid_option` that names the option and the range.
pub(crate) fn int_option<T: IntOption>(value: i128, name: &str) -> PyResult<T> {
    T::try_from(value).map_err(|_| {
        let got = if value == i128::MIN || value == i128::MAX {
            "a number that large".to_owned()
        } else {
            format!("{value}")
        };
        input_err(
            cjm_core::InputCode::InvalidOption,
            format!(
                "`{name}` must be an integer from {} to {}, not {got}",
                T::MIN,
                T::MAX
            ),
        )
    })
}

/// [`int_option`] for an optional argument.
pub(crate) fn int_option_opt<T: IntOption>(value: Option<i128>, name: &str) -> PyResult<Option<T>> {
    value.map(|v| int_option(v, name)).transpose()
}

/// How deep [`plain`] looks into nested options (deeper values are left as they are).
const PLAIN_DEPTH: usize = 32;

/// The value with NumPy scalars (`np.int64(5)`, `np.bool_(True)`: a `dtype` and no
/// dimension, not a Python `int`, `float`, `bool` or `str`) replaced by the Python values
/// they stand for, and arrays, pandas Series and Index (a `dtype` and `tolist()`) by lists,
/// in dicts, lists and tuples; everything else as it is.
/// Options read by the core (`options_from`) go through it, so an option computed with
/// NumPy in a notebook reads as the number it is.
pub(crate) fn plain<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    plain_at(value, 0)
}

fn plain_at<'py>(value: &Bound<'py, PyAny>, depth: usize) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    let builtin = value.is_none()
        || value.is_instance_of::<PyBool>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyFloat>()
        || value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyBytes>();
    if builtin || depth > PLAIN_DEPTH {
        return Ok(value.clone());
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let out = PyDict::new(py);
        for (k, v) in d.iter() {
            out.set_item(k, plain_at(&v, depth + 1)?)?;
        }
        return Ok(out.into_any());
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        // Both are sequences to the core: a list of the items.
        let items = value
            .try_iter()?
            .map(|v| plain_at(&v?, depth + 1))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    if value.hasattr("dtype")? {
        // A NumPy scalar (no dimension): the value; an array, Series or Index: a list.
        let scalar = value
            .getattr("ndim")
            .and_then(|n| n.extract::<usize>())
            .is_ok_and(|n| n == 0);
        if scalar && value.hasattr("item")? {
            return value.call_method0("item");
        }
        if value.hasattr("tolist")? {
            return plain_at(&value.call_method0("tolist")?, depth + 1);
        }
    }
    Ok(value.clone())
}
