//! Mergeable states of attribution: path counts and Markov transition counts.
//!
//! # Design
//!
//! A customer's path depends on all of their events, so these states are built from
//! partitions that hold **whole customers** (partition the log by customer id; the
//! order-dependent event states of [`crate::events`] handle arbitrary splits instead).
//! Each state is a sorted map from a key (a path, or a transition) to whole counts, so
//! `merge` is a key-wise sum: associative, commutative, with the empty state as identity.
//!
//! Values (revenue) are summed in fixed point, in whole units of 2⁻³² (about 2.3·10⁻¹⁰),
//! in an `i128`, so that any split and merge gives bit-identical totals (floating-point
//! sums depend on their grouping). Each conversion value is rounded to that grid once.
//!
//! Bytes: the shared state format (`CJMS`, [`crate::STATE_FORMAT_VERSION`], a kind byte:
//! 16 path counts, 17 transition counts), then the payload in little-endian integers and
//! length-prefixed UTF-8 strings. `from_bytes` checks every length before allocating,
//! the order of the keys and every count, returns `invalid_state` on any mismatch and
//! never panics.

use super::codes::CodeTable;
use super::markov::{self, State};
use super::paths::{for_each_journey, PathOptions, PathRow, PathTable, TouchKind, VALUE_LIMIT};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::events::{EventLog, Mergeable};
use crate::validate::ValidJourney;
use std::collections::BTreeMap;

use crate::state_bytes::{header, invalid_state, kind, put_str, put_u64, seal, Reader};
const KIND_PATHS: u8 = kind::PATHS;
const KIND_TRANSITIONS: u8 = kind::TRANSITIONS;
/// Fixed-point scale of summed values: 2³².
const VALUE_SCALE: f64 = 4_294_967_296.0;

fn incompatible() -> Error {
    Error::Input {
        code: crate::InputCode::IncompatibleStates,
        row: None,
        message: "the states were built with different definitions".to_owned(),
    }
}

/// A value in fixed point, `None` when not finite or too large.
pub(crate) fn to_fixed(v: f64) -> Option<i128> {
    if !v.is_finite() || v.abs() > VALUE_LIMIT {
        return None;
    }
    #[allow(
        clippy::cast_possible_truncation,
        reason = "bounded by VALUE_LIMIT · 2^32 < 2^93"
    )]
    let x = (v * VALUE_SCALE).round() as i128;
    Some(x)
}

#[allow(clippy::cast_precision_loss, reason = "fixed point back to float")]
pub(crate) fn from_fixed(x: i128) -> f64 {
    x as f64 / VALUE_SCALE
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
fn count_f64(x: u64) -> f64 {
    x as f64
}

/// Whole counts of one key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    conversions: u64,
    nulls: u64,
    value: i128,
}

impl Counts {
    fn add(&mut self, o: &Self) {
        self.conversions = self.conversions.saturating_add(o.conversions);
        self.nulls = self.nulls.saturating_add(o.nulls);
        self.value = self.value.saturating_add(o.value);
    }
}

/// Seconds to conversion of a key's nanoseconds (`None` when times are not kept).
fn seconds(deltas: &[i64]) -> Option<Vec<f64>> {
    (!deltas.is_empty()).then(|| {
        deltas
            .iter()
            .map(|&d| crate::events::time::nanos_to_seconds(d))
            .collect()
    })
}

/// The row of a path table for one key.
fn path_row(channels: Vec<String>, deltas: &[i64], c: &Counts) -> PathRow {
    PathRow {
        channels,
        seconds_to_conversion: seconds(deltas),
        conversions: count_f64(c.conversions),
        value: from_fixed(c.value),
        nulls: count_f64(c.nulls),
    }
}

/// The labels of `codes`.
fn name(labels: &[String], codes: &[u32]) -> Vec<String> {
    codes
        .iter()
        .map(|&k| labels.get(k as usize).cloned().unwrap_or_default())
        .collect()
}

/// The keys of [`CodePaths`] in two flat arrays: key `k` is touch codes and nanoseconds
/// to conversion per touch (none when times are not kept), with whole counts. No
/// allocation per key: a 10M-event log has about a million distinct paths.
#[derive(Default)]
struct Keys {
    codes: Vec<u32>,
    deltas: Vec<i64>,
    /// The end of each key's codes and deltas (a key starts where the previous ends).
    ends: Vec<(usize, usize)>,
    counts: Vec<Counts>,
}

impl Keys {
    fn len(&self) -> usize {
        self.ends.len()
    }

    fn starts(&self, k: usize) -> (usize, usize) {
        match k.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or_default(),
            None => (0, 0),
        }
    }

    fn codes(&self, k: usize) -> &[u32] {
        let (a, _) = self.starts(k);
        let z = self.ends.get(k).map_or(a, |e| e.0);
        self.codes.get(a..z).unwrap_or(&[])
    }

    fn deltas(&self, k: usize) -> &[i64] {
        let (_, a) = self.starts(k);
        let z = self.ends.get(k).map_or(a, |e| e.1);
        self.deltas.get(a..z).unwrap_or(&[])
    }

    fn push(&mut self, codes: &[u32], deltas: &[i64], c: Counts) {
        self.codes.extend_from_slice(codes);
        self.deltas.extend_from_slice(deltas);
        self.ends.push((self.codes.len(), self.deltas.len()));
        self.counts.push(c);
    }
}

/// The hash of a path's codes.
fn hash_codes(codes: &[u32]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = rustc_hash::FxHasher::default();
    codes.hash(&mut h);
    h.finish()
}

/// The journeys of a log aggregated on label codes: one hash per journey, no allocation
/// per key, no string compared or allocated per touch.
#[derive(Default)]
struct CodePaths {
    labels: Vec<String>,
    keys: Keys,
    /// The keys without times, by the hash of their codes: (hash, key).
    untimed: hashbrown::HashTable<(u64, usize)>,
    /// The keys without times whose codes fit in 128 bits ([`pack`]) with their counts:
    /// nearly every path, counted in one look-up that reads a single entry (they join
    /// the keys in [`Self::sorted`]).
    packed: hashbrown::HashTable<([u64; 2], Counts)>,
    /// Bits per code in [`Self::packed`] (0: labels not known yet).
    bits: u32,
}

/// A path's codes packed exactly into two words, `bits` bits a code (as `code + 1`, so
/// that paths of different lengths differ), when they fit.
fn pack(codes: &[u32], bits: u32) -> Option<[u64; 2]> {
    if bits == 0 || codes.len().saturating_mul(bits as usize) > 128 {
        return None;
    }
    let p = codes
        .iter()
        .fold(0u128, |p, &c| (p << bits) | (u128::from(c) + 1));
    #[allow(clippy::cast_possible_truncation, reason = "the two halves of a u128")]
    Some([p as u64, (p >> 64) as u64])
}

/// The codes of a [`pack`]ed path (into `out`).
fn unpack(p: [u64; 2], bits: u32, out: &mut Vec<u32>) {
    out.clear();
    let [lo, hi] = p;
    let mut p = u128::from(lo) | (u128::from(hi) << 64);
    let mask = (1u128 << bits.min(127)) - 1;
    while p != 0 {
        #[allow(clippy::cast_possible_truncation, reason = "a code of at most 32 bits")]
        out.push(((p & mask) as u32).wrapping_sub(1));
        p = p.checked_shr(bits).unwrap_or(0);
    }
    out.reverse();
}

/// The hash of packed codes: each word mixed by a folded 128-bit multiply.
fn hash_packed(p: [u64; 2]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mix = |x: u64| {
        let m = u128::from(x) * u128::from(K);
        #[allow(clippy::cast_possible_truncation, reason = "the two halves of a u128")]
        let h = (m as u64) ^ ((m >> 64) as u64);
        h
    };
    let [lo, hi] = p;
    mix(lo ^ mix(hi ^ K))
}

impl CodePaths {
    /// Adds a journey: one without times counts into the key of its path, one with
    /// times (nearly all distinct) is a key of its own, merged by [`Self::sorted`].
    fn add(&mut self, codes: &[u32], deltas: &[i64], c: Counts) {
        if !deltas.is_empty() {
            self.keys.push(codes, deltas, c);
            return;
        }
        if let Some(p) = pack(codes, self.bits) {
            self.add_packed(p, c);
            return;
        }
        let hash = hash_codes(codes);
        let keys = &mut self.keys;
        match self
            .untimed
            .find(hash, |&(h, k)| h == hash && keys.codes(k) == codes)
        {
            Some(&(_, k)) => {
                if let Some(counts) = keys.counts.get_mut(k) {
                    counts.add(&c);
                }
            }
            None => {
                let k = keys.len();
                keys.push(codes, deltas, c);
                self.untimed.insert_unique(hash, (hash, k), |&(h, _)| h);
            }
        }
    }

    /// Adds counts to a packed path.
    fn add_packed(&mut self, p: [u64; 2], c: Counts) {
        let hash = hash_packed(p);
        match self.packed.find_mut(hash, |(q, _)| *q == p) {
            Some((_, counts)) => counts.add(&c),
            None => {
                self.packed
                    .insert_unique(hash, (p, c), |&(q, _)| hash_packed(q));
            }
        }
    }

    /// The paths of every customer of `log`; a long log is read in two halves of its
    /// customers on two threads (not in WebAssembly). Counts are whole numbers and
    /// values fixed point, so the halves merge to exactly what one pass gives.
    fn of(log: &EventLog, journey: Option<&ValidJourney>, options: &PathOptions) -> Result<Self> {
        let customers = log.customers.len();
        if !(crate::events::PARALLEL && log.len() >= crate::events::PARALLEL_ROWS) {
            return Self::of_range(log, journey, options, 0..customers);
        }
        // The customer whose events start at or after the middle event.
        let half = log
            .offsets
            .partition_point(|&o| o < log.len() / 2)
            .min(customers);
        let [left, right] = crate::events::both(
            true,
            || Self::of_range(log, journey, options, 0..half),
            || Self::of_range(log, journey, options, half..customers),
        );
        // The left half's error first, as one pass in customer order would give.
        let mut left = left?;
        let right = right?;
        if left.labels.is_empty() {
            left.labels = right.labels;
            left.bits = right.bits;
        }
        for (p, c) in right.packed {
            left.add_packed(p, c);
        }
        for k in 0..right.keys.len() {
            if let Some(&c) = right.keys.counts.get(k) {
                left.add(right.keys.codes(k), right.keys.deltas(k), c);
            }
        }
        Ok(left)
    }

    fn of_range(
        log: &EventLog,
        journey: Option<&ValidJourney>,
        options: &PathOptions,
        customers: std::ops::Range<usize>,
    ) -> Result<Self> {
        let mut paths = Self::default();
        // At most a key per customer and a code per event, reserved once (untouched
        // memory costs nothing) so the arrays do not grow by copying.
        let events = log
            .offsets
            .get(customers.end)
            .copied()
            .unwrap_or(0)
            .saturating_sub(log.offsets.get(customers.start).copied().unwrap_or(0));
        paths.keys.codes.reserve(events);
        paths.keys.ends.reserve(customers.len());
        paths.keys.counts.reserve(customers.len());
        // Far fewer distinct paths than customers: a table sized for every customer
        // would be mostly empty, and its look-ups would miss the cache.
        paths
            .packed
            .reserve(customers.len() / 16, |&(q, _)| hash_packed(q));
        paths.untimed.reserve(customers.len() / 64, |&(h, _)| h);
        let mut bad_value: Option<f64> = None;
        for_each_journey(log, journey, options, customers, |names, j| {
            if paths.labels.is_empty() && !names.is_empty() {
                paths.labels = names.to_vec();
                paths.bits = code_bits(names.len());
            }
            let Some(value) = to_fixed(j.value) else {
                bad_value.get_or_insert(j.value);
                return;
            };
            let c = Counts {
                conversions: u64::from(j.converted),
                nulls: u64::from(!j.converted),
                value,
            };
            let timed = options.keep_times && j.converted;
            paths.add(j.channels, if timed { j.deltas } else { &[] }, c);
        })?;
        if let Some(v) = bad_value {
            return Err(Error::Input {
                code: crate::InputCode::OutOfRange,
                row: None,
                message: format!("conversion value `{v}` is too large"),
            });
        }
        Ok(paths)
    }

    /// The labels sorted and deduplicated, and the keys in the order of their named
    /// form (paths by label text, then times) with codes into those labels. Codes are
    /// replaced by the rank of their label, so integer comparisons sort as the text
    /// would; [`Ordered::each`] merges keys whose labels are equal. A packed path whose
    /// ranked codes fit whole in its [`prefix`] stays there: its codes are read back
    /// from the prefix, never copied into the keys' arrays.
    fn sorted(self) -> (Vec<String>, Ordered) {
        let Self {
            labels,
            mut keys,
            packed,
            bits: packed_bits,
            ..
        } = self;
        let (sorted, rank) = crate::events::sort_dict(labels);
        let ranked = |k: &mut u32| *k = rank.get(*k as usize).copied().unwrap_or(u32::MAX);
        keys.codes.iter_mut().for_each(ranked);
        let bits = code_bits(sorted.len());
        let mut codes = Vec::new();
        let mut prefixed = Vec::with_capacity(packed.len());
        let mut counts = Vec::with_capacity(packed.len());
        for (p, c) in packed {
            unpack(p, packed_bits, &mut codes);
            codes.iter_mut().for_each(ranked);
            if codes.len() < prefix_len(bits) {
                prefixed.push(prefix(&codes, bits));
                counts.push(c);
            } else {
                keys.push(&codes, &[], c);
            }
        }
        // Each key with a prefix of its first codes and, when the prefix holds the
        // whole path, its first time, so that most comparisons read only these.
        let n = keys.len();
        let mut order: Vec<SortKey> = Vec::with_capacity(n + prefixed.len());
        order.extend((0..n).map(|k| {
            let codes = keys.codes(k);
            let first = match keys.deltas(k).first() {
                Some(&d) if codes.len() < prefix_len(bits) => d,
                _ => i64::MIN,
            };
            (prefix(codes, bits), first, k)
        }));
        order.extend(
            prefixed
                .into_iter()
                .enumerate()
                .map(|(i, p)| (p, i64::MIN, n + i)),
        );
        let ordered = Ordered {
            keys,
            counts,
            bits,
            order: Vec::new(),
        };
        let order = sort_in_halves(order, |a, b| {
            a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then_with(|| {
                // Equal prefixes: equal paths when the prefix holds them whole.
                let codes = if ordered.whole(a.0) {
                    std::cmp::Ordering::Equal
                } else {
                    ordered.keys.codes(a.2).cmp(ordered.keys.codes(b.2))
                };
                codes.then_with(|| ordered.deltas(a.2).cmp(ordered.deltas(b.2)))
            })
        });
        (sorted, Ordered { order, ..ordered })
    }
}

/// A key of [`CodePaths`] as sorted: the [`prefix`] of its codes, its first time when
/// the prefix holds its whole path (`i64::MIN` otherwise), and its index (past the
/// keys' arrays: a path held by its prefix alone). Keys that differ in the first two
/// differ.
type SortKey = (u128, i64, usize);

/// The keys of [`CodePaths`] in order, read without copying them.
struct Ordered {
    keys: Keys,
    /// Counts of the paths held by their prefix alone (index `keys.len() + i`).
    counts: Vec<Counts>,
    /// Bits per code of the prefixes.
    bits: u32,
    order: Vec<SortKey>,
}

impl Ordered {
    /// At most this many distinct keys.
    fn len(&self) -> usize {
        self.order.len()
    }

    /// The bits of one code of a prefix.
    fn mask(&self) -> u128 {
        1u128.checked_shl(self.bits).map_or(u128::MAX, |m| m - 1)
    }

    /// Whether a prefix holds its whole path (its last code is the end mark).
    fn whole(&self, prefix: u128) -> bool {
        self.bits > 0 && prefix & self.mask() == 0
    }

    /// The times of key `k`.
    fn deltas(&self, k: usize) -> &[i64] {
        if k < self.keys.len() {
            self.keys.deltas(k)
        } else {
            &[]
        }
    }

    /// The codes of key `k` with prefix `prefix` (into `buf` when held by the prefix).
    fn codes<'a>(&'a self, prefix: u128, k: usize, buf: &'a mut Vec<u32>) -> &'a [u32] {
        if !self.whole(prefix) {
            return self.keys.codes(k);
        }
        buf.clear();
        let mask = self.mask();
        let count = prefix_len(self.bits);
        for i in (0..count).rev() {
            let shift = u32::try_from(i).unwrap_or(0) * self.bits;
            let c = prefix.checked_shr(shift).unwrap_or(0) & mask;
            if c == 0 {
                break;
            }
            #[allow(clippy::cast_possible_truncation, reason = "a code of at most 32 bits")]
            buf.push(c as u32 - 1);
        }
        buf
    }

    /// `f(codes, deltas, counts)` for each distinct key, in order (equal keys merged).
    /// Counts are gathered first, in a pass whose reads do not wait for each other (so
    /// their cache misses overlap); a path held by its prefix is read from it.
    fn each(&self, f: impl FnMut(&[u32], &[i64], Counts)) {
        self.each_in(0..self.order.len(), f);
    }

    /// Where the keys in order can be split in two parts of about half of them each
    /// without splitting a run of equal keys.
    fn middle(&self) -> usize {
        let half = self.order.len() / 2;
        let same = |i: usize| {
            let a = self.order.get(i.wrapping_sub(1)).map(|&(p, d, _)| (p, d));
            let b = self.order.get(i).map(|&(p, d, _)| (p, d));
            a.is_some() && a == b
        };
        (half..self.order.len())
            .find(|&i| !same(i))
            .unwrap_or(self.order.len())
    }

    /// [`Self::each`] for the keys at `range` of the order (which must not split a run of
    /// equal keys).
    fn each_in(&self, range: std::ops::Range<usize>, mut f: impl FnMut(&[u32], &[i64], Counts)) {
        let n = self.keys.len();
        let order = self.order.get(range).unwrap_or(&[]);
        let counts: Vec<Counts> = order
            .iter()
            .map(|&(_, _, k)| {
                let c = if k < n {
                    self.keys.counts.get(k)
                } else {
                    self.counts.get(k - n)
                };
                c.copied().unwrap_or_default()
            })
            .collect();
        let mut buf = Vec::new();
        let mut pending: Option<(SortKey, Counts)> = None;
        for (&key, &c) in order.iter().zip(&counts) {
            let (prefix, first, k) = key;
            match &mut pending {
                Some(((q, d, p), sum))
                    if *q == prefix
                        && *d == first
                        && (self.whole(prefix) || self.keys.codes(*p) == self.keys.codes(k))
                        && self.deltas(*p) == self.deltas(k) =>
                {
                    sum.add(&c);
                }
                _ => {
                    if let Some(((q, _, p), sum)) = pending.replace((key, c)) {
                        f(self.codes(q, p, &mut buf), self.deltas(p), sum);
                    }
                }
            }
        }
        if let Some(((q, _, p), sum)) = pending {
            f(self.codes(q, p, &mut buf), self.deltas(p), sum);
        }
    }
}

/// The bits that hold `code + 1` for every code below `labels` (0 marks the end).
fn code_bits(labels: usize) -> u32 {
    usize::BITS - labels.leading_zeros()
}

/// The first codes of a path packed so that integer order is the order of paths on
/// them: (code + 1) in `bits` bits each, as many as fit in 128 bits, 0 past the end of
/// the path (a path sorts before its extensions). With a few channels (3 bits each)
/// that is the first 42 touches, so nearly every comparison of a sort reads only this.
/// Codes must be below the `labels` that [`code_bits`] was given.
fn prefix(codes: &[u32], bits: u32) -> u128 {
    let count = prefix_len(bits);
    let n = codes.len().min(count);
    let p = codes
        .iter()
        .take(n)
        .fold(0u128, |p, &c| (p << bits) | (u128::from(c) + 1));
    // The codes that are not there are zeros.
    let rest = u32::try_from(count - n).unwrap_or(0).saturating_mul(bits);
    p.checked_shl(rest).unwrap_or(0)
}

/// The number of codes of `bits` bits in a [`prefix`].
fn prefix_len(bits: u32) -> usize {
    128u32.checked_div(bits).map_or(0, |c| c as usize)
}

/// `items` sorted by `cmp`; a long list is sorted in two halves on two threads (not in
/// WebAssembly), then merged. Equal items may come in any order (an unstable sort).
fn sort_in_halves<T: Send>(
    mut items: Vec<T>,
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) -> Vec<T> {
    if !(crate::events::PARALLEL && items.len() >= 1 << 15) {
        items.sort_unstable_by(&cmp);
        return items;
    }
    let right = items.split_off(items.len() / 2);
    let sort = |mut part: Vec<T>| {
        part.sort_unstable_by(&cmp);
        part
    };
    let [left, right] = crate::events::both(true, || sort(items), || sort(right));
    let mut out = Vec::with_capacity(left.len() + right.len());
    let mut l = left.into_iter().peekable();
    let mut r = right.into_iter().peekable();
    loop {
        let take_left = match (l.peek(), r.peek()) {
            (Some(a), Some(b)) => cmp(a, b) != std::cmp::Ordering::Greater,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        if let Some(x) = if take_left { l.next() } else { r.next() } {
            out.push(x);
        }
    }
    out
}

/// The mergeable state of a path table: distinct (path, times) keys with whole counts of
/// conversions and nulls and a fixed-point value sum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathCounts {
    /// The path options as JSON for a log's state (so that a result finished from the
    /// state states them, as `attribute_log` does), a marker for a path table's state,
    /// empty for the identity; states merge only with equal definitions.
    definition: String,
    /// (channels, nanoseconds to conversion per touch or empty) → counts.
    paths: BTreeMap<(Vec<String>, Vec<i64>), Counts>,
}

/// A log's path table is built here, beside the code-level paths it is made of, so that
/// `paths` (the table) does not import the states.
impl PathTable {
    /// Builds the paths of every customer of a log (see [`PathOptions`]), aggregated
    /// into distinct rows sorted by path. Each customer with at least one touch or a
    /// conversion gives one journey: converters count one conversion with the value of
    /// their first conversion event (0 when it has none), the others one null.
    ///
    /// # Errors
    /// `invalid_option` when no conversion event is named, the lookback is negative or
    /// not finite, or touchpoints are asked for without a journey; `unknown_event` when a
    /// conversion event is not in the log (unless [`PathOptions::allow_missing_events`]);
    /// `unknown_column` for `touch = channel` on a log without channel values.
    pub fn from_log(
        log: &EventLog,
        journey: Option<&ValidJourney>,
        options: &PathOptions,
    ) -> Result<Self> {
        Ok(code_table_from_log(log, journey, options)?.to_table())
    }
}

/// The path table of a log on channel codes, as [`PathTable::from_log`] names it (its
/// checks included): what `attribute_log` hands the models.
pub(crate) fn code_table_from_log(
    log: &EventLog,
    journey: Option<&ValidJourney>,
    options: &PathOptions,
) -> Result<CodeTable> {
    crate::events::check_events_present(
        log,
        options
            .conversion_events
            .iter()
            .map(|e| ("conversion event", e.as_str())),
        options.allow_missing_events,
    )?;
    if options.touch == TouchKind::Channel {
        crate::events::check_column_present(log, "channel", "touch")?;
    }
    let (labels, keys) = CodePaths::of(log, journey, options)?.sorted();
    // Two halves of the keys on two threads (their reads are cache misses, which the
    // threads wait for side by side), joined in order.
    let build = |range: std::ops::Range<usize>| {
        let mut table = CodeTable::with_labels(labels.clone(), range.len());
        keys.each_in(range, |codes, deltas, c| {
            table.push(
                codes.iter().copied(),
                seconds(deltas),
                count_f64(c.conversions),
                from_fixed(c.value),
                count_f64(c.nulls),
            );
        });
        table
    };
    let mid = keys.middle();
    let [mut table, right] = crate::events::both(
        keys.len() >= 1 << 15,
        || build(0..mid),
        || build(mid..keys.len()),
    );
    table.append(right);
    Ok(table)
}

impl PathCounts {
    /// The state of one partition of a log (holding whole customers).
    ///
    /// # Errors
    /// As [`PathTable::from_log`]; `out_of_range` for a conversion value beyond ±2⁶⁰.
    pub fn from_log(
        log: &EventLog,
        journey: Option<&ValidJourney>,
        options: &PathOptions,
    ) -> Result<Self> {
        let (labels, keys) = CodePaths::of(log, journey, options)?.sorted();
        // The keys are sorted and distinct: the map is built in one pass.
        let mut named = Vec::with_capacity(keys.len());
        keys.each(|codes, deltas, c| named.push(((name(&labels, codes), deltas.to_vec()), c)));
        let paths = named.into_iter().collect();
        Ok(Self {
            definition: serde_json::to_string(options).unwrap_or_default(),
            paths,
        })
    }

    /// The state of an aggregated path table whose counts are whole numbers (times are
    /// rounded to nanoseconds).
    ///
    /// # Errors
    /// `not_an_integer` (with the row) when conversions or nulls are not whole;
    /// `out_of_range` for counts or values too large.
    pub fn from_table(table: &PathTable) -> Result<Self> {
        let mut paths: BTreeMap<(Vec<String>, Vec<i64>), Counts> = BTreeMap::new();
        for (i, r) in table.rows.iter().enumerate() {
            let whole = |x: f64| -> Result<u64> {
                if x.fract() != 0.0 || !(0.0..9.0e15).contains(&x) {
                    return Err(Error::Input {
                        code: crate::InputCode::NotAnInteger,
                        row: Some(i),
                        message: format!("count `{x}` is not a whole number below 9e15"),
                    });
                }
                #[allow(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked whole and in range"
                )]
                Ok(x as u64)
            };
            let value = to_fixed(r.value).ok_or_else(|| Error::Input {
                code: crate::InputCode::OutOfRange,
                row: Some(i),
                message: format!("value `{}` is too large", r.value),
            })?;
            #[allow(
                clippy::cast_possible_truncation,
                reason = "times are checked non-negative; saturating conversion"
            )]
            let deltas: Vec<i64> = r
                .seconds_to_conversion
                .as_ref()
                .map(|t| t.iter().map(|s| (s * 1e9).round() as i64).collect())
                .unwrap_or_default();
            let c = Counts {
                conversions: whole(r.conversions)?,
                nulls: whole(r.nulls)?,
                value,
            };
            paths
                .entry((r.channels.clone(), deltas))
                .or_default()
                .add(&c);
        }
        Ok(Self {
            definition: Definition::new("attribution_paths_table", &()).hash,
            paths,
        })
    }

    /// The path options a log's state was built with (`None` for a path table's state or
    /// the identity).
    #[must_use]
    pub fn path_options(&self) -> Option<PathOptions> {
        serde_json::from_str(&self.definition).ok()
    }

    /// The path table (rows sorted by path, then times).
    #[must_use]
    pub fn to_table(&self) -> PathTable {
        PathTable {
            rows: self
                .paths
                .iter()
                .map(|((channels, deltas), c)| path_row(channels.clone(), deltas, c))
                .collect(),
        }
    }

    /// Number of distinct keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// Whether the state is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}

fn merge_hash(a: String, b: String) -> Result<String> {
    if a.is_empty() {
        Ok(b)
    } else if b.is_empty() || a == b {
        Ok(a)
    } else {
        Err(incompatible())
    }
}

impl Mergeable for PathCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        let definition = merge_hash(self.definition, other.definition)?;
        let (mut big, small) = if self.paths.len() >= other.paths.len() {
            (self.paths, other.paths)
        } else {
            (other.paths, self.paths)
        };
        for (k, c) in small {
            big.entry(k).or_default().add(&c);
        }
        Ok(Self {
            definition,
            paths: big,
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_PATHS);
        put_str(&mut w, &self.definition);
        put_u64(&mut w, self.paths.len() as u64);
        for ((channels, deltas), c) in &self.paths {
            put_u64(&mut w, channels.len() as u64);
            for s in channels {
                put_str(&mut w, s);
            }
            put_u64(&mut w, deltas.len() as u64);
            for d in deltas {
                w.extend_from_slice(&d.to_le_bytes());
            }
            write_counts(&mut w, c);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_PATHS)?;
        let definition = r.string()?;
        let n = r.len(8)?;
        let mut paths = BTreeMap::new();
        let mut prev: Option<(Vec<String>, Vec<i64>)> = None;
        for _ in 0..n {
            let k = r.len(8)?;
            let channels = (0..k).map(|_| r.string()).collect::<Result<Vec<_>>>()?;
            let m = r.len(8)?;
            let deltas = (0..m).map(|_| r.i64()).collect::<Result<Vec<_>>>()?;
            if !(deltas.is_empty() || deltas.len() == channels.len())
                || deltas.iter().any(|&d| d < 0)
            {
                return Err(invalid_state("bad times"));
            }
            let c = r.counts()?;
            let key = (channels, deltas);
            if prev.as_ref().is_some_and(|p| p >= &key) {
                return Err(invalid_state("keys not sorted and unique"));
            }
            prev = Some(key.clone());
            paths.insert(key, c);
        }
        r.end()?;
        Ok(Self { definition, paths })
    }
}

/// The mergeable state of a Markov chain: whole transition counts between states of
/// order `k` (see [`crate::attribution`]), the attributable conversions and their value.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransitionCounts {
    order: usize,
    hash: String,
    transitions: BTreeMap<(State, State), u64>,
    totals: Counts,
}

impl TransitionCounts {
    /// The transitions of the paths of a state, for a chain of order `order` (1..=4).
    ///
    /// # Errors
    /// `invalid_option` for an order outside 1..=4.
    pub fn from_paths(paths: &PathCounts, order: usize) -> Result<Self> {
        markov::check_order(order)?;
        let mut transitions: BTreeMap<(State, State), u64> = BTreeMap::new();
        let mut totals = Counts::default();
        for ((channels, _), c) in &paths.paths {
            if channels.is_empty() {
                continue;
            }
            totals.add(c);
            markov::walk(channels, order, |from, to, kind| {
                let w = match kind {
                    markov::Step::Both => c.conversions.saturating_add(c.nulls),
                    markov::Step::Conversion => c.conversions,
                    markov::Step::Null => c.nulls,
                };
                if w > 0 {
                    let e = transitions.entry((from, to)).or_insert(0);
                    *e = e.saturating_add(w);
                }
            });
        }
        totals.nulls = 0;
        Ok(Self {
            order,
            hash: format!("{}/{order}", paths.definition),
            transitions,
            totals,
        })
    }

    /// The chain order.
    #[must_use]
    pub fn order(&self) -> usize {
        self.order
    }

    /// Attributable conversions (of paths with at least one touch).
    #[must_use]
    pub fn conversions(&self) -> f64 {
        count_f64(self.totals.conversions)
    }

    /// Their value.
    #[must_use]
    pub fn value(&self) -> f64 {
        from_fixed(self.totals.value)
    }

    /// The counts as floats, for the solver.
    pub(crate) fn weighted(&self) -> BTreeMap<(State, State), f64> {
        self.transitions
            .iter()
            .map(|(k, &v)| (k.clone(), count_f64(v)))
            .collect()
    }

    /// Markov removal-effect attribution of these counts.
    ///
    /// # Errors
    /// `invalid_option` for bad options.
    pub fn markov(&self, options: &super::AttributionOptions) -> Result<super::MarkovResult> {
        let o = super::AttributionOptions {
            markov_order: self.order.max(1),
            ..options.clone()
        };
        Ok(markov::solve(&self.weighted(), self.conversions(), self.value(), &o)?.0)
    }
}

impl Mergeable for TransitionCounts {
    fn identity() -> Self {
        Self::default()
    }

    fn merge(self, other: Self) -> Result<Self> {
        if self.hash.is_empty() {
            return Ok(other);
        }
        if other.hash.is_empty() {
            return Ok(self);
        }
        if self.hash != other.hash || self.order != other.order {
            return Err(incompatible());
        }
        let mut transitions = self.transitions;
        for (k, v) in other.transitions {
            let e = transitions.entry(k).or_insert(0);
            *e = e.saturating_add(v);
        }
        let mut totals = self.totals;
        totals.add(&other.totals);
        Ok(Self {
            order: self.order,
            hash: self.hash,
            transitions,
            totals,
        })
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut w = header(KIND_TRANSITIONS);
        put_str(&mut w, &self.hash);
        put_u64(&mut w, self.order as u64);
        write_counts(&mut w, &self.totals);
        put_u64(&mut w, self.transitions.len() as u64);
        for ((from, to), n) in &self.transitions {
            write_state(&mut w, from);
            write_state(&mut w, to);
            put_u64(&mut w, *n);
        }
        seal(w)
    }

    fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(KIND_TRANSITIONS)?;
        let hash = r.string()?;
        let order = usize::try_from(r.u64()?).map_err(|_| invalid_state("bad order"))?;
        if hash.is_empty() != (order == 0) || order > markov::MAX_ORDER {
            return Err(invalid_state("bad order"));
        }
        let totals = r.counts()?;
        let n = r.len(10)?;
        let mut transitions = BTreeMap::new();
        let mut prev: Option<(State, State)> = None;
        for _ in 0..n {
            let from = r.state(order)?;
            let to = r.state(order)?;
            let count = r.u64()?;
            if matches!(from, State::Conversion | State::Null) || matches!(to, State::Start) {
                return Err(invalid_state("a transition out of an absorbing state"));
            }
            let key = (from, to);
            if prev.as_ref().is_some_and(|p| p >= &key) {
                return Err(invalid_state("keys not sorted and unique"));
            }
            prev = Some(key.clone());
            transitions.insert(key, count);
        }
        r.end()?;
        Ok(Self {
            order,
            hash,
            transitions,
            totals,
        })
    }
}

fn write_counts(w: &mut Vec<u8>, c: &Counts) {
    put_u64(w, c.conversions);
    put_u64(w, c.nulls);
    w.extend_from_slice(&c.value.to_le_bytes());
}

fn write_state(w: &mut Vec<u8>, s: &State) {
    match s {
        State::Start => w.push(0),
        State::Channels(c) => {
            w.push(1);
            put_u64(w, c.len() as u64);
            for x in c {
                put_str(w, x);
            }
        }
        State::Conversion => w.push(2),
        State::Null => w.push(3),
    }
}

/// What attribution states read beyond the shared primitives.
trait ReadAttribution {
    fn counts(&mut self) -> Result<Counts>;
    fn state(&mut self, order: usize) -> Result<State>;
}

impl ReadAttribution for Reader<'_> {
    fn counts(&mut self) -> Result<Counts> {
        let conversions = self.u64()?;
        let nulls = self.u64()?;
        let value = i128::from_le_bytes(self.array::<16>()?);
        Ok(Counts {
            conversions,
            nulls,
            value,
        })
    }

    fn state(&mut self, order: usize) -> Result<State> {
        Ok(match self.u8()? {
            0 => State::Start,
            1 => {
                let k = self.len(8)?;
                if k == 0 || k > order {
                    return Err(invalid_state("a state longer than the order"));
                }
                State::Channels((0..k).map(|_| self.string()).collect::<Result<Vec<_>>>()?)
            }
            2 => State::Conversion,
            3 => State::Null,
            _ => return Err(invalid_state("bad state tag")),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
    use super::{prefix, sort_in_halves};
    use crate::attribution::paths::{for_each_journey, PathOptions, PathTable};
    use crate::events::synth::{generate_log, SynthOptions};
    use std::collections::BTreeMap;

    /// Conversions, nulls and value of a (channels, times) key.
    type Want = BTreeMap<(Vec<String>, Vec<i64>), (u64, u64, f64)>;

    /// A log long enough to be read in two halves on two threads gives the table a
    /// plain map of every journey gives (owned names, one pass, no hashing of codes):
    /// with and without times, and with a lookback.
    #[test]
    fn a_long_log_gives_the_table_of_its_journeys() {
        let (log, _) = generate_log(&SynthOptions {
            customers: 12_000,
            ..SynthOptions::default()
        });
        assert!(
            log.len() >= crate::events::PARALLEL_ROWS,
            "{} events",
            log.len()
        );
        for (keep_times, lookback) in [(false, None), (true, None), (true, Some(86_400.0))] {
            let options = PathOptions {
                conversion_events: vec!["purchase".to_owned()],
                keep_times,
                lookback_seconds: lookback,
                ..PathOptions::default()
            };
            let table = PathTable::from_log(&log, None, &options).unwrap();
            let mut want = Want::new();
            for_each_journey(&log, None, &options, 0..log.customers.len(), |names, j| {
                let channels = j
                    .channels
                    .iter()
                    .map(|&c| names[c as usize].clone())
                    .collect();
                let deltas = if keep_times && j.converted {
                    j.deltas.to_vec()
                } else {
                    Vec::new()
                };
                let e = want.entry((channels, deltas)).or_default();
                e.0 += u64::from(j.converted);
                e.1 += u64::from(!j.converted);
                e.2 += j.value;
            })
            .unwrap();
            assert!(want.len() > 1_000, "{} paths", want.len());
            let got: Vec<(Vec<String>, Option<usize>, f64, f64)> = table
                .rows
                .iter()
                .map(|r| {
                    (
                        r.channels.clone(),
                        r.seconds_to_conversion.as_ref().map(Vec::len),
                        r.conversions,
                        r.nulls,
                    )
                })
                .collect();
            #[allow(clippy::cast_precision_loss, reason = "small counts")]
            let expected: Vec<(Vec<String>, Option<usize>, f64, f64)> = want
                .iter()
                .map(|((c, d), &(conv, nulls, _))| {
                    (
                        c.clone(),
                        (!d.is_empty()).then_some(d.len()),
                        conv as f64,
                        nulls as f64,
                    )
                })
                .collect();
            assert_eq!(
                got, expected,
                "keep_times {keep_times}, lookback {lookback:?}"
            );
            let value: f64 = table.rows.iter().map(|r| r.value).sum();
            let want_value: f64 = want.values().map(|v| v.2).sum();
            assert!((value - want_value).abs() < 1e-6 * want_value.abs().max(1.0));
        }
    }

    /// Long lists (sorted on two threads, then merged) and short ones come out as one
    /// sort gives, duplicates included.
    #[test]
    fn sorting_in_halves_equals_one_sort() {
        let mut x: u64 = 7;
        for n in [0usize, 1, 2, 1000, (1 << 15) + 1, 100_003] {
            let items: Vec<u64> = (0..n)
                .map(|_| {
                    // SplitMix64 steps, folded to few values so that duplicates occur.
                    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = x;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    (z ^ (z >> 31)) % 5_000
                })
                .collect();
            let mut want = items.clone();
            want.sort_unstable();
            assert_eq!(sort_in_halves(items, Ord::cmp), want, "{n} items");
        }
    }

    /// Packed prefixes order paths as their codes do on the codes that fit, shorter
    /// first; paths equal on those have equal prefixes (the whole path then decides).
    #[test]
    fn prefixes_order_paths_by_their_first_codes() {
        use super::code_bits;
        // 65,534 labels: 16 bits a code, 8 codes.
        let bits = code_bits(65_534);
        assert_eq!(bits, 16);
        let paths: [&[u32]; 7] = [&[], &[0], &[0, 0], &[0, 1], &[0, 1, 2, 3], &[1], &[65_533]];
        for w in paths.windows(2) {
            assert!(
                prefix(w[0], bits) < prefix(w[1], bits),
                "{:?} {:?}",
                w[0],
                w[1]
            );
        }
        let long = [1, 2, 3, 4, 5, 6, 7, 8];
        assert_eq!(
            prefix(&[1, 2, 3, 4, 5, 6, 7, 8, 9], bits),
            prefix(&long, bits)
        );
        assert!(prefix(&[1, 2, 3, 4, 5, 6, 7], bits) < prefix(&long, bits));
        // 7 labels: 3 bits, 42 codes.
        let bits = code_bits(7);
        assert_eq!(bits, 3);
        let a: Vec<u32> = (0..42).map(|i| i % 7).collect();
        let mut b = a.clone();
        b.push(6);
        assert_eq!(prefix(&a, bits), prefix(&b, bits));
        let mut c = a.clone();
        c[41] = 2;
        assert!(prefix(&c, bits) < prefix(&a, bits));
        assert!(prefix(&[6], bits) > prefix(&[5, 6, 6, 6], bits));
        // No labels: nothing to pack.
        assert_eq!(code_bits(0), 0);
        assert_eq!(prefix(&[], 0), 0);
    }
}
