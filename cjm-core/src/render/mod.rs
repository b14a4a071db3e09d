//! Pictures (docs/pictures.md): the journey map, the emotion curve, funnel, flow
//! (Sankey), bar and line (trend) charts and the retention heat map as SVG; Mermaid `journey` export and import; one
//! self-contained HTML report.
//!
//! Every picture is a plain string built here, with no drawing dependency, and is
//! deterministic: the same input gives the same bytes (document order everywhere,
//! numbers with at most two decimals). Every user string goes through [`escape_xml`];
//! no picture contains JavaScript or fetches anything. Colour never carries meaning alone
//! (channel kinds have glyphs and labels, severities numbers, personas marker shapes and
//! names, KPI status words), and text colours meet WCAG AA contrast (see [`palette`]).
//!
//! ```
//! use cjm_core::render::{journey_map_svg, MapOptions};
//! let journey = cjm_core::templates::load("b2c-ecommerce")?;
//! let svg = journey_map_svg(&journey, &MapOptions::default());
//! assert!(svg.starts_with("<svg"));
//! # Ok::<(), cjm_core::Error>(())
//! ```

mod blocks;
mod charts;
pub mod dfg;
mod emotion;
mod health;
mod heatmap;
mod html;
mod lines;
mod map;
pub mod mermaid;
pub mod palette;
mod results;
mod sections;
mod svg;
mod svg_allow;
mod text;

pub use blocks::{
    DefinitionNote, ReportBlock, ReportLink, ReportSection, ReportTable, SectionKind,
};
pub use charts::{
    bar_chart_svg, flow_svg, funnel_svg, BarChart, BarLayout, BarSeries, FlowChart, FlowChartLink,
    FlowChartNode, FunnelChart, FunnelStep,
};
pub use dfg::{directly_follows_svg, DfgChartOptions, DfgDirection};
pub use emotion::{emotion_curve_svg, EmotionCurveOptions};
pub use health::{health_svg, COMPONENT_COLOURS};
pub use heatmap::{retention_heatmap_svg, RetentionChartOptions};
pub use html::{html_report, table_preview_html, ReportOptions, PREVIEW_ROWS};
pub use lines::{
    funnel_trends_chart, funnel_trends_svg, line_chart_svg, trends_chart, trends_svg, LineChart,
    LineSeries, LineValues, TrendsChartOptions, TrendsLines, TrendsMeasure, MAX_LINES,
};
pub use map::{journey_map_svg, Lane, MapOptions};
pub use mermaid::{
    from_mermaid, score_from_emotion, to_mermaid, to_mermaid_measured, MermaidExport, Note,
};
pub use results::{
    flow_chart, flows_svg, funnel_breakdown_chart, funnel_chart, funnel_result_svg,
    time_to_convert_chart, ChartOptions,
};
pub use sections::{
    attribution_chart, attribution_section, flows_section, funnel_section, health_section,
    insights_section, retention_section, survey_section, trends_section,
};
pub use text::{escape_xml, text_width, wrap_text, Wrapped};
