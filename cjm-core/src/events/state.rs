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
//! * When every partition holds whole customers (partitioned by customer id),
//!   [`FunnelCounts`] keeps a funnel's counts instead of events: each partition's funnel
//!   is computed where it is, and merging adds counts.
//! * Bytes: `CJMS` magic, format version (u16, little endian, now 1), kind byte, then the
//!   payload (little-endian integers, length-prefixed UTF-8 strings). `from_bytes`
//!   checks lengths before allocating, every id against its dictionary and the order
//!   of the sequences, and returns `invalid_state` on any mismatch; it never panics.

use super::bind::{
    conformance, drivers, journey_states, traffic, Conformance, DriverOptions, Drivers,
    JourneyStateOptions, JourneyStates, Traffic,
};
use super::funnel::{Counts, Durations, Funnel, FunnelResult, Plan, Tally};
use super::log::{sort_dict, EventLog, NONE};
use super::paths::{
    directly_follows, flows, variants, DirectlyFollows, DirectlyFollowsOptions, FlowOptions, Flows,
    VariantOptions, Variants,
};
use super::seq::Seqs;
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use serde::{Deserialize, Serialize};

pub use crate::state_bytes::STATE_FORMAT_VERSION;
use crate::state_bytes::{
    header, invalid_state, kind, put_len, put_str, put_strings, put_u64, Reader,
};
const KIND_SEQUENCE: u8 = kind::SEQUENCE;
const KIND_FUNNEL: u8 = kind::FUNNEL;
const KIND_FUNNEL_COUNTS: u8 = kind::FUNNEL_COUNTS;

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
                code: "unknown_column",
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
                out.row.push(log.row.get(i).copied().unwrap_or(0));
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
                    .push(log.customers.get(c).cloned().unwrap_or_default());
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
            customers: &self.customers,
            offsets: &self.offsets,
            ts: &self.ts,
            sym: &self.sym,
            names: &self.names,
            group: self
                .has_group
                .then_some((self.group.as_slice(), self.group_dict.as_slice())),
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

/// Keeps the used entries of a sorted dictionary; returns it and old → new ids.
fn restrict(dict: &[String], used: &[bool]) -> (Vec<String>, Vec<u32>) {
    let mut out = Vec::new();
    let mut map = vec![NONE; dict.len()];
    for (i, s) in dict.iter().enumerate() {
        if used.get(i).copied().unwrap_or(false) {
            if let Some(m) = map.get_mut(i) {
                *m = u32::try_from(out.len()).unwrap_or(NONE);
            }
            out.push(s.clone());
        }
    }
    (out, map)
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
    #[must_use]
    pub fn finish_directly_follows(&self, options: &DirectlyFollowsOptions) -> DirectlyFollows {
        directly_follows(&self.data.seqs(), options)
    }

    /// The top variants of everything merged.
    #[must_use]
    pub fn finish_variants(&self, options: &VariantOptions) -> Variants {
        variants(&self.data.seqs(), options)
    }

    /// The flows of everything merged.
    #[must_use]
    pub fn finish_flows(&self, options: &FlowOptions) -> Flows {
        flows(&self.data.seqs(), options)
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
        w
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
        code: "incompatible_states",
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
        w
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
        w
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
    Ok(Counts {
        at_depth: depth_lists.next().unwrap_or_default(),
        pending_at_depth: depth_lists.next().unwrap_or_default(),
        excluded,
        from_first: time_lists.next().unwrap_or_default(),
        from_prev: time_lists.next().unwrap_or_default(),
    })
}
