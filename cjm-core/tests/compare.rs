//! Comparisons: the z-test against statsmodels' values, group comparisons worked by hand,
//! map diffs and patterns.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

mod common;

use cjm_core::maps::{diff_maps, patterns, PatternOptions};
use cjm_core::scoring::{
    compare_groups, normal_cdf, two_proportion_test, GroupLevel, HealthInputs, ScoringModel,
    SurveyOptions, SurveyState, SurveyTable,
};
use common::contains;
use serde_json::Value;

#[test]
fn two_proportion_vectors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/compare/two-proportion-z.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    for (i, case) in v["cases"].as_array().unwrap().iter().enumerate() {
        let n = |k: &str| case[k].as_u64().unwrap();
        let t = two_proportion_test(n("x1"), n("n1"), n("x2"), n("n2")).unwrap();
        contains(
            &serde_json::to_value(&t).unwrap(),
            &case["expect"],
            &format!("case {i}"),
            &mut failures,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn more_successes_than_trials_is_refused() {
    for (x1, n1, x2, n2) in [(3, 0, 1, 4), (11, 10, 1, 10), (1, 10, 5, 4)] {
        let err = two_proportion_test(x1, n1, x2, n2).unwrap_err();
        assert_eq!(err.code(), "invalid_option", "{x1}/{n1} vs {x2}/{n2}");
    }
}

#[test]
fn flow_options_are_checked() {
    use cjm_core::events::FlowOptions;
    assert!(FlowOptions::default().check().is_ok());
    for min_share in [-0.1, 1.5, f64::NAN] {
        let options = FlowOptions {
            min_share,
            ..FlowOptions::default()
        };
        assert_eq!(options.check().unwrap_err().code(), "invalid_option");
        // `EventLog::flows` checks them itself: no binding has to.
        let mut b = cjm_core::events::EventLogBuilder::new(Default::default());
        b.push(&cjm_core::events::RawEvent::new("u1", 0, "a"))
            .unwrap();
        let (log, _) = b.finish_checked().unwrap();
        assert_eq!(log.flows(&options).unwrap_err().code(), "invalid_option");
    }
}

#[test]
fn normal_cdf_known_values() {
    // Φ(1.959963984540054) = 0.975 and Φ(0) = 0.5 by definition; Φ(−1) = 0.15865525393145707
    // (scipy.stats.norm.cdf(-1)).
    assert!((normal_cdf(1.959_963_984_540_054) - 0.975).abs() < 1e-15);
    assert!((normal_cdf(0.0) - 0.5).abs() < 1e-16);
    assert!((normal_cdf(-1.0) - 0.158_655_253_931_457_07).abs() < 1e-15);
}

#[test]
fn personas_compared_by_hand() {
    // anna: NPS 10, 8, 9 → 66.67, margin 53.3444; ben: 0 → −100, margin 0.
    // Difference 166.67, margin sqrt(53.3444² + 0²) = 53.3444 → significant.
    // CSAT top box (4–5 of 1–5): anna 5, 4, 2 → 2 of 3; ben 1 → 0 of 1: z-test by hand:
    // pooled 2/4 = 0.5, se = sqrt(0.25·(1/3 + 1)) = 0.57735, z = (0.6667 − 0)/0.57735 = 1.1547.
    let table = SurveyTable {
        scope: vec![
            Some("checkout".into()),
            Some("checkout".into()),
            Some("checkout".into()),
            Some("search".into()),
        ],
        segment: vec![
            Some("anna".into()),
            Some("ben".into()),
            Some("anna".into()),
            Some("anna".into()),
        ],
        nps: Some(vec![Some(10.0), Some(0.0), Some(8.0), Some(9.0)]),
        csat: Some(vec![Some(5.0), Some(1.0), Some(4.0), Some(2.0)]),
        ces: None,
    };
    let options = SurveyOptions::default();
    let mut state = SurveyState::identity(&options).unwrap();
    state.extend(0, &table).unwrap();
    let anna = state
        .group_state(GroupLevel::Segment, None, Some("anna"))
        .unwrap();
    let ben = state
        .group_state(GroupLevel::Segment, None, Some("ben"))
        .unwrap();
    let c = compare_groups(&anna, &ben, &options);
    let nps = &c.kpis[0];
    assert_eq!(nps.metric, "nps");
    assert!((nps.difference.unwrap() - (200.0 / 3.0 + 100.0)).abs() < 1e-9);
    assert!((nps.margin.unwrap() - 53.344_443_287_278_104).abs() < 1e-9);
    assert_eq!(nps.significant, Some(true));
    let csat = &c.kpis[1];
    assert_eq!(csat.method, "two_proportion_z");
    let z = (2.0 / 3.0) / (0.25_f64 * (1.0 / 3.0 + 1.0)).sqrt();
    assert!((csat.z.unwrap() - z).abs() < 1e-12, "{:?}", csat.z);
    assert!((csat.difference.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(c.kpis.len(), 2, "no CES column, no CES comparison");
    // The same two groups as JavaScript's one options object (`CompareData`), `survey`
    // null meaning the defaults.
    let read =
        |json: Value| cjm_core::options_from::<cjm_core::scoring::CompareData, _>(json, "options");
    let data = read(serde_json::json!({
        "a": {"level": "segment", "segment": "anna"},
        "b": {"segment": "ben"},
        "survey": null,
    }))
    .unwrap();
    assert_eq!(data.compare(&table).unwrap(), c);
    let err = read(serde_json::json!({"a": {"segment": "anna"}, "b": {"segment": "zoe"}}))
        .unwrap()
        .compare(&table)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "`options.b`: no responses at level `segment` with segment `zoe`"
    );
    for bad in [
        serde_json::json!({"a": {"segment": "anna"}}),
        serde_json::json!({"a": {}, "b": {}, "c": {}}),
        serde_json::json!({"a": null, "b": {}}),
    ] {
        assert_eq!(read(bad).unwrap_err().code(), "invalid_option");
    }
}

#[test]
fn map_diff_lists_changes_and_score_deltas() {
    let before = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let mut doc = before.journey().clone();
    doc.touchpoints[0].name = "Renamed".into();
    let removed = doc.pain_points.remove(0);
    doc.opportunities
        .iter_mut()
        .for_each(|o| o.addresses.retain(|a| *a != removed.id));
    let mut stage = doc.stages[0].clone();
    stage.id = "loyalty-club".into();
    stage.name = "Loyalty club".into();
    doc.stages.push(stage);
    doc.name = "B2C v2".into();
    let after = cjm_core::validate(&doc).unwrap();
    let diff = diff_maps(
        &before,
        &after,
        &ScoringModel::default(),
        &HealthInputs::default(),
        &HealthInputs::default(),
    )
    .unwrap();
    assert_eq!(diff.journey_fields, ["name"]);
    assert_eq!(diff.collections["stages"].added, ["loyalty-club"]);
    assert_eq!(
        diff.collections["pain_points"].removed,
        std::slice::from_ref(&removed.id)
    );
    let tp = &diff.collections["touchpoints"].changed[0];
    assert_eq!(
        (tp.id.as_str(), tp.fields.as_slice()),
        (
            before.journey().touchpoints[0].id.as_str(),
            &["name".to_owned()][..]
        )
    );
    let pain = diff
        .scores
        .iter()
        .find(|s| s.kind == "pain_point" && s.id == removed.id)
        .unwrap();
    assert!(pain.before.is_some() && pain.after.is_none() && pain.delta.is_none());
    let new_stage = diff
        .scores
        .iter()
        .find(|s| s.kind == "stage" && s.id == "loyalty-club")
        .unwrap();
    assert!(new_stage.before.is_none());
    // Unchanged maps: no structural change, every delta 0.
    let same = diff_maps(
        &before,
        &before,
        &ScoringModel::default(),
        &HealthInputs::default(),
        &HealthInputs::default(),
    )
    .unwrap();
    assert!(same.journey_fields.is_empty() && same.collections.is_empty());
    assert!(same.scores.iter().all(|s| s.delta.is_none_or(|d| d == 0.0)));
}

#[test]
fn patterns_recur_across_maps() {
    let a = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let mut doc = a.journey().clone();
    doc.id = "b2c-copy".into();
    // Same pain point names in other words of case and spacing.
    for p in &mut doc.pain_points {
        p.name = format!("  {}  ", p.name.to_uppercase());
    }
    let b = cjm_core::validate(&doc).unwrap();
    let c = cjm_core::templates::load("b2b-saas").unwrap();
    let found = patterns(&[&a, &b, &c], &PatternOptions::default()).unwrap();
    let pains: Vec<_> = found
        .patterns
        .iter()
        .filter(|p| p.kind == "pain_point")
        .collect();
    assert_eq!(pains.len(), a.journey().pain_points.len());
    assert!(pains
        .iter()
        .all(|p| p.maps == 2 && p.map_ids == ["b2c-ecommerce", "b2c-copy"]));
    // Ranked: more maps first; among pain points in 2 maps, higher severity first.
    for pair in found.patterns.windows(2) {
        assert!(pair[0].maps >= pair[1].maps);
    }
    let severities: Vec<f64> = pains.iter().map(|p| p.badness).collect();
    assert!(
        severities.windows(2).all(|w| w[0] >= w[1]),
        "{severities:?}"
    );
    // Insights common to all three maps are found in 3.
    assert!(found
        .patterns
        .iter()
        .any(|p| p.kind == "insight" && p.maps == 3));
    // The definition is the map lint's options, hashed as before `PatternOptions` (its
    // other thresholds at their defaults): a result's hash did not change.
    assert_eq!(
        found.definition,
        cjm_core::Definition::new("patterns", &cjm_core::insights::InsightOptions::default())
    );
    // With options given too: the lint's options with those two set.
    let given = PatternOptions {
        as_of: Some("2026-01-01".into()),
        high_priority: 0.5,
    };
    let lint = cjm_core::insights::InsightOptions {
        as_of: Some("2026-01-01".into()),
        high_priority: 0.5,
        ..cjm_core::insights::InsightOptions::default()
    };
    assert_eq!(
        patterns(&[&a, &b, &c], &given).unwrap().definition,
        cjm_core::Definition::new("patterns", &lint)
    );
}

/// The lint runs on each map without measured data, so its drop-off and unmapped-event
/// thresholds cannot change a pattern: they are refused, not ignored (issue 16).
#[test]
fn patterns_refuse_the_thresholds_of_measured_data() {
    for key in ["high_drop_off", "unmapped_share"] {
        let read = serde_json::from_value::<PatternOptions>(serde_json::json!({ key: 0.2 }));
        let err = read.expect_err(key).to_string();
        assert!(err.contains(&format!("unknown field `{key}`")), "{err}");
    }
    let read: PatternOptions =
        serde_json::from_value(serde_json::json!({"as_of": "2026-01-01T10:00:00+02:00"})).unwrap();
    // As `InsightOptions` reads it: the calendar date as written.
    assert_eq!(read.as_of.as_deref(), Some("2026-01-01"));
    assert_eq!(read.high_priority, 0.3);
}

#[test]
fn a_selector_names_the_group_the_answers_hold() {
    use cjm_core::scoring::{GroupBy, GroupSelector};
    // The table of `personas_compared_by_hand`, with and without its scope column.
    let segment = |v: &[&str]| v.iter().map(|s| Some((*s).to_owned())).collect::<Vec<_>>();
    let with_scope = SurveyTable {
        scope: segment(&["checkout", "checkout", "checkout", "search"]),
        segment: segment(&["anna", "ben", "anna", "anna"]),
        nps: Some(vec![Some(10.0), Some(0.0), Some(8.0), Some(9.0)]),
        csat: None,
        ces: None,
    };
    let without_scope = SurveyTable {
        scope: vec![],
        ..with_scope.clone()
    };
    let options = SurveyOptions::default();
    let state_of = |table: &SurveyTable| {
        let mut state = SurveyState::identity(&options).unwrap();
        state.extend(0, table).unwrap();
        state
    };
    let (scoped, plain) = (state_of(&with_scope), state_of(&without_scope));
    // anna: 10, 8, 9 → NPS 66.67; ben: 0 → −100; the same by segment with or without
    // scopes (a segment alone is `segment` with scopes, `scope_segment` without).
    for state in [&scoped, &plain] {
        let anna = state
            .select(&GroupSelector::by(GroupBy::Segment, "anna", None))
            .unwrap();
        let ben = state
            .select(&GroupSelector::by(GroupBy::Segment, "ben", None))
            .unwrap();
        assert_eq!(anna.responses, 3);
        let c = compare_groups(&anna, &ben, &options);
        assert!((c.kpis[0].difference.unwrap() - (200.0 / 3.0 + 100.0)).abs() < 1e-9);
    }
    // anna within checkout: 10 and 8 → 50; the scope `search`: 9 → 100.
    let anna_checkout = scoped
        .select(&GroupSelector::by(
            GroupBy::Segment,
            "anna",
            Some("checkout"),
        ))
        .unwrap();
    assert_eq!(anna_checkout.responses, 2);
    let search = scoped
        .select(&GroupSelector::by(GroupBy::Scope, "search", None))
        .unwrap();
    assert_eq!(search.responses, 1);
    // An explicit level is kept: `segment` does not exist without scopes.
    let explicit = GroupSelector {
        level: Some(GroupLevel::Segment),
        scope: None,
        segment: Some("anna".into()),
    };
    assert_eq!(scoped.select(&explicit).unwrap().responses, 3);
    let err = plain.select(&explicit).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert_eq!(
        err.to_string(),
        "no responses at level `segment` with segment `anna`"
    );
    // A scope named when the answers have none; a value no answer has.
    let err = plain
        .select(&GroupSelector::by(
            GroupBy::Segment,
            "anna",
            Some("checkout"),
        ))
        .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err.to_string().contains("without a scope column"), "{err}");
    let err = scoped
        .select(&GroupSelector::by(GroupBy::Segment, "zoe", None))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no responses at level `segment` with segment `zoe`"
    );
}

#[test]
fn survey_state_compare_names_the_side_it_cannot_pick() {
    use cjm_core::scoring::{GroupLevel, GroupSelector, SurveyOptions, SurveyState};
    let options = SurveyOptions::default();
    let state = SurveyState::identity(&options).unwrap();
    let anyone = GroupSelector {
        level: Some(GroupLevel::Overall),
        ..GroupSelector::default()
    };
    let err = state
        .compare(("left", &anyone), ("right", &anyone), &options)
        .unwrap_err();
    // No answers: the first side fails first, its name leading the core's message.
    assert_eq!(err.code(), "invalid_option");
    assert!(
        err.to_string()
            .contains("`left`: no responses at level `overall`"),
        "{err}"
    );
}

/// A comparison does not hide small groups, so a `min_group_size` given to it is refused
/// instead of being ignored (issue 16: Python's `compare_groups` takes the survey
/// options as keywords, and the option used to pass silently).
#[test]
fn survey_state_compare_refuses_a_min_group_size() {
    use cjm_core::scoring::{GroupSelector, SurveyOptions, SurveyState};
    let options = SurveyOptions {
        min_group_size: 100,
        ..SurveyOptions::default()
    };
    let state = SurveyState::identity(&options).unwrap();
    let anyone = GroupSelector::default();
    let err = state
        .compare(("a", &anyone), ("b", &anyone), &options)
        .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(
        err.to_string()
            .starts_with("`min_group_size` (100) does not apply to a comparison"),
        "{err}"
    );
}
