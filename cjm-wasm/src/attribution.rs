//! Multi-touch attribution (docs/attribution.md): `attribute` over an analyst's path
//! table, and `EventLog.paths` / `EventLog.attribute` over paths built from an event log.
//!
//! Every model runs in the core (`cjm_core::attribution::attribute`); results cross as
//! plain objects: per channel, per model column, the credited conversions, value and
//! share, and each model's definition and hash.

use cjm_core::attribution::{
    attribute as run, AttributionOptions, PathInput, PathOptions, PathRowInput, PathTable,
    TableOptions,
};
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::args::{absent, get, input_error, opt, read_option, read_required, read_value, Js};
use crate::error::to_js_value;
use crate::events::EventLog;
use crate::tables::tabled;

/// Declarations of the attribution API (optional parameters with custom types;
/// `types/attribution.d.ts`).
#[wasm_bindgen(typescript_custom_section)]
const TS_ATTRIBUTION: &str = include_str!("../types/attribution.d.ts");

/// A path table as the core writes it (`paths()`), read back.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableIn {
    rows: Vec<PathRowInput>,
}

fn read_paths(paths: &JsValue, table_options: JsValue) -> Result<PathTable, JsValue> {
    let table_options: Option<TableOptions> = read_option(table_options, "tableOptions")?;
    if js_sys::Array::is_array(paths) {
        let rows: Vec<PathInput> = read_value(paths.clone(), "paths")?.unwrap_or_default();
        return PathTable::from_rows(&rows, &table_options.unwrap_or_default()).js();
    }
    if absent(paths) || absent(&get(paths, "rows")) {
        return Err(input_error(
            cjm_core::InputCode::WrongType,
            "`paths` must be an array of `{path, conversions, value, nulls}` rows or a \
             `{rows}` path table"
                .to_owned(),
        ));
    }
    if table_options.is_some() {
        return Err(input_error(
            cjm_core::InputCode::InvalidOption,
            "`tableOptions` apply to `{path, …}` rows, not to a `{rows}` path table".to_owned(),
        ));
    }
    let table: TableIn = read_value(paths.clone(), "paths")?
        .ok_or_else(|| input_error(cjm_core::InputCode::WrongType, "`paths` is null".to_owned()))?;
    PathTable::from_path_rows(table.rows).js()
}

fn read_path_options(options: JsValue, what: &str) -> Result<PathOptions, JsValue> {
    read_required(
        options,
        what,
        "{conversion_events, touch?, lookback_seconds?, collapse_repeats?, keep_times?}",
    )
}

/// Runs the attribution models on a path table: `paths` are `{path, conversions, value,
/// nulls}` rows or a `{rows}` table (as `EventLog.paths` returns); `options` the
/// `AttributionOptions`; `tableOptions` `{separator, collapse_repeats}` for rows.
///
/// @throws {CjmError} the core's row errors (with `row`) and `invalid_option`.
#[wasm_bindgen(skip_typescript)]
pub fn attribute(
    paths: JsValue,
    options: JsValue,
    table_options: JsValue,
) -> Result<JsValue, JsValue> {
    let table = read_paths(&paths, table_options)?;
    let options: AttributionOptions = opt(options, "options")?;
    tabled(run(&table, &options))
}

#[wasm_bindgen]
impl EventLog {
    /// The paths of every customer of the log (`PathTable::from_log`).
    #[wasm_bindgen(skip_typescript)]
    pub fn paths(&self, options: JsValue, journey: JsValue) -> Result<JsValue, JsValue> {
        let options = read_path_options(options, "options")?;
        let table = self.with_journey(journey, |log, j| {
            cjm_core::attribution::PathTable::from_log(log, j, &options)
        })?;
        to_js_value(&table)
    }

    /// Attribution over the paths of the log.
    #[wasm_bindgen(js_name = attribute, skip_typescript)]
    pub fn attribute_paths(
        &self,
        path_options: JsValue,
        options: JsValue,
        journey: JsValue,
    ) -> Result<JsValue, JsValue> {
        let path_options = read_path_options(path_options, "pathOptions")?;
        let options: AttributionOptions = opt(options, "options")?;
        // `attribute_log`: the definition covers the path options too.
        let result = self.with_journey(journey, |log, j| {
            cjm_core::attribution::attribute_log(log, j, &path_options, &options)
        })?;
        crate::tables::with_tables(result)
    }
}
