//! Multi-touch attribution (docs/attribution.md): `cjm.attribute` over an analyst's path
//! table and `EventLog.attribute` over the paths of a log, with the result class
//! `cjm.Attribution`.
//!
//! Every model runs in the core (`cjm_core::attribution::attribute`); this module reads
//! the rows (the `channelattribution` path-table format, columns named by the caller),
//! splits the keyword options between the core's option types, and shows the result as
//! tables. No number is computed here.

use cjm_core::attribution::{
    attribute as run, Attribution, AttributionOptions, Credit, Model, PathInput, PathOptions,
    PathTable, TableOptions,
};
use cjm_core::events::EventLog;
use cjm_core::{Definition, Error, ValidJourney};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use crate::convert::{int_option_opt, wide_int_opt, Wrap};
use crate::errors::{core_err, input_err};
use crate::pictures::PySvg;
use crate::reports::{count, escape, plural, report_methods, Col, Report, Table};

/// Keys of the keyword options that belong to [`TableOptions`].
const TABLE_KEYS: [&str; 2] = ["separator", "collapse_repeats"];
/// Keys of the keyword options that belong to [`PathOptions`].
const PATH_KEYS: [&str; 6] = [
    "touch",
    "conversion_events",
    "lookback_seconds",
    "collapse_repeats",
    "keep_times",
    "allow_missing_events",
];

/// Splits keyword options into (the keys in `keys`, the rest).
fn split<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
    keys: &[&str],
) -> PyResult<(Bound<'py, PyDict>, Bound<'py, PyDict>)> {
    let (mine, rest) = (PyDict::new(py), PyDict::new(py));
    if let Some(options) = options {
        for (k, v) in options.iter() {
            let key: String = k.extract()?;
            if keys.contains(&key.as_str()) {
                mine.set_item(k, v)?;
            } else {
                rest.set_item(k, v)?;
            }
        }
    }
    Ok((mine, rest))
}

fn read<T: serde::de::DeserializeOwned + Default>(
    d: &Bound<'_, PyDict>,
    what: &str,
) -> PyResult<T> {
    if d.is_empty() {
        return Ok(T::default());
    }
    crate::options_from(d.as_any(), what)
}

fn row_err(code: &'static str, row: usize, message: String) -> PyErr {
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
                "wrong_type",
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
        let row = row
            .cast_into::<PyDict>()
            .map_err(|_| row_err("wrong_type", i, "every row must be a mapping".to_owned()))?;
        let path = match row.get_item(columns.path)? {
            None => {
                return Err(row_err(
                    "missing_column",
                    i,
                    format!("the row has no column `{}`", columns.path),
                ))
            }
            Some(p) => p.cast_into::<PyString>().map_err(|_| {
                row_err(
                    "wrong_type",
                    i,
                    format!("column `{}` must hold strings", columns.path),
                )
            })?,
        };
        let times = match row.get_item(columns.times)? {
            Some(t) if !t.is_none() => Some(t.extract::<Vec<f64>>().map_err(|_| {
                row_err(
                    "wrong_type",
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
        let (table_options, rest) = split(py, options, &TABLE_KEYS)?;
        let table_options: TableOptions = read(&table_options, "attribute")?;
        let options: AttributionOptions = read(&rest, "attribute")?;
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
    let (path_options, rest) = split(py, options, &PATH_KEYS)?;
    if let Some(events) = path_options.get_item("conversion_events")? {
        if events.is_instance_of::<PyString>() {
            path_options.set_item("conversion_events", PyList::new(py, [events])?)?;
        }
    }
    let path_options: PathOptions = read(&path_options, "attribute")?;
    let options: AttributionOptions = read(&rest, "attribute")?;
    let result = py
        .detach(|| cjm_core::attribution::attribute_log(log, journey, &path_options, &options))
        .map_err(core_err)?;
    Ok(result.into())
}

#[doc = stub_doc!("Attribution")]
#[pyclass(frozen, module = "cjm", name = "Attribution")]
pub(crate) struct PyAttribution {
    pub(crate) inner: Attribution,
}

impl From<Attribution> for PyAttribution {
    fn from(inner: Attribution) -> Self {
        Self { inner }
    }
}

report_methods!(PyAttribution {
    /// The result as plain Python values (the core's JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner).into_json_value(py))
    }

    /// The model columns, in table order (`first`, `last`, … `markov`, `shapley`).
    #[getter]
    fn models(&self) -> Vec<&'static str> {
        self.inner.models.iter().map(|m| m.model.name()).collect()
    }

    /// The channels, in table order.
    #[getter]
    fn channels(&self) -> Vec<String> {
        self.inner.channels.iter().map(|c| c.channel.clone()).collect()
    }

    /// The totals of the path table (`paths`, `conversions`, `value`, `nulls`,
    /// `unattributed_conversions`, `unattributed_value`).
    #[getter]
    fn totals<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner.totals).into_json_value(py))
    }

    /// Conversions credited to `channel` by `model` (`None` when undefined).
    fn credit(&self, channel: &str, model: &str) -> PyResult<Option<f64>> {
        let row = self
            .inner
            .channels
            .iter()
            .find(|c| c.channel == channel)
            .ok_or_else(|| input_err("unknown_channel", format!("no channel `{channel}`")))?;
        let credit = row
            .credit(model)
            .ok_or_else(|| input_err("unknown_model", format!("no model column `{model}`")))?;
        Ok(credit.conversions)
    }

    /// Conversions credited per channel by every model that credits each conversion in
    /// full, as an SVG bar chart.
    #[pyo3(signature = (title = None, width = None))]
    fn to_svg(
        &self,
        title: Option<String>,
        #[pyo3(from_py_with = wide_int_opt)] width: Option<i128>,
    ) -> PyResult<PySvg> {
        let mut chart = cjm_core::render::attribution_chart(&self.inner, title);
        chart.width = int_option_opt(width, "width")?;
        Ok(PySvg::new(cjm_core::render::bar_chart_svg(&chart)))
    }

    fn __len__(&self) -> usize {
        self.inner.channels.len()
    }
});

/// The name of a model's value column in the `value` table.
fn value_column(model: Model) -> &'static str {
    match model {
        Model::First => "first_value",
        Model::Last => "last_value",
        Model::LastNonDirect => "last_non_direct_value",
        Model::Linear => "linear_value",
        Model::PositionBased => "position_based_value",
        Model::TimeDecay => "time_decay_value",
        Model::Participation => "participation_value",
        Model::Markov => "markov_value",
        Model::Shapley => "shapley_value",
        Model::OrderedShapley => "ordered_shapley_value",
    }
}

impl PyAttribution {
    /// One column per model: `pick` of each channel's credit.
    fn side_by_side(&self, value: bool) -> Table {
        let c = &self.inner.channels;
        let mut columns = vec![(
            "channel",
            Col::Text(c.iter().map(|c| Some(c.channel.clone())).collect()),
        )];
        let pick = |x: &Credit| if value { x.value } else { x.conversions };
        for (i, m) in self.inner.models.iter().enumerate() {
            let name = if value {
                value_column(m.model)
            } else {
                m.model.name()
            };
            columns.push((
                name,
                Col::Number(c.iter().map(|c| c.credits.get(i).and_then(pick)).collect()),
            ));
        }
        Table { columns }
    }
}

impl Report for PyAttribution {
    const NAME: &'static str = "Attribution";
    const TABLES: &'static [&'static str] = &[
        "credits",
        "value",
        "long",
        "models",
        "removal_effects",
        "transitions",
        "ordered_shapley",
    ];

    fn table(&self, name: &str) -> Option<Table> {
        let r = &self.inner;
        match name {
            "credits" => Some(self.side_by_side(false)),
            "value" => Some(self.side_by_side(true)),
            "long" => {
                let rows: Vec<(&str, &Credit)> = r
                    .channels
                    .iter()
                    .flat_map(|c| c.credits.iter().map(move |x| (c.channel.as_str(), x)))
                    .collect();
                Some(Table {
                    columns: vec![
                        (
                            "channel",
                            Col::Text(rows.iter().map(|(c, _)| Some((*c).to_owned())).collect()),
                        ),
                        (
                            "model",
                            Col::Text(
                                rows.iter()
                                    .map(|(_, x)| Some(x.model.name().to_owned()))
                                    .collect(),
                            ),
                        ),
                        (
                            "conversions",
                            Col::Number(rows.iter().map(|(_, x)| x.conversions).collect()),
                        ),
                        (
                            "value",
                            Col::Number(rows.iter().map(|(_, x)| x.value).collect()),
                        ),
                        (
                            "share",
                            Col::Number(rows.iter().map(|(_, x)| x.share).collect()),
                        ),
                    ],
                })
            }
            "models" => {
                let m = &r.models;
                Some(Table {
                    columns: vec![
                        (
                            "model",
                            Col::Text(m.iter().map(|m| Some(m.model.name().to_owned())).collect()),
                        ),
                        (
                            "definition",
                            Col::Text(m.iter().map(|m| Some(m.definition.kind.clone())).collect()),
                        ),
                        (
                            "hash",
                            Col::Text(m.iter().map(|m| Some(m.definition.hash.clone())).collect()),
                        ),
                        (
                            "conversions",
                            Col::Number(m.iter().map(|m| m.conversions).collect()),
                        ),
                        ("value", Col::Number(m.iter().map(|m| m.value).collect())),
                        (
                            "sums_to_conversions",
                            Col::Flag(m.iter().map(|m| m.sums_to_conversions).collect()),
                        ),
                    ],
                })
            }
            "removal_effects" => {
                let e: &[_] = r.markov.as_ref().map_or(&[], |m| &m.channels);
                Some(Table {
                    columns: vec![
                        (
                            "channel",
                            Col::Text(e.iter().map(|e| Some(e.channel.clone())).collect()),
                        ),
                        (
                            "conversion_probability_without",
                            Col::Number(
                                e.iter().map(|e| e.conversion_probability_without).collect(),
                            ),
                        ),
                        (
                            "removal_effect",
                            Col::Number(e.iter().map(|e| e.removal_effect).collect()),
                        ),
                        (
                            "conversions",
                            Col::Number(e.iter().map(|e| Some(e.conversions)).collect()),
                        ),
                        (
                            "value",
                            Col::Number(e.iter().map(|e| Some(e.value)).collect()),
                        ),
                    ],
                })
            }
            "transitions" => {
                let t: &[_] = r.markov.as_ref().map_or(&[], |m| &m.transitions);
                Some(Table {
                    columns: vec![
                        (
                            "from",
                            Col::Text(t.iter().map(|t| Some(t.from.clone())).collect()),
                        ),
                        (
                            "to",
                            Col::Text(t.iter().map(|t| Some(t.to.clone())).collect()),
                        ),
                        (
                            "count",
                            Col::Number(t.iter().map(|t| Some(t.count)).collect()),
                        ),
                        (
                            "probability",
                            Col::Number(t.iter().map(|t| Some(t.probability)).collect()),
                        ),
                    ],
                })
            }
            "ordered_shapley" => {
                let o: &[_] = r.ordered_shapley.as_deref().unwrap_or(&[]);
                Some(Table {
                    columns: vec![
                        (
                            "channel",
                            Col::Text(o.iter().map(|o| Some(o.channel.clone())).collect()),
                        ),
                        (
                            "position",
                            Col::Count(o.iter().map(|o| count(o.position)).collect()),
                        ),
                        (
                            "conversions",
                            Col::Number(o.iter().map(|o| Some(o.conversions)).collect()),
                        ),
                        (
                            "value",
                            Col::Number(o.iter().map(|o| Some(o.value)).collect()),
                        ),
                    ],
                })
            }
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        format!(
            "{}, {}, {} conversions",
            plural(self.inner.channels.len(), "channel"),
            plural(self.inner.models.len(), "model"),
            self.inner.totals.conversions
        )
    }

    fn html_note(&self) -> String {
        let mut html = String::from("<p>Models: ");
        let parts: Vec<String> = self
            .inner
            .models
            .iter()
            .map(|m| {
                format!(
                    "{} <code>{}</code>",
                    escape(m.model.name()),
                    escape(&m.definition.hash)
                )
            })
            .collect();
        html.push_str(&parts.join(", "));
        html.push_str("</p>\n");
        if !self.inner.skipped.is_empty() {
            let skipped: Vec<String> = self
                .inner
                .skipped
                .iter()
                .map(|s| format!("{} ({})", escape(s.model.name()), escape(&s.message)))
                .collect();
            html.push_str(&format!("<p>Not run: {}</p>\n", skipped.join("; ")));
        }
        html
    }
}
