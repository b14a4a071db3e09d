//! Multi-touch attribution (docs/attribution.md): `cjm.attribute` over an analyst's path
//! table and `EventLog.attribute` over the paths of a log, with the result class
//! `cjm.Attribution`.
//!
//! Every model runs in the core (`cjm_core::attribution::attribute`); this module reads
//! the rows (the `channelattribution` path-table format, columns named by the caller),
//! splits the keyword options between the core's option types, and shows the result as
//! tables. No number is computed here.

use cjm_core::attribution::{
    attribute as run, Attribution, PathInput, PathOptions, PathTable, TableOptions,
};
use cjm_core::events::EventLog;
use cjm_core::{Error, ValidJourney};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::Wrap;
use crate::errors::{core_err, input_err};
use crate::pictures::PySvg;
use crate::reports::{escape, plural, result_class};

fn row_err(code: cjm_core::InputCode, row: usize, message: String) -> PyErr {
    core_err(Error::Input {
        code,
        row: Some(row),
        message,
    })
}

/// The cell of the first of `names` the row has; `None` when it has none of them.
fn cell<'py>(row: &Bound<'py, PyDict>, names: &[&str]) -> PyResult<Option<Bound<'py, PyAny>>> {
    for name in names {
        if let Some(v) = row.get_item(name)? {
            return Ok(Some(v));
        }
    }
    Ok(None)
}

/// A number cell: `None`/absent is 0.
fn number(row: &Bound<'_, PyDict>, names: &[&str], i: usize) -> PyResult<f64> {
    match cell(row, names)? {
        None => Ok(0.0),
        Some(v) if v.is_none() => Ok(0.0),
        Some(v) => v.extract::<f64>().map_err(|_| {
            row_err(
                cjm_core::InputCode::WrongType,
                i,
                format!(
                    "column `{}` must hold numbers, not `{}`",
                    names.first().copied().unwrap_or_default(),
                    v.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ),
            )
        }),
    }
}

/// The column names to try: the one given, and the core's short name when the given one
/// is the `channelattribution` default.
fn names<'a>(given: &'a str, default: &str, short: &'a str) -> Vec<&'a str> {
    if given == default {
        vec![given, short]
    } else {
        vec![given]
    }
}

/// Reads the rows (dicts) of a path table.
fn path_inputs(rows: &Bound<'_, PyList>, columns: &Columns<'_>) -> PyResult<Vec<PathInput>> {
    let conv = names(columns.conversions, "total_conversions", "conversions");
    let value = names(columns.value, "total_conversion_value", "value");
    let nulls = names(columns.nulls, "total_null", "nulls");
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let row = row.cast_into::<PyDict>().map_err(|_| {
            row_err(
                cjm_core::InputCode::WrongType,
                i,
                "every row must be a mapping".to_owned(),
            )
        })?;
        let path = match row.get_item(columns.path)? {
            None => {
                return Err(row_err(
                    cjm_core::InputCode::MissingColumn,
                    i,
                    format!("the row has no column `{}`", columns.path),
                ))
            }
            Some(p) => p.cast_into::<PyString>().map_err(|_| {
                row_err(
                    cjm_core::InputCode::WrongType,
                    i,
                    format!("column `{}` must hold strings", columns.path),
                )
            })?,
        };
        let times = match row.get_item(columns.times)? {
            Some(t) if !t.is_none() => Some(t.extract::<Vec<f64>>().map_err(|_| {
                row_err(
                    cjm_core::InputCode::WrongType,
                    i,
                    format!("column `{}` must hold lists of numbers", columns.times),
                )
            })?),
            _ => None,
        };
        out.push(PathInput {
            path: path.to_cow()?.into_owned(),
            conversions: number(&row, &conv, i)?,
            value: number(&row, &value, i)?,
            nulls: number(&row, &nulls, i)?,
            seconds_to_conversion: times,
        });
    }
    Ok(out)
}

/// The column names of a path table.
pub(crate) struct Columns<'a> {
    path: &'a str,
    conversions: &'a str,
    value: &'a str,
    nulls: &'a str,
    times: &'a str,
}

#[doc = stub_doc!("_attribute")]
#[pyfunction]
#[pyo3(signature = (rows, *, path, conversions, value, nulls, times, options = None))]
#[allow(
    clippy::too_many_arguments,
    reason = "mirrors the keyword arguments of Python"
)]
pub(crate) fn _attribute(
    py: Python<'_>,
    rows: &Bound<'_, PyList>,
    path: &str,
    conversions: &str,
    value: &str,
    nulls: &str,
    times: &str,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyAttribution> {
    crate::guard(|| {
        let columns = Columns {
            path,
            conversions,
            value,
            nulls,
            times,
        };
        let inputs = path_inputs(rows, &columns)?;
        let (table_options, options) = crate::convert::with_keywords(py, options, &[], |d| {
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
    let (path_options, options) = crate::convert::with_keywords(py, options, &[], |d| {
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
        let row = self
            .inner
            .channels
            .iter()
            .find(|c| c.channel == channel)
            .ok_or_else(|| input_err(cjm_core::InputCode::UnknownChannel, format!("no channel `{channel}`")))?;
        let credit = row
            .credit(model)
            .ok_or_else(|| input_err(cjm_core::InputCode::UnknownModel, format!("no model column `{model}`")))?;
        Ok(credit.conversions)
    }

    #[doc = stub_doc!("Attribution.to_svg")]
    #[pyo3(signature = (title = None, width = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        width: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<PySvg> {
        let mut chart = cjm_core::render::attribution_chart(&self.inner, title);
        chart.width = crate::convert::int_arg(width, "width")?;
        Ok(PySvg::new(cjm_core::render::bar_chart_svg(&chart)))
    }

    fn __len__(&self) -> usize {
        self.inner.channels.len()
    }
});
