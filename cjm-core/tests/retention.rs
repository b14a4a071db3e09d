//! Retention cohorts worked by hand (docs/events.md, "Retention"): every option — day,
//! week and month periods, `on` and `on_or_after`, first-time and recurring cohorts, start
//! and return events, a time zone that moves a day (and a month) boundary, breakdowns,
//! `as_of` and the cells not yet observable — on small logs whose numbers are worked out
//! in the comments; the errors; and, on random logs, agreement with a deliberately naive
//! implementation written here from the definition.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod common;

use cjm_core::events::{
    CohortType, EventLog, EventMatch, IngestOptions, RawEvent, RetentionMode, RetentionOptions,
    RetentionPeriod, RetentionResult, TimeUnit, TimeValue,
};
use common::{log_of, Row, LOG};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn one(name: &str) -> Option<EventMatch> {
    Some(EventMatch::One(name.to_owned()))
}

/// `(period_start, size, retained)` of each cohort.
fn table(r: &RetentionResult) -> Vec<(String, u64, Vec<Option<u64>>)> {
    r.cohorts
        .iter()
        .map(|c| (c.period_start.clone(), c.size, c.retained.clone()))
        .collect()
}

fn row(start: &str, size: u64, retained: &[Option<u64>]) -> (String, u64, Vec<Option<u64>>) {
    (start.to_owned(), size, retained.to_vec())
}

fn close(a: &[Option<f64>], b: &[Option<f64>]) {
    assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        match (x, y) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-12, "{a:?} vs {b:?}"),
            _ => assert_eq!(x, y, "{a:?} vs {b:?}"),
        }
    }
}

/// Every rate is its count over the cohort size, null exactly where the count is.
fn rates_follow_counts(r: &RetentionResult) {
    for c in r
        .cohorts
        .iter()
        .chain(r.breakdown.iter().flat_map(|g| &g.cohorts))
    {
        let expected: Vec<Option<f64>> = c
            .retained
            .iter()
            .map(|x| x.map(|x| x as f64 / c.size as f64))
            .collect();
        close(&c.rates, &expected);
        assert_eq!(c.retained[0], Some(c.size), "period 0 is the cohort");
    }
}

#[test]
fn day_first_seen_any_return_on() {
    // Defaults but periods: cohort = first event of any name, return = any event, `on`.
    // First seen: ann 01-06, bob 01-06 (23:30), cy 01-07, dee 01-08.
    // 01-06 {ann, bob}: k1 01-07 ann ✓ bob ✗ → 1; k2 01-08 bob ✓ → 1; k3 01-09 ann ✓ → 1.
    // 01-07 {cy}: k1 01-08 purchase ✓ → 1; k2 01-09 ✗; k3 01-10 ✗.
    // 01-08 {dee}: nothing after. All observable: 01-08 + 3 = 01-11 ≤ 01-20.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            periods: 3,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 2, &[Some(2), Some(1), Some(1), Some(1)]),
            row("2025-01-07", 1, &[Some(1), Some(1), Some(0), Some(0)]),
            row("2025-01-08", 1, &[Some(1), Some(0), Some(0), Some(0)]),
        ]
    );
    assert_eq!(r.customers, 4);
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-20T10:00:00Z"));
    // Weighted: k1 (1+1+0)/4, k2 (1+0+0)/4, k3 1/4. Simple: k1 (1/2 + 1 + 0)/3 = 1/2,
    // k2 (1/2 + 0 + 0)/3 = 1/6, k3 1/6.
    close(
        &r.mean.weighted,
        &[Some(1.0), Some(0.5), Some(0.25), Some(0.25)],
    );
    close(
        &r.mean.simple,
        &[Some(1.0), Some(0.5), Some(1.0 / 6.0), Some(1.0 / 6.0)],
    );
    assert_eq!(r.mean.cohorts, vec![3, 3, 3, 3]);
    assert_eq!(r.mean.customers, vec![4, 4, 4, 4]);
    assert_eq!(r.cohorts[0].rates[1], Some(0.5));
    rates_follow_counts(&r);
    assert!(r.breakdown.is_empty());
    assert_eq!(r.definition.kind, "retention");
}

#[test]
fn a_time_zone_moves_the_day_boundary() {
    // At +02:00 bob's first event (01-06 23:30Z) is 01-07 01:30 local: he moves to the
    // 01-07 cohort. Local days: ann 01-06, 01-07, 01-09; bob 01-07, 01-08, 01-13;
    // cy 01-07, 01-08, 01-20; dee 01-08.
    // 01-06 {ann}: k1 01-07 ✓ → 1; k2 01-08 ✗ → 0.
    // 01-07 {bob, cy}: k1 01-08 bob ✓ (open 14:00 local) cy ✓ (purchase) → 2; k2 01-09 → 0.
    // 01-08 {dee}: 0, 0.
    let options = RetentionOptions {
        periods: 2,
        time_zone: "+02:00".to_owned(),
        ..RetentionOptions::default()
    };
    let r = log_of(LOG).retention(&options).unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 1, &[Some(1), Some(1), Some(0)]),
            row("2025-01-07", 2, &[Some(2), Some(2), Some(0)]),
            row("2025-01-08", 1, &[Some(1), Some(0), Some(0)]),
        ]
    );
    // In UTC bob is in the 01-06 cohort instead.
    let utc = log_of(LOG)
        .retention(&RetentionOptions {
            time_zone: "UTC".to_owned(),
            ..options.clone()
        })
        .unwrap();
    assert_eq!(utc.cohorts[0].size, 2);
    // The offset is part of the definition, written in one form.
    assert_eq!(r.definition.params["options"]["time_zone"], "+02:00");
    let same = log_of(LOG)
        .retention(&RetentionOptions {
            time_zone: "+0200".to_owned(),
            ..options
        })
        .unwrap();
    assert_eq!(same.definition, r.definition);
    assert_ne!(utc.definition.hash, r.definition.hash);
}

#[test]
fn start_and_return_events_on() {
    // Cohort by the first `signup`, return = `open`, `on`, 7 periods after.
    // First signups: ann 01-06, bob 01-06 (his 01-13 signup is not first), cy 01-07, dee 01-08.
    // 01-06 {ann, bob}: opens ann 01-07 (k1), 01-09 (k3); bob 01-08 (k2) → [2,1,1,1,0,0,0,0].
    // 01-07 {cy}: cy's open at 01-07 10:00 is before the signup and in period 0 (period 0
    // is the cohort whatever the return event); 01-20 is k = 13 > 7 → [1,0,…].
    // 01-08 {dee}: no open → [1,0,…]. All observable: 01-08 + 7 = 01-15 ≤ 01-20.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("signup"),
            return_event: one("open"),
            periods: 7,
            ..RetentionOptions::default()
        })
        .unwrap();
    let s = Some;
    assert_eq!(
        table(&r),
        vec![
            row(
                "2025-01-06",
                2,
                &[s(2), s(1), s(1), s(1), s(0), s(0), s(0), s(0)]
            ),
            row(
                "2025-01-07",
                1,
                &[s(1), s(0), s(0), s(0), s(0), s(0), s(0), s(0)]
            ),
            row(
                "2025-01-08",
                1,
                &[s(1), s(0), s(0), s(0), s(0), s(0), s(0), s(0)]
            ),
        ]
    );
    rates_follow_counts(&r);
}

#[test]
fn start_and_return_events_on_or_after() {
    // As above with `on_or_after`: retained at k when the last `open` is in k or later.
    // 01-06: ann's last open is k3 (k1..3 ✓), bob's k2 (k1..2 ✓) → [2,2,2,1,0,0,0,0].
    // 01-07 {cy}: last open 01-20 is k13: k1..7 all ✓, although beyond the table's 7
    // periods (unbounded; PostHog, which looks only within the table, would give 0s)
    // → [1,1,1,1,1,1,1,1].
    // 01-08 {dee}: [1,0,…].
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("signup"),
            return_event: one("open"),
            periods: 7,
            mode: RetentionMode::OnOrAfter,
            ..RetentionOptions::default()
        })
        .unwrap();
    let s = Some;
    assert_eq!(
        table(&r),
        vec![
            row(
                "2025-01-06",
                2,
                &[s(2), s(2), s(2), s(1), s(0), s(0), s(0), s(0)]
            ),
            row(
                "2025-01-07",
                1,
                &[s(1), s(1), s(1), s(1), s(1), s(1), s(1), s(1)]
            ),
            row(
                "2025-01-08",
                1,
                &[s(1), s(0), s(0), s(0), s(0), s(0), s(0), s(0)]
            ),
        ]
    );
    // Weighted k1: (2+1+0)/4; simple k1: (1 + 1 + 0)/3.
    assert_eq!(r.mean.weighted[1], Some(0.75));
    close(&r.mean.simple[1..2], &[Some(2.0 / 3.0)]);
    rates_follow_counts(&r);
}

#[test]
fn any_of_start_events() {
    // Cohort by the first `signup` or `purchase` (the same as `signup` here but for no one:
    // every customer's first of the two is a signup), return `purchase` or `open`, `on`.
    // 01-06 {ann, bob}: ann open 01-07 (k1), 01-09 (k3), purchase 01-14 (k8 > 3); bob open
    // 01-08 (k2) → [2,1,1,1]. 01-07 {cy}: purchase 01-08 (k1) → [1,1,0,0]. 01-08 {dee}:
    // [1,0,0,0].
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: Some(EventMatch::AnyOf(vec!["signup".into(), "purchase".into()])),
            return_event: Some(EventMatch::AnyOf(vec!["purchase".into(), "open".into()])),
            periods: 3,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 2, &[Some(2), Some(1), Some(1), Some(1)]),
            row("2025-01-07", 1, &[Some(1), Some(1), Some(0), Some(0)]),
            row("2025-01-08", 1, &[Some(1), Some(0), Some(0), Some(0)]),
        ]
    );
    // The lists are kept sorted in the definition, so their order does not change it.
    assert_eq!(
        r.definition.params["options"]["start_event"],
        serde_json::json!(["purchase", "signup"])
    );
    // A start event that only some customers have: `purchase` alone. ann 01-14, cy 01-08.
    // 01-08 {cy}: any event k1..3 (01-09..01-11) → [1,0,0,0].
    // 01-14 {ann}: nothing after 01-14 → [1,0,0,0].
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("purchase"),
            periods: 3,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-08", 1, &[Some(1), Some(0), Some(0), Some(0)]),
            row("2025-01-14", 1, &[Some(1), Some(0), Some(0), Some(0)]),
        ]
    );
    assert_eq!(r.customers, 2);
}

#[test]
fn weeks_recurring_and_first_time() {
    // ISO weeks from Monday: W1 = 01-06..01-12, W2 = 01-13..01-19, W3 = 01-20..01-26.
    // Start `signup`, return any event, `on`, 2 periods. The log ends in W3.
    // Recurring: signups ann W1; bob W1 and W2; cy W1; dee W1 → cohorts W1 {ann, bob, cy,
    // dee}, W2 {bob}. Weeks with any event: ann {W1, W2}, bob {W1, W2}, cy {W1, W3},
    // dee {W1}.
    // W1: k1 (W2) ann ✓ bob ✓ → 2; k2 (W3) cy ✓ → 1 → [4, 2, 1].
    // W2 {bob}: k1 (W3) ✗ → 0; k2 (W4) has not begun by 01-20 → null → [1, 0, null].
    let options = RetentionOptions {
        start_event: one("signup"),
        period: RetentionPeriod::Week,
        periods: 2,
        cohort: CohortType::Recurring,
        ..RetentionOptions::default()
    };
    let r = log_of(LOG).retention(&options).unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 4, &[Some(4), Some(2), Some(1)]),
            row("2025-01-13", 1, &[Some(1), Some(0), None]),
        ]
    );
    assert_eq!(r.cohorts[1].rates, vec![Some(1.0), Some(0.0), None]);
    assert_eq!(r.customers, 4, "bob counts once among the customers");
    // Means over the cohorts observable at k: k1 both, (2+0)/(4+1) = 0.4 weighted,
    // (1/2 + 0)/2 = 0.25 simple; k2 W1 only: 1/4.
    close(&r.mean.weighted, &[Some(1.0), Some(0.4), Some(0.25)]);
    close(&r.mean.simple, &[Some(1.0), Some(0.25), Some(0.25)]);
    assert_eq!(r.mean.cohorts, vec![2, 2, 1]);
    assert_eq!(r.mean.customers, vec![5, 5, 4]);
    rates_follow_counts(&r);
    // First time: bob's W2 signup is not a cohort entry → only W1 [4, 2, 1].
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            cohort: CohortType::FirstTime,
            ..options.clone()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![row("2025-01-06", 4, &[Some(4), Some(2), Some(1)])]
    );
    // Recurring on or after: W1 k1 ann, bob (W2), cy (W3) → 3; k2 cy → 1; W2 bob: none.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            mode: RetentionMode::OnOrAfter,
            ..options
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 4, &[Some(4), Some(3), Some(1)]),
            row("2025-01-13", 1, &[Some(1), Some(0), None]),
        ]
    );
}

#[test]
fn recurring_days_on_or_after() {
    // Recurring by day with any start event: every day with an event is an entry.
    // ann {01-06, 01-07, 01-09, 01-14}, bob {01-06, 01-08, 01-13}, cy {01-07, 01-08, 01-20},
    // dee {01-08}; `on_or_after`, 1 period: retained at k1 when a later day has an event.
    // 01-06 {ann, bob} → 2, 2. 01-07 {ann, cy} → 2, 2. 01-08 {bob, cy, dee} → 3, 2.
    // 01-09 {ann} → 1, 1. 01-13 {bob} → 1, 0. 01-14 {ann} → 1, 0. 01-20 {cy} → 1, k1
    // (01-21) has not begun → null.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            periods: 1,
            cohort: CohortType::Recurring,
            mode: RetentionMode::OnOrAfter,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 2, &[Some(2), Some(2)]),
            row("2025-01-07", 2, &[Some(2), Some(2)]),
            row("2025-01-08", 3, &[Some(3), Some(2)]),
            row("2025-01-09", 1, &[Some(1), Some(1)]),
            row("2025-01-13", 1, &[Some(1), Some(0)]),
            row("2025-01-14", 1, &[Some(1), Some(0)]),
            row("2025-01-20", 1, &[Some(1), None]),
        ]
    );
    // k1 over the six observable cohorts: (2+2+2+1+0+0)/(2+2+3+1+1+1) = 7/10; simple
    // (1 + 1 + 2/3 + 1 + 0 + 0)/6 = 11/18.
    close(&r.mean.weighted, &[Some(1.0), Some(0.7)]);
    close(&r.mean.simple, &[Some(1.0), Some(11.0 / 18.0)]);
    assert_eq!(r.mean.cohorts, vec![7, 6]);
}

/// eve and fay around month ends; the log ends at 2025-04-01T00:00Z.
const MONTHS: &[Row] = &[
    ("eve", "2025-01-31T23:00:00Z", "signup", None),
    ("eve", "2025-02-01T00:30:00Z", "open", None),
    ("eve", "2025-03-15T12:00:00Z", "open", None),
    ("fay", "2025-02-10T12:00:00Z", "signup", None),
    ("fay", "2025-04-01T00:00:00Z", "open", None),
];

#[test]
fn months_and_a_time_zone_that_moves_a_month_boundary() {
    // UTC: eve signs up in January, opens in February (k1) and March (k2) → [1,1,1,0]
    // (k3 = April has begun on 04-01). fay signs up in February, opens in April (k2)
    // → [1,0,1,null] (k3 = May has not begun).
    let options = RetentionOptions {
        start_event: one("signup"),
        return_event: one("open"),
        period: RetentionPeriod::Month,
        periods: 3,
        ..RetentionOptions::default()
    };
    let r = log_of(MONTHS).retention(&options).unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-01", 1, &[Some(1), Some(1), Some(1), Some(0)]),
            row("2025-02-01", 1, &[Some(1), Some(0), Some(1), None]),
        ]
    );
    // At −02:00 eve's first open (02-01 00:30Z) is 01-31 22:30 local: January, her cohort
    // period, so no February return; fay's open (04-01 00:00Z) is 03-31 22:00: March. The
    // end of observation is March 31 local, so April cells are null.
    // eve [1, 0, 1 (March), null]; fay [1, 1 (March), null, null].
    let r = log_of(MONTHS)
        .retention(&RetentionOptions {
            time_zone: "-02:00".to_owned(),
            ..options
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-01", 1, &[Some(1), Some(0), Some(1), None]),
            row("2025-02-01", 1, &[Some(1), Some(1), None, None]),
        ]
    );
    // Means: k1 both observable (0 + 1)/2; k2 eve only 1/1; k3 none → null.
    close(&r.mean.weighted, &[Some(1.0), Some(0.5), Some(1.0), None]);
    close(&r.mean.simple, &[Some(1.0), Some(0.5), Some(1.0), None]);
    assert_eq!(r.mean.cohorts, vec![2, 2, 1, 0]);
    assert_eq!(r.mean.customers, vec![2, 2, 1, 0]);
}

#[test]
fn breakdown_by_the_channel_of_the_cohort_start_event() {
    // Recurring by day, start `signup`, return `open`, 2 periods, by channel. Entries and
    // their signup's channel: ann 01-06 web; bob 01-06 email and 01-13 web; cy 01-07 web;
    // dee 01-08 none. Opens: ann 01-07, 01-09; bob 01-08; cy 01-07 (before), 01-20.
    // Overall: 01-06 {ann, bob}: k1 ann, k2 bob → [2,1,1]; 01-07 {cy} [1,0,0];
    // 01-08 {dee} [1,0,0]; 01-13 {bob} [1,0,0].
    // email (bob): 01-06 [1,0,1]. web (ann, cy, bob): 01-06 [1,1,0], 01-07 [1,0,0],
    // 01-13 [1,0,0]. null (dee): 01-08 [1,0,0]. Return events count whatever their
    // channel (the opens have none).
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("signup"),
            return_event: one("open"),
            periods: 2,
            cohort: CohortType::Recurring,
            breakdown: Some("channel".to_owned()),
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 2, &[Some(2), Some(1), Some(1)]),
            row("2025-01-07", 1, &[Some(1), Some(0), Some(0)]),
            row("2025-01-08", 1, &[Some(1), Some(0), Some(0)]),
            row("2025-01-13", 1, &[Some(1), Some(0), Some(0)]),
        ]
    );
    let groups: Vec<_> = r
        .breakdown
        .iter()
        .map(|g| (g.value.clone(), g.customers, g.cohorts.len()))
        .collect();
    assert_eq!(
        groups,
        vec![
            (Some("email".to_owned()), 1, 1),
            (Some("web".to_owned()), 3, 3),
            (None, 1, 1),
        ]
    );
    let (email, web) = (&r.breakdown[0], &r.breakdown[1]);
    assert_eq!(
        table(&RetentionResult {
            cohorts: email.cohorts.clone(),
            ..r.clone()
        }),
        vec![row("2025-01-06", 1, &[Some(1), Some(0), Some(1)])]
    );
    let web_rows: Vec<_> = web
        .cohorts
        .iter()
        .map(|c| (c.period_start.as_str(), c.retained.clone()))
        .collect();
    assert_eq!(
        web_rows,
        vec![
            ("2025-01-06", vec![Some(1), Some(1), Some(0)]),
            ("2025-01-07", vec![Some(1), Some(0), Some(0)]),
            ("2025-01-13", vec![Some(1), Some(0), Some(0)]),
        ]
    );
    // web means: k1 1/3 (weighted and simple), k2 0.
    close(&web.mean.weighted, &[Some(1.0), Some(1.0 / 3.0), Some(0.0)]);
    rates_follow_counts(&r);
    // First time: bob's entry is his email signup only; web has ann and cy.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("signup"),
            return_event: one("open"),
            periods: 2,
            breakdown: Some("channel".to_owned()),
            ..RetentionOptions::default()
        })
        .unwrap();
    let sizes: Vec<_> = r
        .breakdown
        .iter()
        .map(|g| (g.value.clone(), g.customers))
        .collect();
    assert_eq!(
        sizes,
        vec![
            (Some("email".to_owned()), 1),
            (Some("web".to_owned()), 2),
            (None, 1)
        ]
    );
}

#[test]
fn as_of_ends_the_observation() {
    // As of 01-08 12:00Z: later events are not read (bob's open at exactly 12:00 is).
    // Day, first seen, any return, `on`, 3 periods; the end of observation is day 01-08.
    // 01-06 {ann, bob}: k1 01-07 ann ✓ → 1; k2 01-08 bob ✓ → 1; k3 01-09 has not begun → null.
    // 01-07 {cy}: k1 01-08 ✓ → 1; k2, k3 null. 01-08 {dee}: k1.. null.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            periods: 3,
            as_of: Some("2025-01-08T12:00:00Z".to_owned()),
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(
        table(&r),
        vec![
            row("2025-01-06", 2, &[Some(2), Some(1), Some(1), None]),
            row("2025-01-07", 1, &[Some(1), Some(1), None, None]),
            row("2025-01-08", 1, &[Some(1), None, None, None]),
        ]
    );
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-08T12:00:00Z"));
    // k1 over 01-06 and 01-07: (1+1)/3 weighted, (1/2 + 1)/2 simple; k2 01-06 only; k3 none.
    close(
        &r.mean.weighted,
        &[Some(1.0), Some(2.0 / 3.0), Some(0.5), None],
    );
    close(&r.mean.simple, &[Some(1.0), Some(0.75), Some(0.5), None]);
    assert_eq!(r.mean.cohorts, vec![3, 2, 1, 0]);
    // An as_of after the last event: every cell up to it is observable (and 0 when no
    // one came back). As of 2025-01-25 (a date: its start in UTC), 01-08 + 10 = 01-18 ✓.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("signup"),
            periods: 10,
            as_of: Some("2025-01-25".to_owned()),
            ..RetentionOptions::default()
        })
        .unwrap();
    assert!(r
        .cohorts
        .iter()
        .all(|c| c.retained.iter().all(Option::is_some)));
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-25T00:00:00Z"));
}

#[test]
fn an_empty_log_and_customers_without_a_start_event() {
    let empty = log_of(&[]);
    let r = empty
        .retention(&RetentionOptions {
            periods: 2,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(r.observed_until, None);
    assert!(r.cohorts.is_empty());
    assert_eq!(r.mean.weighted, vec![None, None, None]);
    assert_eq!(r.mean.simple, vec![None, None, None]);
    assert_eq!(r.customers, 0);
    // No one has `purchase` but ann and cy: the others are in no cohort.
    let r = log_of(LOG)
        .retention(&RetentionOptions {
            start_event: one("purchase"),
            ..RetentionOptions::default()
        })
        .unwrap();
    assert_eq!(r.customers, 2);
    assert_eq!(r.cohorts.len(), 2);
    assert_eq!(r.cohorts[0].retained.len(), 11, "default: periods 0 to 10");
}

#[test]
fn mistakes_are_loud() {
    let log = log_of(LOG);
    // A misspelt event names the close ones.
    let e = log
        .retention(&RetentionOptions {
            start_event: one("sigup"),
            ..RetentionOptions::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "unknown_event");
    assert!(e.to_string().contains("`signup`"), "{e}");
    assert!(e.to_string().contains("retention start event"), "{e}");
    let e = log
        .retention(&RetentionOptions {
            return_event: Some(EventMatch::AnyOf(vec!["open".into(), "opne".into()])),
            ..RetentionOptions::default()
        })
        .unwrap_err();
    assert_eq!(e.code(), "unknown_event");
    assert!(
        e.to_string().contains("retention return event `opne`"),
        "{e}"
    );
    // Unless allowed: no one is in a cohort.
    let r = log
        .retention(&RetentionOptions {
            start_event: one("sigup"),
            allow_missing_events: true,
            ..RetentionOptions::default()
        })
        .unwrap();
    assert!(r.cohorts.is_empty());
    let bad = |o: RetentionOptions| log.retention(&o).unwrap_err().code();
    let d = RetentionOptions::default;
    assert_eq!(
        bad(RetentionOptions {
            time_zone: "Europe/Paris".into(),
            ..d()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(RetentionOptions {
            periods: 10_001,
            ..d()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(RetentionOptions {
            start_event: Some(EventMatch::AnyOf(vec![])),
            ..d()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(RetentionOptions {
            return_event: one(""),
            ..d()
        }),
        "invalid_option"
    );
    assert_eq!(
        bad(RetentionOptions {
            breakdown: Some("country".into()),
            ..d()
        }),
        "unknown_column"
    );
    assert_eq!(
        bad(RetentionOptions {
            breakdown: Some("session".into()),
            ..d()
        }),
        "unknown_column",
        "a column without any value"
    );
    assert_eq!(
        bad(RetentionOptions {
            as_of: Some("yesterday".into()),
            ..d()
        }),
        "invalid_timestamp"
    );
    // Options read from JSON: one name or a list, unknown keys refused.
    let o: RetentionOptions = serde_json::from_str(
        r#"{"start_event": ["signup", "purchase"], "return_event": "open", "period": "week",
            "mode": "on_or_after", "cohort": "recurring", "periods": 4, "time_zone": "-05:30"}"#,
    )
    .unwrap();
    assert_eq!(o.period, RetentionPeriod::Week);
    assert!(log.retention(&o).is_ok());
    assert!(serde_json::from_str::<RetentionOptions>(r#"{"perods": 3}"#).is_err());
    assert!(serde_json::from_str::<RetentionOptions>(r#"{"period": "year"}"#).is_err());
}

#[test]
fn definitions_name_every_option() {
    let log = log_of(LOG);
    let base = RetentionOptions {
        start_event: one("signup"),
        ..RetentionOptions::default()
    };
    let d = log.retention(&base).unwrap().definition;
    let params = &d.params;
    for key in [
        "start_event",
        "return_event",
        "period",
        "periods",
        "mode",
        "cohort",
        "time_zone",
        "as_of",
        "breakdown",
    ] {
        assert!(
            params["options"].get(key).is_some(),
            "{key} missing: {params}"
        );
    }
    assert_eq!(params["rule"], "calendar_periods");
    assert_eq!(d.hash.len(), 12);
    // Every option that changes a number changes the hash.
    let variants = [
        RetentionOptions {
            period: RetentionPeriod::Week,
            ..base.clone()
        },
        RetentionOptions {
            periods: 4,
            ..base.clone()
        },
        RetentionOptions {
            mode: RetentionMode::OnOrAfter,
            ..base.clone()
        },
        RetentionOptions {
            cohort: CohortType::Recurring,
            ..base.clone()
        },
        RetentionOptions {
            return_event: one("open"),
            ..base.clone()
        },
        RetentionOptions {
            time_zone: "+01:00".into(),
            ..base.clone()
        },
        RetentionOptions {
            as_of: Some("2025-01-10".into()),
            ..base.clone()
        },
        RetentionOptions {
            breakdown: Some("channel".into()),
            ..base.clone()
        },
    ];
    let mut hashes = BTreeSet::from([d.hash.clone()]);
    for v in variants {
        assert!(
            hashes.insert(log.retention(&v).unwrap().definition.hash),
            "{v:?}"
        );
    }
    // A one-name list is the name.
    let list = RetentionOptions {
        start_event: Some(EventMatch::AnyOf(vec!["signup".into()])),
        ..base
    };
    assert_eq!(log.retention(&list).unwrap().definition, d);
}

// ---------------------------------------------------------------------------------------
// Random logs against a naive implementation of the definition.

const CUSTOMERS: [&str; 5] = ["c1", "c2", "c3", "c4", "c5"];
const EVENTS: [&str; 3] = ["a", "b", "c"];
const CHANNELS: [Option<&str>; 3] = [None, Some("web"), Some("ads")];
const HOUR: i64 = 3600;

/// `(customer, seconds, event, channel)`.
type Ev = (usize, i64, usize, usize);

fn random_log(rows: &[Ev]) -> EventLog {
    let raw = rows.iter().map(|&(c, t, e, ch)| RawEvent {
        customer: Some(CUSTOMERS[c]),
        timestamp: TimeValue::Ticks(t),
        event: Some(EVENTS[e]),
        channel: CHANNELS[ch],
        session: None,
        value: None,
        consent: None,
        extra: &[],
        row: None,
    });
    let options = IngestOptions {
        time_unit: TimeUnit::Seconds,
        ..IngestOptions::default()
    };
    EventLog::from_rows(raw, options).unwrap().0
}

/// The period of `t` seconds, counted the slow way: civil date by repeated days.
fn naive_period(t: i64, offset_minutes: i64, period: RetentionPeriod) -> i64 {
    let local = t + offset_minutes * 60;
    let day = local.div_euclid(86_400);
    match period {
        RetentionPeriod::Day => day,
        // Day 4 (1970-01-05) is a Monday.
        RetentionPeriod::Week => (day - 4).div_euclid(7),
        RetentionPeriod::Month => {
            // Walk months from 1970-01 (the random times stay within a few years of it).
            let (mut y, mut m, mut first) = (1970i64, 1i64, 0i64);
            let len = |y: i64, m: i64| match m {
                2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let mut index = 0;
            if day >= 0 {
                while first + len(y, m) <= day {
                    first += len(y, m);
                    (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
                    index += 1;
                }
            } else {
                while first > day {
                    (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                    first -= len(y, m);
                    index -= 1;
                }
            }
            index
        }
    }
}

/// Cohort tables straight from the definition: `(overall, per group)`, each as
/// period → retained counts with `None` for unobservable cells (the naive period indices
/// are not the core's, so tables are compared in order).
type Naive = BTreeMap<i64, (u64, Vec<Option<u64>>)>;

fn naive(
    rows: &[Ev],
    o: &RetentionOptions,
    offset: i64,
) -> (Naive, BTreeMap<Option<usize>, Naive>) {
    let n = o.periods as i64;
    let names = |m: &Option<EventMatch>| -> Option<Vec<usize>> {
        m.as_ref().map(|m| {
            let list = match m {
                EventMatch::One(x) => vec![x.clone()],
                EventMatch::AnyOf(v) => v.clone(),
            };
            (0..EVENTS.len())
                .filter(|&e| list.iter().any(|x| x == EVENTS[e]))
                .collect()
        })
    };
    let (start, ret) = (names(&o.start_event), names(&o.return_event));
    let period = |t: i64| naive_period(t, offset, o.period);
    let end = rows.iter().map(|r| r.1).max().map(period);
    // Per customer, events in (time, input) order.
    let mut by_customer: BTreeMap<usize, Vec<(i64, usize, usize, usize)>> = BTreeMap::new();
    for (i, &(c, t, e, ch)) in rows.iter().enumerate() {
        by_customer.entry(c).or_default().push((t, i, e, ch));
    }
    let mut overall = Naive::new();
    let mut groups: BTreeMap<Option<usize>, Naive> = BTreeMap::new();
    let add = |table: &mut Naive, p: i64, returned: &dyn Fn(i64) -> bool| {
        let entry = table
            .entry(p)
            .or_insert_with(|| (0, vec![Some(0); o.periods as usize + 1]));
        entry.0 += 1;
        for k in 0..=n {
            let cell = &mut entry.1[k as usize];
            if end.is_some_and(|e| p + k > e) {
                *cell = None;
            } else if k == 0 || returned(p + k) {
                *cell = Some(cell.unwrap() + 1);
            }
        }
    };
    for evs in by_customer.values_mut() {
        evs.sort();
        let is = |set: &Option<Vec<usize>>, e: usize| set.as_ref().is_none_or(|s| s.contains(&e));
        let mut starts: Vec<(i64, Option<usize>)> = Vec::new();
        for &(t, _, e, ch) in evs.iter() {
            if is(&start, e) && !starts.iter().any(|s| s.0 == period(t)) {
                starts.push((period(t), CHANNELS[ch].map(|_| ch)));
            }
        }
        if o.cohort == CohortType::FirstTime {
            starts.truncate(1);
        }
        let return_periods: BTreeSet<i64> = evs
            .iter()
            .filter(|x| is(&ret, x.2))
            .map(|x| period(x.0))
            .collect();
        let returned = |q: i64| match o.mode {
            RetentionMode::On => return_periods.contains(&q),
            RetentionMode::OnOrAfter => return_periods.iter().any(|&r| r >= q),
        };
        for &(p, g) in &starts {
            add(&mut overall, p, &returned);
            add(groups.entry(g).or_default(), p, &returned);
        }
    }
    (overall, groups)
}

/// A cohort's size and retained counts.
type Cohort = (u64, Vec<Option<u64>>);

fn as_naive(cohorts: &[cjm_core::events::RetentionCohort]) -> Vec<Cohort> {
    cohorts
        .iter()
        .map(|c| (c.size, c.retained.clone()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn equals_a_naive_reading_of_the_definition(
        rows in prop::collection::vec(
            (0..CUSTOMERS.len(), -40 * 24 * HOUR..80 * 24 * HOUR, 0..EVENTS.len(), 0..CHANNELS.len()),
            0..40,
        ),
        period in 0usize..3,
        periods in 0u32..6,
        on_or_after in any::<bool>(),
        recurring in any::<bool>(),
        start in 0usize..5,
        ret in 0usize..5,
        offset in prop::sample::select(vec![0i64, 120, -330, 840, -720]),
    ) {
        // Days and weeks over about two months; months over about a year.
        let rows: Vec<Ev> = rows
            .into_iter()
            .map(|(c, t, e, ch)| (c, if period == 2 { t * 3 } else { t / 2 }, e, ch))
            .collect();
        let pick = |i: usize| match i {
            0 => None,
            1 => Some(EventMatch::One("a".into())),
            2 => Some(EventMatch::One("b".into())),
            3 => Some(EventMatch::AnyOf(vec!["a".into(), "c".into()])),
            _ => Some(EventMatch::AnyOf(vec!["c".into(), "b".into(), "a".into()])),
        };
        let o = RetentionOptions {
            start_event: pick(start),
            return_event: pick(ret),
            period: [RetentionPeriod::Day, RetentionPeriod::Week, RetentionPeriod::Month][period],
            periods,
            mode: if on_or_after { RetentionMode::OnOrAfter } else { RetentionMode::On },
            cohort: if recurring { CohortType::Recurring } else { CohortType::FirstTime },
            time_zone: cjm_core::events::time::format_utc_offset(offset as i32),
            breakdown: rows.iter().any(|r| CHANNELS[r.3].is_some()).then(|| "channel".to_owned()),
            allow_missing_events: true,
            ..RetentionOptions::default()
        };
        let log = random_log(&rows);
        let r = log.retention(&o).unwrap();
        let (overall, groups) = naive(&rows, &o, offset);
        prop_assert_eq!(as_naive(&r.cohorts), overall.values().cloned().collect::<Vec<_>>());
        if o.breakdown.is_some() {
            // Groups: values sorted, null last; the naive groups are keyed by channel index
            // (web = 1 < ads = 2 by index, "ads" < "web" by value).
            let mut expected: Vec<(Option<&str>, Vec<Cohort>)> = groups
                .iter()
                .map(|(g, t)| (g.map(|i| CHANNELS[i].unwrap()), t.values().cloned().collect()))
                .collect();
            expected.sort_by_key(|(v, _)| (v.is_none(), *v));
            let found: Vec<_> = r.breakdown.iter().map(|g| (g.value.as_deref(), as_naive(&g.cohorts))).collect();
            prop_assert_eq!(found, expected);
        }
        // Weighted means are ratios of sums; on or after never retains fewer than on.
        for (k, w) in r.mean.weighted.iter().enumerate() {
            let (num, den) = r.cohorts.iter().fold((0u64, 0u64), |(a, b), c| match c.retained[k] {
                Some(x) => (a + x, b + c.size),
                None => (a, b),
            });
            prop_assert_eq!(*w, (den > 0).then(|| num as f64 / den as f64));
        }
        if !on_or_after {
            let unbounded = log.retention(&RetentionOptions { mode: RetentionMode::OnOrAfter, ..o.clone() }).unwrap();
            for (a, b) in r.cohorts.iter().zip(&unbounded.cohorts) {
                for (x, y) in a.retained.iter().zip(&b.retained) {
                    prop_assert!(x <= y);
                }
            }
        }
    }
}

#[test]
fn options_read_through_options_from_as_the_bindings_do() {
    // The wasm binding reads options with `options_from`: one name or a list of names,
    // and an option that does not fit is `invalid_option` naming it.
    let o: RetentionOptions = cjm_core::options_from(
        serde_json::json!({"start_event": "signup", "return_event": ["open", "purchase"], "periods": 3}),
        "options",
    )
    .unwrap();
    assert_eq!(o.start_event, one("signup"));
    assert_eq!(
        o.return_event,
        Some(EventMatch::AnyOf(vec!["open".into(), "purchase".into()]))
    );
    for bad in [
        serde_json::json!({"start_event": 3}),
        serde_json::json!({"periods": -1}),
        serde_json::json!({"cohort": "returning"}),
        serde_json::json!({"timezone": "+01:00"}),
    ] {
        let e = cjm_core::options_from::<RetentionOptions, _>(bad.clone(), "options").unwrap_err();
        assert_eq!(e.code(), "invalid_option", "{bad}: {e}");
    }
}

/// The heat map writes each observable cell once and leaves the others blank (issue 17):
/// a views on days 0 and 1, b on day 0, c on day 1; daily, periods 0–2, observed until
/// day 1. Cohort day 0 {a, b}: 100 %, 50 % (a), day 2 blank; cohort day 1 {c}: 100 %,
/// then blank. Weighted mean: 3/3 = 100 %, 1/2 = 50 % (only day 0's cohort is
/// observable at k = 1), k = 2 blank. So 5 shaded cells: three "100 %", two "50 %".
#[test]
fn the_heat_map_draws_observable_cells_only() {
    let log = log_of(&[
        ("a", "2024-03-01T10:00:00Z", "view", None),
        ("a", "2024-03-02T10:00:00Z", "view", None),
        ("b", "2024-03-01T11:00:00Z", "view", None),
        ("c", "2024-03-02T12:00:00Z", "view", None),
    ]);
    let r = log
        .retention(&RetentionOptions {
            periods: 2,
            ..RetentionOptions::default()
        })
        .unwrap();
    let svg = cjm_core::render::retention_heatmap_svg(&r, &Default::default());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let cells: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("g"))
        .filter_map(|g| g.children().find(|c| c.has_tag_name("text")))
        .map(|t| t.text().unwrap_or("").replace('\u{a0}', " "))
        .collect();
    assert_eq!(cells, ["100 %", "50 %", "100 %", "100 %", "50 %"]);
    assert!(svg.contains("2024-03-01 \u{b7} 2"), "{svg}");
    assert!(
        svg.contains("cohort 2024-03-01, day 1: 1 of 2 (50\u{a0}%)"),
        "{svg}"
    );
}

/// The definition hash covers every option that can change a number (issue 16, item 4):
/// flipping any one changes it, the same options keep it.
#[test]
fn the_definition_hash_covers_every_option() {
    let log = log_of(LOG);
    let hash = |o: RetentionOptions| log.retention(&o).unwrap().definition.hash;
    let base = RetentionOptions::default();
    let flipped = [
        (
            "start_event",
            RetentionOptions {
                start_event: one("signup"),
                ..base.clone()
            },
        ),
        (
            "return_event",
            RetentionOptions {
                return_event: one("open"),
                ..base.clone()
            },
        ),
        (
            "period",
            RetentionOptions {
                period: RetentionPeriod::Week,
                ..base.clone()
            },
        ),
        (
            "periods",
            RetentionOptions {
                periods: 3,
                ..base.clone()
            },
        ),
        (
            "mode",
            RetentionOptions {
                mode: RetentionMode::OnOrAfter,
                ..base.clone()
            },
        ),
        (
            "cohort",
            RetentionOptions {
                cohort: CohortType::Recurring,
                ..base.clone()
            },
        ),
        (
            "time_zone",
            RetentionOptions {
                time_zone: "+02:00".to_owned(),
                ..base.clone()
            },
        ),
        (
            "as_of",
            RetentionOptions {
                as_of: Some("2025-01-10".to_owned()),
                ..base.clone()
            },
        ),
        (
            "breakdown",
            RetentionOptions {
                breakdown: Some("channel".to_owned()),
                ..base.clone()
            },
        ),
        (
            "allow_missing_events",
            RetentionOptions {
                allow_missing_events: true,
                ..base.clone()
            },
        ),
    ];
    common::assert_every_option_in_hash(hash, &base, flipped.to_vec());
}
