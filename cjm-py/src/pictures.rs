//! Pictures: the `Svg` class, the journey's pictures, Mermaid and the HTML report.
//!
//! Every picture is drawn by `cjm_core::render`; this module reads the options (as the
//! core's serde types, so unknown options are refused the same way in every language)
//! and turns analysis results into report sections (tables of text cells and chart data;
//! the report escapes every string).

use std::path::PathBuf;

use cjm_core::render::{
    html_report, MapOptions, ReportBlock, ReportOptions, ReportSection, ReportTable, SectionKind,
};
use cjm_core::ValidJourney;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

use crate::errors::input_err;
use crate::reports::{label, PyHealthReport};
use crate::results::{flow_chart, funnel_chart, step_name, PyFlows, PyFunnelResult, PyInsights};

/// An SVG picture (Python class `cjm.Svg`): shown inline by Jupyter (`_repr_svg_`),
/// `str(svg)` is the markup, `save(path)` writes it.
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
    /// The SVG markup.
    #[getter]
    fn markup(&self) -> &str {
        &self.markup
    }

    /// Writes the markup to a file (UTF-8).
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
        Some(d) => pythonize::depythonize(d.as_any())
            .map_err(|e| input_err("invalid_option", format!("{what}: {e}"))),
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

fn scores_section(report: &PyHealthReport) -> ReportSection {
    let r = &report.inner;
    let rows = std::iter::once(&r.journey)
        .chain(&r.stages)
        .chain(&r.touchpoints)
        .map(|s| {
            vec![
                label(&s.kind),
                s.id.clone(),
                s.score
                    .map_or_else(|| "–".to_owned(), |v| format!("{v:.1}")),
                s.band.as_ref().map(label).unwrap_or_default(),
                s.missing.join(", "),
            ]
        })
        .collect();
    ReportSection {
        kind: SectionKind::Scores,
        title: "Health".to_owned(),
        intro: Some(format!(
            "Health 0–100 per touchpoint, stage and the journey (definition {}).",
            r.definition.hash
        )),
        blocks: vec![ReportBlock::Table(ReportTable {
            caption: None,
            columns: ["kind", "id", "score", "band", "missing"]
                .map(str::to_owned)
                .to_vec(),
            rows,
        })],
    }
}

fn insights_section(report: &PyInsights) -> ReportSection {
    let r = &report.inner;
    let rows = r
        .insights
        .iter()
        .map(|i| {
            vec![
                label(&i.severity),
                i.code.clone(),
                i.path.clone(),
                i.message.clone(),
            ]
        })
        .collect();
    let mut blocks = vec![ReportBlock::Table(ReportTable {
        caption: None,
        columns: ["severity", "code", "path", "message"]
            .map(str::to_owned)
            .to_vec(),
        rows,
    })];
    if !r.not_checked.is_empty() {
        blocks.push(ReportBlock::Paragraph {
            text: format!("Not checked: {}.", r.not_checked.join("; ")),
        });
    }
    ReportSection {
        kind: SectionKind::Insights,
        title: "Insights".to_owned(),
        intro: None,
        blocks,
    }
}

fn funnel_section(result: &PyFunnelResult) -> ReportSection {
    let r = &result.inner;
    let rows = r
        .steps
        .iter()
        .map(|s| {
            let share = |v: Option<f64>| {
                v.map_or_else(|| "–".to_owned(), |v| format!("{:.1} %", v * 100.0))
            };
            vec![
                step_name(&s.step).to_owned(),
                s.customers.to_string(),
                share(s.conversion_from_first),
                share(s.conversion_from_previous),
                s.drop_off.to_string(),
            ]
        })
        .collect();
    ReportSection {
        kind: SectionKind::Funnel,
        title: "Funnel".to_owned(),
        intro: Some(format!(
            "Unique customers per step (definition {}).",
            r.definition.hash
        )),
        blocks: vec![
            ReportBlock::Funnel(funnel_chart(r, None)),
            ReportBlock::Table(ReportTable {
                caption: None,
                columns: [
                    "step",
                    "customers",
                    "from first",
                    "from previous",
                    "drop-off",
                ]
                .map(str::to_owned)
                .to_vec(),
                rows,
            }),
        ],
    }
}

fn flows_section(result: &PyFlows) -> ReportSection {
    ReportSection {
        kind: SectionKind::Flows,
        title: "Flows".to_owned(),
        intro: Some(format!(
            "The first events of each customer (definition {}).",
            result.inner.definition.hash
        )),
        blocks: vec![ReportBlock::Flow(flow_chart(&result.inner, None))],
    }
}

/// Results that become report sections.
pub(crate) struct SectionInputs<'a, 'py> {
    pub(crate) health: Option<&'a Bound<'py, PyHealthReport>>,
    pub(crate) insights: Option<&'a Bound<'py, PyInsights>>,
    pub(crate) funnel: Option<&'a Bound<'py, PyFunnelResult>>,
    pub(crate) flows: Option<&'a Bound<'py, PyFlows>>,
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
        sections.push(scores_section(h.get()));
    }
    if let Some(i) = inputs.insights {
        sections.push(insights_section(i.get()));
    }
    if let Some(f) = inputs.funnel {
        sections.push(funnel_section(f.get()));
    }
    if let Some(f) = inputs.flows {
        sections.push(flows_section(f.get()));
    }
    sections.append(&mut options.sections);
    options.sections = sections;
    Ok(py.detach(|| html_report(journey, &options)))
}
