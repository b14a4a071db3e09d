//! Insights: a lint for journey maps (docs/insights.md).
//!
//! Each finding has a stable `code`, a `severity`, a JSON `path` into the document and a
//! message. Rules that need data the caller did not give (a date for staleness, a bound
//! event log for drop-off and unmapped events) are skipped and listed in `not_checked`,
//! never guessed: staleness is judged against the `as_of` date given, never the wall clock.
//! The catalogue with thresholds is `docs/insights.md`.

use crate::definition::Definition;
use crate::model::{ChannelKind, OpportunityStatus, PainPointStatus, DEFAULT_CADENCE_DAYS};
use crate::scoring::{emotion_curves, priorities, MeasuredReach};
use crate::validate::rules::parse_date;
use crate::ValidJourney;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How serious a finding is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Should be looked at.
    Warning,
    /// Hurts customers or the map's credibility now.
    Critical,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Insight {
    /// Stable code (see `docs/insights.md`).
    pub code: String,
    /// How serious.
    pub severity: Severity,
    /// JSON path of the item concerned (`""` for the whole map).
    pub path: String,
    /// Human explanation.
    pub message: String,
}

/// Thresholds and the date to judge staleness by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InsightOptions {
    /// The date of the check, `YYYY-MM-DD`; without it the staleness rules are skipped.
    /// An ISO-8601 date and time (`2024-03-01T10:00:00+02:00`, a Python `datetime`) is
    /// read as its calendar date as written.
    #[serde(deserialize_with = "calendar_date")]
    pub as_of: Option<String>,
    /// A pain point with at least this priority is high priority (default 0.3).
    pub high_priority: f64,
    /// A stage drop-off at or above this share is high (default 0.5).
    pub high_drop_off: f64,
    /// Unmapped events are flagged from this share of all events (default 0.05).
    pub unmapped_share: f64,
}

/// [`InsightOptions::as_of`] as read: a valid date and time keeps its date
/// (`YYYY-MM-DD`); any other text is kept whole, for the date check to refuse.
pub(crate) fn calendar_date<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    let text = Option::<String>::deserialize(d)?;
    Ok(text.map(|t| match (t.get(..10), t.get(10..11)) {
        (Some(date), Some("T" | "t" | " "))
            if crate::events::time::parse_instant(&t, "as_of", true).is_ok() =>
        {
            date.to_owned()
        }
        _ => t,
    }))
}

impl Default for InsightOptions {
    fn default() -> Self {
        Self {
            as_of: None,
            high_priority: 0.3,
            high_drop_off: 0.5,
            unmapped_share: 0.05,
        }
    }
}

/// Measured data some rules need; all optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct InsightInputs {
    /// Measured reach, for pain-point priorities.
    pub reach: Option<MeasuredReach>,
    /// Measured drop-off per stage id (share 0–1 of the customers entering it who leave).
    pub stage_drop_off: Option<BTreeMap<String, f64>>,
    /// Counts of event names in a bound log that no touchpoint binds.
    pub unmapped_events: Option<BTreeMap<String, u64>>,
    /// All events of that log.
    pub total_events: Option<u64>,
    /// KPIs measured from the data (`scoring::measure_kpis`): a KPI with a measured value
    /// is judged on it, not on the document's `actual`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measured: Option<crate::scoring::MeasuredKpis>,
}

impl InsightInputs {
    /// The inputs a bound event log gives: measured reach and unmapped events from its
    /// traffic, and — from a stage funnel (`Funnel::from_stages`) — the drop-off at each
    /// stage: the share of the customers who reached the stage and did not reach the next
    /// stage of the funnel (the last stage has none).
    #[must_use]
    pub fn from_measures(
        traffic: &crate::events::Traffic,
        stage_funnel: Option<&crate::events::FunnelResult>,
    ) -> Self {
        let stage_drop_off = stage_funnel.map(|funnel| {
            funnel
                .steps
                .windows(2)
                .filter_map(|pair| match pair {
                    [this, next] => match &this.step {
                        crate::events::StepSpec::Stage(id) => {
                            next.drop_off_rate.map(|rate| (id.clone(), rate))
                        }
                        _ => None,
                    },
                    _ => None,
                })
                .collect()
        });
        Self {
            reach: Some(crate::scoring::MeasuredReach::from_traffic(traffic)),
            stage_drop_off,
            unmapped_events: Some(traffic.unmapped_counts()),
            total_events: Some(traffic.events),
            measured: None,
        }
    }
}

/// The findings of a check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InsightReport {
    /// Findings, most severe first, then in catalogue order (document order within a rule).
    pub insights: Vec<Insight>,
    /// Rules skipped for lack of input, with the input they need.
    pub not_checked: Vec<String>,
    /// The options in force and their hash.
    pub definition: Definition,
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days(date: &str) -> Option<i64> {
    let (y, m, d) = parse_date(date)?;
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

struct Findings(Vec<Insight>);

impl Findings {
    fn add(&mut self, code: &str, severity: Severity, path: String, message: String) {
        self.0.push(Insight {
            code: code.to_owned(),
            severity,
            path,
            message,
        });
    }
}

/// Checks a journey map against every insight rule.
///
/// # Errors
/// `invalid_option` for an `as_of` that is not a date or a threshold outside 0–1.
#[allow(
    clippy::too_many_lines,
    reason = "one rule after another, in catalogue order"
)]
pub fn insights(
    journey: &ValidJourney,
    options: &InsightOptions,
    inputs: &InsightInputs,
) -> crate::Result<InsightReport> {
    let invalid = |message: String| crate::Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    };
    let as_of = match &options.as_of {
        Some(date) => Some(
            days(date)
                .ok_or_else(|| invalid(format!("`as_of` `{date}` is not a date YYYY-MM-DD")))?,
        ),
        None => None,
    };
    for (name, value) in [
        ("high_priority", options.high_priority),
        ("high_drop_off", options.high_drop_off),
        ("unmapped_share", options.unmapped_share),
    ] {
        if !(0.0..=1.0).contains(&value) {
            return Err(invalid(format!(
                "`{name}` must be from 0 to 1, found `{value}`"
            )));
        }
    }
    inputs
        .reach
        .as_ref()
        .map(MeasuredReach::check)
        .transpose()?;
    if let Some(drop_off) = &inputs.stage_drop_off {
        crate::scoring::priority::finite_values("stage_drop_off", drop_off)?;
    }
    let j = journey.journey();
    let mut out = Findings(Vec::new());
    let mut not_checked = Vec::new();

    // Stages: touchpoints and channel kinds.
    for (i, stage) in j.stages.iter().enumerate() {
        let tps: Vec<_> = j
            .touchpoints
            .iter()
            .filter(|t| t.stage == stage.id)
            .collect();
        if tps.is_empty() {
            out.add(
                "stage_without_touchpoints",
                Severity::Warning,
                format!("stages[{i}]"),
                format!("stage `{}` has no touchpoints", stage.name),
            );
            continue;
        }
        let kinds: BTreeSet<ChannelKind> = tps
            .iter()
            .filter_map(|t| j.channels.iter().find(|c| c.id == t.channel))
            .map(|c| c.kind)
            .collect();
        if let [only] = kinds.iter().collect::<Vec<_>>().as_slice() {
            let kind = serde_json::to_value(only).unwrap_or_default();
            out.add(
                "single_channel_kind",
                Severity::Info,
                format!("stages[{i}]"),
                format!(
                    "stage `{}` is covered by {} channels only; customers who need another way in have none",
                    stage.name,
                    kind.as_str().unwrap_or("one kind of")
                ),
            );
        }
    }

    // Touchpoints without an owner.
    for (i, tp) in j.touchpoints.iter().enumerate() {
        if tp.owner.is_none() {
            out.add(
                "touchpoint_without_owner",
                Severity::Warning,
                format!("touchpoints[{i}]"),
                format!("touchpoint `{}` has no owning team", tp.name),
            );
        }
    }

    // Personas without observations for a stage.
    for (i, persona) in j.personas.iter().enumerate() {
        let missing: Vec<&str> = j
            .stages
            .iter()
            .filter(|s| {
                !j.observations
                    .iter()
                    .any(|o| o.persona == persona.id && o.stage == s.id)
            })
            .map(|s| s.name.as_str())
            .collect();
        if !missing.is_empty() {
            out.add(
                "persona_stage_unobserved",
                Severity::Info,
                format!("personas[{i}]"),
                format!(
                    "persona `{}` has no observations for {}: {}",
                    persona.name,
                    if missing.len() == 1 {
                        "stage"
                    } else {
                        "stages"
                    },
                    missing
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }

    // Pain points: unaddressed (high priority or not), without evidence.
    let priority = priorities(journey, inputs.reach.as_ref())?;
    let priority_of: BTreeMap<&str, Option<f64>> = priority
        .pain_points
        .iter()
        .map(|p| (p.pain_point.as_str(), p.priority))
        .collect();
    let addressed: BTreeSet<&str> = j
        .opportunities
        .iter()
        .filter(|o| o.status != OpportunityStatus::Rejected)
        .flat_map(|o| o.addresses.iter().map(String::as_str))
        .collect();
    for (i, pain) in j.pain_points.iter().enumerate() {
        let open = matches!(
            pain.status,
            PainPointStatus::Open | PainPointStatus::InProgress
        );
        if open && !addressed.contains(pain.id.as_str()) {
            let p = priority_of.get(pain.id.as_str()).copied().flatten();
            match p {
                Some(p) if p >= options.high_priority => out.add(
                    "high_priority_pain_unaddressed",
                    Severity::Critical,
                    format!("pain_points[{i}]"),
                    format!(
                        "pain point `{}` has priority {p:.2} (≥ {:.2}) and no opportunity addresses it",
                        pain.name, options.high_priority
                    ),
                ),
                _ => out.add(
                    "pain_point_unaddressed",
                    Severity::Warning,
                    format!("pain_points[{i}]"),
                    format!("no opportunity (other than rejected ones) addresses pain point `{}`", pain.name),
                ),
            }
        }
        if pain.evidence_ids.is_empty() {
            out.add(
                "pain_point_without_evidence",
                Severity::Info,
                format!("pain_points[{i}].evidence_ids"),
                format!(
                    "pain point `{}` rests on no evidence: it is an assumption",
                    pain.name
                ),
            );
        }
    }

    // KPIs: without target, missing target (on the measured value when there is one).
    for (i, kpi) in j.kpis.iter().enumerate() {
        let measured = inputs.measured.as_ref().and_then(|m| m.value(&kpi.id));
        match (kpi.target, measured.or(kpi.actual)) {
            (None, _) => out.add(
                "kpi_without_target",
                Severity::Warning,
                format!("kpis[{i}].target"),
                format!(
                    "KPI `{}` has no target: nobody can tell whether it works",
                    kpi.name
                ),
            ),
            (Some(target), Some(actual)) => {
                let lower = kpi.effective_direction() == crate::model::Direction::Lower;
                if (lower && actual > target) || (!lower && actual < target) {
                    let value = crate::format::kpi_value(kpi, actual);
                    let target = crate::format::kpi_value(kpi, target);
                    out.add(
                        "kpi_target_missed",
                        Severity::Warning,
                        // A measured value is not in the document: the path is the KPI's.
                        if measured.is_some() {
                            format!("kpis[{i}]")
                        } else {
                            format!("kpis[{i}].actual")
                        },
                        format!(
                            "KPI `{}` misses its target: {} {value} where {} {target} is the aim",
                            kpi.name,
                            if measured.is_some() {
                                "measured"
                            } else {
                                "designed"
                            },
                            if lower { "at most" } else { "at least" }
                        ),
                    );
                }
            }
            (Some(_), None) => {}
        }
    }

    // Emotional low points without an opportunity in that stage.
    let curves = emotion_curves(journey);
    for (i, curve) in curves.iter().enumerate() {
        let Some(low) = &curve.low else { continue };
        if low.value >= 0.0 {
            continue;
        }
        let stage_tps: BTreeSet<&str> = j
            .touchpoints
            .iter()
            .filter(|t| t.stage == low.stage)
            .map(|t| t.id.as_str())
            .collect();
        let pains_here: BTreeSet<&str> = j
            .pain_points
            .iter()
            .filter(|p| {
                p.stage.as_deref() == Some(low.stage.as_str())
                    || p.touchpoint
                        .as_deref()
                        .is_some_and(|t| stage_tps.contains(t))
            })
            .map(|p| p.id.as_str())
            .collect();
        if !pains_here.iter().any(|p| addressed.contains(p)) {
            let stage_name = j
                .stages
                .iter()
                .find(|s| s.id == low.stage)
                .map_or(low.stage.as_str(), |s| s.name.as_str());
            out.add(
                "low_point_unaddressed",
                Severity::Warning,
                format!("personas[{i}]"),
                format!(
                    "the emotional low point of persona `{}` is stage `{stage_name}` ({:.2} on −1..1), and no opportunity addresses a pain point there",
                    j.personas.get(i).map_or("", |p| p.name.as_str()),
                    low.value
                ),
            );
        }
    }

    // Staleness: review cadence, evidence age.
    let cadence = j
        .review
        .as_ref()
        .map_or(DEFAULT_CADENCE_DAYS, |r| r.cadence_days);
    if let Some(today) = as_of {
        match j.review.as_ref().and_then(|r| r.last_reviewed.as_deref()).and_then(days) {
            Some(reviewed) if today - reviewed > i64::from(cadence) => out.add(
                "review_overdue",
                Severity::Warning,
                "review.last_reviewed".to_owned(),
                format!(
                    "the map was last reviewed {} days before {}, more than its cadence of {cadence} days",
                    today - reviewed,
                    options.as_of.as_deref().unwrap_or_default()
                ),
            ),
            Some(_) => {}
            None => out.add(
                "review_missing",
                Severity::Info,
                "review".to_owned(),
                "the map has no `review.last_reviewed` date".to_owned(),
            ),
        }
        for (i, evidence) in j.evidence.iter().enumerate() {
            if let Some(collected) = evidence.collected_on.as_deref().and_then(days) {
                if today - collected > i64::from(cadence) {
                    out.add(
                        "evidence_stale",
                        Severity::Warning,
                        format!("evidence[{i}].collected_on"),
                        format!(
                            "evidence `{}` was collected {} days before {}, more than the review cadence of {cadence} days",
                            evidence.name,
                            today - collected,
                            options.as_of.as_deref().unwrap_or_default()
                        ),
                    );
                }
            }
        }
    } else {
        not_checked.push("review_overdue, review_missing, evidence_stale: need `as_of`".to_owned());
    }

    // Measured drop-off without a mapped pain point.
    match &inputs.stage_drop_off {
        Some(drop_off) => {
            for (i, stage) in j.stages.iter().enumerate() {
                let Some(&rate) = drop_off.get(&stage.id) else {
                    continue;
                };
                if rate < options.high_drop_off {
                    continue;
                }
                let has_pain = j.pain_points.iter().any(|p| {
                    p.stage.as_deref() == Some(stage.id.as_str())
                        || p.touchpoint.as_deref().is_some_and(|tp| {
                            j.touchpoints
                                .iter()
                                .any(|t| t.id == tp && t.stage == stage.id)
                        })
                });
                if !has_pain {
                    out.add(
                        "drop_off_without_pain_point",
                        Severity::Critical,
                        format!("stages[{i}]"),
                        format!(
                            "{:.0} % of customers drop off at stage `{}` and the map names no pain point there",
                            rate * 100.0,
                            stage.name
                        ),
                    );
                }
            }
        }
        None => not_checked.push("drop_off_without_pain_point: needs `stage_drop_off`".to_owned()),
    }

    // Unmapped events with large volume.
    match (&inputs.unmapped_events, inputs.total_events) {
        (Some(unmapped), Some(total)) => {
            #[allow(clippy::cast_precision_loss, reason = "event counts far below 2^52")]
            for (name, &count) in unmapped.iter().filter(|_| total > 0) {
                let share = count as f64 / total as f64;
                if share >= options.unmapped_share {
                    out.add(
                        "unmapped_events",
                        Severity::Warning,
                        String::new(),
                        format!(
                            "event `{name}` makes up {} of the log ({} of {}) and no touchpoint binds it",
                            crate::format::percent(share),
                            crate::format::count(count),
                            crate::format::count(total)
                        ),
                    );
                }
            }
        }
        _ => not_checked
            .push("unmapped_events: needs `unmapped_events` and `total_events`".to_owned()),
    }

    // Most severe first; the sort is stable, so catalogue and document order hold within a
    // severity.
    crate::sort::stable_by(&mut out.0, |a, b| b.severity.cmp(&a.severity));
    Ok(InsightReport {
        insights: out.0,
        not_checked,
        definition: Definition::new("insights", options),
    })
}

#[cfg(test)]
mod tests {
    use super::days;

    #[test]
    fn civil_days() {
        // Python: (date(2026, 11, 22) - date(1970, 1, 1)).days == 20779 and for 2000-02-29, 11016
        assert_eq!(days("1970-01-01"), Some(0));
        assert_eq!(days("2026-11-22"), Some(20_779));
        assert_eq!(days("2000-02-29"), Some(11_016));
        assert_eq!(days("1969-12-31"), Some(-1));
        assert_eq!(days("2026-02-30"), None);
    }
}
