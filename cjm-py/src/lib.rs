//! # cjm-py
//!
//! The Python binding of cjm, built with pyo3 and maturin as the extension module
//! `cjm._cjm`; the Python package `cjm` (in `python/cjm/`) re-exports it with its stubs.
//!
//! The binding is thin on purpose: every rule lives in `cjm-core`. This crate only
//!
//! - moves data across the boundary as serde values (a Python mapping goes straight into
//!   [`cjm_core::Loader::load_from`] through [`pythonize::Depythonizer`], so the core sees
//!   NaN, depth and size exactly as given and reports them with their paths; results come
//!   back as plain `dict`/`list` values through [`pythonize::pythonize`]),
//! - wraps the one long-lived compiled thing, a [`cjm_core::ValidJourney`], as the frozen
//!   class `Journey`,
//! - turns [`cjm_core::Error`] into the `CjmError(ValueError)` hierarchy defined in
//!   `cjm/_errors.py` (see [`errors`]), and
//! - makes sure no Rust panic crosses into Python ([`guard`]): a panic becomes a
//!   `CjmError` with code `internal_error`.

mod convert;
mod errors;
mod reports;
mod source;
mod survey;

use std::panic::{catch_unwind, AssertUnwindSafe};

use cjm_core::ValidJourney;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyString, PyTuple};

use std::collections::BTreeMap;

use crate::convert::Wrap;
use crate::errors::{core_err, input_err, internal_error};
use crate::reports::{PyEmotionCurves, PyHealthReport, PyPriorityReport, PySurveyReport};
use crate::source::Source;
use cjm_core::scoring::{HealthInputs, MeasuredReach, ScoringModel};
use serde::de::DeserializeOwned;

/// Runs the body of an entry point, turning a Rust panic into a `CjmError` with code
/// `internal_error` instead of pyo3's `PanicException` (a `BaseException` that ordinary
/// `except Exception` handlers would miss).
fn guard<T>(body: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic payload".to_owned());
            Err(internal_error(&message))
        }
    }
}

/// A validated customer journey map (Python class `cjm.Journey`).
///
/// Immutable: edit the document with `to_dict()`, change the dict, load it again.
#[pyclass(frozen, eq, module = "cjm", name = "Journey")]
#[derive(PartialEq)]
struct PyJourney {
    inner: ValidJourney,
}

impl From<ValidJourney> for PyJourney {
    fn from(inner: ValidJourney) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyJourney {
    /// Loads and validates a journey document from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(|| Source::text(text).load(py).map(Self::from))
    }

    /// Loads and validates a journey document from a mapping (a parsed JSON object).
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| Source::mapping(d)?.load(py).map(Self::from))
    }

    /// Loads and validates a journey document from a UTF-8 JSON file.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| Source::file(path)?.load(py).map(Self::from))
    }

    /// The journey's id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.journey().id
    }

    /// The journey's display name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.journey().name
    }

    /// The format version of the document.
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.journey().schema_version
    }

    /// The document as plain Python values (dicts, lists, str, int, float, bool, None).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| Wrap(self.inner.journey()).into_py_value(py))
    }

    /// The document as JSON text: compact, or indented by `indent` spaces.
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, py: Python<'_>, indent: Option<usize>) -> PyResult<String> {
        guard(|| {
            Ok(py.detach(|| match indent {
                None => self.inner.to_json(),
                Some(width) => convert::to_json_indented(self.inner.journey(), width),
            }))
        })
    }

    /// Counts and the stage outline, for a first look at a map.
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| Wrap(&self.inner.summary()).into_py_value(py))
    }

    /// The emotion curve of every persona, in persona order.
    fn emotion_curves(&self) -> PyResult<PyEmotionCurves> {
        guard(|| {
            Ok(PyEmotionCurves {
                inner: cjm_core::scoring::emotion_curves(&self.inner),
            })
        })
    }

    /// Pain points ranked by priority and opportunities by score; `reach` is the measured
    /// share of customers per stage and touchpoint (`{"stages": {...}, "touchpoints":
    /// {...}}`), 1 where not given.
    #[pyo3(signature = (reach = None))]
    fn priorities(&self, reach: Option<&Bound<'_, PyAny>>) -> PyResult<PyPriorityReport> {
        guard(|| {
            let reach: Option<MeasuredReach> = option_value(reach, "reach")?;
            Ok(PyPriorityReport {
                inner: cjm_core::scoring::priorities(&self.inner, reach.as_ref()),
            })
        })
    }

    /// Health 0–100 of every touchpoint, stage and the journey, each explained. `model` is a
    /// scoring model as a dict (weights, thresholds, stage_weights; defaults for what is not
    /// given), `survey` a `SurveyReport` grouped by touchpoint or stage id, `reach` as for
    /// `priorities`, `traffic` customers per touchpoint id, `kpi_actuals` measured KPI values
    /// by KPI id.
    #[pyo3(signature = (model = None, survey = None, reach = None, traffic = None, kpi_actuals = None))]
    fn health(
        &self,
        py: Python<'_>,
        model: Option<&Bound<'_, PyAny>>,
        survey: Option<&Bound<'_, PySurveyReport>>,
        reach: Option<&Bound<'_, PyAny>>,
        traffic: Option<BTreeMap<String, f64>>,
        kpi_actuals: Option<BTreeMap<String, f64>>,
    ) -> PyResult<PyHealthReport> {
        guard(|| {
            let model: ScoringModel = option_value(model, "model")?.unwrap_or_default();
            let reach: Option<MeasuredReach> = option_value(reach, "reach")?;
            let survey = survey.map(|s| &s.get().inner);
            let inputs = HealthInputs {
                survey,
                reach: reach.as_ref(),
                traffic: traffic.as_ref(),
                kpi_actuals: kpi_actuals.as_ref(),
            };
            let report = py
                .detach(|| cjm_core::scoring::health(&self.inner, &model, &inputs))
                .map_err(core_err)?;
            Ok(PyHealthReport { inner: report })
        })
    }

    fn __repr__(&self) -> String {
        let j = self.inner.journey();
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        format!(
            "<Journey {} {}: {}, {}>",
            convert::quoted(&j.id, '\''),
            convert::quoted(&j.name, '"'),
            plural(j.stages.len(), "stage"),
            plural(j.touchpoints.len(), "touchpoint"),
        )
    }

    /// Pickles as its JSON text (`Journey.from_json(text)`).
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let from_json = slf.get_type().getattr("from_json")?;
        let text = PyString::new(py, &slf.get().inner.to_json());
        Ok((from_json, PyTuple::new(py, [text])?))
    }
}

/// Reads an optional mapping argument as a core option type (`invalid_option` when it does
/// not fit: an unknown key, a wrong type).
fn option_value<T: DeserializeOwned>(
    value: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => pythonize::depythonize(v)
            .map(Some)
            .map_err(|e| input_err("invalid_option", format!("`{name}`: {e}"))),
    }
}

/// Loads a journey: a mapping is a parsed document, an `os.PathLike` is a file, and a
/// `str` is JSON text when its first non-white-space character is `{`, else a file path.
#[pyfunction]
fn load(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<PyJourney> {
    guard(|| Source::classify(source)?.load(py).map(PyJourney::from))
}

/// Loads a journey from JSON text.
#[pyfunction]
fn loads(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<PyJourney> {
    guard(|| Source::text(text).load(py).map(PyJourney::from))
}

/// Every problem of a document (as `load` reads it), or an empty list when it is valid.
#[pyfunction]
fn validate<'py>(py: Python<'py>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    guard(|| match Source::classify(source)?.read(py)? {
        Ok(_) => Ok(PyList::empty(py)),
        Err(err) if err.family() == "document" => errors::problem_list(py, err.problems()),
        Err(err) => Err(core_err(err)),
    })
}

/// The built-in templates: a list of `{"name", "title", "description"}` dicts.
#[pyfunction]
fn templates(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(|| Wrap(&cjm_core::templates::list()).into_py_value(py))
}

/// Loads a built-in template by name.
#[pyfunction]
fn template(name: &str) -> PyResult<PyJourney> {
    guard(|| {
        cjm_core::templates::load(name)
            .map(PyJourney::from)
            .map_err(core_err)
    })
}

/// The JSON Schema (draft 2020-12) of a journey document, as a dict.
#[pyfunction]
fn journey_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(|| Wrap(cjm_core::schema::journey_schema()).into_py_value(py))
}

/// Panics with `message`; exists only so the tests can check that no panic crosses into
/// Python.
#[pyfunction]
fn _panic_for_tests(message: &str) -> PyResult<()> {
    guard(|| {
        #[allow(clippy::panic, reason = "the point of this test hook")]
        {
            panic!("{message}")
        }
    })
}

/// The extension module `cjm._cjm`.
#[pymodule]
fn _cjm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("SCHEMA_VERSION", cjm_core::model::SCHEMA_VERSION)?;
    m.add_class::<PyJourney>()?;
    m.add_class::<PySurveyReport>()?;
    m.add_class::<PyPriorityReport>()?;
    m.add_class::<PyHealthReport>()?;
    m.add_class::<PyEmotionCurves>()?;
    m.add_function(wrap_pyfunction!(survey::_survey_kpis, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(templates, m)?)?;
    m.add_function(wrap_pyfunction!(template, m)?)?;
    m.add_function(wrap_pyfunction!(journey_schema, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
