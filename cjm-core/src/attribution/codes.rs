//! The path table on label codes: what every model reads.
//!
//! A [`PathTable`] names its channels in each row, as analysts' tables and the public API
//! do. The models never compare or hash those names per touch: they run on a
//! [`CodeTable`], whose rows are slices of integer codes into one sorted list of labels
//! (so that code order is name order) over three flat buffers. A log's paths are built
//! as codes from the start ([`super::state`]) and only become names when a caller asks
//! for the table itself.

use super::paths::{PathRow, PathTable};
use rustc_hash::FxHashMap;

/// One row: where its codes and times sit in the table's buffers, and its counts.
#[derive(Debug, Clone, Copy)]
struct Slot {
    start: usize,
    len: usize,
    /// Where the row's times start, and how many (`None`: the row has no times).
    times: Option<(usize, usize)>,
    conversions: f64,
    value: f64,
    nulls: f64,
}

/// A path table whose channels are codes into [`CodeTable::labels`].
#[derive(Debug, Clone, Default)]
pub(crate) struct CodeTable {
    /// The channel names, sorted and distinct: a lower code is a smaller name.
    pub(crate) labels: Vec<String>,
    slots: Vec<Slot>,
    codes: Vec<u32>,
    seconds: Vec<f64>,
}

/// One row of a [`CodeTable`], borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    /// The channels in order, as codes.
    pub(crate) codes: &'a [u32],
    /// Seconds from each touch to the conversion, when known (as given: a table may hold
    /// a number of times that differs from its touches, which time decay refuses).
    pub(crate) seconds: Option<&'a [f64]>,
    pub(crate) conversions: f64,
    pub(crate) value: f64,
    pub(crate) nulls: f64,
}

impl CodeTable {
    /// An empty table over `labels`, which must be sorted and distinct.
    pub(crate) fn with_labels(labels: Vec<String>, rows: usize) -> Self {
        Self {
            labels,
            slots: Vec::with_capacity(rows),
            codes: Vec::new(),
            seconds: Vec::new(),
        }
    }

    /// Appends the rows of `other` (a table with the same labels).
    pub(crate) fn append(&mut self, other: Self) {
        let (codes, seconds) = (self.codes.len(), self.seconds.len());
        self.slots.extend(other.slots.into_iter().map(|s| Slot {
            start: s.start + codes,
            times: s.times.map(|(from, len)| (from + seconds, len)),
            ..s
        }));
        self.codes.extend(other.codes);
        self.seconds.extend(other.seconds);
    }

    /// Appends a row.
    pub(crate) fn push(
        &mut self,
        codes: impl IntoIterator<Item = u32>,
        seconds: Option<Vec<f64>>,
        conversions: f64,
        value: f64,
        nulls: f64,
    ) {
        let start = self.codes.len();
        self.codes.extend(codes);
        let times = seconds.map(|s| {
            let from = self.seconds.len();
            self.seconds.extend(s);
            (from, self.seconds.len() - from)
        });
        self.slots.push(Slot {
            start,
            len: self.codes.len() - start,
            times,
            conversions,
            value,
            nulls,
        });
    }

    /// The codes of a named table: one hash per touch, no string allocated per row.
    pub(crate) fn from_table(table: &PathTable) -> Self {
        let mut first: FxHashMap<&str, u32> = FxHashMap::default();
        let mut names: Vec<&str> = Vec::new();
        for c in table.rows.iter().flat_map(|r| &r.channels) {
            first.entry(c.as_str()).or_insert_with(|| {
                names.push(c.as_str());
                u32::try_from(names.len() - 1).unwrap_or(u32::MAX)
            });
        }
        // Codes in order of first appearance, then renumbered by name.
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_unstable_by(|&a, &b| names.get(a).cmp(&names.get(b)));
        let mut rank = vec![0u32; names.len()];
        for (r, &i) in order.iter().enumerate() {
            if let Some(slot) = rank.get_mut(i) {
                *slot = u32::try_from(r).unwrap_or(u32::MAX);
            }
        }
        let labels = order
            .iter()
            .filter_map(|&i| names.get(i).map(|&s| s.to_owned()))
            .collect();
        let mut out = Self::with_labels(labels, table.rows.len());
        for r in &table.rows {
            let codes = r.channels.iter().map(|c| {
                first
                    .get(c.as_str())
                    .and_then(|&k| rank.get(k as usize))
                    .copied()
                    .unwrap_or(u32::MAX)
            });
            out.push(
                codes,
                r.seconds_to_conversion.clone(),
                r.conversions,
                r.value,
                r.nulls,
            );
        }
        out
    }

    /// The named table.
    pub(crate) fn to_table(&self) -> PathTable {
        PathTable {
            rows: self
                .rows()
                .map(|r| PathRow {
                    channels: r.codes.iter().map(|&k| self.label(k).to_owned()).collect(),
                    seconds_to_conversion: r.seconds.map(<[f64]>::to_vec),
                    conversions: r.conversions,
                    value: r.value,
                    nulls: r.nulls,
                })
                .collect(),
        }
    }

    /// The name of a code (empty for a code out of range, which no table holds).
    pub(crate) fn label(&self, code: u32) -> &str {
        self.labels.get(code as usize).map_or("", String::as_str)
    }

    /// The code of a name, if it is a label.
    pub(crate) fn code(&self, name: &str) -> Option<u32> {
        self.labels
            .binary_search_by(|l| l.as_str().cmp(name))
            .ok()
            .and_then(|i| u32::try_from(i).ok())
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// The rows, in table order.
    pub(crate) fn rows(&self) -> impl Iterator<Item = Row<'_>> + '_ {
        self.slots.iter().map(|s| Row {
            codes: self.codes.get(s.start..s.start + s.len).unwrap_or(&[]),
            seconds: s
                .times
                .map(|(from, n)| self.seconds.get(from..from + n).unwrap_or(&[])),
            conversions: s.conversions,
            value: s.value,
            nulls: s.nulls,
        })
    }

    /// Which labels some row touches, by code.
    pub(crate) fn used(&self) -> Vec<bool> {
        let mut used = vec![false; self.labels.len()];
        for &k in &self.codes {
            if let Some(u) = used.get_mut(k as usize) {
                *u = true;
            }
        }
        used
    }
}
