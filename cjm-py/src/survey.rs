//! `cjm.survey_kpis` and `cjm.compare_groups`: survey answer columns from Python data into
//! the core.
//!
//! Two kinds of input, both turned into [`SurveyTable`]s here (binding work) and scored by
//! the core (every formula and every check of the answers lives there):
//!
//! - Arrow data through the Arrow PyCapsule interface (`__arrow_c_stream__` or
//!   `__arrow_c_array__`: pyarrow tables and batches, polars frames, pandas frames prepared
//!   by `cjm/_arrow.py`, anything else that speaks it), read with pyo3-arrow batch by batch
//!   into a mergeable [`SurveyState`], so no Python code runs per row;
//! - a mapping of column name → sequence (lists, tuples, NumPy arrays), read in Rust: a
//!   `dict`, or any other `collections.abc.Mapping`, copied into one first.
//!
//! Only the named columns are read. Strings (`Utf8`, `LargeUtf8`, `Utf8View`, dictionaries
//! of those) become `Option<String>`; integers and floats become `Option<f64>` with Arrow
//! nulls as `None` and NaN kept as NaN, so the core rejects it with its row. The GIL is
//! released while batches are converted and scored.

use cjm_core::scoring::{
    GroupBy, GroupSelector, SurveyColumnNames, SurveyOptions, SurveyState, SurveyTable,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyMapping, PyString};

use crate::errors::{arrow_err, core_err, input_err};
use crate::reports::PySurveyReport;
use crate::results::PyGroupComparison;

/// The columns named for each role (`None`: the role is not used): the core's.
pub(crate) type Columns = SurveyColumnNames;

/// Column names and options given as keyword arguments, split by the core
/// (`SurveyColumnNames::with_options`).
fn columns_and_options(
    py: Python<'_>,
    options: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> PyResult<(Columns, SurveyOptions)> {
    crate::args::with_keywords(py, options, &[], |d| {
        SurveyColumnNames::with_options(d, what)
    })
}

/// The data as a `dict` when it is a mapping of columns (a `dict` or any other
/// `collections.abc.Mapping`), else `None` (Arrow data, read by [`arrow_state`]).
fn as_columns<'py>(data: &Bound<'py, PyAny>) -> PyResult<Option<Bound<'py, PyDict>>> {
    if let Ok(dict) = data.cast::<PyDict>() {
        return Ok(Some(dict.clone()));
    }
    let Ok(mapping) = data.cast::<PyMapping>() else {
        return Ok(None);
    };
    let dict = PyDict::new(data.py());
    dict.update(mapping)?;
    Ok(Some(dict))
}

#[doc = stub_doc!(signature "survey_kpis")]
#[pyfunction]
#[pyo3(signature = (data, **options), text_signature = None)]
pub(crate) fn survey_kpis(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PySurveyReport> {
    crate::guard(|| {
        let (columns, options) = columns_and_options(py, options, "survey_kpis")?;
        let report = if let Some(dict) = as_columns(data)? {
            let table = from_mapping(&dict, &columns)?;
            py.detach(|| cjm_core::scoring::survey_kpis(&table, &options))
                .map_err(core_err)?
        } else {
            let state = arrow_state(py, data, &columns, &options)?;
            state.report(columns.metrics(), &options)
        };
        Ok(PySurveyReport::from(report))
    })
}

/// The survey state of Arrow data, read batch by batch with the GIL released.
pub(crate) fn arrow_state(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    columns: &Columns,
    options: &SurveyOptions,
) -> PyResult<SurveyState> {
    let (reader, _, _) = crate::arrow_in::read(
        py,
        data,
        &columns.named(),
        "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, an object with \
         `__arrow_c_stream__`, or a dict of columns",
    )?;
    py.detach(|| cjm_arrow::survey_state(reader, columns, options))
        .map_err(arrow_err)
}

#[doc = stub_doc!(signature "compare_groups")]
#[pyfunction]
#[pyo3(signature = (data, a, b, *, by = None, within = None, **options), text_signature = None)]
#[allow(
    clippy::too_many_arguments,
    reason = "mirrors the keyword arguments of Python"
)]
pub(crate) fn compare_groups(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    a: &str,
    b: &str,
    by: Option<&str>,
    within: Option<&str>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyGroupComparison> {
    crate::guard(|| {
        let (columns, options) = columns_and_options(py, options, "compare_groups")?;
        let by: GroupBy = match by {
            None => GroupBy::default(),
            Some(by) => {
                cjm_core::options_from(serde_json::Value::from(by), "by").map_err(core_err)?
            }
        };
        let state = if let Some(dict) = as_columns(data)? {
            let table = from_mapping(&dict, &columns)?;
            let mut state = SurveyState::identity(&options).map_err(core_err)?;
            py.detach(|| state.extend(0, &table)).map_err(core_err)?;
            state
        } else {
            arrow_state(py, data, &columns, &options)?
        };
        let (sa, sb) = (
            GroupSelector::by(by, a, within),
            GroupSelector::by(by, b, within),
        );
        let result = state.compare(("a", &sa), ("b", &sb), &options);
        Ok(result.map_err(core_err)?.into())
    })
}

/// A mapping of column name → sequence, read without Arrow.
fn from_mapping(dict: &Bound<'_, PyDict>, columns: &Columns) -> PyResult<SurveyTable> {
    let keys: Vec<String> = dict
        .keys()
        .iter()
        .filter_map(|k| k.extract().ok())
        .collect();
    columns.check_present(&keys).map_err(core_err)?;
    let get = |name: &str| -> PyResult<Bound<'_, PyAny>> {
        dict.get_item(name)?.ok_or_else(|| {
            input_err(
                cjm_core::InputCode::MissingColumn,
                format!("the data has no column `{name}`"),
            )
        })
    };
    let sequence = |name: &str, value: &Bound<'_, PyAny>, kind: &str| {
        if value.is_instance_of::<PyString>() {
            Err(input_err(
                cjm_core::InputCode::WrongType,
                format!("column `{name}` is a string, not a sequence of {kind}"),
            ))
        } else {
            Ok(())
        }
    };
    let text = |name: &Option<String>| -> PyResult<Vec<Option<String>>> {
        let Some(name) = name else {
            return Ok(Vec::new());
        };
        let value = get(name)?;
        sequence(name, &value, "strings")?;
        value.extract().map_err(|e| {
            input_err(
                cjm_core::InputCode::WrongType,
                format!("column `{name}` must hold strings or None: {e}"),
            )
        })
    };
    let number = |name: &Option<String>| -> PyResult<Option<Vec<Option<f64>>>> {
        let Some(name) = name else {
            return Ok(None);
        };
        let value = get(name)?;
        sequence(name, &value, "numbers")?;
        value.extract().map(Some).map_err(|e| {
            input_err(
                cjm_core::InputCode::WrongType,
                format!("column `{name}` must hold numbers or None: {e}"),
            )
        })
    };
    Ok(SurveyTable {
        scope: text(&columns.scope)?,
        segment: text(&columns.segment)?,
        nps: number(&columns.nps)?,
        csat: number(&columns.csat)?,
        ces: number(&columns.ces)?,
    })
}
