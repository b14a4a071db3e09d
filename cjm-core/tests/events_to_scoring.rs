//! A bound event log feeds the scoring rules: measured reach into pain-point priorities,
//! customers per touchpoint into stage health, unmapped events into the insights.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::insights::{insights, InsightInputs, InsightOptions};
use cjm_core::scoring::{health, priorities, HealthInputs, ReachSource, ScoringModel};

#[test]
fn measured_reach_changes_priorities_and_weights_health() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let (log, _) = generate_log(&SynthOptions {
        customers: 2_000,
        ..SynthOptions::default()
    });
    let traffic = log.traffic(&journey);
    let reach = cjm_core::scoring::MeasuredReach::from_traffic(&traffic);
    assert!(!reach.stages.is_empty());

    let report = priorities(&journey, Some(&reach)).unwrap();
    for p in &report.pain_points {
        let pain = journey
            .journey()
            .pain_points
            .iter()
            .find(|x| x.id == p.pain_point)
            .unwrap();
        // Each priority uses the reach measured where the pain point is.
        let expected = match (
            pain.touchpoint
                .as_ref()
                .and_then(|t| reach.touchpoints.get(t)),
            p.reach_source,
        ) {
            (Some(r), ReachSource::Touchpoint) => *r,
            (None, ReachSource::Stage) => {
                let stage = pain.stage.clone().unwrap_or_else(|| {
                    let tp = pain.touchpoint.as_ref().unwrap();
                    journey
                        .journey()
                        .touchpoints
                        .iter()
                        .find(|t| &t.id == tp)
                        .unwrap()
                        .stage
                        .clone()
                });
                reach.stages[&stage]
            }
            other => panic!("unexpected reach for {}: {other:?}", p.pain_point),
        };
        assert!((p.reach - expected).abs() < 1e-12);
        if let (Some(f), Some(priority)) = (pain.frequency, p.priority) {
            assert!((priority - f64::from(pain.severity) / 5.0 * f * expected).abs() < 1e-12);
        }
    }

    // Stage health weights its touchpoints by customers.
    let customers = traffic.touchpoint_customers();
    let inputs = HealthInputs {
        reach: Some(&reach),
        traffic: Some(&customers),
        ..HealthInputs::default()
    };
    let scored = health(&journey, &ScoringModel::default(), &inputs).unwrap();
    for (stage, stage_score) in journey.journey().stages.iter().zip(&scored.stages) {
        let Some(component) = stage_score
            .components
            .iter()
            .find(|c| c.name == "touchpoints")
        else {
            continue;
        };
        let (mut sum, mut total) = (0.0, 0.0);
        for (tp, tp_score) in journey
            .journey()
            .touchpoints
            .iter()
            .zip(&scored.touchpoints)
        {
            if tp.stage == stage.id {
                if let Some(s) = tp_score.score {
                    sum += customers[&tp.id] * s;
                    total += customers[&tp.id];
                }
            }
        }
        assert!((component.raw - sum / total).abs() < 1e-9, "{}", stage.id);
    }

    // Unmapped events reach the insights (the synthetic log mixes in housekeeping events
    // such as `session_start` and `scroll`, which no touchpoint binds).
    assert!(traffic.unmapped_events.len() >= 2);
    let found = insights(
        &journey,
        &InsightOptions {
            unmapped_share: 0.0,
            ..InsightOptions::default()
        },
        &InsightInputs {
            unmapped_events: Some(traffic.unmapped_counts()),
            total_events: Some(traffic.events),
            ..InsightInputs::default()
        },
    )
    .unwrap();
    let flagged = found
        .insights
        .iter()
        .filter(|i| i.code == "unmapped_events")
        .count();
    assert_eq!(flagged, traffic.unmapped_events.len());
}

#[test]
fn analysis_results_become_insight_inputs_and_charts() {
    use cjm_core::events::{FlowOptions, Funnel};
    use cjm_core::render::{flow_chart, flow_svg, funnel_chart, funnel_svg};

    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let (log, _) = generate_log(&SynthOptions {
        customers: 3_000,
        ..SynthOptions::default()
    });
    let traffic = log.traffic(&journey);
    let funnel = Funnel::from_stages(&journey)
        .run(&log, Some(&journey))
        .unwrap();

    // Drop-off at a stage: of those who reached it, the share who did not reach the next.
    let inputs = InsightInputs::from_measures(&traffic, Some(&funnel));
    let drop_off = inputs.stage_drop_off.as_ref().unwrap();
    let stages = &journey.journey().stages;
    assert_eq!(drop_off.len(), stages.len() - 1);
    for (k, stage) in stages.iter().enumerate().take(stages.len() - 1) {
        let (here, next) = (funnel.steps[k].customers, funnel.steps[k + 1].customers);
        #[allow(clippy::cast_precision_loss, reason = "small counts")]
        let expected = (here - next) as f64 / here as f64;
        assert!(
            (drop_off[&stage.id] - expected).abs() < 1e-12,
            "{}",
            stage.id
        );
    }
    assert_eq!(inputs.total_events, Some(traffic.events));

    // The funnel chart shows the stage names and the measured customers.
    let chart = funnel_chart(&funnel, Some(&journey), None);
    let labels: Vec<&str> = chart.steps.iter().map(|s| s.label.as_str()).collect();
    let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(labels, names);
    assert!(chart
        .steps
        .iter()
        .zip(&funnel.steps)
        .all(|(c, s)| c.customers == s.customers));
    roxmltree::Document::parse(&funnel_svg(&chart)).unwrap();

    // The flow chart keeps every node and link, adds one `(exit)` node per column after
    // the first with a link from each node whose customers do not all go on, and every
    // link joins two of its nodes.
    let flows = log.flows(&FlowOptions::default()).unwrap();
    let chart = flow_chart(&flows, Some("Flows".into()));
    let exits = chart.nodes.iter().filter(|n| n.label == "(exit)").count();
    let leaving = flows
        .nodes
        .iter()
        .filter(|n| {
            let onward: u64 = flows
                .links
                .iter()
                .filter(|l| l.depth == n.depth && l.from == n.name)
                .map(|l| l.customers)
                .sum();
            n.depth + 1 < 5 && onward < n.customers
        })
        .count();
    assert!(exits > 0 && leaving > 0);
    assert_eq!(
        (chart.nodes.len(), chart.links.len()),
        (flows.nodes.len() + exits, flows.links.len() + leaving)
    );
    let ids: std::collections::HashSet<&str> = chart.nodes.iter().map(|n| n.id.as_str()).collect();
    assert!(chart
        .links
        .iter()
        .all(|l| ids.contains(l.source.as_str()) && ids.contains(l.target.as_str())));
    roxmltree::Document::parse(&flow_svg(&chart)).unwrap();

    // `flows_svg` is that chart with the options' title and width.
    let options = cjm_core::render::ChartOptions {
        title: Some("Flows".into()),
        width: Some(700),
    };
    let mut sized = chart.clone();
    sized.width = Some(700);
    let svg = cjm_core::render::flows_svg(&flows, &options);
    assert_eq!(svg, flow_svg(&sized));
    // Independently of the chart code: the width asked for is the least width (the
    // picture widens to fit its labels), so 700 gives a narrower picture than the
    // default 960; and the title is in it.
    let width_of = |svg: &str| -> f64 {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.root_element()
            .attribute("width")
            .unwrap()
            .parse()
            .unwrap()
    };
    let default = cjm_core::render::flows_svg(&flows, &cjm_core::render::ChartOptions::default());
    assert!(width_of(&svg) >= 700.0 && width_of(&svg) < width_of(&default));
    assert!(width_of(&default) >= 960.0);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(doc.descendants().any(|n| n.text() == Some("Flows")));
    let read: cjm_core::render::ChartOptions = serde_json::from_str(r#"{"width": 700}"#).unwrap();
    assert_eq!(read.title, None);
    assert!(serde_json::from_str::<cjm_core::render::ChartOptions>(r#"{"height": 1}"#).is_err());

    // The measured inputs of health: reach and customers per touchpoint, nothing else.
    let traffic = log.traffic(&journey);
    let inputs = cjm_core::maps::MapInputs::from_traffic(&traffic);
    assert_eq!(
        inputs.reach,
        Some(cjm_core::scoring::MeasuredReach::from_traffic(&traffic))
    );
    assert_eq!(inputs.traffic, Some(traffic.touchpoint_customers()));
    let written = serde_json::to_value(&inputs).unwrap();
    let keys: Vec<&String> = written.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["reach", "traffic"]);
}

#[test]
fn priorities_refuse_a_reach_that_is_not_a_number() {
    // The check is the core's: a binding passes the reach on as it read it.
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let mut reach = cjm_core::scoring::MeasuredReach::default();
    reach.stages.insert("awareness".into(), f64::NAN);
    let err = priorities(&journey, Some(&reach)).unwrap_err();
    assert_eq!(err.code(), "invalid_option");
    assert!(
        err.to_string().contains("`reach.stages.awareness`"),
        "{err}"
    );
}
