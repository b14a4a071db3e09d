//! `cjm.survey_kpis`: survey answer columns from Python data into the core.
//!
//! Two kinds of input, both turned into [`SurveyTable`]s here (binding work) and scored by
//! the core (every formula and every check of the answers lives there):
//!
//! - Arrow data through the Arrow PyCapsule interface (`__arrow_c_stream__` or
//!   `__arrow_c_array__`: pyarrow tables and batches, polars frames, pandas frames prepared
//!   by `cjm/_arrow.py`, anything else that speaks it), read with pyo3-arrow batch by batch
//!   into a mergeable [`SurveyState`], so no Python code runs per row;
//! - a mapping of column name → sequence (lists, tuples, NumPy arrays), read in Rust.
//!
//! Only the named columns are read. Strings (`Utf8`, `LargeUtf8`, `Utf8View`, dictionaries
//! of those) become `Option<String>`; integers and floats become `Option<f64>` with Arrow
//! nulls as `None` and NaN kept as NaN, so the core rejects it with its row. The GIL is
//! released while batches are converted and scored.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use cjm_core::scoring::{
    GroupBy, GroupSelector, SurveyBatch, SurveyColumnNames, SurveyOptions, SurveyState, SurveyTable,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::errors::{core_err, input_err};
use crate::events::{bitmap, Strs};
use crate::reports::PySurveyReport;
use crate::results::PyGroupComparison;
use cjm_core::events::columns::{NumCol, NumValues};

/// The columns named for each role (`None`: the role is not used): the core's.
pub(crate) type Columns = SurveyColumnNames;

/// Column names and options given as keyword arguments, split by the core
/// (`SurveyColumnNames::with_options`).
fn columns_and_options(
    py: Python<'_>,
    options: Option<&Bound<'_, PyDict>>,
    what: &str,
) -> PyResult<(Columns, SurveyOptions)> {
    crate::convert::with_keywords(py, options, &[], |d| {
        SurveyColumnNames::with_options(d, what)
    })
}

#[doc = stub_doc!("_survey_kpis")]
#[pyfunction]
#[pyo3(signature = (data, **options))]
pub(crate) fn _survey_kpis(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PySurveyReport> {
    crate::guard(|| {
        let (columns, options) = columns_and_options(py, options, "survey_kpis")?;
        let report = if let Ok(dict) = data.cast::<PyDict>() {
            let table = from_mapping(dict, &columns)?;
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
    let names: Vec<&String> = [
        &columns.scope,
        &columns.segment,
        &columns.nps,
        &columns.csat,
        &columns.ces,
    ]
    .into_iter()
    .flatten()
    .collect();
    let (reader, _, _) = crate::arrow_in::read(
        py,
        data,
        &names,
        "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, an object with \
         `__arrow_c_stream__`, or a dict of columns",
    )?;
    let schema = reader.schema();
    for name in names {
        if schema.field_with_name(name).is_err() {
            return Err(input_err(
                cjm_core::InputCode::MissingColumn,
                format!("the data has no column `{name}`"),
            ));
        }
    }
    py.detach(|| state_of_batches(reader, columns, options))
}

/// Reads every batch's columns in place and hands them to the core together (which
/// counts a long table on two threads), rows numbered across batches.
fn state_of_batches(
    reader: Box<dyn arrow_array::RecordBatchReader + Send>,
    columns: &Columns,
    options: &SurveyOptions,
) -> PyResult<SurveyState> {
    let mut state = SurveyState::identity(options).map_err(core_err)?;
    let mut held = Vec::new();
    for batch in reader {
        let batch = batch.map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
        held.push(BatchColumns::of(&batch, columns)?);
    }
    let views: Vec<SurveyBatch<'_>> = held.iter().map(BatchColumns::view).collect();
    state.extend_batches(0, &views).map_err(core_err)?;
    Ok(state)
}

/// The survey columns of one batch, read in place: strings (a dictionary through its
/// codes) and numbers as slices of their own Arrow type.
struct BatchColumns {
    scope: Option<Strs>,
    segment: Option<Strs>,
    nps: Option<Nums>,
    csat: Option<Nums>,
    ces: Option<Nums>,
}

impl BatchColumns {
    fn of(batch: &RecordBatch, columns: &Columns) -> PyResult<Self> {
        let text = |name: &Option<String>| -> PyResult<Option<Strs>> {
            match name {
                None => Ok(None),
                Some(name) => {
                    let array = column(batch, name)?;
                    if !is_text(array.data_type()) {
                        return Err(wrong_type(name, array.data_type(), "strings"));
                    }
                    Strs::of(name, array).map(Some)
                }
            }
        };
        let number = |name: &Option<String>| -> PyResult<Option<Nums>> {
            match name {
                None => Ok(None),
                Some(name) => Nums::of(name, column(batch, name)?).map(Some),
            }
        };
        Ok(Self {
            scope: text(&columns.scope)?,
            segment: text(&columns.segment)?,
            nps: number(&columns.nps)?,
            csat: number(&columns.csat)?,
            ces: number(&columns.ces)?,
        })
    }

    fn view(&self) -> SurveyBatch<'_> {
        SurveyBatch {
            scope: self.scope.as_ref().map(Strs::view),
            segment: self.segment.as_ref().map(Strs::view),
            nps: self.nps.as_ref().map(Nums::view),
            csat: self.csat.as_ref().map(Nums::view),
            ces: self.ces.as_ref().map(Nums::view),
        }
    }
}

/// A numeric column of one batch: integers and floats as they are (`Float16` widened to
/// `Float32`), or all null.
struct Nums(ArrayRef);

impl Nums {
    fn of(name: &str, array: &ArrayRef) -> PyResult<Self> {
        let t = array.data_type();
        if matches!(t, DataType::Float16) {
            return arrow_cast::cast(array, &DataType::Float32)
                .map(Self)
                .map_err(|e| wrong_type(name, t, &format!("numbers ({e})")));
        }
        if t.is_integer() || t.is_floating() || matches!(t, DataType::Null) {
            Ok(Self(Arc::clone(array)))
        } else {
            Err(wrong_type(name, t, "numbers"))
        }
    }

    fn view(&self) -> NumCol<'_> {
        let a = &self.0;
        let values = match a.data_type() {
            DataType::Int8 => NumValues::I8(a.as_primitive::<Int8Type>().values()),
            DataType::Int16 => NumValues::I16(a.as_primitive::<Int16Type>().values()),
            DataType::Int32 => NumValues::I32(a.as_primitive::<Int32Type>().values()),
            DataType::Int64 => NumValues::I64(a.as_primitive::<Int64Type>().values()),
            DataType::UInt8 => NumValues::U8(a.as_primitive::<UInt8Type>().values()),
            DataType::UInt16 => NumValues::U16(a.as_primitive::<UInt16Type>().values()),
            DataType::UInt32 => NumValues::U32(a.as_primitive::<UInt32Type>().values()),
            DataType::UInt64 => NumValues::U64(a.as_primitive::<UInt64Type>().values()),
            DataType::Float32 => NumValues::F32(a.as_primitive::<Float32Type>().values()),
            DataType::Float64 => NumValues::F64(a.as_primitive::<Float64Type>().values()),
            // `of` keeps numbers only; anything else reads as all null.
            _ => NumValues::Null(a.len()),
        };
        NumCol {
            values,
            validity: bitmap(a.nulls()),
        }
    }
}

#[doc = stub_doc!("_compare_groups")]
#[pyfunction]
#[pyo3(signature = (data, a, b, *, by, within = None, **options))]
pub(crate) fn _compare_groups(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    a: &str,
    b: &str,
    by: &str,
    within: Option<&str>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyGroupComparison> {
    crate::guard(|| {
        let (columns, options) = columns_and_options(py, options, "compare_groups")?;
        let by: GroupBy =
            cjm_core::options_from(serde_json::Value::from(by), "by").map_err(core_err)?;
        let state = if let Ok(dict) = data.cast::<PyDict>() {
            let table = from_mapping(dict, &columns)?;
            let mut state = SurveyState::identity(&options).map_err(core_err)?;
            py.detach(|| state.extend(0, &table)).map_err(core_err)?;
            state
        } else {
            arrow_state(py, data, &columns, &options)?
        };
        let group = |value: &str| {
            state
                .select(&GroupSelector::by(by, value, within))
                .map_err(core_err)
        };
        let (ga, gb) = (group(a)?, group(b)?);
        Ok(cjm_core::scoring::compare_groups(&ga, &gb, &options).into())
    })
}

fn column<'a>(batch: &'a RecordBatch, name: &str) -> PyResult<&'a ArrayRef> {
    batch.column_by_name(name).ok_or_else(|| {
        input_err(
            cjm_core::InputCode::MissingColumn,
            format!("the data has no column `{name}`"),
        )
    })
}

fn wrong_type(name: &str, found: &DataType, wanted: &str) -> PyErr {
    input_err(
        cjm_core::InputCode::WrongType,
        format!("column `{name}` has Arrow type `{found}` where {wanted} are needed"),
    )
}

fn is_text(data_type: &DataType) -> bool {
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, values) => is_text(values),
        _ => false,
    }
}

/// A mapping of column name → sequence, read without Arrow.
fn from_mapping(dict: &Bound<'_, PyDict>, columns: &Columns) -> PyResult<SurveyTable> {
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
