//! `cjm.EventLog`: event logs from Arrow data or CSV, and their analyses.
//!
//! Arrow data (pyarrow, DuckDB, pandas and polars through `cjm/_arrow.py`, anything with
//! `__arrow_c_stream__`) is read batch by batch through the Arrow PyCapsule interface
//! and handed to `cjm_arrow::EventIngest`, which lends each batch's columns to the core's
//! builder, with the GIL released; the core accounts for every row
//! ([`cjm_core::events::IngestReport`]). Which Arrow types each column role reads (a
//! timestamp without a zone only with `assume_utc=True`…) is cjm-arrow's, documented on
//! that crate.

use cjm_core::events::synth::SynthOptions;
use cjm_core::events::{
    DirectlyFollowsOptions, DriverOptions, EventLog, FilterOptions, FlowOptions, Funnel,
    FunnelOptions, FunnelTrendsOptions, IngestReport, IngestSpec, JourneyStateOptions,
    LogOperation, MapLevel, RelabelOptions, RetentionOptions, SampleOptions, SessionOptions,
    StepSpec, TrendsOptions, VariantOptions,
};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use pyo3_arrow::PyTable;

use crate::args::{read_keywords, with_keywords};
use crate::errors::{arrow_err, core_err, input_err, warn};
use crate::results::{
    PyConformance, PyDirectlyFollows, PyDrivers, PyFlows, PyFunnelResult, PyFunnelTrendsResult,
    PyIngestReport, PyJourneyStates, PyRetentionResult, PyTraffic, PyTrendsResult, PyVariants,
};
use crate::PyJourney;

const HELPERS: &str = "cjm._events";

/// The core's ingest spec of the keyword arguments of `from_arrow` / `from_csv`: every
/// option (columns, preset, unit, flags, key, extra columns) is the core's
/// ([`IngestSpec`]), read as it reads any options.
fn ingest_spec(options: Option<&Bound<'_, PyDict>>, what: &str) -> PyResult<IngestSpec> {
    match options {
        Some(d) if !d.is_empty() => crate::options_from(d.as_any(), what),
        _ => Ok(IngestSpec::default()),
    }
}

// ---------------------------------------------------------------------------------------
// CSV

/// Where CSV comes from: text in memory, or a file (with the argument that named it, for
/// the `OSError`).
enum CsvInput<'a, 'py> {
    Bytes(Vec<u8>),
    File(std::path::PathBuf, &'a Bound<'py, PyAny>),
}

/// Reads CSV into a log with the core's reader (a file streamed, never read whole), with
/// the GIL released; emits the report's warnings. The spec's errors come before the
/// file's (`IngestSpec::csv_reader`).
fn read_csv_input(
    py: Python<'_>,
    input: CsvInput<'_, '_>,
    spec: &IngestSpec,
    journey: Option<&Bound<'_, PyJourney>>,
) -> PyResult<(EventLog, IngestReport)> {
    let reader = spec
        .csv_reader(journey.map(|j| &j.get().inner))
        .map_err(core_err)?;
    let (log, report) = match input {
        CsvInput::Bytes(bytes) => py
            .detach(|| reader.read(bytes.as_slice()))
            .map_err(core_err)?,
        CsvInput::File(path, display) => {
            // The first read happens here, so that a file that cannot be read (a
            // directory…) is an `OSError`, not a CSV problem.
            let file = py
                .detach(|| {
                    let mut file = std::io::BufReader::new(std::fs::File::open(&path)?);
                    std::io::BufRead::fill_buf(&mut file)?;
                    Ok::<_, std::io::Error>(file)
                })
                .map_err(|e| crate::source::os_error(&e, display))?;
            py.detach(|| reader.read(file)).map_err(core_err)?
        }
    };
    warn(py, &report.warnings)?;
    Ok((log, report))
}

// ---------------------------------------------------------------------------------------
// Options

/// A funnel of `steps` (any iterable of steps; `None`: the journey's stage funnel) with
/// `options`.
fn funnel_of(
    steps: Option<&Bound<'_, PyAny>>,
    j: Option<&cjm_core::ValidJourney>,
    options: FunnelOptions,
) -> PyResult<Funnel> {
    let steps: Option<Vec<StepSpec>> = steps
        .filter(|s| !s.is_none())
        .map(|s| crate::args::read_plain(s, "steps"))
        .transpose()?;
    Funnel::of(steps, options, j).map_err(core_err)
}

#[doc = stub_doc!("_funnel_options")]
#[pyfunction]
#[pyo3(signature = (**options))]
pub(crate) fn _funnel_options<'py>(
    py: Python<'py>,
    options: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let options: FunnelOptions = read_keywords(py, options, &[], "funnel")?;
        crate::convert::Wrap(&options).into_json_value(py)
    })
}

// ---------------------------------------------------------------------------------------
// The class

#[doc = stub_doc!("EventLog")]
#[pyclass(frozen, module = "cjm", name = "EventLog")]
pub(crate) struct PyEventLog {
    log: EventLog,
    report: IngestReport,
}

impl PyEventLog {
    /// The core's log.
    pub(crate) fn log(&self) -> &EventLog {
        &self.log
    }
}

#[pymethods]
impl PyEventLog {
    #[doc = stub_doc!(signature "EventLog.from_parquet")]
    #[staticmethod]
    #[pyo3(signature = (path, **options), text_signature = None)]
    fn from_parquet(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        if path.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "expected a path as str or os.PathLike, found `bytes`",
            ));
        }
        let file = Py::new(py, crate::arrow_in::ParquetFile::new(path)?)?;
        Ok(py
            .get_type::<Self>()
            .call_method("from_arrow", (file,), options)?
            .unbind())
    }

    #[doc = stub_doc!(signature "EventLog.from_arrow")]
    #[staticmethod]
    #[pyo3(signature = (data, *, journey = None, progress = None, **options), text_signature = None)]
    fn from_arrow(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        progress: Option<bool>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let spec = ingest_spec(options, "from_arrow")?;
            let choice = spec.choice().map_err(core_err)?;
            // Every column the choice may read survives the narrowing of a data frame.
            let mut wanted = choice.candidate_columns();
            wanted.extend(spec.extra.iter().cloned());
            let wanted: Vec<&String> = wanted.iter().collect();
            let (reader, total, columns) = crate::arrow_in::read(
                py,
                data,
                &wanted,
                "a pandas or polars DataFrame, a pyarrow Table or RecordBatch, a DuckDB \
                 result or an object with `__arrow_c_stream__`",
            )?;
            let ingest = cjm_arrow::EventIngest::new(
                &spec,
                &reader.schema(),
                &columns,
                journey.map(|j| &j.get().inner),
            )
            .map_err(arrow_err)?;
            // `None`: a bar only for inputs worth waiting for (`_events._progress`).
            let bar: Option<Py<PyAny>> = if progress != Some(false) {
                let bar = py
                    .import(HELPERS)?
                    .getattr("_progress")?
                    .call1((total, progress == Some(true)))?;
                (!bar.is_none()).then(|| bar.unbind())
            } else {
                None
            };
            let result = py.detach(|| {
                ingest.read(reader, |rows| {
                    if let Some(bar) = &bar {
                        Python::attach(|py| bar.call_method1(py, "update", (rows,)))?;
                    }
                    Ok(())
                })
            });
            if let Some(bar) = &bar {
                bar.call_method0(py, "close")?;
            }
            let (log, report) = result.map_err(arrow_err)?;
            warn(py, &report.warnings)?;
            Ok(Self { log, report })
        })
    }

    #[doc = stub_doc!(signature "EventLog.from_csv")]
    #[staticmethod]
    #[pyo3(signature = (source, *, journey = None, **options), text_signature = None)]
    fn from_csv(
        py: Python<'_>,
        source: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let input = if let Ok(b) = source.cast::<PyBytes>() {
                CsvInput::Bytes(b.as_bytes().to_vec())
            } else if let Ok(text) = source.cast::<PyString>() {
                let text = text.to_cow()?;
                if !(text.contains('\n') || text.contains('\r')) {
                    return Err(input_err(
                        cjm_core::InputCode::InvalidCsv,
                        "the CSV text has no line break (a header row, then one row per \
                         event); a `str` is always read as CSV text, never as a file path: to \
                         read a file, call `EventLog.from_csv_file(path)` or pass a \
                         `pathlib.Path`"
                            .to_owned(),
                    ));
                }
                CsvInput::Bytes(text.into_owned().into_bytes())
            } else {
                CsvInput::File(source.extract()?, source)
            };
            let spec = ingest_spec(options, "from_csv")?;
            read_csv_input(py, input, &spec, journey).map(|(log, report)| Self { log, report })
        })
    }

    #[doc = stub_doc!(signature "EventLog.from_csv_file")]
    #[staticmethod]
    #[pyo3(signature = (path, **options), text_signature = None)]
    fn from_csv_file(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Py<PyAny>> {
        if path.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "expected a path as str or os.PathLike, found `bytes`; CSV text goes to \
                 `EventLog.from_csv`",
            ));
        }
        // `from_csv` reads a `str` as CSV text: hand it the path as a `pathlib.Path`.
        let path = py.import("pathlib")?.getattr("Path")?.call1((path,))?;
        Ok(py
            .get_type::<Self>()
            .call_method("from_csv", (path,), options)?
            .unbind())
    }

    #[doc = stub_doc!("EventLog.ingest_report")]
    #[getter]
    fn ingest_report(&self) -> PyIngestReport {
        PyIngestReport::from(self.report.clone())
    }

    #[doc = stub_doc!("EventLog.customers")]
    #[getter]
    fn customers(&self) -> usize {
        self.log.customers().len()
    }

    #[doc = stub_doc!("EventLog.event_names")]
    #[getter]
    fn event_names(&self) -> Vec<String> {
        self.log.event_names().to_vec()
    }

    #[doc = stub_doc!("EventLog.traffic")]
    fn traffic(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<PyTraffic> {
        crate::guard(|| {
            let j = &journey.get().inner;
            Ok(py.detach(|| self.log.traffic(j)).into())
        })
    }

    #[doc = stub_doc!("EventLog.conformance")]
    fn conformance(
        &self,
        py: Python<'_>,
        journey: &Bound<'_, PyJourney>,
    ) -> PyResult<PyConformance> {
        crate::guard(|| {
            let j = &journey.get().inner;
            Ok(py.detach(|| self.log.conformance(j)).into())
        })
    }

    #[doc = stub_doc!(signature "EventLog.funnel")]
    #[pyo3(signature = (steps = None, *, journey = None, **options), text_signature = None)]
    fn funnel(
        &self,
        py: Python<'_>,
        steps: Option<&Bound<'_, PyAny>>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFunnelResult> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            let funnel = funnel_of(steps, j, read_keywords(py, options, &[], "funnel")?)?;
            let result = py.detach(|| funnel.run(&self.log, j)).map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!(signature "EventLog.retention")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn retention(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyRetentionResult> {
        self.analyse(
            py,
            options,
            &[],
            "retention",
            |log, o: &RetentionOptions| log.retention(o),
        )
    }

    #[doc = stub_doc!(signature "EventLog.trends")]
    #[pyo3(signature = (events = None, **options), text_signature = None)]
    fn trends(
        &self,
        py: Python<'_>,
        events: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyTrendsResult> {
        self.analyse(
            py,
            options,
            &[("events", events)],
            "trends",
            |log, o: &TrendsOptions| log.trends(o),
        )
    }

    #[doc = stub_doc!(signature "EventLog.funnel_trends")]
    #[pyo3(signature = (steps = None, *, journey = None, **options), text_signature = None)]
    fn funnel_trends(
        &self,
        py: Python<'_>,
        steps: Option<&Bound<'_, PyAny>>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFunnelTrendsResult> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            let (periods, options) = with_keywords(py, options, &[], |d| {
                FunnelTrendsOptions::with_funnel(d, "funnel_trends")
            })?;
            let funnel = funnel_of(steps, j, options)?;
            let result = py
                .detach(|| funnel.trends(&self.log, j, &periods))
                .map_err(core_err)?;
            Ok(result.into())
        })
    }

    #[doc = stub_doc!(signature "EventLog.directly_follows")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn directly_follows(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDirectlyFollows> {
        self.analyse(
            py,
            options,
            &[],
            "directly_follows",
            |log, o: &DirectlyFollowsOptions| log.directly_follows(o),
        )
    }

    #[doc = stub_doc!(signature "EventLog.directly_follows_svg")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn directly_follows_svg(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<crate::pictures::PySvg> {
        crate::guard(|| {
            let options: cjm_core::render::DfgChartOptions =
                crate::pictures::kwargs_options(options, "directly_follows_svg")?;
            let svg = py
                .detach(|| cjm_core::render::directly_follows_svg(&self.log, &options))
                .map_err(core_err)?;
            Ok(crate::pictures::PySvg::new(svg))
        })
    }

    #[doc = stub_doc!(signature "EventLog.variants")]
    #[pyo3(signature = (k = None, **options), text_signature = None)]
    fn variants(
        &self,
        py: Python<'_>,
        k: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyVariants> {
        self.analyse(
            py,
            options,
            &[("k", k)],
            "variants",
            |log, o: &VariantOptions| log.variants(o),
        )
    }

    #[doc = stub_doc!(signature "EventLog.flows")]
    #[pyo3(signature = (n = None, **options), text_signature = None)]
    fn flows(
        &self,
        py: Python<'_>,
        n: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyFlows> {
        self.analyse(py, options, &[("n", n)], "flows", |log, o: &FlowOptions| {
            log.flows(o)
        })
    }

    #[doc = stub_doc!(signature "EventLog.journey_states")]
    #[pyo3(signature = (journey, **options), text_signature = None)]
    fn journey_states(
        &self,
        py: Python<'_>,
        journey: &Bound<'_, PyJourney>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyJourneyStates> {
        crate::guard(|| {
            let options: JourneyStateOptions = read_keywords(py, options, &[], "journey_states")?;
            let j = &journey.get().inner;
            let states = py
                .detach(|| self.log.journey_states(j, &options))
                .map_err(core_err)?;
            Ok(states.into())
        })
    }

    #[doc = stub_doc!(signature "EventLog.drivers")]
    #[pyo3(signature = (conversion, *, journey = None, **options), text_signature = None)]
    fn drivers(
        &self,
        py: Python<'_>,
        conversion: &Bound<'_, PyAny>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyDrivers> {
        crate::guard(|| {
            let options: DriverOptions =
                read_keywords(py, options, &[("conversion", Some(conversion))], "drivers")?;
            let j = journey.map(|j| &j.get().inner);
            let drivers = py
                .detach(|| self.log.drivers(j, &options))
                .map_err(core_err)?;
            Ok(drivers.into())
        })
    }

    #[doc = stub_doc!(signature "EventLog.attribute")]
    #[pyo3(signature = (*, journey = None, **options), text_signature = None)]
    fn attribute(
        &self,
        py: Python<'_>,
        journey: Option<&Bound<'_, PyJourney>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<crate::attribution::PyAttribution> {
        crate::guard(|| {
            let j = journey.map(|j| &j.get().inner);
            crate::attribution::attribute_log(py, &self.log, j, options)
        })
    }

    #[doc = stub_doc!(signature "EventLog.filter")]
    #[pyo3(signature = (**options), text_signature = None)]
    fn filter(&self, py: Python<'_>, options: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        crate::guard(|| {
            let options: FilterOptions = read_keywords(py, options, &[], "filter")?;
            self.apply(py, LogOperation::Filter(options))
        })
    }

    #[doc = stub_doc!(signature "EventLog.sample")]
    #[pyo3(signature = (fraction = None, **options), text_signature = None)]
    fn sample(
        &self,
        py: Python<'_>,
        fraction: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: SampleOptions =
                read_keywords(py, options, &[("fraction", fraction)], "sample")?;
            self.apply(py, LogOperation::Sample(options))
        })
    }

    #[doc = stub_doc!(signature "EventLog.sessionize")]
    #[pyo3(signature = (gap = None, **options), text_signature = None)]
    fn sessionize(
        &self,
        py: Python<'_>,
        gap: Option<&Bound<'_, PyAny>>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: SessionOptions =
                read_keywords(py, options, &[("gap", gap)], "sessionize")?;
            self.apply(py, LogOperation::Sessionize(options))
        })
    }

    #[doc = stub_doc!(signature "EventLog.relabel")]
    #[pyo3(signature = (labels, **options), text_signature = None)]
    fn relabel(
        &self,
        py: Python<'_>,
        labels: &Bound<'_, PyAny>,
        options: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        crate::guard(|| {
            let options: RelabelOptions =
                read_keywords(py, options, &[("labels", Some(labels))], "relabel")?;
            self.apply(py, LogOperation::Relabel(options))
        })
    }

    #[doc = stub_doc!("EventLog.by_stage")]
    fn by_stage(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<Self> {
        let options = RelabelOptions::from_journey(&journey.get().inner, MapLevel::Stage);
        crate::guard(|| self.apply(py, LogOperation::Relabel(options)))
    }

    #[doc = stub_doc!("EventLog.by_touchpoint")]
    fn by_touchpoint(&self, py: Python<'_>, journey: &Bound<'_, PyJourney>) -> PyResult<Self> {
        let options = RelabelOptions::from_journey(&journey.get().inner, MapLevel::Touchpoint);
        crate::guard(|| self.apply(py, LogOperation::Relabel(options)))
    }

    #[doc = stub_doc!("EventLog.to_arrow")]
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::guard(|| {
            let pyarrow = crate::reports::optional(py, "pyarrow", "EventLog.to_arrow()")?;
            let batch = py
                .detach(|| cjm_arrow::log_batch(&self.log))
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
            let schema = batch.schema();
            let table = Bound::new(py, PyTable::try_new(vec![batch], schema)?)?;
            pyarrow.getattr("table")?.call1((table,))
        })
    }

    fn __len__(&self) -> usize {
        self.log.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<EventLog: {} events, {} customers, {} event names; {} of {} rows used>",
            self.log.len(),
            self.log.customers().len(),
            self.log.event_names().len(),
            self.report.rows_used,
            self.report.rows_read
        )
    }
}

impl PyEventLog {
    /// One analysis of the log: its options read from the keywords `options` and the
    /// named arguments `given` by the core's reader (`what` names the call in errors),
    /// then `run` on the log with the GIL released, its result as the Python class.
    fn analyse<O, T, P>(
        &self,
        py: Python<'_>,
        options: Option<&Bound<'_, PyDict>>,
        given: &[(&str, Option<&Bound<'_, PyAny>>)],
        what: &str,
        run: impl FnOnce(&EventLog, &O) -> cjm_core::Result<T> + Send,
    ) -> PyResult<P>
    where
        O: serde::de::DeserializeOwned + Sync,
        T: Send + Into<P>,
    {
        crate::guard(|| {
            let options: O = read_keywords(py, options, given, what)?;
            let result = py.detach(|| run(&self.log, &options)).map_err(core_err)?;
            Ok(result.into())
        })
    }

    /// The log an operation makes, with its report; warns what the operation found
    /// (`empty_log` when it left no events).
    fn apply(&self, py: Python<'_>, operation: LogOperation) -> PyResult<Self> {
        let (log, report) = py
            .detach(|| operation.apply(&self.log, &self.report))
            .map_err(core_err)?;
        warn(py, report.new_warnings(&self.report))?;
        Ok(Self { log, report })
    }
}

#[doc = stub_doc!(signature "generate_log")]
#[pyfunction]
#[pyo3(signature = (customers = None, seed = None), text_signature = None)]
pub(crate) fn generate_log<'py>(
    py: Python<'py>,
    customers: Option<&Bound<'py, PyAny>>,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    crate::guard(|| {
        let given = [("customers", customers), ("seed", seed)];
        let options: SynthOptions = read_keywords(py, None, &given, "generate_log")?;
        let pyarrow = crate::reports::optional(py, "pyarrow", "generate_log()")?;
        let batches = py
            .detach(|| cjm_arrow::synth_batches(&options))
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(format!("{e}")))?;
        let table = Bound::new(py, PyTable::try_new(batches, cjm_arrow::synth_schema())?)?;
        pyarrow.getattr("table")?.call1((table,))
    })
}
