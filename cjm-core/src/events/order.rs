//! The ordering step of [`super::EventLogBuilder::finish`]: rows by customer key, then
//! time, then input row.
//!
//! Hand-written rather than taken from a sort crate because the rows are not sorted as
//! values: each row travels as an [`Item`] that carries the columns every log has (key,
//! time, event and channel codes, builder index), so that the sorted log is written
//! while each bucket is in cache. Gathering each column through a permutation instead
//! costs a cache miss per row and column, which on 10M-row logs was most of the ingest
//! time.
//!
//! The sort is a stable most-significant-digit radix sort on the customer key, on the
//! bits where the keys of a bucket differ (so random 64-bit ids, small dense ids and
//! ranks of sorted strings all split evenly): [`scatter`] moves the builder's rows into
//! cache-sized buckets (two threads, each into its own slots of every bucket), then
//! [`Scattered::sort`] sorts each bucket in cache and hands it to a [`Sink`] (two
//! threads, each taking the buckets of about half the rows), which puts each customer's
//! rows in `(time, row)` order ([`order_runs`]; logs usually arrive in time order, so
//! this is mostly a check) and writes the log's columns in place.
//!
//! Memory: a long log's scatter consumes its [`Source`] (the builder's columns, or its
//! customer keys: [`Keyed::owned`]), giving back the memory of the rows it has passed; a
//! shorter one reads the customer keys in place ([`Keyed::new`]), freed after the
//! scatter. A long log is also scattered `lean` where it can be (no columns beyond the
//! customer, time, event and channel): each sort thread's buckets are laid out last
//! first, so that the buffer is given back from its end as the sink takes each bucket.
//! The log's columns and the sorted rows are then never held whole together (at 100M
//! events the peak went from 44 to about 24 bytes a row). A shorter log's rows are
//! scattered into one buffer asked for 2 MiB pages (`crate::pages`): fewer page faults
//! as the two threads first write it.

/// One row while the log is ordered: `(key, ts, idx, codes)`, read through [`Fields`].
/// A tuple rather than a struct because a buffer of tuples of integers is allocated
/// zeroed by the system, its pages untouched until the scatter writes them (on two
/// threads); a struct's buffer is written once more, on one thread, to zero it (on 10M
/// rows that was a fifth of the ingest).
pub(crate) type Item = (u64, i64, u32, u32);

/// The fields of an [`Item`].
pub(crate) trait Fields {
    /// Customer key: the sort order of the customer (an integer id with its sign bit
    /// flipped, or the rank of a string id).
    fn key(&self) -> u64;
    /// Timestamp, nanoseconds.
    fn ts(&self) -> i64;
    /// Index of the row in the builder's columns.
    fn idx(&self) -> u32;
    /// The row's event code (builder-local), and its channel code packed in when both
    /// fit in 16 bits (see [`Codes`]).
    fn codes(&self) -> u32;
}

impl Fields for Item {
    #[inline]
    fn key(&self) -> u64 {
        self.0
    }
    #[inline]
    fn ts(&self) -> i64 {
        self.1
    }
    #[inline]
    fn idx(&self) -> u32 {
        self.2
    }
    #[inline]
    fn codes(&self) -> u32 {
        self.3
    }
}

/// How [`Fields::codes`] holds a row's event and channel codes.
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
            Self::Packed if item.codes() >> 16 == 0xFFFF => u32::MAX,
            Self::Packed => item.codes() >> 16,
            Self::Event => column.get(item.idx() as usize).copied().unwrap_or(u32::MAX),
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
        (lo.min(it.key()), hi.max(it.key()))
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
        if let Some(c) = starts.get_mut(digit(it.key(), lo, shift) + 1) {
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
        if let Some(at) = starts.get_mut(digit(it.key(), lo, shift)) {
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
                (Some(a), Some(b)) if a.key() > b.key() => items.swap(j - 1, j),
                _ => break,
            }
            j -= 1;
        }
    }
}

/// Rows in buckets of keys (every row of a key in one bucket, buckets in key order),
/// each bucket not yet sorted: what [`scatter`] leaves for [`Scattered::sort`].
pub(crate) struct Scattered {
    /// Bucket `b` is `starts[b]..starts[b + 1]` of the rows in key order.
    starts: Vec<usize>,
    layout: Layout,
}

/// Where the scattered rows are held.
enum Layout {
    /// One buffer, bucket `b` at `starts[b]..starts[b + 1]`: the sorted rows are kept.
    Flat(Vec<Item>),
    /// Two buffers, the buckets before `half` and the rest, each holding its buckets in
    /// reverse order (the first bucket at the end), so that the sort, which takes the
    /// buckets in key order, gives back each one's memory as soon as the sink has it.
    Lean {
        half: usize,
        lo: Vec<Item>,
        hi: Vec<Item>,
    },
}

/// Rows handed to [`scatter`], consumed as they are scattered: on two threads each
/// half is split off, and each thread gives back the memory of the rows it has passed
/// (where the source owns that memory; a borrowed one only narrows its view).
pub(crate) trait Source: Send + Sync {
    /// The number of rows.
    fn len(&self) -> usize;
    /// The customer key of row `i` (counted from this part's first row).
    fn key(&self, i: usize) -> u64;
    /// Row `i` as an item, its key `key(i)`.
    fn item(&self, i: usize) -> Item;
    /// Splits off the rows from `at` on (the lower part's buffers shrunk to it).
    fn split_off(&mut self, at: usize) -> Self
    where
        Self: Sized;
    /// Drops the rows from `len` on and gives back their memory.
    fn release(&mut self, len: usize);
}

/// Rows made from their keys by `make(global row, key)`.
///
/// The keys are borrowed ([`Keyed::new`]) for a log below the lean size: the two
/// threads' halves are views of them, freed by the caller after the scatter (copying the
/// upper half into a buffer of its own, to give the memory of the scattered rows back as
/// it went, cost more in fresh pages than it saved at 10M rows). A longer log hands them
/// over ([`Keyed::owned`]): the upper half is split off into its own buffer and each
/// thread gives back the keys it has passed, 8 bytes a row that would otherwise be held
/// beside the scattered rows until the end of the scatter.
pub(crate) struct Keyed<'a, F> {
    keys: Keys<'a>,
    first: usize,
    make: &'a F,
}

/// The customer keys of a [`Keyed`] source.
enum Keys<'a> {
    Borrowed(&'a [u64]),
    Owned(Vec<u64>),
}

impl Keys<'_> {
    fn as_slice(&self) -> &[u64] {
        match self {
            Keys::Borrowed(k) => k,
            Keys::Owned(k) => k,
        }
    }
}

impl<'a, F: Fn(usize, u64) -> Item + Sync> Keyed<'a, F> {
    /// The rows `make(i, keys[i])`, the keys read in place.
    pub(crate) fn new(keys: &'a [u64], make: &'a F) -> Self {
        Self {
            keys: Keys::Borrowed(keys),
            first: 0,
            make,
        }
    }

    /// The rows `make(i, keys[i])`, the keys given back as they are scattered.
    pub(crate) fn owned(keys: Vec<u64>, make: &'a F) -> Self {
        Self {
            keys: Keys::Owned(keys),
            first: 0,
            make,
        }
    }
}

impl<F: Fn(usize, u64) -> Item + Sync> Source for Keyed<'_, F> {
    fn len(&self) -> usize {
        self.keys.as_slice().len()
    }

    #[inline]
    fn key(&self, i: usize) -> u64 {
        self.keys.as_slice().get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn item(&self, i: usize) -> Item {
        (self.make)(self.first + i, self.key(i))
    }

    fn split_off(&mut self, at: usize) -> Self {
        let keys = match &mut self.keys {
            Keys::Borrowed(keys) => {
                let (lower, upper) = keys.split_at(at.min(keys.len()));
                *keys = lower;
                Keys::Borrowed(upper)
            }
            Keys::Owned(keys) => {
                let upper = keys.split_off(at.min(keys.len()));
                keys.shrink_to_fit();
                Keys::Owned(upper)
            }
        };
        Self {
            keys,
            first: self.first + at,
            make: self.make,
        }
    }

    fn release(&mut self, len: usize) {
        match &mut self.keys {
            // Borrowed: the caller frees the keys.
            Keys::Borrowed(keys) => *keys = keys.get(..len).unwrap_or(keys),
            Keys::Owned(keys) => {
                keys.truncate(len);
                keys.shrink_to_fit();
            }
        }
    }
}

/// Takes the sorted rows bucket by bucket, in key order: each part of a sink split by
/// [`Sink::split_at`] takes the buckets of its rows, on its own thread.
pub(crate) trait Sink: Sized + Send {
    /// The part taking rows before `at` (counted from this part's first row), and the
    /// part taking the rest.
    fn split_at(self, at: usize) -> (Self, Self);

    /// The next bucket's rows, sorted stably by key; all rows of a key are in one bucket.
    fn bucket(&mut self, items: &mut [Item]);
}

/// A sink that takes nothing: the rows are only sorted.
impl Sink for () {
    fn split_at(self, _: usize) -> (Self, Self) {
        ((), ())
    }

    fn bucket(&mut self, _: &mut [Item]) {}
}

/// Rows between two releases of memory: of the source rows already scattered (1 MiB of
/// customer keys; 3 MiB of a lean source's columns) and of a lean sort's rows already
/// written (3 MiB). Each release is a system call.
const FREE_EVERY: usize = 1 << 17;

/// The rows of `src`, scattered into buckets of keys: a stable most-significant-digit
/// pass. On two threads where there are threads: each counts, then scatters, half the
/// rows, into its own slots of each bucket (the first half's before the second's, so the
/// pass stays stable).
///
/// The source is consumed: each thread scatters its half from the last row down,
/// filling its slots from their ends, and releases the rows it has passed every
/// [`FREE_EVERY`] rows, so that a source owning its memory and the scattered rows are
/// not both held whole. `lean`: the rows are laid out for [`Scattered::sort`] to give back
/// their memory as it goes (the sorted rows are then not returned).
pub(crate) fn scatter<S: Source>(mut src: S, lean: bool) -> Scattered {
    let n = src.len();
    let two = PARALLEL && n >= PARALLEL_ROWS;
    let halves = if two {
        [0..n / 2, n / 2..n]
    } else {
        [0..n, n..n]
    };
    let span = |range: std::ops::Range<usize>| {
        range.fold((u64::MAX, 0u64), |(lo, hi), i| {
            let k = src.key(i);
            (lo.min(k), hi.max(k))
        })
    };
    let [(lo_a, hi_a), (lo_b, hi_b)] =
        both(two, || span(halves[0].clone()), || span(halves[1].clone()));
    let (lo, hi) = (lo_a.min(lo_b), hi_a.max(hi_b));
    // Buckets of ~4,096 rows (128 KiB) are sorted in the core's own cache.
    let Some((shift, bits)) = digit_of(lo, hi, n / 4096, TOP_BITS) else {
        let mut items = Vec::with_capacity(n);
        items.extend((0..n).map(|i| src.item(i)));
        return Scattered {
            starts: vec![0, n],
            layout: Layout::Flat(items),
        };
    };
    let buckets = 1usize << bits;
    let count = |range: std::ops::Range<usize>| {
        let mut counts = vec![0usize; buckets];
        for i in range {
            if let Some(c) = counts.get_mut(digit(src.key(i), lo, shift)) {
                *c += 1;
            }
        }
        counts
    };
    let [first, second] = both(
        two,
        || count(halves[0].clone()),
        || count(halves[1].clone()),
    );
    // Each thread owns the rows of its half.
    let upper_first = halves[1].start.min(n);
    let upper = src.split_off(upper_first);
    let mut starts = Vec::with_capacity(buckets + 1);
    let mut at = 0usize;
    for (&a, &b) in first.iter().zip(&second) {
        starts.push(at);
        at += a + b;
    }
    starts.push(at);
    let half = half_of(&starts, n);
    let sizes = |b: usize| {
        [
            first.get(b).copied().unwrap_or(0),
            second.get(b).copied().unwrap_or(0),
        ]
    };
    // Zeroed by the system (a tuple's buffer is), so each page is first written by the
    // thread that scatters into it.
    let mut layout = if lean {
        let split = starts.get(half).copied().unwrap_or(n);
        Layout::Lean {
            half,
            lo: vec![(0, 0, 0, 0); split],
            hi: vec![(0, 0, 0, 0); n - split],
        }
    } else {
        Layout::Flat(crate::pages::filled((0, 0, 0, 0), n))
    };
    // Each half's slots, bucket by bucket: bucket `b` is the first half's rows of it,
    // then the second half's.
    let mut slots: [Vec<&mut [Item]>; 2] =
        [Vec::with_capacity(buckets), Vec::with_capacity(buckets)];
    match &mut layout {
        Layout::Flat(items) => carve(items, 0..buckets, &sizes, &mut slots, false),
        Layout::Lean { lo, hi, .. } => {
            carve(lo, (0..half).rev(), &sizes, &mut slots, true);
            carve(hi, (half..buckets).rev(), &sizes, &mut slots, true);
        }
    }
    let [mut slots_a, mut slots_b] = slots;
    let fill = |mut src: S, slots: &mut Vec<&mut [Item]>| {
        for j in (0..src.len()).rev() {
            let it = src.item(j);
            if let Some(slot) = slots.get_mut(digit(it.key(), lo, shift)) {
                if let Some((last, head)) = std::mem::take(slot).split_last_mut() {
                    *last = it;
                    *slot = head;
                }
            }
            if j % FREE_EVERY == 0 {
                src.release(j);
            }
        }
    };
    both(
        two,
        || fill(src, &mut slots_a),
        || fill(upper, &mut slots_b),
    );
    drop((slots_a, slots_b));
    Scattered { starts, layout }
}

/// Cuts `buffer` into the two halves' slots of the buckets in `order` (each bucket the
/// first half's slot, then the second's), and appends them to `slots` in bucket order
/// (`reversed`: `order` is descending).
fn carve<'a>(
    buffer: &'a mut [Item],
    order: impl Iterator<Item = usize>,
    sizes: &impl Fn(usize) -> [usize; 2],
    slots: &mut [Vec<&'a mut [Item]>; 2],
    reversed: bool,
) {
    let mut parts: [Vec<&'a mut [Item]>; 2] = [Vec::new(), Vec::new()];
    let mut rest: &'a mut [Item] = buffer;
    for b in order {
        for (part, len) in parts.iter_mut().zip(sizes(b)) {
            let len = len.min(rest.len());
            let (slot, tail) = std::mem::take(&mut rest).split_at_mut(len);
            part.push(slot);
            rest = tail;
        }
    }
    for (all, mut part) in slots.iter_mut().zip(parts) {
        if reversed {
            part.reverse();
        }
        all.extend(part);
    }
}

/// The first bucket of the second half of the rows (of the second sort thread).
fn half_of(starts: &[usize], n: usize) -> usize {
    let buckets = starts.len().saturating_sub(1);
    starts
        .iter()
        .position(|&s| s >= n / 2)
        .unwrap_or(buckets)
        .min(buckets)
}

/// `[a(), b()]`: `a` on a second thread when `two` (and never in WebAssembly, which has
/// no threads), `b` on this one. A panic on the second thread is raised again here, as
/// it would be on one thread. Every two-thread split of the crate goes through this.
pub(crate) fn both<T: Send>(
    two: bool,
    a: impl FnOnce() -> T + Send,
    b: impl FnOnce() -> T,
) -> [T; 2] {
    if two && PARALLEL {
        std::thread::scope(|scope| {
            let a = scope.spawn(a);
            let b = b();
            let a = a.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
            [a, b]
        })
    } else {
        [a(), b()]
    }
}

impl Scattered {
    /// The number of rows.
    pub(crate) fn len(&self) -> usize {
        self.starts.last().copied().unwrap_or(0)
    }

    /// Sorts each bucket stably by key and hands it to `sink`: buckets of about the
    /// first half of the rows to one part of the sink, the rest to the other, each on
    /// its own thread where there are threads. Returns the sorted rows (none when
    /// scattered `lean`: their memory is given back as the sink takes them) and both
    /// parts.
    pub(crate) fn sort<S: Sink>(self, sink: S) -> (Vec<Item>, S, S) {
        let Self { starts, layout } = self;
        let n = starts.last().copied().unwrap_or(0);
        let half = half_of(&starts, n);
        let at = starts.get(half).copied().unwrap_or(n);
        let (a, b) = sink.split_at(at);
        let two = PARALLEL && n >= PARALLEL_ROWS;
        match layout {
            Layout::Flat(mut items) => {
                let mut buckets: Vec<&mut [Item]> = Vec::with_capacity(starts.len());
                let mut rest: &mut [Item] = &mut items;
                for w in starts.windows(2) {
                    if let [a, z] = *w {
                        let len = (z - a).min(rest.len());
                        let (bucket, tail) = std::mem::take(&mut rest).split_at_mut(len);
                        buckets.push(bucket);
                        rest = tail;
                    }
                }
                let h = half.min(buckets.len());
                let (left, right) = buckets.split_at_mut(h);
                let run = |buckets: &mut [&mut [Item]], mut sink: S| {
                    let mut scratch = Vec::new();
                    for bucket in buckets.iter_mut().filter(|b| !b.is_empty()) {
                        if bucket.len() > 1 {
                            sort_bucket(bucket, &mut scratch);
                        }
                        sink.bucket(bucket);
                    }
                    sink
                };
                let [a, b] = both(two, || run(left, a), || run(right, b));
                drop(buckets);
                (items, a, b)
            }
            Layout::Lean { half, lo, hi } => {
                // Bucket `b` of a part whose buckets start at row `base` is the rows
                // `len - (starts[b + 1] - base)..len - (starts[b] - base)` of its buffer.
                let run = |mut items: Vec<Item>, range: std::ops::Range<usize>, mut sink: S| {
                    let base = starts.get(range.start).copied().unwrap_or(0);
                    let len = items.len();
                    let mut scratch = Vec::new();
                    for b in range {
                        let (Some(&a), Some(&z)) = (starts.get(b), starts.get(b + 1)) else {
                            continue;
                        };
                        let (from, to) = (len - (z - base), len - (a - base));
                        if let Some(bucket) = items.get_mut(from..to) {
                            if bucket.len() > 1 {
                                sort_bucket(bucket, &mut scratch);
                            }
                            if !bucket.is_empty() {
                                sink.bucket(bucket);
                            }
                        }
                        items.truncate(from);
                        if items.capacity() - from >= FREE_EVERY {
                            items.shrink_to_fit();
                        }
                    }
                    sink
                };
                let buckets = starts.len().saturating_sub(1);
                let [a, b] = both(two, || run(lo, 0..half, a), || run(hi, half..buckets, b));
                (Vec::new(), a, b)
            }
        }
    }
}

/// Whether the ordering uses a second thread: not in WebAssembly, which has none.
pub(crate) const PARALLEL: bool = cfg!(not(target_arch = "wasm32"));

/// Logs at least this long use a second thread (below, starting it costs more than it
/// saves).
pub(crate) const PARALLEL_ROWS: usize = 1 << 17;

/// Puts each run of equal keys of sorted `items` (one customer's rows) in `(time, row)`
/// order, where `row(idx)` is a row's input row, and calls `each(start, key)` for each
/// run, in order. Runs already in order (the usual case) are only checked.
pub(crate) fn order_runs(
    items: &mut [Item],
    row: impl Fn(u32) -> u64,
    mut each: impl FnMut(usize, u64),
) {
    let mut a = 0usize;
    while let Some(&(key, ..)) = items.get(a) {
        let z = items
            .get(a..)
            .and_then(|rest| rest.iter().position(|it| it.key() != key))
            .map_or(items.len(), |p| a + p);
        if let Some(run) = items.get_mut(a..z) {
            // Within a run, rows are in builder order, which is input order unless row
            // keys were given: a tie in time is in order when the rows are.
            let in_order = run.windows(2).all(|p| match p {
                [x, y] => x.ts() < y.ts() || (x.ts() == y.ts() && row(x.idx()) <= row(y.idx())),
                _ => true,
            });
            if !in_order {
                run.sort_by_key(|it| (it.ts(), row(it.idx())));
            }
        }
        each(a, key);
        a = z;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn items(keys: &[u64]) -> Vec<Item> {
        keys.iter()
            .enumerate()
            .map(|(i, &key)| (key, 0, u32::try_from(i).unwrap(), 0))
            .collect()
    }

    /// The reference: a stable comparison sort by key.
    fn reference(keys: &[u64]) -> Vec<(u64, u32)> {
        let mut v = items(keys);
        v.sort_by_key(|it| it.key());
        v.iter().map(|it| (it.key(), it.idx())).collect()
    }

    /// The rows in the order the sink is given them, scattered flat (the sorted rows
    /// returned must be the same) or lean (none returned).
    fn radix(keys: &[u64], lean: bool) -> Vec<(u64, u32)> {
        let src = items(keys);
        let make = |i: usize, key: u64| {
            assert_eq!(src[i].key(), key);
            src[i]
        };
        // The rows each sink part was given, in order; and the sorted rows returned.
        let given = |keyed| {
            let record = Record {
                at: 0,
                seen: Vec::new(),
            };
            let (out, a, b) = scatter(keyed, lean).sort(record);
            let seen: Vec<(u64, u32)> = a
                .seen
                .iter()
                .chain(&b.seen)
                .map(|&(_, k, i)| (k, i))
                .collect();
            (out, seen)
        };
        let (out, seen) = given(Keyed::new(keys, &make));
        if lean {
            assert!(out.is_empty() || keys.len() < 2 || out.iter().all(|it| it.key() == keys[0]));
        } else {
            let sorted: Vec<(u64, u32)> = out.iter().map(|it| (it.key(), it.idx())).collect();
            assert_eq!(sorted, seen);
        }
        // Keys handed over (released as they are scattered) sort the same.
        assert_eq!(
            given(Keyed::owned(keys.to_vec(), &make)).1,
            seen,
            "owned keys"
        );
        seen
    }

    #[test]
    fn sorts_edge_keys_stably() {
        let keys = [u64::MAX, 0, u64::MAX, 1, 0, 1 << 63, (1 << 63) - 1, 7, 7, 7];
        for lean in [false, true] {
            assert_eq!(radix(&keys, lean), reference(&keys));
            assert_eq!(radix(&[], lean), Vec::<(u64, u32)>::new());
            assert_eq!(radix(&[5; 100], lean), reference(&[5; 100]));
        }
    }

    #[test]
    fn runs_and_time_order() {
        let mut v = items(&[1, 1, 1, 2, 3, 3]);
        for (it, ts) in v.iter_mut().zip([5, 3, 3, 0, 2, 9]) {
            it.1 = ts;
        }
        let mut offsets = Vec::new();
        order_runs(&mut v, u64::from, |a, key| offsets.push((a, key)));
        assert_eq!(offsets, vec![(0, 1), (3, 2), (4, 3)]);
        let got: Vec<(i64, u32)> = v.iter().map(|it| (it.ts(), it.idx())).collect();
        assert_eq!(got, vec![(3, 1), (3, 2), (5, 0), (0, 3), (2, 4), (9, 5)]);
    }

    /// A sink that records the rows it was given, in the order given, per part.
    struct Record {
        at: usize,
        seen: Vec<(usize, u64, u32)>,
    }

    impl Sink for Record {
        fn split_at(self, at: usize) -> (Self, Self) {
            let second = Record {
                at: self.at + at,
                seen: Vec::new(),
            };
            (self, second)
        }

        fn bucket(&mut self, items: &mut [Item]) {
            for it in items.iter() {
                self.seen.push((self.at, it.key(), it.idx()));
                self.at += 1;
            }
        }
    }

    /// Long inputs are scattered by two threads (each into its own slots of every
    /// bucket) and sorted in two parts: the order is still the stable one, and the
    /// parts together give every row once, each at its place.
    #[test]
    fn two_threads_keep_the_stable_order() {
        let n = PARALLEL_ROWS * 3 + 17;
        let mut x = 7u64;
        for (spread, lean) in [
            (u64::MAX, false),
            (1_000, false),
            (3, false),
            (u64::MAX, true),
            (1_000, true),
            (3, true),
        ] {
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    (x >> 7) % spread.max(1)
                })
                .collect();
            let src = items(&keys);
            let make = |i: usize, _: u64| src[i];
            let (sorted, a, b) = scatter(Keyed::new(&keys[..n], &make), lean).sort(Record {
                at: 0,
                seen: Vec::new(),
            });
            let expected = reference(&keys);
            let got: Vec<(u64, u32)> = sorted.iter().map(|it| (it.key(), it.idx())).collect();
            if lean {
                assert!(got.is_empty(), "a lean sort gives its rows back");
            } else {
                assert_eq!(got, expected);
            }
            if PARALLEL {
                assert!(!a.seen.is_empty() && !b.seen.is_empty(), "both parts used");
            }
            let given: Vec<(usize, u64, u32)> = a.seen.into_iter().chain(b.seen).collect();
            let placed: Vec<(usize, u64, u32)> = expected
                .iter()
                .enumerate()
                .map(|(i, &(k, idx))| (i, k, idx))
                .collect();
            assert_eq!(given, placed);
        }
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
            lean in any::<bool>(),
        ) {
            let mut x = seed;
            let keys: Vec<u64> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                    let r = x >> 11;
                    if wide { r.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { 1_000 + r % distinct }
                })
                .collect();
            prop_assert_eq!(radix(&keys, lean), reference(&keys));
        }
    }
}
