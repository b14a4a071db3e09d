//! Emotion curves (docs/scoring.md).
//!
//! Every emotion is normalised from its declared scale to [−1, 1]:
//! `e' = 2(x − min)/(max − min) − 1`. Per persona, a stage's emotion is the mean of the
//! normalised emotions of that persona's observations in the stage (a touchpoint's, of the
//! observations naming it). Over the stages that have data, in stage order:
//!
//! - the **low point** is the lowest stage value, the **high point** the highest (ties go
//!   to the earlier stage);
//! - the **peak–end value** is `(most intense + last)/2`, where the most intense value is
//!   the one with the largest magnitude `|e'|` (sign kept; ties go to the earlier stage)
//!   and the last is the value of the last stage with data.
//!
//! Stages without observations have no value (`null`), never a made-up one, and a persona
//! without any emotion has no low, high or peak–end value.

use crate::definition::Definition;
use crate::model::EmotionScale;
use crate::ValidJourney;
use serde::Serialize;

/// Normalises `value` on `scale` to [−1, 1]. A valid journey guarantees `min < max` and
/// `value` within the scale.
///
/// Any finite scale works, however wide: when `max − min` overflows (a scale such as
/// `[−1e308, 1e308]`), the value and both bounds are halved first, which keeps every
/// difference finite and changes no ratio. The result is clamped to [−1, 1] against
/// rounding, and an input outside the guarantee (no width, a NaN) gives 0, never NaN.
#[must_use]
pub fn normalise(value: f64, scale: EmotionScale) -> f64 {
    let (min, max) = (scale.min, scale.max);
    let (v, lo, hi) = if (max - min).is_finite() {
        (value, min, max)
    } else {
        (value / 2.0, min / 2.0, max / 2.0)
    };
    let r = 2.0 * ((v - lo) / (hi - lo)) - 1.0;
    if r.is_finite() {
        r.clamp(-1.0, 1.0)
    } else {
        0.0
    }
}

/// The emotion of one persona over the stages of a journey.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EmotionCurve {
    /// Persona id.
    pub persona: String,
    /// One point per stage, in stage order.
    pub stages: Vec<EmotionPoint>,
    /// One point per touchpoint that has observations of this persona, in touchpoint order.
    pub touchpoints: Vec<EmotionPoint>,
    /// The lowest stage value.
    pub low: Option<Extreme>,
    /// The highest stage value.
    pub high: Option<Extreme>,
    /// `(most intense + last)/2` over the stage values.
    pub peak_end: Option<f64>,
    /// How the curve was computed.
    pub definition: Definition,
}

/// The mean normalised emotion at a stage or touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EmotionPoint {
    /// Stage or touchpoint id.
    pub id: String,
    /// Mean of the normalised emotions, in [−1, 1]; `None` without observations.
    pub value: Option<f64>,
    /// How many observations with an emotion went into the mean.
    pub observations: usize,
}

/// A low or high point of a curve.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Extreme {
    /// Stage id.
    pub stage: String,
    /// The stage value, in [−1, 1].
    pub value: f64,
}

#[derive(Serialize)]
struct CurveDefinition {
    normalisation: &'static str,
    aggregate: &'static str,
    peak_end: &'static str,
}

const DEFINITION: CurveDefinition = CurveDefinition {
    normalisation: "2(x-min)/(max-min)-1",
    aggregate: "mean",
    peak_end: "(max |e| + last)/2, ties to earlier stage",
};

/// The emotion curve of every persona, in persona order.
#[must_use]
pub fn emotion_curves(journey: &ValidJourney) -> Vec<EmotionCurve> {
    let j = journey.journey();
    let definition = Definition::new("emotion_curve", &DEFINITION);
    j.personas
        .iter()
        .map(|persona| {
            let observed = |matches: &dyn Fn(&crate::model::Observation) -> bool| {
                let values: Vec<f64> = j
                    .observations
                    .iter()
                    .filter(|o| o.persona == persona.id && matches(o))
                    .filter_map(|o| o.emotion.as_ref())
                    .map(|e| normalise(e.value, e.scale))
                    .collect();
                (mean(&values), values.len())
            };
            let stages: Vec<EmotionPoint> = j
                .stages
                .iter()
                .map(|stage| {
                    let (value, observations) = observed(&|o| o.stage == stage.id);
                    EmotionPoint {
                        id: stage.id.clone(),
                        value,
                        observations,
                    }
                })
                .collect();
            let touchpoints = j
                .touchpoints
                .iter()
                .filter_map(|tp| {
                    let (value, observations) =
                        observed(&|o| o.touchpoint.as_deref() == Some(tp.id.as_str()));
                    (observations > 0).then(|| EmotionPoint {
                        id: tp.id.clone(),
                        value,
                        observations,
                    })
                })
                .collect();
            let known: Vec<(&str, f64)> = stages
                .iter()
                .filter_map(|p| p.value.map(|v| (p.id.as_str(), v)))
                .collect();
            let pick = |better: &dyn Fn(f64, f64) -> bool| {
                known
                    .iter()
                    .fold(None::<(&str, f64)>, |best, &(id, v)| match best {
                        Some((_, b)) if !better(v, b) => best,
                        _ => Some((id, v)),
                    })
                    .map(|(stage, value)| Extreme {
                        stage: stage.to_owned(),
                        value,
                    })
            };
            let low = pick(&|v, b| v < b);
            let high = pick(&|v, b| v > b);
            let peak_end = pick(&|v, b| v.abs() > b.abs())
                .zip(known.last())
                .map(|(peak, &(_, last))| (peak.value + last) / 2.0);
            EmotionCurve {
                persona: persona.id.clone(),
                stages,
                touchpoints,
                low,
                high,
                peak_end,
                definition: definition.clone(),
            }
        })
        .collect()
}

#[allow(
    clippy::cast_precision_loss,
    reason = "observation counts are far below 2^52"
)]
fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}
