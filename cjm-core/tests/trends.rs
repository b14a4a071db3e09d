//! Trends worked by hand (docs/events.md, "Trends"): volume and unique customers per day,
//! week and month, the total row, an event selection, a time zone that moves a day
//! boundary, `since` and `as_of`, a breakdown, the empty periods; funnel trends by day and
//! week with a window, exclusions, `as_of` (pending) and a breakdown; the errors; and the
//! mergeable state on customer partitions.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod common;

use cjm_core::events::{
    Exclusion, Funnel, FunnelOptions, FunnelTrendsOptions, FunnelTrendsResult, Mergeable,
    RetentionPeriod, StepSpec, TrendsCounts, TrendsOptions, TrendsResult, TrendsTotal,
};
use common::{log_of, Row, LOG};

/// `(event, volume, customers)` of each series.
fn series(r: &TrendsResult) -> Vec<(&str, Vec<u64>, Vec<u64>)> {
    r.events
        .iter()
        .map(|s| (s.event.as_str(), s.volume.clone(), s.customers.clone()))
        .collect()
}

fn counts(volume: &[u64], customers: &[u64]) -> TrendsTotal {
    TrendsTotal {
        volume: volume.to_vec(),
        customers: customers.to_vec(),
    }
}

fn days(from: u32, to: u32) -> Vec<String> {
    (from..=to).map(|d| format!("2025-01-{d:02}")).collect()
}

fn week() -> TrendsOptions {
    TrendsOptions {
        period: RetentionPeriod::Week,
        ..TrendsOptions::default()
    }
}

#[test]
fn by_day_every_event_with_the_empty_days() {
    // Per day (UTC): 06 ann signup, bob signup; 07 ann open, cy open, cy signup;
    // 08 bob open, cy purchase, dee signup; 09 ann open; 13 bob signup; 14 ann purchase;
    // 20 cy open. Days 10-12 and 15-19 have no event: listed with 0.
    let r = log_of(LOG).trends(&TrendsOptions::default()).unwrap();
    assert_eq!(r.periods, days(6, 20));
    //                      06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
    let open = vec![0, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    let purchase = vec![0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
    let signup = vec![2, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    // No customer has two events of one name in one day: customers = volume.
    assert_eq!(
        series(&r),
        vec![
            ("open", open.clone(), open),
            ("purchase", purchase.clone(), purchase),
            ("signup", signup.clone(), signup),
        ]
    );
    // The total: 06 {ann, bob} 2 events; 07 3 events of {ann, cy}; 08 3 of {bob, cy, dee}.
    assert_eq!(
        r.total,
        counts(
            &[2, 3, 3, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1],
            &[2, 2, 3, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1]
        )
    );
    assert_eq!(r.observed_from.as_deref(), Some("2025-01-06T09:00:00Z"));
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-20T10:00:00Z"));
    assert!(r.breakdown.is_empty());
    assert_eq!(r.definition.kind, "trends");
    assert_eq!(r.definition.params["rule"], "calendar_periods");
}

#[test]
fn by_week_customers_are_distinct() {
    // Weeks from Monday: 01-06..12, 01-13..19, 01-20..26.
    // open: week 1 ann ×2, bob, cy → 4 events of 3 customers; week 3 cy.
    // purchase: week 1 cy, week 2 ann. signup: week 1 ann, bob, cy, dee; week 2 bob.
    // Total: week 1 9 events of {ann, bob, cy, dee}; week 2 2 of {ann, bob}; week 3 1 of {cy}.
    let r = log_of(LOG).trends(&week()).unwrap();
    assert_eq!(r.periods, ["2025-01-06", "2025-01-13", "2025-01-20"]);
    assert_eq!(
        series(&r),
        vec![
            ("open", vec![4, 0, 1], vec![3, 0, 1]),
            ("purchase", vec![1, 1, 0], vec![1, 1, 0]),
            ("signup", vec![4, 1, 0], vec![4, 1, 0]),
        ]
    );
    assert_eq!(r.total, counts(&[9, 2, 1], &[4, 2, 1]));
}

#[test]
fn by_month() {
    // January: open 5 events of {ann, bob, cy}; purchase 2 of {ann, cy}; signup 5 of
    // {ann, bob, cy, dee} (bob twice); all 12 events of the 4 customers.
    let r = log_of(LOG)
        .trends(&TrendsOptions {
            period: RetentionPeriod::Month,
            ..TrendsOptions::default()
        })
        .unwrap();
    assert_eq!(r.periods, ["2025-01-01"]);
    assert_eq!(
        series(&r),
        vec![
            ("open", vec![5], vec![3]),
            ("purchase", vec![2], vec![2]),
            ("signup", vec![5], vec![4]),
        ]
    );
    assert_eq!(r.total, counts(&[12], &[4]));
}

#[test]
fn a_selection_of_events_and_its_total() {
    // signup and purchase only (given in any order, with a repeat): the total leaves the
    // opens out. Week 1: 4 signups + cy's purchase = 5 events of {ann, bob, cy, dee};
    // week 2: bob's signup and ann's purchase; week 3: nothing selected (cy's open).
    let r = log_of(LOG)
        .trends(&TrendsOptions {
            events: Some(vec!["signup".into(), "purchase".into(), "signup".into()]),
            ..week()
        })
        .unwrap();
    assert_eq!(
        series(&r),
        vec![
            ("purchase", vec![1, 1, 0], vec![1, 1, 0]),
            ("signup", vec![4, 1, 0], vec![4, 1, 0]),
        ]
    );
    assert_eq!(r.total, counts(&[5, 2, 0], &[4, 2, 0]));
    // The range is the log's (cy's open on 01-20 still closes it), and the canonical
    // selection is in the definition.
    assert_eq!(r.periods.len(), 3);
    assert_eq!(
        r.definition.params["options"]["events"],
        serde_json::json!(["purchase", "signup"])
    );
}

#[test]
fn a_time_zone_moves_the_day_boundary() {
    // At +02:00 bob's signup (01-06 23:30Z) is on 01-07 01:30 local; every other event
    // stays on its UTC day. signup: 06 ann; 07 bob, cy. Total 06: ann's signup alone;
    // 07: ann open, cy open, cy signup, bob signup (3 customers).
    let r = log_of(LOG)
        .trends(&TrendsOptions {
            time_zone: "+0200".into(),
            ..TrendsOptions::default()
        })
        .unwrap();
    assert_eq!(r.periods[0], "2025-01-06");
    let signup = &r.events[2];
    assert_eq!(signup.event, "signup");
    assert_eq!(signup.volume[..3], [1, 2, 1]);
    assert_eq!(r.total.volume[..3], [1, 4, 3]);
    assert_eq!(r.total.customers[..3], [1, 3, 3]);
    assert_eq!(r.definition.params["options"]["time_zone"], "+02:00");
    // At -10:00 ann's first signup (01-06 09:00Z) is on 01-05 23:00 local: the first
    // period is 01-05, and cy's last open (01-20 10:00Z) is 01-20 00:00 local.
    let west = log_of(LOG)
        .trends(&TrendsOptions {
            time_zone: "-10:00".into(),
            ..TrendsOptions::default()
        })
        .unwrap();
    assert_eq!(west.periods.first().unwrap(), "2025-01-05");
    assert_eq!(west.periods.last().unwrap(), "2025-01-20");
    // 01-05: ann's signup; 01-06: bob's signup (13:30), ann's open (23:00).
    assert_eq!(west.total.volume[..2], [1, 2]);
}

#[test]
fn since_and_as_of_bound_the_range() {
    // From 01-08 00:00Z to 01-13 12:00Z: the events read are 01-08 bob open, cy purchase,
    // dee signup; 01-09 ann open; 01-13 bob signup. Six day periods, 08 to 13.
    let r = log_of(LOG)
        .trends(&TrendsOptions {
            since: Some("2025-01-08".into()),
            as_of: Some("2025-01-13T12:00:00Z".into()),
            ..TrendsOptions::default()
        })
        .unwrap();
    assert_eq!(r.periods, days(8, 13));
    assert_eq!(r.total, counts(&[3, 1, 0, 0, 0, 1], &[3, 1, 0, 0, 0, 1]));
    assert_eq!(r.observed_from.as_deref(), Some("2025-01-08T00:00:00Z"));
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-13T12:00:00Z"));
    // A range wider than the log lists its empty periods: 01-01 to 01-31 by week is the
    // weeks of 12-30 to 01-27 (five), with the log's counts in the 2nd to 4th.
    let wide = log_of(LOG)
        .trends(&TrendsOptions {
            since: Some("2025-01-01".into()),
            as_of: Some("2025-01-31".into()),
            ..week()
        })
        .unwrap();
    assert_eq!(
        wide.periods,
        [
            "2024-12-30",
            "2025-01-06",
            "2025-01-13",
            "2025-01-20",
            "2025-01-27"
        ]
    );
    assert_eq!(wide.total, counts(&[0, 9, 2, 1, 0], &[0, 4, 2, 1, 0]));
    // A range with no event at all: the periods with zeros, never an empty table.
    let none = log_of(LOG)
        .trends(&TrendsOptions {
            since: Some("2025-02-01".into()),
            as_of: Some("2025-02-03".into()),
            ..TrendsOptions::default()
        })
        .unwrap();
    assert_eq!(none.periods.len(), 3);
    assert_eq!(none.total, counts(&[0, 0, 0], &[0, 0, 0]));
}

#[test]
fn breakdown_by_the_value_of_each_event() {
    // Only the signups carry a channel: email bob 01-06; web ann 01-06, cy 01-07, bob
    // 01-13; every other event (the opens, the purchases, dee's signup) is in the null
    // group, last. By week:
    let r = log_of(LOG)
        .trends(&TrendsOptions {
            breakdown: Some("channel".into()),
            ..week()
        })
        .unwrap();
    let groups: Vec<_> = r.breakdown.iter().map(|g| g.value.as_deref()).collect();
    assert_eq!(groups, [Some("email"), Some("web"), None]);
    let [email, web, null] = &r.breakdown[..] else {
        panic!()
    };
    assert_eq!(
        email.events[0].volume,
        [0, 0, 0],
        "every series in every group"
    );
    assert_eq!(email.events[2].volume, [1, 0, 0]);
    assert_eq!(email.total, counts(&[1, 0, 0], &[1, 0, 0]));
    assert_eq!(web.events[2].event, "signup");
    assert_eq!(web.events[2].volume, [2, 1, 0]);
    assert_eq!(web.total, counts(&[2, 1, 0], &[2, 1, 0]));
    // null: open [4,0,1] of [3,0,1]; purchase [1,1,0]; dee's signup [1,0,0].
    // Total week 1: 6 events of {ann, bob, cy, dee}; week 2 ann's purchase; week 3 cy.
    assert_eq!(null.events[0].volume, [4, 0, 1]);
    assert_eq!(null.events[0].customers, [3, 0, 1]);
    assert_eq!(null.events[2].volume, [1, 0, 0]);
    assert_eq!(null.total, counts(&[6, 1, 1], &[4, 1, 1]));
    // The overall table is that of no breakdown.
    let plain = log_of(LOG).trends(&week()).unwrap();
    assert_eq!(
        (r.events.clone(), r.total.clone()),
        (plain.events, plain.total)
    );
}

fn signup_purchase(options: FunnelOptions) -> Funnel {
    Funnel {
        steps: vec![
            StepSpec::Event("signup".into()),
            StepSpec::Event("purchase".into()),
        ],
        options,
    }
}

fn by(period: RetentionPeriod) -> FunnelTrendsOptions {
    FunnelTrendsOptions {
        period,
        ..FunnelTrendsOptions::default()
    }
}

fn entered_converted(r: &FunnelTrendsResult) -> (Vec<u64>, Vec<u64>) {
    (r.entered.clone(), r.converted.clone())
}

#[test]
fn funnel_trends_by_day_and_week() {
    // signup → purchase within 7 days (the default). Attempts: ann 01-06 09:00 (purchase
    // 01-14 09:00 is 8 days later: no); bob 01-06 23:30 and 01-13 (no purchase); cy 01-07
    // 11:00 (purchase 01-08 10:00: yes); dee 01-08 (no).
    let log = log_of(LOG);
    let f = signup_purchase(FunnelOptions::default());
    let r = f.trends(&log, None, &by(RetentionPeriod::Day)).unwrap();
    assert_eq!(r.periods, days(6, 20));
    //             06 07 08 09 10 11 12 13 14 15 16 17 18 19 20
    let entered = [2, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
    let converted = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    assert_eq!(
        entered_converted(&r),
        (entered.to_vec(), converted.to_vec())
    );
    // Rates: 0/2, 1/1, 0/1, null where nobody entered (never NaN), 0/1 on 01-13.
    let mut rates = vec![None; 15];
    rates[0] = Some(0.0);
    rates[1] = Some(1.0);
    rates[2] = Some(0.0);
    rates[7] = Some(0.0);
    assert_eq!(r.rates, rates);
    assert_eq!(r.pending, vec![0; 15]);
    assert_eq!(r.definition.kind, "funnel_trends");
    assert_eq!(r.definition.params["funnel"]["kind"], "funnel");
    // By week: week 1 {ann, bob, cy, dee} entered, cy converted; week 2 bob; week 3 none.
    let w = f.trends(&log, None, &by(RetentionPeriod::Week)).unwrap();
    assert_eq!(entered_converted(&w), (vec![4, 1, 0], vec![1, 0, 0]));
    assert_eq!(w.rates, [Some(0.25), Some(0.0), None]);
    // A 9-day window lets ann's attempt (8 days) convert: week 1 2 of 4.
    let nine = signup_purchase(FunnelOptions {
        window_seconds: Some(9 * 86_400),
        ..FunnelOptions::default()
    });
    let w9 = nine.trends(&log, None, &by(RetentionPeriod::Week)).unwrap();
    assert_eq!(entered_converted(&w9), (vec![4, 1, 0], vec![2, 0, 0]));
    // Month: bob has two attempts in January and counts once.
    let m = f.trends(&log, None, &by(RetentionPeriod::Month)).unwrap();
    assert_eq!(entered_converted(&m), (vec![4], vec![1]));
    // The funnel's own step-1 count is the customers entered over the whole log.
    assert_eq!(f.run(&log, None).unwrap().steps[0].customers, 4);
}

#[test]
fn funnel_trends_exclusions_as_of_and_breakdown() {
    let log = log_of(LOG);
    // With a 9-day window and `open` excluded between steps 0 and 1: ann's attempt has
    // opens on 01-07 and 01-09 before her purchase (void); bob's 01-06 attempt has an open
    // on 01-08 within its window (void); cy's has none between 01-07 11:00 and 01-08 10:00;
    // dee and bob's 01-13 attempt have none. Week 1: {cy, dee} entered, cy converted.
    let f = signup_purchase(FunnelOptions {
        window_seconds: Some(9 * 86_400),
        exclusions: vec![Exclusion {
            step: StepSpec::Event("open".into()),
            between: [0, 1],
        }],
        ..FunnelOptions::default()
    });
    let r = f.trends(&log, None, &by(RetentionPeriod::Week)).unwrap();
    assert_eq!(entered_converted(&r), (vec![2, 1, 0], vec![1, 0, 0]));
    // As of 01-14 00:00Z (7-day window): the range ends with week 2. Pending: dee (01-08
    // 10:00 + 7 days is after as_of) in week 1, bob's 01-13 attempt in week 2; ann's and
    // bob's 01-06 windows closed on 01-13.
    let f = signup_purchase(FunnelOptions {
        as_of: Some("2025-01-14T00:00:00Z".into()),
        ..FunnelOptions::default()
    });
    let r = f.trends(&log, None, &by(RetentionPeriod::Week)).unwrap();
    assert_eq!(r.periods, ["2025-01-06", "2025-01-13"]);
    assert_eq!(entered_converted(&r), (vec![4, 1], vec![1, 0]));
    assert_eq!(r.pending, [1, 1]);
    assert_eq!(r.observed_until.as_deref(), Some("2025-01-14T00:00:00Z"));
    // `since` 01-07 leaves ann's and bob's 01-06 attempts out; the range starts on 01-07.
    let since = f
        .trends(
            &log,
            None,
            &FunnelTrendsOptions {
                since: Some("2025-01-07".into()),
                ..by(RetentionPeriod::Day)
            },
        )
        .unwrap();
    assert_eq!(since.periods.first().unwrap(), "2025-01-07");
    assert_eq!(since.entered[..2], [1, 1]);
    // Breakdown by channel at the step-1 event: email bob 01-06; web ann 01-06, cy 01-07,
    // bob 01-13; null dee.
    let f = signup_purchase(FunnelOptions {
        breakdown: Some("channel".into()),
        ..FunnelOptions::default()
    });
    let r = f.trends(&log, None, &by(RetentionPeriod::Week)).unwrap();
    let got: Vec<_> = r
        .breakdown
        .iter()
        .map(|g| (g.value.as_deref(), g.entered.clone(), g.converted.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("email"), vec![1, 0, 0], vec![0, 0, 0]),
            (Some("web"), vec![2, 1, 0], vec![1, 0, 0]),
            (None, vec![1, 0, 0], vec![0, 0, 0]),
        ]
    );
    assert_eq!(r.breakdown[1].rates, [Some(0.5), Some(0.0), None]);
    assert_eq!(entered_converted(&r), (vec![4, 1, 0], vec![1, 0, 0]));
}

#[test]
fn mistakes_are_loud() {
    let log = log_of(LOG);
    let code = |o: TrendsOptions| log.trends(&o).unwrap_err().code();
    assert_eq!(
        code(TrendsOptions {
            time_zone: "Europe/Paris".into(),
            ..TrendsOptions::default()
        }),
        "invalid_option"
    );
    assert_eq!(
        code(TrendsOptions {
            events: Some(vec![]),
            ..TrendsOptions::default()
        }),
        "invalid_option"
    );
    assert_eq!(
        code(TrendsOptions {
            events: Some(vec!["sigup".into()]),
            ..TrendsOptions::default()
        }),
        "unknown_event"
    );
    assert_eq!(
        code(TrendsOptions {
            since: Some("2025-01-10".into()),
            as_of: Some("2025-01-09".into()),
            ..TrendsOptions::default()
        }),
        "invalid_option"
    );
    assert_eq!(
        code(TrendsOptions {
            since: Some("soon".into()),
            ..TrendsOptions::default()
        }),
        "invalid_timestamp"
    );
    assert_eq!(
        code(TrendsOptions {
            breakdown: Some("country".into()),
            ..TrendsOptions::default()
        }),
        "unknown_column"
    );
    // 1800 to 2100 by day is 109,573 periods, more than the 100,000 allowed; by month fine.
    let wide = TrendsOptions {
        since: Some("1800-01-01".into()),
        as_of: Some("2100-01-01".into()),
        ..TrendsOptions::default()
    };
    let e = log.trends(&wide).unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    assert!(e.to_string().contains("longer `period`"), "{e}");
    let months = log
        .trends(&TrendsOptions {
            period: RetentionPeriod::Month,
            ..wide
        })
        .unwrap();
    assert_eq!(months.periods.len(), 300 * 12 + 1);
    // A missing event allowed: a series of zeros.
    let r = log
        .trends(&TrendsOptions {
            events: Some(vec!["refund".into()]),
            allow_missing_events: true,
            ..week()
        })
        .unwrap();
    assert_eq!(series(&r), vec![("refund", vec![0, 0, 0], vec![0, 0, 0])]);
    // Funnel trends: the funnel's own errors, and the periods'.
    let f = signup_purchase(FunnelOptions::default());
    let bad_zone = FunnelTrendsOptions {
        time_zone: "CET".into(),
        ..FunnelTrendsOptions::default()
    };
    assert_eq!(
        f.trends(&log, None, &bad_zone).unwrap_err().code(),
        "invalid_option"
    );
    let typo = Funnel::events(&["signup", "purchace"]);
    assert_eq!(
        typo.trends(&log, None, &FunnelTrendsOptions::default())
            .unwrap_err()
            .code(),
        "unknown_event"
    );
    let late = FunnelTrendsOptions {
        since: Some("2025-02-01".into()),
        ..FunnelTrendsOptions::default()
    };
    let as_of = signup_purchase(FunnelOptions {
        as_of: Some("2025-01-20".into()),
        ..FunnelOptions::default()
    });
    assert_eq!(
        as_of.trends(&log, None, &late).unwrap_err().code(),
        "invalid_option"
    );
    // Options are the core's serde types, unknown fields refused.
    assert!(serde_json::from_str::<TrendsOptions>(r#"{"perod": "week"}"#).is_err());
    assert!(serde_json::from_str::<FunnelTrendsOptions>(r#"{"window": 3}"#).is_err());
}

#[test]
fn empty_log() {
    let log = log_of(&[]);
    let r = log.trends(&TrendsOptions::default()).unwrap();
    assert!(r.periods.is_empty() && r.events.is_empty());
    assert_eq!(r.observed_from, None);
}

#[test]
fn the_state_of_customer_partitions_finishes_into_the_log_s_trends() {
    // Partition by customer: {ann, cy} and {bob, dee}; merged in either order.
    let part = |names: &[&str]| -> Vec<Row> {
        LOG.iter()
            .filter(|r| names.contains(&r.0))
            .copied()
            .collect()
    };
    for options in [
        TrendsOptions::default(),
        TrendsOptions {
            breakdown: Some("channel".into()),
            ..week()
        },
        TrendsOptions {
            events: Some(vec!["open".into(), "purchase".into()]),
            since: Some("2025-01-07".into()),
            time_zone: "+05:30".into(),
            ..TrendsOptions::default()
        },
    ] {
        let whole = log_of(LOG).trends(&options).unwrap();
        let a = TrendsCounts::from_log(&options, &log_of(&part(&["ann", "cy"]))).unwrap();
        let b = TrendsCounts::from_log(&options, &log_of(&part(&["bob", "dee"]))).unwrap();
        let ab = a.clone().merge(b.clone()).unwrap();
        let ba = b.merge(a).unwrap();
        assert_eq!(ab.finish().unwrap().unwrap(), whole);
        assert_eq!(ba.to_bytes(), ab.to_bytes());
        let back = TrendsCounts::from_bytes(&ab.to_bytes()).unwrap();
        assert_eq!(back.finish().unwrap().unwrap(), whole);
        assert!(TrendsCounts::identity().finish().is_none());
    }
    // States of different options do not merge.
    let a = TrendsCounts::from_log(&TrendsOptions::default(), &log_of(LOG)).unwrap();
    let b = TrendsCounts::from_log(&week(), &log_of(LOG)).unwrap();
    assert_eq!(a.merge(b).unwrap_err().code(), "incompatible_states");
}

/// The definition hash covers every option that can change a number (issue 16, item 4):
/// flipping any one changes it, the same options keep it.
#[test]
fn the_definition_hash_covers_every_option() {
    let log = log_of(LOG);
    let hash = |o: TrendsOptions| log.trends(&o).unwrap().definition.hash;
    let base = TrendsOptions::default();
    let flipped = [
        (
            "events",
            TrendsOptions {
                events: Some(vec!["open".to_owned()]),
                ..base.clone()
            },
        ),
        (
            "period",
            TrendsOptions {
                period: RetentionPeriod::Week,
                ..base.clone()
            },
        ),
        (
            "time_zone",
            TrendsOptions {
                time_zone: "+02:00".to_owned(),
                ..base.clone()
            },
        ),
        (
            "since",
            TrendsOptions {
                since: Some("2025-01-07".to_owned()),
                ..base.clone()
            },
        ),
        (
            "as_of",
            TrendsOptions {
                as_of: Some("2025-01-10".to_owned()),
                ..base.clone()
            },
        ),
        (
            "breakdown",
            TrendsOptions {
                breakdown: Some("channel".to_owned()),
                ..base.clone()
            },
        ),
        (
            "allow_missing_events",
            TrendsOptions {
                allow_missing_events: true,
                ..base.clone()
            },
        ),
    ];
    common::assert_every_option_in_hash(hash, &base, flipped.to_vec());
}
