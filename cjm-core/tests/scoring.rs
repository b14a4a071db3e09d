//! Priority and health: the shared golden vectors, and the laws of the scores.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

mod common;

use cjm_core::scoring::{
    health, priorities, survey_kpis, HealthInputs, MeasuredReach, ScoringModel, SurveyOptions,
    SurveyTable,
};
use common::contains;
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

#[test]
fn scoring_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/scoring");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 3);
    let mut failures = Vec::new();
    for file in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let journey = cjm_core::load_from(v["journey"].clone()).unwrap();
        let survey = v.get("survey").map(|t| {
            let table: SurveyTable = serde_json::from_value(t.clone()).unwrap();
            survey_kpis(&table, &SurveyOptions::default()).unwrap()
        });
        let reach: Option<MeasuredReach> = v
            .get("reach")
            .map(|r| serde_json::from_value(r.clone()).unwrap());
        let model: ScoringModel = v.get("model").map_or_else(ScoringModel::default, |m| {
            serde_json::from_value(m.clone()).unwrap()
        });
        let inputs = HealthInputs {
            survey: survey.as_ref(),
            reach: reach.as_ref(),
            ..HealthInputs::default()
        };
        let found = serde_json::json!({
            "priorities": priorities(&journey, reach.as_ref()).unwrap(),
            "health": health(&journey, &model, &inputs).unwrap(),
        });
        contains(&found, &v["expect"], &name, &mut failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn invalid_models_are_refused() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let mut model = ScoringModel::default();
    model.weights.nps = -1.0;
    let err = health(&journey, &model, &HealthInputs::default()).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    let mut model = ScoringModel::default();
    model.thresholds.poor = 90.0;
    assert_eq!(
        health(&journey, &model, &HealthInputs::default())
            .unwrap_err()
            .code(),
        "invalid_option"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// Health stays within 0–100 whatever the weights, answers and reach, and every
    /// explanation adds up to its score.
    #[test]
    fn health_is_bounded_and_explained(
        weights in proptest::collection::vec(0.0f64..5.0, 9),
        answers in proptest::collection::vec(proptest::option::of(0u8..=10), 0..40),
        reach in 0.0f64..=1.0,
        template in 0usize..3,
    ) {
        let name = ["b2c-ecommerce", "b2b-saas", "subscription-retention"][template];
        let journey = cjm_core::templates::load(name).unwrap();
        let tps: Vec<String> = journey.journey().touchpoints.iter().map(|t| t.id.clone()).collect();
        let table = SurveyTable {
            scope: (0..answers.len()).map(|i| Some(tps[i % tps.len()].clone())).collect(),
            nps: Some(answers.iter().map(|a| a.map(f64::from)).collect()),
            csat: Some(answers.iter().map(|a| a.map(|v| f64::from(v / 2).max(1.0))).collect()),
            ..SurveyTable::default()
        };
        let survey = survey_kpis(&table, &SurveyOptions::default()).unwrap();
        let measured = MeasuredReach {
            stages: journey.journey().stages.iter().map(|s| (s.id.clone(), reach)).collect(),
            touchpoints: Default::default(),
        };
        let mut model = ScoringModel::default();
        let w = &mut model.weights;
        [w.nps, w.csat, w.ces, w.kpi, w.conversion, w.emotion, w.pain, w.touchpoints, w.stages] =
            [weights[0], weights[1], weights[2], weights[3], weights[4], weights[5], weights[6], weights[7], weights[8]];
        let inputs = HealthInputs { survey: Some(&survey), reach: Some(&measured), ..HealthInputs::default() };
        let report = health(&journey, &model, &inputs).unwrap();
        for score in report.touchpoints.iter().chain(&report.stages).chain(std::iter::once(&report.journey)) {
            if let Some(s) = score.score {
                prop_assert!((0.0..=100.0 + 1e-9).contains(&s), "{} = {}", score.id, s);
                let sum: f64 = score.components.iter().map(|c| c.contribution).sum();
                prop_assert!((sum - s).abs() < 1e-9);
                for c in &score.components {
                    prop_assert!((0.0..=100.0 + 1e-9).contains(&c.normalised), "{}: {}", c.name, c.normalised);
                }
            }
        }
    }
}

#[test]
fn nan_measured_inputs_are_refused_with_their_key() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let model = ScoringModel::default();
    for bad in [f64::NAN, f64::INFINITY] {
        let values: std::collections::BTreeMap<String, f64> =
            [("tp-paid-ads".to_owned(), bad)].into();
        let reach = MeasuredReach {
            stages: [("awareness".to_owned(), bad)].into(),
            ..MeasuredReach::default()
        };
        let cases = [
            (
                HealthInputs {
                    traffic: Some(&values),
                    ..HealthInputs::default()
                },
                "`traffic.tp-paid-ads`",
            ),
            (
                HealthInputs {
                    kpi_actuals: Some(&values),
                    ..HealthInputs::default()
                },
                "`kpi_actuals.tp-paid-ads`",
            ),
            (
                HealthInputs {
                    reach: Some(&reach),
                    ..HealthInputs::default()
                },
                "`reach.stages.awareness`",
            ),
        ];
        for (inputs, named) in cases {
            let err = health(&journey, &model, &inputs).unwrap_err();
            assert_eq!(err.code(), "invalid_option");
            assert!(err.to_string().contains(named), "{err}");
        }
        let inputs = cjm_core::insights::InsightInputs {
            stage_drop_off: Some([("awareness".to_owned(), bad)].into()),
            ..Default::default()
        };
        let err = cjm_core::insights::insights(&journey, &Default::default(), &inputs);
        assert_eq!(err.unwrap_err().code(), "invalid_option");
        assert_eq!(reach.check().unwrap_err().code(), "invalid_option");
    }
}

/// `HealthData` (JavaScript's one `inputs` object) scores the survey table with its
/// options and then equals `health` given the report; options without answers are
/// refused unless they are the defaults; its keys are JavaScript's.
#[test]
fn health_data_scores_the_survey_table_it_is_given() {
    use cjm_core::scoring::HealthData;
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let model = ScoringModel::default();
    let table: SurveyTable = serde_json::from_value(serde_json::json!({
        "scope": ["tp-paid-ads", "tp-paid-ads", "tp-paid-ads", "tp-product-page"],
        "csat": [7.0, 6.0, 2.0, 5.0],
    }))
    .unwrap();
    let data: HealthData = cjm_core::options_from(
        serde_json::json!({"surveyOptions": {"csat_scale": 7}, "kpiActuals": {}}),
        "inputs",
    )
    .unwrap();
    let options = SurveyOptions {
        csat_scale: 7,
        ..SurveyOptions::default()
    };
    let report = survey_kpis(&table, &options).unwrap();
    let by_hand = health(
        &journey,
        &model,
        &HealthInputs {
            survey: Some(&report),
            kpi_actuals: Some(&Default::default()),
            ..HealthInputs::default()
        },
    )
    .unwrap();
    assert_eq!(
        data.health(&journey, &model, Some(&table)).unwrap(),
        by_hand
    );
    // The answers count: without them the scores differ.
    let unscored = HealthData::default()
        .health(&journey, &model, None)
        .unwrap();
    assert_ne!(unscored, by_hand);
    // With the default 5-point scale the 7s and 6s are off the scale.
    let plain = HealthData::default();
    let err = plain.health(&journey, &model, Some(&table)).unwrap_err();
    assert_eq!((err.code(), err.row()), ("out_of_scale", Some(0)));
    let err = data.health(&journey, &model, None).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(err
        .to_string()
        .starts_with("`inputs.surveyOptions` is given without `inputs.survey`"));
    assert!(plain.health(&journey, &model, None).is_ok());
    let err =
        cjm_core::options_from::<HealthData, _>(serde_json::json!({"kpi_actuals": {}}), "inputs")
            .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    // `survey` (read apart) is listed among the keys an unknown one could have meant.
    assert!(err.to_string().contains("`survey`"), "{err}");
}
