//! Markov-chain removal-effect attribution, solved exactly from the absorbing chain.

use super::{AttributionOptions, MarkovResult, RemovalEffect, Transition};
use crate::definition::Definition;
use crate::error::{Error, Result};
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Highest supported chain order.
pub(crate) const MAX_ORDER: usize = 4;

/// A state of the chain: START, the last `k` (or fewer, at the start of a path) channels,
/// or one of the two absorbing states.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum State {
    Start,
    Channels(Vec<String>),
    Conversion,
    Null,
}

impl State {
    pub(crate) fn name(&self) -> String {
        match self {
            Self::Start => super::START.to_owned(),
            Self::Channels(c) => c.join(" > "),
            Self::Conversion => super::CONVERSION.to_owned(),
            Self::Null => super::NULL.to_owned(),
        }
    }
}

/// Which weight a transition of a path carries.
pub(crate) enum Step {
    /// Every journey of the path (conversions + nulls).
    Both,
    /// The converting journeys.
    Conversion,
    /// The non-converting journeys.
    Null,
}

pub(crate) fn check_order(order: usize) -> Result<()> {
    if (1..=MAX_ORDER).contains(&order) {
        Ok(())
    } else {
        Err(Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: format!("markov order `{order}` is not between 1 and {MAX_ORDER}"),
        })
    }
}

/// Calls `f` for each transition of a (non-empty) path in a chain of order `k`.
pub(crate) fn walk(channels: &[String], k: usize, mut f: impl FnMut(State, State, Step)) {
    let mut prev = State::Start;
    for i in 0..channels.len() {
        let lo = (i + 1).saturating_sub(k);
        let to = State::Channels(channels.get(lo..=i).unwrap_or(&[]).to_vec());
        f(prev, to.clone(), Step::Both);
        prev = to;
    }
    f(prev.clone(), State::Conversion, Step::Conversion);
    f(prev, State::Null, Step::Null);
}

/// Transition weights of a path table: the weights [`walk`] gives, summed per
/// transition in row order. States are windows of the table's channel codes, so no
/// string is compared or allocated per touch; names are given to distinct states only.
pub(crate) fn transitions(table: &super::CodeTable, order: usize) -> BTreeMap<(State, State), f64> {
    /// A state as codes: the window's channel codes and its length.
    #[derive(Clone, Copy, PartialEq, Eq, Hash)]
    enum Code {
        Start,
        Window([u32; MAX_ORDER], usize),
        Conversion,
        Null,
    }
    let mut sums: FxHashMap<(Code, Code), f64> = FxHashMap::default();
    // A first-order chain over few channels (the default) sums into a dense matrix of
    // its states (start, each channel, conversion, null) instead of a map: one add per
    // touch, no hash. The same additions in the same order, so the same sums.
    let n = table.labels.len();
    let size = n + 3;
    let dense_ok = order == 1 && size.checked_mul(size).is_some_and(|s| s <= 1 << 20);
    let mut dense = if dense_ok {
        vec![0.0f64; size * size]
    } else {
        Vec::new()
    };
    let index = |c: Code| match c {
        Code::Start => Some(0),
        Code::Window(w, 1) => w.first().map(|&k| 1 + k as usize).filter(|&i| i <= n),
        Code::Window(..) => None,
        Code::Conversion => Some(n + 1),
        Code::Null => Some(n + 2),
    };
    let mut add = |from: Code, to: Code, w: f64| {
        if w > 0.0 {
            let cell = match (index(from), index(to)) {
                (Some(a), Some(b)) => dense.get_mut(a * size + b),
                _ => None,
            };
            match cell {
                Some(x) => *x += w,
                None => *sums.entry((from, to)).or_insert(0.0) += w,
            }
        }
    };
    for r in table.rows() {
        let codes = r.codes;
        if codes.is_empty() {
            continue;
        }
        let mut prev = Code::Start;
        for i in 0..codes.len() {
            let lo = (i + 1).saturating_sub(order);
            let window = codes.get(lo..=i).unwrap_or(&[]);
            let mut w = [0u32; MAX_ORDER];
            for (slot, &c) in w.iter_mut().zip(window) {
                *slot = c;
            }
            let to = Code::Window(w, window.len().min(MAX_ORDER));
            add(prev, to, r.conversions + r.nulls);
            prev = to;
        }
        add(prev, Code::Conversion, r.conversions);
        add(prev, Code::Null, r.nulls);
    }
    let code_at = |i: usize| match i {
        0 => Code::Start,
        i if i == n + 1 => Code::Conversion,
        i if i == n + 2 => Code::Null,
        i => Code::Window([u32::try_from(i - 1).unwrap_or(u32::MAX), 0, 0, 0], 1),
    };
    for (cell, &w) in dense.iter().enumerate() {
        if w > 0.0 {
            sums.insert((code_at(cell / size), code_at(cell % size)), w);
        }
    }
    let state = |c: Code| match c {
        Code::Start => State::Start,
        Code::Window(w, len) => State::Channels(
            w.iter()
                .take(len)
                .map(|&k| table.label(k).to_owned())
                .collect(),
        ),
        Code::Conversion => State::Conversion,
        Code::Null => State::Null,
    };
    sums.into_iter()
        .map(|((from, to), w)| ((state(from), state(to)), w))
        .collect()
}

#[derive(Serialize)]
struct MarkovParams {
    order: usize,
    remove_self_loops: bool,
    credit: &'static str,
}

/// Where a transition goes, by index.
#[derive(Clone, Copy)]
enum Target {
    State(usize),
    Conversion,
    Null,
}

/// The chain with transient states indexed.
struct Chain {
    start: Option<usize>,
    out_total: Vec<f64>,
    edges: Vec<Vec<(Target, f64)>>,
}

impl Chain {
    /// P(CONVERSION | START) when the states flagged in `removed` are removed (their
    /// incoming transitions go to NULL).
    fn conversion_probability(&self, removed: &[bool]) -> Option<f64> {
        let n = self.edges.len();
        let start = self.start?;
        let is_removed = |i: usize| removed.get(i).copied().unwrap_or(false);
        let effective = |t: Target| match t {
            Target::State(i) if is_removed(i) => Target::Null,
            t => t,
        };
        // Forward reachability from START.
        let mut reach = vec![false; n];
        let mut stack = vec![start];
        if let Some(r) = reach.get_mut(start) {
            *r = true;
        }
        while let Some(s) = stack.pop() {
            for &(t, _) in self.edges.get(s).map_or(&[][..], Vec::as_slice) {
                if let Target::State(i) = effective(t) {
                    if let Some(r) = reach.get_mut(i) {
                        if !*r {
                            *r = true;
                            stack.push(i);
                        }
                    }
                }
            }
        }
        // Backward reachability of CONVERSION.
        let mut rev: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut can = vec![false; n];
        let mut stack = Vec::new();
        for (s, out) in self.edges.iter().enumerate() {
            if is_removed(s) {
                continue;
            }
            for &(t, w) in out {
                if w <= 0.0 {
                    continue;
                }
                match effective(t) {
                    Target::State(i) => {
                        if let Some(r) = rev.get_mut(i) {
                            r.push(s);
                        }
                    }
                    Target::Conversion => {
                        if let Some(c) = can.get_mut(s) {
                            if !*c {
                                *c = true;
                                stack.push(s);
                            }
                        }
                    }
                    Target::Null => {}
                }
            }
        }
        while let Some(s) = stack.pop() {
            for &p in rev.get(s).map_or(&[][..], Vec::as_slice) {
                if let Some(c) = can.get_mut(p) {
                    if !*c {
                        *c = true;
                        stack.push(p);
                    }
                }
            }
        }
        // The states that matter: reachable, able to convert, not removed.
        let mut index = vec![usize::MAX; n];
        let mut kept = Vec::new();
        for s in 0..n {
            if reach.get(s) == Some(&true) && can.get(s) == Some(&true) && !is_removed(s) {
                if let Some(x) = index.get_mut(s) {
                    *x = kept.len();
                }
                kept.push(s);
            }
        }
        let Some(&start_index) = index.get(start).filter(|&&i| i != usize::MAX) else {
            return Some(0.0);
        };
        let m = kept.len();
        let mut a = vec![0.0f64; m * m];
        let mut b = vec![0.0f64; m];
        for (row, &s) in kept.iter().enumerate() {
            if let Some(x) = a.get_mut(row * m + row) {
                *x += 1.0;
            }
            let total = self.out_total.get(s).copied().unwrap_or(0.0);
            if total <= 0.0 {
                continue;
            }
            for &(t, w) in self.edges.get(s).map_or(&[][..], Vec::as_slice) {
                let p = w / total;
                match effective(t) {
                    Target::State(i) => {
                        let col = index.get(i).copied().unwrap_or(usize::MAX);
                        if col != usize::MAX {
                            if let Some(x) = a.get_mut(row * m + col) {
                                *x -= p;
                            }
                        }
                    }
                    Target::Conversion => {
                        if let Some(x) = b.get_mut(row) {
                            *x += p;
                        }
                    }
                    Target::Null => {}
                }
            }
        }
        let x = gauss(m, a, b)?;
        x.get(start_index).map(|p| p.clamp(0.0, 1.0))
    }
}

/// The most work a Markov attribution may take: removal effects solve one linear system
/// of up to `m` unknowns (the chain's transient states) per channel plus the base chain,
/// about `(channels + 1)·m³/3` multiply-adds, and this many take about a second on one
/// core (400 channels at order 1, `m` = 401, measured 3.3 s for 8.6·10⁹).
pub const MAX_MARKOV_WORK: f64 = 3.0e9;

/// Refuses a chain whose removal effects would cost more than [`MAX_MARKOV_WORK`].
fn check_size(states: usize, channels: usize, order: usize) -> Result<()> {
    #[allow(clippy::cast_precision_loss, reason = "sizes far below 2⁵³")]
    let (m, c) = (states as f64, channels as f64);
    let work = (c + 1.0) * m * m * m / 3.0;
    if work <= MAX_MARKOV_WORK {
        return Ok(());
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive cube root far below usize::MAX"
    )]
    let most = (3.0 * MAX_MARKOV_WORK / (c + 1.0)).cbrt().floor() as usize;
    Err(Error::Input {
        code: crate::InputCode::TooManyStates,
        row: None,
        message: format!(
            "Markov attribution at order {order} over {channels} channels has {states} states: \
             its removal effects would take about {work:.1e} operations, more than the cap of \
             {MAX_MARKOV_WORK:.0e} (about a second); with {channels} channels the chain may \
             have at most {most} states. Lower `markov_order`, group rare channels into one, \
             or leave `markov` out of `models`"
        ),
    })
}

/// Solves `A x = b` (A is m×m, row-major) by Gaussian elimination with partial
/// pivoting; `None` when A is singular (which a chain whose every kept state can reach
/// CONVERSION cannot be).
#[allow(
    clippy::indexing_slicing,
    reason = "every index is below m (rows, columns) or m·m, by construction of the loops"
)]
fn gauss(m: usize, mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    if a.len() != m * m || b.len() != m {
        return None;
    }
    for col in 0..m {
        let mut piv = col;
        let mut best = a[col * m + col].abs();
        for r in col + 1..m {
            let v = a[r * m + col].abs();
            if v > best {
                best = v;
                piv = r;
            }
        }
        if best <= f64::MIN_POSITIVE || !best.is_finite() {
            return None;
        }
        if piv != col {
            for c in 0..m {
                a.swap(col * m + c, piv * m + c);
            }
            b.swap(col, piv);
        }
        let d = a[col * m + col];
        for r in col + 1..m {
            let f = a[r * m + col] / d;
            if f == 0.0 {
                continue;
            }
            a[r * m + col] = 0.0;
            for c in col + 1..m {
                a[r * m + c] -= f * a[col * m + c];
            }
            b[r] -= f * b[col];
        }
    }
    let mut x = vec![0.0; m];
    for r in (0..m).rev() {
        let mut s = b[r];
        for c in r + 1..m {
            s -= a[r * m + c] * x[c];
        }
        x[r] = s / a[r * m + r];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Removal-effect attribution of transition weights. Returns the result and whether the
/// credits are defined.
pub(crate) fn solve(
    weights: &BTreeMap<(State, State), f64>,
    conversions: f64,
    value: f64,
    options: &AttributionOptions,
) -> Result<(MarkovResult, bool)> {
    check_order(options.markov_order)?;
    let weights: BTreeMap<&(State, State), f64> = weights
        .iter()
        .filter(|((from, to), w)| {
            **w > 0.0 && w.is_finite() && !(options.remove_self_loops && from == to)
        })
        .map(|(k, &w)| (k, w))
        .collect();
    // Transient states: START and channel states, sorted.
    let mut states: BTreeSet<&State> = BTreeSet::new();
    for (from, to) in weights.keys() {
        for s in [from, to] {
            if matches!(s, State::Start | State::Channels(_)) {
                states.insert(s);
            }
        }
    }
    let states: Vec<&State> = states.into_iter().collect();
    let idx = |s: &State| states.binary_search(&s).ok();
    let n = states.len();
    let mut edges: Vec<Vec<(Target, f64)>> = vec![Vec::new(); n];
    let mut out_total = vec![0.0; n];
    for ((from, to), w) in &weights {
        let Some(f) = idx(from) else { continue };
        let t = match to {
            State::Conversion => Target::Conversion,
            State::Null => Target::Null,
            s => match idx(s) {
                Some(i) => Target::State(i),
                None => continue,
            },
        };
        if let Some(e) = edges.get_mut(f) {
            e.push((t, *w));
        }
        if let Some(o) = out_total.get_mut(f) {
            *o += *w;
        }
    }
    let chain = Chain {
        start: idx(&State::Start),
        out_total: out_total.clone(),
        edges,
    };
    let channels: BTreeSet<&String> = states
        .iter()
        .filter_map(|s| match s {
            State::Channels(c) => Some(c),
            _ => None,
        })
        .flatten()
        .collect();
    check_size(n, channels.len(), options.markov_order)?;
    let base = chain
        .conversion_probability(&vec![false; n])
        .filter(|p| *p > 0.0 && conversions > 0.0);
    let mut effects: Vec<RemovalEffect> = Vec::with_capacity(channels.len());
    for c in &channels {
        let removed: Vec<bool> = states
            .iter()
            .map(|s| matches!(s, State::Channels(v) if v.contains(c)))
            .collect();
        let (without, re) = match base {
            Some(p) => {
                let q = chain.conversion_probability(&removed);
                (q, q.map(|q| (1.0 - q / p).clamp(0.0, 1.0)))
            }
            None => (None, None),
        };
        effects.push(RemovalEffect {
            channel: (*c).clone(),
            conversion_probability_without: without,
            removal_effect: re,
            conversions: 0.0,
            value: 0.0,
        });
    }
    let sum: f64 = effects.iter().filter_map(|e| e.removal_effect).sum();
    let defined = sum > 0.0;
    if defined {
        for e in &mut effects {
            let share = e.removal_effect.unwrap_or(0.0) / sum;
            e.conversions = share * conversions;
            e.value = share * value;
        }
    }
    let transitions = weights
        .iter()
        .map(|((from, to), w)| {
            let total = idx(from)
                .and_then(|i| out_total.get(i).copied())
                .unwrap_or(0.0);
            Transition {
                from: from.name(),
                to: to.name(),
                count: *w,
                probability: if total > 0.0 { w / total } else { 0.0 },
            }
        })
        .collect();
    Ok((
        MarkovResult {
            definition: Definition::new(
                "attribution_markov",
                &MarkovParams {
                    order: options.markov_order,
                    remove_self_loops: options.remove_self_loops,
                    credit: "removal_effect_share",
                },
            ),
            order: options.markov_order,
            conversion_probability: base.or(Some(0.0)).filter(|_| conversions > 0.0),
            channels: effects,
            transitions,
        },
        defined,
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::{transitions, State};
    use crate::attribution::CodeTable;
    use std::collections::BTreeMap;

    /// First-order transitions (summed in a dense matrix) and second-order ones (in a
    /// map) equal a plain sum over the rows' named windows, zero weights left out.
    #[test]
    fn transitions_equal_a_plain_sum() {
        let labels: Vec<String> = ["a", "b", "c"].iter().map(|s| (*s).to_owned()).collect();
        let mut table = CodeTable::with_labels(labels.clone(), 6);
        let rows: [(&[u32], f64, f64); 6] = [
            (&[0, 1, 1, 2], 2.0, 1.0),
            (&[2], 0.0, 3.0),
            (&[1, 0], 1.0, 0.0),
            (&[], 4.0, 0.0),
            (&[0, 1, 1, 2], 0.5, 0.25),
            (&[2, 2, 0], 0.0, 0.0),
        ];
        for (codes, conversions, nulls) in rows {
            table.push(codes.iter().copied(), None, conversions, 0.0, nulls);
        }
        for order in [1usize, 2] {
            let mut want: BTreeMap<(State, State), f64> = BTreeMap::new();
            for (codes, conversions, nulls) in rows {
                if codes.is_empty() {
                    continue;
                }
                let mut add = |a: State, b: State, w: f64| {
                    if w > 0.0 {
                        *want.entry((a, b)).or_insert(0.0) += w;
                    }
                };
                let mut prev = State::Start;
                for i in 0..codes.len() {
                    let lo = (i + 1).saturating_sub(order);
                    let to = State::Channels(
                        codes[lo..=i]
                            .iter()
                            .map(|&k| labels[k as usize].clone())
                            .collect(),
                    );
                    add(prev, to.clone(), conversions + nulls);
                    prev = to;
                }
                add(prev.clone(), State::Conversion, conversions);
                add(prev, State::Null, nulls);
            }
            assert_eq!(transitions(&table, order), want, "order {order}");
        }
    }
}
