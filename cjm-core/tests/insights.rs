//! Insights: the shared golden vectors and properties of the lint.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::insights::{insights, InsightInputs, InsightOptions};
use serde_json::{json, Value};
use std::path::PathBuf;

#[test]
fn insight_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/insights");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 4);
    for file in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let journey = cjm_core::load_from(v["journey"].clone()).unwrap();
        let options: InsightOptions = serde_json::from_value(v["options"].clone()).unwrap();
        let inputs: InsightInputs = serde_json::from_value(v["inputs"].clone()).unwrap();
        match (
            insights(&journey, &options, &inputs),
            v["expect"].get("error"),
        ) {
            (Ok(report), None) => {
                let found: Vec<Value> = report
                    .insights
                    .iter()
                    .map(|i| json!([i.code, i.path, i.severity]))
                    .collect();
                assert_eq!(Value::Array(found), v["expect"]["insights"], "{name}");
                assert_eq!(
                    json!(report.not_checked),
                    v["expect"]["not_checked"],
                    "{name}"
                );
                assert!(report.insights.iter().all(|i| !i.message.is_empty()));
            }
            (Err(err), Some(code)) => assert_eq!(err.code(), code, "{name}"),
            (result, _) => panic!("{name}: unexpected {result:?}"),
        }
    }
}

#[test]
fn templates_lint_without_critical_surprises() {
    // The templates leave pain points unaddressed on purpose; the lint must find them.
    let options = InsightOptions {
        as_of: Some("2026-11-22".into()),
        ..InsightOptions::default()
    };
    for name in ["b2c-ecommerce", "b2b-saas", "subscription-retention"] {
        let journey = cjm_core::templates::load(name).unwrap();
        let report = insights(&journey, &options, &InsightInputs::default()).unwrap();
        assert!(
            report.insights.iter().any(|i| i.code.ends_with("pain_unaddressed") || i.code == "pain_point_unaddressed"),
            "{name}: {:#?}",
            report.insights
        );
        // Every path points into the document.
        let doc = serde_json::to_value(journey.journey()).unwrap();
        for insight in &report.insights {
            if let Some(index) = insight.path.split('[').nth(1) {
                let collection = insight.path.split('[').next().unwrap();
                let i: usize = index.split(']').next().unwrap().parse().unwrap();
                assert!(doc[collection].get(i).is_some(), "{name}: {}", insight.path);
            }
        }
    }
}

#[test]
fn catalogue_matches_the_vectors() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/insights.md")).unwrap();
    let documented: std::collections::BTreeSet<String> = catalogue
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| l.split('`').nth(1).unwrap().to_owned())
        .collect();
    let mut exercised = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(root.join("tests/vectors/insights")).unwrap() {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        for finding in v["expect"]["insights"].as_array().into_iter().flatten() {
            exercised.insert(finding[0].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(
        documented, exercised,
        "docs/insights.md and the vectors disagree"
    );
}

#[test]
fn as_of_keeps_the_date_of_a_valid_date_time_only() {
    let read = |v: serde_json::Value| serde_json::from_value::<InsightOptions>(v).unwrap().as_of;
    assert_eq!(
        read(json!({"as_of": "2026-01-01T10:00:00+02:00"})).as_deref(),
        Some("2026-01-01")
    );
    assert_eq!(
        read(json!({"as_of": "2026-01-01 23:59:59"})).as_deref(),
        Some("2026-01-01")
    );
    // Anything after the date that is not a time stays, and the date check refuses it.
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    for bad in ["2026-01-01T99:99", "2026-01-01 nonsense"] {
        let options = InsightOptions {
            as_of: read(json!({ "as_of": bad })),
            ..InsightOptions::default()
        };
        assert_eq!(options.as_of.as_deref(), Some(bad));
        let err = insights(&journey, &options, &InsightInputs::default()).unwrap_err();
        assert_eq!(err.code(), "invalid_option", "{bad}");
        assert!(err.to_string().contains(bad), "{err}");
    }
}
