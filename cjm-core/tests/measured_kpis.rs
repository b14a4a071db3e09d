//! Measured KPIs (issue 18, item 1): each KPI the data can answer gets its measured value
//! and provenance, by the rules of `scoring::measured`, on a log and a survey small enough
//! to count by hand; the rest say why not. Health uses the measured values.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::float_cmp,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::events::{EventLog, Funnel, FunnelOptions, IngestOptions, RawEvent, StepSpec};
use cjm_core::scoring::{
    health, measure_kpis, survey_kpis, HealthInputs, MeasureInputs, MeasureSource, ScoringModel,
    SurveyOptions, SurveyTable,
};

const JOURNEY: &str = r#"{
  "schema_version": 1, "id": "m", "name": "Measured",
  "stages": [{"id": "s1", "name": "Browse"}, {"id": "s2", "name": "Buy"},
             {"id": "s3", "name": "Return"}],
  "channels": [{"id": "web", "name": "Web", "kind": "online"}],
  "touchpoints": [
    {"id": "t1", "name": "Search", "stage": "s1", "channel": "web", "events": ["view"]},
    {"id": "t2", "name": "Checkout", "stage": "s2", "channel": "web", "events": ["buy"]},
    {"id": "t3", "name": "Receipt", "stage": "s2", "channel": "web", "events": ["receipt"]},
    {"id": "t4", "name": "Reorder", "stage": "s3", "channel": "web", "events": ["reorder"]}
  ],
  "kpis": [
    {"id": "conv", "name": "Conversion", "metric": "conversion_rate", "target": 0.5, "actual": 0.9},
    {"id": "s1-conv", "name": "Browse to buy", "metric": "conversion_rate", "stage": "s1"},
    {"id": "s2-drop", "name": "Buy drop-off", "metric": "drop_off", "stage": "s2", "target": 0.5},
    {"id": "s3-drop", "name": "Return drop-off", "metric": "drop_off", "stage": "s3"},
    {"id": "t2-drop", "name": "Checkout abandonment", "metric": "drop_off", "touchpoint": "t2"},
    {"id": "nps", "name": "NPS", "metric": "nps", "target": 40, "actual": 90},
    {"id": "s2-csat", "name": "Buy CSAT", "metric": "csat", "stage": "s2"},
    {"id": "t1-ces", "name": "Search effort", "metric": "ces", "touchpoint": "t1"},
    {"id": "aov", "name": "Order value", "metric": "average_order_value"},
    {"id": "revenue", "name": "Revenue", "metric": "revenue"},
    {"id": "repeat", "name": "Repeat rate", "metric": "retention_rate"},
    {"id": "other", "name": "Reviews", "metric": "custom"}
  ]
}"#;

/// Four customers: a views, buys (40), gets a receipt, reorders (60); b views, buys (20);
/// c views; d views. Days 0..3 of 1970.
fn log() -> EventLog {
    let day = 86_400_000;
    let rows = [
        ("a", 0, "view", None),
        ("a", day, "buy", Some(40.0)),
        ("a", day + 1, "receipt", None),
        ("a", 3 * day, "reorder", Some(60.0)),
        ("b", 0, "view", None),
        ("b", 2 * day, "buy", Some(20.0)),
        ("c", 0, "view", None),
        ("d", day, "view", None),
    ];
    let raw = rows.iter().map(|&(c, t, e, v)| RawEvent {
        value: v,
        ..RawEvent::new(c, t, e)
    });
    EventLog::from_rows(raw, IngestOptions::default())
        .unwrap()
        .0
}

/// NPS 10, 9, 0 about t2 and 6 about t3; CSAT 5, 4 about t2 and 2 about t3; CES 7 and 4
/// about t1.
fn survey() -> cjm_core::scoring::SurveyReport {
    let table = SurveyTable {
        scope: ["t2", "t2", "t2", "t3", "t1", "t1"]
            .iter()
            .map(|s| Some((*s).to_owned()))
            .collect(),
        segment: Vec::new(),
        nps: Some(vec![
            Some(10.0),
            Some(9.0),
            Some(0.0),
            Some(6.0),
            None,
            None,
        ]),
        csat: Some(vec![Some(5.0), Some(4.0), None, Some(2.0), None, None]),
        ces: Some(vec![None, None, None, None, Some(7.0), Some(4.0)]),
    };
    survey_kpis(&table, &SurveyOptions::default()).unwrap()
}

#[test]
fn every_kpi_the_data_can_answer_is_measured_by_hand() {
    let journey = cjm_core::load_str(JOURNEY).unwrap();
    let log = log();
    let stages = Funnel::from_stages(&journey)
        .with_options(FunnelOptions::default())
        .run(&log, Some(&journey))
        .unwrap();
    let conversion = Funnel::events(&["view", "buy"]).run(&log, None).unwrap();
    let survey = survey();
    let m = measure_kpis(
        &journey,
        &MeasureInputs {
            stage_funnel: Some(&stages),
            conversion: Some(&conversion),
            survey: Some(&survey),
            log: Some(&log),
        },
    );
    let v = |id: &str| {
        m.get(id)
            .unwrap_or_else(|| panic!("{id} not measured: {m:?}"))
    };
    // Journey conversion from the view → buy funnel: a and b of a, b, c, d = 2/4.
    assert_eq!((v("conv").value, v("conv").n), (0.5, 4));
    assert_eq!(v("conv").source, MeasureSource::Funnel);
    assert_eq!(v("conv").definition_hash, conversion.definition.hash);
    // Stage funnel Browse → Buy → Return (7-day window): 4 browse, a and b buy, a reorders.
    // Browse converts 2/4; Buy drops 1 of 2.
    assert_eq!((v("s1-conv").value, v("s1-conv").n), (0.5, 4));
    assert_eq!((v("s2-drop").value, v("s2-drop").n), (0.5, 2));
    assert!(v("s1-conv").how.contains("Browse") && v("s1-conv").how.contains("Buy"));
    // NPS overall: promoters 10, 9; detractors 0, 6 → (2 − 2)/4 = 0.
    assert_eq!((v("nps").value, v("nps").n), (0.0, 4));
    assert_eq!(v("nps").source, MeasureSource::Survey);
    // Buy has no survey group: t2 and t3 pooled. CSAT top box (4–5 of 5): 5, 4, 2 → 2/3.
    assert!((v("s2-csat").value - 200.0 / 3.0).abs() < 1e-9);
    assert_eq!(v("s2-csat").n, 3);
    assert!(v("s2-csat").how.contains("pooled"));
    // CES of t1: mean of 7 and 4.
    assert_eq!((v("t1-ces").value, v("t1-ces").n), (5.5, 2));
    // Values 40, 20, 60: mean 40, sum 120, over 3 events.
    assert_eq!((v("aov").value, v("aov").n), (40.0, 3));
    assert_eq!((v("revenue").value, v("revenue").n), (120.0, 3));
    // Not measured, each with its reason.
    let reason = |id: &str| {
        m.not_measured
            .iter()
            .find(|n| n.kpi == id)
            .unwrap_or_else(|| panic!("{id} measured"))
            .reason
            .clone()
    };
    assert!(
        reason("s3-drop").contains("last step"),
        "{}",
        reason("s3-drop")
    );
    assert!(
        reason("t2-drop").contains("no funnel"),
        "{}",
        reason("t2-drop")
    );
    assert!(reason("repeat").contains("retention"));
    assert!(reason("other").contains("custom"));
    assert_eq!(m.kpis.len() + m.not_measured.len(), 12);
    // The data period and customers of the log.
    assert_eq!(m.period_start.as_deref(), Some("1970-01-01T00:00:00Z"));
    assert_eq!(m.period_end.as_deref(), Some("1970-01-04T00:00:00Z"));
    assert_eq!(m.customers, Some(4));

    // A funnel with the checkout touchpoint measures its abandonment: of a and b at t2,
    // a reached the receipt → 1 − 1/2.
    let checkout = Funnel {
        steps: vec![
            StepSpec::Touchpoint("t2".into()),
            StepSpec::Touchpoint("t3".into()),
        ],
        options: FunnelOptions::default(),
    }
    .run(&log, Some(&journey))
    .unwrap();
    let m2 = measure_kpis(
        &journey,
        &MeasureInputs {
            stage_funnel: Some(&stages),
            conversion: Some(&checkout),
            ..MeasureInputs::default()
        },
    );
    assert_eq!(m2.value("t2-drop"), Some(0.5));
    // The journey's conversion is the `conversion` funnel's (Checkout → Receipt: 1 of 2);
    // without one, the stage funnel's: 1 of 4 browsing customers reached Return.
    assert_eq!(m2.value("conv"), Some(0.5));
    let m3 = measure_kpis(
        &journey,
        &MeasureInputs {
            stage_funnel: Some(&stages),
            ..MeasureInputs::default()
        },
    );
    assert_eq!(m3.value("conv"), Some(0.25));
    assert!(m3
        .not_measured
        .iter()
        .any(|n| n.kpi == "nps" && n.reason.contains("survey")));
}

#[test]
fn health_scores_kpis_on_their_measured_values() {
    let journey = cjm_core::load_str(JOURNEY).unwrap();
    let log = log();
    let conversion = Funnel::events(&["view", "buy"]).run(&log, None).unwrap();
    let m = measure_kpis(
        &journey,
        &MeasureInputs {
            conversion: Some(&conversion),
            ..MeasureInputs::default()
        },
    );
    let mut doc: serde_json::Value = serde_json::from_str(JOURNEY).unwrap();
    doc["kpis"][0]["target"] = serde_json::json!(0.8);
    let harder = cjm_core::load_str(&doc.to_string()).unwrap();
    let h = |inputs: &HealthInputs<'_>| {
        health(&harder, &ScoringModel::default(), inputs)
            .unwrap()
            .journey
            .components
            .iter()
            .find(|c| c.name == "conversion")
            .map(|c| c.raw)
    };
    // Designed 0.9 of 0.8 → 100; measured 0.5 of 0.8 → 62.5.
    assert_eq!(h(&HealthInputs::default()), Some(100.0));
    assert_eq!(
        h(&HealthInputs {
            measured: Some(&m),
            ..HealthInputs::default()
        }),
        Some(62.5)
    );
}
