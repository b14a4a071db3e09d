//! The event log: columnar, interned, sorted once; and its ingest report.

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
    /// Customer ids.
    pub customer: &'a [Option<&'a str>],
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

/// Why an input row was not used.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Customer id null or empty.
    MissingCustomer,
    /// Timestamp null or empty.
    MissingTimestamp,
    /// Timestamp not readable, or outside 1677–2262.
    InvalidTimestamp,
    /// Event name null or empty.
    MissingEvent,
    /// Value not a number.
    InvalidValue,
    /// Value NaN or infinite.
    NonFiniteValue,
    /// Exact duplicate of an earlier row (with `dedup`).
    Duplicate,
}

impl RejectReason {
    /// The stable code, as serialised (also the error code in strict mode).
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingCustomer => "missing_customer",
            Self::MissingTimestamp => "missing_timestamp",
            Self::InvalidTimestamp => "invalid_timestamp",
            Self::MissingEvent => "missing_event",
            Self::InvalidValue => "invalid_value",
            Self::NonFiniteValue => "non_finite_value",
            Self::Duplicate => "duplicate",
        }
    }
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
/// consent_filtered`. Unmapped events are used rows, listed for the map's owner.
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
    pub warnings: Vec<super::checks::IngestWarning>,
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
                code: "invalid_key",
                row: None,
                message: "the pseudonymisation key is empty".to_owned(),
            });
        }
        let mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).map_err(|e| Error::Input {
            code: "invalid_key",
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

/// Interns strings into dense ids in first-seen order.
#[derive(Debug, Default)]
struct Interner {
    // FxHash: ids and names are short, and SipHash's DoS resistance buys nothing here.
    map: FxHashMap<Box<str>, u32>,
    strings: Vec<Box<str>>,
}

impl Interner {
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

    /// Sorted dictionary and the remap old id → new id.
    fn finish(self) -> (Vec<String>, Vec<u32>) {
        sort_dict(self.strings.into_iter().map(String::from).collect())
    }
}

/// Sorts a dictionary, merging equal strings; returns it and the remap old → new.
pub(crate) fn sort_dict(strings: Vec<String>) -> (Vec<String>, Vec<u32>) {
    let mut order: Vec<usize> = (0..strings.len()).collect();
    order.sort_by(|&a, &b| strings.get(a).cmp(&strings.get(b)));
    let mut remap = vec![0u32; strings.len()];
    let mut dict: Vec<String> = Vec::with_capacity(strings.len());
    for i in order {
        let Some(s) = strings.get(i) else { continue };
        if dict.last() != Some(s) {
            dict.push(s.clone());
        }
        if let Some(slot) = remap.get_mut(i) {
            *slot = u32::try_from(dict.len() - 1).unwrap_or(NONE - 1);
        }
    }
    (dict, remap)
}

/// The rows in log order: by customer, then time, then row index.
///
/// Customer ids are dense (`0..customers`), so the rows are first bucketed by customer
/// with a counting sort (linear, and stable: a customer's rows keep their input order),
/// then each customer's few rows are sorted by `(time, row)` unless they already are,
/// as in logs that arrive in time order. This replaced one comparison sort of all rows
/// through three indirections, which was most of the time of building a large log.
fn event_order(cust: &[u32], customers: usize, ts: &[i64], row: &[u64]) -> Vec<u32> {
    let mut start = vec![0usize; customers + 1];
    for &c in cust {
        if let Some(slot) = start.get_mut(c as usize + 1) {
            *slot += 1;
        }
    }
    for c in 0..customers {
        let before = start.get(c).copied().unwrap_or(0);
        if let Some(slot) = start.get_mut(c + 1) {
            *slot += before;
        }
    }
    let mut order = vec![0u32; cust.len()];
    let mut next = start.clone();
    for (i, &c) in cust.iter().enumerate() {
        if let Some(at) = next.get_mut(c as usize) {
            if let Some(slot) = order.get_mut(*at) {
                *slot = u32::try_from(i).unwrap_or(u32::MAX);
            }
            *at += 1;
        }
    }
    let key = |i: u32| {
        let i = i as usize;
        (
            ts.get(i).copied().unwrap_or(0),
            row.get(i).copied().unwrap_or(0),
        )
    };
    for bounds in start.windows(2) {
        if let [lo, hi] = *bounds {
            if let Some(rows) = order.get_mut(lo..hi) {
                if !rows.is_sorted_by_key(|&i| key(i)) {
                    rows.sort_unstable_by_key(|&i| key(i));
                }
            }
        }
    }
    order
}

fn remap_id(remap: &[u32], id: u32) -> u32 {
    if id == NONE {
        NONE
    } else {
        remap.get(id as usize).copied().unwrap_or(NONE)
    }
}

/// Builds an [`EventLog`] row by row.
#[derive(Debug)]
pub struct EventLogBuilder {
    options: IngestOptions,
    pseudonymiser: Option<Pseudonymiser>,
    bound: Option<BTreeSet<String>>,
    customers: Interner,
    names: Interner,
    channels: Interner,
    sessions: Interner,
    extras: Vec<Interner>,
    c_customer: Vec<u32>,
    c_ts: Vec<i64>,
    c_event: Vec<u32>,
    c_channel: Vec<u32>,
    c_session: Vec<u32>,
    c_value: Vec<f64>,
    c_extra: Vec<Vec<u32>>,
    c_row: Vec<u64>,
    rows_read: u64,
    consent_filtered: u64,
    rejected: HashMap<RejectReason, (u64, u64)>,
    /// The offending text of the row being pushed, and the first one kept per reason.
    pending_sample: Option<(RejectReason, String)>,
    samples: HashMap<RejectReason, String>,
}

impl EventLogBuilder {
    /// A builder with these options.
    #[must_use]
    pub fn new(options: IngestOptions) -> Self {
        let n_extra = options.extra_columns.len();
        Self {
            options,
            pseudonymiser: None,
            bound: None,
            customers: Interner::default(),
            names: Interner::default(),
            channels: Interner::default(),
            sessions: Interner::default(),
            extras: (0..n_extra).map(|_| Interner::default()).collect(),
            c_customer: Vec::new(),
            c_ts: Vec::new(),
            c_event: Vec::new(),
            c_channel: Vec::new(),
            c_session: Vec::new(),
            c_value: Vec::new(),
            c_extra: vec![Vec::new(); n_extra],
            c_row: Vec::new(),
            rows_read: 0,
            consent_filtered: 0,
            rejected: HashMap::new(),
            pending_sample: None,
            samples: HashMap::new(),
        }
    }

    /// Replaces customer ids by their keyed hash (see [`Pseudonymiser`]).
    #[must_use]
    pub fn pseudonymise(mut self, pseudonymiser: Pseudonymiser) -> Self {
        self.pseudonymiser = Some(pseudonymiser);
        self
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
        self.c_channel.reserve(n);
        self.c_session.reserve(n);
        self.c_value.reserve(n);
        self.c_row.reserve(n);
    }

    fn reject(&mut self, reason: RejectReason, local_row: u64) -> Result<()> {
        if self.options.strict && reason != RejectReason::Duplicate {
            return Err(Error::Input {
                code: reason.code(),
                row: usize::try_from(local_row).ok(),
                message: format!("row `{local_row}` is unusable: {}", reason.code()),
            });
        }
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
            TimeValue::Text(s) if s.trim().is_empty() => Err(RejectReason::MissingTimestamp),
            TimeValue::Text(s) => {
                super::time::read_text_timestamp(s.trim(), self.options.assume_utc, self.rows_read)?
            }
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
            self.pending_sample = Some((reason, text.chars().take(80).collect()));
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
        let local = self.rows_read;
        self.rows_read += 1;
        if self.options.consent == ConsentRule::Require && row.consent != Some(true) {
            self.pending_sample = None;
            self.consent_filtered += 1;
            return Ok(());
        }
        let customer = match row.customer {
            Some(c) if !c.is_empty() => c,
            _ => return self.reject(RejectReason::MissingCustomer, local),
        };
        let ts = match ts {
            Ok(ts) => ts,
            Err(reason) => return self.reject(reason, local),
        };
        let event = match row.event {
            Some(e) if !e.is_empty() => e,
            _ => return self.reject(RejectReason::MissingEvent, local),
        };
        if value_unreadable {
            return self.reject(RejectReason::InvalidValue, local);
        }
        let value = match row.value {
            None => f64::NAN,
            Some(v) if v.is_finite() => v,
            Some(_) => return self.reject(RejectReason::NonFiniteValue, local),
        };
        self.c_customer.push(self.customers.id(customer));
        self.c_ts.push(ts);
        self.c_event.push(self.names.id(event));
        self.c_channel.push(self.channels.opt(row.channel));
        self.c_session.push(self.sessions.opt(row.session));
        self.c_value.push(value);
        for (k, (interner, col)) in self.extras.iter_mut().zip(&mut self.c_extra).enumerate() {
            col.push(interner.opt(row.extra.get(k).copied().flatten()));
        }
        self.c_row.push(
            row.row
                .unwrap_or_else(|| self.options.row_offset.saturating_add(local)),
        );
        self.pending_sample = None;
        Ok(())
    }

    /// Sorts, interns, deduplicates and returns the log with its report.
    #[must_use]
    pub fn finish(self) -> (EventLog, IngestReport) {
        let Self {
            options,
            pseudonymiser,
            bound,
            customers,
            names,
            channels,
            sessions,
            extras,
            c_customer,
            c_ts,
            c_event,
            c_channel,
            c_session,
            c_value,
            c_extra,
            c_row,
            rows_read,
            consent_filtered,
            mut rejected,
            pending_sample: _,
            mut samples,
        } = self;
        let raw_customers: Vec<String> = customers
            .strings
            .into_iter()
            .map(|s| match &pseudonymiser {
                Some(p) => p.pseudonym(&s),
                None => String::from(s),
            })
            .collect();
        let (cust_dict, cust_remap) = sort_dict(raw_customers);
        let (name_dict, name_remap) = names.finish();
        let (chan_dict, chan_remap) = channels.finish();
        let (sess_dict, sess_remap) = sessions.finish();
        let extra_dicts: Vec<(Vec<String>, Vec<u32>)> =
            extras.into_iter().map(Interner::finish).collect();

        let cust: Vec<u32> = c_customer
            .iter()
            .map(|&c| remap_id(&cust_remap, c))
            .collect();
        let mut order = event_order(&cust, cust_dict.len(), &c_ts, &c_row);
        if options.dedup {
            let mut kept: Vec<u32> = Vec::with_capacity(order.len());
            let mut dup_count = 0u64;
            let mut dup_first = u64::MAX;
            let same = |a: usize, b: usize| {
                cust.get(a) == cust.get(b)
                    && c_ts.get(a) == c_ts.get(b)
                    && c_event.get(a) == c_event.get(b)
                    && c_channel.get(a) == c_channel.get(b)
                    && c_session.get(a) == c_session.get(b)
                    && c_value.get(a).map(|v| v.to_bits()) == c_value.get(b).map(|v| v.to_bits())
                    && c_extra.iter().all(|col| col.get(a) == col.get(b))
            };
            let mut group_start = 0usize;
            for &i in &order {
                let iu = i as usize;
                let start_ok = kept.get(group_start).is_some_and(|&g| {
                    cust.get(g as usize) == cust.get(iu) && c_ts.get(g as usize) == c_ts.get(iu)
                });
                if !start_ok {
                    group_start = kept.len();
                }
                let is_dup = kept
                    .get(group_start..)
                    .unwrap_or(&[])
                    .iter()
                    .any(|&k| same(k as usize, iu));
                if is_dup {
                    dup_count += 1;
                    let local = c_row
                        .get(iu)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(options.row_offset);
                    dup_first = dup_first.min(local);
                } else {
                    kept.push(i);
                }
            }
            if dup_count > 0 {
                rejected.insert(RejectReason::Duplicate, (dup_count, dup_first));
            }
            order = kept;
        }

        let gather_u32 = |col: &[u32], remap: &[u32]| -> Vec<u32> {
            order
                .iter()
                .map(|&i| remap_id(remap, col.get(i as usize).copied().unwrap_or(NONE)))
                .collect()
        };
        let customer_sorted: Vec<u32> = order
            .iter()
            .map(|&i| cust.get(i as usize).copied().unwrap_or(0))
            .collect();
        let mut offsets = Vec::with_capacity(cust_dict.len() + 1);
        offsets.push(0usize);
        for (i, pair) in customer_sorted.windows(2).enumerate() {
            if let [a, b] = pair {
                if a != b {
                    offsets.push(i + 1);
                }
            }
        }
        if !customer_sorted.is_empty() {
            offsets.push(customer_sorted.len());
        }
        let log = EventLog {
            customers: cust_dict,
            offsets,
            ts: order
                .iter()
                .map(|&i| c_ts.get(i as usize).copied().unwrap_or(0))
                .collect(),
            event: gather_u32(&c_event, &name_remap),
            row: order
                .iter()
                .map(|&i| c_row.get(i as usize).copied().unwrap_or(0))
                .collect(),
            names: name_dict,
            channel: StrColumn {
                ids: gather_u32(&c_channel, &chan_remap),
                dict: chan_dict,
            },
            session: StrColumn {
                ids: gather_u32(&c_session, &sess_remap),
                dict: sess_dict,
            },
            value: order
                .iter()
                .map(|&i| c_value.get(i as usize).copied().unwrap_or(f64::NAN))
                .collect(),
            extras: options
                .extra_columns
                .iter()
                .zip(extra_dicts)
                .zip(&c_extra)
                .map(|((name, (dict, remap)), col)| {
                    (
                        name.clone(),
                        StrColumn {
                            ids: gather_u32(col, &remap),
                            dict,
                        },
                    )
                })
                .collect(),
        };

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
        };
        report.warnings = super::checks::IngestWarning::of(&report);
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

/// A columnar event log: events sorted by (customer, timestamp, input row), strings
/// interned into sorted dictionaries, timestamps in nanoseconds since the epoch.
///
/// Events of one customer keep the order (timestamp, input order): equal timestamps keep
/// the order in which the rows were given (their global row index).
#[derive(Debug, Clone, Default)]
pub struct EventLog {
    pub(crate) customers: Vec<String>,
    /// `offsets[c]..offsets[c+1]` are the events of customer `c`.
    pub(crate) offsets: Vec<usize>,
    pub(crate) ts: Vec<i64>,
    pub(crate) event: Vec<u32>,
    pub(crate) row: Vec<u64>,
    pub(crate) names: Vec<String>,
    pub(crate) channel: StrColumn,
    pub(crate) session: StrColumn,
    pub(crate) value: Vec<f64>,
    pub(crate) extras: Vec<(String, StrColumn)>,
}

impl PartialEq for EventLog {
    /// Equal events in equal order (missing values compare equal).
    fn eq(&self, other: &Self) -> bool {
        self.customers == other.customers
            && self.offsets == other.offsets
            && self.ts == other.ts
            && self.event == other.event
            && self.row == other.row
            && self.names == other.names
            && self.channel == other.channel
            && self.session == other.session
            && self.value.len() == other.value.len()
            && self
                .value
                .iter()
                .zip(&other.value)
                .all(|(a, b)| a.to_bits() == b.to_bits())
            && self.extras == other.extras
    }
}

/// One event of a log, borrowed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EventRef<'a> {
    /// Customer id (or its pseudonym).
    pub customer: &'a str,
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
        let n = columns.customer.len();
        let lengths = [
            Some(columns.timestamp.len()),
            Some(columns.event.len()),
            columns.channel.map(<[_]>::len),
            columns.session.map(<[_]>::len),
            columns.value.map(<[_]>::len),
            columns.consent.map(<[_]>::len),
        ];
        if lengths.iter().flatten().any(|&l| l != n) {
            return Err(Error::Input {
                code: "column_length_mismatch",
                row: None,
                message: format!("columns differ in length (customer column has `{n}` rows)"),
            });
        }
        let mut b = builder;
        b.reserve(n);
        for i in 0..n {
            let row = RawEvent {
                customer: columns.customer.get(i).copied().flatten(),
                timestamp: columns
                    .timestamp
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or(TimeValue::Missing, TimeValue::Ticks),
                event: columns.event.get(i).copied().flatten(),
                channel: columns.channel.and_then(|c| c.get(i).copied().flatten()),
                session: columns.session.and_then(|c| c.get(i).copied().flatten()),
                value: columns.value.and_then(|c| c.get(i).copied().flatten()),
                consent: columns.consent.and_then(|c| c.get(i).copied().flatten()),
                extra: &[],
                row: None,
            };
            b.push(&row)?;
        }
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

    /// Customer ids, sorted.
    #[must_use]
    pub fn customers(&self) -> &[String] {
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
            row: *self.row.get(i)?,
        })
    }

    /// All events in order (customer, timestamp, input row).
    pub fn iter(&self) -> impl Iterator<Item = EventRef<'_>> + '_ {
        (0..self.customers.len()).flat_map(move |c| {
            let customer = self.customers.get(c).map_or("", String::as_str);
            self.customer_range(c).filter_map(move |i| {
                Some(EventRef {
                    customer,
                    timestamp: *self.ts.get(i)?,
                    event: self.names.get(*self.event.get(i)? as usize)?,
                    channel: self.channel.get(i),
                    session: self.session.get(i),
                    value: self.value.get(i).copied().filter(|v| !v.is_nan()),
                    row: *self.row.get(i)?,
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
