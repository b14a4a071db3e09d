//! Multi-touch attribution (docs/attribution.md): `cjm.attribute` over an analyst's path
//! table and `EventLog.attribute` over the paths of a log, with the result class
//! `cjm.Attribution`.
//!
//! Every model runs in the core (`cjm_core::attribution::attribute`); this module hands
//! the core the cells of the rows it asks for (the columns, their `channelattribution`
//! defaults and the row errors are the core's `PathColumns`), splits the keyword options between the core's option types, and shows the result as
//! tables. No number is computed here.

use cjm_core::attribution::{
    attribute as run, Attribution, CellKind, PathCell, PathColumns, PathInput, PathOptions,
    PathTable, TableOptions,
};
use cjm_core::events::EventLog;
use cjm_core::{Error, ValidJourney};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::args::read_keywords;
use crate::convert::Wrap;
use crate::errors::core_err;
use crate::pictures::PySvg;
use crate::reports::{escape, plural, result_class};

/// The cell of column `name` of a row, as the core asks for it (translation only: which
/// columns, their defaults and the errors are the core's, [`PathColumns::read_row`]).
fn cell(row: &Bound<'_, PyDict>, name: &str, kind: CellKind) -> PyResult<PathCell> {
    let Some(v) = row.get_item(name)? else {
        return Ok(PathCell::Absent);
    };
    if v.is_none() {
        return Ok(PathCell::Null);
    }
    let got = match kind {
        CellKind::Text => match v.cast::<PyString>() {
            Ok(s) => Some(PathCell::Text(s.to_cow()?.into_owned())),
            Err(_) => None,
        },
        CellKind::Number => v.extract::<f64>().ok().map(PathCell::Number),
        CellKind::Numbers => v.extract::<Vec<f64>>().ok().map(PathCell::Numbers),
    };
    Ok(got.unwrap_or_else(|| {
        PathCell::Wrong(
            v.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default(),
        )
    }))
}

/// Reads the rows (dicts) of a path table.
fn path_inputs(rows: &Bound<'_, PyList>, columns: &PathColumns) -> PyResult<Vec<PathInput>> {
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row = row.cast_into::<PyDict>().map_err(|_| {
            core_err(Error::Input {
                code: cjm_core::InputCode::WrongType,
                row: Some(i),
                message: "every row must be a mapping".to_owned(),
            })
        })?;
        out.push(
            columns
                .read_row(i, |name, kind| cell(&row, name, kind))?
                .map_err(core_err)?,
        );
    }
    Ok(out)
}

#[doc = stub_doc!("_attribute")]
#[pyfunction]
#[pyo3(signature = (rows, *, columns = None, options = None))]
pub(crate) fn _attribute(
    py: Python<'_>,
    rows: &Bound<'_, PyList>,
    columns: Option<&Bound<'_, PyDict>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyAttribution> {
    crate::guard(|| {
        let columns: PathColumns = read_keywords(py, columns, &[], "attribute")?;
        let inputs = path_inputs(rows, &columns)?;
        let (table_options, options) = crate::args::with_keywords(py, options, &[], |d| {
            TableOptions::with_models(d, "attribute")
        })?;
        let result = py
            .detach(|| {
                let table = PathTable::from_rows(&inputs, &table_options)?;
                run(&table, &options)
            })
            .map_err(core_err)?;
        Ok(result.into())
    })
}

/// `EventLog.attribute`: paths of the log (path keyword options), then the models.
pub(crate) fn attribute_log(
    py: Python<'_>,
    log: &EventLog,
    journey: Option<&ValidJourney>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyAttribution> {
    let (path_options, options) = crate::args::with_keywords(py, options, &[], |d| {
        PathOptions::with_models(d, "attribute")
    })?;
    let result = py
        .detach(|| cjm_core::attribution::attribute_log(log, journey, &path_options, &options))
        .map_err(core_err)?;
    Ok(result.into())
}

result_class!(
    /// Attribution results side by side (Python class `cjm.Attribution`), from
    /// `cjm.attribute` and `EventLog.attribute`.
    PyAttribution, "Attribution", Attribution, |r| {
        format!(
            "{}, {}, {} conversions",
            plural(r.channels.len(), "channel"),
            plural(r.models.len(), "model"),
            r.totals.conversions
        )
    } note {
        let models: Vec<String> = r.models.iter()
            .map(|m| format!("{} <code>{}</code>", escape(m.model.name()), escape(&m.definition.hash)))
            .collect();
        let mut html = format!("<p>Models: {}</p>\n", models.join(", "));
        if !r.skipped.is_empty() {
            let skipped: Vec<String> = r.skipped.iter()
                .map(|s| format!("{} ({})", escape(s.model.name()), escape(&s.message)))
                .collect();
            html.push_str(&format!("<p>Not run: {}</p>\n", skipped.join("; ")));
        }
        html
    } {
    #[doc = stub_doc!("Attribution.models")]
    #[getter]
    fn models(&self) -> Vec<&'static str> {
        self.inner.models.iter().map(|m| m.model.name()).collect()
    }

    #[doc = stub_doc!("Attribution.channels")]
    #[getter]
    fn channels(&self) -> Vec<String> {
        self.inner.channels.iter().map(|c| c.channel.clone()).collect()
    }

    #[doc = stub_doc!("Attribution.totals")]
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner.totals).into_json_value(py))
    }

    #[doc = stub_doc!("Attribution.credit")]
    fn credit(&self, channel: &str, model: &str) -> PyResult<Option<f64>> {
        self.inner.credit(channel, model).map_err(core_err)
    }

    #[doc = stub_doc!("Attribution.to_svg")]
    #[pyo3(signature = (title = None, width = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        width: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySvg> {
        let mut chart = cjm_core::render::attribution_chart(&self.inner, title);
        chart.width = crate::args::int_arg(width, "width")?;
        Ok(PySvg::new(cjm_core::render::bar_chart_svg(&chart)))
    }

    fn __len__(&self) -> usize {
        self.inner.channels.len()
    }
});
