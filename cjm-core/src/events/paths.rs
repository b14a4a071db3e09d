//! Paths: directly-follows counts, variants and flows (Sankey data).

use super::log::{sort_dict, EventLog, NONE};
use super::ops::AnalysisUnit;
use super::order::PARALLEL_ROWS;
use super::seq::{ratio, Seqs};
use crate::definition::Definition;
use crate::error::{Error, Result};
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The name of the start node of directly-follows graphs.
pub const START: &str = "START";
/// The name of the end node of directly-follows graphs.
pub const END: &str = "END";
/// The node that rare flow nodes are folded into.
pub const OTHER: &str = "(other)";

/// Options of the directly-follows graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DirectlyFollowsOptions {
    /// Add a `START` node before each customer's first event and an `END` node after the
    /// last (default true). An event literally named `START` or `END` would share the node.
    pub start_end: bool,
    /// What a path is the path of: `customer` (default), or `session`, each (customer,
    /// session id) a unit of its own so that no path crosses a session; counts of
    /// customers are then counts of sessions. Every event needs a session id.
    #[serde(skip_serializing_if = "AnalysisUnit::is_customer")]
    pub unit: AnalysisUnit,
}

impl Default for DirectlyFollowsOptions {
    fn default() -> Self {
        Self {
            start_end: true,
            unit: AnalysisUnit::Customer,
        }
    }
}

/// A node of the directly-follows graph.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DfgNode {
    /// Event name (or `START`/`END`).
    pub name: String,
    /// Events with this name (customers, for `START`/`END`).
    pub events: u64,
    /// Distinct customers with this event.
    pub customers: u64,
}

/// An edge `from → to`: `to` directly follows `from` in a customer's events.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DfgEdge {
    /// Source node.
    pub from: String,
    /// Target node.
    pub to: String,
    /// Number of transitions.
    pub transitions: u64,
    /// Distinct customers with at least one such transition.
    pub customers: u64,
    /// `transitions / all transitions out of from` = P(next = to | current = from).
    pub probability: Option<f64>,
}

/// A directly-follows graph. Nodes sorted by name (START first, END last), edges by
/// (from, to) in that node order.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DirectlyFollows {
    /// The definition used.
    pub definition: Definition,
    /// Nodes.
    pub nodes: Vec<DfgNode>,
    /// Edges.
    pub edges: Vec<DfgEdge>,
}

#[derive(Debug, Clone, Copy, Default)]
struct EdgeCount {
    transitions: u64,
    customers: u64,
    last: u32,
}

impl EdgeCount {
    fn hit(&mut self, c: u32) {
        self.transitions += 1;
        if self.last != c {
            self.customers += 1;
            self.last = c;
        }
    }
}

/// Edge counters: a dense matrix for small vocabularies, a hash map otherwise.
enum Edges {
    Dense { n: usize, cells: Vec<EdgeCount> },
    Sparse(HashMap<(u32, u32), EdgeCount>),
}

impl Edges {
    fn new(n: usize) -> Self {
        if n <= 2048 {
            Self::Dense {
                n,
                cells: vec![
                    EdgeCount {
                        last: u32::MAX,
                        ..EdgeCount::default()
                    };
                    n * n
                ],
            }
        } else {
            Self::Sparse(HashMap::new())
        }
    }

    fn hit(&mut self, from: u32, to: u32, c: u32) {
        match self {
            Self::Dense { n, cells } => {
                if let Some(cell) = cells.get_mut(from as usize * *n + to as usize) {
                    cell.hit(c);
                }
            }
            Self::Sparse(map) => map
                .entry((from, to))
                .or_insert(EdgeCount {
                    last: u32::MAX,
                    ..EdgeCount::default()
                })
                .hit(c),
        }
    }

    fn into_sorted(self) -> Vec<((u32, u32), EdgeCount)> {
        match self {
            Self::Dense { n, cells } => cells
                .into_iter()
                .enumerate()
                .filter(|(_, e)| e.transitions > 0)
                .filter_map(|(i, e)| {
                    Some(((u32::try_from(i / n).ok()?, u32::try_from(i % n).ok()?), e))
                })
                .collect(),
            Self::Sparse(map) => {
                let mut v: Vec<_> = map.into_iter().collect();
                v.sort_unstable_by_key(|(k, _)| *k);
                v
            }
        }
    }
}

/// The count-level directly-follows graph of a set of **whole** customers: node and edge
/// counts, with the event names (sorted, each with at least one event) as the node
/// dictionary. Node ids: 0 = `START`, 1..=n = the names, n + 1 = `END`. Two tallies of
/// disjoint customer sets merge by adding ([`DfgTally::add`]), so a log partitioned by
/// customer gives exactly the whole log's counts.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DfgTally {
    /// Event names, sorted and unique.
    pub(crate) names: Vec<String>,
    /// Per node (`n + 2` entries): events (customers, for `START`/`END`).
    pub(crate) node_events: Vec<u64>,
    /// Per node: distinct customers.
    pub(crate) node_customers: Vec<u64>,
    /// Edges sorted by `(from, to)`: transitions and distinct customers.
    pub(crate) edges: Vec<((u32, u32), u64, u64)>,
}

impl Default for DfgTally {
    fn default() -> Self {
        Self {
            names: Vec::new(),
            node_events: vec![0; 2],
            node_customers: vec![0; 2],
            edges: Vec::new(),
        }
    }
}

impl DfgTally {
    /// Adds `other` (counted over other customers, with the same options).
    pub(crate) fn add(&mut self, other: &Self) {
        let (names, map) = sort_dict(self.names.iter().chain(&other.names).cloned().collect());
        let n = names.len();
        let mut node_events = vec![0u64; n + 2];
        let mut node_customers = vec![0u64; n + 2];
        let mut edges = Vec::with_capacity(self.edges.len() + other.edges.len());
        for (part, base) in [(&*self, 0usize), (other, self.names.len())] {
            let old_end = part.names.len() + 1;
            let node = |i: usize| -> u32 {
                let new = if i == 0 {
                    0
                } else if i == old_end {
                    n + 1
                } else {
                    map.get(base + i - 1).map_or(n + 1, |&m| m as usize + 1)
                };
                u32::try_from(new).unwrap_or(u32::MAX)
            };
            for (i, (&e, &c)) in part
                .node_events
                .iter()
                .zip(&part.node_customers)
                .enumerate()
            {
                let j = node(i) as usize;
                if let Some(x) = node_events.get_mut(j) {
                    *x = x.saturating_add(e);
                }
                if let Some(x) = node_customers.get_mut(j) {
                    *x = x.saturating_add(c);
                }
            }
            for &((from, to), t, c) in &part.edges {
                edges.push(((node(from as usize), node(to as usize)), t, c));
            }
        }
        edges.sort_unstable_by_key(|e| e.0);
        let mut merged: Vec<((u32, u32), u64, u64)> = Vec::with_capacity(edges.len());
        for (key, t, c) in edges {
            match merged.last_mut() {
                Some((k, mt, mc)) if *k == key => {
                    *mt = mt.saturating_add(t);
                    *mc = mc.saturating_add(c);
                }
                _ => merged.push((key, t, c)),
            }
        }
        *self = Self {
            names,
            node_events,
            node_customers,
            edges: merged,
        };
    }

    /// The directly-follows graph of these counts.
    pub(crate) fn finish(&self, options: &DirectlyFollowsOptions) -> DirectlyFollows {
        let n = self.names.len() + 2;
        let end = u32::try_from(n - 1).unwrap_or(u32::MAX);
        let name = |node: u32| -> String {
            if node == 0 {
                START.to_owned()
            } else if node == end {
                END.to_owned()
            } else {
                self.names
                    .get(node as usize - 1)
                    .cloned()
                    .unwrap_or_default()
            }
        };
        let mut out_total = vec![0u64; n];
        for &((from, _), t, _) in &self.edges {
            if let Some(x) = out_total.get_mut(from as usize) {
                *x = x.saturating_add(t);
            }
        }
        let nodes = (0..n)
            .filter(|&i| self.node_events.get(i).copied().unwrap_or(0) > 0)
            .map(|i| DfgNode {
                name: name(u32::try_from(i).unwrap_or(u32::MAX)),
                events: self.node_events.get(i).copied().unwrap_or(0),
                customers: self.node_customers.get(i).copied().unwrap_or(0),
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(|&((from, to), transitions, customers)| DfgEdge {
                from: name(from),
                to: name(to),
                transitions,
                customers,
                probability: ratio(
                    transitions,
                    out_total.get(from as usize).copied().unwrap_or(0),
                ),
            })
            .collect();
        DirectlyFollows {
            definition: Definition::new("directly_follows", options),
            nodes,
            edges,
        }
    }
}

pub(crate) fn directly_follows(
    seqs: &Seqs<'_>,
    options: &DirectlyFollowsOptions,
) -> DirectlyFollows {
    dfg_tally(seqs, options).finish(options)
}

/// The directly-follows counts of the customers of `seqs` (each with all their events).
pub(crate) fn dfg_tally(seqs: &Seqs<'_>, options: &DirectlyFollowsOptions) -> DfgTally {
    super::seq::par_tally(seqs, |part| dfg_tally_part(part, options), DfgTally::add)
}

/// [`dfg_tally`] over the customers of one view.
pub(crate) fn dfg_tally_part(seqs: &Seqs<'_>, options: &DirectlyFollowsOptions) -> DfgTally {
    let n_names = seqs.names.len();
    // Node ids: 0 = START, 1..=n = names, n+1 = END.
    let n = n_names + 2;
    let end = u32::try_from(n_names + 1).unwrap_or(u32::MAX);
    let mut node_events = vec![0u64; n];
    let mut node_customers = vec![0u64; n];
    let mut node_last = vec![u32::MAX; n];
    let mut edges = Edges::new(n);
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        if sym.is_empty() {
            continue;
        }
        let cu = u32::try_from(c).unwrap_or(u32::MAX);
        let mut prev: Option<u32> = options.start_end.then_some(0);
        for &e in sym {
            let node = e + 1;
            if let Some(x) = node_events.get_mut(node as usize) {
                *x += 1;
            }
            if let Some(last) = node_last.get_mut(node as usize) {
                if *last != cu {
                    *last = cu;
                    if let Some(x) = node_customers.get_mut(node as usize) {
                        *x += 1;
                    }
                }
            }
            if let Some(p) = prev {
                edges.hit(p, node, cu);
            }
            prev = Some(node);
        }
        if options.start_end {
            for node in [0usize, end as usize] {
                if let Some(x) = node_events.get_mut(node) {
                    *x += 1;
                }
                if let Some(x) = node_customers.get_mut(node) {
                    *x += 1;
                }
            }
            if let Some(p) = prev {
                edges.hit(p, end, cu);
            }
        }
    }
    // Keep the names with events (so equal counts give equal tallies); the kept ids keep
    // their order, so the edges stay sorted.
    let used: Vec<bool> = (1..=n_names)
        .map(|i| node_events.get(i).copied().unwrap_or(0) > 0)
        .collect();
    let (names, map) = restrict(seqs.names, &used);
    let kept = names.len();
    let node = |i: usize| -> usize {
        if i == 0 {
            0
        } else if i == n - 1 {
            kept + 1
        } else {
            map.get(i - 1).map_or(kept + 1, |&m| m as usize + 1)
        }
    };
    let mut tally = DfgTally {
        names,
        node_events: vec![0; kept + 2],
        node_customers: vec![0; kept + 2],
        edges: Vec::new(),
    };
    for i in (0..n).filter(|&i| i == 0 || i == n - 1 || used.get(i - 1).copied().unwrap_or(false)) {
        let j = node(i);
        if let (Some(x), Some(&e)) = (tally.node_events.get_mut(j), node_events.get(i)) {
            *x = e;
        }
        if let (Some(x), Some(&c)) = (tally.node_customers.get_mut(j), node_customers.get(i)) {
            *x = c;
        }
    }
    tally.edges = edges
        .into_sorted()
        .into_iter()
        .map(|((from, to), e)| {
            let id = |x: u32| u32::try_from(node(x as usize)).unwrap_or(u32::MAX);
            ((id(from), id(to)), e.transitions, e.customers)
        })
        .collect();
    tally
}

/// Keeps the used entries of a sorted dictionary; returns it and old → new ids (`NONE`
/// for the dropped ones).
pub(crate) fn restrict(dict: &[String], used: &[bool]) -> (Vec<String>, Vec<u32>) {
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

/// Options of variant counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct VariantOptions {
    /// How many variants to return (default 10); also read as `k` (Python's keyword).
    #[serde(alias = "k")]
    pub top_k: usize,
    /// Keep only the first n events of each customer (default: all).
    pub max_length: Option<usize>,
    /// Collapse consecutive repeats of one event name (default false).
    pub collapse_repeats: bool,
    /// What a path is the path of: `customer` (default), or `session`, each (customer,
    /// session id) a unit of its own so that no path crosses a session; counts of
    /// customers are then counts of sessions. Every event needs a session id.
    #[serde(skip_serializing_if = "AnalysisUnit::is_customer")]
    pub unit: AnalysisUnit,
}

impl Default for VariantOptions {
    fn default() -> Self {
        Self {
            top_k: 10,
            max_length: None,
            collapse_repeats: false,
            unit: AnalysisUnit::Customer,
        }
    }
}

/// One variant: an event sequence and the customers who followed exactly it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Variant {
    /// Event names in order.
    pub events: Vec<String>,
    /// Customers with this sequence.
    pub customers: u64,
    /// Share of all customers with events.
    pub share: Option<f64>,
}

/// Top variants: sorted by customers (descending), ties by the event sequence compared
/// lexicographically (name by name; a prefix first).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Variants {
    /// The definition used.
    pub definition: Definition,
    /// Customers with at least one event.
    pub customers: u64,
    /// Number of distinct sequences.
    pub distinct: u64,
    /// The top variants.
    pub variants: Vec<Variant>,
}

/// The count-level variants of a set of **whole** customers, shaped by `max_length` and
/// `collapse_repeats`: customers per distinct sequence, the sequences as ids into `names`
/// (sorted). In a state the tally is canonical ([`VariantTally::canonical`]: every name in
/// some sequence, sequences sorted); two canonical tallies of disjoint customer sets merge
/// by adding ([`VariantTally::add`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct VariantTally {
    /// Event names, sorted and unique.
    pub(crate) names: Vec<String>,
    /// Customers with at least one event.
    pub(crate) customers: u64,
    /// Distinct sequences with their customers (≥ 1); sorted in a state
    /// ([`super::VariantCounts`]), in any order when only finished.
    pub(crate) variants: Vec<(Vec<u32>, u64)>,
}

impl VariantTally {
    /// Adds `other` (counted over other customers, with the same shape).
    pub(crate) fn add(&mut self, other: &Self) {
        let (names, map) = sort_dict(self.names.iter().chain(&other.names).cloned().collect());
        let mut all: Vec<(Vec<u32>, u64)> =
            Vec::with_capacity(self.variants.len() + other.variants.len());
        for (part, base) in [(&*self, 0usize), (other, self.names.len())] {
            for (seq, n) in &part.variants {
                let seq = seq
                    .iter()
                    .map(|&e| map.get(base + e as usize).copied().unwrap_or(NONE))
                    .collect();
                all.push((seq, *n));
            }
        }
        *self = Self {
            names,
            customers: self.customers.saturating_add(other.customers),
            variants: sum_sorted(all),
        };
    }

    /// The top `options.top_k` variants: by customers (descending), ties by the sequence.
    pub(crate) fn finish(&self, options: &VariantOptions) -> Variants {
        let mut all: Vec<&(Vec<u32>, u64)> = self.variants.iter().collect();
        // Ids index a sorted dictionary, so comparing them compares the names.
        all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(options.top_k);
        Variants {
            definition: Definition::new("variants", options),
            customers: self.customers,
            distinct: self.variants.len() as u64,
            variants: all
                .into_iter()
                .map(|(seq, n)| Variant {
                    events: seq
                        .iter()
                        .map(|&e| self.names.get(e as usize).cloned().unwrap_or_default())
                        .collect(),
                    customers: *n,
                    share: ratio(*n, self.customers),
                })
                .collect(),
        }
    }
}

pub(crate) fn variants(seqs: &Seqs<'_>, options: &VariantOptions) -> Variants {
    let collapsed = Collapsed::of(seqs, options);
    let (customers, counts) = sequence_counts(seqs, options, &collapsed, PARALLEL_ROWS);
    // The top `top_k` by customers (descending), ties by the sequence: selected, then
    // only those sorted, so a log of a million distinct sequences is not sorted whole.
    let mut all: Vec<(&[u32], u64)> = counts.into_iter().collect();
    let distinct = all.len() as u64;
    let order = |a: &(&[u32], u64), b: &(&[u32], u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0));
    if options.top_k < all.len() {
        all.select_nth_unstable_by(options.top_k, order);
        all.truncate(options.top_k);
    }
    all.sort_unstable_by(order);
    Variants {
        definition: Definition::new("variants", options),
        customers,
        distinct,
        variants: all
            .into_iter()
            .map(|(seq, n)| Variant {
                events: seq
                    .iter()
                    .map(|&e| seqs.names.get(e as usize).cloned().unwrap_or_default())
                    .collect(),
                customers: n,
                share: ratio(n, customers),
            })
            .collect(),
    }
}

/// The variant counts of the customers of `seqs` (each with all their events), shaped by
/// `options` (`top_k` is not used).
pub(crate) fn variant_tally(seqs: &Seqs<'_>, options: &VariantOptions) -> VariantTally {
    let collapsed = Collapsed::of(seqs, options);
    let (customers, counts) = sequence_counts(seqs, options, &collapsed, PARALLEL_ROWS);
    VariantTally {
        names: seqs.names.to_vec(),
        customers,
        variants: counts
            .into_iter()
            .map(|(seq, n)| (seq.to_vec(), n))
            .collect(),
    }
}

/// Each customer's events with consecutive repeats collapsed, when `collapse_repeats`
/// asks for it (else empty, and sequences are read from the log itself).
pub(crate) struct Collapsed {
    /// The collapsed events of the customers of the view, one after another.
    events: Vec<u32>,
    /// Where each customer of the view starts in `events` (one more at the end).
    starts: Vec<usize>,
}

impl Collapsed {
    pub(crate) fn of(seqs: &Seqs<'_>, options: &VariantOptions) -> Self {
        let mut out = Self {
            events: Vec::new(),
            starts: Vec::new(),
        };
        if !options.collapse_repeats {
            return out;
        }
        out.starts.reserve(seqs.customer_count() + 1);
        out.starts.push(0);
        for c in 0..seqs.customer_count() {
            let (_, sym, _) = seqs.customer(c);
            let first = out.events.len();
            for &e in sym {
                if out.events.len() > first && out.events.last() == Some(&e) {
                    continue;
                }
                out.events.push(e);
            }
            out.starts.push(out.events.len());
        }
        out
    }
}

/// Customers with at least one event, and customers per distinct sequence: the keys
/// borrow the log's events (or `collapsed`), so counting allocates nothing per customer.
/// Two threads for a view of at least `min_events` events ([`super::seq::par_tally_from`]).
pub(crate) fn sequence_counts<'k>(
    seqs: &Seqs<'k>,
    options: &VariantOptions,
    collapsed: &'k Collapsed,
    min_events: usize,
) -> (u64, FxHashMap<&'k [u32], u64>) {
    // Customer `c` of the whole view, shaped by `options`.
    let whole_from = seqs.from;
    let sequence = |part: &Seqs<'k>, c: usize| -> &'k [u32] {
        let seq = if options.collapse_repeats {
            let at = part.from + c - whole_from;
            let a = collapsed.starts.get(at).copied().unwrap_or(0);
            let z = collapsed.starts.get(at + 1).copied().unwrap_or(a);
            collapsed.events.get(a..z).unwrap_or(&[])
        } else {
            part.customer(c).1
        };
        match options.max_length {
            Some(m) => seq.get(..m.min(seq.len())).unwrap_or(seq),
            None => seq,
        }
    };
    super::seq::par_tally_from(
        seqs,
        min_events,
        |part| {
            let mut counts: FxHashMap<&'k [u32], u64> = FxHashMap::default();
            let mut customers = 0u64;
            for c in 0..part.customer_count() {
                if part.range(c).is_empty() {
                    continue;
                }
                customers += 1;
                *counts.entry(sequence(part, c)).or_insert(0) += 1;
            }
            (customers, counts)
        },
        |(customers, counts), (more, other)| {
            *customers += more;
            for (&seq, &n) in other {
                *counts.entry(seq).or_insert(0) += n;
            }
        },
    )
}

impl VariantTally {
    /// The canonical form a state keeps: only the names some variant uses (ids renumbered,
    /// order kept) and the variants sorted, so equal counts give equal bytes.
    pub(crate) fn canonical(self) -> Self {
        let mut used = vec![false; self.names.len()];
        for (seq, _) in &self.variants {
            for &e in seq {
                if let Some(u) = used.get_mut(e as usize) {
                    *u = true;
                }
            }
        }
        let (names, map) = restrict(&self.names, &used);
        let variants = self
            .variants
            .into_iter()
            .map(|(mut seq, n)| {
                for e in &mut seq {
                    *e = map.get(*e as usize).copied().unwrap_or(NONE);
                }
                (seq, n)
            })
            .collect();
        Self {
            names,
            customers: self.customers,
            variants: sum_sorted(variants),
        }
    }
}

/// Options of flows (Sankey data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FlowOptions {
    /// How many first events of each customer (default 5); also read as `n` (Python's
    /// keyword).
    #[serde(alias = "n")]
    pub steps: usize,
    /// Nodes with a smaller share of the customers at their depth are folded into
    /// `(other)` (default 0.02).
    pub min_share: f64,
    /// Collapse consecutive repeats of one event name first (default true).
    pub collapse_repeats: bool,
    /// What a path is the path of: `customer` (default), or `session`, each (customer,
    /// session id) a unit of its own so that no path crosses a session; counts of
    /// customers are then counts of sessions. Every event needs a session id.
    #[serde(skip_serializing_if = "AnalysisUnit::is_customer")]
    pub unit: AnalysisUnit,
}

impl FlowOptions {
    /// Checks the options.
    ///
    /// # Errors
    /// `invalid_option` for a `min_share` outside 0–1 (or NaN).
    pub fn check(&self) -> Result<()> {
        if (0.0..=1.0).contains(&self.min_share) {
            Ok(())
        } else {
            Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: format!("`min_share` must be from 0 to 1, not `{}`", self.min_share),
            })
        }
    }
}

impl Default for FlowOptions {
    fn default() -> Self {
        Self {
            steps: 5,
            min_share: 0.02,
            collapse_repeats: true,
            unit: AnalysisUnit::Customer,
        }
    }
}

/// A flow node: an event name at a depth (0 = first event).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FlowNode {
    /// Depth.
    pub depth: usize,
    /// Event name or `(other)`.
    pub name: String,
    /// Customers at this node.
    pub customers: u64,
}

/// A flow link between a node at `depth` and one at `depth + 1`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct FlowLink {
    /// Depth of the source.
    pub depth: usize,
    /// Source name.
    pub from: String,
    /// Target name.
    pub to: String,
    /// Customers.
    pub customers: u64,
}

/// Flow data for a Sankey picture; nodes sorted by (depth, name), links by (depth, from,
/// to), `(other)` sorting as its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Flows {
    /// The definition used.
    pub definition: Definition,
    /// Nodes.
    pub nodes: Vec<FlowNode>,
    /// Links.
    pub links: Vec<FlowLink>,
}

/// The count-level flows of a set of **whole** customers, over each customer's first
/// `steps` events (after collapsing repeats as the options say): customers per (depth,
/// name) and per (depth, name, next name), names as ids into `names` (sorted; every name
/// in some node). Folding rare nodes into `(other)` is left to [`FlowTally::finish`]:
/// a node's share is its count over its depth's total, both sums of these counts, so it
/// is exact after merging. Two tallies of disjoint customer sets merge by adding.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct FlowTally {
    /// Event names, sorted and unique.
    pub(crate) names: Vec<String>,
    /// Customers per (depth, name), sorted, counts ≥ 1.
    pub(crate) nodes: Vec<((u64, u32), u64)>,
    /// Customers per (depth, name at depth, name at depth + 1), sorted, counts ≥ 1.
    pub(crate) links: Vec<((u64, u32, u32), u64)>,
}

/// Sorts `(key, count)` pairs by key and adds the counts of equal keys.
fn sum_sorted<K: Ord>(mut items: Vec<(K, u64)>) -> Vec<(K, u64)> {
    items.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(K, u64)> = Vec::with_capacity(items.len());
    for (k, n) in items {
        match out.last_mut() {
            Some((last, m)) if *last == k => *m = m.saturating_add(n),
            _ => out.push((k, n)),
        }
    }
    out
}

impl FlowTally {
    /// Adds `other` (counted over other customers, with the same steps and collapsing).
    pub(crate) fn add(&mut self, other: &Self) {
        let (names, map) = sort_dict(self.names.iter().chain(&other.names).cloned().collect());
        let mut nodes = Vec::with_capacity(self.nodes.len() + other.nodes.len());
        let mut links = Vec::with_capacity(self.links.len() + other.links.len());
        for (part, base) in [(&*self, 0usize), (other, self.names.len())] {
            let id = |e: u32| map.get(base + e as usize).copied().unwrap_or(NONE);
            nodes.extend(part.nodes.iter().map(|&((d, e), n)| ((d, id(e)), n)));
            links.extend(
                part.links
                    .iter()
                    .map(|&((d, a, b), n)| ((d, id(a), id(b)), n)),
            );
        }
        *self = Self {
            names,
            nodes: sum_sorted(nodes),
            links: sum_sorted(links),
        };
    }

    /// The flows of these counts, nodes with a share of their depth below `options.min_share`
    /// folded into `(other)`.
    pub(crate) fn finish(&self, options: &FlowOptions) -> Flows {
        let mut totals: BTreeMap<u64, u64> = BTreeMap::new();
        for &((d, _), n) in &self.nodes {
            let t = totals.entry(d).or_insert(0);
            *t = t.saturating_add(n);
        }
        let counts: HashMap<(u64, u32), u64> = self.nodes.iter().copied().collect();
        let label = |d: u64, e: u32| -> String {
            let total = totals.get(&d).copied().unwrap_or(0);
            let n = counts.get(&(d, e)).copied().unwrap_or(0);
            if ratio(n, total).unwrap_or(0.0) < options.min_share {
                OTHER.to_owned()
            } else {
                self.names.get(e as usize).cloned().unwrap_or_default()
            }
        };
        let depth = |d: u64| usize::try_from(d).unwrap_or(usize::MAX);
        let mut nodes: BTreeMap<(usize, String), u64> = BTreeMap::new();
        for &((d, e), n) in &self.nodes {
            let x = nodes.entry((depth(d), label(d, e))).or_insert(0);
            *x = x.saturating_add(n);
        }
        let mut links: BTreeMap<(usize, String, String), u64> = BTreeMap::new();
        for &((d, a, b), n) in &self.links {
            let x = links
                .entry((depth(d), label(d, a), label(d.saturating_add(1), b)))
                .or_insert(0);
            *x = x.saturating_add(n);
        }
        Flows {
            definition: Definition::new("flows", options),
            nodes: nodes
                .into_iter()
                .map(|((depth, name), customers)| FlowNode {
                    depth,
                    name,
                    customers,
                })
                .collect(),
            links: links
                .into_iter()
                .map(|((depth, from, to), customers)| FlowLink {
                    depth,
                    from,
                    to,
                    customers,
                })
                .collect(),
        }
    }
}

pub(crate) fn flows(seqs: &Seqs<'_>, options: &FlowOptions) -> Flows {
    flow_tally(seqs, options).finish(options)
}

/// The flow counts of the customers of `seqs` (each with all their events), over the
/// first `options.steps` events (`min_share` is not used).
pub(crate) fn flow_tally(seqs: &Seqs<'_>, options: &FlowOptions) -> FlowTally {
    super::seq::par_tally(seqs, |part| flow_tally_part(part, options), FlowTally::add)
}

/// [`flow_tally`] over the customers of one view.
pub(crate) fn flow_tally_part(seqs: &Seqs<'_>, options: &FlowOptions) -> FlowTally {
    let steps = options.steps;
    let mut nodes: HashMap<(u64, u32), u64> = HashMap::new();
    let mut links: HashMap<(u64, u32, u32), u64> = HashMap::new();
    let mut p: Vec<u32> = Vec::new();
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        // The first `steps` symbols.
        p.clear();
        for &e in sym {
            if p.len() >= steps {
                break;
            }
            if options.collapse_repeats && p.last() == Some(&e) {
                continue;
            }
            p.push(e);
        }
        for (d, &e) in p.iter().enumerate() {
            *nodes.entry((d as u64, e)).or_insert(0) += 1;
        }
        for (d, pair) in p.windows(2).enumerate() {
            if let [a, b] = pair {
                *links.entry((d as u64, *a, *b)).or_insert(0) += 1;
            }
        }
    }
    let mut used = vec![false; seqs.names.len()];
    for &(_, e) in nodes.keys() {
        if let Some(u) = used.get_mut(e as usize) {
            *u = true;
        }
    }
    let (names, map) = restrict(seqs.names, &used);
    let id = |e: u32| map.get(e as usize).copied().unwrap_or(NONE);
    FlowTally {
        names,
        nodes: sum_sorted(
            nodes
                .into_iter()
                .map(|((d, e), n)| ((d, id(e)), n))
                .collect(),
        ),
        links: sum_sorted(
            links
                .into_iter()
                .map(|((d, a, b), n)| ((d, id(a), id(b)), n))
                .collect(),
        ),
    }
}

impl EventLog {
    /// The directly-follows graph of the log.
    ///
    /// # Errors
    /// With `unit = session`, `invalid_option` when an event has no session id.
    pub fn directly_follows(&self, options: &DirectlyFollowsOptions) -> Result<DirectlyFollows> {
        let units = self.units(options.unit, "unit")?;
        Ok(directly_follows(&units.seqs(None), options))
    }

    /// The top variants of the log.
    ///
    /// # Errors
    /// With `unit = session`, `invalid_option` when an event has no session id.
    pub fn variants(&self, options: &VariantOptions) -> Result<Variants> {
        let units = self.units(options.unit, "unit")?;
        Ok(variants(&units.seqs(None), options))
    }

    /// Flow data (Sankey) of the first events of each customer (or session).
    ///
    /// # Errors
    /// `invalid_option` for options [`FlowOptions::check`] refuses (a `min_share`
    /// outside 0..1…); with `unit = session`, `invalid_option` when an event has no
    /// session id.
    pub fn flows(&self, options: &FlowOptions) -> Result<Flows> {
        options.check()?;
        let units = self.units(options.unit, "unit")?;
        Ok(flows(&units.seqs(None), options))
    }
}
