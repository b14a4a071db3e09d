//! The per-customer sequence view shared by the log and the mergeable states, so that
//! every analysis has one implementation and a merged state gives exactly the log's
//! result.

use super::log::{CustomerIds, EventLog, StrColumn};
use super::order::{both, PARALLEL, PARALLEL_ROWS};
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
    /// The customers of this view, `from..to` (indices into `customers` and `offsets`):
    /// all of them, or a part while a long log is read on two threads ([`par_tally`]).
    pub(crate) from: usize,
    pub(crate) to: usize,
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
            from: 0,
            to: log.customers.len(),
        }
    }

    pub(crate) fn customer_count(&self) -> usize {
        self.to.saturating_sub(self.from)
    }

    /// Events of customer `c` of this view, as positions in `ts`.
    pub(crate) fn range(&self, c: usize) -> Range<usize> {
        let c = self.from.saturating_add(c);
        let start = self.offsets.get(c).copied().unwrap_or(0);
        let end = self.offsets.get(c + 1).copied().unwrap_or(start);
        start..end.max(start)
    }

    /// Customer `c` of this view as text.
    pub(crate) fn name(&self, c: usize) -> Option<String> {
        self.customers.name(self.from.saturating_add(c))
    }

    /// Events in this view.
    fn events(&self) -> usize {
        let at = |c: usize| self.offsets.get(c).copied().unwrap_or(0);
        at(self.to).saturating_sub(at(self.from))
    }

    /// The view split in two at the customer boundary nearest half its events.
    fn halves(&self) -> (Self, Self) {
        let at = |c: usize| self.offsets.get(c).copied().unwrap_or(0);
        let target = at(self.from).saturating_add(self.events() / 2);
        let (start, end) = (self.from, self.to);
        // The first customer of the view starting at or after `target`, kept inside the
        // view so that each half has a customer when the view has two.
        let mid = start
            + self
                .offsets
                .get(start..end)
                .unwrap_or(&[])
                .partition_point(|&o| o < target);
        let mid = if end.saturating_sub(start) >= 2 {
            mid.max(start + 1).min(end - 1)
        } else {
            mid
        };
        let mut left = *self;
        let mut right = *self;
        left.to = mid;
        right.from = mid;
        (left, right)
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

/// `tally` over the customers of `seqs`: on a native target and a view of at least
/// [`PARALLEL_ROWS`] events, its two halves (by events, at a customer boundary) on two
/// threads, the second half's tally added to the first's with `add`. Every tally this
/// serves is a sum over customers, so the result equals one pass over all of them.
pub(crate) fn par_tally<'a, T: Send>(
    seqs: &Seqs<'a>,
    tally: impl Fn(&Seqs<'a>) -> T + Sync,
    add: impl FnOnce(&mut T, &T),
) -> T {
    par_tally_from(seqs, PARALLEL_ROWS, tally, add)
}

/// [`par_tally`] with the threshold given (tests split small logs).
pub(crate) fn par_tally_from<'a, T: Send>(
    seqs: &Seqs<'a>,
    min_events: usize,
    tally: impl Fn(&Seqs<'a>) -> T + Sync,
    add: impl FnOnce(&mut T, &T),
) -> T {
    if !PARALLEL || seqs.events() < min_events || seqs.customer_count() < 2 {
        return tally(seqs);
    }
    let (left, right) = seqs.halves();
    let [mut a, b] = both(true, || tally(&left), || tally(&right));
    add(&mut a, &b);
    a
}

/// The customer ids of a log or of a state.
#[derive(Debug, Clone, Copy)]
pub(crate) enum CustomerNames<'a> {
    /// A log's ids.
    Log(&'a CustomerIds),
    /// A state's ids, as text.
    Strs(&'a [String]),
    /// Units numbered 0, 1, … (sessions counted, never named).
    Numbered,
}

impl CustomerNames<'_> {
    /// Customer `c` as text.
    pub(crate) fn name(&self, c: usize) -> Option<String> {
        match self {
            Self::Log(ids) => ids.name(c),
            Self::Strs(s) => s.get(c).cloned(),
            Self::Numbered => Some(c.to_string()),
        }
    }
}

/// A ratio, `None` when the denominator is zero.
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
pub(crate) fn ratio(num: u64, den: u64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::funnel::Funnel;
    use crate::events::paths::{dfg_tally_part, flow_tally_part, sequence_counts, Collapsed};
    use crate::events::synth::{generate_log, SynthOptions};
    use crate::events::{
        DirectlyFollowsOptions, FlowOptions, FunnelOptions, RetentionOptions, TrendsOptions,
        VariantOptions,
    };
    use crate::events::{EventLog, IngestOptions, RawEvent};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Two halves on two threads, added, give exactly one pass over all customers,
        /// for every tally read that way (threshold 0, so small logs split too).
        #[test]
        fn halves_add_up_to_the_whole(customers in 2usize..120, seed in 0u64..1000) {
            let (log, _) = generate_log(&SynthOptions { customers, seed, ..SynthOptions::default() });
            let whole = Seqs::from_log(&log, Some(&log.channel));
            let (left, right) = whole.halves();
            prop_assert_eq!(left.from, 0);
            prop_assert_eq!(left.to, right.from);
            prop_assert_eq!(right.to, log.customers.len());
            prop_assert_eq!(left.events() + right.events(), log.len());
            prop_assert!(left.customer_count() > 0 && right.customer_count() > 0);

            let names: Vec<String> = log.event_names().iter().take(4).cloned().collect();
            let options = FunnelOptions { breakdown: Some("channel".into()), ..FunnelOptions::default() };
            let plan = Funnel::events(&names).with_options(options).plan(None).unwrap();
            let serial = plan.tally_part(&whole);
            let split = par_tally_from(&whole, 0, |p| plan.tally_part(p), crate::events::funnel::Tally::add);
            prop_assert!(serial.overall.at_depth.iter().sum::<u64>() > 0);
            prop_assert_eq!(split, serial);

            let plain = Seqs::from_log(&log, None);
            let o = DirectlyFollowsOptions::default();
            let serial = dfg_tally_part(&plain, &o);
            prop_assert_eq!(par_tally_from(&plain, 0, |p| dfg_tally_part(p, &o), crate::events::paths::DfgTally::add), serial);

            let o = FlowOptions::default();
            let serial = flow_tally_part(&plain, &o);
            prop_assert_eq!(par_tally_from(&plain, 0, |p| flow_tally_part(p, &o), crate::events::paths::FlowTally::add), serial);

            let (plan, _) = RetentionOptions::default().tally(&log).unwrap();
            let serial = plan.tally_part(&whole);
            prop_assert_eq!(par_tally_from(&whole, 0, |p| plan.tally_part(p), crate::events::retention::RetentionTally::add), serial);

            // Traffic of a map binding the log's first three event names (one of them in
            // two touchpoints).
            let names = log.event_names();
            let journey = crate::load_str(&format!(
                r#"{{"schema_version": 1, "id": "j", "name": "J",
                   "stages": [{{"id": "s1", "name": "A"}}, {{"id": "s2", "name": "B"}}],
                   "channels": [{{"id": "web", "name": "Web", "kind": "online"}}],
                   "touchpoints": [
                     {{"id": "t1", "name": "T1", "stage": "s1", "channel": "web", "events": [{:?}, {:?}]}},
                     {{"id": "t2", "name": "T2", "stage": "s2", "channel": "web", "events": [{:?}, {:?}]}}]}}"#,
                names[0], names[1], names[1], names[2 % names.len()]
            )).unwrap();
            let serial = crate::events::bind::traffic_tally_part(&plain, &journey);
            prop_assert_eq!(par_tally_from(&plain, 0, |p| crate::events::bind::traffic_tally_part(p, &journey), crate::events::bind::TrafficTally::add), serial);

            let trends = TrendsOptions { breakdown: Some("channel".into()), ..TrendsOptions::default() };
            let (plan, _) = trends.tally(&log).unwrap();
            let serial = plan.tally_part(&whole);
            prop_assert_eq!(par_tally_from(&whole, 0, |p| plan.tally_part(p), crate::events::trends::TrendsTally::add), serial);
        }

        /// Variants, every shaping, split at threshold 0, against building each sequence
        /// anew; three event names, so consecutive repeats are common.
        #[test]
        fn split_variants_equal_a_rebuilt_count(
            rows in proptest::collection::vec((0u8..12, 0i64..40, 0u8..3), 1..200),
        ) {
            let names = ["a", "b", "c"];
            let ids: Vec<String> = (0..12).map(|c| format!("c{c}")).collect();
            let (log, _) = EventLog::from_rows(
                rows.iter().map(|&(c, t, e)| {
                    RawEvent::new(&ids[usize::from(c)], t, names[usize::from(e)])
                }),
                IngestOptions::default(),
            ).unwrap();
            let plain = Seqs::from_log(&log, None);
            for (collapse_repeats, max_length) in [(false, None), (true, None), (false, Some(3)), (true, Some(2))] {
                let o = VariantOptions { collapse_repeats, max_length, ..VariantOptions::default() };
                let mut reference: std::collections::BTreeMap<Vec<u32>, u64> = Default::default();
                for c in 0..plain.customer_count() {
                    let (_, sym, _) = plain.customer(c);
                    let mut seq: Vec<u32> = Vec::new();
                    for &e in sym {
                        if collapse_repeats && seq.last() == Some(&e) { continue; }
                        seq.push(e);
                    }
                    seq.truncate(max_length.unwrap_or(usize::MAX));
                    *reference.entry(seq).or_insert(0) += 1;
                }
                let collapsed = Collapsed::of(&plain, &o);
                let (customers, counts) = sequence_counts(&plain, &o, &collapsed, 0);
                prop_assert_eq!(customers, log.customers.len() as u64);
                let split: std::collections::BTreeMap<Vec<u32>, u64> =
                    counts.into_iter().map(|(k, n)| (k.to_vec(), n)).collect();
                prop_assert_eq!(split, reference);
            }
        }
    }
}
