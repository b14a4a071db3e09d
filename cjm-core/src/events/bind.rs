//! Binding a log to a map: traffic per touchpoint and stage, stage-order conformance,
//! per-customer journey state and conversion drivers.

use super::funnel::StepSpec;
use super::log::EventLog;
use super::seq::{ratio, Seqs};
use super::time::{format_iso8601, nanos_to_seconds, parse_instant};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// How event names of a log map onto a journey's touchpoints and stages.
struct Binding {
    /// Per symbol: indices of the touchpoints that bind it (map order).
    touchpoints: Vec<Vec<usize>>,
    /// Per symbol: the earliest stage (map order) of those touchpoints.
    stage: Vec<Option<usize>>,
    /// Per touchpoint: its stage index.
    tp_stage: Vec<Option<usize>>,
}

impl Binding {
    fn new(journey: &ValidJourney, names: &[String]) -> Self {
        let j = journey.journey();
        let stage_index: BTreeMap<&str, usize> = j
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let name_index: BTreeMap<&str, usize> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        let mut touchpoints = vec![Vec::new(); names.len()];
        let mut stage: Vec<Option<usize>> = vec![None; names.len()];
        let tp_stage: Vec<Option<usize>> = j
            .touchpoints
            .iter()
            .map(|t| stage_index.get(t.stage.as_str()).copied())
            .collect();
        for (ti, t) in j.touchpoints.iter().enumerate() {
            let events: BTreeSet<&str> = t.events.iter().map(String::as_str).collect();
            for e in events {
                if let Some(&sym) = name_index.get(e) {
                    if let Some(list) = touchpoints.get_mut(sym) {
                        list.push(ti);
                    }
                    let st = tp_stage.get(ti).copied().flatten();
                    if let Some(slot) = stage.get_mut(sym) {
                        *slot = match (*slot, st) {
                            (Some(a), Some(b)) => Some(a.min(b)),
                            (a, b) => a.or(b),
                        };
                    }
                }
            }
        }
        Self {
            touchpoints,
            stage,
            tp_stage,
        }
    }

    fn stage_of(&self, sym: u32) -> Option<usize> {
        self.stage.get(sym as usize).copied().flatten()
    }
}

/// Traffic of one touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TouchpointTraffic {
    /// Touchpoint id.
    pub id: String,
    /// Its stage id.
    pub stage: String,
    /// Events bound to it.
    pub events: u64,
    /// Distinct customers with such an event.
    pub customers: u64,
    /// `customers / all customers of the log`.
    pub reach: Option<f64>,
}

/// Traffic of one stage (events bound to any of its touchpoints, each event once).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StageTraffic {
    /// Stage id.
    pub id: String,
    /// Events.
    pub events: u64,
    /// Distinct customers.
    pub customers: u64,
    /// `customers / all customers of the log`.
    pub reach: Option<f64>,
}

/// A log bound to a map: measured traffic per touchpoint and stage, and what is unmapped.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Traffic {
    /// The definition used.
    pub definition: Definition,
    /// Customers in the log.
    pub customers: u64,
    /// Events in the log.
    pub events: u64,
    /// Events whose name some touchpoint binds.
    pub mapped_events: u64,
    /// Per touchpoint, in map order.
    pub touchpoints: Vec<TouchpointTraffic>,
    /// Per stage, in map order.
    pub stages: Vec<StageTraffic>,
    /// Events no touchpoint binds, by name (sorted).
    pub unmapped_events: Vec<super::log::NameCount>,
}

impl Traffic {
    /// Customers per touchpoint, to weight touchpoints within a stage's health.
    #[must_use]
    #[allow(clippy::cast_precision_loss, reason = "customer counts far below 2^52")]
    pub fn touchpoint_customers(&self) -> std::collections::BTreeMap<String, f64> {
        self.touchpoints
            .iter()
            .map(|t| (t.id.clone(), t.customers as f64))
            .collect()
    }

    /// The unmapped event names with their counts, for the insight rules
    /// ([`crate::insights::InsightInputs`]).
    #[must_use]
    pub fn unmapped_counts(&self) -> std::collections::BTreeMap<String, u64> {
        self.unmapped_events
            .iter()
            .map(|n| (n.event.clone(), n.count))
            .collect()
    }
}

/// What [`traffic`] needs of a journey: its id, its stages and its touchpoints (id,
/// stage id, the event names that bind it, sorted and unique), in map order. Traffic
/// counts built for equal maps can be merged.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TrafficMap {
    pub(crate) journey: String,
    pub(crate) stages: Vec<String>,
    pub(crate) touchpoints: Vec<(String, String, Vec<String>)>,
}

impl TrafficMap {
    pub(crate) fn of(journey: &ValidJourney) -> Self {
        let j = journey.journey();
        Self {
            journey: j.id.clone(),
            stages: j.stages.iter().map(|s| s.id.clone()).collect(),
            touchpoints: j
                .touchpoints
                .iter()
                .map(|t| {
                    let events: BTreeSet<&String> = t.events.iter().collect();
                    (
                        t.id.clone(),
                        t.stage.clone(),
                        events.into_iter().cloned().collect(),
                    )
                })
                .collect(),
        }
    }

    /// Whether some touchpoint binds the event `name`.
    pub(crate) fn binds(&self, name: &str) -> bool {
        self.touchpoints
            .iter()
            .any(|(_, _, events)| events.binary_search_by(|e| e.as_str().cmp(name)).is_ok())
    }
}

/// The count-level traffic of a set of **whole** customers: every number of [`Traffic`]
/// but the reaches, which are ratios of them. All are sums over customers (a customer
/// counts once per touchpoint or stage it hit), so two tallies of disjoint customer sets
/// merge by adding ([`TrafficTally::add`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TrafficTally {
    pub(crate) customers: u64,
    pub(crate) events: u64,
    pub(crate) mapped: u64,
    /// Per touchpoint (map order): events and distinct customers.
    pub(crate) tp_events: Vec<u64>,
    pub(crate) tp_customers: Vec<u64>,
    /// Per stage (map order): events and distinct customers.
    pub(crate) st_events: Vec<u64>,
    pub(crate) st_customers: Vec<u64>,
    /// Unmapped event names (sorted, unique) with their events (≥ 1).
    pub(crate) unmapped: Vec<(String, u64)>,
}

impl TrafficTally {
    /// Adds `other` (counted over other customers, for the same map).
    pub(crate) fn add(&mut self, other: &Self) {
        for (a, b) in [
            (&mut self.customers, other.customers),
            (&mut self.events, other.events),
            (&mut self.mapped, other.mapped),
        ] {
            *a = a.saturating_add(b);
        }
        for (mine, theirs) in [
            (&mut self.tp_events, &other.tp_events),
            (&mut self.tp_customers, &other.tp_customers),
            (&mut self.st_events, &other.st_events),
            (&mut self.st_customers, &other.st_customers),
        ] {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a = a.saturating_add(*b);
            }
        }
        let mut unmapped: BTreeMap<String, u64> = self.unmapped.drain(..).collect();
        for (name, n) in &other.unmapped {
            let x = unmapped.entry(name.clone()).or_insert(0);
            *x = x.saturating_add(*n);
        }
        self.unmapped = unmapped.into_iter().collect();
    }

    /// The traffic of these counts.
    pub(crate) fn finish(&self, map: &TrafficMap) -> Traffic {
        let customers = self.customers;
        Traffic {
            definition: Definition::new(
                "traffic",
                &serde_json::json!({ "journey": map.journey, "stage_events": "each event once per stage" }),
            ),
            customers,
            events: self.events,
            mapped_events: self.mapped,
            touchpoints: map
                .touchpoints
                .iter()
                .enumerate()
                .map(|(i, (id, stage, _))| {
                    let cu = self.tp_customers.get(i).copied().unwrap_or(0);
                    TouchpointTraffic {
                        id: id.clone(),
                        stage: stage.clone(),
                        events: self.tp_events.get(i).copied().unwrap_or(0),
                        customers: cu,
                        reach: ratio(cu, customers),
                    }
                })
                .collect(),
            stages: map
                .stages
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let cu = self.st_customers.get(i).copied().unwrap_or(0);
                    StageTraffic {
                        id: id.clone(),
                        events: self.st_events.get(i).copied().unwrap_or(0),
                        customers: cu,
                        reach: ratio(cu, customers),
                    }
                })
                .collect(),
            unmapped_events: self
                .unmapped
                .iter()
                .map(|(event, count)| super::log::NameCount {
                    event: event.clone(),
                    count: *count,
                })
                .collect(),
        }
    }
}

pub(crate) fn traffic(seqs: &Seqs<'_>, journey: &ValidJourney) -> Traffic {
    traffic_tally(seqs, journey).finish(&TrafficMap::of(journey))
}

/// The traffic counts of the customers of `seqs` (each with all their events).
pub(crate) fn traffic_tally(seqs: &Seqs<'_>, journey: &ValidJourney) -> TrafficTally {
    super::seq::par_tally(
        seqs,
        |part| traffic_tally_part(part, journey),
        TrafficTally::add,
    )
}

/// [`traffic_tally`] over the customers of one view.
pub(crate) fn traffic_tally_part(seqs: &Seqs<'_>, journey: &ValidJourney) -> TrafficTally {
    let j = journey.journey();
    let b = Binding::new(journey, seqs.names);
    let n_tp = j.touchpoints.len();
    let n_st = j.stages.len();
    let mut tp_events = vec![0u64; n_tp];
    let mut tp_cust = vec![0u64; n_tp];
    let mut tp_last = vec![usize::MAX; n_tp];
    let mut st_events = vec![0u64; n_st];
    let mut st_cust = vec![0u64; n_st];
    let mut st_last = vec![usize::MAX; n_st];
    let mut name_counts = vec![0u64; seqs.names.len()];
    let mut stages_of_event: Vec<usize> = Vec::new();
    let mut customers = 0u64;
    let mut events = 0u64;
    let mut mapped = 0u64;
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        if !sym.is_empty() {
            customers += 1;
        }
        for &e in sym {
            events += 1;
            if let Some(x) = name_counts.get_mut(e as usize) {
                *x += 1;
            }
            let tps = b.touchpoints.get(e as usize).map_or(&[][..], Vec::as_slice);
            if tps.is_empty() {
                continue;
            }
            mapped += 1;
            stages_of_event.clear();
            for &t in tps {
                if let Some(x) = tp_events.get_mut(t) {
                    *x += 1;
                }
                if tp_last.get(t) != Some(&c) {
                    if let Some(x) = tp_last.get_mut(t) {
                        *x = c;
                    }
                    if let Some(x) = tp_cust.get_mut(t) {
                        *x += 1;
                    }
                }
                if let Some(s) = b.tp_stage.get(t).copied().flatten() {
                    stages_of_event.push(s);
                }
            }
            stages_of_event.sort_unstable();
            stages_of_event.dedup();
            for &s in &stages_of_event {
                if let Some(x) = st_events.get_mut(s) {
                    *x += 1;
                }
                if st_last.get(s) != Some(&c) {
                    if let Some(x) = st_last.get_mut(s) {
                        *x = c;
                    }
                    if let Some(x) = st_cust.get_mut(s) {
                        *x += 1;
                    }
                }
            }
        }
    }
    TrafficTally {
        customers,
        events,
        mapped,
        tp_events,
        tp_customers: tp_cust,
        st_events,
        st_customers: st_cust,
        unmapped: seqs
            .names
            .iter()
            .zip(name_counts)
            .enumerate()
            .filter(|(i, (_, n))| *n > 0 && b.touchpoints.get(*i).is_none_or(Vec::is_empty))
            .map(|(_, (name, count))| (name.clone(), count))
            .collect(),
    }
}

/// Observed stage order against the map's stage order.
///
/// Each customer's events are mapped to stages (an event bound in several stages takes
/// the earliest), unmapped events are ignored and consecutive repeats of a stage are
/// collapsed. A customer **skips** when some move goes forward by more than one stage
/// (stage i → stage j > i + 1), **goes back** when some move goes to an earlier stage,
/// and **enters late** when their first mapped stage is not the map's first stage.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Conformance {
    /// The definition used.
    pub definition: Definition,
    /// Customers with at least one mapped event.
    pub customers: u64,
    /// Customers with neither a skip nor a move back.
    pub in_order: u64,
    /// Customers with at least one skip.
    pub skipped: u64,
    /// Customers with at least one move back.
    pub went_back: u64,
    /// Customers whose first mapped stage is not the first stage.
    pub entered_late: u64,
    /// `in_order / customers`.
    pub in_order_share: Option<f64>,
    /// `skipped / customers`.
    pub skipped_share: Option<f64>,
    /// `went_back / customers`.
    pub went_back_share: Option<f64>,
    /// Customers by the stage they entered at (map order).
    pub entry_stages: Vec<StageCount>,
}

/// A stage id and a count of customers.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StageCount {
    /// Stage id.
    pub stage: String,
    /// Customers.
    pub customers: u64,
}

pub(crate) fn conformance(seqs: &Seqs<'_>, journey: &ValidJourney) -> Conformance {
    let j = journey.journey();
    let b = Binding::new(journey, seqs.names);
    let (mut customers, mut in_order, mut skipped, mut back, mut late) = (0, 0, 0, 0, 0);
    let mut entry = vec![0u64; j.stages.len()];
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        let mut prev: Option<usize> = None;
        let (mut s_skip, mut s_back) = (false, false);
        for &e in sym {
            let Some(st) = b.stage_of(e) else { continue };
            match prev {
                None => {
                    if let Some(x) = entry.get_mut(st) {
                        *x += 1;
                    }
                }
                Some(p) if st > p + 1 => s_skip = true,
                Some(p) if st < p => s_back = true,
                _ => {}
            }
            prev = Some(st);
        }
        let Some(_) = prev else { continue };
        customers += 1;
        if entry_first_is_late(sym, &b) {
            late += 1;
        }
        skipped += u64::from(s_skip);
        back += u64::from(s_back);
        in_order += u64::from(!s_skip && !s_back);
    }
    Conformance {
        definition: Definition::new("conformance", &serde_json::json!({ "journey": j.id })),
        customers,
        in_order,
        skipped,
        went_back: back,
        entered_late: late,
        in_order_share: ratio(in_order, customers),
        skipped_share: ratio(skipped, customers),
        went_back_share: ratio(back, customers),
        entry_stages: j
            .stages
            .iter()
            .zip(entry)
            .map(|(s, n)| StageCount {
                stage: s.id.clone(),
                customers: n,
            })
            .collect(),
    }
}

fn entry_first_is_late(sym: &[u32], b: &Binding) -> bool {
    sym.iter()
        .find_map(|&e| b.stage_of(e))
        .is_some_and(|s| s > 0)
}

/// Options of the per-customer journey state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct JourneyStateOptions {
    /// The time to measure "time in stage" at (ISO-8601 with offset, or a date alone:
    /// the start of that day in UTC); default: the latest timestamp in the log.
    pub as_of: Option<String>,
    /// Read `as_of` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
    /// What counts as converted (an event name, touchpoint or stage); none: nobody.
    pub conversion: Option<StepSpec>,
}

/// Where one customer is in the journey.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CustomerState {
    /// Customer id.
    pub customer: String,
    /// Stage of the last mapped event (null: no mapped event).
    pub current_stage: Option<String>,
    /// The furthest stage (map order) any mapped event reached.
    pub deepest_stage: Option<String>,
    /// Touchpoint of the last mapped event (the first in map order that binds it).
    pub last_touchpoint: Option<String>,
    /// When the customer entered the current stage: the first event of the last run of
    /// mapped events in that stage (ISO-8601, UTC).
    pub stage_entered_at: Option<String>,
    /// `as_of − stage_entered_at`, in seconds.
    pub seconds_in_stage: Option<f64>,
    /// Whether the customer had a conversion event.
    pub converted: bool,
    /// Events of the customer.
    pub events: u64,
}

/// The per-customer journey state table, sorted by customer id.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct JourneyStates {
    /// The definition used.
    pub definition: Definition,
    /// The `as_of` used (ISO-8601, UTC).
    pub as_of: Option<String>,
    /// One row per customer.
    pub customers: Vec<CustomerState>,
}

fn resolve_names(step: &StepSpec, journey: &ValidJourney) -> Result<BTreeSet<String>> {
    let j = journey.journey();
    Ok(match step {
        StepSpec::Event(e) => std::iter::once(e.clone()).collect(),
        StepSpec::AnyOf(names) => names.iter().cloned().collect(),
        StepSpec::Touchpoint(id) => {
            let t = j
                .touchpoints
                .iter()
                .find(|t| &t.id == id)
                .ok_or_else(|| Error::Input {
                    code: crate::InputCode::InvalidOption,
                    row: None,
                    message: format!("no touchpoint `{id}` in the journey"),
                })?;
            t.events.iter().cloned().collect()
        }
        StepSpec::Stage(id) => {
            if !j.stages.iter().any(|s| &s.id == id) {
                return Err(Error::Input {
                    code: crate::InputCode::InvalidOption,
                    row: None,
                    message: format!("no stage `{id}` in the journey"),
                });
            }
            j.touchpoints
                .iter()
                .filter(|t| &t.stage == id)
                .flat_map(|t| t.events.iter().cloned())
                .collect()
        }
    })
}

fn symbol_mask(names: &[String], set: &BTreeSet<String>) -> Vec<bool> {
    names.iter().map(|n| set.contains(n)).collect()
}

pub(crate) fn journey_states(
    seqs: &Seqs<'_>,
    journey: &ValidJourney,
    options: &JourneyStateOptions,
) -> Result<JourneyStates> {
    let j = journey.journey();
    let b = Binding::new(journey, seqs.names);
    let as_of = match &options.as_of {
        Some(t) => Some(parse_instant(t, "as_of", options.assume_utc)?),
        None => seqs.ts.iter().copied().max(),
    };
    let conv = match &options.conversion {
        Some(step) => symbol_mask(seqs.names, &resolve_names(step, journey)?),
        None => vec![false; seqs.names.len()],
    };
    let mut rows = Vec::with_capacity(seqs.customer_count());
    for c in 0..seqs.customer_count() {
        let (ts, sym, _) = seqs.customer(c);
        let mut current: Option<usize> = None;
        let mut deepest: Option<usize> = None;
        let mut last_tp: Option<usize> = None;
        let mut entered: Option<i64> = None;
        let mut converted = false;
        for (&t, &e) in ts.iter().zip(sym) {
            converted |= conv.get(e as usize).copied().unwrap_or(false);
            let Some(st) = b.stage_of(e) else { continue };
            if current != Some(st) {
                entered = Some(t);
            }
            current = Some(st);
            deepest = Some(deepest.map_or(st, |d| d.max(st)));
            last_tp = b
                .touchpoints
                .get(e as usize)
                .and_then(|v| v.first().copied());
        }
        let stage_id = |s: Option<usize>| s.and_then(|s| j.stages.get(s)).map(|s| s.id.clone());
        rows.push(CustomerState {
            customer: seqs.name(c).unwrap_or_default(),
            current_stage: stage_id(current),
            deepest_stage: stage_id(deepest),
            last_touchpoint: last_tp
                .and_then(|t| j.touchpoints.get(t))
                .map(|t| t.id.clone()),
            stage_entered_at: entered.map(format_iso8601),
            seconds_in_stage: entered
                .zip(as_of)
                .map(|(e, a)| nanos_to_seconds(a.saturating_sub(e))),
            converted,
            events: sym.len() as u64,
        });
    }
    Ok(JourneyStates {
        definition: Definition::new("journey_state", options),
        as_of: as_of.map(format_iso8601),
        customers: rows,
    })
}

/// Options of the conversion drivers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriverOptions {
    /// What counts as converting (event name, touchpoint or stage).
    pub conversion: StepSpec,
    /// Rank touchpoints (true) instead of event names (false, default).
    #[serde(default)]
    pub by_touchpoint: bool,
    /// Leave out candidates done by fewer customers (default 5).
    #[serde(default = "default_support")]
    pub min_support: u64,
    /// Allow a conversion event name that the log does not contain (default false: such
    /// a name is an `unknown_event` error, as it is most often a misspelling).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub allow_missing_events: bool,
}

fn default_support() -> u64 {
    5
}

/// One candidate driver.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Driver {
    /// Event name or touchpoint id.
    pub name: String,
    /// Converters who did it (before converting).
    pub converted_with: u64,
    /// Non-converters who did it.
    pub not_converted_with: u64,
    /// Converters who did not.
    pub converted_without: u64,
    /// Non-converters who did not.
    pub not_converted_without: u64,
    /// `(a+1)(d+1) / ((b+1)(c+1))` with a = converted_with, b = not_converted_with,
    /// c = converted_without, d = not_converted_without.
    pub odds_ratio: f64,
    /// 95 % interval of the odds ratio, Woolf's on the same +1 cells:
    /// `exp(ln OR ± 1.959963984540054 · sqrt(1/(a+1) + 1/(b+1) + 1/(c+1) + 1/(d+1)))`.
    pub odds_ratio_interval: [f64; 2],
    /// Two-sided p-value of Fisher's exact test on the raw cells `[[a, b], [c, d]]` (as
    /// `scipy.stats.fisher_exact`): how likely a table at least this far from
    /// independence is when doing it has nothing to do with converting. Exact for any
    /// cell size, small ones included.
    pub p_value: f64,
    /// `a / (a + b)`: conversion rate of those who did it.
    pub success_rate: Option<f64>,
    /// `success_rate / base rate` (the base rate is converters / customers): how much more
    /// often those who did it converted than customers overall; `None` without
    /// converters.
    pub lift: Option<f64>,
}

/// Conversion drivers, sorted by odds ratio (descending), then name.
///
/// A customer converts when they have a conversion event. The events that count for a
/// converter are those strictly **before** their first conversion event (in the order
/// timestamp, input order); for a non-converter, all their events. Conversion events
/// themselves are never candidates. Each cell gets a +1 prior (Haldane–Anscombe), so the
/// ratio is finite; candidates done by fewer than `min_support` customers are left out.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Drivers {
    /// The definition used.
    pub definition: Definition,
    /// Customers.
    pub customers: u64,
    /// Converters.
    pub converters: u64,
    /// Converters / customers (`None` without customers).
    pub base_rate: Option<f64>,
    /// Candidates.
    pub drivers: Vec<Driver>,
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
pub(crate) fn drivers(
    seqs: &Seqs<'_>,
    journey: Option<&ValidJourney>,
    options: &DriverOptions,
) -> Result<Drivers> {
    let conv_names = match (&options.conversion, journey) {
        (StepSpec::Event(e), _) => std::iter::once(e.clone()).collect(),
        (StepSpec::AnyOf(names), _) => names.iter().cloned().collect(),
        (step, Some(j)) => resolve_names(step, j)?,
        (_, None) => {
            return Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: "a touchpoint or stage conversion needs the journey".to_owned(),
            })
        }
    };
    let conv = symbol_mask(seqs.names, &conv_names);
    // Candidate ids per symbol.
    let (labels, cand_of): (Vec<String>, Vec<Vec<usize>>) = if options.by_touchpoint {
        let j = journey.ok_or_else(|| Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: "`by_touchpoint` needs the journey".to_owned(),
        })?;
        let b = Binding::new(j, seqs.names);
        (
            j.journey()
                .touchpoints
                .iter()
                .map(|t| t.id.clone())
                .collect(),
            b.touchpoints,
        )
    } else {
        (
            seqs.names.to_vec(),
            (0..seqs.names.len()).map(|i| vec![i]).collect(),
        )
    };
    let mut with = vec![[0u64; 2]; labels.len()];
    let mut last = vec![usize::MAX; labels.len()];
    let (mut customers, mut converters) = (0u64, 0u64);
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        if sym.is_empty() {
            continue;
        }
        customers += 1;
        let cut = sym
            .iter()
            .position(|&e| conv.get(e as usize).copied().unwrap_or(false));
        let converted = cut.is_some();
        converters += u64::from(converted);
        for &e in sym.get(..cut.unwrap_or(sym.len())).unwrap_or(&[]) {
            if conv.get(e as usize).copied().unwrap_or(false) {
                continue;
            }
            for &k in cand_of.get(e as usize).map_or(&[][..], Vec::as_slice) {
                if last.get(k) != Some(&c) {
                    if let Some(x) = last.get_mut(k) {
                        *x = c;
                    }
                    if let Some(x) = with
                        .get_mut(k)
                        .and_then(|x| x.get_mut(usize::from(!converted)))
                    {
                        *x += 1;
                    }
                }
            }
        }
    }
    let non = customers - converters;
    let mut out: Vec<Driver> = labels
        .into_iter()
        .zip(with)
        .filter(|(name, [a, b])| a + b >= options.min_support.max(1) && !conv_names.contains(name))
        .map(|(name, [a, b])| {
            let c = converters - a;
            let d = non - b;
            let cells = [a, b, c, d].map(|n| (n + 1) as f64);
            let [pa, pb, pc, pd] = cells;
            let odds_ratio = (pa * pd) / (pb * pc);
            let se = cells.iter().map(|n| 1.0 / n).sum::<f64>().sqrt();
            let spread = (crate::stats::Z95 * se).exp();
            let success_rate = ratio(a, a + b);
            Driver {
                name,
                converted_with: a,
                not_converted_with: b,
                converted_without: c,
                not_converted_without: d,
                odds_ratio,
                odds_ratio_interval: [odds_ratio / spread, odds_ratio * spread],
                p_value: crate::stats::fisher_exact_two_sided(a, b, c, d),
                success_rate,
                lift: match (success_rate, ratio(converters, customers)) {
                    (Some(s), Some(base)) if base > 0.0 => Some(s / base),
                    _ => None,
                },
            }
        })
        .collect();
    crate::sort::stable_by(&mut out, |x, y| {
        y.odds_ratio
            .total_cmp(&x.odds_ratio)
            .then_with(|| x.name.cmp(&y.name))
    });
    #[derive(Serialize)]
    struct Params<'a> {
        #[serde(flatten)]
        options: &'a DriverOptions,
        odds_ratio: &'static str,
        interval: &'static str,
        p_value: &'static str,
    }
    Ok(Drivers {
        definition: Definition::new(
            "conversion_drivers",
            &Params {
                options,
                odds_ratio: "(a+1)(d+1)/((b+1)(c+1))",
                interval: "woolf, +1 cells, z=1.959963984540054",
                p_value: "fisher exact, two-sided",
            },
        ),
        customers,
        converters,
        base_rate: ratio(converters, customers),
        drivers: out,
    })
}

impl EventLog {
    /// Binds the log to a map: traffic per touchpoint and stage, unmapped events.
    #[must_use]
    pub fn traffic(&self, journey: &ValidJourney) -> Traffic {
        traffic(&Seqs::from_log(self, None), journey)
    }

    /// Observed stage order against the map's stage order.
    #[must_use]
    pub fn conformance(&self, journey: &ValidJourney) -> Conformance {
        conformance(&Seqs::from_log(self, None), journey)
    }

    /// Where each customer is in the journey.
    ///
    /// # Errors
    /// `invalid_timestamp` for a bad `as_of`, `invalid_option` for an unknown
    /// conversion touchpoint or stage.
    pub fn journey_states(
        &self,
        journey: &ValidJourney,
        options: &JourneyStateOptions,
    ) -> Result<JourneyStates> {
        journey_states(&Seqs::from_log(self, None), journey, options)
    }

    /// Odds ratios of converting for each event name or touchpoint.
    ///
    /// # Errors
    /// `invalid_option` when a touchpoint/stage conversion or `by_touchpoint` has no
    /// journey, or names something the journey lacks; `unknown_event` when the
    /// conversion event name is not in the log (unless
    /// [`DriverOptions::allow_missing_events`]).
    pub fn drivers(
        &self,
        journey: Option<&ValidJourney>,
        options: &DriverOptions,
    ) -> Result<Drivers> {
        super::checks::check_events_present(
            self,
            options
                .conversion
                .event_names()
                .iter()
                .map(|name| ("conversion event", name.as_str())),
            options.allow_missing_events,
        )?;
        drivers(&Seqs::from_log(self, None), journey, options)
    }
}

/// What the events of a log become when relabelled by a map
/// ([`super::RelabelOptions::from_journey`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MapLevel {
    /// The name of the stage of the touchpoints that bind the event (the earliest stage
    /// when they are in several).
    Stage,
    /// The name of the first touchpoint, in the map's order, that binds the event.
    Touchpoint,
}

impl super::RelabelOptions {
    /// The labels that turn a log's events into the map's stages or touchpoints: each
    /// event name some touchpoint binds gets the name of its stage (the earliest, when
    /// touchpoints of several stages bind it) or of the first touchpoint that binds it;
    /// events no touchpoint binds are left out, so [`EventLog::relabel`] drops them (the
    /// report counts them), and names the log lacks are allowed. A map that binds no
    /// event at all gives no labels, which `relabel` refuses. Names, not ids, because they are what pictures show: two
    /// stages or touchpoints of one name share it.
    #[must_use]
    pub fn from_journey(journey: &ValidJourney, level: MapLevel) -> Self {
        let j = journey.journey();
        let stage_rank: BTreeMap<&str, usize> = j
            .stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.id.as_str(), i))
            .collect();
        let mut labels: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for (ti, t) in j.touchpoints.iter().enumerate() {
            let (rank, label) = match level {
                MapLevel::Touchpoint => (ti, t.name.clone()),
                MapLevel::Stage => {
                    let Some(&si) = stage_rank.get(t.stage.as_str()) else {
                        continue;
                    };
                    let name = j.stages.get(si).map(|s| s.name.clone()).unwrap_or_default();
                    (si, name)
                }
            };
            for e in &t.events {
                let slot = labels.entry(e.clone()).or_insert((rank, label.clone()));
                if rank < slot.0 {
                    *slot = (rank, label.clone());
                }
            }
        }
        Self {
            labels: labels.into_iter().map(|(e, (_, l))| (e, l)).collect(),
            allow_missing: true,
        }
    }
}
