//! The built-in templates are valid, realistic and loadable by name.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::model::ChannelKind;
use std::collections::HashSet;

#[test]
fn every_template_is_valid_and_complete() {
    let infos = cjm_core::templates::list();
    let names: Vec<&str> = infos.iter().map(|t| t.name).collect();
    assert_eq!(
        names,
        ["b2c-ecommerce", "b2b-saas", "subscription-retention"]
    );
    for info in infos {
        let journey = cjm_core::templates::load(info.name)
            .unwrap_or_else(|e| panic!("template {} is invalid: {e}", info.name));
        let j = journey.journey();
        assert_eq!(j.id, info.name);
        assert!(j.stages.len() >= 5, "{}: stages", info.name);
        assert!(j.personas.len() >= 2, "{}: personas", info.name);
        assert!(j.kpis.len() >= 6, "{}: kpis", info.name);
        assert!(j.touchpoints.len() >= 15, "{}: touchpoints", info.name);
        let kinds: HashSet<ChannelKind> = j.channels.iter().map(|c| c.kind).collect();
        assert_eq!(kinds.len(), 3, "{}: all channel kinds", info.name);
        for stage in &j.stages {
            assert!(
                j.touchpoints.iter().filter(|t| t.stage == stage.id).count() >= 2,
                "{}: stage {} has fewer than 2 touchpoints",
                info.name,
                stage.id
            );
        }
        // Each event name means one touchpoint.
        let mut seen = HashSet::new();
        for event in j.touchpoints.iter().flat_map(|t| &t.events) {
            assert!(
                seen.insert(event),
                "{}: event {event} bound twice",
                info.name
            );
        }
        // The shipped text is what loads.
        let source = cjm_core::templates::source(info.name).unwrap();
        assert_eq!(&cjm_core::load_str(source).unwrap(), &journey);
    }
}

#[test]
fn b2c_stages_are_the_classic_five() {
    let j = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let ids: Vec<&str> = j.journey().stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "awareness",
            "consideration",
            "purchase",
            "retention",
            "advocacy"
        ]
    );
}

#[test]
fn unknown_template() {
    let err = cjm_core::templates::load("nope").unwrap_err();
    assert_eq!(err.code(), "unknown_template");
    assert_eq!(err.family(), "template");
}

#[test]
fn shipped_text_is_the_indented_file_without_whitespace() {
    for info in cjm_core::templates::list() {
        let path = format!(
            "{}/src/templates/{}.json",
            env!("CARGO_MANIFEST_DIR"),
            info.name
        );
        let indented: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let source = cjm_core::templates::source(info.name).unwrap();
        assert!(!source.contains('\n'), "{}: not compact", info.name);
        let shipped: serde_json::Value = serde_json::from_str(source).unwrap();
        assert_eq!(shipped, indented, "{}", info.name);
    }
}
