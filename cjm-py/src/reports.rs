//! The machinery every result class shares, and the scoring result classes
//! (`SurveyReport`, `PriorityReport`, `HealthReport`, `EmotionCurves`).
//!
//! Each class holds the core's result as it is (so a `SurveyReport` can go back into
//! `Journey.health` without a round trip) and shows it four ways:
//!
//! - `to_dict()` (`to_list()` for emotion curves): the core's serde form as plain Python
//!   values, the same JSON shape as in Rust and JavaScript;
//! - tables: the core decides them (`cjm_core::tables`, the `Tabular` trait: names,
//!   columns, types, values); this module only converts a core `Table`, whichever it is,
//!   to an Arrow record batch or to dicts and hands it over through the Arrow C stream
//!   interface: `to_arrow()`, `to_pandas()`, `to_polars()`, `to_dicts()` and
//!   `__arrow_c_stream__` (so `pyarrow.table(report)` and `polars.DataFrame(report)` work
//!   too). pyarrow, pandas and polars are optional: they are imported only inside these
//!   methods;
//! - `_repr_html_`: an HTML table (every value escaped, no JavaScript) captioned with the
//!   definition's kind and hash;
//! - `__repr__`: one line.

use arrow_array::RecordBatch;
use cjm_core::scoring::{EmotionCurve, HealthReport, PriorityReport, SurveyReport};
use cjm_core::tables::{Table, Tabular, Values};
use cjm_core::Definition;
use pyo3::exceptions::{PyImportError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use pyo3_arrow::PyTable;

use crate::convert::Wrap;
use crate::errors::core_err;
pub(crate) use cjm_core::render::escape_xml as escape;

/// The cell at `row` of a core column as a Python value.
fn cell<'py>(py: Python<'py>, values: &Values, row: usize) -> PyResult<Bound<'py, PyAny>> {
    Ok(match values {
        Values::Text(v) => v.get(row).cloned().flatten().into_pyobject(py)?.into_any(),
        Values::Number(v) => v.get(row).copied().flatten().into_pyobject(py)?.into_any(),
        Values::Count(v) => v.get(row).copied().flatten().into_pyobject(py)?.into_any(),
        Values::Flag(v) => match v.get(row).copied().flatten() {
            Some(b) => pyo3::types::PyBool::new(py, b).to_owned().into_any(),
            None => py.None().into_bound(py),
        },
        Values::TextList(v) => PyList::new(py, v.get(row).cloned().unwrap_or_default())?.into_any(),
    })
}

/// What every result class provides to the shared methods.
pub(crate) trait Report {
    /// The Python class name, for `__repr__` and the HTML caption.
    const NAME: &'static str;
    /// The core result, whose tables these are.
    fn tabular(&self) -> &dyn Tabular;
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

/// The core table of that name (the default one when `None`).
fn core_table<R: Report>(report: &R, table: Option<&str>) -> PyResult<Table> {
    let t = report.tabular();
    match table {
        Some(name) => t.table(name),
        None => t.default_table(),
    }
    .map_err(core_err)
}

fn batch_of<R: Report>(report: &R, table: Option<&str>) -> PyResult<RecordBatch> {
    cjm_arrow::table_batch(&core_table(report, table)?)
        .map_err(|e| PyValueError::new_err(format!("cannot build the result table: {e}")))
}

fn arro3_table<'py, R: Report>(
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

/// One dict per row (column name → value), in column order.
pub(crate) fn to_dicts<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    table: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let table = core_table(report, table)?;
    let list = PyList::empty(py);
    for row in 0..table.rows() {
        let dict = PyDict::new(py);
        for c in &table.columns {
            dict.set_item(&c.name, cell(py, &c.values, row)?)?;
        }
        list.append(dict)?;
    }
    Ok(list)
}

pub(crate) fn arrow_c_stream<'py, R: Report>(
    py: Python<'py>,
    report: &R,
    requested_schema: Option<Bound<'py, pyo3::types::PyCapsule>>,
) -> PyResult<Bound<'py, PyAny>> {
    arro3_table(py, report, None)?.call_method1("__arrow_c_stream__", (requested_schema,))
}

/// The core's preview of the default table ([`cjm_core::render::table_preview_html`]),
/// then the class's own note.
pub(crate) fn repr_html<R: Report>(report: &R) -> PyResult<String> {
    let hint = "<code>to_pandas()</code>";
    let preview =
        cjm_core::render::table_preview_html(report.tabular(), R::NAME, report.definition(), hint);
    Ok(preview.map_err(core_err)? + &report.html_note())
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

            #[doc = stub_doc!("_Report.tables")]
            #[getter]
            fn tables(&self) -> Vec<&'static str> {
                $crate::reports::Report::tabular(self).table_names().to_vec()
            }

            #[doc = stub_doc!("_Report.definition")]
            #[getter]
            fn definition<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| match $crate::reports::Report::definition(self) {
                    Some(d) => $crate::convert::Wrap(d).into_json_value(py),
                    None => Ok(py.None().into_bound(py)),
                })
            }

            #[doc = stub_doc!("_Report.to_arrow")]
            #[pyo3(signature = (table = None))]
            fn to_arrow<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_arrow(py, self, table, "to_arrow()"))
            }

            #[doc = stub_doc!("_Report.to_pandas")]
            #[pyo3(signature = (table = None))]
            fn to_pandas<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_pandas(py, self, table))
            }

            #[doc = stub_doc!("_Report.to_polars")]
            #[pyo3(signature = (table = None))]
            fn to_polars<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::reports::to_polars(py, self, table))
            }

            #[doc = stub_doc!("_Report.to_dicts")]
            #[pyo3(signature = (table = None))]
            fn to_dicts<'py>(
                &self,
                py: Python<'py>,
                table: Option<&str>,
            ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
                crate::guard(|| $crate::reports::to_dicts(py, self, table))
            }

            #[doc = stub_doc!("_Report.__arrow_c_stream__")]
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

/// Declares a result class holding a core value: the class, `From`, the [`Report`] impl
/// (`extent` from the inner value `r`; the definition `inner.definition` unless `def`
/// says otherwise; `note`, more HTML after the table), `to_dict()` and the shared
/// methods; `len`, `__len__` from `r`; `get { name: Type = value }`, read-only
/// properties computed from `r` (documented by the stubs' `Class.name`); then the
/// class's own methods.
macro_rules! result_class {
    (@def $s:ident) => { Some(&$s.inner.definition) };
    (@def $s:ident $def:block) => { $def };
    (@note $s:ident $r:ident) => { String::new() };
    (@note $s:ident $r:ident $note:block) => {{ let $r = &$s.inner; $note }};
    ($(#[$doc:meta])* $rust:ident, $py:literal, $inner:ty, |$r:ident| $extent:block
     $(def $def:block)? $(note $note:block)? $(len { $len:expr })?
     $(get { $($field:ident: $ty:ty = $get:expr),* $(,)? })? { $($extra:tt)* }) => {
        // The docstring is the stubs' (`$doc`, the Rust summary, stays in the source).
        #[doc = stub_doc!($py)]
        #[pyclass(frozen, module = "cjm", name = $py)]
        pub(crate) struct $rust {
            pub(crate) inner: $inner,
        }

        impl From<$inner> for $rust {
            fn from(inner: $inner) -> Self {
                Self { inner }
            }
        }

        impl $crate::reports::Report for $rust {
            const NAME: &'static str = $py;

            fn tabular(&self) -> &dyn cjm_core::tables::Tabular {
                &self.inner
            }

            fn definition(&self) -> Option<&cjm_core::Definition> {
                $crate::reports::result_class!(@def self $($def)?)
            }

            fn extent(&self) -> String {
                let $r = &self.inner;
                $extent
            }

            fn html_note(&self) -> String {
                $crate::reports::result_class!(@note self $r $($note)?)
            }
        }

        $crate::reports::report_methods!($rust {
            #[doc = stub_doc!($py, "to_dict")]
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
                crate::guard(|| $crate::convert::Wrap(&self.inner).into_json_value(py))
            }
            $(
                fn __len__(&self) -> usize {
                    let $r = &self.inner;
                    $len
                }
            )?
            $($(
                #[doc = stub_doc!($py, $field)]
                #[getter]
                fn $field(&self) -> $ty {
                    let $r = &self.inner;
                    $get
                }
            )*)?
            $($extra)*
        });
    };
}
pub(crate) use result_class;

result_class!(
    /// Survey KPIs (Python class `cjm.SurveyReport`), from `cjm.survey_kpis`.
    PySurveyReport, "SurveyReport", SurveyReport, |r| { plural(r.groups.len(), "group") }
    len { r.groups.len() } {});

result_class!(
    /// Ranked pain points and opportunities (Python class `cjm.PriorityReport`), from
    /// `Journey.priorities`.
    PyPriorityReport, "PriorityReport", PriorityReport, |r| { format!(
        "{}, {}",
        plural(r.pain_points.len(), "pain point"),
        plural_as(r.opportunities.len(), "opportunity", "opportunities")
    ) } {});

result_class!(
    /// Explained health scores (Python class `cjm.HealthReport`), from `Journey.health`.
    PyHealthReport, "HealthReport", HealthReport, |r| {
        let journey = match r.journey.score {
            Some(score) => format!("journey {score:.1}"),
            None => "journey unscored".to_owned(),
        };
        format!(
            "{journey}, {}, {}",
            plural(r.stages.len(), "stage"),
            plural(r.touchpoints.len(), "touchpoint")
        )
    } {
    #[doc = stub_doc!("HealthReport.components_table")]
    fn components_table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| to_arrow(py, self, Some("components"), "components_table()"))
    }
});

#[doc = stub_doc!("EmotionCurves")]
#[pyclass(frozen, module = "cjm", name = "EmotionCurves")]
pub(crate) struct PyEmotionCurves {
    pub(crate) inner: Vec<EmotionCurve>,
}

impl Report for PyEmotionCurves {
    const NAME: &'static str = "EmotionCurves";

    fn tabular(&self) -> &dyn Tabular {
        &self.inner
    }

    fn definition(&self) -> Option<&Definition> {
        self.inner.first().map(|c| &c.definition)
    }

    fn extent(&self) -> String {
        plural(self.inner.len(), "persona")
    }
}

report_methods!(PyEmotionCurves {
    #[doc = stub_doc!("EmotionCurves.to_list")]
    fn to_list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        crate::guard(|| Ok(Wrap(&self.inner).into_json_value(py)?.cast_into::<PyList>()?))
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
});
