//! Python arguments on their way into the core: every Python-only form of a value made
//! plain ([`plain`]), and keyword options read by the core's readers. A result handed
//! back as an input (a `SurveyReport`) is read as its value, so this sits above the
//! result classes (`reports`), and they below it know only [`crate::convert::Wrap`].

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::convert::Wrap;
use crate::errors::input_err;

/// An optional number argument read as the core type `T` by the core's reader: a value
/// that does not fit is `invalid_option` naming the argument with the range
/// (`` `width` must be an integer from 0 to 4294967295, not -1 ``).
pub(crate) fn int_arg<T: serde::de::DeserializeOwned>(
    value: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<T>> {
    value
        .filter(|v| !v.is_none())
        .map(|v| read_plain(v, name))
        .transpose()
}

/// The value as the plain Python values the core reads options from ([`read_plain`]), in
/// dicts and lists: every Python-only form becomes its plain form, so that the core holds
/// every option rule. The one place where Python values are translated:
///
/// - a NumPy scalar (`np.int64(5)`: a `dtype` and no dimension) is the value it stands
///   for; an array, pandas Series or Index (a `dtype` and `tolist()`) is a list;
/// - a `datetime.timedelta` (or pandas `Timedelta`, NumPy `timedelta64` in any unit) is
///   its whole seconds (a fraction of a second is `invalid_option`: options count
///   seconds);
/// - a `datetime.datetime` or `datetime.date` (or pandas `Timestamp`, NumPy `datetime64`,
///   read to the microsecond) is its ISO-8601 `isoformat()` text (the core reads it: a
///   naive one is `naive_timestamp`); NaT is `invalid_option`;
/// - a tuple, set or any other non-string iterable is a list, and any other mapping a
///   dict;
/// - everything else stays as it is (the core says what it expected).
pub(crate) fn plain<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    plain_at(value, 0, "")
}

/// Keyword options, with the positional arguments that are options (`given`), as one dict
/// of plain values ([`plain`]) for the core: a keyword given as `None` is not given, so
/// the core's default applies (the Python signatures show `None` for it).
pub(crate) fn keywords<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
    given: &[(&str, Option<&Bound<'py, PyAny>>)],
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let named = given
        .iter()
        .filter_map(|(k, v)| v.map(|v| (PyString::new(py, k).into_any(), v.clone())));
    let all = options.into_iter().flat_map(|d| d.iter()).chain(named);
    for (k, v) in all {
        if !v.is_none() {
            let key = k.extract::<String>().unwrap_or_default();
            out.set_item(&k, plain_at(&v, 1, &key)?)?;
        }
    }
    Ok(out)
}

/// Keyword options ([`keywords`]) handed to one of the core's readers (`read`: a
/// split such as `PathOptions::with_models`, or [`cjm_core::options_from`]).
pub(crate) fn with_keywords<'py, R>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
    given: &[(&str, Option<&Bound<'py, PyAny>>)],
    read: impl FnOnce(&mut pythonize::Depythonizer<'_, 'py>) -> cjm_core::Result<R>,
) -> PyResult<R> {
    let dict = keywords(py, options, given)?;
    read(&mut pythonize::Depythonizer::from_object(dict.as_any())).map_err(crate::errors::core_err)
}

/// Keyword options read as the core's options type `T` ([`keywords`], then the core's
/// reader: unknown keywords and values that do not fit are `invalid_option` naming them).
pub(crate) fn read_keywords<'py, T: serde::de::DeserializeOwned>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
    given: &[(&str, Option<&Bound<'py, PyAny>>)],
    what: &str,
) -> PyResult<T> {
    with_keywords(py, options, given, |d| cjm_core::options_from(d, what))
}

/// A Python value read as the core type `T` by the core's reader, after [`plain`].
pub(crate) fn read_plain<T: serde::de::DeserializeOwned>(
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
    let value = plain(value)?;
    cjm_core::options_from(&mut pythonize::Depythonizer::from_object(&value), what)
        .map_err(crate::errors::core_err)
}

fn plain_at<'py>(
    value: &Bound<'py, PyAny>,
    depth: usize,
    key: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    if value.is_exact_instance_of::<PyInt>() && value.extract::<i128>().is_err() {
        // Past 128 bits (beyond any option type): a float of its size, which the core
        // refuses with the option's range.
        let size = match value.extract::<f64>() {
            Ok(size) => size,
            Err(_) if value.lt(0)? => f64::MIN,
            Err(_) => f64::MAX,
        };
        return Ok(PyFloat::new(py, size).into_any());
    }
    let builtin = value.is_none()
        || value.is_instance_of::<PyBool>()
        || value.is_instance_of::<PyInt>()
        || value.is_instance_of::<PyFloat>()
        || value.is_instance_of::<PyString>()
        || value.is_instance_of::<PyBytes>();
    // Deeper than the core reads (`Limits::max_depth`, which it then reports): left as is.
    if builtin || depth > cjm_core::Limits::default().max_depth {
        return Ok(value.clone());
    }
    if let Ok(d) = value.cast::<PyDict>() {
        let out = PyDict::new(py);
        for (k, v) in d.iter() {
            let name = if depth == 0 {
                k.extract::<String>().unwrap_or_default()
            } else {
                key.to_owned()
            };
            out.set_item(k, plain_at(&v, depth + 1, &name)?)?;
        }
        return Ok(out.into_any());
    }
    if let Ok(report) = value.cast::<crate::reports::PySurveyReport>() {
        // A result handed back as an input (`diff_maps`' `survey`): its value.
        return Wrap(&report.get().inner).into_py_value(py);
    }
    if value.hasattr("total_seconds")? && value.hasattr("microseconds")? {
        return whole_seconds(value, key);
    }
    if value.hasattr("isoformat")? && value.hasattr("day")? {
        return value.call_method0("isoformat");
    }
    if value.hasattr("dtype")? {
        // NumPy times: `item()` of a `timedelta64[ns]` or `datetime64[ns]` is a bare
        // count of nanoseconds, which would be read as seconds. A duration goes through
        // whole seconds (`timedelta64[s]` must equal it), an instant through microseconds
        // (a naive `datetime`, so the naive-time rule applies); NaT is no time at all.
        let kind: String = value
            .getattr("dtype")
            .and_then(|d| d.getattr("kind"))
            .and_then(|k| k.extract())
            .unwrap_or_default();
        if kind == "m" || kind == "M" {
            return numpy_time(value, depth, key, kind == "m");
        }
        // A NumPy scalar (no dimension): the value; an array, Series or Index: a list.
        let scalar = value
            .getattr("ndim")
            .and_then(|n| n.extract::<usize>())
            .is_ok_and(|n| n == 0);
        if scalar && value.hasattr("item")? {
            let item = value.call_method0("item")?;
            return if item.hasattr("dtype")? {
                Ok(item)
            } else {
                plain_at(&item, depth + 1, key)
            };
        }
        if value.hasattr("tolist")? {
            return plain_at(&value.call_method0("tolist")?, depth + 1, key);
        }
    }
    if value.hasattr("keys")? && value.hasattr("__getitem__")? {
        let dict = py.get_type::<PyDict>().call1((value,))?;
        return plain_at(&dict, depth, key);
    }
    if let Ok(items) = value.try_iter() {
        // A tuple, set, generator…: a list of the items.
        let items = items
            .map(|v| plain_at(&v?, depth + 1, key))
            .collect::<PyResult<Vec<_>>>()?;
        return Ok(PyList::new(py, items)?.into_any());
    }
    Ok(value.clone())
}

/// A NumPy `timedelta64` (`duration`) or `datetime64` scalar or array as plain values:
/// `timedelta`s of whole seconds, or naive `datetime`s (microseconds).
fn numpy_time<'py>(
    value: &Bound<'py, PyAny>,
    depth: usize,
    key: &str,
    duration: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    let what = if key.is_empty() { "a time" } else { key };
    let np = py.import("numpy")?;
    let any = |v: Bound<'py, PyAny>| -> PyResult<bool> { v.call_method0("any")?.is_truthy() };
    if any(np.call_method1("isnat", (value,))?)? {
        return Err(input_err(
            cjm_core::InputCode::InvalidOption,
            format!("`{what}` is NaT (not a time): give a time, or leave the option out"),
        ));
    }
    let unit = if duration {
        "timedelta64[s]"
    } else {
        "datetime64[us]"
    };
    let coarse = value.call_method1("astype", (unit,))?;
    if duration
        && !coarse
            .rich_compare(value, pyo3::basic::CompareOp::Eq)?
            .call_method0("all")?
            .is_truthy()?
    {
        return Err(input_err(
            cjm_core::InputCode::InvalidOption,
            format!("`{what}` must be whole seconds, not {}", value.str()?),
        ));
    }
    let scalar = value
        .getattr("ndim")
        .and_then(|n| n.extract::<usize>())
        .is_ok_and(|n| n == 0);
    let items = coarse.call_method0(if scalar { "item" } else { "tolist" })?;
    plain_at(&items, depth + 1, key)
}

/// A `timedelta` (or pandas `Timedelta`) as whole seconds (an `int`, negative when it is).
fn whole_seconds<'py>(value: &Bound<'py, PyAny>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    let part = |name: &str| -> PyResult<i64> {
        if value.hasattr(name)? {
            value.getattr(name)?.extract()
        } else {
            Ok(0)
        }
    };
    let what = if key.is_empty() { "a duration" } else { key };
    let nat = || {
        input_err(
            cjm_core::InputCode::InvalidOption,
            format!("`{what}` is not a duration (NaT?): give a duration, or leave the option out"),
        )
    };
    let (days, seconds) = (
        part("days").map_err(|_| nat())?,
        part("seconds").map_err(|_| nat())?,
    );
    if part("microseconds").map_err(|_| nat())? != 0 || part("nanoseconds").map_err(|_| nat())? != 0
    {
        return Err(input_err(
            cjm_core::InputCode::InvalidOption,
            format!("`{what}` must be whole seconds, not {}", value.str()?),
        ));
    }
    let total = days.saturating_mul(86_400).saturating_add(seconds);
    Ok(total.into_pyobject(value.py())?.into_any())
}
