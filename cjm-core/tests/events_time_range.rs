//! Funnel time arithmetic over the whole accepted timestamp range (issue 14, item 2).
//! Ingest accepts every i64 nanosecond count (1677-09-21 to 2262-04-11), and two of them
//! can differ by more than `i64::MAX`: in i64 such a span wraps round to a short negative
//! one, and (in a release or wasm build, which do not check overflow) two events 584 years
//! apart "converted" inside a 7-day window. `make test` runs this file with overflow
//! checks on (Cargo's test profile), so a span that wraps fails it.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::events::{
    EventLog, Funnel, FunnelOptions, FunnelOrder, IngestOptions, RawEvent, TimeUnit,
};
use proptest::prelude::*;

fn log(rows: &[(String, i64, &str)]) -> EventLog {
    EventLog::from_rows(
        rows.iter().map(|(c, t, e)| RawEvent::new(c, *t, e)),
        IngestOptions {
            time_unit: TimeUnit::Nanoseconds,
            ..IngestOptions::default()
        },
    )
    .unwrap()
    .0
}

fn run(rows: &[(String, i64, &str)], steps: &[&str], options: FunnelOptions) -> Vec<u64> {
    // Random logs may lack a step's event: that is not the mistake `unknown_event` is for.
    let options = FunnelOptions {
        allow_missing_events: true,
        ..options
    };
    let r = Funnel {
        options,
        ..Funnel::events(steps)
    }
    .run(&log(rows), None)
    .unwrap();
    r.steps.iter().map(|s| s.customers).collect()
}

#[test]
fn events_at_the_ends_of_the_range_do_not_convert_in_a_week() {
    for order in [
        FunnelOrder::Sequential,
        FunnelOrder::Strict,
        FunnelOrder::Any,
    ] {
        for (t0, t1) in [
            (i64::MIN, 0),
            (i64::MIN, i64::MAX),
            (-1, i64::MAX),
            (i64::MIN, 1),
        ] {
            let rows = [("a".to_owned(), t0, "x"), ("a".to_owned(), t1, "y")];
            let options = FunnelOptions {
                order,
                ..FunnelOptions::default()
            };
            assert_eq!(
                run(&rows, &["x", "y"], options),
                [1, 0],
                "{order:?} {t0} {t1}"
            );
        }
    }
    // A per-step window spans the same way.
    let rows = [
        ("a".to_owned(), i64::MIN, "x"),
        ("a".to_owned(), i64::MAX, "y"),
    ];
    let options = FunnelOptions {
        window_seconds: Some(u64::MAX),
        step_windows_seconds: vec![None, Some(7 * 86_400)],
        ..FunnelOptions::default()
    };
    assert_eq!(run(&rows, &["x", "y"], options), [1, 0]);
}

#[test]
fn the_longest_window_holds_the_whole_range_but_one_i64_span() {
    // window_seconds beyond i64 nanoseconds is i64::MAX ns (292 years).
    let long = FunnelOptions {
        window_seconds: Some(u64::MAX),
        ..FunnelOptions::default()
    };
    let rows = [
        ("a".to_owned(), -1, "x"),
        ("a".to_owned(), i64::MAX - 1, "y"),
    ];
    assert_eq!(run(&rows, &["x", "y"], long.clone()), [1, 1]);
    let rows = [("a".to_owned(), -2, "x"), ("a".to_owned(), i64::MAX, "y")];
    assert_eq!(run(&rows, &["x", "y"], long), [1, 0]);
    // No window at all: the widest span of the range converts too.
    let none = FunnelOptions {
        window_seconds: None,
        ..FunnelOptions::default()
    };
    let rows = [
        ("a".to_owned(), i64::MIN, "x"),
        ("a".to_owned(), i64::MAX, "y"),
    ];
    assert_eq!(run(&rows, &["x", "y"], none), [1, 1]);
}

/// Timestamps from the whole range, with the ends and zero often.
fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => any::<i64>(),
        1 => Just(i64::MIN),
        1 => Just(i64::MAX),
        1 => Just(0i64),
        1 => -1_000_000_000_000i64..1_000_000_000_000,
        1 => i64::MIN..i64::MIN + 1_000_000_000_000,
        1 => i64::MAX - 1_000_000_000_000..=i64::MAX,
    ]
}

fn window() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        1u64..1_000,
        Just(7 * 86_400),
        any::<u64>(),
        Just(u64::MAX)
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Two steps: a customer reaches step 2 exactly when some `y` is at or after some `x`
    /// by at most the window, the span taken in i128.
    #[test]
    fn two_step_conversion_matches_exact_spans(
        events in prop::collection::vec((0usize..3, timestamp(), prop::bool::ANY), 1..10),
        window_seconds in prop::option::of(window()),
    ) {
        let rows: Vec<(String, i64, &str)> = events
            .iter()
            .map(|&(c, t, is_x)| (format!("c{c}"), t, if is_x { "x" } else { "y" }))
            .collect();
        // No window: any `y` at or after an `x`.
        let w = window_seconds.map_or(i128::MAX, |ws| i128::from(i64::try_from(ws).ok().and_then(|s| s.checked_mul(1_000_000_000)).unwrap_or(i64::MAX)));
        let mut expected = [0u64, 0];
        for c in 0..3 {
            let mine: Vec<_> = events.iter().filter(|e| e.0 == c).collect();
            let xs: Vec<i128> = mine.iter().filter(|e| e.2).map(|e| i128::from(e.1)).collect();
            let ys: Vec<i128> = mine.iter().filter(|e| !e.2).map(|e| i128::from(e.1)).collect();
            if !xs.is_empty() {
                expected[0] += 1;
                if xs.iter().any(|x| ys.iter().any(|y| y >= x && y - x <= w)) {
                    expected[1] += 1;
                }
            }
        }
        let options = FunnelOptions { window_seconds, ..FunnelOptions::default() };
        prop_assert_eq!(run(&rows, &["x", "y"], options), expected.to_vec());
    }

    /// Any order, per-step windows, three steps: never a panic or overflow, counts never
    /// grow down the funnel, and every time to convert lies in 0..=window.
    #[test]
    fn funnels_over_the_whole_range_are_consistent(
        events in prop::collection::vec((0usize..3, timestamp(), 0usize..3), 1..12),
        window_seconds in window(),
        step_window in prop::option::of(window()),
        order in prop_oneof![Just(FunnelOrder::Sequential), Just(FunnelOrder::Strict), Just(FunnelOrder::Any)],
    ) {
        let names = ["x", "y", "z"];
        let rows: Vec<(String, i64, &str)> = events
            .iter()
            .map(|&(c, t, e)| (format!("c{c}"), t, names[e]))
            .collect();
        let options = FunnelOptions {
            order,
            window_seconds: Some(window_seconds),
            step_windows_seconds: if order == FunnelOrder::Any { vec![] } else { vec![None, step_window, step_window] },
            allow_missing_events: true,
            ..FunnelOptions::default()
        };
        let r = Funnel { options, ..Funnel::events(&names) }.run(&log(&rows), None).unwrap();
        let window_s = (i64::try_from(window_seconds).ok().and_then(|s| s.checked_mul(1_000_000_000)).unwrap_or(i64::MAX) as f64) / 1e9;
        for pair in r.steps.windows(2) {
            prop_assert!(pair[1].customers <= pair[0].customers);
        }
        for s in &r.steps {
            for d in [&s.time_from_first, &s.time_from_previous].into_iter().flatten() {
                for v in [d.median_seconds, d.p90_seconds, d.mean_seconds] {
                    prop_assert!(v.is_finite() && v >= 0.0 && v <= window_s * (1.0 + 1e-12), "{v} outside 0..={window_s}");
                }
            }
        }
    }
}
