//! The per-customer sequence view shared by the log and the mergeable states, so that
//! every analysis has one implementation and a merged state gives exactly the log's
//! result.

use super::log::{CustomerIds, EventLog, StrColumn};
use std::ops::Range;

/// Customers with their events sorted by (timestamp, global row), strings interned into
/// sorted dictionaries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seqs<'a> {
    pub(crate) customers: CustomerNames<'a>,
    pub(crate) offsets: &'a [usize],
    pub(crate) ts: &'a [i64],
    pub(crate) sym: &'a [u32],
    pub(crate) names: &'a [String],
    /// A string column aligned with `ts` (breakdowns), with its dictionary.
    pub(crate) group: Option<(&'a [u32], &'a [String])>,
}

impl<'a> Seqs<'a> {
    pub(crate) fn from_log(log: &'a EventLog, group: Option<&'a StrColumn>) -> Self {
        Self {
            customers: CustomerNames::Log(&log.customers),
            offsets: &log.offsets,
            ts: &log.ts,
            sym: &log.event,
            names: &log.names,
            group: group.map(|g| (g.ids.as_slice(), g.dict.as_slice())),
        }
    }

    pub(crate) fn customer_count(&self) -> usize {
        self.customers.len()
    }

    pub(crate) fn range(&self, c: usize) -> Range<usize> {
        let start = self.offsets.get(c).copied().unwrap_or(0);
        let end = self.offsets.get(c + 1).copied().unwrap_or(start);
        start..end.max(start)
    }

    /// Timestamps and symbols of customer `c`.
    pub(crate) fn customer(&self, c: usize) -> (&'a [i64], &'a [u32], Option<&'a [u32]>) {
        let r = self.range(c);
        (
            self.ts.get(r.clone()).unwrap_or(&[]),
            self.sym.get(r.clone()).unwrap_or(&[]),
            self.group.map(|(g, _)| g.get(r).unwrap_or(&[])),
        )
    }
}

/// The customer ids of a log or of a state.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CustomerNames<'a> {
    /// A log's ids.
    Log(&'a CustomerIds),
    /// A state's ids, as text.
    Strs(&'a [String]),
}

impl CustomerNames<'_> {
    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Log(ids) => ids.len(),
            Self::Strs(s) => s.len(),
        }
    }

    /// Customer `c` as text.
    pub(crate) fn name(&self, c: usize) -> Option<String> {
        match self {
            Self::Log(ids) => ids.name(c),
            Self::Strs(s) => s.get(c).cloned(),
        }
    }
}

/// A ratio, `None` when the denominator is zero.
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
