//! Scoring rules (docs/scoring.md): survey KPIs, emotion curves, pain-point priority
//! and opportunity scores, and explained health scores.

pub mod compare;
pub mod emotion;
pub mod health;
pub mod measured;
pub mod priority;
pub mod survey;

pub use compare::{
    compare_groups, normal_cdf, two_proportion_test, CompareData, GroupComparison, KpiComparison,
    ProportionTest,
};
pub use emotion::{emotion_curves, normalise, EmotionCurve, EmotionPoint, Extreme};
pub use health::{
    health, Band, Component, HealthData, HealthInputs, HealthReport, HealthScore, HealthWeights,
    ScopeKind, ScoringModel, Thresholds,
};
pub use measured::{
    measure_kpis, pooled_stage, MeasureData, MeasureInputs, MeasureSource, MeasuredKpi,
    MeasuredKpis, NotMeasured,
};
pub use priority::{
    priorities, MeasuredReach, OpportunityScore, PainPriority, PriorityReport, ReachSource,
};
pub use survey::{
    survey_kpis, GroupBy, GroupKey, GroupLevel, GroupSelector, GroupState, NpsScore, NpsState,
    ScaleMethod, ScaleScore, ScaleState, SurveyBatch, SurveyColumnNames, SurveyColumns,
    SurveyDefinitions, SurveyGroup, SurveyOptions, SurveyReport, SurveyState, SurveyTable,
    MAX_SURVEY_GROUPS,
};
