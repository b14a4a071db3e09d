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
use rustc_hash::FxHashMap;
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

/// A key of [`CodePaths`]: touch codes, and nanoseconds to conversion per touch (empty
/// when times are not kept).
type CodeKey = (Vec<u32>, Vec<i64>);

/// The journeys of a log aggregated on label codes: one hash per journey, an allocation
/// per distinct key, no string compared or allocated per touch.
#[derive(Default)]
struct CodePaths {
    labels: Vec<String>,
    untimed: FxHashMap<Vec<u32>, Counts>,
    /// One entry per converting journey with times (nearly all distinct: equal keys
    /// are merged by [`Self::sorted`]).
    timed: Vec<(CodeKey, Counts)>,
}

impl CodePaths {
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
        let mut right = Ok(Self::default());
        let left = std::thread::scope(|scope| {
            scope.spawn(|| right = Self::of_range(log, journey, options, half..customers));
            Self::of_range(log, journey, options, 0..half)
        });
        // The left half's error first, as one pass in customer order would give.
        let mut left = left?;
        let right = right?;
        if left.labels.is_empty() {
            left.labels = right.labels;
        }
        for (key, c) in right.untimed {
            left.untimed.entry(key).or_default().add(&c);
        }
        left.timed.extend(right.timed);
        Ok(left)
    }

    fn of_range(
        log: &EventLog,
        journey: Option<&ValidJourney>,
        options: &PathOptions,
        customers: std::ops::Range<usize>,
    ) -> Result<Self> {
        let mut untimed: FxHashMap<Vec<u32>, Counts> = FxHashMap::default();
        let mut timed: Vec<(CodeKey, Counts)> = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut bad_value: Option<f64> = None;
        for_each_journey(log, journey, options, customers, |names, j| {
            if labels.is_empty() && !names.is_empty() {
                labels = names.to_vec();
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
            if options.keep_times && j.converted && !j.deltas.is_empty() {
                timed.push(((j.channels.to_vec(), j.deltas.to_vec()), c));
            } else if let Some(counts) = untimed.get_mut(j.channels) {
                counts.add(&c);
            } else {
                untimed.insert(j.channels.to_vec(), c);
            }
        })?;
        if let Some(v) = bad_value {
            return Err(Error::Input {
                code: crate::InputCode::OutOfRange,
                row: None,
                message: format!("conversion value `{v}` is too large"),
            });
        }
        Ok(Self {
            labels,
            untimed,
            timed,
        })
    }

    /// The labels sorted and deduplicated, and the distinct keys in the order of their
    /// named form (paths by label text, then times) with codes into those labels. Codes
    /// are replaced by the rank of their label, so integer comparisons sort as the text
    /// would; keys whose labels are equal are merged.
    fn sorted(self) -> (Vec<String>, Vec<(CodeKey, Counts)>) {
        let Self {
            labels,
            untimed,
            timed,
        } = self;
        let (sorted, rank) = crate::events::sort_dict(labels);
        // In place: no allocation per key.
        let rank_of = |mut codes: Vec<u32>| -> Vec<u32> {
            for k in &mut codes {
                *k = rank.get(*k as usize).copied().unwrap_or(u32::MAX);
            }
            codes
        };
        // Each key with a prefix of its first codes, so most comparisons read no heap.
        let fits = sorted.len() < usize::from(u16::MAX);
        let keyed = |codes: Vec<u32>, deltas: Vec<i64>, c: Counts| {
            let codes = rank_of(codes);
            (prefix(&codes, fits), (codes, deltas), c)
        };
        let keys: Vec<(u64, CodeKey, Counts)> = untimed
            .into_iter()
            .map(|(codes, c)| keyed(codes, Vec::new(), c))
            .chain(
                timed
                    .into_iter()
                    .map(|((codes, deltas), c)| keyed(codes, deltas, c)),
            )
            .collect();
        let keys = sort_in_halves(keys, |a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let mut merged: Vec<(CodeKey, Counts)> = Vec::with_capacity(keys.len());
        for (_, key, c) in keys {
            match merged.last_mut() {
                Some((last, counts)) if *last == key => counts.add(&c),
                _ => merged.push((key, c)),
            }
        }
        (sorted, merged)
    }
}

/// The first four codes of a path packed so that integer order is the order of paths on
/// them: (code + 1) in 16 bits each, 0 past the end of the path (a path sorts before its
/// extensions). 0 for every path when codes do not all fit (`fits` is false), so that
/// every comparison then reads the whole path.
fn prefix(codes: &[u32], fits: bool) -> u64 {
    if !fits {
        return 0;
    }
    (0..4).fold(0u64, |p, i| {
        (p << 16) | codes.get(i).map_or(0, |&c| u64::from(c) + 1)
    })
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
    let mut left = items;
    let mut right = right;
    std::thread::scope(|scope| {
        scope.spawn(|| right.sort_unstable_by(&cmp));
        left.sort_unstable_by(&cmp);
    });
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
    let mut table = CodeTable::with_labels(labels, keys.len());
    for ((codes, deltas), c) in keys {
        table.push(
            codes,
            seconds(&deltas),
            count_f64(c.conversions),
            from_fixed(c.value),
            count_f64(c.nulls),
        );
    }
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
        let paths = keys
            .into_iter()
            .map(|((codes, deltas), c)| ((name(&labels, &codes), deltas), c))
            .collect();
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

    /// Packed prefixes order paths as their codes do on the first four, shorter first.
    #[test]
    fn prefixes_order_paths_by_their_first_codes() {
        let paths: [&[u32]; 7] = [&[], &[0], &[0, 0], &[0, 1], &[0, 1, 2, 3], &[1], &[65_533]];
        for w in paths.windows(2) {
            assert!(
                prefix(w[0], true) < prefix(w[1], true),
                "{:?} {:?}",
                w[0],
                w[1]
            );
        }
        // Equal on the first four codes: equal prefixes (the whole path decides).
        assert_eq!(prefix(&[1, 2, 3, 4, 5], true), prefix(&[1, 2, 3, 4], true));
        assert_eq!(prefix(&[9], false), prefix(&[1], false));
    }
}
