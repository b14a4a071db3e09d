//! Scoring rules (DOMAIN.md section 3): survey KPIs, emotion curves, priorities, health.

pub mod emotion;
pub mod survey;

pub use emotion::{emotion_curves, normalise, EmotionCurve, EmotionPoint, Extreme};
pub use survey::{
    survey_kpis, GroupLevel, NpsScore, NpsState, ScaleMethod, ScaleScore, ScaleState, SurveyGroup,
    SurveyOptions, SurveyReport, SurveyState, SurveyTable,
};
