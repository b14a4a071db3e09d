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

/// The shared vector (also run by the Python and JavaScript tests).
fn vector() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/vectors/measured/measured-kpis.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn journey() -> cjm_core::ValidJourney {
    cjm_core::load_from(vector()["journey"].clone()).unwrap()
}

/// The vector's events: customer, milliseconds, event, value.
fn log() -> EventLog {
    let v = vector();
    let rows: Vec<(String, i64, String, Option<f64>)> =
        serde_json::from_value(v["events"]["rows"].clone()).unwrap();
    let raw = rows.iter().map(|(c, t, e, value)| RawEvent {
        value: *value,
        ..RawEvent::new(c, *t, e)
    });
    EventLog::from_rows(raw, IngestOptions::default())
        .unwrap()
        .0
}

fn survey() -> cjm_core::scoring::SurveyReport {
    let table: SurveyTable = serde_json::from_value(vector()["survey"].clone()).unwrap();
    survey_kpis(&table, &SurveyOptions::default()).unwrap()
}

#[test]
fn the_shared_vector() {
    let v = vector();
    let journey = journey();
    let log = log();
    let stages = Funnel::from_stages(&journey)
        .run(&log, Some(&journey))
        .unwrap();
    let steps: Vec<String> = serde_json::from_value(v["conversion_steps"].clone()).unwrap();
    let steps: Vec<&str> = steps.iter().map(String::as_str).collect();
    let conversion = Funnel::events(&steps).run(&log, None).unwrap();
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
    let e = &v["expect"];
    let want: std::collections::BTreeMap<String, (f64, u64, String)> =
        serde_json::from_value(e["kpis"].clone()).unwrap();
    assert_eq!(m.kpis.len(), want.len(), "{m:?}");
    for (id, (value, n, source)) in &want {
        let got = m.get(id).unwrap_or_else(|| panic!("{id} not measured"));
        assert!(
            (got.value - value).abs() < 1e-9,
            "{id}: {} != {value}",
            got.value
        );
        assert_eq!(got.n, *n, "{id}");
        assert_eq!(
            serde_json::to_value(got.source).unwrap(),
            source.as_str(),
            "{id}"
        );
    }
    let not: Vec<&str> = m.not_measured.iter().map(|n| n.kpi.as_str()).collect();
    assert_eq!(serde_json::to_value(&not).unwrap(), e["not_measured"]);
    let loss = serde_json::to_value(m.largest_loss().unwrap()).unwrap();
    assert_eq!(loss, e["largest_loss"]);
    assert_eq!(serde_json::json!(m.events), e["events"]);
    assert_eq!(serde_json::json!(m.customers), e["customers"]);
    assert_eq!(serde_json::json!(m.period_start), e["period_start"]);
    assert_eq!(serde_json::json!(m.period_end), e["period_end"]);
}

#[test]
fn every_kpi_the_data_can_answer_is_measured_by_hand() {
    let journey = journey();
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
    assert_eq!(
        v("conv").definition_hash.as_deref(),
        Some(conversion.definition.hash.as_str())
    );
    assert_eq!(v("aov").definition_hash, None);
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
    let journey = journey();
    let log = log();
    let conversion = Funnel::events(&["view", "buy"]).run(&log, None).unwrap();
    let m = measure_kpis(
        &journey,
        &MeasureInputs {
            conversion: Some(&conversion),
            ..MeasureInputs::default()
        },
    );
    let mut doc = vector()["journey"].clone();
    doc["kpis"][0]["target"] = serde_json::json!(0.8);
    let harder = cjm_core::load_from(doc).unwrap();
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

#[test]
fn a_stage_without_rate_kpis_is_scored_on_its_measured_onward_conversion() {
    let journey = journey();
    let log = log();
    let stages = Funnel::from_stages(&journey)
        .run(&log, Some(&journey))
        .unwrap();
    let m = measure_kpis(
        &journey,
        &MeasureInputs {
            stage_funnel: Some(&stages),
            ..MeasureInputs::default()
        },
    );
    let conversion = |inputs: &HealthInputs<'_>, stage: usize| {
        let h = health(&journey, &ScoringModel::default(), inputs).unwrap();
        h.stages[stage]
            .components
            .iter()
            .find(|c| c.name == "conversion")
            .map(|c| (c.raw, c.normalised))
    };
    let with = HealthInputs {
        measured: Some(&m),
        ..HealthInputs::default()
    };
    // Browse: its KPI s1-conv has no target, so no attainment; 2 of its 4 customers reach
    // Buy → 50. Without the funnel there is no conversion component.
    assert_eq!(conversion(&with, 0), Some((50.0, 50.0)));
    assert_eq!(conversion(&HealthInputs::default(), 0), None);
    // Buy: its drop-off KPI (target 0.5, measured 1 − 1/2 = 0.5) is attained: 100, the KPI
    // and not the onward conversion.
    assert_eq!(conversion(&with, 1), Some((100.0, 100.0)));
    // Return: the last stage has no onward step and no KPI with a target.
    assert_eq!(conversion(&with, 2), None);
}

/// `MeasureData` (JavaScript's `inputs` of `log.measureKpis`): the results read back
/// from their JSON measure what they measured given directly; an unknown key is refused.
#[test]
fn measure_data_reads_the_results_back() {
    let (journey, log, survey) = (journey(), log(), survey());
    let stages = Funnel::from_stages(&journey)
        .run(&log, Some(&journey))
        .unwrap();
    let direct = measure_kpis(
        &journey,
        &MeasureInputs {
            stage_funnel: Some(&stages),
            survey: Some(&survey),
            log: Some(&log),
            ..MeasureInputs::default()
        },
    );
    let json = serde_json::json!({"stage_funnel": stages, "survey": survey});
    let data: cjm_core::scoring::MeasureData = cjm_core::options_from(json, "inputs").unwrap();
    assert_eq!(measure_kpis(&journey, &data.inputs(Some(&log))), direct);
    let err = cjm_core::options_from::<cjm_core::scoring::MeasureData, _>(
        serde_json::json!({"stage": 1}),
        "inputs",
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
}
