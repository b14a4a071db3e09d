//! Pictures: the `Svg` class, the journey's pictures, Mermaid and the HTML report.
//!
//! Every picture is drawn by `cjm_core::render`; this module reads the options (as the
//! core's serde types, so unknown options are refused the same way in every language)
//! and hands analysis results to the core's report sections (`cjm_core::render::*_section`),
//! so the Python and the browser reports of the same inputs are byte-identical.

use std::path::PathBuf;

use cjm_core::render::{
    attribution_section, flows_section, funnel_section, health_section, html_report,
    insights_section, MapOptions, ReportOptions,
};
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
        Some(d) if d.is_empty() => Ok(T::default()),
        Some(d) => crate::options_from(d.as_any(), what),
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

/// The HTML report of a journey.
pub(crate) fn report_html(
    py: Python<'_>,
    journey: &ValidJourney,
    options: Option<&Bound<'_, PyAny>>,
    inputs: &SectionInputs<'_, '_>,
) -> PyResult<String> {
    let mut options: ReportOptions = crate::option_value(options, "options")?.unwrap_or_default();
    let mut sections = Vec::new();
    if let Some(h) = inputs.health {
        sections.push(health_section(&h.get().inner, journey));
    }
    if let Some(i) = inputs.insights {
        sections.push(insights_section(&i.get().inner));
    }
    if let Some(f) = inputs.funnel {
        sections.push(funnel_section(&f.get().inner, Some(journey)));
    }
    if let Some(f) = inputs.flows {
        sections.push(flows_section(&f.get().inner));
    }
    if let Some(a) = inputs.attribution {
        sections.push(attribution_section(&a.get().inner));
    }
    sections.append(&mut options.sections);
    options.sections = sections;
    // Results the core turns into sections itself (in its order) go in as options.
    if let Some(m) = inputs.measured {
        options.measured = Some(m.clone());
    }
    options.survey = inputs.survey.cloned().or(options.survey);
    options.trends = inputs.trends.cloned().or(options.trends);
    options.retention = inputs.retention.cloned().or(options.retention);
    Ok(py.detach(|| html_report(journey, &options)))
}
