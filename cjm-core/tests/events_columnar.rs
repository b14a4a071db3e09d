//! The columnar path (`push_batch`, integer ids, batches of any size) against the row
//! path (`push`, the same ids as text): the same rows kept, rejected and filtered, the
//! same events per customer; and the order of the log checked on its own terms
//! (customers by integer value, each customer's events by `(time, row)`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::columns::{
    Bitmap, BoolCol, ColumnBatch, F64Col, I64Col, IdCol, StrCol, TimeCol,
};
use cjm_core::events::{
    ConsentRule, CustomerId, EventLog, EventLogBuilder, IngestOptions, IngestReport, Pseudonymiser,
    RawEvent, TimeUnit, TimeValue,
};
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
struct Row {
    customer: Option<i64>,
    ts: Option<i64>,
    event: Option<&'static str>,
    channel: Option<&'static str>,
    value: Option<f64>,
    consent: Option<bool>,
}

fn row() -> impl Strategy<Value = Row> {
    (
        prop_oneof![
            Just(None),
            (-3i64..3).prop_map(Some),
            Just(Some(i64::MIN)),
            Just(Some(i64::MAX)),
            any::<i64>().prop_map(Some),
        ],
        proptest::option::weighted(0.9, -2i64..3),
        proptest::option::weighted(0.9, prop::sample::select(vec!["a", "b", "", " ", "c\0"])),
        proptest::option::of(prop::sample::select(vec!["x", "y"])),
        proptest::option::of(prop::sample::select(vec![1.0, 2.0, f64::NAN])),
        proptest::option::weighted(0.8, any::<bool>()),
    )
        .prop_map(|(customer, ts, event, channel, value, consent)| Row {
            customer,
            ts,
            event,
            channel,
            value,
            consent,
        })
}

fn bits(valid: impl Iterator<Item = bool>) -> Vec<u8> {
    let valid: Vec<bool> = valid.collect();
    let mut out = vec![0u8; valid.len().div_ceil(8)];
    for (i, v) in valid.into_iter().enumerate() {
        if v {
            out[i / 8] |= 1 << (i % 8);
        }
    }
    out
}

/// Every event of a log as `customer → [(ts, event, channel, value bits, row)]`, in log
/// order.
type Events = BTreeMap<String, Vec<(i64, String, Option<String>, Option<u64>, u64)>>;

fn bitmap(b: &[u8]) -> Option<Bitmap<'_>> {
    Some(Bitmap { bits: b, offset: 0 })
}

fn events(log: &EventLog) -> Events {
    let mut out = Events::new();
    for e in log.iter() {
        out.entry(e.customer.to_string()).or_default().push((
            e.timestamp,
            e.event.to_owned(),
            e.channel.map(str::to_owned),
            e.value.map(f64::to_bits),
            e.row,
        ));
    }
    out
}

/// The report's counts, and per rejection reason its count and first row.
type Summary = (u64, u64, u64, u64, u64, Vec<(String, u64, u64)>);

fn summary(r: &IngestReport) -> Summary {
    (
        r.rows_read,
        r.rows_used,
        r.consent_filtered,
        r.customers,
        r.event_names,
        r.rejected
            .iter()
            .map(|x| (format!("{:?}", x.reason), x.count, x.first_row))
            .collect(),
    )
}

fn builder(dedup: bool, consent: bool, pseudo: bool) -> EventLogBuilder {
    let b = EventLogBuilder::new(IngestOptions {
        dedup,
        consent: if consent {
            ConsentRule::Require
        } else {
            ConsentRule::Ignore
        },
        time_unit: TimeUnit::Nanoseconds,
        ..IngestOptions::default()
    });
    if pseudo {
        b.pseudonymise(Pseudonymiser::new(b"a key of thirty-two bytes, at least").unwrap())
    } else {
        b
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn batches_of_integer_ids_equal_rows_of_text_ids(
        rows in prop::collection::vec(row(), 0..80),
        cuts in prop::collection::vec(0usize..80, 0..4),
        dedup in any::<bool>(),
        consent in any::<bool>(),
        pseudo in any::<bool>(),
        given_rows in any::<bool>(),
    ) {
        compare(&rows, cuts, dedup, consent, pseudo, given_rows)?;
    }
}

/// A log large enough for the ordering's second thread and its several bucket levels:
/// 300,000 rows of 30,000 random 64-bit ids, some rows unusable, in three batches.
#[test]
fn a_large_log_equals_the_row_path() {
    let mut x = 7u64;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 16
    };
    let ids: Vec<i64> = (0..30_000)
        .map(|_| (next() << 16) as i64 ^ next() as i64)
        .collect();
    let rows: Vec<Row> = (0..300_000)
        .map(|i| Row {
            customer: (next() % 1000 != 0).then(|| ids[(next() % 30_000) as usize]),
            ts: Some(i64::from(i / 3)),
            event: Some(["a", "b", "c"][(next() % 3) as usize]),
            channel: (next() % 4 != 0).then(|| ["x", "y"][(next() % 2) as usize]),
            value: None,
            consent: Some(true),
        })
        .collect();
    compare(&rows, vec![100_000, 250_000], false, false, false, false).unwrap();
    compare(&rows, vec![1], true, false, false, true).unwrap();
}

#[allow(
    clippy::fn_params_excessive_bools,
    reason = "the options of the property test"
)]
fn compare(
    rows: &[Row],
    cuts: Vec<usize>,
    dedup: bool,
    consent: bool,
    pseudo: bool,
    given_rows: bool,
) -> Result<(), TestCaseError> {
    // Given row keys run backwards, so that they, not the input order, break ties.
    let key = |i: usize| 1_000_000 - i as u64;
    let texts: Vec<Option<String>> = rows
        .iter()
        .map(|r| r.customer.map(|c| c.to_string()))
        .collect();
    let mut by_row = builder(dedup, consent, pseudo);
    for (i, (r, text)) in rows.iter().zip(&texts).enumerate() {
        by_row
            .push(&RawEvent {
                customer: text.as_deref(),
                timestamp: r.ts.map_or(TimeValue::Missing, TimeValue::Ticks),
                event: r.event,
                channel: r.channel,
                session: None,
                value: r.value,
                consent: r.consent,
                extra: &[],
                row: given_rows.then(|| key(i)),
            })
            .unwrap();
    }
    let (log_a, report_a) = by_row.finish();

    let mut cuts: Vec<usize> = cuts.into_iter().filter(|&c| c <= rows.len()).collect();
    cuts.push(0);
    cuts.push(rows.len());
    cuts.sort_unstable();
    let mut by_batch = builder(dedup, consent, pseudo);
    for w in cuts.windows(2) {
        let chunk = &rows[w[0]..w[1]];
        let ids: Vec<i64> = chunk.iter().map(|r| r.customer.unwrap_or(0)).collect();
        let id_valid = bits(chunk.iter().map(|r| r.customer.is_some()));
        let ts: Vec<i64> = chunk.iter().map(|r| r.ts.unwrap_or(0)).collect();
        let ts_valid = bits(chunk.iter().map(|r| r.ts.is_some()));
        let ev: Vec<Option<&str>> = chunk.iter().map(|r| r.event).collect();
        let ch: Vec<Option<&str>> = chunk.iter().map(|r| r.channel).collect();
        let val: Vec<f64> = chunk.iter().map(|r| r.value.unwrap_or(0.0)).collect();
        let val_valid = bits(chunk.iter().map(|r| r.value.is_some()));
        let consent_bits = bits(chunk.iter().map(|r| r.consent == Some(true)));
        let consent_valid = bits(chunk.iter().map(|r| r.consent.is_some()));
        let keys: Vec<i64> = (w[0]..w[1]).map(|i| key(i) as i64).collect();
        by_batch
            .push_batch(&ColumnBatch {
                customer: vec![IdCol::Int(I64Col {
                    values: &ids,
                    validity: bitmap(&id_valid),
                })],
                timestamp: TimeCol::Ticks {
                    values: I64Col {
                        values: &ts,
                        validity: bitmap(&ts_valid),
                    },
                    unit: TimeUnit::Nanoseconds,
                },
                event: StrCol::strs(&ev),
                channel: Some(StrCol::strs(&ch)),
                session: None,
                value: Some(F64Col {
                    values: &val,
                    validity: bitmap(&val_valid),
                }),
                consent: Some(BoolCol {
                    values: Bitmap {
                        bits: &consent_bits,
                        offset: 0,
                    },
                    validity: bitmap(&consent_valid),
                    len: chunk.len(),
                }),
                extra: Vec::new(),
                row: given_rows.then_some(I64Col {
                    values: &keys,
                    validity: None,
                }),
            })
            .unwrap();
    }
    let (log_b, report_b) = by_batch.finish();

    prop_assert_eq!(summary(&report_a), summary(&report_b));
    prop_assert_eq!(report_a.rows_read, rows.len() as u64);
    prop_assert_eq!(events(&log_a), events(&log_b));

    // The order on its own terms: customers ascending (by value for integer ids, by
    // text for pseudonyms), each customer's events by (time, row), rows distinct.
    let customers: Vec<CustomerId<'_>> = log_b.customers().iter().collect();
    for pair in customers.windows(2) {
        match (&pair[0], &pair[1]) {
            (CustomerId::Int(a), CustomerId::Int(b)) => prop_assert!(a < b),
            (CustomerId::Str(a), CustomerId::Str(b)) => prop_assert!(a < b),
            other => prop_assert!(false, "mixed customer ids {:?}", other),
        }
    }
    prop_assert!(customers
        .iter()
        .all(|c| matches!(c, CustomerId::Str(_)) == pseudo));
    for c in 0..customers.len() {
        let keys: Vec<(i64, u64)> = log_b
            .customer_range(c)
            .map(|i| {
                let e = log_b.get(i).unwrap();
                (e.timestamp, e.row)
            })
            .collect();
        prop_assert!(!keys.is_empty());
        prop_assert!(
            keys.windows(2).all(|k| k[0] < k[1]),
            "customer {} out of order: {:?}",
            c,
            keys
        );
    }
    Ok(())
}

/// More than 65,535 event names: the sort can no longer pack event and channel codes in
/// one word and looks channels up by row. Each event keeps the channel of its input row.
#[test]
fn channels_stay_with_their_events_beyond_16_bit_codes() {
    let n = 70_000;
    let names: Vec<String> = (0..n).map(|i| format!("e{i}")).collect();
    let customers: Vec<Option<&str>> = (0..n).map(|i| Some(["a", "b", "c"][i % 3])).collect();
    let ts: Vec<Option<i64>> = (0..n).map(|i| Some((n - i) as i64)).collect();
    let events: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
    let channels: Vec<Option<&str>> = (0..n)
        .map(|i| {
            if i % 7 == 0 {
                None
            } else {
                Some(["x", "y"][i % 2])
            }
        })
        .collect();
    let (log, _) = EventLog::from_columns(
        &cjm_core::events::Columns {
            customer: &customers,
            timestamp: &ts,
            event: &events,
            channel: Some(&channels),
            ..Default::default()
        },
        EventLogBuilder::new(IngestOptions {
            time_unit: TimeUnit::Nanoseconds,
            ..IngestOptions::default()
        }),
    )
    .unwrap();
    assert_eq!(log.len(), n);
    for e in log.iter() {
        let i: usize = e.event[1..].parse().unwrap();
        assert_eq!(e.channel, channels[i], "event {}", e.event);
        assert_eq!(e.timestamp, (n - i) as i64);
    }
}

/// A log long enough for two threads (the scatter and the in-place writing of the
/// sorted columns), against an independent reference: the input rows sorted by
/// `(customer, time, row)` with the standard library's sort. Times are random, so most
/// customers' rows arrive out of time order, with ties broken by the row (given row
/// keys run backwards); channels are either few (packed with the event in the ordering)
/// or 70,000 distinct (looked up by row); integer ids are also pseudonymised, where the
/// order is that of the pseudonyms.
#[test]
fn a_large_log_is_its_rows_sorted() {
    let n = 400_000usize;
    let mut x = 11u64;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 16
    };
    let ids: Vec<i64> = (0..40_000)
        .map(|_| (next() << 20) as i64 ^ next() as i64)
        .collect();
    let customer: Vec<i64> = (0..n).map(|_| ids[(next() % 40_000) as usize]).collect();
    let ts: Vec<i64> = (0..n).map(|_| (next() % 50) as i64).collect();
    let events = ["a", "b", "c"];
    let event: Vec<Option<&str>> = (0..n)
        .map(|_| Some(events[(next() % 3) as usize]))
        .collect();
    let many: Vec<String> = (0..70_000).map(|i| format!("ch{i}")).collect();
    let key = |i: usize| (10 * n - i) as i64;
    let keys: Vec<i64> = (0..n).map(key).collect();
    let pseudonymiser = Pseudonymiser::new(b"a key of thirty-two bytes, at least").unwrap();
    for (distinct, given_rows, pseudo) in [
        (2usize, false, false),
        (70_000, true, false),
        (2, true, true),
    ] {
        let channel: Vec<Option<&str>> = (0..n)
            .map(|_| Some(many[(next() % distinct as u64) as usize].as_str()))
            .collect();
        let mut b = EventLogBuilder::new(IngestOptions {
            time_unit: TimeUnit::Nanoseconds,
            ..IngestOptions::default()
        });
        if pseudo {
            b = b.pseudonymise(pseudonymiser.clone());
        }
        // Two batches, so that rows come from more than one push.
        for (a, z) in [(0, n / 3), (n / 3, n)] {
            b.push_batch(&ColumnBatch {
                customer: vec![IdCol::Int(I64Col {
                    values: &customer[a..z],
                    validity: None,
                })],
                timestamp: TimeCol::Ticks {
                    values: I64Col {
                        values: &ts[a..z],
                        validity: None,
                    },
                    unit: TimeUnit::Nanoseconds,
                },
                event: StrCol::strs(&event[a..z]),
                channel: Some(StrCol::strs(&channel[a..z])),
                session: None,
                value: None,
                consent: None,
                extra: Vec::new(),
                row: given_rows.then_some(I64Col {
                    values: &keys[a..z],
                    validity: None,
                }),
            })
            .unwrap();
        }
        let (log, report) = b.finish();
        assert_eq!(report.rows_used, n as u64);
        let row = |i: usize| if given_rows { key(i) as u64 } else { i as u64 };
        let name = |i: usize| {
            let id = customer[i].to_string();
            if pseudo {
                pseudonymiser.pseudonym(&id)
            } else {
                id
            }
        };
        let mut expected: Vec<(String, i64, u64, &str, &str)> = (0..n)
            .map(|i| {
                (
                    name(i),
                    ts[i],
                    row(i),
                    event[i].unwrap(),
                    channel[i].unwrap(),
                )
            })
            .collect();
        if pseudo {
            expected.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
        } else {
            // Integer ids are ordered as integers, not as text.
            expected.sort_by_key(|e| (e.0.parse::<i64>().unwrap(), e.1, e.2));
        }
        let got: Vec<(String, i64, u64, &str, &str)> = log
            .iter()
            .map(|e| {
                (
                    e.customer.to_string(),
                    e.timestamp,
                    e.row,
                    e.event,
                    e.channel.unwrap(),
                )
            })
            .collect();
        assert_eq!(got.len(), expected.len());
        assert!(
            got == expected,
            "case {distinct} channels, given rows {given_rows}, pseudonyms {pseudo}"
        );
        assert_eq!(log.customers().len(), {
            let mut c = customer.clone();
            c.sort_unstable();
            c.dedup();
            c.len()
        });
    }
}

/// Order keys are global row indices: a null or a negative one is refused with
/// `invalid_option` and its row (counted from the builder's row offset), and nothing of
/// the batch is kept. They used to fall back silently to the running index.
#[test]
fn null_and_negative_order_keys_are_refused_with_their_row() {
    let ids = [1i64, 2, 3];
    let ts = [10i64, 20, 30];
    let ev = [Some("a"), Some("b"), Some("c")];
    for (keys, validity, bad) in [
        (vec![4i64, -1, 6], None, 1usize),
        (vec![4i64, 5, 6], Some(vec![0b011u8]), 2),
    ] {
        let mut b = EventLogBuilder::new(IngestOptions {
            row_offset: 100,
            ..IngestOptions::default()
        });
        let batch = ColumnBatch {
            customer: vec![IdCol::Int(I64Col {
                values: &ids,
                validity: None,
            })],
            timestamp: TimeCol::Ticks {
                values: I64Col {
                    values: &ts,
                    validity: None,
                },
                unit: TimeUnit::Seconds,
            },
            event: StrCol::strs(&ev),
            channel: None,
            session: None,
            value: None,
            consent: None,
            extra: Vec::new(),
            row: Some(I64Col {
                values: &keys,
                validity: validity.as_ref().map(|v| Bitmap { bits: v, offset: 0 }),
            }),
        };
        let e = b.push_batch(&batch).unwrap_err();
        assert_eq!(e.code(), "invalid_option");
        assert_eq!(e.row(), Some(100 + bad));
        assert!(
            e.to_string()
                .contains("non-negative integers without nulls"),
            "{e}"
        );
        assert_eq!(b.finish().0.len(), 0);
    }
}
