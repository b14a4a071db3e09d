//! Multi-touch attribution of an aggregated path table, printed as JSON.
//!
//! `cargo run -q --release -p cjm-core --example attribute -- input.json`
//!
//! The input is a JSON object:
//!
//! ```json
//! {
//!   "paths": [{"path": "search > email", "conversions": 1, "value": 10, "nulls": 2}],
//!   "table_options": {"separator": ">", "collapse_repeats": false},
//!   "options": {"models": ["last", "markov"], "markov_order": 1}
//! }
//! ```
//!
//! `paths` rows accept the `channelattribution` column names too (`total_conversions`,
//! `total_conversion_value`, `total_null`); `table_options` and `options` may be left
//! out (defaults). Without an argument, a small built-in table is attributed. Errors
//! are printed as `{"error": {"code", "row", "message"}}` with exit status 1.

use cjm_core::attribution::{attribute, AttributionOptions, PathInput, PathTable, TableOptions};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Input {
    paths: Vec<PathInput>,
    #[serde(default)]
    table_options: TableOptions,
    #[serde(default)]
    options: AttributionOptions,
}

const BUILT_IN: &str = r#"{"paths": [
    {"path": "search > email > direct", "conversions": 2, "value": 120, "nulls": 3},
    {"path": "social > search", "conversions": 1, "value": 40, "nulls": 5},
    {"path": "direct", "conversions": 1, "value": 25, "nulls": 4},
    {"path": "display", "conversions": 0, "value": 0, "nulls": 6}
]}"#;

fn run() -> Result<String, String> {
    let text = match std::env::args().nth(1) {
        Some(path) => {
            std::fs::read_to_string(&path).map_err(|e| format!("cannot read `{path}`: {e}"))?
        }
        None => BUILT_IN.to_owned(),
    };
    let input: Input =
        serde_json::from_str(&text).map_err(|e| format!("invalid input JSON: {e}"))?;
    let result = PathTable::from_rows(&input.paths, &input.table_options)
        .and_then(|table| attribute(&table, &input.options));
    match result {
        Ok(r) => serde_json::to_string_pretty(&r).map_err(|e| e.to_string()),
        Err(e) => Err(serde_json::json!({
            "error": {"code": e.code(), "row": e.row(), "message": e.to_string()}
        })
        .to_string()),
    }
}

fn main() {
    match run() {
        Ok(json) => println!("{json}"),
        Err(message) => {
            if message.starts_with('{') {
                println!("{message}");
            } else {
                println!(
                    "{}",
                    serde_json::json!({"error": {"code": "invalid_input", "row": null, "message": message}})
                );
            }
            std::process::exit(1);
        }
    }
}
