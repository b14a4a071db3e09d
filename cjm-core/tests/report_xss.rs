//! The HTML report against known SVG and HTML script-injection vectors
//! (`tests/fixtures/svg-xss-vectors.json`, the same list the Chromium check
//! `scripts/check-report-xss.mjs` loads): each ready-made SVG block is either left out with
//! a notice or written from the allow-listed tree, and the page carries a
//! Content-Security-Policy that forbids script.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::render::{
    emotion_curve_svg, funnel_svg, html_report, journey_map_svg, EmotionCurveOptions, FunnelChart,
    FunnelStep, MapOptions, ReportBlock, ReportOptions, ReportSection, SectionKind,
};

fn vectors() -> Vec<String> {
    serde_json::from_str(include_str!("fixtures/svg-xss-vectors.json")).unwrap()
}

fn report_with(svg: &str) -> String {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    html_report(
        &journey,
        &ReportOptions {
            sections: vec![ReportSection {
                kind: SectionKind::Other,
                title: "Picture".to_owned(),
                intro: None,
                blocks: vec![ReportBlock::Svg {
                    svg: svg.to_owned(),
                    caption: Some("caption".to_owned()),
                }],
                definitions: Vec::new(),
            }],
            ..ReportOptions::default()
        },
    )
}

/// The part of the page the SVG block went into.
fn block(html: &str) -> &str {
    let start = html.find("<section id=\"section-other-1\"").unwrap();
    let end = start + html[start..].find("</section>").unwrap();
    &html[start..end]
}

/// Lower case, without whitespace and control characters (what a URL parser ignores).
fn squeezed(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect()
}

fn event_handler(lower: &str) -> Option<&str> {
    // ` on<letters>=` or `/on<letters>=` as an attribute.
    let bytes = lower.as_bytes();
    for (i, w) in bytes.windows(3).enumerate() {
        if (w[0].is_ascii_whitespace() || w[0] == b'/') && w[1] == b'o' && w[2] == b'n' {
            let rest = &lower[i + 3..];
            let letters = rest.chars().take_while(char::is_ascii_alphabetic).count();
            if letters > 0 && rest[letters..].trim_start().starts_with('=') {
                return Some(&lower[i..(i + 3 + letters + 1).min(lower.len())]);
            }
        }
    }
    None
}

#[test]
fn the_four_payloads_of_issue_14_are_left_out() {
    for svg in vectors().iter().take(4) {
        let html = report_with(svg);
        let b = block(&html);
        assert!(
            b.contains("<p class=\"notice\">A picture was left out: "),
            "not refused: {svg}\n{b}"
        );
        assert!(!b.contains("<svg"), "{svg}\n{b}");
    }
}

#[test]
fn no_vector_leaves_script_in_the_page() {
    for svg in vectors() {
        let html = report_with(&svg);
        let b = block(&html);
        // The markup only: text is escaped, so a raw `<` always opens a tag and a raw `>`
        // always closes one.
        let tags: String = b
            .split('<')
            .skip(1)
            .map(|t| format!("<{}> ", t.split('>').next().unwrap()))
            .collect();
        let lower = tags
            .to_ascii_lowercase()
            .replace("<p class=\"notice\">", "");
        for banned in [
            "<script",
            "<img",
            "<iframe",
            "<foreignobject",
            "<image",
            "<animate",
            "<set",
            "<handler",
            "<noscript",
            "<template",
            "<math",
            "<p ",
            "<?",
            "<!",
            "<html",
        ] {
            assert!(
                !lower.contains(banned),
                "`{banned}` left in by {svg:?}:\n{b}"
            );
        }
        // Attribute names only: values are double-quoted, with `"` escaped inside.
        let names: String = lower.split('"').step_by(2).collect();
        assert_eq!(
            event_handler(&names),
            None,
            "event handler left in by {svg:?}:\n{b}"
        );
        let sq = squeezed(&tags);
        for scheme in ["javascript:", "vbscript:", "data:"] {
            assert!(!sq.contains(scheme), "`{scheme}` left in by {svg:?}:\n{b}");
        }
        // Everything in the block after the picture is the caption.
        if let Some(end) = b.rfind("</svg>") {
            let after = &b[end + "</svg>".len()..];
            assert_eq!(
                after.trim(),
                "</div>\n<figcaption>caption</figcaption>".trim(),
                "{svg:?}"
            );
        }
    }
}

#[test]
fn the_page_forbids_script_by_policy() {
    let html = report_with("<svg/>");
    let head = &html[..html.find("</head>").unwrap()];
    let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'none'; ";
    assert!(head.contains(csp), "{head}");
    // Before anything that could load or run.
    assert!(head.find(csp).unwrap() < head.find("<title>").unwrap());
}

#[test]
fn cjm_pictures_are_kept_unchanged() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let funnel = FunnelChart {
        title: Some("F <&> 'q'".to_owned()),
        steps: vec![
            FunnelStep {
                label: "a".to_owned(),
                customers: 10,
            },
            FunnelStep {
                label: "b \"x\"".to_owned(),
                customers: 4,
            },
        ],
        width: None,
    };
    for svg in [
        journey_map_svg(&journey, &MapOptions::default()),
        emotion_curve_svg(&journey, &EmotionCurveOptions::default()),
        funnel_svg(&funnel),
    ] {
        let html = report_with(&svg);
        assert!(
            html.contains(svg.trim_end()),
            "changed or left out:\n{}",
            block(&html)
        );
    }
}

#[test]
fn allowed_markup_round_trips_and_refusals_say_why() {
    let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)" style="stroke:url( '#g' )"/><a xlink:href=" #g "><text y="5">x</text></a><use href="#g"/></svg>"##;
    let b = block(&report_with(svg)).to_owned();
    assert!(!b.contains("notice"), "{b}");
    assert!(b.contains("<a href=\" #g \">"), "{b}");
    for (svg, why) in [
        ("<svg><script/></svg>", "element `script` is not allowed"),
        (
            "<svg onload=\"x\"/>",
            "attribute `onload` on `svg` is not allowed",
        ),
        (
            "<svg><a href=\"https://example.com/\"/></svg>",
            "points outside the picture",
        ),
        ("<svg/><svg/>", "not well-formed XML"),
        ("<html/>", "root element is not `svg`"),
    ] {
        let b = block(&report_with(svg)).to_owned();
        assert!(b.contains(why), "{svg}: {b}");
    }
}
