//! Paths: directly-follows counts, variants and flows (Sankey data).

use super::log::EventLog;
use super::seq::{ratio, Seqs};
use crate::definition::Definition;
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

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
}

impl Default for DirectlyFollowsOptions {
    fn default() -> Self {
        Self { start_end: true }
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

pub(crate) fn directly_follows(
    seqs: &Seqs<'_>,
    options: &DirectlyFollowsOptions,
) -> DirectlyFollows {
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
    let name = |node: u32| -> String {
        if node == 0 {
            START.to_owned()
        } else if node == end {
            END.to_owned()
        } else {
            seqs.name(node - 1).to_owned()
        }
    };
    let edges = edges.into_sorted();
    let mut out_total = vec![0u64; n];
    for ((from, _), e) in &edges {
        if let Some(t) = out_total.get_mut(*from as usize) {
            *t += e.transitions;
        }
    }
    let nodes = (0..n)
        .filter(|&i| node_events.get(i).copied().unwrap_or(0) > 0)
        .map(|i| DfgNode {
            name: name(u32::try_from(i).unwrap_or(u32::MAX)),
            events: node_events.get(i).copied().unwrap_or(0),
            customers: node_customers.get(i).copied().unwrap_or(0),
        })
        .collect();
    let edges = edges
        .into_iter()
        .map(|((from, to), e)| DfgEdge {
            from: name(from),
            to: name(to),
            transitions: e.transitions,
            customers: e.customers,
            probability: ratio(
                e.transitions,
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

/// Options of variant counting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct VariantOptions {
    /// How many variants to return (default 10).
    pub top_k: usize,
    /// Keep only the first n events of each customer (default: all).
    pub max_length: Option<usize>,
    /// Collapse consecutive repeats of one event name (default false).
    pub collapse_repeats: bool,
}

impl Default for VariantOptions {
    fn default() -> Self {
        Self {
            top_k: 10,
            max_length: None,
            collapse_repeats: false,
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

pub(crate) fn variants(seqs: &Seqs<'_>, options: &VariantOptions) -> Variants {
    let mut counts: HashMap<Vec<u32>, u64> = HashMap::new();
    let mut buf: Vec<u32> = Vec::new();
    let mut customers = 0u64;
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        if sym.is_empty() {
            continue;
        }
        customers += 1;
        buf.clear();
        for &e in sym {
            if options.max_length.is_some_and(|m| buf.len() >= m) {
                break;
            }
            if options.collapse_repeats && buf.last() == Some(&e) {
                continue;
            }
            buf.push(e);
        }
        if let Some(x) = counts.get_mut(buf.as_slice()) {
            *x += 1;
        } else {
            counts.insert(buf.clone(), 1);
        }
    }
    let distinct = counts.len() as u64;
    let mut all: Vec<(Vec<u32>, u64)> = counts.into_iter().collect();
    // Symbols are indices into a sorted dictionary, so comparing them compares the names.
    all.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    all.truncate(options.top_k);
    Variants {
        definition: Definition::new("variants", options),
        customers,
        distinct,
        variants: all
            .into_iter()
            .map(|(seq, n)| Variant {
                events: seq.iter().map(|&e| seqs.name(e).to_owned()).collect(),
                customers: n,
                share: ratio(n, customers),
            })
            .collect(),
    }
}

/// Options of flows (Sankey data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FlowOptions {
    /// How many first events of each customer (default 5).
    pub steps: usize,
    /// Nodes with a smaller share of the customers at their depth are folded into
    /// `(other)` (default 0.02).
    pub min_share: f64,
    /// Collapse consecutive repeats of one event name first (default true).
    pub collapse_repeats: bool,
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
                code: "invalid_option",
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
        }
    }
}

/// A flow node: an event name at a depth (0 = first event).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FlowNode {
    /// Depth.
    pub depth: usize,
    /// Event name or `(other)`.
    pub name: String,
    /// Customers at this node.
    pub customers: u64,
}

/// A flow link between a node at `depth` and one at `depth + 1`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
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
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Flows {
    /// The definition used.
    pub definition: Definition,
    /// Nodes.
    pub nodes: Vec<FlowNode>,
    /// Links.
    pub links: Vec<FlowLink>,
}

pub(crate) fn flows(seqs: &Seqs<'_>, options: &FlowOptions) -> Flows {
    let steps = options.steps;
    // Per customer: the first `steps` symbols.
    let mut paths: Vec<Vec<u32>> = Vec::new();
    for c in 0..seqs.customer_count() {
        let (_, sym, _) = seqs.customer(c);
        let mut p: Vec<u32> = Vec::with_capacity(steps.min(sym.len()));
        for &e in sym {
            if p.len() >= steps {
                break;
            }
            if options.collapse_repeats && p.last() == Some(&e) {
                continue;
            }
            p.push(e);
        }
        if !p.is_empty() {
            paths.push(p);
        }
    }
    // Counts per (depth, symbol), then fold.
    let mut at_depth: Vec<HashMap<u32, u64>> = vec![HashMap::new(); steps];
    for p in &paths {
        for (d, &e) in p.iter().enumerate() {
            if let Some(m) = at_depth.get_mut(d) {
                *m.entry(e).or_insert(0) += 1;
            }
        }
    }
    let totals: Vec<u64> = at_depth.iter().map(|m| m.values().sum()).collect();
    let label = |d: usize, e: u32| -> String {
        let Some(m) = at_depth.get(d) else {
            return OTHER.to_owned();
        };
        let total = totals.get(d).copied().unwrap_or(0);
        let n = m.get(&e).copied().unwrap_or(0);
        if ratio(n, total).unwrap_or(0.0) < options.min_share {
            OTHER.to_owned()
        } else {
            seqs.name(e).to_owned()
        }
    };
    let mut nodes: std::collections::BTreeMap<(usize, String), u64> = Default::default();
    let mut links: std::collections::BTreeMap<(usize, String, String), u64> = Default::default();
    for p in &paths {
        let labels: Vec<String> = p.iter().enumerate().map(|(d, &e)| label(d, e)).collect();
        for (d, l) in labels.iter().enumerate() {
            *nodes.entry((d, l.clone())).or_insert(0) += 1;
        }
        for (d, pair) in labels.windows(2).enumerate() {
            if let [a, b] = pair {
                *links.entry((d, a.clone(), b.clone())).or_insert(0) += 1;
            }
        }
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

impl EventLog {
    /// The directly-follows graph of the log.
    #[must_use]
    pub fn directly_follows(&self, options: &DirectlyFollowsOptions) -> DirectlyFollows {
        directly_follows(&Seqs::from_log(self, None), options)
    }

    /// The top variants of the log.
    #[must_use]
    pub fn variants(&self, options: &VariantOptions) -> Variants {
        variants(&Seqs::from_log(self, None), options)
    }

    /// Flow data (Sankey) of the first events of each customer.
    #[must_use]
    pub fn flows(&self, options: &FlowOptions) -> Flows {
        flows(&Seqs::from_log(self, None), options)
    }
}
