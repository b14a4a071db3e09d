//! Prints the native (host) results of every case of `tests/vectors/attribution/` as one
//! JSON object `{"file / case": Attribution}`, so the JavaScript tests can check that the
//! WebAssembly build gives exactly the same numbers as Rust.

use cjm_core::attribution::{attribute, AttributionOptions, PathInput, PathTable, TableOptions};
use serde_json::{Map, Value};
use std::path::PathBuf;

fn run() -> Result<Value, String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/attribution");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Map::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| e.to_string())?;
        let v: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let table_options: TableOptions = match v.get("table_options") {
            Some(t) => serde_json::from_value(t.clone()).map_err(|e| e.to_string())?,
            None => TableOptions::default(),
        };
        for case in v
            .get("cases")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let case_name = case.get("name").and_then(Value::as_str).unwrap_or_default();
            let paths = case.get("paths").or_else(|| v.get("paths")).cloned();
            let paths: Vec<PathInput> =
                serde_json::from_value(paths.unwrap_or(Value::Null)).map_err(|e| e.to_string())?;
            let options: AttributionOptions =
                serde_json::from_value(case.get("options").cloned().unwrap_or(Value::Null))
                    .map_err(|e| e.to_string())?;
            let table = PathTable::from_rows(&paths, &table_options).map_err(|e| e.to_string())?;
            let result = attribute(&table, &options).map_err(|e| e.to_string())?;
            out.insert(
                format!("{name} / {case_name}"),
                serde_json::to_value(result).map_err(|e| e.to_string())?,
            );
        }
    }
    Ok(Value::Object(out))
}

fn main() {
    match run().and_then(|v| serde_json::to_string(&v).map_err(|e| e.to_string())) {
        Ok(text) => println!("{text}"),
        Err(err) => {
            eprintln!("cannot run the attribution vectors: {err}");
            std::process::exit(1);
        }
    }
}
