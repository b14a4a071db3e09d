//! One self-contained HTML page: inline SVG and CSS, no JavaScript, no external fetches,
//! a print style sheet.

use super::blocks::{DefinitionNote, ReportBlock, ReportSection};
use super::charts::{bar_chart_svg, flow_svg, funnel_svg};
use super::emotion::{emotion_curve_svg, persona_styles, selected_curves, EmotionCurveOptions};
use super::map::{kpi_status, kpi_value, MapOptions};
use super::svg_allow::allow_listed_svg;
use super::text::{count, escape_xml, percent, signed};
use crate::model::JourneyState;
use crate::scoring::MeasuredKpis;
use crate::tables::Tabular;
use crate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Options of [`html_report`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReportOptions {
    /// Page title; the journey name when absent.
    pub title: Option<String>,
    /// How to draw the journey map (by default without its own title block, which the
    /// page header already gives).
    pub map: MapOptions,
    /// Whether to include the emotion curve on its own.
    pub emotion_curve: bool,
    /// Whether to include the summary tables (counts, stages, pain points,
    /// opportunities, KPIs).
    pub summary: bool,
    /// Further sections of the caller's own, in order, after the sections the core builds
    /// from `health`, `insights`, `funnel`, `flows` and `attribution` and before `trends`
    /// and `retention`.
    pub sections: Vec<ReportSection>,
    /// A line at the foot of the page (a generation note, say); the report itself reads no
    /// clock, so that the same input gives the same page.
    pub footer: Option<String>,
    /// The KPIs measured from the data (`measure_kpis`): with them the page opens with an
    /// "At a glance" summary (data period, customers, KPIs measured against target, the
    /// largest loss between stages), and the KPI table and the map's KPI cards show the
    /// measured values beside the designed ones and judge each KPI on its measured value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<MeasuredKpis>,
    /// Survey KPIs (`survey_kpis`): a "Survey" section ([`super::survey_section`]) after
    /// the summary, first of the sections.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey: Option<crate::scoring::SurveyReport>,
    /// A health report (`health`): a "Health" section ([`super::health_section`]) after
    /// the survey, before the insights.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<crate::scoring::HealthReport>,
    /// Map findings (`insights`): an "Insights" section ([`super::insights_section`]) after
    /// the health, before the funnel.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insights: Option<crate::insights::InsightReport>,
    /// A funnel (`funnel` or `stage_funnel`): a "Funnel" section
    /// ([`super::funnel_section`], steps named after the map's touchpoints and stages)
    /// after the insights, before the flows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub funnel: Option<crate::events::FunnelResult>,
    /// Flows (`flows`): a "Flows" section ([`super::flows_section`]) after the funnel,
    /// before the attribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flows: Option<crate::events::Flows>,
    /// Attribution results (`attribution`): an "Attribution" section
    /// ([`super::attribution_section`]) after the flows, before `sections`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<crate::attribution::Attribution>,
    /// Event trends: a "Trends" section ([`super::trends_section`]) after `sections`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trends: Option<crate::events::TrendsResult>,
    /// A retention table: a "Retention" section ([`super::retention_section`]) after
    /// `sections` (and the trends).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<crate::events::RetentionResult>,
}

impl Default for ReportOptions {
    fn default() -> Self {
        Self {
            title: None,
            map: MapOptions {
                title: false,
                ..MapOptions::default()
            },
            emotion_curve: true,
            summary: true,
            sections: Vec::new(),
            footer: None,
            measured: None,
            survey: None,
            health: None,
            insights: None,
            funnel: None,
            flows: None,
            attribution: None,
            trends: None,
            retention: None,
        }
    }
}

const CSS: &str = "\
:root{color-scheme:light}\
body{margin:0;background:#ffffff;color:#1f2328;font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}\
main{max-width:1520px;margin:0 auto;padding:24px}\
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d1d9e0;padding-bottom:4px}h3{font-size:16px;margin:20px 0 6px}\
.meta{color:#59636e;margin:0 0 8px}\
nav ul{list-style:none;padding:0;margin:12px 0;display:flex;flex-wrap:wrap;gap:4px 16px}\
a{color:#0550ae}\
.figure{overflow-x:auto;border:1px solid #d1d9e0;margin:8px 0}\
.figure svg{display:block}\
figcaption{color:#59636e;font-size:13px;margin:4px 0 12px}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:14px}\
caption{text-align:left;font-weight:bold;padding:4px 0}\
th,td{border:1px solid #d1d9e0;padding:4px 8px;text-align:left;vertical-align:top}\
th{background:#f6f8fa}\
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
.good{color:#116329;font-weight:bold}.bad{color:#a40e26;font-weight:bold}\
.notice{border-left:4px solid #a40e26;padding:4px 8px;background:#fff5f5}\
footer{color:#59636e;font-size:13px;margin-top:32px}\
sup.note a{text-decoration:none;padding:0 2px}\
ol.notes{font-size:13px;color:#59636e}ol.notes code{color:#1f2328}\
:target{scroll-margin-top:16px}li:target{background:#fff8c5}\
g:target>rect:first-of-type{stroke:#0969da;stroke-width:4px}\
g:target:not(:has(>rect))>text{text-decoration:underline;text-decoration-thickness:2px}\
@media print{@page{size:A3 landscape;margin:10mm}nav{display:none}main{max-width:none;padding:0}\
.figure{overflow:visible;border:0}.figure svg{max-width:100%;height:auto}\
section,table,figure{break-inside:avoid-page}h2,h3{break-after:avoid}a{color:inherit;text-decoration:none}}";

/// The page's Content-Security-Policy: no script of any kind, no fetches; inline styles
/// (the page's own `<style>` and SVG `style` attributes) and `data:` images only.
pub(crate) const CSP: &str = "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; base-uri 'none'; form-action 'none'";

/// Renders one self-contained HTML page for a journey: a title block, the journey map,
/// the emotion curve, summary tables, then the extra sections of `options`. Inline SVG and
/// CSS only: no JavaScript, no external fetches, and a Content-Security-Policy `<meta>`
/// that forbids both; a print style sheet lays it out on A3
/// landscape. Every user string is escaped; the same input gives the same bytes.
#[must_use]
pub fn html_report(journey: &ValidJourney, options: &ReportOptions) -> String {
    let j = journey.journey();
    let title = options.title.clone().unwrap_or_else(|| j.name.clone());
    let mut toc: Vec<(String, String)> = Vec::new();
    if options.measured.is_some() {
        toc.push(("glance".to_owned(), "At a glance".to_owned()));
    }
    toc.push(("map".to_owned(), "Journey map".to_owned()));
    if options.emotion_curve {
        toc.push(("emotion".to_owned(), "Emotion curve".to_owned()));
    }
    if options.summary {
        toc.push(("summary".to_owned(), "Summary".to_owned()));
    }
    let mut map = options.map.clone();
    if let Some(m) = &options.measured {
        if map.measured.is_empty() {
            map.measured = m.values();
        }
    }
    // The map carries anchors on its items, which the insights link to when drawn.
    let map_svg = super::map::journey_map_svg_anchored(journey, &map);
    let drawn = |id: &str| map_svg.contains(&format!("<g id=\"{}\">", escape_xml(id)));
    // The sections the core builds from results given as options, in their one order
    // (written here only): survey, health, insights, funnel, flows, attribution, then the
    // caller's sections, then trends and retention.
    let built: Vec<ReportSection> = options
        .survey
        .iter()
        .map(|s| super::sections::survey_section(s, journey))
        .chain(
            options
                .health
                .iter()
                .map(|r| super::sections::health_section(r, journey)),
        )
        .chain(
            options
                .insights
                .iter()
                .map(|r| super::sections::insights_section_linked(r, journey, &drawn)),
        )
        .chain(
            options
                .funnel
                .iter()
                .map(|f| super::sections::funnel_section(f, Some(journey))),
        )
        .chain(options.flows.iter().map(super::sections::flows_section))
        .chain(
            options
                .attribution
                .iter()
                .map(super::sections::attribution_section),
        )
        .chain(options.sections.iter().cloned())
        .chain(options.trends.iter().map(super::sections::trends_section))
        .chain(
            options
                .retention
                .iter()
                .map(super::sections::retention_section),
        )
        .collect();
    let sections = &built;
    let section_ids: Vec<String> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| format!("section-{}-{}", s.kind.as_str(), i + 1))
        .collect();
    for (s, id) in sections.iter().zip(&section_ids) {
        toc.push((id.clone(), s.title.clone()));
    }
    if sections.iter().any(|s| !s.definitions.is_empty()) {
        toc.push(("definitions".to_owned(), "Definitions".to_owned()));
    }

    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"cjm {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        escape_xml(&title)
    );
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape_xml(&title));
    let state = match j.state {
        JourneyState::AsIs => "As-is map",
        JourneyState::ToBe => "To-be map",
    };
    let mut meta = format!("{state} \u{b7} id <code>{}</code>", escape_xml(&j.id));
    if let Some(review) = &j.review {
        if let Some(date) = &review.last_reviewed {
            let _ = write!(meta, " \u{b7} last reviewed {}", escape_xml(date));
        }
        if let Some(owner) = &review.owner {
            let _ = write!(meta, " by {}", escape_xml(owner));
        }
    }
    let _ = writeln!(h, "<p class=\"meta\">{meta}</p>");
    if let Some(desc) = &j.description {
        let _ = writeln!(h, "<p>{}</p>", escape_xml(desc));
    }
    h.push_str("<nav aria-label=\"Contents\"><ul>");
    for (id, label) in &toc {
        let _ = write!(h, "<li><a href=\"#{id}\">{}</a></li>", escape_xml(label));
    }
    h.push_str("</ul></nav>\n</header>\n");

    if let Some(m) = &options.measured {
        at_a_glance(&mut h, journey, m);
    }
    let _ = writeln!(
        h,
        "<section id=\"map\">\n<h2>Journey map</h2>\n<div class=\"figure\">{}</div>\n</section>",
        map_svg.trim_end()
    );
    if options.emotion_curve {
        let curve = emotion_curve_svg(
            journey,
            &EmotionCurveOptions {
                personas: options.map.personas.clone(),
                width: 1000,
                title: false,
            },
        );
        let _ = writeln!(
            h,
            "<section id=\"emotion\">\n<h2>Emotion curve</h2>\n<div class=\"figure\">{}</div>\n<figcaption>Emotion normalised to \u{2212}1..+1 per stage (mean of the observations); low and high points are ringed.</figcaption>\n</section>",
            curve.trim_end()
        );
    }
    if options.summary {
        h.push_str("<section id=\"summary\">\n<h2>Summary</h2>\n");
        summary_tables(&mut h, journey, options);
        h.push_str("</section>\n");
    }
    let mut notes: Vec<(&DefinitionNote, &String)> = Vec::new();
    for (section, id) in sections.iter().zip(&section_ids) {
        let _ = writeln!(
            h,
            "<section id=\"{id}\" class=\"{}\">\n<h2>{}</h2>",
            section.kind.as_str(),
            escape_xml(&section.title)
        );
        // The marks of its definitions' footnotes, numbered through the page.
        let mut marks = String::new();
        for note in &section.definitions {
            notes.push((note, &section.title));
            let n = notes.len();
            let _ = write!(
                marks,
                "<sup class=\"note\"><a id=\"note-ref-{n}\" href=\"#note-{n}\" title=\"definition {}\">{n}</a></sup>",
                escape_xml(&note.hash)
            );
        }
        match &section.intro {
            Some(intro) => {
                let _ = writeln!(h, "<p>{}{marks}</p>", escape_xml(intro));
            }
            None if !marks.is_empty() => {
                let _ = writeln!(h, "<p>Definition{marks}</p>");
            }
            None => {}
        }
        for block in &section.blocks {
            render_block(&mut h, block);
        }
        h.push_str("</section>\n");
    }
    if !notes.is_empty() {
        h.push_str("<section id=\"definitions\">\n<h2>Definitions</h2>\n<p class=\"meta\">Every result above is computed by a definition: its kind and every option that can change a number. The hash is a digest of it, so two results with the same hash were computed the same way.</p>\n<ol class=\"notes\">");
        for (n, (note, title)) in notes.iter().enumerate() {
            let n = n + 1;
            let _ = write!(
                h,
                "<li id=\"note-{n}\">{}: <code>{}</code> <code>{}</code> <a href=\"#note-ref-{n}\" aria-label=\"back to the text\">\u{21a9}</a></li>",
                escape_xml(note.label.as_deref().unwrap_or(title)),
                escape_xml(&note.kind),
                escape_xml(&note.hash)
            );
        }
        h.push_str("</ol>\n</section>\n");
    }
    if let Some(footer) = &options.footer {
        let _ = writeln!(h, "<footer>{}</footer>", escape_xml(footer));
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

fn figure(h: &mut String, svg: &str) {
    let _ = writeln!(h, "<div class=\"figure\">{}</div>", svg.trim_end());
}

fn render_block(h: &mut String, block: &ReportBlock) {
    match block {
        ReportBlock::Paragraph { text } => {
            let _ = writeln!(h, "<p>{}</p>", escape_xml(text));
        }
        ReportBlock::Table(table) => {
            let rows: Vec<Vec<Cell>> = table
                .rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    r.iter()
                        .enumerate()
                        .map(|(k, c)| Cell {
                            link: table
                                .links
                                .iter()
                                .find(|l| l.row == i && l.column == k)
                                .map(|l| l.target.clone()),
                            ..Cell::auto(c)
                        })
                        .collect()
                })
                .collect();
            let columns: Vec<&str> = table.columns.iter().map(String::as_str).collect();
            write_table(h, table.caption.as_deref(), &columns, &rows);
        }
        ReportBlock::Funnel(chart) => figure(h, &funnel_svg(chart)),
        ReportBlock::Flow(chart) => figure(h, &flow_svg(chart)),
        ReportBlock::Bars(chart) => figure(h, &bar_chart_svg(chart)),
        ReportBlock::Svg { svg, caption } => {
            match allow_listed_svg(svg) {
                Ok(svg) => figure(h, &svg),
                Err(why) => {
                    let _ = writeln!(
                        h,
                        "<p class=\"notice\">A picture was left out: {}.</p>",
                        escape_xml(&why)
                    );
                }
            }
            if let Some(caption) = caption {
                let _ = writeln!(h, "<figcaption>{}</figcaption>", escape_xml(caption));
            }
        }
    }
}

/// A table cell: text, alignment, an optional class and an optional link to an element
/// of the page (by id).
struct Cell {
    text: String,
    numeric: bool,
    class: Option<&'static str>,
    link: Option<String>,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: false,
            class: None,
            link: None,
        }
    }

    fn num(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            numeric: true,
            class: None,
            link: None,
        }
    }

    fn auto(text: &str) -> Self {
        let t = text.trim();
        let numeric = !t.is_empty()
            && t.chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || "+-\u{2212}".contains(c))
            && t.chars()
                .all(|c| c.is_ascii_digit() || ".,+-%\u{2212}\u{a0} ".contains(c));
        Self {
            text: text.to_owned(),
            numeric,
            class: None,
            link: None,
        }
    }
}

/// Rows [`table_preview_html`] shows; the rest are counted.
pub const PREVIEW_ROWS: usize = 60;

/// A result's default table as a small HTML table, for a notebook's rich display: the
/// columns the core names for display ([`Tabular::display_columns`]; all when it names
/// none), the first [`PREVIEW_ROWS`] rows, each value written by the core's display rule
/// ([`crate::tables::Column::display`]), every text escaped and no script. The caption is
/// `title` and the definition's kind and hash; what is left out is counted, with `hint`
/// (HTML, not escaped: the binding's own words, such as `<code>to_pandas()</code>`) saying
/// how to see it all.
///
/// # Errors
/// Those of [`Tabular::default_table`].
pub fn table_preview_html(
    result: &dyn Tabular,
    title: &str,
    definition: Option<&crate::Definition>,
    hint: &str,
) -> crate::Result<String> {
    let table = result.default_table()?;
    let shown = result.display_columns(&table.name).unwrap_or_default();
    let columns: Vec<&crate::tables::Column> = (table.columns.iter())
        .filter(|c| shown.is_empty() || shown.contains(&c.name.as_str()))
        .collect();
    let hidden = table.columns.len() - columns.len();
    let mut html = String::from("<table class=\"cjm-report\">\n<caption>");
    html.push_str(&escape_xml(title));
    if let Some(d) = definition {
        let (kind, hash) = (escape_xml(&d.kind), escape_xml(&d.hash));
        let _ = write!(
            html,
            " &middot; definition <code>{kind}</code> <code>{hash}</code>"
        );
    }
    html.push_str("</caption>\n<thead><tr>");
    for column in &columns {
        let _ = write!(html, "<th>{}</th>", escape_xml(&column.name));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    let rows = table.rows();
    for row in 0..rows.min(PREVIEW_ROWS) {
        html.push_str("<tr>");
        for column in &columns {
            let _ = write!(html, "<td>{}</td>", escape_xml(&column.display(row)));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table>\n");
    if hidden > 0 {
        let _ = writeln!(html, "<p>{hidden} more columns ({hint} shows all)</p>");
    }
    if rows > PREVIEW_ROWS {
        let more = rows - PREVIEW_ROWS;
        let _ = writeln!(html, "<p>… {more} more rows ({hint} shows all)</p>");
    }
    Ok(html)
}

fn write_table(h: &mut String, caption: Option<&str>, columns: &[&str], rows: &[Vec<Cell>]) {
    h.push_str("<table>");
    if let Some(caption) = caption {
        let _ = write!(h, "<caption>{}</caption>", escape_xml(caption));
    }
    h.push_str("<thead><tr>");
    for c in columns {
        let _ = write!(h, "<th scope=\"col\">{}</th>", escape_xml(c));
    }
    h.push_str("</tr></thead><tbody>\n");
    for row in rows {
        h.push_str("<tr>");
        for cell in row {
            let class = match (cell.numeric, cell.class) {
                (true, Some(c)) => format!(" class=\"num {c}\""),
                (true, None) => " class=\"num\"".to_owned(),
                (false, Some(c)) => format!(" class=\"{c}\""),
                (false, None) => String::new(),
            };
            match &cell.link {
                Some(id) => {
                    let _ = write!(
                        h,
                        "<td{class}><a href=\"#{}\">{}</a></td>",
                        escape_xml(id),
                        escape_xml(&cell.text)
                    );
                }
                None => {
                    let _ = write!(h, "<td{class}>{}</td>", escape_xml(&cell.text));
                }
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}

fn summary_tables(h: &mut String, journey: &ValidJourney, options: &ReportOptions) {
    let j = journey.journey();
    let summary = journey.summary();
    let counts = [
        ("Personas", summary.personas),
        ("Stages", summary.stages.len()),
        ("Channels", summary.channels),
        ("Touchpoints", summary.touchpoints),
        ("Observations", summary.observations),
        ("Pain points", summary.pain_points),
        ("Opportunities", summary.opportunities),
        ("KPIs", summary.kpis),
        ("Evidence items", summary.evidence),
        ("Teams", summary.teams),
        ("Distinct bound event names", summary.bound_event_names),
    ];
    let rows: Vec<Vec<Cell>> = counts
        .iter()
        .map(|(what, n)| vec![Cell::text(*what), Cell::num(n.to_string())])
        .collect();
    write_table(h, Some("The map in numbers"), &["Item", "Count"], &rows);

    let styles = persona_styles(journey, options.map.personas.as_deref());
    let curves = selected_curves(journey, &styles);
    let mut columns: Vec<String> = vec![
        "Stage".into(),
        "Touchpoints".into(),
        "Channels".into(),
        "Pain points".into(),
    ];
    columns.extend(styles.iter().map(|s| format!("Emotion: {}", s.name)));
    let rows: Vec<Vec<Cell>> = summary
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut row = vec![
                Cell::text(&s.name),
                Cell::num(s.touchpoints.to_string()),
                Cell::num(s.channels.to_string()),
                Cell::num(s.pain_points.to_string()),
            ];
            for (_, curve) in &curves {
                let v = curve.stages.get(i).and_then(|p| p.value);
                row.push(Cell::num(v.map_or_else(|| "\u{2013}".to_owned(), signed)));
            }
            row
        })
        .collect();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    write_table(h, Some("Stages"), &columns, &rows);

    let stage_name = |id: Option<&str>, tp: Option<&str>| {
        let id = id.or_else(|| {
            tp.and_then(|t| j.touchpoints.iter().find(|x| x.id == t))
                .map(|t| t.stage.as_str())
        });
        id.and_then(|id| j.stages.iter().find(|s| s.id == id))
            .map_or("whole journey", |s| s.name.as_str())
            .to_owned()
    };
    if !j.pain_points.is_empty() {
        let mut pains: Vec<_> = j.pain_points.iter().collect();
        crate::sort::stable_by(&mut pains, |a, b| b.severity.cmp(&a.severity));
        let rows: Vec<Vec<Cell>> = pains
            .iter()
            .map(|p| {
                vec![
                    Cell::text(&p.name),
                    Cell::text(stage_name(p.stage.as_deref(), p.touchpoint.as_deref())),
                    Cell::num(format!("{}/5", p.severity)),
                    Cell::num(p.frequency.map_or_else(|| "\u{2013}".to_owned(), percent)),
                    Cell::text(p.description.clone().unwrap_or_default()),
                ]
            })
            .collect();
        write_table(
            h,
            Some("Pain points, most severe first"),
            &["Pain point", "Stage", "Severity", "Affected", "Description"],
            &rows,
        );
    }
    if !j.opportunities.is_empty() {
        let rows: Vec<Vec<Cell>> = j
            .opportunities
            .iter()
            .map(|o| {
                let addresses: Vec<&str> = o
                    .addresses
                    .iter()
                    .map(|id| {
                        j.pain_points
                            .iter()
                            .find(|p| &p.id == id)
                            .map_or(id.as_str(), |p| p.name.as_str())
                    })
                    .collect();
                vec![
                    Cell::text(&o.name),
                    Cell::text(addresses.join("; ")),
                    Cell::num(format!("{}/5", o.impact)),
                    Cell::num(format!("{}/5", o.effort)),
                    Cell::num(percent(o.confidence)),
                    Cell::text(
                        serde_json::to_value(o.status)
                            .ok()
                            .and_then(|v| v.as_str().map(|s| s.replace('_', " ")))
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect();
        write_table(
            h,
            Some("Opportunities"),
            &[
                "Opportunity",
                "Addresses",
                "Impact",
                "Effort",
                "Confidence",
                "Status",
            ],
            &rows,
        );
    }
    if !j.kpis.is_empty() {
        let measured = options.measured.as_ref();
        let dash = || "\u{2013}".to_owned();
        let rows: Vec<Vec<Cell>> = j
            .kpis
            .iter()
            .map(|k| {
                let m = measured.and_then(|m| m.get(&k.id));
                let (mut status, class) = kpi_status_cell(k, m.map(|m| m.value));
                // Beside measured values, a status judged on the designed value says so.
                let designed;
                if measured.is_some() && m.is_none() && k.actual.is_some() && k.target.is_some() {
                    designed = format!("{status} (designed)");
                    status = &designed;
                }
                let how = match (m, measured) {
                    (Some(m), _) => format!("{} (n = {})", m.how, count(m.n)),
                    (None, Some(all)) => all
                        .not_measured
                        .iter()
                        .find(|n| n.kpi == k.id)
                        .map_or_else(dash, |n| format!("not measured: {}", n.reason)),
                    (None, None) => dash(),
                };
                let mut row = vec![
                    Cell::text(&k.name),
                    Cell::text(stage_name(k.stage.as_deref(), k.touchpoint.as_deref())),
                    Cell::num(k.target.map_or_else(dash, |v| kpi_value(k, v))),
                    Cell::num(k.actual.map_or_else(dash, |v| kpi_value(k, v))),
                ];
                if measured.is_some() {
                    row.push(Cell::num(m.map_or_else(dash, |m| kpi_value(k, m.value))));
                }
                row.push(Cell {
                    text: status.to_owned(),
                    numeric: false,
                    class,
                    link: None,
                });
                if measured.is_some() {
                    row.push(Cell::text(how));
                }
                row
            })
            .collect();
        let columns: &[&str] = if measured.is_some() {
            &[
                "KPI",
                "Scope",
                "Target",
                "Designed",
                "Measured",
                "Status",
                "How it was measured",
            ]
        } else {
            &["KPI", "Scope", "Target", "Actual", "Status"]
        };
        write_table(h, Some("KPIs"), columns, &rows);
    }
}

/// The status cell of a KPI: on or off target, judged on its measured value when there is
/// one.
fn kpi_status_cell(
    k: &crate::model::Kpi,
    measured: Option<f64>,
) -> (&'static str, Option<&'static str>) {
    match kpi_status(k, measured) {
        Some(true) => ("on target", Some("good")),
        Some(false) => ("off target", Some("bad")),
        None => ("not measured", None),
    }
}

/// The "At a glance" section: the data period and customers, how many KPIs are on target
/// on their measured values, the largest loss between stages, and the measured KPIs
/// against their targets.
fn at_a_glance(h: &mut String, journey: &ValidJourney, m: &MeasuredKpis) {
    let j = journey.journey();
    h.push_str("<section id=\"glance\">\n<h2>At a glance</h2>\n");
    let day = |t: &Option<String>| t.as_deref().map(|t| t.get(..10).unwrap_or(t).to_owned());
    let mut lines: Vec<String> = Vec::new();
    let data = match (m.events, m.customers) {
        (Some(e), Some(c)) => Some(format!("{} events of {} customers", count(e), count(c))),
        _ => None,
    };
    match (day(&m.period_start), day(&m.period_end), data) {
        (Some(a), Some(b), Some(data)) => {
            lines.push(format!("Measured on {data} from {a} to {b} (UTC)."));
        }
        (_, _, Some(data)) => lines.push(format!("Measured on {data}.")),
        _ => {}
    }
    let judged: Vec<(&crate::model::Kpi, bool)> = j
        .kpis
        .iter()
        .filter_map(|k| Some((k, kpi_status(k, Some(m.value(&k.id)?))?)))
        .collect();
    if !judged.is_empty() {
        let on = judged.iter().filter(|(_, ok)| *ok).count();
        lines.push(format!(
            "{on} of the {} KPIs measured against a target are on target; {} of the map's {} KPIs could not be measured from the data.",
            judged.len(),
            m.not_measured.len(),
            j.kpis.len()
        ));
    }
    if let Some(loss) = m.largest_loss() {
        lines.push(format!(
            "The largest loss between stages: {} of the {} customers who reached {} did not reach {} ({}).",
            percent(loss.rate),
            count(loss.customers),
            loss.from,
            loss.to,
            count(loss.lost)
        ));
    }
    for line in &lines {
        let _ = writeln!(h, "<p>{}</p>", escape_xml(line));
    }
    let rows: Vec<Vec<Cell>> = j
        .kpis
        .iter()
        .filter_map(|k| {
            let v = m.get(&k.id)?;
            let (status, class) = kpi_status_cell(k, Some(v.value));
            Some(vec![
                Cell::text(&k.name),
                Cell::num(kpi_value(k, v.value)),
                Cell::num(
                    k.target
                        .map_or_else(|| "\u{2013}".to_owned(), |t| kpi_value(k, t)),
                ),
                Cell {
                    text: status.to_owned(),
                    numeric: false,
                    class,
                    link: None,
                },
            ])
        })
        .collect();
    if !rows.is_empty() {
        write_table(
            h,
            Some("Measured KPIs"),
            &["KPI", "Measured", "Target", "Status"],
            &rows,
        );
    }
    h.push_str("</section>\n");
}
