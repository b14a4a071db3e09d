//! Event logs (docs/events.md): the `EventLog` class, built from column arrays or CSV
//! text, and its analyses. Every method reads its arguments into the core's types, runs
//! the core and converts the result; the declarations and their documentation are in
//! `types/events.d.ts`.
//!
//! Columns may be plain arrays or typed arrays. Typed arrays are copied into Rust vectors
//! in one call each (`BigInt64Array.to_vec`, `Float64Array.to_vec`; other numeric typed
//! arrays through one `new Float64Array(view)`), never read element by element. String
//! columns are plain arrays (there is no typed array of strings). What the values mean
//! (what a cell may be, whole counts, lengths, which path a log is read by) is the core's
//! `events::LooseColumns`.
//!
//! A log may keep the journey it was ingested with (`options.journey`); the analyses that
//! need a map use it when no journey is passed.

use std::borrow::Cow;

use cjm_core::events::{
    self as ev, Funnel, FunnelOptions, IngestReport, IngestSpec, LogOperation, LooseCell,
    LooseColumns, LooseIds, LooseTimes, MapLevel, RelabelOptions,
};
use cjm_core::render as draw;
use cjm_core::ValidJourney;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::args::{absent, check_keys, get, input_error, opt, read_required};
use crate::args::{wrong_type, Js};
use crate::error::to_js_value;
use crate::tables::{tabled, with_tables};

/// Declarations of the event-log API (`types/events.d.ts`).
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

/// Shows warnings of an ingest report (`no_rows_used`…) with `console.warn`.
fn warn(warnings: &[cjm_core::events::IngestWarning]) {
    for w in warnings {
        console_warn(&format!("cjm [{}]: {}", w.code, w.message));
    }
}

const COLUMN_KEYS: &[&str] = &[
    "customer",
    "timestamp",
    "event",
    "channel",
    "session",
    "value",
];

/// Reads the options object as the core's ingest spec, and the journey in it (`journey`
/// is not a spec field: it may be a `Journey` instance).
fn read_spec(options: &JsValue) -> Result<(IngestSpec, Option<ValidJourney>), JsValue> {
    let (journey, rest) = crate::args::split_off(options, "journey", "options")?;
    // The journey's errors before the spec's.
    let journey = arg_journey(journey, "options.journey")?;
    Ok((opt(rest, "options")?, journey))
}

/// A numeric typed array other than the BigInt ones, copied in one call.
fn numeric_view(value: &JsValue) -> Option<Vec<f64>> {
    if let Some(a) = value.dyn_ref::<js_sys::Float64Array>() {
        return Some(a.to_vec());
    }
    let view = js_sys::ArrayBuffer::is_view(value)
        && !value.is_instance_of::<js_sys::DataView>()
        && !value.is_instance_of::<js_sys::BigInt64Array>()
        && !value.is_instance_of::<js_sys::BigUint64Array>();
    view.then(|| js_sys::Float64Array::new(value).to_vec())
}

/// The cells of column `name` as the core's readers take them (`LooseColumns::read_text`
/// …): each value only named for what it is. A plain array, or any array-like (a typed
/// array, `arguments`) as one; anything else is `wrong_type`.
fn column(value: &JsValue, name: &str) -> Result<impl Iterator<Item = LooseCell>, JsValue> {
    // A plain array is read in place; an array-like is copied into one (`Array.from`).
    let array = if js_sys::Array::is_array(value) {
        value.clone().unchecked_into::<js_sys::Array>()
    } else if value.is_object() && !get(value, "length").is_undefined() {
        js_sys::Array::from(value)
    } else {
        let want = "an array or a typed array";
        return Err(wrong_type(&format!("columns.{name}"), want, value));
    };
    Ok(array.into_iter().map(|item| {
        if let Some(s) = item.as_string() {
            LooseCell::Text(s)
        } else if absent(&item) {
            LooseCell::Missing
        } else if let Some(x) = item.as_f64() {
            LooseCell::Number(x)
        } else if item.is_bigint() {
            i64::try_from(js_sys::BigInt::from(item)).map_or(LooseCell::Other, LooseCell::Int)
        } else {
            LooseCell::Other
        }
    }))
}

fn string_column(value: &JsValue, name: &str) -> Result<Vec<Option<String>>, JsValue> {
    LooseColumns::read_text(column(value, name)?, name).js()
}

fn time_column(value: &JsValue) -> Result<LooseTimes, JsValue> {
    if let Some(a) = value.dyn_ref::<js_sys::BigInt64Array>() {
        return Ok(LooseTimes::Ticks(a.to_vec()));
    }
    match numeric_view(value) {
        Some(v) => Ok(LooseTimes::Numbers(v)),
        None => LooseColumns::read_times(column(value, "timestamp")?).js(),
    }
}

fn value_column(value: &JsValue) -> Result<Vec<Option<f64>>, JsValue> {
    match numeric_view(value) {
        Some(v) => Ok(v.into_iter().map(Some).collect()),
        None => LooseColumns::read_values(column(value, "value")?).js(),
    }
}

fn optional<T>(
    columns: &JsValue,
    key: &str,
    read: impl Fn(&JsValue) -> Result<T, JsValue>,
) -> Result<Option<T>, JsValue> {
    let value = get(columns, key);
    (!absent(&value)).then(|| read(&value)).transpose()
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

/// Funnel steps: the core's `StepSpec` list (a bare name is an event step; a null step is
/// `invalid_option` naming its index, as in Python).
fn read_steps(steps: &JsValue) -> Result<Vec<ev::StepSpec>, JsValue> {
    if !js_sys::Array::is_array(steps) {
        let want = "an array of event names or `{event}`, `{touchpoint}`, `{stage}` objects";
        return Err(wrong_type("steps", want, steps));
    }
    Ok(crate::args::read_value(steps.clone(), "steps")?.unwrap_or_default())
}

/// A journey passed to an analysis (`undefined`/`null`: none); see [`crate::journey_arg`].
fn arg_journey(value: JsValue, name: &str) -> Result<Option<ValidJourney>, JsValue> {
    (!absent(&value))
        .then(|| crate::journey_like(&value, name))
        .transpose()
}

impl EventLog {
    /// The journey passed (`undefined`/`null`: none), else the one of ingestion.
    fn map(&self, journey: JsValue) -> Result<Option<Cow<'_, ValidJourney>>, JsValue> {
        let passed = arg_journey(journey, "journey")?;
        Ok(passed
            .map(Cow::Owned)
            .or(self.journey.as_ref().map(Cow::Borrowed)))
    }

    /// [`Self::map`], which `what` needs.
    fn need(&self, journey: JsValue, what: &str) -> Result<Cow<'_, ValidJourney>, JsValue> {
        self.map(journey)?.ok_or_else(|| {
            let message =
                format!("`{what}` needs a journey: pass one, or give `journey` when ingesting");
            input_error(cjm_core::InputCode::InvalidOption, message)
        })
    }

    /// `f` on the log and the journey passed, else the one of ingestion (the paths and
    /// attribution of `paths` and `attribute`).
    pub(crate) fn with_journey<T>(
        &self,
        journey: JsValue,
        f: impl FnOnce(&ev::EventLog, Option<&ValidJourney>) -> cjm_core::Result<T>,
    ) -> Result<T, JsValue> {
        f(&self.log, self.map(journey)?.as_deref()).js()
    }

    fn run_trends(&self, options: JsValue) -> Result<ev::TrendsResult, JsValue> {
        self.log.trends(&opt(options, "options")?).js()
    }

    fn run_funnel_trends(
        &self,
        [steps, options, trends, journey]: [JsValue; 4],
    ) -> Result<ev::FunnelTrendsResult, JsValue> {
        let funnel = Funnel {
            steps: read_steps(&steps)?,
            options: opt(options, "options")?,
        };
        let trends = opt(trends, "trends")?;
        funnel
            .trends(&self.log, self.map(journey)?.as_deref(), &trends)
            .js()
    }

    fn run_stage_funnel(
        &self,
        j: &ValidJourney,
        options: JsValue,
    ) -> Result<ev::FunnelResult, JsValue> {
        let options: FunnelOptions = opt(options, "options")?;
        Funnel::from_stages(j)
            .with_options(options)
            .run(&self.log, Some(j))
            .js()
    }

    /// The log an operation makes, with its report and this log's journey; warns what the
    /// operation found (`empty_log` when it left no events).
    fn apply(&self, operation: &LogOperation) -> Result<Self, JsValue> {
        let (log, report) = operation.apply(&self.log, &self.report).js()?;
        warn(report.new_warnings(&self.report));
        let journey = self.journey.clone();
        Ok(Self {
            log,
            report,
            journey,
        })
    }

    /// A log by the map's stages or touchpoints (`byStage`, `byTouchpoint`).
    fn by_level(&self, journey: JsValue, level: MapLevel, what: &str) -> Result<Self, JsValue> {
        let j = self.need(journey, what)?;
        self.apply(&LogOperation::Relabel(RelabelOptions::from_journey(
            &j, level,
        )))
    }

    fn wrap(
        result: cjm_core::Result<(ev::EventLog, IngestReport)>,
        journey: Option<ValidJourney>,
    ) -> Result<Self, JsValue> {
        let (log, report) = result.js()?;
        warn(&report.warnings);
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
            return Err(wrong_type("options", "an object `{unit, ...}`", &options));
        }
        let (spec, journey) = read_spec(&options)?;
        spec.bare_columns_options().js()?;
        // A `BigInt64Array` of customer ids stays integers, as Arrow int64 ids do in Python.
        let customer = get(&columns, "customer");
        let columns = LooseColumns {
            customer: match customer.dyn_ref::<js_sys::BigInt64Array>() {
                Some(ids) => LooseIds::Ints(ids.to_vec()),
                None => LooseIds::Text(string_column(&customer, "customer")?),
            },
            event: string_column(&get(&columns, "event"), "event")?,
            timestamp: time_column(&get(&columns, "timestamp"))?,
            channel: optional(&columns, "channel", |v| string_column(v, "channel"))?,
            session: optional(&columns, "session", |v| string_column(v, "session"))?,
            value: optional(&columns, "value", value_column)?,
        };
        Self::wrap(columns.build(&spec, journey.as_ref()), journey)
    }

    /// Reads CSV text (or its UTF-8 bytes: `Uint8Array`, `ArrayBuffer`; gzip-compressed
    /// bytes are decompressed) with a header row; `options` (optional): the core's
    /// `IngestSpec` (`preset`, `mapping` or the columns one by one, `unit`, `extra`,
    /// `dedup`…) and `journey`. Columns nothing names are found by their usual names (the
    /// core's `ColumnChoice`).
    ///
    /// @throws {CjmError} `missing_column`, `ambiguous_column`, `invalid_csv` (with `row`),
    /// `invalid_option`, `naive_timestamp` (timestamps without offset and no `assume_utc`);
    /// in strict mode the first unusable row, and `no_rows_used` when no row is usable
    /// (otherwise a `console.warn` and the report's `warnings`).
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array | ArrayBuffer")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CsvLogOptions | null")] options: JsValue,
    ) -> Result<EventLog, JsValue> {
        let (spec, journey) = read_spec(&options)?;
        // The spec's errors before the text's, as in Python.
        let reader = spec.csv_reader(journey.as_ref()).js()?;
        let bytes = bytes_of(&text)?;
        Self::wrap(reader.read(bytes.as_slice()), journey)
    }

    /// Number of events in the log.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.log.len()
    }

    /// The ordered log as columns `fromColumns` reads with `{unit: 'nanoseconds'}`
    /// (`LogColumns`): one JavaScript string per distinct value, shared by its events.
    #[wasm_bindgen(js_name = toColumns, skip_typescript)]
    pub fn to_columns(&self) -> Result<JsValue, JsValue> {
        let x = self.log.export();
        let out = js_sys::Object::new();
        let set = |key: &str, value: JsValue| {
            js_sys::Reflect::set(&out, &JsValue::from_str(key), &value).map(|_| ())
        };
        let strings = |dict: &[String], codes: &[u32]| {
            let values: Vec<JsValue> = dict.iter().map(|s| JsValue::from_str(s)).collect();
            let at = |&c: &u32| values.get(c as usize).cloned().unwrap_or(JsValue::NULL);
            JsValue::from(codes.iter().map(at).collect::<js_sys::Array>())
        };
        set(
            "customer",
            match x.customers {
                ev::CustomerIds::Int(ids) => {
                    let id = |&c: &u32| ids.get(c as usize).copied().unwrap_or(0);
                    let per_event: Vec<i64> = x.customer.iter().map(id).collect();
                    js_sys::BigInt64Array::from(per_event.as_slice()).into()
                }
                ev::CustomerIds::Str(ids) => strings(ids, &x.customer),
            },
        )?;
        set(
            "timestamp",
            js_sys::BigInt64Array::from(x.timestamp_ns).into(),
        )?;
        set("event", strings(x.event.dict, x.event.codes))?;
        for (key, column) in [("channel", &x.channel), ("session", &x.session)] {
            if let Some(c) = column {
                set(key, strings(c.dict, c.codes))?;
            }
        }
        if let Some(values) = x.value {
            // Through JSON: a missing value (NaN) is written `null`.
            set("value", to_js_value(values)?)?;
        }
        Ok(out.into())
    }
}

exports! { EventLog {
    "ingestReport" fn ingest_report(self) -> JsValue { with_tables(self.report.clone()) }
    "traffic" fn traffic(self, journey) -> JsValue {
        with_tables(self.log.traffic(&*self.need(journey, "traffic")?))
    }
    "funnel" fn funnel(self, steps, options, journey) -> JsValue {
        let funnel = Funnel { steps: read_steps(&steps)?, options: opt(options, "options")? };
        tabled(funnel.run(&self.log, self.map(journey)?.as_deref()))
    }
    "stageFunnel" fn stage_funnel(self, journey, options) -> JsValue {
        with_tables(self.run_stage_funnel(&*self.need(journey, "stageFunnel")?, options)?)
    }
    "retention" fn retention(self, options) -> JsValue {
        tabled(self.log.retention(&opt(options, "options")?))
    }
    "retentionSvg" fn retention_svg(self, options, chart) -> String {
        let chart: draw::RetentionChartOptions = opt(chart, "chart")?;
        let result = self.log.retention(&opt(options, "options")?).js()?;
        Ok(draw::retention_heatmap_svg(&result, &chart))
    }
    "filter" fn filter(self, options) -> EventLog {
        let options = read_required(options, "options", "{events?, start?, …}")?;
        self.apply(&LogOperation::Filter(options))
    }
    "sample" fn sample(self, options) -> EventLog {
        let options = read_required(options, "options", "{fraction | count, seed?}")?;
        self.apply(&LogOperation::Sample(options))
    }
    "sessionize" fn sessionize(self, options) -> EventLog {
        self.apply(&LogOperation::Sessionize(opt(options, "options")?))
    }
    "relabel" fn relabel(self, options) -> EventLog {
        let options = read_required(options, "options", "{labels: {eventName: newName, …}}")?;
        self.apply(&LogOperation::Relabel(options))
    }
    "byStage" fn by_stage(self, journey) -> EventLog {
        self.by_level(journey, MapLevel::Stage, "byStage")
    }
    "byTouchpoint" fn by_touchpoint(self, journey) -> EventLog {
        self.by_level(journey, MapLevel::Touchpoint, "byTouchpoint")
    }
    "trends" fn trends(self, options) -> JsValue { with_tables(self.run_trends(options)?) }
    "funnelTrends" fn funnel_trends(self, steps, options, trends, journey) -> JsValue {
        with_tables(self.run_funnel_trends([steps, options, trends, journey])?)
    }
    "trendsSvg" fn trends_svg(self, options, chart) -> String {
        let chart: draw::TrendsChartOptions = opt(chart, "chart")?;
        draw::trends_svg(&self.run_trends(options)?, &chart).js()
    }
    "funnelTrendsSvg" fn funnel_trends_svg(self, steps, options, trends, chart, journey) -> String {
        let chart: draw::TrendsChartOptions = opt(chart, "chart")?;
        let result = self.run_funnel_trends([steps, options, trends, journey])?;
        draw::funnel_trends_svg(&result, &chart).js()
    }
    "directlyFollows" fn directly_follows(self, options) -> JsValue {
        tabled(self.log.directly_follows(&opt(options, "options")?))
    }
    "directlyFollowsSvg" fn directly_follows_svg(self, options) -> String {
        draw::directly_follows_svg(&self.log, &opt(options, "options")?).js()
    }
    // `k`: a number (the top k) or the options.
    "variants" fn variants(self, k) -> JsValue {
        let options = if k.as_f64().is_some() {
            let top_k = cjm_core::options_from(serde_wasm_bindgen::Deserializer::from(k), "k");
            ev::VariantOptions { top_k: top_k.js()?, ..ev::VariantOptions::default() }
        } else {
            opt(k, "options")?
        };
        tabled(self.log.variants(&options))
    }
    "flows" fn flows(self, options) -> JsValue { tabled(self.log.flows(&opt(options, "options")?)) }
    "journeyStates" fn journey_states(self, journey, options) -> JsValue {
        let j = self.need(journey, "journeyStates")?;
        tabled(self.log.journey_states(&j, &opt(options, "options")?))
    }
    "drivers" fn drivers(self, options, journey) -> JsValue {
        let shape = "{conversion, by_touchpoint?, min_support?}";
        let options = read_required(options, "options", shape)?;
        tabled(self.log.drivers(self.map(journey)?.as_deref(), &options))
    }
    "conformance" fn conformance(self, journey) -> JsValue {
        with_tables(self.log.conformance(&*self.need(journey, "conformance")?))
    }
    "stageFunnelSvg" fn stage_funnel_svg(self, journey, options, chart) -> String {
        let j = self.need(journey, "stageFunnelSvg")?;
        let chart: draw::ChartOptions = opt(chart, "chart")?;
        let result = self.run_stage_funnel(&j, options)?;
        Ok(draw::funnel_result_svg(&result, Some(&j), chart.title, chart.width))
    }
    "flowsSvg" fn flows_svg(self, options, chart) -> String {
        let chart: draw::ChartOptions = opt(chart, "chart")?;
        Ok(draw::flows_svg(&self.log.flows(&opt(options, "options")?).js()?, &chart))
    }
    "insightInputs" fn insight_inputs(self, journey, options) -> JsValue {
        let j = self.need(journey, "insightInputs")?;
        let funnel = self.run_stage_funnel(&j, options)?;
        let traffic = self.log.traffic(&j);
        to_js_value(&cjm_core::insights::InsightInputs::from_measures(&traffic, Some(&funnel)))
    }
    "measureKpis" fn measure_kpis(self, journey, inputs) -> JsValue {
        let j = self.need(journey, "measureKpis")?;
        let data: cjm_core::scoring::MeasureData = opt(inputs, "inputs")?;
        to_js_value(&cjm_core::scoring::measure_kpis(&j, &data.inputs(Some(&self.log))))
    }
    "healthInputs" fn health_inputs(self, journey) -> JsValue {
        let traffic = self.log.traffic(&*self.need(journey, "healthInputs")?);
        to_js_value(&cjm_core::maps::MapInputs::from_traffic(&traffic))
    }
}}
