//! A funnel over an event log given as CSV, printed as JSON.
//!
//! `cargo run -q --release -p cjm-core --example funnel -- events.csv step1 step2 …`
//!
//! The CSV has the columns `customer`, `timestamp` (ISO-8601 with `Z` or an offset) and
//! `event`; the steps are event names; the funnel has default options (so the oracle
//! tests check the defaults). Errors are printed as `{"error": {"code", "row",
//! "message"}}` with exit status 1.

use cjm_core::events::{
    read_csv, ColumnMapping, EventLogBuilder, Funnel, IngestOptions, TimestampFormat,
};

fn run() -> Result<String, serde_json::Value> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, steps)) = args.split_first() else {
        return Err(
            serde_json::json!({"error": {"code": "invalid_input", "row": null,
            "message": "usage: funnel events.csv step1 step2 …"}}),
        );
    };
    let file = std::fs::File::open(path).map_err(|e| {
        serde_json::json!({"error": {"code": "invalid_input", "row": null,
            "message": format!("cannot read `{path}`: {e}")}})
    })?;
    let mapping = ColumnMapping {
        customer: vec!["customer".to_owned()],
        timestamp: "timestamp".to_owned(),
        timestamp_format: TimestampFormat::Iso8601 { assume_utc: false },
        event: "event".to_owned(),
        channel: None,
        session: None,
        value: None,
        consent: None,
    };
    let as_json = |e: cjm_core::Error| serde_json::json!({"error": {"code": e.code(), "row": e.row(), "message": e.to_string()}});
    let (log, _) = read_csv(
        file,
        &mapping,
        EventLogBuilder::new(IngestOptions::default()),
    )
    .map_err(as_json)?;
    let result = Funnel::events(steps).run(&log, None).map_err(as_json)?;
    Ok(serde_json::to_string_pretty(&result).unwrap_or_default())
}

fn main() {
    match run() {
        Ok(json) => println!("{json}"),
        Err(error) => {
            println!("{error}");
            std::process::exit(1);
        }
    }
}
