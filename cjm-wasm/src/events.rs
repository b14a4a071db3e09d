//! Event logs (docs/events.md): the `EventLog` class, built from column arrays or CSV
//! text, and its analyses (traffic, funnels, retention, paths, journey states, drivers,
//! conformance).
//!
//! Columns may be plain arrays or typed arrays. Typed arrays are copied into Rust vectors
//! in one call each (`BigInt64Array.to_vec`, `Float64Array.to_vec`; other numeric typed
//! arrays through one `new Float64Array(view)`), never read element by element. String
//! columns are plain arrays (there is no typed array of strings).
//!
//! A log may keep the journey it was ingested with (`options.journey`); the analyses that
//! need a map (`traffic`, `stageFunnel`, touchpoint and stage steps, `journeyStates`,
//! `conformance`, touchpoint drivers) use it when no journey is passed.

use cjm_core::events::{
    self as ev, DirectlyFollowsOptions, DriverOptions, FilterOptions, FlowOptions, Funnel,
    FunnelOptions, FunnelTrendsOptions, IngestReport, IngestSpec, JourneyStateOptions,
    LogOperation, MapLevel, RawEvent, RelabelOptions, RetentionOptions, SampleOptions,
    SessionOptions, StepSpec, TimeValue, TrendsOptions, VariantOptions,
};
use cjm_core::insights::InsightInputs;
use cjm_core::render::TrendsChartOptions;
use cjm_core::ValidJourney;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{
    absent, check_keys, get, input_error, read_option, read_required, read_value, wrong_type,
};
use crate::error::{to_js, to_js_value};

/// Declarations of the event-log API (optional parameters with custom types;
/// `types/events.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_EVENTS: &str = include_str!("../types/events.d.ts");

/// A bound event log: the core log, its ingest report, and the journey it was ingested
/// with (if any).
#[wasm_bindgen]
#[derive(Debug, Clone)]
pub struct EventLog {
    log: ev::EventLog,
    report: IngestReport,
    journey: Option<ValidJourney>,
}

#[wasm_bindgen]
extern "C" {
    /// `console.warn`: how a likely mistake that does not stop ingest is shown.
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(message: &str);
}

const COLUMN_KEYS: &[&str] = &[
    "customer",
    "timestamp",
    "event",
    "channel",
    "session",
    "value",
];

/// Title and width of a chart drawn from a result (`stageFunnelSvg`, `flowsSvg`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct ChartOptions {
    title: Option<String>,
    width: Option<u32>,
}

/// The measured inputs of `Journey.health` (its `HealthInputs`), as they cross to
/// JavaScript.
#[derive(Serialize)]
struct MeasuredHealthInputs {
    reach: cjm_core::scoring::MeasuredReach,
    traffic: std::collections::BTreeMap<String, f64>,
}

fn invalid(message: String) -> JsValue {
    input_error(cjm_core::InputCode::InvalidOption, message)
}

fn bad_row(row: usize, message: String) -> JsValue {
    to_js(&cjm_core::Error::Input {
        code: cjm_core::InputCode::WrongType,
        row: Some(row),
        message,
    })
}

/// Reads the options object as the core's ingest spec, and the journey in it (`journey`
/// is not a spec field: it may be a `Journey` instance).
fn read_spec(options: &JsValue) -> Result<(IngestSpec, Option<ValidJourney>), JsValue> {
    if absent(options) {
        return Ok((IngestSpec::default(), None));
    }
    if !crate::args::plain(options) {
        return Err(crate::args::wrong_type("options", "an object", options));
    }
    let journey = arg_journey(get(options, "journey"), "options.journey")?;
    // Everything but `journey` goes through serde (a copy without it).
    let rest = js_sys::Object::new();
    for key in js_sys::Object::keys(&js_sys::Object::from(options.clone())).iter() {
        let value = js_sys::Reflect::get(options, &key).unwrap_or(JsValue::UNDEFINED);
        // `undefined` is not given (an option spread from another object).
        if key.as_string().as_deref() != Some("journey") && !value.is_undefined() {
            js_sys::Reflect::set(&rest, &key, &value)?;
        }
    }
    let spec: IngestSpec = read_option(rest.into(), "options")?.unwrap_or_default();
    Ok((spec, journey))
}

/// A string column of a plain array (or any array-like): strings, numbers (as text),
/// `null`/`undefined` (missing).
fn string_column(value: &JsValue, name: &str) -> Result<Vec<Option<String>>, JsValue> {
    if !js_sys::Array::is_array(value) {
        if value.is_object() && !get(value, "length").is_undefined() {
            return string_column(&js_sys::Array::from(value).into(), name);
        }
        return Err(wrong_type(&format!("columns.{name}"), "an array", value));
    }
    let array = js_sys::Array::from(value);
    let mut out = Vec::with_capacity(array.length() as usize);
    for (row, item) in array.iter().enumerate() {
        if let Some(s) = item.as_string() {
            out.push(Some(s));
        } else if absent(&item) {
            out.push(None);
        } else if let Some(n) = item.as_f64() {
            out.push(Some(
                js_sys::Number::from(n)
                    .to_string_with_radix(10)
                    .map(String::from)
                    .unwrap_or_default(),
            ));
        } else {
            return Err(bad_row(
                row,
                format!("column `{name}`, row `{row}`: expected a string, a number or null"),
            ));
        }
    }
    Ok(out)
}

/// A numeric typed array other than the BigInt ones, copied in one call.
fn numeric_view(value: &JsValue) -> Option<Vec<f64>> {
    if let Some(a) = value.dyn_ref::<js_sys::Float64Array>() {
        return Some(a.to_vec());
    }
    if js_sys::ArrayBuffer::is_view(value)
        && !value.is_instance_of::<js_sys::DataView>()
        && !value.is_instance_of::<js_sys::BigInt64Array>()
        && !value.is_instance_of::<js_sys::BigUint64Array>()
    {
        return Some(js_sys::Float64Array::new(value).to_vec());
    }
    None
}

/// A timestamp column, owned.
enum Times {
    Ticks(Vec<Option<i64>>),
    Mixed(Vec<MixedTime>),
}

enum MixedTime {
    Missing,
    Ticks(i64),
    Text(String),
}

impl Times {
    fn len(&self) -> usize {
        match self {
            Self::Ticks(v) => v.len(),
            Self::Mixed(v) => v.len(),
        }
    }

    fn get(&self, i: usize) -> TimeValue<'_> {
        match self {
            Self::Ticks(v) => v
                .get(i)
                .copied()
                .flatten()
                .map_or(TimeValue::Missing, TimeValue::Ticks),
            Self::Mixed(v) => match v.get(i) {
                Some(MixedTime::Ticks(t)) => TimeValue::Ticks(*t),
                Some(MixedTime::Text(s)) => TimeValue::Text(s),
                Some(MixedTime::Missing) | None => TimeValue::Missing,
            },
        }
    }
}

/// 2^63 as an f64 (exact).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// A whole number of ticks from a JavaScript number (`NaN`: missing).
fn ticks_of(x: f64, row: usize) -> Result<Option<i64>, JsValue> {
    if x.is_nan() {
        return Ok(None);
    }
    // 2^63 is exactly representable; every whole f64 in [−2^63, 2^63) fits an i64.
    if x.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&x) {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked: whole and in range"
        )]
        return Ok(Some(x as i64));
    }
    Err(bad_row(
        row,
        format!("column `timestamp`, row `{row}`: `{x}` is not a whole number of the unit"),
    ))
}

fn time_column(value: &JsValue) -> Result<Times, JsValue> {
    if let Some(a) = value.dyn_ref::<js_sys::BigInt64Array>() {
        return Ok(Times::Ticks(a.to_vec().into_iter().map(Some).collect()));
    }
    if let Some(v) = numeric_view(value) {
        return v
            .into_iter()
            .enumerate()
            .map(|(row, x)| ticks_of(x, row))
            .collect::<Result<Vec<_>, _>>()
            .map(Times::Ticks);
    }
    if !js_sys::Array::is_array(value) {
        return Err(wrong_type(
            "columns.timestamp",
            "an array or a typed array",
            value,
        ));
    }
    let array = js_sys::Array::from(value);
    let mut out = Vec::with_capacity(array.length() as usize);
    for (row, item) in array.iter().enumerate() {
        out.push(if absent(&item) {
            MixedTime::Missing
        } else if let Some(x) = item.as_f64() {
            ticks_of(x, row)?.map_or(MixedTime::Missing, MixedTime::Ticks)
        } else if let Some(s) = item.as_string() {
            MixedTime::Text(s)
        } else if item.is_bigint() {
            let big = js_sys::BigInt::from(item);
            MixedTime::Ticks(i64::try_from(big).map_err(|_| {
                bad_row(row, format!("column `timestamp`, row `{row}`: BigInt out of range"))
            })?)
        } else {
            return Err(bad_row(
                row,
                format!(
                    "column `timestamp`, row `{row}`: expected a number, a BigInt, ISO-8601 text or null"
                ),
            ));
        });
    }
    Ok(Times::Mixed(out))
}

fn value_column(value: &JsValue) -> Result<Vec<Option<f64>>, JsValue> {
    if let Some(v) = numeric_view(value) {
        return Ok(v.into_iter().map(Some).collect());
    }
    if !js_sys::Array::is_array(value) {
        return Err(wrong_type(
            "columns.value",
            "an array or a typed array",
            value,
        ));
    }
    js_sys::Array::from(value)
        .iter()
        .enumerate()
        .map(|(row, item)| {
            if absent(&item) {
                Ok(None)
            } else {
                item.as_f64().map(Some).ok_or_else(|| {
                    bad_row(
                        row,
                        format!("column `value`, row `{row}`: expected a number or null"),
                    )
                })
            }
        })
        .collect()
}

fn optional<T>(
    columns: &JsValue,
    key: &str,
    read: impl Fn(&JsValue) -> Result<T, JsValue>,
) -> Result<Option<T>, JsValue> {
    let value = get(columns, key);
    if absent(&value) {
        Ok(None)
    } else {
        read(&value).map(Some)
    }
}

fn as_strs(column: &[Option<String>]) -> Vec<Option<&str>> {
    column.iter().map(Option::as_deref).collect()
}

fn bytes_of(input: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(text) = input.as_string() {
        return Ok(text.into_bytes());
    }
    if let Some(a) = input.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(a.to_vec());
    }
    if input.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(js_sys::Uint8Array::new(input).to_vec());
    }
    Err(wrong_type(
        "text",
        "CSV text, a Uint8Array or an ArrayBuffer",
        input,
    ))
}

/// A funnel step from JavaScript: a string is an event name; an object is the core's
/// `StepSpec` (`{event}`, `{touchpoint}`, `{stage}`).
fn read_steps(steps: &JsValue) -> Result<Vec<StepSpec>, JsValue> {
    if !js_sys::Array::is_array(steps) {
        return Err(wrong_type(
            "steps",
            "an array of event names or `{event}`, `{touchpoint}`, `{stage}` objects",
            steps,
        ));
    }
    // Each step is the core's `StepSpec` (a bare name is an event step); a null step is
    // `invalid_option` naming its index, as in Python.
    Ok(read_value(steps.clone(), "steps")?.unwrap_or_default())
}

/// A journey passed to an analysis (`undefined`/`null`: none); see [`crate::journey_arg`].
fn arg_journey(value: JsValue, name: &str) -> Result<Option<ValidJourney>, JsValue> {
    if absent(&value) {
        return Ok(None);
    }
    crate::journey_like(&value, name).map(Some)
}

impl EventLog {
    /// The journey to use: the one passed, else the one of ingestion.
    fn journey<'a>(
        &'a self,
        passed: Option<&'a ValidJourney>,
        what: &str,
    ) -> Result<&'a ValidJourney, JsValue> {
        passed.or(self.journey.as_ref()).ok_or_else(|| {
            invalid(format!(
                "`{what}` needs a journey: pass one, or give `journey` when ingesting"
            ))
        })
    }

    /// `f` on the log and the journey passed, else the one of ingestion (the paths and
    /// attribution of `paths` and `attribute`).
    pub(crate) fn with_journey<T>(
        &self,
        journey: JsValue,
        f: impl FnOnce(&ev::EventLog, Option<&ValidJourney>) -> cjm_core::Result<T>,
    ) -> Result<T, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        f(&self.log, passed.as_ref().or(self.journey.as_ref())).map_err(|e| to_js(&e))
    }

    /// The trends with the options given.
    fn run_trends(&self, options: JsValue) -> Result<ev::TrendsResult, JsValue> {
        let options: TrendsOptions = read_option(options, "options")?.unwrap_or_default();
        self.log.trends(&options).map_err(|e| to_js(&e))
    }

    /// The funnel trends of `steps` with the options given.
    fn run_funnel_trends(
        &self,
        steps: JsValue,
        options: JsValue,
        trends: JsValue,
        journey: JsValue,
    ) -> Result<ev::FunnelTrendsResult, JsValue> {
        let steps = read_steps(&steps)?;
        let options: FunnelOptions = read_option(options, "options")?.unwrap_or_default();
        let trends: FunnelTrendsOptions = read_option(trends, "trends")?.unwrap_or_default();
        let passed = arg_journey(journey, "journey")?;
        let j = passed.as_ref().or(self.journey.as_ref());
        Funnel { steps, options }
            .trends(&self.log, j, &trends)
            .map_err(|e| to_js(&e))
    }

    /// The stage funnel of `j` with the options given.
    fn run_stage_funnel(
        &self,
        j: &ValidJourney,
        options: JsValue,
    ) -> Result<ev::FunnelResult, JsValue> {
        let options: FunnelOptions = read_option(options, "options")?.unwrap_or_default();
        Funnel::from_stages(j)
            .with_options(options)
            .run(&self.log, Some(j))
            .map_err(|e| to_js(&e))
    }

    /// The flows with the options given (checked).
    fn run_flows(&self, options: JsValue) -> Result<ev::Flows, JsValue> {
        let options: FlowOptions = read_option(options, "options")?.unwrap_or_default();
        options.check().map_err(|e| to_js(&e))?;
        self.log.flows(&options).map_err(|e| to_js(&e))
    }

    /// The log an operation makes, with its report and this log's journey; warns when it
    /// left no events.
    fn apply(&self, operation: &LogOperation) -> Result<Self, JsValue> {
        let (log, report) = operation
            .apply(&self.log, &self.report)
            .map_err(|e| to_js(&e))?;
        if log.is_empty() && !self.log.is_empty() {
            for w in report.warnings.iter().filter(|w| w.code == "empty_log") {
                console_warn(&format!("cjm [{}]: {}", w.code, w.message));
            }
        }
        Ok(Self {
            log,
            report,
            journey: self.journey.clone(),
        })
    }

    fn wrap(
        result: cjm_core::Result<(ev::EventLog, IngestReport)>,
        journey: Option<ValidJourney>,
    ) -> Result<Self, JsValue> {
        let (log, report) = result.map_err(|e| to_js(&e))?;
        for w in &report.warnings {
            console_warn(&format!("cjm [{}]: {}", w.code, w.message));
        }
        Ok(Self {
            log,
            report,
            journey,
        })
    }
}

#[wasm_bindgen]
impl EventLog {
    /// Builds a log from column arrays `{customer, timestamp, event, channel?, session?,
    /// value?}` (plain arrays, or typed arrays for `timestamp` and `value`, copied in one
    /// call each); `options` `{unit, journey?, dedup?, strict?, assume_utc?,
    /// pseudonymise_key?}`.
    ///
    /// @throws {CjmError} `column_length_mismatch`, `wrong_type` (with `row`),
    /// `invalid_option`, `naive_timestamp` (ISO-8601 text without offset and no
    /// `assume_utc`); in strict mode the first unusable row, and `no_rows_used` when no
    /// row is usable (otherwise a `console.warn` and the report's `warnings`).
    #[wasm_bindgen(js_name = fromColumns)]
    pub fn from_columns(
        #[wasm_bindgen(unchecked_param_type = "EventColumns")] columns: JsValue,
        #[wasm_bindgen(unchecked_param_type = "ColumnsLogOptions")] options: JsValue,
    ) -> Result<EventLog, JsValue> {
        check_keys(
            &columns,
            COLUMN_KEYS,
            "columns",
            cjm_core::InputCode::WrongType,
        )?;
        if absent(&options) {
            return Err(crate::args::wrong_type(
                "options",
                "an object `{unit, ...}`",
                &options,
            ));
        }
        let (spec, journey) = read_spec(&options)?;
        let ingest = spec.bare_columns_options().map_err(|e| to_js(&e))?;
        // A `BigInt64Array` of customer ids stays integers (sorted by value), as Arrow
        // int64 ids do in Python.
        let customer_value = get(&columns, "customer");
        let customer_ids: Option<Vec<Option<i64>>> = customer_value
            .dyn_ref::<js_sys::BigInt64Array>()
            .map(|a| a.to_vec().into_iter().map(Some).collect());
        let customer = match &customer_ids {
            Some(ids) => ids.iter().map(|id| id.map(|x| x.to_string())).collect(),
            None => string_column(&customer_value, "customer")?,
        };
        let event = string_column(&get(&columns, "event"), "event")?;
        // A plain array of numbers (and nulls) is integer ticks as a typed array is.
        let timestamp = match time_column(&get(&columns, "timestamp"))? {
            Times::Mixed(v) if v.iter().all(|t| !matches!(t, MixedTime::Text(_))) => Times::Ticks(
                v.into_iter()
                    .map(|t| match t {
                        MixedTime::Ticks(x) => Some(x),
                        MixedTime::Missing | MixedTime::Text(_) => None,
                    })
                    .collect(),
            ),
            t => t,
        };
        let channel = optional(&columns, "channel", |v| string_column(v, "channel"))?;
        let session = optional(&columns, "session", |v| string_column(v, "session"))?;
        let value = optional(&columns, "value", value_column)?;
        let n = customer.len();
        let lengths = [
            Some(timestamp.len()),
            Some(event.len()),
            channel.as_ref().map(Vec::len),
            session.as_ref().map(Vec::len),
            value.as_ref().map(Vec::len),
        ];
        if lengths.iter().flatten().any(|&l| l != n) {
            return Err(input_error(
                cjm_core::InputCode::ColumnLengthMismatch,
                format!("columns differ in length (customer column has `{n}` rows)"),
            ));
        }
        let (customer, event) = (as_strs(&customer), as_strs(&event));
        let channel = channel.as_deref().map(as_strs);
        let session = session.as_deref().map(as_strs);
        let mut b = spec
            .builder(ingest, journey.as_ref())
            .map_err(|e| to_js(&e))?;
        if let Times::Ticks(ts) = &timestamp {
            // Integer timestamps: the core's columnar path (`push_batch`).
            let columns = ev::Columns {
                customer: if customer_ids.is_some() {
                    &[]
                } else {
                    customer.as_slice()
                },
                customer_ids: customer_ids.as_deref(),
                timestamp: ts,
                event: &event,
                channel: channel.as_deref(),
                session: session.as_deref(),
                value: value.as_deref(),
                consent: None,
            };
            return Self::wrap(ev::EventLog::from_columns(&columns, b), journey);
        }
        // ISO-8601 text (alone or mixed with numbers): row by row.
        b.reserve(n);
        fn at<'a>(c: Option<&[Option<&'a str>]>, i: usize) -> Option<&'a str> {
            c.and_then(|c| c.get(i).copied().flatten())
        }
        for i in 0..n {
            let row = RawEvent {
                customer: customer.get(i).copied().flatten(),
                timestamp: timestamp.get(i),
                event: event.get(i).copied().flatten(),
                channel: at(channel.as_deref(), i),
                session: at(session.as_deref(), i),
                value: value.as_ref().and_then(|v| v.get(i).copied().flatten()),
                consent: None,
                extra: &[],
                row: None,
            };
            b.push(&row).map_err(|e| to_js(&e))?;
        }
        Self::wrap(b.finish_checked(), journey)
    }

    /// Reads CSV text (or its UTF-8 bytes: `Uint8Array`, `ArrayBuffer`) with a header row;
    /// `options` (optional): the core's `IngestSpec` (`preset`, `mapping` or the columns
    /// one by one, `unit`, `extra`, `dedup`…) and `journey`. Columns nothing names are
    /// found by their usual names (the core's `ColumnChoice`).
    ///
    /// Gzip-compressed bytes (a `.csv.gz` file) are decompressed on the fly.
    ///
    /// @throws {CjmError} `missing_column`, `ambiguous_column`, `invalid_csv` (with `row`), `invalid_option`,
    /// `naive_timestamp` (timestamps without offset and no `assume_utc`); in strict mode
    /// the first unusable row, and `no_rows_used` when no row is usable (otherwise a
    /// `console.warn` and the report's `warnings`).
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvLogOptions | null")] options: JsValue,
    ) -> Result<EventLog, JsValue> {
        let (spec, journey) = read_spec(&options)?;
        let choice = spec.choice().map_err(|e| to_js(&e))?;
        let bytes = bytes_of(&text)?;
        // The mapping's timestamp format decides the unit; the builder's is not used.
        let b = spec
            .builder(spec.options(), journey.as_ref())
            .map_err(|e| to_js(&e))?;
        Self::wrap(ev::read_csv(bytes.as_slice(), choice, b), journey)
    }

    /// The account of every input row.
    #[wasm_bindgen(js_name = ingestReport, skip_typescript)]
    pub fn ingest_report(&self) -> Result<JsValue, JsValue> {
        crate::tables::with_tables(self.report.clone())
    }

    /// Number of events in the log.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.log.len()
    }

    /// Traffic per touchpoint and stage of the map.
    #[wasm_bindgen(skip_typescript)]
    pub fn traffic(&self, journey: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "traffic")?;
        crate::tables::with_tables(self.log.traffic(j))
    }

    /// A funnel over `steps` (event names, or `{event}`/`{touchpoint}`/`{stage}` objects).
    #[wasm_bindgen(skip_typescript)]
    pub fn funnel(
        &self,
        steps: JsValue,
        options: JsValue,
        journey: JsValue,
    ) -> Result<JsValue, JsValue> {
        let steps = read_steps(&steps)?;
        let options: FunnelOptions = read_option(options, "options")?.unwrap_or_default();
        let passed = arg_journey(journey, "journey")?;
        let j = passed.as_ref().or(self.journey.as_ref());
        let result = Funnel { steps, options }
            .run(&self.log, j)
            .map_err(|e| to_js(&e))?;
        crate::tables::with_tables(result)
    }

    /// The stage funnel of the map: one step per stage, in map order.
    #[wasm_bindgen(js_name = stageFunnel, skip_typescript)]
    pub fn stage_funnel(&self, journey: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "stageFunnel")?;
        crate::tables::with_tables(self.run_stage_funnel(j, options)?)
    }

    /// Retention cohorts (the core's `EventLog::retention` with its `RetentionOptions`).
    #[wasm_bindgen(skip_typescript)]
    pub fn retention(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: RetentionOptions = read_option(options, "options")?.unwrap_or_default();
        let result = self.log.retention(&options).map_err(|e| to_js(&e))?;
        crate::tables::with_tables(result)
    }

    /// The retention table drawn by the core (`render::retention_heatmap_svg`).
    #[wasm_bindgen(js_name = retentionSvg, skip_typescript)]
    pub fn retention_svg(&self, options: JsValue, chart: JsValue) -> Result<String, JsValue> {
        let chart: cjm_core::render::RetentionChartOptions =
            read_option(chart, "chart")?.unwrap_or_default();
        let options: RetentionOptions = read_option(options, "options")?.unwrap_or_default();
        let result = self.log.retention(&options).map_err(|e| to_js(&e))?;
        Ok(cjm_core::render::retention_heatmap_svg(&result, &chart))
    }

    /// A new log of the events passing every criterion of `options` (the core's
    /// `FilterOptions`); it keeps this log's journey.
    #[wasm_bindgen(skip_typescript)]
    pub fn filter(&self, options: JsValue) -> Result<EventLog, JsValue> {
        let options: FilterOptions = read_required(options, "options", "{events?, start?, …}")?;
        self.apply(&LogOperation::Filter(options))
    }

    /// A new log of a seeded sample of whole customers (the core's `SampleOptions`).
    #[wasm_bindgen(skip_typescript)]
    pub fn sample(&self, options: JsValue) -> Result<EventLog, JsValue> {
        let options: SampleOptions =
            read_required(options, "options", "{fraction | count, seed?}")?;
        self.apply(&LogOperation::Sample(options))
    }

    /// A new log with session ids derived by inactivity (the core's `SessionOptions`,
    /// default a gap of 30 minutes).
    #[wasm_bindgen(skip_typescript)]
    pub fn sessionize(&self, options: JsValue) -> Result<EventLog, JsValue> {
        let options: SessionOptions = read_option(options, "options")?.unwrap_or_default();
        self.apply(&LogOperation::Sessionize(options))
    }

    /// A new log with its events renamed (the core's `RelabelOptions`).
    #[wasm_bindgen(skip_typescript)]
    pub fn relabel(&self, options: JsValue) -> Result<EventLog, JsValue> {
        let options: RelabelOptions =
            read_required(options, "options", "{labels: {eventName: newName, …}}")?;
        self.apply(&LogOperation::Relabel(options))
    }

    /// A new log whose events are the stages of the map that bind them.
    #[wasm_bindgen(js_name = byStage, skip_typescript)]
    pub fn by_stage(&self, journey: JsValue) -> Result<EventLog, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "byStage")?;
        self.apply(&LogOperation::Relabel(RelabelOptions::from_journey(
            j,
            MapLevel::Stage,
        )))
    }

    /// A new log whose events are the touchpoints of the map that bind them.
    #[wasm_bindgen(js_name = byTouchpoint, skip_typescript)]
    pub fn by_touchpoint(&self, journey: JsValue) -> Result<EventLog, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "byTouchpoint")?;
        self.apply(&LogOperation::Relabel(RelabelOptions::from_journey(
            j,
            MapLevel::Touchpoint,
        )))
    }

    /// The ordered log as columns `fromColumns` reads with `{unit: 'nanoseconds'}`:
    /// `customer` (strings, or a `BigInt64Array` of integer ids), `timestamp`
    /// (`BigInt64Array` of nanoseconds), `event`, and `channel`, `session` (strings or
    /// `null`) and `value` (numbers or `null`) when the log has them.
    #[wasm_bindgen(js_name = toColumns, skip_typescript)]
    pub fn to_columns(&self) -> Result<JsValue, JsValue> {
        let x = self.log.export();
        let out = js_sys::Object::new();
        let set = |key: &str, value: &JsValue| {
            js_sys::Reflect::set(&out, &JsValue::from_str(key), value).map(|_| ())
        };
        // One JavaScript string per distinct value, shared by its events.
        let strings = |dict: &[String], codes: &mut dyn Iterator<Item = u32>| {
            let values: Vec<JsValue> = dict.iter().map(|s| JsValue::from_str(s)).collect();
            let array = js_sys::Array::new();
            for code in codes {
                array.push(values.get(code as usize).unwrap_or(&JsValue::NULL));
            }
            JsValue::from(array)
        };
        match x.customers {
            ev::CustomerIds::Int(ids) => {
                let per_event: Vec<i64> = x
                    .customer
                    .iter()
                    .map(|&c| ids.get(c as usize).copied().unwrap_or(0))
                    .collect();
                set(
                    "customer",
                    &js_sys::BigInt64Array::from(per_event.as_slice()).into(),
                )?;
            }
            ev::CustomerIds::Str(ids) => {
                set("customer", &strings(ids, &mut x.customer.iter().copied()))?;
            }
        }
        set(
            "timestamp",
            &js_sys::BigInt64Array::from(x.timestamp_ns).into(),
        )?;
        set(
            "event",
            &strings(x.event.dict, &mut x.event.codes.iter().copied()),
        )?;
        for (key, column) in [("channel", &x.channel), ("session", &x.session)] {
            if let Some(c) = column {
                set(key, &strings(c.dict, &mut c.codes.iter().copied()))?;
            }
        }
        if let Some(values) = x.value {
            let array = js_sys::Array::new();
            for v in values {
                array.push(&if v.is_nan() {
                    JsValue::NULL
                } else {
                    JsValue::from_f64(*v)
                });
            }
            set("value", &array.into())?;
        }
        Ok(out.into())
    }

    /// Event trends (the core's `EventLog::trends` with its `TrendsOptions`).
    #[wasm_bindgen(skip_typescript)]
    pub fn trends(&self, options: JsValue) -> Result<JsValue, JsValue> {
        crate::tables::with_tables(self.run_trends(options)?)
    }

    /// Funnel trends (the core's `Funnel::trends` with its `FunnelTrendsOptions`).
    #[wasm_bindgen(js_name = funnelTrends, skip_typescript)]
    pub fn funnel_trends(
        &self,
        steps: JsValue,
        options: JsValue,
        trends: JsValue,
        journey: JsValue,
    ) -> Result<JsValue, JsValue> {
        crate::tables::with_tables(self.run_funnel_trends(steps, options, trends, journey)?)
    }

    /// The trends drawn by the core (`render::trends_chart`, then `render::line_chart_svg`).
    #[wasm_bindgen(js_name = trendsSvg, skip_typescript)]
    pub fn trends_svg(&self, options: JsValue, chart: JsValue) -> Result<String, JsValue> {
        let chart: TrendsChartOptions = read_option(chart, "chart")?.unwrap_or_default();
        let result = self.run_trends(options)?;
        let c = cjm_core::render::trends_chart(&result, &chart).map_err(|e| to_js(&e))?;
        Ok(cjm_core::render::line_chart_svg(&c))
    }

    /// The funnel trends drawn by the core (`render::funnel_trends_chart`).
    #[wasm_bindgen(js_name = funnelTrendsSvg, skip_typescript)]
    pub fn funnel_trends_svg(
        &self,
        steps: JsValue,
        options: JsValue,
        trends: JsValue,
        chart: JsValue,
        journey: JsValue,
    ) -> Result<String, JsValue> {
        let chart: TrendsChartOptions = read_option(chart, "chart")?.unwrap_or_default();
        let result = self.run_funnel_trends(steps, options, trends, journey)?;
        let c = cjm_core::render::funnel_trends_chart(&result, &chart).map_err(|e| to_js(&e))?;
        Ok(cjm_core::render::line_chart_svg(&c))
    }

    /// Directly-follows counts.
    #[wasm_bindgen(js_name = directlyFollows, skip_typescript)]
    pub fn directly_follows(&self, options: JsValue) -> Result<JsValue, JsValue> {
        let options: DirectlyFollowsOptions = read_option(options, "options")?.unwrap_or_default();
        crate::tables::with_tables(self.log.directly_follows(&options).map_err(|e| to_js(&e))?)
    }

    /// The directly-follows graph drawn by the core (`DfgChartOptions`).
    #[wasm_bindgen(js_name = directlyFollowsSvg, skip_typescript)]
    pub fn directly_follows_svg(&self, options: JsValue) -> Result<String, JsValue> {
        let options: cjm_core::render::DfgChartOptions =
            read_option(options, "options")?.unwrap_or_default();
        cjm_core::render::directly_follows_svg(&self.log, &options).map_err(|e| to_js(&e))
    }

    /// The top variants: `k` (a number: the top k) or the options.
    #[wasm_bindgen(skip_typescript)]
    pub fn variants(&self, k: JsValue) -> Result<JsValue, JsValue> {
        let options = if k.as_f64().is_some() {
            VariantOptions {
                top_k: cjm_core::options_from(serde_wasm_bindgen::Deserializer::from(k), "k")
                    .map_err(|e| to_js(&e))?,
                ..VariantOptions::default()
            }
        } else {
            read_option(k, "options")?.unwrap_or_default()
        };
        crate::tables::with_tables(self.log.variants(&options).map_err(|e| to_js(&e))?)
    }

    /// Flows for a Sankey picture.
    #[wasm_bindgen(skip_typescript)]
    pub fn flows(&self, options: JsValue) -> Result<JsValue, JsValue> {
        crate::tables::with_tables(self.run_flows(options)?)
    }

    /// Where each customer is in the journey.
    #[wasm_bindgen(js_name = journeyStates, skip_typescript)]
    pub fn journey_states(&self, journey: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "journeyStates")?;
        let options: JourneyStateOptions = read_option(options, "options")?.unwrap_or_default();
        let states = self
            .log
            .journey_states(j, &options)
            .map_err(|e| to_js(&e))?;
        crate::tables::with_tables(states)
    }

    /// Conversion drivers.
    #[wasm_bindgen(skip_typescript)]
    pub fn drivers(&self, options: JsValue, journey: JsValue) -> Result<JsValue, JsValue> {
        let options: DriverOptions = read_required(
            options,
            "options",
            "{conversion, by_touchpoint?, min_support?}",
        )?;
        let passed = arg_journey(journey, "journey")?;
        let j = passed.as_ref().or(self.journey.as_ref());
        let drivers = self.log.drivers(j, &options).map_err(|e| to_js(&e))?;
        crate::tables::with_tables(drivers)
    }

    /// Observed stage order against the map's order.
    #[wasm_bindgen(skip_typescript)]
    pub fn conformance(&self, journey: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "conformance")?;
        crate::tables::with_tables(self.log.conformance(j))
    }

    /// The stage funnel drawn as SVG by the core (`render::funnel_result_svg` with the
    /// stage names: the funnel, or with a breakdown one small funnel per group); `chart`
    /// `{title?, width?}`.
    #[wasm_bindgen(js_name = stageFunnelSvg, skip_typescript)]
    pub fn stage_funnel_svg(
        &self,
        journey: JsValue,
        options: JsValue,
        chart: JsValue,
    ) -> Result<String, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "stageFunnelSvg")?;
        let chart_options: ChartOptions = read_option(chart, "chart")?.unwrap_or_default();
        let result = self.run_stage_funnel(j, options)?;
        Ok(cjm_core::render::funnel_result_svg(
            &result,
            Some(j),
            chart_options.title,
            chart_options.width,
        ))
    }

    /// The flows drawn as a Sankey SVG by the core (`render::flow_chart`, then
    /// `render::flow_svg`); `chart` `{title?, width?}`.
    #[wasm_bindgen(js_name = flowsSvg, skip_typescript)]
    pub fn flows_svg(&self, options: JsValue, chart: JsValue) -> Result<String, JsValue> {
        let chart_options: ChartOptions = read_option(chart, "chart")?.unwrap_or_default();
        let flows = self.run_flows(options)?;
        let mut c = cjm_core::render::flow_chart(&flows, chart_options.title);
        c.width = chart_options.width;
        Ok(cjm_core::render::flow_svg(&c))
    }

    /// The measured inputs of `journey.insights` (`InsightInputs::from_measures` of the
    /// traffic and the stage funnel run with `options`).
    #[wasm_bindgen(js_name = insightInputs, skip_typescript)]
    pub fn insight_inputs(&self, journey: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "insightInputs")?;
        let funnel = self.run_stage_funnel(j, options)?;
        let traffic = self.log.traffic(j);
        to_js_value(&InsightInputs::from_measures(&traffic, Some(&funnel)))
    }

    /// The journey's KPIs measured from this log and the funnel and survey results given
    /// (`scoring::measure_kpis`).
    #[wasm_bindgen(js_name = measureKpis, skip_typescript)]
    pub fn measure_kpis(&self, journey: JsValue, inputs: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "measureKpis")?;
        if !absent(&inputs) {
            check_keys(
                &inputs,
                &["stage_funnel", "conversion", "survey"],
                "inputs",
                cjm_core::InputCode::InvalidOption,
            )?;
        }
        let field = |key: &str| {
            if absent(&inputs) {
                JsValue::UNDEFINED
            } else {
                get(&inputs, key)
            }
        };
        let stage_funnel: Option<ev::FunnelResult> =
            read_value(field("stage_funnel"), "inputs.stage_funnel")?;
        let conversion: Option<ev::FunnelResult> =
            read_value(field("conversion"), "inputs.conversion")?;
        let survey: Option<cjm_core::scoring::SurveyReport> =
            read_value(field("survey"), "inputs.survey")?;
        to_js_value(&cjm_core::scoring::measure_kpis(
            j,
            &cjm_core::scoring::MeasureInputs {
                stage_funnel: stage_funnel.as_ref(),
                conversion: conversion.as_ref(),
                survey: survey.as_ref(),
                log: Some(&self.log),
            },
        ))
    }

    /// The measured inputs of `journey.health`: reach and customers per touchpoint.
    #[wasm_bindgen(js_name = healthInputs, skip_typescript)]
    pub fn health_inputs(&self, journey: JsValue) -> Result<JsValue, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        let j = self.journey(passed.as_ref(), "healthInputs")?;
        let traffic = self.log.traffic(j);
        to_js_value(&MeasuredHealthInputs {
            reach: cjm_core::scoring::MeasuredReach::from_traffic(&traffic),
            traffic: traffic.touchpoint_customers(),
        })
    }
}
