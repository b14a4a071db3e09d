//! Binding a log to a map: traffic, conformance, journey state, drivers, stage funnels.
//! The numbers are worked by hand in the comments.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::{
    DriverOptions, EventLog, Funnel, IngestOptions, JourneyStateOptions, RawEvent, StepSpec,
    TimeUnit,
};
use cjm_core::ValidJourney;

fn journey() -> ValidJourney {
    cjm_core::load_str(
        r#"{
        "schema_version": 1, "id": "j", "name": "J",
        "stages": [{"id": "s1", "name": "Aware"}, {"id": "s2", "name": "Consider"}, {"id": "s3", "name": "Buy"}],
        "channels": [{"id": "web", "name": "Web", "kind": "online"}],
        "touchpoints": [
            {"id": "t1", "name": "Ad", "stage": "s1", "channel": "web", "events": ["ad"]},
            {"id": "t2", "name": "Browse", "stage": "s2", "channel": "web", "events": ["view", "search"]},
            {"id": "t3", "name": "Product", "stage": "s2", "channel": "web", "events": ["view"]},
            {"id": "t4", "name": "Checkout", "stage": "s3", "channel": "web", "events": ["buy"]}
        ]
    }"#,
    )
    .unwrap()
}

/// u1: ad@0 view@10 buy@20 zzz@30; u2: view@0 ad@5; u3: ad@0 buy@10; u4: zzz@0.
fn log() -> EventLog {
    log_and_report().0
}

/// [`log`] with its ingest report.
fn log_and_report() -> (EventLog, cjm_core::events::IngestReport) {
    let rows = [
        ("u1", 0, "ad"),
        ("u1", 10, "view"),
        ("u1", 20, "buy"),
        ("u1", 30, "zzz"),
        ("u2", 0, "view"),
        ("u2", 5, "ad"),
        ("u3", 0, "ad"),
        ("u3", 10, "buy"),
        ("u4", 0, "zzz"),
    ];
    let options = IngestOptions {
        time_unit: TimeUnit::Seconds,
        ..IngestOptions::default()
    };
    EventLog::from_rows(
        rows.iter().map(|&(c, t, e)| RawEvent::new(c, t, e)),
        options,
    )
    .unwrap()
}

#[test]
fn traffic_per_touchpoint_and_stage() {
    let t = log().traffic(&journey());
    assert_eq!((t.customers, t.events, t.mapped_events), (4, 9, 7));
    let tp: Vec<(&str, u64, u64)> = t
        .touchpoints
        .iter()
        .map(|x| (x.id.as_str(), x.events, x.customers))
        .collect();
    // `view` binds t2 and t3: it counts at both touchpoints, once for stage s2.
    assert_eq!(tp, [("t1", 3, 3), ("t2", 2, 2), ("t3", 2, 2), ("t4", 2, 2)]);
    assert_eq!(t.touchpoints[0].reach, Some(0.75));
    let st: Vec<(u64, u64)> = t.stages.iter().map(|s| (s.events, s.customers)).collect();
    assert_eq!(st, [(3, 3), (2, 2), (2, 2)]);
    assert_eq!(t.unmapped_events.len(), 1);
    assert_eq!(
        (
            t.unmapped_events[0].event.as_str(),
            t.unmapped_events[0].count
        ),
        ("zzz", 2)
    );
}

#[test]
fn conformance_counts_skips_and_moves_back() {
    // Stage sequences: u1 s1 s2 s3 (in order); u2 s2 s1 (back, entered late); u3 s1 s3
    // (skip); u4 has no mapped event.
    let c = log().conformance(&journey());
    assert_eq!(
        (
            c.customers,
            c.in_order,
            c.skipped,
            c.went_back,
            c.entered_late
        ),
        (3, 1, 1, 1, 1)
    );
    assert_eq!(c.in_order_share, Some(1.0 / 3.0));
    let entry: Vec<u64> = c.entry_stages.iter().map(|s| s.customers).collect();
    assert_eq!(entry, [2, 1, 0]);
}

#[test]
fn journey_state_per_customer() {
    let options = JourneyStateOptions {
        as_of: Some("1970-01-01T00:01:40Z".to_owned()),
        conversion: Some(StepSpec::Event("buy".to_owned())),
        ..JourneyStateOptions::default()
    };
    let s = log().journey_states(&journey(), &options).unwrap();
    let rows: Vec<_> = s
        .customers
        .iter()
        .map(|r| {
            (
                r.customer.as_str(),
                r.current_stage.as_deref(),
                r.deepest_stage.as_deref(),
                r.last_touchpoint.as_deref(),
                r.seconds_in_stage,
                r.converted,
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("u1", Some("s3"), Some("s3"), Some("t4"), Some(80.0), true),
            ("u2", Some("s1"), Some("s2"), Some("t1"), Some(95.0), false),
            ("u3", Some("s3"), Some("s3"), Some("t4"), Some(90.0), true),
            ("u4", None, None, None, None, false),
        ]
    );
    assert_eq!(
        s.customers[0].stage_entered_at.as_deref(),
        Some("1970-01-01T00:00:20Z")
    );
}

#[test]
fn journey_state_as_of_without_an_offset_needs_assume_utc() {
    let naive = |assume_utc| JourneyStateOptions {
        as_of: Some("1970-01-01T00:01:40".to_owned()),
        conversion: Some(StepSpec::Event("buy".to_owned())),
        assume_utc,
    };
    let err = log().journey_states(&journey(), &naive(false)).unwrap_err();
    assert_eq!(err.code(), "naive_timestamp");
    assert!(err.to_string().contains("assume_utc"), "{err}");
    // Read as UTC it is the instant of the test above: u1 has been 80 s in its stage.
    let s = log().journey_states(&journey(), &naive(true)).unwrap();
    assert_eq!(s.as_of.as_deref(), Some("1970-01-01T00:01:40Z"));
    assert_eq!(s.customers[0].seconds_in_stage, Some(80.0));
}

#[test]
fn drivers_with_a_plus_one_prior() {
    // Converters (buy): u1, u3. Events before conversion: u1 {ad, view}, u3 {ad};
    // non-converters: u2 {view, ad}, u4 {zzz}.
    // ad: a=2 b=1 c=0 d=1 → 3·2/(2·1) = 3; view: a=1 b=1 c=1 d=1 → 1;
    // zzz: a=0 b=1 c=2 d=1 → 1·2/(2·3) = 1/3.
    let options = DriverOptions {
        conversion: StepSpec::Event("buy".to_owned()),
        by_touchpoint: false,
        min_support: 1,
        allow_missing_events: false,
    };
    let d = log().drivers(None, &options).unwrap();
    assert_eq!((d.customers, d.converters), (4, 2));
    let got: Vec<(&str, f64)> = d
        .drivers
        .iter()
        .map(|x| (x.name.as_str(), x.odds_ratio))
        .collect();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], ("ad", 3.0));
    assert_eq!(got[1], ("view", 1.0));
    assert_eq!(got[2].0, "zzz");
    assert!((got[2].1 - 1.0 / 3.0).abs() < 1e-12);
    let strict = DriverOptions {
        min_support: 2,
        ..options.clone()
    };
    assert_eq!(log().drivers(None, &strict).unwrap().drivers.len(), 2);
    let by_tp = DriverOptions {
        by_touchpoint: true,
        ..options
    };
    let d = log().drivers(Some(&journey()), &by_tp).unwrap();
    let names: Vec<&str> = d.drivers.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["t1", "t2", "t3"]);
    let json: serde_json::Value =
        serde_json::from_str(r#"{"conversion": {"touchpoint": "t4"}}"#).unwrap();
    let o: DriverOptions = serde_json::from_value(json).unwrap();
    assert_eq!(o.min_support, 5);
}

#[test]
fn stage_and_touchpoint_funnels() {
    // s1 → s2 → s3: u1 reaches 3; u2's s1 event (ad@5) has no s2 event at or after it;
    // u3 has no s2 event.
    let j = journey();
    let r = Funnel::from_stages(&j).run(&log(), Some(&j)).unwrap();
    let counts: Vec<u64> = r.steps.iter().map(|s| s.customers).collect();
    assert_eq!(counts, [3, 1, 1]);
    let f = Funnel {
        steps: vec![
            StepSpec::Touchpoint("t1".into()),
            StepSpec::Touchpoint("t4".into()),
        ],
        options: Default::default(),
    };
    let counts: Vec<u64> = f
        .run(&log(), Some(&j))
        .unwrap()
        .steps
        .iter()
        .map(|s| s.customers)
        .collect();
    assert_eq!(counts, [3, 2]);
    assert_eq!(f.run(&log(), None).unwrap_err().code(), "invalid_funnel");
    let bad = Funnel {
        steps: vec![StepSpec::Stage("nope".into())],
        options: Default::default(),
    };
    assert_eq!(
        bad.run(&log(), Some(&j)).unwrap_err().code(),
        "invalid_funnel"
    );
}

#[test]
fn steps_read_from_names_or_objects_and_no_steps_is_the_stage_funnel() {
    // A bare name is an event step, in every binding's input.
    let steps: Vec<StepSpec> = serde_json::from_str(
        r#"["view", {"event": "buy"}, {"stage": "s1"}, {"touchpoint": "t1"},
            {"any_of": ["a", "b"]}]"#,
    )
    .unwrap();
    assert_eq!(
        steps,
        [
            StepSpec::Event("view".into()),
            StepSpec::Event("buy".into()),
            StepSpec::Stage("s1".into()),
            StepSpec::Touchpoint("t1".into()),
            StepSpec::AnyOf(vec!["a".into(), "b".into()]),
        ]
    );
    // Written back in the tagged form only.
    assert_eq!(
        serde_json::to_string(&steps[0]).unwrap(),
        r#"{"event":"view"}"#
    );
    for bad in [
        r#"{"evnt": "x"}"#,
        "5",
        r#"{"event": "a", "stage": "b"}"#,
        "null",
    ] {
        assert!(serde_json::from_str::<StepSpec>(bad).is_err(), "{bad}");
    }
    // Read as every binding reads options (the core's reader, not serde_json's own):
    // a step has exactly one key.
    for bad in [
        r#"[{"event": "a", "stage": "b"}]"#,
        r#"[{"stage": "s1", "within": 60}]"#,
        r#"[{}]"#,
        r#"[{"evnt": "a"}]"#,
    ] {
        let e = cjm_core::options_from::<Vec<StepSpec>, _>(
            &mut serde_json::Deserializer::from_str(bad),
            "steps",
        )
        .unwrap_err();
        assert_eq!(e.code(), "invalid_option", "{bad}: {e}");
    }
    let e = cjm_core::options_from::<Vec<StepSpec>, _>(
        &mut serde_json::Deserializer::from_str(r#"["a", 7]"#),
        "steps",
    )
    .unwrap_err();
    assert!(e.to_string().contains("`steps`: option `[1]`"), "{e}");
    // No steps: the journey's stages (3 of them, by hand 3, 1, 1 as above); no journey
    // either is an error that says what to give.
    let j = journey();
    let f = Funnel::of(None, Default::default(), Some(&j)).unwrap();
    assert_eq!(f, Funnel::from_stages(&j));
    let counts: Vec<u64> = f
        .run(&log(), Some(&j))
        .unwrap()
        .steps
        .iter()
        .map(|s| s.customers)
        .collect();
    assert_eq!(counts, [3, 1, 1]);
    let given = Funnel::of(Some(steps.clone()), Default::default(), Some(&j)).unwrap();
    assert_eq!(given.steps, steps);
    let e = Funnel::of(None, Default::default(), None).unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    assert!(e.to_string().contains("needs a journey"), "{e}");
}

#[test]
fn funnel_definitions_are_checked_and_recorded() {
    let l = log();
    let bad = |json: &str| {
        let f: Funnel = serde_json::from_str(json).unwrap();
        f.run(&l, None).unwrap_err().code()
    };
    assert_eq!(bad(r#"{"steps": []}"#), "invalid_funnel");
    assert_eq!(
        bad(r#"{"steps": [{"event": "a"}], "options": {"step_windows_seconds": [5]}}"#),
        "invalid_funnel"
    );
    assert_eq!(
        bad(
            r#"{"steps": [{"event": "a"}, {"event": "b"}], "options": {"order": "any", "exclusions": [{"step": {"event": "x"}, "between": [0, 1]}]}}"#
        ),
        "invalid_funnel"
    );
    assert_eq!(
        bad(
            r#"{"steps": [{"event": "a"}, {"event": "b"}], "options": {"exclusions": [{"step": {"event": "x"}, "between": [1, 1]}]}}"#
        ),
        "invalid_funnel"
    );
    assert_eq!(
        bad(r#"{"steps": [{"event": "ad"}], "options": {"as_of": "yesterday"}}"#),
        "invalid_timestamp"
    );
    assert_eq!(
        bad(r#"{"steps": [{"event": "ad"}], "options": {"breakdown": "country"}}"#),
        "unknown_column"
    );
    assert!(serde_json::from_str::<Funnel>(r#"{"steps": [], "options": {"windw": 1}}"#).is_err());
    let r = Funnel::events(&["ad", "buy"]).run(&l, None).unwrap();
    assert_eq!(r.definition.kind, "funnel");
    assert_eq!(
        r.definition.params["matching"],
        "every_step1_attempt_earliest_next"
    );
    assert_eq!(r.definition.params["options"]["window_seconds"], 604_800);
    assert_eq!(r.definition.params["percentile"], "linear");
    assert_eq!(r.definition.hash.len(), 12);
    // A step name the log lacks (a misspelling, most often) is loud.
    assert_eq!(
        bad(r#"{"steps": [{"event": "ad"}, {"event": "bye"}]}"#),
        "unknown_event"
    );
}

#[test]
fn synthetic_logs_are_deterministic_and_bind_to_the_template() {
    use cjm_core::events::synth::{generate, generate_log, SynthOptions};
    let o = SynthOptions {
        customers: 300,
        ..SynthOptions::default()
    };
    let (a, report) = generate_log(&o);
    let (b, _) = generate_log(&o);
    assert!(a == b, "same seed, same log");
    assert_eq!(report.rejected_total, 0);
    assert_eq!(generate(&o).len(), a.len());
    assert!(a.len() > 300 * 8, "{} events", a.len());
    let j = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let t = a.traffic(&j);
    assert_eq!(t.customers, 300);
    // Every stage sees traffic, with drop-off along the way.
    let reach: Vec<f64> = t.stages.iter().map(|s| s.reach.unwrap()).collect();
    assert!(reach.iter().all(|&r| r > 0.0), "{reach:?}");
    assert!(reach[2] < reach[1] && reach[3] < reach[2], "{reach:?}");
    let unmapped: Vec<&str> = t.unmapped_events.iter().map(|u| u.event.as_str()).collect();
    assert_eq!(unmapped, ["page_view", "scroll", "session_start"]);
}

/// Uncertainty of a driver, by hand. Ten customers, four convert (`buy`); `x` is done
/// before converting by three converters and by one non-converter: a=3 b=1 c=1 d=5.
/// - odds ratio (a+1)(d+1)/((b+1)(c+1)) = 4·6/(2·2) = 6;
/// - Woolf's interval on the same cells: se = sqrt(1/4 + 1/2 + 1/2 + 1/6) = 1.19024,
///   exp(±1.959964·se) = ×/÷ 10.3073 → [0.58213, 61.8420];
/// - Fisher, margins 4/6 and 4/6, P(x) = C(4,x)C(6,4−x)/C(10,4) = 15, 80, 90, 24, 1
///   (/210) for x = 0..4; observed x = 3 (24): x = 0, 3, 4 are no more likely, p =
///   40/210 = 0.190476 (scipy.stats.fisher_exact agrees);
/// - base rate 4/10, success 3/4, lift 1.875.
#[test]
fn drivers_carry_an_interval_a_p_value_and_lift() {
    let mut rows = Vec::new();
    let names: Vec<String> = (0..10).map(|i| format!("c{i}")).collect();
    for (i, c) in names.iter().enumerate() {
        // c0..c3 convert; x is done by c0, c1, c2 (converters) and c4 (not).
        let does_x = matches!(i, 0..=2 | 4);
        let converts = i < 4;
        if does_x {
            rows.push(RawEvent::new(c, 1, "x"));
        }
        rows.push(RawEvent::new(c, 2, "seen"));
        if converts {
            rows.push(RawEvent::new(c, 3, "buy"));
        }
    }
    let (log, _) = EventLog::from_rows(rows, IngestOptions::default()).unwrap();
    let options = DriverOptions {
        conversion: StepSpec::Event("buy".to_owned()),
        by_touchpoint: false,
        min_support: 1,
        allow_missing_events: false,
    };
    let d = log.drivers(None, &options).unwrap();
    assert_eq!((d.customers, d.converters, d.base_rate), (10, 4, Some(0.4)));
    let x = d.drivers.iter().find(|x| x.name == "x").unwrap();
    assert_eq!(
        (
            x.converted_with,
            x.not_converted_with,
            x.converted_without,
            x.not_converted_without
        ),
        (3, 1, 1, 5)
    );
    assert_eq!(x.odds_ratio, 6.0);
    assert!((x.odds_ratio_interval[0] - 0.582_128_372_777_156_9).abs() < 1e-12);
    assert!((x.odds_ratio_interval[1] - 61.842_029_496_440_76).abs() < 1e-9);
    assert!((x.p_value - 40.0 / 210.0).abs() < 1e-12);
    assert!((x.lift.unwrap() - 1.875).abs() < 1e-12);
    // `seen` is done by everyone: a=4 b=6 c=0 d=0, Fisher p = 1 (one possible table).
    let seen = d.drivers.iter().find(|x| x.name == "seen").unwrap();
    assert_eq!(seen.p_value, 1.0);
    assert_eq!(
        d.definition.params["p_value"],
        serde_json::json!("fisher exact, two-sided")
    );
}

/// An any-of step, by hand: u1 view → add_to_cart → buy; u2 view → wishlist_add → buy;
/// u3 view → buy; u4 view → wishlist_add. With step 2 = add_to_cart or wishlist_add the
/// customers per step are 4, 3 (u1, u2, u4), 2 (u1, u2); with add_to_cart alone 4, 1, 1.
#[test]
fn any_of_steps_take_any_of_their_events() {
    let rows = [
        ("u1", 1, "view"),
        ("u1", 2, "add_to_cart"),
        ("u1", 3, "buy"),
        ("u2", 1, "view"),
        ("u2", 2, "wishlist_add"),
        ("u2", 3, "buy"),
        ("u3", 1, "view"),
        ("u3", 3, "buy"),
        ("u4", 1, "view"),
        ("u4", 2, "wishlist_add"),
    ];
    let raw: Vec<RawEvent<'_>> = rows
        .iter()
        .map(|&(c, t, e)| RawEvent::new(c, t, e))
        .collect();
    let (log, _) = EventLog::from_rows(raw, IngestOptions::default()).unwrap();
    let any: StepSpec =
        serde_json::from_str(r#"{"any_of": ["add_to_cart", "wishlist_add"]}"#).unwrap();
    let steps = |middle: StepSpec| Funnel {
        steps: vec![
            StepSpec::Event("view".into()),
            middle,
            StepSpec::Event("buy".into()),
        ],
        options: Funnel::events(&["x"]).options,
    };
    let counts = |f: Funnel| -> Vec<u64> {
        f.run(&log, None)
            .unwrap()
            .steps
            .iter()
            .map(|s| s.customers)
            .collect()
    };
    assert_eq!(counts(steps(any.clone())), [4, 3, 2]);
    assert_eq!(
        counts(steps(StepSpec::Event("add_to_cart".into()))),
        [4, 1, 1]
    );
    assert_eq!(
        (any.kind(), any.name()),
        ("any_of", "add_to_cart | wishlist_add".to_owned())
    );
    // Each name is checked against the log, and an empty list is refused.
    let typo = StepSpec::AnyOf(vec!["add_to_cart".into(), "wishlist_ad".into()]);
    let err = steps(typo).run(&log, None).unwrap_err();
    assert_eq!(err.code(), "unknown_event");
    assert!(err.to_string().contains("wishlist_add"), "{err}");
    let err = steps(StepSpec::AnyOf(vec![])).run(&log, None).unwrap_err();
    assert!(err.to_string().contains("any_of"), "{err}");
}

/// A log relabelled by the map: events become their stage's or first touchpoint's name,
/// unbound events leave (the report counts them), and the path analyses then run on the
/// map's names. Worked on `log()`: zzz is bound by no touchpoint (u1's last event, u4's
/// only one); view is bound by Browse and Product (both Consider), Browse first.
#[test]
fn relabelled_by_stage_and_touchpoint() {
    use cjm_core::events::{FlowOptions, LogOperation, MapLevel, RelabelOptions, VariantOptions};
    let j = journey();
    let log = log();
    let by_stage = RelabelOptions::from_journey(&j, MapLevel::Stage);
    let want: Vec<(&str, &str)> = vec![
        ("ad", "Aware"),
        ("buy", "Buy"),
        ("search", "Consider"),
        ("view", "Consider"),
    ];
    let got: Vec<(&str, &str)> = by_stage
        .labels
        .iter()
        .map(|(e, l)| (e.as_str(), l.as_str()))
        .collect();
    assert_eq!(got, want);
    let stages = log.relabel(&by_stage).unwrap();
    // u1 Aware Consider Buy, u2 Consider Aware, u3 Aware Buy; u4 had only zzz.
    let events: Vec<(String, i64, &str)> = stages
        .iter()
        .map(|e| (e.customer.to_string(), e.timestamp / 1_000_000_000, e.event))
        .collect();
    let want = [
        ("u1", 0, "Aware"),
        ("u1", 10, "Consider"),
        ("u1", 20, "Buy"),
        ("u2", 0, "Consider"),
        ("u2", 5, "Aware"),
        ("u3", 0, "Aware"),
        ("u3", 10, "Buy"),
    ];
    let want: Vec<(String, i64, &str)> =
        want.iter().map(|&(c, t, e)| (c.to_owned(), t, e)).collect();
    assert_eq!(events, want);
    assert_eq!(stages.event_names(), ["Aware", "Buy", "Consider"]);
    // Flows by stage: depth 0 Aware 2 (u1, u3), Consider 1 (u2); depth 1 Aware 1 (u2),
    // Buy 1 (u3), Consider 1 (u1); depth 2 Buy 1 (u1).
    let flows = stages
        .flows(&FlowOptions {
            steps: 3,
            min_share: 0.0,
            ..FlowOptions::default()
        })
        .unwrap();
    let nodes: Vec<(usize, &str, u64)> = flows
        .nodes
        .iter()
        .map(|n| (n.depth, n.name.as_str(), n.customers))
        .collect();
    assert_eq!(
        nodes,
        [
            (0, "Aware", 2),
            (0, "Consider", 1),
            (1, "Aware", 1),
            (1, "Buy", 1),
            (1, "Consider", 1),
            (2, "Buy", 1)
        ]
    );

    // By touchpoint: ad → Ad, view and search → Browse (before Product), buy → Checkout.
    let tps = log
        .relabel(&RelabelOptions::from_journey(&j, MapLevel::Touchpoint))
        .unwrap();
    let v = tps.variants(&VariantOptions::default()).unwrap();
    let seqs: Vec<(Vec<&str>, u64)> = v
        .variants
        .iter()
        .map(|x| (x.events.iter().map(String::as_str).collect(), x.customers))
        .collect();
    assert_eq!(
        seqs,
        [
            (vec!["Ad", "Browse", "Checkout"], 1),
            (vec!["Ad", "Checkout"], 1),
            (vec!["Browse", "Ad"], 1)
        ]
    );

    // As an operation: the report counts the two zzz events and u4 as removed.
    let (log, report) = log_and_report();
    let (_, after) = LogOperation::Relabel(by_stage)
        .apply(&log, &report)
        .unwrap();
    assert_eq!(after.removed_by_operations, 2);
    let op = &after.operations[0];
    assert_eq!(op.definition.kind, "log_relabel");
    assert_eq!((op.events_before, op.events_after), (9, 7));
    assert_eq!((op.customers_before, op.customers_after), (4, 3));

    // An empty label, or no labels, is refused; so is a name the log lacks (a misspelling
    // would drop the events it meant), unless allowed.
    let mut bad = RelabelOptions::default();
    assert_eq!(log.relabel(&bad).unwrap_err().code(), "invalid_option");
    bad.labels.insert("ad".into(), String::new());
    assert_eq!(log.relabel(&bad).unwrap_err().code(), "invalid_option");
    let mut typo = RelabelOptions::default();
    typo.labels.insert("veiw".into(), "site".into());
    let e = log.relabel(&typo).unwrap_err();
    assert_eq!(e.code(), "unknown_event");
    assert!(e.to_string().contains("view"), "{e}");
    typo.allow_missing = true;
    assert_eq!(log.relabel(&typo).unwrap().len(), 0);
}
