//! Properties of every picture: well-formed XML, escaping, legibility at size,
//! determinism, WCAG contrast, Mermaid round trip, option parsing, and inputs that used
//! to cost minutes (issue 14: 64 KiB words, megabytes of text, thousands of equal tasks).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

mod render_common;

use cjm_core::render::{
    bar_chart_svg, emotion_curve_svg, flow_svg, from_mermaid, funnel_svg, html_report,
    journey_map_svg, palette, score_from_emotion, to_mermaid, EmotionCurveOptions, MapOptions,
    ReportBlock, ReportOptions, ReportSection, SectionKind,
};
use render_common::{bars, flow, funnel, generated, journeys, small_map};

/// Every SVG the crate draws for the fixtures.
fn all_svgs() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, j) in journeys() {
        out.push((
            format!("{name} map"),
            journey_map_svg(&j, &MapOptions::default()),
        ));
        out.push((
            format!("{name} curve"),
            emotion_curve_svg(&j, &EmotionCurveOptions::default()),
        ));
    }
    out.push(("funnel".to_owned(), funnel_svg(&funnel())));
    out.push(("flow".to_owned(), flow_svg(&flow())));
    out.push(("bars".to_owned(), bar_chart_svg(&bars())));
    out
}

fn parse(name: &str, svg: &str) {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name}: not well-formed XML: {e}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg", "{name}");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2000/svg"),
        "{name}"
    );
    for attr in ["width", "height", "viewBox"] {
        assert!(root.attribute(attr).is_some(), "{name}: no {attr}");
    }
    for node in doc.descendants().filter(roxmltree::Node::is_element) {
        for attr in [
            "x",
            "y",
            "width",
            "height",
            "cx",
            "cy",
            "r",
            "x1",
            "x2",
            "y1",
            "y2",
            "font-size",
        ] {
            if let Some(v) = node.attribute(attr) {
                let v: f64 = v.parse().unwrap_or_else(|_| panic!("{name}: {attr}=`{v}`"));
                assert!(v.is_finite(), "{name}: {attr}=`{v}`");
            }
        }
    }
    assert!(!svg.contains("NaN"), "{name}: NaN");
    assert!(
        !svg.to_ascii_lowercase().contains("<script"),
        "{name}: script"
    );
}

#[test]
fn every_svg_is_well_formed() {
    for (name, svg) in all_svgs() {
        parse(&name, &svg);
    }
}

#[test]
fn pictures_are_deterministic() {
    let first = all_svgs();
    let second = all_svgs();
    assert_eq!(first, second);
    for (_, j) in journeys() {
        let a = html_report(&j, &ReportOptions::default());
        assert_eq!(a, html_report(&j, &ReportOptions::default()));
        assert_eq!(to_mermaid(&j, None), to_mermaid(&j, None));
    }
}

#[test]
fn user_strings_are_escaped_everywhere() {
    let evil = "<script>alert(1)</script> & \"quotes\" 'single' \u{0}";
    let mut doc: serde_json::Value = serde_json::from_str(render_common::SMALL_MAP).unwrap();
    doc["name"] = evil.into();
    doc["description"] = evil.into();
    doc["personas"][0]["name"] = evil.into();
    doc["stages"][0]["name"] = evil.into();
    doc["channels"][0]["name"] = evil.into();
    doc["touchpoints"][0]["name"] = evil.into();
    doc["observations"][0]["actions"][0] = evil.into();
    doc["observations"][0]["thoughts"][0] = evil.into();
    doc["pain_points"][0]["name"] = evil.into();
    doc["opportunities"][0]["name"] = evil.into();
    doc["kpis"][0]["name"] = evil.into();
    doc["kpis"][2]["unit"] = evil.into();
    let journey = cjm_core::load_from(doc).unwrap();
    let mut f = funnel();
    f.title = Some(evil.to_owned());
    f.steps[0].label = evil.to_owned();
    let mut fl = flow();
    fl.nodes[0].label = evil.to_owned();
    fl.columns[0] = evil.to_owned();
    let mut b = bars();
    b.groups[0] = evil.to_owned();
    b.series[0].name = evil.to_owned();
    b.unit = Some(evil.to_owned());
    let svgs = [
        journey_map_svg(&journey, &MapOptions::default()),
        emotion_curve_svg(&journey, &EmotionCurveOptions::default()),
        funnel_svg(&f),
        flow_svg(&fl),
        bar_chart_svg(&b),
    ];
    for svg in &svgs {
        parse("evil", svg);
        assert!(
            svg.contains("&lt;script&gt;"),
            "the name should appear, escaped"
        );
    }
    let html = html_report(
        &journey,
        &ReportOptions {
            title: Some(evil.to_owned()),
            footer: Some(evil.to_owned()),
            sections: vec![ReportSection {
                kind: SectionKind::Other,
                title: evil.to_owned(),
                intro: Some(evil.to_owned()),
                blocks: vec![
                    ReportBlock::Paragraph { text: evil.to_owned() },
                    ReportBlock::Funnel(f),
                    ReportBlock::Svg {
                        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_owned(),
                        caption: Some(evil.to_owned()),
                    },
                    ReportBlock::Svg {
                        svg: "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>".to_owned(),
                        caption: None,
                    },
                ],
                definitions: Vec::new(),
            }],
            ..ReportOptions::default()
        },
    );
    let lower = html.to_ascii_lowercase();
    assert!(
        !lower.contains("<script"),
        "no script element in the report"
    );
    assert!(!lower.contains("onload="), "no event handler in the report");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let mermaid = to_mermaid(&journey, None);
    assert!(!mermaid.text.contains('\u{0}'));
}

#[test]
fn safe_ready_made_svg_is_embedded() {
    let svg = funnel_svg(&funnel());
    let html = html_report(
        &small_map(),
        &ReportOptions {
            sections: vec![ReportSection {
                kind: SectionKind::Funnel,
                title: "Funnel".to_owned(),
                intro: None,
                blocks: vec![ReportBlock::Svg {
                    svg: svg.clone(),
                    caption: None,
                }],
                definitions: Vec::new(),
            }],
            ..ReportOptions::default()
        },
    );
    assert!(html.contains(svg.trim_end()));
}

#[test]
fn html_report_is_self_contained() {
    for (name, j) in journeys() {
        let html = html_report(&j, &ReportOptions::default());
        let lower = html.to_ascii_lowercase();
        for banned in [
            "<script", "src=", "<link", "@import", "url(", "http://", "https://",
        ] {
            let hits: Vec<_> = lower
                .match_indices(banned)
                .map(|(i, _)| &lower[i.saturating_sub(40)..(i + 60).min(lower.len())])
                .collect();
            // The SVG namespace is the one URL allowed: it is a name, not a fetch.
            let hits: Vec<_> = hits
                .into_iter()
                .filter(|h| !h.contains("xmlns=\"http://www.w3.org/2000/svg\""))
                .collect();
            assert!(hits.is_empty(), "{name}: `{banned}` in report: {hits:?}");
        }
        assert!(html.contains("@media print"));
        assert!(html.starts_with("<!DOCTYPE html>"));
    }
}

#[test]
fn twelve_stages_forty_touchpoints_render_legibly() {
    let j = generated(12, 40);
    let svg = journey_map_svg(&j, &MapOptions::default());
    parse("generated", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let width: f64 = root.attribute("width").unwrap().parse().unwrap();
    // Each stage column keeps at least 150 px, so the map grows wider instead of shrinking text.
    assert!(width >= 12.0 * 150.0, "width {width}");
    // No text smaller than 11 px.
    for node in doc.descendants().filter(|n| n.has_tag_name("text")) {
        let size: f64 = node.attribute("font-size").unwrap().parse().unwrap();
        assert!(size >= 11.0, "font size {size}");
    }
    // Every touchpoint name appears (wrapped text: look for its start).
    for t in 0..40 {
        assert!(
            svg.contains(&format!(">Touchpoint {t} ")),
            "touchpoint {t} missing"
        );
    }
    let html = html_report(&j, &ReportOptions::default());
    assert!(html.len() > svg.len());
}

#[test]
fn palette_text_meets_wcag_aa() {
    for (name, fg, bg) in palette::text_pairs() {
        let ratio = palette::contrast_ratio(fg, bg).unwrap();
        assert!(
            ratio >= 4.5,
            "{name}: {fg} on {bg} has contrast {ratio:.2} < 4.5"
        );
    }
}

#[test]
fn mermaid_scores_follow_the_documented_formula() {
    assert_eq!(score_from_emotion(-1.0), 1);
    assert_eq!(score_from_emotion(-0.5), 2);
    assert_eq!(score_from_emotion(0.0), 3);
    assert_eq!(score_from_emotion(0.25), 4); // 2.5 rounds half away from zero
    assert_eq!(score_from_emotion(0.5), 4);
    assert_eq!(score_from_emotion(1.0), 5);
    assert_eq!(score_from_emotion(7.0), 5);
    assert_eq!(score_from_emotion(f64::NAN), 3);
}

fn tasks(text: &str) -> Vec<(String, String, String)> {
    // (section, task, score)
    let mut section = String::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if let Some(s) = line.strip_prefix("section ") {
            section = s.to_owned();
        } else if line.contains(':') && !line.starts_with("title") {
            let mut parts = line.split(':');
            out.push((
                section.clone(),
                parts.next().unwrap().trim().to_owned(),
                parts.next().unwrap().trim().to_owned(),
            ));
        }
    }
    out
}

#[test]
fn mermaid_round_trip_keeps_stages_tasks_and_scores() {
    for (name, j) in journeys() {
        for persona in [None, j.journey().personas.first().map(|p| p.id.clone())] {
            let export = to_mermaid(&j, persona.as_deref());
            let (imported, _notes) =
                from_mermaid(&export.text).unwrap_or_else(|e| panic!("{name}: {e}"));
            let stages: Vec<&str> = imported.stages.iter().map(|s| s.name.as_str()).collect();
            let original: Vec<&str> = j.journey().stages.iter().map(|s| s.name.as_str()).collect();
            assert_eq!(stages, original, "{name}");
            let valid = cjm_core::validate(&imported).unwrap();
            let again = to_mermaid(&valid, None);
            assert_eq!(
                tasks(&again.text),
                tasks(&export.text),
                "{name} {persona:?}"
            );
        }
    }
}

#[test]
fn mermaid_import_of_the_documentation_example() {
    let text = "%% from mermaid.js.org\njourney\n    title My working day\n    section Go to work\n      Make tea: 5: Me\n      Go upstairs: 3: Me\n      Do work: 1: Me, Cat\n    section Go home\n      Go downstairs: 5: Me\n      Sit down: 5: Me\n      Dance: 7\n";
    let (j, notes) = from_mermaid(text).unwrap();
    assert_eq!(j.name, "My working day");
    assert_eq!(j.stages.len(), 2);
    assert_eq!(j.touchpoints.len(), 6);
    let names: Vec<&str> = j.personas.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Me", "Cat", "Customer"]);
    assert_eq!(j.channels[0].id, "unknown");
    let tea = j
        .observations
        .iter()
        .find(|o| o.touchpoint.as_deref() == Some("make-tea"))
        .unwrap();
    assert_eq!(tea.emotion.as_ref().unwrap().value, 5.0);
    assert!(notes
        .iter()
        .any(|n| n.line == Some(11) && n.message.contains("clamped")));
    assert!(cjm_core::validate(&j).is_ok());

    let err = from_mermaid("flowchart LR\n a --> b").unwrap_err();
    assert_eq!(err.code(), "invalid_value");
    assert_eq!(err.path(), "lines[0]");
    let err = from_mermaid("journey\n section A\n  Task: lots\n").unwrap_err();
    assert_eq!(err.path(), "lines[2]");
}

#[test]
fn options_parse_with_defaults_and_refuse_unknown_fields() {
    let o: MapOptions =
        serde_json::from_str(r#"{"lanes": ["emotion", "kpis"], "width": 900}"#).unwrap();
    assert_eq!(o.width, 900);
    assert!(o.title);
    assert!(serde_json::from_str::<MapOptions>(r#"{"colour": "red"}"#).is_err());
    let r: ReportOptions = serde_json::from_str(
        r#"{"sections": [{"kind": "attribution", "title": "A", "blocks": [
            {"type": "bars", "groups": ["x"], "series": [{"name": "s", "values": [1.0]}]},
            {"type": "paragraph", "text": "hi"}
        ]}]}"#,
    )
    .unwrap();
    assert_eq!(r.sections[0].blocks.len(), 2);
    assert!(serde_json::from_str::<ReportOptions>(
        r#"{"sections": [{"title": "A", "blocks": [{"type": "paragraph", "text": "hi", "extra": 1}]}]}"#
    )
    .is_err());
    // The option types publish a JSON Schema for the bindings.
    let schema = schemars::schema_for!(ReportOptions);
    assert!(serde_json::to_string(&schema).unwrap().contains("sections"));
}

#[test]
fn health_breakdown_parses_escapes_and_adds_up() {
    use cjm_core::scoring::{health, HealthInputs, ScoringModel};
    let mut doc = cjm_core::templates::load("b2c-ecommerce")
        .unwrap()
        .into_journey();
    doc.stages[0].name = "<script>alert(1)</script>".into();
    let journey = cjm_core::validate(&doc).unwrap();
    let report = health(&journey, &ScoringModel::default(), &HealthInputs::default()).unwrap();
    let svg = cjm_core::render::health_svg(&report, &journey);
    let parsed = roxmltree::Document::parse(&svg).unwrap();
    assert!(!svg.contains("<script"));
    // One bar segment per component with a contribution, plus one background per row.
    let rows = 1 + report.stages.len();
    let parts: usize = std::iter::once(&report.journey)
        .chain(&report.stages)
        .map(|s| s.components.iter().filter(|c| c.contribution > 0.0).count())
        .sum();
    let bars = parsed
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("height") == Some("20"))
        .count();
    assert_eq!(bars, rows + parts);
    assert_eq!(
        svg,
        cjm_core::render::health_svg(&report, &journey),
        "deterministic"
    );
}

#[test]
fn health_component_colours_carry_white_text() {
    // health_svg writes component names in white on these colours.
    for (name, colour) in cjm_core::render::COMPONENT_COLOURS {
        let ratio = cjm_core::render::palette::contrast_ratio(colour, "#ffffff").unwrap();
        assert!(ratio >= 4.5, "{name} {colour}: {ratio}");
    }
}

/// 64 KiB without spaces, every width class of character (issue 14).
fn sixty_four_kib_word() -> String {
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789Mi"
        .chars()
        .cycle()
        .take(64 * 1024)
        .collect()
}

/// The text of each `<text>` (bullets left out) in the group whose tooltip starts with
/// `tip`, bold or not, and the width of its first rectangle (a card's) if any.
fn card_lines(doc: &roxmltree::Document<'_>, tip: &str, bold: bool) -> (Vec<String>, Option<f64>) {
    let card = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("g")
                && n.first_element_child().is_some_and(|t| {
                    t.has_tag_name("title") && t.text().is_some_and(|s| s.starts_with(tip))
                })
        })
        .unwrap_or_else(|| panic!("no card for {:?}", &tip[..20]));
    let lines = card
        .descendants()
        .filter(|n| n.has_tag_name("text") && (n.attribute("font-weight") == Some("bold")) == bold)
        .map(|n| n.text().unwrap_or_default().to_owned())
        .filter(|t| t != "\u{2022}")
        .collect();
    let width = card
        .descendants()
        .find(|n| n.has_tag_name("rect"))
        .and_then(|r| r.attribute("width"))
        .map(|w| w.parse().unwrap());
    (lines, width)
}

/// Wrapped lines cut with `…`: all but the last are full lines, and together (without
/// the ellipsis) they are the start of `text` after whitespace is collapsed.
fn shown_text(lines: &[String]) -> String {
    let (last, full) = lines.split_last().unwrap();
    let mut shown = full.join(" ");
    let last = last.strip_suffix('…').unwrap();
    if !shown.is_empty() && !last.is_empty() {
        shown.push(' ');
    }
    shown.push_str(last);
    shown
}

#[test]
fn sixty_four_kib_touchpoint_name_wraps_with_every_character_in_order() {
    use cjm_core::render::text_width;
    let name = sixty_four_kib_word();
    let mut doc: serde_json::Value = serde_json::from_str(render_common::SMALL_MAP).unwrap();
    doc["touchpoints"][0]["name"] = name.clone().into();
    let j = cjm_core::load_from(doc).unwrap();
    let options = MapOptions {
        max_lines: u8::MAX,
        ..MapOptions::default()
    };
    let svg = journey_map_svg(&j, &options);
    parse("64 KiB name", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let (lines, card_w) = card_lines(&doc, &name, true);
    let card_w = card_w.unwrap();
    assert_eq!(lines.len(), 255);
    // The lines are consecutive pieces of the name (no space to join them at).
    let (last, full) = lines.split_last().unwrap();
    let shown = format!("{}{}", full.concat(), last.strip_suffix('…').unwrap());
    assert!(name.starts_with(&shown));
    assert!(shown.len() > 255 * 10);
    // Each line fits in its card, and is as long as it can be: the widest line is
    // narrower than the narrowest line with the next character of the name added.
    let mut widest = 0.0f64;
    let mut narrowest_plus_one = f64::INFINITY;
    let mut rest = name.as_str();
    for line in full {
        let w = text_width(line, 12.0, true);
        assert!(w <= card_w, "{line}: {w} > {card_w}");
        widest = widest.max(w);
        rest = rest.strip_prefix(line.as_str()).unwrap();
        let next = rest.chars().next().unwrap();
        narrowest_plus_one =
            narrowest_plus_one.min(text_width(&format!("{line}{next}"), 12.0, true));
    }
    assert!(widest < narrowest_plus_one, "{widest} {narrowest_plus_one}");
    // The full name stays as the tooltip.
    assert!(svg.contains(&format!("<title>{name}</title>")));

    // The report draws the same map (without the title block).
    let html = html_report(
        &j,
        &ReportOptions {
            map: options,
            ..ReportOptions::default()
        },
    );
    for line in &lines {
        assert!(html.contains(&format!(">{line}</text>")));
    }
}

#[test]
fn document_of_long_texts_renders_cut_texts() {
    use cjm_core::render::text_width;
    let word = sixty_four_kib_word();
    let mut words = String::new();
    let mut k = 0;
    while words.len() < 64 * 1024 - 40 {
        words.extend(
            "wordsmithing"
                .chars()
                .cycle()
                .take([3, 7, 1, 12, 5, 30, 2, 9][k % 8]),
        );
        words.push(' ');
        k += 1;
    }
    let words = words.trim_end().to_owned();
    let action = format!("act {words}");
    let mut doc = serde_json::to_value(
        cjm_core::templates::load("b2c-ecommerce")
            .unwrap()
            .journey(),
    )
    .unwrap();
    doc["name"] = word.clone().into();
    doc["description"] = words.clone().into();
    for tp in doc["touchpoints"].as_array_mut().unwrap() {
        tp["name"] = word.clone().into();
    }
    let mut long_items = 0;
    for o in doc["observations"].as_array_mut().unwrap() {
        for item in o["actions"].as_array_mut().into_iter().flatten() {
            if long_items < 10 {
                *item = action.clone().into();
                long_items += 1;
            }
        }
    }
    assert_eq!(long_items, 10);
    let text = doc.to_string();
    assert!(text.len() > 2_200_000, "{}", text.len());
    let j = cjm_core::load_str(&text).unwrap();
    let svg = journey_map_svg(&j, &MapOptions::default());
    let parsed = roxmltree::Document::parse(&svg).unwrap();
    let picture_w: f64 = parsed
        .root_element()
        .attribute("width")
        .unwrap()
        .parse()
        .unwrap();
    // No line is wider than the picture (size and weight as drawn).
    for node in parsed.descendants().filter(|n| n.has_tag_name("text")) {
        let size: f64 = node.attribute("font-size").unwrap().parse().unwrap();
        let bold = node.attribute("font-weight") == Some("bold");
        let w = text_width(node.text().unwrap_or_default(), size, bold);
        assert!(w <= picture_w, "{w} > {picture_w}");
    }
    // Every touchpoint card: three lines of the name, cut with `…`.
    let (lines, card_w) = card_lines(&parsed, &word, true);
    let card_w = card_w.unwrap();
    assert_eq!(lines.len(), 3);
    assert!(word.starts_with(&format!(
        "{}{}",
        lines[..2].concat(),
        lines[2].strip_suffix('…').unwrap()
    )));
    assert!(lines.iter().all(|l| text_width(l, 12.0, true) <= card_w));
    let cards = svg.matches(&format!("<title>{word}")).count();
    assert_eq!(cards, j.journey().touchpoints.len());
    // The description (title block) and the long actions: three lines each, whole
    // words from the start of the text.
    let (lines, _) = card_lines(&parsed, &words, false);
    assert_eq!(lines.len(), 3);
    assert!(words.starts_with(&shown_text(&lines)));
    let (lines, _) = card_lines(&parsed, &action, false);
    assert_eq!(lines.len(), 3);
    assert!(action.starts_with(&shown_text(&lines)));

    let html = html_report(&j, &ReportOptions::default());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(&format!(">{}</text>", lines[0])));
}

#[test]
fn four_thousand_identical_mermaid_tasks_get_numbered_ids() {
    let mut text = "journey\n  title Same again\n  section Shop\n".to_owned();
    for _ in 0..4_000 {
        text.push_str("    Same: 5\n");
    }
    assert!(text.len() > 40_000);
    let (j, notes) = from_mermaid(&text).unwrap();
    assert_eq!(j.touchpoints.len(), 4_000);
    assert_eq!(j.personas.len(), 1);
    assert_eq!(j.personas[0].id, "customer");
    assert_eq!(j.observations.len(), 4_000);
    for (i, (tp, obs)) in j.touchpoints.iter().zip(&j.observations).enumerate() {
        let (tp_id, obs_id) = if i == 0 {
            ("same".to_owned(), "obs-customer-same".to_owned())
        } else {
            (
                format!("same-{}", i + 1),
                format!("obs-customer-same-{}", i + 1),
            )
        };
        assert_eq!(tp.id, tp_id);
        assert_eq!(tp.name, "Same");
        assert_eq!(tp.stage, "shop");
        assert_eq!(obs.id, obs_id);
        assert_eq!(obs.touchpoint.as_deref(), Some(tp_id.as_str()));
        assert_eq!(obs.persona, "customer");
    }
    // One note: the invented persona, at the first task (line 4).
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0].line, Some(4));
}

#[test]
fn identical_long_mermaid_task_names_get_numbered_ids() {
    // Names longer than an id (60 characters) with two actors: the observation ids of
    // one persona (`obs-me-` and the task id) are cut to one base and numbered too.
    let name = "L".repeat(70);
    let mut text = "journey\n  title Long\n  section Shop\n".to_owned();
    for _ in 0..1_000 {
        text.push_str(&format!("    {name}: 2: Me, Cat\n"));
    }
    let (j, notes) = from_mermaid(&text).unwrap();
    assert!(notes.is_empty(), "{notes:?}");
    let ids: Vec<&str> = j.personas.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["me", "cat"]);
    let tp_base = "l".repeat(60);
    let me_base = format!("obs-me-{}", "l".repeat(53));
    let cat_base = format!("obs-cat-{}", "l".repeat(52));
    assert_eq!(j.touchpoints.len(), 1_000);
    assert_eq!(j.observations.len(), 2_000);
    for (i, tp) in j.touchpoints.iter().enumerate() {
        let suffix = if i == 0 {
            String::new()
        } else {
            format!("-{}", i + 1)
        };
        assert_eq!(tp.id, format!("{tp_base}{suffix}"));
        assert_eq!(tp.name, name);
        let me = &j.observations[2 * i];
        let cat = &j.observations[2 * i + 1];
        assert_eq!(me.id, format!("{me_base}{suffix}"));
        assert_eq!(cat.id, format!("{cat_base}{suffix}"));
        assert_eq!(me.touchpoint.as_deref(), Some(tp.id.as_str()));
        assert_eq!((me.persona.as_str(), cat.persona.as_str()), ("me", "cat"));
    }
}

/// Exit nodes by hand. Four customers, first three events each: c1 a b c, c2 a b, c3 a,
/// c4 a c. Flows: step 1 a (4); step 2 b (2), c (1); step 3 c (1); links a→b 2, a→c 1,
/// b→c 1. Exits: after a 4 − 3 = 1 (c3) into step 2's `(exit)`; after b 2 − 1 = 1 (c2)
/// and after c 1 − 0 = 1 (c4) into step 3's. Colours: one per label in every column
/// (`c`, in steps 2 and 3, keeps its colour), exits grey.
#[test]
fn flow_chart_exits_and_colours_by_hand() {
    use cjm_core::events::{EventLog, FlowOptions, IngestOptions, RawEvent};
    use cjm_core::render::flow_chart;
    let rows = [
        ("c1", 1, "a"),
        ("c1", 2, "b"),
        ("c1", 3, "c"),
        ("c2", 1, "a"),
        ("c2", 2, "b"),
        ("c3", 1, "a"),
        ("c4", 1, "a"),
        ("c4", 2, "c"),
    ];
    let (log, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e)| RawEvent::new(c, t, e)),
        IngestOptions::default(),
    )
    .unwrap();
    let flows = log
        .flows(&FlowOptions {
            steps: 3,
            min_share: 0.0,
            collapse_repeats: true,
            ..FlowOptions::default()
        })
        .unwrap();
    let chart = flow_chart(&flows, None);
    let nodes: Vec<(&str, &str, u32)> = chart
        .nodes
        .iter()
        .map(|n| (n.id.as_str(), n.label.as_str(), n.column))
        .collect();
    assert_eq!(
        nodes,
        [
            ("0:a", "a", 0),
            ("1:b", "b", 1),
            ("1:c", "c", 1),
            ("exit:1", "(exit)", 1),
            ("2:c", "c", 2),
            ("exit:2", "(exit)", 2),
        ]
    );
    let links: Vec<(&str, &str, f64)> = chart
        .links
        .iter()
        .map(|l| (l.source.as_str(), l.target.as_str(), l.value))
        .collect();
    assert_eq!(
        links,
        [
            ("0:a", "1:b", 2.0),
            ("0:a", "1:c", 1.0),
            ("1:b", "2:c", 1.0),
            ("0:a", "exit:1", 1.0),
            ("1:b", "exit:2", 1.0),
            ("1:c", "exit:2", 1.0),
        ]
    );
    let svg = flow_svg(&chart);
    parse("exits", &svg);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    // Node bars are the 14 px wide rectangles, in node order.
    let fills: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") && n.attribute("width") == Some("14"))
        .map(|n| n.attribute("fill").unwrap())
        .collect();
    assert_eq!(fills.len(), 6);
    assert_eq!(fills[2], fills[4], "`c` has one colour in steps 2 and 3");
    assert_ne!(fills[1], fills[2], "`b` and `c` differ");
    assert_eq!((fills[3], fills[5]), (palette::MUTED, palette::MUTED));
    assert!(svg.contains(">(exit) (2)</text>"), "step 3's exit holds 2");
}

/// The directly-follows picture by hand. Three customers (integer timestamps are
/// milliseconds): c1 a@0 b@60 s c@180 s; c2 a@0 b@120 s; c3 a@0 c@30 s.
/// Edges: START→a 3; a→b 2, gaps 60 s and 120 s, median (60 + 120)/2 = 90 s, written
/// "2 min" (1.5 min rounds half away from zero); a→c 1 (30 s); b→c 1 (120 s = 2 min).
/// Ends: c is the last event of c1 and c3 (2), b of c2 (1). With `min_share` 0.5, a→c
/// (1 of a's 3 transitions) is folded into a's box; b→c is b's commonest non-END edge.
#[test]
fn directly_follows_picture_by_hand() {
    use cjm_core::events::{EventLog, IngestOptions, RawEvent};
    use cjm_core::render::{directly_follows_svg, DfgChartOptions};
    let rows = [
        ("c1", 0, "a"),
        ("c1", 60_000, "b"),
        ("c1", 180_000, "c"),
        ("c2", 0, "a"),
        ("c2", 120_000, "b"),
        ("c3", 0, "a"),
        ("c3", 30_000, "c"),
    ];
    let (log, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e)| RawEvent::new(c, t, e)),
        IngestOptions::default(),
    )
    .unwrap();
    let texts = |svg: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(svg).unwrap();
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").replace('\u{a0}', " "))
            .collect()
    };
    let svg = directly_follows_svg(&log, &DfgChartOptions::default()).unwrap();
    parse("dfg", &svg);
    let t = texts(&svg);
    for expected in [
        "3",
        "2 · 2 min",
        "1 · 30 s",
        "1 · 2 min",
        "2 end here",
        "1 end here",
        "3 customers",
    ] {
        assert!(t.iter().any(|x| x == expected), "{expected} in {t:?}");
    }
    assert!(
        !svg.contains(">END<"),
        "END is written in the boxes, not drawn"
    );
    let folded = directly_follows_svg(
        &log,
        &DfgChartOptions {
            min_share: 0.5,
            ..DfgChartOptions::default()
        },
    )
    .unwrap();
    let t = texts(&folded);
    assert!(t.iter().any(|x| x == "+1 to 1 other"), "{t:?}");
    assert!(!t.iter().any(|x| x == "1 · 30 s"), "{t:?}");
    let err = directly_follows_svg(
        &log,
        &DfgChartOptions {
            min_share: 1.5,
            ..DfgChartOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_option");
}

/// Mermaid scores from survey answers by hand, on the small map. CSAT (1–5, method
/// `mean`) per touchpoint and persona: landing × ana 5, 5 (mean 5: e' = 2·(5 − 1)/4 − 1
/// = 1, score round(2·2) + 1 = 5); landing × ben 1, 2 (mean 1.5: e' = −0.75, score
/// round(0.5) + 1 = 2, half away from zero); signup × ana 3 (e' = 0, score 3), and ben,
/// who has no signup group, takes the signup group of every segment (mean 3: score 3).
#[test]
fn mermaid_scores_each_touchpoint_from_its_survey_answers() {
    use cjm_core::render::to_mermaid_measured;
    use cjm_core::scoring::{survey_kpis, ScaleMethod, SurveyOptions, SurveyTable};
    let s = |v: &str| Some(v.to_owned());
    let table = SurveyTable {
        scope: vec![
            s("landing"),
            s("landing"),
            s("landing"),
            s("landing"),
            s("signup"),
        ],
        segment: vec![s("ana"), s("ana"), s("ben"), s("ben"), s("ana")],
        nps: None,
        csat: Some(vec![Some(5.0), Some(5.0), Some(1.0), Some(2.0), Some(3.0)]),
        ces: None,
    };
    let survey = survey_kpis(
        &table,
        &SurveyOptions {
            csat_method: ScaleMethod::Mean,
            min_group_size: 0,
            ..SurveyOptions::default()
        },
    )
    .unwrap();
    let j = small_map();
    let score = |text: &str, task: &str| -> String {
        tasks(text)
            .into_iter()
            .find(|(_, t, _)| t == task)
            .map(|(_, _, s)| s)
            .unwrap()
    };
    let ana = to_mermaid_measured(&j, Some("ana"), Some(&survey));
    assert_eq!(score(&ana.text, "Landing page"), "5");
    assert_eq!(score(&ana.text, "Sign-up form with far too many questions about taste, grind, roast level and delivery day"), "3");
    assert!(ana
        .dropped
        .iter()
        .any(|d| d.starts_with("2 tasks scored from measured survey answers")));
    let ben = to_mermaid_measured(&j, Some("ben"), Some(&survey));
    assert_eq!(score(&ben.text, "Landing page"), "2");
    // Without answers for a touchpoint, the map's emotions as before.
    assert_eq!(
        score(&ben.text, "Box arrives"),
        score(&to_mermaid(&j, Some("ben")).text, "Box arrives")
    );
}
