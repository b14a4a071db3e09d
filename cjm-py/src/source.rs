//! Where a document comes from: a Python mapping, JSON text or a file.
//!
//! A file is read only when the caller says so: `cjm.load_file(path)`,
//! `cjm.validate_file(path)`, `Journey.from_file(path)`, or an `os.PathLike` (a
//! `pathlib.Path`) given to `cjm.load`/`cjm.validate`. A `str` given to those is always
//! text, never a path, so that an application forwarding user text cannot be made to read
//! a local file.

use std::path::PathBuf;

use cjm_core::{Error, Loader, Problem, ProblemCode, ValidJourney};
use pyo3::exceptions::{PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyMapping, PyString};

use crate::errors::core_err;
use crate::pydoc::PyDoc;

/// A document source, classified from a Python argument.
pub(crate) enum Source<'a, 'py> {
    /// A mapping, read value by value ([`PyDoc`]).
    Mapping(&'a Bound<'py, PyAny>),
    /// JSON text.
    Text(String),
    /// A `str` that is not valid Unicode; the text is the reason.
    NotUnicode(String),
    /// A `str` given to `cjm.load`/`cjm.validate` that is not a JSON object: text, never a
    /// path (see the module documentation).
    NotAnObject,
    /// A file; `display` is the argument as given, used as `filename` of an `OSError`.
    File {
        path: PathBuf,
        display: &'a Bound<'py, PyAny>,
    },
}

impl<'a, 'py> Source<'a, 'py> {
    /// The rule of `cjm.load`: a mapping is a document; a `str` is JSON text (an
    /// `invalid_json` problem that names `cjm.load_file` when its first non-white-space
    /// character is not `{`); an `os.PathLike` is a file.
    pub(crate) fn classify(obj: &'a Bound<'py, PyAny>) -> PyResult<Self> {
        if let Ok(text) = obj.cast::<PyString>() {
            if text.to_string_lossy().trim_start().starts_with('{') {
                return Ok(Self::text(text));
            }
            return Ok(Self::NotAnObject);
        }
        if is_mapping(obj) {
            return Ok(Self::Mapping(obj));
        }
        Self::file(obj).map_err(|_| {
            PyTypeError::new_err(format!(
                "expected a mapping, JSON text (str) or an os.PathLike (a pathlib.Path), found \
                 `{}`; to read a file named by a str, call cjm.load_file(path)",
                type_name(obj)
            ))
        })
    }

    /// JSON text. A `str` that cannot be UTF-8 (a lone surrogate) is a document problem,
    /// reported when the source is read.
    pub(crate) fn text(text: &Bound<'py, PyString>) -> Self {
        match text.to_cow() {
            Ok(text) => Self::Text(text.into_owned()),
            Err(err) => Self::NotUnicode(err.to_string()),
        }
    }

    /// A mapping argument (`TypeError` for anything else).
    pub(crate) fn mapping(obj: &'a Bound<'py, PyAny>) -> PyResult<Self> {
        if is_mapping(obj) {
            Ok(Self::Mapping(obj))
        } else {
            Err(PyTypeError::new_err(format!(
                "expected a mapping, found `{}`",
                type_name(obj)
            )))
        }
    }

    /// A path argument, `str` or `os.PathLike` (`TypeError` for anything else, bytes
    /// included): `cjm.load_file`, `cjm.validate_file`, `Journey.from_file`.
    pub(crate) fn file(obj: &'a Bound<'py, PyAny>) -> PyResult<Self> {
        if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
            return Err(PyTypeError::new_err(
                "expected a path as str or os.PathLike, found `bytes`",
            ));
        }
        Ok(Self::File {
            path: obj.extract::<PathBuf>()?,
            display: obj,
        })
    }

    /// Reads and validates the document. The outer error is a Python-level failure (an
    /// unreadable file); the inner one is the core's verdict on the document.
    pub(crate) fn read(self, py: Python<'py>) -> PyResult<cjm_core::Result<ValidJourney>> {
        match self {
            Self::Mapping(obj) => Ok(cjm_core::load_tree(PyDoc(obj))),
            Self::Text(text) => Ok(py.detach(|| cjm_core::load_str(&text))),
            Self::NotUnicode(reason) => Ok(Err(invalid_json(format!(
                "the text is not valid Unicode: {reason}"
            )))),
            Self::NotAnObject => Ok(Err(invalid_json(
                "the text is not a JSON object (its first character is not `{`); a `str` is \
                 always read as JSON text, never as a file path: to read a file, call \
                 `cjm.load_file(path)` or `cjm.validate_file(path)`, or pass a `pathlib.Path`"
                    .to_owned(),
            ))),
            Self::File { path, display } => {
                // At most the size limit is read; UTF-8 with a leading byte order mark
                // skipped, as the core reads bytes.
                let read = py.detach(|| {
                    std::fs::File::open(&path).and_then(|file| Loader::new().load_reader(file))
                });
                read.map_err(|err| os_error(&err, display))
            }
        }
    }

    /// Reads and validates the document, raising `CjmError` for a broken one.
    pub(crate) fn load(self, py: Python<'py>) -> PyResult<ValidJourney> {
        self.read(py)?.map_err(core_err)
    }
}

fn is_mapping(obj: &Bound<'_, PyAny>) -> bool {
    obj.is_instance_of::<PyDict>() || obj.cast::<PyMapping>().is_ok()
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// An `invalid_json` document error at the root, for text the core never gets to see.
fn invalid_json(message: String) -> Error {
    Error::Document(cjm_core::error::Problems(vec![Problem {
        code: ProblemCode::InvalidJson,
        path: String::new(),
        message,
    }]))
}

/// An `OSError` as Python's `open()` raises it: `OSError(errno, strerror, filename)`,
/// which Python turns into the matching subclass (`FileNotFoundError`…).
pub(crate) fn os_error(err: &std::io::Error, filename: &Bound<'_, PyAny>) -> PyErr {
    match err.raw_os_error() {
        Some(errno) => {
            let text = err.to_string();
            let strerror = text
                .rsplit_once(" (os error ")
                .map_or(text.as_str(), |(head, _)| head)
                .to_owned();
            // As `open` does: a path-like filename is shown as its `os.fspath` text.
            let shown = filename
                .py()
                .import("os")
                .and_then(|os| os.call_method1("fspath", (filename,)))
                .unwrap_or_else(|_| filename.clone());
            PyOSError::new_err((errno, strerror, shown.unbind()))
        }
        None => PyOSError::new_err(err.to_string()),
    }
}
