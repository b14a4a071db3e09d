//! From [`cjm_core::Error`] to Python exceptions.
//!
//! The exception classes are ordinary Python classes in `cjm/_errors.py` (so they have real
//! constructors, typed attributes and pickle support); this module imports them once and
//! raises them. The class follows [`cjm_core::Error::family`]: `"document"` →
//! `DocumentError`, `"template"` → `TemplateError`, `"input"` → `InputError` (with `.row`,
//! [`cjm_core::Error::row`]), anything newer → `CjmError`. `str(err)` is the core's
//! `Display`; `.code` and `.path` are those of the first problem and `.problems` is a list
//! of `cjm.Problem`.

use cjm_core::{Error, Problem};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyType};

const ERRORS_MODULE: &str = "cjm._errors";

static CJM_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DOCUMENT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TEMPLATE_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static INPUT_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static PROBLEM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Converts a core error into the matching `CjmError` subclass.
pub(crate) fn core_err(err: Error) -> PyErr {
    Python::attach(|py| {
        let class = match err.family() {
            "document" => DOCUMENT_ERROR.import(py, ERRORS_MODULE, "DocumentError"),
            "template" => TEMPLATE_ERROR.import(py, ERRORS_MODULE, "TemplateError"),
            "input" => {
                let class = INPUT_ERROR.import(py, ERRORS_MODULE, "InputError");
                return raise_input(class, &err);
            }
            _ => CJM_ERROR.import(py, ERRORS_MODULE, "CjmError"),
        };
        raise(
            py,
            class,
            &err.to_string(),
            err.code(),
            err.path(),
            err.problems(),
        )
    })
}

/// An input error (bad rows or options): `InputError(message, code, row)`.
fn raise_input(class: PyResult<&Bound<'_, PyType>>, err: &Error) -> PyErr {
    let message = err.to_string();
    match class.and_then(|class| class.call1((message.as_str(), err.code(), err.row()))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyValueError::new_err(format!("[{}] {message}", err.code())),
    }
}

/// An input error made by the binding itself (a named column that is missing, a column of
/// an unusable type, options that do not parse), raised like the core's.
pub(crate) fn input_err(code: cjm_core::InputCode, message: String) -> PyErr {
    core_err(Error::Input {
        code,
        row: None,
        message,
    })
}

/// Converts an error of the Arrow reader: the core's as [`core_err`], the stream's own as
/// `ValueError`, the progress bar's as it was raised.
pub(crate) fn arrow_err(err: cjm_arrow::Error) -> PyErr {
    match err {
        cjm_arrow::Error::Core(e) => core_err(e),
        cjm_arrow::Error::Io(e) => PyErr::from(e),
        cjm_arrow::Error::Stopped(e) => match e.downcast::<PyErr>() {
            Ok(e) => *e,
            Err(e) => PyValueError::new_err(e.to_string()),
        },
        e => PyValueError::new_err(e.to_string()),
    }
}

/// Emits warnings of an ingest report (`no_rows_used`…) as `cjm.IngestWarning`.
pub(crate) fn warn(py: Python<'_>, said: &[cjm_core::events::IngestWarning]) -> PyResult<()> {
    if said.is_empty() {
        return Ok(());
    }
    let class = py.import(ERRORS_MODULE)?.getattr("IngestWarning")?;
    let warnings = py.import("warnings")?;
    for w in said {
        let instance = class.call1((w.message.as_str(), w.code.as_str()))?;
        let kwargs = pyo3::types::PyDict::new(py);
        kwargs.set_item("stacklevel", 2)?;
        warnings.call_method("warn", (instance,), Some(&kwargs))?;
    }
    Ok(())
}

/// A `CjmError` with code `internal_error`: a bug in cjm (a Rust panic), never the
/// caller's fault.
pub(crate) fn internal_error(panic_message: &str) -> PyErr {
    Python::attach(|py| {
        let class = CJM_ERROR.import(py, ERRORS_MODULE, "CjmError");
        let message = format!("internal error in cjm (please report it): {panic_message}");
        raise(py, class, &message, "internal_error", "", &[])
    })
}

/// The problems as a Python list of `cjm.Problem`.
pub(crate) fn problem_list<'py>(
    py: Python<'py>,
    problems: &[Problem],
) -> PyResult<Bound<'py, PyList>> {
    let class = PROBLEM.import(py, ERRORS_MODULE, "Problem")?;
    let items = problems
        .iter()
        .map(|p| class.call1((p.code.as_str(), p.path.as_str(), p.message.as_str())))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// Builds the exception; if even that fails (the Python package is broken), a plain
/// `ValueError` with the message still reaches the caller.
fn raise(
    py: Python<'_>,
    class: PyResult<&Bound<'_, PyType>>,
    message: &str,
    code: &str,
    path: &str,
    problems: &[Problem],
) -> PyErr {
    let built = class.and_then(|class| {
        let problems = problem_list(py, problems)?;
        class.call1((message, code, path, problems))
    });
    match built {
        Ok(instance) => PyErr::from_value(instance),
        Err(_) => PyValueError::new_err(format!("[{code}] {message}")),
    }
}
