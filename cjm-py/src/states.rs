//! Partial states for distributed runs (`cjm.spark`; the same calls serve Dask or Ray).
//!
//! A worker hands its part of the data (Arrow record batches, read through the Arrow
//! PyCapsule interface with the same column code as `EventLog.from_arrow` and
//! `survey_kpis`) to a `_*_state` function, which builds the core's mergeable state and
//! returns its versioned bytes (`CJMS`, format version, kind). `_merge_states` merges any
//! number of them (associative and commutative, so a tree or a linear fold gives the same
//! bytes), and a `_*_from_state` function finishes the merged state on the driver into the
//! same result class the single-machine API returns.
//!
//! Which state needs what:
//!
//! - funnel counts (`funnel_counts`) are a funnel's counts over whole customers (partition
//!   by customer id first; the order key still orders equal timestamps); so are the
//!   directly-follows, variant, flow and traffic counts (`directly_follows_counts`,
//!   `variant_counts`, `flow_counts`, `traffic_counts`);
//! - funnel and sequence states (`funnel`, `sequence`) keep each customer's relevant
//!   events with their order key (timestamp, global row index), so customers may be split
//!   across partitions; the row index comes from an `order_key` column (global,
//!   non-negative integers, e.g. Spark's `monotonically_increasing_id()`), without which
//!   equal timestamps of one customer would lose the whole log's order;
//! - retention and trends counts (`retention_counts`, `trends_counts`) are counts over whole
//!   customers too: a customer split across partitions would enter two cohorts, and be
//!   counted twice among a period's unique customers;
//! - path counts (`paths`) need whole customers per partition (partition by customer id);
//! - survey states (`survey`) are counts: any split.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, Int64Array, RecordBatch};
use arrow_schema::DataType;
use cjm_core::attribution::{AttributionOptions, PathCounts, PathOptions};
use cjm_core::events::{
    ConsentRule, DirectlyFollowsCounts, DirectlyFollowsOptions, EventLog, FlowCounts, FlowOptions,
    Funnel, FunnelCounts, FunnelState, Mergeable, RetentionCounts, RetentionOptions, SequenceState,
    TrafficCounts, TrendsCounts, TrendsOptions, VariantCounts, VariantOptions,
};
use cjm_core::scoring::SurveyState;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use pyo3_arrow::input::AnyRecordBatch;

use crate::convert::{int_option, int_option_opt, wide_int, wide_int_opt, Wrap};
use crate::errors::{core_err, input_err};
use crate::events::{arrow_ingest_plan, builder, mapping, BatchColumns};
use crate::reports::PySurveyReport;
use crate::results::{
    PyDirectlyFollows, PyFlows, PyFunnelResult, PyRetentionResult, PyTraffic, PyTrendsResult,
    PyVariants,
};
use crate::survey::{arrow_state, options as survey_options, Columns};
use crate::PyJourney;

fn invalid(message: String) -> PyErr {
    input_err(cjm_core::InputCode::InvalidOption, message)
}

/// The keys `columns` may have (as `EventLog.from_arrow`'s keyword arguments, plus
/// `order_key`).
const COLUMN_KEYS: [&str; 10] = [
    "customer",
    "timestamp",
    "event",
    "channel",
    "session",
    "value",
    "unit",
    "assume_utc",
    "order_key",
    "pseudonymise_key",
];

/// Global row indices from the `order_key` column: non-negative integers, no nulls.
fn order_keys(batch: &RecordBatch, name: &str) -> PyResult<Int64Array> {
    let array = batch.column_by_name(name).ok_or_else(|| {
        input_err(
            cjm_core::InputCode::MissingColumn,
            format!("the data has no column `{name}`"),
        )
    })?;
    if !array.data_type().is_integer() {
        return Err(input_err(
            cjm_core::InputCode::WrongType,
            format!(
                "column `{name}` has Arrow type `{}` where integers are needed",
                array.data_type()
            ),
        ));
    }
    let ints = arrow_cast::cast(array, &DataType::Int64).map_err(|e| {
        input_err(
            cjm_core::InputCode::WrongType,
            format!("column `{name}` cannot be read as integers ({e})"),
        )
    })?;
    let ints = ints.as_primitive::<Int64Type>().clone();
    if ints.null_count() > 0 || ints.iter().flatten().any(|k| k < 0) {
        return Err(invalid(format!(
            "the order key column `{name}` must hold non-negative integers without nulls"
        )));
    }
    Ok(ints)
}

/// Reads Arrow data into an event log as `EventLog.from_arrow` does (not strict, no
/// deduplication: a duplicate may sit in another partition), taking each row's global
/// index from the `order_key` column when there is one.
fn read_log(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    columns: &Bound<'_, PyDict>,
    journey: Option<&Bound<'_, PyJourney>>,
) -> PyResult<EventLog> {
    for key in columns.keys() {
        let key: String = key.extract()?;
        if !COLUMN_KEYS.contains(&key.as_str()) {
            return Err(invalid(format!(
                "`columns` has an unknown key `{key}`; keys are {}",
                COLUMN_KEYS.join(", ")
            )));
        }
    }
    let text = |key: &str| -> PyResult<Option<String>> {
        match columns.get_item(key)? {
            Some(v) if !v.is_none() => v
                .extract()
                .map(Some)
                .map_err(|_| invalid(format!("`{key}` must be a column name"))),
            _ => Ok(None),
        }
    };
    let assume_utc = match columns.get_item("assume_utc")? {
        Some(v) if !v.is_none() => v.extract::<bool>()?,
        _ => false,
    };
    let unit = text("unit")?;
    let customer = columns.get_item("customer")?;
    let choice = mapping(
        None,
        customer.as_ref(),
        text("timestamp")?,
        text("event")?,
        text("channel")?,
        text("session")?,
        text("value")?,
        None,
        unit.as_deref(),
    )?;
    let order_key = text("order_key")?;
    let input: AnyRecordBatch = data.extract().map_err(|_| {
        PyTypeError::new_err("expected Arrow data (an object with `__arrow_c_stream__`)")
    })?;
    let reader = input.into_reader()?;
    let schema = reader.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    let m = choice.resolve(&names, assume_utc).map_err(core_err)?;
    let (kind, mut options) = arrow_ingest_plan(&schema, &m, order_key.as_slice(), assume_utc)?;
    // Spark partitions carry whatever rows the caller selected: no consent filtering here.
    options.consent = ConsentRule::Ignore;
    let key = columns.get_item("pseudonymise_key")?;
    let mut b = builder(options, key.as_ref(), &[], journey)?;
    py.detach(|| {
        for batch in reader {
            let batch =
                batch.map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
            let mut cols = BatchColumns::of(&batch, &m, kind, &[])?;
            if let Some(name) = &order_key {
                cols = cols.with_order_keys(order_keys(&batch, name)?);
            }
            b.reserve(batch.num_rows());
            cols.push_all(&mut b).map_err(core_err)?;
        }
        Ok(b.finish().0)
    })
}

/// A funnel from its JSON definition (the core's `Funnel`: `{"steps": [...], "options":
/// {...}}`); without `steps` (or with `null`), the journey's stage funnel.
fn funnel_of(json: &str, journey: Option<&Bound<'_, PyJourney>>) -> PyResult<Funnel> {
    let mut value: serde_json::Value = serde_json::from_str(json)
        .map_err(|e| invalid(format!("the funnel definition does not read: {e}")))?;
    let needs_stages = value.get("steps").is_none_or(serde_json::Value::is_null);
    if needs_stages {
        let j = journey.ok_or_else(|| {
            invalid("give `steps`, or a `journey` for its stage funnel".to_owned())
        })?;
        let steps = Funnel::from_stages(&j.get().inner).steps;
        if let Some(obj) = value.as_object_mut() {
            obj.insert(
                "steps".to_owned(),
                serde_json::to_value(steps).map_err(|e| invalid(format!("{e}")))?,
            );
        }
    }
    serde_json::from_value(value)
        .map_err(|e| invalid(format!("the funnel definition does not read: {e}")))
}

fn bytes<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}

/// Reads one partition into a log and turns it into state bytes with `build`, without the
/// GIL: the body every `_…_state` function of an event log shares.
fn log_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
    build: impl FnOnce(&cjm_core::events::EventLog) -> cjm_core::Result<Vec<u8>> + Send,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let log = read_log(py, data, columns, journey)?;
        let state = py.detach(|| build(&log)).map_err(core_err)?;
        Ok(bytes(py, &state))
    })
}

#[doc = stub_doc!("_funnel_state")]
#[pyfunction]
#[pyo3(signature = (data, funnel, columns, journey = None))]
pub(crate) fn _funnel_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    funnel: &str,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let funnel = crate::guard(|| funnel_of(funnel, journey))?;
    let j = journey.map(|j| &j.get().inner);
    log_state(py, data, columns, journey, |log| {
        FunnelState::from_log(&funnel, log, j).map(|s| s.to_bytes())
    })
}

#[doc = stub_doc!("_funnel_counts_state")]
#[pyfunction]
#[pyo3(signature = (data, funnel, columns, journey = None))]
pub(crate) fn _funnel_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    funnel: &str,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let funnel = crate::guard(|| funnel_of(funnel, journey))?;
    let j = journey.map(|j| &j.get().inner);
    log_state(py, data, columns, journey, |log| {
        FunnelCounts::from_log(&funnel, log, j).map(|s| s.to_bytes())
    })
}

#[doc = stub_doc!("_sequence_state")]
#[pyfunction]
#[pyo3(signature = (data, columns, journey = None))]
pub(crate) fn _sequence_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyBytes>> {
    log_state(py, data, columns, journey, |log| {
        Ok(SequenceState::from_log(log).to_bytes())
    })
}

#[doc = stub_doc!("_directly_follows_counts_state")]
#[pyfunction]
#[pyo3(signature = (data, columns, *, start_end = true))]
pub(crate) fn _directly_follows_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    start_end: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = DirectlyFollowsOptions {
        start_end,
        ..DirectlyFollowsOptions::default()
    };
    log_state(py, data, columns, None, |log| {
        Ok(DirectlyFollowsCounts::from_log(log, &options)?.to_bytes())
    })
}

#[doc = stub_doc!("_retention_counts_state")]
#[pyfunction]
pub(crate) fn _retention_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    options: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options: RetentionOptions = crate::options_from(options, "retention options")?;
    log_state(py, data, columns, None, |log| {
        RetentionCounts::from_log(&options, log).map(|s| s.to_bytes())
    })
}

#[doc = stub_doc!("_trends_counts_state")]
#[pyfunction]
pub(crate) fn _trends_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    options: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options: TrendsOptions = crate::options_from(options, "trends options")?;
    log_state(py, data, columns, None, |log| {
        TrendsCounts::from_log(&options, log).map(|s| s.to_bytes())
    })
}

#[doc = stub_doc!("_variant_counts_state")]
#[pyfunction]
#[pyo3(signature = (data, columns, *, max_length = None, collapse_repeats = false))]
pub(crate) fn _variant_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    #[pyo3(from_py_with = wide_int_opt)] max_length: Option<i128>,
    collapse_repeats: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = VariantOptions {
        top_k: 0,
        max_length: int_option_opt(max_length, "max_length")?,
        collapse_repeats,
        ..VariantOptions::default()
    };
    log_state(py, data, columns, None, |log| {
        Ok(VariantCounts::from_log(log, &options)?.to_bytes())
    })
}

#[doc = stub_doc!("_flow_counts_state")]
#[pyfunction]
#[pyo3(signature = (data, columns, n = 5, *, collapse_repeats = true))]
pub(crate) fn _flow_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    #[pyo3(from_py_with = wide_int)] n: i128,
    collapse_repeats: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    let options = FlowOptions {
        steps: int_option(n, "n")?,
        min_share: 0.0,
        collapse_repeats,
        ..FlowOptions::default()
    };
    log_state(py, data, columns, None, |log| {
        Ok(FlowCounts::from_log(log, &options)?.to_bytes())
    })
}

#[doc = stub_doc!("_traffic_counts_state")]
#[pyfunction]
pub(crate) fn _traffic_counts_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    columns: &Bound<'py, PyDict>,
    journey: &Bound<'py, PyJourney>,
) -> PyResult<Bound<'py, PyBytes>> {
    let j = &journey.get().inner;
    log_state(py, data, columns, None, |log| {
        Ok(TrafficCounts::from_log(log, j).to_bytes())
    })
}

#[doc = stub_doc!("_path_state")]
#[pyfunction]
#[pyo3(signature = (data, options, columns, journey = None))]
pub(crate) fn _path_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    options: &str,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyBytes>> {
    let options: PathOptions = serde_json::from_str(options)
        .map_err(|e| invalid(format!("the path options do not read: {e}")))?;
    let j = journey.map(|j| &j.get().inner);
    log_state(py, data, columns, journey, |log| {
        PathCounts::from_log(log, j, &options).map(|s| s.to_bytes())
    })
}

#[doc = stub_doc!("_survey_state")]
#[pyfunction]
#[pyo3(signature = (
    data, *, scope = None, segment = None, nps = None, csat = None, ces = None,
    csat_scale = 5, ces_scale = 7
))]
#[allow(
    clippy::too_many_arguments,
    reason = "mirrors the keyword arguments of Python"
)]
pub(crate) fn _survey_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    scope: Option<String>,
    segment: Option<String>,
    nps: Option<String>,
    csat: Option<String>,
    ces: Option<String>,
    #[pyo3(from_py_with = wide_int)] csat_scale: i128,
    #[pyo3(from_py_with = wide_int)] ces_scale: i128,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let options = survey_options(csat_scale, "top_box", ces_scale, "mean", 0)?;
        let columns = Columns {
            scope,
            segment,
            nps,
            csat,
            ces,
        };
        let state = arrow_state(py, data, &columns, &options)?;
        Ok(bytes(py, &state.to_bytes()))
    })
}

fn fold<S: Mergeable>(states: &[&[u8]]) -> cjm_core::Result<Vec<u8>> {
    let mut acc = S::identity();
    for s in states {
        acc = acc.merge(S::from_bytes(s)?)?;
    }
    Ok(acc.to_bytes())
}

#[doc = stub_doc!("_merge_states")]
#[pyfunction]
pub(crate) fn _merge_states<'py>(
    py: Python<'py>,
    kind: &str,
    states: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let slices: Vec<&[u8]> = states.iter().map(|s| s.as_bytes()).collect();
        let merged = py
            .detach(|| match kind {
                "funnel" => Some(fold::<FunnelState>(&slices)),
                "funnel_counts" => Some(fold::<FunnelCounts>(&slices)),
                "directly_follows_counts" => Some(fold::<DirectlyFollowsCounts>(&slices)),
                "variant_counts" => Some(fold::<VariantCounts>(&slices)),
                "flow_counts" => Some(fold::<FlowCounts>(&slices)),
                "traffic_counts" => Some(fold::<TrafficCounts>(&slices)),
                "retention_counts" => Some(fold::<RetentionCounts>(&slices)),
                "trends_counts" => Some(fold::<TrendsCounts>(&slices)),
                "sequence" => Some(fold::<SequenceState>(&slices)),
                "paths" => Some(fold::<PathCounts>(&slices)),
                "survey" => Some((|| {
                    let mut iter = slices.iter();
                    let Some(first) = iter.next() else {
                        return Err(cjm_core::Error::Input {
                            code: cjm_core::InputCode::InvalidOption,
                            row: None,
                            message: "merging survey states needs at least one".to_owned(),
                        });
                    };
                    let mut acc = SurveyState::from_bytes(first)?;
                    for s in iter {
                        acc.merge(&SurveyState::from_bytes(s)?)?;
                    }
                    Ok(acc.to_bytes())
                })()),
                _ => None,
            })
            .ok_or_else(|| {
                invalid(format!(
                    "unknown state kind `{kind}`; kinds are `funnel`, `funnel_counts`, `sequence`, `directly_follows_counts`, `variant_counts`, `flow_counts`, `traffic_counts`, `paths`, `survey`"
                ))
            })?
            .map_err(core_err)?;
        Ok(bytes(py, &merged))
    })
}

fn sequence(py: Python<'_>, state: &[u8]) -> PyResult<SequenceState> {
    py.detach(|| SequenceState::from_bytes(state))
        .map_err(core_err)
}

#[doc = stub_doc!("_funnel_from_state")]
#[pyfunction]
pub(crate) fn _funnel_from_state(py: Python<'_>, state: &[u8]) -> PyResult<PyFunnelResult> {
    crate::guard(|| {
        let state = py
            .detach(|| FunnelState::from_bytes(state))
            .map_err(core_err)?;
        let result = py.detach(|| state.finish()).ok_or_else(|| {
            invalid("the funnel state is empty (no partition had any data)".to_owned())
        })?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_funnel_from_counts_state")]
#[pyfunction]
pub(crate) fn _funnel_from_counts_state(py: Python<'_>, state: &[u8]) -> PyResult<PyFunnelResult> {
    crate::guard(|| {
        let state = py
            .detach(|| FunnelCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py.detach(|| state.finish()).ok_or_else(|| {
            invalid("the funnel state is empty (no partition had any data)".to_owned())
        })?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_directly_follows_from_state")]
#[pyfunction]
#[pyo3(signature = (state, *, start_end = true))]
pub(crate) fn _directly_follows_from_state(
    py: Python<'_>,
    state: &[u8],
    start_end: bool,
) -> PyResult<PyDirectlyFollows> {
    crate::guard(|| {
        let state = sequence(py, state)?;
        let options = DirectlyFollowsOptions {
            start_end,
            ..DirectlyFollowsOptions::default()
        };
        Ok(py.detach(|| state.finish_directly_follows(&options)).into())
    })
}

#[doc = stub_doc!("_variants_from_state")]
#[pyfunction]
#[pyo3(signature = (state, k = 10, *, max_length = None, collapse_repeats = false))]
pub(crate) fn _variants_from_state(
    py: Python<'_>,
    state: &[u8],
    #[pyo3(from_py_with = wide_int)] k: i128,
    #[pyo3(from_py_with = wide_int_opt)] max_length: Option<i128>,
    collapse_repeats: bool,
) -> PyResult<PyVariants> {
    crate::guard(|| {
        let state = sequence(py, state)?;
        let options = VariantOptions {
            top_k: int_option(k, "k")?,
            max_length: int_option_opt(max_length, "max_length")?,
            collapse_repeats,
            ..VariantOptions::default()
        };
        Ok(py.detach(|| state.finish_variants(&options)).into())
    })
}

#[doc = stub_doc!("_flows_from_state")]
#[pyfunction]
#[pyo3(signature = (state, n = 5, *, min_share = 0.02, collapse_repeats = true))]
pub(crate) fn _flows_from_state(
    py: Python<'_>,
    state: &[u8],
    #[pyo3(from_py_with = wide_int)] n: i128,
    min_share: f64,
    collapse_repeats: bool,
) -> PyResult<PyFlows> {
    crate::guard(|| {
        let state = sequence(py, state)?;
        let options = FlowOptions {
            steps: int_option(n, "n")?,
            min_share,
            collapse_repeats,
            ..FlowOptions::default()
        };
        options.check().map_err(core_err)?;
        Ok(py.detach(|| state.finish_flows(&options)).into())
    })
}

#[doc = stub_doc!("_traffic_from_state")]
#[pyfunction]
pub(crate) fn _traffic_from_state(
    py: Python<'_>,
    state: &[u8],
    journey: &Bound<'_, PyJourney>,
) -> PyResult<PyTraffic> {
    crate::guard(|| {
        let state = sequence(py, state)?;
        let j = &journey.get().inner;
        Ok(py.detach(|| state.finish_traffic(j)).into())
    })
}

/// The error for finishing an identity count state.
fn empty_state(what: &str) -> PyErr {
    invalid(format!(
        "the {what} state is empty (no partition had any data)"
    ))
}

#[doc = stub_doc!("_directly_follows_from_counts_state")]
#[pyfunction]
pub(crate) fn _directly_follows_from_counts_state(
    py: Python<'_>,
    state: &[u8],
) -> PyResult<PyDirectlyFollows> {
    crate::guard(|| {
        let state = py
            .detach(|| DirectlyFollowsCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish())
            .ok_or_else(|| empty_state("directly-follows"))?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_retention_from_counts_state")]
#[pyfunction]
pub(crate) fn _retention_from_counts_state(
    py: Python<'_>,
    state: &[u8],
) -> PyResult<PyRetentionResult> {
    crate::guard(|| {
        let state = py
            .detach(|| RetentionCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish())
            .ok_or_else(|| empty_state("retention"))?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_trends_from_counts_state")]
#[pyfunction]
pub(crate) fn _trends_from_counts_state(py: Python<'_>, state: &[u8]) -> PyResult<PyTrendsResult> {
    crate::guard(|| {
        let state = py
            .detach(|| TrendsCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish())
            .ok_or_else(|| empty_state("trends"))?
            .map_err(core_err)?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_variants_from_counts_state")]
#[pyfunction]
#[pyo3(signature = (state, k = 10))]
pub(crate) fn _variants_from_counts_state(
    py: Python<'_>,
    state: &[u8],
    #[pyo3(from_py_with = wide_int)] k: i128,
) -> PyResult<PyVariants> {
    crate::guard(|| {
        let k: usize = int_option(k, "k")?;
        let state = py
            .detach(|| VariantCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish(k))
            .ok_or_else(|| empty_state("variant"))?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_flows_from_counts_state")]
#[pyfunction]
#[pyo3(signature = (state, *, min_share = 0.02))]
pub(crate) fn _flows_from_counts_state(
    py: Python<'_>,
    state: &[u8],
    min_share: f64,
) -> PyResult<PyFlows> {
    crate::guard(|| {
        let state = py
            .detach(|| FlowCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish(min_share))
            .map_err(core_err)?
            .ok_or_else(|| empty_state("flow"))?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_traffic_from_counts_state")]
#[pyfunction]
pub(crate) fn _traffic_from_counts_state(py: Python<'_>, state: &[u8]) -> PyResult<PyTraffic> {
    crate::guard(|| {
        let state = py
            .detach(|| TrafficCounts::from_bytes(state))
            .map_err(core_err)?;
        let result = py
            .detach(|| state.finish())
            .ok_or_else(|| empty_state("traffic"))?;
        Ok(result.into())
    })
}

#[doc = stub_doc!("_survey_from_state")]
#[pyfunction]
#[pyo3(signature = (
    state, *, nps = false, csat = false, ces = false, csat_scale = 5,
    csat_method = "top_box", ces_scale = 7, ces_method = "mean", min_group_size = 0
))]
#[allow(
    clippy::too_many_arguments,
    clippy::fn_params_excessive_bools,
    reason = "mirrors the keyword arguments of Python"
)]
pub(crate) fn _survey_from_state(
    py: Python<'_>,
    state: &[u8],
    nps: bool,
    csat: bool,
    ces: bool,
    #[pyo3(from_py_with = wide_int)] csat_scale: i128,
    csat_method: &str,
    #[pyo3(from_py_with = wide_int)] ces_scale: i128,
    ces_method: &str,
    #[pyo3(from_py_with = wide_int)] min_group_size: i128,
) -> PyResult<PySurveyReport> {
    crate::guard(|| {
        let options = survey_options(
            csat_scale,
            csat_method,
            ces_scale,
            ces_method,
            min_group_size,
        )?;
        let state = py
            .detach(|| SurveyState::from_bytes(state))
            .map_err(core_err)?;
        if (options.csat_scale, options.ces_scale) != (state.csat_scale, state.ces_scale) {
            return Err(invalid(
                "the scales differ from those the survey state was built with".to_owned(),
            ));
        }
        Ok(PySurveyReport::from(
            py.detach(|| state.report([nps, csat, ces], &options)),
        ))
    })
}

fn paths(py: Python<'_>, state: &[u8]) -> PyResult<PathCounts> {
    py.detach(|| PathCounts::from_bytes(state))
        .map_err(core_err)
}

#[doc = stub_doc!("_paths_from_state")]
#[pyfunction]
pub(crate) fn _paths_from_state<'py>(py: Python<'py>, state: &[u8]) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let state = paths(py, state)?;
        Wrap(&state.to_table()).into_json_value(py)
    })
}

#[doc = stub_doc!("_attribute_from_state")]
#[pyfunction]
#[pyo3(signature = (state, options = None))]
pub(crate) fn _attribute_from_state<'py>(
    py: Python<'py>,
    state: &[u8],
    options: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let options: AttributionOptions = match options {
            None => AttributionOptions::default(),
            Some(json) => serde_json::from_str(json)
                .map_err(|e| invalid(format!("the attribution options do not read: {e}")))?,
        };
        let state = paths(py, state)?;
        let result = py
            .detach(|| cjm_core::attribution::attribute_paths(&state, &options))
            .map_err(core_err)?;
        Wrap(&result).into_json_value(py)
    })
}

/// Registers the functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_funnel_state, m)?)?;
    m.add_function(wrap_pyfunction!(_funnel_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_sequence_state, m)?)?;
    m.add_function(wrap_pyfunction!(_directly_follows_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_variant_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_flow_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_traffic_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_retention_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_trends_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_path_state, m)?)?;
    m.add_function(wrap_pyfunction!(_survey_state, m)?)?;
    m.add_function(wrap_pyfunction!(_merge_states, m)?)?;
    m.add_function(wrap_pyfunction!(_funnel_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_funnel_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_directly_follows_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_variants_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_flows_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_traffic_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_directly_follows_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_variants_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_flows_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_traffic_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_retention_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_trends_from_counts_state, m)?)?;
    m.add_function(wrap_pyfunction!(_survey_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_paths_from_state, m)?)?;
    m.add_function(wrap_pyfunction!(_attribute_from_state, m)?)?;
    Ok(())
}
