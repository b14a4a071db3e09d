//! Ingestion: every row accounted for, CSV presets, strict mode, privacy.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    read_csv_str, ColumnMapping, Columns, ConsentRule, EventLog, EventLogBuilder, IngestOptions,
    Preset, Pseudonymiser, RawEvent, RejectReason, TimeUnit, TimeValue,
};
use proptest::prelude::*;

fn count(report: &cjm_core::events::IngestReport, reason: RejectReason) -> (u64, u64) {
    report
        .rejected
        .iter()
        .find(|r| r.reason == reason)
        .map_or((0, 0), |r| (r.count, r.first_row))
}

#[test]
fn every_row_is_accounted_for() {
    let csv = "\
user_pseudo_id,event_name,event_timestamp,event_value_in_usd
u1,page_view,1700000000000000,
,page_view,1700000000000001,
u2,,1700000000000002,
u2,purchase,not-a-time,
u2,purchase,,
u2,purchase,1700000000000003,NaN
u2,purchase,1700000000000004,abc
u2,purchase,1700000000000005,12.5
u2,purchase,1700000000000005,12.5
u3,view_item,99999999999999999,
";
    let b = EventLogBuilder::new(IngestOptions {
        dedup: true,
        ..IngestOptions::default()
    })
    .journey(&cjm_core::templates::load("b2c-ecommerce").unwrap());
    let (log, report) = read_csv_str(csv, Preset::Ga4, b).unwrap();
    assert_eq!(report.rows_read, 10);
    assert_eq!(count(&report, RejectReason::MissingCustomer), (1, 1));
    assert_eq!(count(&report, RejectReason::MissingEvent), (1, 2));
    // Row 3 unreadable, row 9 overflows the nanosecond range (year > 2262).
    assert_eq!(count(&report, RejectReason::InvalidTimestamp), (2, 3));
    assert_eq!(count(&report, RejectReason::MissingTimestamp), (1, 4));
    assert_eq!(count(&report, RejectReason::NonFiniteValue), (1, 5));
    assert_eq!(count(&report, RejectReason::InvalidValue), (1, 6));
    assert_eq!(count(&report, RejectReason::Duplicate), (1, 8));
    assert_eq!(report.rows_used, 2);
    assert_eq!(
        report.rows_read,
        report.rows_used + report.rejected_total + report.consent_filtered
    );
    assert_eq!(log.len(), 2);
    // page_view is bound to no touchpoint of the template; purchase is.
    assert_eq!(report.unmapped_events.len(), 1);
    assert_eq!(report.unmapped_events[0].event, "page_view");
    assert_eq!(report.unmapped_total, 1);
    let e = log.get(1).unwrap();
    assert_eq!(e.customer, "u2");
    assert_eq!(e.value, Some(12.5));
    assert_eq!(e.timestamp, 1_700_000_000_000_005_000);
}

#[test]
fn strict_mode_fails_on_the_first_bad_row() {
    let csv = "userId,anonymousId,event,timestamp\nu1,,a,2024-01-01T00:00:00Z\n,,b,2024-01-01T00:00:00Z\n";
    let b = EventLogBuilder::new(IngestOptions {
        strict: true,
        ..IngestOptions::default()
    });
    let err = read_csv_str(csv, &Preset::Segment.mapping(), b).unwrap_err();
    assert_eq!(err.code(), "missing_customer");
    assert_eq!(err.family(), "input");
    assert_eq!(err.row(), Some(1));
}

#[test]
fn segment_falls_back_to_anonymous_id_and_requires_offsets() {
    let csv = "\
userId,anonymousId,event,timestamp
,anon-1,Product Viewed,2024-03-01T10:00:00.250+01:00
user-1,anon-1,Order Completed,2024-03-01T09:30:00Z
user-2,,Order Completed,2024-03-01 09:30
user-3,,Order Completed,2024-03-01T09:30:00
";
    // A timestamp without offset stops the read (`naive_timestamp`, its row), strict or
    // not: it says how the column is written, not that one row is bad.
    let err = read_csv_str(
        csv,
        &Preset::Segment.mapping(),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap_err();
    assert_eq!((err.code(), err.row()), ("naive_timestamp", Some(3)));
    let csv = csv.rsplit_once("user-3").unwrap().0;
    let (log, report) = read_csv_str(
        csv,
        &Preset::Segment.mapping(),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    assert_eq!(log.customers().to_strings(), ["anon-1", "user-1"]);
    // Text that is no timestamp at all (no seconds) is a rejected row, with its sample.
    assert_eq!(count(&report, RejectReason::InvalidTimestamp), (1, 2));
    assert_eq!(
        report.rejected[0].sample.as_deref(),
        Some("2024-03-01 09:30")
    );
    let e = log.iter().next().unwrap();
    assert_eq!(e.event, "Product Viewed");
    // 2024-03-01T09:00:00.25Z
    assert_eq!(e.timestamp, 1_709_283_600_250_000_000);
}

#[test]
fn snowplow_and_xes_presets() {
    let csv = "\
domain_userid,event_name,collector_tstamp,domain_sessionid,mkt_medium,tr_total
d1,page_view,2024-01-01 00:00:01.000,s1,cpc,
d1,transaction,2024-01-01 00:05:00.000,s1,cpc,30.5
";
    let (log, report) = read_csv_str(
        csv,
        &Preset::Snowplow.mapping(),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    assert_eq!(report.rows_used, 2);
    let last = log.get(1).unwrap();
    assert_eq!(last.channel, Some("cpc"));
    assert_eq!(last.session, Some("s1"));
    assert_eq!(last.value, Some(30.5));
    assert_eq!(last.timestamp, (1_704_067_200 + 300) * 1_000_000_000);

    let xes = "case:concept:name,concept:name,time:timestamp\ncase1,register,2011-01-01T00:00:00.000+01:00\n";
    let (log, _) = read_csv_str(
        xes,
        &Preset::Xes.mapping(),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    assert_eq!(log.get(0).unwrap().timestamp, 1_293_836_400 * 1_000_000_000);
}

#[test]
fn missing_columns_and_bad_csv_are_errors() {
    let err = read_csv_str(
        "a,b\n1,2\n",
        Preset::Ga4,
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "missing_column");
    let csv = "user_pseudo_id,event_name,event_timestamp,event_value_in_usd\nu1,a,1\n";
    let err = read_csv_str(
        csv,
        Preset::Ga4,
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_csv");
    assert_eq!(err.row(), Some(0));
}

#[test]
fn mapping_reads_from_json_and_rejects_unknown_fields() {
    let m: ColumnMapping = serde_json::from_str(
        r#"{"customer": ["id"], "timestamp": "t", "timestamp_format": {"kind": "integer", "unit": "seconds"}, "event": "e"}"#,
    )
    .unwrap();
    assert_eq!(m.customer, ["id"]);
    assert!(serde_json::from_str::<ColumnMapping>(
        r#"{"customer": ["id"], "timestamp": "t", "event": "e", "oops": 1}"#
    )
    .is_err());
    assert!(serde_json::from_str::<IngestOptions>(r#"{"oops": 1}"#).is_err());
    let o: IngestOptions = serde_json::from_str(r#"{"time_unit": "microseconds"}"#).unwrap();
    assert_eq!(o.time_unit, TimeUnit::Microseconds);
}

#[test]
fn pseudonyms_are_hmac_sha256_and_the_key_never_shows() {
    // HMAC-SHA256(key="key", msg="The quick brown fox jumps over the lazy dog"), the
    // example of the Wikipedia HMAC article.
    let p = Pseudonymiser::new(b"key").unwrap();
    assert_eq!(
        p.pseudonym("The quick brown fox jumps over the lazy dog"),
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    );
    assert!(!format!("{p:?}").contains("key\""));
    assert_eq!(Pseudonymiser::new(b"").unwrap_err().code(), "invalid_key");
    let rows = [RawEvent::new("alice", 1, "a"), RawEvent::new("bob", 2, "a")];
    let mut b = EventLogBuilder::new(IngestOptions::default())
        .pseudonymise(Pseudonymiser::new(b"s3cret").unwrap());
    for r in &rows {
        b.push(r).unwrap();
    }
    let (log, report) = b.finish();
    assert!(report.pseudonymised);
    assert!(log
        .customers()
        .to_strings()
        .iter()
        .all(|c| c.len() == 64 && c != "alice" && c != "bob"));
    let json = serde_json::to_string(&report).unwrap();
    assert!(!json.contains("s3cret"));
}

#[test]
fn consent_filtering_is_counted() {
    let mut b = EventLogBuilder::new(IngestOptions {
        consent: ConsentRule::Require,
        ..IngestOptions::default()
    });
    for (i, consent) in [Some(true), Some(false), None, Some(true)]
        .into_iter()
        .enumerate()
    {
        let mut r = RawEvent::new("u", i64::try_from(i).unwrap(), "a");
        r.consent = consent;
        b.push(&r).unwrap();
    }
    // A row without consent is filtered before it is checked.
    b.push(&RawEvent {
        customer: None,
        ..RawEvent::new("", 0, "a")
    })
    .unwrap();
    let (log, report) = b.finish();
    assert_eq!(log.len(), 2);
    assert_eq!(report.consent_filtered, 3);
    assert_eq!(report.rejected_total, 0);
}

#[test]
fn columns_and_rows_agree_and_lengths_are_checked() {
    let customers = [Some("u2"), Some("u1"), None, Some("u1")];
    let ts = [Some(5), Some(3), Some(1), Some(3)];
    let ev = [Some("b"), Some("a"), Some("a"), Some("c")];
    let cols = Columns {
        customer: &customers,
        timestamp: &ts,
        event: &ev,
        ..Columns::default()
    };
    let (log, report) =
        EventLog::from_columns(&cols, EventLogBuilder::new(IngestOptions::default())).unwrap();
    assert_eq!(report.rejected_total, 1);
    // u1's two events share a timestamp: input order (a before c) is kept.
    let names: Vec<&str> = log.iter().map(|e| e.event).collect();
    assert_eq!(names, ["a", "c", "b"]);
    let short = [Some(1)];
    let bad = Columns {
        timestamp: &short,
        ..cols
    };
    let err =
        EventLog::from_columns(&bad, EventLogBuilder::new(IngestOptions::default())).unwrap_err();
    assert_eq!(err.code(), "column_length_mismatch");
}

#[test]
fn integer_customer_columns_sort_by_value() {
    let ids = [Some(10), Some(-5), None, Some(2), Some(10)];
    let ts = [Some(1), Some(2), Some(3), Some(4), Some(0)];
    let ev = [Some("a"), Some("b"), Some("c"), Some("d"), Some("e")];
    let cols = Columns {
        customer_ids: Some(&ids),
        timestamp: &ts,
        event: &ev,
        ..Columns::default()
    };
    let (log, report) =
        EventLog::from_columns(&cols, EventLogBuilder::new(IngestOptions::default())).unwrap();
    assert_eq!(count(&report, RejectReason::MissingCustomer), (1, 2));
    let seen: Vec<(String, &str)> = log
        .iter()
        .map(|e| (e.customer.to_string(), e.event))
        .collect();
    // By value (-5 < 2 < 10), not as text ("-5" < "10" < "2"); customer 10's events by time.
    assert_eq!(
        seen,
        [("-5", "b"), ("2", "d"), ("10", "e"), ("10", "a")].map(|(c, e)| (c.to_owned(), e))
    );
}

#[test]
fn text_timestamps_through_rows() {
    let r = RawEvent {
        timestamp: TimeValue::Text("2024-01-01T00:00:00"),
        ..RawEvent::new("u", 0, "a")
    };
    let err = EventLog::from_rows([r], IngestOptions::default()).unwrap_err();
    assert_eq!(err.code(), "naive_timestamp");
    let (log, _) = EventLog::from_rows(
        [r],
        IngestOptions {
            assume_utc: true,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    assert_eq!(log.get(0).unwrap().timestamp, 1_704_067_200_000_000_000);
}

proptest! {
    #[test]
    fn csv_reading_never_panics_and_accounts_for_rows(text in "[a-z0-9,\"\n .:TZ+-]{0,300}") {
        let csv = format!("user_pseudo_id,event_name,event_timestamp,event_value_in_usd\n{text}");
        if let Ok((log, report)) = read_csv_str(&csv, Preset::Ga4, EventLogBuilder::new(IngestOptions { dedup: true, ..IngestOptions::default() })) {
            prop_assert_eq!(report.rows_read, report.rows_used + report.rejected_total + report.consent_filtered);
            prop_assert_eq!(log.len() as u64, report.rows_used);
        }
    }

    #[test]
    fn iso_parser_never_panics(text in "\\PC{0,40}") {
        let _ = cjm_core::events::time::parse_iso8601(&text, true);
    }
}

/// HMAC-SHA256 of `id` under `key`, in hex, computed here with `hmac` and `sha2`.
fn hmac_hex(key: &[u8], id: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Pseudonymisation covers the customer, the session (which embeds the customer id here,
/// as it often does) and the extra columns named as identifiers; other extra columns stay
/// readable. No raw id is left in the log, a breakdown result or a state's bytes.
#[test]
fn pseudonymisation_covers_sessions_and_identifier_columns() {
    use cjm_core::events::{Funnel, Mergeable, SequenceState};
    let key = b"a key of thirty-two bytes, at least";
    let extra = |email: &'static str| -> [Option<&'static str>; 2] { [Some(email), Some("web")] };
    let rows = [
        (
            "alice-7731",
            "alice-7731:s1",
            0,
            "a",
            extra("alice@example.com"),
        ),
        (
            "alice-7731",
            "alice-7731:s1",
            60,
            "b",
            extra("alice@example.com"),
        ),
        ("bob-0042", "bob-0042:s9", 30, "a", extra("bob@example.com")),
    ];
    let raw: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|(c, s, t, e, x)| RawEvent {
            session: Some(s),
            extra: x,
            ..RawEvent::new(c, *t, e)
        })
        .collect();
    let options = IngestOptions {
        time_unit: TimeUnit::Seconds,
        extra_columns: vec!["email".into(), "platform".into()],
        ..IngestOptions::default()
    };
    let builder = || EventLogBuilder::new(options.clone());
    let mut b = builder()
        .pseudonymise(Pseudonymiser::new(key).unwrap())
        .identifiers(&["email".into()])
        .unwrap();
    for r in &raw {
        b.push(r).unwrap();
    }
    let (log, report) = b.finish();
    assert!(report.pseudonymised);
    let alice = log.iter().find(|e| e.timestamp == 60_000_000_000).unwrap();
    assert_eq!(alice.customer.to_string(), hmac_hex(key, "alice-7731"));
    assert_eq!(alice.session.unwrap(), hmac_hex(key, "alice-7731:s1"));
    let mut everything = format!("{log:?}");
    for breakdown in ["session", "email", "platform"] {
        let mut funnel = Funnel::events(&["a", "b"]);
        funnel.options.breakdown = Some(breakdown.into());
        let result = funnel.run(&log, None).unwrap();
        let text = serde_json::to_string(&result).unwrap();
        if breakdown == "email" {
            assert!(text.contains(&hmac_hex(key, "bob@example.com")), "{text}");
        }
        everything.push_str(&text);
    }
    everything.push_str(&String::from_utf8_lossy(
        &SequenceState::from_log(&log).to_bytes(),
    ));
    for raw_id in ["alice", "bob", "7731", "0042", "example.com"] {
        assert!(
            !everything.contains(raw_id),
            "`{raw_id}` left in the output"
        );
    }
    // The other extra column is kept as it is.
    assert!(everything.contains("\"web\""));
    // Identifier columns need a key and must be extra columns.
    for (b, needle) in [
        (builder().identifiers(&["email".into()]), "key"),
        (
            builder()
                .pseudonymise(Pseudonymiser::new(key).unwrap())
                .identifiers(&["device".into()]),
            "`device` is not one of the extra columns [email, platform]",
        ),
    ] {
        let err = b.unwrap_err();
        assert_eq!(err.code(), "invalid_option");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

/// The input row of each event is kept exactly whatever its size: rows a few apart above
/// a large offset (held in 32 bits above a base), and explicit row keys 2^40 apart (held
/// in 64 bits); ties in time are ordered by them either way.
#[test]
fn input_rows_are_kept_exactly_narrow_or_wide() {
    let base = 1_000_000_000_000u64;
    let rows = [("a", 5, "x"), ("b", 1, "y"), ("a", 5, "z"), ("a", 2, "w")];
    let options = IngestOptions {
        row_offset: base,
        ..IngestOptions::default()
    };
    let (log, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e)| RawEvent::new(c, t, e)),
        options,
    )
    .unwrap();
    let got: Vec<(String, &str, u64)> = log
        .iter()
        .map(|e| (e.customer.to_string(), e.event, e.row))
        .collect();
    // Customer a: w (t = 2, row 3), then x and z at t = 5 in input order (rows 0, 2).
    let want = [("a", "w", 3), ("a", "x", 0), ("a", "z", 2), ("b", "y", 1)];
    let want: Vec<(String, &str, u64)> = want
        .iter()
        .map(|&(c, e, r)| (c.to_owned(), e, base + r))
        .collect();
    assert_eq!(got, want);

    // Explicit row keys further apart than 32 bits: the later key sorts the tie last.
    let far = 1u64 << 40;
    let keyed = [("a", 5, "x", far), ("a", 5, "z", 7), ("a", 1, "w", far + 1)];
    let (log, _) = EventLog::from_rows(
        keyed.iter().map(|&(c, t, e, r)| RawEvent {
            row: Some(r),
            ..RawEvent::new(c, t, e)
        }),
        IngestOptions::default(),
    )
    .unwrap();
    let got: Vec<(&str, u64)> = log.iter().map(|e| (e.event, e.row)).collect();
    assert_eq!(got, [("w", far + 1), ("z", 7), ("x", far)]);
    assert_eq!(log.get(2).unwrap().row, far);
}
