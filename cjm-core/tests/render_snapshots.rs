//! Snapshots of every picture for fixed inputs. Review changes with
//! `INSTA_UPDATE=always cargo test -p cjm-core --test render_snapshots` and a look at the
//! `.snap` files (and at the pictures: `cargo run -p cjm-core --example render`).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

mod render_common;

use cjm_core::render::{
    bar_chart_svg, emotion_curve_svg, flow_svg, funnel_svg, html_report, journey_map_svg,
    to_mermaid, EmotionCurveOptions, Lane, MapOptions, ReportBlock, ReportOptions, ReportSection,
    ReportTable, SectionKind,
};
use render_common::{bars, flow, funnel, small_map};

fn b2c() -> cjm_core::ValidJourney {
    cjm_core::templates::load("b2c-ecommerce").unwrap()
}

#[test]
fn b2c_journey_map() {
    insta::assert_snapshot!(journey_map_svg(&b2c(), &MapOptions::default()));
}

#[test]
fn b2c_emotion_curve() {
    insta::assert_snapshot!(emotion_curve_svg(&b2c(), &EmotionCurveOptions::default()));
}

#[test]
fn b2c_mermaid() {
    let export = to_mermaid(&b2c(), Some("busy-professional"));
    insta::assert_snapshot!(format!(
        "{}\n-- dropped --\n{}",
        export.text,
        export.dropped.join("\n")
    ));
}

#[test]
fn small_journey_map() {
    insta::assert_snapshot!(journey_map_svg(&small_map(), &MapOptions::default()));
}

#[test]
fn small_journey_map_some_lanes_one_persona() {
    let options = MapOptions {
        lanes: vec![
            Lane::Emotion,
            Lane::Touchpoints,
            Lane::Emotion,
            Lane::PainPoints,
        ],
        personas: Some(vec!["ben".to_owned(), "nobody".to_owned()]),
        width: 600,
        title: false,
        legend: false,
        max_lines: 1,
        ..MapOptions::default()
    };
    insta::assert_snapshot!(journey_map_svg(&small_map(), &options));
}

#[test]
fn small_emotion_curve() {
    insta::assert_snapshot!(emotion_curve_svg(
        &small_map(),
        &EmotionCurveOptions::default()
    ));
}

#[test]
fn small_mermaid() {
    let export = to_mermaid(&small_map(), None);
    insta::assert_snapshot!(format!(
        "{}\n-- dropped --\n{}",
        export.text,
        export.dropped.join("\n")
    ));
}

#[test]
fn funnel_chart() {
    insta::assert_snapshot!(funnel_svg(&funnel()));
}

#[test]
fn flow_chart() {
    insta::assert_snapshot!(flow_svg(&flow()));
}

#[test]
fn bar_chart() {
    insta::assert_snapshot!(bar_chart_svg(&bars()));
}

#[test]
fn bar_chart_panels() {
    let mut chart = bars();
    chart.layout = cjm_core::render::BarLayout::Panels;
    insta::assert_snapshot!(bar_chart_svg(&chart));
}

#[test]
fn small_html_report() {
    let options = ReportOptions {
        footer: Some("Generated for the tests".to_owned()),
        sections: vec![
            ReportSection {
                kind: SectionKind::Funnel,
                title: "Funnel".to_owned(),
                intro: Some("Sign-up funnel.".to_owned()),
                blocks: vec![ReportBlock::Funnel(funnel())],
                definitions: Vec::new(),
            },
            ReportSection {
                kind: SectionKind::Insights,
                title: "Insights".to_owned(),
                intro: None,
                blocks: vec![
                    ReportBlock::Paragraph {
                        text: "Two findings.".to_owned(),
                    },
                    ReportBlock::Table(ReportTable {
                        links: Vec::new(),
                        caption: None,
                        columns: vec!["Code".to_owned(), "Count".to_owned()],
                        rows: vec![
                            vec!["stage_without_touchpoints".to_owned(), "1".to_owned()],
                            vec!["kpi_without_target".to_owned(), "2".to_owned()],
                        ],
                    }),
                ],
                definitions: Vec::new(),
            },
        ],
        ..ReportOptions::default()
    };
    insta::assert_snapshot!(html_report(&small_map(), &options));
}
