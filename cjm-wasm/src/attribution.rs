//! Multi-touch attribution (docs/attribution.md): `attribute` over an analyst's path
//! table, and `EventLog.paths` / `EventLog.attribute` over paths built from an event log.
//!
//! Every model runs in the core (`cjm_core::attribution::attribute`); results cross as
//! plain objects: per channel, per model column, the credited conversions, value and
//! share, and each model's definition and hash.

use cjm_core::attribution::{
    attribute as run, AttributionOptions, PathOptions, PathTable, PathsInput, TableOptions,
};
use wasm_bindgen::prelude::*;

use crate::args::{opt, plain, read_option, read_required, read_value, wrong_type, Js};
use crate::error::to_js_value;
use crate::events::EventLog;
use crate::tables::{tabled, with_tables};

/// Declarations of the attribution API (`types/attribution.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_ATTRIBUTION: &str = include_str!("../types/attribution.d.ts");

/// `paths` as the core reads them (`PathsInput`: an array of rows or a `{rows}` table).
fn read_paths(paths: JsValue, table_options: JsValue) -> Result<PathTable, JsValue> {
    let table_options: Option<TableOptions> = read_option(table_options, "tableOptions")?;
    let shaped = js_sys::Array::is_array(&paths) || plain(&paths);
    let input: Option<PathsInput> = if shaped {
        read_value(paths.clone(), "paths")?
    } else {
        None
    };
    let want = "an array of `{path, conversions, value, nulls}` rows or a `{rows}` path table";
    let input = input.ok_or_else(|| wrong_type("paths", want, &paths))?;
    input.table(table_options.as_ref()).js()
}

fn read_path_options(options: JsValue, what: &str) -> Result<PathOptions, JsValue> {
    let shape = "{conversion_events, touch?, lookback_seconds?, collapse_repeats?, keep_times?}";
    read_required(options, what, shape)
}

exports! {
    // `paths`: `{path, conversions, value, nulls}` rows or a `{rows}` table (`log.paths()`).
    "attribute" fn attribute(paths, options, table_options) -> JsValue {
        let table = read_paths(paths, table_options)?;
        let options: AttributionOptions = opt(options, "options")?;
        tabled(run(&table, &options))
    }
}

exports! { EventLog {
    "paths" fn paths(self, options, journey) -> JsValue {
        let options = read_path_options(options, "options")?;
        to_js_value(&self.with_journey(journey, |log, j| PathTable::from_log(log, j, &options))?)
    }
    // `attribute_log`: the definition covers the path options too.
    "attribute" fn attribute_paths(self, path_options, options, journey) -> JsValue {
        let path_options = read_path_options(path_options, "pathOptions")?;
        let options: AttributionOptions = opt(options, "options")?;
        with_tables(self.with_journey(journey, |log, j| {
            cjm_core::attribution::attribute_log(log, j, &path_options, &options)
        })?)
    }
}}
