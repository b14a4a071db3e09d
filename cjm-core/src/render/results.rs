//! Pictures straight from analysis results, so no binding has to rebuild chart inputs.

use super::charts::{
    bar_chart_svg, flow_svg, funnel_svg, BarChart, BarLayout, BarSeries, FlowChart, FlowChartLink,
    FlowChartNode, FunnelChart, FunnelStep, FLOW_EXIT,
};
use super::text::count;
use crate::events::{Flows, FunnelResult, StepSpec, OTHER};
use crate::ValidJourney;

/// The label of a funnel step: the touchpoint's or stage's name when a journey is given,
/// else its id; an event step's event name.
pub(super) fn step_label(step: &StepSpec, journey: Option<&ValidJourney>) -> String {
    let j = journey.map(ValidJourney::journey);
    match step {
        StepSpec::Event(_) | StepSpec::AnyOf(_) => step.name(),
        StepSpec::Touchpoint(id) => j
            .and_then(|j| j.touchpoints.iter().find(|t| &t.id == id))
            .map_or_else(|| id.clone(), |t| t.name.clone()),
        StepSpec::Stage(id) => j
            .and_then(|j| j.stages.iter().find(|s| &s.id == id))
            .map_or_else(|| id.clone(), |s| s.name.clone()),
    }
}

/// The time-to-convert histogram of a funnel ([`FunnelResult::time_to_convert`]) as bars:
/// one bar per bin, top to bottom from the shortest; with a breakdown, one panel per group
/// on one scale. `None` when no customer reached the last step (or the funnel has one
/// step): an empty histogram says nothing a chart should show.
#[must_use]
pub fn time_to_convert_chart(result: &FunnelResult) -> Option<BarChart> {
    let total: u64 = result.time_to_convert.iter().map(|b| b.customers).sum();
    if total == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss, reason = "customer counts far below 2^53")]
    let values = |bins: &[crate::events::TimeBin]| -> Vec<Option<f64>> {
        bins.iter().map(|b| Some(b.customers as f64)).collect()
    };
    // One unnamed series without a breakdown: its bars need no name beside them.
    let series = if result.breakdown.is_empty() {
        vec![BarSeries {
            name: String::new(),
            values: values(&result.time_to_convert),
        }]
    } else {
        result
            .breakdown
            .iter()
            .map(|g| BarSeries {
                name: g.value.clone().unwrap_or_else(|| "(none)".to_owned()),
                values: values(&g.time_to_convert),
            })
            .collect()
    };
    Some(BarChart {
        title: Some(
            "Time to convert: customers by their time from step 1 to the last step".to_owned(),
        ),
        groups: result
            .time_to_convert
            .iter()
            .map(|b| b.label.clone())
            .collect(),
        series,
        unit: None,
        width: None,
        layout: if result.breakdown.is_empty() {
            BarLayout::Grouped
        } else {
            BarLayout::Panels
        },
    })
}

/// The chart of a funnel result (its overall steps; a breakdown group's steps can be
/// drawn by passing a result built from them).
#[must_use]
pub fn funnel_chart(
    result: &FunnelResult,
    journey: Option<&ValidJourney>,
    title: Option<String>,
) -> FunnelChart {
    FunnelChart {
        title,
        steps: result
            .steps
            .iter()
            .map(|s| FunnelStep {
                label: step_label(&s.step, journey),
                customers: s.customers,
            })
            .collect(),
        width: None,
    }
}

/// The chart of a funnel's breakdown: small multiples, one panel per group (its value,
/// `(none)` for customers without one, and how many entered), one bar per step with the
/// share of the group's entrants who reached it (%), so that groups of different sizes
/// compare; `None` without breakdown groups.
#[must_use]
pub fn funnel_breakdown_chart(
    result: &FunnelResult,
    journey: Option<&ValidJourney>,
    title: Option<String>,
) -> Option<BarChart> {
    if result.breakdown.is_empty() {
        return None;
    }
    Some(BarChart {
        title,
        groups: result
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| format!("{}. {}", i + 1, step_label(&s.step, journey)))
            .collect(),
        series: result
            .breakdown
            .iter()
            .map(|g| BarSeries {
                name: format!(
                    "{} ({} entered)",
                    g.value.as_deref().unwrap_or("(none)"),
                    count(g.steps.first().map_or(0, |s| s.customers))
                ),
                values: g
                    .steps
                    .iter()
                    .map(|s| s.conversion_from_first.map(|c| c * 100.0))
                    .collect(),
            })
            .collect(),
        unit: Some("%".to_owned()),
        width: None,
        layout: BarLayout::Panels,
    })
}

/// A funnel result drawn: its breakdown as small multiples
/// ([`funnel_breakdown_chart`]) when it has breakdown groups, else the funnel of its
/// steps ([`funnel_chart`], [`funnel_svg`]).
#[must_use]
pub fn funnel_result_svg(
    result: &FunnelResult,
    journey: Option<&ValidJourney>,
    title: Option<String>,
    width: Option<u32>,
) -> String {
    match funnel_breakdown_chart(result, journey, title.clone()) {
        Some(mut chart) => {
            chart.width = width;
            bar_chart_svg(&chart)
        }
        None => {
            let mut chart = funnel_chart(result, journey, title);
            chart.width = width;
            funnel_svg(&chart)
        }
    }
}

/// Title and width of a chart drawn from a result by [`flows_svg`] (JavaScript's
/// `flowsSvg` options): by default no title and the chart's own width.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ChartOptions {
    /// A title above the chart.
    pub title: Option<String>,
    /// Width in px.
    pub width: Option<u32>,
}

/// A flow result drawn as a Sankey SVG: [`flow_chart`] with `chart`'s title and width.
#[must_use]
pub fn flows_svg(flows: &Flows, chart: &ChartOptions) -> String {
    let mut c = flow_chart(flows, chart.title.clone());
    c.width = chart.width;
    flow_svg(&c)
}

/// The Sankey chart of a flow result: one column per depth (`step 1`, `step 2`…), node
/// ids `depth:name`, and in every column after the first an `(exit)` node (id
/// `exit:depth`) that receives, from each node of the column before, the customers whose
/// path ends there (its customers minus those of its links onward). The last column has
/// no exits after it: the flow stops there, the paths need not. Within a column, nodes go
/// from most to fewest customers (ties by name), `(other)` and `(exit)` last.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "customer counts far below 2^52 are exact"
)]
pub fn flow_chart(flows: &Flows, title: Option<String>) -> FlowChart {
    let id = |depth: usize, name: &str| format!("{depth}:{name}");
    let depths = flows.nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
    let column = |depth: usize| u32::try_from(depth).unwrap_or(u32::MAX);
    let mut order: Vec<&crate::events::FlowNode> = flows.nodes.iter().collect();
    order.sort_by(|a, b| {
        (
            a.depth,
            a.name == OTHER,
            std::cmp::Reverse(a.customers),
            &a.name,
        )
            .cmp(&(
                b.depth,
                b.name == OTHER,
                std::cmp::Reverse(b.customers),
                &b.name,
            ))
    });
    let mut nodes: Vec<FlowChartNode> = Vec::with_capacity(flows.nodes.len() + depths);
    let mut links: Vec<FlowChartLink> = flows
        .links
        .iter()
        .map(|l| FlowChartLink {
            source: id(l.depth, &l.from),
            target: id(l.depth + 1, &l.to),
            value: l.customers as f64,
        })
        .collect();
    for depth in 0..depths {
        let here: Vec<&&crate::events::FlowNode> =
            order.iter().filter(|n| n.depth == depth).collect();
        nodes.extend(here.iter().map(|n| FlowChartNode {
            id: id(n.depth, &n.name),
            label: n.name.clone(),
            column: column(n.depth),
        }));
        if depth == 0 {
            continue;
        }
        // Exits of the column before, into this column's `(exit)` node.
        let exits: Vec<(String, u64)> = order
            .iter()
            .filter(|n| n.depth + 1 == depth)
            .filter_map(|n| {
                let onward: u64 = flows
                    .links
                    .iter()
                    .filter(|l| l.depth == n.depth && l.from == n.name)
                    .map(|l| l.customers)
                    .sum();
                let left = n.customers.saturating_sub(onward);
                (left > 0).then(|| (id(n.depth, &n.name), left))
            })
            .collect();
        if !exits.is_empty() {
            let exit = format!("exit:{depth}");
            nodes.push(FlowChartNode {
                id: exit.clone(),
                label: FLOW_EXIT.to_owned(),
                column: column(depth),
            });
            links.extend(exits.into_iter().map(|(source, left)| FlowChartLink {
                source,
                target: exit.clone(),
                value: left as f64,
            }));
        }
    }
    FlowChart {
        title,
        columns: (1..=depths).map(|d| format!("step {d}")).collect(),
        nodes,
        links,
        width: None,
        height: None,
    }
}
