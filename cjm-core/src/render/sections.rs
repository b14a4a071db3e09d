//! Report sections straight from analysis results, so that every binding puts the same
//! tables and charts into [`html_report`](super::html_report) and no binding formats a
//! number: the Python and the browser reports of the same inputs are byte-identical.
//!
//! Numbers are written here once: scores with one decimal, shares as percentages
//! (`45.6 %`), counts with thousands separators, credits with at most two decimals.
//! Every section names the definition (kind and hash) of the result it shows in a
//! footnote of the page ([`DefinitionNote`]), and says its settings in words.

use super::blocks::{
    DefinitionNote, ReportBlock, ReportLink, ReportSection, ReportTable, SectionKind,
};
use super::charts::{BarChart, BarLayout, BarSeries};
use super::health::health_svg;
use super::results::{flow_chart, funnel_chart, step_label};
use super::text::{count, num, percent};
use crate::attribution::Attribution;
use crate::events::{Flows, FunnelResult};
use crate::insights::{InsightReport, Severity};
use crate::scoring::{Band, HealthReport, HealthScore, ScopeKind};
use crate::ValidJourney;

const DASH: &str = "\u{2013}";

fn table(caption: Option<&str>, columns: &[&str], rows: Vec<Vec<String>>) -> ReportBlock {
    ReportBlock::Table(ReportTable {
        caption: caption.map(str::to_owned),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        rows,
        links: Vec::new(),
    })
}

fn share(value: Option<f64>) -> String {
    value.map_or_else(|| DASH.to_owned(), percent)
}

fn score(value: Option<f64>) -> String {
    value.map_or_else(|| DASH.to_owned(), |v| format!("{v:.1}"))
}

/// A count or credit written as a float: at most two decimals, thousands separators
/// (`24,230.98`, `3,218`).
fn amount(value: Option<f64>) -> String {
    let Some(v) = value else {
        return DASH.to_owned();
    };
    let text = num(v);
    let (sign, digits) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |d| ("-", d));
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if fraction.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{fraction}")
    }
}

fn band(b: Option<Band>) -> &'static str {
    match b {
        Some(Band::Good) => "good",
        Some(Band::Fair) => "fair",
        Some(Band::Poor) => "poor",
        None => DASH,
    }
}

fn scope(kind: ScopeKind) -> &'static str {
    match kind {
        ScopeKind::Journey => "journey",
        ScopeKind::Stage => "stage",
        ScopeKind::Touchpoint => "touchpoint",
    }
}

/// The display name of a health score's scope (its id when the journey does not know it).
fn scope_name(s: &HealthScore, journey: &ValidJourney) -> String {
    let j = journey.journey();
    match s.kind {
        ScopeKind::Journey => j.name.clone(),
        ScopeKind::Stage => j
            .stages
            .iter()
            .find(|x| x.id == s.id)
            .map_or_else(|| s.id.clone(), |x| x.name.clone()),
        ScopeKind::Touchpoint => j
            .touchpoints
            .iter()
            .find(|x| x.id == s.id)
            .map_or_else(|| s.id.clone(), |x| x.name.clone()),
    }
}

/// The health section: the health breakdown picture (journey and stages), then every
/// score (journey, stages, touchpoints with data) with its band, what it is made of
/// (component: normalised value, share of the weight) and the components without data;
/// touchpoints without any data are named in a closing paragraph.
#[must_use]
pub fn health_section(report: &HealthReport, journey: &ValidJourney) -> ReportSection {
    let unscored: Vec<String> = report
        .touchpoints
        .iter()
        .filter(|s| s.score.is_none())
        .map(|s| scope_name(s, journey))
        .collect();
    let rows = std::iter::once(&report.journey)
        .chain(&report.stages)
        .chain(report.touchpoints.iter().filter(|s| s.score.is_some()))
        .map(|s| {
            let parts: Vec<String> = s
                .components
                .iter()
                .map(|c| {
                    format!(
                        "{} {} ({})",
                        c.name.replace('_', " "),
                        num(c.normalised),
                        percent(c.share)
                    )
                })
                .collect();
            vec![
                scope(s.kind).to_owned(),
                scope_name(s, journey),
                score(s.score),
                band(s.band).to_owned(),
                parts.join("; "),
                s.missing.join(", ").replace('_', " "),
            ]
        })
        .collect();
    let mut blocks = vec![ReportBlock::Svg {
        svg: health_svg(report, journey),
        caption: Some(
            "Each bar is a score split into what its components contribute (share of the weight \u{d7} normalised value)."
                .to_owned(),
        ),
    }];
    blocks.push(table(
        Some("Health per scope"),
        &[
            "Scope",
            "Name",
            "Health",
            "Band",
            "Components (normalised, share of weight)",
            "Without data",
        ],
        rows,
    ));
    if !unscored.is_empty() {
        blocks.push(ReportBlock::Paragraph {
            text: format!("Touchpoints without any data: {}.", unscored.join("; ")),
        });
    }
    ReportSection {
        kind: SectionKind::Scores,
        title: "Health".to_owned(),
        intro: Some("Health 0\u{2013}100 of the journey, every stage and touchpoint: a weighted mean of the normalised components with data, the weights renormalised over them."
            .to_owned(),
        ),
        blocks,
        definitions: vec![DefinitionNote::of(&report.definition)],
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The insights section: the findings (most severe first) with their code, path and
/// message, and the rules that were not checked for lack of input.
#[must_use]
pub fn insights_section(report: &InsightReport) -> ReportSection {
    insights_section_linked(report, None, &|_| false)
}

/// The anchor of the map item an insight's path is about (`touchpoints[3].owner` → the
/// fourth touchpoint's), for stages, touchpoints, pain points, opportunities and KPIs.
fn item_anchor(path: &str, journey: &ValidJourney) -> Option<String> {
    let (collection, rest) = path.split_once('[')?;
    let index: usize = rest.split_once(']')?.0.parse().ok()?;
    let j = journey.journey();
    let (kind, id) = match collection {
        "stages" => ("stage", &j.stages.get(index)?.id),
        "touchpoints" => ("touchpoint", &j.touchpoints.get(index)?.id),
        "pain_points" => ("pain-point", &j.pain_points.get(index)?.id),
        "opportunities" => ("opportunity", &j.opportunities.get(index)?.id),
        "kpis" => ("kpi", &j.kpis.get(index)?.id),
        _ => return None,
    };
    Some(super::map::map_anchor(kind, id))
}

/// [`insights_section`] whose "Rule (where)" cells link to the map item each finding is
/// about, when `drawn` says the page's map has that item's anchor (the report's map).
pub(crate) fn insights_section_linked<'a>(
    report: &InsightReport,
    journey: impl Into<Option<&'a ValidJourney>>,
    drawn: &dyn Fn(&str) -> bool,
) -> ReportSection {
    let journey = journey.into();
    let tally = |s: Severity| report.insights.iter().filter(|i| i.severity == s).count();
    // Most severe first (the rule's order within a severity), each finding as a sentence;
    // the rule and the place in the document last, for whoever edits the map.
    let mut ordered: Vec<&crate::insights::Insight> = report.insights.iter().collect();
    crate::sort::stable_by(&mut ordered, |a, b| rank(a.severity).cmp(&rank(b.severity)));
    let rows = ordered
        .iter()
        .map(|i| {
            let place = if i.path.is_empty() {
                "the map".to_owned()
            } else {
                i.path.clone()
            };
            vec![
                severity(i.severity).to_owned(),
                sentence(&i.message),
                format!("{} ({place})", i.code),
            ]
        })
        .collect();
    let links = ordered
        .iter()
        .enumerate()
        .filter_map(|(row, i)| {
            let target = item_anchor(&i.path, journey?)?;
            drawn(&target).then_some(ReportLink {
                row,
                column: 2,
                target,
            })
        })
        .collect();
    let mut blocks = vec![ReportBlock::Table(ReportTable {
        caption: None,
        columns: vec![
            "Severity".to_owned(),
            "Finding".to_owned(),
            "Rule (where)".to_owned(),
        ],
        rows,
        links,
    })];
    if !report.not_checked.is_empty() {
        blocks.push(ReportBlock::Paragraph {
            text: format!("Not checked: {}.", report.not_checked.join("; ")),
        });
    }
    ReportSection {
        kind: SectionKind::Insights,
        title: "Insights".to_owned(),
        intro: Some(format!(
            "{} findings: {} critical, {} warnings, {} for information.",
            count(report.insights.len() as u64),
            tally(Severity::Critical),
            tally(Severity::Warning),
            tally(Severity::Info),
        )),
        blocks,
        definitions: vec![DefinitionNote::of(&report.definition)],
    }
}

/// A funnel's settings in words, read from its definition: order, window, per-step
/// windows, exclusions, `as_of`, breakdown (and where it is read) and unit.
fn funnel_settings(result: &FunnelResult) -> String {
    use crate::events::{FunnelOptions, FunnelOrder};
    let Some(o) = result
        .definition
        .params
        .get("options")
        .and_then(|o| serde_json::from_value::<FunnelOptions>(o.clone()).ok())
    else {
        return "settings as in the definition".to_owned();
    };
    let mut parts = vec![match o.order {
        FunnelOrder::Sequential => "steps in order, other events allowed between them",
        FunnelOrder::Strict => "steps in order with no other event between them",
        FunnelOrder::Any => "steps in any order",
    }
    .to_owned()];
    #[allow(clippy::cast_precision_loss, reason = "a window in seconds")]
    parts.push(match o.window_seconds {
        Some(w) => format!(
            "each within {} of the first step",
            crate::format::duration(w as f64)
        ),
        None => "no time limit".to_owned(),
    });
    if o.step_windows_seconds.iter().any(Option::is_some) {
        parts.push("with windows between steps".to_owned());
    }
    if !o.exclusions.is_empty() {
        parts.push(format!("{} exclusion steps", o.exclusions.len()));
    }
    if let Some(a) = &o.as_of {
        parts.push(format!("observed until {a}"));
    }
    if let Some(b) = &o.breakdown {
        use crate::events::BreakdownAttribution as A;
        parts.push(match o.breakdown_attribution {
            A::FirstStep | A::Step(1) => format!("broken down by {b} at each attempt's first step"),
            A::FirstTouch => format!("broken down by each customer's first {b}"),
            A::LastTouch => format!("broken down by each customer's last {b}"),
            A::Step(k) => format!("broken down by {b} at step {k}"),
        });
    }
    if o.unit == crate::events::AnalysisUnit::Session {
        parts.push("counted in sessions".to_owned());
    }
    parts.join("; ")
}

/// Severity order for people: critical first.
fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

/// A finding's message as a sentence: names quoted with typographic quotes instead of
/// code backticks, a capital first letter and a full stop.
fn sentence(message: &str) -> String {
    let mut out = String::with_capacity(message.len() + 4);
    let mut open = true;
    for c in message.chars() {
        if c == '`' {
            out.push(if open { '\u{201c}' } else { '\u{201d}' });
            open = !open;
        } else {
            out.push(c);
        }
    }
    let mut chars = out.chars();
    let mut s: String = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => return out,
    };
    if !s.ends_with(['.', '!', '?']) {
        s.push('.');
    }
    s
}

/// The funnel section: the funnel chart (steps named after the journey's touchpoints and
/// stages when it is given) and a narrow table of what a stakeholder reads: customers,
/// conversion from the first and from the previous step, and the median time from the
/// previous step (the whole table, drop-off and time percentiles included, is the
/// result's `steps` table).
#[must_use]
pub fn funnel_section(result: &FunnelResult, journey: Option<&ValidJourney>) -> ReportSection {
    let rows = result
        .steps
        .iter()
        .map(|s| {
            vec![
                step_label(&s.step, journey),
                count(s.customers),
                share(s.conversion_from_first),
                share(s.conversion_from_previous),
                s.time_from_previous.as_ref().map_or_else(
                    || DASH.to_owned(),
                    |d| crate::format::duration(d.median_seconds),
                ),
            ]
        })
        .collect();
    let mut intro = format!("Unique customers per step: {}.", funnel_settings(result));
    if result.excluded > 0 || result.pending > 0 {
        intro.push_str(&format!(
            " {} excluded, {} still inside the window.",
            count(result.excluded),
            count(result.pending)
        ));
    }
    ReportSection {
        kind: SectionKind::Funnel,
        title: "Funnel".to_owned(),
        intro: Some(intro),
        definitions: vec![DefinitionNote::of(&result.definition)],
        blocks: [
            Some(ReportBlock::Funnel(funnel_chart(result, journey, None))),
            Some(table(
                None,
                &[
                    "Step",
                    "Customers",
                    "From first",
                    "From previous",
                    "Median time from previous",
                ],
                rows,
            )),
            super::results::time_to_convert_chart(result).map(ReportBlock::Bars),
        ]
        .into_iter()
        .flatten()
        .collect(),
    }
}

/// The flows section: the Sankey chart of the customers' first steps.
#[must_use]
pub fn flows_section(flows: &Flows) -> ReportSection {
    ReportSection {
        kind: SectionKind::Flows,
        title: "Flows".to_owned(),
        intro: Some(
            "The first steps of every customer; rare steps folded into \u{201c}other\u{201d}."
                .to_owned(),
        ),
        definitions: vec![DefinitionNote::of(&flows.definition)],
        blocks: vec![ReportBlock::Flow(flow_chart(flows, None))],
    }
}

/// The retention section: the heat map of the cohorts, its settings in words.
#[must_use]
pub fn retention_section(result: &crate::events::RetentionResult) -> ReportSection {
    let o = result.definition.params.get("options");
    let text = |key: &str| {
        o.and_then(|o| o.get(key))
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .replace('_', " ")
    };
    let period = text("period");
    let returns = if text("mode") == "on or after" {
        format!("active in that {period} or any later one")
    } else {
        format!("active in that {period}")
    };
    let cohorts = if text("cohort") == "recurring" {
        "every period with a start event is a cohort entry"
    } else {
        "each customer in the cohort of their first start event"
    };
    ReportSection {
        kind: SectionKind::Other,
        title: "Retention".to_owned(),
        intro: Some(format!(
            "Cohorts by {period}: {cohorts}; a cell is the share of the cohort {returns}."
        )),
        definitions: vec![DefinitionNote::of(&result.definition)],
        blocks: vec![ReportBlock::Svg {
            svg: super::heatmap::retention_heatmap_svg(
                result,
                &super::heatmap::RetentionChartOptions::default(),
            ),
            caption: result
                .observed_until
                .as_deref()
                .map(|t| format!("Observed until {} (UTC).", day(t))),
        }],
    }
}

/// The survey section: NPS (with its margin), CSAT and CES overall, per segment and per
/// touchpoint or stage, by name, in a narrow table (the whole table of every group is
/// the result's `groups` table). Suppressed groups say so instead of their values.
#[must_use]
pub fn survey_section(
    report: &crate::scoring::SurveyReport,
    journey: &ValidJourney,
) -> ReportSection {
    use crate::scoring::GroupLevel;
    let j = journey.journey();
    let name = |id: &str| {
        j.touchpoints
            .iter()
            .find(|t| t.id == id)
            .map(|t| t.name.clone())
            .or_else(|| j.stages.iter().find(|s| s.id == id).map(|s| s.name.clone()))
            .or_else(|| {
                j.personas
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
            })
            .unwrap_or_else(|| id.to_owned())
    };
    let rows = report
        .groups
        .iter()
        .filter(|g| {
            matches!(
                g.level,
                GroupLevel::Overall | GroupLevel::Scope | GroupLevel::Segment
            )
        })
        .map(|g| {
            let who = match g.level {
                GroupLevel::Overall => "All answers".to_owned(),
                GroupLevel::Segment => g
                    .segment
                    .as_deref()
                    .map_or_else(|| "no segment".to_owned(), name),
                _ => g
                    .scope
                    .as_deref()
                    .map_or_else(|| "no scope".to_owned(), name),
            };
            let is_stage = |id: &str| j.stages.iter().any(|s| s.id == id);
            let level = match g.level {
                GroupLevel::Overall => "overall",
                GroupLevel::Segment => "segment",
                _ if g.scope.as_deref().is_some_and(is_stage) => "stage",
                _ => "touchpoint",
            };
            if g.suppressed {
                return vec![
                    who,
                    level.to_owned(),
                    count(g.responses),
                    "suppressed (too few answers)".to_owned(),
                    DASH.to_owned(),
                    DASH.to_owned(),
                ];
            }
            let nps = g.nps.as_ref().and_then(|n| {
                Some(format!(
                    "{:.0} \u{b1} {:.0} (n = {})",
                    n.value?,
                    n.margin?,
                    count(n.answered)
                ))
            });
            // Top-box and percent-of-maximum values are percentages; a mean is on the scale.
            let scale = |s: Option<&crate::scoring::ScaleScore>| {
                s.and_then(|s| {
                    let unit = if s.method == crate::scoring::ScaleMethod::Mean {
                        ""
                    } else {
                        "\u{a0}%"
                    };
                    Some(format!(
                        "{}{unit} (n = {})",
                        num(s.value?),
                        count(s.answered)
                    ))
                })
            };
            vec![
                who,
                level.to_owned(),
                count(g.responses),
                nps.unwrap_or_else(|| DASH.to_owned()),
                scale(g.csat.as_ref()).unwrap_or_else(|| DASH.to_owned()),
                scale(g.ces.as_ref()).unwrap_or_else(|| DASH.to_owned()),
            ]
        })
        .collect();
    let d = &report.definitions;
    ReportSection {
        kind: SectionKind::Scores,
        title: "Survey".to_owned(),
        intro: Some(
            "NPS with its 95\u{a0}% margin, CSAT and CES of the survey answers, overall, per segment and per touchpoint or stage."
                .to_owned(),
        ),
        blocks: vec![table(None, &["Group", "Level", "Answers", "NPS", "CSAT", "CES"], rows)],
        definitions: [("NPS", &d.nps), ("CSAT", &d.csat), ("CES", &d.ces)]
            .into_iter()
            .filter_map(|(label, d)| d.as_ref().map(|d| DefinitionNote::labelled(label, d)))
            .collect(),
    }
}

/// The date of an ISO-8601 instant (`2024-02-24T02:10:28Z` → `2024-02-24`).
fn day(t: &str) -> &str {
    t.get(..10).unwrap_or(t)
}

/// The trends section: customers per period for each event, as a line chart.
#[must_use]
pub fn trends_section(result: &crate::events::TrendsResult) -> ReportSection {
    let options = super::lines::TrendsChartOptions {
        measure: super::lines::TrendsMeasure::Customers,
        ..super::lines::TrendsChartOptions::default()
    };
    let blocks = match super::lines::trends_chart(result, &options) {
        Ok(chart) => vec![ReportBlock::Svg {
            svg: super::lines::line_chart_svg(&chart),
            caption: None,
        }],
        Err(e) => vec![ReportBlock::Paragraph {
            text: format!("No chart: {e}"),
        }],
    };
    ReportSection {
        kind: SectionKind::Other,
        title: "Trends".to_owned(),
        intro: Some(format!(
            "Distinct customers per period with each event, from {} to {} (UTC).",
            result.observed_from.as_deref().map_or(DASH, day),
            result.observed_until.as_deref().map_or(DASH, day),
        )),
        blocks,
        definitions: vec![DefinitionNote::of(&result.definition)],
    }
}

/// The bar chart of an attribution result, as small multiples (a panel per model, a bar
/// per channel in one colour per channel): the conversions credited to each channel by
/// every model that credits each conversion in full (participation, which does not sum
/// to the conversions, and models without a defined column are left out).
#[must_use]
pub fn attribution_chart(result: &Attribution, title: Option<String>) -> BarChart {
    BarChart {
        title,
        groups: result.channels.iter().map(|c| c.channel.clone()).collect(),
        series: result
            .models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.sums_to_conversions && m.conversions.is_some())
            .map(|(i, m)| BarSeries {
                name: m.model.name().replace('_', " "),
                values: result
                    .channels
                    .iter()
                    .map(|c| c.credits.get(i).and_then(|x| x.conversions))
                    .collect(),
            })
            .collect(),
        unit: None,
        width: None,
        layout: BarLayout::Panels,
    }
}

/// Quoted names joined for a sentence: `“a”`, `“a” or “b”`, `“a”, “b” or “c”`.
fn names_or(names: &[String]) -> String {
    let quoted: Vec<String> = names
        .iter()
        .map(|n| format!("\u{201c}{n}\u{201d}"))
        .collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// One model in words, with the settings that change its numbers.
fn model_words(
    model: crate::attribution::Model,
    o: &crate::attribution::AttributionOptions,
) -> String {
    use crate::attribution::{DecayCurve, Model, PositionWeights};
    match model {
        Model::First => "first touch".to_owned(),
        Model::Last => "last touch".to_owned(),
        Model::LastNonDirect => format!(
            "last non-direct touch (direct channel \u{201c}{}\u{201d})",
            o.direct_channel
        ),
        Model::Linear => "linear".to_owned(),
        Model::PositionBased => {
            let (first, middle, last) = match o.position_weights {
                PositionWeights::U => (0.4, 0.2, 0.4),
                PositionWeights::J => (0.2, 0.2, 0.6),
                PositionWeights::InverseJ => (0.6, 0.2, 0.2),
                PositionWeights::Custom {
                    first,
                    middle,
                    last,
                } => (first, middle, last),
            };
            format!(
                "position-based (first {}, middle {}, last {})",
                percent(first),
                percent(middle),
                percent(last)
            )
        }
        Model::TimeDecay => format!(
            "time decay (half-life {}{})",
            crate::format::duration(o.half_life_seconds),
            if o.decay == DecayCurve::Stepped {
                ", stepped"
            } else {
                ""
            }
        ),
        Model::Participation => "participation".to_owned(),
        Model::Markov => format!(
            "Markov chain of order {}{}",
            o.markov_order,
            if o.remove_self_loops {
                ""
            } else {
                " with repeats as self-transitions"
            }
        ),
        Model::Shapley => format!(
            "Shapley (paths of at most {} channels)",
            o.shapley_max_channels
        ),
        Model::OrderedShapley => "ordered Shapley".to_owned(),
    }
}

/// An attribution's settings in words, read from its definition: what a touch is, what
/// a conversion is, the lookback, collapsed repeats (for paths built from a log) and the
/// models with their own settings.
fn attribution_settings(result: &Attribution) -> String {
    use crate::attribution::{AttributionOptions, PathOptions, TouchKind};
    let mut params = result.definition.params.clone();
    let paths = params
        .as_object_mut()
        .and_then(|p| p.remove("paths"))
        .map(serde_json::from_value::<PathOptions>);
    let Ok(options) = serde_json::from_value::<AttributionOptions>(params) else {
        return "Settings as in the definition.".to_owned();
    };
    let mut parts = Vec::new();
    match paths {
        None => parts.push("paths as given in the path table".to_owned()),
        Some(Err(_)) => parts.push("paths as in the definition".to_owned()),
        Some(Ok(p)) => {
            parts.push(
                match p.touch {
                    TouchKind::Channel => "touches are the events\u{2019} channels",
                    TouchKind::Touchpoint => {
                        "touches are the map\u{2019}s touchpoints of the events"
                    }
                    TouchKind::Event => "touches are the event names",
                }
                .to_owned(),
            );
            parts.push(format!(
                "a conversion is a customer\u{2019}s first {} event",
                names_or(&p.conversion_events)
            ));
            parts.push(match p.lookback_seconds {
                Some(s) => format!(
                    "touches up to {} before the conversion (or a non-converter\u{2019}s last touch)",
                    crate::format::duration(s)
                ),
                None => "no lookback limit".to_owned(),
            });
            if p.collapse_repeats {
                parts.push("repeated touches counted once".to_owned());
            }
        }
    }
    let models: Vec<String> = options
        .models
        .iter()
        .map(|m| model_words(*m, &options))
        .collect();
    let models = match models.split_last() {
        None => "no models".to_owned(),
        Some((last, [])) => format!("model: {last}"),
        Some((last, rest)) => format!("models: {} and {last}", rest.join(", ")),
    };
    parts.push(models);
    sentence(&parts.join("; "))
}

/// The attribution section: its settings in words, conversions credited to each channel
/// by every model that credits each conversion in full, as bars; the side-by-side tables
/// of conversions (and value, when there is any); whether each model sums to the
/// conversions; the models skipped; and the definitions (the analysis's, each model's).
#[must_use]
pub fn attribution_section(result: &Attribution) -> ReportSection {
    let names: Vec<String> = result
        .models
        .iter()
        .map(|m| m.model.name().replace('_', " "))
        .collect();
    let chart = attribution_chart(result, Some("Conversions credited per channel".to_owned()));
    let mut columns = vec!["Channel"];
    columns.extend(names.iter().map(String::as_str));
    let side_by_side =
        |pick: fn(&crate::attribution::Credit) -> Option<f64>,
         total: fn(&crate::attribution::ModelSummary) -> Option<f64>| {
            let mut rows: Vec<Vec<String>> = result
                .channels
                .iter()
                .map(|c| {
                    let mut row = vec![c.channel.clone()];
                    row.extend(c.credits.iter().map(|x| amount(pick(x))));
                    row
                })
                .collect();
            let mut last = vec!["Total".to_owned()];
            last.extend(result.models.iter().map(|m| amount(total(m))));
            rows.push(last);
            rows
        };
    let mut blocks = Vec::new();
    if !chart.series.is_empty() && !chart.groups.is_empty() {
        blocks.push(ReportBlock::Bars(chart));
    }
    blocks.push(table(
        Some("Conversions credited"),
        &columns,
        side_by_side(|c| c.conversions, |m| m.conversions),
    ));
    if result.totals.value != 0.0 {
        blocks.push(table(
            Some("Value credited"),
            &columns,
            side_by_side(|c| c.value, |m| m.value),
        ));
    }
    let rows = result
        .models
        .iter()
        .zip(&names)
        .map(|(m, name)| {
            vec![
                name.clone(),
                if m.sums_to_conversions {
                    "yes".to_owned()
                } else {
                    "no".to_owned()
                },
            ]
        })
        .collect();
    blocks.push(table(
        Some("Models"),
        &["Model", "Sums to the conversions"],
        rows,
    ));
    if !result.skipped.is_empty() {
        let skipped: Vec<String> = result
            .skipped
            .iter()
            .map(|s| format!("{} ({})", s.model.name().replace('_', " "), s.message))
            .collect();
        blocks.push(ReportBlock::Paragraph {
            text: format!("Not run: {}.", skipped.join("; ")),
        });
    }
    let t = &result.totals;
    let mut intro = format!(
        "{} {} paths, {} conversions worth {} credited to {} channels, {} journeys without a conversion.",
        attribution_settings(result),
        count(t.paths as u64),
        amount(Some(t.conversions)),
        amount(Some(t.value)),
        count(result.channels.len() as u64),
        amount(Some(t.nulls)),
    );
    if t.unattributed_conversions > 0.0 {
        intro.push_str(&format!(
            " {} conversions of paths without a touch are not attributed.",
            amount(Some(t.unattributed_conversions))
        ));
    }
    ReportSection {
        kind: SectionKind::Attribution,
        title: "Attribution".to_owned(),
        intro: Some(intro),
        blocks,
        // The whole analysis, then each model's own definition.
        definitions: std::iter::once(DefinitionNote::of(&result.definition))
            .chain(
                result
                    .models
                    .iter()
                    .zip(&names)
                    .map(|(m, name)| DefinitionNote::labelled(name, &m.definition)),
            )
            .collect(),
    }
}
