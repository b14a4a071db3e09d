//! Working with a log: a filter or sample equals the log built from the kept rows (same
//! events, same analyses), samples follow the documented hash rule (expected customers
//! computed with Python's hashlib), bad filters are errors with codes, and the report
//! accounts for what an operation removed.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    CustomerKey, DirectlyFollowsOptions, EventLog, EventLogBuilder, FilterOptions, Funnel,
    FunnelOptions, IngestOptions, IngestReport, IngestWarning, LogOperation, RawEvent,
    RetentionOptions, SampleOptions, SessionOptions, TimeUnit, TimeValue, VariantOptions,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

const CUSTOMERS: [&str; 6] = ["ann", "bob", "cy", "dee", "eve", "fay"];
const EVENTS: [&str; 5] = ["a", "b", "c", "x", "y"];
const CHANNELS: [Option<&str>; 3] = [None, Some("web"), Some("email")];
const PLANS: [Option<&str>; 3] = [None, Some("free"), Some("pro")];

#[derive(Debug, Clone, Copy)]
struct Row {
    customer: usize,
    ts: i64,
    event: usize,
    channel: usize,
    plan: usize,
    value: Option<i8>,
}

fn row_strategy() -> impl Strategy<Value = Row> {
    (
        0..CUSTOMERS.len(),
        0i64..30,
        0..EVENTS.len(),
        0..CHANNELS.len(),
        0..PLANS.len(),
        proptest::option::of(-3i8..5),
    )
        .prop_map(|(customer, ts, event, channel, plan, value)| Row {
            customer,
            ts,
            event,
            channel,
            plan,
            value,
        })
}

fn options() -> IngestOptions {
    IngestOptions {
        time_unit: TimeUnit::Seconds,
        extra_columns: vec!["plan".to_owned()],
        ..IngestOptions::default()
    }
}

/// The log of `rows`, row `i` keeping its index `keys[i]` in the whole input.
fn log_of(rows: &[(u64, Row)]) -> (EventLog, IngestReport) {
    let extras: Vec<[Option<&str>; 1]> = rows.iter().map(|(_, r)| [PLANS[r.plan]]).collect();
    let raw = rows.iter().zip(&extras).map(|((key, r), extra)| RawEvent {
        customer: Some(CUSTOMERS[r.customer]),
        timestamp: TimeValue::Ticks(r.ts),
        event: Some(EVENTS[r.event]),
        channel: CHANNELS[r.channel],
        session: Some(if r.ts < 15 { "s1" } else { "s2" }),
        value: r.value.map(f64::from),
        consent: None,
        extra: extra.as_slice(),
        row: Some(*key),
    });
    EventLog::from_rows(raw, options()).unwrap()
}

fn indexed(rows: &[Row]) -> Vec<(u64, Row)> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| (i as u64, *r))
        .collect()
}

/// Prepends a row with a channel and a plan (fay, `y` via web at 29 s, pro), so that a
/// filter by channel has a column to read (a log without any value in it is an
/// `unknown_column` error).
fn with_a_channel(mut rows: Vec<Row>) -> Vec<Row> {
    rows.insert(
        0,
        Row {
            customer: 5,
            ts: 29,
            event: 4,
            channel: 1,
            plan: 2,
            value: None,
        },
    );
    rows
}

/// Every analysis of the log, as JSON (for equality).
fn analyses(log: &EventLog) -> String {
    let funnel = Funnel::events(&["a", "b", "c"])
        .with_options(FunnelOptions {
            window_seconds: Some(12),
            allow_missing_events: true,
            ..FunnelOptions::default()
        })
        .run(log, None)
        .unwrap();
    let retention = log
        .retention(&RetentionOptions {
            period: cjm_core::events::RetentionPeriod::Day,
            ..RetentionOptions::default()
        })
        .unwrap();
    let dfg = log
        .directly_follows(&DirectlyFollowsOptions::default())
        .unwrap();
    let variants = log.variants(&VariantOptions::default()).unwrap();
    serde_json::to_string(&(funnel, retention, dfg, variants)).unwrap()
}

/// A filter drawn from small choices: which events to keep or drop, a time range,
/// which customers to keep or drop, which channels or plans to keep or drop.
#[derive(Debug, Clone)]
struct Choice {
    events: Option<Vec<usize>>,
    drop_events: Vec<usize>,
    start: Option<i64>,
    end: Option<i64>,
    customers: Option<Vec<usize>>,
    drop_customers: Vec<usize>,
    channels: Option<Vec<usize>>,
    not_plans: Vec<usize>,
}

fn choice_strategy() -> impl Strategy<Value = Choice> {
    let subset = |n: usize| proptest::collection::vec(0..n, 0..3);
    (
        proptest::option::of(subset(EVENTS.len())),
        subset(EVENTS.len()),
        proptest::option::of(0i64..20),
        proptest::option::of(10i64..31),
        proptest::option::of(subset(CUSTOMERS.len())),
        subset(CUSTOMERS.len()),
        proptest::option::of(proptest::collection::vec(1..CHANNELS.len(), 0..3)),
        proptest::collection::vec(1..PLANS.len(), 0..2),
    )
        .prop_map(
            |(events, drop_events, start, end, customers, drop_customers, channels, not_plans)| {
                Choice {
                    events,
                    drop_events,
                    start,
                    end,
                    customers,
                    drop_customers,
                    channels,
                    not_plans,
                }
            },
        )
}

fn iso(seconds: i64) -> String {
    format!("1970-01-01T00:00:{seconds:02}Z")
}

impl Choice {
    fn options(&self) -> FilterOptions {
        let names = |ix: &[usize]| ix.iter().map(|&i| EVENTS[i].to_owned()).collect();
        let ids = |ix: &[usize]| {
            ix.iter()
                .map(|&i| CustomerKey::Str(CUSTOMERS[i].to_owned()))
                .collect()
        };
        let mut where_in = BTreeMap::new();
        if let Some(c) = &self.channels {
            where_in.insert(
                "channel".to_owned(),
                c.iter().map(|&i| CHANNELS[i].unwrap().to_owned()).collect(),
            );
        }
        let mut where_not = BTreeMap::new();
        if !self.not_plans.is_empty() {
            where_not.insert(
                "plan".to_owned(),
                self.not_plans
                    .iter()
                    .map(|&i| PLANS[i].unwrap().to_owned())
                    .collect(),
            );
        }
        FilterOptions {
            events: self.events.as_deref().map(names),
            drop_events: names(&self.drop_events),
            start: self.start.map(iso),
            end: self.end.map(iso),
            customers: self.customers.as_deref().map(ids),
            drop_customers: ids(&self.drop_customers),
            where_in,
            where_not,
            allow_missing: true,
            assume_utc: false,
        }
    }

    /// The rule, written on the rows themselves (the oracle).
    fn keeps(&self, r: &Row) -> bool {
        self.events.as_ref().is_none_or(|e| e.contains(&r.event))
            && !self.drop_events.contains(&r.event)
            && self.start.is_none_or(|s| r.ts >= s)
            && self.end.is_none_or(|e| r.ts < e)
            && self
                .customers
                .as_ref()
                .is_none_or(|c| c.contains(&r.customer))
            && !self.drop_customers.contains(&r.customer)
            && self
                .channels
                .as_ref()
                .is_none_or(|c| c.contains(&r.channel))
            && !self.not_plans.contains(&r.plan)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn a_filter_equals_the_log_of_the_filtered_rows(
        rows in proptest::collection::vec(row_strategy(), 0..40),
        choice in choice_strategy(),
    ) {
        // Start/end may cross; such a filter is an error, checked elsewhere.
        prop_assume!(match (choice.start, choice.end) {
            (Some(s), Some(e)) => s < e,
            _ => true,
        });
        let all = indexed(&with_a_channel(rows));
        let (log, report) = log_of(&all);
        let kept: Vec<(u64, Row)> = all.iter().filter(|(_, r)| choice.keeps(r)).copied().collect();
        let (expected, _) = log_of(&kept);
        let op = LogOperation::Filter(choice.options());
        let (filtered, after) = op.apply(&log, &report).unwrap();
        prop_assert_eq!(&filtered, &expected);
        prop_assert_eq!(analyses(&filtered), analyses(&expected));
        // The account: every row read is used, rejected or removed by the operation.
        prop_assert_eq!(after.rows_used, kept.len() as u64);
        prop_assert_eq!(
            after.rows_read,
            after.rows_used + after.rejected_total + after.consent_filtered
                + after.removed_by_operations
        );
        prop_assert_eq!(after.operations.len(), 1);
        prop_assert_eq!(after.customers, filtered.customers().len() as u64);
        prop_assert_eq!(after.event_names, filtered.event_names().len() as u64);
    }

    #[test]
    fn chained_filters_equal_one_filter_of_both(
        rows in proptest::collection::vec(row_strategy(), 0..40),
        a in choice_strategy(),
        b in choice_strategy(),
    ) {
        prop_assume!(a.start.zip(a.end).is_none_or(|(s, e)| s < e));
        prop_assume!(b.start.zip(b.end).is_none_or(|(s, e)| s < e));
        let all = indexed(&with_a_channel(rows));
        let (log, _) = log_of(&all);
        let twice = log.filter(&a.options()).unwrap().filter(&b.options()).unwrap();
        let kept: Vec<(u64, Row)> =
            all.iter().filter(|(_, r)| a.keeps(r) && b.keeps(r)).copied().collect();
        prop_assert_eq!(twice, log_of(&kept).0);
    }

    #[test]
    fn a_sample_keeps_whole_customers_whatever_the_row_order(
        rows in proptest::collection::vec(row_strategy(), 1..40),
        seed in 0u64..1000,
        fraction in 0.05f64..1.0,
        count in 1u64..8,
    ) {
        let all = indexed(&rows);
        let (log, _) = log_of(&all);
        let mut reversed = all.clone();
        reversed.reverse();
        let (log_reversed, _) = log_of(&reversed);
        for options in [
            SampleOptions { fraction: Some(fraction), count: None, seed },
            SampleOptions { fraction: None, count: Some(count), seed },
        ] {
            let s = log.sample(&options).unwrap();
            let r = log_reversed.sample(&options).unwrap();
            prop_assert_eq!(s.customers(), r.customers());
            // Whole customers: the sample is the filter by its customers.
            let ids: Vec<CustomerKey> =
                s.customers().to_strings().into_iter().map(CustomerKey::Str).collect();
            let by_filter = log.filter(&FilterOptions {
                customers: Some(ids),
                ..FilterOptions::default()
            }).unwrap();
            prop_assert_eq!(&s, &by_filter);
            if options.count.is_some() {
                prop_assert_eq!(
                    s.customers().len() as u64,
                    count.min(log.customers().len() as u64)
                );
            }
        }
        // Nested: a larger fraction keeps every customer of a smaller one.
        let small = log.sample(&SampleOptions { fraction: Some(fraction / 2.0), count: None, seed }).unwrap();
        let large = log.sample(&SampleOptions { fraction: Some(fraction), count: None, seed }).unwrap();
        let large_ids = large.customers().to_strings();
        for id in small.customers().to_strings() {
            prop_assert!(large_ids.contains(&id));
        }
    }
}

fn every_customer_once() -> EventLog {
    let rows: Vec<RawEvent<'_>> = CUSTOMERS
        .iter()
        .enumerate()
        .map(|(i, c)| RawEvent::new(c, i as i64, "a"))
        .collect();
    EventLog::from_rows(rows, options()).unwrap().0
}

/// Expected customers from Python: `(int.from_bytes(hashlib.sha256(f"{seed}:{id}".encode())
/// .digest()[:8], "big") >> 11) / 2**53`, which for seed 42 is ann 0.3219, bob 0.7254,
/// cy 0.0217, dee 0.8431, eve 0.2755, fay 0.9859; for seed 7 ann 0.4025, bob 0.2687,
/// cy 0.0699, dee 0.8333, eve 0.9073, fay 0.2871.
#[test]
fn samples_follow_the_documented_hash() {
    let log = every_customer_once();
    let sample = |fraction: Option<f64>, count: Option<u64>, seed: u64| {
        log.sample(&SampleOptions {
            fraction,
            count,
            seed,
        })
        .unwrap()
        .customers()
        .to_strings()
    };
    assert_eq!(sample(Some(0.5), None, 42), ["ann", "cy", "eve"]);
    assert_eq!(sample(None, Some(2), 42), ["cy", "eve"]);
    assert_eq!(sample(Some(0.3), None, 7), ["bob", "cy", "fay"]);
    assert_eq!(sample(None, Some(1), 7), ["cy"]);
    assert_eq!(sample(Some(1.0), None, 7).len(), 6);
    assert_eq!(sample(None, Some(60), 7).len(), 6);
    assert_eq!(
        cjm_core::events::sample_hash(42, cjm_core::events::CustomerId::Str("ann")),
        5_938_880_387_398_119_786
    );
}

/// Integer ids hash their decimal text: seed 42 gives 1 → 0.0151, 2 → 0.8045,
/// 3 → 0.5987, 10 → 0.9841, −5 → 0.0560 (Python hashlib, as above).
#[test]
fn integer_ids_sample_by_their_decimal_text() {
    let ids: Vec<Option<i64>> = vec![Some(3), Some(1), Some(10), Some(-5), Some(2)];
    let ts: Vec<Option<i64>> = vec![Some(1); 5];
    let event: Vec<Option<&str>> = vec![Some("a"); 5];
    let columns = cjm_core::events::Columns {
        customer_ids: Some(&ids),
        timestamp: &ts,
        event: &event,
        ..Default::default()
    };
    let (log, _) =
        EventLog::from_columns(&columns, EventLogBuilder::new(IngestOptions::default())).unwrap();
    let half = log
        .sample(&SampleOptions {
            fraction: Some(0.5),
            count: None,
            seed: 42,
        })
        .unwrap();
    assert_eq!(half.customers().to_strings(), ["-5", "1"]);
    let three = log
        .sample(&SampleOptions {
            fraction: None,
            count: Some(3),
            seed: 42,
        })
        .unwrap();
    assert_eq!(three.customers().to_strings(), ["-5", "1", "3"]);
    // Customers by integer or by text.
    let two = log
        .filter(&FilterOptions {
            customers: Some(vec![
                CustomerKey::Int(10),
                CustomerKey::Str("-5".to_owned()),
            ]),
            ..FilterOptions::default()
        })
        .unwrap();
    assert_eq!(two.customers().to_strings(), ["-5", "10"]);
    let err = log
        .filter(&FilterOptions {
            customers: Some(vec![CustomerKey::Str("010".to_owned())]),
            ..FilterOptions::default()
        })
        .unwrap_err();
    assert_eq!(err.code(), "unknown_customer");
}

fn code_of(log: &EventLog, options: FilterOptions) -> String {
    log.filter(&options).unwrap_err().code().to_owned()
}

#[test]
fn unknown_names_are_errors_with_codes() {
    let (log, _) = log_of(&indexed(&[Row {
        customer: 0,
        ts: 1,
        event: 0,
        channel: 1,
        plan: 1,
        value: None,
    }]));
    let events = FilterOptions {
        events: Some(vec!["purchse".to_owned()]),
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, events.clone()), "unknown_event");
    // Allowed: the filter matches nothing of it, and the log is empty.
    let allowed = FilterOptions {
        allow_missing: true,
        ..events
    };
    assert!(log.filter(&allowed).unwrap().is_empty());
    let drop = FilterOptions {
        drop_events: vec!["zzz".to_owned()],
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, drop), "unknown_event");
    let customer = FilterOptions {
        drop_customers: vec![CustomerKey::Str("zed".to_owned())],
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, customer), "unknown_customer");
    let mut column = BTreeMap::new();
    column.insert("country".to_owned(), vec!["fr".to_owned()]);
    let unknown_column = FilterOptions {
        where_in: column,
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, unknown_column.clone()), "unknown_column");
    // A column the log lacks is an error even with `allow_missing`.
    let allowed = FilterOptions {
        allow_missing: true,
        ..unknown_column
    };
    assert_eq!(code_of(&log, allowed), "unknown_column");
    let mut value = BTreeMap::new();
    value.insert("channel".to_owned(), vec!["wbe".to_owned()]);
    let unknown_value = FilterOptions {
        where_not: value,
        ..FilterOptions::default()
    };
    let err = log.filter(&unknown_value).unwrap_err();
    assert_eq!(err.code(), "unknown_value");
    assert!(err.to_string().contains("`web`"), "{err}");
    let crossed = FilterOptions {
        start: Some("1970-01-02".to_owned()),
        end: Some("1970-01-01T00:00:00Z".to_owned()),
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, crossed), "invalid_option");
    let unreadable = FilterOptions {
        start: Some("yesterday".to_owned()),
        ..FilterOptions::default()
    };
    assert_eq!(code_of(&log, unreadable), "invalid_timestamp");
    for bad in [
        SampleOptions::default(),
        SampleOptions {
            fraction: Some(0.0),
            ..SampleOptions::default()
        },
        SampleOptions {
            fraction: Some(f64::NAN),
            ..SampleOptions::default()
        },
        SampleOptions {
            fraction: Some(1.5),
            ..SampleOptions::default()
        },
        SampleOptions {
            count: Some(0),
            ..SampleOptions::default()
        },
        SampleOptions {
            fraction: Some(0.5),
            count: Some(2),
            seed: 0,
        },
    ] {
        assert_eq!(log.sample(&bad).unwrap_err().code(), "invalid_option");
    }
}

/// The range is half-open: an event at `start` is kept, one at `end` is not.
#[test]
fn the_time_range_is_half_open() {
    let rows: Vec<Row> = (0..5)
        .map(|ts| Row {
            customer: 0,
            ts: ts * 10,
            event: 0,
            channel: 0,
            plan: 0,
            value: None,
        })
        .collect();
    let (log, _) = log_of(&indexed(&rows));
    let kept = log
        .filter(&FilterOptions {
            start: Some("1970-01-01T00:00:10Z".to_owned()),
            end: Some("1970-01-01T00:00:30+00:00".to_owned()),
            ..FilterOptions::default()
        })
        .unwrap();
    let times: Vec<i64> = kept.iter().map(|e| e.timestamp).collect();
    assert_eq!(times, [10_000_000_000, 20_000_000_000]);
}

/// A filter that keeps nothing gives an empty log, a warning in its report, and
/// analyses with empty results (or `unknown_event` for one naming events, as for any
/// log without them).
#[test]
fn an_emptied_log_warns_and_analyses_give_empty_results() {
    let (log, report) = log_of(&indexed(&[Row {
        customer: 0,
        ts: 1,
        event: 0,
        channel: 1,
        plan: 1,
        value: Some(2),
    }]));
    let op = LogOperation::Filter(FilterOptions {
        start: Some("1971-01-01".to_owned()),
        ..FilterOptions::default()
    });
    let (empty, after) = op.apply(&log, &report).unwrap();
    assert!(empty.is_empty());
    assert_eq!(after.rows_used, 0);
    assert_eq!(after.removed_by_operations, 1);
    assert_eq!(after.warnings.len(), 1);
    assert_eq!(after.warnings[0].code, "empty_log");
    // What the bindings show after the operation: its own warning only.
    let codes = |ws: &[IngestWarning]| ws.iter().map(|w| w.code.clone()).collect::<Vec<_>>();
    assert_eq!(codes(after.new_warnings(&report)), ["empty_log"]);
    // The emptied log filtered again: the warning stays in the report, said once.
    let (_, again) = op.apply(&empty, &after).unwrap();
    assert_eq!(again.warnings.len(), 1);
    assert!(again.new_warnings(&after).is_empty());
    // A warning of the ingest is kept in the report and not said again.
    let mut warned = report.clone();
    warned.warnings.push(IngestWarning {
        code: "no_rows_used".to_owned(),
        message: "an ingest warning".to_owned(),
    });
    let (_, after_warned) = op.apply(&log, &warned).unwrap();
    assert_eq!(codes(&after_warned.warnings), ["no_rows_used", "empty_log"]);
    assert_eq!(codes(after_warned.new_warnings(&warned)), ["empty_log"]);
    // An operation that empties nothing says nothing, the ingest's warning kept.
    let keep = LogOperation::Filter(FilterOptions::default());
    let (_, kept) = keep.apply(&log, &warned).unwrap();
    assert_eq!(kept.warnings.len(), 1);
    assert!(kept.new_warnings(&warned).is_empty());
    assert!(after.nothing_used().is_none());
    let funnel = Funnel::events(&["a", "b"]);
    assert_eq!(
        funnel.run(&empty, None).unwrap_err().code(),
        "unknown_event"
    );
    let allowed = funnel
        .with_options(FunnelOptions {
            allow_missing_events: true,
            ..FunnelOptions::default()
        })
        .run(&empty, None)
        .unwrap();
    assert_eq!(allowed.steps[0].customers, 0);
    assert_eq!(allowed.steps[1].customers, 0);
    assert!(empty
        .directly_follows(&DirectlyFollowsOptions::default())
        .unwrap()
        .edges
        .is_empty());
    assert!(empty
        .variants(&VariantOptions::default())
        .unwrap()
        .variants
        .is_empty());
    assert!(empty
        .retention(&RetentionOptions::default())
        .unwrap()
        .cohorts
        .is_empty());
}

/// The report keeps the ingest account and records each operation with its definition.
#[test]
fn the_report_records_each_operation() {
    let rows: Vec<Row> = (0..6)
        .map(|i| Row {
            customer: i % 3,
            ts: i as i64,
            event: i % 2,
            channel: 1,
            plan: 0,
            value: None,
        })
        .collect();
    let (log, report) = log_of(&indexed(&rows));
    let filter = LogOperation::Filter(FilterOptions {
        events: Some(vec!["a".to_owned()]),
        ..FilterOptions::default()
    });
    let (a, r1) = filter.apply(&log, &report).unwrap();
    let sample = LogOperation::Sample(SampleOptions {
        count: Some(1),
        ..SampleOptions::default()
    });
    let (s, r2) = sample.apply(&a, &r1).unwrap();
    assert_eq!(r2.rows_read, 6);
    assert_eq!(r1.rows_used, 3);
    assert_eq!(r2.rows_used, s.len() as u64);
    assert_eq!(r2.removed_by_operations, 6 - s.len() as u64);
    assert_eq!(r2.operations.len(), 2);
    assert_eq!(r2.operations[0].definition.kind, "log_filter");
    assert_eq!(r2.operations[0].definition.params["events"][0], "a");
    assert_eq!(r2.operations[0].events_before, 6);
    assert_eq!(r2.operations[0].events_after, 3);
    assert_eq!(r2.operations[1].definition.kind, "log_sample");
    assert_eq!(r2.operations[1].customers_before, 3);
    assert_eq!(r2.operations[1].customers_after, 1);
    assert_eq!(r2.operations[0].definition.hash.len(), 12);
}

/// The export holds the log's events in its order; building a log from it gives the
/// same events and analyses.
#[test]
fn the_export_rebuilds_the_log() {
    let rows: Vec<Row> = (0..30)
        .map(|i| Row {
            customer: (i * 7) % 6,
            ts: ((i * 13) % 29) as i64,
            event: (i * 3) % 5,
            channel: i % 3,
            plan: (i / 2) % 3,
            value: (i % 4 == 0).then_some(i as i8),
        })
        .collect();
    let (log, _) = log_of(&indexed(&rows));
    let x = log.export();
    fn text<'a>(c: &cjm_core::events::Coded<'a>, i: usize) -> Option<&'a str> {
        let code = c.codes[i];
        (code != cjm_core::events::NO_VALUE).then(|| c.dict[code as usize].as_str())
    }
    let n = x.timestamp_ns.len();
    assert_eq!(n, log.len());
    let customers = x.customers.to_strings();
    let extras: Vec<[Option<&str>; 1]> = (0..n).map(|i| [text(&x.extras[0].1, i)]).collect();
    let raw: Vec<RawEvent<'_>> = (0..n)
        .map(|i| RawEvent {
            customer: Some(customers[x.customer[i] as usize].as_str()),
            timestamp: TimeValue::Ticks(x.timestamp_ns[i]),
            event: text(&x.event, i),
            channel: x.channel.as_ref().and_then(|c| text(c, i)),
            session: x.session.as_ref().and_then(|c| text(c, i)),
            value: x.value.and_then(|v| Some(v[i]).filter(|v| !v.is_nan())),
            consent: None,
            extra: &extras[i],
            row: None,
        })
        .collect();
    let rebuilt = EventLog::from_rows(
        raw,
        IngestOptions {
            time_unit: TimeUnit::Nanoseconds,
            ..options()
        },
    )
    .unwrap()
    .0;
    let strip = |l: &EventLog| -> Vec<String> {
        l.iter()
            .map(|e| {
                format!(
                    "{:?}",
                    (
                        e.customer,
                        e.timestamp,
                        e.event,
                        e.channel,
                        e.session,
                        e.value
                    )
                )
            })
            .collect()
    };
    assert_eq!(strip(&rebuilt), strip(&log));
    assert_eq!(analyses(&rebuilt), analyses(&log));
}

/// Sessions by inactivity, worked by hand with the default gap of 1800 s: u1 at 0, 1800
/// (a gap of exactly 1800 s stays in the session), 3601 (1801 s: a new session), 3700,
/// 10 000 (a new one); u2 alone at 5.
#[test]
fn sessions_open_after_more_than_the_gap() {
    let rows = [
        RawEvent::new("u1", 3601, "c"),
        RawEvent::new("u1", 0, "a"),
        RawEvent::new("u1", 1800, "b"),
        RawEvent::new("u2", 5, "a"),
        RawEvent::new("u1", 10_000, "e"),
        RawEvent::new("u1", 3700, "d"),
    ];
    let (log, report) = EventLog::from_rows(
        rows,
        IngestOptions {
            time_unit: TimeUnit::Seconds,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    let op = LogOperation::Sessionize(SessionOptions::default());
    let (s, after) = op.apply(&log, &report).unwrap();
    let sessions: Vec<(&str, Option<&str>)> = s.iter().map(|e| (e.event, e.session)).collect();
    assert_eq!(
        sessions,
        [
            ("a", Some("u1:1")),
            ("b", Some("u1:1")),
            ("c", Some("u1:2")),
            ("d", Some("u1:2")),
            ("e", Some("u1:3")),
            ("a", Some("u2:1")),
        ]
    );
    // Nothing else changes, and nothing is removed.
    assert_eq!(s.len(), log.len());
    assert_eq!(after.removed_by_operations, 0);
    assert_eq!(after.operations[0].definition.kind, "log_sessionize");
    assert_eq!(after.operations[0].definition.params["gap_seconds"], 1800);
    // A gap of 1799 s splits u1 at 1800 too.
    let tight = log
        .sessionize(&SessionOptions {
            gap_seconds: 1799,
            replace: false,
        })
        .unwrap();
    let ids: Vec<&str> = tight.iter().map(|e| e.session.unwrap()).collect();
    assert_eq!(ids, ["u1:1", "u1:2", "u1:3", "u1:3", "u1:4", "u2:1"]);
    // A log with session ids keeps them unless told to replace them.
    let err = s.sessionize(&SessionOptions::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("replace"), "{err}");
    let replaced = s.sessionize(&SessionOptions {
        gap_seconds: 1799,
        replace: true,
    });
    assert_eq!(replaced.unwrap(), tight);
    let zero = SessionOptions {
        gap_seconds: 0,
        replace: false,
    };
    assert_eq!(log.sessionize(&zero).unwrap_err().code(), "invalid_option");
    // Breakdowns read the new column: 3 sessions of u1, 1 of u2 start with `a` or not.
    let by_session = Funnel::events(&["a"])
        .with_options(FunnelOptions {
            breakdown: Some("session".to_owned()),
            ..FunnelOptions::default()
        })
        .run(&s, None)
        .unwrap();
    assert_eq!(by_session.breakdown.len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The number of sessions of a customer is 1 + the number of gaps between consecutive
    /// events above the gap, and a session's events are consecutive.
    #[test]
    fn sessions_count_the_long_gaps(
        rows in proptest::collection::vec(row_strategy(), 1..40),
        gap in 1u64..12,
    ) {
        let all = indexed(&rows);
        let (log, _) = log_of(&all);
        let s = log.sessionize(&SessionOptions { gap_seconds: gap, replace: true }).unwrap();
        for c in 0..s.customers().len() {
            let events: Vec<_> = s.customer_range(c).map(|i| s.get(i).unwrap()).collect();
            let long = events
                .windows(2)
                .filter(|w| w[1].timestamp - w[0].timestamp > gap as i64 * 1_000_000_000)
                .count();
            let mut distinct: Vec<&str> = events.iter().map(|e| e.session.unwrap()).collect();
            distinct.dedup();
            prop_assert_eq!(distinct.len(), long + 1);
            let mut sorted = distinct.clone();
            sorted.sort_unstable();
            sorted.dedup();
            prop_assert_eq!(sorted.len(), distinct.len());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// An analysis by session equals the same analysis on the log whose customers are the
    /// (customer, session) pairs, whether each customer's sessions are runs of consecutive
    /// events (a view of the log) or interleave (their events regrouped).
    #[test]
    fn sessions_are_the_customers_of_their_own_log(
        rows in proptest::collection::vec(row_strategy(), 1..40),
        interleave in any::<bool>(),
    ) {
        use cjm_core::events::{AnalysisUnit, DirectlyFollowsOptions, FlowOptions, VariantOptions};
        const SESSIONS: [&str; 3] = ["s1", "s2", "s3"];
        // Interleaving: a random session per event; else one per third of the time range.
        let session = |r: &Row| SESSIONS[if interleave { r.plan } else { (r.ts / 10) as usize }];
        let keyed = indexed(&rows);
        let pairs: Vec<String> =
            keyed.iter().map(|(_, r)| format!("{}|{}", CUSTOMERS[r.customer], session(r))).collect();
        let build = |by_pair: bool| {
            let raw = keyed.iter().zip(&pairs).map(|((key, r), pair)| RawEvent {
                customer: Some(if by_pair { pair.as_str() } else { CUSTOMERS[r.customer] }),
                timestamp: TimeValue::Ticks(r.ts),
                event: Some(EVENTS[r.event]),
                channel: CHANNELS[r.channel],
                session: (!by_pair).then(|| session(r)),
                value: None,
                consent: None,
                extra: &[],
                row: Some(*key),
            });
            let options = IngestOptions { time_unit: TimeUnit::Seconds, ..IngestOptions::default() };
            EventLog::from_rows(raw, options).unwrap().0
        };
        let (log, pairs_log) = (build(false), build(true));
        let funnel = |unit| Funnel::events(&["a", "b", "c"]).with_options(FunnelOptions {
            window_seconds: Some(12),
            allow_missing_events: true,
            unit,
            ..FunnelOptions::default()
        });
        prop_assert_eq!(
            funnel(AnalysisUnit::Session).run(&log, None).unwrap().steps,
            funnel(AnalysisUnit::Customer).run(&pairs_log, None).unwrap().steps
        );
        let trend = |f: Funnel, l: &EventLog| {
            let t = f.trends(l, None, &cjm_core::events::FunnelTrendsOptions::default()).unwrap();
            (t.periods, t.entered, t.converted)
        };
        prop_assert_eq!(
            trend(funnel(AnalysisUnit::Session), &log),
            trend(funnel(AnalysisUnit::Customer), &pairs_log)
        );
        let dfg = |unit| DirectlyFollowsOptions { unit, ..DirectlyFollowsOptions::default() };
        prop_assert_eq!(
            log.directly_follows(&dfg(AnalysisUnit::Session)).unwrap().edges,
            pairs_log.directly_follows(&dfg(AnalysisUnit::Customer)).unwrap().edges
        );
        let variants = |unit| VariantOptions { top_k: 50, unit, ..VariantOptions::default() };
        prop_assert_eq!(
            log.variants(&variants(AnalysisUnit::Session)).unwrap().variants,
            pairs_log.variants(&variants(AnalysisUnit::Customer)).unwrap().variants
        );
        let flows = |unit| FlowOptions { steps: 3, min_share: 0.0, unit, ..FlowOptions::default() };
        let (a, b) = (
            log.flows(&flows(AnalysisUnit::Session)).unwrap(),
            pairs_log.flows(&flows(AnalysisUnit::Customer)).unwrap(),
        );
        prop_assert_eq!((a.nodes, a.links), (b.nodes, b.links));
    }
}

/// `unit = session`: the funnel's units are (customer, session) pairs, in `run` and in
/// both mergeable states (partitions of whole customers merged equal the whole).
#[test]
fn session_funnels_keep_attempts_inside_a_session() {
    use cjm_core::events::{AnalysisUnit, FunnelCounts, FunnelState, Mergeable};
    let rows: Vec<Row> = (0..36)
        .map(|i| Row {
            customer: i % 6,
            ts: ((i * 7) % 30) as i64,
            event: (i * 5) % 3,
            channel: 0,
            plan: 0,
            value: None,
        })
        .collect();
    let (log, _) = log_of(&indexed(&rows));
    let funnel = Funnel::events(&["a", "b", "c"]).with_options(FunnelOptions {
        unit: AnalysisUnit::Session,
        ..FunnelOptions::default()
    });
    let whole = funnel.run(&log, None).unwrap();
    assert_eq!(whole.definition.params["options"]["unit"], "session");
    // The oracle: a log whose customers are the (customer, session) pairs.
    let names: Vec<String> = log
        .iter()
        .map(|e| format!("{}/{}", e.customer, e.session.unwrap()))
        .collect();
    let raw: Vec<RawEvent<'_>> = log
        .iter()
        .zip(&names)
        .map(|(e, n)| RawEvent {
            customer: Some(n),
            timestamp: TimeValue::Ticks(e.timestamp),
            event: Some(e.event),
            channel: None,
            session: None,
            value: None,
            consent: None,
            extra: &[],
            row: Some(e.row),
        })
        .collect();
    let (by_pair, _) = EventLog::from_rows(
        raw,
        IngestOptions {
            time_unit: TimeUnit::Nanoseconds,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    let oracle = Funnel::events(&["a", "b", "c"])
        .run(&by_pair, None)
        .unwrap();
    assert_eq!(
        serde_json::to_value(&whole.steps).unwrap(),
        serde_json::to_value(&oracle.steps).unwrap()
    );
    // Different from counting customers on this log.
    let customers = Funnel::events(&["a", "b", "c"]).run(&log, None).unwrap();
    assert_ne!(whole.steps[0].customers, customers.steps[0].customers);
    // Partitions of whole customers, merged.
    let parts: Vec<EventLog> = [vec!["ann", "bob"], vec!["cy", "dee", "eve"], vec!["fay"]]
        .iter()
        .map(|ids| {
            log.filter(&FilterOptions {
                customers: Some(
                    ids.iter()
                        .map(|s| CustomerKey::Str((*s).to_owned()))
                        .collect(),
                ),
                allow_missing: true,
                ..FilterOptions::default()
            })
            .unwrap()
        })
        .collect();
    let counts = parts
        .iter()
        .map(|p| FunnelCounts::from_log(&funnel, p, None).unwrap())
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(counts.finish().unwrap(), whole);
    let state = parts
        .iter()
        .map(|p| FunnelState::from_log(&funnel, p, None).unwrap())
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(state.finish().unwrap(), whole);
    // Without sessions: an error with a code, never counts of customers.
    let funnel = Funnel::events(&["a"]).with_options(FunnelOptions {
        unit: AnalysisUnit::Session,
        ..FunnelOptions::default()
    });
    let plain = EventLog::from_rows([RawEvent::new("u", 1, "a")], IngestOptions::default())
        .unwrap()
        .0;
    assert_eq!(
        funnel.run(&plain, None).unwrap_err().code(),
        "unknown_column"
    );
    let mut some = RawEvent::new("v", 2, "a");
    some.session = Some("s");
    let partial = EventLog::from_rows([RawEvent::new("u", 1, "a"), some], IngestOptions::default())
        .unwrap()
        .0;
    let err = funnel.run(&partial, None).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("sessionize"), "{err}");
}

/// `unit = session` for flows (the vectors cover directly-follows and variants), and the
/// errors: a log without session ids, and the path states, which count customers.
#[test]
fn paths_by_session_and_their_errors() {
    use cjm_core::events::{AnalysisUnit, DirectlyFollowsCounts, FlowOptions};
    // u1: a b in s1, b c in s2; u2: a c in s1.
    let rows = [
        ("u1", 0, "a", "s1"),
        ("u1", 10, "b", "s1"),
        ("u1", 5000, "b", "s2"),
        ("u1", 5010, "c", "s2"),
        ("u2", 0, "a", "s1"),
        ("u2", 20, "c", "s1"),
    ];
    let (log, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e, s)| RawEvent {
            session: Some(s),
            ..RawEvent::new(c, t, e)
        }),
        IngestOptions::default(),
    )
    .unwrap();
    let by_session = FlowOptions {
        steps: 2,
        min_share: 0.0,
        unit: AnalysisUnit::Session,
        ..FlowOptions::default()
    };
    let flows = log.flows(&by_session).unwrap();
    // Units (u1,s1) a b, (u1,s2) b c, (u2,s1) a c: depth 0 a 2, b 1; depth 1 b 1, c 2;
    // links a→b, a→c, b→c one each.
    let nodes: Vec<(usize, &str, u64)> = flows
        .nodes
        .iter()
        .map(|n| (n.depth, n.name.as_str(), n.customers))
        .collect();
    assert_eq!(nodes, [(0, "a", 2), (0, "b", 1), (1, "b", 1), (1, "c", 2)]);
    let links: Vec<(&str, &str, u64)> = flows
        .links
        .iter()
        .map(|l| (l.from.as_str(), l.to.as_str(), l.customers))
        .collect();
    assert_eq!(links, [("a", "b", 1), ("a", "c", 1), ("b", "c", 1)]);
    // By customer, u1's b b collapses: depth 0 a 2; depth 1 b 1 (u1), c 1 (u2).
    let by_customer = log
        .flows(&FlowOptions {
            unit: AnalysisUnit::Customer,
            ..by_session.clone()
        })
        .unwrap();
    let nodes: Vec<(usize, &str, u64)> = by_customer
        .nodes
        .iter()
        .map(|n| (n.depth, n.name.as_str(), n.customers))
        .collect();
    assert_eq!(nodes, [(0, "a", 2), (1, "b", 1), (1, "c", 1)]);

    // A log without session ids: the error names the option and the fix.
    let (plain, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e, _)| RawEvent::new(c, t, e)),
        IngestOptions::default(),
    )
    .unwrap();
    let session_dfg = DirectlyFollowsOptions {
        unit: AnalysisUnit::Session,
        ..DirectlyFollowsOptions::default()
    };
    let e = plain.directly_follows(&session_dfg).unwrap_err();
    assert_eq!(e.code(), "unknown_column", "{e}");
    let e = plain
        .variants(&VariantOptions {
            unit: AnalysisUnit::Session,
            ..VariantOptions::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "unknown_column", "{e}");
    // The mergeable path states count customers and say so.
    let e = DirectlyFollowsCounts::from_log(&log, &session_dfg).unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    assert!(e.to_string().contains("whole customers"), "{e}");
}
