//! The ordering step of [`super::EventLogBuilder::finish`]: rows by customer key, then
//! time, then input row.
//!
//! Hand-written rather than taken from a sort crate because the rows are not sorted as
//! values: each row travels as an [`Item`] that carries the columns every log has (key,
//! time, event and channel codes, builder index), so the sorted log is then written in one
//! sequential pass. Gathering each column through a permutation instead costs a cache
//! miss per row and column, which on 10M-row logs was most of the ingest time.
//!
//! The sort is a stable most-significant-digit radix sort on the customer key, on the
//! bits where the keys of a bucket differ (so random 64-bit ids, small dense ids and
//! ranks of sorted strings all split evenly): one pass that scatters the builder's
//! columns into cache-sized buckets, then each bucket sorted in cache. Rows of one
//! customer keep their builder order; a customer whose rows are not already in
//! `(time, row)` order (logs usually arrive in time order) is then sorted on its own.

/// One row while the log is ordered.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Item {
    /// Customer key: the sort order of the customer (an integer id with its sign bit
    /// flipped, or the rank of a string id).
    pub key: u64,
    /// Timestamp, nanoseconds.
    pub ts: i64,
    /// Index of the row in the builder's columns.
    pub idx: u32,
    /// The row's event code (builder-local), and its channel code packed in when both
    /// fit in 16 bits (see [`Codes`]).
    pub codes: u32,
}

/// How [`Item::codes`] holds a row's event and channel codes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Codes {
    /// Event in the low 16 bits, channel in the high 16 (`0xFFFF`: none).
    Packed,
    /// The event code alone; channels are looked up by row.
    Event,
}

impl Codes {
    /// Packed when every event and channel code fits in 16 bits.
    pub(crate) fn for_sizes(events: usize, channels: usize) -> Self {
        if events < 0xFFFF && channels < 0xFFFF {
            Self::Packed
        } else {
            Self::Event
        }
    }

    /// The codes of a row.
    #[inline]
    pub(crate) fn pack(self, event: u32, channel: u32) -> u32 {
        match self {
            Self::Packed => (event & 0xFFFF) | (channel.min(0xFFFF) << 16),
            Self::Event => event,
        }
    }

    /// The event code of a row.
    #[inline]
    pub(crate) fn event(self, codes: u32) -> u32 {
        match self {
            Self::Packed => codes & 0xFFFF,
            Self::Event => codes,
        }
    }

    /// The channel code of a row (`NONE` for none), from `codes` when packed, else
    /// from `column` at the row's builder index.
    #[inline]
    pub(crate) fn channel(self, item: &Item, column: &[u32]) -> u32 {
        match self {
            Self::Packed if item.codes >> 16 == 0xFFFF => u32::MAX,
            Self::Packed => item.codes >> 16,
            Self::Event => column.get(item.idx as usize).copied().unwrap_or(u32::MAX),
        }
    }
}

/// Buckets at most this long are sorted by insertion.
const SMALL: usize = 24;

/// Bits of the first pass's digit at most (2,048 buckets).
const TOP_BITS: u32 = 11;

/// Bits of a digit inside a bucket at most (2,048 buckets: about one customer each).
const INNER_BITS: u32 = 11;

/// Digits up to this wide count on the stack.
const SMALL_BITS: u32 = 8;

/// The digit of `key`: bits `shift..shift + bits` of `key - lo`.
#[inline]
fn digit(key: u64, lo: u64, shift: u32) -> usize {
    usize::try_from(key.wrapping_sub(lo) >> shift).unwrap_or(0)
}

/// The shift and width of the digit that splits keys in `lo..=hi` into about `len`
/// buckets (at most `max_bits` bits), or `None` when all keys are equal.
fn digit_of(lo: u64, hi: u64, len: usize, max_bits: u32) -> Option<(u32, u32)> {
    if hi <= lo {
        return None;
    }
    let span = u64::BITS - (hi - lo).leading_zeros();
    let want = (usize::BITS - len.leading_zeros()).clamp(1, max_bits);
    let bits = want.min(span);
    Some((span - bits, bits))
}

/// Sorts `items` by key, stably (rows of one key keep their order).
fn sort_bucket(items: &mut [Item], scratch: &mut Vec<Item>) {
    if items.len() <= SMALL {
        insertion_sort(items);
        return;
    }
    let (lo, hi) = items.iter().fold((u64::MAX, 0u64), |(lo, hi), it| {
        (lo.min(it.key), hi.max(it.key))
    });
    let Some((shift, bits)) = digit_of(lo, hi, items.len(), INNER_BITS) else {
        return;
    };
    // Small digits count on the stack; wide ones (few buckets are that large) on the heap.
    let mut small = [0u32; (1 << SMALL_BITS) + 1];
    let mut large = Vec::new();
    let starts: &mut [u32] = if bits <= SMALL_BITS {
        &mut small
    } else {
        large.resize((1 << bits) + 1, 0);
        &mut large
    };
    for it in items.iter() {
        if let Some(c) = starts.get_mut(digit(it.key, lo, shift) + 1) {
            *c += 1;
        }
    }
    let buckets = 1usize << bits;
    let mut total = 0u32;
    for c in starts.iter_mut().take(buckets + 1) {
        total += *c;
        *c = total;
    }
    scratch.clear();
    scratch.extend_from_slice(items);
    // `starts[b]` walks bucket `b` while it is filled, ending where bucket `b + 1` starts;
    // bucket `b` then starts at `starts[b - 1]`.
    for it in scratch.iter() {
        if let Some(at) = starts.get_mut(digit(it.key, lo, shift)) {
            if let Some(slot) = items.get_mut(*at as usize) {
                *slot = *it;
            }
            *at += 1;
        }
    }
    let mut a = 0u32;
    for b in 0..buckets {
        let z = starts.get(b).copied().unwrap_or(a);
        if z - a > 1 {
            if let Some(bucket) = items.get_mut(a as usize..z as usize) {
                sort_bucket(bucket, scratch);
            }
        }
        a = z;
    }
}

/// Stable insertion sort by key.
fn insertion_sort(items: &mut [Item]) {
    for i in 1..items.len() {
        let mut j = i;
        while j > 0 {
            match (items.get(j - 1), items.get(j)) {
                (Some(a), Some(b)) if a.key > b.key => items.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}

/// The `n` rows made by `make(i)`, sorted stably by key (`key(i)` must equal
/// `make(i).key`).
pub(crate) fn sort_rows(
    n: usize,
    key: impl Fn(usize) -> u64,
    make: impl Fn(usize) -> Item,
) -> Vec<Item> {
    let (lo, hi) = (0..n).fold((u64::MAX, 0u64), |(lo, hi), i| {
        let k = key(i);
        (lo.min(k), hi.max(k))
    });
    // Buckets of ~4,096 rows (128 KiB) are sorted in the core's own cache.
    let Some((shift, bits)) = digit_of(lo, hi, n / 4096, TOP_BITS) else {
        let mut out = Vec::with_capacity(n);
        out.extend((0..n).map(&make));
        return out;
    };
    let buckets = 1usize << bits;
    let mut starts = vec![0usize; buckets + 1];
    for i in 0..n {
        if let Some(c) = starts.get_mut(digit(key(i), lo, shift) + 1) {
            *c += 1;
        }
    }
    let mut total = 0usize;
    for c in &mut starts {
        total += *c;
        *c = total;
    }
    let mut out = vec![Item::default(); n];
    let mut next = starts.clone();
    for i in 0..n {
        let it = make(i);
        if let Some(at) = next.get_mut(digit(it.key, lo, shift)) {
            if let Some(slot) = out.get_mut(*at) {
                *slot = it;
            }
            *at += 1;
        }
    }
    drop(next);
    // The buckets are disjoint: on two threads where there are threads, each sorts
    // the buckets of about half the rows.
    let mut buckets: Vec<&mut [Item]> = Vec::with_capacity(starts.len());
    let mut rest: &mut [Item] = &mut out;
    for w in starts.windows(2) {
        if let [a, z] = *w {
            let len = (z - a).min(rest.len());
            let (bucket, tail) = std::mem::take(&mut rest).split_at_mut(len);
            buckets.push(bucket);
            rest = tail;
        }
    }
    let sort_all = |buckets: &mut [&mut [Item]]| {
        let mut scratch = Vec::new();
        for bucket in buckets.iter_mut().filter(|b| b.len() > 1) {
            sort_bucket(bucket, &mut scratch);
        }
    };
    let half = starts
        .iter()
        .position(|&s| s >= n / 2)
        .unwrap_or(buckets.len())
        .min(buckets.len());
    let (left, right) = buckets.split_at_mut(half);
    if PARALLEL && n >= PARALLEL_ROWS {
        std::thread::scope(|scope| {
            scope.spawn(|| sort_all(left));
            sort_all(right);
        });
    } else {
        sort_all(left);
        sort_all(right);
    }
    drop(buckets);
    out
}

/// Whether the ordering uses a second thread: not in WebAssembly, which has none.
pub(crate) const PARALLEL: bool = cfg!(not(target_arch = "wasm32"));

/// Logs at least this long use a second thread (below, starting it costs more than it
/// saves).
pub(crate) const PARALLEL_ROWS: usize = 1 << 17;

/// Starts of the runs of equal keys in sorted `items`, with `items.len()` at the end.
pub(crate) fn runs(items: &[Item]) -> Vec<usize> {
    let mut offsets = vec![0usize];
    for (i, w) in items.windows(2).enumerate() {
        if let [a, b] = w {
            if a.key != b.key {
                offsets.push(i + 1);
            }
        }
    }
    if !items.is_empty() {
        offsets.push(items.len());
    }
    offsets
}

/// Puts each run of `items` (one customer) in `(time, row)` order, where `row(idx)` is a
/// row's input row. Runs already in order (the usual case) are only checked.
pub(crate) fn order_runs(items: &mut [Item], offsets: &[usize], row: impl Fn(u32) -> u64) {
    for w in offsets.windows(2) {
        let [a, z] = *w else { continue };
        let Some(run) = items.get_mut(a..z) else {
            continue;
        };
        // Within a run, rows are in builder order, which is input order unless row keys
        // were given: a tie in time is in order when the rows are.
        let in_order = run.windows(2).all(|p| match p {
            [x, y] => x.ts < y.ts || (x.ts == y.ts && row(x.idx) <= row(y.idx)),
            _ => true,
        });
        if !in_order {
            run.sort_by_key(|it| (it.ts, row(it.idx)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(keys: &[u64]) -> Vec<Item> {
        keys.iter()
            .enumerate()
            .map(|(i, &key)| Item {
                key,
                idx: u32::try_from(i).unwrap(),
                ..Item::default()
            })
            .collect()
    }

    /// The reference: a stable comparison sort by key.
    fn reference(keys: &[u64]) -> Vec<(u64, u32)> {
        let mut v = items(keys);
        v.sort_by_key(|it| it.key);
        v.iter().map(|it| (it.key, it.idx)).collect()
    }

    fn radix(keys: &[u64]) -> Vec<(u64, u32)> {
        let src = items(keys);
        let out = sort_rows(keys.len(), |i| keys[i], |i| src[i]);
        out.iter().map(|it| (it.key, it.idx)).collect()
    }

    #[test]
    fn sorts_edge_keys_stably() {
        let keys = [u64::MAX, 0, u64::MAX, 1, 0, 1 << 63, (1 << 63) - 1, 7, 7, 7];
        assert_eq!(radix(&keys), reference(&keys));
        assert_eq!(radix(&[]), Vec::<(u64, u32)>::new());
        assert_eq!(radix(&[5; 100]), reference(&[5; 100]));
    }

    #[test]
    fn runs_and_time_order() {
        let mut v = items(&[1, 1, 1, 2, 3, 3]);
        for (it, ts) in v.iter_mut().zip([5, 3, 3, 0, 2, 9]) {
            it.ts = ts;
        }
        let offsets = runs(&v);
        assert_eq!(offsets, vec![0, 3, 4, 6]);
        order_runs(&mut v, &offsets, u64::from);
        let got: Vec<(i64, u32)> = v.iter().map(|it| (it.ts, it.idx)).collect();
        assert_eq!(got, vec![(3, 1), (3, 2), (5, 0), (0, 3), (2, 4), (9, 5)]);
    }

    proptest! {
        /// Large inputs go through the bucket pass and the in-cache passes: random 64-bit
        /// keys, few distinct keys, and keys clustered in a narrow range.
        #[test]
        fn equals_a_stable_sort(
            seed in any::<u64>(),
            n in 0usize..20_000,
            distinct in 1u64..5_000,
            wide in any::<bool>(),
        ) {
            let mut x = seed;
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    let r = x >> 11;
                    if wide { r.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { 1_000 + r % distinct }
                })
                .collect();
            prop_assert_eq!(radix(&keys), reference(&keys));
        }
    }
}
