//! Fixed inputs shared by the render tests.

#![allow(dead_code, reason = "each test file uses part of the fixtures")]

use cjm_core::render::{
    BarChart, BarSeries, FlowChart, FlowChartLink, FlowChartNode, FunnelChart, FunnelStep,
};
use cjm_core::ValidJourney;

/// A small hand-made map: three stages (the last without emotion data), all channel
/// kinds, a backstage touchpoint, long text, a journey-wide KPI and opportunity.
pub fn small_map() -> ValidJourney {
    cjm_core::load_str(SMALL_MAP).unwrap()
}

pub const SMALL_MAP: &str = r#"{
  "schema_version": 1,
  "id": "coffee",
  "name": "Coffee subscription",
  "description": "A hand-made map for picture tests.",
  "personas": [
    {"id": "ana", "name": "Ana"},
    {"id": "ben", "name": "Ben the very particular coffee connoisseur"}
  ],
  "stages": [
    {"id": "discover", "name": "Discover", "expected_duration": "7d"},
    {"id": "subscribe", "name": "Subscribe"},
    {"id": "enjoy", "name": "Enjoy every morning"}
  ],
  "channels": [
    {"id": "web", "name": "Website", "kind": "online"},
    {"id": "box", "name": "Coffee box", "kind": "offline"},
    {"id": "phone", "name": "Phone line", "kind": "assisted"}
  ],
  "teams": [{"id": "ops", "name": "Operations"}],
  "touchpoints": [
    {"id": "landing", "name": "Landing page", "stage": "discover", "channel": "web"},
    {"id": "signup", "name": "Sign-up form with far too many questions about taste, grind, roast level and delivery day", "stage": "subscribe", "channel": "web"},
    {"id": "roast", "name": "Roasting and packing", "stage": "subscribe", "channel": "box", "side": "backstage", "owner": "ops"},
    {"id": "delivery", "name": "Box arrives", "stage": "enjoy", "channel": "box"},
    {"id": "hotline", "name": "Hotline", "stage": "enjoy", "channel": "phone"}
  ],
  "observations": [
    {"id": "o1", "persona": "ana", "stage": "discover", "actions": ["Reads the landing page"], "thoughts": ["Looks nice"], "emotion": {"value": 1}},
    {"id": "o2", "persona": "ana", "stage": "subscribe", "touchpoint": "signup", "actions": ["Fills in the long form"], "emotion": {"value": -2}},
    {"id": "o3", "persona": "ben", "stage": "discover", "emotion": {"value": 4, "scale": {"min": 1, "max": 5}}},
    {"id": "o4", "persona": "ben", "stage": "subscribe", "thoughts": ["Why do you need to know my roast level before I have tasted anything at all? This is a very long thought that must be cut."], "emotion": {"value": 0}}
  ],
  "pain_points": [
    {"id": "p1", "name": "Long form", "touchpoint": "signup", "severity": 5, "frequency": 0.4},
    {"id": "p2", "name": "Late box", "stage": "enjoy", "severity": 1, "persona": "ben"}
  ],
  "opportunities": [
    {"id": "x1", "name": "Three-question sign-up", "addresses": ["p1"], "impact": 4, "effort": 2, "confidence": 0.6, "owner": "ops"},
    {"id": "x2", "name": "Brand refresh", "impact": 2, "effort": 3, "confidence": 0.3}
  ],
  "kpis": [
    {"id": "k1", "name": "Sign-up conversion", "metric": "conversion_rate", "stage": "subscribe", "target": 0.1, "actual": 0.12},
    {"id": "k2", "name": "NPS", "metric": "nps", "target": 30},
    {"id": "k3", "name": "Delivery cost", "metric": "custom", "touchpoint": "delivery", "target": 4, "actual": 4.5, "unit": "EUR", "direction": "lower"}
  ]
}"#;

pub fn funnel() -> FunnelChart {
    FunnelChart {
        title: Some("Sign-up funnel".to_owned()),
        steps: vec![
            FunnelStep {
                label: "Landing".to_owned(),
                customers: 1000,
            },
            FunnelStep {
                label: "Form started".to_owned(),
                customers: 420,
            },
            FunnelStep {
                label: "Form sent".to_owned(),
                customers: 150,
            },
            FunnelStep {
                label: "Paid".to_owned(),
                customers: 0,
            },
        ],
        width: None,
    }
}

pub fn flow() -> FlowChart {
    let node = |id: &str, column| FlowChartNode {
        id: id.to_owned(),
        label: id.to_uppercase(),
        column,
    };
    let link = |s: &str, t: &str, value| FlowChartLink {
        source: s.to_owned(),
        target: t.to_owned(),
        value,
    };
    FlowChart {
        title: Some("Paths".to_owned()),
        columns: vec!["Step 1".to_owned(), "Step 2".to_owned()],
        nodes: vec![node("a", 0), node("b", 0), node("c", 1), node("d", 1)],
        links: vec![
            link("a", "c", 30.0),
            link("a", "d", 10.0),
            link("b", "c", 5.0),
            link("b", "zzz", 5.0),
            link("b", "d", f64::NAN),
        ],
        width: Some(600),
        height: Some(200),
    }
}

pub fn bars() -> BarChart {
    BarChart {
        title: Some("Credit per channel".to_owned()),
        groups: vec![
            "Search".to_owned(),
            "Email".to_owned(),
            "Display".to_owned(),
        ],
        series: vec![
            BarSeries {
                name: "Last touch".to_owned(),
                values: vec![Some(12.0), Some(3.5), None],
            },
            BarSeries {
                name: "Markov".to_owned(),
                values: vec![Some(9.25), Some(6.0), Some(-1.0)],
            },
        ],
        unit: Some("%".to_owned()),
        width: Some(700),
        layout: cjm_core::render::BarLayout::Grouped,
    }
}

/// A generated map with `stages` stages and `touchpoints` touchpoints spread over them
/// and over six channels, with observations, pain points and KPIs in every stage.
pub fn generated(stages: usize, touchpoints: usize) -> ValidJourney {
    use serde_json::json;
    let kinds = ["online", "offline", "assisted"];
    let channels: Vec<_> = (0..6)
        .map(|c| json!({"id": format!("ch{c}"), "name": format!("Channel number {c}"), "kind": kinds[c % 3]}))
        .collect();
    let stage_list: Vec<_> = (0..stages)
        .map(|s| json!({"id": format!("s{s}"), "name": format!("Stage {s} with a fairly long name")}))
        .collect();
    let tps: Vec<_> = (0..touchpoints)
        .map(|t| {
            json!({
                "id": format!("t{t}"),
                "name": format!("Touchpoint {t} where something rather specific happens"),
                "stage": format!("s{}", t % stages),
                "channel": format!("ch{}", t % 6),
                "side": if t % 5 == 0 { "backstage" } else { "frontstage" }
            })
        })
        .collect();
    let personas = vec![
        json!({"id": "p0", "name": "First persona"}),
        json!({"id": "p1", "name": "Second persona"}),
    ];
    let mut observations = Vec::new();
    for s in 0..stages {
        for p in 0..2 {
            let v = ((s * 7 + p * 3) % 5) as f64 - 2.0;
            observations.push(json!({
                "id": format!("o{s}-{p}"), "persona": format!("p{p}"), "stage": format!("s{s}"),
                "actions": [format!("Does thing {s} number {p} with several words")],
                "thoughts": [format!("Thinks about stage {s}")],
                "emotion": {"value": v}
            }));
        }
    }
    let pains: Vec<_> = (0..stages)
        .map(|s| json!({"id": format!("pp{s}"), "name": format!("Pain {s}"), "stage": format!("s{s}"), "severity": s % 5 + 1}))
        .collect();
    let kpis: Vec<_> = (0..stages)
        .map(|s| json!({"id": format!("k{s}"), "name": format!("KPI {s}"), "metric": "conversion_rate", "stage": format!("s{s}"), "target": 0.5, "actual": 0.4}))
        .collect();
    let doc = json!({
        "schema_version": 1, "id": "big", "name": "Generated map",
        "personas": personas, "stages": stage_list, "channels": channels, "touchpoints": tps,
        "observations": observations, "pain_points": pains, "kpis": kpis
    });
    cjm_core::load_str(&doc.to_string()).unwrap()
}

/// Every bundled template by name, and the small map, for the checks that run on each.
pub fn journeys() -> Vec<(String, ValidJourney)> {
    let mut all: Vec<(String, ValidJourney)> = cjm_core::templates::list()
        .iter()
        .map(|t| {
            (
                t.name.to_owned(),
                cjm_core::templates::load(t.name).unwrap(),
            )
        })
        .collect();
    all.push(("small".to_owned(), small_map()));
    all
}
