//! Result classes: `SurveyReport`, `PriorityReport`, `HealthReport`, `EmotionCurves`.
//!
//! Each holds the core's result as it is (so a `SurveyReport` can go back into
//! `Journey.health` without a round trip) and shows it four ways:
//!
//! - `to_dict()` (`to_list()` for emotion curves): the core's serde form as plain Python
//!   values, the same JSON shape as in Rust and JavaScript;
//! - tables, built here as Arrow record batches from the result's fields (no number is
//!   computed here) and handed over through the Arrow C stream interface: `to_arrow()`,
//!   `to_pandas()`, `to_polars()` and `__arrow_c_stream__` (so `pyarrow.table(report)` and
//!   `polars.DataFrame(report)` work too). pyarrow, pandas and polars are optional: they are
//!   imported only inside these methods;
//! - `_repr_html_`: an HTML table (every value escaped, no JavaScript) captioned with the
//!   definition's kind and hash;
//! - `__repr__`: one line.

use std::sync::Arc;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::{ArrayRef, BooleanArray, Float64Array, RecordBatch, StringArray, UInt64Array};
use arrow_cast::display::{ArrayFormatter, FormatOptions};
use cjm_core::scoring::{
    EmotionCurve, HealthReport, HealthScore, PriorityReport, ScaleScore, SurveyReport,
};
use cjm_core::Definition;
use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3_arrow::PyTable;
use serde::Serialize;

use crate::convert::Wrap;

/// One column of a result table, before it becomes an Arrow array.
pub(crate) enum Col {
    /// Strings, nullable.
    Text(Vec<Option<String>>),
    /// Floats, nullable.
    Number(Vec<Option<f64>>),
    /// Unsigned counts, nullable.
    Count(Vec<Option<u64>>),
    /// Booleans.
    Flag(Vec<bool>),
    /// Lists of strings.
    TextList(Vec<Vec<String>>),
    /// Booleans, nullable.
    MaybeFlag(Vec<Option<bool>>),
}

impl Col {
    fn into_array(self) -> ArrayRef {
        match self {
            Self::Text(v) => Arc::new(StringArray::from(v)),
            Self::Number(v) => Arc::new(Float64Array::from(v)),
            Self::Count(v) => Arc::new(UInt64Array::from(v)),
            Self::Flag(v) => Arc::new(BooleanArray::from(v)),
            Self::MaybeFlag(v) => Arc::new(BooleanArray::from(v)),
            Self::TextList(v) => {
                let mut builder = ListBuilder::new(StringBuilder::new());
                for items in v {
                    for item in items {
                        builder.values().append_value(item);
                    }
                    builder.append(true);
                }
                Arc::new(builder.finish())
            }
        }
    }
}

impl Col {
    fn len(&self) -> usize {
        match self {
            Self::Text(v) => v.len(),
            Self::Number(v) => v.len(),
            Self::Count(v) => v.len(),
            Self::Flag(v) => v.len(),
            Self::TextList(v) => v.len(),
            Self::MaybeFlag(v) => v.len(),
        }
    }

    /// The cell at `row` as a Python value.
    fn cell<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, PyAny>> {
        let none = || py.None().into_bound(py);
        Ok(match self {
            Self::Text(v) => v.get(row).cloned().flatten().into_pyobject(py)?.into_any(),
            Self::Number(v) => v.get(row).copied().flatten().into_pyobject(py)?.into_any(),
            Self::Count(v) => v.get(row).copied().flatten().into_pyobject(py)?.into_any(),
            Self::Flag(v) => match v.get(row) {
                Some(b) => pyo3::types::PyBool::new(py, *b).to_owned().into_any(),
                None => none(),
            },
            Self::MaybeFlag(v) => match v.get(row).copied().flatten() {
                Some(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
                None => none(),
            },
            Self::TextList(v) => {
                PyList::new(py, v.get(row).cloned().unwrap_or_default())?.into_any()
            }
        })
    }
}

/// A named table of a result.
pub(crate) struct Table {
    pub(crate) columns: Vec<(&'static str, Col)>,
}

impl Table {
    /// One dict per row (column name → value), in column order.
    fn to_dicts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self.columns.first().map_or(0, |(_, c)| c.len());
        let list = PyList::empty(py);
        for row in 0..rows {
            let dict = pyo3::types::PyDict::new(py);
            for (name, col) in &self.columns {
                dict.set_item(*name, col.cell(py, row)?)?;
            }
            list.append(dict)?;
        }
        Ok(list)
    }

    fn into_batch(self) -> PyResult<RecordBatch> {
        RecordBatch::try_from_iter(
            self.columns
                .into_iter()
                .map(|(name, col)| (name, col.into_array())),
        )
        .map_err(|e| PyValueError::new_err(format!("cannot build the result table: {e}")))
    }
}

/// The stable string of a unit enum (`"scope_segment"`, `"good"`…), as serde writes it.
pub(crate) fn label<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

pub(crate) fn count(n: impl TryInto<u64>) -> Option<u64> {
    n.try_into().ok()
}

/// What every result class provides to the shared methods.
pub(crate) trait Report {
    /// The Python class name, for `__repr__` and the HTML caption.
    const NAME: &'static str;
    /// The table names; the first is the default.
    const TABLES: &'static [&'static str];
    /// The table of that name (one of `TABLES`).
    fn table(&self, name: &str) -> Option<Table>;
    /// The definition shown in the caption and `__repr__`.
    fn definition(&self) -> Option<&Definition>;
    /// A short count for `__repr__` (`"8 groups"`).
    fn extent(&self) -> String;
    /// More HTML after the table in `_repr_html_` (already escaped), e.g. the definitions
    /// of the columns of a side-by-side result.
    fn html_note(&self) -> String {
        String::new()
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    plural_as(n, word, &format!("{word}s"))
}

pub(crate) fn plural_as(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("{n} {one}")
    } else {
        format!("{n} {many}")
    }
}

pub(crate) fn batch_of<R: Report>(report: &R, table: Option<&str>) -> PyResult<RecordBatch> {
    let name = table.unwrap_or(R::TABLES.first().copied().unwrap_or_default());
    report
        .table(name)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{} has no table `{name}`; its tables are: {}",
                R::NAME,
                R::TABLES.join(", ")
            ))
        })?
        .into_batch()
}

pub(crate) fn arro3_table<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
) -> PyResult<Bound<'py, PyTable>> {
    let batch = batch_of(report, table)?;
    let schema = batch.schema();
    Bound::new(py, PyTable::try_new(vec![batch], schema)?)
}

/// Imports an optional dependency, with an `ImportError` that says what to install.
pub(crate) fn optional<'py>(
    py: Python<'py>,
    module: &str,
    method: &str,
) -> PyResult<Bound<'py, PyModule>> {
    py.import(module).map_err(|_| {
        PyImportError::new_err(format!(
            "{method} needs the optional package `{module}`: pip install {module}"
        ))
    })
}

pub(crate) fn to_arrow<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
    method: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let pyarrow = optional(py, "pyarrow", method)?;
    let table = arro3_table(py, report, table)?;
    pyarrow.getattr("table")?.call1((table,))
}

pub(crate) fn to_pandas<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    optional(py, "pandas", "to_pandas()")?;
    to_arrow(py, report, table, "to_pandas()")?.call_method0("to_pandas")
}

pub(crate) fn to_polars<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let polars = optional(py, "polars", "to_polars()")?;
    let table = arro3_table(py, report, table)?;
    polars.getattr("DataFrame")?.call1((table,))
}

pub(crate) fn to_dicts<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let name = table.unwrap_or(R::TABLES.first().copied().unwrap_or_default());
    report
        .table(name)
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{} has no table `{name}`; its tables are: {}",
                R::NAME,
                R::TABLES.join(", ")
            ))
        })?
        .to_dicts(py)
}

pub(crate) fn arrow_c_stream<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
) -> PyResult<Bound<'py, PyAny>> {
    arro3_table(py, report, None)?.call_method1("__arrow_c_stream__", (requested_schema,))
}

pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            _ => out.push(c),
        }
    }
    out
}

/// Rows shown by `_repr_html_`; the rest are counted.
const HTML_ROWS: usize = 60;

pub(crate) fn repr_html<R: Report>(report: &R) -> PyResult<String> {
    let batch = batch_of(report, None)?;
    let mut html = String::from("<table class=\"cjm-report\">\n<caption>");
    html.push_str(&escape(R::NAME));
    if let Some(d) = report.definition() {
        html.push_str(&format!(
            " &middot; definition <code>{}</code> <code>{}</code>",
            escape(&d.kind),
            escape(&d.hash)
        ));
    }
    html.push_str("</caption>\n<thead><tr>");
    for field in batch.schema().fields() {
        html.push_str(&format!("<th>{}</th>", escape(field.name())));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let options = FormatOptions::default().with_null("");
    let formatters = batch
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| PyValueError::new_err(format!("cannot format the result table: {e}")))?;
    for row in 0..batch.num_rows().min(HTML_ROWS) {
        html.push_str("<tr>");
        for formatter in &formatters {
            html.push_str(&format!(
                "<td>{}</td>",
                escape(&formatter.value(row).to_string())
            ));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    if batch.num_rows() > HTML_ROWS {
        html.push_str(&format!(
            "<p>… {} more rows (<code>to_pandas()</code> shows all)</p>\n",
            batch.num_rows() - HTML_ROWS
        ));
    }
    html.push_str(&report.html_note());
    Ok(html)
}

pub(crate) fn repr<R: Report>(report: &R) -> String {
    match report.definition() {
        Some(d) => format!(
            "<{}: {}, definition {} {}>",
            R::NAME,
            report.extent(),
            d.kind,
            d.hash
        ),
        None => format!("<{}: {}>", R::NAME, report.extent()),
    }
}

/// The methods every result class shares, on top of the [`Report`] impl.
macro_rules! report_methods {
    ($class:ty { $($extra:tt)* }) => {
        #[pymethods]
        impl $class {
            $($extra)*

            /// The names of the tables this result exports; the first is the default.
            #[getter]
            fn tables(&self) -> Vec<&'static str> {
                <Self as $crate::reports::Report>::TABLES.to_vec()
            }

            /// The definition that produced the result: `{"kind", "params", "hash"}`.
            #[getter]
            fn definition<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| match $crate::reports::Report::definition(self) {
                    Some(d) => $crate::convert::Wrap(d).into_json_value(py),
                    None => Ok(py.None().into_bound(py)),
                })
            }

            /// A table as a `pyarrow.Table` (needs pyarrow).
            #[pyo3(signature = (table = None))]
            fn to_arrow<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_arrow(py, self, table, "to_arrow()"))
            }

            /// A table as a `pandas.DataFrame` (needs pandas and pyarrow).
            #[pyo3(signature = (table = None))]
            fn to_pandas<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_pandas(py, self, table))
            }

            /// A table as a `polars.DataFrame` (needs polars).
            #[pyo3(signature = (table = None))]
            fn to_polars<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_polars(py, self, table))
            }

            /// A table as a list of dicts, one per row (no optional package needed).
            #[pyo3(signature = (table = None))]
            fn to_dicts<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
                crate::guard(|| $crate::reports::to_dicts(py, self, table))
            }

            /// The default table through the Arrow PyCapsule interface.
            #[pyo3(signature = (requested_schema = None))]
            fn __arrow_c_stream__<'py>(
                &self,
                py: Python<'py>,
                requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::arrow_c_stream(py, self, requested_schema))
            }

            fn _repr_html_(&self) -> PyResult<String> {
                crate::guard(|| $crate::reports::repr_html(self))
            }

            fn __repr__(&self) -> String {
                $crate::reports::repr(self)
            }
        }
    };
}
pub(crate) use report_methods;

// ---------------------------------------------------------------------------------------
// SurveyReport

/// Survey KPIs (Python class `cjm.SurveyReport`), from `cjm.survey_kpis`.
#[pyclass(frozen, module = "cjm", name = "SurveyReport")]
pub(crate) struct PySurveyReport {
    pub(crate) inner: SurveyReport,
}

impl From<SurveyReport> for PySurveyReport {
    fn from(inner: SurveyReport) -> Self {
        Self { inner }
    }
}

report_methods!(PySurveyReport {
    /// The report as plain Python values (the core's JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner).into_json_value(py))
    }

    fn __len__(&self) -> usize {
        self.inner.groups.len()
    }
});

fn scale_columns(scores: &[Option<&ScaleScore>]) -> (Col, Col, Col, Col, Col) {
    let value = scores.iter().map(|s| s.and_then(|s| s.value)).collect();
    let low = scores
        .iter()
        .map(|s| s.and_then(|s| s.interval).map(|[lo, _]| lo))
        .collect();
    let high = scores
        .iter()
        .map(|s| s.and_then(|s| s.interval).map(|[_, hi]| hi))
        .collect();
    let answered = scores.iter().map(|s| s.map(|s| s.answered)).collect();
    let missing = scores.iter().map(|s| s.map(|s| s.missing)).collect();
    (
        Col::Number(value),
        Col::Number(low),
        Col::Number(high),
        Col::Count(answered),
        Col::Count(missing),
    )
}

impl Report for PySurveyReport {
    const NAME: &'static str = "SurveyReport";
    const TABLES: &'static [&'static str] = &["groups"];

    fn table(&self, name: &str) -> Option<Table> {
        if name != "groups" {
            return None;
        }
        let g = &self.inner.groups;
        let nps: Vec<_> = g.iter().map(|g| g.nps.as_ref()).collect();
        let csat: Vec<_> = g.iter().map(|g| g.csat.as_ref()).collect();
        let ces: Vec<_> = g.iter().map(|g| g.ces.as_ref()).collect();
        let (csat, csat_low, csat_high, csat_answered, csat_missing) = scale_columns(&csat);
        let (ces, ces_low, ces_high, ces_answered, ces_missing) = scale_columns(&ces);
        let nps_col = |f: &dyn Fn(&cjm_core::scoring::NpsScore) -> Option<f64>| {
            Col::Number(nps.iter().map(|n| n.and_then(f)).collect())
        };
        let nps_count = |f: &dyn Fn(&cjm_core::scoring::NpsScore) -> u64| {
            Col::Count(nps.iter().map(|n| n.map(f)).collect())
        };
        Some(Table {
            columns: vec![
                (
                    "level",
                    Col::Text(g.iter().map(|g| Some(label(&g.level))).collect()),
                ),
                (
                    "scope",
                    Col::Text(g.iter().map(|g| g.scope.clone()).collect()),
                ),
                (
                    "segment",
                    Col::Text(g.iter().map(|g| g.segment.clone()).collect()),
                ),
                (
                    "responses",
                    Col::Count(g.iter().map(|g| Some(g.responses)).collect()),
                ),
                (
                    "suppressed",
                    Col::Flag(g.iter().map(|g| g.suppressed).collect()),
                ),
                ("nps", nps_col(&|n| n.value)),
                ("nps_margin", nps_col(&|n| n.margin)),
                ("nps_answered", nps_count(&|n| n.answered)),
                ("nps_missing", nps_count(&|n| n.missing)),
                ("promoters", nps_count(&|n| n.promoters)),
                ("passives", nps_count(&|n| n.passives)),
                ("detractors", nps_count(&|n| n.detractors)),
                ("csat", csat),
                ("csat_low", csat_low),
                ("csat_high", csat_high),
                ("csat_answered", csat_answered),
                ("csat_missing", csat_missing),
                ("ces", ces),
                ("ces_low", ces_low),
                ("ces_high", ces_high),
                ("ces_answered", ces_answered),
                ("ces_missing", ces_missing),
            ],
        })
    }

    fn definition(&self) -> Option<&Definition> {
        Some(&self.inner.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.groups.len(), "group")
    }
}

// ---------------------------------------------------------------------------------------
// PriorityReport

/// Ranked pain points and opportunities (Python class `cjm.PriorityReport`), from
/// `Journey.priorities`.
#[pyclass(frozen, module = "cjm", name = "PriorityReport")]
pub(crate) struct PyPriorityReport {
    pub(crate) inner: PriorityReport,
}

report_methods!(PyPriorityReport {
    /// The report as plain Python values (the core's JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner).into_json_value(py))
    }
});

impl Report for PyPriorityReport {
    const NAME: &'static str = "PriorityReport";
    const TABLES: &'static [&'static str] = &["pain_points", "opportunities"];

    fn table(&self, name: &str) -> Option<Table> {
        match name {
            "pain_points" => {
                let p = &self.inner.pain_points;
                Some(Table {
                    columns: vec![
                        (
                            "rank",
                            Col::Count(p.iter().map(|p| count(p.rank)).collect()),
                        ),
                        (
                            "pain_point",
                            Col::Text(p.iter().map(|p| Some(p.pain_point.clone())).collect()),
                        ),
                        (
                            "severity",
                            Col::Count(p.iter().map(|p| Some(u64::from(p.severity))).collect()),
                        ),
                        (
                            "frequency",
                            Col::Number(p.iter().map(|p| p.frequency).collect()),
                        ),
                        (
                            "reach",
                            Col::Number(p.iter().map(|p| Some(p.reach)).collect()),
                        ),
                        (
                            "reach_source",
                            Col::Text(p.iter().map(|p| Some(label(&p.reach_source))).collect()),
                        ),
                        (
                            "priority",
                            Col::Number(p.iter().map(|p| p.priority).collect()),
                        ),
                        (
                            "status",
                            Col::Text(p.iter().map(|p| Some(label(&p.status))).collect()),
                        ),
                    ],
                })
            }
            "opportunities" => {
                let o = &self.inner.opportunities;
                Some(Table {
                    columns: vec![
                        (
                            "rank",
                            Col::Count(o.iter().map(|o| count(o.rank)).collect()),
                        ),
                        (
                            "opportunity",
                            Col::Text(o.iter().map(|o| Some(o.opportunity.clone())).collect()),
                        ),
                        (
                            "base",
                            Col::Number(o.iter().map(|o| Some(o.base)).collect()),
                        ),
                        (
                            "addressed_priority",
                            Col::Number(o.iter().map(|o| Some(o.addressed_priority)).collect()),
                        ),
                        (
                            "score",
                            Col::Number(o.iter().map(|o| Some(o.score)).collect()),
                        ),
                        (
                            "missing",
                            Col::TextList(o.iter().map(|o| o.missing.clone()).collect()),
                        ),
                        (
                            "status",
                            Col::Text(o.iter().map(|o| Some(label(&o.status))).collect()),
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
            "{}, {}",
            plural(self.inner.pain_points.len(), "pain point"),
            plural_as(
                self.inner.opportunities.len(),
                "opportunity",
                "opportunities"
            )
        )
    }
}

// ---------------------------------------------------------------------------------------
// HealthReport

/// Explained health scores (Python class `cjm.HealthReport`), from `Journey.health`.
#[pyclass(frozen, module = "cjm", name = "HealthReport")]
pub(crate) struct PyHealthReport {
    pub(crate) inner: HealthReport,
}

report_methods!(PyHealthReport {
    /// The report as plain Python values (the core's JSON shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| Wrap(&self.inner).into_json_value(py))
    }

    /// The explanation table (one row per component of each score) as a `pyarrow.Table`;
    /// the same as `to_arrow("components")`.
    fn components_table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| to_arrow(py, self, Some("components"), "components_table()"))
    }
});

impl PyHealthReport {
    /// Journey, then stages, then touchpoints.
    fn scores(&self) -> Vec<&HealthScore> {
        std::iter::once(&self.inner.journey)
            .chain(&self.inner.stages)
            .chain(&self.inner.touchpoints)
            .collect()
    }
}

impl Report for PyHealthReport {
    const NAME: &'static str = "HealthReport";
    const TABLES: &'static [&'static str] = &["scores", "components"];

    fn table(&self, name: &str) -> Option<Table> {
        let s = self.scores();
        match name {
            "scores" => Some(Table {
                columns: vec![
                    (
                        "kind",
                        Col::Text(s.iter().map(|s| Some(label(&s.kind))).collect()),
                    ),
                    (
                        "id",
                        Col::Text(s.iter().map(|s| Some(s.id.clone())).collect()),
                    ),
                    ("score", Col::Number(s.iter().map(|s| s.score).collect())),
                    (
                        "band",
                        Col::Text(s.iter().map(|s| s.band.as_ref().map(label)).collect()),
                    ),
                    (
                        "missing",
                        Col::TextList(s.iter().map(|s| s.missing.clone()).collect()),
                    ),
                ],
            }),
            "components" => {
                let rows: Vec<_> = s
                    .iter()
                    .flat_map(|s| s.components.iter().map(move |c| (*s, c)))
                    .collect();
                Some(Table {
                    columns: vec![
                        (
                            "kind",
                            Col::Text(rows.iter().map(|(s, _)| Some(label(&s.kind))).collect()),
                        ),
                        (
                            "id",
                            Col::Text(rows.iter().map(|(s, _)| Some(s.id.clone())).collect()),
                        ),
                        (
                            "component",
                            Col::Text(rows.iter().map(|(_, c)| Some(c.name.clone())).collect()),
                        ),
                        (
                            "raw",
                            Col::Number(rows.iter().map(|(_, c)| Some(c.raw)).collect()),
                        ),
                        (
                            "normalised",
                            Col::Number(rows.iter().map(|(_, c)| Some(c.normalised)).collect()),
                        ),
                        (
                            "weight",
                            Col::Number(rows.iter().map(|(_, c)| Some(c.weight)).collect()),
                        ),
                        (
                            "share",
                            Col::Number(rows.iter().map(|(_, c)| Some(c.share)).collect()),
                        ),
                        (
                            "contribution",
                            Col::Number(rows.iter().map(|(_, c)| Some(c.contribution)).collect()),
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
        let journey = match self.inner.journey.score {
            Some(score) => format!("journey {score:.1}"),
            None => "journey unscored".to_owned(),
        };
        format!(
            "{journey}, {}, {}",
            plural(self.inner.stages.len(), "stage"),
            plural(self.inner.touchpoints.len(), "touchpoint")
        )
    }
}

// ---------------------------------------------------------------------------------------
// EmotionCurves

/// The emotion curve of every persona (Python class `cjm.EmotionCurves`), from
/// `Journey.emotion_curves`.
#[pyclass(frozen, module = "cjm", name = "EmotionCurves")]
pub(crate) struct PyEmotionCurves {
    pub(crate) inner: Vec<EmotionCurve>,
}

report_methods!(PyEmotionCurves {
    /// The curves as plain Python values: one dict per persona (the core's JSON shape).
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::guard(|| Ok(Wrap(&self.inner).into_json_value(py)?.cast_into::<PyList>()?))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
});

impl Report for PyEmotionCurves {
    const NAME: &'static str = "EmotionCurves";
    const TABLES: &'static [&'static str] = &["points", "curves"];

    fn table(&self, name: &str) -> Option<Table> {
        let c = &self.inner;
        match name {
            "points" => {
                let rows: Vec<_> = c
                    .iter()
                    .flat_map(|c| {
                        let stages = c.stages.iter().map(move |p| (c, "stage", p));
                        let touchpoints = c.touchpoints.iter().map(move |p| (c, "touchpoint", p));
                        stages.chain(touchpoints)
                    })
                    .collect();
                Some(Table {
                    columns: vec![
                        (
                            "persona",
                            Col::Text(
                                rows.iter()
                                    .map(|(c, _, _)| Some(c.persona.clone()))
                                    .collect(),
                            ),
                        ),
                        (
                            "kind",
                            Col::Text(rows.iter().map(|(_, k, _)| Some((*k).to_owned())).collect()),
                        ),
                        (
                            "id",
                            Col::Text(rows.iter().map(|(_, _, p)| Some(p.id.clone())).collect()),
                        ),
                        (
                            "value",
                            Col::Number(rows.iter().map(|(_, _, p)| p.value).collect()),
                        ),
                        (
                            "observations",
                            Col::Count(
                                rows.iter().map(|(_, _, p)| count(p.observations)).collect(),
                            ),
                        ),
                    ],
                })
            }
            "curves" => Some(Table {
                columns: vec![
                    (
                        "persona",
                        Col::Text(c.iter().map(|c| Some(c.persona.clone())).collect()),
                    ),
                    (
                        "low_stage",
                        Col::Text(
                            c.iter()
                                .map(|c| c.low.as_ref().map(|e| e.stage.clone()))
                                .collect(),
                        ),
                    ),
                    (
                        "low",
                        Col::Number(c.iter().map(|c| c.low.as_ref().map(|e| e.value)).collect()),
                    ),
                    (
                        "high_stage",
                        Col::Text(
                            c.iter()
                                .map(|c| c.high.as_ref().map(|e| e.stage.clone()))
                                .collect(),
                        ),
                    ),
                    (
                        "high",
                        Col::Number(c.iter().map(|c| c.high.as_ref().map(|e| e.value)).collect()),
                    ),
                    (
                        "peak_end",
                        Col::Number(c.iter().map(|c| c.peak_end).collect()),
                    ),
                ],
            }),
            _ => None,
        }
    }

    fn definition(&self) -> Option<&Definition> {
        self.inner.first().map(|c| &c.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.len(), "persona")
    }
}
