//! Writes HTML reports for the Chromium check of the report's script defences
//! (`scripts/check-report-xss.mjs`, run by `make test`): one report per known SVG/HTML
//! injection vector in `tests/fixtures/svg-xss-vectors.json`, each also without its
//! Content-Security-Policy (so that the SVG allow-list is checked on its own), and one
//! ordinary report with cjm's own pictures as SVG blocks and a definition footnote.
//!
//! `cargo run -p cjm-core --example report_xss -- out/report-xss`

use cjm_core::render::{
    funnel_svg, html_report, DefinitionNote, FunnelChart, FunnelStep, ReportBlock, ReportOptions,
    ReportSection, SectionKind,
};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "report-xss".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let vectors: Vec<String> =
        serde_json::from_str(include_str!("../tests/fixtures/svg-xss-vectors.json"))?;
    // A one-stage map, so that each page loads fast.
    let journey = cjm_core::load_str(
        r#"{"schema_version": 1, "id": "x", "name": "XSS check",
            "stages": [{"id": "s", "name": "Stage"}]}"#,
    )?;
    let report = |blocks: Vec<ReportBlock>, definitions: Vec<DefinitionNote>| {
        html_report(
            &journey,
            &ReportOptions {
                emotion_curve: false,
                summary: false,
                sections: vec![ReportSection {
                    kind: SectionKind::Other,
                    title: "Pictures".to_owned(),
                    intro: None,
                    blocks,
                    definitions,
                }],
                ..ReportOptions::default()
            },
        )
    };
    let csp_start = "<meta http-equiv=\"Content-Security-Policy\"";
    for (i, svg) in vectors.iter().enumerate() {
        let html = report(
            vec![ReportBlock::Svg {
                svg: svg.clone(),
                caption: None,
            }],
            Vec::new(),
        );
        // (A report without a policy is written as it is: the check then fails on it.)
        let without = match html.find(csp_start) {
            Some(start) => {
                let end = html[start..].find(">\n").map_or(start, |e| start + e + 2);
                format!("{}{}", &html[..start], &html[end..])
            }
            None => html.clone(),
        };
        std::fs::write(dir.join(format!("vector-{:02}.html", i + 1)), &html)?;
        std::fs::write(dir.join(format!("vector-{:02}-nocsp.html", i + 1)), without)?;
    }
    let funnel = FunnelChart {
        title: Some("Checkout".to_owned()),
        steps: [("View", 100), ("Cart", 40), ("Buy", 12)]
            .into_iter()
            .map(|(label, customers)| FunnelStep {
                label: label.to_owned(),
                customers,
            })
            .collect(),
        width: None,
    };
    // With a definition footnote, whose link the check follows.
    let html = report(
        vec![
            ReportBlock::Funnel(funnel.clone()),
            ReportBlock::Svg {
                svg: funnel_svg(&funnel),
                caption: Some("The same funnel as a ready-made SVG block.".to_owned()),
            },
        ],
        vec![DefinitionNote {
            label: Some("Checkout".to_owned()),
            kind: "funnel".to_owned(),
            hash: "0123456789ab".to_owned(),
        }],
    );
    std::fs::write(dir.join("ordinary.html"), html)?;
    println!(
        "wrote {} reports to {}",
        2 * vectors.len() + 1,
        dir.display()
    );
    Ok(())
}
