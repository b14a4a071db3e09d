//! Which columns hold what: the usual names found without naming them (exactly one per
//! field), presets whose optional columns are read when present, and the ingest report
//! saying which columns were read.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    read_csv_str, ColumnChoice, ColumnMapping, ColumnNames, EventLogBuilder, IngestOptions, Preset,
    TimeUnit, TimestampFormat, USUAL_CUSTOMER_COLUMNS, USUAL_EVENT_COLUMNS,
    USUAL_TIMESTAMP_COLUMNS,
};

fn builder() -> EventLogBuilder {
    EventLogBuilder::new(IngestOptions::default())
}

fn mapping(customer: &str, timestamp: &str, event: &str) -> ColumnMapping {
    ColumnMapping {
        customer: vec![customer.to_owned()],
        timestamp: timestamp.to_owned(),
        timestamp_format: TimestampFormat::Iso8601 { assume_utc: false },
        event: event.to_owned(),
        channel: None,
        session: None,
        value: None,
        consent: None,
    }
}

fn assert_words(err: &cjm_core::Error, code: &str, words: &[&str]) {
    assert_eq!(err.code(), code, "{err}");
    let text = err.to_string();
    for w in words {
        assert!(text.contains(w), "`{w}` not in: {text}");
    }
}

#[test]
fn usual_names_are_taken_without_naming_them() {
    let csv = "user_id,event_time,event_name,channel\n\
               u1,2024-03-01T10:00:00Z,catalog,email\n\
               u1,2024-03-01T10:05:00Z,purchase,email\n";
    let (log, report) = read_csv_str(csv, ColumnChoice::default(), builder()).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(report.rows_used, 2);
    // The report says which columns were read; optional columns are never guessed.
    assert_eq!(
        report.columns,
        Some(mapping("user_id", "event_time", "event_name"))
    );
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["columns"]["customer"], serde_json::json!(["user_id"]));
    assert_eq!(json["columns"]["timestamp"], "event_time");
    assert_eq!(json["columns"]["channel"], serde_json::Value::Null);
}

#[test]
fn every_usual_name_is_found() {
    for c in USUAL_CUSTOMER_COLUMNS {
        for t in USUAL_TIMESTAMP_COLUMNS {
            for e in USUAL_EVENT_COLUMNS {
                let header = [*c, *t, *e];
                let m = ColumnChoice::default().resolve(&header, false).unwrap();
                assert_eq!(m, mapping(c, t, e));
            }
        }
    }
    // The documented lists, in their documented order.
    assert_eq!(
        USUAL_CUSTOMER_COLUMNS,
        [
            "customer",
            "customer_id",
            "user_id",
            "userId",
            "user_pseudo_id",
            "distinct_id",
            "case:concept:name"
        ]
    );
    assert_eq!(
        USUAL_TIMESTAMP_COLUMNS,
        [
            "timestamp",
            "event_time",
            "time",
            "ts",
            "event_timestamp",
            "time:timestamp"
        ]
    );
    assert_eq!(
        USUAL_EVENT_COLUMNS,
        ["event", "event_name", "event_type", "concept:name"]
    );
}

#[test]
fn two_usual_names_are_ambiguous() {
    let csv = "customer_id,user_id,timestamp,event\nc1,u1,2024-03-01T10:00:00Z,a\n";
    let err = read_csv_str(csv, ColumnChoice::default(), builder()).unwrap_err();
    assert_words(
        &err,
        "ambiguous_column",
        &[
            "`customer_id`",
            "`user_id`",
            "customer=",
            "mapping.customer",
        ],
    );
    // Naming one of them settles it.
    let named = ColumnChoice::from(ColumnNames {
        customer: vec!["user_id".into()],
        ..ColumnNames::default()
    });
    let (_, report) = read_csv_str(csv, named, builder()).unwrap();
    assert_eq!(report.columns.unwrap().customer, vec!["user_id"]);

    let both_times = ["customer", "time", "ts", "event"];
    let err = ColumnChoice::default()
        .resolve(&both_times, false)
        .unwrap_err();
    assert_words(&err, "ambiguous_column", &["`time`", "`ts`", "timestamp="]);
    // Names are compared exactly: `Event` is not `event`.
    let cased = ["customer", "timestamp", "Event"];
    let err = ColumnChoice::default().resolve(&cased, false).unwrap_err();
    assert_eq!(err.code(), "missing_column");
}

#[test]
fn no_usual_name_lists_the_accepted_names_and_the_columns() {
    let csv = "id,when,what\n1,2024-03-01T10:00:00Z,a\n";
    let err = read_csv_str(csv, ColumnChoice::default(), builder()).unwrap_err();
    assert_words(
        &err,
        "missing_column",
        &[
            "customer id",
            "`customer`",
            "`customer_id`",
            "`user_id`",
            "`id`, `when`, `what`",
            "customer=",
            "preset",
        ],
    );
    // With the customer named, the next field missing is the timestamp.
    let choice = ColumnChoice::from(ColumnNames {
        customer: vec!["id".into()],
        ..ColumnNames::default()
    });
    let err = read_csv_str(csv, choice, builder()).unwrap_err();
    assert_words(
        &err,
        "missing_column",
        &["timestamp", "`event_time`", "timestamp="],
    );
    // Named columns are taken as they are, the others found by their usual names.
    let choice = ColumnChoice::from(ColumnNames {
        customer: vec!["id".into()],
        timestamp: Some("when".into()),
        event: Some("what".into()),
        ..ColumnNames::default()
    });
    let (log, report) = read_csv_str(csv, choice, builder()).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(report.columns, Some(mapping("id", "when", "what")));
}

#[test]
fn a_named_column_must_be_there() {
    let csv = "customer,timestamp,event\nc,2024-03-01T10:00:00Z,a\n";
    let choice = ColumnChoice::from(ColumnNames {
        channel: Some("medium".into()),
        ..ColumnNames::default()
    });
    let err = read_csv_str(csv, choice, builder()).unwrap_err();
    assert_words(
        &err,
        "missing_column",
        &["`medium`", "`customer`, `timestamp`, `event`"],
    );
    // A complete mapping reads as before, and is what the report shows.
    let m = mapping("customer", "timestamp", "event");
    let (_, report) = read_csv_str(csv, &m, builder()).unwrap();
    assert_eq!(report.columns, Some(m));
    // Many columns: the message lists a few and counts the others.
    let wide: Vec<String> = (0..100).map(|i| format!("c{i}")).collect();
    let err = ColumnChoice::default().resolve(&wide, false).unwrap_err();
    assert_words(&err, "missing_column", &["`c0`", "and 70 more"]);
}

#[test]
fn assume_utc_is_part_of_the_resolved_format() {
    let header = ["customer", "timestamp", "event"];
    let m = ColumnChoice::default().resolve(&header, true).unwrap();
    assert_eq!(
        m.timestamp_format,
        TimestampFormat::Iso8601 { assume_utc: true }
    );
    let integer = ColumnChoice::from(ColumnNames {
        timestamp_format: Some(TimestampFormat::Integer {
            unit: TimeUnit::Seconds,
        }),
        ..ColumnNames::default()
    });
    assert_eq!(
        integer.resolve(&header, true).unwrap().timestamp_format,
        TimestampFormat::Integer {
            unit: TimeUnit::Seconds
        }
    );
}

#[test]
fn presets_read_their_optional_columns_when_present() {
    // A GA4 export without value or traffic source columns still reads.
    let bare = "user_pseudo_id,event_name,event_timestamp\nu1,page_view,1700000000000000\n";
    let (log, report) = read_csv_str(bare, Preset::Ga4, builder()).unwrap();
    assert_eq!(log.len(), 1);
    let columns = report.columns.unwrap();
    assert_eq!(columns.customer, vec!["user_pseudo_id"]);
    assert_eq!(columns.channel, None);
    assert_eq!(columns.value, None);
    // The names given win over the preset's.
    let choice = ColumnChoice {
        preset: Some(Preset::Ga4),
        names: ColumnNames {
            channel: Some("medium".into()),
            ..ColumnNames::default()
        },
    };
    let with_medium =
        "user_pseudo_id,event_name,event_timestamp,medium\nu1,page_view,1700000000000000,cpc\n";
    let (log, _) = read_csv_str(with_medium, choice, builder()).unwrap();
    assert_eq!(log.get(0).unwrap().channel, Some("cpc"));
    // A required column of the preset missing: the message names the preset.
    let err = read_csv_str("a,b\n1,2\n", Preset::Ga4, builder()).unwrap_err();
    assert_words(
        &err,
        "missing_column",
        &["`user_pseudo_id`", "`ga4` preset", "`a`, `b`", "customer="],
    );
}

#[test]
fn candidate_columns_cover_what_may_be_read() {
    let all = ColumnChoice::default().candidate_columns();
    for name in USUAL_CUSTOMER_COLUMNS
        .iter()
        .chain(USUAL_TIMESTAMP_COLUMNS)
        .chain(USUAL_EVENT_COLUMNS)
    {
        assert!(all.iter().any(|c| c == name), "{name}");
    }
    let ga4 = ColumnChoice::from(Preset::Ga4).candidate_columns();
    assert_eq!(
        ga4,
        vec![
            "user_pseudo_id",
            "event_timestamp",
            "event_name",
            "collected_traffic_source.manual_medium",
            "event_value_in_usd"
        ]
    );
}

#[test]
fn preset_names() {
    for p in Preset::ALL {
        assert_eq!(Preset::from_name(p.name()).unwrap(), p);
        assert_eq!(
            serde_json::to_value(p).unwrap(),
            serde_json::json!(p.name())
        );
    }
    let err = Preset::from_name("gaa4").unwrap_err();
    assert_words(&err, "invalid_option", &["`gaa4`", "`ga4`", "`xes`"]);
}

#[test]
fn the_ga4_preset_reads_the_event_traffic_source_as_channel() {
    let csv = "user_pseudo_id,event_name,event_timestamp,event_value_in_usd,collected_traffic_source.manual_medium\n\
               u1,page_view,1709283600000000,,cpc\n\
               u1,purchase,1709283660000000,12.5,\n";
    let (log, report) = read_csv_str(csv, Preset::Ga4, builder()).unwrap();
    assert_eq!(log.get(0).unwrap().channel, Some("cpc"));
    assert_eq!(log.get(1).unwrap().channel, None);
    assert_eq!(log.get(1).unwrap().value, Some(12.5));
    let columns = report.columns.unwrap();
    assert_eq!(
        columns.channel.as_deref(),
        Some("collected_traffic_source.manual_medium")
    );
    assert_eq!(columns.value.as_deref(), Some("event_value_in_usd"));
    assert_eq!(
        Preset::Ga4.mapping().channel.as_deref(),
        Some("collected_traffic_source.manual_medium")
    );
}
