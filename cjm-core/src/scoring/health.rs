//! Health scores, 0–100, of touchpoints, stages and the journey (docs/scoring.md),
//! each with its explanation.
//!
//! A health score is the weighted mean of the **components** that have data; components
//! without data are left out, the remaining weights renormalised, and the result lists
//! what was missing. Every component is normalised to 0–100 (higher is healthier):
//!
//! | component | raw value | normalised |
//! |---|---|---|
//! | `nps` | NPS of the scope's survey answers | `(NPS + 100)/2` |
//! | `csat` | CSAT of the scope | top box / pct of max as is; a mean `(x − 1)/(k − 1)·100` |
//! | `ces` | CES of the scope | a mean `(x − 1)/(k − 1)·100`; top box as is |
//! | `kpi` | mean attainment of the scope's KPIs other than rates | see below |
//! | `conversion` | mean attainment of the scope's `conversion_rate`, `drop_off` and `retention_rate` KPIs | see below |
//! | `emotion` | mean over personas of the scope's normalised emotion e' | `(e' + 1)·50` |
//! | `pain` | open and in-progress pain points of the scope (with a priority); present only where there are some, so it can only lower a score | `100·Π(1 − priority)`, raw `1 − Π(1 − priority)` |
//! | `touchpoints` (stages) | the stage's touchpoint healths | weighted by traffic when given, else equally |
//! | `stages` (journey) | the stage healths | weighted by `stage_weights`, else equally |
//!
//! KPI attainment: for higher-is-better `min(actual/target, 1)·100`, for lower-is-better
//! `min(target/actual, 1)·100` (an actual of 0 attains fully). NPS KPIs are compared on
//! `(NPS + 100)/2`. A target of 0 or less (after that) attains 100 when the actual meets it
//! and 0 otherwise. A measured value given in [`HealthInputs::kpi_actuals`] or
//! [`HealthInputs::measured`] takes the place of the document's `actual`. A stage whose
//! survey has no group of its own is scored on its touchpoints' answers pooled
//! ([`super::pooled_stage`]).
//!
//! Pain points count at their touchpoint when they have one, else at their stage.
//! Scores at or above `thresholds.good` are `good`, below `thresholds.poor` are `poor`,
//! `fair` between.

use super::emotion::emotion_curves;
use super::priority::{priorities, MeasuredReach};
use super::survey::{ScaleMethod, ScaleScore, SurveyReport};
use crate::definition::Definition;
use crate::model::{Direction, Kpi, Metric, PainPointStatus};
use crate::ValidJourney;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Weights of the health components.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HealthWeights {
    /// NPS.
    pub nps: f64,
    /// CSAT.
    pub csat: f64,
    /// CES.
    pub ces: f64,
    /// KPI attainment (non-rate KPIs).
    pub kpi: f64,
    /// Conversion, drop-off and retention KPI attainment.
    pub conversion: f64,
    /// Emotion.
    pub emotion: f64,
    /// Pain penalty.
    pub pain: f64,
    /// A stage's touchpoint healths, as one component of the stage.
    pub touchpoints: f64,
    /// The stage healths, as one component of the journey.
    pub stages: f64,
}

impl Default for HealthWeights {
    fn default() -> Self {
        Self {
            nps: 1.0,
            csat: 1.0,
            ces: 1.0,
            kpi: 1.0,
            conversion: 1.0,
            emotion: 1.0,
            pain: 1.0,
            touchpoints: 2.0,
            stages: 3.0,
        }
    }
}

/// Score bands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    /// At or above: `good` (default 70).
    pub good: f64,
    /// Below: `poor` (default 40).
    pub poor: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Self {
            good: 70.0,
            poor: 40.0,
        }
    }
}

/// How health is scored: weights, bands and per-stage weights of the journey score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ScoringModel {
    /// Component weights.
    pub weights: HealthWeights,
    /// Score bands.
    pub thresholds: Thresholds,
    /// Weight of each stage in the journey score (stage id → weight); stages not named
    /// weigh 1. Empty: all stages weigh equally.
    pub stage_weights: BTreeMap<String, f64>,
}

impl ScoringModel {
    /// Checks weights and thresholds.
    ///
    /// # Errors
    /// `invalid_option` for a negative or non-finite weight or threshold, or `poor > good`.
    pub fn check(&self) -> crate::Result<()> {
        let w = &self.weights;
        let all = [
            ("weights.nps", w.nps),
            ("weights.csat", w.csat),
            ("weights.ces", w.ces),
            ("weights.kpi", w.kpi),
            ("weights.conversion", w.conversion),
            ("weights.emotion", w.emotion),
            ("weights.pain", w.pain),
            ("weights.touchpoints", w.touchpoints),
            ("weights.stages", w.stages),
            ("thresholds.good", self.thresholds.good),
            ("thresholds.poor", self.thresholds.poor),
        ];
        let stage_weights = self.stage_weights.iter().map(|(k, v)| (k.as_str(), *v));
        for (name, value) in all.into_iter().chain(stage_weights) {
            if !value.is_finite() || value < 0.0 {
                return Err(crate::Error::Input {
                    code: crate::InputCode::InvalidOption,
                    row: None,
                    message: format!("`{name}` must be a finite number ≥ 0, found `{value}`"),
                });
            }
        }
        if self.thresholds.poor > self.thresholds.good {
            return Err(crate::Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: "`thresholds.poor` must not exceed `thresholds.good`".to_owned(),
            });
        }
        Ok(())
    }
}

/// Measured data to score with; everything is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct HealthInputs<'a> {
    /// Survey KPIs, grouped by scope (touchpoint or stage id).
    pub survey: Option<&'a SurveyReport>,
    /// Measured reach, for pain-point priorities.
    pub reach: Option<&'a MeasuredReach>,
    /// Customers per touchpoint, to weight touchpoints within a stage.
    pub traffic: Option<&'a BTreeMap<String, f64>>,
    /// Measured KPI values by KPI id, in place of the document's `actual`.
    pub kpi_actuals: Option<&'a BTreeMap<String, f64>>,
    /// Measured KPIs (from [`super::measure_kpis`]), in place of the document's `actual`
    /// where `kpi_actuals` gives no value.
    pub measured: Option<&'a super::MeasuredKpis>,
}

/// The measured data of [`health`] as one object from a dynamically typed caller
/// (JavaScript's `journey.health(model, inputs)`), keys as JavaScript writes them; each
/// optional, an unknown key `invalid_option`. The survey *answers* (`inputs.survey`, a
/// table of columns) are read apart, as [`super::SurveyTable`] reads them, and scored by
/// [`Self::health`] with `surveyOptions`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HealthData {
    /// `survey`: the answers, read apart by the binding (their columns may be typed
    /// arrays) and passed to [`Self::health`]; named here so that an unknown key's
    /// message lists it.
    #[allow(dead_code, reason = "a key of the object, read apart")]
    survey: Option<serde::de::IgnoredAny>,
    /// How the survey answers are scored.
    #[serde(rename = "surveyOptions")]
    pub survey_options: Option<super::SurveyOptions>,
    /// Measured reach, for pain-point priorities.
    pub reach: Option<MeasuredReach>,
    /// Customers per touchpoint, to weight touchpoints within a stage.
    pub traffic: Option<BTreeMap<String, f64>>,
    /// Measured KPI values by KPI id, in place of the document's `actual`.
    #[serde(rename = "kpiActuals")]
    pub kpi_actuals: Option<BTreeMap<String, f64>>,
    /// Measured KPIs, in place of the document's `actual` where `kpiActuals` gives none.
    pub measured: Option<super::MeasuredKpis>,
}

impl HealthData {
    /// [`health`] of `journey` under `model` with these data, `survey`'s answers scored
    /// first ([`super::survey_kpis`] with `surveyOptions`).
    ///
    /// # Errors
    /// The survey's errors (an answer off its scale, with its row); `invalid_option` for
    /// `surveyOptions` other than the defaults without `survey` (they would change
    /// nothing); [`health`]'s.
    pub fn health(
        &self,
        journey: &ValidJourney,
        model: &ScoringModel,
        survey: Option<&super::SurveyTable>,
    ) -> crate::Result<HealthReport> {
        let options = self.survey_options.unwrap_or_default();
        let survey = options.kpis_of(survey, "inputs.surveyOptions", "inputs.survey")?;
        let inputs = HealthInputs {
            survey: survey.as_ref(),
            reach: self.reach.as_ref(),
            traffic: self.traffic.as_ref(),
            kpi_actuals: self.kpi_actuals.as_ref(),
            measured: self.measured.as_ref(),
        };
        health(journey, model, &inputs)
    }
}

/// One component of a health score, explained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Component {
    /// Component name (`nps`, `csat`, …).
    pub name: String,
    /// The raw value (NPS, CSAT, attainment %, mean e', …).
    pub raw: f64,
    /// The value on 0–100.
    pub normalised: f64,
    /// The configured weight.
    pub weight: f64,
    /// The weight's share among the components present.
    pub share: f64,
    /// `share × normalised`: what the component adds to the score.
    pub contribution: f64,
}

/// Where a health score applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScopeKind {
    /// A touchpoint.
    Touchpoint,
    /// A stage.
    Stage,
    /// The whole journey.
    Journey,
}

/// Health band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// At or above the good threshold.
    Good,
    /// Between the thresholds.
    Fair,
    /// Below the poor threshold.
    Poor,
}

/// A health score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HealthScore {
    /// Touchpoint, stage or journey.
    pub kind: ScopeKind,
    /// Its id.
    pub id: String,
    /// 0–100; `None` when no component has data.
    pub score: Option<f64>,
    /// The band of the score.
    pub band: Option<Band>,
    /// The components with data.
    pub components: Vec<Component>,
    /// The components without data.
    pub missing: Vec<String>,
}

/// Health of every touchpoint, stage and the journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct HealthReport {
    /// The journey.
    pub journey: HealthScore,
    /// Stages in stage order.
    pub stages: Vec<HealthScore>,
    /// Touchpoints in document order.
    pub touchpoints: Vec<HealthScore>,
    /// The scoring model and its hash.
    pub definition: Definition,
}

fn attainment(kpi: &Kpi, actual: f64) -> Option<f64> {
    let target = kpi.target?;
    let (mut a, mut t) = (actual, target);
    if kpi.metric == Metric::Nps {
        a = (a + 100.0) / 2.0;
        t = (t + 100.0) / 2.0;
    }
    let lower = kpi.effective_direction() == Direction::Lower;
    let met = if lower { a <= t } else { a >= t };
    let value = if t <= 0.0 {
        if met {
            100.0
        } else {
            0.0
        }
    } else if lower {
        if a <= 0.0 {
            100.0
        } else {
            (t / a).min(1.0) * 100.0
        }
    } else {
        (a / t).clamp(0.0, 1.0) * 100.0
    };
    Some(value)
}

#[allow(clippy::cast_precision_loss, reason = "small counts")]
fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn scale_normalised(score: &ScaleScore) -> Option<(f64, f64)> {
    let value = score.value?;
    let normalised = match score.method {
        ScaleMethod::TopBox | ScaleMethod::PctOfMax => value,
        ScaleMethod::Mean => (value - 1.0) / (f64::from(score.scale_max) - 1.0) * 100.0,
    };
    Some((value, normalised))
}

fn band(score: f64, thresholds: &Thresholds) -> Band {
    if score >= thresholds.good {
        Band::Good
    } else if score < thresholds.poor {
        Band::Poor
    } else {
        Band::Fair
    }
}

/// Combines the components present into a score.
fn combine(
    kind: ScopeKind,
    id: &str,
    present: Vec<(&str, f64, f64, f64)>,
    missing: Vec<&str>,
    model: &ScoringModel,
) -> HealthScore {
    let total: f64 = present.iter().map(|(_, _, _, w)| w).sum();
    let components: Vec<Component> = if total > 0.0 {
        present
            .iter()
            .map(|&(name, raw, normalised, weight)| Component {
                name: name.to_owned(),
                raw,
                normalised,
                weight,
                share: weight / total,
                contribution: weight / total * normalised,
            })
            .collect()
    } else {
        Vec::new()
    };
    let score = (!components.is_empty()).then(|| components.iter().map(|c| c.contribution).sum());
    let mut missing: Vec<String> = missing.into_iter().map(str::to_owned).collect();
    if total <= 0.0 {
        missing.extend(present.iter().map(|(name, ..)| (*name).to_owned()));
    }
    HealthScore {
        kind,
        id: id.to_owned(),
        score,
        band: score.map(|s| band(s, &model.thresholds)),
        components,
        missing,
    }
}

/// Scores the health of every touchpoint, stage and the journey.
///
/// # Errors
/// `invalid_option` for a scoring model with a negative or non-finite weight, for a NaN
/// or infinite value in `traffic` or `kpi_actuals` (checked in that order), then for
/// one in the measured reach (checked by [`priorities`]).
pub fn health(
    journey: &ValidJourney,
    model: &ScoringModel,
    inputs: &HealthInputs<'_>,
) -> crate::Result<HealthReport> {
    model.check()?;
    for (what, values) in [
        ("traffic", inputs.traffic),
        ("kpi_actuals", inputs.kpi_actuals),
    ] {
        values
            .map(|v| super::priority::finite_values(what, v))
            .transpose()?;
    }
    let j = journey.journey();
    let w = &model.weights;
    let curves = emotion_curves(journey);
    let priority = priorities(journey, inputs.reach)?;
    let priority_of: BTreeMap<&str, Option<f64>> = priority
        .pain_points
        .iter()
        .map(|p| (p.pain_point.as_str(), p.priority))
        .collect();

    // Components shared by every scope kind; `scope` is (stage id, touchpoint id).
    let base = |stage: Option<&str>, touchpoint: Option<&str>| {
        let mut present: Vec<(&'static str, f64, f64, f64)> = Vec::new();
        let mut missing: Vec<&'static str> = Vec::new();
        let scope_id = touchpoint.or(stage);
        // A stage without survey answers of its own pools its touchpoints' answers.
        let pooled = match (stage, touchpoint, inputs.survey) {
            (Some(st), None, Some(survey)) if survey.scope(st).is_none() => {
                super::measured::pooled_stage(journey, survey, st)
            }
            _ => None,
        };
        let group = scope_id
            .and_then(|id| inputs.survey.and_then(|s| s.scope(id)))
            .or(pooled.as_ref())
            .or_else(|| {
                (stage.is_none() && touchpoint.is_none())
                    .then(|| inputs.survey.and_then(SurveyReport::overall))
                    .flatten()
            });
        match group.and_then(|g| g.nps.as_ref()).and_then(|n| n.value) {
            Some(nps) => present.push(("nps", nps, (nps + 100.0) / 2.0, w.nps)),
            None => missing.push("nps"),
        }
        match group
            .and_then(|g| g.csat.as_ref())
            .and_then(scale_normalised)
        {
            Some((raw, n)) => present.push(("csat", raw, n, w.csat)),
            None => missing.push("csat"),
        }
        match group
            .and_then(|g| g.ces.as_ref())
            .and_then(scale_normalised)
        {
            Some((raw, n)) => present.push(("ces", raw, n, w.ces)),
            None => missing.push("ces"),
        }
        let in_scope = |k: &&Kpi| {
            k.touchpoint.as_deref() == touchpoint
                && (touchpoint.is_some() || k.stage.as_deref() == stage)
        };
        let attained = |rates: bool| {
            let values: Vec<f64> = j
                .kpis
                .iter()
                .filter(in_scope)
                .filter(|k| {
                    let is_rate = matches!(
                        k.metric,
                        Metric::ConversionRate | Metric::DropOff | Metric::RetentionRate
                    );
                    is_rate == rates
                })
                .filter_map(|k| {
                    let actual = inputs
                        .kpi_actuals
                        .and_then(|m| m.get(&k.id).copied())
                        .or_else(|| inputs.measured.and_then(|m| m.value(&k.id)))
                        .or(k.actual)?;
                    attainment(k, actual)
                })
                .collect();
            mean(&values)
        };
        match attained(false) {
            Some(v) => present.push(("kpi", v, v, w.kpi)),
            None => missing.push("kpi"),
        }
        // A stage without rate KPIs takes its measured onward conversion (the share of
        // its customers in the stage funnel who reach the next stage), so that a stage
        // that loses most of its customers cannot score "good" on the rest.
        let onward = || {
            let stage = stage.filter(|_| touchpoint.is_none())?;
            let loss = inputs
                .measured?
                .losses
                .iter()
                .find(|l| l.stage.as_deref() == Some(stage))?;
            let v = (1.0 - loss.rate) * 100.0 + 0.0;
            Some((v, v))
        };
        match attained(true).map(|v| (v, v)).or_else(onward) {
            Some((raw, v)) => present.push(("conversion", raw, v, w.conversion)),
            None => missing.push("conversion"),
        }
        let emotions: Vec<f64> = curves
            .iter()
            .filter_map(|c| match (touchpoint, stage) {
                (Some(tp), _) => c.touchpoints.iter().find(|p| p.id == tp)?.value,
                (None, Some(st)) => c.stages.iter().find(|p| p.id == st)?.value,
                (None, None) => {
                    let known: Vec<f64> = c.stages.iter().filter_map(|p| p.value).collect();
                    mean(&known)
                }
            })
            .collect();
        match mean(&emotions) {
            Some(e) => present.push(("emotion", e, (e + 1.0) * 50.0, w.emotion)),
            None => missing.push("emotion"),
        }
        if touchpoint.is_some() || stage.is_some() {
            let pains: Vec<f64> = j
                .pain_points
                .iter()
                .filter(|p| {
                    matches!(
                        p.status,
                        PainPointStatus::Open | PainPointStatus::InProgress
                    )
                })
                .filter(|p| match touchpoint {
                    Some(tp) => p.touchpoint.as_deref() == Some(tp),
                    None => p.touchpoint.is_none() && p.stage.as_deref() == stage,
                })
                .filter_map(|p| priority_of.get(p.id.as_str()).copied().flatten())
                .collect();
            // A penalty only: a scope without known pain gains nothing (no data is not good
            // news), a scope with pain is pulled down.
            if pains.is_empty() {
                missing.push("pain");
            } else {
                let unaffected: f64 = pains.iter().map(|p| 1.0 - p.clamp(0.0, 1.0)).product();
                present.push(("pain", 1.0 - unaffected, 100.0 * unaffected, w.pain));
            }
        }
        (present, missing)
    };

    let touchpoints: Vec<HealthScore> = j
        .touchpoints
        .iter()
        .map(|tp| {
            let (present, missing) = base(Some(&tp.stage), Some(&tp.id));
            combine(ScopeKind::Touchpoint, &tp.id, present, missing, model)
        })
        .collect();

    let stages: Vec<HealthScore> = j
        .stages
        .iter()
        .map(|stage| {
            let (mut present, mut missing) = base(Some(&stage.id), None);
            let mut weighted = 0.0;
            let mut total = 0.0;
            for (tp, score) in j.touchpoints.iter().zip(&touchpoints) {
                if tp.stage != stage.id {
                    continue;
                }
                let Some(s) = score.score else { continue };
                let weight = match inputs.traffic {
                    Some(traffic) => traffic.get(&tp.id).copied().unwrap_or(0.0).max(0.0),
                    None => 1.0,
                };
                weighted += weight * s;
                total += weight;
            }
            if total > 0.0 {
                let v = weighted / total;
                present.push(("touchpoints", v, v, w.touchpoints));
            } else {
                missing.push("touchpoints");
            }
            combine(ScopeKind::Stage, &stage.id, present, missing, model)
        })
        .collect();

    let (mut present, mut missing) = base(None, None);
    let mut weighted = 0.0;
    let mut total = 0.0;
    for (stage, score) in j.stages.iter().zip(&stages) {
        let Some(s) = score.score else { continue };
        let weight = model.stage_weights.get(&stage.id).copied().unwrap_or(1.0);
        weighted += weight * s;
        total += weight;
    }
    if total > 0.0 {
        let v = weighted / total;
        present.push(("stages", v, v, w.stages));
    } else {
        missing.push("stages");
    }
    let journey_score = combine(ScopeKind::Journey, &j.id, present, missing, model);
    Ok(HealthReport {
        journey: journey_score,
        stages,
        touchpoints,
        definition: Definition::new("health", model),
    })
}
