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
    BreakdownAttribution, CohortType, DirectlyFollowsCounts, DirectlyFollowsOptions, EventLog,
    EventMatch, Exclusion, FlowCounts, FlowOptions, Funnel, FunnelCounts, FunnelOptions,
    FunnelOrder, FunnelState, IngestOptions, Mergeable, RawEvent, RetentionCounts, RetentionMode,
    RetentionOptions, RetentionPeriod, SequenceState, StepSpec, TimeUnit, TimeValue, TrafficCounts,
    TrendsCounts, TrendsOptions, VariantCounts, VariantOptions,
};
use cjm_core::ValidJourney;
use common::{refused_by_fields, seal, unseal};
use proptest::prelude::*;

mod common;

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

/// Random logs may lack a step event or every channel value; the funnels here allow
/// missing events (a whole log would otherwise be an `unknown_event` error where its
/// partitions' states are not), and [`with_a_channel`] gives the breakdowns a value.
fn funnels() -> Vec<Funnel> {
    let ev = |s: &str| StepSpec::Event(s.to_owned());
    let base = Funnel::events(&["a", "b", "c"]);
    let all: Vec<Funnel> = vec![
        base.clone().with_options(FunnelOptions {
            window_seconds: Some(12),
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            window_seconds: Some(15),
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
            window_seconds: Some(20),
            breakdown: Some("channel".to_owned()),
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            window_seconds: Some(10),
            breakdown: Some("channel".to_owned()),
            breakdown_attribution: BreakdownAttribution::LastTouch,
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            window_seconds: Some(15),
            exclusions: vec![Exclusion {
                step: ev("x"),
                between: [1, 2],
            }],
            breakdown: Some("channel".to_owned()),
            breakdown_attribution: BreakdownAttribution::Step(2),
            ..FunnelOptions::default()
        }),
        base.clone().with_options(FunnelOptions {
            order: FunnelOrder::Strict,
            window_seconds: Some(20),
            breakdown: Some("channel".to_owned()),
            breakdown_attribution: BreakdownAttribution::Step(3),
            ..FunnelOptions::default()
        }),
        base.with_options(FunnelOptions {
            order: FunnelOrder::Any,
            window_seconds: Some(8),
            breakdown: Some("channel".to_owned()),
            breakdown_attribution: BreakdownAttribution::FirstTouch,
            ..FunnelOptions::default()
        }),
        Funnel::events(&["a", "a", "b"]),
    ];
    all.into_iter()
        .map(|f| {
            let options = FunnelOptions {
                allow_missing_events: true,
                ..f.options.clone()
            };
            f.with_options(options)
        })
        .collect()
}

/// Prepends a row with a channel (fay, `y` via web at 29 s), so that a breakdown by
/// channel of any generated log has a value to read (a log without any is an
/// `unknown_column` error).
fn with_a_channel(mut rows: Vec<Row>) -> Vec<Row> {
    rows.insert(
        0,
        Row {
            customer: 5,
            ts: 29,
            event: 4,
            channel: 1,
        },
    );
    rows
}

/// A map binding `a` and `b` (stage s1, `b` twice), `b` and `c` (stage s2); stage s3 has
/// no touchpoint; `x` and `y` are unmapped.
fn journey() -> ValidJourney {
    cjm_core::load_str(
        r#"{
        "schema_version": 1, "id": "j", "name": "J",
        "stages": [{"id": "s1", "name": "One"}, {"id": "s2", "name": "Two"}, {"id": "s3", "name": "Three"}],
        "channels": [{"id": "web", "name": "Web", "kind": "online"}],
        "touchpoints": [
            {"id": "t1", "name": "T1", "stage": "s1", "channel": "web", "events": ["a", "b", "b"]},
            {"id": "t2", "name": "T2", "stage": "s2", "channel": "web", "events": ["c", "b"]}
        ]
    }"#,
    )
    .unwrap()
}

/// Retention tables (every option) over the generated logs, whose timestamps [`spread`]
/// puts on several days.
fn retention_options() -> Vec<RetentionOptions> {
    let one = |s: &str| Some(EventMatch::One(s.to_owned()));
    vec![
        RetentionOptions {
            periods: 3,
            allow_missing_events: true,
            ..RetentionOptions::default()
        },
        RetentionOptions {
            start_event: one("a"),
            return_event: Some(EventMatch::AnyOf(vec!["b".into(), "c".into()])),
            periods: 4,
            mode: RetentionMode::OnOrAfter,
            cohort: CohortType::Recurring,
            breakdown: Some("channel".to_owned()),
            allow_missing_events: true,
            ..RetentionOptions::default()
        },
        RetentionOptions {
            start_event: Some(EventMatch::AnyOf(vec!["a".into(), "x".into()])),
            return_event: one("y"),
            period: RetentionPeriod::Week,
            periods: 2,
            time_zone: "-05:30".to_owned(),
            as_of: Some("1970-01-20T00:00:00Z".to_owned()),
            breakdown: Some("channel".to_owned()),
            allow_missing_events: true,
            ..RetentionOptions::default()
        },
        RetentionOptions {
            period: RetentionPeriod::Month,
            periods: 1,
            cohort: CohortType::Recurring,
            time_zone: "+14:00".to_owned(),
            allow_missing_events: true,
            ..RetentionOptions::default()
        },
    ]
}

/// Trends (every option) over the generated logs, whose timestamps [`spread`] puts on
/// several days.
fn trends_options() -> Vec<TrendsOptions> {
    vec![
        TrendsOptions::default(),
        TrendsOptions {
            events: Some(vec!["a".into(), "y".into()]),
            period: RetentionPeriod::Week,
            time_zone: "-05:30".to_owned(),
            breakdown: Some("channel".to_owned()),
            allow_missing_events: true,
            ..TrendsOptions::default()
        },
        TrendsOptions {
            period: RetentionPeriod::Month,
            time_zone: "+14:00".to_owned(),
            since: Some("1970-01-03".to_owned()),
            as_of: Some("1970-01-20T00:00:00Z".to_owned()),
            breakdown: Some("channel".to_owned()),
            ..TrendsOptions::default()
        },
    ]
}

/// The rows with their timestamps spread over days (`ts` days and `ts` seconds), so that
/// retention tables have several cohorts and periods.
fn spread(rows: &[(u64, Row)]) -> Vec<(u64, Row)> {
    rows.iter()
        .map(|(i, r)| {
            (
                *i,
                Row {
                    ts: r.ts * 86_400 + r.ts,
                    ..*r
                },
            )
        })
        .collect()
}

fn dfg_options() -> Vec<DirectlyFollowsOptions> {
    vec![
        DirectlyFollowsOptions {
            start_end: true,
            ..DirectlyFollowsOptions::default()
        },
        DirectlyFollowsOptions {
            start_end: false,
            ..DirectlyFollowsOptions::default()
        },
    ]
}

fn variant_options() -> Vec<VariantOptions> {
    vec![
        VariantOptions {
            top_k: 3,
            ..VariantOptions::default()
        },
        VariantOptions {
            top_k: 100,
            max_length: Some(2),
            collapse_repeats: true,
            ..VariantOptions::default()
        },
        VariantOptions {
            top_k: 2,
            max_length: Some(0),
            collapse_repeats: false,
            ..VariantOptions::default()
        },
    ]
}

fn flow_options() -> Vec<FlowOptions> {
    vec![
        FlowOptions {
            steps: 3,
            min_share: 0.2,
            collapse_repeats: true,
            ..FlowOptions::default()
        },
        FlowOptions {
            steps: 4,
            min_share: 0.0,
            collapse_repeats: false,
            ..FlowOptions::default()
        },
        FlowOptions {
            steps: 2,
            min_share: 1.0,
            collapse_repeats: false,
            ..FlowOptions::default()
        },
        FlowOptions {
            steps: 0,
            ..FlowOptions::default()
        },
    ]
}

/// Reads a state back from its bytes when `via_bytes`.
fn maybe_via_bytes<S: Mergeable>(s: S, via_bytes: bool) -> S {
    if via_bytes {
        S::from_bytes(&s.to_bytes()).unwrap()
    } else {
        s
    }
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
        let rows = with_a_channel(rows);
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
        prop_assert_eq!(merged.finish_directly_follows(&dfg).unwrap(), whole.directly_follows(&dfg).unwrap());
        let v = VariantOptions { top_k: 5, ..VariantOptions::default() };
        prop_assert_eq!(merged.finish_variants(&v).unwrap(), whole.variants(&v).unwrap());
        let f = FlowOptions { steps: 3, min_share: 0.2, collapse_repeats: true, ..FlowOptions::default() };
        prop_assert_eq!(merged.finish_flows(&f).unwrap(), whole.flows(&f).unwrap());
    }

    /// Under `first_touch` and `last_touch` every customer is in one group: the value of
    /// their earliest (latest) step event that has one, found here from the rows by hand.
    /// Each group's funnel is then the plain funnel of its customers' rows alone.
    #[test]
    fn a_touch_group_is_the_funnel_of_its_customers(
        rows in prop::collection::vec(row_strategy(), 1..60),
        last in any::<bool>(),
        order in prop::sample::select(vec![FunnelOrder::Sequential, FunnelOrder::Strict, FunnelOrder::Any]),
    ) {
        let rows = with_a_channel(rows);
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let plain = FunnelOptions {
            order,
            window_seconds: Some(10),
            allow_missing_events: true,
            ..FunnelOptions::default()
        };
        let how = if last { BreakdownAttribution::LastTouch } else { BreakdownAttribution::FirstTouch };
        let funnel = Funnel::events(&["a", "b", "c"]);
        let grouped = funnel
            .clone()
            .with_options(FunnelOptions {
                breakdown: Some("channel".to_owned()),
                breakdown_attribution: how,
                ..plain.clone()
            })
            .run(&log_of(&keyed), None)
            .unwrap();
        // Each customer's touch: their step events (a, b, c) in log order, time then input.
        let touch: Vec<Option<usize>> = (0..CUSTOMERS.len())
            .map(|c| {
                let mut mine: Vec<&(u64, Row)> = keyed
                    .iter()
                    .filter(|(_, r)| r.customer == c && r.event < 3 && CHANNELS[r.channel].is_some())
                    .collect();
                mine.sort_by_key(|(i, r)| (r.ts, *i));
                if last { mine.last() } else { mine.first() }.map(|(_, r)| r.channel)
            })
            .collect();
        let mut seen = 0;
        for group in &grouped.breakdown {
            let mine: Vec<(u64, Row)> = keyed
                .iter()
                .filter(|(_, r)| touch[r.customer].and_then(|ch| CHANNELS[ch]) == group.value.as_deref())
                .copied()
                .collect();
            let alone = funnel.clone().with_options(plain.clone()).run(&log_of(&mine), None).unwrap();
            prop_assert_eq!(&group.steps, &alone.steps, "group {:?}", group.value);
            prop_assert_eq!(group.excluded, alone.excluded);
            seen += group.steps[0].customers;
        }
        // One group per customer: the groups' entrants add up to the funnel's.
        prop_assert_eq!(seen, grouped.steps[0].customers);
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
        let rows = with_a_channel(rows);
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let whole = log_of(&keyed);
        let partitions: Vec<EventLog> = (0..3)
            .map(|p| {
                let mine: Vec<(u64, Row)> =
                    keyed.iter().filter(|(_, r)| owner[r.customer] == p).copied().collect();
                log_of(&mine)
            })
            .collect();
        // Retention over the same customers, timestamps spread over days.
        let days: Vec<(u64, Row)> = spread(&keyed);
        let whole_days = log_of(&days);
        let parts_days: Vec<EventLog> = (0..3)
            .map(|p| {
                let mine: Vec<(u64, Row)> =
                    days.iter().filter(|(_, r)| owner[r.customer] == p).copied().collect();
                log_of(&mine)
            })
            .collect();
        for o in retention_options() {
            let expected = whole_days.retention(&o).unwrap();
            let states: Vec<RetentionCounts> = parts_days
                .iter()
                .map(|p| maybe_via_bytes(RetentionCounts::from_log(&o, p).unwrap(), via_bytes))
                .collect();
            let merged = merge_all(states, shape);
            let whole_state = RetentionCounts::from_log(&o, &whole_days).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish().unwrap(), expected);
        }
        for o in trends_options() {
            let expected = whole_days.trends(&o).unwrap();
            let states: Vec<TrendsCounts> = parts_days
                .iter()
                .map(|p| maybe_via_bytes(TrendsCounts::from_log(&o, p).unwrap(), via_bytes))
                .collect();
            let merged = merge_all(states, shape);
            let whole_state = TrendsCounts::from_log(&o, &whole_days).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish().unwrap().unwrap(), expected);
        }
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
    fn sequence_counts_of_customer_partitions_merged_any_way_equal_the_whole(
        rows in prop::collection::vec(row_strategy(), 0..60),
        owner in prop::collection::vec(0usize..4, CUSTOMERS.len()),
        shape in 0u8..3,
        via_bytes in any::<bool>(),
    ) {
        // Partitioned by customer: whole customers per partition, global row indices.
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        let whole = log_of(&keyed);
        let partitions: Vec<EventLog> = (0..4)
            .map(|p| {
                let mine: Vec<(u64, Row)> =
                    keyed.iter().filter(|(_, r)| owner[r.customer] == p).copied().collect();
                log_of(&mine)
            })
            .collect();
        for o in dfg_options() {
            let states = partitions
                .iter()
                .map(|p| maybe_via_bytes(DirectlyFollowsCounts::from_log(p, &o).unwrap(), via_bytes))
                .collect();
            let merged: DirectlyFollowsCounts = merge_all(states, shape);
            let whole_state = DirectlyFollowsCounts::from_log(&whole, &o).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish().unwrap(), whole.directly_follows(&o).unwrap());
        }
        for o in variant_options() {
            let states = partitions
                .iter()
                .map(|p| maybe_via_bytes(VariantCounts::from_log(p, &o).unwrap(), via_bytes))
                .collect();
            let merged: VariantCounts = merge_all(states, shape);
            let whole_state = VariantCounts::from_log(&whole, &o).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish(o.top_k).unwrap(), whole.variants(&o).unwrap());
        }
        for o in flow_options() {
            let states = partitions
                .iter()
                .map(|p| maybe_via_bytes(FlowCounts::from_log(p, &o).unwrap(), via_bytes))
                .collect();
            let merged: FlowCounts = merge_all(states, shape);
            let whole_state = FlowCounts::from_log(&whole, &o).unwrap();
            prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
            prop_assert_eq!(merged.finish(o.min_share).unwrap().unwrap(), whole.flows(&o).unwrap());
        }
        let j = journey();
        let states = partitions
            .iter()
            .map(|p| maybe_via_bytes(TrafficCounts::from_log(p, &j), via_bytes))
            .collect();
        let merged: TrafficCounts = merge_all(states, shape);
        let whole_state = TrafficCounts::from_log(&whole, &j);
        prop_assert_eq!(merged.to_bytes(), whole_state.to_bytes());
        prop_assert_eq!(merged.finish().unwrap(), whole.traffic(&j));
    }

    #[test]
    fn input_order_does_not_matter_without_ties(
        rows in prop::collection::vec(row_strategy(), 0..50),
        seed in any::<u64>(),
    ) {
        // Keep one row per (customer, timestamp): no ties, so order is fully by time.
        let rows = with_a_channel(rows);
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
        prop_assert_eq!(a.directly_follows(&dfg).unwrap(), b.directly_follows(&dfg).unwrap());
        prop_assert_eq!(a.variants(&VariantOptions::default()).unwrap(), b.variants(&VariantOptions::default()).unwrap());
    }

    #[test]
    fn reading_any_bytes_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        kind in 0u8..20,
    ) {
        // Raw bytes (refused by magic or checksum), and the same bytes as the fields of
        // a state of each kind with a valid header and checksum, so that they reach the
        // state's own field checks.
        exercise_every_decoder(&bytes);
        let mut body = b"CJMS\x02\x00".to_vec();
        body.push(kind);
        body.extend_from_slice(&bytes);
        exercise_every_decoder(&seal(body));
    }

    #[test]
    fn corrupted_states_never_panic(
        rows in prop::collection::vec(row_strategy(), 1..20),
        flips in prop::collection::vec((any::<usize>(), 1u8..), 1..4),
        cut in any::<usize>(),
    ) {
        let keyed: Vec<(u64, Row)> = rows.iter().enumerate().map(|(i, r)| (i as u64, *r)).collect();
        for bytes in every_kind_of_state(&log_of(&keyed)) {
            // Damage in storage or transit: the checksum refuses it, whatever the field.
            let mut damaged = bytes.clone();
            for (at, v) in &flips {
                let n = damaged.len();
                damaged[at % n] ^= v;
            }
            if damaged != bytes {
                for result in decode_with_every_decoder(&damaged) {
                    let code = result.unwrap_err().code();
                    prop_assert!(
                        ["invalid_state", "unsupported_state_version"].contains(&code),
                        "{}", code
                    );
                }
            }
            // Crafted fields with a valid checksum reach the state's own checks: a state
            // that still reads is finished and merged with itself without a panic.
            let mut crafted = unseal(&bytes);
            for (at, v) in &flips {
                let n = crafted.len();
                crafted[at % n] ^= v;
            }
            exercise_every_decoder(&seal(crafted.clone()));
            let cut = &crafted[..cut % crafted.len()];
            exercise_every_decoder(&seal(cut.to_vec()));
            exercise_every_decoder(cut);
        }
    }
}

/// One state of every kind (event, count, survey and attribution states) from `log`.
fn every_kind_of_state(log: &EventLog) -> Vec<Vec<u8>> {
    use cjm_core::attribution::{PathCounts, PathOptions, TransitionCounts};
    use cjm_core::scoring::{NpsState, ScaleState, SurveyOptions, SurveyState, SurveyTable};
    let funnel = &funnels()[1];
    let mut states = vec![
        SequenceState::from_log(log).to_bytes(),
        FunnelState::from_log(funnel, log, None).unwrap().to_bytes(),
        FunnelCounts::from_log(funnel, log, None)
            .unwrap()
            .to_bytes(),
        DirectlyFollowsCounts::from_log(log, &DirectlyFollowsOptions::default())
            .unwrap()
            .to_bytes(),
        VariantCounts::from_log(log, &variant_options()[1])
            .unwrap()
            .to_bytes(),
        FlowCounts::from_log(log, &flow_options()[0])
            .unwrap()
            .to_bytes(),
        TrafficCounts::from_log(log, &journey()).to_bytes(),
        RetentionCounts::from_log(&retention_options()[1], log)
            .unwrap()
            .to_bytes(),
        TrendsCounts::from_log(&trends_options()[1], log)
            .unwrap()
            .to_bytes(),
    ];
    // Survey answers derived from the log's timestamps.
    let answers: Vec<Option<f64>> = log
        .iter()
        .map(|e| e.timestamp / 1_000_000_000)
        .map(|t| (t % 12 != 11).then_some((t % 11) as f64))
        .collect();
    let mut nps = NpsState::identity();
    nps.extend(0, &answers).unwrap();
    let mut scale = ScaleState::identity(10);
    for (row, &a) in answers.iter().enumerate() {
        scale
            .push("csat", row, a.map(|x| x.clamp(1.0, 10.0)))
            .unwrap();
    }
    let table = SurveyTable {
        scope: answers
            .iter()
            .map(|a| a.map(|x| format!("s{}", x as i64 % 3)))
            .collect(),
        segment: vec![],
        nps: Some(answers.clone()),
        csat: Some(
            answers
                .iter()
                .map(|a| a.map(|x| x.clamp(1.0, 5.0)))
                .collect(),
        ),
        ces: None,
    };
    let mut survey = SurveyState::identity(&SurveyOptions::default()).unwrap();
    survey.extend(0, &table).unwrap();
    states.extend([nps.to_bytes(), scale.to_bytes(), survey.to_bytes()]);
    let paths = PathCounts::from_log(
        log,
        None,
        &PathOptions {
            conversion_events: vec!["y".into()],
            allow_missing_events: true,
            ..PathOptions::default()
        },
    )
    .unwrap();
    states.push(TransitionCounts::from_paths(&paths, 1).unwrap().to_bytes());
    states.push(paths.to_bytes());
    states
}

/// `bytes` read as a state of every kind (the error of each decoder, or `Ok(())`).
fn decode_with_every_decoder(bytes: &[u8]) -> Vec<cjm_core::Result<()>> {
    use cjm_core::attribution::{PathCounts, TransitionCounts};
    use cjm_core::scoring::{NpsState, ScaleState, SurveyState};
    vec![
        SequenceState::from_bytes(bytes).map(drop),
        FunnelState::from_bytes(bytes).map(drop),
        FunnelCounts::from_bytes(bytes).map(drop),
        DirectlyFollowsCounts::from_bytes(bytes).map(drop),
        VariantCounts::from_bytes(bytes).map(drop),
        FlowCounts::from_bytes(bytes).map(drop),
        TrafficCounts::from_bytes(bytes).map(drop),
        RetentionCounts::from_bytes(bytes).map(drop),
        TrendsCounts::from_bytes(bytes).map(drop),
        NpsState::from_bytes(bytes).map(drop),
        ScaleState::from_bytes(bytes).map(drop),
        SurveyState::from_bytes(bytes).map(drop),
        PathCounts::from_bytes(bytes).map(drop),
        TransitionCounts::from_bytes(bytes).map(drop),
    ]
}

/// Reads `bytes` as a state of every kind; each state that reads is finished, and merged
/// with itself and finished again. Nothing may panic (`make test` runs this with overflow
/// checks on).
fn exercise_every_decoder(bytes: &[u8]) {
    use cjm_core::attribution::{AttributionOptions, PathCounts, TransitionCounts};
    use cjm_core::scoring::{NpsState, ScaleMethod, ScaleState, SurveyOptions, SurveyState};
    if let Ok(s) = SequenceState::from_bytes(bytes) {
        let _ = s.finish_directly_follows(&DirectlyFollowsOptions::default());
        let _ = s.finish_variants(&VariantOptions::default());
        let _ = s
            .clone()
            .merge(s)
            .map(|m| m.finish_variants(&VariantOptions::default()));
    }
    if let Ok(s) = FunnelState::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(s) = FunnelCounts::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(s) = DirectlyFollowsCounts::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(s) = VariantCounts::from_bytes(bytes) {
        let _ = s.finish(3);
        let _ = s.clone().merge(s).map(|m| m.finish(3));
    }
    if let Ok(s) = FlowCounts::from_bytes(bytes) {
        let _ = s.finish(0.2);
        let _ = s.clone().merge(s).map(|m| m.finish(0.2));
    }
    if let Ok(s) = TrafficCounts::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(s) = RetentionCounts::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(s) = TrendsCounts::from_bytes(bytes) {
        let _ = s.finish();
        let _ = s.clone().merge(s).map(|m| m.finish());
    }
    if let Ok(mut s) = NpsState::from_bytes(bytes) {
        let _ = s.score();
        s.merge(&s.clone());
        let _ = s.score();
    }
    if let Ok(mut s) = ScaleState::from_bytes(bytes) {
        let _ = s.score("csat", ScaleMethod::TopBox);
        let _ = s.merge(&s.clone());
        let _ = s.score("csat", ScaleMethod::TopBox);
    }
    if let Ok(mut s) = SurveyState::from_bytes(bytes) {
        let options = SurveyOptions::default();
        let _ = s.report([true; 3], &options);
        let _ = s.merge(&s.clone());
        let _ = s.report([true; 3], &options);
    }
    let options = AttributionOptions::default();
    if let Ok(s) = PathCounts::from_bytes(bytes) {
        let _ = s.to_table();
        let _ = s.clone().merge(s.clone()).map(|m| m.to_table());
        if let Ok(t) = TransitionCounts::from_paths(&s, 2) {
            let _ = t.markov(&options);
        }
    }
    if let Ok(s) = TransitionCounts::from_bytes(bytes) {
        let _ = s.markov(&options);
        let _ = s.clone().merge(s).map(|m| m.markov(&options));
    }
}

/// `merge_states` and `finish_state` read a state's kind as its own reader does, after
/// the checksum: a damaged kind byte is damage (`invalid_state`), not a state of another
/// kind (`merge_states` said `incompatible_states`, `finish_state` named the wrong kind).
/// The header's other errors keep their codes.
#[test]
fn a_damaged_kind_byte_is_damage_not_another_kind() {
    use cjm_core::states::{finish_state, merge_states, StateRequest};
    let funnel = FunnelState::identity().to_bytes();
    let sequence = SequenceState::identity().to_bytes();
    assert_eq!(&funnel[..4], b"CJMS");
    let mut damaged = funnel.clone();
    damaged[6] = sequence[6];
    assert_ne!(damaged, funnel);
    let err = merge_states(&[&funnel, &damaged]).unwrap_err();
    assert_eq!(err.code(), "invalid_state", "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
    let request = StateRequest::from_json(
        r#"{"analysis": "funnel", "steps": [{"event": "a"}, {"event": "b"}], "event_states": true}"#,
    )
    .unwrap();
    let err = finish_state(&request, &damaged, None).unwrap_err();
    assert_eq!(err.code(), "invalid_state", "{err}");
    assert!(err.to_string().contains("checksum"), "{err}");
    // Undamaged, two kinds still do not merge, and a state of another kind does not
    // finish.
    let err = merge_states(&[&funnel, &sequence]).unwrap_err();
    assert_eq!(err.code(), "incompatible_states", "{err}");
    let err = finish_state(&request, &sequence, None).unwrap_err();
    assert_eq!(err.code(), "invalid_state", "{err}");
    assert!(err.to_string().contains("`sequence`"), "{err}");
    // The header's own errors, by merge as by a state's reader.
    let mut v9 = funnel.clone();
    v9[4] = 9;
    let header_only = seal(b"CJMS\x02\x00\x02".to_vec());
    for (bytes, code) in [
        (&b"nope"[..], "invalid_state"),
        (&b"CJMS\x02\x00"[..], "invalid_state"),
        (&funnel[..funnel.len() - 5], "invalid_state"),
        (&v9[..], "unsupported_state_version"),
    ] {
        assert_eq!(
            merge_states(&[bytes]).unwrap_err().code(),
            code,
            "{bytes:?}"
        );
        assert_eq!(
            FunnelState::from_bytes(bytes).unwrap_err().code(),
            code,
            "{bytes:?}"
        );
    }
    // A header with a valid checksum and no fields reaches the state's own reader.
    assert_eq!(
        merge_states(&[&header_only]).unwrap_err().code(),
        "invalid_state"
    );
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
    // Version 1 had no checksum: its bytes are refused by version, not misread.
    let mut v1 = FunnelState::identity().to_bytes();
    v1.truncate(v1.len() - 4);
    v1[4] = 1;
    let err = FunnelState::from_bytes(&v1).unwrap_err();
    assert_eq!(err.code(), "unsupported_state_version");
    assert_eq!(cjm_core::STATE_FORMAT_VERSION, 2);
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
    // Times to step 2: 3 s and 5 s; linear (numpy) median = 4 s, p90 = 3 + 0.9·2 = 4.8 s,
    // mean 4 s.
    assert_eq!(
        (second.count, second.median_seconds, second.mean_seconds),
        (2, 4.0, 4.0)
    );
    assert!((second.p90_seconds - 4.8).abs() < 1e-12);
    let third = result.steps[2].time_from_previous.as_ref().unwrap();
    assert_eq!((third.count, third.median_seconds), (1, 4.0));
    // Counts changed by hand (and sealed again) must agree with each other. The customers
    // per deepest step are the list [len 4][0, 0, 1 (bob), 1 (ann)], then the pending ones.
    let body = unseal(&merged.to_bytes());
    let word = |x: u64| x.to_le_bytes();
    let at_depth: Vec<u8> = [4u64, 0, 0, 1, 1].iter().flat_map(|&x| word(x)).collect();
    let at = body
        .windows(at_depth.len())
        .position(|w| w == at_depth.as_slice())
        .unwrap();
    let depth = |d: usize| at + 8 + 8 * d;
    let pending = |d: usize| depth(d) + 8 * 4 + 8;
    assert_eq!(body[pending(0) - 8..pending(0)], word(4));
    assert!(FunnelCounts::from_bytes(&seal(body.clone())).is_ok());
    for (offset, value) in [
        (pending(3), 2),      // more pending than customers at depth 3
        (depth(0), 1),        // a customer at depth 0
        (depth(3), 0),        // ann's times counted, but no one reached step 3
        (depth(2), u64::MAX), // customers that overflow
    ] {
        let mut bad = body.clone();
        bad[offset..offset + 8].copy_from_slice(&word(value));
        refused_by_fields(FunnelCounts::from_bytes(&seal(bad)));
    }
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

/// ann: a@0 b@1 b@2; bob: b@0 c@3; cy: a@0 b@4; dee: x@0 — partitioned as {ann, dee}
/// and {bob, cy}.
fn by_hand_parts() -> (EventLog, EventLog, EventLog) {
    let row = |customer, ts, event| Row {
        customer,
        ts,
        event,
        channel: 0,
    };
    let rows = [
        row(0, 0, 0),
        row(1, 0, 1),
        row(2, 0, 0),
        row(3, 0, 3),
        row(0, 1, 1),
        row(0, 2, 1),
        row(1, 3, 2),
        row(2, 4, 1),
    ];
    let keyed: Vec<(u64, Row)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i as u64, *r))
        .collect();
    let part = |cs: &[usize]| {
        let mine: Vec<(u64, Row)> = keyed
            .iter()
            .filter(|(_, r)| cs.contains(&r.customer))
            .copied()
            .collect();
        log_of(&mine)
    };
    (part(&[0, 3]), part(&[1, 2]), log_of(&keyed))
}

#[test]
fn directly_follows_counts_by_hand() {
    let (p1, p2, whole) = by_hand_parts();
    let o = DirectlyFollowsOptions::default();
    let merged = DirectlyFollowsCounts::from_log(&p1, &o)
        .unwrap()
        .merge(DirectlyFollowsCounts::from_log(&p2, &o).unwrap())
        .unwrap();
    let g = merged.finish().unwrap();
    let nodes: Vec<(&str, u64, u64)> = g
        .nodes
        .iter()
        .map(|n| (n.name.as_str(), n.events, n.customers))
        .collect();
    assert_eq!(
        nodes,
        [
            ("START", 4, 4),
            ("a", 2, 2),
            ("b", 4, 3),
            ("c", 1, 1),
            ("x", 1, 1),
            ("END", 4, 4)
        ]
    );
    let edges: Vec<(&str, &str, u64, u64, f64)> = g
        .edges
        .iter()
        .map(|e| {
            let p = e.probability.unwrap();
            (
                e.from.as_str(),
                e.to.as_str(),
                e.transitions,
                e.customers,
                p,
            )
        })
        .collect();
    // Out of START: 4 transitions; out of b: b→b, b→c, b→END ×2.
    assert_eq!(
        edges,
        [
            ("START", "a", 2, 2, 0.5),
            ("START", "b", 1, 1, 0.25),
            ("START", "x", 1, 1, 0.25),
            ("a", "b", 2, 2, 1.0),
            ("b", "b", 1, 1, 0.25),
            ("b", "c", 1, 1, 0.25),
            ("b", "END", 2, 2, 0.5),
            ("c", "END", 1, 1, 1.0),
            ("x", "END", 1, 1, 1.0)
        ]
    );
    assert_eq!(g, whole.directly_follows(&o).unwrap());
    let other = DirectlyFollowsCounts::from_log(
        &p2,
        &DirectlyFollowsOptions {
            start_end: false,
            ..DirectlyFollowsOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        DirectlyFollowsCounts::from_log(&p1, &o)
            .unwrap()
            .merge(other)
            .unwrap_err()
            .code(),
        "incompatible_states"
    );
}

#[test]
fn variant_counts_by_hand() {
    let (p1, p2, whole) = by_hand_parts();
    let names = |v: &cjm_core::events::Variants| -> Vec<(String, u64)> {
        v.variants
            .iter()
            .map(|x| (x.events.join(" "), x.customers))
            .collect()
    };
    let collapsed = VariantOptions {
        top_k: 10,
        max_length: None,
        collapse_repeats: true,
        ..VariantOptions::default()
    };
    let merged = VariantCounts::from_log(&p2, &collapsed)
        .unwrap()
        .merge(VariantCounts::from_log(&p1, &collapsed).unwrap())
        .unwrap();
    let v = merged.finish(10).unwrap();
    // ann and cy: a b; ties at 1 by sequence: "b c" before "x".
    assert_eq!((v.customers, v.distinct), (4, 3));
    assert_eq!(
        names(&v),
        [("a b".into(), 2), ("b c".into(), 1), ("x".into(), 1)]
    );
    assert_eq!(v.variants[0].share, Some(0.5));
    // Without collapsing all four differ; a prefix sorts first among the tied.
    let plain = VariantOptions::default();
    let merged = VariantCounts::from_log(&p1, &plain)
        .unwrap()
        .merge(VariantCounts::from_log(&p2, &plain).unwrap())
        .unwrap();
    let v = merged.finish(2).unwrap();
    assert_eq!(v.distinct, 4);
    assert_eq!(names(&v), [("a b".into(), 1), ("a b b".into(), 1)]);
    assert_eq!(
        v,
        whole
            .variants(&VariantOptions {
                top_k: 2,
                ..plain.clone()
            })
            .unwrap()
    );
    assert_eq!(
        VariantCounts::from_log(&p1, &plain)
            .unwrap()
            .merge(VariantCounts::from_log(&p2, &collapsed).unwrap())
            .unwrap_err()
            .code(),
        "incompatible_states"
    );
}

#[test]
fn flow_counts_by_hand() {
    let (p1, p2, whole) = by_hand_parts();
    let o = FlowOptions {
        steps: 2,
        min_share: 0.3,
        collapse_repeats: true,
        ..FlowOptions::default()
    };
    let merged = FlowCounts::from_log(&p1, &o)
        .unwrap()
        .merge(FlowCounts::from_log(&p2, &o).unwrap())
        .unwrap();
    let f = merged.finish(0.3).unwrap().unwrap();
    // Depth 0: a 2/4, b 1/4, x 1/4 (b and x folded); depth 1: b 2/3, c 1/3.
    let nodes: Vec<(usize, &str, u64)> = f
        .nodes
        .iter()
        .map(|n| (n.depth, n.name.as_str(), n.customers))
        .collect();
    assert_eq!(
        nodes,
        [(0, "(other)", 2), (0, "a", 2), (1, "b", 2), (1, "c", 1)]
    );
    let links: Vec<(usize, &str, &str, u64)> = f
        .links
        .iter()
        .map(|l| (l.depth, l.from.as_str(), l.to.as_str(), l.customers))
        .collect();
    assert_eq!(links, [(0, "(other)", "c", 1), (0, "a", "b", 2)]);
    assert_eq!(f, whole.flows(&o).unwrap());
    // min_share is chosen when finishing: 0 folds nothing.
    let all = merged.finish(0.0).unwrap().unwrap();
    // A share outside 0-1 (or NaN) is refused by the core, not silently ignored.
    for bad in [f64::NAN, -0.1, 1.5] {
        let err = merged.finish(bad).unwrap_err();
        assert_eq!(err.code(), "invalid_option", "{bad}");
    }
    assert_eq!(all.nodes.len(), 5);
    assert_eq!(
        all,
        whole
            .flows(&FlowOptions {
                min_share: 0.0,
                ..o.clone()
            })
            .unwrap()
    );
}

#[test]
fn traffic_counts_by_hand() {
    let (p1, p2, whole) = by_hand_parts();
    let j = journey();
    let merged = TrafficCounts::from_log(&p1, &j)
        .merge(TrafficCounts::from_log(&p2, &j))
        .unwrap();
    let t = merged.finish().unwrap();
    // 8 events, 7 bound (a, b, c); t1 (a, b): 6 events of ann, bob, cy; t2 (b, c): 5.
    assert_eq!((t.customers, t.events, t.mapped_events), (4, 8, 7));
    let tps: Vec<(&str, u64, u64, Option<f64>)> = t
        .touchpoints
        .iter()
        .map(|x| (x.id.as_str(), x.events, x.customers, x.reach))
        .collect();
    assert_eq!(tps, [("t1", 6, 3, Some(0.75)), ("t2", 5, 3, Some(0.75))]);
    let stages: Vec<(&str, u64, u64)> = t
        .stages
        .iter()
        .map(|x| (x.id.as_str(), x.events, x.customers))
        .collect();
    assert_eq!(stages, [("s1", 6, 3), ("s2", 5, 3), ("s3", 0, 0)]);
    assert_eq!(t.unmapped_events.len(), 1);
    assert_eq!(
        (
            t.unmapped_events[0].event.as_str(),
            t.unmapped_events[0].count
        ),
        ("x", 1)
    );
    assert_eq!(t, whole.traffic(&j));
    let other = cjm_core::templates::load("b2c-ecommerce").unwrap();
    assert_eq!(
        TrafficCounts::from_log(&p1, &j)
            .merge(TrafficCounts::from_log(&p2, &other))
            .unwrap_err()
            .code(),
        "incompatible_states"
    );
}

#[test]
fn count_states_check_their_bytes() {
    let (p1, _, _) = by_hand_parts();
    // Identities round-trip; each kind refuses the others' bytes.
    let all: [(u8, Vec<u8>); 4] = [
        (4, DirectlyFollowsCounts::identity().to_bytes()),
        (5, VariantCounts::identity().to_bytes()),
        (6, FlowCounts::identity().to_bytes()),
        (7, TrafficCounts::identity().to_bytes()),
    ];
    for (kind, bytes) in &all {
        assert_eq!(bytes[6], *kind);
        assert_eq!(DirectlyFollowsCounts::from_bytes(bytes).is_ok(), *kind == 4);
        assert_eq!(VariantCounts::from_bytes(bytes).is_ok(), *kind == 5);
        assert_eq!(FlowCounts::from_bytes(bytes).is_ok(), *kind == 6);
        assert_eq!(TrafficCounts::from_bytes(bytes).is_ok(), *kind == 7);
    }
    assert_eq!(
        DirectlyFollowsCounts::identity().finish(),
        None::<cjm_core::events::DirectlyFollows>
    );
    // Trailing bytes, and a count changed so that the variants no longer add up.
    let v = VariantCounts::from_log(&p1, &VariantOptions::default())
        .unwrap()
        .to_bytes();
    let mut trailing = v.clone();
    trailing.push(0);
    assert_eq!(
        VariantCounts::from_bytes(&trailing).unwrap_err().code(),
        "invalid_state"
    );
    let mut bad = unseal(&v);
    let n = bad.len();
    bad[n - 8] = 9; // the last variant's count
    refused_by_fields(VariantCounts::from_bytes(&seal(bad)));
    // The same change without a new checksum fails the checksum.
    let mut damaged = v.clone();
    let n = damaged.len();
    damaged[n - 12] = 9;
    assert!(VariantCounts::from_bytes(&damaged)
        .unwrap_err()
        .to_string()
        .contains("checksum"));
    // An edge into START.
    let d = DirectlyFollowsCounts::from_log(&p1, &DirectlyFollowsOptions::default())
        .unwrap()
        .to_bytes();
    let mut bad = unseal(&d);
    let n = bad.len();
    // The last edge is (x, END): its `to` id sits 20 bytes from the end.
    bad[n - 20..n - 16].copy_from_slice(&0u32.to_le_bytes());
    refused_by_fields(DirectlyFollowsCounts::from_bytes(&seal(bad)));
    // A traffic state that says an event bound by a touchpoint is unmapped.
    let t = TrafficCounts::from_log(&p1, &journey()).to_bytes();
    let text = t.windows(1).position(|w| w == b"x").unwrap();
    let mut bad = unseal(&t);
    let last_x = bad.len() - 1 - bad.iter().rev().position(|&b| b == b'x').unwrap();
    assert!(last_x >= text);
    bad[last_x] = b'a';
    refused_by_fields(TrafficCounts::from_bytes(&seal(bad)));
    // A flow link deeper than the steps.
    let f = FlowCounts::from_log(
        &p1,
        &FlowOptions {
            steps: 2,
            min_share: 0.0,
            collapse_repeats: false,
            ..FlowOptions::default()
        },
    )
    .unwrap()
    .to_bytes();
    let mut bad = unseal(&f);
    let n = bad.len();
    // The last link is 24 bytes: depth (u64), from, to (u32), count (u64).
    bad[n - 24..n - 16].copy_from_slice(&1u64.to_le_bytes());
    refused_by_fields(FlowCounts::from_bytes(&seal(bad)));
}

#[test]
fn retention_counts_by_hand() {
    // ann: a on day 0, b on day 1; bob: a on day 0 (in a second partition). Start `a`,
    // return `b`, by day, 2 periods: the cohort of day 0 is {ann, bob}, ann returns on
    // day 1 (k1), the log ends on day 1, so k2 is not observable → [2, 1, null].
    let day = 86_400;
    let row = |customer, ts, event| Row {
        customer,
        ts,
        event,
        channel: 0,
    };
    let ann = log_of(&[(0, row(0, 10, 0)), (1, row(0, day + 10, 1))]);
    let bob = log_of(&[(2, row(1, 20, 0))]);
    let options = RetentionOptions {
        start_event: Some(EventMatch::One("a".into())),
        return_event: Some(EventMatch::One("b".into())),
        periods: 2,
        ..RetentionOptions::default()
    };
    let a = RetentionCounts::from_log(&options, &ann).unwrap();
    let b = RetentionCounts::from_log(&options, &bob).unwrap();
    let merged = a
        .clone()
        .merge(RetentionCounts::identity())
        .unwrap()
        .merge(b)
        .unwrap();
    let r = merged.finish().unwrap();
    assert_eq!(r.cohorts.len(), 1);
    assert_eq!(r.cohorts[0].period_start, "1970-01-01");
    assert_eq!(r.cohorts[0].retained, vec![Some(2), Some(1), None]);
    assert_eq!(r.observed_until.as_deref(), Some("1970-01-02T00:00:10Z"));
    assert_eq!(RetentionCounts::identity().finish(), None);
    // bob's partition alone ends on day 0: only k0 is observable there.
    let alone = RetentionCounts::from_log(&options, &bob)
        .unwrap()
        .finish()
        .unwrap();
    assert_eq!(alone.cohorts[0].retained, vec![Some(1), None, None]);
    // Kind 11; identities round-trip; other kinds refuse it.
    let bytes = merged.to_bytes();
    assert_eq!(bytes[6], 11);
    assert_eq!(RetentionCounts::from_bytes(&bytes).unwrap(), merged);
    let id = RetentionCounts::identity().to_bytes();
    assert_eq!(
        RetentionCounts::from_bytes(&id).unwrap(),
        RetentionCounts::identity()
    );
    assert_eq!(
        FunnelCounts::from_bytes(&bytes).unwrap_err().code(),
        "invalid_state"
    );
    // Different definitions do not merge.
    let other = RetentionCounts::from_log(
        &RetentionOptions {
            periods: 3,
            ..options.clone()
        },
        &bob,
    )
    .unwrap();
    assert_eq!(a.merge(other).unwrap_err().code(), "incompatible_states");
    // Crafted fields with a valid checksum. The fields end with the cohort of day 0 —
    // period (i64), counts 2, 1, 0 (u64 each) — then the number of groups (u64, 0).
    let fields = unseal(&bytes);
    let n = fields.len();
    let at = |k: usize| n - 8 - 8 * (3 - k);
    let with = |k: usize, v: u64| {
        let mut f = fields.clone();
        f[at(k)..at(k) + 8].copy_from_slice(&v.to_le_bytes());
        seal(f)
    };
    assert!(RetentionCounts::from_bytes(&with(1, 1)).is_ok());
    // A return counted in a period after the last timestamp (k2, day 2).
    refused_by_fields(RetentionCounts::from_bytes(&with(2, 1)));
    // More retained than the cohort, and an empty cohort.
    refused_by_fields(RetentionCounts::from_bytes(&with(1, 3)));
    refused_by_fields(RetentionCounts::from_bytes(&with(0, 0)));
    // First-time cohorts: one customer per cohort entry (the customers sit before the
    // number of cohorts and the cohort).
    let mut f = fields.clone();
    let customers = n - 8 - 32 - 8 - 8;
    f[customers..customers + 8].copy_from_slice(&1u64.to_le_bytes());
    refused_by_fields(RetentionCounts::from_bytes(&seal(f)));
    // Groups in a table without a breakdown.
    let mut f = fields.clone();
    f[n - 8..].copy_from_slice(&1u64.to_le_bytes());
    f.push(1);
    f.extend_from_slice(&0u64.to_le_bytes());
    f.extend_from_slice(&fields[customers..n - 8]);
    refused_by_fields(RetentionCounts::from_bytes(&seal(f)));
    // Options in another spelling than the canonical one (`UTC` for `+00:00`).
    let text = String::from_utf8_lossy(&fields).into_owned();
    let from = text.find("\"+00:00\"").unwrap();
    let mut f = fields.clone();
    f[from..from + 8].copy_from_slice(b"\"UTC\"   ");
    refused_by_fields(RetentionCounts::from_bytes(&seal(f)));
}

/// Every request of `cjm_core::states` over the generated logs: both routes where there
/// are two, and the single-machine result each must finish into on `whole`.
fn requests_and_results(
    whole: &EventLog,
    j: &ValidJourney,
) -> Vec<(cjm_core::states::StateRequest, cjm_core::states::Finished)> {
    use cjm_core::attribution::{attribute_log, AttributionOptions, PathOptions, PathTable};
    use cjm_core::states::{Finished, StateRequest};
    let mut out = Vec::new();
    for event_states in [false, true] {
        for funnel in funnels() {
            let expected = funnel.run(whole, Some(j)).unwrap();
            out.push((
                StateRequest::Funnel {
                    steps: Some(funnel.steps),
                    options: funnel.options,
                    event_states,
                },
                Finished::Funnel(Box::new(expected)),
            ));
        }
        for options in dfg_options() {
            let expected = whole.directly_follows(&options).unwrap();
            out.push((
                StateRequest::DirectlyFollows {
                    options,
                    event_states,
                },
                Finished::DirectlyFollows(Box::new(expected)),
            ));
        }
        for options in variant_options() {
            let expected = whole.variants(&options).unwrap();
            out.push((
                StateRequest::Variants {
                    options,
                    event_states,
                },
                Finished::Variants(Box::new(expected)),
            ));
        }
        for options in flow_options() {
            let expected = whole.flows(&options).unwrap();
            out.push((
                StateRequest::Flows {
                    options,
                    event_states,
                },
                Finished::Flows(Box::new(expected)),
            ));
        }
        out.push((
            StateRequest::Traffic { event_states },
            Finished::Traffic(Box::new(whole.traffic(j))),
        ));
    }
    for options in retention_options() {
        let expected = whole.retention(&options).unwrap();
        out.push((
            StateRequest::Retention { options },
            Finished::Retention(Box::new(expected)),
        ));
    }
    for options in trends_options() {
        let expected = whole.trends(&options).unwrap();
        out.push((
            StateRequest::Trends { options },
            Finished::Trends(Box::new(expected)),
        ));
    }
    let paths = PathOptions {
        conversion_events: vec!["y".into()],
        allow_missing_events: true,
        ..PathOptions::default()
    };
    let table = PathTable::from_log(whole, Some(j), &paths).unwrap();
    out.push((
        StateRequest::Paths {
            paths: paths.clone(),
        },
        Finished::Paths(Box::new(table)),
    ));
    // A log without a conversion (or a channel) has no attribution: the Markov model
    // refuses it, and the property test then counts the case as not run.
    if let Ok(expected) = attribute_log(whole, Some(j), &paths, &AttributionOptions::default()) {
        out.push((
            StateRequest::Attribution {
                paths,
                options: AttributionOptions::default(),
            },
            Finished::Attribution(Box::new(expected)),
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// One request per analysis, the same on every worker and the driver: states built
    /// per customer partition, merged by their kind byte in any grouping, finish into
    /// the whole log's single-machine result.
    #[test]
    fn every_request_built_merged_and_finished_is_the_whole(
        rows in prop::collection::vec(row_strategy(), 0..50),
        owner in prop::collection::vec(0usize..3, CUSTOMERS.len()),
        scatter in prop::collection::vec(0usize..3, 1..16),
        pairs_first in any::<bool>(),
    ) {
        use cjm_core::states::{build_state, finish_state, merge_states};
        let keyed: Vec<(u64, Row)> = spread(
            &with_a_channel(rows).iter().enumerate().map(|(i, r)| (i as u64, *r)).collect::<Vec<_>>(),
        );
        let whole = log_of(&keyed);
        let parts: Vec<EventLog> = (0..3)
            .map(|p| {
                let mine: Vec<(u64, Row)> =
                    keyed.iter().filter(|(_, r)| owner[r.customer] == p).copied().collect();
                log_of(&mine)
            })
            .collect();
        let j = journey();
        let cases = requests_and_results(&whole, &j);
        ATTRIBUTED.fetch_add(
            usize::from(cases.iter().any(|(r, _)| matches!(r, cjm_core::states::StateRequest::Attribution { .. }))),
            std::sync::atomic::Ordering::Relaxed,
        );
        for (request, expected) in cases {
            let states: Vec<Vec<u8>> =
                parts.iter().map(|p| build_state(&request, p, Some(&j)).unwrap()).collect();
            let slices: Vec<&[u8]> = states.iter().map(Vec::as_slice).collect();
            let merged = if pairs_first {
                let left = merge_states(&slices[..2]).unwrap();
                merge_states(&[slices[2], &left]).unwrap()
            } else {
                merge_states(&slices).unwrap()
            };
            prop_assert_eq!(&merged, &build_state(&request, &whole, Some(&j)).unwrap());
            let finished = finish_state(&request, &merged, Some(&j)).unwrap();
            prop_assert_eq!(&finished, &expected, "{:?}", request);
            // Event-level requests allow any split: each row to a random part.
            if request.route(Some(&j)).unwrap().whole_customers {
                continue;
            }
            let scattered: Vec<EventLog> = (0..3)
                .map(|p| {
                    let mine: Vec<(u64, Row)> = keyed
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| scatter[*i % scatter.len()] == p)
                        .map(|(_, r)| *r)
                        .collect();
                    log_of(&mine)
                })
                .collect();
            let states: Vec<Vec<u8>> =
                scattered.iter().map(|p| build_state(&request, p, Some(&j)).unwrap()).collect();
            let slices: Vec<&[u8]> = states.iter().map(Vec::as_slice).collect();
            let merged = merge_states(&slices).unwrap();
            prop_assert_eq!(finish_state(&request, &merged, Some(&j)).unwrap(), expected, "split {:?}", request);
        }
    }
}

/// Property-test cases that had an attribution request (a log with conversions).
static ATTRIBUTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

#[test]
fn merging_dispatches_on_the_kind_byte() {
    use cjm_core::states::merge_states;
    let (a, b, whole) = by_hand_parts();
    let (ours, theirs) = (every_kind_of_state(&a), every_kind_of_state(&b));
    let all = every_kind_of_state(&whole);
    assert_eq!(ours.len(), 14);
    for ((x, y), w) in ours.iter().zip(&theirs).zip(&all) {
        // One state merges to itself (canonical bytes); the two customer parts of the
        // log merge to the state of the whole log for every kind that counts customers.
        assert_eq!(&merge_states(&[x]).unwrap(), x);
        let merged = merge_states(&[x, y]).unwrap();
        assert_eq!(merged, merge_states(&[y, x]).unwrap());
        let kind = x[6];
        // The scoring states' answers come from timestamps, which differ between parts
        // and whole only in how they are split: they add up too.
        assert_eq!(&merged, w, "kind {kind}");
    }
    // No state, states of two kinds, bytes that are no state: errors with their codes.
    assert_eq!(merge_states(&[]).unwrap_err().code(), "invalid_option");
    let mixed = merge_states(&[&ours[0], &ours[1]]).unwrap_err();
    assert_eq!(mixed.code(), "incompatible_states");
    assert!(mixed
        .to_string()
        .contains("`sequence` state with a `funnel` state"));
    assert_eq!(
        merge_states(&[b"CJMS"]).unwrap_err().code(),
        "invalid_state"
    );
}

#[test]
fn a_state_finishes_only_into_what_its_request_builds() {
    use cjm_core::states::{finish_state, StateRequest};
    let (a, _, _) = by_hand_parts();
    let sequence = SequenceState::from_log(&a).to_bytes();
    let counts: StateRequest = serde_json::from_str(r#"{"analysis": "directly_follows"}"#).unwrap();
    let err = finish_state(&counts, &sequence, None).unwrap_err();
    assert_eq!(err.code(), "invalid_state");
    assert!(err.to_string().contains(
        "a `sequence` state where `directly_follows` needs a `directly_follows_counts` state"
    ));
    // The identity (no part had data) is an empty state, not an empty result.
    let identity = DirectlyFollowsCounts::identity().to_bytes();
    let err = finish_state(&counts, &identity, None).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("empty"));
    // Traffic of event states needs the journey; so does a funnel without steps.
    let traffic: StateRequest =
        serde_json::from_str(r#"{"analysis": "traffic", "event_states": true}"#).unwrap();
    assert_eq!(
        finish_state(&traffic, &sequence, None).unwrap_err().code(),
        "invalid_option"
    );
    let stages: StateRequest = serde_json::from_str(r#"{"analysis": "funnel"}"#).unwrap();
    let err = cjm_core::states::build_state(&stages, &a, None).unwrap_err();
    assert!(err.to_string().contains("needs a journey"), "{err}");
    let with_stages = cjm_core::states::build_state(&stages, &a, Some(&journey())).unwrap();
    // Finishing reads the same request with the same journey.
    let result = finish_state(&stages, &with_stages, Some(&journey())).unwrap();
    let cjm_core::states::Finished::Funnel(f) = result else {
        panic!("a funnel request finishes into a funnel")
    };
    assert_eq!(
        *f,
        Funnel::from_stages(&journey())
            .run(&a, Some(&journey()))
            .unwrap()
    );
    // A state finishes only with the definition it was built for.
    let built = |json: &str| {
        let r: StateRequest = serde_json::from_str(json).unwrap();
        cjm_core::states::build_state(&r, &a, Some(&journey())).unwrap()
    };
    for (build, finish) in [
        (
            r#"{"analysis": "variants", "options": {"max_length": 2}}"#,
            r#"{"analysis": "variants"}"#,
        ),
        (
            r#"{"analysis": "flows", "options": {"steps": 3}}"#,
            r#"{"analysis": "flows"}"#,
        ),
        (
            r#"{"analysis": "directly_follows", "options": {"start_end": false}}"#,
            r#"{"analysis": "directly_follows"}"#,
        ),
        (
            r#"{"analysis": "funnel", "steps": [{"event": "a"}, {"event": "b"}], "options": {"allow_missing_events": true}}"#,
            r#"{"analysis": "funnel", "steps": [{"event": "a"}, {"event": "c"}], "options": {"allow_missing_events": true}}"#,
        ),
        (
            r#"{"analysis": "funnel", "steps": [{"event": "a"}], "event_states": true}"#,
            r#"{"analysis": "funnel", "steps": [{"event": "a"}], "options": {"window_seconds": 60}, "event_states": true}"#,
        ),
        (
            r#"{"analysis": "retention", "options": {"period": "week"}}"#,
            r#"{"analysis": "retention"}"#,
        ),
        (
            r#"{"analysis": "trends", "options": {"since": "1970-01-01"}}"#,
            r#"{"analysis": "trends"}"#,
        ),
    ] {
        let state = built(build);
        let request: StateRequest = serde_json::from_str(finish).unwrap();
        let err = finish_state(&request, &state, Some(&journey())).unwrap_err();
        assert_eq!(
            err.code(),
            "incompatible_states",
            "{build} finished as {finish}"
        );
        // And with the request that built it, it finishes.
        let same: StateRequest = serde_json::from_str(build).unwrap();
        finish_state(&same, &state, Some(&journey())).unwrap();
    }
    // Paths by session: no state keeps sessions, so neither route answers them (the
    // sequence state would silently count customers).
    let by_session: StateRequest = serde_json::from_str(
        r#"{"analysis": "variants", "options": {"unit": "session"}, "event_states": true}"#,
    )
    .unwrap();
    let err = cjm_core::states::build_state(&by_session, &a, None).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("not sessions"), "{err}");
    assert_eq!(
        finish_state(&by_session, &sequence, None)
            .unwrap_err()
            .code(),
        "invalid_option"
    );
    // Unknown fields and analyses are refused when the request is read.
    assert!(serde_json::from_str::<StateRequest>(r#"{"analysis": "sequence"}"#).is_err());
    assert!(
        serde_json::from_str::<StateRequest>(r#"{"analysis": "traffic", "colour": 1}"#).is_err()
    );
}

#[test]
fn the_property_test_ran_attribution() {
    // Runs after (or beside) the property test in this binary; it has 24 cases, most of
    // which convert. Run alone it would see none: then it runs the property once itself.
    if ATTRIBUTED.load(std::sync::atomic::Ordering::Relaxed) == 0 {
        every_request_built_merged_and_finished_is_the_whole();
    }
    assert!(ATTRIBUTED.load(std::sync::atomic::Ordering::Relaxed) > 0);
}

#[test]
fn survey_requests_and_routes() {
    use cjm_core::scoring::{SurveyOptions, SurveyState, SurveyTable};
    use cjm_core::states::{build_state, finish_state, merge_states, Finished, StateRequest};
    let (a, _, _) = by_hand_parts();
    // A survey state is built from answers; the request finishes it, with its scales.
    let survey: StateRequest = StateRequest::from_json(
        r#"{"analysis": "survey", "metrics": [true, false, false], "options": {"min_group_size": 1}}"#,
    )
    .unwrap();
    assert_eq!(
        build_state(&survey, &a, None).unwrap_err().code(),
        "invalid_option"
    );
    let table = SurveyTable {
        scope: vec![Some("t1".into()), Some("t1".into()), Some("t2".into())],
        segment: vec![],
        nps: Some(vec![Some(10.0), Some(0.0), Some(9.0)]),
        csat: None,
        ces: None,
    };
    let mut state = SurveyState::identity(&SurveyOptions::default()).unwrap();
    state.extend(0, &table).unwrap();
    let bytes = state.to_bytes();
    let merged = merge_states(&[&bytes]).unwrap();
    let Finished::Survey(report) = finish_state(&survey, &merged, None).unwrap() else {
        panic!("a survey request finishes into a survey report")
    };
    // Overall: promoters 10 and 9, detractor 0 → (2 − 1)/3 = 33.33.
    let nps = report.groups[0].nps.as_ref().unwrap();
    assert!((nps.value.unwrap() - 100.0 / 3.0).abs() < 1e-9);
    assert!(report.groups[0].csat.is_none());
    let other_scale = StateRequest::from_json(
        r#"{"analysis": "survey", "metrics": [true, false, false], "options": {"csat_scale": 7}}"#,
    )
    .unwrap();
    let err = finish_state(&other_scale, &merged, None).unwrap_err();
    assert_eq!(err.code(), "scale_mismatch");
    assert!(err.to_string().contains("scales differ"), "{err}");
    let bad_scale = StateRequest::from_json(
        r#"{"analysis": "survey", "metrics": [true, false, false], "options": {"csat_scale": 1}}"#,
    )
    .unwrap();
    assert_eq!(bad_scale.check(None).unwrap_err().code(), "invalid_option");
    // A survey request says which metrics the answers have: without them it would
    // report none.
    let err = StateRequest::from_json(r#"{"analysis": "survey"}"#).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("metrics"), "{err}");
    // A value that does not fit is named by its key.
    let err = StateRequest::from_json(r#"{"analysis": "variants", "options": {"top_k": -1}}"#)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert_eq!(
        err.to_string(),
        "`request.options`: option `top_k` must be an integer from 0 to 18446744073709551615, not -1"
    );
    // Routes: count states need whole customers; a non-strict funnel reads only its
    // step and exclusion events, resolved with the journey; a strict one reads all.
    let route = |json: &str| {
        StateRequest::from_json(json)
            .unwrap()
            .route(Some(&journey()))
            .unwrap()
    };
    let counts =
        route(r#"{"analysis": "funnel", "steps": [{"touchpoint": "t2"}, {"event": "x"}]}"#);
    assert!(counts.whole_customers);
    assert_eq!(
        counts.events,
        Some(vec!["b".into(), "c".into(), "x".into()])
    );
    let events = route(
        r#"{"analysis": "funnel", "steps": [{"event": "a"}, {"event": "y"}], "options": {"order": "strict"}, "event_states": true}"#,
    );
    assert!(!events.whole_customers);
    assert_eq!(events.events, None);
    assert!(!route(r#"{"analysis": "flows", "event_states": true}"#).whole_customers);
    assert!(route(r#"{"analysis": "trends"}"#).whole_customers);
    // Checked before any data: traffic without a journey, a bad min_share.
    let traffic =
        StateRequest::from_json(r#"{"analysis": "traffic", "event_states": true}"#).unwrap();
    assert!(traffic
        .route(None)
        .unwrap_err()
        .to_string()
        .contains("needs a journey"));
    let flows =
        StateRequest::from_json(r#"{"analysis": "flows", "options": {"min_share": 2}}"#).unwrap();
    assert_eq!(flows.check(None).unwrap_err().code(), "invalid_option");
}

/// Answers read with a scope (or segment) column do not combine with answers read
/// without it: the latter would be reported as a group of no scope beside the others.
#[test]
fn survey_states_keep_their_grouping_columns() {
    use cjm_core::scoring::{SurveyOptions, SurveyState, SurveyTable};
    use cjm_core::states::merge_states;
    let options = SurveyOptions::default();
    let read = |table: &SurveyTable| {
        let mut state = SurveyState::identity(&options).unwrap();
        state.extend(0, table).unwrap();
        state
    };
    let scoped = read(&SurveyTable {
        scope: vec![Some("t1".into()), Some("t2".into())],
        nps: Some(vec![Some(10.0), Some(3.0)]),
        ..SurveyTable::default()
    });
    let unscoped = read(&SurveyTable {
        nps: Some(vec![Some(9.0)]),
        ..SurveyTable::default()
    });
    let segmented = read(&SurveyTable {
        segment: vec![Some("p1".into())],
        nps: Some(vec![Some(9.0)]),
        ..SurveyTable::default()
    });
    assert!(scoped.by_scope && !unscoped.by_scope);
    for (a, b) in [
        (&scoped, &unscoped),
        (&unscoped, &scoped),
        (&scoped, &segmented),
    ] {
        let err = merge_states(&[&a.to_bytes(), &b.to_bytes()]).unwrap_err();
        assert_eq!(err.code(), "incompatible_states", "{err}");
        assert!(err.to_string().contains("scope"), "{err}");
        let mut merged = a.clone();
        assert!(merged.merge(b).is_err());
        assert_eq!(&merged, a, "a refused merge changes nothing");
    }
    // Nor is a table without the scope column added to a scoped state.
    let mut extended = scoped.clone();
    let err = extended
        .extend(
            2,
            &SurveyTable {
                nps: Some(vec![Some(1.0)]),
                ..SurveyTable::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "incompatible_states", "{err}");
    assert_eq!(extended, scoped);
    // The same columns combine, and the identity combines with any.
    let more = read(&SurveyTable {
        scope: vec![Some("t1".into())],
        nps: Some(vec![Some(0.0)]),
        ..SurveyTable::default()
    });
    let mut merged = scoped.clone();
    merged.merge(&more).unwrap();
    let identity = SurveyState::identity(&options).unwrap();
    merge_states(&[&identity.to_bytes(), &unscoped.to_bytes()]).unwrap();
    merge_states(&[&scoped.to_bytes(), &identity.to_bytes()]).unwrap();
}

/// A survey state records the metric columns its answers were read with: states of
/// other metric columns do not merge, a batch of other metric columns is not added, and
/// a request whose `metrics` say otherwise does not finish it (the report used to score
/// a metric the answers lacked as empty, or drop one they had). The identity, read from
/// nothing, merges with any state; bytes without the record (from builds before it)
/// finish as the request says.
#[test]
fn survey_states_keep_their_metric_columns() {
    use cjm_core::scoring::{SurveyOptions, SurveyState, SurveyTable};
    use cjm_core::states::{finish_state, merge_states, Finished, StateRequest};
    let options = SurveyOptions::default();
    let read = |table: &SurveyTable| {
        let mut state = SurveyState::identity(&options).unwrap();
        state.extend(0, table).unwrap();
        state
    };
    let nps_csat = read(&SurveyTable {
        nps: Some(vec![Some(10.0), Some(3.0)]),
        csat: Some(vec![Some(5.0), Some(2.0)]),
        ..SurveyTable::default()
    });
    let nps_only = read(&SurveyTable {
        nps: Some(vec![Some(9.0)]),
        ..SurveyTable::default()
    });
    assert_eq!(nps_csat.metrics, Some([true, true, false]));
    assert_eq!(nps_only.metrics, Some([true, false, false]));
    let (a, b) = (nps_csat.to_bytes(), nps_only.to_bytes());
    let err = merge_states(&[&a, &b]).unwrap_err();
    assert_eq!(err.code(), "incompatible_states", "{err}");
    assert!(err.to_string().contains("`nps` and `csat`"), "{err}");
    let mut merged = nps_csat.clone();
    assert_eq!(
        merged.merge(&nps_only).unwrap_err().code(),
        "incompatible_states"
    );
    assert_eq!(merged, nps_csat, "a refused merge changes nothing");
    // Nor is a table of other metric columns added (the state unchanged).
    let mut extended = nps_csat.clone();
    let err = extended
        .extend(
            2,
            &SurveyTable {
                nps: Some(vec![Some(1.0)]),
                ..SurveyTable::default()
            },
        )
        .unwrap_err();
    assert_eq!(err.code(), "incompatible_states", "{err}");
    assert_eq!(extended, nps_csat);
    // The identity merges with either, and takes its metric columns.
    let identity = SurveyState::identity(&options).unwrap();
    assert_eq!(identity.metrics, None);
    let with_identity = merge_states(&[&identity.to_bytes(), &a]).unwrap();
    assert_eq!(SurveyState::from_bytes(&with_identity).unwrap(), nps_csat);
    assert_eq!(SurveyState::from_bytes(&a).unwrap(), nps_csat);
    // Finishing: the request's metrics must be the state's.
    let request = |metrics: &str| {
        StateRequest::from_json(&format!(
            r#"{{"analysis": "survey", "metrics": {metrics}}}"#
        ))
        .unwrap()
    };
    for disagreeing in ["[true, false, false]", "[true, true, true]"] {
        let err = finish_state(&request(disagreeing), &a, None).unwrap_err();
        assert_eq!(err.code(), "incompatible_states", "{disagreeing}: {err}");
        assert!(err.to_string().contains("`metrics`"), "{err}");
    }
    let Finished::Survey(report) = finish_state(&request("[true, true, false]"), &a, None).unwrap()
    else {
        panic!("a survey request finishes into a survey report")
    };
    let overall = report.overall().unwrap();
    assert!(overall.nps.is_some() && overall.csat.is_some() && overall.ces.is_none());
    // Bytes written without the record (before it existed) read as not known, and finish
    // with the request's metrics as they did.
    let old = {
        let body = String::from_utf8(unseal(&a)[7..].to_vec()).unwrap();
        assert!(body.contains(r#""metrics":[true,true,false]"#), "{body}");
        let body = body.replace(r#""metrics":[true,true,false],"#, "");
        let mut bytes = unseal(&a)[..7].to_vec();
        bytes.extend_from_slice(body.as_bytes());
        seal(bytes)
    };
    let old_state = SurveyState::from_bytes(&old).unwrap();
    assert_eq!(old_state.metrics, None);
    assert_eq!(old_state.groups, nps_csat.groups);
    assert!(finish_state(&request("[true, false, false]"), &old, None).is_ok());
}

/// A request reaches the workers as the JSON text the core writes (`to_json`) after its
/// check. JSON has no NaN or infinity (`serde_json` writes `null`): a non-finite option
/// is refused by that option's own check, naming it, never written as something else.
/// A request that passes reads back from its text as itself.
#[test]
fn requests_are_written_as_json_only_after_their_checks() {
    use cjm_core::attribution::{AttributionOptions, PathOptions, PositionWeights};
    use cjm_core::events::FlowOptions;
    use cjm_core::states::StateRequest;
    let paths = PathOptions {
        conversion_events: vec!["buy".into()],
        ..PathOptions::default()
    };
    let attribution = |options: AttributionOptions| StateRequest::Attribution {
        paths: paths.clone(),
        options,
    };
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let cases = [
            (
                StateRequest::Flows {
                    options: FlowOptions {
                        min_share: bad,
                        ..FlowOptions::default()
                    },
                    event_states: false,
                },
                "`min_share`",
            ),
            (
                StateRequest::Paths {
                    paths: PathOptions {
                        lookback_seconds: Some(bad),
                        ..paths.clone()
                    },
                },
                "`lookback_seconds`",
            ),
            (
                attribution(AttributionOptions {
                    half_life_seconds: bad,
                    ..AttributionOptions::default()
                }),
                "`half_life_seconds`",
            ),
            (
                attribution(AttributionOptions {
                    position_weights: PositionWeights::Custom {
                        first: bad,
                        middle: 0.0,
                        last: 1.0,
                    },
                    ..AttributionOptions::default()
                }),
                "`position_weights`",
            ),
        ];
        for (request, option) in cases {
            let err = request.to_json(None).expect_err(option);
            assert_eq!(err.code(), "invalid_option", "{option}: {err}");
            assert!(err.to_string().contains(option), "{option}: {err}");
        }
    }
    let fine = [
        r#"{"analysis": "flows", "options": {"steps": 4, "min_share": 0.05}}"#,
        r#"{"analysis": "paths", "paths": {"conversion_events": ["buy"], "lookback_seconds": 86400.5}}"#,
        r#"{"analysis": "attribution", "paths": {"conversion_events": ["buy"]}, "options": {"half_life_seconds": 0.1, "position_weights": {"custom": {"first": 0.1, "middle": 0.3, "last": 0.6}}}}"#,
        r#"{"analysis": "funnel", "steps": [{"event": "a"}, {"any_of": ["b", "c"]}], "options": {"window_seconds": null, "as_of": "2024-01-01"}, "event_states": true}"#,
        r#"{"analysis": "survey", "metrics": [true, false, true], "options": {"csat_scale": 7}}"#,
    ];
    for json in fine {
        let request = StateRequest::from_json(json).unwrap();
        let text = request.to_json(None).unwrap();
        assert_eq!(StateRequest::from_json(&text).unwrap(), request, "{json}");
    }
}

/// Retention, trends, paths and attribution requests are checked on the driver as the
/// others are: a bad option is refused by `check` (and so by `route`), before any part
/// is read, with the message the analysis itself gives.
#[test]
fn retention_trends_and_path_requests_are_checked_before_any_part() {
    for (json, words) in [
        (
            r#"{"analysis": "retention", "options": {"periods": 1000000}}"#,
            "`periods`",
        ),
        (
            r#"{"analysis": "trends", "options": {"time_zone": "Mars/Olympus"}}"#,
            "Mars/Olympus",
        ),
        (
            r#"{"analysis": "paths", "paths": {"conversion_events": []}}"#,
            "conversion event",
        ),
        (
            r#"{"analysis": "attribution", "paths": {"conversion_events": ["buy"], "lookback_seconds": -1}}"#,
            "lookback",
        ),
        (
            r#"{"analysis": "paths", "paths": {"conversion_events": ["buy"], "touch": "touchpoint"}}"#,
            "journey",
        ),
    ] {
        let request = cjm_core::states::StateRequest::from_json(json).unwrap();
        let err = request.check(None).expect_err(json);
        assert_eq!(err.code(), "invalid_option", "{json}: {err}");
        assert!(err.to_string().contains(words), "{json}: {err}");
        assert_eq!(request.route(None).unwrap_err().code(), "invalid_option");
    }
    let fine = cjm_core::states::StateRequest::from_json(
        r#"{"analysis": "paths", "paths": {"conversion_events": ["buy"]}}"#,
    )
    .unwrap();
    assert!(fine.check(None).is_ok());
}
