//! Measured KPIs: the value of each KPI of a map that the data can answer, with where it
//! came from, kept apart from the document's designed `actual` and `target`.
//!
//! The rules (docs/scoring.md, "Measured KPIs"), by the KPI's metric and scope:
//!
//! * `conversion_rate`, whole journey: the last step's `conversion_from_first` of the
//!   conversion funnel when one is given, else of the stage funnel. For a stage or a
//!   touchpoint: among the customers who reached the funnel step of that stage or
//!   touchpoint, the share who reached the next step (the next step's
//!   `conversion_from_previous`); the last step has no next step and is not measured.
//! * `drop_off`: one minus the conversion above (the next step's `drop_off_rate`).
//! * `nps`, `csat`, `ces`: the survey group of the scope (the overall group for the whole
//!   journey). A stage without a group of its own pools the groups of its touchpoints:
//!   NPS from the summed promoter, passive and detractor counts; CSAT and CES as the
//!   answer-weighted mean of the touchpoint values, which is the value of the pooled
//!   answers for every scale method (each is a mean of per-answer quantities). A group
//!   suppressed for privacy is not used.
//! * `average_order_value`: the mean of the value column over the events that carry a
//!   value; `revenue`: their sum (the data period is the log's first to last event).
//! * `retention_rate` and `custom`: not measured (the note says why).
//!
//! Each measured value says how many customers, answers or events it rests on, the
//! definition hash of the analysis it was read from, and a sentence saying how it was
//! measured; each KPI left out says why.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::survey::{NpsScore, ScaleScore, SurveyGroup, SurveyReport};
use crate::definition::Definition;
use crate::events::time::format_iso8601;
use crate::events::{EventLog, FunnelResult, StepSpec};
use crate::model::{Kpi, Metric};
use crate::ValidJourney;

/// The data KPIs are measured from; everything is optional.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeasureInputs<'a> {
    /// A funnel whose steps are the map's stages (or touchpoints): conversion and drop-off
    /// per stage or touchpoint, and the journey's conversion when `conversion` is absent.
    pub stage_funnel: Option<&'a FunnelResult>,
    /// The funnel that defines the journey's conversion (from its first to its last step).
    pub conversion: Option<&'a FunnelResult>,
    /// Survey KPIs by touchpoint or stage (and overall).
    pub survey: Option<&'a SurveyReport>,
    /// The event log: the data period, its customers, and order values.
    pub log: Option<&'a EventLog>,
}

/// The results [`measure_kpis`] reads, as one object from a dynamically typed caller
/// (JavaScript's `log.measureKpis(journey, inputs)`); each optional, an unknown key
/// `invalid_option`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MeasureData {
    /// See [`MeasureInputs::stage_funnel`].
    pub stage_funnel: Option<FunnelResult>,
    /// See [`MeasureInputs::conversion`].
    pub conversion: Option<FunnelResult>,
    /// See [`MeasureInputs::survey`].
    pub survey: Option<SurveyReport>,
}

impl MeasureData {
    /// The inputs of [`measure_kpis`]: these results and `log`.
    #[must_use]
    pub fn inputs<'a>(&'a self, log: Option<&'a EventLog>) -> MeasureInputs<'a> {
        MeasureInputs {
            stage_funnel: self.stage_funnel.as_ref(),
            conversion: self.conversion.as_ref(),
            survey: self.survey.as_ref(),
            log,
        }
    }
}

/// Where a measured value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeasureSource {
    /// A funnel over the event log.
    Funnel,
    /// Survey answers.
    Survey,
    /// The event log's value column.
    EventLog,
}

/// One KPI's measured value and its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasuredKpi {
    /// The KPI's id.
    pub kpi: String,
    /// The value, in the KPI's unit (rates 0–1, NPS −100..100, CSAT 0–100 or the CES
    /// scale, as the survey computed it).
    pub value: f64,
    /// The value as the report and the map write it (`11.1 %`, `19`, `61.5 EUR`).
    pub text: String,
    /// How many customers (funnel), answers (survey) or events (order value) it rests on.
    pub n: u64,
    /// What kind of data it was measured from.
    pub source: MeasureSource,
    /// How it was measured, in words.
    pub how: String,
    /// The definition hash of the funnel or survey it was read from (none for values read
    /// from the log's value column, which has no definition).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition_hash: Option<String>,
}

/// A KPI the data could not answer, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NotMeasured {
    /// The KPI's id.
    pub kpi: String,
    /// Why it has no measured value.
    pub reason: String,
}

/// Customers lost between two consecutive steps of the stage funnel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct StepLoss {
    /// The step they reached (its stage or touchpoint name).
    pub from: String,
    /// The id of that step's stage, when the step is a stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The next step, which they did not reach.
    pub to: String,
    /// Customers who reached `from`.
    pub customers: u64,
    /// Of those, the customers who did not reach `to`.
    pub lost: u64,
    /// `lost / customers`.
    pub rate: f64,
}

/// The measured KPIs of a map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeasuredKpis {
    /// The first event of the log the values were measured on (ISO-8601, UTC).
    pub period_start: Option<String>,
    /// The last event of that log.
    pub period_end: Option<String>,
    /// The log's customers.
    pub customers: Option<u64>,
    /// The log's events.
    pub events: Option<u64>,
    /// The KPIs measured, in the map's order.
    pub kpis: Vec<MeasuredKpi>,
    /// The KPIs not measured, in the map's order.
    pub not_measured: Vec<NotMeasured>,
    /// The stage funnel's losses between consecutive steps, in step order (empty without
    /// a stage funnel).
    pub losses: Vec<StepLoss>,
    /// The inputs' definition hashes, and this rule's.
    pub definition: Definition,
}

impl MeasuredKpis {
    /// The measured value of a KPI.
    #[must_use]
    pub fn value(&self, kpi: &str) -> Option<f64> {
        self.get(kpi).map(|m| m.value)
    }

    /// The measured KPI of an id.
    #[must_use]
    pub fn get(&self, kpi: &str) -> Option<&MeasuredKpi> {
        self.kpis.iter().find(|m| m.kpi == kpi)
    }

    /// The largest loss between consecutive steps of the stage funnel (by rate; the
    /// earlier step on a tie).
    #[must_use]
    pub fn largest_loss(&self) -> Option<&StepLoss> {
        self.losses
            .iter()
            .fold(None, |best: Option<&StepLoss>, l| match best {
                Some(b) if b.rate >= l.rate => Some(b),
                _ => Some(l),
            })
    }

    /// The measured values by KPI id.
    #[must_use]
    pub fn values(&self) -> BTreeMap<String, f64> {
        self.kpis.iter().map(|m| (m.kpi.clone(), m.value)).collect()
    }
}

#[derive(Serialize)]
struct Params<'a> {
    rule: &'static str,
    stage_funnel: Option<&'a str>,
    conversion: Option<&'a str>,
    survey: Option<&'a str>,
    log: bool,
}

/// Measures every KPI of the journey that the inputs can answer (rules in the module
/// documentation).
#[must_use]
pub fn measure_kpis(journey: &ValidJourney, inputs: &MeasureInputs<'_>) -> MeasuredKpis {
    let j = journey.journey();
    let mut kpis = Vec::new();
    let mut not_measured = Vec::new();
    for k in &j.kpis {
        match measure(journey, k, inputs) {
            Ok(m) => kpis.push(m),
            Err(reason) => not_measured.push(NotMeasured {
                kpi: k.id.clone(),
                reason,
            }),
        }
    }
    let first = inputs.log.and_then(|l| l.ts.iter().copied().min());
    let last = inputs.log.and_then(|l| l.ts.iter().copied().max());
    let losses = inputs.stage_funnel.map_or_else(Vec::new, |f| {
        f.steps
            .windows(2)
            .filter_map(|w| {
                let [here, next] = w else { return None };
                Some(StepLoss {
                    from: step_name(journey, &here.step),
                    stage: match &here.step {
                        StepSpec::Stage(id) => Some(id.clone()),
                        _ => None,
                    },
                    to: step_name(journey, &next.step),
                    customers: here.customers,
                    lost: next.drop_off,
                    rate: next.drop_off_rate? + 0.0,
                })
            })
            .collect()
    });
    MeasuredKpis {
        losses,
        period_start: first.map(format_iso8601),
        period_end: last.map(format_iso8601),
        customers: inputs.log.map(|l| l.customers().len() as u64),
        events: inputs.log.map(|l| l.len() as u64),
        kpis,
        not_measured,
        definition: Definition::new(
            "measured_kpis",
            &Params {
                rule: "v1",
                stage_funnel: inputs.stage_funnel.map(|f| f.definition.hash.as_str()),
                conversion: inputs.conversion.map(|f| f.definition.hash.as_str()),
                survey: inputs.survey.map(|s| s.definition.hash.as_str()),
                log: inputs.log.is_some(),
            },
        ),
    }
}

fn measure(
    journey: &ValidJourney,
    k: &Kpi,
    inputs: &MeasureInputs<'_>,
) -> Result<MeasuredKpi, String> {
    let scope = Scope::of(journey, k);
    let made = |value: f64, n: u64, source, how: String, hash: Option<&str>| MeasuredKpi {
        kpi: k.id.clone(),
        text: crate::format::kpi_value(k, value + 0.0),
        value: value + 0.0,
        n,
        source,
        how,
        definition_hash: hash.map(str::to_owned),
    };
    match k.metric {
        Metric::ConversionRate | Metric::DropOff => {
            let drop = k.metric == Metric::DropOff;
            let (rate, n, how, hash) = funnel_rate(journey, &scope, inputs)?;
            let (value, how) = if drop {
                (1.0 - rate, format!("1 − {how}"))
            } else {
                (rate, how)
            };
            Ok(made(value, n, MeasureSource::Funnel, how, Some(hash)))
        }
        Metric::Nps | Metric::Csat | Metric::Ces => {
            let survey = inputs
                .survey
                .ok_or_else(|| "no survey answers were given".to_owned())?;
            let (group, pooled) = survey_group(journey, survey, &scope)?;
            let (value, n, what) = match k.metric {
                Metric::Nps => {
                    let s = group.nps.as_ref().ok_or("the survey has no NPS column")?;
                    (s.value, s.answered, "NPS")
                }
                Metric::Csat => {
                    let s = group.csat.as_ref().ok_or("the survey has no CSAT column")?;
                    (s.value, s.answered, "CSAT")
                }
                _ => {
                    let s = group.ces.as_ref().ok_or("the survey has no CES column")?;
                    (s.value, s.answered, "CES")
                }
            };
            let value = value.ok_or_else(|| format!("no {what} answers for {}", scope.name))?;
            let how = if pooled {
                format!(
                    "{what} of the survey answers about the touchpoints of {}, pooled",
                    scope.name
                )
            } else {
                format!("{what} of the survey answers about {}", scope.name)
            };
            Ok(made(
                value,
                n,
                MeasureSource::Survey,
                how,
                Some(&survey.definition.hash),
            ))
        }
        Metric::AverageOrderValue | Metric::Revenue => {
            let log = inputs
                .log
                .ok_or_else(|| "no event log was given".to_owned())?;
            // The value column holds NaN where an event has no value.
            let (sum, n) = log
                .value
                .iter()
                .filter(|v| !v.is_nan())
                .fold((0.0, 0u64), |(s, n), v| (s + v, n + 1));
            if n == 0 {
                return Err("the event log has no values".to_owned());
            }
            #[allow(clippy::cast_precision_loss, reason = "a count of events")]
            let (value, how) = if k.metric == Metric::Revenue {
                (sum, "sum of the values of the events that carry one")
            } else {
                (sum / n as f64, "mean value of the events that carry one")
            };
            Ok(made(value, n, MeasureSource::EventLog, how.to_owned(), None))
        }
        Metric::RetentionRate => Err(
            "retention rates are not measured from the data yet (the retention analysis computes them)"
                .to_owned(),
        ),
        Metric::Custom => {
            Err("a custom metric has no rule: cjm cannot know what it measures".to_owned())
        }
    }
}

/// The scope of a KPI: its touchpoint, else its stage, else the whole journey.
struct Scope {
    stage: Option<String>,
    touchpoint: Option<String>,
    name: String,
}

impl Scope {
    fn of(journey: &ValidJourney, k: &Kpi) -> Self {
        let j = journey.journey();
        let name = if let Some(t) = &k.touchpoint {
            j.touchpoints
                .iter()
                .find(|x| &x.id == t)
                .map_or_else(|| t.clone(), |x| x.name.clone())
        } else if let Some(s) = &k.stage {
            j.stages
                .iter()
                .find(|x| &x.id == s)
                .map_or_else(|| s.clone(), |x| format!("the {} stage", x.name))
        } else {
            "the whole journey".to_owned()
        };
        Self {
            stage: k.stage.clone(),
            touchpoint: k.touchpoint.clone(),
            name,
        }
    }

    fn is_journey(&self) -> bool {
        self.stage.is_none() && self.touchpoint.is_none()
    }
}

/// A conversion rate of the scope from the funnels: (rate, customers it rests on, how,
/// definition hash).
fn funnel_rate<'a>(
    journey: &ValidJourney,
    scope: &Scope,
    inputs: &MeasureInputs<'a>,
) -> Result<(f64, u64, String, &'a str), String> {
    let step_name = |s: &StepSpec| step_name(journey, s);
    if scope.is_journey() {
        let f = inputs
            .conversion
            .or(inputs.stage_funnel)
            .ok_or_else(|| "no funnel was given".to_owned())?;
        let (first, last) = match (f.steps.first(), f.steps.last()) {
            (Some(a), Some(b)) if f.steps.len() > 1 => (a, b),
            _ => return Err("the funnel has fewer than two steps".to_owned()),
        };
        let rate = last
            .conversion_from_first
            .ok_or_else(|| "nobody entered the funnel".to_owned())?;
        let how = format!(
            "share of the {} customers at {} who reached {}",
            crate::format::count(first.customers),
            step_name(&first.step),
            step_name(&last.step)
        );
        return Ok((rate, first.customers, how, f.definition.hash.as_str()));
    }
    let wanted = match (&scope.touchpoint, &scope.stage) {
        (Some(t), _) => StepSpec::Touchpoint(t.clone()),
        (None, Some(s)) => StepSpec::Stage(s.clone()),
        (None, None) => return Err("no scope".to_owned()),
    };
    for f in [inputs.stage_funnel, inputs.conversion]
        .into_iter()
        .flatten()
    {
        let Some(i) = f.steps.iter().position(|s| s.step == wanted) else {
            continue;
        };
        let (Some(here), Some(next)) = (f.steps.get(i), f.steps.get(i + 1)) else {
            return Err(format!(
                "{} is the funnel's last step: it has no next step to convert to",
                scope.name
            ));
        };
        let rate = next
            .conversion_from_previous
            .ok_or_else(|| format!("nobody reached {} in the funnel", scope.name))?;
        let how = format!(
            "share of the {} customers at {} who reached {} next",
            crate::format::count(here.customers),
            step_name(&here.step),
            step_name(&next.step)
        );
        return Ok((rate, here.customers, how, f.definition.hash.as_str()));
    }
    Err(format!("no funnel given has a step for {}", scope.name))
}

/// A funnel step by name: its stage's or touchpoint's name, else its event name(s).
fn step_name(journey: &ValidJourney, s: &StepSpec) -> String {
    let j = journey.journey();
    match s {
        StepSpec::Stage(id) => j
            .stages
            .iter()
            .find(|x| &x.id == id)
            .map_or_else(|| id.clone(), |x| x.name.clone()),
        StepSpec::Touchpoint(id) => j
            .touchpoints
            .iter()
            .find(|x| &x.id == id)
            .map_or_else(|| id.clone(), |x| x.name.clone()),
        StepSpec::Event(e) => e.clone(),
        StepSpec::AnyOf(names) => names.join(" or "),
    }
}

/// The survey group of the scope, or the pooled groups of a stage's touchpoints; and
/// whether it was pooled.
fn survey_group(
    journey: &ValidJourney,
    survey: &SurveyReport,
    scope: &Scope,
) -> Result<(SurveyGroup, bool), String> {
    let usable = |g: &SurveyGroup| !g.suppressed;
    if scope.is_journey() {
        return survey
            .overall()
            .filter(|g| usable(g))
            .cloned()
            .map(|g| (g, false))
            .ok_or_else(|| "the survey has no overall group".to_owned());
    }
    let id = scope.touchpoint.as_deref().or(scope.stage.as_deref());
    if let Some(g) = id.and_then(|id| survey.scope(id)) {
        return if usable(g) {
            Ok((g.clone(), false))
        } else {
            Err(format!(
                "the survey group of {} is suppressed for privacy",
                scope.name
            ))
        };
    }
    match (&scope.touchpoint, &scope.stage) {
        (None, Some(stage)) => pooled_stage(journey, survey, stage)
            .map(|g| (g, true))
            .ok_or_else(|| format!("no survey answers about {} or its touchpoints", scope.name)),
        _ => Err(format!("no survey answers about {}", scope.name)),
    }
}

/// The survey groups of a stage's touchpoints pooled into one (module documentation);
/// `None` when none of them has a usable group.
#[must_use]
pub fn pooled_stage(
    journey: &ValidJourney,
    survey: &SurveyReport,
    stage: &str,
) -> Option<SurveyGroup> {
    let j = journey.journey();
    let groups: Vec<&SurveyGroup> = j
        .touchpoints
        .iter()
        .filter(|t| t.stage == stage)
        .filter_map(|t| survey.scope(&t.id))
        .filter(|g| !g.suppressed)
        .collect();
    let first = groups.first()?;
    let nps = first.nps.as_ref().map(|_| {
        let mut state = super::survey::NpsState::identity();
        for g in &groups {
            if let Some(n) = &g.nps {
                state.merge(&nps_state(n));
            }
        }
        let mut score = state.score();
        score.definition = None;
        score
    });
    let pool_scale = |pick: fn(&SurveyGroup) -> Option<&ScaleScore>| {
        let template = pick(first)?.clone();
        let mut answered = 0u64;
        let mut missing = 0u64;
        let mut weighted = 0.0;
        for g in &groups {
            if let Some(s) = pick(g) {
                answered += s.answered;
                missing += s.missing;
                #[allow(clippy::cast_precision_loss, reason = "answer counts")]
                if let Some(v) = s.value {
                    weighted += v * s.answered as f64;
                }
            }
        }
        #[allow(clippy::cast_precision_loss, reason = "answer counts")]
        let value = (answered > 0).then(|| weighted / answered as f64);
        Some(ScaleScore {
            value,
            interval: None,
            answered,
            missing,
            ..template
        })
    };
    Some(SurveyGroup {
        level: first.level,
        scope: Some(stage.to_owned()),
        segment: None,
        responses: groups.iter().map(|g| g.responses).sum(),
        suppressed: false,
        nps,
        csat: pool_scale(|g| g.csat.as_ref()),
        ces: pool_scale(|g| g.ces.as_ref()),
    })
}

fn nps_state(s: &NpsScore) -> super::survey::NpsState {
    super::survey::NpsState {
        promoters: s.promoters,
        passives: s.passives,
        detractors: s.detractors,
        missing: s.missing,
    }
}
