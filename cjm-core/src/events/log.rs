//! The event log: columnar, interned, sorted once; and its ingest report.

use super::columns::{Bitmap, BoolCol, ColumnBatch, F64Col, I64Col, IdCol, StrCol, TimeCol};
use super::order::{self as order, Codes, Fields, Item, Sink};
use super::report::RejectReason;
use super::time::TimeUnit;
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use hmac::{Hmac, KeyInit, Mac};
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

/// Marks "no value" in an interned string column.
pub(crate) const NONE: u32 = u32::MAX;

/// Options of ingestion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct IngestOptions {
    /// Unit of integer timestamps (default milliseconds).
    pub time_unit: TimeUnit,
    /// Read text timestamps without `Z`/offset as UTC (default false: they are rejected).
    pub assume_utc: bool,
    /// Drop exact duplicate rows (same customer, timestamp, event, channel, session,
    /// value and extra columns), keeping the first; each is reported as `duplicate`.
    pub dedup: bool,
    /// Fail on the first unusable row (with its 0-based index) instead of reporting it.
    /// Duplicates and rows without consent are not failures.
    pub strict: bool,
    /// What a row's consent flag means.
    pub consent: ConsentRule,
    /// Global index of the first row, so that partitions of one log keep one order key
    /// (timestamp, global row) when their states are merged.
    pub row_offset: u64,
    /// Names of extra string columns to keep (for breakdowns), in the order their values
    /// are given in each row.
    pub extra_columns: Vec<String>,
}

impl Default for IngestOptions {
    fn default() -> Self {
        Self {
            time_unit: TimeUnit::Milliseconds,
            assume_utc: false,
            dedup: false,
            strict: false,
            consent: ConsentRule::Ignore,
            row_offset: 0,
            extra_columns: Vec::new(),
        }
    }
}

/// How consent flags filter rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentRule {
    /// Consent flags are not looked at.
    #[default]
    Ignore,
    /// Keep only rows whose consent flag is true; the others (false or missing) are
    /// filtered before any other check and counted in `consent_filtered`.
    Require,
}

/// A timestamp as given in one input row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TimeValue<'a> {
    /// No timestamp (null).
    Missing,
    /// An integer count of [`IngestOptions::time_unit`] since the epoch.
    Ticks(i64),
    /// ISO-8601 text, read by [`super::time::parse_iso8601`].
    Text(&'a str),
}

/// One input row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RawEvent<'a> {
    /// Customer id (null or empty is rejected).
    pub customer: Option<&'a str>,
    /// Timestamp.
    pub timestamp: TimeValue<'a>,
    /// Event name (null or empty is rejected).
    pub event: Option<&'a str>,
    /// Channel, optional.
    pub channel: Option<&'a str>,
    /// Session id, optional.
    pub session: Option<&'a str>,
    /// Value (revenue), optional; NaN or infinite is rejected.
    pub value: Option<f64>,
    /// Consent flag, looked at under [`ConsentRule::Require`].
    pub consent: Option<bool>,
    /// Values of [`IngestOptions::extra_columns`], in order (missing ones are null).
    pub extra: &'a [Option<&'a str>],
    /// The row's global index (its order key among equal timestamps); default
    /// [`IngestOptions::row_offset`] + its index in this input. Give it when a log is
    /// split into partitions that are not contiguous runs of rows.
    pub row: Option<u64>,
}

impl<'a> RawEvent<'a> {
    /// A row with customer, integer timestamp and event name only.
    #[must_use]
    pub fn new(customer: &'a str, timestamp: i64, event: &'a str) -> Self {
        Self {
            customer: Some(customer),
            timestamp: TimeValue::Ticks(timestamp),
            event: Some(event),
            channel: None,
            session: None,
            value: None,
            consent: None,
            extra: &[],
            row: None,
        }
    }
}

/// Column arrays (all of one length) to build a log from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Columns<'a> {
    /// Customer ids as text (ignored when `customer_ids` is given).
    pub customer: &'a [Option<&'a str>],
    /// Customer ids as integers: kept as integers, and the log's customers sorted by
    /// value (see [`CustomerIds`]). When given, `customer` is not read.
    pub customer_ids: Option<&'a [Option<i64>]>,
    /// Integer timestamps in [`IngestOptions::time_unit`].
    pub timestamp: &'a [Option<i64>],
    /// Event names.
    pub event: &'a [Option<&'a str>],
    /// Channels, optional column.
    pub channel: Option<&'a [Option<&'a str>]>,
    /// Session ids, optional column.
    pub session: Option<&'a [Option<&'a str>]>,
    /// Values, optional column.
    pub value: Option<&'a [Option<f64>]>,
    /// Consent flags, optional column.
    pub consent: Option<&'a [Option<bool>]>,
}

/// Rows rejected for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Rejection {
    /// Why.
    pub reason: RejectReason,
    /// How many rows.
    pub count: u64,
    /// 0-based index (in this input) of the first such row.
    pub first_row: u64,
    /// The offending text of the first such row, when there is one (an unreadable
    /// timestamp or value), to show what the input looks like.
    pub sample: Option<String>,
}

/// An event name and how many used rows carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct NameCount {
    /// Event name.
    pub event: String,
    /// Number of events.
    pub count: u64,
}

/// Accounts for every input row: `rows_read = rows_used + rejected_total +
/// consent_filtered + removed_by_operations`. Unmapped events are used rows, listed for
/// the map's owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct IngestReport {
    /// Rows given.
    pub rows_read: u64,
    /// Rows in the log.
    pub rows_used: u64,
    /// Rows not used, by reason (sorted by reason).
    pub rejected: Vec<Rejection>,
    /// Sum of `rejected` counts.
    pub rejected_total: u64,
    /// Rows filtered for lack of consent.
    pub consent_filtered: u64,
    /// Used events whose name no touchpoint of the journey binds (only when a journey
    /// was given), by name.
    pub unmapped_events: Vec<NameCount>,
    /// Sum of `unmapped_events` counts.
    pub unmapped_total: u64,
    /// Whether customer ids were replaced by their keyed hash.
    pub pseudonymised: bool,
    /// Distinct customers in the log.
    pub customers: u64,
    /// Distinct event names in the log.
    pub event_names: u64,
    /// Problems that do not stop ingest but are likely mistakes (`no_rows_used`: rows
    /// were read and none is in the log); Python also emits them as `cjm.IngestWarning`.
    pub warnings: Vec<super::report::IngestWarning>,
    /// The columns read: named by the caller, a preset's, or found by their usual names
    /// (the rule of `ColumnChoice`). Absent (null) for input without column names: rows,
    /// and JavaScript's `fromColumns`, whose keys are the fields.
    pub columns: Option<super::mapping::ColumnMapping>,
    /// Used rows that log operations (filters, samples) removed since ingest; 0 for a
    /// log as ingested.
    pub removed_by_operations: u64,
    /// The operations applied since ingest, in order (empty for a log as ingested).
    pub operations: Vec<super::report::AppliedOperation>,
}

/// An interned string column.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct StrColumn {
    pub(crate) dict: Vec<String>,
    pub(crate) ids: Vec<u32>,
}

impl StrColumn {
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        let id = *self.ids.get(i)?;
        self.dict.get(id as usize).map(String::as_str)
    }
}

/// The input row of each event of a log: 32 bits above a base when every row fits (4
/// bytes an event instead of 8; logs of fewer than 2^32 input rows), else 64 bits.
#[derive(Debug, Clone)]
pub(crate) enum Rows {
    /// Row `base + rows[i]`.
    Narrow { base: u64, rows: Vec<u32> },
    /// Row `rows[i]`.
    Wide(Vec<u64>),
}

impl Default for Rows {
    fn default() -> Self {
        Self::Narrow {
            base: 0,
            rows: Vec::new(),
        }
    }
}

impl PartialEq for Rows {
    /// Equal rows, however they are held.
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && (0..self.len()).all(|i| self.get(i) == other.get(i))
    }
}

impl Rows {
    /// The row of event `i`.
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<u64> {
        match self {
            Self::Narrow { base, rows } => rows.get(i).map(|&r| base.saturating_add(u64::from(r))),
            Self::Wide(rows) => rows.get(i).copied(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            Self::Narrow { rows, .. } => rows.len(),
            Self::Wide(rows) => rows.len(),
        }
    }

    /// `n` rows, all `lo` for now, to be written through [`RowsMut`]: narrow when the
    /// span `lo..=hi` fits 32 bits.
    fn zeroed(lo: u64, hi: u64, n: usize) -> Self {
        if hi.saturating_sub(lo) <= u64::from(u32::MAX) {
            Self::Narrow {
                base: lo,
                rows: vec![0; n],
            }
        } else {
            Self::Wide(vec![lo; n])
        }
    }

    fn as_mut(&mut self) -> RowsMut<'_> {
        match self {
            Self::Narrow { base, rows } => RowsMut::Narrow { base: *base, rows },
            Self::Wide(rows) => RowsMut::Wide(rows),
        }
    }

    /// The rows of events `kept`, in that order.
    pub(crate) fn select(&self, kept: &[usize]) -> Self {
        match self {
            Self::Narrow { base, rows } => Self::Narrow {
                base: *base,
                rows: kept.iter().filter_map(|&i| rows.get(i).copied()).collect(),
            },
            Self::Wide(rows) => {
                Self::Wide(kept.iter().filter_map(|&i| rows.get(i).copied()).collect())
            }
        }
    }
}

/// Part of a [`Rows`] column, being written.
enum RowsMut<'a> {
    Narrow { base: u64, rows: &'a mut [u32] },
    Wide(&'a mut [u64]),
}

impl<'a> RowsMut<'a> {
    fn split_at(self, at: usize) -> (Self, Self) {
        match self {
            Self::Narrow { base, rows } => {
                let (a, b) = rows.split_at_mut(at.min(rows.len()));
                (
                    Self::Narrow { base, rows: a },
                    Self::Narrow { base, rows: b },
                )
            }
            Self::Wide(rows) => {
                let (a, b) = rows.split_at_mut(at.min(rows.len()));
                (Self::Wide(a), Self::Wide(b))
            }
        }
    }

    /// Writes `values` from the first row on; returns the rows after them.
    fn write(self, values: impl Iterator<Item = u64>) -> Self {
        match self {
            Self::Narrow { base, rows } => {
                let mut written = 0;
                for (slot, r) in rows.iter_mut().zip(values) {
                    *slot = u32::try_from(r.saturating_sub(base)).unwrap_or(u32::MAX);
                    written += 1;
                }
                Self::Narrow {
                    base,
                    rows: rows.get_mut(written..).unwrap_or(&mut []),
                }
            }
            Self::Wide(rows) => {
                let mut written = 0;
                for (slot, r) in rows.iter_mut().zip(values) {
                    *slot = r;
                    written += 1;
                }
                Self::Wide(rows.get_mut(written..).unwrap_or(&mut []))
            }
        }
    }
}

/// The input row of each builder row: given (explicit row keys, or rows skipped before
/// it), else its index after [`IngestOptions::row_offset`].
struct InputRows {
    given: Option<Vec<u64>>,
    offset: u64,
}

impl InputRows {
    #[inline]
    fn row(&self, idx: u32) -> u64 {
        match &self.given {
            Some(rows) => rows.get(idx as usize).copied().unwrap_or(0),
            None => self.offset.saturating_add(u64::from(idx)),
        }
    }
}

/// What [`LogSink`] needs to write a row's columns.
struct Writing<'a> {
    rows: &'a InputRows,
    packing: Codes,
    /// Builder codes to log codes, of names and channels.
    names: &'a [u32],
    channels: &'a [u32],
    /// The builder's channel column, when channels are not packed in the rows.
    channel_lookup: &'a [u32],
    has_channel: bool,
}

/// Where [`EventLogBuilder::finish`] writes the ordered log: each part takes the sorted
/// rows of its buckets (whole customers), puts each customer's rows in time order and
/// writes the log's columns in place, while the bucket is still in cache; the two parts
/// of a long log on two threads.
struct LogSink<'a> {
    /// The log's index of this part's next row.
    at: usize,
    ts: &'a mut [i64],
    event: &'a mut [u32],
    /// Empty without a channel column.
    channel: &'a mut [u32],
    rows: RowsMut<'a>,
    /// Each customer's first row, and key.
    starts: Vec<usize>,
    keys: Vec<u64>,
    how: &'a Writing<'a>,
}

impl<'a> LogSink<'a> {
    /// A sink writing the first `len` rows of the columns.
    fn new(
        ts: &'a mut Vec<i64>,
        event: &'a mut Vec<u32>,
        channel: &'a mut Vec<u32>,
        rows: &'a mut Rows,
        len: usize,
        how: &'a Writing<'a>,
    ) -> Self {
        ts.resize(len, 0);
        event.resize(len, 0);
        if how.has_channel {
            channel.resize(len, 0);
        }
        Self {
            at: 0,
            ts,
            event,
            channel,
            rows: rows.as_mut(),
            starts: Vec::new(),
            keys: Vec::new(),
            how,
        }
    }

    /// Each customer's first row, and key.
    fn finish(self) -> (Vec<usize>, Vec<u64>) {
        (self.starts, self.keys)
    }
}

/// `slice` split at `at` (at most its length).
fn halves<T>(slice: &mut [T], at: usize) -> (&mut [T], &mut [T]) {
    slice.split_at_mut(at.min(slice.len()))
}

impl Sink for LogSink<'_> {
    fn split_at(self, at: usize) -> (Self, Self) {
        let (ts_a, ts_b) = halves(self.ts, at);
        let (event_a, event_b) = halves(self.event, at);
        let (channel_a, channel_b) = halves(self.channel, at);
        let (rows_a, rows_b) = self.rows.split_at(at);
        let second = Self {
            at: self.at + at,
            ts: ts_b,
            event: event_b,
            channel: channel_b,
            rows: rows_b,
            starts: Vec::new(),
            keys: Vec::new(),
            how: self.how,
        };
        let first = Self {
            ts: ts_a,
            event: event_a,
            channel: channel_a,
            rows: rows_a,
            ..self
        };
        (first, second)
    }

    fn bucket(&mut self, items: &mut [Item]) {
        let how = self.how;
        let (at, starts, keys) = (self.at, &mut self.starts, &mut self.keys);
        order::order_runs(
            items,
            |idx| how.rows.row(idx),
            |a, key| {
                starts.push(at + a);
                keys.push(key);
            },
        );
        let len = items.len();
        let (ts, rest) = halves(std::mem::take(&mut self.ts), len);
        self.ts = rest;
        for (t, it) in ts.iter_mut().zip(items.iter()) {
            *t = it.ts();
        }
        let (event, rest) = halves(std::mem::take(&mut self.event), len);
        self.event = rest;
        for (e, it) in event.iter_mut().zip(items.iter()) {
            *e = remap_id(how.names, how.packing.event(it.codes()));
        }
        if how.has_channel {
            let (channel, rest) = halves(std::mem::take(&mut self.channel), len);
            self.channel = rest;
            for (c, it) in channel.iter_mut().zip(items.iter()) {
                *c = remap_id(how.channels, how.packing.channel(it, how.channel_lookup));
            }
        }
        let rows = std::mem::replace(&mut self.rows, RowsMut::Wide(&mut []));
        self.rows = rows.write(items.iter().map(|it| how.rows.row(it.idx())));
        self.at += len;
    }
}

/// Logs at least this long are finished lean (see [`EventLogBuilder::finish`]): their
/// columns are given back as they are scattered, at the cost of copying the upper half
/// of them to the second thread, and the log's columns are written into fresh memory.
const LEAN_ROWS: usize = 1 << 25;

#[cfg(test)]
thread_local! {
    /// Tests finish every log lean (`Some(true)`) or none (`Some(false)`).
    pub(crate) static LEAN_FOR_TESTS: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}

/// Whether a log of `n` rows is finished lean.
fn lean_finish(n: usize) -> bool {
    #[cfg(test)]
    if let Some(lean) = LEAN_FOR_TESTS.with(std::cell::Cell::get) {
        return lean;
    }
    n >= LEAN_ROWS
}

/// The builder's columns as the rows a lean finish scatters: consumed, their memory
/// given back as they go.
struct BuilderRows {
    keys: Vec<u64>,
    ts: Vec<i64>,
    event: Vec<u32>,
    /// The channel codes when packed into the rows, else empty.
    channel: Vec<u32>,
    /// The builder index of the first row.
    first: usize,
    packing: Codes,
}

/// Splits off `v[at..]`, shrinking `v` to the rest.
fn split_column<T>(v: &mut Vec<T>, at: usize) -> Vec<T> {
    let upper = v.split_off(at.min(v.len()));
    v.shrink_to_fit();
    upper
}

/// Drops `v[len..]` and gives back its memory.
fn release_column<T>(v: &mut Vec<T>, len: usize) {
    v.truncate(len);
    v.shrink_to_fit();
}

impl order::Source for BuilderRows {
    fn len(&self) -> usize {
        self.keys.len()
    }

    #[inline]
    fn key(&self, i: usize) -> u64 {
        self.keys.get(i).copied().unwrap_or(0)
    }

    #[inline]
    fn item(&self, i: usize) -> Item {
        (
            self.key(i),
            self.ts.get(i).copied().unwrap_or(0),
            u32::try_from(self.first + i).unwrap_or(u32::MAX),
            self.packing.pack(
                self.event.get(i).copied().unwrap_or(NONE),
                self.channel.get(i).copied().unwrap_or(NONE),
            ),
        )
    }

    fn split_off(&mut self, at: usize) -> Self {
        Self {
            keys: split_column(&mut self.keys, at),
            ts: split_column(&mut self.ts, at),
            event: split_column(&mut self.event, at),
            channel: split_column(&mut self.channel, at),
            first: self.first + at,
            packing: self.packing,
        }
    }

    fn release(&mut self, len: usize) {
        release_column(&mut self.keys, len);
        release_column(&mut self.ts, len);
        release_column(&mut self.event, len);
        release_column(&mut self.channel, len);
    }
}

/// Replaces customer ids by HMAC-SHA256 under a secret key (lowercase hex). The key is
/// held only by this value, never written to any output, and not shown by `Debug`.
#[derive(Clone)]
pub struct Pseudonymiser {
    mac: Hmac<Sha256>,
}

impl std::fmt::Debug for Pseudonymiser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymiser(<key hidden>)")
    }
}

impl Pseudonymiser {
    /// A pseudonymiser with this key (any length; HMAC hashes long keys).
    ///
    /// # Errors
    /// `invalid_key` when the key is empty.
    pub fn new(key: &[u8]) -> Result<Self> {
        if key.is_empty() {
            return Err(Error::Input {
                code: crate::InputCode::InvalidKey,
                row: None,
                message: "the pseudonymisation key is empty".to_owned(),
            });
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| Error::Input {
            code: crate::InputCode::InvalidKey,
            row: None,
            message: format!("the pseudonymisation key is unusable: {e}"),
        })?;
        Ok(Self { mac })
    }

    /// The pseudonym of one id: 64 lowercase hex digits.
    #[must_use]
    pub fn pseudonym(&self, id: &str) -> String {
        let mut mac = self.mac.clone();
        mac.update(id.as_bytes());
        let out = mac.finalize().into_bytes();
        out.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Whether a customer id or an event name cannot be used although it is there: only
/// white space, or holding a NUL character. (Empty is missing, and checked before.)
fn unusable(s: &str) -> bool {
    s.trim().is_empty() || s.contains('\0')
}

/// The code a checked interner gives an unusable value ([`Interner::checked`]).
const UNUSABLE: u32 = NONE - 2;

/// Interns strings into dense ids in first-seen order.
#[derive(Debug, Default)]
struct Interner {
    // FxHash: ids and names are short, and SipHash's DoS resistance buys nothing here.
    /// Codes of the strings, and [`UNUSABLE`] for values a checked look-up refused.
    map: FxHashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
    /// The code of `s`, or [`UNUSABLE`] when it is [`unusable`]: a value is checked once,
    /// when it is first seen, and every later row costs the look-up alone.
    fn checked(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        if unusable(s) {
            self.map.insert(s.into(), UNUSABLE);
            return UNUSABLE;
        }
        self.id(s)
    }

    /// [`Self::checked`] of UTF-8 bytes; bytes that are not UTF-8 are unusable.
    fn checked_bytes(&mut self, b: &[u8]) -> u32 {
        std::str::from_utf8(b).map_or(UNUSABLE, |s| self.checked(s))
    }

    /// Whether `s` is unusable, without interning it (for a row rejected in any case).
    fn refuses(&self, s: &str) -> bool {
        self.map
            .get(s)
            .map_or_else(|| unusable(s), |&id| id == UNUSABLE)
    }

    /// [`Self::refuses`] of UTF-8 bytes.
    fn refuses_bytes(&self, b: &[u8]) -> bool {
        std::str::from_utf8(b).map_or(true, |s| self.refuses(s))
    }

    /// Number of strings interned.
    fn len(&self) -> usize {
        self.strings.len()
    }

    /// Forgets the strings interned after the first `len` (a batch that failed).
    fn truncate(&mut self, len: usize) {
        for s in self.strings.drain(len.min(self.strings.len())..) {
            self.map.remove(&s);
        }
    }

    fn id(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.map.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).unwrap_or(NONE - 1);
        self.map.insert(s.into(), id);
        self.strings.push(s.into());
        id
    }

    fn opt(&mut self, s: Option<&str>) -> u32 {
        match s {
            Some(s) if !s.is_empty() => self.id(s),
            _ => NONE,
        }
    }

    /// The id of UTF-8 bytes; empty or invalid UTF-8 is [`NONE`].
    fn bytes(&mut self, b: &[u8]) -> u32 {
        match std::str::from_utf8(b) {
            Ok(s) if !s.is_empty() => self.id(s),
            _ => NONE,
        }
    }

    /// Sorted dictionary and the remap old id → new id.
    fn finish(self) -> (Vec<String>, Vec<u32>) {
        self.finish_with(None)
    }

    /// As [`Self::finish`], each string first replaced by its pseudonym when there is a
    /// pseudonymiser (once per distinct value).
    fn finish_with(self, pseudonymiser: Option<&Pseudonymiser>) -> (Vec<String>, Vec<u32>) {
        sort_dict(
            self.strings
                .into_iter()
                .map(|s| match pseudonymiser {
                    Some(p) => p.pseudonym(&s),
                    None => String::from(s),
                })
                .collect(),
        )
    }
}

/// Sorts a dictionary, merging equal strings; returns it and the remap old → new.
pub(crate) fn sort_dict(mut strings: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let order = sorted_indices(&strings);
    let mut remap = vec![0u32; strings.len()];
    let mut dict: Vec<String> = Vec::with_capacity(strings.len());
    for i in order {
        let Some(s) = strings.get_mut(i) else {
            continue;
        };
        if dict.last() != Some(s) {
            // Moved, not cloned: each string is read once more only to compare.
            dict.push(std::mem::take(s));
        }
        if let Some(slot) = remap.get_mut(i) {
            *slot = u32::try_from(dict.len() - 1).unwrap_or(NONE - 1);
        }
    }
    (dict, remap)
}

/// The indices of `strings` in the order of their strings (ties in index order). Strings
/// of at most 32 bytes without a NUL byte (ids, session names…) are sorted as two packed
/// big-endian integers each, zero-padded, which orders them as the strings (a shorter
/// string sorts before its extensions); any other by comparing strings.
fn sorted_indices(strings: &[String]) -> Vec<usize> {
    if strings
        .iter()
        .all(|s| s.len() <= 32 && !s.as_bytes().contains(&0))
    {
        let mut keys: Vec<(u128, u128, usize)> = strings
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let mut bytes = [0u8; 32];
                if let Some(head) = bytes.get_mut(..s.len()) {
                    head.copy_from_slice(s.as_bytes());
                }
                let (hi, lo) = bytes.split_at(16);
                let word = |b: &[u8]| u128::from_be_bytes(b.try_into().unwrap_or([0; 16]));
                (word(hi), word(lo), i)
            })
            .collect();
        keys.sort_unstable();
        return keys.into_iter().map(|(_, _, i)| i).collect();
    }
    compared_indices(strings)
}

/// [`sorted_indices`] by comparing the strings (stable: ties in index order).
fn compared_indices(strings: &[String]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..strings.len()).collect();
    order.sort_by(|&a, &b| strings.get(a).cmp(&strings.get(b)));
    order
}

/// Sign bit of an `i64`: flipping it maps `i64` order onto `u64` order.
const SIGN: u64 = 1 << 63;

/// How the builder's customer column holds ids: integer ids as their values (sign bit
/// flipped, so that the sort key orders them as integers), while every id given was an
/// integer; from the first string id on, dense codes of an interner.
#[derive(Debug, Default)]
enum CustomerKeys {
    #[default]
    Int,
    Str(Interner),
}

impl CustomerKeys {
    /// The string interner, converting the integer ids held in `column` so far (once per
    /// distinct id).
    fn strings(&mut self, column: &mut [u64]) -> &mut Interner {
        if matches!(self, Self::Int) {
            let mut interner = Interner::default();
            let mut seen: FxHashMap<u64, u32> = FxHashMap::default();
            for key in column.iter_mut() {
                let code = *seen
                    .entry(*key)
                    .or_insert_with(|| interner.id(&int_id(*key).to_string()));
                *key = u64::from(code);
            }
            *self = Self::Str(interner);
        }
        match self {
            Self::Str(interner) => interner,
            Self::Int => unreachable_strings(),
        }
    }
}

/// The integer id of a sort key.
fn int_id(key: u64) -> i64 {
    i64::from_ne_bytes((key ^ SIGN).to_ne_bytes())
}

/// The sort key of an integer id.
fn int_key(id: i64) -> u64 {
    u64::from_ne_bytes(id.to_ne_bytes()) ^ SIGN
}

#[cold]
fn unreachable_strings() -> ! {
    // `strings` has just replaced `Int` by `Str`.
    std::process::abort()
}

/// The customer ids of a log, sorted: integers by value, strings by their bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CustomerIds {
    /// Integer ids (a log built from an integer customer column), ascending.
    Int(Vec<i64>),
    /// String ids (or pseudonyms), ascending.
    Str(Vec<String>),
}

impl Default for CustomerIds {
    fn default() -> Self {
        Self::Str(Vec::new())
    }
}

/// One customer id, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CustomerId<'a> {
    /// An integer id.
    Int(i64),
    /// A string id.
    Str(&'a str),
}

impl std::fmt::Display for CustomerId<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Str(s) => f.write_str(s),
        }
    }
}

impl PartialEq<&str> for CustomerId<'_> {
    /// A string id equal to the text; an integer id equal to its decimal text.
    fn eq(&self, other: &&str) -> bool {
        match self {
            Self::Str(s) => s == other,
            Self::Int(i) => other.parse::<i64>().ok() == Some(*i) && i.to_string() == *other,
        }
    }
}

impl Serialize for CustomerId<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Self::Int(i) => s.collect_str(i),
            Self::Str(v) => s.serialize_str(v),
        }
    }
}

impl CustomerIds {
    /// Number of customers.
    #[must_use]
    pub fn len(&self) -> usize {
        match self {
            Self::Int(v) => v.len(),
            Self::Str(v) => v.len(),
        }
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Customer `c`.
    #[must_use]
    pub fn get(&self, c: usize) -> Option<CustomerId<'_>> {
        match self {
            Self::Int(v) => v.get(c).copied().map(CustomerId::Int),
            Self::Str(v) => v.get(c).map(|s| CustomerId::Str(s)),
        }
    }

    /// Every id, in order.
    pub fn iter(&self) -> impl Iterator<Item = CustomerId<'_>> + '_ {
        (0..self.len()).filter_map(|c| self.get(c))
    }

    /// Customer `c` as text (integers in decimal).
    #[must_use]
    pub fn name(&self, c: usize) -> Option<String> {
        self.get(c).map(|id| id.to_string())
    }

    /// Every id as text, in order.
    #[must_use]
    pub fn to_strings(&self) -> Vec<String> {
        match self {
            Self::Int(v) => v.iter().map(ToString::to_string).collect(),
            Self::Str(v) => v.clone(),
        }
    }
}

fn remap_id(remap: &[u32], id: u32) -> u32 {
    if id == NONE {
        NONE
    } else {
        remap.get(id as usize).copied().unwrap_or(NONE)
    }
}

/// Per-row verdicts of a batch before any value is interned.
const OK: u8 = 0;
const FILTERED: u8 = 1;

fn reason_byte(r: RejectReason) -> u8 {
    match r {
        RejectReason::MissingCustomer => 2,
        RejectReason::MissingTimestamp => 3,
        RejectReason::InvalidTimestamp => 4,
        RejectReason::MissingEvent => 5,
        RejectReason::InvalidValue => 6,
        RejectReason::NonFiniteValue => 7,
        RejectReason::Duplicate => 8,
        RejectReason::InvalidCustomer => 9,
        RejectReason::InvalidEvent => 10,
    }
}

/// One more than the largest reason byte.
const REASON_BYTES: usize = 11;

fn byte_reason(b: u8) -> Option<RejectReason> {
    Some(match b {
        2 => RejectReason::MissingCustomer,
        3 => RejectReason::MissingTimestamp,
        4 => RejectReason::InvalidTimestamp,
        5 => RejectReason::MissingEvent,
        6 => RejectReason::InvalidValue,
        7 => RejectReason::NonFiniteValue,
        8 => RejectReason::Duplicate,
        9 => RejectReason::InvalidCustomer,
        10 => RejectReason::InvalidEvent,
        _ => return None,
    })
}

/// Marks `why` on the rows still OK for which `bad(i)` holds.
fn mark(verdict: &mut [u8], why: RejectReason, mut bad: impl FnMut(usize) -> bool) {
    let b = reason_byte(why);
    for (i, v) in verdict.iter_mut().enumerate() {
        if *v == OK && bad(i) {
            *v = b;
        }
    }
}

/// Turns the batch codes in `column[start..]` (indexes into `values`, [`NONE`] for
/// null) into builder codes and keeps the rows whose `verdict` is OK: the values kept
/// rows use are interned once each, so no value of a rejected row enters the
/// dictionary, in the one pass that gives each row its code.
fn map_codes(
    column: &mut Vec<u32>,
    start: usize,
    values: &[&[u8]],
    verdict: &[u8],
    all_used: bool,
    interner: &mut Interner,
) {
    const UNSEEN: u32 = NONE - 1;
    let mut global = vec![UNSEEN; values.len()];
    let tail = column.get_mut(start..).unwrap_or(&mut []);
    for (c, &v) in tail.iter_mut().zip(verdict) {
        let local = std::mem::replace(c, NONE);
        if v != OK {
            continue;
        }
        if let Some(g) = global.get_mut(local as usize) {
            if *g == UNSEEN {
                *g = interner.bytes(values.get(local as usize).copied().unwrap_or(b""));
            }
            *c = *g;
        }
    }
    if !all_used {
        compact(column, start, verdict);
    }
}

/// Keeps, of `column[start..]`, the rows whose `verdict` is OK.
fn compact<T: Copy>(column: &mut Vec<T>, start: usize, verdict: &[u8]) {
    let mut kept = start;
    for (i, &v) in verdict.iter().enumerate() {
        if v != OK {
            continue;
        }
        if let Some(&x) = column.get(start + i) {
            if let Some(slot) = column.get_mut(kept) {
                *slot = x;
            }
            kept += 1;
        }
    }
    column.truncate(kept);
}

/// The input rows of `kept` rows in builder order when none was given: row `i` is the
/// `i`-th kept row of the input, after the rows not kept (`skips`, see
/// [`EventLogBuilder`]).
fn implicit_rows(kept: usize, skips: &[u64], row_offset: u64) -> Vec<u64> {
    let mut out = Vec::with_capacity(kept);
    let mut k = 0usize;
    for i in 0..kept as u64 {
        while skips.get(k).is_some_and(|&a| a <= i) {
            k += 1;
        }
        out.push(row_offset.saturating_add(i + k as u64));
    }
    out
}

/// The code `intern` gives each row of `col` whose `verdict` is OK ([`NONE`] for the
/// other rows, and for null or empty values): `intern` is called once per dictionary
/// value such a row uses (once per row of a plain column).
fn row_codes<'a>(
    col: &StrCol<'a>,
    verdict: &[u8],
    mut intern: impl FnMut(&'a [u8]) -> u32,
) -> Vec<u32> {
    const UNSEEN: u32 = NONE - 1;
    if let StrCol::Plain(a) = col {
        return verdict
            .iter()
            .enumerate()
            .map(|(i, &v)| match a.bytes(i) {
                Some(b) if v == OK && !b.is_empty() => intern(b),
                _ => NONE,
            })
            .collect();
    }
    let mut values: Vec<&[u8]> = Vec::new();
    let mut codes = col.codes(NONE, |b| {
        values.push(b);
        u32::try_from(values.len() - 1).unwrap_or(NONE - 1)
    });
    let mut global = vec![UNSEEN; values.len()];
    for (c, &v) in codes.iter_mut().zip(verdict) {
        let local = *c as usize;
        *c = NONE;
        if v != OK {
            continue;
        }
        if let (Some(g), Some(&b)) = (global.get_mut(local), values.get(local)) {
            if *g == UNSEEN {
                *g = if b.is_empty() { NONE } else { intern(b) };
            }
            *c = *g;
        }
    }
    codes
}

/// A column of the builder that may be absent (no row so far had it).
#[derive(Debug, Default)]
struct Sparse<T> {
    on: bool,
    values: Vec<T>,
}

impl<T: Copy> Sparse<T> {
    /// Turns the column on, filling the rows so far with `fill`.
    fn activate(&mut self, rows: usize, fill: T) {
        if !self.on {
            self.on = true;
            self.values.resize(rows, fill);
        }
    }

    fn push(&mut self, v: Option<T>, rows: usize, fill: T) {
        match v {
            Some(v) => {
                self.activate(rows, fill);
                self.values.push(v);
            }
            None if self.on => self.values.push(fill),
            None => {}
        }
    }
}

/// Builds an [`EventLog`] row by row ([`Self::push`]) or batch by batch of columns
/// ([`Self::push_batch`]); both may be mixed.
#[derive(Debug)]
pub struct EventLogBuilder {
    options: IngestOptions,
    pseudonymiser: Option<Pseudonymiser>,
    /// Per extra column: whether it holds identifiers to pseudonymise.
    identifier_extras: Vec<bool>,
    bound: Option<BTreeSet<String>>,
    customers: CustomerKeys,
    names: Interner,
    channels: Interner,
    sessions: Interner,
    extras: Vec<Interner>,
    /// Per row: an integer id's sort key, or a string id's interner code.
    c_customer: Vec<u64>,
    c_ts: Vec<i64>,
    c_event: Vec<u32>,
    c_channel: Sparse<u32>,
    c_session: Sparse<u32>,
    c_value: Sparse<f64>,
    c_extra: Vec<Vec<u32>>,
    /// Input rows, once any was given or computed apart from the builder's order; until
    /// then a row's input row follows from its index and `skips`.
    c_row: Option<Vec<u64>>,
    /// For each row read and not kept (filtered or rejected), the number of rows kept
    /// before it.
    skips: Vec<u64>,
    rows_read: u64,
    consent_filtered: u64,
    rejected: HashMap<RejectReason, (u64, u64)>,
    /// The offending text of the row being pushed, and the first one kept per reason.
    pending_sample: Option<(RejectReason, String)>,
    samples: HashMap<RejectReason, String>,
    /// The columns read, for the report.
    columns: Option<super::mapping::ColumnMapping>,
}

impl EventLogBuilder {
    /// A builder with these options.
    #[must_use]
    pub fn new(options: IngestOptions) -> Self {
        let n_extra = options.extra_columns.len();
        Self {
            options,
            pseudonymiser: None,
            identifier_extras: vec![false; n_extra],
            bound: None,
            customers: CustomerKeys::default(),
            names: Interner::default(),
            channels: Interner::default(),
            sessions: Interner::default(),
            extras: (0..n_extra).map(|_| Interner::default()).collect(),
            c_customer: Vec::new(),
            c_ts: Vec::new(),
            c_event: Vec::new(),
            c_channel: Sparse::default(),
            c_session: Sparse::default(),
            c_value: Sparse::default(),
            c_extra: vec![Vec::new(); n_extra],
            c_row: None,
            skips: Vec::new(),
            rows_read: 0,
            consent_filtered: 0,
            rejected: HashMap::new(),
            pending_sample: None,
            samples: HashMap::new(),
            columns: None,
        }
    }

    /// Records which columns the rows come from, for the report's `columns` (the CSV
    /// reader and the bindings' Arrow readers set it from the resolved mapping).
    #[must_use]
    pub fn columns(mut self, mapping: super::mapping::ColumnMapping) -> Self {
        self.columns = Some(mapping);
        self
    }

    /// Replaces customer ids and session ids (which often embed a customer id) by their
    /// keyed hash (see [`Pseudonymiser`]); [`Self::identifiers`] adds extra columns.
    #[must_use]
    pub fn pseudonymise(mut self, pseudonymiser: Pseudonymiser) -> Self {
        self.pseudonymiser = Some(pseudonymiser);
        self
    }

    /// Also pseudonymises these extra columns (e.g. an e-mail or device id kept for a
    /// breakdown), after [`Self::pseudonymise`].
    ///
    /// # Errors
    /// `invalid_option` without a pseudonymiser, or for a name that is not one of the
    /// options' `extra_columns`.
    pub fn identifiers(mut self, names: &[String]) -> Result<Self> {
        let invalid = |message: String| Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message,
        };
        if !names.is_empty() && self.pseudonymiser.is_none() {
            return Err(invalid(
                "identifier columns are pseudonymised with a key: give the pseudonymisation key too"
                    .to_owned(),
            ));
        }
        for name in names {
            let k = self
                .options
                .extra_columns
                .iter()
                .position(|c| c == name)
                .ok_or_else(|| {
                    invalid(format!(
                        "identifier column `{name}` is not one of the extra columns [{}]; add it to the extra columns",
                        self.options.extra_columns.join(", ")
                    ))
                })?;
            if let Some(flag) = self.identifier_extras.get_mut(k) {
                *flag = true;
            }
        }
        Ok(self)
    }

    /// Reports the event names no touchpoint of this journey binds.
    #[must_use]
    pub fn journey(mut self, journey: &ValidJourney) -> Self {
        self.bound = Some(
            journey
                .journey()
                .touchpoints
                .iter()
                .flat_map(|t| t.events.iter().cloned())
                .collect(),
        );
        self
    }

    /// Reserves room for `n` more rows.
    pub fn reserve(&mut self, n: usize) {
        self.c_customer.reserve(n);
        self.c_ts.reserve(n);
        self.c_event.reserve(n);
        if let Some(rows) = &mut self.c_row {
            rows.reserve(n);
        }
    }

    /// Notes that the row just read is not kept.
    fn skip(&mut self) {
        if self.c_row.is_none() {
            self.skips.push(self.c_ts.len() as u64);
        }
    }

    /// The input rows of the first `kept` rows (those kept before the current row or
    /// batch), from now on held one per row.
    fn explicit_rows(&mut self, kept: usize) -> &mut Vec<u64> {
        let rows = self
            .c_row
            .get_or_insert_with(|| implicit_rows(kept, &self.skips, self.options.row_offset));
        self.skips = Vec::new();
        rows
    }

    fn reject(&mut self, reason: RejectReason, local_row: u64) -> Result<()> {
        if self.options.strict && reason != RejectReason::Duplicate {
            return Err(strict_error(reason, local_row));
        }
        self.skip();
        let entry = self.rejected.entry(reason).or_insert((0, local_row));
        entry.0 += 1;
        entry.1 = entry.1.min(local_row);
        if let Some((r, text)) = self.pending_sample.take() {
            if r == reason {
                self.samples.entry(reason).or_insert(text);
            }
        }
        Ok(())
    }

    /// Adds one row; a row with a problem is counted in the report (or, in strict mode,
    /// is an error).
    ///
    /// # Errors
    /// In strict mode, [`Error::Input`] with the reason's code and the row index.
    pub fn push(&mut self, row: &RawEvent<'_>) -> Result<()> {
        let ts = match row.timestamp {
            TimeValue::Missing => Err(RejectReason::MissingTimestamp),
            TimeValue::Ticks(t) => self
                .options
                .time_unit
                .to_nanos(t)
                .ok_or(RejectReason::InvalidTimestamp),
            TimeValue::Text(s) => parse_text(s, self.options.assume_utc, self.rows_read)?,
        };
        if let Err(reason) = ts {
            match row.timestamp {
                TimeValue::Text(s) => self.note_sample(reason, s),
                TimeValue::Ticks(t) => self.note_sample(reason, &t.to_string()),
                TimeValue::Missing => {}
            }
        }
        self.push_parsed(row, ts, false)
    }

    /// Keeps `text` as the sample of the row about to be pushed, should it be rejected
    /// for `reason` (shown in the report and in the `no_rows_used` message).
    pub(crate) fn note_sample(&mut self, reason: RejectReason, text: &str) {
        if !self.samples.contains_key(&reason) {
            self.pending_sample = Some((reason, crate::error::excerpt(text)));
        }
    }

    /// Whether text timestamps without offset are read as UTC ([`IngestOptions::assume_utc`]).
    pub(crate) fn assumes_utc(&self) -> bool {
        self.options.assume_utc
    }

    /// Names of the extra columns this builder keeps.
    #[must_use]
    pub fn extra_column_names(&self) -> &[String] {
        &self.options.extra_columns
    }

    /// Adds a row whose timestamp was already read (nanoseconds) or found bad.
    pub(crate) fn push_parsed(
        &mut self,
        row: &RawEvent<'_>,
        ts: std::result::Result<i64, RejectReason>,
        value_unreadable: bool,
    ) -> Result<()> {
        room_for(
            self.c_ts.len(),
            1,
            self.options.row_offset.saturating_add(self.rows_read),
        )?;
        let local = self.rows_read;
        self.rows_read += 1;
        if self.options.consent == ConsentRule::Require && row.consent != Some(true) {
            self.pending_sample = None;
            self.consent_filtered += 1;
            self.skip();
            return Ok(());
        }
        let customer = match row.customer {
            Some(c) if !c.is_empty() => c,
            _ => return self.reject(RejectReason::MissingCustomer, local),
        };
        // Checked as it is interned: once per distinct id. An id interned for a row that
        // is rejected below has no event, so it is not among the log's customers.
        let customer = self
            .customers
            .strings(&mut self.c_customer)
            .checked(customer);
        if customer == UNUSABLE {
            return self.reject(RejectReason::InvalidCustomer, local);
        }
        let ts = match ts {
            Ok(ts) => ts,
            Err(reason) => return self.reject(reason, local),
        };
        let event = match row.event {
            Some(e) if !e.is_empty() => e,
            _ => return self.reject(RejectReason::MissingEvent, local),
        };
        let value = match row.value {
            _ if value_unreadable => Err(RejectReason::InvalidValue),
            None => Ok(None),
            Some(v) if v.is_finite() => Ok(Some(v)),
            Some(_) => Err(RejectReason::NonFiniteValue),
        };
        // The name is interned (and checked, once per distinct name) only for a row that
        // is used, so that the dictionary holds no name of a rejected row.
        let event = match value {
            Ok(_) => self.names.checked(event),
            Err(_) if self.names.refuses(event) => UNUSABLE,
            Err(reason) => return self.reject(reason, local),
        };
        if event == UNUSABLE {
            return self.reject(RejectReason::InvalidEvent, local);
        }
        let value = value.ok().flatten();
        match row.row {
            Some(r) => {
                let kept = self.c_ts.len();
                self.explicit_rows(kept).push(r);
            }
            None => {
                if let Some(rows) = &mut self.c_row {
                    rows.push(self.options.row_offset.saturating_add(local));
                }
            }
        }
        let rows = self.c_ts.len();
        self.c_customer.push(u64::from(customer));
        self.c_ts.push(ts);
        self.c_event.push(event);
        let channel = row.channel.map(|c| self.channels.opt(Some(c)));
        self.c_channel.push(channel, rows, NONE);
        let session = row.session.map(|s| self.sessions.opt(Some(s)));
        self.c_session.push(session, rows, NONE);
        self.c_value.push(value, rows, f64::NAN);
        for (k, (interner, col)) in self.extras.iter_mut().zip(&mut self.c_extra).enumerate() {
            col.push(interner.opt(row.extra.get(k).copied().flatten()));
        }
        self.pending_sample = None;
        Ok(())
    }

    /// Adds a batch of rows given as columns (see [`super::columns`]): the same rules as
    /// [`Self::push`] row by row, with the same report, but column at a time, with no
    /// string formatted, hashed or allocated per row for integer ids and dictionary
    /// columns.
    ///
    /// # Errors
    /// `column_length_mismatch` when the columns differ in length, `invalid_option` when
    /// the batch has another number of extra columns than the options name; in strict
    /// mode, the first unusable row.
    pub fn push_batch(&mut self, batch: &ColumnBatch<'_>) -> Result<()> {
        let rows = self.c_ts.len();
        let names = self.names.len();
        let pushed = self.push_columns(batch);
        if pushed.is_err() {
            // Columns written before the error are dropped, and the names the batch
            // interned: the builder stays consistent.
            self.c_ts.truncate(rows);
            self.c_event.truncate(rows);
            self.names.truncate(names);
        }
        pushed
    }

    /// [`Self::push_batch`]; on an error, `c_ts` and `c_event` may hold the batch's rows.
    fn push_columns(&mut self, batch: &ColumnBatch<'_>) -> Result<()> {
        let n = batch.len();
        room_for(
            self.c_ts.len(),
            n,
            self.options.row_offset.saturating_add(self.rows_read),
        )?;
        if let Some((name, len)) = batch.lengths().into_iter().find(|&(_, l)| l != n) {
            return Err(Error::Input {
                code: crate::InputCode::ColumnLengthMismatch,
                row: None,
                message: format!(
                    "column `{name}` has `{len}` rows where the event column has `{n}`"
                ),
            });
        }
        if batch.extra.len() != self.c_extra.len() {
            return Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: format!(
                    "the batch has `{}` extra columns where the options name `{}`",
                    batch.extra.len(),
                    self.c_extra.len()
                ),
            });
        }
        let base = self.rows_read;
        if let Some(keys) = &batch.row {
            // Order keys are global row indices: a null or negative one has no place.
            if let Some(i) = (0..n).find(|&i| keys.get(i).is_none_or(|k| k < 0)) {
                let row = self.options.row_offset.saturating_add(base + i as u64);
                let found = keys
                    .get(i)
                    .map_or_else(|| "null".to_owned(), |k| format!("`{k}`"));
                return Err(Error::Input {
                    code: crate::InputCode::InvalidOption,
                    row: usize::try_from(row).ok(),
                    message: format!(
                        "the order key of row `{row}` is {found}: order keys are the rows' \
                         global indices, non-negative integers without nulls"
                    ),
                });
            }
        }
        let assume_utc = self.options.assume_utc;
        let mut verdict = vec![OK; n];

        // The checks, in the order `push` makes them: consent, customer, timestamp,
        // event, value.
        if self.options.consent == ConsentRule::Require {
            match &batch.consent {
                Some(c) => mark_filtered(&mut verdict, |i| c.get(i) != Some(true)),
                None => mark_filtered(&mut verdict, |_| true),
            }
        }
        // Integer ids stay integers while every id so far was one; otherwise each row
        // gets its id's interner code here, checked as the id is interned (once per
        // dictionary value, or per row of a plain column). An id interned for a row that
        // is rejected later has no event, so it is not among the log's customers.
        let (int_ids, customer_codes) = match batch.customer.as_slice() {
            [IdCol::Int(col)] if matches!(self.customers, CustomerKeys::Int) => {
                // Without a validity bitmap every row has an id (the lengths are equal).
                if col.validity.is_some() {
                    mark(&mut verdict, RejectReason::MissingCustomer, |i| {
                        col.get(i).is_none()
                    });
                }
                (Some(*col), Vec::new())
            }
            cols => {
                let interner = self.customers.strings(&mut self.c_customer);
                let mut codes = vec![NONE; n];
                // A row's id is that of the first column with a value: each column is
                // read for the rows still without one.
                let mut open = verdict.clone();
                for col in cols {
                    let col_codes: Vec<u32> = match col {
                        IdCol::Int(col) => (0..n)
                            .map(|i| match (open.get(i), col.get(i)) {
                                (Some(&OK), Some(x)) => interner.id(&x.to_string()),
                                _ => NONE,
                            })
                            .collect(),
                        IdCol::Str(col) => row_codes(col, &open, |b| interner.checked_bytes(b)),
                    };
                    for ((code, c), o) in codes.iter_mut().zip(col_codes).zip(&mut open) {
                        if c != NONE {
                            *code = c;
                            *o = FILTERED;
                        }
                    }
                }
                mark(&mut verdict, RejectReason::MissingCustomer, |i| {
                    codes.get(i) == Some(&NONE)
                });
                mark(&mut verdict, RejectReason::InvalidCustomer, |i| {
                    codes.get(i) == Some(&UNUSABLE)
                });
                (None, codes)
            }
        };
        // Timestamps and event codes are written straight into the builder's columns,
        // then compacted to the kept rows (no temporary column per batch).
        let rows_before = self.c_ts.len();
        self.c_ts.resize(rows_before + n, 0);
        let ts = self.c_ts.get_mut(rows_before..).unwrap_or(&mut []);
        match &batch.timestamp {
            TimeCol::Ticks { values, unit } => {
                let (missing, invalid) = (
                    reason_byte(RejectReason::MissingTimestamp),
                    reason_byte(RejectReason::InvalidTimestamp),
                );
                for (i, (v, t)) in verdict.iter_mut().zip(ts.iter_mut()).enumerate() {
                    if *v != OK {
                        continue;
                    }
                    match values.get(i).map(|x| unit.to_nanos(x)) {
                        None => *v = missing,
                        Some(None) => *v = invalid,
                        Some(Some(x)) => *t = x,
                    }
                }
            }
            TimeCol::UnsignedTicks { values, unit } => {
                let (missing, invalid) = (
                    reason_byte(RejectReason::MissingTimestamp),
                    reason_byte(RejectReason::InvalidTimestamp),
                );
                for (i, (v, t)) in verdict.iter_mut().zip(ts.iter_mut()).enumerate() {
                    if *v != OK {
                        continue;
                    }
                    let nanos = values
                        .get(i)
                        .map(|x| i64::try_from(x).ok().and_then(|x| unit.to_nanos(x)));
                    match nanos {
                        None => *v = missing,
                        Some(None) => *v = invalid,
                        Some(Some(x)) => *t = x,
                    }
                }
            }
            TimeCol::Text(col) => {
                let mut parsed: Vec<std::result::Result<i64, RejectReason>> = Vec::new();
                let mut texts: Vec<&[u8]> = Vec::new();
                let mut naive: Option<(u32, String)> = None;
                let codes = col.codes(NONE, |b| {
                    let r = match std::str::from_utf8(b) {
                        Err(_) => Err(RejectReason::InvalidTimestamp),
                        Ok(s) => match parse_text(s, assume_utc, base) {
                            Ok(r) => r,
                            Err(_) => {
                                let code = u32::try_from(parsed.len()).unwrap_or(NONE - 1);
                                naive.get_or_insert((code, s.trim().to_owned()));
                                Err(RejectReason::InvalidTimestamp)
                            }
                        },
                    };
                    parsed.push(r);
                    texts.push(b);
                    u32::try_from(parsed.len() - 1).unwrap_or(NONE - 1)
                });
                if let Some((code, text)) = naive {
                    // Text without an offset: no zone is guessed (see `read_text_timestamp`).
                    let first = codes.iter().position(|&c| c == code).unwrap_or(0);
                    let row = base + first as u64;
                    return Err(super::time::naive_timestamp_error(
                        &text,
                        usize::try_from(row).ok(),
                        None,
                    ));
                }
                for (&code, &v) in codes.iter().zip(&verdict) {
                    if v != OK {
                        continue;
                    }
                    if let (Some(Err(r)), Some(text)) =
                        (parsed.get(code as usize), texts.get(code as usize))
                    {
                        if *r == RejectReason::InvalidTimestamp && !self.samples.contains_key(r) {
                            let text = String::from_utf8_lossy(text);
                            self.samples.insert(*r, crate::error::excerpt(text.trim()));
                        }
                        break;
                    }
                }
                for ((v, t), &code) in verdict.iter_mut().zip(ts.iter_mut()).zip(&codes) {
                    if *v != OK {
                        continue;
                    }
                    match parsed.get(code as usize) {
                        None => *v = reason_byte(RejectReason::MissingTimestamp),
                        Some(Err(r)) => *v = reason_byte(*r),
                        Some(Ok(x)) => *t = *x,
                    }
                }
            }
            TimeCol::Null(_) => mark(&mut verdict, RejectReason::MissingTimestamp, |_| true),
        }
        // Event names: each row's batch code, then, in one pass, a row without a name is
        // missing and the name of a used row is interned, and checked as it enters the
        // dictionary (once per distinct value: per dictionary value, or per row of a
        // plain column), the row taking the builder's code. The name of a row rejected
        // for its value is only checked, so that the dictionary holds no name of a
        // rejected row.
        let mut ev_values: Vec<&[u8]> = Vec::new();
        batch.event.codes_into(&mut self.c_event, NONE, |b| {
            ev_values.push(b);
            u32::try_from(ev_values.len() - 1).unwrap_or(NONE - 1)
        });
        const UNSEEN: u32 = NONE - 1;
        let bad_value = |i: usize| {
            batch
                .value
                .as_ref()
                .is_some_and(|col| col.get(i).is_some_and(|v| !v.is_finite()))
        };
        let mut ev_codes = vec![UNSEEN; ev_values.len()];
        let (missing_event, invalid_event) = (
            reason_byte(RejectReason::MissingEvent),
            reason_byte(RejectReason::InvalidEvent),
        );
        let ev_rows = self.c_event.get_mut(rows_before..).unwrap_or(&mut []);
        for (i, (v, row_code)) in verdict.iter_mut().zip(ev_rows).enumerate() {
            let local = std::mem::replace(row_code, NONE);
            if *v != OK {
                continue;
            }
            let (Some(code), Some(&bytes)) = (
                ev_codes.get_mut(local as usize),
                ev_values.get(local as usize).filter(|b| !b.is_empty()),
            ) else {
                *v = missing_event;
                continue;
            };
            let unusable = if bad_value(i) {
                self.names.refuses_bytes(bytes)
            } else {
                if *code == UNSEEN {
                    *code = self.names.checked_bytes(bytes);
                }
                *row_code = *code;
                *code == UNUSABLE
            };
            if unusable {
                *v = invalid_event;
            }
        }
        if let Some(col) = &batch.value {
            mark(&mut verdict, RejectReason::NonFiniteValue, |i| {
                col.get(i).is_some_and(|v| !v.is_finite())
            });
        }

        // The report (and, in strict mode, the first unusable row).
        let mut counts = [0u64; REASON_BYTES];
        let mut firsts = [u64::MAX; REASON_BYTES];
        for (i, &v) in verdict.iter().enumerate() {
            if v == OK {
                continue;
            }
            if let (Some(c), Some(f)) = (counts.get_mut(v as usize), firsts.get_mut(v as usize)) {
                if *c == 0 {
                    *f = base + i as u64;
                }
                *c += 1;
            }
        }
        self.rows_read += n as u64;
        if self.options.strict {
            let first = verdict
                .iter()
                .enumerate()
                .find_map(|(i, &v)| byte_reason(v).map(|r| (i, r)));
            if let Some((i, reason)) = first {
                return Err(strict_error(reason, base + i as u64));
            }
        }
        self.consent_filtered += counts.get(usize::from(FILTERED)).copied().unwrap_or(0);
        for (b, (&count, &first)) in counts.iter().zip(&firsts).enumerate() {
            let Some(reason) = u8::try_from(b).ok().and_then(byte_reason) else {
                continue;
            };
            if count > 0 {
                let entry = self.rejected.entry(reason).or_insert((0, first));
                entry.0 += count;
                entry.1 = entry.1.min(first);
            }
        }

        // The used rows, column at a time (`counts` holds the rows not used).
        let unused = usize::try_from(counts.iter().sum::<u64>()).unwrap_or(n);
        let used = n.saturating_sub(unused);
        let all_used = used == n;
        let keep = |i: usize| all_used || verdict.get(i) == Some(&OK);
        self.reserve(used);
        let offset = self.options.row_offset.saturating_add(base);
        match &batch.row {
            Some(given) => {
                let rows = self.explicit_rows(rows_before);
                // Checked above: every key is a non-negative integer.
                for i in (0..n).filter(|&i| keep(i)) {
                    let g = given.get(i).and_then(|k| u64::try_from(k).ok());
                    rows.push(g.unwrap_or_else(|| offset.saturating_add(i as u64)));
                }
            }
            None => match &mut self.c_row {
                Some(rows) => {
                    rows.extend((0..n).filter(|&i| keep(i)).map(|i| offset + i as u64));
                }
                None if !all_used => {
                    let mut kept = rows_before as u64;
                    for &v in &verdict {
                        if v == OK {
                            kept += 1;
                        } else {
                            self.skips.push(kept);
                        }
                    }
                }
                None => {}
            },
        }
        match int_ids {
            Some(col) => {
                if all_used {
                    self.c_customer
                        .extend(col.values.iter().map(|&id| int_key(id)));
                } else {
                    self.c_customer.extend(
                        col.values
                            .iter()
                            .zip(&verdict)
                            .filter(|&(_, &v)| v == OK)
                            .map(|(&id, _)| int_key(id)),
                    );
                }
            }
            None => self.c_customer.extend(
                customer_codes
                    .iter()
                    .zip(&verdict)
                    .filter(|&(_, &v)| v == OK)
                    .map(|(&code, _)| u64::from(code)),
            ),
        }
        if !all_used {
            compact(&mut self.c_ts, rows_before, &verdict);
        }
        if !all_used {
            compact(&mut self.c_event, rows_before, &verdict);
        }
        let strings = |col: &StrCol<'_>, interner: &mut Interner, out: &mut Vec<u32>| {
            let mut values: Vec<&[u8]> = Vec::new();
            let start = out.len();
            col.codes_into(out, NONE, |b| {
                values.push(b);
                u32::try_from(values.len() - 1).unwrap_or(NONE - 1)
            });
            map_codes(out, start, &values, &verdict, all_used, interner);
        };
        if let Some(col) = &batch.channel {
            self.c_channel.activate(rows_before, NONE);
            strings(col, &mut self.channels, &mut self.c_channel.values);
        } else if self.c_channel.on {
            self.c_channel.values.resize(rows_before + used, NONE);
        }
        if let Some(col) = &batch.session {
            self.c_session.activate(rows_before, NONE);
            strings(col, &mut self.sessions, &mut self.c_session.values);
        } else if self.c_session.on {
            self.c_session.values.resize(rows_before + used, NONE);
        }
        for ((col, interner), out) in batch
            .extra
            .iter()
            .zip(&mut self.extras)
            .zip(&mut self.c_extra)
        {
            strings(col, interner, out);
        }
        if let Some(col) = &batch.value {
            self.c_value.activate(rows_before, f64::NAN);
            for i in (0..n).filter(|&i| keep(i)) {
                self.c_value.values.push(col.get(i).unwrap_or(f64::NAN));
            }
        } else if self.c_value.on {
            self.c_value.values.resize(rows_before + used, f64::NAN);
        }
        Ok(())
    }

    /// Sorts, interns, deduplicates and returns the log with its report.
    #[must_use]
    pub fn finish(self) -> (EventLog, IngestReport) {
        let Self {
            options,
            pseudonymiser,
            identifier_extras,
            bound,
            customers,
            names,
            channels,
            sessions,
            extras,
            mut c_customer,
            c_ts,
            c_event,
            c_channel,
            c_session,
            c_value,
            c_extra,
            c_row,
            skips,
            rows_read,
            consent_filtered,
            mut rejected,
            pending_sample: _,
            mut samples,
            columns,
        } = self;
        let n = c_ts.len();
        // Sort keys: integer ids as they are; string ids as the rank of their (possibly
        // pseudonymised) string, so that ids whose pseudonyms collide become one customer.
        let str_dict = match customers {
            CustomerKeys::Int => None,
            CustomerKeys::Str(interner) => {
                let strings = interner
                    .strings
                    .into_iter()
                    .map(|s| match &pseudonymiser {
                        Some(p) => p.pseudonym(&s),
                        None => String::from(s),
                    })
                    .collect();
                let (dict, remap) = sort_dict(strings);
                for key in &mut c_customer {
                    let code = u32::try_from(*key).unwrap_or(NONE);
                    *key = u64::from(remap_id(&remap, code));
                }
                Some(dict)
            }
        };
        let rows = match c_row {
            Some(rows) => Some(rows),
            None if skips.is_empty() => None,
            None => Some(implicit_rows(n, &skips, options.row_offset)),
        };
        drop(skips);
        // The span of the input rows, for the log's row column (32 bits when it fits).
        let (row_lo, row_hi) = match &rows {
            Some(rows) => (
                rows.iter().copied().min().unwrap_or(0),
                rows.iter().copied().max().unwrap_or(0),
            ),
            None => (
                options.row_offset,
                options.row_offset.saturating_add(n as u64),
            ),
        };
        let input_rows = InputRows {
            given: rows,
            offset: options.row_offset,
        };
        let row_of = |idx: u32| input_rows.row(idx);
        let packing = Codes::for_sizes(names.strings.len(), channels.strings.len());
        // Lean: a log too long to hold the builder's columns and the sorted rows together
        // (nor those rows and the log's columns) hands its columns to the scatter, which
        // gives their memory back as it goes, and the sort gives back each bucket's rows
        // once written. Not with deduplication, pseudonymised integer ids or columns
        // gathered through the sorted rows afterwards (session, value, extras).
        let lean = lean_finish(n)
            && !options.dedup
            && !(str_dict.is_none() && pseudonymiser.is_some())
            && c_session.values.is_empty()
            && c_value.values.is_empty()
            && options.extra_columns.is_empty();
        let has_channel = !c_channel.values.is_empty();
        let (scattered, mut ts_out, mut event_out, mut channel_out, channel_lookup) = if lean {
            let (packed, lookup) = match packing {
                Codes::Packed => (c_channel.values, Vec::new()),
                Codes::Event => (Vec::new(), c_channel.values),
            };
            let src = BuilderRows {
                keys: c_customer,
                ts: c_ts,
                event: c_event,
                channel: packed,
                first: 0,
                packing,
            };
            let scattered = order::scatter(src, true);
            // Written by the sink; zeroed by the system, so their pages are taken as the
            // sorted rows give theirs back.
            let channel_out = if has_channel { vec![0; n] } else { Vec::new() };
            (scattered, vec![0; n], vec![0; n], channel_out, lookup)
        } else {
            let make = |i: usize, key: u64| {
                (
                    key,
                    c_ts.get(i).copied().unwrap_or(0),
                    u32::try_from(i).unwrap_or(u32::MAX),
                    packing.pack(
                        c_event.get(i).copied().unwrap_or(NONE),
                        c_channel.values.get(i).copied().unwrap_or(NONE),
                    ),
                )
            };
            let scattered = if lean_finish(n) {
                // A long log that cannot be scattered lean: its keys are given back as
                // they are scattered.
                order::scatter(order::Keyed::owned(c_customer, &make), false)
            } else {
                // The customer keys are read in place by both scatter threads, then freed.
                let scattered = order::scatter(order::Keyed::new(&c_customer, &make), false);
                drop(c_customer);
                scattered
            };
            // The builder's columns are now free: the log's columns reuse their memory.
            // The sink sizes the channel column it writes (the builder's, when packed).
            let (channel_out, lookup) = match packing {
                Codes::Packed => (c_channel.values, Vec::new()),
                Codes::Event => (Vec::new(), c_channel.values),
            };
            (scattered, c_ts, c_event, channel_out, lookup)
        };
        let channel_of = |it: &Item| packing.channel(it, &channel_lookup);
        let (name_dict, name_remap) = names.finish();
        let (chan_dict, chan_remap) = channels.finish();
        // Pseudonymised integer ids: grouped by id, then ordered by pseudonym.
        let (scattered, int_dict) = match (&str_dict, &pseudonymiser) {
            (None, Some(p)) => {
                let (mut items, (), ()) = scattered.sort(());
                let mut firsts = Vec::new();
                order::order_runs(&mut items, row_of, |a, key| firsts.push((a, key)));
                let pseudonyms = firsts
                    .iter()
                    .map(|&(_, key)| p.pseudonym(&int_id(key).to_string()))
                    .collect();
                let (dict, remap) = sort_dict(pseudonyms);
                for (r, &(a, _)) in firsts.iter().enumerate() {
                    let z = firsts.get(r + 1).map_or(items.len(), |f| f.0);
                    let rank = remap.get(r).copied().unwrap_or(NONE);
                    for it in items.get_mut(a..z).unwrap_or(&mut []) {
                        it.0 = u64::from(rank);
                    }
                }
                let keys: Vec<u64> = items.iter().map(Fields::key).collect();
                let make = |i: usize, _: u64| items.get(i).copied().unwrap_or_default();
                let keyed = if lean_finish(n) {
                    order::scatter(order::Keyed::owned(keys, &make), false)
                } else {
                    order::scatter(order::Keyed::new(&keys, &make), false)
                };
                (keyed, Some(dict))
            }
            _ => (scattered, None),
        };
        let writing = Writing {
            rows: &input_rows,
            packing,
            names: &name_remap,
            channels: &chan_remap,
            channel_lookup: &channel_lookup,
            has_channel,
        };
        let mut row_out: Rows;
        let (items, starts, keys) = if options.dedup {
            let (mut items, (), ()) = scattered.sort(());
            order::order_runs(&mut items, row_of, |_, _| {});
            let sess = |i: u32| c_session.values.get(i as usize).copied().unwrap_or(NONE);
            let val = |i: u32| {
                c_value
                    .values
                    .get(i as usize)
                    .map_or(f64::NAN.to_bits(), |v| v.to_bits())
            };
            let same = |a: &Item, b: &Item| {
                a.key() == b.key()
                    && a.ts() == b.ts()
                    && a.codes() == b.codes()
                    && channel_of(a) == channel_of(b)
                    && sess(a.idx()) == sess(b.idx())
                    && val(a.idx()) == val(b.idx())
                    && c_extra
                        .iter()
                        .all(|col| col.get(a.idx() as usize) == col.get(b.idx() as usize))
            };
            let mut dup_count = 0u64;
            let mut dup_first = u64::MAX;
            // Rows kept so far are `items[..kept]`; a duplicate is looked for among the
            // kept rows of the same customer and time.
            let mut kept = 0usize;
            let mut group_start = 0usize;
            for r in 0..items.len() {
                let Some(it) = items.get(r).copied() else {
                    continue;
                };
                let same_group = items.get(group_start).is_some_and(|g| {
                    group_start < kept && g.key() == it.key() && g.ts() == it.ts()
                });
                if !same_group {
                    group_start = kept;
                }
                let is_dup = items
                    .get(group_start..kept)
                    .unwrap_or(&[])
                    .iter()
                    .any(|k| same(k, &it));
                if is_dup {
                    dup_count += 1;
                    dup_first = dup_first.min(row_of(it.idx()).saturating_sub(options.row_offset));
                } else {
                    if let Some(slot) = items.get_mut(kept) {
                        *slot = it;
                    }
                    kept += 1;
                }
            }
            items.truncate(kept);
            if dup_count > 0 {
                rejected.insert(RejectReason::Duplicate, (dup_count, dup_first));
            }
            row_out = Rows::zeroed(row_lo, row_hi, kept);
            let mut sink = LogSink::new(
                &mut ts_out,
                &mut event_out,
                &mut channel_out,
                &mut row_out,
                kept,
                &writing,
            );
            sink.bucket(&mut items);
            let (starts, keys) = sink.finish();
            (items, starts, keys)
        } else {
            let len = scattered.len();
            row_out = Rows::zeroed(row_lo, row_hi, len);
            let sink = LogSink::new(
                &mut ts_out,
                &mut event_out,
                &mut channel_out,
                &mut row_out,
                len,
                &writing,
            );
            let (items, first, second) = scattered.sort(sink);
            let (mut starts, mut keys) = first.finish();
            let (more_starts, more_keys) = second.finish();
            starts.extend(more_starts);
            keys.extend(more_keys);
            (items, starts, keys)
        };
        // Each customer's first event (the first is 0), then the end; `[0]` when empty.
        let mut offsets = starts;
        if offsets.is_empty() {
            offsets.push(0);
        } else {
            offsets.push(ts_out.len());
        }
        let customers = match str_dict.or(int_dict) {
            Some(dict) => CustomerIds::Str(pick(dict, keys.iter().copied())),
            None => CustomerIds::Int(keys.iter().map(|&k| int_id(k)).collect()),
        };
        drop(keys);
        let (sess_dict, sess_remap) = sessions.finish_with(pseudonymiser.as_ref());
        let extra_dicts: Vec<(Vec<String>, Vec<u32>)> = extras
            .into_iter()
            .zip(&identifier_extras)
            .map(|(interner, &id)| interner.finish_with(pseudonymiser.as_ref().filter(|_| id)))
            .collect();
        let gather = |col: &[u32], remap: &[u32]| -> Vec<u32> {
            if col.is_empty() {
                return Vec::new();
            }
            items
                .iter()
                .map(|it| remap_id(remap, col.get(it.idx() as usize).copied().unwrap_or(NONE)))
                .collect()
        };
        let log = EventLog {
            customers,
            offsets,
            ts: ts_out,
            event: event_out,
            row: row_out,
            names: name_dict,
            channel: StrColumn {
                ids: channel_out,
                dict: chan_dict,
            },
            session: StrColumn {
                ids: gather(&c_session.values, &sess_remap),
                dict: sess_dict,
            },
            value: if c_value.values.is_empty() {
                Vec::new()
            } else {
                items
                    .iter()
                    .map(|it| {
                        c_value
                            .values
                            .get(it.idx() as usize)
                            .copied()
                            .unwrap_or(f64::NAN)
                    })
                    .collect()
            },
            extras: options
                .extra_columns
                .iter()
                .zip(extra_dicts)
                .zip(&c_extra)
                .map(|((name, (dict, remap)), col)| {
                    (
                        name.clone(),
                        StrColumn {
                            ids: gather(col, &remap),
                            dict,
                        },
                    )
                })
                .collect(),
        };
        drop(items);

        let mut rejected: Vec<Rejection> = rejected
            .into_iter()
            .map(|(reason, (count, first_row))| Rejection {
                reason,
                count,
                first_row,
                sample: samples.remove(&reason),
            })
            .collect();
        crate::sort::stable_by(&mut rejected, |a, b| a.reason.cmp(&b.reason));
        let rejected_total = rejected.iter().map(|r| r.count).sum();
        let unmapped_events: Vec<NameCount> = match &bound {
            None => Vec::new(),
            Some(bound) => {
                let mut counts = vec![0u64; log.names.len()];
                for &e in &log.event {
                    if let Some(c) = counts.get_mut(e as usize) {
                        *c += 1;
                    }
                }
                log.names
                    .iter()
                    .zip(counts)
                    .filter(|(name, _)| !bound.contains(*name))
                    .map(|(name, count)| NameCount {
                        event: name.clone(),
                        count,
                    })
                    .collect()
            }
        };
        let mut report = IngestReport {
            rows_read,
            rows_used: log.ts.len() as u64,
            rejected,
            rejected_total,
            consent_filtered,
            unmapped_total: unmapped_events.iter().map(|u| u.count).sum(),
            unmapped_events,
            pseudonymised: pseudonymiser.is_some(),
            customers: log.customers.len() as u64,
            event_names: log.names.len() as u64,
            warnings: Vec::new(),
            columns,
            removed_by_operations: 0,
            operations: Vec::new(),
        };
        report.warnings = super::report::IngestWarning::of(&report);
        (log, report)
    }

    /// As [`Self::finish`], and in strict mode an error when rows were read and none is
    /// in the log ([`IngestReport::nothing_used`]).
    ///
    /// # Errors
    /// `no_rows_used` in strict mode.
    pub fn finish_checked(self) -> Result<(EventLog, IngestReport)> {
        let strict = self.options.strict;
        let (log, report) = self.finish();
        match report.nothing_used() {
            Some(e) if strict => Err(e),
            _ => Ok((log, report)),
        }
    }
}

/// The most events one log keeps: its ordering numbers rows in 32 bits.
pub(crate) const MAX_LOG_EVENTS: usize = u32::MAX as usize;

/// `too_many_events` when `adding` more rows to the `kept` ones could pass
/// [`MAX_LOG_EVENTS`] (`row`: the index of the first row being added).
#[cfg_attr(
    target_pointer_width = "32",
    allow(
        clippy::absurd_extreme_comparisons,
        reason = "in 32-bit WebAssembly `usize::MAX` is the limit, so every count fits"
    )
)]
fn room_for(kept: usize, adding: usize, row: u64) -> Result<()> {
    if kept.saturating_add(adding) <= MAX_LOG_EVENTS {
        return Ok(());
    }
    Err(Error::Input {
        code: crate::InputCode::TooManyEvents,
        row: usize::try_from(row)
            .ok()
            .map(|row| row.saturating_add(MAX_LOG_EVENTS.saturating_sub(kept))),
        message: format!(
            "one event log holds at most {MAX_LOG_EVENTS} events; split the data by \
             customer and merge the parts' mergeable states (as cjm.spark does), or keep \
             only the events the analysis needs"
        ),
    })
}

/// The strings of `dict` at the ranks `keys` (ascending): the whole dictionary when
/// every string is used.
fn pick(dict: Vec<String>, keys: impl Iterator<Item = u64>) -> Vec<String> {
    let mut used = vec![false; dict.len()];
    let mut count = 0usize;
    for k in keys {
        if let Some(u) = usize::try_from(k).ok().and_then(|k| used.get_mut(k)) {
            count += usize::from(!*u);
            *u = true;
        }
    }
    if count == dict.len() {
        return dict;
    }
    dict.into_iter()
        .zip(used)
        .filter_map(|(s, u)| u.then_some(s))
        .collect()
}

fn mark_filtered(verdict: &mut [u8], mut filtered: impl FnMut(usize) -> bool) {
    for (i, v) in verdict.iter_mut().enumerate() {
        if *v == OK && filtered(i) {
            *v = FILTERED;
        }
    }
}

/// A text timestamp: blank is missing, unreadable is invalid; text without an offset
/// (unless `assume_utc`) is the error `naive_timestamp` for the whole input.
fn parse_text(
    s: &str,
    assume_utc: bool,
    row: u64,
) -> Result<std::result::Result<i64, RejectReason>> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(Err(RejectReason::MissingTimestamp));
    }
    super::time::read_text_timestamp(s, assume_utc, row)
}

fn strict_error(reason: RejectReason, local_row: u64) -> Error {
    Error::Input {
        code: reason.input_code(),
        row: usize::try_from(local_row).ok(),
        message: format!("row `{local_row}` is unusable: {}", reason.code()),
    }
}

/// A columnar event log: events sorted by (customer, timestamp, input row), strings
/// interned into sorted dictionaries, timestamps in nanoseconds since the epoch.
///
/// Events of one customer keep the order (timestamp, input order): equal timestamps keep
/// the order in which the rows were given (their global row index).
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    pub(crate) customers: CustomerIds,
    /// `offsets[c]..offsets[c+1]` are the events of customer `c`.
    pub(crate) offsets: Vec<usize>,
    pub(crate) ts: Vec<i64>,
    pub(crate) event: Vec<u32>,
    pub(crate) row: Rows,
    pub(crate) names: Vec<String>,
    /// Channels; empty when the input had no channel column.
    pub(crate) channel: StrColumn,
    /// Sessions; empty when the input had no session column.
    pub(crate) session: StrColumn,
    /// Values (NaN: none); empty when the input had no value column.
    pub(crate) value: Vec<f64>,
    pub(crate) extras: Vec<(String, StrColumn)>,
}

/// Equal string columns of `n` rows, an absent column equal to one of nulls.
fn same_strings(a: &StrColumn, b: &StrColumn, n: usize) -> bool {
    if a.ids.is_empty() || b.ids.is_empty() {
        return (0..n).all(|i| a.get(i) == b.get(i));
    }
    a == b
}

impl PartialEq for EventLog {
    /// Equal events in equal order (missing values compare equal; an absent optional
    /// column equals one of nulls; two empty logs are equal whatever their id type).
    fn eq(&self, other: &Self) -> bool {
        let n = self.ts.len();
        let value =
            |log: &Self, i: usize| log.value.get(i).map_or(f64::NAN.to_bits(), |v| v.to_bits());
        // An empty log's customer ids have no type (integers or strings) to compare.
        (self.customers == other.customers
            || (self.customers.is_empty() && other.customers.is_empty()))
            && self.offsets == other.offsets
            && self.ts == other.ts
            && self.event == other.event
            && self.row == other.row
            && self.names == other.names
            && same_strings(&self.channel, &other.channel, n)
            && same_strings(&self.session, &other.session, n)
            && (0..n).all(|i| value(self, i) == value(other, i))
            && self.extras == other.extras
    }
}

/// One event of a log, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EventRef<'a> {
    /// Customer id (or its pseudonym).
    pub customer: CustomerId<'a>,
    /// Nanoseconds since the epoch.
    pub timestamp: i64,
    /// Event name.
    pub event: &'a str,
    /// Channel.
    pub channel: Option<&'a str>,
    /// Session id.
    pub session: Option<&'a str>,
    /// Value.
    pub value: Option<f64>,
    /// Global input row index.
    pub row: u64,
}

/// `column_length_mismatch` unless every column given has the customer column's `n` rows.
pub(crate) fn same_lengths(n: usize, lengths: &[Option<usize>]) -> Result<()> {
    if lengths.iter().flatten().any(|&l| l != n) {
        return Err(Error::Input {
            code: crate::InputCode::ColumnLengthMismatch,
            row: None,
            message: format!("columns differ in length (customer column has `{n}` rows)"),
        });
    }
    Ok(())
}

impl EventLog {
    /// Builds a log from rows.
    ///
    /// # Errors
    /// In strict mode, the first unusable row.
    pub fn from_rows<'a, I>(rows: I, options: IngestOptions) -> Result<(Self, IngestReport)>
    where
        I: IntoIterator<Item = RawEvent<'a>>,
    {
        let mut b = EventLogBuilder::new(options);
        for row in rows {
            b.push(&row)?;
        }
        b.finish_checked()
    }

    /// Builds a log from column arrays with the same builder (use
    /// [`EventLogBuilder`] directly for pseudonymisation or unmapped events).
    ///
    /// # Errors
    /// `column_length` when the columns differ in length; in strict mode, the first
    /// unusable row.
    pub fn from_columns(
        columns: &Columns<'_>,
        builder: EventLogBuilder,
    ) -> Result<(Self, IngestReport)> {
        let n = columns
            .customer_ids
            .map_or(columns.customer.len(), <[_]>::len);
        same_lengths(
            n,
            &[
                Some(columns.timestamp.len()),
                Some(columns.event.len()),
                columns.channel.map(<[_]>::len),
                columns.session.map(<[_]>::len),
                columns.value.map(<[_]>::len),
                columns.consent.map(<[_]>::len),
            ],
        )?;
        let mut b = builder;
        let ids: Vec<i64> = columns
            .customer_ids
            .map(|c| c.iter().map(|x| x.unwrap_or(0)).collect())
            .unwrap_or_default();
        let ids_valid: Vec<u8> = super::columns::pack_bits(
            columns
                .customer_ids
                .unwrap_or(&[])
                .iter()
                .map(Option::is_some),
        );
        let batch = ColumnBatch {
            customer: vec![match columns.customer_ids {
                Some(_) => IdCol::Int(I64Col {
                    values: &ids,
                    validity: Some(Bitmap {
                        bits: &ids_valid,
                        offset: 0,
                    }),
                }),
                None => IdCol::Str(StrCol::strs(columns.customer)),
            }],
            timestamp: TimeCol::Text(StrCol::Null(0)),
            event: StrCol::strs(columns.event),
            channel: columns.channel.map(StrCol::strs),
            session: columns.session.map(StrCol::strs),
            value: None,
            consent: None,
            extra: Vec::new(),
            row: None,
        };
        let ts: Vec<i64> = columns.timestamp.iter().map(|t| t.unwrap_or(0)).collect();
        let ts_valid: Vec<u8> =
            super::columns::pack_bits(columns.timestamp.iter().map(Option::is_some));
        let values: Vec<f64> = columns
            .value
            .map(|v| v.iter().map(|x| x.unwrap_or(0.0)).collect())
            .unwrap_or_default();
        let values_valid: Vec<u8> =
            super::columns::pack_bits(columns.value.unwrap_or(&[]).iter().map(Option::is_some));
        let consent_bits: Vec<u8> = super::columns::pack_bits(
            columns
                .consent
                .unwrap_or(&[])
                .iter()
                .map(|c| *c == Some(true)),
        );
        let batch = ColumnBatch {
            timestamp: TimeCol::Ticks {
                values: I64Col {
                    values: &ts,
                    validity: Some(Bitmap {
                        bits: &ts_valid,
                        offset: 0,
                    }),
                },
                unit: b.options.time_unit,
            },
            value: columns.value.map(|_| F64Col {
                values: &values,
                validity: Some(Bitmap {
                    bits: &values_valid,
                    offset: 0,
                }),
            }),
            consent: columns.consent.map(|c| BoolCol {
                values: Bitmap {
                    bits: &consent_bits,
                    offset: 0,
                },
                validity: None,
                len: c.len(),
            }),
            extra: (0..b.c_extra.len()).map(|_| StrCol::Null(n)).collect(),
            ..batch
        };
        b.push_batch(&batch)?;
        b.finish_checked()
    }

    /// Number of events.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    /// Whether the log has no events.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ts.is_empty()
    }

    /// Customer ids, sorted (integers by value, strings by their bytes).
    #[must_use]
    pub fn customers(&self) -> &CustomerIds {
        &self.customers
    }

    /// Event names, sorted.
    #[must_use]
    pub fn event_names(&self) -> &[String] {
        &self.names
    }

    /// Names of the extra string columns.
    #[must_use]
    pub fn extra_columns(&self) -> Vec<&str> {
        self.extras.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Index range of the events of customer `c` (by position in [`Self::customers`]).
    #[must_use]
    pub fn customer_range(&self, c: usize) -> Range<usize> {
        let start = self.offsets.get(c).copied().unwrap_or(0);
        let end = self.offsets.get(c + 1).copied().unwrap_or(start);
        start..end
    }

    /// The event at sorted position `i`.
    #[must_use]
    pub fn get(&self, i: usize) -> Option<EventRef<'_>> {
        let customer_index = self.offsets.partition_point(|&o| o <= i).checked_sub(1)?;
        Some(EventRef {
            customer: self.customers.get(customer_index)?,
            timestamp: *self.ts.get(i)?,
            event: self.names.get(*self.event.get(i)? as usize)?,
            channel: self.channel.get(i),
            session: self.session.get(i),
            value: self.value.get(i).copied().filter(|v| !v.is_nan()),
            row: self.row.get(i)?,
        })
    }

    /// All events in order (customer, timestamp, input row).
    pub fn iter(&self) -> impl Iterator<Item = EventRef<'_>> + '_ {
        (0..self.customers.len()).flat_map(move |c| {
            let customer = self.customers.get(c).unwrap_or(CustomerId::Str(""));
            self.customer_range(c).filter_map(move |i| {
                Some(EventRef {
                    customer,
                    timestamp: *self.ts.get(i)?,
                    event: self.names.get(*self.event.get(i)? as usize)?,
                    channel: self.channel.get(i),
                    session: self.session.get(i),
                    value: self.value.get(i).copied().filter(|v| !v.is_nan()),
                    row: self.row.get(i)?,
                })
            })
        })
    }

    /// The interned column used for a breakdown: `channel`, `session` or an extra column.
    pub(crate) fn column(&self, name: &str) -> Option<&StrColumn> {
        match name {
            "channel" => Some(&self.channel),
            "session" => Some(&self.session),
            _ => self
                .extras
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, col)| col),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dictionary_is_its_strings_sorted_and_distinct() {
        // Enough strings for the two-thread sort, with repeats across both halves.
        let strings: Vec<String> = (0..150_000u64)
            .map(|i| format!("{}:{}", (i * 7_919) % 50_021, i % 3))
            .collect();
        // And strings longer than 32 bytes or with a NUL, sorted by comparison; short ones
        // that are prefixes of others, with bytes above 0x7f.
        let long: Vec<String> = strings
            .iter()
            .map(|s| format!("{s}{}", "x".repeat(30)))
            .chain(["a\0b".to_owned(), "a".to_owned()])
            .collect();
        let short: Vec<String> = ["ab", "a", "", "a\u{e9}", "a b", "b", "ab", "a:10", "a:9"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain(strings.iter().take(1_000).cloned())
            .collect();
        for strings in [strings, long, short] {
            let (dict, remap) = sort_dict(strings.clone());
            let mut want = strings.clone();
            want.sort();
            want.dedup();
            assert_eq!(dict, want);
            for (s, &code) in strings.iter().zip(&remap) {
                assert_eq!(&dict[code as usize], s);
            }
            // The indices themselves: by string, ties by index.
            let mut order: Vec<usize> = (0..strings.len()).collect();
            order.sort_by(|&a, &b| strings[a].cmp(&strings[b]));
            assert_eq!(sorted_indices(&strings), order);
        }
    }

    /// What a test log has.
    #[derive(Clone, Copy, Debug, Default)]
    struct Case {
        int_ids: bool,
        /// 0: no channel column; 1: a few channels; 2: more than 2^16 (not packed).
        channels: u8,
        rows_given: bool,
        session: bool,
        value: bool,
        extra: bool,
        dedup: bool,
        pseudonymised: bool,
    }

    /// Owned strings as a borrowed column (null where `None`).
    struct Strings {
        offsets: Vec<i32>,
        data: Vec<u8>,
        valid: Vec<u8>,
    }

    impl Strings {
        fn of(values: &[Option<String>]) -> Self {
            let mut out = Self {
                offsets: vec![0],
                data: Vec::new(),
                valid: vec![0; values.len().div_ceil(8)],
            };
            for (i, v) in values.iter().enumerate() {
                if let Some(v) = v {
                    out.data.extend_from_slice(v.as_bytes());
                    out.valid[i / 8] |= 1 << (i % 8);
                }
                out.offsets.push(i32::try_from(out.data.len()).unwrap());
            }
            out
        }

        fn col(&self) -> StrCol<'_> {
            StrCol::Plain(crate::events::columns::StrArray {
                values: crate::events::columns::Utf8::Offsets32 {
                    offsets: &self.offsets,
                    data: &self.data,
                },
                validity: Some(crate::events::columns::Bitmap {
                    bits: &self.valid,
                    offset: 0,
                }),
            })
        }
    }

    /// A log of `n` rows pushed as columns: integer or string ids (random, about 10
    /// rows a customer), times with ties and rows out of time order, some rows repeated
    /// exactly, and what `case` adds; finished lean or not, written out with `Debug`.
    fn build(n: usize, case: Case, lean: bool) -> String {
        use crate::events::columns::{F64Col, I64Col, IdCol, TimeCol};
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x >> 11
        };
        let customers: Vec<u64> = (0..n / 10 + 1)
            .map(|_| next().wrapping_mul(0x2545_F491_4F6C_DD1D))
            .collect();
        let (mut ids, mut ts, mut rows): (Vec<i64>, Vec<i64>, Vec<i64>) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut text_ids: Vec<Option<String>> = Vec::new();
        let mut events: Vec<Option<String>> = Vec::new();
        let mut channels: Vec<Option<String>> = Vec::new();
        let mut sessions: Vec<Option<String>> = Vec::new();
        let mut extras: Vec<Option<String>> = Vec::new();
        let mut values: Vec<Option<f64>> = Vec::new();
        for i in 0..n {
            if i % 97 == 5 {
                // An exact repeat of the row before (a duplicate under `dedup`).
                ids.push(ids[i - 1]);
                text_ids.push(text_ids[i - 1].clone());
                ts.push(ts[i - 1]);
                events.push(events[i - 1].clone());
                channels.push(channels[i - 1].clone());
                sessions.push(sessions[i - 1].clone());
                values.push(values[i - 1]);
                extras.push(extras[i - 1].clone());
                rows.push(((n - i) * 2 + 1) as i64);
                continue;
            }
            let c = customers[(next() as usize) % customers.len()];
            ids.push(c as i64);
            text_ids.push(Some(format!("u{c:x}")));
            ts.push((i as i64 / 3) * 1_000 - (next() % 4) as i64 * 1_000);
            events.push(Some(format!("e{}", next() % 7)));
            channels.push(match next() % 5 {
                0 => None,
                k if case.channels == 2 => Some(format!("c{}", (next() % 70_000) * 5 + k)),
                k => Some(format!("c{k}")),
            });
            sessions.push(Some(format!("s{}", next() % 50)));
            values.push((next() % 3 == 0).then(|| (next() % 100) as f64));
            extras.push(Some(format!("x{}", next() % 4)));
            rows.push(((n - i) * 2) as i64);
        }
        let (text_ids, events, channels) = (
            Strings::of(&text_ids),
            Strings::of(&events),
            Strings::of(&channels),
        );
        let (sessions, extras) = (Strings::of(&sessions), Strings::of(&extras));
        let value_valid = Strings::of(
            &values
                .iter()
                .map(|v: &Option<f64>| v.map(|_| String::new()))
                .collect::<Vec<_>>(),
        );
        let value_data: Vec<f64> = values.iter().map(|v| v.unwrap_or(0.0)).collect();
        let options = IngestOptions {
            dedup: case.dedup,
            extra_columns: if case.extra {
                vec!["x".to_owned()]
            } else {
                Vec::new()
            },
            ..IngestOptions::default()
        };
        let mut b = EventLogBuilder::new(options);
        if case.pseudonymised {
            b = b.pseudonymise(Pseudonymiser::new(b"a key").unwrap());
        }
        let batch = ColumnBatch {
            customer: vec![if case.int_ids {
                IdCol::Int(I64Col {
                    values: &ids,
                    validity: None,
                })
            } else {
                IdCol::Str(text_ids.col())
            }],
            timestamp: TimeCol::Ticks {
                values: I64Col {
                    values: &ts,
                    validity: None,
                },
                unit: TimeUnit::Milliseconds,
            },
            event: events.col(),
            channel: (case.channels > 0).then(|| channels.col()),
            session: case.session.then(|| sessions.col()),
            value: case.value.then(|| F64Col {
                values: &value_data,
                validity: Some(crate::events::columns::Bitmap {
                    bits: &value_valid.valid,
                    offset: 0,
                }),
            }),
            consent: None,
            extra: if case.extra {
                vec![extras.col()]
            } else {
                Vec::new()
            },
            row: case.rows_given.then_some(I64Col {
                values: &rows,
                validity: None,
            }),
        };
        b.push_batch(&batch).unwrap();
        LEAN_FOR_TESTS.with(|l| l.set(Some(lean)));
        let log = b.finish().0;
        LEAN_FOR_TESTS.with(|l| l.set(None));
        format!("{log:?}")
    }

    /// A lean finish (the builder's columns given back during the scatter, the sorted
    /// rows during the writing) makes the same log as the usual one; and where the
    /// sorted rows are needed afterwards (session, value, extra columns, deduplication,
    /// pseudonymised integer ids), a forced lean finish still makes the same log.
    #[test]
    fn a_lean_finish_makes_the_same_log() {
        let n = crate::events::PARALLEL_ROWS * 2 + 1_001;
        let base = Case {
            int_ids: true,
            channels: 1,
            ..Case::default()
        };
        let cases = [
            base,
            Case {
                int_ids: false,
                ..base
            },
            Case {
                channels: 0,
                ..base
            },
            Case {
                channels: 2,
                ..base
            },
            Case {
                rows_given: true,
                ..base
            },
            Case {
                int_ids: false,
                pseudonymised: true,
                ..base
            },
            Case {
                session: true,
                ..base
            },
            Case {
                value: true,
                ..base
            },
            Case {
                extra: true,
                ..base
            },
            Case {
                dedup: true,
                ..base
            },
            Case {
                pseudonymised: true,
                ..base
            },
        ];
        for case in cases {
            let usual = build(n, case, false);
            assert!(usual == build(n, case, true), "{case:?}: the logs differ");
        }
        for n in [0, 1, 5] {
            assert_eq!(build(n, base, true), build(n, base, false));
        }
    }

    #[test]
    fn a_log_keeps_no_more_events_than_its_rows_can_number() {
        assert!(room_for(0, MAX_LOG_EVENTS, 0).is_ok());
        assert!(room_for(MAX_LOG_EVENTS - 1, 1, 7).is_ok());
        let Err(e) = room_for(MAX_LOG_EVENTS - 1, 3, 100) else {
            panic!("two rows over the limit");
        };
        assert_eq!(e.code(), "too_many_events");
        // The first row over: 100 is the batch's first row, and one more fits.
        assert!(matches!(e, Error::Input { row: Some(101), .. }), "{e:?}");
        assert!(e.to_string().contains("merge the parts' mergeable states"));
    }
}
