//! The shared report vector (`tests/vectors/report/report-sections.json`, also run by the
//! Python and JavaScript tests): health, insights, funnel, flows and attribution results
//! given to the report as `ReportOptions` come out in the core's one order, with the
//! numbers worked by hand in the vector, and as a page whose SHA-256 the three languages
//! share (so Python and JavaScript render the same bytes). `CJM_BLESS=1` rewrites the
//! hash after a deliberate change to the page.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::attribution::{attribute_log, AttributionOptions, Model, PathOptions};
use cjm_core::events::{EventLog, FlowOptions, Funnel, FunnelOptions, IngestOptions, RawEvent};
use cjm_core::insights::{insights, InsightInputs, InsightOptions};
use cjm_core::render::{html_report, ReportOptions};
use cjm_core::scoring::{health, HealthInputs, ScoringModel};
use sha2::{Digest, Sha256};

const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/vectors/report/report-sections.json"
);

fn vector() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap()
}

type Row = (String, i64, String, Option<String>, Option<f64>);

/// The vector's page, its results computed by the core from the vector's events.
fn page(v: &serde_json::Value) -> String {
    let journey = cjm_core::load_from(v["journey"].clone()).unwrap();
    let rows: Vec<Row> = serde_json::from_value(v["events"]["rows"].clone()).unwrap();
    let raw = rows.iter().map(|(c, t, e, channel, value)| RawEvent {
        channel: channel.as_deref(),
        value: *value,
        ..RawEvent::new(c, t * 1000, e)
    });
    let log = EventLog::from_rows(raw, IngestOptions::default())
        .unwrap()
        .0;
    let funnel = Funnel {
        steps: serde_json::from_value(v["funnel_steps"].clone()).unwrap(),
        options: FunnelOptions::default(),
    }
    .run(&log, Some(&journey))
    .unwrap();
    let attribution = attribute_log(
        &log,
        None,
        &PathOptions {
            conversion_events: serde_json::from_value(v["conversion_events"].clone()).unwrap(),
            ..PathOptions::default()
        },
        &AttributionOptions {
            models: serde_json::from_value::<Vec<Model>>(v["attribution_models"].clone()).unwrap(),
            ..AttributionOptions::default()
        },
    )
    .unwrap();
    let options = ReportOptions {
        health: Some(health(&journey, &ScoringModel::default(), &HealthInputs::default()).unwrap()),
        insights: Some(
            insights(
                &journey,
                &InsightOptions {
                    as_of: v["insights_as_of"].as_str().map(str::to_owned),
                    ..InsightOptions::default()
                },
                &InsightInputs::default(),
            )
            .unwrap(),
        ),
        funnel: Some(funnel),
        flows: Some(log.flows(&FlowOptions::default()).unwrap()),
        attribution: Some(attribution),
        ..ReportOptions::default()
    };
    html_report(&journey, &options)
}

/// The text of each cell of each row of the tables of one `<section>` (by its `class`).
fn section_rows(html: &str, kind: &str) -> Vec<Vec<String>> {
    let start = html.find(&format!("class=\"{kind}\">")).unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    html[start..end]
        .split("<tr>")
        .skip(1)
        .filter(|r| r.contains("<td"))
        .map(|r| {
            r.split("<td")
                .skip(1)
                .map(|c| {
                    let c = &c[c.find('>').unwrap() + 1..];
                    c[..c.find("</td>").unwrap()].to_owned()
                })
                .collect()
        })
        .collect()
}

#[test]
fn the_shared_report_vector() {
    let mut v = vector();
    let html = page(&v);
    let e = &v["expect"];
    let headings: Vec<&str> = html
        .split("<h2>")
        .skip(1)
        .map(|s| s.split("</h2>").next().unwrap())
        .collect();
    let want: Vec<String> = serde_json::from_value(e["headings"].clone()).unwrap();
    assert_eq!(headings, want);
    let funnel: Vec<Vec<String>> = serde_json::from_value(e["funnel_rows"].clone()).unwrap();
    assert_eq!(section_rows(&html, "funnel"), funnel);
    let credits: Vec<Vec<String>> =
        serde_json::from_value(e["attribution_conversions"].clone()).unwrap();
    let got = section_rows(&html, "attribution");
    assert_eq!(got[..credits.len()], credits[..], "{got:?}");

    let hash: String = Sha256::digest(html.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if std::env::var_os("CJM_BLESS").is_some() {
        v["expect"]["html_sha256"] = serde_json::Value::from(hash);
        let text = serde_json::to_string_pretty(&v).unwrap() + "\n";
        std::fs::write(PATH, text).unwrap();
        return;
    }
    assert_eq!(
        e["html_sha256"].as_str(),
        Some(hash.as_str()),
        "the page changed; if deliberately, run `CJM_BLESS=1 cargo test -p cjm-core --test report_vector` and commit the vector"
    );
}
