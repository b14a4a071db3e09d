//! Laws of the document model, checked on generated inputs:
//! - any valid document round-trips through JSON exactly;
//! - validation never panics, whatever the input (arbitrary JSON values, arbitrary text,
//!   valid documents with one field replaced by an arbitrary value);
//! - generated documents that validate also satisfy the published JSON Schema, checked
//!   with the independent `jsonschema` crate.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::model::{
    Channel, ChannelKind, Emotion, EmotionScale, Journey, Kpi, Metric, Objective, Observation,
    Opportunity, PainPoint, Persona, Stage, Team, Touchpoint,
};
use proptest::prelude::*;
use serde_json::Value;

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 <>&'\"é]{0,12}"
}

fn finite(lo: f64, hi: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_filter("finite", |v: &f64| v.is_finite())
}

prop_compose! {
    /// A consistent journey: every reference points at an existing item.
    fn journey()(
        n_stages in 1usize..5,
        n_channels in 1usize..4,
        n_personas in 1usize..3,
        n_teams in 0usize..3,
        n_touchpoints in 0usize..8,
        picks in proptest::collection::vec(any::<usize>(), 40),
        names in proptest::collection::vec(name(), 40),
        values in proptest::collection::vec(finite(0.0, 1.0), 40),
        severities in proptest::collection::vec(1u8..=5, 8),
        scale_lo in finite(-10.0, 0.0),
        scale_width in finite(0.5, 10.0),
        state in prop_oneof![Just(cjm_core::model::JourneyState::AsIs), Just(cjm_core::model::JourneyState::ToBe)],
    ) -> Journey {
        let pick = |i: usize, n: usize| picks[i % picks.len()] % n.max(1);
        let nm = |i: usize| names[i % names.len()].clone();
        let val = |i: usize| values[i % values.len()];
        let stages: Vec<Stage> = (0..n_stages).map(|i| Stage {
            id: format!("s{i}"), name: nm(i), description: None,
            expected_duration: (i % 2 == 0).then(|| format!("{i}d")), extensions: Default::default(),
        }).collect();
        let kinds = [ChannelKind::Online, ChannelKind::Offline, ChannelKind::Assisted];
        let channels: Vec<Channel> = (0..n_channels).map(|i| Channel {
            id: format!("c{i}"), name: nm(i + 5), kind: kinds[i % 3], extensions: Default::default(),
        }).collect();
        let teams: Vec<Team> = (0..n_teams).map(|i| Team {
            id: format!("team{i}"), name: nm(i + 9), description: None, extensions: Default::default(),
        }).collect();
        let personas: Vec<Persona> = (0..n_personas).map(|i| Persona {
            id: format!("p{i}"), name: nm(i + 12), description: Some(nm(i + 13)), share: Some(val(i) / 2.0),
            demographics: vec![nm(i + 14)], psychographics: vec![], goals: vec![], needs: vec![],
            extensions: Default::default(),
        }).collect();
        let touchpoints: Vec<Touchpoint> = (0..n_touchpoints).map(|i| Touchpoint {
            id: format!("t{i}"), name: nm(i + 15), description: None,
            stage: format!("s{}", pick(i, n_stages)), channel: format!("c{}", pick(i + 1, n_channels)),
            owner: (n_teams > 0).then(|| format!("team{}", pick(i + 2, n_teams))),
            side: if i % 3 == 0 { cjm_core::model::Side::Backstage } else { cjm_core::model::Side::Frontstage },
            events: vec![format!("ev_{i}")], extensions: Default::default(),
        }).collect();
        let observations: Vec<Observation> = (0..n_personas * n_stages).map(|i| {
            let scale = EmotionScale { min: scale_lo, max: scale_lo + scale_width };
            Observation {
                id: format!("o{i}"), persona: format!("p{}", i % n_personas), stage: format!("s{}", i / n_personas),
                touchpoint: None, actions: vec![nm(i + 20)], thoughts: vec![],
                emotion: Some(Emotion { value: scale.min + val(i + 3) * (scale.max - scale.min), scale }),
                evidence_ids: vec![], extensions: Default::default(),
            }
        }).collect();
        let pain_points: Vec<PainPoint> = (0..n_stages).map(|i| PainPoint {
            id: format!("pp{i}"), name: nm(i + 25), description: None, stage: Some(format!("s{i}")),
            touchpoint: None, persona: None, severity: severities[i % severities.len()],
            frequency: Some(val(i + 7)), evidence_ids: vec![], status: Default::default(), extensions: Default::default(),
        }).collect();
        let opportunities = vec![Opportunity {
            id: "op".into(), name: nm(30), description: None, addresses: vec!["pp0".into()],
            impact: severities[0], effort: severities[1 % severities.len()], confidence: val(31),
            owner: None, status: Default::default(), extensions: Default::default(),
        }];
        let kpis = vec![Kpi {
            id: "k".into(), name: nm(32), metric: Metric::ConversionRate, stage: Some("s0".into()), touchpoint: None,
            target: Some(val(33)), direction: None, actual: Some(val(34)), unit: None, extensions: Default::default(),
        }];
        let mut extensions = serde_json::Map::new();
        extensions.insert(nm(35), serde_json::json!({"n": val(36), "list": [1, "two", null]}));
        Journey {
            schema_version: 1, id: "j".into(), name: nm(37), description: None, state,
            objectives: vec![Objective { id: "obj".into(), name: nm(38), description: None, kpi_ids: vec!["k".into()], extensions: Default::default() }],
            personas, stages, channels, touchpoints, observations, pain_points, opportunities, kpis,
            evidence: vec![], teams, review: None, extensions,
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "[a-z_]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("name".to_owned()),
                    Just("stages".to_owned()),
                    Just("touchpoints".to_owned()),
                    Just("stage".to_owned()),
                    Just("severity".to_owned()),
                    Just("schema_version".to_owned()),
                    Just("emotion".to_owned()),
                    Just("scale".to_owned()),
                    "[a-z_]{1,8}"
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Replaces the value at a pseudo-randomly chosen place of `doc` with `replacement`.
fn replace_somewhere(doc: &mut Value, mut choice: usize, replacement: Value) {
    let mut node = doc;
    loop {
        let children = match node {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if children == 0 || choice % 4 == 0 {
            *node = replacement;
            return;
        }
        let k = choice % children;
        choice /= 3;
        node = match node {
            Value::Object(m) => m.values_mut().nth(k).unwrap(),
            Value::Array(a) => &mut a[k],
            _ => unreachable!(),
        };
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, .. ProptestConfig::default() })]

    #[test]
    fn valid_documents_round_trip_exactly(j in journey()) {
        let valid = cjm_core::validate(&j).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(valid.journey(), &j);
        let text = valid.to_json();
        let again = cjm_core::load_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(again.journey(), &j);
        prop_assert_eq!(again.to_json(), text);
    }

    #[test]
    fn valid_documents_satisfy_the_json_schema(j in journey()) {
        prop_assert!(cjm_core::validate(&j).is_ok());
        let schema = cjm_core::schema::journey_schema();
        let validator = jsonschema::draft202012::new(schema).unwrap();
        let instance = serde_json::to_value(&j).unwrap();
        let errors: Vec<String> = validator.iter_errors(&instance).map(|e| e.to_string()).collect();
        prop_assert!(errors.is_empty(), "{:?}", errors);
    }

    #[test]
    fn validation_never_panics_on_arbitrary_json(v in arb_json()) {
        let text = v.to_string();
        let from_text = cjm_core::load_str(&text);
        let from_value = cjm_core::load_from(v);
        // Text and value inputs agree on the verdict and on every problem.
        prop_assert_eq!(from_text.is_ok(), from_value.is_ok());
        if let (Err(a), Err(b)) = (&from_text, &from_value) {
            prop_assert_eq!(a.problems(), b.problems());
            prop_assert!(!a.problems().is_empty());
        }
    }

    #[test]
    fn validation_never_panics_on_arbitrary_text(text in ".{0,200}") {
        let _ = cjm_core::load_str(&text);
    }

    #[test]
    fn mutated_valid_documents_never_panic(j in journey(), choice in any::<usize>(), replacement in arb_json()) {
        let mut doc = serde_json::to_value(&j).unwrap();
        replace_somewhere(&mut doc, choice, replacement);
        match cjm_core::load_from(doc.clone()) {
            // Whatever is accepted satisfies the schema too.
            Ok(valid) => {
                let validator = jsonschema::draft202012::new(cjm_core::schema::journey_schema()).unwrap();
                prop_assert!(validator.is_valid(&serde_json::to_value(valid.journey()).unwrap()));
            }
            Err(err) => {
                prop_assert!(!err.problems().is_empty());
                // When the JSON Schema oracle rejects the document, so do we.
            }
        }
        let validator = jsonschema::draft202012::new(cjm_core::schema::journey_schema()).unwrap();
        if !validator.is_valid(&doc) {
            prop_assert!(cjm_core::load_from(doc).is_err());
        }
    }
}

/// Finite numbers from every magnitude, the extremes included.
fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::MAX),
        Just(-f64::MAX),
        Just(f64::MIN_POSITIVE),
        Just(1e308),
        Just(-1e308),
        Just(0.0),
        any::<f64>().prop_filter("finite", |v| v.is_finite()),
    ]
}

prop_compose! {
    /// A valid journey whose emotion scales, emotions and KPI values are extreme but
    /// finite (scales as wide as `[-f64::MAX, f64::MAX]` or as narrow as two neighbouring
    /// floats).
    fn extreme_journey()(
        j in journey(),
        bounds in proptest::collection::vec((extreme(), extreme(), 0.0f64..=1.0), 1..8),
        kpi in (extreme(), extreme()),
    ) -> Journey {
        let mut j = j;
        for (i, o) in j.observations.iter_mut().enumerate() {
            let (a, b, at) = bounds[i % bounds.len()];
            let (lo, hi) = if a < b { (a, b) } else if b < a { (b, a) } else { (a, libm::nextafter(a, f64::INFINITY)) };
            if !hi.is_finite() {
                continue;
            }
            // A point inside [lo, hi] without computing hi - lo (which may overflow).
            let value = (lo * (1.0 - at) + hi * at).clamp(lo, hi);
            o.emotion = Some(Emotion { value, scale: EmotionScale { min: lo, max: hi } });
        }
        for k in &mut j.kpis {
            k.target = Some(kpi.0);
            k.actual = Some(kpi.1);
        }
        j
    }
}

/// A `NaN` or an infinity printed by `Debug` as a number (names here hold no `:`, `(`, `,`
/// or `[`, so a name cannot look like one).
fn non_finite_in(debug: &str) -> Option<&str> {
    ["NaN", "inf"].into_iter().find(|bad| {
        [": ", "(", ", ", "[", ": -", "(-", ", -", "[-"]
            .iter()
            .any(|before| debug.contains(&format!("{before}{bad}")))
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, .. ProptestConfig::default() })]

    /// No NaN or infinity reaches any output of a valid document, however extreme its
    /// finite numbers: scores, curves, priorities, insights, pictures, the report, Mermaid.
    #[test]
    fn extreme_numbers_never_give_nan_or_infinity(j in extreme_journey()) {
        use cjm_core::render::{
            emotion_curve_svg, health_svg, html_report, journey_map_svg, to_mermaid,
            EmotionCurveOptions, MapOptions, ReportOptions,
        };
        use cjm_core::scoring::{emotion_curves, health, priorities, HealthInputs, ScoringModel};
        let Ok(valid) = cjm_core::validate(&j) else {
            // Refused by validation with a code is an allowed answer to an extreme number.
            return Ok(());
        };
        let report = health(&valid, &ScoringModel::default(), &HealthInputs::default()).unwrap();
        let insights = cjm_core::insights::insights(
            &valid,
            &cjm_core::insights::InsightOptions::default(),
            &cjm_core::insights::InsightInputs::default(),
        )
        .unwrap();
        let results = [
            format!("{report:?}"),
            format!("{:?}", emotion_curves(&valid)),
            format!("{:?}", priorities(&valid, None).unwrap()),
            format!("{insights:?}"),
        ];
        for debug in &results {
            prop_assert!(non_finite_in(debug).is_none(), "{}", debug);
        }
        for text in [
            journey_map_svg(&valid, &MapOptions::default()),
            emotion_curve_svg(&valid, &EmotionCurveOptions::default()),
            health_svg(&report, &valid),
            html_report(&valid, &ReportOptions::default()),
            format!("{:?}", to_mermaid(&valid, None)),
        ] {
            prop_assert!(!text.contains("NaN") && !text.contains("inf\"") && !text.contains("Infinity"), "{}", text);
        }
    }
}
