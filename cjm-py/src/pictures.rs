//! Pictures: the `Svg` class, the journey's pictures, Mermaid and the HTML report.
//!
//! Every picture is drawn by `cjm_core::render`; this module reads the options (as the
//! core's serde types, so unknown options are refused the same way in every language)
//! and puts analysis results into the core's `ReportOptions`, which builds the report's
//! sections in its one order, so the Python and the browser reports of the same inputs
//! are byte-identical.

use std::path::PathBuf;

use cjm_core::render::{html_report, MapOptions, ReportOptions};
use cjm_core::ValidJourney;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

use crate::attribution::PyAttribution;
use crate::reports::PyHealthReport;
use crate::results::{PyFlows, PyFunnelResult, PyInsights};

#[doc = stub_doc!("Svg")]
#[pyclass(frozen, module = "cjm", name = "Svg")]
pub(crate) struct PySvg {
    markup: String,
}

impl PySvg {
    pub(crate) fn new(markup: String) -> Self {
        Self { markup }
    }
}

#[pymethods]
impl PySvg {
    #[doc = stub_doc!("Svg.markup")]
    #[getter]
    fn markup(&self) -> &str {
        &self.markup
    }

    #[doc = stub_doc!("Svg.save")]
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| std::fs::write(&path, self.markup.as_bytes()))
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("{}: {e}", path.display())))
    }

    fn _repr_svg_(&self) -> &str {
        &self.markup
    }

    fn __str__(&self) -> &str {
        &self.markup
    }

    fn __repr__(&self) -> String {
        format!("<Svg: {} bytes>", self.markup.len())
    }
}

/// Reads keyword options as a core option type (`invalid_option` when they do not fit).
pub(crate) fn kwargs_options<T: DeserializeOwned + Default>(
    kwargs: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> PyResult<T> {
    match kwargs {
        None => Ok(T::default()),
        Some(d) => crate::convert::read_keywords(d.py(), Some(d), &[], what),
    }
}

/// The journey map as SVG.
pub(crate) fn map_svg(
    journey: &ValidJourney,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PySvg> {
    let options: MapOptions = kwargs_options(options, "map_svg")?;
    Ok(PySvg::new(cjm_core::render::journey_map_svg(
        journey, &options,
    )))
}

/// The emotion curves as SVG.
pub(crate) fn emotion_svg(
    journey: &ValidJourney,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PySvg> {
    let options: cjm_core::render::EmotionCurveOptions = kwargs_options(options, "emotion_svg")?;
    Ok(PySvg::new(cjm_core::render::emotion_curve_svg(
        journey, &options,
    )))
}

/// Results that become report sections.
pub(crate) struct SectionInputs<'a, 'py> {
    pub(crate) health: Option<&'a Bound<'py, PyHealthReport>>,
    pub(crate) insights: Option<&'a Bound<'py, PyInsights>>,
    pub(crate) funnel: Option<&'a Bound<'py, PyFunnelResult>>,
    pub(crate) flows: Option<&'a Bound<'py, PyFlows>>,
    pub(crate) attribution: Option<&'a Bound<'py, PyAttribution>>,
    pub(crate) measured: Option<&'a cjm_core::scoring::MeasuredKpis>,
    pub(crate) retention: Option<&'a cjm_core::events::RetentionResult>,
    pub(crate) trends: Option<&'a cjm_core::events::TrendsResult>,
    pub(crate) survey: Option<&'a cjm_core::scoring::SurveyReport>,
}

/// The HTML report of a journey: the results go into the core's `ReportOptions`, which
/// builds their sections and decides their order.
pub(crate) fn report_html(
    py: Python<'_>,
    journey: &ValidJourney,
    options: Option<&Bound<'_, PyAny>>,
    inputs: &SectionInputs<'_, '_>,
) -> PyResult<String> {
    let options: ReportOptions = crate::option_value(options, "options")?.unwrap_or_default();
    let options = ReportOptions {
        health: inputs.health.map(|h| h.get().inner.clone()),
        insights: inputs.insights.map(|i| i.get().inner.clone()),
        funnel: inputs.funnel.map(|f| f.get().inner.clone()),
        flows: inputs.flows.map(|f| f.get().inner.clone()),
        attribution: inputs.attribution.map(|a| a.get().inner.clone()),
        measured: inputs.measured.cloned(),
        survey: inputs.survey.cloned(),
        trends: inputs.trends.cloned(),
        retention: inputs.retention.cloned(),
        ..options
    };
    Ok(py.detach(|| html_report(journey, &options)))
}
