//! Partial states for distributed runs (`cjm.spark`; the same calls serve Dask or Ray):
//! a translation of `cjm_core::states`, which decides everything.
//!
//! The driver hands the request (the core's `StateRequest`) as a dict to
//! `_state_request`, which reads it as the core reads options (NaN kept, so that the
//! option's own check refuses it by name), checks it and writes it as JSON: the text
//! every other function takes, and which is pickled to the executors. A worker hands its
//! part of the data (Arrow record batches, read through the Arrow PyCapsule interface
//! with the same column code as `EventLog.from_arrow` and `survey_kpis`) and that text to
//! `_build_state` (`_survey_state` for answers), which returns the state's versioned
//! bytes (`CJMS`, format version, kind). `_merge_states` merges any number of states of
//! one kind, and `_finish_state` finishes the merged state on the driver, with the same
//! request, into the result class the single-machine API returns. Which state a request builds, and
//! which split of the rows it allows, is documented on `cjm_core::states`; the row index
//! of event states comes from an `order_key` column (global, non-negative integers, e.g.
//! Spark's `monotonically_increasing_id()`), without which equal timestamps of one
//! customer would lose the whole log's order.

use cjm_core::events::{EventLog, IngestSpec};
use cjm_core::states::{self, Finished, StateRequest};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use pyo3_arrow::input::AnyRecordBatch;

use crate::convert::Wrap;
use crate::errors::{arrow_err, core_err, input_err};
use crate::reports::PySurveyReport;
use crate::results::{
    PyDirectlyFollows, PyFlows, PyFunnelResult, PyRetentionResult, PyTraffic, PyTrendsResult,
    PyVariants,
};
use crate::survey::{arrow_state, Columns};
use crate::PyJourney;

fn invalid(message: String) -> PyErr {
    input_err(cjm_core::InputCode::InvalidOption, message)
}

/// Reads Arrow data into an event log as `EventLog.from_arrow` does, with the core's
/// ingest spec `columns` read as a partition's (`IngestSpec::partition_options`: no
/// deduplication, since a duplicate may sit in another partition), taking each row's
/// global index from the `order_key` column when there is one.
fn read_log(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    columns: &Bound<'_, PyDict>,
    journey: Option<&Bound<'_, PyJourney>>,
) -> PyResult<EventLog> {
    // `order_key` is Spark's own (each row's global index); the rest is the core's
    // ingest spec, read as `EventLog.from_arrow` reads its keyword arguments.
    let spec = columns.copy()?;
    let order_key: Option<String> = match spec.get_item("order_key")? {
        Some(v) => {
            spec.del_item("order_key")?;
            v.extract()
                .map_err(|_| invalid("`order_key` must be a column name".to_owned()))?
        }
        None => None,
    };
    let spec: IngestSpec = crate::options_from(spec.as_any(), "columns")?;
    // The columns' own errors before the data's.
    spec.choice().map_err(core_err)?;
    let input: AnyRecordBatch = data.extract().map_err(|_| {
        PyTypeError::new_err("expected Arrow data (an object with `__arrow_c_stream__`)")
    })?;
    let reader = input.into_reader()?;
    let ingest = cjm_arrow::EventIngest::partition(
        &spec,
        &reader.schema(),
        order_key,
        journey.map(|j| &j.get().inner),
    )
    .map_err(arrow_err)?;
    py.detach(|| ingest.read(reader, |_| Ok(())))
        .map(|(log, _)| log)
        .map_err(arrow_err)
}

fn bytes<'py>(py: Python<'py>, data: &[u8]) -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
}

/// The core's request (`cjm_core::states::StateRequest`) from its JSON.
fn request_of(json: &str) -> PyResult<StateRequest> {
    StateRequest::from_json(json).map_err(core_err)
}

#[doc = stub_doc!("_state_request")]
#[pyfunction]
#[pyo3(signature = (request, journey = None))]
pub(crate) fn _state_request(
    request: &Bound<'_, PyAny>,
    journey: Option<&Bound<'_, PyJourney>>,
) -> PyResult<String> {
    crate::guard(|| {
        let request = crate::args::plain(request)?;
        let mut de = pythonize::Depythonizer::from_object(&request);
        let request = StateRequest::from_deserializer(&mut de).map_err(core_err)?;
        request
            .to_json(journey.map(|j| &j.get().inner))
            .map_err(core_err)
    })
}

#[doc = stub_doc!("_state_route")]
#[pyfunction]
#[pyo3(signature = (request, journey = None))]
pub(crate) fn _state_route<'py>(
    py: Python<'py>,
    request: &str,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let request = request_of(request)?;
        let route = request
            .route(journey.map(|j| &j.get().inner))
            .map_err(core_err)?;
        Wrap(&route).into_json_value(py)
    })
}

#[doc = stub_doc!("_build_state")]
#[pyfunction]
#[pyo3(signature = (data, request, columns, journey = None))]
pub(crate) fn _build_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    request: &str,
    columns: &Bound<'py, PyDict>,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let request = request_of(request)?;
        let log = read_log(py, data, columns, journey)?;
        let j = journey.map(|j| &j.get().inner);
        let state = py
            .detach(|| states::build_state(&request, &log, j))
            .map_err(core_err)?;
        Ok(bytes(py, &state))
    })
}

#[doc = stub_doc!("_survey_state")]
#[pyfunction]
#[pyo3(signature = (data, request, **columns))]
pub(crate) fn _survey_state<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    request: &str,
    columns: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let StateRequest::Survey { options, .. } = request_of(request)? else {
            return Err(invalid(
                "a survey state needs a `survey` request (`{\"analysis\": \"survey\", …}`)"
                    .to_owned(),
            ));
        };
        let columns: Columns = match columns {
            Some(d) => crate::options_from(d.as_any(), "columns")?,
            None => Columns::default(),
        };
        let state = arrow_state(py, data, &columns, &options)?;
        Ok(bytes(py, &state.to_bytes()))
    })
}

#[doc = stub_doc!("_merge_states")]
#[pyfunction]
pub(crate) fn _merge_states<'py>(
    py: Python<'py>,
    states: Vec<Bound<'py, PyBytes>>,
) -> PyResult<Bound<'py, PyBytes>> {
    crate::guard(|| {
        let slices: Vec<&[u8]> = states.iter().map(|s| s.as_bytes()).collect();
        let merged = py
            .detach(|| states::merge_states(&slices))
            .map_err(core_err)?;
        Ok(bytes(py, &merged))
    })
}

#[doc = stub_doc!("_finish_state")]
#[pyfunction]
#[pyo3(signature = (state, request, journey = None))]
pub(crate) fn _finish_state<'py>(
    py: Python<'py>,
    state: &[u8],
    request: &str,
    journey: Option<&Bound<'py, PyJourney>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let request = request_of(request)?;
        let j = journey.map(|j| &j.get().inner);
        let finished = py
            .detach(|| states::finish_state(&request, state, j))
            .map_err(core_err)?;
        Ok(match finished {
            Finished::Funnel(r) => Bound::new(py, PyFunnelResult::from(*r))?.into_any(),
            Finished::DirectlyFollows(r) => Bound::new(py, PyDirectlyFollows::from(*r))?.into_any(),
            Finished::Variants(r) => Bound::new(py, PyVariants::from(*r))?.into_any(),
            Finished::Flows(r) => Bound::new(py, PyFlows::from(*r))?.into_any(),
            Finished::Traffic(r) => Bound::new(py, PyTraffic::from(*r))?.into_any(),
            Finished::Retention(r) => Bound::new(py, PyRetentionResult::from(*r))?.into_any(),
            Finished::Trends(r) => Bound::new(py, PyTrendsResult::from(*r))?.into_any(),
            Finished::Survey(r) => Bound::new(py, PySurveyReport::from(*r))?.into_any(),
            Finished::Paths(t) => Wrap(&*t).into_json_value(py)?,
            Finished::Attribution(a) => Wrap(&*a).into_json_value(py)?,
        })
    })
}

/// Registers the functions of this module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_state_request, m)?)?;
    m.add_function(wrap_pyfunction!(crate::events::_funnel_options, m)?)?;
    m.add_function(wrap_pyfunction!(_state_route, m)?)?;
    m.add_function(wrap_pyfunction!(_build_state, m)?)?;
    m.add_function(wrap_pyfunction!(_survey_state, m)?)?;
    m.add_function(wrap_pyfunction!(_merge_states, m)?)?;
    m.add_function(wrap_pyfunction!(_finish_state, m)?)?;
    Ok(())
}
