//! The per-customer sequence view shared by the log and the mergeable states, so that
//! every analysis has one implementation and a merged state gives exactly the log's
//! result.

use super::log::{EventLog, StrColumn};
use std::ops::Range;

/// Customers with their events sorted by (timestamp, global row), strings interned into
/// sorted dictionaries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Seqs<'a> {
    pub(crate) customers: &'a [String],
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
            customers: &log.customers,
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

    pub(crate) fn name(&self, sym: u32) -> &'a str {
        self.names.get(sym as usize).map_or("", String::as_str)
    }
}

/// Nearest-rank percentile of sorted values: the value of rank `ceil(p/100 · n)` (1-based,
/// at least 1). The median is the 50th nearest-rank percentile, i.e. the lower middle
/// value for an even count.
pub(crate) fn nearest_rank(sorted: &[i64], p: u64) -> Option<i64> {
    let n = sorted.len() as u64;
    if n == 0 {
        return None;
    }
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(usize::try_from(rank - 1).ok()?).copied()
}

/// A ratio, `None` when the denominator is zero.
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}
