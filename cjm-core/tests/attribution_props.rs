//! Laws of attribution: credits sum to the conversions, Markov ignores row order, Shapley's
//! closed form equals the enumerated Shapley value, states split and merged equal the
//! whole, nothing panics.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::attribution::{
    attribute, Attribution, AttributionOptions, Model, PathCounts, PathInput, PathOptions,
    PathTable, TableOptions, TouchKind, TransitionCounts,
};
use cjm_core::events::{EventLog, IngestOptions, Mergeable, RawEvent, TimeValue};
use proptest::prelude::*;
use std::collections::BTreeSet;

const CHANNELS: [&str; 5] = ["a", "b", "c", "direct", "e"];

fn row_strategy() -> impl Strategy<Value = PathInput> {
    (
        prop::collection::vec(0usize..5, 0..6),
        0u32..4,
        0u32..4,
        0u32..50,
        any::<bool>(),
    )
        .prop_map(|(p, conv, nulls, value, times)| {
            let n = p.len();
            PathInput {
                path: p
                    .iter()
                    .map(|&i| CHANNELS[i])
                    .collect::<Vec<_>>()
                    .join(" > "),
                conversions: f64::from(conv),
                value: f64::from(value),
                nulls: f64::from(nulls),
                seconds_to_conversion: times
                    .then(|| (0..n).map(|i| ((n - i) as f64) * 40_000.0).collect()),
            }
        })
}

fn table(rows: &[PathInput], collapse: bool) -> PathTable {
    PathTable::from_rows(
        rows,
        &TableOptions {
            collapse_repeats: collapse,
            ..TableOptions::default()
        },
    )
    .unwrap()
}

fn column(r: &Attribution, model: &str) -> Vec<Option<f64>> {
    r.channels
        .iter()
        .map(|c| c.credit(model).and_then(|x| x.conversions))
        .collect()
}

/// The Shapley value by enumerating every coalition, with v(S) = conversions of the
/// paths whose channel set is a subset of S (and has at most `cap` channels).
fn brute_shapley(t: &PathTable, cap: usize) -> Vec<(String, f64)> {
    let players = t.channels();
    let n = players.len();
    let sets: Vec<(u32, f64)> = t
        .rows
        .iter()
        .filter(|r| !r.channels.is_empty())
        .filter_map(|r| {
            let set: BTreeSet<&String> = r.channels.iter().collect();
            (set.len() <= cap).then(|| {
                let mask = set
                    .iter()
                    .map(|c| 1u32 << players.iter().position(|p| p == *c).unwrap())
                    .fold(0, |a, b| a | b);
                (mask, r.conversions)
            })
        })
        .collect();
    let v = |s: u32| -> f64 {
        sets.iter()
            .filter(|(m, _)| m & !s == 0)
            .map(|(_, w)| w)
            .sum()
    };
    let fact = |k: usize| -> f64 { (1..=k).map(|x| x as f64).product() };
    players
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut phi = 0.0;
            for s in 0u32..(1 << n) {
                if s & (1 << i) != 0 {
                    continue;
                }
                let k = s.count_ones() as usize;
                let weight = fact(k) * fact(n - k - 1) / fact(n);
                phi += weight * (v(s | (1 << i)) - v(s));
            }
            (p.clone(), phi)
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn credits_sum_to_the_conversions(
        rows in prop::collection::vec(row_strategy(), 0..12),
        collapse in any::<bool>(),
        order in 1usize..4,
    ) {
        let t = table(&rows, collapse);
        let options = AttributionOptions { markov_order: order, ..AttributionOptions::default() };
        let r = attribute(&t, &options).unwrap();
        prop_assert!(!serde_json::to_string(&r).unwrap().contains("NaN"));
        let total = r.totals.conversions;
        for m in &r.models {
            if m.model == Model::Participation {
                // Participation counts every channel of a path: at least the total.
                prop_assert!(m.conversions.unwrap() + 1e-9 >= total);
                continue;
            }
            prop_assert!(m.sums_to_conversions || m.model == Model::Shapley);
            match m.conversions {
                Some(sum) => prop_assert!(close(sum, total), "{:?}: {} vs {}", m.model, sum, total),
                // Only Markov is undefined, and only without conversions.
                None => prop_assert!(m.model == Model::Markov && total == 0.0),
            }
        }
        for c in &r.channels {
            for credit in &c.credits {
                if let Some(x) = credit.conversions {
                    prop_assert!(x >= -1e-12);
                }
            }
        }
    }

    #[test]
    fn markov_ignores_row_order(
        rows in prop::collection::vec(row_strategy(), 0..12),
        order in 1usize..3,
        self_loops in any::<bool>(),
    ) {
        let options = AttributionOptions {
            models: vec![Model::Markov],
            markov_order: order,
            remove_self_loops: self_loops,
            ..AttributionOptions::default()
        };
        let a = attribute(&table(&rows, false), &options).unwrap();
        let mut reversed = rows.clone();
        reversed.reverse();
        let b = attribute(&table(&reversed, false), &options).unwrap();
        for (x, y) in column(&a, "markov").iter().zip(column(&b, "markov")) {
            match (x, y) {
                (Some(x), Some(y)) => prop_assert!(close(*x, y)),
                (x, y) => prop_assert_eq!(*x, y),
            }
        }
    }

    #[test]
    fn self_loops_do_not_change_first_order_removal_effects(
        rows in prop::collection::vec(row_strategy(), 0..10),
    ) {
        let t = table(&rows, false);
        let with = attribute(&t, &AttributionOptions { models: vec![Model::Markov], ..AttributionOptions::default() }).unwrap();
        let without = attribute(&t, &AttributionOptions { models: vec![Model::Markov], remove_self_loops: true, ..AttributionOptions::default() }).unwrap();
        for (x, y) in column(&with, "markov").iter().zip(column(&without, "markov")) {
            match (x, y) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() <= 1e-7 * (1.0 + x.abs())),
                (x, y) => prop_assert_eq!(*x, y),
            }
        }
    }

    #[test]
    fn shapley_closed_form_equals_enumeration(
        rows in prop::collection::vec(row_strategy(), 0..10),
        cap in 1usize..6,
    ) {
        let t = table(&rows, true);
        let r = attribute(&t, &AttributionOptions {
            models: vec![Model::Shapley],
            shapley_max_channels: cap,
            ..AttributionOptions::default()
        }).unwrap();
        for (channel, phi) in brute_shapley(&t, cap) {
            let got = r.channels.iter().find(|c| c.channel == channel).unwrap()
                .credit("shapley").unwrap().conversions.unwrap();
            prop_assert!(close(got, phi), "{}: {} vs {}", channel, got, phi);
        }
    }

    #[test]
    fn path_states_split_and_merged_equal_the_whole(
        rows in prop::collection::vec(row_strategy(), 0..16),
        parts in prop::collection::vec(0usize..3, 16),
        order in 1usize..3,
    ) {
        let whole_table = table(&rows, true);
        let whole = PathCounts::from_table(&whole_table).unwrap();
        let mut states = Vec::new();
        for p in 0..3 {
            let mine: Vec<PathInput> = rows.iter().enumerate()
                .filter(|(i, _)| parts[*i] == p).map(|(_, r)| r.clone()).collect();
            let s = PathCounts::from_table(&table(&mine, true)).unwrap();
            states.push(PathCounts::from_bytes(&s.to_bytes()).unwrap());
        }
        let [s0, s1, s2]: [PathCounts; 3] = states.try_into().unwrap();
        let left = s0.clone().merge(s1.clone()).unwrap().merge(s2.clone()).unwrap();
        let right = s0.merge(s1.merge(s2).unwrap()).unwrap();
        prop_assert_eq!(&left, &right);
        prop_assert_eq!(left.to_bytes(), whole.to_bytes());
        prop_assert_eq!(PathCounts::identity().merge(whole.clone()).unwrap(), whole.clone());

        // Transition counts of merged partitions give the Markov result of the whole.
        let tw = TransitionCounts::from_paths(&whole, order).unwrap();
        let parts_t: Vec<TransitionCounts> = (0..3).map(|p| {
            let mine: Vec<PathInput> = rows.iter().enumerate()
                .filter(|(i, _)| parts[*i] == p).map(|(_, r)| r.clone()).collect();
            let s = PathCounts::from_table(&table(&mine, true)).unwrap();
            TransitionCounts::from_bytes(&TransitionCounts::from_paths(&s, order).unwrap().to_bytes()).unwrap()
        }).collect();
        let merged = parts_t.into_iter().try_fold(TransitionCounts::identity(), TransitionCounts::merge).unwrap();
        prop_assert_eq!(merged.to_bytes(), tw.to_bytes());
        let options = AttributionOptions { markov_order: order, models: vec![Model::Markov], ..AttributionOptions::default() };
        let from_state = merged.markov(&options).unwrap();
        let from_table = attribute(&whole_table, &options).unwrap().markov.unwrap();
        for (x, y) in from_state.channels.iter().zip(&from_table.channels) {
            prop_assert_eq!(&x.channel, &y.channel);
            prop_assert!(close(x.conversions, y.conversions));
        }
    }

    // Random and corrupted state bytes of every kind: `events_state.rs`.

    #[test]
    fn tables_never_panic(
        path in ".{0,30}",
        conv in any::<f64>(),
        nulls in any::<f64>(),
        value in any::<f64>(),
        sep in ".{0,2}",
    ) {
        let rows = vec![PathInput { path, conversions: conv, value, nulls, seconds_to_conversion: None }];
        if let Ok(t) = PathTable::from_rows(&rows, &TableOptions { separator: sep, collapse_repeats: true }) {
            let r = attribute(&t, &AttributionOptions::default()).unwrap();
            let _ = serde_json::to_string(&r).unwrap();
        }
    }
}

/// (customer, seconds, event, channel, value).
type Row<'a> = (&'a str, i64, &'a str, Option<&'a str>, Option<f64>);
/// (channels, times, conversions, value, nulls).
type Summary<'a> = (Vec<&'a str>, Option<Vec<f64>>, f64, f64, f64);

fn log(rows: &[Row<'_>]) -> EventLog {
    let raw: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|&(c, t, e, ch, v)| RawEvent {
            channel: ch,
            value: v,
            timestamp: TimeValue::Ticks(t),
            ..RawEvent::new(c, t, e)
        })
        .collect();
    EventLog::from_rows(
        raw,
        IngestOptions {
            time_unit: cjm_core::events::TimeUnit::Seconds,
            ..IngestOptions::default()
        },
    )
    .unwrap()
    .0
}

const DAY: i64 = 86_400;

#[test]
fn paths_from_a_log() {
    let l = log(&[
        ("c1", 0, "visit", Some("email"), None),
        ("c1", DAY, "visit", Some("email"), None),
        ("c1", 2 * DAY, "visit", Some("search"), None),
        ("c1", 3 * DAY, "purchase", Some("web"), Some(50.0)),
        ("c1", 4 * DAY, "visit", Some("social"), None),
        ("c2", 0, "visit", Some("direct"), None),
        ("c2", DAY, "visit", None, None),
        ("c3", 5, "purchase", None, Some(9.0)),
        ("c4", 0, "visit", Some("social"), None),
        ("c4", 20 * DAY, "visit", Some("search"), None),
        ("c4", 21 * DAY, "purchase", None, None),
    ]);
    let options = PathOptions {
        conversion_events: vec!["purchase".into()],
        ..PathOptions::default()
    };
    let t = PathTable::from_log(&l, None, &options).unwrap();
    let rows: Vec<Summary<'_>> = t
        .rows
        .iter()
        .map(|r| {
            (
                r.channels.iter().map(String::as_str).collect(),
                r.seconds_to_conversion.clone(),
                r.conversions,
                r.value,
                r.nulls,
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (vec![], None, 1.0, 9.0, 0.0),
            (vec!["direct"], None, 0.0, 0.0, 1.0),
            // The whole path by default: email twice (3 and 2 days before), then search.
            (
                vec!["email", "email", "search"],
                Some(vec![3.0 * 86_400.0, 2.0 * 86_400.0, 86_400.0]),
                1.0,
                50.0,
                0.0
            ),
            (
                vec!["social", "search"],
                Some(vec![21.0 * 86_400.0, 86_400.0]),
                1.0,
                0.0,
                0.0
            ),
        ]
    );
    // Collapsed on request: email, email become one touch keeping the later time.
    let collapsed = PathTable::from_log(
        &l,
        None,
        &PathOptions {
            collapse_repeats: true,
            ..options.clone()
        },
    )
    .unwrap();
    let c1 = collapsed.rows.iter().find(|r| r.value == 50.0).unwrap();
    assert_eq!(c1.channels, ["email", "search"]);
    assert_eq!(
        c1.seconds_to_conversion,
        Some(vec![2.0 * 86_400.0, 86_400.0])
    );
    // A 7-day lookback drops c4's social touch; repeats kept.
    let t = PathTable::from_log(
        &l,
        None,
        &PathOptions {
            lookback_seconds: Some(7.0 * 86_400.0),
            collapse_repeats: false,
            keep_times: false,
            ..options.clone()
        },
    )
    .unwrap();
    let paths: Vec<Vec<&str>> = t
        .rows
        .iter()
        .map(|r| r.channels.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        paths,
        vec![
            vec![],
            vec!["direct"],
            vec!["email", "email", "search"],
            vec!["search"]
        ]
    );
    // Event names as touches.
    let t = PathTable::from_log(
        &l,
        None,
        &PathOptions {
            touch: TouchKind::Event,
            ..options.clone()
        },
    )
    .unwrap();
    assert!(t
        .rows
        .iter()
        .any(|r| r.channels == vec!["visit".to_owned(), "visit".to_owned()]));
    // Time decay from the log (half-life 1 day), whole path: c1's emails 3 and 2 days out
    // weigh 1/8 and 1/4, search 1/2, so email gets (3/8)/(7/8) = 3/7.
    let r = attribute(
        &PathTable::from_log(&l, None, &options).unwrap(),
        &AttributionOptions {
            models: vec![Model::TimeDecay],
            half_life_seconds: 86_400.0,
            ..AttributionOptions::default()
        },
    )
    .unwrap();
    let email = r.channels.iter().find(|c| c.channel == "email").unwrap();
    let td = email.credit("time_decay").unwrap();
    assert!((td.conversions.unwrap() - 3.0 / 7.0).abs() < 1e-12);
    assert!((td.value.unwrap() - 50.0 * 3.0 / 7.0).abs() < 1e-9);
    assert_eq!(r.totals.unattributed_conversions, 1.0);

    // Errors.
    let err = PathTable::from_log(&l, None, &PathOptions::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    let err = PathTable::from_log(
        &l,
        None,
        &PathOptions {
            touch: TouchKind::Touchpoint,
            ..options.clone()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
}

#[test]
fn log_states_split_by_customer_merge_to_the_whole() {
    let rows = [
        ("c1", 0, "visit", Some("email"), None),
        ("c1", 10, "purchase", None, Some(12.5)),
        ("c2", 0, "visit", Some("direct"), None),
        ("c3", 3, "visit", Some("email"), None),
        ("c3", 4, "purchase", None, Some(0.1)),
        ("c4", 3, "visit", Some("email"), None),
        ("c4", 5, "purchase", None, Some(0.2)),
    ];
    let options = PathOptions {
        conversion_events: vec!["purchase".into()],
        keep_times: false,
        ..PathOptions::default()
    };
    let whole = PathCounts::from_log(&log(&rows), None, &options).unwrap();
    let a = PathCounts::from_log(&log(&rows[..3]), None, &options).unwrap();
    let b = PathCounts::from_log(&log(&rows[3..5]), None, &options).unwrap();
    let c = PathCounts::from_log(&log(&rows[5..]), None, &options).unwrap();
    let merged = c.merge(a).unwrap().merge(b).unwrap();
    assert_eq!(merged, whole);
    let t = merged.to_table();
    let email = t.rows.iter().find(|r| r.channels == vec!["email"]).unwrap();
    assert_eq!(email.conversions, 3.0);
    assert!((email.value - 12.8).abs() < 1e-9);
    // Different definitions do not merge.
    let other = PathCounts::from_log(
        &log(&rows),
        None,
        &PathOptions {
            collapse_repeats: true,
            ..options
        },
    )
    .unwrap();
    assert_eq!(
        whole.merge(other).unwrap_err().code(),
        "incompatible_states"
    );
}

#[test]
fn bad_inputs_have_codes() {
    let row = |path: &str, conv: f64| PathInput {
        path: path.into(),
        conversions: conv,
        value: 0.0,
        nulls: 0.0,
        seconds_to_conversion: None,
    };
    let code = |rows: &[PathInput]| {
        PathTable::from_rows(rows, &TableOptions::default())
            .unwrap_err()
            .code()
    };
    assert_eq!(code(&[row("a > > b", 1.0)]), "invalid_path");
    assert_eq!(code(&[row("a", f64::NAN)]), "not_finite");
    assert_eq!(code(&[row("a", -1.0)]), "out_of_range");
    let mut r = row("a > b", 1.0);
    r.seconds_to_conversion = Some(vec![1.0]);
    assert_eq!(code(&[r]), "invalid_times");
    let t = PathTable::from_rows(&[row("a", 0.5)], &TableOptions::default()).unwrap();
    assert_eq!(
        PathCounts::from_table(&t).unwrap_err().code(),
        "not_an_integer"
    );
    let bad = |o: AttributionOptions| attribute(&t, &o).unwrap_err().code();
    assert_eq!(
        bad(AttributionOptions {
            markov_order: 0,
            ..AttributionOptions::default()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(AttributionOptions {
            half_life_seconds: 0.0,
            ..AttributionOptions::default()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(AttributionOptions {
            position_weights: cjm_core::attribution::PositionWeights::Custom {
                first: 0.5,
                middle: 0.5,
                last: 0.5
            },
            ..AttributionOptions::default()
        }),
        "invalid_option"
    );
    let unknown: Result<AttributionOptions, _> = serde_json::from_str(r#"{"modles": []}"#);
    assert!(unknown.is_err());
    assert_eq!(
        PathCounts::from_bytes(b"CJMS\x03\x00\x10")
            .unwrap_err()
            .code(),
        "unsupported_state_version"
    );
}

/// A log's attribution definition covers every path option, not only the model options
/// (issue 16): flipping any one of them changes the hash, the same options keep it.
#[test]
fn the_log_definition_hash_covers_every_path_option() {
    use cjm_core::attribution::{attribute_log, AttributionOptions, PathOptions, TouchKind};
    let rows = [
        ("a", 0, "visit", Some("email")),
        ("a", 10, "visit", Some("email")),
        ("a", 20, "visit", Some("search")),
        ("a", 30, "buy", None),
        ("b", 0, "visit", Some("search")),
        ("b", 5, "signup", None),
    ];
    let raw: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|&(c, t, e, ch)| RawEvent {
            channel: ch,
            ..RawEvent::new(c, t, e)
        })
        .collect();
    let (log, _) = EventLog::from_rows(raw.iter().copied(), IngestOptions::default()).unwrap();
    let base = PathOptions {
        conversion_events: vec!["buy".to_owned()],
        ..PathOptions::default()
    };
    let models = AttributionOptions::default();
    let hash = |p: &PathOptions, m: &AttributionOptions| {
        attribute_log(&log, None, p, m).unwrap().definition.hash
    };
    let variants = [
        PathOptions {
            touch: TouchKind::Event,
            ..base.clone()
        },
        PathOptions {
            conversion_events: vec!["buy".to_owned(), "signup".to_owned()],
            ..base.clone()
        },
        PathOptions {
            lookback_seconds: Some(15.0),
            ..base.clone()
        },
        PathOptions {
            collapse_repeats: true,
            ..base.clone()
        },
        PathOptions {
            keep_times: false,
            ..base.clone()
        },
        PathOptions {
            allow_missing_events: true,
            ..base.clone()
        },
    ];
    // Merged path states of the log (the Spark route) state the same definition.
    for p in std::iter::once(&base).chain(&variants) {
        let state = cjm_core::attribution::PathCounts::from_log(&log, None, p).unwrap();
        let from_state = cjm_core::attribution::attribute_paths(&state, &models).unwrap();
        assert_eq!(from_state.definition.hash, hash(p, &models), "{p:?}");
    }
    let mut seen = BTreeSet::new();
    assert!(seen.insert(hash(&base, &models)));
    assert_eq!(hash(&base, &models), hash(&base.clone(), &models));
    for v in &variants {
        assert!(seen.insert(hash(v, &models)), "{v:?} shares a hash");
    }
    let other_models = AttributionOptions {
        half_life_seconds: 60.0,
        ..models.clone()
    };
    assert!(seen.insert(hash(&base, &other_models)));
}

/// Finite rows whose sums would overflow (two rows of 1e308 conversions or value) are
/// refused: no table, result or total can hold an infinity.
#[test]
fn rows_whose_sums_overflow_are_refused() {
    let row = |conv: f64, value: f64| PathInput {
        path: "a > b".into(),
        conversions: conv,
        value,
        nulls: 0.0,
        seconds_to_conversion: None,
    };
    for rows in [
        vec![row(1e308, 0.0), row(1e308, 0.0)],
        vec![row(1.0, 1e308), row(1.0, 1e308)],
        vec![row(1.0, -1e308), row(1.0, -1e308)],
    ] {
        let err = PathTable::from_rows(&rows, &TableOptions::default()).unwrap_err();
        assert_eq!((err.code(), err.row()), ("out_of_range", Some(0)));
    }
    // 2⁶⁰ itself is accepted, and a thousand such rows still sum to finite totals.
    let limit = 2f64.powi(60);
    let rows = vec![row(limit, limit); 1000];
    let t = PathTable::from_rows(&rows, &TableOptions::default()).unwrap();
    let r = attribute(&t, &AttributionOptions::default()).unwrap();
    let text = format!("{r:?}");
    assert!(!text.contains("inf") && !text.contains("NaN"), "{text}");
}

/// A table whose paths visit `channels` channels, each path `a > b` for consecutive
/// channel numbers, plus `order`-long runs, all converting.
fn many_channels(channels: usize, pairs: bool) -> PathTable {
    let mut rows = Vec::new();
    for i in 0..channels {
        let path = if pairs {
            // Every ordered pair (i, j): a chain of order 2 with channels² states.
            (0..channels)
                .map(|j| format!("c{i} > c{j} > c{}", (i + j) % channels))
                .collect::<Vec<_>>()
        } else {
            vec![format!("c{i} > c{}", (i + 1) % channels)]
        };
        for path in path {
            rows.push(PathInput {
                path,
                conversions: 1.0,
                value: 0.0,
                nulls: 1.0,
                seconds_to_conversion: None,
            });
        }
    }
    PathTable::from_rows(&rows, &TableOptions::default()).unwrap()
}

/// The adversarial Markov inputs of issue 14 (400 channels: ~57 s; 60 channels at order 2:
/// ~43 s) are refused at once with `too_many_states`, naming the cap; 300 channels at order
/// 1 (the work just under the cap) still run.
#[test]
fn markov_chains_beyond_the_work_cap_are_refused() {
    let markov = |order| AttributionOptions {
        models: vec![Model::Markov],
        markov_order: order,
        ..AttributionOptions::default()
    };
    for (table, order, states) in [
        (many_channels(400, false), 1, 401),
        (many_channels(60, true), 2, 3661),
    ] {
        let err = attribute(&table, &markov(order)).unwrap_err();
        assert_eq!(err.code(), "too_many_states", "{err}");
        let text = err.to_string();
        assert!(text.contains(&format!("has {states} states")), "{text}");
        assert!(text.contains("cap of 3e9"), "{text}");
    }
    // The edge, by hand: 308 channels at order 1 is (308 + 1)·309³/3 ≈ 3.04e9 operations,
    // over the cap, and the message gives the most states for 308 channels,
    // ⌊(3·3e9/309)^⅓⌋ = 307; 100 channels (≈ 3.5e8) run.
    let err = attribute(&many_channels(308, false), &markov(1)).unwrap_err();
    assert!(err.to_string().contains("at most 307 states"), "{err}");
    let r = attribute(&many_channels(100, false), &markov(1)).unwrap();
    assert_eq!(r.markov.unwrap().channels.len(), 100);
}

/// Every model, without the ones that need a journey.
fn every_model() -> Vec<Model> {
    vec![
        Model::First,
        Model::Last,
        Model::LastNonDirect,
        Model::Linear,
        Model::PositionBased,
        Model::TimeDecay,
        Model::Participation,
        Model::Markov,
        Model::Shapley,
        Model::OrderedShapley,
    ]
}

/// A result as JSON without its definition (the log route states its path options).
fn numbers(a: &Attribution) -> serde_json::Value {
    let mut v = serde_json::to_value(a).unwrap();
    v.as_object_mut().unwrap().remove("definition");
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// `attribute_log` runs the models on the log's channel codes; the named path table
    /// of the same log (`PathTable::from_log`, then `attribute`) and the merged state of
    /// the log (`attribute_paths`, the Spark route) give bit-identical numbers.
    #[test]
    fn the_log_route_equals_the_named_table_and_the_state(
        events in prop::collection::vec(
            (0usize..6, 0i64..40, 0usize..4, prop::option::of(0usize..5), prop::option::of(0u32..100)),
            0..60,
        ),
        collapse in any::<bool>(),
        keep_times in any::<bool>(),
        order in 1usize..3,
    ) {
        const CUSTOMERS: [&str; 6] = ["u0", "u1", "u2", "u3", "u4", "u5"];
        const EVENTS: [&str; 4] = ["visit", "view", "purchase", "visit"];
        let rows: Vec<Row<'_>> = events
            .iter()
            .map(|&(c, t, e, ch, v)| {
                (CUSTOMERS[c], t * 3_600, EVENTS[e], ch.map(|k| CHANNELS[k]), v.map(f64::from))
            })
            .collect();
        let l = log(&rows);
        let paths = PathOptions {
            conversion_events: vec!["purchase".to_owned()],
            collapse_repeats: collapse,
            keep_times,
            allow_missing_events: true,
            ..PathOptions::default()
        };
        let options = AttributionOptions {
            models: every_model(),
            markov_order: order,
            ..AttributionOptions::default()
        };
        let by_codes = match cjm_core::attribution::attribute_log(&l, None, &paths, &options) {
            Ok(a) => a,
            Err(e) => {
                // A log without any channel value: every route refuses it alike.
                prop_assert_eq!(e.code(), "unknown_column");
                prop_assert_eq!(PathTable::from_log(&l, None, &paths).unwrap_err().code(), "unknown_column");
                return Ok(());
            }
        };
        let named = attribute(&PathTable::from_log(&l, None, &paths).unwrap(), &options).unwrap();
        prop_assert_eq!(numbers(&by_codes), numbers(&named));
        let state = PathCounts::from_log(&l, None, &paths).unwrap();
        let merged = cjm_core::attribution::attribute_paths(&state, &options).unwrap();
        prop_assert_eq!(numbers(&by_codes), numbers(&merged));
        prop_assert_eq!(by_codes.definition.hash, merged.definition.hash);
    }
}

/// A log long enough to read its paths on two threads (above 2¹⁷ events) gives the same
/// numbers as the merged states of its customers in three parts, each short enough to be
/// read in one pass.
#[test]
fn a_long_log_read_in_two_halves_equals_its_parts_read_in_one_pass() {
    use cjm_core::events::synth::{generate, SynthOptions};
    let events = generate(&SynthOptions {
        customers: 12_000,
        ..SynthOptions::default()
    });
    assert!(events.len() > 1 << 17, "{} events", events.len());
    let build = |part: Option<usize>| {
        let raw: Vec<RawEvent<'_>> = events
            .iter()
            .filter(|e| {
                part.is_none_or(|p| e.customer.bytes().map(usize::from).sum::<usize>() % 3 == p)
            })
            .map(|e| RawEvent {
                channel: Some(e.channel),
                value: e.value,
                ..RawEvent::new(&e.customer, e.timestamp_ms, e.event)
            })
            .collect();
        EventLog::from_rows(
            raw,
            IngestOptions {
                time_unit: cjm_core::events::TimeUnit::Milliseconds,
                ..IngestOptions::default()
            },
        )
        .unwrap()
        .0
    };
    let paths = PathOptions {
        conversion_events: vec!["purchase".to_owned()],
        ..PathOptions::default()
    };
    let options = AttributionOptions {
        models: every_model(),
        ..AttributionOptions::default()
    };
    let whole = build(None);
    let by_codes = cjm_core::attribution::attribute_log(&whole, None, &paths, &options).unwrap();
    assert!(by_codes.totals.conversions > 100.0, "{:?}", by_codes.totals);
    let merged = (0..3)
        .map(|p| {
            let part = build(Some(p));
            assert!(part.len() < 1 << 17, "part {p}: {} events", part.len());
            PathCounts::from_log(&part, None, &paths).unwrap()
        })
        .try_fold(PathCounts::identity(), PathCounts::merge)
        .unwrap();
    let from_parts = cjm_core::attribution::attribute_paths(&merged, &options).unwrap();
    assert_eq!(numbers(&by_codes), numbers(&from_parts));
}

/// A path's channels and whole seconds to conversion.
type PathKey = (Vec<String>, Vec<i64>);
/// Conversions, value and nulls.
type Sums = (f64, f64, f64);

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Paths over a few or many channels, some longer than the 128 bits in which the
    /// engine packs a path (70 channels: 7 bits a code, 18 codes; 300: 9 bits, 14), equal
    /// the paths collected here customer by customer, as the definition reads: the
    /// channels of a customer's touches up to the first conversion, one conversion with
    /// its value or one null, times to conversion when kept; rows sorted by channel names,
    /// then times.
    #[test]
    fn long_paths_over_many_channels_equal_a_reference(
        channels in prop_oneof![Just(3usize), Just(70usize), Just(300usize)],
        journeys in prop::collection::vec(
            (prop::collection::vec(any::<u16>(), 0..40), any::<bool>()),
            1..14,
        ),
        keep_times in any::<bool>(),
    ) {
        let names: Vec<String> = (0..channels).map(|i| format!("ch{i}")).collect();
        let ids: Vec<String> = (0..journeys.len()).map(|i| format!("u{i}")).collect();
        let mut rows: Vec<Row<'_>> = Vec::new();
        // (channels, seconds to conversion) -> (conversions, value, nulls), by hand.
        let mut want: std::collections::BTreeMap<PathKey, Sums> = std::collections::BTreeMap::new();
        for (c, (touches, converts)) in journeys.iter().enumerate() {
            let path: Vec<String> =
                touches.iter().map(|&t| names[usize::from(t) % channels].clone()).collect();
            for (k, name) in path.iter().enumerate() {
                let name = names.iter().find(|n| *n == name).unwrap();
                rows.push((&ids[c], 60 * k as i64, "visit", Some(name.as_str()), None));
            }
            let end = 60 * touches.len() as i64;
            if *converts {
                rows.push((&ids[c], end, "purchase", None, Some(10.0)));
            } else if touches.is_empty() {
                continue;
            }
            let times = if keep_times && *converts {
                (0..touches.len()).map(|k| end - 60 * k as i64).collect()
            } else {
                Vec::new()
            };
            let e = want.entry((path, times)).or_insert((0.0, 0.0, 0.0));
            if *converts {
                e.0 += 1.0;
                e.1 += 10.0;
            } else {
                e.2 += 1.0;
            }
        }
        prop_assume!(rows.iter().any(|r| r.3.is_some()));
        let l = log(&rows);
        let paths = PathOptions {
            conversion_events: vec!["purchase".to_owned()],
            keep_times,
            allow_missing_events: true,
            ..PathOptions::default()
        };
        let table = PathTable::from_log(&l, None, &paths).unwrap();
        let got: Vec<(PathKey, Sums)> = table
            .rows
            .iter()
            .map(|r| {
                #[allow(clippy::cast_possible_truncation)]
                let times = r
                    .seconds_to_conversion
                    .as_ref()
                    .map_or_else(Vec::new, |s| s.iter().map(|&x| x as i64).collect());
                ((r.channels.clone(), times), (r.conversions, r.value, r.nulls))
            })
            .collect();
        // The map iterates in the order the table promises.
        let want: Vec<_> = want.into_iter().collect();
        prop_assert_eq!(got, want);
    }
}
