//! Laws of the mergeable states: any split of a log into partitions, merged in any
//! grouping, gives exactly the whole log's result; input order only matters for equal
//! timestamps; reading bytes never panics.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    DirectlyFollowsOptions, EventLog, Exclusion, FlowOptions, Funnel, FunnelCounts, FunnelOptions,
    FunnelOrder, FunnelState, IngestOptions, Mergeable, RawEvent, SequenceState, StepSpec,
    TimeUnit, TimeValue, VariantOptions,
};
use proptest::prelude::*;

const CUSTOMERS: [&str; 6] = ["ann", "bob", "cy", "dee", "eve", "fay"];
const EVENTS: [&str; 5] = ["a", "b", "c", "x", "y"];
const CHANNELS: [Option<&str>; 3] = [None, Some("web"), Some("email")];

#[derive(Debug, Clone, Copy)]
struct Row {
    customer: usize,
    ts: i64,
    event: usize,
    channel: usize,
}

fn row_strategy() -> impl Strategy<Value = Row> {
    (
        0..CUSTOMERS.len(),
        0i64..30,
        0..EVENTS.len(),
        0..CHANNELS.len(),
    )
        .prop_map(|(customer, ts, event, channel)| Row {
            customer,
            ts,
            event,
            channel,
        })
}

/// Builds a log of `rows` where row `i` has global index `keys[i]`.
fn log_of(rows: &[(u64, Row)]) -> EventLog {
    let raw = rows.iter().map(|(key, r)| RawEvent {
        customer: Some(CUSTOMERS[r.customer]),
        timestamp: TimeValue::Ticks(r.ts),
        event: Some(EVENTS[r.event]),
        channel: CHANNELS[r.channel],
        session: None,
        value: None,
        consent: None,
        extra: &[],
        row: Some(*key),
    });
    let options = IngestOptions {
        time_unit: TimeUnit::Seconds,
        ..IngestOptions::default()
    };
    EventLog::from_rows(raw, options).unwrap().0
}

fn funnels() -> Vec<Funnel> {
    let ev = |s: &str| StepSpec::Event(s.to_owned());
    let base = Funnel::events(&["a", "b", "c"]);
    vec![
        base.clone().with_options(FunnelOptions {
            window_seconds: 12,
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            window_seconds: 15,
            step_windows_seconds: vec![None, Some(6), None],
            exclusions: vec![Exclusion {
                step: ev("x"),
                between: [0, 2],
            }],
            as_of: Some("1970-01-01T00:00:20Z".to_owned()),
            breakdown: Some("channel".to_owned()),
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            order: FunnelOrder::Strict,
            window_seconds: 20,
            breakdown: Some("channel".to_owned()),
            ..FunnelOptions::default()
        }),
        base.with_options(FunnelOptions {
            order: FunnelOrder::Any,
            window_seconds: 8,
            ..FunnelOptions::default()
        }),
        Funnel::events(&["a", "a", "b"]),
    ]
}

/// Merges states in the grouping given by `shape` (0: left fold, 1: right fold, 2: pairs).
fn merge_all<S: Mergeable + Clone>(states: Vec<S>, shape: u8) -> S {
    match shape {
        0 => states
            .into_iter()
            .fold(S::identity(), |acc, s| acc.merge(s).unwrap()),
        1 => states
            .into_iter()
            .rev()
            .fold(S::identity(), |acc, s| s.merge(acc).unwrap()),
        _ => {
            let mut level = states;
            while level.len() > 1 {
                let mut next = Vec::new();
                let mut it = level.into_iter();
                while let Some(a) = it.next() {
                    next.push(match it.next() {
                        Some(b) => a.merge(b).unwrap(),
                        None => a,
                    });
                }
                level = next;
            }
            level.pop().unwrap_or_else(S::identity)
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_split_merged_any_way_equals_the_whole(
        rows in prop::collection::vec(row_strategy(), 0..60),
        parts in prop::collection::vec(0usize..4, 60),
        shape in 0u8..3,
        via_bytes in any::<bool>(),
    ) {
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let whole = log_of(&keyed);
        let partitions: Vec<EventLog> = (0..4)
            .map(|p| {
                let mine: Vec<(u64, Row)> = keyed
                    .iter()
                    .filter(|(i, _)| parts[*i as usize] == p)
                    .copied()
                    .collect();
                log_of(&mine)
            })
            .collect();
        let roundtrip = |b: Vec<u8>| b;
        for funnel in funnels() {
            let expected = funnel.run(&whole, None).unwrap();
            let states: Vec<FunnelState> = partitions
                .iter()
                .map(|p| {
                    let s = FunnelState::from_log(&funnel, p, None).unwrap();
                    if via_bytes {
                        FunnelState::from_bytes(&roundtrip(s.to_bytes())).unwrap()
                    } else {
                        s
                    }
                })
                .collect();
            let merged = merge_all(states, shape);
            prop_assert_eq!(merged.finish().unwrap(), expected);
        }
        let states: Vec<SequenceState> = partitions
            .iter()
            .map(|p| {
                let s = SequenceState::from_log(p);
                if via_bytes { SequenceState::from_bytes(&s.to_bytes()).unwrap() } else { s }
            })
            .collect();
        let merged = merge_all(states, shape);
        let whole_state = SequenceState::from_log(&whole);
        prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
        let dfg = DirectlyFollowsOptions::default();
        prop_assert_eq!(merged.finish_directly_follows(&dfg), whole.directly_follows(&dfg));
        let v = VariantOptions { top_k: 5, ..VariantOptions::default() };
        prop_assert_eq!(merged.finish_variants(&v), whole.variants(&v));
        let f = FlowOptions { steps: 3, min_share: 0.2, collapse_repeats: true };
        prop_assert_eq!(merged.finish_flows(&f), whole.flows(&f));
    }

    #[test]
    fn counts_of_customer_partitions_merged_any_way_equal_the_whole(
        rows in prop::collection::vec(row_strategy(), 0..60),
        owner in prop::collection::vec(0usize..3, CUSTOMERS.len()),
        shape in 0u8..3,
        via_bytes in any::<bool>(),
    ) {
        // Partitioned by customer (each customer's rows all in one partition), rows in
        // their global order with their global index.
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let whole = log_of(&keyed);
        let partitions: Vec<EventLog> = (0..3)
            .map(|p| {
                let mine: Vec<(u64, Row)> =
                    keyed.iter().filter(|(_, r)| owner[r.customer] == p).copied().collect();
                log_of(&mine)
            })
            .collect();
        for funnel in funnels() {
            let expected = funnel.run(&whole, None).unwrap();
            let states: Vec<FunnelCounts> = partitions
                .iter()
                .map(|p| {
                    let s = FunnelCounts::from_log(&funnel, p, None).unwrap();
                    if via_bytes { FunnelCounts::from_bytes(&s.to_bytes()).unwrap() } else { s }
                })
                .collect();
            let merged = merge_all(states, shape);
            let whole_state = FunnelCounts::from_log(&funnel, &whole, None).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish().unwrap(), expected);
        }
    }

    #[test]
    fn input_order_does_not_matter_without_ties(
        rows in prop::collection::vec(row_strategy(), 0..50),
        seed in any::<u64>(),
    ) {
        // Keep one row per (customer, timestamp): no ties, so order is fully by time.
        let mut seen = std::collections::HashSet::new();
        let rows: Vec<Row> = rows.into_iter().filter(|r| seen.insert((r.customer, r.ts))).collect();
        let mut shuffled = rows.clone();
        // Deterministic Fisher–Yates from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = log_of(&rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect::<Vec<_>>());
        let b = log_of(&shuffled.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect::<Vec<_>>());
        for funnel in funnels() {
            prop_assert_eq!(funnel.run(&a, None).unwrap(), funnel.run(&b, None).unwrap());
        }
        let dfg = DirectlyFollowsOptions::default();
        prop_assert_eq!(a.directly_follows(&dfg), b.directly_follows(&dfg));
        prop_assert_eq!(a.variants(&VariantOptions::default()), b.variants(&VariantOptions::default()));
    }

    #[test]
    fn reading_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let _ = SequenceState::from_bytes(&bytes);
        let _ = FunnelState::from_bytes(&bytes);
        let mut with_header = b"CJMS\x01\x00\x01".to_vec();
        with_header.extend_from_slice(&bytes);
        let _ = SequenceState::from_bytes(&with_header);
        with_header[6] = 2;
        let _ = FunnelState::from_bytes(&with_header);
        let _ = FunnelCounts::from_bytes(&bytes);
        with_header[6] = 3;
        let _ = FunnelCounts::from_bytes(&with_header);
    }

    #[test]
    fn corrupted_states_never_panic(
        rows in prop::collection::vec(row_strategy(), 1..20),
        flips in prop::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        cut in any::<usize>(),
    ) {
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let log = log_of(&keyed);
        let funnel = &funnels()[1];
        for mut bytes in [
            SequenceState::from_log(&log).to_bytes(),
            FunnelState::from_log(funnel, &log, None).unwrap().to_bytes(),
            FunnelCounts::from_log(funnel, &log, None).unwrap().to_bytes(),
        ] {
            for (at, v) in &flips {
                let n = bytes.len();
                bytes[at % n] ^= v;
            }
            if let Ok(s) = SequenceState::from_bytes(&bytes) {
                let _ = s.finish_directly_follows(&DirectlyFollowsOptions::default());
                let _ = s.finish_variants(&VariantOptions::default());
            }
            if let Ok(s) = FunnelState::from_bytes(&bytes) {
                let _ = s.finish();
            }
            if let Ok(s) = FunnelCounts::from_bytes(&bytes) {
                let _ = s.finish();
            }
            let _ = FunnelState::from_bytes(&bytes[..cut % bytes.len()]);
            let _ = FunnelCounts::from_bytes(&bytes[..cut % bytes.len()]);
        }
    }
}

#[test]
fn garbage_is_an_error_with_a_code() {
    assert_eq!(
        SequenceState::from_bytes(b"").unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(
        SequenceState::from_bytes(b"nope nope").unwrap_err().code(),
        "invalid_state"
    );
    let err = SequenceState::from_bytes(b"CJMS\x09\x00\x01").unwrap_err();
    assert_eq!(err.code(), "unsupported_state_version");
    // A funnel state is not a sequence state.
    let bytes = FunnelState::identity().to_bytes();
    assert_eq!(
        SequenceState::from_bytes(&bytes).unwrap_err().code(),
        "invalid_state"
    );
    assert_eq!(
        FunnelState::from_bytes(&bytes).unwrap(),
        FunnelState::identity()
    );
    // Event-level and count-level funnel states are different kinds.
    assert_eq!(
        FunnelCounts::from_bytes(&bytes).unwrap_err().code(),
        "invalid_state"
    );
    let counts = FunnelCounts::identity().to_bytes();
    assert_eq!(counts[6], 3);
    assert_eq!(
        FunnelCounts::from_bytes(&counts).unwrap(),
        FunnelCounts::identity()
    );
}

#[test]
fn funnel_counts_by_hand() {
    // ann: a@0 b@5 c@9 (converts: 5 s and 9 s); bob: a@0 b@3 (2 steps, 3 s); cy: b@1.
    let row = |customer, ts, event| Row {
        customer,
        ts,
        event,
        channel: 0,
    };
    let rows = [
        row(0, 0, 0),
        row(1, 0, 0),
        row(2, 1, 1),
        row(1, 3, 1),
        row(0, 5, 1),
        row(0, 9, 2),
    ];
    let keyed: Vec<(u64, Row)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64, *r))
        .collect();
    let funnel = Funnel::events(&["a", "b", "c"]);
    let part = |cs: &[usize]| {
        let mine: Vec<(u64, Row)> = keyed
            .iter()
            .filter(|(_, r)| cs.contains(&r.customer))
            .copied()
            .collect();
        FunnelCounts::from_log(&funnel, &log_of(&mine), None).unwrap()
    };
    let merged = part(&[0]).merge(part(&[1, 2])).unwrap();
    let result = merged.finish().unwrap();
    let customers: Vec<u64> = result.steps.iter().map(|s| s.customers).collect();
    assert_eq!(customers, [2, 2, 1]);
    let second = result.steps[1].time_from_first.as_ref().unwrap();
    // Times to step 2: 3 s and 5 s; nearest-rank median = 3 s, p90 = 5 s, mean 4 s.
    assert_eq!(
        (
            second.count,
            second.median_seconds,
            second.p90_seconds,
            second.mean_seconds
        ),
        (2, 3.0, 5.0, 4.0)
    );
    let third = result.steps[2].time_from_previous.as_ref().unwrap();
    assert_eq!((third.count, third.median_seconds), (1, 4.0));
    let other =
        FunnelCounts::from_log(&Funnel::events(&["a", "c"]), &log_of(&keyed), None).unwrap();
    assert_eq!(
        part(&[0]).merge(other).unwrap_err().code(),
        "incompatible_states"
    );
}

#[test]
fn different_funnels_do_not_merge() {
    let log = log_of(&[(
        0,
        Row {
            customer: 0,
            ts: 0,
            event: 0,
            channel: 0,
        },
    )]);
    let a = FunnelState::from_log(&Funnel::events(&["a", "b"]), &log, None).unwrap();
    let b = FunnelState::from_log(&Funnel::events(&["a", "c"]), &log, None).unwrap();
    assert_eq!(a.merge(b).unwrap_err().code(), "incompatible_states");
}
