//! A funnel from a Parquet event log, in Rust: the file → result path a service takes.
//!
//! `cargo run -q --release -p cjm-arrow --example parquet_funnel -- events.parquet view cart buy`
//!
//! The file's columns are found by their usual names (`customer`/`user_id`,
//! `timestamp`/`time`, `event`/`event_name`…); timestamps are an Arrow `timestamp` with a
//! zone, integers (milliseconds) or ISO-8601 text. Prints the ingest report's counts and
//! the funnel as JSON; an error is printed as `{"error": {"code", "message"}}` (code `null`
//! for a file that cannot be opened) with exit status 1.

use cjm_arrow::{Error, EventIngest};
use cjm_core::events::{Funnel, IngestSpec};

fn run() -> Result<serde_json::Value, Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, steps)) = args.split_first() else {
        return Err(Error::Core(cjm_core::Error::Input {
            code: cjm_core::InputCode::InvalidOption,
            row: None,
            message: "usage: parquet_funnel events.parquet step1 step2 …".to_owned(),
        }));
    };
    let spec = IngestSpec::default();
    // Decode only the columns the ingest may read.
    let wanted = spec.choice()?.candidate_columns();
    let wanted: Vec<&String> = wanted.iter().collect();
    let file = cjm_arrow::parquet_reader(path.as_ref(), Some(&wanted)).map_err(|e| match e {
        Error::Io(io) => Error::Io(std::io::Error::new(io.kind(), format!("`{path}`: {io}"))),
        e => e,
    })?;
    let ingest = EventIngest::new(&spec, &file.reader.schema(), &file.columns, None)?;
    let (log, report) = ingest.read(file.reader, |_rows| Ok(()))?;
    let funnel = Funnel::events(steps).run(&log, None)?;
    Ok(serde_json::json!({
        "rows_read": report.rows_read,
        "rows_used": report.rows_used,
        "customers": log.customers().len(),
        "funnel": funnel,
    }))
}

fn main() {
    match run() {
        Ok(out) => println!("{out:#}"),
        Err(e) => {
            // Only the core's errors have a stable code (docs/errors.md).
            let code = match &e {
                Error::Core(c) => Some(c.code()),
                _ => None,
            };
            println!(
                "{}",
                serde_json::json!({"error": {"code": code, "message": e.to_string()}})
            );
            std::process::exit(1);
        }
    }
}
