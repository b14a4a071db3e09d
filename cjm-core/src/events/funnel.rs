//! Funnels (docs/events.md), counted in unique customers.
//!
//! # Matching rule (`every_step1_attempt_earliest_next`)
//!
//! * Every step-1 event of a customer starts an **attempt** at its time `t1`.
//! * **`sequential`** (default): in an attempt, each later step takes the earliest
//!   qualifying event at or after (≥) the previous step's time — "earliest" in the
//!   customer's order (timestamp, input order), and an event is used at most once per
//!   attempt, so equal timestamps count as in order whatever their input order. Other
//!   events may come between.
//! * **`strict`**: step k must be the customer's *very next event* after the event of step
//!   k−1 in the order (timestamp, input order), whatever its name: any other event of the
//!   customer in between (a mapped or unmapped one) ends the attempt. Because the rule is
//!   positional, two events at the same timestamp are in their input order.
//! * **`any`**: every event that matches any step starts an attempt at its time `t0`; in
//!   the attempt each step (in step order) takes the earliest unused event of that step at
//!   or after `t0`; the attempt reaches depth m when m distinct steps are matched within
//!   the window `[t0, t0 + window]`. So a customer counts at step m when some m of the
//!   steps happened, in any order, within one window measured from the earliest of them.
//!   The time "to step m" is the m-th smallest matched time minus the smallest.
//! * Step k counts only if its time minus `t1` is within the **window** (inclusive:
//!   `t_k − t1 ≤ window`), and, when a per-step window is set, `t_k − t_{k−1} ≤` that
//!   window (the rule still takes the earliest event, it does not search for a later one
//!   that would suit a later step's window better).
//! * A customer counts at the **deepest** step any (non-void) attempt reaches; the counts
//!   per step are cumulative (step k = customers whose deepest step is ≥ k). These
//!   counts equal PostHog's and Amplitude's "earliest-longest path". Tools that time the
//!   funnel from the *most recent* step-1 event give the same counts but longer or shorter
//!   times to convert.
//! * **Times** to step k (from step 1 and from step k−1) are measured on the customer's
//!   earliest attempt (by `t1`) that reaches step k; for the last step, the earliest
//!   attempt that converts. Summaries use the **linear** percentile by default, as numpy,
//!   pandas, polars and DuckDB do (`(n−1)·p/100` interpolated between the two nearest
//!   sorted durations, so the median of an even count is the mean of the two middle
//!   values); [`Percentile::NearestRank`] takes the value of rank `⌈p/100 · n⌉` instead
//!   (the median of an even count is then the lower middle value). The mean is exact
//!   (integer nanoseconds summed).
//! * **Exclusions** `(event, between [a, b])` (0-based step indices, a < b): an attempt
//!   that reached step a is void when an exclusion event happens strictly after step a's
//!   time and strictly before step b's time — or, when the attempt did not reach b,
//!   strictly after step a's time and no later than `t1 + window`. A void attempt counts
//!   nowhere; customers all of whose attempts are void are reported as `excluded`.
//! * **Pending**: with an `as_of` time, a customer who did not complete the funnel and has
//!   a non-void attempt whose window is still open (`t1 + window > as_of`) is pending:
//!   they still count at their deepest step, and are also reported per step (at their
//!   deepest step) and in total.
//! * **Breakdown** by a string column (`channel`, `session` or an extra column): the
//!   attempts are grouped by the column's value at their step-1 event (for `any`, at the
//!   attempt's first event) and the funnel is computed per group; a customer with attempts
//!   in several groups counts in each.

use super::log::{EventLog, NONE};
use super::ops::AnalysisUnit;
use super::seq::{ratio, Seqs};
use super::time::{nanos_to_seconds, parse_instant, NANOS_PER_SECOND};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The largest number of steps (and of exclusions) of one funnel.
pub const MAX_STEPS: usize = 64;

/// What one funnel step matches. Written as `{"event": name}`, `{"touchpoint": id}`,
/// `{"stage": id}` or `{"any_of": [names]}`; a bare string is read as an event name, so
/// `["view", "buy"]` is a funnel in every binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum StepSpec {
    /// Events with this name.
    Event(String),
    /// The events bound to this touchpoint (by id).
    Touchpoint(String),
    /// The events bound to any touchpoint of this stage (by id).
    Stage(String),
    /// Events with any of these names (`{"any_of": ["add_to_cart", "wishlist_add"]}`):
    /// one step that several events satisfy.
    AnyOf(Vec<String>),
}

impl<'de> Deserialize<'de> for StepSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Step;
        impl<'de> serde::de::Visitor<'de> for Step {
            type Value = StepSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(
                    "an event name, {\"event\"|\"touchpoint\"|\"stage\": id} or {\"any_of\": [names]}",
                )
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<StepSpec, E> {
                Ok(StepSpec::Event(v.to_owned()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<StepSpec, A::Error> {
                use serde::de::Error as _;
                const KINDS: &[&str] = &["event", "touchpoint", "stage", "any_of"];
                let Some(kind) = map.next_key::<String>()? else {
                    return Err(A::Error::invalid_length(0, &self));
                };
                let step = match kind.as_str() {
                    "event" => StepSpec::Event(map.next_value()?),
                    "touchpoint" => StepSpec::Touchpoint(map.next_value()?),
                    "stage" => StepSpec::Stage(map.next_value()?),
                    "any_of" => StepSpec::AnyOf(map.next_value()?),
                    other => return Err(A::Error::unknown_variant(other, KINDS)),
                };
                if let Some(more) = map.next_key::<String>()? {
                    return Err(A::Error::custom(format!(
                        "a step has one key, `{kind}`; `{more}` is another"
                    )));
                }
                Ok(step)
            }
        }
        d.deserialize_any(Step)
    }
}

impl StepSpec {
    /// `event`, `touchpoint`, `stage` or `any_of`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Event(_) => "event",
            Self::Touchpoint(_) => "touchpoint",
            Self::Stage(_) => "stage",
            Self::AnyOf(_) => "any_of",
        }
    }

    /// What the step names: the event name, touchpoint or stage id, or the names of an
    /// any-of step joined by ` | `.
    #[must_use]
    pub fn name(&self) -> String {
        match self {
            Self::Event(s) | Self::Touchpoint(s) | Self::Stage(s) => s.clone(),
            Self::AnyOf(names) => names.join(" | "),
        }
    }

    /// The event names the step asks for by name (none for touchpoint and stage steps,
    /// whose names come from the map).
    pub(crate) fn event_names(&self) -> &[String] {
        match self {
            Self::Event(name) => std::slice::from_ref(name),
            Self::AnyOf(names) => names,
            Self::Touchpoint(_) | Self::Stage(_) => &[],
        }
    }
}

/// Order of the steps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FunnelOrder {
    /// Steps in order; other events may come between.
    #[default]
    Sequential,
    /// Steps in order with no other event of the customer between consecutive steps.
    Strict,
    /// All steps in any order within one window.
    Any,
}

/// How the time-to-convert percentiles (median, p90) are taken from the sorted durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Percentile {
    /// Linear interpolation at rank `(n−1)·p/100` (0-based) between the two nearest
    /// values: numpy's default `linear` method (R type 7), as pandas, polars and DuckDB;
    /// the median of an even count is the mean of the two middle values.
    #[default]
    Linear,
    /// The value of rank `⌈p/100 · n⌉` (1-based, at least 1): always an observed
    /// duration; the median of an even count is the lower middle value.
    NearestRank,
}

impl Percentile {
    fn name(self) -> &'static str {
        match self {
            Self::Linear => "linear",
            Self::NearestRank => "nearest_rank",
        }
    }
}

/// An exclusion step: an event that voids an attempt between two steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The excluded event(s).
    pub step: StepSpec,
    /// 0-based indices `[a, b]` of the steps it must not come between (a < b).
    pub between: [usize; 2],
}

/// Options of a funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FunnelOptions {
    /// Step order (default `sequential`).
    pub order: FunnelOrder,
    /// Conversion window from the step-1 event, in seconds, inclusive (default 7 days);
    /// `null` for no window: every later step counts, however long after step 1 (and
    /// with `as_of`, a customer who has not converted stays pending). Infinity
    /// (Python's `math.inf`, JavaScript's `Infinity`) is read as null. Also read as
    /// `window` (Python's keyword).
    #[serde(alias = "window", deserialize_with = "window")]
    #[schemars(with = "Option<u64>")]
    pub window_seconds: Option<u64>,
    /// Optional per-step windows from the prior step, in seconds, inclusive; empty, or
    /// one entry per step (the first entry must be null). Also read as `step_windows`.
    #[serde(alias = "step_windows")]
    pub step_windows_seconds: Vec<Option<u64>>,
    /// Exclusion steps.
    pub exclusions: Vec<Exclusion>,
    /// The time the log was taken (ISO-8601 with offset, or a date alone: the start of
    /// that day in UTC): enables `pending`.
    pub as_of: Option<String>,
    /// Read `as_of` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
    /// A string column to break the funnel down by (`channel`, `session` or an extra
    /// column), read where `breakdown_attribution` says (by default at the step-1 event of
    /// each attempt).
    pub breakdown: Option<String>,
    /// Which event's value of the breakdown column puts an attempt in a group (default
    /// `first_step`: each attempt's step-1 event).
    #[serde(skip_serializing_if = "BreakdownAttribution::is_first_step")]
    pub breakdown_attribution: BreakdownAttribution,
    /// How the median and p90 times to convert are computed (default `linear`, as numpy).
    pub percentile: Percentile,
    /// Allow step and exclusion events that the log does not contain (default false:
    /// such a name is an `unknown_event` error, as it is most often a misspelling).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_missing_events: bool,
    /// What is counted and what one attempt may span (default `customer`): with
    /// `session`, each (customer, session id) is a unit of its own, so an attempt and its
    /// steps stay inside one session and the counts are sessions.
    #[serde(skip_serializing_if = "AnalysisUnit::is_customer")]
    pub unit: AnalysisUnit,
}

/// A window as [`FunnelOptions::window_seconds`] reads it: whole seconds, or null or
/// +infinity for no window.
fn window<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<u64>, D::Error> {
    use serde::de::Unexpected;
    struct Window;
    impl<'de> serde::de::Visitor<'de> for Window {
        type Value = Option<u64>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("whole seconds (an integer from 0), or null or infinity for no window")
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<Self::Value, E> {
            Ok(Some(v))
        }
        // A number that is not whole seconds is refused as `u64` refuses it (the core's
        // message then gives the range).
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<Self::Value, E> {
            u64::try_from(v)
                .map(Some)
                .map_err(|_| E::invalid_value(Unexpected::Signed(v), &"u64"))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<Self::Value, E> {
            match v {
                f64::INFINITY => Ok(None),
                v if v.is_finite() => Err(E::invalid_type(Unexpected::Float(v), &"u64")),
                v => Err(E::invalid_type(Unexpected::Float(v), &self)),
            }
        }
        fn visit_unit<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> std::result::Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(
            self,
            d: D,
        ) -> std::result::Result<Self::Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    d.deserialize_option(Window)
}

impl Default for FunnelOptions {
    fn default() -> Self {
        Self {
            order: FunnelOrder::Sequential,
            window_seconds: Some(7 * 86_400),
            step_windows_seconds: Vec::new(),
            exclusions: Vec::new(),
            as_of: None,
            assume_utc: false,
            breakdown: None,
            breakdown_attribution: BreakdownAttribution::FirstStep,
            percentile: Percentile::Linear,
            allow_missing_events: false,
            unit: AnalysisUnit::Customer,
        }
    }
}

/// Which event's value of the breakdown column puts an attempt of a customer in a
/// breakdown group. Events without a value (and, for `step`, attempts that never reach the
/// step) fall in the group without a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BreakdownAttribution {
    /// The value at each attempt's step-1 event (Mixpanel's and Amplitude's default): a
    /// customer whose attempts start with different values counts in each group.
    #[default]
    FirstStep,
    /// PostHog's `first_touch`: the value at the customer's earliest event of any step
    /// that has a value; all the customer's attempts go to that one group.
    FirstTouch,
    /// PostHog's `last_touch`: the value at the customer's latest event of any step that
    /// has a value; all the customer's attempts go to that one group.
    LastTouch,
    /// The value at the event each attempt uses for this step (1-based; `step: 1` is
    /// `first_step`); an attempt that does not reach it goes to the group without a value.
    /// Needs an ordered funnel (`sequential` or `strict`) beyond step 1.
    Step(usize),
}

impl BreakdownAttribution {
    /// Whether this is the default, `first_step` (left out of definitions, so that the
    /// hashes of funnels without it did not change when it came).
    #[must_use]
    pub fn is_first_step(&self) -> bool {
        matches!(self, Self::FirstStep | Self::Step(1))
    }
}

/// A funnel definition: steps and options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funnel {
    /// The steps, in order.
    pub steps: Vec<StepSpec>,
    /// The options.
    #[serde(default)]
    pub options: FunnelOptions,
}

/// Time-to-convert summary, in seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DurationStats {
    /// Number of customers measured.
    pub count: u64,
    /// Median (by the funnel's percentile method; default linear, as numpy).
    pub median_seconds: f64,
    /// 90th percentile (by the same method).
    pub p90_seconds: f64,
    /// Mean.
    pub mean_seconds: f64,
}

/// One step of a funnel result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunnelStepResult {
    /// 0-based index.
    pub index: usize,
    /// The step.
    pub step: StepSpec,
    /// Customers who reached this step (deepest step ≥ this one).
    pub customers: u64,
    /// Pending customers whose deepest step is this one.
    pub pending: u64,
    /// `customers / customers at step 1` (null when step 1 has none).
    pub conversion_from_first: Option<f64>,
    /// `customers / customers at the previous step` (step 1: from itself).
    pub conversion_from_previous: Option<f64>,
    /// Customers at the previous step who did not reach this one (0 for step 1).
    pub drop_off: u64,
    /// `drop_off / customers at the previous step` (null for step 1 or 0/0).
    pub drop_off_rate: Option<f64>,
    /// Time from step 1 to this step (null for step 1 or when nobody reached it).
    pub time_from_first: Option<DurationStats>,
    /// Time from the previous step to this step.
    pub time_from_previous: Option<DurationStats>,
}

/// The funnel of one breakdown group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunnelGroup {
    /// The column value (null for events without one).
    pub value: Option<String>,
    /// The steps.
    pub steps: Vec<FunnelStepResult>,
    /// Customers all of whose attempts in this group were void.
    pub excluded: u64,
    /// Pending customers in this group.
    pub pending: u64,
    /// This group's converted customers by their time from step 1 to the last step
    /// (see [`FunnelResult::time_to_convert`]).
    #[serde(default)]
    pub time_to_convert: Vec<TimeBin>,
}

/// Converted customers whose time from step 1 to the last step is in `from_seconds..
/// to_seconds` (`to_seconds` null: no upper bound).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TimeBin {
    /// Lower bound, seconds (included).
    pub from_seconds: u64,
    /// Upper bound, seconds (excluded); null for the last bin.
    pub to_seconds: Option<u64>,
    /// The bin as people write it (`1–5 min`).
    pub label: String,
    /// Customers in the bin.
    pub customers: u64,
}

/// The edges of the time-to-convert bins, seconds: 1, 5 and 15 minutes, 1 and 6 hours,
/// 1, 3 and 7 days.
const TIME_EDGES: [(u64, &str); 9] = [
    (0, "0"),
    (60, "1 min"),
    (300, "5 min"),
    (900, "15 min"),
    (3_600, "1 h"),
    (21_600, "6 h"),
    (86_400, "1 d"),
    (259_200, "3 d"),
    (604_800, "7 d"),
];

/// The time-to-convert bins of `durations` (nanoseconds): every bin that starts within
/// the window (`window_ns`), so the bins of a funnel do not depend on its data.
fn time_bins(durations: &[(i64, u64)], window_ns: i128) -> Vec<TimeBin> {
    let mut bins: Vec<TimeBin> = Vec::new();
    for (i, &(from, from_text)) in TIME_EDGES.iter().enumerate() {
        if i128::from(from).saturating_mul(1_000_000_000) > window_ns {
            break;
        }
        let to = TIME_EDGES.get(i + 1).copied();
        let label = match (i, to) {
            (0, Some((_, t))) => format!("< {t}"),
            (_, Some((_, t))) => {
                // `1–5 min`: the unit once when both ends share it.
                let (a, ua) = from_text.split_once(' ').unwrap_or((from_text, ""));
                let (b, ub) = t.split_once(' ').unwrap_or((t, ""));
                if ua == ub {
                    format!("{a}\u{2013}{b} {ub}")
                } else {
                    format!("{from_text}\u{2013}{t}")
                }
            }
            (_, None) => format!("\u{2265} {from_text}"),
        };
        let lo = i128::from(from).saturating_mul(1_000_000_000);
        let hi = to.map(|(t, _)| i128::from(t).saturating_mul(1_000_000_000));
        let customers = durations
            .iter()
            .filter(|&&(v, _)| i128::from(v) >= lo && hi.is_none_or(|h| i128::from(v) < h))
            .fold(0u64, |n, &(_, c)| n.saturating_add(c));
        bins.push(TimeBin {
            from_seconds: from,
            to_seconds: to.map(|(t, _)| t),
            label,
            customers,
        });
    }
    bins
}

/// A funnel result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FunnelResult {
    /// The definition used.
    pub definition: Definition,
    /// The steps.
    pub steps: Vec<FunnelStepResult>,
    /// Customers all of whose attempts were void (by exclusions).
    pub excluded: u64,
    /// Pending customers (not complete, window still open at `as_of`).
    pub pending: u64,
    /// Per group of the breakdown column, in value order (values written as integers
    /// first, by number; then the others by their bytes; null last); empty without one.
    pub breakdown: Vec<FunnelGroup>,
    /// The customers who reached the last step by their time from step 1 to it (the
    /// times of the median and p90 of the last step), in fixed bins: under 1 minute, 1–5
    /// and 5–15 minutes, 15 minutes–1 hour, 1–6 and 6–24 hours, 1–3 and 3–7 days, 7 days
    /// or more; only the bins that start within the window. Empty for a one-step funnel.
    #[serde(default)]
    pub time_to_convert: Vec<TimeBin>,
}

#[derive(Serialize)]
struct DefinitionParams<'a> {
    steps: &'a [StepSpec],
    step_events: &'a [Vec<String>],
    options: &'a FunnelOptions,
    matching: &'static str,
    percentile: &'static str,
}

/// A funnel checked and resolved to event-name sets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plan {
    pub(crate) funnel: Funnel,
    pub(crate) step_events: Vec<Vec<String>>,
    pub(crate) exclusion_events: Vec<Vec<String>>,
    /// The window in nanoseconds; `i128::MAX` for no window (no span of `i64` times
    /// exceeds it).
    window_ns: i128,
    step_windows_ns: Vec<Option<i64>>,
    as_of_ns: Option<i64>,
}

fn invalid(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidFunnel,
        row: None,
        message,
    }
}

/// The first position of `list` (positions in time order) at or after time `t` that the
/// attempt has not used yet.
/// `used` is `None` where no event is in two steps' lists (the usual funnel): then no
/// position of the list can have been used by another step.
#[inline]
fn first_unused(
    list: &[u32],
    t: i64,
    used: Option<&[u32]>,
    ts_at: impl Fn(u32) -> i64,
) -> Option<u32> {
    let start = list.partition_point(|&p| ts_at(p) < t);
    let rest = list.get(start..).unwrap_or(&[]);
    match used {
        None => rest.first().copied(),
        Some(used) => rest.iter().copied().find(|p| !used.contains(p)),
    }
}

/// `to - from` without overflow: two timestamps 1677 and 2262 apart differ by more than
/// `i64::MAX` nanoseconds, which in i64 would wrap round to a short negative span.
fn span(from: i64, to: i64) -> i128 {
    i128::from(to) - i128::from(from)
}

fn seconds_to_ns(s: u64) -> i64 {
    i64::try_from(s)
        .ok()
        .and_then(|s| s.checked_mul(NANOS_PER_SECOND))
        .unwrap_or(i64::MAX)
}

fn resolve_step(step: &StepSpec, journey: Option<&ValidJourney>) -> Result<Vec<String>> {
    let set: BTreeSet<String> = match step {
        StepSpec::Event(name) => {
            if name.is_empty() {
                return Err(invalid("a funnel step names an empty event".to_owned()));
            }
            std::iter::once(name.clone()).collect()
        }
        StepSpec::AnyOf(names) => {
            if names.is_empty() || names.iter().any(String::is_empty) {
                return Err(invalid(
                    "an `any_of` step names one event or more, none empty".to_owned(),
                ));
            }
            names.iter().cloned().collect()
        }
        StepSpec::Touchpoint(id) | StepSpec::Stage(id) => {
            let j = journey
                .ok_or_else(|| {
                    invalid(format!(
                        "step `{id}` refers to the map, but no journey was given"
                    ))
                })?
                .journey();
            let is_tp = matches!(step, StepSpec::Touchpoint(_));
            if is_tp && !j.touchpoints.iter().any(|t| &t.id == id) {
                return Err(invalid(format!("no touchpoint `{id}` in the journey")));
            }
            if !is_tp && !j.stages.iter().any(|s| &s.id == id) {
                return Err(invalid(format!("no stage `{id}` in the journey")));
            }
            j.touchpoints
                .iter()
                .filter(|t| if is_tp { &t.id == id } else { &t.stage == id })
                .flat_map(|t| t.events.iter().cloned())
                .collect()
        }
    };
    Ok(set.into_iter().collect())
}

impl Funnel {
    /// A funnel over event names with default options.
    #[must_use]
    pub fn events<S: AsRef<str>>(names: &[S]) -> Self {
        Self {
            steps: names
                .iter()
                .map(|n| StepSpec::Event(n.as_ref().to_owned()))
                .collect(),
            options: FunnelOptions::default(),
        }
    }

    /// The stage funnel of a map: one step per stage, in the map's order, each matching
    /// the events bound to the stage's touchpoints.
    #[must_use]
    pub fn from_stages(journey: &ValidJourney) -> Self {
        Self {
            steps: journey
                .journey()
                .stages
                .iter()
                .map(|s| StepSpec::Stage(s.id.clone()))
                .collect(),
            options: FunnelOptions::default(),
        }
    }

    /// A funnel of `steps`, or without steps the journey's stage funnel
    /// ([`Self::from_stages`]): the rule of every binding's `funnel(steps?, …)`.
    ///
    /// # Errors
    /// `invalid_option` without steps and without a journey.
    pub fn of(
        steps: Option<Vec<StepSpec>>,
        options: FunnelOptions,
        journey: Option<&ValidJourney>,
    ) -> Result<Self> {
        let steps = match (steps, journey) {
            (Some(steps), _) => steps,
            (None, Some(j)) => Self::from_stages(j).steps,
            (None, None) => {
                return Err(Error::Input {
                    code: crate::InputCode::InvalidOption,
                    row: None,
                    message: "a funnel without `steps` (the journey's stage funnel) needs a \
                              journey: give `steps`, or pass `journey`"
                        .to_owned(),
                })
            }
        };
        Ok(Self { steps, options })
    }

    /// Replaces the options.
    #[must_use]
    pub fn with_options(mut self, options: FunnelOptions) -> Self {
        self.options = options;
        self
    }

    pub(crate) fn plan(&self, journey: Option<&ValidJourney>) -> Result<Plan> {
        let k = self.steps.len();
        if k == 0 || k > MAX_STEPS {
            return Err(invalid(format!(
                "a funnel needs 1 to {MAX_STEPS} steps, not `{k}`"
            )));
        }
        let o = &self.options;
        if o.exclusions.len() > MAX_STEPS {
            return Err(invalid(format!("more than {MAX_STEPS} exclusions")));
        }
        if !o.step_windows_seconds.is_empty() {
            if o.step_windows_seconds.len() != k {
                return Err(invalid(format!(
                    "`step_windows_seconds` has `{}` entries for `{k}` steps",
                    o.step_windows_seconds.len()
                )));
            }
            if o.step_windows_seconds.first().copied().flatten().is_some() {
                return Err(invalid(
                    "the first step cannot have a window from a prior step".to_owned(),
                ));
            }
        }
        let any = o.order == FunnelOrder::Any;
        if any && o.step_windows_seconds.iter().any(Option::is_some) {
            return Err(invalid(
                "per-step windows need an ordered funnel, not `any`".to_owned(),
            ));
        }
        if any && !o.exclusions.is_empty() {
            return Err(invalid(
                "exclusions between steps need an ordered funnel, not `any`".to_owned(),
            ));
        }
        match o.breakdown_attribution {
            _ if o.breakdown.is_none() && !o.breakdown_attribution.is_first_step() => {
                return Err(invalid(
                    "`breakdown_attribution` says where to read a breakdown column; give \
                     `breakdown` too, or leave it out"
                        .to_owned(),
                ));
            }
            BreakdownAttribution::Step(step) if step == 0 || step > k => {
                return Err(invalid(format!(
                    "`breakdown_attribution` step `{step}` is not a step of this funnel \
                     (1 to {k})"
                )));
            }
            BreakdownAttribution::Step(step) if step > 1 && any => {
                return Err(invalid(
                    "`breakdown_attribution` at a step after the first needs an ordered \
                     funnel, not `any` (its attempts match steps in any order)"
                        .to_owned(),
                ));
            }
            _ => {}
        }
        for x in &o.exclusions {
            let [a, b] = x.between;
            if a >= b || b >= k {
                return Err(invalid(format!(
                    "exclusion between `[{a}, {b}]` needs 0 ≤ a < b < {k}"
                )));
            }
        }
        let as_of_ns = o
            .as_of
            .as_deref()
            .map(|t| parse_instant(t, "as_of", o.assume_utc))
            .transpose()?;
        let step_events = self
            .steps
            .iter()
            .map(|s| resolve_step(s, journey))
            .collect::<Result<_>>()?;
        let exclusion_events = o
            .exclusions
            .iter()
            .map(|x| resolve_step(&x.step, journey))
            .collect::<Result<_>>()?;
        Ok(Plan {
            funnel: self.clone(),
            step_events,
            exclusion_events,
            window_ns: o
                .window_seconds
                .map_or(i128::MAX, |s| i128::from(seconds_to_ns(s))),
            step_windows_ns: (0..k)
                .map(|i| {
                    o.step_windows_seconds
                        .get(i)
                        .copied()
                        .flatten()
                        .map(seconds_to_ns)
                })
                .collect(),
            as_of_ns,
        })
    }

    /// Checks a funnel whose steps were already resolved to event names (a plan read back
    /// from a serialised state).
    pub(crate) fn plan_resolved(
        &self,
        step_events: Vec<Vec<String>>,
        exclusion_events: Vec<Vec<String>>,
    ) -> Result<Plan> {
        let event_only = Self {
            steps: (0..self.steps.len())
                .map(|i| StepSpec::Event(format!("s{i}")))
                .collect(),
            options: FunnelOptions {
                exclusions: self
                    .options
                    .exclusions
                    .iter()
                    .map(|x| Exclusion {
                        step: StepSpec::Event("x".to_owned()),
                        between: x.between,
                    })
                    .collect(),
                ..self.options.clone()
            },
        };
        let mut plan = event_only.plan(None)?;
        if step_events.len() != self.steps.len()
            || exclusion_events.len() != self.options.exclusions.len()
        {
            return Err(invalid(
                "resolved step events do not match the steps".to_owned(),
            ));
        }
        plan.funnel = self.clone();
        plan.step_events = step_events;
        plan.exclusion_events = exclusion_events;
        Ok(plan)
    }

    /// Computes the funnel on a log. Touchpoint and stage steps need the journey.
    ///
    /// # Errors
    /// `invalid_funnel` for an unusable definition, `unknown_event` for a step or
    /// exclusion event name that the log does not contain (unless
    /// [`FunnelOptions::allow_missing_events`]), `unknown_column` for a breakdown column
    /// the log does not have (or, for `channel` and `session`, has no value in),
    /// `invalid_timestamp` for a bad `as_of`.
    pub fn run(&self, log: &EventLog, journey: Option<&ValidJourney>) -> Result<FunnelResult> {
        // The definition first (`invalid_funnel`), then the names against the log.
        self.plan(journey)?;
        self.check_against(log)?;
        let (plan, tally) = self.tally(log, journey)?;
        Ok(plan.finish(&tally))
    }

    /// The checks of [`Funnel::run`] that look at the whole log: event names asked for by
    /// name are in it, the breakdown column has values.
    pub(crate) fn check_against(&self, log: &EventLog) -> Result<()> {
        fn by_name<'a>(
            what: &'a str,
            step: &'a StepSpec,
        ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
            step.event_names().iter().map(move |n| (what, n.as_str()))
        }
        let wanted = self
            .steps
            .iter()
            .flat_map(|s| by_name("funnel step", s))
            .chain(
                self.options
                    .exclusions
                    .iter()
                    .flat_map(|x| by_name("exclusion event", &x.step)),
            );
        super::checks::check_events_present(log, wanted, self.options.allow_missing_events)?;
        if let Some(column) = &self.options.breakdown {
            super::checks::check_column_present(log, column, "breakdown")?;
        }
        Ok(())
    }

    /// The resolved plan and the count-level funnel of a log (as [`Funnel::run`]).
    pub(crate) fn tally(
        &self,
        log: &EventLog,
        journey: Option<&ValidJourney>,
    ) -> Result<(Plan, Tally)> {
        let plan = self.plan(journey)?;
        let units = log.units(self.options.unit, "unit")?;
        let log = units.log();
        let group = match &self.options.breakdown {
            None => None,
            Some(name) => Some(log.column(name).ok_or_else(|| Error::Input {
                code: crate::InputCode::UnknownColumn,
                row: None,
                message: format!(
                    "the log has no column `{name}` to break down by; keep it when loading the \
                     log (Python `extra=[\"{name}\"]`), or use `channel` or `session`"
                ),
            })?),
        };
        let tally = plan.tally(&units.seqs(group));
        Ok((plan, tally))
    }
}

/// Per-customer outcome of one evaluation (all attempts, or the attempts of one group).
#[derive(Debug, Default)]
struct Outcome {
    /// Number of steps reached (0: no non-void attempt).
    depth: usize,
    had_attempt: bool,
    pending: bool,
    /// Per step below `depth`: (from first, from previous) on the earliest attempt
    /// reaching it; the entries from `depth` on are left from another customer.
    times: Vec<Option<(i64, i64)>>,
}

#[derive(Debug, Default)]
struct Acc {
    at_depth: Vec<u64>,
    pending_at_depth: Vec<u64>,
    excluded: u64,
    from_first: Vec<Vec<i64>>,
    from_prev: Vec<Vec<i64>>,
}

impl Acc {
    fn new(k: usize) -> Self {
        Self {
            at_depth: vec![0; k + 1],
            pending_at_depth: vec![0; k + 1],
            excluded: 0,
            from_first: vec![Vec::new(); k],
            from_prev: vec![Vec::new(); k],
        }
    }

    fn add(&mut self, o: &Outcome) {
        if o.depth == 0 {
            if o.had_attempt {
                self.excluded += 1;
            }
            return;
        }
        if let Some(c) = self.at_depth.get_mut(o.depth) {
            *c += 1;
        }
        if o.pending {
            if let Some(c) = self.pending_at_depth.get_mut(o.depth) {
                *c += 1;
            }
        }
        for (k, t) in o.times.iter().take(o.depth).enumerate() {
            if let (Some((f, p)), true) = (t, k > 0) {
                if let Some(v) = self.from_first.get_mut(k) {
                    v.push(*f);
                }
                // Step 2's previous step is the first: its times are `from_first`'s,
                // counted once (see `into_counts`).
                if k > 1 {
                    if let Some(v) = self.from_prev.get_mut(k) {
                        v.push(*p);
                    }
                }
            }
        }
    }

    /// The count-level form: durations sorted and counted. The times from the previous
    /// step to step 2 are those from the first step (sorting them once saves a quarter
    /// of the sorting).
    fn into_counts(self) -> Counts {
        let from_first: Vec<Durations> = self.from_first.into_iter().map(durations).collect();
        let from_prev = (self.from_prev.into_iter().enumerate())
            .map(|(k, v)| match from_first.get(k) {
                Some(first) if k == 1 => first.clone(),
                _ => durations(v),
            })
            .collect();
        Counts {
            at_depth: self.at_depth,
            pending_at_depth: self.pending_at_depth,
            excluded: self.excluded,
            from_first,
            from_prev,
        }
    }
}

/// Distinct durations (nanoseconds) in increasing order, each with its count (≥ 1).
pub(crate) type Durations = Vec<(i64, u64)>;

fn durations(mut values: Vec<i64>) -> Durations {
    values.sort_unstable();
    let mut out: Durations = Vec::new();
    for v in values {
        match out.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => out.push((v, 1)),
        }
    }
    out
}

/// Merges two [`Durations`] (counts of equal values added).
fn merge_durations(a: &[(i64, u64)], b: &[(i64, u64)]) -> Durations {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while let (Some(&(va, na)), Some(&(vb, nb))) = (a.get(i), b.get(j)) {
        if va < vb {
            out.push((va, na));
            i += 1;
        } else if vb < va {
            out.push((vb, nb));
            j += 1;
        } else {
            out.push((va, na.saturating_add(nb)));
            i += 1;
            j += 1;
        }
    }
    out.extend(a.get(i..).unwrap_or(&[]));
    out.extend(b.get(j..).unwrap_or(&[]));
    out
}

/// The count-level aggregate of a funnel over a set of **whole** customers (all of one
/// customer's relevant events): customers per deepest step, pending customers per deepest
/// step, excluded customers, and the counted durations per step. Two counts of disjoint
/// customer sets merge by adding, so a log partitioned by customer gives exactly the
/// counts of the whole log.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Counts {
    /// Customers per deepest step (index 0 unused), `k + 1` entries.
    pub(crate) at_depth: Vec<u64>,
    /// Pending customers per deepest step, `k + 1` entries.
    pub(crate) pending_at_depth: Vec<u64>,
    /// Customers all of whose attempts were void.
    pub(crate) excluded: u64,
    /// Per step (`k` entries; step 0 empty): times from step 1.
    pub(crate) from_first: Vec<Durations>,
    /// Per step: times from the previous step.
    pub(crate) from_prev: Vec<Durations>,
}

impl Counts {
    /// Adds `other` (same number of steps) to these counts.
    pub(crate) fn add(&mut self, other: &Self) {
        for (mine, theirs) in [
            (&mut self.at_depth, &other.at_depth),
            (&mut self.pending_at_depth, &other.pending_at_depth),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                // Saturating: only crafted state bytes come near u64::MAX.
                *a = a.saturating_add(*b);
            }
        }
        self.excluded = self.excluded.saturating_add(other.excluded);
        for (mine, theirs) in [
            (&mut self.from_first, &other.from_first),
            (&mut self.from_prev, &other.from_prev),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a = merge_durations(a, b);
            }
        }
    }

    fn finish(&self, steps: &[StepSpec], method: Percentile) -> (Vec<FunnelStepResult>, u64, u64) {
        let k = steps.len();
        let mut reached = vec![0u64; k];
        let mut running = 0;
        for d in (1..=k).rev() {
            // Saturating: only crafted state bytes come near u64::MAX.
            running = u64::saturating_add(running, self.at_depth.get(d).copied().unwrap_or(0));
            if let Some(r) = reached.get_mut(d - 1) {
                *r = running;
            }
        }
        let first = reached.first().copied().unwrap_or(0);
        let pending_total = self
            .pending_at_depth
            .iter()
            .fold(0u64, |a, &b| a.saturating_add(b));
        let out = steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let here = reached.get(i).copied().unwrap_or(0);
                let prev = if i == 0 {
                    here
                } else {
                    reached.get(i - 1).copied().unwrap_or(0)
                };
                let drop = prev - here.min(prev);
                FunnelStepResult {
                    index: i,
                    step: step.clone(),
                    customers: here,
                    pending: self.pending_at_depth.get(i + 1).copied().unwrap_or(0),
                    conversion_from_first: ratio(here, first),
                    conversion_from_previous: ratio(here, prev),
                    drop_off: drop,
                    drop_off_rate: if i == 0 { None } else { ratio(drop, prev) },
                    time_from_first: self.from_first.get(i).and_then(|v| stats(v, method)),
                    time_from_previous: self.from_prev.get(i).and_then(|v| stats(v, method)),
                }
            })
            .collect();
        (out, self.excluded, pending_total)
    }
}

/// The value of 0-based rank `k` in counted durations (sorted, each with its count).
fn nth(values: &[(i64, u64)], k: u128) -> Option<i64> {
    let mut seen = 0u128;
    for &(v, c) in values {
        seen = seen.saturating_add(u128::from(c));
        if seen > k {
            return Some(v);
        }
    }
    None
}

/// The `p`th percentile (0..=100) of counted durations (`n` in all, n ≥ 1), in seconds.
///
/// * [`Percentile::Linear`]: at 0-based rank `h = (n−1)·p/100`, `x[⌊h⌋] + (h − ⌊h⌋) ·
///   (x[⌊h⌋+1] − x[⌊h⌋])` — numpy's default, so the median of an even count is the mean
///   of the two middle values.
/// * [`Percentile::NearestRank`]: the value of 1-based rank `⌈p/100 · n⌉` (at least 1),
///   so the median of an even count is the lower middle value.
#[allow(
    clippy::cast_precision_loss,
    reason = "a fraction of one gap between two durations"
)]
fn percentile(values: &[(i64, u64)], n: u64, p: u64, method: Percentile) -> Option<f64> {
    // In u128 and saturating: only crafted state bytes come near u64::MAX.
    match method {
        Percentile::NearestRank => {
            let rank = (u128::from(p) * u128::from(n)).div_ceil(100).max(1);
            nth(values, rank - 1).map(nanos_to_seconds)
        }
        Percentile::Linear => {
            let h = u128::from(n.saturating_sub(1)) * u128::from(p);
            let (lo, rest) = (h / 100, h % 100);
            let a = nth(values, lo)?;
            if rest == 0 {
                return Some(nanos_to_seconds(a));
            }
            let b = nth(values, lo + 1)?;
            // The gap in exact integer nanoseconds, then its fraction.
            let gap = i128::from(b) - i128::from(a);
            let frac = rest as f64 / 100.0;
            Some(nanos_to_seconds(a) + (gap as f64 * frac) / 1e9)
        }
    }
}

#[allow(
    clippy::cast_precision_loss,
    reason = "durations in seconds for display"
)]
fn stats(values: &[(i64, u64)], method: Percentile) -> Option<DurationStats> {
    let n: u64 = values.iter().fold(0, |n, &(_, c)| n.saturating_add(c));
    if n == 0 {
        return None;
    }
    let sum: i128 = values.iter().fold(0, |sum, &(v, c)| {
        sum.saturating_add(i128::from(v).saturating_mul(i128::from(c)))
    });
    Some(DurationStats {
        count: n,
        median_seconds: percentile(values, n, 50, method)?,
        p90_seconds: percentile(values, n, 90, method)?,
        mean_seconds: (sum as f64) / (n as f64) / 1e9,
    })
}

/// The count-level funnel of a set of whole customers, overall and per breakdown group
/// (keyed by `(is null, value)`, so that the null group sorts last).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Tally {
    pub(crate) overall: Counts,
    pub(crate) groups: BTreeMap<(bool, String), Counts>,
}

impl Tally {
    /// Adds `other` (built for the same funnel, over other customers).
    pub(crate) fn add(&mut self, other: &Self) {
        self.overall.add(&other.overall);
        for (key, counts) in &other.groups {
            match self.groups.get_mut(key) {
                Some(mine) => mine.add(counts),
                None => {
                    self.groups.insert(key.clone(), counts.clone());
                }
            }
        }
    }
}

/// Pushes `pos` onto the lists whose bit is set in `mask` (bit `i`: `lists[i]`), visiting
/// only the set bits (an event is usually one step).
#[inline]
fn push_at_bits(lists: &mut [Vec<u32>], mut mask: u64, pos: u32) {
    while mask != 0 {
        if let Some(list) = lists.get_mut(mask.trailing_zeros() as usize) {
            list.push(pos);
        }
        mask &= mask - 1;
    }
}

/// The positions (in a customer's slice, in time order) of the events of each step, as
/// `k` lists of at most `stride` positions in one buffer: list `s` is
/// `flat[s * stride..][..lens[s]]`.
#[derive(Debug, Default)]
struct StepLists {
    flat: Vec<u32>,
    lens: Vec<usize>,
    stride: usize,
}

impl StepLists {
    /// Empties the `k` lists, each with room for `cap` positions.
    fn reset(&mut self, k: usize, cap: usize) {
        self.stride = cap;
        self.lens.clear();
        self.lens.resize(k, 0);
        // Grows only: the buffer is written before it is read.
        if self.flat.len() < k * cap {
            self.flat.resize(k * cap, 0);
        }
    }

    /// Adds `pos` to the lists of the set bits of `mask` (bit `i`: list `i`). With few
    /// lists every list is written and only those of a set bit grow, without a branch
    /// on which step an event is (as unpredictable as the events are mixed).
    #[inline]
    fn push(&mut self, mask: u64, pos: u32) {
        let stride = self.stride;
        if self.lens.len() <= 8 {
            for (s, len) in self.lens.iter_mut().enumerate() {
                if let Some(slot) = self.flat.get_mut(s * stride + *len) {
                    *slot = pos;
                }
                *len += usize::from(mask >> s & 1 == 1);
            }
        } else {
            let mut m = mask;
            while m != 0 {
                let s = m.trailing_zeros() as usize;
                if let Some(len) = self.lens.get_mut(s) {
                    if let Some(slot) = self.flat.get_mut(s * stride + *len) {
                        *slot = pos;
                    }
                    *len += 1;
                }
                m &= m - 1;
            }
        }
    }

    /// List `s`.
    #[inline]
    fn get(&self, s: usize) -> Option<&[u32]> {
        let len = *self.lens.get(s)?;
        self.flat.get(s * self.stride..s * self.stride + len)
    }

    /// Every list, in step order.
    fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.lens.len()).filter_map(|s| self.get(s))
    }
}

/// The positions of a customer's attempt-starting events: the first `len` of a buffer
/// that only grows, so that no customer pays for clearing it (a call to `memset` per
/// customer was 4 % of a funnel's time).
#[derive(Debug, Default)]
struct Anchors {
    buf: Vec<u32>,
    len: usize,
}

impl Anchors {
    fn as_slice(&self) -> &[u32] {
        self.buf.get(..self.len).unwrap_or(&[])
    }

    fn iter(&self) -> std::slice::Iter<'_, u32> {
        self.as_slice().iter()
    }

    fn len(&self) -> usize {
        self.len
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn get(&self, i: usize) -> Option<&u32> {
        self.as_slice().get(i)
    }
}

/// Reused per-customer buffers.
#[derive(Debug, Default)]
struct Scratch {
    /// Positions (in the customer's slice) of the events of each step.
    pos: StepLists,
    /// Positions of the events of each exclusion.
    xpos: Vec<Vec<u32>>,
    /// Positions of attempt-starting events.
    anchors: Anchors,
    /// Positions of step events (the first part of it, see [`Plan::scan`]).
    hits: Vec<u32>,
    used: Vec<u32>,
    times: Vec<i64>,
    groups: Vec<u32>,
    /// Whether some event is in two steps' lists (see [`first_unused`]).
    shared: bool,
    /// Whether the last sequential attempt stopped at a step with no event left at or
    /// after the previous step's time (no two steps sharing an event).
    exhausted: bool,
}

impl Plan {
    fn tables(&self, names: &[String]) -> (Vec<u64>, Vec<u64>) {
        let index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut steps = vec![0u64; names.len()];
        let mut excl = vec![0u64; names.len()];
        for (table, sets) in [
            (&mut steps, &self.step_events),
            (&mut excl, &self.exclusion_events),
        ] {
            for (bit, set) in sets.iter().enumerate() {
                for name in set {
                    if let Some(slot) = index.get(name.as_str()).and_then(|&i| table.get_mut(i)) {
                        *slot |= 1u64 << bit;
                    }
                }
            }
        }
        (steps, excl)
    }

    /// Whether a symbol matters to this funnel (kept in a compact state).
    pub(crate) fn relevant_names(&self) -> BTreeSet<&str> {
        self.step_events
            .iter()
            .chain(&self.exclusion_events)
            .flatten()
            .map(String::as_str)
            .collect()
    }

    pub(crate) fn needs_all_events(&self) -> bool {
        self.funnel.options.order == FunnelOrder::Strict
    }

    pub(crate) fn definition(&self) -> Definition {
        Definition::new(
            "funnel",
            &DefinitionParams {
                steps: &self.funnel.steps,
                step_events: &self.step_events,
                options: &self.funnel.options,
                matching: "every_step1_attempt_earliest_next",
                percentile: self.funnel.options.percentile.name(),
            },
        )
    }

    pub(crate) fn evaluate(&self, seqs: &Seqs<'_>) -> FunnelResult {
        self.finish(&self.tally(seqs))
    }

    /// The funnel result of counts (of the whole log, or merged from a log's customers).
    pub(crate) fn finish(&self, tally: &Tally) -> FunnelResult {
        let (steps, excluded, pending) = tally
            .overall
            .finish(&self.funnel.steps, self.funnel.options.percentile);
        let mut breakdown = tally
            .groups
            .iter()
            .map(|((null, value), counts)| {
                let (steps, excluded, pending) =
                    counts.finish(&self.funnel.steps, self.funnel.options.percentile);
                FunnelGroup {
                    value: (!null).then(|| value.clone()),
                    steps,
                    excluded,
                    pending,
                    time_to_convert: self.time_to_convert(counts),
                }
            })
            .collect();
        crate::sort::stable_by(&mut breakdown, |a: &FunnelGroup, b| {
            crate::sort::group_cmp(a.value.as_deref(), b.value.as_deref())
        });
        FunnelResult {
            definition: self.definition(),
            steps,
            excluded,
            pending,
            breakdown,
            time_to_convert: self.time_to_convert(&tally.overall),
        }
    }

    /// The time-to-convert bins of `counts` (empty for a one-step funnel).
    fn time_to_convert(&self, counts: &Counts) -> Vec<TimeBin> {
        let k = self.funnel.steps.len();
        if k < 2 {
            return Vec::new();
        }
        let last = counts.from_first.get(k - 1).map_or(&[][..], Vec::as_slice);
        time_bins(last, self.window_ns)
    }

    /// The count-level funnel of the customers of `seqs` (each with all their events).
    pub(crate) fn tally(&self, seqs: &Seqs<'_>) -> Tally {
        super::seq::par_tally(seqs, |part| self.tally_part(part), Tally::add)
    }

    /// [`Self::tally`] over the customers of one view.
    pub(crate) fn tally_part(&self, seqs: &Seqs<'_>) -> Tally {
        let k = self.funnel.steps.len();
        let (step_table, excl_table) = self.tables(seqs.names);
        let mut s = Scratch {
            xpos: vec![Vec::new(); self.exclusion_events.len()],
            shared: step_table.iter().any(|m| m.count_ones() > 1),
            ..Scratch::default()
        };
        let mut overall = Acc::new(k);
        let mut groups: BTreeMap<u32, Acc> = BTreeMap::new();
        // Each attempt's group under a `breakdown_attribution` other than the step-1 value.
        let mut attributed: Vec<u32> = Vec::new();
        let mut outcome = Outcome {
            times: vec![None; k],
            ..Outcome::default()
        };
        for c in 0..seqs.customer_count() {
            let (ts, sym, group) = seqs.customer(c);
            self.scan(sym, &step_table, &excl_table, &mut s);
            if s.anchors.is_empty() {
                continue;
            }
            self.evaluate_customer(ts, sym, &step_table, &mut s, None, &mut outcome);
            overall.add(&outcome);
            if let Some(group) = group {
                let how = self.funnel.options.breakdown_attribution;
                let group: &[u32] = if how.is_first_step() {
                    group
                } else {
                    self.attribute(ts, sym, &step_table, &mut s, group, &mut attributed);
                    &attributed
                };
                s.groups.clear();
                s.groups.extend(
                    s.anchors
                        .iter()
                        .map(|&p| group.get(p as usize).copied().unwrap_or(u32::MAX)),
                );
                s.groups.sort_unstable();
                s.groups.dedup();
                let gs = std::mem::take(&mut s.groups);
                for &g in &gs {
                    self.evaluate_customer(
                        ts,
                        sym,
                        &step_table,
                        &mut s,
                        Some((group, g)),
                        &mut outcome,
                    );
                    groups.entry(g).or_insert_with(|| Acc::new(k)).add(&outcome);
                }
                s.groups = gs;
            }
        }
        Tally {
            overall: overall.into_counts(),
            groups: groups
                .into_iter()
                .map(|(g, acc)| {
                    let value = seqs.group.and_then(|(_, dict)| dict.get(g as usize));
                    (
                        (value.is_none(), value.cloned().unwrap_or_default()),
                        acc.into_counts(),
                    )
                })
                .collect(),
        }
    }

    /// The breakdown group of each attempt of one customer (scanned into `s`) under the
    /// funnel's `breakdown_attribution`, as `codes[anchor]` (other positions unused), from
    /// the customer's breakdown values `group` (one per event, [`NONE`] without one).
    fn attribute(
        &self,
        ts: &[i64],
        sym: &[u32],
        step_table: &[u64],
        s: &mut Scratch,
        group: &[u32],
        codes: &mut Vec<u32>,
    ) {
        let value = |p: u32| group.get(p as usize).copied().unwrap_or(NONE);
        codes.clear();
        codes.resize(ts.len(), NONE);
        match self.funnel.options.breakdown_attribution {
            how @ (BreakdownAttribution::FirstTouch | BreakdownAttribution::LastTouch) => {
                // The customer's earliest (latest) step event with a value: positions are
                // in the customer's time order.
                let last = how == BreakdownAttribution::LastTouch;
                let mut touch: Option<u32> = None;
                for list in s.pos.iter() {
                    let found = if last {
                        list.iter().rev().find(|&&p| value(p) != NONE)
                    } else {
                        list.iter().find(|&&p| value(p) != NONE)
                    };
                    if let Some(&p) = found {
                        touch = Some(match touch {
                            Some(t) if (t > p) == last => t,
                            _ => p,
                        });
                    }
                }
                let v = touch.map_or(NONE, value);
                for &a in s.anchors.iter() {
                    if let Some(c) = codes.get_mut(a as usize) {
                        *c = v;
                    }
                }
            }
            BreakdownAttribution::Step(step) if step > 1 => {
                for i in 0..s.anchors.len() {
                    let Some(&a) = s.anchors.get(i) else { break };
                    self.match_attempt(ts, sym, step_table, s, a);
                    let v = s.used.get(step - 1).map_or(NONE, |&p| value(p));
                    if let Some(c) = codes.get_mut(a as usize) {
                        *c = v;
                    }
                }
            }
            BreakdownAttribution::FirstStep | BreakdownAttribution::Step(_) => {
                for &a in s.anchors.iter() {
                    if let Some(c) = codes.get_mut(a as usize) {
                        *c = value(a);
                    }
                }
            }
        }
    }

    /// Fills the positions of one customer's step and exclusion events and the attempt
    /// anchors (step-1 events; for `any`, every step event).
    ///
    /// The step events are found first without a branch per event (whether an event is
    /// a step's is as unpredictable as the events are mixed): every position is written
    /// and the cursor advances by one only past a step event.
    fn scan(&self, sym: &[u32], step_table: &[u64], excl_table: &[u64], s: &mut Scratch) {
        let any = self.funnel.options.order == FunnelOrder::Any;
        for p in &mut s.xpos {
            p.clear();
        }
        // Grows only: written before it is read.
        if s.hits.len() < sym.len() {
            s.hits.resize(sym.len(), 0);
        }
        let mut found = 0usize;
        for (&e, p) in sym.iter().zip(0u32..) {
            let m = step_table.get(e as usize).copied().unwrap_or(0);
            if let Some(h) = s.hits.get_mut(found) {
                *h = p;
            }
            found += usize::from(m != 0);
        }
        s.pos.reset(self.funnel.steps.len(), found);
        // Grows only: the first `found` are written before they are read.
        if s.anchors.buf.len() < found {
            s.anchors.buf.resize(found, 0);
        }
        let mut anchors = 0usize;
        for &p in s.hits.get(..found).unwrap_or(&[]) {
            let e = sym.get(p as usize).copied().unwrap_or(0);
            let m = step_table.get(e as usize).copied().unwrap_or(0);
            if let Some(a) = s.anchors.buf.get_mut(anchors) {
                *a = p;
            }
            anchors += usize::from(any || m & 1 == 1);
            s.pos.push(m, p);
        }
        s.anchors.len = anchors;
        if self.exclusion_events.is_empty() {
            return;
        }
        for (&e, p) in sym.iter().zip(0u32..) {
            let x = excl_table.get(e as usize).copied().unwrap_or(0);
            if x != 0 {
                push_at_bits(&mut s.xpos, x, p);
            }
        }
    }

    /// The funnel's outcome per customer and per key of their attempts: `key` gives each
    /// attempt a key from the time and breakdown value (`NONE` without one) of its first
    /// event, or `None` to leave the attempt out; the attempts of each distinct key of a
    /// customer are evaluated together, by the very rule of [`Plan::tally`], and `emit`
    /// receives `(key, deepest step reached (0: every attempt void), pending)`.
    /// Funnel trends use it with the period of the step-1 event as the key.
    pub(crate) fn outcomes_by_key<K: Ord + Copy>(
        &self,
        seqs: &Seqs<'_>,
        key: impl Fn(i64, u32) -> Option<K>,
        mut emit: impl FnMut(K, usize, bool),
    ) {
        let k = self.funnel.steps.len();
        let (step_table, excl_table) = self.tables(seqs.names);
        let mut s = Scratch {
            xpos: vec![Vec::new(); self.exclusion_events.len()],
            shared: step_table.iter().any(|m| m.count_ones() > 1),
            ..Scratch::default()
        };
        let mut outcome = Outcome {
            times: vec![None; k],
            ..Outcome::default()
        };
        let mut keys: Vec<K> = Vec::new();
        let mut codes: Vec<u32> = Vec::new();
        for c in 0..seqs.customer_count() {
            let (ts, sym, group) = seqs.customer(c);
            self.scan(sym, &step_table, &excl_table, &mut s);
            if s.anchors.is_empty() {
                continue;
            }
            let key_at = |p: u32| {
                let t = ts.get(p as usize).copied().unwrap_or(0);
                let g = group
                    .and_then(|g| g.get(p as usize))
                    .copied()
                    .unwrap_or(super::log::NONE);
                key(t, g)
            };
            // Sorted and unique by insertion: anchors come in time order, so a key is
            // mostly new and last (and a sort of `K` would weigh on the browser module).
            keys.clear();
            for x in s.anchors.iter().filter_map(|&a| key_at(a)) {
                if let Err(i) = keys.binary_search(&x) {
                    keys.insert(i, x);
                }
            }
            if keys.is_empty() {
                continue;
            }
            codes.clear();
            codes.resize(ts.len(), u32::MAX);
            for &a in s.anchors.iter() {
                let code = key_at(a).and_then(|x| keys.binary_search(&x).ok());
                if let (Some(code), Some(slot)) = (code, codes.get_mut(a as usize)) {
                    *slot = u32::try_from(code).unwrap_or(u32::MAX);
                }
            }
            for (i, &x) in keys.iter().enumerate() {
                let code = u32::try_from(i).unwrap_or(u32::MAX);
                self.evaluate_customer(
                    ts,
                    sym,
                    &step_table,
                    &mut s,
                    Some((&codes, code)),
                    &mut outcome,
                );
                emit(x, outcome.depth, outcome.pending);
            }
        }
    }

    pub(crate) fn steps(&self) -> usize {
        self.funnel.steps.len()
    }

    pub(crate) fn as_of(&self) -> Option<i64> {
        self.as_of_ns
    }

    /// Runs every attempt of one customer (optionally only those whose first event has
    /// group value `g`) and fills `out`.
    #[allow(
        clippy::too_many_lines,
        reason = "one matching rule, kept in one place"
    )]
    fn evaluate_customer(
        &self,
        ts: &[i64],
        sym: &[u32],
        step_table: &[u64],
        s: &mut Scratch,
        filter: Option<(&[u32], u32)>,
        out: &mut Outcome,
    ) {
        let k = self.funnel.steps.len();
        let order = self.funnel.options.order;
        let w = self.window_ns;
        // `times` beyond `depth` are stale: every reader stops at `depth`, and each step
        // below the final depth is written below (clearing them per customer cost a
        // call to `memset`).
        out.depth = 0;
        out.had_attempt = false;
        out.pending = false;
        let mut open_window = false;
        let mut last_anchor_t: Option<i64> = None;
        let ts_at = |p: u32| ts.get(p as usize).copied().unwrap_or(0);
        // By index: each attempt's matching fills the scratch buffers beside the anchors.
        for i in 0..s.anchors.len() {
            let Some(&a) = s.anchors.get(i) else { break };
            if let Some((group, g)) = filter {
                if group.get(a as usize).copied().unwrap_or(u32::MAX) != g {
                    continue;
                }
            }
            let t0 = ts_at(a);
            if order == FunnelOrder::Any && last_anchor_t == Some(t0) {
                continue; // the same window as the previous anchor
            }
            last_anchor_t = Some(t0);
            out.had_attempt = true;
            self.match_attempt(ts, sym, step_table, s, a);
            if order != FunnelOrder::Any && self.voided(ts, s, t0) {
                continue;
            }
            let depth = s.times.len();
            let first_t = s.times.first().copied().unwrap_or(t0);
            for step in out.depth..depth {
                let t = s.times.get(step).copied().unwrap_or(first_t);
                let prev = if step == 0 {
                    t
                } else {
                    s.times.get(step - 1).copied().unwrap_or(first_t)
                };
                if let Some(slot) = out.times.get_mut(step) {
                    // Within the window, so both fit; saturating all the same.
                    *slot = Some((t.saturating_sub(first_t), t.saturating_sub(prev)));
                }
            }
            out.depth = out.depth.max(depth);
            if let Some(as_of) = self.as_of_ns {
                if i128::from(t0).saturating_add(w) > i128::from(as_of) {
                    open_window = true;
                }
            }
            if out.depth == k {
                break;
            }
            // A later attempt starts later, so it finds no event for that step either:
            // it cannot go deeper, and only a deeper attempt adds times. Without
            // exclusions (no attempt is void) and `as_of` (no window is looked at), the
            // rest cannot change the outcome.
            if s.exhausted && self.exclusion_events.is_empty() && self.as_of_ns.is_none() {
                break;
            }
        }
        out.pending = open_window && out.depth < k && out.depth > 0;
    }

    /// Matches the attempt anchored at position `a` by the funnel's order: fills `s.used`
    /// (the positions it uses, in step order for `sequential` and `strict`) and `s.times`
    /// (their times, in increasing order).
    fn match_attempt(&self, ts: &[i64], sym: &[u32], step_table: &[u64], s: &mut Scratch, a: u32) {
        let k = self.funnel.steps.len();
        let order = self.funnel.options.order;
        let w = self.window_ns;
        let ts_at = |p: u32| ts.get(p as usize).copied().unwrap_or(0);
        let t0 = ts_at(a);
        s.used.clear();
        s.times.clear();
        s.exhausted = false;
        match order {
            FunnelOrder::Sequential => {
                s.used.push(a);
                s.times.push(t0);
                let mut prev_t = t0;
                for step in 1..k {
                    let Some(list) = s.pos.get(step) else { break };
                    let Some(q) =
                        first_unused(list, prev_t, s.shared.then_some(s.used.as_slice()), ts_at)
                    else {
                        s.exhausted = !s.shared;
                        break;
                    };
                    let t = ts_at(q);
                    if !self.within(t0, prev_t, t, step) {
                        break;
                    }
                    s.used.push(q);
                    s.times.push(t);
                    prev_t = t;
                }
            }
            FunnelOrder::Strict => {
                s.used.push(a);
                s.times.push(t0);
                let mut prev_p = a;
                for step in 1..k {
                    let q = prev_p + 1;
                    let m = sym
                        .get(q as usize)
                        .and_then(|&e| step_table.get(e as usize))
                        .copied()
                        .unwrap_or(0);
                    if m >> step & 1 == 0 {
                        break;
                    }
                    let t = ts_at(q);
                    let prev_t = ts_at(prev_p);
                    if !self.within(t0, prev_t, t, step) {
                        break;
                    }
                    s.used.push(q);
                    s.times.push(t);
                    prev_p = q;
                }
            }
            FunnelOrder::Any => {
                for list in s.pos.iter() {
                    if let Some(q) =
                        first_unused(list, t0, s.shared.then_some(s.used.as_slice()), ts_at)
                    {
                        let t = ts_at(q);
                        if span(t0, t) <= w {
                            s.used.push(q);
                            s.times.push(t);
                        }
                    }
                }
                s.times.sort_unstable();
            }
        }
    }

    fn within(&self, t0: i64, prev_t: i64, t: i64, step: usize) -> bool {
        if span(t0, t) > self.window_ns {
            return false;
        }
        match self.step_windows_ns.get(step).copied().flatten() {
            Some(sw) => span(prev_t, t) <= i128::from(sw),
            None => true,
        }
    }

    /// Whether an exclusion voids the attempt in `s.times` started at `t0`.
    fn voided(&self, ts: &[i64], s: &Scratch, t0: i64) -> bool {
        for (x, excl) in self.funnel.options.exclusions.iter().enumerate() {
            let [a, b] = excl.between;
            let Some(&ta) = s.times.get(a) else { continue };
            let (end, inclusive) = match s.times.get(b) {
                Some(&tb) => (tb, false),
                None => (
                    i64::try_from(i128::from(t0).saturating_add(self.window_ns))
                        .unwrap_or(i64::MAX),
                    true,
                ),
            };
            let Some(list) = s.xpos.get(x) else { continue };
            let start = list.partition_point(|&p| ts.get(p as usize).copied().unwrap_or(0) <= ta);
            if let Some(&p) = list.get(start) {
                let t = ts.get(p as usize).copied().unwrap_or(0);
                if t < end || (inclusive && t == end) {
                    return true;
                }
            }
        }
        false
    }
}
