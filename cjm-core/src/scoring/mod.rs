//! Scoring rules (DOMAIN.md section 3): survey KPIs, emotion curves, priorities, health.

pub mod emotion;

pub use emotion::{emotion_curves, normalise, EmotionCurve, EmotionPoint, Extreme};
