//! Likely mistakes are loud (a stable code and a message that names the fix), never a
//! silent empty or zero result; and the defaults agree with the tools analysts check
//! against (channelattribution's conventions, numpy's median).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::io::Write;

mod common;

use cjm_core::attribution::{
    attribute, AttributionOptions, Model, PathInput, PathOptions, PathTable, TableOptions,
    TouchKind,
};
use cjm_core::events::{
    read_csv, read_csv_str, BreakdownAttribution, ColumnMapping, ConsentRule, DriverOptions,
    EventLog, EventLogBuilder, FilterOptions, Funnel, FunnelOptions, FunnelTrendsOptions,
    IngestOptions, Percentile, RawEvent, RejectReason, RetentionOptions, StepSpec, TimeValue,
    TimestampFormat, TrendsOptions,
};

fn mapping(assume_utc: bool) -> ColumnMapping {
    ColumnMapping {
        customer: vec!["customer".into()],
        timestamp: "timestamp".into(),
        timestamp_format: TimestampFormat::Iso8601 { assume_utc },
        event: "event".into(),
        channel: None,
        session: None,
        value: None,
        consent: None,
    }
}

const NAIVE: &str = "\
customer,timestamp,event
u1,2024-03-01 10:00:00,catalog
u1,2024-03-01 10:05:00,purchase
";

/// customer, ISO time, event, channel
fn log(rows: &[(&str, &str, &str, Option<&str>)]) -> EventLog {
    let raw: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|&(c, t, e, ch)| RawEvent {
            customer: Some(c),
            timestamp: TimeValue::Text(t),
            event: Some(e),
            channel: ch,
            session: None,
            value: None,
            consent: None,
            extra: &[],
            row: None,
        })
        .collect();
    EventLog::from_rows(raw, IngestOptions::default())
        .unwrap()
        .0
}

fn shop() -> EventLog {
    log(&[
        ("u1", "2024-03-01T10:00:00Z", "catalog", None),
        ("u1", "2024-03-01T10:05:00Z", "purchase", None),
        ("u2", "2024-03-01T11:00:00Z", "catalog", None),
        ("u3", "2024-03-01T12:00:00Z", "purchased_gift", None),
    ])
}

fn assert_names_fix(err: &cjm_core::Error, code: &str, words: &[&str]) {
    assert_eq!(err.code(), code, "{err}");
    let text = err.to_string();
    for w in words {
        assert!(text.contains(w), "`{w}` not in: {text}");
    }
}

// ---------------------------------------------------------------------------------------
// Naive timestamps

#[test]
fn naive_csv_timestamps_raise_naming_assume_utc() {
    let b = EventLogBuilder::new(IngestOptions::default());
    let err = read_csv_str(NAIVE, &mapping(false), b).unwrap_err();
    assert_names_fix(
        &err,
        "naive_timestamp",
        &["assume_utc", "2024-03-01 10:00:00", "`timestamp`"],
    );
    assert_eq!(err.row(), Some(0));
    // Declared UTC: read.
    let b = EventLogBuilder::new(IngestOptions::default());
    let (log, report) = read_csv_str(NAIVE, &mapping(true), b).unwrap();
    assert_eq!((log.len(), report.rows_used), (2, 2));
    // Strict or not, the same.
    let b = EventLogBuilder::new(IngestOptions {
        strict: true,
        ..IngestOptions::default()
    });
    assert_eq!(
        read_csv_str(NAIVE, &mapping(false), b).unwrap_err().code(),
        "naive_timestamp"
    );
}

#[test]
fn naive_text_timestamps_from_columns_raise_too() {
    let rows = [RawEvent {
        timestamp: TimeValue::Text("2024-03-01T10:00:00"),
        ..RawEvent::new("u1", 0, "catalog")
    }];
    let err = EventLog::from_rows(rows, IngestOptions::default()).unwrap_err();
    assert_names_fix(&err, "naive_timestamp", &["assume_utc"]);
    let ok = EventLog::from_rows(
        rows,
        IngestOptions {
            assume_utc: true,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    assert_eq!(ok.0.len(), 1);
    // Text that is not a timestamp at all stays a counted row reason.
    let rows = [RawEvent {
        timestamp: TimeValue::Text("yesterday"),
        ..RawEvent::new("u1", 0, "catalog")
    }];
    let (_, report) = EventLog::from_rows(rows, IngestOptions::default()).unwrap();
    assert_eq!(report.rejected[0].reason, RejectReason::InvalidTimestamp);
    assert_eq!(report.rejected[0].sample.as_deref(), Some("yesterday"));
}

// ---------------------------------------------------------------------------------------
// No row used

#[test]
fn no_row_used_is_a_warning_with_reasons_and_a_sample() {
    let csv = "customer,timestamp,event\nu1,01/03/2024 10:00,catalog\nu2,01/03/2024 11:00,view\n";
    let b = EventLogBuilder::new(IngestOptions::default());
    let (log, report) = read_csv_str(csv, &mapping(false), b).unwrap();
    assert!(log.is_empty());
    assert_eq!(report.warnings.len(), 1);
    let w = &report.warnings[0];
    assert_eq!(w.code, "no_rows_used");
    for part in ["2 × invalid_timestamp", "`01/03/2024 10:00`", "ISO-8601"] {
        assert!(w.message.contains(part), "{part} not in {}", w.message);
    }
    let err = report.nothing_used().unwrap();
    assert_eq!(err.code(), "no_rows_used");
    // A log with rows used has no warning; an empty input is not a mistake.
    let b = EventLogBuilder::new(IngestOptions::default());
    let (_, report) = read_csv_str(NAIVE, &mapping(true), b).unwrap();
    assert!(report.warnings.is_empty() && report.nothing_used().is_none());
    let b = EventLogBuilder::new(IngestOptions::default());
    let (_, report) = read_csv_str("customer,timestamp,event\n", &mapping(false), b).unwrap();
    assert!(report.warnings.is_empty());
}

#[test]
fn no_row_used_raises_in_strict_mode() {
    // Every row filtered for consent: strict mode has no bad row to stop at, yet nothing
    // is used.
    let rows = [RawEvent {
        timestamp: TimeValue::Text("2024-03-01T10:00:00Z"),
        consent: Some(false),
        ..RawEvent::new("u1", 0, "catalog")
    }];
    let options = IngestOptions {
        strict: true,
        consent: ConsentRule::Require,
        ..IngestOptions::default()
    };
    let err = EventLog::from_rows(rows, options.clone()).unwrap_err();
    assert_names_fix(&err, "no_rows_used", &["1 without consent"]);
    let (log, report) = EventLog::from_rows(
        rows,
        IngestOptions {
            strict: false,
            ..options
        },
    )
    .unwrap();
    assert!(log.is_empty());
    assert_eq!(report.warnings[0].code, "no_rows_used");
}

// ---------------------------------------------------------------------------------------
// gzip

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn gzip_csv_is_read_transparently() {
    let plain = read_csv_str(
        NAIVE,
        &mapping(true),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    let gz = gzip(NAIVE.as_bytes());
    let zipped = read_csv(
        gz.as_slice(),
        &mapping(true),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap();
    assert_eq!(plain.0, zipped.0);
    assert_eq!(plain.1, zipped.1);
    // A truncated gzip stream says gzip.
    let cut = &gz[..gz.len() / 2];
    let err = read_csv(
        cut,
        &mapping(true),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap_err();
    assert_names_fix(&err, "invalid_csv", &["gzip"]);
    // Bytes that are not UTF-8 (another compression, a binary file) say so.
    let err = read_csv(
        &b"customer,timestamp,event\n\xff\xfe,x,y\n"[..],
        &mapping(true),
        EventLogBuilder::new(IngestOptions::default()),
    )
    .unwrap_err();
    assert_names_fix(&err, "invalid_csv", &["not UTF-8", "gzip"]);
}

// ---------------------------------------------------------------------------------------
// Unknown events

#[test]
fn misspelt_funnel_steps_raise_with_the_closest_names() {
    let l = shop();
    let err = Funnel::events(&["catalog", "purchse"])
        .run(&l, None)
        .unwrap_err();
    assert_names_fix(
        &err,
        "unknown_event",
        &["`purchse`", "`purchase`", "allow_missing_events"],
    );
    // The closest name comes first.
    let text = err.to_string();
    assert!(text.find("`purchase`").unwrap() < text.find("`purchased_gift`").unwrap());
    // Exclusions too.
    let f = Funnel::events(&["catalog", "purchase"]).with_options(FunnelOptions {
        exclusions: vec![cjm_core::events::Exclusion {
            step: StepSpec::Event("refnd".into()),
            between: [0, 1],
        }],
        ..FunnelOptions::default()
    });
    assert_eq!(f.run(&l, None).unwrap_err().code(), "unknown_event");
    // Opt-out: a log that legitimately lacks the event gives zeros.
    let f = Funnel::events(&["catalog", "refund"]).with_options(FunnelOptions {
        allow_missing_events: true,
        ..FunnelOptions::default()
    });
    let r = f.run(&l, None).unwrap();
    assert_eq!((r.steps[0].customers, r.steps[1].customers), (2, 0));
}

#[test]
fn misspelt_driver_and_attribution_conversions_raise() {
    let l = shop();
    let options = DriverOptions {
        conversion: StepSpec::Event("purchse".into()),
        by_touchpoint: false,
        min_support: 1,
        allow_missing_events: false,
    };
    assert_names_fix(
        &l.drivers(None, &options).unwrap_err(),
        "unknown_event",
        &["`purchase`"],
    );
    let ok = DriverOptions {
        allow_missing_events: true,
        ..options
    };
    assert_eq!(l.drivers(None, &ok).unwrap().converters, 0);
    let paths = PathOptions {
        conversion_events: vec!["purchse".into()],
        touch: TouchKind::Event,
        ..PathOptions::default()
    };
    assert_names_fix(
        &PathTable::from_log(&l, None, &paths).unwrap_err(),
        "unknown_event",
        &["conversion event `purchse`", "`purchase`"],
    );
    let allowed = PathOptions {
        allow_missing_events: true,
        ..paths
    };
    assert!(PathTable::from_log(&l, None, &allowed).is_ok());
}

#[test]
fn an_empty_log_says_it_has_no_events() {
    let empty = log(&[]);
    let err = Funnel::events(&["a"]).run(&empty, None).unwrap_err();
    assert_names_fix(&err, "unknown_event", &["the log has no events"]);
}

// ---------------------------------------------------------------------------------------
// Unknown columns

#[test]
fn attribution_by_channel_without_channels_raises() {
    let l = shop();
    let options = PathOptions {
        conversion_events: vec!["purchase".into()],
        ..PathOptions::default()
    };
    let err = PathTable::from_log(&l, None, &options).unwrap_err();
    assert_names_fix(&err, "unknown_column", &["channel=", "touch=\"event\""]);
    let by_event = PathOptions {
        touch: TouchKind::Event,
        ..options
    };
    assert!(PathTable::from_log(&l, None, &by_event).is_ok());
}

#[test]
fn breakdown_by_a_missing_column_raises() {
    let l = shop();
    for (column, words) in [
        ("channel", &["channel=", "no channel values"][..]),
        ("session", &["session="][..]),
        ("country", &["extra=[\"country\"]"][..]),
    ] {
        let f = Funnel::events(&["catalog", "purchase"]).with_options(FunnelOptions {
            breakdown: Some(column.into()),
            ..FunnelOptions::default()
        });
        assert_names_fix(&f.run(&l, None).unwrap_err(), "unknown_column", words);
    }
    let with_channel = log(&[
        ("u1", "2024-03-01T10:00:00Z", "catalog", Some("web")),
        ("u1", "2024-03-01T10:05:00Z", "purchase", None),
    ]);
    let f = Funnel::events(&["catalog", "purchase"]).with_options(FunnelOptions {
        breakdown: Some("channel".into()),
        ..FunnelOptions::default()
    });
    assert_eq!(f.run(&with_channel, None).unwrap().breakdown.len(), 1);
}

#[test]
fn a_breakdown_attribution_that_cannot_apply_raises() {
    let l = log(&[
        ("u1", "2024-03-01T10:00:00Z", "catalog", Some("web")),
        ("u1", "2024-03-01T10:05:00Z", "purchase", Some("email")),
    ]);
    let with = |breakdown: Option<&str>, how, order| {
        Funnel::events(&["catalog", "purchase"]).with_options(FunnelOptions {
            breakdown: breakdown.map(str::to_owned),
            breakdown_attribution: how,
            order,
            ..FunnelOptions::default()
        })
    };
    let sequential = cjm_core::events::FunnelOrder::Sequential;
    let any = cjm_core::events::FunnelOrder::Any;
    for (f, words) in [
        (
            with(None, BreakdownAttribution::LastTouch, sequential),
            &["give `breakdown`"][..],
        ),
        (
            with(Some("channel"), BreakdownAttribution::Step(3), sequential),
            &["step `3`", "1 to 2"][..],
        ),
        (
            with(Some("channel"), BreakdownAttribution::Step(0), sequential),
            &["step `0`"][..],
        ),
        (
            with(Some("channel"), BreakdownAttribution::Step(2), any),
            &["ordered funnel"][..],
        ),
    ] {
        assert_names_fix(&f.run(&l, None).unwrap_err(), "invalid_funnel", words);
    }
    // Funnel trends read the step-1 event's group only, and say so.
    let f = with(
        Some("channel"),
        BreakdownAttribution::FirstTouch,
        sequential,
    );
    let err = f
        .trends(&l, None, &FunnelTrendsOptions::default())
        .unwrap_err();
    assert_names_fix(&err, "invalid_option", &["breakdown_attribution", "step-1"]);
    // Each choice is in the definition and its hash; `step: 1` is the default's.
    let hash = |how| {
        with(Some("channel"), how, sequential)
            .run(&l, None)
            .unwrap()
            .definition
            .hash
    };
    let default = hash(BreakdownAttribution::FirstStep);
    assert_eq!(hash(BreakdownAttribution::Step(1)), default);
    let others = [
        hash(BreakdownAttribution::FirstTouch),
        hash(BreakdownAttribution::LastTouch),
        hash(BreakdownAttribution::Step(2)),
    ];
    assert!(others.iter().all(|h| *h != default), "{others:?}");
    assert!(others[0] != others[1] && others[1] != others[2] && others[0] != others[2]);
    // `any` order at step 1 is the default's attribution, so it runs.
    assert!(with(Some("channel"), BreakdownAttribution::Step(1), any)
        .run(&l, None)
        .is_ok());
}

/// A funnel's definition hash covers every option that can change a number (issue 16,
/// item 4): flipping any one option changes it, and the same options keep it.
#[test]
fn the_funnel_definition_hash_covers_every_option() {
    use cjm_core::events::{AnalysisUnit, Exclusion, FunnelOrder};
    // Sessions on every event, so that `unit = session` runs.
    let raw: Vec<RawEvent<'_>> = [
        ("u1", "2024-03-01T10:00:00Z", "catalog", Some("web")),
        ("u1", "2024-03-01T10:02:00Z", "cart", Some("web")),
        ("u1", "2024-03-01T10:05:00Z", "purchase", Some("email")),
        ("u2", "2024-03-01T11:00:00Z", "catalog", Some("email")),
    ]
    .iter()
    .map(|&(c, t, e, ch)| RawEvent {
        channel: ch,
        session: Some("s1"),
        timestamp: TimeValue::Text(t),
        ..RawEvent::new(c, 0, e)
    })
    .collect();
    let l = EventLog::from_rows(raw, IngestOptions::default())
        .unwrap()
        .0;
    let steps = ["catalog", "cart", "purchase"];
    let hash = |o: FunnelOptions| {
        Funnel::events(&steps)
            .with_options(o)
            .run(&l, None)
            .unwrap()
            .definition
            .hash
    };
    let base = FunnelOptions::default();
    let flipped = [
        (
            "order",
            FunnelOptions {
                order: FunnelOrder::Strict,
                ..base.clone()
            },
        ),
        (
            "window",
            FunnelOptions {
                window_seconds: Some(60),
                ..base.clone()
            },
        ),
        (
            "no window",
            FunnelOptions {
                window_seconds: None,
                ..base.clone()
            },
        ),
        (
            "step windows",
            FunnelOptions {
                step_windows_seconds: vec![None, Some(60), None],
                ..base.clone()
            },
        ),
        (
            "exclusions",
            FunnelOptions {
                exclusions: vec![Exclusion {
                    step: StepSpec::Event("cart".to_owned()),
                    between: [0, 2],
                }],
                ..base.clone()
            },
        ),
        (
            "as_of",
            FunnelOptions {
                as_of: Some("2024-03-02".to_owned()),
                ..base.clone()
            },
        ),
        (
            "breakdown",
            FunnelOptions {
                breakdown: Some("channel".to_owned()),
                ..base.clone()
            },
        ),
        (
            "breakdown_attribution",
            FunnelOptions {
                breakdown: Some("channel".to_owned()),
                breakdown_attribution: BreakdownAttribution::LastTouch,
                ..base.clone()
            },
        ),
        (
            "percentile",
            FunnelOptions {
                percentile: Percentile::NearestRank,
                ..base.clone()
            },
        ),
        (
            "allow_missing_events",
            FunnelOptions {
                allow_missing_events: true,
                ..base.clone()
            },
        ),
        (
            "unit",
            FunnelOptions {
                unit: AnalysisUnit::Session,
                ..base.clone()
            },
        ),
    ];
    let mut seen = common::assert_every_option_in_hash(hash, &base, flipped.to_vec());
    // The steps are in it too.
    let other = Funnel::events(&["catalog", "purchase"])
        .run(&l, None)
        .unwrap()
        .definition
        .hash;
    assert!(seen.insert(other));
}

// ---------------------------------------------------------------------------------------
// No -0.0

fn no_negative_zero(v: &serde_json::Value, at: &str) {
    match v {
        serde_json::Value::Number(n) => {
            let x = n.as_f64().unwrap();
            assert!(!(x == 0.0 && x.is_sign_negative()), "-0.0 at {at}");
            assert!(x.is_finite(), "{x} at {at}");
        }
        serde_json::Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                no_negative_zero(x, &format!("{at}[{i}]"));
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                no_negative_zero(x, &format!("{at}.{k}"));
            }
        }
        _ => {}
    }
}

#[test]
fn attribution_never_writes_negative_zero() {
    for rows in [
        vec![],
        vec![("", 2.0, 0.0)],
        vec![("a > b", 0.0, 3.0)],
        vec![("a > a > b", 1.0, 1.0), ("b", 0.0, 2.0)],
    ] {
        let rows: Vec<PathInput> = rows
            .into_iter()
            .map(|(p, c, n)| PathInput {
                path: p.into(),
                conversions: c,
                value: c * 10.0,
                nulls: n,
                seconds_to_conversion: None,
            })
            .collect();
        let table = PathTable::from_rows(&rows, &TableOptions::default()).unwrap();
        let result = attribute(&table, &AttributionOptions::default()).unwrap();
        let json = serde_json::to_value(&result).unwrap();
        no_negative_zero(&json, "attribution");
        assert!(!serde_json::to_string(&result).unwrap().contains("-0.0"));
    }
}

// ---------------------------------------------------------------------------------------
// Defaults that agree with the anchors

#[test]
fn heuristics_read_the_whole_path_and_markov_drops_self_loops() {
    let rows = vec![PathInput {
        path: "a > a > b".into(),
        conversions: 3.0,
        value: 0.0,
        nulls: 1.0,
        seconds_to_conversion: None,
    }];
    let table = PathTable::from_rows(&rows, &TableOptions::default()).unwrap();
    assert_eq!(table.rows[0].channels, ["a", "a", "b"]);
    let r = attribute(&table, &AttributionOptions::default()).unwrap();
    let a = r.channels.iter().find(|c| c.channel == "a").unwrap();
    // Linear over three touches: a gets 2/3 of 3 conversions.
    assert!((a.credit("linear").unwrap().conversions.unwrap() - 2.0).abs() < 1e-12);
    // Markov drops a → a: the chain is that of `a > b`.
    let m = r.markov.as_ref().unwrap();
    assert!(m.transitions.iter().all(|t| t.from != t.to));
    let collapsed = PathTable::from_rows(
        &rows,
        &TableOptions {
            collapse_repeats: true,
            ..TableOptions::default()
        },
    )
    .unwrap();
    let only_markov = AttributionOptions {
        models: vec![Model::Markov],
        ..AttributionOptions::default()
    };
    let c = attribute(&collapsed, &only_markov).unwrap();
    assert_eq!(c.markov.unwrap().transitions, m.transitions);
}

fn converters(seconds: &[i64]) -> EventLog {
    let base = 1_709_287_200i64; // 2024-03-01T10:00:00Z
    let mut rows = Vec::new();
    let names: Vec<String> = (0..seconds.len()).map(|i| format!("c{i}")).collect();
    for (name, s) in names.iter().zip(seconds) {
        rows.push(RawEvent::new(name, base * 1000, "view"));
        rows.push(RawEvent::new(name, (base + s) * 1000, "buy"));
    }
    EventLog::from_rows(rows, IngestOptions::default())
        .unwrap()
        .0
}

#[test]
fn the_median_time_to_convert_is_numpys_by_default() {
    // The example: pandas gives median 9120 s and quantile(0.9) 388950 s.
    let l = converters(&[300, 300, 300, 17_940, 173_100, 604_800]);
    let r = Funnel::events(&["view", "buy"]).run(&l, None).unwrap();
    let t = r.steps[1].time_from_first.as_ref().unwrap();
    assert_eq!(t.count, 6);
    assert!(
        (t.median_seconds - 9_120.0).abs() < 1e-9,
        "{}",
        t.median_seconds
    );
    assert!(
        (t.p90_seconds - 388_950.0).abs() < 1e-9,
        "{}",
        t.p90_seconds
    );
    // Nearest rank on request: the lower middle value, and rank ⌈0.9·6⌉ = 6.
    let f = Funnel::events(&["view", "buy"]).with_options(FunnelOptions {
        percentile: Percentile::NearestRank,
        ..FunnelOptions::default()
    });
    let t = f.run(&l, None).unwrap().steps[1]
        .time_from_first
        .clone()
        .unwrap();
    assert_eq!((t.median_seconds, t.p90_seconds), (300.0, 604_800.0));
    // Odd count: both methods give the middle value.
    let l = converters(&[10, 20, 40]);
    let r = Funnel::events(&["view", "buy"]).run(&l, None).unwrap();
    let t = r.steps[1].time_from_first.as_ref().unwrap();
    assert_eq!(t.median_seconds, 20.0);
    // numpy.percentile([10, 20, 40], 90) = 20 + 0.8 · 20 = 36.
    assert!((t.p90_seconds - 36.0).abs() < 1e-9);
}

#[test]
fn the_ingest_options_assume_utc_reaches_csv_text() {
    // The fix the naive_timestamp message names works with a mapping that does not say UTC.
    let b = EventLogBuilder::new(IngestOptions {
        assume_utc: true,
        ..IngestOptions::default()
    });
    let (log, _) = read_csv_str(NAIVE, &mapping(false), b).unwrap();
    assert_eq!(log.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Naive instants in options

#[test]
fn a_naive_as_of_raises_naming_assume_utc_and_is_read_as_utc_with_it() {
    let l = shop();
    let f = Funnel::events(&["catalog", "purchase"]);
    let at = |as_of: &str, assume_utc| {
        f.clone().with_options(FunnelOptions {
            as_of: Some(as_of.to_owned()),
            assume_utc,
            ..FunnelOptions::default()
        })
    };
    let err = at("2024-03-08T10:30:00", false).run(&l, None).unwrap_err();
    assert_names_fix(
        &err,
        "naive_timestamp",
        &["`as_of`", "assume_utc", "2024-03-08T10:30:00"],
    );
    // u2 entered at 2024-03-01T11:00Z and did not buy: its 7-day window closes at
    // 2024-03-08T11:00Z, so it is pending at 10:30 UTC and not at 11:30 UTC (u1 bought).
    let pending = |as_of: &str, utc| at(as_of, utc).run(&l, None).unwrap().steps[0].pending;
    assert_eq!(pending("2024-03-08T10:30:00", true), 1);
    assert_eq!(pending("2024-03-08T11:30:00", true), 0);
    assert_eq!(pending("2024-03-08T10:30:00Z", false), 1);
    assert_eq!(pending("2024-03-08T11:30:00Z", false), 0);
}

#[test]
fn every_instant_option_refuses_a_naive_value_by_its_name() {
    let l = shop();
    let t = "2024-03-01T10:02:00".to_owned();
    let trends = |since: Option<&String>, as_of: Option<&String>| TrendsOptions {
        since: since.cloned(),
        as_of: as_of.cloned(),
        ..TrendsOptions::default()
    };
    let errors = [
        (
            "as_of",
            l.retention(&RetentionOptions {
                as_of: Some(t.clone()),
                ..RetentionOptions::default()
            })
            .unwrap_err(),
        ),
        ("since", l.trends(&trends(Some(&t), None)).unwrap_err()),
        ("as_of", l.trends(&trends(None, Some(&t))).unwrap_err()),
        (
            "since",
            Funnel::events(&["catalog"])
                .trends(
                    &l,
                    None,
                    &FunnelTrendsOptions {
                        since: Some(t.clone()),
                        ..FunnelTrendsOptions::default()
                    },
                )
                .unwrap_err(),
        ),
        (
            "start",
            l.filter(&FilterOptions {
                start: Some(t.clone()),
                ..FilterOptions::default()
            })
            .unwrap_err(),
        ),
        (
            "end",
            l.filter(&FilterOptions {
                end: Some(t.clone()),
                ..FilterOptions::default()
            })
            .unwrap_err(),
        ),
    ];
    for (name, err) in errors {
        assert_names_fix(
            &err,
            "naive_timestamp",
            &[&format!("`{name}`"), "assume_utc"],
        );
    }
    // And each reads it as UTC when told to: the same result as with `Z`.
    let z = "2024-03-01T10:02:00Z".to_owned();
    let with = |s: &String, utc| RetentionOptions {
        as_of: Some(s.clone()),
        assume_utc: utc,
        ..RetentionOptions::default()
    };
    assert_eq!(
        l.retention(&with(&t, true)).unwrap().cohorts,
        l.retention(&with(&z, false)).unwrap().cohorts
    );
    let kept = |s: &String, utc| {
        l.filter(&FilterOptions {
            end: Some(s.clone()),
            assume_utc: utc,
            ..FilterOptions::default()
        })
        .unwrap()
        .len()
    };
    // Before 10:02 UTC: only u1's catalog event at 10:00.
    assert_eq!((kept(&t, true), kept(&z, false)), (1, 1));
    let s = |t: &String, utc| TrendsOptions {
        since: Some(t.clone()),
        as_of: Some("2024-03-01T23:00:00Z".to_owned()),
        assume_utc: utc,
        ..TrendsOptions::default()
    };
    assert_eq!(
        l.trends(&s(&t, true)).unwrap().events,
        l.trends(&s(&z, false)).unwrap().events
    );
}

// ---------------------------------------------------------------------------------------
// Integer extra columns sort as numbers

/// Four customers, one per store, each `visit` then `buy` one day apart (store 100 does
/// not buy); one customer has no store. Stores written as an integer column is written.
fn by_store() -> EventLog {
    let rows = [
        ("a", "9"),
        ("b", "10"),
        ("c", "100"),
        ("d", "-1"),
        ("e", ""),
    ];
    let extras: Vec<[Option<&str>; 1]> = rows
        .iter()
        .map(|(_, s)| [Some(*s).filter(|s| !s.is_empty())])
        .collect();
    let mut raw = Vec::new();
    for ((c, store), extra) in rows.iter().zip(&extras) {
        raw.push(RawEvent {
            extra: extra.as_slice(),
            ..RawEvent::new(c, 0, "visit")
        });
        if *store != "100" {
            raw.push(RawEvent {
                extra: extra.as_slice(),
                ..RawEvent::new(c, 86_400_000, "buy")
            });
        }
    }
    let options = IngestOptions {
        extra_columns: vec!["store".to_owned()],
        ..IngestOptions::default()
    };
    EventLog::from_rows(raw, options).unwrap().0
}

#[test]
fn integer_breakdown_values_are_listed_by_number_in_every_analysis() {
    // By bytes the order would be -1, 10, 100, 9; by number it is -1, 9, 10, 100; the
    // group without a store is last.
    let want = [Some("-1"), Some("9"), Some("10"), Some("100"), None];
    let l = by_store();
    let f = Funnel::events(&["visit", "buy"]).with_options(FunnelOptions {
        breakdown: Some("store".to_owned()),
        ..FunnelOptions::default()
    });
    let r = f.run(&l, None).unwrap();
    let got: Vec<_> = r.breakdown.iter().map(|g| g.value.as_deref()).collect();
    assert_eq!(got, want);
    // The counts travel with their group: store 100 entered and did not buy.
    let converted: Vec<u64> = r.breakdown.iter().map(|g| g.steps[1].customers).collect();
    assert_eq!(converted, [1, 1, 1, 0, 1]);
    let ft = f.trends(&l, None, &FunnelTrendsOptions::default()).unwrap();
    let got: Vec<_> = ft.breakdown.iter().map(|g| g.value.as_deref()).collect();
    assert_eq!(got, want);
    let rt = l
        .retention(&RetentionOptions {
            breakdown: Some("store".to_owned()),
            ..RetentionOptions::default()
        })
        .unwrap();
    let got: Vec<_> = rt.breakdown.iter().map(|g| g.value.as_deref()).collect();
    assert_eq!(got, want);
    let tr = l
        .trends(&TrendsOptions {
            breakdown: Some("store".to_owned()),
            ..TrendsOptions::default()
        })
        .unwrap();
    let got: Vec<_> = tr.breakdown.iter().map(|g| g.value.as_deref()).collect();
    assert_eq!(got, want);
}
