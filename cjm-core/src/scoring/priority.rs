//! Pain-point priority and opportunity score (docs/scoring.md).
//!
//! - **Pain-point priority** = `severity/5 × frequency × reach`, in [0, 1]. `reach` is the
//!   measured share of customers passing the pain point's touchpoint (or, without one, its
//!   stage) when an event log is bound ([`MeasuredReach`], filled by the event-log
//!   analytics), and 1 otherwise; so measured drop-off raises priority where many pass and
//!   lowers it where few do. A pain point without a `frequency` has no priority (`None`),
//!   and the report says so instead of guessing.
//! - **Opportunity score** = `impact × confidence / effort` plus the sum of the priorities
//!   of the pain points it addresses (those without a priority are listed as missing).
//!
//! Rankings are by descending value; undefined values come last; ties keep document order.

use crate::definition::Definition;
use crate::model::{OpportunityStatus, PainPointStatus};
use crate::ValidJourney;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Measured reach: the share of all customers (0–1) who passed each stage and touchpoint.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasuredReach {
    /// Reach per stage id.
    #[serde(default)]
    pub stages: BTreeMap<String, f64>,
    /// Reach per touchpoint id.
    #[serde(default)]
    pub touchpoints: BTreeMap<String, f64>,
}

impl MeasuredReach {
    /// The measured reach of every stage and touchpoint of an event log's traffic, for
    /// pain-point priorities and health. Items without a defined reach (a log without
    /// customers) are left out.
    #[must_use]
    pub fn from_traffic(traffic: &crate::events::Traffic) -> Self {
        Self {
            stages: traffic
                .stages
                .iter()
                .filter_map(|s| Some((s.id.clone(), s.reach?)))
                .collect(),
            touchpoints: traffic
                .touchpoints
                .iter()
                .filter_map(|t| Some((t.id.clone(), t.reach?)))
                .collect(),
        }
    }

    /// Checks that every reach is a number (NaN or an infinity is a mistake upstream, not a
    /// reach).
    ///
    /// # Errors
    /// `invalid_option` naming the stage or touchpoint of a NaN or infinite reach.
    pub fn check(&self) -> crate::Result<()> {
        finite_values("reach.stages", &self.stages)?;
        finite_values("reach.touchpoints", &self.touchpoints)
    }
}

/// `invalid_option` for the first NaN or infinite value of a measured map (`what.key`).
pub(crate) fn finite_values(what: &str, values: &BTreeMap<String, f64>) -> crate::Result<()> {
    match values.iter().find(|(_, v)| !v.is_finite()) {
        Some((key, value)) => Err(crate::Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: format!("`{what}.{key}` must be a finite number, found `{value}`"),
        }),
        None => Ok(()),
    }
}

/// Where a reach value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReachSource {
    /// Measured at the pain point's touchpoint.
    Touchpoint,
    /// Measured at the pain point's stage.
    Stage,
    /// Not measured: 1 is assumed.
    Assumed,
}

/// The priority of one pain point.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PainPriority {
    /// Pain point id.
    pub pain_point: String,
    /// 1-based rank (undefined priorities rank last, in document order).
    pub rank: usize,
    /// Severity 1–5.
    pub severity: u8,
    /// Share of customers affected, when known.
    pub frequency: Option<f64>,
    /// The reach used.
    pub reach: f64,
    /// Where the reach came from.
    pub reach_source: ReachSource,
    /// `severity/5 × frequency × reach`; `None` without a frequency.
    pub priority: Option<f64>,
    /// Status in the document.
    pub status: PainPointStatus,
}

/// The score of one opportunity.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct OpportunityScore {
    /// Opportunity id.
    pub opportunity: String,
    /// 1-based rank.
    pub rank: usize,
    /// `impact × confidence / effort`.
    pub base: f64,
    /// Sum of the priorities of the addressed pain points that have one.
    pub addressed_priority: f64,
    /// `base + addressed_priority`.
    pub score: f64,
    /// Addressed pain points without a priority (no frequency).
    pub missing: Vec<String>,
    /// Status in the document.
    pub status: OpportunityStatus,
}

/// Ranked pain points and opportunities.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PriorityReport {
    /// Pain points by descending priority.
    pub pain_points: Vec<PainPriority>,
    /// Opportunities by descending score.
    pub opportunities: Vec<OpportunityScore>,
    /// The formulas in force.
    pub definition: Definition,
}

/// Ranks the pain points and opportunities of a journey.
///
/// # Errors
/// `invalid_option` when a measured reach is NaN or infinite ([`MeasuredReach::check`]).
pub fn priorities(
    journey: &ValidJourney,
    reach: Option<&MeasuredReach>,
) -> crate::Result<PriorityReport> {
    reach.map(MeasuredReach::check).transpose()?;
    let j = journey.journey();
    let stage_of_touchpoint = |tp: &str| {
        j.touchpoints
            .iter()
            .find(|t| t.id == tp)
            .map(|t| t.stage.as_str())
    };
    let mut pains: Vec<PainPriority> = j
        .pain_points
        .iter()
        .map(|p| {
            let measured_tp = p
                .touchpoint
                .as_deref()
                .and_then(|tp| reach.and_then(|r| r.touchpoints.get(tp)));
            let stage = p
                .stage
                .as_deref()
                .or_else(|| p.touchpoint.as_deref().and_then(stage_of_touchpoint));
            let measured_stage = stage.and_then(|s| reach.and_then(|r| r.stages.get(s)));
            let (reach_value, reach_source) = match (measured_tp, measured_stage) {
                (Some(r), _) => (*r, ReachSource::Touchpoint),
                (None, Some(r)) => (*r, ReachSource::Stage),
                (None, None) => (1.0, ReachSource::Assumed),
            };
            let reach_value = reach_value.clamp(0.0, 1.0);
            PainPriority {
                pain_point: p.id.clone(),
                rank: 0,
                severity: p.severity,
                frequency: p.frequency,
                reach: reach_value,
                reach_source,
                priority: p
                    .frequency
                    .map(|f| f64::from(p.severity) / 5.0 * f * reach_value),
                status: p.status,
            }
        })
        .collect();
    let by_id: BTreeMap<&str, Option<f64>> = pains
        .iter()
        .map(|p| (p.pain_point.as_str(), p.priority))
        .collect();
    let mut opportunities: Vec<OpportunityScore> = j
        .opportunities
        .iter()
        .map(|o| {
            let base = f64::from(o.impact) * o.confidence / f64::from(o.effort);
            let mut addressed_priority = 0.0;
            let mut missing = Vec::new();
            for id in &o.addresses {
                match by_id.get(id.as_str()).copied().flatten() {
                    Some(priority) => addressed_priority += priority,
                    None => missing.push(id.clone()),
                }
            }
            OpportunityScore {
                opportunity: o.id.clone(),
                rank: 0,
                base,
                addressed_priority,
                score: base + addressed_priority,
                missing,
                status: o.status,
            }
        })
        .collect();
    // Stable sorts keep document order among ties.
    crate::sort::stable_by(&mut pains, |a, b| match (a.priority, b.priority) {
        (Some(x), Some(y)) => y.total_cmp(&x),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
    crate::sort::stable_by(&mut opportunities, |a, b| b.score.total_cmp(&a.score));
    for (i, p) in pains.iter_mut().enumerate() {
        p.rank = i + 1;
    }
    for (i, o) in opportunities.iter_mut().enumerate() {
        o.rank = i + 1;
    }
    Ok(PriorityReport {
        pain_points: pains,
        opportunities,
        definition: Definition::new(
            "priority",
            &serde_json::json!({
                "pain_point": "severity/5*frequency*reach",
                "reach": if reach.is_some() { "measured (touchpoint, else stage, else 1)" } else { "1 (no event log bound)" },
                "opportunity": "impact*confidence/effort + sum(addressed priorities)",
            }),
        ),
    })
}
