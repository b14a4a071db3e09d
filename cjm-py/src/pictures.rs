//! Pictures: the `Svg` class and the journey's pictures.
//!
//! Every picture is drawn by `cjm_core::render`; this module reads the options (as the
//! core's serde types, so unknown options are refused the same way in every language).
//! It imports no result class: the results draw themselves through `Svg`, and the HTML
//! report (`Journey.report_html`, in `lib.rs`) hands them to the core's
//! `ReportOptions`.

use std::path::PathBuf;

use cjm_core::render::MapOptions;
use cjm_core::ValidJourney;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use serde::de::DeserializeOwned;

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
        Some(d) => crate::args::read_keywords(d.py(), Some(d), &[], what),
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
