//! Pictures straight from analysis results, so no binding has to rebuild chart inputs.

use super::charts::{FlowChart, FlowLink, FlowNode, FunnelChart, FunnelStep};
use crate::events::{Flows, FunnelResult, StepSpec};
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

/// The Sankey chart of a flow result: one column per depth, node ids `depth:name`.
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "customer counts far below 2^52 are exact"
)]
pub fn flow_chart(flows: &Flows, title: Option<String>) -> FlowChart {
    let id = |depth: usize, name: &str| format!("{depth}:{name}");
    let depths = flows.nodes.iter().map(|n| n.depth + 1).max().unwrap_or(0);
    FlowChart {
        title,
        columns: (1..=depths).map(|d| format!("step {d}")).collect(),
        nodes: flows
            .nodes
            .iter()
            .map(|n| FlowNode {
                id: id(n.depth, &n.name),
                label: n.name.clone(),
                column: u32::try_from(n.depth).unwrap_or(u32::MAX),
            })
            .collect(),
        links: flows
            .links
            .iter()
            .map(|l| FlowLink {
                source: id(l.depth, &l.from),
                target: id(l.depth + 1, &l.to),
                value: l.customers as f64,
            })
            .collect(),
        width: None,
        height: None,
    }
}
