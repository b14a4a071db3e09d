//! Mergeable states: compute partial aggregates on partitions of a log, merge them in any
//! grouping, and finish with exactly the result of the whole log.
//!
//! # Design
//!
//! A customer's events may be split across partitions, and funnels, paths and variants
//! depend on the order of a customer's events, so partial *counts* cannot be merged.
//! A state therefore keeps, per customer, the compact sequence of the **relevant** events
//! only — interned symbols with their order key (timestamp, global row index) — and the
//! analysis runs once, at [`FunnelState::finish`] (or the `finish_*` methods of
//! [`SequenceState`]), over the merged sequences with the very code that analyses a log.
//!
//! * Relevant events: for a funnel, the events of its steps and exclusions (all events
//!   for `strict` order, where any event between two steps matters), plus the breakdown
//!   column's value; for a [`SequenceState`] (directly-follows, variants, flows, traffic,
//!   conformance, journey state, drivers), every event.
//! * The order key is (timestamp, global row index): give partitions their global row
//!   indices ([`super::IngestOptions::row_offset`] for contiguous chunks, or
//!   [`super::RawEvent::row`]) so that equal timestamps keep the whole log's order.
//! * `merge` takes the union of customers and dictionaries (kept sorted, so the state is
//!   canonical: equal contents give equal bytes whatever the grouping) and merges each
//!   customer's sequences by order key. It is associative and commutative;
//!   `identity()` is the empty state.
//! * Memory is O(relevant events): 24 bytes per event plus the dictionaries.
//! * When every partition holds whole customers (partitioned by customer id), the
//!   count-level states keep counts instead of events: [`FunnelCounts`] (a funnel),
//!   [`RetentionCounts`] (a retention table), [`TrendsCounts`] (event trends),
//!   [`DirectlyFollowsCounts`],
//!   [`VariantCounts`], [`FlowCounts`] and [`TrafficCounts`].
//!   Each partition's counts are computed where it is, with the code that analyses a
//!   log (which counts, then finishes), and merging adds counts.
//! * Bytes: `CJMS` magic, format version (u16, little endian, now 1), kind byte, then the
//!   payload (little-endian integers, length-prefixed UTF-8 strings). `from_bytes`
//!   checks lengths before allocating, every id against its dictionary and the order
//!   of the sequences, and returns `invalid_state` on any mismatch; it never panics.

use super::bind::{
    conformance, drivers, journey_states, traffic, traffic_tally, Conformance, DriverOptions,
    Drivers, JourneyStateOptions, JourneyStates, Traffic, TrafficMap, TrafficTally,
};
use super::funnel::{Counts, Durations, Funnel, FunnelResult, Plan, Tally};
use super::log::{sort_dict, EventLog, NONE};
use super::ops::AnalysisUnit;
use super::paths::{
    dfg_tally, directly_follows, flow_tally, flows, restrict, variant_tally, variants, DfgTally,
    DirectlyFollows, DirectlyFollowsOptions, FlowOptions, FlowTally, Flows, VariantOptions,
    VariantTally, Variants,
};
use super::retention::{
    CohortType, Cohorts, RetentionMode, RetentionOptions, RetentionPlan, RetentionResult,
    RetentionTally,
};
use super::seq::Seqs;
use super::trends::{TrendsOptions, TrendsPlan, TrendsResult, TrendsTally};
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use serde::{Deserialize, Serialize};

pub use crate::state_bytes::STATE_FORMAT_VERSION;
use crate::state_bytes::{
    header, invalid_state, kind, put_len, put_str, put_strings, put_u64, seal, Reader,
};
const KIND_SEQUENCE: u8 = kind::SEQUENCE;
const KIND_FUNNEL: u8 = kind::FUNNEL;
const KIND_FUNNEL_COUNTS: u8 = kind::FUNNEL_COUNTS;
const KIND_DFG_COUNTS: u8 = kind::DFG_COUNTS;
const KIND_VARIANT_COUNTS: u8 = kind::VARIANT_COUNTS;
const KIND_FLOW_COUNTS: u8 = kind::FLOW_COUNTS;
const KIND_TRAFFIC_COUNTS: u8 = kind::TRAFFIC_COUNTS;
const KIND_RETENTION_COUNTS: u8 = kind::RETENTION_COUNTS;
const KIND_TRENDS_COUNTS: u8 = kind::TRENDS_COUNTS;

/// The laws every state follows: `identity()` merges as a no-op, `merge` is associative,
/// and `to_bytes`/`from_bytes` round-trip.
pub trait Mergeable: Sized {
    /// The empty state.
    fn identity() -> Self;
    /// Merges two states.
    ///
    /// # Errors
    /// `incompatible_states` when they were built for different definitions.
    fn merge(self, other: Self) -> Result<Self>;
    /// Versioned bytes.
    fn to_bytes(&self) -> Vec<u8>;
    /// Reads bytes written by [`Mergeable::to_bytes`].
    ///
    /// # Errors
    /// `invalid_state` for anything else.
    fn from_bytes(bytes: &[u8]) -> Result<Self>;
}

/// Compact per-customer sequences (customers and events sorted, dictionaries sorted).
#[derive(Debug, Clone, PartialEq)]
struct Compact {
    customers: Vec<String>,
    offsets: Vec<usize>,
    ts: Vec<i64>,
    row: Vec<u64>,
    sym: Vec<u32>,
    names: Vec<String>,
    /// Empty when there is no group column.
    group: Vec<u32>,
    group_dict: Vec<String>,
    has_group: bool,
}

impl Default for Compact {
    fn default() -> Self {
        Self {
            customers: Vec::new(),
            offsets: vec![0],
            ts: Vec::new(),
            row: Vec::new(),
            sym: Vec::new(),
            names: Vec::new(),
            group: Vec::new(),
            group_dict: Vec::new(),
            has_group: false,
        }
    }
}

impl Compact {
    fn from_log(log: &EventLog, keep: Option<&[bool]>, group: Option<&str>) -> Result<Self> {
        let group_col = match group {
            None => None,
            Some(name) => Some(log.column(name).ok_or_else(|| Error::Input {
                code: crate::InputCode::UnknownColumn,
                row: None,
                message: format!("the log has no column `{name}` to break down by"),
            })?),
        };
        let kept = |e: u32| keep.is_none_or(|k| k.get(e as usize).copied().unwrap_or(false));
        // Dictionaries restricted to what is kept, so equal contents give equal states.
        let mut name_used = vec![false; log.names.len()];
        let mut group_used = vec![false; group_col.map_or(0, |g| g.dict.len())];
        let mut out = Self {
            has_group: group_col.is_some(),
            ..Self::default()
        };
        for c in 0..log.customers.len() {
            let before = out.ts.len();
            for i in log.customer_range(c) {
                let Some(&e) = log.event.get(i) else { continue };
                if !kept(e) {
                    continue;
                }
                if let Some(u) = name_used.get_mut(e as usize) {
                    *u = true;
                }
                out.ts.push(log.ts.get(i).copied().unwrap_or(0));
                out.row.push(log.row.get(i).unwrap_or(0));
                out.sym.push(e);
                if let Some(g) = group_col {
                    let id = g.ids.get(i).copied().unwrap_or(NONE);
                    if let Some(u) = group_used.get_mut(id as usize) {
                        *u = true;
                    }
                    out.group.push(id);
                }
            }
            if out.ts.len() > before {
                out.customers
                    .push(log.customers.name(c).unwrap_or_default());
                out.offsets.push(out.ts.len());
            }
        }
        let (names, name_map) = restrict(&log.names, &name_used);
        out.names = names;
        for s in &mut out.sym {
            *s = name_map.get(*s as usize).copied().unwrap_or(NONE);
        }
        if let Some(g) = group_col {
            let (dict, map) = restrict(&g.dict, &group_used);
            out.group_dict = dict;
            for id in &mut out.group {
                if *id != NONE {
                    *id = map.get(*id as usize).copied().unwrap_or(NONE);
                }
            }
        }
        Ok(out)
    }

    fn seqs(&self) -> Seqs<'_> {
        Seqs {
            customers: super::seq::CustomerNames::Strs(&self.customers),
            offsets: &self.offsets,
            ts: &self.ts,
            sym: &self.sym,
            names: &self.names,
            group: self
                .has_group
                .then_some((self.group.as_slice(), self.group_dict.as_slice())),
            from: 0,
            to: self.customers.len(),
        }
    }

    fn merge(self, other: Self) -> Self {
        if self.ts.is_empty() && self.customers.is_empty() {
            return Self {
                has_group: self.has_group || other.has_group,
                ..other
            };
        }
        if other.ts.is_empty() && other.customers.is_empty() {
            return Self {
                has_group: self.has_group || other.has_group,
                ..self
            };
        }
        let has_group = self.has_group || other.has_group;
        let (customers, cmap) = sort_dict(
            self.customers
                .iter()
                .chain(&other.customers)
                .cloned()
                .collect(),
        );
        let (names, nmap) = sort_dict(self.names.iter().chain(&other.names).cloned().collect());
        let (group_dict, gmap) = sort_dict(
            self.group_dict
                .iter()
                .chain(&other.group_dict)
                .cloned()
                .collect(),
        );
        let mut events: Vec<(u32, i64, u64, u32, u32)> =
            Vec::with_capacity(self.ts.len() + other.ts.len());
        for (part, base_c, base_n, base_g) in [
            (&self, 0, 0, 0),
            (
                &other,
                self.customers.len(),
                self.names.len(),
                self.group_dict.len(),
            ),
        ] {
            for c in 0..part.customers.len() {
                let nc = cmap.get(base_c + c).copied().unwrap_or(NONE);
                let start = part.offsets.get(c).copied().unwrap_or(0);
                let end = part.offsets.get(c + 1).copied().unwrap_or(start);
                for i in start..end {
                    let g = part.group.get(i).copied().unwrap_or(NONE);
                    events.push((
                        nc,
                        part.ts.get(i).copied().unwrap_or(0),
                        part.row.get(i).copied().unwrap_or(0),
                        nmap.get(base_n + part.sym.get(i).copied().unwrap_or(0) as usize)
                            .copied()
                            .unwrap_or(NONE),
                        if g == NONE {
                            NONE
                        } else {
                            gmap.get(base_g + g as usize).copied().unwrap_or(NONE)
                        },
                    ));
                }
            }
        }
        events.sort_unstable();
        let mut out = Self {
            customers,
            names,
            group_dict,
            has_group,
            ..Self::default()
        };
        let mut current = None;
        for (c, t, r, s, g) in events {
            if current.is_some_and(|x| x != c) {
                out.offsets.push(out.ts.len());
            }
            current = Some(c);
            out.ts.push(t);
            out.row.push(r);
            out.sym.push(s);
            if has_group {
                out.group.push(g);
            }
        }
        out.offsets.push(out.ts.len());
        // Every customer of either side has at least one event, so offsets line up.
        out
    }

    fn write(&self, w: &mut Vec<u8>) {
        put_strings(w, &self.customers);
        put_strings(w, &self.names);
        w.push(u8::from(self.has_group));
        put_strings(w, &self.group_dict);
        put_len(w, self.ts.len());
        for c in 0..self.customers.len() {
            let n = self.offsets.get(c + 1).copied().unwrap_or(0)
                - self.offsets.get(c).copied().unwrap_or(0);
            put_len(w, n);
        }
        for &t in &self.ts {
            w.extend_from_slice(&t.to_le_bytes());
        }
        for &r in &self.row {
            w.extend_from_slice(&r.to_le_bytes());
        }
        for &s in &self.sym {
            w.extend_from_slice(&s.to_le_bytes());
        }
        if self.has_group {
            for &g in &self.group {
                w.extend_from_slice(&g.to_le_bytes());
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self> {
        let customers = r.strings()?;
        let names = r.strings()?;
        let has_group = match r.u8()? {
            0 => false,
            1 => true,
            _ => return Err(invalid_state("bad group flag")),
        };
        let group_dict = r.strings()?;
        for dict in [&customers, &names, &group_dict] {
            if dict.windows(2).any(|w| w.first() >= w.get(1)) {
                return Err(invalid_state("a dictionary is not sorted and unique"));
            }
        }
        let n = usize::try_from(r.u64()?).map_err(|_| invalid_state("too many events"))?;
        let per_event = 8 + 8 + 4 + if has_group { 4 } else { 0 };
        if n.checked_mul(per_event).is_none_or(|b| b > r.remaining()) {
            return Err(invalid_state("truncated"));
        }
        r.need(customers.len().saturating_mul(8))?;
        let mut offsets = Vec::with_capacity(customers.len() + 1);
        offsets.push(0usize);
        let mut total = 0usize;
        for _ in 0..customers.len() {
            let k = usize::try_from(r.u64()?).map_err(|_| invalid_state("bad count"))?;
            if k == 0 {
                return Err(invalid_state("a customer without events"));
            }
            total = total
                .checked_add(k)
                .ok_or_else(|| invalid_state("bad count"))?;
            offsets.push(total);
        }
        if total != n {
            return Err(invalid_state("event counts do not add up"));
        }
        let ts = (0..n).map(|_| r.i64()).collect::<Result<Vec<_>>>()?;
        let row = (0..n).map(|_| r.u64()).collect::<Result<Vec<_>>>()?;
        let sym = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>>>()?;
        let group = if has_group {
            (0..n).map(|_| r.u32()).collect::<Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        if sym.iter().any(|&s| s as usize >= names.len())
            || group
                .iter()
                .any(|&g| g != NONE && g as usize >= group_dict.len())
        {
            return Err(invalid_state("an id outside its dictionary"));
        }
        for w in offsets.windows(2) {
            let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
                continue;
            };
            for i in a + 1..b {
                let prev = (ts.get(i - 1), row.get(i - 1));
                if prev > (ts.get(i), row.get(i)) {
                    return Err(invalid_state("events out of order"));
                }
            }
        }
        Ok(Self {
            customers,
            offsets,
            ts,
            row,
            sym,
            names,
            group,
            group_dict,
            has_group,
        })
    }
}

/// The mergeable state of every order-dependent analysis over all events:
/// directly-follows, variants, flows, traffic, conformance, journey state and drivers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SequenceState {
    data: Compact,
}

impl SequenceState {
    /// The state of one partition (its rows must carry global row indices).
    #[must_use]
    pub fn from_log(log: &EventLog) -> Self {
        Self {
            data: Compact::from_log(log, None, None).unwrap_or_default(),
        }
    }

    /// Customers in the state.
    #[must_use]
    pub fn customers(&self) -> usize {
        self.data.customers.len()
    }

    /// Events in the state.
    #[must_use]
    pub fn events(&self) -> usize {
        self.data.ts.len()
    }

    /// The directly-follows graph of everything merged.
    ///
    /// # Errors
    /// `invalid_option` for `unit = session`: the state keeps no session ids.
    pub fn finish_directly_follows(
        &self,
        options: &DirectlyFollowsOptions,
    ) -> Result<DirectlyFollows> {
        customers_only(options.unit)?;
        Ok(directly_follows(&self.data.seqs(), options))
    }

    /// The top variants of everything merged.
    ///
    /// # Errors
    /// `invalid_option` for `unit = session`: the state keeps no session ids.
    pub fn finish_variants(&self, options: &VariantOptions) -> Result<Variants> {
        customers_only(options.unit)?;
        Ok(variants(&self.data.seqs(), options))
    }

    /// The flows of everything merged.
    ///
    /// # Errors
    /// `invalid_option` for `unit = session` (the state keeps no session ids), or a
    /// `min_share` outside 0–1 ([`FlowOptions::check`]).
    pub fn finish_flows(&self, options: &FlowOptions) -> Result<Flows> {
        customers_only(options.unit)?;
        options.check()?;
        Ok(flows(&self.data.seqs(), options))
    }

    /// The traffic of everything merged.
    #[must_use]
    pub fn finish_traffic(&self, journey: &ValidJourney) -> Traffic {
        traffic(&self.data.seqs(), journey)
    }

    /// The stage-order conformance of everything merged.
    #[must_use]
    pub fn finish_conformance(&self, journey: &ValidJourney) -> Conformance {
        conformance(&self.data.seqs(), journey)
    }

    /// The journey state table of everything merged.
    ///
    /// # Errors
    /// As [`EventLog::journey_states`].
    pub fn finish_journey_states(
        &self,
        journey: &ValidJourney,
        options: &JourneyStateOptions,
    ) -> Result<JourneyStates> {
        journey_states(&self.data.seqs(), journey, options)
    }

    /// The conversion drivers of everything merged.
    ///
    /// # Errors
    /// As [`EventLog::drivers`].
    pub fn finish_drivers(
        &self,
        journey: Option<&ValidJourney>,
        options: &DriverOptions,
    ) -> Result<Drivers> {
        drivers(&self.data.seqs(), journey, options)
    }
}

impl Mergeable for SequenceState {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        Ok(Self {
            data: self.data.merge(other.data),
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_SEQUENCE);
        self.data.write(&mut w);
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_SEQUENCE)?;
        let data = Compact::read(&mut r)?;
        r.end()?;
        Ok(Self { data })
    }
}

#[derive(Serialize, Deserialize)]
struct StoredPlan {
    funnel: Funnel,
    step_events: Vec<Vec<String>>,
    exclusion_events: Vec<Vec<String>>,
}

/// Writes an optional resolved funnel (a flag, then the definition as JSON).
fn write_plan(w: &mut Vec<u8>, plan: Option<&Plan>) {
    match plan {
        None => w.push(0),
        Some(p) => {
            w.push(1);
            let stored = StoredPlan {
                funnel: p.funnel.clone(),
                step_events: p.step_events.clone(),
                exclusion_events: p.exclusion_events.clone(),
            };
            let json = serde_json::to_string(&stored).unwrap_or_default();
            put_len(w, json.len());
            w.extend_from_slice(json.as_bytes());
        }
    }
}

/// Reads what [`write_plan`] wrote.
fn read_plan(r: &mut Reader<'_>) -> Result<Option<Plan>> {
    match r.u8()? {
        0 => Ok(None),
        1 => {
            let json = r.string()?;
            let stored: StoredPlan = serde_json::from_str(&json)
                .map_err(|_| invalid_state("the funnel definition does not read"))?;
            Ok(Some(stored.funnel.plan_resolved(
                stored.step_events,
                stored.exclusion_events,
            )?))
        }
        _ => Err(invalid_state("bad funnel flag")),
    }
}

fn incompatible_funnels() -> Error {
    Error::Input {
        code: crate::InputCode::IncompatibleStates,
        row: None,
        message: "the funnel states were built for different funnels".to_owned(),
    }
}

/// The mergeable state of one funnel: its resolved definition and the relevant events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunnelState {
    plan: Option<Plan>,
    data: Compact,
}

impl FunnelState {
    /// The definition of the funnel the state was built for (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<crate::Definition> {
        self.plan.as_ref().map(Plan::definition)
    }

    /// The state of one partition for this funnel (touchpoint and stage steps need the
    /// journey).
    ///
    /// # Errors
    /// As [`Funnel::run`].
    pub fn from_log(
        funnel: &Funnel,
        log: &EventLog,
        journey: Option<&ValidJourney>,
    ) -> Result<Self> {
        let plan = funnel.plan(journey)?;
        let units;
        let log = match funnel.options.unit {
            super::ops::AnalysisUnit::Customer => log,
            super::ops::AnalysisUnit::Session => {
                units = log.session_units("unit", true)?;
                &units
            }
        };
        let keep: Option<Vec<bool>> = if plan.needs_all_events() {
            None
        } else {
            let relevant = plan.relevant_names();
            Some(
                log.names
                    .iter()
                    .map(|n| relevant.contains(n.as_str()))
                    .collect(),
            )
        };
        let data = Compact::from_log(log, keep.as_deref(), funnel.options.breakdown.as_deref())?;
        Ok(Self {
            plan: Some(plan),
            data,
        })
    }

    /// The funnel of everything merged (`None` for the identity, which has no funnel).
    #[must_use]
    pub fn finish(&self) -> Option<FunnelResult> {
        self.plan.as_ref().map(|p| p.evaluate(&self.data.seqs()))
    }
}

impl Mergeable for FunnelState {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let plan = match (self.plan, other.plan) {
            (Some(a), Some(b)) if a != b => return Err(incompatible_funnels()),
            (a, b) => a.or(b),
        };
        Ok(Self {
            plan,
            data: self.data.merge(other.data),
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_FUNNEL);
        write_plan(&mut w, self.plan.as_ref());
        self.data.write(&mut w);
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_FUNNEL)?;
        let plan = read_plan(&mut r)?;
        let data = Compact::read(&mut r)?;
        r.end()?;
        Ok(Self { plan, data })
    }
}

/// The count-level mergeable state of one funnel over **whole customers**: its resolved
/// definition and, overall and per breakdown group, the customers per deepest step, the
/// pending and excluded customers and the counted times to convert — no events.
///
/// Build it from a partition holding **all** the relevant events of each of its customers
/// (a log partitioned by customer); merging adds the counts, so the merge of the states of
/// disjoint sets of customers finishes into exactly the funnel of their union. A customer
/// split across two states would be counted twice (its halves evaluated apart): when
/// customers may be split, use [`FunnelState`], which keeps the events. Memory is
/// O(steps × distinct times to convert), independent of the number of events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FunnelCounts {
    plan: Option<Plan>,
    tally: Tally,
}

impl FunnelCounts {
    /// The definition of the funnel the state was built for (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<crate::Definition> {
        self.plan.as_ref().map(Plan::definition)
    }

    /// The state of one partition holding whole customers (touchpoint and stage steps
    /// need the journey).
    ///
    /// # Errors
    /// As [`Funnel::run`].
    pub fn from_log(
        funnel: &Funnel,
        log: &EventLog,
        journey: Option<&ValidJourney>,
    ) -> Result<Self> {
        let (plan, tally) = funnel.tally(log, journey)?;
        Ok(Self {
            plan: Some(plan),
            tally,
        })
    }

    /// The funnel of everything merged (`None` for the identity, which has no funnel).
    #[must_use]
    pub fn finish(&self) -> Option<FunnelResult> {
        self.plan.as_ref().map(|p| p.finish(&self.tally))
    }
}

impl Mergeable for FunnelCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        match (self.plan, other.plan) {
            (Some(a), Some(b)) => {
                if a != b {
                    return Err(incompatible_funnels());
                }
                let mut tally = self.tally;
                tally.add(&other.tally);
                Ok(Self {
                    plan: Some(a),
                    tally,
                })
            }
            (Some(a), None) => Ok(Self {
                plan: Some(a),
                tally: self.tally,
            }),
            (None, b) => Ok(Self {
                plan: b,
                tally: other.tally,
            }),
        }
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_FUNNEL_COUNTS);
        write_plan(&mut w, self.plan.as_ref());
        if self.plan.is_some() {
            write_counts(&mut w, &self.tally.overall);
            put_len(&mut w, self.tally.groups.len());
            for ((null, value), counts) in &self.tally.groups {
                w.push(u8::from(*null));
                put_str(&mut w, value);
                write_counts(&mut w, counts);
            }
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_FUNNEL_COUNTS)?;
        let plan = read_plan(&mut r)?;
        let mut tally = Tally::default();
        if let Some(p) = &plan {
            let k = p.funnel.steps.len();
            tally.overall = read_counts(&mut r, k)?;
            // Each group takes at least its flag, its string's length and its counts.
            let n = r.len(1 + 8)?;
            let mut previous: Option<(bool, String)> = None;
            for _ in 0..n {
                let null = match r.u8()? {
                    0 => false,
                    1 => true,
                    _ => return Err(invalid_state("bad group flag")),
                };
                let value = r.string()?;
                if null && !value.is_empty() {
                    return Err(invalid_state("a null group with a value"));
                }
                let key = (null, value);
                if previous.as_ref().is_some_and(|prev| *prev >= key) {
                    return Err(invalid_state("the groups are not sorted and unique"));
                }
                let counts = read_counts(&mut r, k)?;
                previous = Some(key.clone());
                tally.groups.insert(key, counts);
            }
            if n > 0 && p.funnel.options.breakdown.is_none() {
                return Err(invalid_state("groups in a funnel without a breakdown"));
            }
        }
        r.end()?;
        Ok(Self { plan, tally })
    }
}

fn write_counts(w: &mut Vec<u8>, c: &Counts) {
    for list in [&c.at_depth, &c.pending_at_depth] {
        put_len(w, list.len());
        for &x in list {
            put_u64(w, x);
        }
    }
    put_u64(w, c.excluded);
    for lists in [&c.from_first, &c.from_prev] {
        put_len(w, lists.len());
        for list in lists {
            put_len(w, list.len());
            for &(v, n) in list {
                w.extend_from_slice(&v.to_le_bytes());
                put_u64(w, n);
            }
        }
    }
}

/// Reads the counts of a `k`-step funnel, checking their shape and that every list of
/// durations is strictly increasing with positive counts.
fn read_counts(r: &mut Reader<'_>, k: usize) -> Result<Counts> {
    let mut depth_lists = Vec::with_capacity(2);
    for _ in 0..2 {
        let n = r.len(8)?;
        if n != k + 1 {
            return Err(invalid_state("counts of another number of steps"));
        }
        depth_lists.push((0..n).map(|_| r.u64()).collect::<Result<Vec<_>>>()?);
    }
    let excluded = r.u64()?;
    let mut time_lists = Vec::with_capacity(2);
    for _ in 0..2 {
        let n = r.len(8)?;
        if n != k {
            return Err(invalid_state("durations of another number of steps"));
        }
        let mut lists = Vec::with_capacity(n);
        for _ in 0..n {
            let m = r.len(16)?;
            let list = (0..m)
                .map(|_| Ok((r.i64()?, r.u64()?)))
                .collect::<Result<Durations>>()?;
            if list.iter().any(|&(_, c)| c == 0)
                || list
                    .windows(2)
                    .any(|w| w.first().map(|x| x.0) >= w.get(1).map(|x| x.0))
            {
                return Err(invalid_state("durations not sorted, unique and counted"));
            }
            lists.push(list);
        }
        time_lists.push(lists);
    }
    let mut depth_lists = depth_lists.into_iter();
    let mut time_lists = time_lists.into_iter();
    let counts = Counts {
        at_depth: depth_lists.next().unwrap_or_default(),
        pending_at_depth: depth_lists.next().unwrap_or_default(),
        excluded,
        from_first: time_lists.next().unwrap_or_default(),
        from_prev: time_lists.next().unwrap_or_default(),
    };
    check_counts(&counts)?;
    Ok(counts)
}

/// Checks a funnel's counts against each other: depth 0 holds no one; no more pending
/// than customers at a depth; the customers (excluded included) sum without overflow; and
/// each step's counted times are of customers who reached it, so no more than them.
fn check_counts(c: &Counts) -> Result<()> {
    let bad = || invalid_state("funnel counts that disagree with each other");
    if c.at_depth.first().is_some_and(|&n| n > 0)
        || c.pending_at_depth.first().is_some_and(|&n| n > 0)
        || c.pending_at_depth
            .iter()
            .zip(&c.at_depth)
            .any(|(pending, all)| pending > all)
    {
        return Err(bad());
    }
    let mut total = c.excluded;
    for &n in &c.at_depth {
        total = total.checked_add(n).ok_or_else(bad)?;
    }
    // Customers who reached step `k` (0-based) are those of depth k + 1 or more.
    let mut reached = 0u64;
    for k in (1..c.from_first.len()).rev() {
        reached = reached.saturating_add(c.at_depth.get(k + 1).copied().unwrap_or(0));
        for times in [c.from_first.get(k), c.from_prev.get(k)]
            .into_iter()
            .flatten()
        {
            let mut counted = 0u64;
            for &(_, n) in times {
                counted = counted.checked_add(n).ok_or_else(bad)?;
            }
            if counted > reached {
                return Err(bad());
            }
        }
    }
    Ok(())
}

fn incompatible(what: &str) -> Error {
    Error::Input {
        code: crate::InputCode::IncompatibleStates,
        row: None,
        message: format!("the {what} states were built with different definitions"),
    }
}

/// Merges two count-level states `(definition, tally)`: the identity has no definition;
/// two definitions must be equal; tallies add.
fn merge_counts<D: PartialEq, T>(
    a: (Option<D>, T),
    b: (Option<D>, T),
    add: impl FnOnce(&mut T, &T),
    what: &str,
) -> Result<(Option<D>, T)> {
    match (a, b) {
        ((Some(da), mut ta), (Some(db), tb)) => {
            if da != db {
                return Err(incompatible(what));
            }
            add(&mut ta, &tb);
            Ok((Some(da), ta))
        }
        ((Some(d), t), (None, _)) | ((None, _), (Some(d), t)) => Ok((Some(d), t)),
        ((None, t), (None, _)) => Ok((None, t)),
    }
}

fn read_flag(r: &mut Reader<'_>, what: &str) -> Result<bool> {
    match r.u8()? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(invalid_state(what)),
    }
}

fn read_u64s(r: &mut Reader<'_>, n: usize) -> Result<Vec<u64>> {
    if r.len(8)? != n {
        return Err(invalid_state("a list of counts of the wrong length"));
    }
    (0..n).map(|_| r.u64()).collect()
}

fn put_u64s(w: &mut Vec<u8>, list: &[u64]) {
    put_len(w, list.len());
    for &x in list {
        put_u64(w, x);
    }
}

/// Reads a dictionary of names: sorted and unique.
fn read_names(r: &mut Reader<'_>) -> Result<Vec<String>> {
    let names = r.strings()?;
    if names.windows(2).any(|w| w.first() >= w.get(1)) {
        return Err(invalid_state("a dictionary is not sorted and unique"));
    }
    Ok(names)
}

fn strictly_increasing<K: PartialOrd>(keys: impl Iterator<Item = K>) -> bool {
    let mut previous: Option<K> = None;
    for k in keys {
        if previous.as_ref().is_some_and(|p| *p >= k) {
            return false;
        }
        previous = Some(k);
    }
    true
}

/// The count-level mergeable state of a directly-follows graph over **whole customers**:
/// its options and the node and edge counts (events, transitions, distinct customers)
/// keyed by event name — no events.
///
/// Build it from a partition holding **all** the events of each of its customers (a log
/// partitioned by customer); merging adds the counts, so the merge of the states of
/// disjoint sets of customers finishes into exactly the graph of their union. A customer
/// split across two states would be counted twice and lose the transition between its
/// halves: when customers may be split, use [`SequenceState`]. Memory is O(distinct
/// names + distinct edges), independent of the number of events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DirectlyFollowsCounts {
    options: Option<DirectlyFollowsOptions>,
    tally: DfgTally,
}

impl DirectlyFollowsCounts {
    /// The options the state was built with (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<&DirectlyFollowsOptions> {
        self.options.as_ref()
    }

    /// The state of one partition holding whole customers.
    ///
    /// # Errors
    /// `invalid_option` for `unit = session` (these states count customers).
    pub fn from_log(log: &EventLog, options: &DirectlyFollowsOptions) -> Result<Self> {
        customers_only(options.unit)?;
        Ok(Self {
            options: Some(options.clone()),
            tally: dfg_tally(&Seqs::from_log(log, None), options),
        })
    }

    /// The directly-follows graph of everything merged (`None` for the identity).
    #[must_use]
    pub fn finish(&self) -> Option<DirectlyFollows> {
        self.options.as_ref().map(|o| self.tally.finish(o))
    }
}

impl Mergeable for DirectlyFollowsCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (options, tally) = merge_counts(
            (self.options, self.tally),
            (other.options, other.tally),
            DfgTally::add,
            "directly-follows",
        )?;
        Ok(Self { options, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_DFG_COUNTS);
        let Some(options) = &self.options else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        w.push(u8::from(options.start_end));
        let t = &self.tally;
        put_strings(&mut w, &t.names);
        put_u64s(&mut w, &t.node_events);
        put_u64s(&mut w, &t.node_customers);
        put_len(&mut w, t.edges.len());
        for &((from, to), transitions, customers) in &t.edges {
            w.extend_from_slice(&from.to_le_bytes());
            w.extend_from_slice(&to.to_le_bytes());
            put_u64(&mut w, transitions);
            put_u64(&mut w, customers);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_DFG_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let start_end = read_flag(&mut r, "bad start_end flag")?;
        let names = read_names(&mut r)?;
        let n = names.len() + 2;
        let node_events = read_u64s(&mut r, n)?;
        let node_customers = read_u64s(&mut r, n)?;
        for (i, (&e, &c)) in node_events.iter().zip(&node_customers).enumerate() {
            let virtual_node = i == 0 || i == n - 1;
            let ok = if virtual_node {
                c == e && (start_end || e == 0)
            } else {
                e >= 1 && (1..=e).contains(&c)
            };
            if !ok {
                return Err(invalid_state("inconsistent node counts"));
            }
        }
        if node_events.first() != node_events.last() {
            return Err(invalid_state("START and END counts differ"));
        }
        let m = r.len(24)?;
        let mut edges = Vec::with_capacity(m);
        let (start, end) = (0u32, u32::try_from(n - 1).unwrap_or(u32::MAX));
        for _ in 0..m {
            let (from, to) = (r.u32()?, r.u32()?);
            let (transitions, customers) = (r.u64()?, r.u64()?);
            if from as usize >= n
                || to as usize >= n
                || to == start
                || from == end
                || (!start_end && (from == start || to == end))
                || !(1..=transitions).contains(&customers)
            {
                return Err(invalid_state("a bad edge"));
            }
            edges.push(((from, to), transitions, customers));
        }
        if !strictly_increasing(edges.iter().map(|e| e.0)) {
            return Err(invalid_state("the edges are not sorted and unique"));
        }
        r.end()?;
        Ok(Self {
            options: Some(DirectlyFollowsOptions {
                start_end,
                ..DirectlyFollowsOptions::default()
            }),
            tally: DfgTally {
                names,
                node_events,
                node_customers,
                edges,
            },
        })
    }
}

/// The count-level mergeable state of variants over **whole customers**: the shape of a
/// variant (`max_length`, `collapse_repeats`, fixed when the state is built) and the
/// customers per distinct variant. The top `k` are chosen when finishing, ties broken by
/// the sequence exactly as [`EventLog::variants`] does.
///
/// Build it from a partition holding **all** the events of each of its customers; merging
/// adds the counts. Memory is O(distinct variants × their length): bounded by
/// `max_length`, but without it a log whose customers all differ keeps about one
/// sequence per customer (4 bytes per kept event).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VariantCounts {
    /// `(max_length, collapse_repeats)`.
    shape: Option<(Option<usize>, bool)>,
    tally: VariantTally,
}

impl VariantCounts {
    /// `(max_length, collapse_repeats)` of the state (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<(Option<usize>, bool)> {
        self.shape
    }

    /// The state of one partition holding whole customers (`options.top_k` is not used).
    ///
    /// # Errors
    /// `invalid_option` for `unit = session` (these states count customers).
    pub fn from_log(log: &EventLog, options: &VariantOptions) -> Result<Self> {
        customers_only(options.unit)?;
        Ok(Self {
            shape: Some((options.max_length, options.collapse_repeats)),
            tally: variant_tally(&Seqs::from_log(log, None), options).canonical(),
        })
    }

    /// The top `top_k` variants of everything merged (`None` for the identity).
    #[must_use]
    pub fn finish(&self, top_k: usize) -> Option<Variants> {
        self.shape.map(|(max_length, collapse_repeats)| {
            self.tally.finish(&VariantOptions {
                top_k,
                max_length,
                collapse_repeats,
                ..VariantOptions::default()
            })
        })
    }
}

impl Mergeable for VariantCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (shape, tally) = merge_counts(
            (self.shape, self.tally),
            (other.shape, other.tally),
            VariantTally::add,
            "variant",
        )?;
        Ok(Self { shape, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_VARIANT_COUNTS);
        let Some((max_length, collapse_repeats)) = self.shape else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        match max_length {
            None => w.push(0),
            Some(m) => {
                w.push(1);
                put_len(&mut w, m);
            }
        }
        w.push(u8::from(collapse_repeats));
        let t = &self.tally;
        put_strings(&mut w, &t.names);
        put_u64(&mut w, t.customers);
        put_len(&mut w, t.variants.len());
        for (seq, n) in &t.variants {
            put_len(&mut w, seq.len());
            for &e in seq {
                w.extend_from_slice(&e.to_le_bytes());
            }
            put_u64(&mut w, *n);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_VARIANT_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let max_length = if read_flag(&mut r, "bad max_length flag")? {
            Some(usize::try_from(r.u64()?).map_err(|_| invalid_state("bad max_length"))?)
        } else {
            None
        };
        let collapse_repeats = read_flag(&mut r, "bad collapse_repeats flag")?;
        let names = read_names(&mut r)?;
        let customers = r.u64()?;
        // Each variant takes at least its length and its count.
        let m = r.len(16)?;
        let mut used = vec![false; names.len()];
        let mut total = 0u64;
        let mut variants = Vec::with_capacity(m);
        for _ in 0..m {
            let len = r.len(4)?;
            let seq = (0..len).map(|_| r.u32()).collect::<Result<Vec<u32>>>()?;
            let n = r.u64()?;
            if n == 0
                || max_length.is_some_and(|ml| len > ml)
                || (collapse_repeats && seq.windows(2).any(|w| w.first() == w.get(1)))
            {
                return Err(invalid_state("a bad variant"));
            }
            for &e in &seq {
                *used
                    .get_mut(e as usize)
                    .ok_or_else(|| invalid_state("an id outside its dictionary"))? = true;
            }
            total = total
                .checked_add(n)
                .ok_or_else(|| invalid_state("bad count"))?;
            variants.push((seq, n));
        }
        if total != customers {
            return Err(invalid_state("variant counts do not add up"));
        }
        if used.contains(&false) {
            return Err(invalid_state("an unused name"));
        }
        if !strictly_increasing(variants.iter().map(|v| &v.0)) {
            return Err(invalid_state("the variants are not sorted and unique"));
        }
        r.end()?;
        Ok(Self {
            shape: Some((max_length, collapse_repeats)),
            tally: VariantTally {
                names,
                customers,
                variants,
            },
        })
    }
}

/// The count-level mergeable state of flows (Sankey data) over **whole customers**: the
/// number of first events and whether repeats are collapsed (fixed when the state is
/// built), and the customers per (depth, name) and per (depth, name, next name). Rare
/// nodes are folded into `(other)` when finishing (`min_share`), exactly: a node's share
/// of its depth is a ratio of sums of these counts.
///
/// Build it from a partition holding **all** the events of each of its customers; merging
/// adds the counts. Memory is O(steps × distinct names²) at most, independent of the
/// number of events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowCounts {
    /// `(steps, collapse_repeats)`.
    shape: Option<(usize, bool)>,
    tally: FlowTally,
}

impl FlowCounts {
    /// `(steps, collapse_repeats)` of the state (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<(usize, bool)> {
        self.shape
    }

    /// The state of one partition holding whole customers (`options.min_share` is not
    /// used).
    ///
    /// # Errors
    /// `invalid_option` for `unit = session` (these states count customers).
    pub fn from_log(log: &EventLog, options: &FlowOptions) -> Result<Self> {
        customers_only(options.unit)?;
        Ok(Self {
            shape: Some((options.steps, options.collapse_repeats)),
            tally: flow_tally(&Seqs::from_log(log, None), options),
        })
    }

    /// The flows of everything merged, nodes with a smaller share of their depth than
    /// `min_share` folded into `(other)` (`None` for the identity).
    ///
    /// # Errors
    /// `invalid_option` for a `min_share` outside 0–1 (or NaN), as [`FlowOptions::check`].
    pub fn finish(&self, min_share: f64) -> Result<Option<Flows>> {
        let Some((steps, collapse_repeats)) = self.shape else {
            return Ok(None);
        };
        let options = FlowOptions {
            steps,
            min_share,
            collapse_repeats,
            ..FlowOptions::default()
        };
        options.check()?;
        Ok(Some(self.tally.finish(&options)))
    }
}

impl Mergeable for FlowCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (shape, tally) = merge_counts(
            (self.shape, self.tally),
            (other.shape, other.tally),
            FlowTally::add,
            "flow",
        )?;
        Ok(Self { shape, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_FLOW_COUNTS);
        let Some((steps, collapse_repeats)) = self.shape else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        put_len(&mut w, steps);
        w.push(u8::from(collapse_repeats));
        let t = &self.tally;
        put_strings(&mut w, &t.names);
        put_len(&mut w, t.nodes.len());
        for &((d, e), n) in &t.nodes {
            put_u64(&mut w, d);
            w.extend_from_slice(&e.to_le_bytes());
            put_u64(&mut w, n);
        }
        put_len(&mut w, t.links.len());
        for &((d, a, b), n) in &t.links {
            put_u64(&mut w, d);
            w.extend_from_slice(&a.to_le_bytes());
            w.extend_from_slice(&b.to_le_bytes());
            put_u64(&mut w, n);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_FLOW_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let steps = r.u64()?;
        let collapse_repeats = read_flag(&mut r, "bad collapse_repeats flag")?;
        let names = read_names(&mut r)?;
        let known = |e: u32| (e as usize) < names.len();
        let m = r.len(20)?;
        let mut used = vec![false; names.len()];
        let mut nodes = Vec::with_capacity(m);
        for _ in 0..m {
            let (d, e, n) = (r.u64()?, r.u32()?, r.u64()?);
            if d >= steps || !known(e) || n == 0 {
                return Err(invalid_state("a bad flow node"));
            }
            if let Some(u) = used.get_mut(e as usize) {
                *u = true;
            }
            nodes.push(((d, e), n));
        }
        let m = r.len(24)?;
        let mut links = Vec::with_capacity(m);
        for _ in 0..m {
            let (d, a, b, n) = (r.u64()?, r.u32()?, r.u32()?, r.u64()?);
            if d.saturating_add(1) >= steps
                || !known(a)
                || !known(b)
                || n == 0
                || (collapse_repeats && a == b)
            {
                return Err(invalid_state("a bad flow link"));
            }
            links.push(((d, a, b), n));
        }
        if used.contains(&false) {
            return Err(invalid_state("an unused name"));
        }
        if !strictly_increasing(nodes.iter().map(|x| x.0))
            || !strictly_increasing(links.iter().map(|x| x.0))
        {
            return Err(invalid_state("the flow counts are not sorted and unique"));
        }
        r.end()?;
        let steps = usize::try_from(steps).map_err(|_| invalid_state("bad steps"))?;
        Ok(Self {
            shape: Some((steps, collapse_repeats)),
            tally: FlowTally {
                names,
                nodes,
                links,
            },
        })
    }
}

/// The count-level mergeable state of traffic over **whole customers**: what the journey
/// binds (its id, stages, and touchpoints with their events) and the events and distinct
/// customers per touchpoint and stage, the customers, events and mapped events, and the
/// unmapped events by name. Every number of [`Traffic`] is a sum over customers (reaches
/// are ratios of sums), so merging the states of disjoint sets of customers adds them.
///
/// Build it from a partition holding **all** the events of each of its customers: a
/// customer split across two states would be counted once per state in the customer
/// counts. Memory is O(touchpoints + stages + unmapped names).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrafficCounts {
    map: Option<TrafficMap>,
    tally: TrafficTally,
}

impl TrafficCounts {
    /// Whether the state was built for this journey's map (the identity is for any).
    pub(crate) fn built_for(&self, journey: &ValidJourney) -> bool {
        self.map
            .as_ref()
            .is_none_or(|m| *m == TrafficMap::of(journey))
    }

    /// The state of one partition holding whole customers.
    #[must_use]
    pub fn from_log(log: &EventLog, journey: &ValidJourney) -> Self {
        Self {
            map: Some(TrafficMap::of(journey)),
            tally: traffic_tally(&Seqs::from_log(log, None), journey),
        }
    }

    /// The traffic of everything merged (`None` for the identity).
    #[must_use]
    pub fn finish(&self) -> Option<Traffic> {
        self.map.as_ref().map(|m| self.tally.finish(m))
    }
}

impl Mergeable for TrafficCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (map, tally) = merge_counts(
            (self.map, self.tally),
            (other.map, other.tally),
            TrafficTally::add,
            "traffic",
        )?;
        Ok(Self { map, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_TRAFFIC_COUNTS);
        let Some(map) = &self.map else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        put_str(&mut w, &map.journey);
        put_strings(&mut w, &map.stages);
        put_len(&mut w, map.touchpoints.len());
        for (id, stage, events) in &map.touchpoints {
            put_str(&mut w, id);
            put_str(&mut w, stage);
            put_strings(&mut w, events);
        }
        let t = &self.tally;
        for x in [t.customers, t.events, t.mapped] {
            put_u64(&mut w, x);
        }
        for list in [&t.tp_events, &t.tp_customers, &t.st_events, &t.st_customers] {
            put_u64s(&mut w, list);
        }
        put_len(&mut w, t.unmapped.len());
        for (name, n) in &t.unmapped {
            put_str(&mut w, name);
            put_u64(&mut w, *n);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_TRAFFIC_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let journey = r.string()?;
        let stages = r.strings()?;
        // Each touchpoint takes at least three lengths.
        let n = r.len(24)?;
        let mut touchpoints = Vec::with_capacity(n);
        for _ in 0..n {
            let (id, stage) = (r.string()?, r.string()?);
            touchpoints.push((id, stage, read_names(&mut r)?));
        }
        let map = TrafficMap {
            journey,
            stages,
            touchpoints,
        };
        let (customers, events, mapped) = (r.u64()?, r.u64()?, r.u64()?);
        let tp_events = read_u64s(&mut r, map.touchpoints.len())?;
        let tp_customers = read_u64s(&mut r, map.touchpoints.len())?;
        let st_events = read_u64s(&mut r, map.stages.len())?;
        let st_customers = read_u64s(&mut r, map.stages.len())?;
        // Each unmapped name takes at least its length and its count.
        let m = r.len(16)?;
        let mut unmapped = Vec::with_capacity(m);
        for _ in 0..m {
            let name = r.string()?;
            let count = r.u64()?;
            if count == 0 || map.binds(&name) {
                return Err(invalid_state("a bad unmapped event"));
            }
            unmapped.push((name, count));
        }
        if !strictly_increasing(unmapped.iter().map(|x| &x.0)) {
            return Err(invalid_state(
                "the unmapped events are not sorted and unique",
            ));
        }
        let consistent = mapped <= events
            && tp_events
                .iter()
                .zip(&tp_customers)
                .chain(st_events.iter().zip(&st_customers))
                .all(|(&e, &c)| c <= e && c <= customers);
        if !consistent {
            return Err(invalid_state("inconsistent traffic counts"));
        }
        r.end()?;
        Ok(Self {
            map: Some(map),
            tally: TrafficTally {
                customers,
                events,
                mapped,
                tp_events,
                tp_customers,
                st_events,
                st_customers,
                unmapped,
            },
        })
    }
}

/// The count-level mergeable state of a retention table over **whole customers**: its
/// options (in canonical form), the last timestamp read (the end of observation when there
/// is no `as_of`), and, overall and per breakdown group, the distinct customers with a
/// cohort entry and per cohort period the retained counts for k = 0..=periods — no events.
///
/// Build it from a partition holding **all** the events of each of its customers (a log
/// partitioned by customer); merging adds the counts and takes the later last timestamp,
/// so the merge of the states of disjoint sets of customers finishes into exactly the
/// table of their union. A customer split across two states would be counted in two
/// cohorts (its halves evaluated apart). The state does not check that named events occur
/// (a partition may lack them); [`EventLog::retention`] on a whole log does. Memory is
/// O(cohort periods × periods), independent of the number of events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RetentionCounts {
    plan: Option<RetentionPlan>,
    tally: RetentionTally,
}

impl RetentionCounts {
    /// The options the state was built with, canonical (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<&RetentionOptions> {
        self.plan.as_ref().map(|p| &p.options)
    }

    /// The state of one partition holding whole customers.
    ///
    /// # Errors
    /// As [`EventLog::retention`], but for `unknown_event` and the `unknown_column` of a
    /// column without values (a partition may lack them).
    pub fn from_log(options: &RetentionOptions, log: &EventLog) -> Result<Self> {
        let (plan, tally) = options.tally(log)?;
        Ok(Self {
            plan: Some(plan),
            tally,
        })
    }

    /// The retention table of everything merged (`None` for the identity).
    #[must_use]
    pub fn finish(&self) -> Option<RetentionResult> {
        self.plan.as_ref().map(|p| p.finish(&self.tally))
    }
}

impl Mergeable for RetentionCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (plan, tally) = merge_counts(
            (self.plan, self.tally),
            (other.plan, other.tally),
            RetentionTally::add,
            "retention",
        )?;
        Ok(Self { plan, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_RETENTION_COUNTS);
        let Some(plan) = &self.plan else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        put_str(
            &mut w,
            &serde_json::to_string(&plan.options).unwrap_or_default(),
        );
        let t = &self.tally;
        put_opt_i64(&mut w, t.last_ts);
        write_cohorts(&mut w, &t.overall);
        put_len(&mut w, t.groups.len());
        for ((null, value), cohorts) in &t.groups {
            w.push(u8::from(*null));
            put_str(&mut w, value);
            write_cohorts(&mut w, cohorts);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_RETENTION_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let json = r.string()?;
        let options: RetentionOptions = serde_json::from_str(&json)
            .map_err(|_| invalid_state("the retention options do not read"))?;
        let plan = options
            .plan()
            .map_err(|_| invalid_state("the retention options are not valid"))?;
        if plan.options != options {
            return Err(invalid_state("the retention options are not canonical"));
        }
        let last_ts = read_opt_i64(&mut r)?;
        let overall = read_cohorts(&mut r, &plan, last_ts)?;
        // Each group takes at least its flag, its string's length and its counts.
        let n = r.len(1 + 8 + 16)?;
        let mut groups = Vec::with_capacity(n);
        let mut previous: Option<(bool, String)> = None;
        for _ in 0..n {
            let null = read_flag(&mut r, "bad group flag")?;
            let value = r.string()?;
            if null && !value.is_empty() {
                return Err(invalid_state("a null group with a value"));
            }
            let key = (null, value);
            if previous.as_ref().is_some_and(|prev| *prev >= key) {
                return Err(invalid_state("the groups are not sorted and unique"));
            }
            let cohorts = read_cohorts(&mut r, &plan, last_ts)?;
            previous = Some(key.clone());
            groups.push((key, cohorts));
        }
        r.end()?;
        let tally = RetentionTally {
            last_ts,
            overall,
            groups,
        };
        check_retention_groups(&plan, &tally)?;
        Ok(Self {
            plan: Some(plan),
            tally,
        })
    }
}

fn write_cohorts(w: &mut Vec<u8>, c: &Cohorts) {
    put_u64(w, c.customers);
    put_len(w, c.rows.len());
    for (p, row) in &c.rows {
        w.extend_from_slice(&p.to_le_bytes());
        for &x in row {
            put_u64(w, x);
        }
    }
}

/// Reads the cohorts of a table of `plan`, checking each row against itself and the end of
/// observation: periods increasing and within the range of timestamps (and not after the
/// last timestamp read); a positive size, no count above it; for `on_or_after`, counts
/// that do not grow with k; no return counted in a period after the last timestamp; as
/// many customers as cohort entries for `first_time` (no more, and at least one, for
/// `recurring`).
fn read_cohorts(r: &mut Reader<'_>, plan: &RetentionPlan, last_ts: Option<i64>) -> Result<Cohorts> {
    let bad = || invalid_state("retention counts that disagree with each other");
    let customers = r.u64()?;
    let width = plan.periods().saturating_add(1);
    let m = r.len(width.saturating_add(1).saturating_mul(8))?;
    let (lo, hi) = plan.period_range();
    let last_period = last_ts.map(|t| plan.period_of(t));
    if plan
        .as_of()
        .zip(last_ts)
        .is_some_and(|(as_of, last)| last > as_of)
    {
        return Err(invalid_state("a timestamp after `as_of`"));
    }
    let mut rows = Vec::with_capacity(m);
    let mut previous: Option<i64> = None;
    let mut entries = 0u64;
    for _ in 0..m {
        let p = r.i64()?;
        let row = (0..width).map(|_| r.u64()).collect::<Result<Vec<u64>>>()?;
        if previous.is_some_and(|q| q >= p) {
            return Err(invalid_state("the cohorts are not sorted and unique"));
        }
        previous = Some(p);
        let size = row.first().copied().unwrap_or(0);
        let Some(last) = last_period.filter(|&l| p >= lo && p <= hi && p <= l) else {
            return Err(invalid_state("a cohort outside the periods observed"));
        };
        let on_or_after = plan.options.mode == RetentionMode::OnOrAfter;
        let mut before = size;
        for (k, &x) in row.iter().enumerate() {
            let lag = i64::try_from(k).unwrap_or(i64::MAX);
            if size == 0
                || x > size
                || (on_or_after && x > before)
                || (p.saturating_add(lag) > last && x > 0)
            {
                return Err(bad());
            }
            before = x;
        }
        entries = entries.checked_add(size).ok_or_else(bad)?;
        rows.push((p, row));
    }
    let consistent = match plan.options.cohort {
        CohortType::FirstTime => customers == entries,
        CohortType::Recurring => customers <= entries && (customers > 0) == (entries > 0),
    };
    if !consistent {
        return Err(bad());
    }
    Ok(Cohorts { customers, rows })
}

/// Checks the breakdown groups against the whole: groups only with a breakdown, and then
/// every cohort entry in exactly one group (the groups' counts add up to the overall
/// ones) and every customer in at least one.
fn check_retention_groups(plan: &RetentionPlan, t: &RetentionTally) -> Result<()> {
    let bad = || invalid_state("retention groups that disagree with the whole");
    if plan.options.breakdown.is_none() {
        return if t.groups.is_empty() {
            Ok(())
        } else {
            Err(invalid_state(
                "groups in a retention table without a breakdown",
            ))
        };
    }
    let mut sum = Cohorts::default();
    let mut customers = 0u64;
    for (_, g) in &t.groups {
        if g.customers > t.overall.customers {
            return Err(bad());
        }
        customers = customers.checked_add(g.customers).ok_or_else(bad)?;
        for (p, row) in &g.rows {
            let Some(whole) = t.overall.row(*p) else {
                return Err(bad());
            };
            let Some(mine) = sum.row_mut(*p, row.len()) else {
                return Err(bad());
            };
            for ((a, &b), &limit) in mine.iter_mut().zip(row).zip(whole) {
                *a = a.checked_add(b).filter(|&x| x <= limit).ok_or_else(bad)?;
            }
        }
    }
    if sum.rows != t.overall.rows || customers < t.overall.customers {
        return Err(bad());
    }
    Ok(())
}

/// The count-level mergeable state of event trends over **whole customers**: its options
/// (in canonical form), the first and last timestamps read, the event names of the series,
/// and per (breakdown group, event or total, period) the volume and the distinct
/// customers — no events.
///
/// Volumes add across any partitions, but distinct customers add up only when no customer
/// spans two states: build it from a partition holding **all** the events of each of its
/// customers (a log partitioned by customer, as `cjm.spark.trends` does), and the merge of
/// the states of disjoint sets of customers finishes into exactly the trends of their
/// union. The state does not check that named events occur (a partition may lack them);
/// [`EventLog::trends`] on a whole log does. Memory is O(groups × events × periods with an
/// event), independent of the number of events.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TrendsCounts {
    plan: Option<TrendsPlan>,
    tally: TrendsTally,
}

impl TrendsCounts {
    /// The options the state was built with, canonical (`None` for the identity).
    pub(crate) fn built_for(&self) -> Option<&TrendsOptions> {
        self.plan.as_ref().map(|p| &p.options)
    }

    /// The state of one partition holding whole customers.
    ///
    /// # Errors
    /// As [`EventLog::trends`], but for `unknown_event` and the `unknown_column` of a
    /// column without values (a partition may lack them).
    pub fn from_log(options: &TrendsOptions, log: &EventLog) -> Result<Self> {
        let (plan, tally) = options.tally(log)?;
        Ok(Self {
            plan: Some(plan),
            tally,
        })
    }

    /// The trends of everything merged (`None` for the identity).
    ///
    /// # Errors
    /// `invalid_option` when the merged range holds more than
    /// [`super::MAX_TREND_PERIODS`] periods.
    pub fn finish(&self) -> Option<Result<TrendsResult>> {
        self.plan.as_ref().map(|p| p.finish(&self.tally))
    }
}

fn put_opt_i64(w: &mut Vec<u8>, x: Option<i64>) {
    match x {
        None => w.push(0),
        Some(x) => {
            w.push(1);
            w.extend_from_slice(&x.to_le_bytes());
        }
    }
}

fn read_opt_i64(r: &mut Reader<'_>) -> Result<Option<i64>> {
    if read_flag(r, "bad timestamp flag")? {
        Ok(Some(r.i64()?))
    } else {
        Ok(None)
    }
}

impl Mergeable for TrendsCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let (plan, tally) = merge_counts(
            (self.plan, self.tally),
            (other.plan, other.tally),
            TrendsTally::add,
            "trends",
        )?;
        Ok(Self { plan, tally })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_TRENDS_COUNTS);
        let Some(plan) = &self.plan else {
            w.push(0);
            return seal(w);
        };
        w.push(1);
        put_str(
            &mut w,
            &serde_json::to_string(&plan.options).unwrap_or_default(),
        );
        let t = &self.tally;
        put_opt_i64(&mut w, t.first_ts);
        put_opt_i64(&mut w, t.last_ts);
        put_strings(&mut w, &t.names);
        put_len(&mut w, t.cells.len());
        for ((group, event, p), (volume, customers)) in &t.cells {
            match group {
                None => w.push(0),
                Some((null, value)) => {
                    w.push(1 + u8::from(*null));
                    put_str(&mut w, value);
                }
            }
            match event {
                None => w.push(0),
                Some(name) => {
                    w.push(1);
                    put_str(&mut w, name);
                }
            }
            w.extend_from_slice(&p.to_le_bytes());
            put_u64(&mut w, *volume);
            put_u64(&mut w, *customers);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_TRENDS_COUNTS)?;
        if !read_flag(&mut r, "bad definition flag")? {
            r.end()?;
            return Ok(Self::identity());
        }
        let json = r.string()?;
        let options: TrendsOptions = serde_json::from_str(&json)
            .map_err(|_| invalid_state("the trends options do not read"))?;
        let plan = options
            .plan()
            .map_err(|_| invalid_state("the trends options are not valid"))?;
        if plan.options != options {
            return Err(invalid_state("the trends options are not canonical"));
        }
        let first_ts = read_opt_i64(&mut r)?;
        let last_ts = read_opt_i64(&mut r)?;
        let names = read_names(&mut r)?;
        // Each cell takes at least its two flags, its period and its two counts.
        let n = r.len(2 + 8 + 16)?;
        let mut cells = std::collections::BTreeMap::new();
        for _ in 0..n {
            let group = match r.u8()? {
                0 => None,
                g @ (1 | 2) => Some((g == 2, r.string()?)),
                _ => return Err(invalid_state("bad group flag")),
            };
            let event = if read_flag(&mut r, "bad event flag")? {
                Some(r.string()?)
            } else {
                None
            };
            let p = r.i64()?;
            let volume = r.u64()?;
            let customers = r.u64()?;
            cells.insert((group, event, p), (volume, customers));
        }
        r.end()?;
        if cells.len() != n {
            return Err(invalid_state("the trends cells are not unique"));
        }
        let tally = TrendsTally {
            first_ts,
            last_ts,
            names,
            cells,
        };
        check_trends(&plan, &tally)?;
        Ok(Self {
            plan: Some(plan),
            tally,
        })
    }
}

/// Checks trends counts against themselves: the range in order and within the options';
/// the series names those of the options (when they list events); every cell in the range,
/// of a listed event, with 1 ≤ customers ≤ volume; a null group without a value and groups
/// only with a breakdown; per group and period, the total's volume the sum of the events'
/// and its customers between their largest and their sum; and the groups adding up to the
/// overall volumes.
fn check_trends(plan: &TrendsPlan, t: &TrendsTally) -> Result<()> {
    let bad = || invalid_state("trends counts that disagree with each other");
    let o = &plan.options;
    if let Some(list) = &o.events {
        if *list != t.names {
            return Err(invalid_state(
                "series names that are not the options' events",
            ));
        }
    }
    let (first, last) = match (t.first_ts, t.last_ts) {
        (Some(a), Some(b)) if a <= b => (a, b),
        (None, None) if t.cells.is_empty() => return Ok(()),
        _ => return Err(invalid_state("a range out of order")),
    };
    if plan.since().is_some_and(|s| first < s) || plan.as_of().is_some_and(|a| last > a) {
        return Err(invalid_state("a timestamp outside `since` and `as_of`"));
    }
    let (lo, hi) = (plan.period_of(first), plan.period_of(last));
    // Per (group, period): (sum of volumes, largest customers, sum of customers) of the
    // events, and the overall volume per (event, period).
    type Sums<'a> = std::collections::BTreeMap<(Option<&'a (bool, String)>, i64), (u64, u64, u64)>;
    let mut sums = Sums::new();
    let mut by_group: std::collections::BTreeMap<(Option<&String>, i64), u64> =
        std::collections::BTreeMap::new();
    for ((group, event, p), &(volume, customers)) in &t.cells {
        if *p < lo || *p > hi || customers == 0 || customers > volume {
            return Err(bad());
        }
        match group {
            Some((true, value)) if !value.is_empty() => {
                return Err(invalid_state("a null group with a value"))
            }
            Some(_) if o.breakdown.is_none() => {
                return Err(invalid_state("groups in trends without a breakdown"))
            }
            _ => {}
        }
        let Some(name) = event else { continue };
        if t.names.binary_search(name).is_err() {
            return Err(invalid_state("a cell of an event that is not a series"));
        }
        let s = sums.entry((group.as_ref(), *p)).or_insert((0, 0, 0));
        s.0 = s.0.checked_add(volume).ok_or_else(bad)?;
        s.1 = s.1.max(customers);
        s.2 = s.2.checked_add(customers).ok_or_else(bad)?;
        if group.is_some() {
            let g = by_group.entry((Some(name), *p)).or_insert(0);
            *g = g.checked_add(volume).ok_or_else(bad)?;
        }
    }
    let totals = t
        .cells
        .iter()
        .filter(|((_, event, _), _)| event.is_none())
        .count();
    if totals != sums.len() {
        return Err(bad());
    }
    for ((group, p), (volume, most, sum)) in sums {
        let key = (group.cloned(), None, p);
        let Some(&(v, c)) = t.cells.get(&key) else {
            return Err(bad());
        };
        if v != volume || c < most || c > sum {
            return Err(bad());
        }
    }
    if o.breakdown.is_some() {
        for ((name, p), volume) in by_group {
            let key = (None, name.cloned(), p);
            if t.cells.get(&key).map(|c| c.0) != Some(volume) {
                return Err(bad());
            }
        }
    }
    Ok(())
}

/// `invalid_option` for a session unit: these states count whole customers.
pub(crate) fn customers_only(unit: AnalysisUnit) -> Result<()> {
    if unit.is_customer() {
        return Ok(());
    }
    Err(Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message: "the mergeable states of paths count whole customers, not sessions: build \
                  them with `unit = customer`, or give each session its own customer id \
                  (customer and session joined) when building the partitions' logs"
            .to_owned(),
    })
}
