//! Renders the B2C e-commerce template's pictures into a directory: the journey map, the
//! emotion curve, sample funnel, flow and bar charts, the line charts of trends of a
//! synthetic log (SVG), the Mermaid export and the
//! HTML report with those charts as extra sections.
//!
//! `cargo run -p cjm-core --example render -- /tmp/cjm-pictures`

use cjm_core::render::{
    self, BarChart, BarSeries, FlowChart, FlowChartLink, FlowChartNode, FunnelChart, FunnelStep,
    ReportBlock, ReportOptions, ReportSection, SectionKind,
};
use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "cjm-pictures".to_owned()),
    );
    std::fs::create_dir_all(&dir)?;
    let journey = cjm_core::templates::load("b2c-ecommerce")?;

    // Sample analytics results; in real use they come from an event log.
    let funnel = FunnelChart {
        title: Some("Checkout funnel (sample figures)".to_owned()),
        steps: [
            ("View product", 18_450),
            ("Add to cart", 5_120),
            ("Begin checkout", 2_730),
            ("Add payment info", 1_650),
            ("Purchase", 1_148),
        ]
        .into_iter()
        .map(|(label, customers)| FunnelStep {
            label: label.to_owned(),
            customers,
        })
        .collect(),
        width: None,
    };
    let node = |id: &str, label: &str, column| FlowChartNode {
        id: id.to_owned(),
        label: label.to_owned(),
        column,
    };
    let link = |source: &str, target: &str, value| FlowChartLink {
        source: source.to_owned(),
        target: target.to_owned(),
        value,
    };
    let flow = FlowChart {
        title: Some("First three steps (sample figures)".to_owned()),
        columns: vec!["Step 1".into(), "Step 2".into(), "Step 3".into()],
        nodes: vec![
            node("ad", "Ad click", 0),
            node("search", "Organic search", 0),
            node("social", "Social post", 0),
            node("pdp", "Product page", 1),
            node("listing", "Category page", 1),
            node("cart", "Add to cart", 2),
            node("exit", "Exit", 2),
            node("other", "Other", 2),
        ],
        links: vec![
            link("ad", "pdp", 420.0),
            link("ad", "listing", 180.0),
            link("search", "listing", 350.0),
            link("search", "pdp", 150.0),
            link("social", "pdp", 120.0),
            link("pdp", "cart", 260.0),
            link("pdp", "exit", 330.0),
            link("pdp", "other", 100.0),
            link("listing", "pdp", 0.0),
            link("listing", "exit", 310.0),
            link("listing", "other", 220.0),
        ],
        width: None,
        height: None,
    };
    let bars = BarChart {
        title: Some("Conversions credited per channel (sample figures)".to_owned()),
        groups: vec![
            "Paid ads".into(),
            "Organic search".into(),
            "Social media".into(),
            "Email".into(),
        ],
        series: vec![
            BarSeries {
                name: "Last touch".into(),
                values: vec![Some(410.0), Some(260.0), Some(90.0), Some(388.0)],
            },
            BarSeries {
                name: "Linear".into(),
                values: vec![Some(352.5), Some(301.0), Some(170.5), Some(324.0)],
            },
            BarSeries {
                name: "Markov".into(),
                values: vec![Some(371.2), Some(318.9), Some(141.3), Some(316.6)],
            },
        ],
        unit: Some("conversions".to_owned()),
        width: None,
        layout: cjm_core::render::BarLayout::Panels,
    };
    // Trends of a synthetic log (events::synth, 3,000 customers over about two months):
    // unique customers per week and event, and the checkout funnel's weekly conversion.
    let (log, _) = cjm_core::events::synth::generate_log(&cjm_core::events::synth::SynthOptions {
        customers: 3_000,
        ..cjm_core::events::synth::SynthOptions::default()
    });
    let weekly = log.trends(&cjm_core::events::TrendsOptions {
        period: cjm_core::events::RetentionPeriod::Week,
        ..cjm_core::events::TrendsOptions::default()
    })?;
    let trends = render::trends_chart(
        &weekly,
        &render::TrendsChartOptions {
            measure: render::TrendsMeasure::Customers,
            ..render::TrendsChartOptions::default()
        },
    )?;
    let daily = log.trends(&cjm_core::events::TrendsOptions {
        events: Some(vec!["purchase".into(), "add_to_cart".into()]),
        breakdown: Some("channel".into()),
        ..cjm_core::events::TrendsOptions::default()
    })?;
    let daily_chart = render::trends_chart(
        &daily,
        &render::TrendsChartOptions {
            by: render::TrendsLines::Breakdown,
            ..render::TrendsChartOptions::default()
        },
    )?;
    let checkout = cjm_core::events::Funnel::events(&["view_item", "add_to_cart", "purchase"])
        .trends(
            &log,
            None,
            &cjm_core::events::FunnelTrendsOptions {
                period: cjm_core::events::RetentionPeriod::Week,
                ..cjm_core::events::FunnelTrendsOptions::default()
            },
        )?;
    let conversion =
        render::funnel_trends_chart(&checkout, &render::TrendsChartOptions::default())?;
    let mermaid = render::to_mermaid(&journey, None);
    let report = ReportOptions {
        sections: vec![
            ReportSection {
                kind: SectionKind::Funnel,
                title: "Checkout funnel".into(),
                intro: Some("Unique customers per step, sequential order, 7-day window.".into()),
                blocks: vec![ReportBlock::Funnel(funnel.clone())],
                definitions: Vec::new(),
            },
            ReportSection {
                kind: SectionKind::Flows,
                title: "Paths".into(),
                intro: None,
                blocks: vec![ReportBlock::Flow(flow.clone())],
                definitions: Vec::new(),
            },
            ReportSection {
                kind: SectionKind::Attribution,
                title: "Attribution".into(),
                intro: None,
                blocks: vec![ReportBlock::Bars(bars.clone())],
                definitions: Vec::new(),
            },
        ],
        ..ReportOptions::default()
    };
    let files = [
        (
            "b2c-map.svg",
            render::journey_map_svg(&journey, &render::MapOptions::default()),
        ),
        (
            "b2c-emotion.svg",
            render::emotion_curve_svg(&journey, &render::EmotionCurveOptions::default()),
        ),
        (
            "b2c-health.svg",
            render::health_svg(
                &cjm_core::scoring::health(
                    &journey,
                    &cjm_core::scoring::ScoringModel::default(),
                    &cjm_core::scoring::HealthInputs::default(),
                )?,
                &journey,
            ),
        ),
        ("funnel.svg", render::funnel_svg(&funnel)),
        ("flow.svg", render::flow_svg(&flow)),
        ("bars.svg", render::bar_chart_svg(&bars)),
        ("trends.svg", render::line_chart_svg(&trends)),
        ("trends-daily.svg", render::line_chart_svg(&daily_chart)),
        ("funnel-trends.svg", render::line_chart_svg(&conversion)),
        ("b2c.mmd", mermaid.text),
        ("b2c-report.html", render::html_report(&journey, &report)),
    ];
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::write(&path, content)?;
        println!("wrote {}", path.display());
    }
    for note in mermaid.dropped {
        println!("mermaid export left out: {note}");
    }
    Ok(())
}
