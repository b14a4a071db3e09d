//! Runs the hand-worked event-analytics vectors in `tests/vectors/events/`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    DirectlyFollowsOptions, EventLog, FilterOptions, Funnel, FunnelTrendsOptions, IngestOptions,
    RawEvent, RetentionOptions, SampleOptions, SessionOptions, TimeUnit, TimeValue, TrendsOptions,
    VariantOptions,
};
use cjm_core::tables::Tabular;
use serde_json::Value;

mod common;

fn vectors() -> Vec<(String, Value)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/events");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `expected` must be a subset of `actual`: objects by key, arrays element-wise with equal
/// length, numbers within 1e-9.
fn check_subset(expected: &Value, actual: &Value, path: &str) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a
                    .get(k)
                    .unwrap_or_else(|| panic!("{path}.{k}: missing in {actual}"));
                check_subset(v, got, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: length differs: {actual}");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                check_subset(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            assert!((e - a).abs() < 1e-9, "{path}: expected {e}, got {a}");
        }
        _ => assert_eq!(expected, actual, "{path}"),
    }
}

fn log_of(v: &Value) -> EventLog {
    log_of_rows(v, v["events"].as_array().unwrap())
}

fn log_of_rows(v: &Value, rows: &[Value]) -> EventLog {
    let unit: TimeUnit = serde_json::from_value(v["time_unit"].clone()).unwrap();
    let rows: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|r| {
            let r = r.as_array().unwrap();
            RawEvent {
                customer: r[0].as_str(),
                timestamp: r[1].as_i64().map_or(TimeValue::Missing, TimeValue::Ticks),
                event: r[2].as_str(),
                channel: r.get(3).and_then(Value::as_str),
                session: r.get(5).and_then(Value::as_str),
                value: r.get(4).and_then(Value::as_f64),
                consent: None,
                extra: &[],
                row: None,
            }
        })
        .collect();
    let options = IngestOptions {
        time_unit: unit,
        ..IngestOptions::default()
    };
    let (log, report) = EventLog::from_rows(rows, options).unwrap();
    assert_eq!(report.rejected_total, 0);
    log
}

fn run_case(kind: &str, log: &EventLog, case: &Value) -> Value {
    match kind {
        "funnel" => {
            let funnel: Funnel = serde_json::from_value(case["funnel"].clone()).unwrap();
            serde_json::to_value(funnel.run(log, None).unwrap()).unwrap()
        }
        "directly_follows" => {
            let o: DirectlyFollowsOptions =
                serde_json::from_value(case["options"].clone()).unwrap();
            serde_json::to_value(log.directly_follows(&o).unwrap()).unwrap()
        }
        "variants" => {
            let o: VariantOptions = serde_json::from_value(case["options"].clone()).unwrap();
            serde_json::to_value(log.variants(&o).unwrap()).unwrap()
        }
        "retention" => {
            let o: RetentionOptions = serde_json::from_value(case["options"].clone()).unwrap();
            serde_json::to_value(log.retention(&o).unwrap()).unwrap()
        }
        "log_operations" => {
            let out = if let Some(f) = case.get("filter") {
                let o: FilterOptions = serde_json::from_value(f.clone()).unwrap();
                log.filter(&o)
            } else if let Some(s) = case.get("sample") {
                let o: SampleOptions = serde_json::from_value(s.clone()).unwrap();
                log.sample(&o)
            } else {
                let o: SessionOptions = serde_json::from_value(case["sessionize"].clone()).unwrap();
                log.sessionize(&o)
            };
            let out = match out {
                Ok(out) => out,
                Err(e) => return serde_json::json!({ "error": e.code() }),
            };
            // Timestamps back in the vector's unit (log-operation vectors are in seconds).
            let events: Vec<Value> = out
                .iter()
                .map(|e| {
                    serde_json::json!([
                        e.customer.to_string(),
                        e.timestamp / 1_000_000_000,
                        e.event
                    ])
                })
                .collect();
            let sessions: Vec<Option<&str>> = out.iter().map(|e| e.session).collect();
            serde_json::json!({
                "customers": out.customers().to_strings(),
                "events": events,
                "sessions": sessions,
            })
        }
        // A case with a `funnel` is a funnel trend (its `options` are the periods').
        "trends" if case.get("funnel").is_some() => {
            let funnel: Funnel = serde_json::from_value(case["funnel"].clone()).unwrap();
            let o: FunnelTrendsOptions = serde_json::from_value(case["options"].clone()).unwrap();
            serde_json::to_value(funnel.trends(log, None, &o).unwrap()).unwrap()
        }
        "trends" => {
            let o: TrendsOptions = serde_json::from_value(case["options"].clone()).unwrap();
            serde_json::to_value(log.trends(&o).unwrap()).unwrap()
        }
        other => panic!("unknown vector kind {other}"),
    }
}

/// The vector's events in two logs of whole customers: customers in the order they first
/// appear, alternately in one part and the other.
fn customer_parts(v: &Value) -> [EventLog; 2] {
    let rows = v["events"].as_array().unwrap();
    let mut seen: Vec<&str> = Vec::new();
    for r in rows {
        let c = r[0].as_str().unwrap_or_default();
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    let part = |p: usize| -> Vec<Value> {
        rows.iter()
            .filter(|r| {
                let c = r[0].as_str().unwrap_or_default();
                seen.iter().position(|s| *s == c).unwrap() % 2 == p
            })
            .cloned()
            .collect()
    };
    [log_of_rows(v, &part(0)), log_of_rows(v, &part(1))]
}

/// The state request of a case (`cjm_core::states`), on the route asked: every case of a
/// funnel, directly-follows, variants, retention or trends vector (not funnel trends).
fn state_request(kind: &str, case: &Value, event_states: bool) -> Option<Value> {
    let mut request = match kind {
        "funnel" => {
            let mut r = case["funnel"].clone();
            r["analysis"] = "funnel".into();
            r
        }
        "directly_follows" | "variants" | "retention" => {
            serde_json::json!({"analysis": kind, "options": case["options"]})
        }
        "trends" if case.get("funnel").is_none() => {
            serde_json::json!({"analysis": "trends", "options": case["options"]})
        }
        _ => return None,
    };
    if event_states {
        if !matches!(kind, "funnel" | "directly_follows" | "variants") {
            return None;
        }
        request["event_states"] = true.into();
    }
    if kind != "funnel" && case["options"]["unit"] == "session" {
        // States of paths count whole customers (`invalid_option` for sessions).
        return None;
    }
    Some(request)
}

/// The typed result of a case that checks `tables` (funnel, directly-follows, retention).
fn tabular(kind: &str, log: &EventLog, case: &Value) -> Box<dyn Tabular> {
    match kind {
        "funnel" => {
            let funnel: Funnel = serde_json::from_value(case["funnel"].clone()).unwrap();
            Box::new(funnel.run(log, None).unwrap())
        }
        "directly_follows" => {
            let o: DirectlyFollowsOptions =
                serde_json::from_value(case["options"].clone()).unwrap();
            Box::new(log.directly_follows(&o).unwrap())
        }
        "retention" => {
            let o: RetentionOptions = serde_json::from_value(case["options"].clone()).unwrap();
            Box::new(log.retention(&o).unwrap())
        }
        other => panic!("no tables checked for {other}"),
    }
}

#[test]
fn event_vectors() {
    let all = vectors();
    assert!(all.len() >= 7, "vectors missing");
    let mut tabled = 0;
    let mut states_run = 0;
    for (name, v) in all {
        assert!(
            v["description"].as_str().is_some_and(|d| d.len() > 40),
            "{name}: needs a worked description"
        );
        let kind = v["kind"].as_str().unwrap();
        let log = log_of(&v);
        for (i, case) in v["cases"].as_array().unwrap().iter().enumerate() {
            let actual = run_case(kind, &log, case);
            if let Some(code) = case.get("error") {
                assert_eq!(actual["error"], *code, "{name}#{i}");
                continue;
            }
            check_subset(&case["expected"], &actual, &format!("{name}#{i}"));
            // The same case run in two parts of whole customers, through state bytes.
            for event_states in [false, true] {
                let Some(request) = state_request(kind, case, event_states) else {
                    continue;
                };
                let request: cjm_core::states::StateRequest =
                    serde_json::from_value(request).unwrap();
                let at = format!("{name}#{i} in parts ({request:?})");
                let parts = customer_parts(&v);
                let states: Vec<Vec<u8>> = parts
                    .iter()
                    .map(|p| cjm_core::states::build_state(&request, p, None))
                    .collect::<Result<_, _>>()
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                let slices: Vec<&[u8]> = states.iter().map(Vec::as_slice).collect();
                let merged = cjm_core::states::merge_states(&slices).unwrap();
                let finished = cjm_core::states::finish_state(&request, &merged, None)
                    .unwrap_or_else(|e| panic!("{at}: {e}"));
                check_subset(
                    &case["expected"],
                    &serde_json::to_value(finished).unwrap(),
                    &at,
                );
                states_run += 1;
            }
            if let Some(tables) = case.get("tables") {
                let at = format!("{name}#{i}");
                common::check_tables(tabular(kind, &log, case).as_ref(), tables, &at);
                tabled += 1;
            }
        }
    }
    assert!(tabled >= 3, "table vectors missing");
    assert!(states_run >= 40, "{states_run} cases in parts");
}
