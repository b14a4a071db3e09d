//! Smaller findings of the bad-input campaign (issue 14, items 9 and 10): the document
//! size limit as documented, every problem of an in-memory document reported even where a
//! value cannot be read, unsigned timestamps past `i64::MAX`, customer ids and event names
//! that are only white space or hold a NUL, and messages that quote no more than a short
//! excerpt of a value.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::events::columns::{
    Bitmap, ColumnBatch, I64Col, IdCol, Keys, StrArray, StrCol, TimeCol, U64Col, Utf8,
};
use cjm_core::events::{
    read_csv_str, ColumnMapping, Columns, EventLog, EventLogBuilder, IngestOptions, IngestReport,
    RawEvent, TimeUnit, TimestampFormat,
};
use cjm_core::{Limits, Loader};
use serde_json::json;

fn codes(err: &cjm_core::Error) -> Vec<(&str, &str)> {
    err.problems()
        .iter()
        .map(|p| (p.code.as_str(), p.path.as_str()))
        .collect()
}

fn rejected(report: &IngestReport) -> Vec<(&'static str, u64, u64)> {
    report
        .rejected
        .iter()
        .map(|r| (r.reason.code(), r.count, r.first_row))
        .collect()
}

// ---- 9a: the size limit is the length of the text ----------------------------------

/// A valid document whose `extensions` hold `arrays` arrays of `items` zeros, compact.
fn zeros_document(arrays: usize, items: usize) -> String {
    let zeros = format!("[{}0]", "0,".repeat(items - 1));
    let fields: Vec<String> = (0..arrays).map(|i| format!("\"a{i}\":{zeros}")).collect();
    format!(
        r#"{{"schema_version":1,"id":"x","name":"n","extensions":{{{}}}}}"#,
        fields.join(",")
    )
}

#[test]
fn compact_text_under_the_limit_loads() {
    // 49 000 one-digit numbers: 98 000 bytes of text, under a limit of 100 000 bytes,
    // though 8 bytes a value would estimate 392 000.
    let limits = Limits {
        max_bytes: 100_000,
        ..Limits::default()
    };
    let text = zeros_document(1, 49_000);
    assert!(text.len() < 100_000, "{}", text.len());
    assert!(Loader::new().limits(limits).load_str(&text).is_ok());
    // One byte over the limit is refused, measured on the text.
    let over = format!("{text}{}", " ".repeat(100_001 - text.len()));
    assert_eq!(over.len(), 100_001);
    let err = Loader::new().limits(limits).load_str(&over).unwrap_err();
    assert_eq!(codes(&err), vec![("document_too_large", "")]);
}

#[test]
fn sixteen_mebibytes_of_compact_text_with_the_default_limits() {
    // 83 arrays of 100 000 zeros (each exactly the item limit): 16.6 MB of text, under
    // 16 MiB = 16 777 216 bytes. The estimate used to stop it near 12.45 MB.
    let text = zeros_document(83, 100_000);
    assert!(text.len() > 16_000_000 && text.len() < 16 * 1024 * 1024);
    assert!(cjm_core::load_str(&text).is_ok());
    let over = format!("{text}{}", " ".repeat(16 * 1024 * 1024 + 1 - text.len()));
    let err = cjm_core::load_str(&over).unwrap_err();
    assert_eq!(codes(&err), vec![("document_too_large", "")]);
}

#[test]
fn an_array_of_exactly_the_item_limit_is_allowed() {
    let limits = Limits {
        max_items: 10,
        ..Limits::default()
    };
    let loader = Loader::new().limits(limits);
    let ten =
        json!({"schema_version": 1, "id": "x", "name": "n", "extensions": {"l": vec![1; 10]}});
    assert!(loader.load_str(&ten.to_string()).is_ok());
    assert!(loader.load_from(ten).is_ok());
    let eleven =
        json!({"schema_version": 1, "id": "x", "name": "n", "extensions": {"l": vec![1; 11]}});
    let err = loader.load_from(eleven).unwrap_err();
    assert_eq!(codes(&err), vec![("too_many_items", "extensions.l")]);
}

// ---- 9b: a value that cannot be read does not hide the other problems --------------

/// A self-describing tree in memory, with leaves that fail to read (as a Python
/// `Decimal` does) and keys that are not strings.
#[derive(Debug, Clone)]
enum Tok {
    U(u64),
    S(String),
    Bad(&'static str),
    Seq(Vec<Tok>),
    Map(Vec<(Tok, Tok)>),
}

struct TokDe(Tok);

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for Tok {
    type Deserializer = TokDe;
    fn into_deserializer(self) -> TokDe {
        TokDe(self)
    }
}

impl<'de> serde::Deserializer<'de> for TokDe {
    type Error = serde::de::value::Error;
    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Tok::U(u) => v.visit_u64(u),
            Tok::S(s) => v.visit_string(s),
            Tok::Bad(why) => Err(serde::de::Error::custom(why)),
            Tok::Seq(items) => {
                v.visit_seq(serde::de::value::SeqDeserializer::new(items.into_iter()))
            }
            Tok::Map(entries) => {
                v.visit_map(serde::de::value::MapDeserializer::new(entries.into_iter()))
            }
        }
    }
    serde::forward_to_deserialize_any! { bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any }
}

fn s(v: &str) -> Tok {
    Tok::S(v.to_owned())
}

fn broken_document() -> Tok {
    Tok::Map(vec![
        (s("schema_version"), Tok::U(1)),
        (s("id"), s("x")),
        (s("name"), s(" ")),
        (
            s("stages"),
            Tok::Seq(vec![Tok::Map(vec![
                (s("id"), Tok::Bad("unsupported Python type `Decimal`")),
                (s("name"), s("S")),
            ])]),
        ),
        (
            s("extensions"),
            Tok::Map(vec![
                (s("big"), Tok::Bad("an integer of 401 digits")),
                (Tok::U(7), s("integer key")),
                (
                    s("list"),
                    Tok::Seq(vec![Tok::U(1), Tok::Bad("a lone surrogate")]),
                ),
                (s("fine"), Tok::U(2)),
            ]),
        ),
        (s("chanel"), s("typo")),
    ])
}

#[test]
fn a_tree_source_reports_every_problem_past_unreadable_values() {
    let err = cjm_core::load_tree(TokDe(broken_document())).unwrap_err();
    assert_eq!(
        codes(&err),
        vec![
            ("wrong_type", "stages[0].id"),
            ("wrong_type", "extensions.big"),
            ("wrong_type", "extensions"),
            ("wrong_type", "extensions.list[1]"),
            ("unknown_field", "chanel"),
            ("empty_text", "name"),
        ]
    );
    let messages: Vec<&str> = err.problems().iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages[0], "unsupported Python type `Decimal`");
    assert_eq!(
        messages[2],
        "object keys must be strings, found the integer `7`"
    );
    // `load_from` stops at the first value it cannot read, as documented.
    let err = cjm_core::load_from(TokDe(broken_document())).unwrap_err();
    assert_eq!(codes(&err), vec![("wrong_type", "stages[0].id")]);
}

#[test]
fn a_tree_source_still_stops_at_a_limit() {
    let limits = Limits {
        max_items: 2,
        ..Limits::default()
    };
    let doc = Tok::Map(vec![
        (s("schema_version"), Tok::U(1)),
        (
            s("extensions"),
            Tok::Map(vec![(
                s("l"),
                Tok::Seq(vec![Tok::Bad("x"), Tok::U(1), Tok::Bad("y")]),
            )]),
        ),
    ]);
    let err = Loader::new()
        .limits(limits)
        .load_tree(TokDe(doc))
        .unwrap_err();
    assert_eq!(codes(&err), vec![("too_many_items", "extensions.l")]);
}

// ---- 9c: unsigned timestamps past i64::MAX are out of range, not missing -------------

#[test]
fn unsigned_ticks_past_i64_max_are_invalid_timestamps() {
    let customers = [Some("a"), Some("b"), Some("c"), Some("d")];
    let ticks = [u64::MAX, 1u64 << 63, 1_700_000_000_000, 0];
    // Row 3 is null.
    let valid = [0b0111u8];
    let events = [Some("x"), Some("x"), Some("y"), Some("z")];
    let batch = ColumnBatch {
        customer: vec![IdCol::Str(StrCol::strs(&customers))],
        timestamp: TimeCol::UnsignedTicks {
            values: U64Col {
                values: &ticks,
                validity: Some(Bitmap {
                    bits: &valid,
                    offset: 0,
                }),
            },
            unit: TimeUnit::Milliseconds,
        },
        event: StrCol::strs(&events),
        channel: None,
        session: None,
        value: None,
        consent: None,
        extra: Vec::new(),
        row: None,
    };
    let mut b = EventLogBuilder::new(IngestOptions::default());
    b.push_batch(&batch).unwrap();
    let (log, report) = b.finish();
    assert_eq!(
        rejected(&report),
        vec![("missing_timestamp", 1, 3), ("invalid_timestamp", 2, 0)]
    );
    assert_eq!(log.len(), 1);
    assert_eq!(log.event_names(), ["y"]);
}

// ---- 9d: ids and names of only white space, or with a NUL, are rejected rows --------

/// Rows 1–4 have an unusable customer or event name; rows 0 and 5 are fine.
const CUSTOMERS: [&str; 6] = ["u1", " \t", "u\0x", "u1", "u2", "u2"];
const EVENTS: [&str; 6] = ["view", "view", "view", "\u{a0} ", "bu\0y", "buy"];

fn expect_unusable_rejected(log: &EventLog, report: &IngestReport) {
    assert_eq!(
        rejected(report),
        vec![("invalid_customer", 2, 1), ("invalid_event", 2, 3)],
        "{report:?}"
    );
    assert_eq!(report.rows_used, 2);
    assert_eq!(log.event_names(), ["buy", "view"]);
    assert_eq!(log.customers().to_strings(), ["u1", "u2"]);
}

#[test]
fn unusable_ids_and_names_through_rows() {
    let rows = (0..6).map(|i| RawEvent::new(CUSTOMERS[i], i as i64, EVENTS[i]));
    let (log, report) = EventLog::from_rows(rows, IngestOptions::default()).unwrap();
    expect_unusable_rejected(&log, &report);
}

#[test]
fn unusable_ids_and_names_through_csv() {
    let mut csv = "c,t,e\n".to_owned();
    for i in 0..6 {
        csv.push_str(&format!("\"{}\",{i},\"{}\"\n", CUSTOMERS[i], EVENTS[i]));
    }
    let mapping = ColumnMapping {
        customer: vec!["c".into()],
        timestamp: "t".into(),
        timestamp_format: TimestampFormat::Integer {
            unit: TimeUnit::Milliseconds,
        },
        event: "e".into(),
        channel: None,
        session: None,
        value: None,
        consent: None,
    };
    let (log, report) = read_csv_str(
        &csv,
        &mapping,
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    expect_unusable_rejected(&log, &report);
}

#[test]
fn unusable_ids_and_names_through_plain_columns() {
    let customers = CUSTOMERS.map(Some);
    let events = EVENTS.map(Some);
    let ts = [0, 1, 2, 3, 4, 5].map(Some);
    let cols = Columns {
        customer: &customers,
        timestamp: &ts,
        event: &events,
        ..Columns::default()
    };
    let (log, report) =
        EventLog::from_columns(&cols, EventLogBuilder::new(IngestOptions::default())).unwrap();
    expect_unusable_rejected(&log, &report);
}

/// Offsets and bytes of an Arrow string array of `values`.
fn arrow_strings(values: &[&str]) -> (Vec<i32>, Vec<u8>) {
    let mut offsets = vec![0i32];
    let mut data = Vec::new();
    for v in values {
        data.extend_from_slice(v.as_bytes());
        offsets.push(i32::try_from(data.len()).unwrap());
    }
    (offsets, data)
}

#[test]
fn unusable_ids_and_names_through_dictionary_columns() {
    // Dictionaries with one unused value each (never checked against a row), keys per row.
    let (c_off, c_data) = arrow_strings(&["u1", " \t", "u\0x", "u2", "\0unused"]);
    let c_keys = [0i32, 1, 2, 0, 3, 3];
    let (e_off, e_data) = arrow_strings(&["view", "\u{a0} ", "bu\0y", "buy", " unused "]);
    let e_keys = [0u8, 0, 0, 1, 2, 3];
    let dict = |keys, offsets: &'static [i32], data: &'static [u8]| StrCol::Dict {
        keys,
        validity: None,
        values: StrArray {
            values: Utf8::Offsets32 { offsets, data },
            validity: None,
        },
    };
    let c_off: &'static [i32] = c_off.leak();
    let c_data: &'static [u8] = c_data.leak();
    let e_off: &'static [i32] = e_off.leak();
    let e_data: &'static [u8] = e_data.leak();
    let ts = [0i64, 1, 2, 3, 4, 5];
    let batch = ColumnBatch {
        customer: vec![IdCol::Str(dict(Keys::I32(&c_keys), c_off, c_data))],
        timestamp: TimeCol::Ticks {
            values: I64Col {
                values: &ts,
                validity: None,
            },
            unit: TimeUnit::Milliseconds,
        },
        event: dict(Keys::U8(&e_keys), e_off, e_data),
        channel: None,
        session: None,
        value: None,
        consent: None,
        extra: Vec::new(),
        row: None,
    };
    let mut b = EventLogBuilder::new(IngestOptions::default());
    b.push_batch(&batch).unwrap();
    let (log, report) = b.finish();
    expect_unusable_rejected(&log, &report);
}

#[test]
fn a_rejected_row_leaves_no_name_in_the_dictionary() {
    // The only row naming `lost` has a NaN value; the only row naming ` ` has one too,
    // and is rejected for its name, which is checked first.
    let mut nan = RawEvent::new("u", 1, "lost");
    nan.value = Some(f64::NAN);
    let mut both = RawEvent::new("u", 2, " ");
    both.value = Some(f64::NAN);
    let rows = [RawEvent::new("u", 0, "kept"), nan, both];
    let (log, report) = EventLog::from_rows(rows, IngestOptions::default()).unwrap();
    assert_eq!(
        rejected(&report),
        vec![("invalid_event", 1, 2), ("non_finite_value", 1, 1)]
    );
    assert_eq!(log.event_names(), ["kept"]);

    let customers = [Some("u"); 3];
    let ts = [Some(0), Some(1), Some(2)];
    let events = [Some("kept"), Some("lost"), Some(" ")];
    let values = [Some(1.0), Some(f64::NAN), Some(f64::NAN)];
    let cols = Columns {
        customer: &customers,
        timestamp: &ts,
        event: &events,
        value: Some(&values),
        ..Columns::default()
    };
    let (log, report) =
        EventLog::from_columns(&cols, EventLogBuilder::new(IngestOptions::default())).unwrap();
    assert_eq!(
        rejected(&report),
        vec![("invalid_event", 1, 2), ("non_finite_value", 1, 1)]
    );
    assert_eq!(log.event_names(), ["kept"]);
}

#[test]
fn strict_mode_names_the_first_unusable_row() {
    let strict = IngestOptions {
        strict: true,
        ..IngestOptions::default()
    };
    let rows = (0..6).map(|i| RawEvent::new(CUSTOMERS[i], i as i64, EVENTS[i]));
    let err = EventLog::from_rows(rows, strict.clone()).unwrap_err();
    assert_eq!((err.code(), err.row()), ("invalid_customer", Some(1)));
    let customers = [Some("u"), Some("u")];
    let ts = [Some(0), Some(1)];
    let events = [Some("new"), Some("x\0")];
    let cols = Columns {
        customer: &customers,
        timestamp: &ts,
        event: &events,
        ..Columns::default()
    };
    let mut b = EventLogBuilder::new(strict.clone());
    let err = EventLog::from_columns(&cols, EventLogBuilder::new(strict)).unwrap_err();
    assert_eq!((err.code(), err.row()), ("invalid_event", Some(1)));
    // A batch that fails leaves no name behind in the builder.
    let batch_events = StrCol::strs(&events);
    let batch = ColumnBatch {
        customer: vec![IdCol::Str(StrCol::strs(&customers))],
        timestamp: TimeCol::Ticks {
            values: I64Col {
                values: &[0, 1],
                validity: None,
            },
            unit: TimeUnit::Milliseconds,
        },
        event: batch_events,
        channel: None,
        session: None,
        value: None,
        consent: None,
        extra: Vec::new(),
        row: None,
    };
    assert!(b.push_batch(&batch).is_err());
    let (log, _) = b.finish();
    assert!(log.event_names().is_empty(), "{:?}", log.event_names());
}

// ---- 10: messages quote a short excerpt of a value, never all of it -----------------

#[test]
fn messages_quote_a_short_excerpt() {
    let secret = format!("SECRET-{}", "x".repeat(5_000));
    let doc = json!({
        "schema_version": 1, "id": "x", "name": "n", "state": secret,
        "stages": [{"id": "s", "name": "S", "expected_duration": secret}],
        "review": {"last_reviewed": secret},
        "touchpoints": [{"id": "t", "name": "T", "stage": secret, "channel": "web"}],
    });
    let err = cjm_core::load_str(&doc.to_string()).unwrap_err();
    assert!(err.problems().len() >= 4, "{err}");
    for p in err.problems() {
        assert!(p.message.chars().count() < 300, "{}: {}", p.code, p.message);
        if p.message.contains("SECRET") {
            assert!(
                p.message.contains(&format!("SECRET-{}…", "x".repeat(33))),
                "{}",
                p.message
            );
        }
    }
    // A line break in a value is escaped in the excerpt.
    let err =
        cjm_core::load_str(r#"{"schema_version": 1, "id": "x", "name": "n", "state": "a\nb"}"#)
            .unwrap_err();
    assert!(err.problems()[0].message.contains("`a\\nb`"), "{err}");

    // Ingest: the report's sample and the messages about timestamps.
    let csv = format!("c,t,e\nu,{secret},view\n");
    let mapping = ColumnMapping {
        customer: vec!["c".into()],
        timestamp: "t".into(),
        timestamp_format: TimestampFormat::default(),
        event: "e".into(),
        channel: None,
        session: None,
        value: None,
        consent: None,
    };
    let (_, report) = read_csv_str(
        &csv,
        &mapping,
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    let sample = report.rejected[0].sample.clone().unwrap();
    assert_eq!(sample, format!("SECRET-{}…", "x".repeat(33)));
    let warning = &report.warnings[0].message;
    assert!(warning.len() < 400, "{warning}");
    let err = cjm_core::events::time::parse_iso8601(&secret, false).unwrap_err();
    assert!(err.to_string().len() < 200, "{err}");
}

#[test]
fn the_excerpt_rule() {
    use cjm_core::error::excerpt;
    assert_eq!(excerpt("short"), "short");
    assert_eq!(excerpt(&"é".repeat(40)), "é".repeat(40));
    assert_eq!(excerpt(&"é".repeat(41)), format!("{}…", "é".repeat(40)));
    assert_eq!(excerpt("a\u{0}b\tc"), "a\\u{0}b\\tc");
}
