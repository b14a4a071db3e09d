//! # cjm-py
//!
//! The Python binding of cjm, built with pyo3 and maturin as the extension module
//! `cjm._cjm`; the Python package `cjm` (in `python/cjm/`) re-exports it with its stubs.
//!
//! The binding is thin on purpose: every rule lives in `cjm-core`. This crate only
//!
//! - moves data across the boundary as serde values (a Python mapping goes straight into
//!   [`cjm_core::Loader::load_tree`] through `pydoc::PyDoc`, so the core sees NaN, depth
//!   and size exactly as given and reports them, and any value with no JSON form, with
//!   their paths; results come back as plain `dict`/`list` values through
//!   [`pythonize::pythonize`]),
//! - wraps the one long-lived compiled thing, a [`cjm_core::ValidJourney`], as the frozen
//!   class `Journey`,
//! - turns [`cjm_core::Error`] into the `CjmError(ValueError)` hierarchy defined in
//!   `cjm/_errors.py` (see the module `errors`), and
//! - makes sure no Rust panic crosses into Python (`guard`): a panic becomes a
//!   `CjmError` with code `internal_error`.

/// The docstring of a Python item, as the stubs (`python/cjm/_cjm.pyi`) write it: the
/// build script copies each stub docstring to `$OUT_DIR/pydoc/<name>.txt`, and an item
/// takes it with `#[doc = stub_doc!("EventLog.funnel")]`, so `help()` shows the stubs'
/// text (one source; `tests/test_docstrings.py` checks every item).
///
/// `stub_doc!(signature "EventLog.funnel")` is the docstring headed by the stub's
/// parameters and their defaults (annotations dropped), which CPython shows as the
/// signature: for an item taking `**options` (read by the core) with
/// `#[pyo3(text_signature = None)]`, so that the defaults a user sees are written in the
/// stubs only (checked against the core's by `tests/test_defaults.py`), not here.
macro_rules! stub_doc {
    ($name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/pydoc/", $name, ".txt"))
    };
    (signature $name:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/pydoc/", $name, ".sig.txt"))
    };
    ($class:literal, $member:ident) => {
        include_str!(concat!(
            env!("OUT_DIR"),
            "/pydoc/",
            $class,
            ".",
            stringify!($member),
            ".txt"
        ))
    };
    ($class:literal, $member:literal) => {
        include_str!(concat!(
            env!("OUT_DIR"),
            "/pydoc/",
            $class,
            ".",
            $member,
            ".txt"
        ))
    };
}

mod args;
mod arrow_in;
mod attribution;
mod convert;
mod errors;
mod events;
mod measured;
mod pictures;
mod pydoc;
mod reports;
mod results;
mod source;
mod states;
mod survey;

use std::panic::{catch_unwind, AssertUnwindSafe};

use cjm_core::ValidJourney;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use std::collections::BTreeMap;

use crate::args::{int_arg, read_keywords};
use crate::convert::Wrap;
use crate::errors::{core_err, input_err, internal_error};
use crate::pictures::PySvg;
use crate::reports::{PyEmotionCurves, PyHealthReport, PyPriorityReport, PySurveyReport};
use crate::results::{PyFlows, PyFunnelResult, PyInsights, PyMapDiff, PyPatterns};
use crate::source::Source;
use cjm_core::insights::{InsightInputs, InsightOptions};
use cjm_core::maps::{MapInputs, PatternOptions};
use cjm_core::render::ReportOptions;
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

#[doc = stub_doc!("Journey")]
#[pyclass(frozen, eq, module = "cjm", name = "Journey")]
#[derive(PartialEq)]
pub(crate) struct PyJourney {
    pub(crate) inner: ValidJourney,
}

impl From<ValidJourney> for PyJourney {
    fn from(inner: ValidJourney) -> Self {
        Self { inner }
    }
}

#[pymethods]
impl PyJourney {
    #[doc = stub_doc!("Journey.from_json")]
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<Self> {
        guard(|| Source::text(text).load(py).map(Self::from))
    }

    #[doc = stub_doc!("Journey.from_dict")]
    #[staticmethod]
    fn from_dict(py: Python<'_>, d: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| Source::mapping(d)?.load(py).map(Self::from))
    }

    #[doc = stub_doc!("Journey.from_file")]
    #[staticmethod]
    fn from_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<Self> {
        guard(|| Source::file(path)?.load(py).map(Self::from))
    }

    #[doc = stub_doc!("Journey.id")]
    #[getter]
    fn id(&self) -> &str {
        &self.inner.journey().id
    }

    #[doc = stub_doc!("Journey.name")]
    #[getter]
    fn name(&self) -> &str {
        &self.inner.journey().name
    }

    #[doc = stub_doc!("Journey.schema_version")]
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.journey().schema_version
    }

    #[doc = stub_doc!("Journey.to_dict")]
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| Wrap(self.inner.journey()).into_py_value(py))
    }

    #[doc = stub_doc!("Journey.to_json")]
    #[pyo3(signature = (indent = None))]
    fn to_json(&self, py: Python<'_>, indent: Option<&Bound<'_, PyAny>>) -> PyResult<String> {
        guard(|| {
            let indent: Option<usize> = int_arg(indent, "indent")?;
            Ok(py.detach(|| match indent {
                None => self.inner.to_json(),
                Some(width) => convert::to_json_indented(self.inner.journey(), width),
            }))
        })
    }

    #[doc = stub_doc!("Journey.summary")]
    fn summary<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        guard(|| Wrap(&self.inner.summary()).into_py_value(py))
    }

    #[doc = stub_doc!("Journey.emotion_curves")]
    fn emotion_curves(&self) -> PyResult<PyEmotionCurves> {
        guard(|| {
            Ok(PyEmotionCurves {
                inner: cjm_core::scoring::emotion_curves(&self.inner),
            })
        })
    }

    #[doc = stub_doc!("Journey.priorities")]
    #[pyo3(signature = (reach = None))]
    fn priorities(&self, reach: Option<&Bound<'_, PyAny>>) -> PyResult<PyPriorityReport> {
        guard(|| {
            let reach: Option<MeasuredReach> = option_value(reach, "reach")?;
            let report = cjm_core::scoring::priorities(&self.inner, reach.as_ref());
            Ok(PyPriorityReport {
                inner: report.map_err(core_err)?,
            })
        })
    }

    #[doc = stub_doc!("Journey.health")]
    #[pyo3(signature = (model = None, survey = None, reach = None, traffic = None, kpi_actuals = None, measured = None))]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the keyword arguments of Python"
    )]
    fn health(
        &self,
        py: Python<'_>,
        model: Option<&Bound<'_, PyAny>>,
        survey: Option<&Bound<'_, PySurveyReport>>,
        reach: Option<&Bound<'_, PyAny>>,
        traffic: Option<BTreeMap<String, f64>>,
        kpi_actuals: Option<BTreeMap<String, f64>>,
        measured: Option<&Bound<'_, measured::PyMeasuredKpis>>,
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
                measured: measured.map(|m| &m.get().inner),
            };
            let report = py
                .detach(|| cjm_core::scoring::health(&self.inner, &model, &inputs))
                .map_err(core_err)?;
            Ok(PyHealthReport { inner: report })
        })
    }

    #[doc = stub_doc!(signature "Journey.insights")]
    #[pyo3(
        signature = (
            as_of = None, *, reach = None, stage_drop_off = None, unmapped_events = None,
            total_events = None, measured = None, **options
        ),
        text_signature = None
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the keyword arguments of Python"
    )]
    fn insights(
        &self,
        py: Python<'_>,
        as_of: Option<&Bound<'_, PyAny>>,
        reach: Option<&Bound<'_, PyAny>>,
        stage_drop_off: Option<BTreeMap<String, f64>>,
        unmapped_events: Option<&Bound<'_, PyAny>>,
        total_events: Option<&Bound<'_, PyAny>>,
        measured: Option<&Bound<'_, measured::PyMeasuredKpis>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyInsights> {
        guard(|| {
            let total_events = int_arg(total_events, "total_events")?;
            let options: InsightOptions =
                read_keywords(py, options, &[("as_of", as_of)], "insights")?;
            let reach = match reach.filter(|r| !r.is_none()) {
                Some(r) => match r.cast::<results::PyTraffic>() {
                    Ok(t) => Some(cjm_core::scoring::MeasuredReach::from_traffic(
                        &t.get().inner,
                    )),
                    Err(_) => option_value(Some(r), "reach")?,
                },
                None => None,
            };
            let unmapped_events = match unmapped_events.filter(|r| !r.is_none()) {
                Some(u) => match u.cast::<results::PyTraffic>() {
                    Ok(t) => Some(t.get().inner.unmapped_counts()),
                    Err(_) => Some(u.extract().map_err(|_| {
                        input_err(
                            cjm_core::InputCode::InvalidOption,
                            "`unmapped_events` must map event names to counts".to_owned(),
                        )
                    })?),
                },
                None => None,
            };
            let inputs = InsightInputs {
                reach,
                stage_drop_off,
                unmapped_events,
                total_events,
                measured: measured.map(|m| m.get().inner.clone()),
            };
            let report = py
                .detach(|| cjm_core::insights::insights(&self.inner, &options, &inputs))
                .map_err(core_err)?;
            Ok(report.into())
        })
    }

    #[doc = stub_doc!("Journey.measure_kpis")]
    #[pyo3(signature = (*, stage_funnel = None, conversion = None, survey = None, log = None))]
    fn measure_kpis(
        &self,
        py: Python<'_>,
        stage_funnel: Option<&Bound<'_, PyFunnelResult>>,
        conversion: Option<&Bound<'_, PyFunnelResult>>,
        survey: Option<&Bound<'_, PySurveyReport>>,
        log: Option<&Bound<'_, events::PyEventLog>>,
    ) -> PyResult<measured::PyMeasuredKpis> {
        guard(|| {
            let inputs = cjm_core::scoring::MeasureInputs {
                stage_funnel: stage_funnel.map(|f| &f.get().inner),
                conversion: conversion.map(|f| &f.get().inner),
                survey: survey.map(|s| &s.get().inner),
                log: log.map(|l| l.get().log()),
            };
            let inner = py.detach(|| cjm_core::scoring::measure_kpis(&self.inner, &inputs));
            Ok(measured::PyMeasuredKpis { inner })
        })
    }

    #[doc = stub_doc!(signature "Journey.map_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn map_svg(&self, options: Option<&Bound<'_, PyDict>>) -> PyResult<PySvg> {
        guard(|| pictures::map_svg(&self.inner, options))
    }

    #[doc = stub_doc!(signature "Journey.emotion_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn emotion_svg(&self, options: Option<&Bound<'_, PyDict>>) -> PyResult<PySvg> {
        guard(|| pictures::emotion_svg(&self.inner, options))
    }

    #[doc = stub_doc!("Journey.to_mermaid")]
    #[pyo3(signature = (persona = None, survey = None))]
    fn to_mermaid(
        &self,
        persona: Option<&str>,
        survey: Option<&Bound<'_, PySurveyReport>>,
    ) -> PyResult<(String, Vec<String>)> {
        guard(|| {
            let survey = survey.map(|s| &s.get().inner);
            let export = cjm_core::render::to_mermaid_measured(&self.inner, persona, survey);
            Ok((export.text, export.dropped))
        })
    }

    #[doc = stub_doc!(signature "Journey.report_html")]
    #[pyo3(signature = (*, health = None, insights = None, funnel = None, flows = None, attribution = None, measured = None, retention = None, trends = None, survey = None, **options), text_signature = None)]
    #[allow(
        clippy::too_many_arguments,
        reason = "mirrors the keyword arguments of Python"
    )]
    fn report_html(
        &self,
        py: Python<'_>,
        health: Option<&Bound<'_, PyHealthReport>>,
        insights: Option<&Bound<'_, PyInsights>>,
        funnel: Option<&Bound<'_, PyFunnelResult>>,
        flows: Option<&Bound<'_, PyFlows>>,
        attribution: Option<&Bound<'_, attribution::PyAttribution>>,
        measured: Option<&Bound<'_, measured::PyMeasuredKpis>>,
        retention: Option<&Bound<'_, results::PyRetentionResult>>,
        trends: Option<&Bound<'_, results::PyTrendsResult>>,
        survey: Option<&Bound<'_, PySurveyReport>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<String> {
        // The results go into the core's `ReportOptions`, which builds their sections in
        // its one order, so the Python and the browser reports of the same inputs are
        // byte-identical.
        guard(|| {
            let options: ReportOptions =
                option_value(options.map(|d| d.as_any()), "options")?.unwrap_or_default();
            let options = ReportOptions {
                health: health.map(|h| h.get().inner.clone()),
                insights: insights.map(|i| i.get().inner.clone()),
                funnel: funnel.map(|f| f.get().inner.clone()),
                flows: flows.map(|f| f.get().inner.clone()),
                attribution: attribution.map(|a| a.get().inner.clone()),
                measured: measured.map(|m| m.get().inner.clone()),
                survey: survey.map(|s| s.get().inner.clone()),
                trends: trends.map(|t| t.get().inner.clone()),
                retention: retention.map(|r| r.get().inner.clone()),
                ..options
            };
            Ok(py.detach(|| cjm_core::render::html_report(&self.inner, &options)))
        })
    }

    fn __repr__(&self) -> String {
        let j = self.inner.journey();
        let plural = reports::plural;
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
pub(crate) fn option_value<T: DeserializeOwned>(
    value: Option<&Bound<'_, PyAny>>,
    name: &str,
) -> PyResult<Option<T>> {
    match value {
        None => Ok(None),
        Some(v) if v.is_none() => Ok(None),
        Some(v) => crate::args::read_plain(v, name).map(Some),
    }
}

/// Reads an ingest spec (a dict that may hold `bytes`, a pseudonymisation key, which
/// the core's option reader [`crate::args::read_plain`] refuses) as a core type. When
/// it does not fit, `invalid_option` names the key that failed and, for an integer out of
/// range, says so in the project's words instead of Python's `OverflowError` text.
pub(crate) fn options_from<T: DeserializeOwned>(
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<T> {
    let value = crate::args::plain(value)?;
    let mut de = pythonize::Depythonizer::from_object(&value);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let problem = if inner.contains("negative int to unsigned") {
            "must not be negative".to_owned()
        } else if inner.contains("too big to convert") || inner.contains("too large to convert") {
            "is too large".to_owned()
        } else {
            // Python's exception name is not the user's business: the text after it is.
            let plain = ["TypeError: ", "ValueError: ", "OverflowError: "]
                .iter()
                .find_map(|p| inner.strip_prefix(p));
            plain.map_or_else(|| inner.clone(), str::to_owned)
        };
        let message = if path == "." {
            format!("{what}: {problem}")
        } else {
            format!("{what}: option `{path}` {problem}")
        };
        input_err(cjm_core::InputCode::InvalidOption, message)
    })
}

#[doc = stub_doc!("load")]
#[pyfunction]
fn load(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<PyJourney> {
    guard(|| Source::classify(source)?.load(py).map(PyJourney::from))
}

#[doc = stub_doc!("load_file")]
#[pyfunction]
fn load_file(py: Python<'_>, path: &Bound<'_, PyAny>) -> PyResult<PyJourney> {
    guard(|| Source::file(path)?.load(py).map(PyJourney::from))
}

#[doc = stub_doc!("loads")]
#[pyfunction]
fn loads(py: Python<'_>, text: &Bound<'_, PyString>) -> PyResult<PyJourney> {
    guard(|| Source::text(text).load(py).map(PyJourney::from))
}

#[doc = stub_doc!("validate")]
#[pyfunction]
fn validate<'py>(py: Python<'py>, source: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    guard(|| problems(py, Source::classify(source)?))
}

#[doc = stub_doc!("validate_file")]
#[pyfunction]
fn validate_file<'py>(py: Python<'py>, path: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
    guard(|| problems(py, Source::file(path)?))
}

/// The problems of a document source as a list of `cjm.Problem`.
fn problems<'py>(py: Python<'py>, source: Source<'_, 'py>) -> PyResult<Bound<'py, PyList>> {
    match source.read(py)? {
        Ok(_) => Ok(PyList::empty(py)),
        Err(err) if err.family() == "document" => errors::problem_list(py, err.problems()),
        Err(err) => Err(core_err(err)),
    }
}

#[doc = stub_doc!("templates")]
#[pyfunction]
fn templates(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(|| Wrap(&cjm_core::templates::list()).into_py_value(py))
}

#[doc = stub_doc!("template")]
#[pyfunction]
fn template(name: &str) -> PyResult<PyJourney> {
    guard(|| {
        cjm_core::templates::load(name)
            .map(PyJourney::from)
            .map_err(core_err)
    })
}

#[doc = stub_doc!("_option_defaults")]
#[pyfunction]
fn _option_defaults(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(|| Wrap(&cjm_core::schema::option_defaults()).into_json_value(py))
}

#[doc = stub_doc!("journey_schema")]
#[pyfunction]
fn journey_schema(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    guard(|| Wrap(cjm_core::schema::journey_schema()).into_py_value(py))
}

#[doc = stub_doc!("two_proportion_test")]
#[pyfunction]
fn two_proportion_test<'py>(
    py: Python<'py>,
    x1: &Bound<'py, PyAny>,
    n1: &Bound<'py, PyAny>,
    x2: &Bound<'py, PyAny>,
    n2: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    guard(|| {
        let count = |v, name| args::read_plain::<u64>(v, name);
        let (x1, n1, x2, n2) = (
            count(x1, "x1")?,
            count(n1, "n1")?,
            count(x2, "x2")?,
            count(n2, "n2")?,
        );
        let test = cjm_core::scoring::two_proportion_test(x1, n1, x2, n2).map_err(core_err)?;
        Wrap(&test).into_json_value(py)
    })
}

#[doc = stub_doc!("diff_maps")]
#[pyfunction]
#[pyo3(signature = (before, after, model = None, *, before_inputs = None, after_inputs = None))]
fn diff_maps(
    py: Python<'_>,
    before: &Bound<'_, PyJourney>,
    after: &Bound<'_, PyJourney>,
    model: Option<&Bound<'_, PyAny>>,
    before_inputs: Option<&Bound<'_, PyAny>>,
    after_inputs: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyMapDiff> {
    guard(|| {
        let model: ScoringModel = option_value(model, "model")?.unwrap_or_default();
        let inputs = |v: Option<&Bound<'_, PyAny>>, what: &str| -> PyResult<MapInputs> {
            // A survey is a report `survey_kpis` computed, never a dict of numbers shaped
            // like one (nothing would check them).
            let survey = v
                .and_then(|v| v.cast::<PyDict>().ok())
                .and_then(|d| d.get_item("survey").ok().flatten());
            if let Some(s) = survey.filter(|s| !s.is_none()) {
                if !s.is_instance_of::<crate::reports::PySurveyReport>() {
                    return Err(input_err(
                        cjm_core::InputCode::InvalidOption,
                        format!(
                            "`{what}`'s `survey` must be a SurveyReport (from \
                             `cjm.survey_kpis`), not {}",
                            s.get_type().name()?
                        ),
                    ));
                }
            }
            Ok(option_value(v, what)?.unwrap_or_default())
        };
        let (b, a) = (
            inputs(before_inputs, "before_inputs")?,
            inputs(after_inputs, "after_inputs")?,
        );
        let (bi, ai) = (b.health_inputs(), a.health_inputs());
        let (bj, aj) = (&before.get().inner, &after.get().inner);
        let diff = py
            .detach(|| cjm_core::maps::diff_maps(bj, aj, &model, &bi, &ai))
            .map_err(core_err)?;
        Ok(diff.into())
    })
}

#[doc = stub_doc!(signature "patterns")]
#[pyfunction]
#[pyo3(signature = (journeys, as_of = None, **options), text_signature = None)]
fn patterns(
    py: Python<'_>,
    journeys: Vec<Bound<'_, PyJourney>>,
    as_of: Option<&Bound<'_, PyAny>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyPatterns> {
    guard(|| {
        let options: PatternOptions = read_keywords(py, options, &[("as_of", as_of)], "patterns")?;
        let maps: Vec<&ValidJourney> = journeys.iter().map(|j| &j.get().inner).collect();
        let found = py
            .detach(|| cjm_core::maps::patterns(&maps, &options))
            .map_err(core_err)?;
        Ok(found.into())
    })
}

#[doc = stub_doc!("from_mermaid")]
#[pyfunction]
fn from_mermaid<'py>(py: Python<'py>, text: &str) -> PyResult<(PyJourney, Bound<'py, PyAny>)> {
    guard(|| {
        let (journey, notes) = cjm_core::render::from_mermaid(text).map_err(core_err)?;
        let valid = cjm_core::validate(&journey).map_err(core_err)?;
        Ok((PyJourney::from(valid), Wrap(&notes).into_json_value(py)?))
    })
}

#[doc = stub_doc!("_panic_for_tests")]
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
    m.add_class::<measured::PyMeasuredKpis>()?;
    m.add_class::<PySurveyReport>()?;
    m.add_class::<PyPriorityReport>()?;
    m.add_class::<PyHealthReport>()?;
    m.add_class::<PyEmotionCurves>()?;
    m.add_class::<PySvg>()?;
    m.add_class::<events::PyEventLog>()?;
    m.add_class::<results::PyInsights>()?;
    m.add_class::<results::PyGroupComparison>()?;
    m.add_class::<PyMapDiff>()?;
    m.add_class::<PyPatterns>()?;
    m.add_class::<results::PyIngestReport>()?;
    m.add_class::<results::PyTraffic>()?;
    m.add_class::<PyFunnelResult>()?;
    m.add_class::<results::PyRetentionResult>()?;
    m.add_class::<results::PyTrendsResult>()?;
    m.add_class::<results::PyFunnelTrendsResult>()?;
    m.add_class::<results::PyDirectlyFollows>()?;
    m.add_class::<results::PyVariants>()?;
    m.add_class::<PyFlows>()?;
    m.add_class::<attribution::PyAttribution>()?;
    m.add_class::<results::PyJourneyStates>()?;
    m.add_class::<results::PyDrivers>()?;
    m.add_class::<results::PyConformance>()?;
    m.add_function(wrap_pyfunction!(survey::survey_kpis, m)?)?;
    m.add_function(wrap_pyfunction!(survey::compare_groups, m)?)?;
    m.add_function(wrap_pyfunction!(two_proportion_test, m)?)?;
    m.add_function(wrap_pyfunction!(diff_maps, m)?)?;
    m.add_function(wrap_pyfunction!(patterns, m)?)?;
    m.add_function(wrap_pyfunction!(from_mermaid, m)?)?;
    m.add_function(wrap_pyfunction!(events::generate_log, m)?)?;
    m.add_function(wrap_pyfunction!(attribution::_attribute, m)?)?;
    m.add_function(wrap_pyfunction!(load, m)?)?;
    m.add_function(wrap_pyfunction!(load_file, m)?)?;
    m.add_function(wrap_pyfunction!(loads, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_file, m)?)?;
    m.add_function(wrap_pyfunction!(templates, m)?)?;
    m.add_function(wrap_pyfunction!(template, m)?)?;
    m.add_function(wrap_pyfunction!(journey_schema, m)?)?;
    m.add_function(wrap_pyfunction!(_option_defaults, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    states::register(m)?;
    Ok(())
}
