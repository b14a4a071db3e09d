//! The tables of `cjm_core::tables` on real results: every declared table exists, its
//! columns have unique names and equal lengths, one row per item of what it flattens, the
//! default is the first, and a name a result lacks is `unknown_table`. The values
//! themselves are checked against hand-worked tables in the shared vectors
//! (`events_vectors.rs`, `attribution_vectors.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::events::{
    DirectlyFollowsOptions, FlowOptions, Funnel, JourneyStateOptions, RetentionOptions,
    VariantOptions,
};
use cjm_core::scoring::{emotion_curves, health, priorities, HealthInputs, ScoringModel};
use cjm_core::tables::Tabular;

/// Checks the invariants of every table of `result`; returns the row counts by name.
fn check(what: &str, result: &dyn Tabular) -> Vec<(&'static str, usize)> {
    let names = result.table_names();
    assert!(!names.is_empty(), "{what}: no tables");
    let mut rows = Vec::new();
    for name in names {
        let table = result.table(name).unwrap();
        assert_eq!(table.name, *name);
        assert!(!table.columns.is_empty(), "{what} {name}: no columns");
        let mut seen: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(
            seen.len(),
            table.columns.len(),
            "{what} {name}: a name twice"
        );
        for c in &table.columns {
            assert_eq!(c.values.len(), table.rows(), "{what} {name}.{}", c.name);
        }
        rows.push((*name, table.rows()));
    }
    assert_eq!(
        result.default_table().unwrap(),
        result.table(names[0]).unwrap()
    );
    let err = result.table("no_such_table").unwrap_err();
    assert_eq!(err.code(), "unknown_table", "{what}");
    assert!(err.to_string().contains(names[0]), "{err}");
    rows
}

fn rows(of: &[(&str, usize)], name: &str) -> usize {
    of.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn every_table_of_every_result_is_well_formed() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let (log, report) = generate_log(&SynthOptions {
        customers: 300,
        ..SynthOptions::default()
    });

    let r = check("ingest report", &report);
    assert_eq!(rows(&r, "rejected"), report.rejected.len());
    // read, used, one row per reject reason, consent-filtered, removed by operations.
    assert_eq!(rows(&r, "rows"), 4 + report.rejected.len());

    let df = log
        .directly_follows(&DirectlyFollowsOptions::default())
        .unwrap();
    let r = check("directly-follows", &df);
    assert_eq!(rows(&r, "edges"), df.edges.len());
    assert_eq!(rows(&r, "nodes"), df.nodes.len());

    let v = log.variants(&VariantOptions::default()).unwrap();
    assert_eq!(rows(&check("variants", &v), "variants"), v.variants.len());

    let f = log.flows(&FlowOptions::default()).unwrap();
    let r = check("flows", &f);
    assert_eq!(rows(&r, "links"), f.links.len());

    let funnel: Funnel = serde_json::from_value(serde_json::json!({
        "steps": [{"event": "page_view"}, {"event": "add_to_cart"}, {"event": "purchase"}],
        "options": {"breakdown": "channel", "allow_missing_events": true}
    }))
    .unwrap();
    let fr = funnel.run(&log, None).unwrap();
    let r = check("funnel", &fr);
    assert_eq!(rows(&r, "steps"), 3);
    let steps_per_group: usize = fr.breakdown.iter().map(|g| g.steps.len()).sum();
    assert_eq!(rows(&r, "breakdown"), steps_per_group);

    let ret = log.retention(&RetentionOptions::default()).unwrap();
    let r = check("retention", &ret);
    let cells: usize = ret.cohorts.iter().map(|c| c.retained.len()).sum();
    assert_eq!(rows(&r, "cohorts"), cells);
    assert_eq!(rows(&r, "mean"), ret.mean.weighted.len());

    let t = log.traffic(&journey);
    let r = check("traffic", &t);
    assert_eq!(rows(&r, "touchpoints"), t.touchpoints.len());
    let c = log.conformance(&journey);
    assert_eq!(rows(&check("conformance", &c), "summary"), 5);
    let s = log
        .journey_states(&journey, &JourneyStateOptions::default())
        .unwrap();
    assert_eq!(
        rows(&check("journey states", &s), "customers"),
        s.customers.len()
    );

    let curves = emotion_curves(&journey);
    check("emotion curves", &curves);
    let p = priorities(&journey, None).unwrap();
    assert_eq!(
        rows(&check("priorities", &p), "pain_points"),
        p.pain_points.len()
    );
    let h = health(&journey, &ScoringModel::default(), &HealthInputs::default()).unwrap();
    // One row per score: the journey, its stages and touchpoints.
    let scored = 1 + h.stages.len() + h.touchpoints.len();
    assert_eq!(rows(&check("health", &h), "scores"), scored);
}

/// Displays write each value by the one rule of `cjm_core::format` (issue 18, item 3): the
/// funnel's shares as percentages, its times as durations, counts with separators.
#[test]
fn displays_write_values_for_people() {
    use cjm_core::tables::{Column, Values};
    let col = |name: &str, values: Values| Column {
        name: name.to_owned(),
        values,
    };
    let share = col(
        "conversion_from_first",
        Values::Number(vec![Some(0.133_333_333), None]),
    );
    assert_eq!(share.display(0), "13.3\u{a0}%");
    assert_eq!(share.display(1), "");
    assert_eq!(
        col("drop_off_rate", Values::Number(vec![Some(0.54)])).display(0),
        "54\u{a0}%"
    );
    assert_eq!(
        col(
            "median_seconds_from_first",
            Values::Number(vec![Some(420_199.913)])
        )
        .display(0),
        "4\u{a0}d 20\u{a0}h"
    );
    assert_eq!(
        col("customers", Values::Count(vec![Some(1_234_567)])).display(0),
        "1,234,567"
    );
    assert_eq!(
        col("value", Values::Number(vec![Some(109.154_7)])).display(0),
        "109.15"
    );
    // A p-value never reads 0: Fisher's p for a strong driver is far below 0.005.
    let p = col(
        "p_value",
        Values::Number(vec![Some(1e-120), Some(0.0412), Some(1.0)]),
    );
    assert_eq!(
        (p.display(0), p.display(1), p.display(2)),
        ("< 0.001".into(), "0.041".into(), "1.000".into())
    );
    assert_eq!(
        col("converted", Values::Flag(vec![Some(true)])).display(0),
        "yes"
    );
    assert_eq!(
        col("path", Values::TextList(vec![vec!["a".into(), "b".into()]])).display(0),
        "a, b"
    );
    // Past the end: empty, never a panic.
    assert_eq!(col("customers", Values::Count(vec![])).display(3), "");
}

#[test]
fn table_preview_shows_sixty_rows_counts_the_rest_and_escapes() {
    use cjm_core::render::{table_preview_html, PREVIEW_ROWS};
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let (log, _) = generate_log(&SynthOptions {
        customers: 200,
        ..SynthOptions::default()
    });
    let states = log
        .journey_states(&journey, &JourneyStateOptions::default())
        .unwrap();
    let rows = states.default_table().unwrap().rows();
    assert!(rows > PREVIEW_ROWS, "{rows} rows");
    let html = table_preview_html(&states, "A<B", None, "<code>all()</code>").unwrap();
    // One header row and 60 body rows; the title escaped, the hint as given.
    assert_eq!(html.matches("<tr>").count(), PREVIEW_ROWS + 1);
    assert!(html.contains("<caption>A&lt;B</caption>"), "{html}");
    let more = format!(
        "<p>… {} more rows (<code>all()</code> shows all)</p>",
        rows - 60
    );
    assert!(html.contains(&more), "{html}");
    assert!(!html.contains("<script"));
}
