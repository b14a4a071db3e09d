//! Layout checks of every picture (issue 18, item 6): on the three templates, the
//! hand-made map and the demo data (`make demo`: the b2c-ecommerce template and 2,000
//! synthetic customers, seed 42), no two text boxes overlap and nothing is drawn past the
//! picture's width or height.
//!
//! A text box is estimated conservatively: its width is [`text_width`] (advances of
//! DejaVu Sans, the widest common sans-serif, bold 15 % wider), placed by `text-anchor`;
//! vertically it spans from 0.76 em above the baseline (the ascender of `l`, `d`, `h` and
//! the capitals' height with room to spare) to 0.24 em below it (the descender of `g`,
//! `p`, `y`). Two boxes overlap when they share more than 0.5 px in both directions.
//! The same pictures were checked in Chromium against the browser's own `getBBox()`
//! (see docs/pictures.md, "Layout checks").

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

mod render_common;

use cjm_core::attribution::{attribute_log, AttributionOptions, PathOptions};
use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::events::{EventLog, FlowOptions, Funnel, RetentionOptions, RetentionPeriod};
use cjm_core::render::{
    attribution_chart, bar_chart_svg, directly_follows_svg, emotion_curve_svg, flow_chart,
    flow_svg, funnel_chart, funnel_result_svg, funnel_svg, health_svg, journey_map_svg,
    retention_heatmap_svg, text_width, BarLayout, DfgChartOptions, EmotionCurveOptions, MapOptions,
    RetentionChartOptions,
};
use cjm_core::scoring::{health, HealthInputs, ScoringModel};

/// A text's estimated box: left, top, right, bottom, and its text (for messages).
#[derive(Debug, Clone)]
struct TextBox {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
    text: String,
}

fn attr(node: roxmltree::Node<'_, '_>, name: &str) -> f64 {
    node.attribute(name).map_or(0.0, |v| {
        v.parse().unwrap_or_else(|_| panic!("{name}=`{v}`"))
    })
}

/// The `translate(dx,dy)` of a group, if any.
fn translation(node: roxmltree::Node<'_, '_>) -> (f64, f64) {
    let Some(t) = node.attribute("transform") else {
        return (0.0, 0.0);
    };
    let inner = t
        .strip_prefix("translate(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected transform `{t}`"));
    let mut parts = inner.split([',', ' ']).filter(|s| !s.is_empty());
    let dx: f64 = parts.next().unwrap().parse().unwrap();
    let dy: f64 = parts.next().map_or(0.0, |s| s.parse().unwrap());
    (dx, dy)
}

/// The offset of `node` from the picture's origin (the sum of its ancestors' translations).
fn offset(node: roxmltree::Node<'_, '_>) -> (f64, f64) {
    node.ancestors()
        .skip(1)
        .filter(roxmltree::Node::is_element)
        .map(translation)
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y))
}

fn text_boxes(doc: &roxmltree::Document<'_>) -> Vec<TextBox> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| {
            let text: String = n
                .descendants()
                .filter(roxmltree::Node::is_text)
                .filter(|t| !t.ancestors().any(|a| a.has_tag_name("title")))
                .filter_map(|t| t.text())
                .collect();
            if text.trim().is_empty() {
                return None;
            }
            let (dx, dy) = offset(n);
            let size = attr(n, "font-size");
            let bold = n.attribute("font-weight") == Some("bold");
            let w = text_width(&text, size, bold);
            let x = attr(n, "x") + dx;
            let y = attr(n, "y") + dy;
            let x0 = match n.attribute("text-anchor") {
                Some("middle") => x - w / 2.0,
                Some("end") => x - w,
                _ => x,
            };
            Some(TextBox {
                x0,
                y0: y - 0.76 * size,
                x1: x0 + w,
                y1: y + 0.24 * size,
                text,
            })
        })
        .collect()
}

/// Extents of shapes (rectangles, lines, circles, polygons) with their element name.
fn shape_extents(doc: &roxmltree::Document<'_>) -> Vec<(String, f64, f64, f64, f64)> {
    let mut out = Vec::new();
    for n in doc.descendants().filter(roxmltree::Node::is_element) {
        let (dx, dy) = offset(n);
        let name = n.tag_name().name();
        let ext = match name {
            "rect" => {
                let (x, y) = (attr(n, "x"), attr(n, "y"));
                Some((x, y, x + attr(n, "width"), y + attr(n, "height")))
            }
            "line" => {
                let (x1, x2, y1, y2) = (attr(n, "x1"), attr(n, "x2"), attr(n, "y1"), attr(n, "y2"));
                Some((x1.min(x2), y1.min(y2), x1.max(x2), y1.max(y2)))
            }
            "circle" => {
                let (cx, cy, r) = (attr(n, "cx"), attr(n, "cy"), attr(n, "r"));
                Some((cx - r, cy - r, cx + r, cy + r))
            }
            "polygon" | "polyline" => {
                let nums: Vec<f64> = n
                    .attribute("points")
                    .unwrap_or("")
                    .split([',', ' '])
                    .filter(|s| !s.is_empty())
                    .map(|s| s.parse().unwrap())
                    .collect();
                let xs = nums.iter().step_by(2);
                let ys = nums.iter().skip(1).step_by(2);
                Some((
                    xs.clone().copied().fold(f64::INFINITY, f64::min),
                    ys.clone().copied().fold(f64::INFINITY, f64::min),
                    xs.copied().fold(f64::NEG_INFINITY, f64::max),
                    ys.copied().fold(f64::NEG_INFINITY, f64::max),
                ))
            }
            _ => None,
        };
        if let Some((x0, y0, x1, y1)) = ext {
            out.push((name.to_owned(), x0 + dx, y0 + dy, x1 + dx, y1 + dy));
        }
    }
    out
}

/// Every layout problem of one picture, as readable lines (empty when it is clean).
fn layout_problems(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let root = doc.root_element();
    let (width, height) = (attr(root, "width"), attr(root, "height"));
    let eps = 0.5;
    let mut problems = Vec::new();
    let boxes = text_boxes(&doc);
    for b in &boxes {
        if b.x0 < -eps || b.y0 < -eps || b.x1 > width + eps || b.y1 > height + eps {
            problems.push(format!(
                "text `{}` [{:.0}, {:.0}]–[{:.0}, {:.0}] extends past {width}×{height}",
                b.text, b.x0, b.y0, b.x1, b.y1
            ));
        }
    }
    for (i, a) in boxes.iter().enumerate() {
        for b in boxes.iter().skip(i + 1) {
            let w = a.x1.min(b.x1) - a.x0.max(b.x0);
            let h = a.y1.min(b.y1) - a.y0.max(b.y0);
            if w > eps && h > eps {
                problems.push(format!(
                    "`{}` and `{}` overlap by {w:.0}×{h:.0} px at ({:.0}, {:.0})",
                    a.text,
                    b.text,
                    a.x0.max(b.x0),
                    a.y0.max(b.y0)
                ));
            }
        }
    }
    for (name, x0, y0, x1, y1) in shape_extents(&doc) {
        if x0 < -eps || y0 < -eps || x1 > width + eps || y1 > height + eps {
            problems.push(format!(
                "{name} [{x0:.0}, {y0:.0}]–[{x1:.0}, {y1:.0}] extends past {width}×{height}"
            ));
        }
    }
    problems
}

/// The demo's log: `cjm.generate_log(customers=2000, seed=42)`.
fn demo_log() -> EventLog {
    generate_log(&SynthOptions {
        customers: 2_000,
        seed: 42,
        ..SynthOptions::default()
    })
    .0
}

/// Every picture of the templates and the demo data, named.
fn pictures() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, j) in render_common::journeys() {
        out.push((
            format!("{name} map"),
            journey_map_svg(&j, &MapOptions::default()),
        ));
        out.push((
            format!("{name} map in the report"),
            journey_map_svg(
                &j,
                &MapOptions {
                    title: false,
                    ..MapOptions::default()
                },
            ),
        ));
        out.push((
            format!("{name} emotion curve"),
            emotion_curve_svg(&j, &EmotionCurveOptions::default()),
        ));
        let report = health(&j, &ScoringModel::default(), &HealthInputs::default()).unwrap();
        out.push((format!("{name} health"), health_svg(&report, &j)));
    }
    out.push((
        "fixture funnel".to_owned(),
        funnel_svg(&render_common::funnel()),
    ));
    out.push(("fixture flow".to_owned(), flow_svg(&render_common::flow())));
    out.push((
        "fixture bars".to_owned(),
        bar_chart_svg(&render_common::bars()),
    ));
    let mut panels = render_common::bars();
    panels.layout = BarLayout::Panels;
    out.push(("fixture bar panels".to_owned(), bar_chart_svg(&panels)));

    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let log = demo_log();
    let mut funnel = Funnel::from_stages(&journey);
    funnel.options.window_seconds = Some(30 * 86_400);
    let result = funnel.run(&log, Some(&journey)).unwrap();
    out.push((
        "demo stage funnel".to_owned(),
        funnel_svg(&funnel_chart(&result, Some(&journey), None)),
    ));
    let mut by_channel = Funnel::from_stages(&journey);
    by_channel.options.window_seconds = Some(30 * 86_400);
    by_channel.options.breakdown = Some("channel".to_owned());
    let result = by_channel.run(&log, Some(&journey)).unwrap();
    assert!(result.breakdown.len() > 3, "a breakdown to draw");
    out.push((
        "demo stage funnel by channel".to_owned(),
        funnel_result_svg(
            &result,
            Some(&journey),
            Some("Stage funnel by first channel".to_owned()),
            None,
        ),
    ));
    for steps in [4, 5, 6] {
        let flows = log
            .flows(&FlowOptions {
                steps,
                ..FlowOptions::default()
            })
            .unwrap();
        out.push((
            format!("demo flows, {steps} steps"),
            flow_svg(&flow_chart(&flows, None)),
        ));
    }
    for min_share in [0.1, 0.05] {
        out.push((
            format!("demo directly-follows, min_share {min_share}"),
            directly_follows_svg(
                &log,
                &DfgChartOptions {
                    min_share,
                    title: Some("Directly-follows graph".to_owned()),
                    ..DfgChartOptions::default()
                },
            )
            .unwrap(),
        ));
    }
    for (period, periods) in [(RetentionPeriod::Day, 10), (RetentionPeriod::Week, 8)] {
        let retention = log
            .retention(&RetentionOptions {
                period,
                periods,
                ..RetentionOptions::default()
            })
            .unwrap();
        out.push((
            format!("demo retention heat map, {periods} periods"),
            retention_heatmap_svg(
                &retention,
                &RetentionChartOptions {
                    title: Some(format!("Retention by cohort, {period:?}")),
                },
            ),
        ));
    }
    let attribution = attribute_log(
        &log,
        None,
        &PathOptions {
            conversion_events: vec!["purchase".to_owned()],
            ..PathOptions::default()
        },
        &AttributionOptions::default(),
    )
    .unwrap();
    out.push((
        "demo attribution".to_owned(),
        bar_chart_svg(&attribution_chart(
            &attribution,
            Some("Conversions credited per channel".to_owned()),
        )),
    ));
    out
}

/// The widest picture that fits the report at a 1,366 px screen: 1,366 px less the page's
/// padding (2 × 24 px), the figure border (2 px) and a scroll bar (15 px) is 1,301 px.
const SCREEN_FIT: f64 = 1300.0;

/// Markers (persona shapes: circles and polygons with a white outline) that overlap.
fn marker_collisions(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    let markers: Vec<(f64, f64, f64, f64)> = shape_extents(&doc)
        .into_iter()
        .zip(
            doc.descendants()
                .filter(|n| {
                    matches!(
                        n.tag_name().name(),
                        "rect" | "line" | "circle" | "polygon" | "polyline"
                    )
                })
                .map(|n| {
                    n.attribute("stroke") == Some("#ffffff") && n.attribute("fill") != Some("none")
                }),
        )
        .filter(|(_, marker)| *marker)
        .map(|((_, x0, y0, x1, y1), _)| (x0, y0, x1, y1))
        .collect();
    let mut out = Vec::new();
    for (i, a) in markers.iter().enumerate() {
        for b in markers.iter().skip(i + 1) {
            let w = a.2.min(b.2) - a.0.max(b.0);
            let h = a.3.min(b.3) - a.1.max(b.1);
            if w > 0.5 && h > 0.5 {
                out.push(format!(
                    "markers at ({:.0}, {:.0}) and ({:.0}, {:.0})",
                    a.0, a.1, b.0, b.1
                ));
            }
        }
    }
    out
}

#[test]
fn pictures_fit_the_report_at_1366_px() {
    for (name, svg) in pictures() {
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let width = attr(doc.root_element(), "width");
        assert!(width <= SCREEN_FIT, "{name}: {width} px wide");
    }
}

#[test]
fn emotion_markers_do_not_collide() {
    for (name, svg) in pictures() {
        if name.contains("curve") || name.contains("map") {
            let hits = marker_collisions(&svg);
            assert!(hits.is_empty(), "{name}: {hits:?}");
        }
    }
}

/// Chart labels of the demo data are written whole: nothing ends in an ellipsis.
#[test]
fn demo_chart_labels_are_not_cut() {
    for (name, svg) in pictures() {
        if name.starts_with("demo") {
            let doc = roxmltree::Document::parse(&svg).unwrap();
            let cut: Vec<String> = text_boxes(&doc)
                .into_iter()
                .filter(|b| b.text.ends_with('\u{2026}'))
                .map(|b| b.text)
                .collect();
            assert!(cut.is_empty(), "{name}: {cut:?}");
        }
    }
}

#[test]
fn no_text_overlaps_and_nothing_leaves_the_picture() {
    let mut failures = Vec::new();
    // CJM_PICTURES_DIR=dir writes every picture there, to look at in a browser.
    let dump = std::env::var_os("CJM_PICTURES_DIR").map(std::path::PathBuf::from);
    for (name, svg) in pictures() {
        if let Some(dir) = &dump {
            std::fs::create_dir_all(dir).unwrap();
            std::fs::write(
                dir.join(format!("{}.svg", name.replace([' ', ','], "_"))),
                &svg,
            )
            .unwrap();
        }
        let problems = layout_problems(&svg);
        if !problems.is_empty() {
            failures.push(format!(
                "{name}: {} problems, first: {}",
                problems.len(),
                problems[..problems.len().min(4)].join("; ")
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The checker itself finds what it is meant to find (hand-placed boxes).
#[test]
fn the_layout_check_finds_overlaps_and_overflow() {
    let ok = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="20" font-size="12">Hello</text><text x="10" y="36" font-size="12">Hello</text></svg>"#;
    assert!(layout_problems(ok).is_empty(), "{:?}", layout_problems(ok));
    // Lines 10 px apart at 12 px overlap (0.76·12 + 0.24·12 = 12 px tall boxes).
    let stacked = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="20" font-size="12">Hello</text><text x="10" y="30" font-size="12">Hello</text></svg>"#;
    assert_eq!(layout_problems(stacked).len(), 1);
    // "Hello" at 12 px is 12 × (0.74 + 0.63 + 0.30 + 0.30 + 0.63) = 31.2 px wide: ending
    // at x = 190 (anchor end) fits, starting at 180 does not.
    let end = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="190" y="20" font-size="12" text-anchor="end">Hello</text></svg>"#;
    assert!(layout_problems(end).is_empty());
    let past = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="180" y="20" font-size="12">Hello</text></svg>"#;
    assert_eq!(layout_problems(past).len(), 1);
    // Translated groups move their text: two boxes side by side that a translation stacks.
    let moved = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><text x="10" y="20" font-size="12">Hello</text><g transform="translate(0,4)"><text x="20" y="20" font-size="12">Hi</text></g></svg>"#;
    assert_eq!(layout_problems(moved).len(), 1);
    let rect = r#"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><rect x="150" y="0" width="60" height="10"/></svg>"#;
    assert_eq!(layout_problems(rect).len(), 1);
}
