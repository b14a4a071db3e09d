//! Working with a log (docs/events.md, "Working with a log"): filters, seeded samples of
//! customers and the columns of the ordered log for export, each built from the log's own
//! columns (never by re-ingesting rows), and the report that says what was applied.
//!
//! * **Filters** keep the events that pass every criterion given (criteria compose by
//!   AND; chaining filters composes the same way). A name, customer or value the log does
//!   not hold is an error (`unknown_event`, `unknown_customer`, `unknown_value`, and
//!   `unknown_column` for a column), never a silent empty log, unless `allow_missing`.
//! * **Samples** keep whole customers, chosen by a keyed hash of the customer id so that
//!   the choice does not depend on row order, partitions or the language calling it
//!   ([`SampleOptions`] gives the exact rule).
//! * The result is a log equal to the one built from the kept rows (same events, same
//!   order, dictionaries holding only the values still used); its report
//!   ([`IngestReport::after`]) keeps the account of ingest and adds the operation.

use super::checks::{check_column_present, check_events_present, closest_names};
use super::log::{CustomerId, CustomerIds, EventLog, IngestReport, NameCount, StrColumn, NONE};
use super::report::{AppliedOperation, IngestWarning};
use super::seq::{CustomerNames, Seqs};
use super::time::parse_instant;
use crate::definition::Definition;
use crate::error::{excerpt, Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// A customer id as a filter names it: an integer or a string. An integer matches the
/// integer id of a log with integer ids and the string id of its decimal text otherwise;
/// a string matches a string id, or the integer id whose decimal text it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum CustomerKey {
    /// An integer id.
    Int(i64),
    /// A string id (in a pseudonymised log, the pseudonym).
    Str(String),
}

impl<'de> Deserialize<'de> for CustomerKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Key;
        impl serde::de::Visitor<'_> for Key {
            type Value = CustomerKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a customer id (an integer or a string)")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<CustomerKey, E> {
                Ok(CustomerKey::Int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<CustomerKey, E> {
                i64::try_from(v)
                    .map(CustomerKey::Int)
                    .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<CustomerKey, E> {
                Ok(CustomerKey::Str(v.to_owned()))
            }
        }
        d.deserialize_any(Key)
    }
}

/// One customer id or a list of them: the schema of a field read by
/// `validate::one_or_many`.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "only its schema is used")]
enum KeyOrKeys {
    /// One id.
    One(CustomerKey),
    /// Several ids.
    Many(Vec<CustomerKey>),
}

impl std::fmt::Display for CustomerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(i) => write!(f, "{i}"),
            Self::Str(s) => f.write_str(s),
        }
    }
}

/// Which events a filter keeps: those passing every criterion given (an absent criterion
/// passes every event). Chained filters compose the same way.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FilterOptions {
    /// Keep only events with one of these names (one name may be given as a string).
    #[serde(deserialize_with = "crate::validate::some_one_or_many")]
    #[schemars(with = "Option<crate::validate::NameOrNames>")]
    pub events: Option<Vec<String>>,
    /// Drop events with one of these names (one name may be given as a string).
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "crate::validate::NameOrNames")]
    pub drop_events: Vec<String>,
    /// Keep events at or after this instant (ISO-8601 with `Z` or an offset, or a date
    /// `YYYY-MM-DD`, the start of that day in UTC): the range is half-open, `[start, end)`.
    pub start: Option<String>,
    /// Keep events strictly before this instant (same forms as `start`).
    pub end: Option<String>,
    /// Read `start` and `end` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
    /// Keep only the events of these customers (one id may be given alone).
    #[serde(deserialize_with = "crate::validate::some_one_or_many")]
    #[schemars(with = "Option<KeyOrKeys>")]
    pub customers: Option<Vec<CustomerKey>>,
    /// Drop the events of these customers (one id may be given alone).
    #[serde(deserialize_with = "crate::validate::one_or_many")]
    #[schemars(with = "KeyOrKeys")]
    pub drop_customers: Vec<CustomerKey>,
    /// Keep events whose value in the column (`channel`, `session` or an extra column)
    /// is one of the values given; an event without a value in that column is dropped.
    /// Several columns: each must match. One value may be given as a string.
    #[serde(
        rename = "where",
        deserialize_with = "crate::validate::map_of_one_or_many"
    )]
    #[schemars(with = "BTreeMap<String, crate::validate::NameOrNames>")]
    pub where_in: BTreeMap<String, Vec<String>>,
    /// Drop events whose value in the column is one of the values given (an event
    /// without a value in that column is kept).
    #[serde(deserialize_with = "crate::validate::map_of_one_or_many")]
    #[schemars(with = "BTreeMap<String, crate::validate::NameOrNames>")]
    pub where_not: BTreeMap<String, Vec<String>>,
    /// Accept event names, customers and column values the log does not hold (they match
    /// nothing) instead of failing with `unknown_event`, `unknown_customer` or
    /// `unknown_value`, and a column the log keeps without any value left. A column the
    /// log does not keep is always an error (`unknown_column`).
    pub allow_missing: bool,
}

/// A seeded sample of customers: give exactly one of `fraction` and `count`.
///
/// Each customer gets the 64-bit number `h` = the first 8 bytes, big-endian, of
/// SHA-256 of the UTF-8 text `"{seed}:{id}"` (`id`: the customer id as text, integers in
/// decimal; the pseudonym in a pseudonymised log). With `fraction` f, a customer is kept
/// when `(h >> 11) < f · 2^53`, i.e. `(h >> 11) / 2^53 < f`: each customer independently,
/// so a customer's fate does not depend on the other customers (the same in any log or
/// partition holding it), and the samples of one seed are nested as f grows. With
/// `count` n, the n customers with the smallest `h` are kept (ties, practically never, by
/// the log's customer order); all of them when the log has n or fewer.
///
/// In Python: `int.from_bytes(hashlib.sha256(f"{seed}:{id}".encode()).digest()[:8],
/// "big") >> 11 < fraction * 2**53`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SampleOptions {
    /// Share of customers to keep, in (0, 1].
    pub fraction: Option<f64>,
    /// Number of customers to keep, at least 1.
    pub count: Option<u64>,
    /// The seed (default 0).
    pub seed: u64,
}

/// Sessions by inactivity: a customer's first event opens a session, and each later
/// event opens a new one when the time since the customer's previous event is **more
/// than** `gap_seconds` (a gap of exactly `gap_seconds` stays in the session). That is
/// Amplitude's rule ("events sent within 30 minutes of each other count toward the same
/// session"; its SDK starts a session when `now - lastEventTime > sessionTimeout`) and
/// GA4's default timeout of 30 minutes of inactivity.
///
/// The session id of a customer's k-th session (k = 1, 2, …, in time order) is
/// `"{customer}:{k}"` (integers in decimal; in a pseudonymised log, the pseudonym).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SessionOptions {
    /// The inactivity gap in seconds (default 1800, 30 minutes), at least 1; also read
    /// as `gap` (Python's keyword).
    #[serde(alias = "gap")]
    pub gap_seconds: u64,
    /// Replace the session ids the log already has (default false: a log with session
    /// ids is an error, so that ids from the source are not overwritten by mistake).
    pub replace: bool,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self {
            gap_seconds: 1800,
            replace: false,
        }
    }
}

/// Options of [`EventLog::relabel`]: a new name for event names.
///
/// Events whose name is not in `labels` are dropped (the ingest report counts them as
/// removed by the operation). Several names may take one label: their events then share
/// one name. Build the labels of a map with [`RelabelOptions::from_journey`] (each event
/// as its stage or its touchpoint).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RelabelOptions {
    /// Event name → its new name (not empty); at least one.
    pub labels: BTreeMap<String, String>,
    /// Accept names the log does not have (default false: such a name is
    /// `unknown_event`, as a misspelt name would otherwise drop the events it meant).
    /// A map's labels set it, since a map names events a log may lack.
    pub allow_missing: bool,
}

/// What an analysis counts, and what one attempt or path may span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AnalysisUnit {
    /// Customers: an attempt or path may span all of a customer's events.
    #[default]
    Customer,
    /// Sessions: each (customer, session id) is a unit of its own, so attempts and paths
    /// stay inside one session. Every event needs a session id (`sessionize` gives them).
    Session,
}

impl AnalysisUnit {
    /// Whether this is the default, customers (left out of definitions, so that their
    /// hashes do not change).
    #[must_use]
    pub fn is_customer(&self) -> bool {
        *self == Self::Customer
    }
}

/// A log operation with its options, to apply with [`LogOperation::apply`].
#[derive(Debug, Clone, PartialEq)]
pub enum LogOperation {
    /// [`EventLog::filter`].
    Filter(FilterOptions),
    /// [`EventLog::sample`].
    Sample(SampleOptions),
    /// [`EventLog::sessionize`].
    Sessionize(SessionOptions),
    /// [`EventLog::relabel`].
    Relabel(RelabelOptions),
}

impl LogOperation {
    /// The operation's definition (kind `log_filter`, `log_sample`, `log_sessionize` or
    /// `log_relabel`, with its options).
    #[must_use]
    pub fn definition(&self) -> Definition {
        match self {
            Self::Filter(o) => Definition::new("log_filter", o),
            Self::Sample(o) => Definition::new("log_sample", o),
            Self::Sessionize(o) => Definition::new("log_sessionize", o),
            Self::Relabel(o) => Definition::new("log_relabel", o),
        }
    }

    /// The new log and its report ([`IngestReport::after`]).
    ///
    /// # Errors
    /// As [`EventLog::filter`], [`EventLog::sample`], [`EventLog::sessionize`] and
    /// [`EventLog::relabel`].
    pub fn apply(&self, log: &EventLog, report: &IngestReport) -> Result<(EventLog, IngestReport)> {
        let out = match self {
            Self::Filter(o) => log.filter(o)?,
            Self::Sample(o) => log.sample(o)?,
            Self::Sessionize(o) => log.sessionize(o)?,
            Self::Relabel(o) => log.relabel(o)?,
        };
        let report = report.after(log, &out, self.definition());
        Ok((out, report))
    }
}

fn invalid_option(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    }
}

/// The position of `key` among the log's customers.
fn customer_position(customers: &CustomerIds, key: &CustomerKey) -> Option<usize> {
    match (customers, key) {
        (CustomerIds::Int(v), CustomerKey::Int(i)) => v.binary_search(i).ok(),
        (CustomerIds::Int(v), CustomerKey::Str(s)) => {
            let i = s.parse::<i64>().ok().filter(|i| i.to_string() == *s)?;
            v.binary_search(&i).ok()
        }
        (CustomerIds::Str(v), CustomerKey::Str(s)) => {
            v.binary_search_by(|x| x.as_str().cmp(s)).ok()
        }
        (CustomerIds::Str(v), CustomerKey::Int(i)) => {
            let s = i.to_string();
            v.binary_search_by(|x| x.as_str().cmp(&s)).ok()
        }
    }
}

/// Marks the customers named in `keys` (an error for one the log lacks, unless
/// `allow_missing`).
fn mark_customers(
    log: &EventLog,
    keys: &[CustomerKey],
    argument: &str,
    allow_missing: bool,
) -> Result<Vec<bool>> {
    let customers = log.customers();
    let mut marked = vec![false; customers.len()];
    for key in keys {
        match customer_position(customers, key) {
            Some(c) => {
                if let Some(m) = marked.get_mut(c) {
                    *m = true;
                }
            }
            None if allow_missing => {}
            None => {
                let kind = match customers {
                    CustomerIds::Int(_) => "integers",
                    CustomerIds::Str(_) => "strings",
                };
                return Err(Error::Input {
                    code: crate::InputCode::UnknownCustomer,
                    row: None,
                    message: format!(
                        "`{argument}` names the customer `{}`, who is not in the log (`{}` \
                         customers, whose ids are {kind}; a pseudonymised log holds the \
                         pseudonyms); check the id, or set `allow_missing` (Python \
                         `allow_missing=True`) if the log may legitimately lack it",
                        excerpt(&key.to_string()),
                        customers.len()
                    ),
                });
            }
        }
    }
    Ok(marked)
}

/// Marks the codes of `values` in a column's dictionary (an error for a value the column
/// lacks, unless `allow_missing`).
fn mark_values(
    column_name: &str,
    column: &StrColumn,
    values: &[String],
    argument: &str,
    allow_missing: bool,
) -> Result<Vec<bool>> {
    let mut marked = vec![false; column.dict.len()];
    for v in values {
        match column.dict.binary_search(v) {
            Ok(k) => {
                if let Some(m) = marked.get_mut(k) {
                    *m = true;
                }
            }
            Err(_) if allow_missing => {}
            Err(_) => {
                let close = closest_names(v, &column.dict, 3)
                    .iter()
                    .map(|n| format!("`{}`", excerpt(n)))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::Input {
                    code: crate::InputCode::UnknownValue,
                    row: None,
                    message: format!(
                        "`{argument}` names the value `{}` of column `{column_name}`, which \
                         no event of the log has (closest values: {close}); check the \
                         spelling, or set `allow_missing` (Python `allow_missing=True`) if \
                         the log may legitimately lack it",
                        excerpt(v)
                    ),
                });
            }
        }
    }
    Ok(marked)
}

/// Codes of an interned column, kept or dropped by a value set.
struct ValueTest<'a> {
    ids: &'a [u32],
    marked: Vec<bool>,
    keep: bool,
}

impl ValueTest<'_> {
    fn passes(&self, i: usize) -> bool {
        let hit = self
            .ids
            .get(i)
            .and_then(|&id| self.marked.get(id as usize))
            .copied()
            .unwrap_or(false);
        hit == self.keep
    }
}

fn value_tests<'a>(
    log: &'a EventLog,
    columns: &BTreeMap<String, Vec<String>>,
    argument: &str,
    keep: bool,
    allow_missing: bool,
) -> Result<Vec<ValueTest<'a>>> {
    let mut out = Vec::new();
    for (name, values) in columns {
        // A column the log keeps (loaded, or an extra column) may have lost its values to
        // an earlier filter: with `allow_missing` it then matches nothing.
        let kept = log
            .column(name)
            .is_some_and(|c| !c.ids.is_empty() || !matches!(name.as_str(), "channel" | "session"));
        if !(allow_missing && kept) {
            check_column_present(log, name, argument)?;
        }
        let Some(column) = log.column(name) else {
            // `check_column_present` accepts an unknown column only in an empty log.
            continue;
        };
        out.push(ValueTest {
            ids: &column.ids,
            marked: mark_values(name, column, values, argument, allow_missing)?,
            keep,
        });
    }
    Ok(out)
}

/// Marks the event codes of `names` (unknown names are checked before).
fn mark_events(log: &EventLog, names: &[String]) -> Vec<bool> {
    let mut marked = vec![false; log.names.len()];
    for n in names {
        if let Ok(k) = log.names.binary_search(n) {
            if let Some(m) = marked.get_mut(k) {
                *m = true;
            }
        }
    }
    marked
}

/// The string column of the kept events `kept`, its dictionary reduced to the values they
/// use (an absent column stays absent).
fn gather_strings(col: &StrColumn, kept: &[usize]) -> StrColumn {
    gather_codes(&col.dict, &col.ids, kept)
}

/// [`gather_strings`] of a dictionary and its codes.
fn gather_codes(dict: &[String], ids: &[u32], kept: &[usize]) -> StrColumn {
    if ids.is_empty() {
        return StrColumn::default();
    }
    let mut used = vec![false; dict.len()];
    for &i in kept {
        if let Some(u) = ids.get(i).and_then(|&id| used.get_mut(id as usize)) {
            *u = true;
        }
    }
    let (dict, remap) = reduce(dict, &used);
    StrColumn {
        dict,
        ids: kept
            .iter()
            .map(|&i| match ids.get(i) {
                Some(&id) if id != NONE => remap.get(id as usize).copied().unwrap_or(NONE),
                _ => NONE,
            })
            .collect(),
    }
}

/// The used strings of a sorted dictionary (still sorted) and the remap old → new code.
fn reduce(dict: &[String], used: &[bool]) -> (Vec<String>, Vec<u32>) {
    let mut remap = vec![NONE; dict.len()];
    let mut out = Vec::new();
    for ((s, &u), r) in dict.iter().zip(used).zip(remap.iter_mut()) {
        if u {
            *r = u32::try_from(out.len()).unwrap_or(NONE - 1);
            out.push(s.clone());
        }
    }
    (out, remap)
}

impl EventLog {
    /// The log of the events at the sorted positions `kept` (ascending).
    pub(crate) fn select(&self, kept: &[usize]) -> EventLog {
        let mut offsets = Vec::with_capacity(self.offsets.len());
        offsets.push(0usize);
        let mut customer_kept: Vec<usize> = Vec::new();
        let mut k = 0usize;
        for c in 0..self.customers.len() {
            let range = self.customer_range(c);
            let start = k;
            while kept.get(k).is_some_and(|&i| i < range.end) {
                k += 1;
            }
            if k > start {
                customer_kept.push(c);
                offsets.push(k);
            }
        }
        let customers = match &self.customers {
            CustomerIds::Int(v) => CustomerIds::Int(
                customer_kept
                    .iter()
                    .filter_map(|&c| v.get(c).copied())
                    .collect(),
            ),
            CustomerIds::Str(v) => CustomerIds::Str(
                customer_kept
                    .iter()
                    .filter_map(|&c| v.get(c).cloned())
                    .collect(),
            ),
        };
        self.assemble(customers, offsets, kept)
    }

    /// The log of the events at positions `kept`, in that order, grouped into the units
    /// `customers` by `offsets` (into `kept`).
    fn assemble(&self, customers: CustomerIds, offsets: Vec<usize>, kept: &[usize]) -> EventLog {
        let names = gather_codes(&self.names, &self.event, kept);
        let gather_i64 =
            |v: &[i64]| -> Vec<i64> { kept.iter().filter_map(|&i| v.get(i).copied()).collect() };
        EventLog {
            customers,
            offsets,
            ts: gather_i64(&self.ts),
            event: names.ids,
            row: self.row.select(kept),
            names: names.dict,
            channel: gather_strings(&self.channel, kept),
            session: gather_strings(&self.session, kept),
            value: if self.value.is_empty() {
                Vec::new()
            } else {
                kept.iter()
                    .map(|&i| self.value.get(i).copied().unwrap_or(f64::NAN))
                    .collect()
            },
            extras: self
                .extras
                .iter()
                .map(|(n, col)| (n.clone(), gather_strings(col, kept)))
                .collect(),
        }
    }

    /// The events passing every criterion of `options` (docs/events.md, "Working with a
    /// log"), as a new log.
    ///
    /// # Errors
    /// `unknown_event`, `unknown_customer`, `unknown_value` for a name, customer or value
    /// the log does not hold (unless `allow_missing`); `unknown_column` for a column it
    /// lacks; `invalid_timestamp` for an unreadable `start` or `end`; `invalid_option`
    /// when `start` is not before `end`.
    pub fn filter(&self, options: &FilterOptions) -> Result<EventLog> {
        let o = options;
        let wanted = o
            .events
            .iter()
            .flatten()
            .map(|n| ("filter event", n.as_str()))
            .chain(o.drop_events.iter().map(|n| ("dropped event", n.as_str())));
        check_events_present(self, wanted, o.allow_missing)?;
        let keep_events = o.events.as_deref().map(|e| mark_events(self, e));
        let drop_events = mark_events(self, &o.drop_events);
        let start = o
            .start
            .as_deref()
            .map(|t| parse_instant(t, "start", o.assume_utc))
            .transpose()?;
        let end = o
            .end
            .as_deref()
            .map(|t| parse_instant(t, "end", o.assume_utc))
            .transpose()?;
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                return Err(invalid_option(format!(
                    "the filter's `start` (`{}`) is not before its `end` (`{}`): the range \
                     [start, end) would hold no event; give a `start` before the `end`",
                    o.start.as_deref().unwrap_or(""),
                    o.end.as_deref().unwrap_or("")
                )));
            }
        }
        let keep_customers = o
            .customers
            .as_deref()
            .map(|c| mark_customers(self, c, "customers", o.allow_missing))
            .transpose()?;
        let drop_customers =
            mark_customers(self, &o.drop_customers, "drop_customers", o.allow_missing)?;
        let mut tests = value_tests(self, &o.where_in, "where", true, o.allow_missing)?;
        tests.extend(value_tests(
            self,
            &o.where_not,
            "where_not",
            false,
            o.allow_missing,
        )?);
        let (start, end) = (start.unwrap_or(i64::MIN), end.unwrap_or(i64::MAX));
        let no_end = o.end.is_none();
        let mut kept = Vec::with_capacity(self.len());
        for c in 0..self.customers.len() {
            let in_list = keep_customers
                .as_ref()
                .is_none_or(|k| k.get(c).copied().unwrap_or(false));
            if !in_list || drop_customers.get(c).copied().unwrap_or(false) {
                continue;
            }
            for i in self.customer_range(c) {
                let (Some(&t), Some(&e)) = (self.ts.get(i), self.event.get(i)) else {
                    continue;
                };
                let e = e as usize;
                let passes = t >= start
                    && (no_end || t < end)
                    && keep_events
                        .as_ref()
                        .is_none_or(|k| k.get(e).copied().unwrap_or(false))
                    && !drop_events.get(e).copied().unwrap_or(false)
                    && tests.iter().all(|t| t.passes(i));
                if passes {
                    kept.push(i);
                }
            }
        }
        Ok(self.select(&kept))
    }

    /// The events of a seeded sample of customers ([`SampleOptions`] gives the rule), as
    /// a new log.
    ///
    /// # Errors
    /// `invalid_option` unless exactly one of `fraction` (in (0, 1]) and `count` (at
    /// least 1) is given.
    pub fn sample(&self, options: &SampleOptions) -> Result<EventLog> {
        let hashes: Vec<u64> = self
            .customers
            .iter()
            .map(|id| sample_hash(options.seed, id))
            .collect();
        let chosen: Vec<bool> = match (options.fraction, options.count) {
            (Some(f), None) => {
                if !(f > 0.0 && f <= 1.0) {
                    return Err(invalid_option(format!(
                        "the sample's `fraction` is `{f}`; it must be more than 0 and at most 1"
                    )));
                }
                // Exact: `h >> 11` < 2^53 and `f · 2^53` scale by a power of two.
                let bound = f * 9_007_199_254_740_992.0;
                hashes
                    .iter()
                    .map(|&h| {
                        #[allow(clippy::cast_precision_loss, reason = "h >> 11 < 2^53: exact")]
                        let x = (h >> 11) as f64;
                        x < bound
                    })
                    .collect()
            }
            (None, Some(n)) => {
                if n == 0 {
                    return Err(invalid_option(
                        "the sample's `count` is 0; it must be at least 1".to_owned(),
                    ));
                }
                let mut order: Vec<usize> = (0..hashes.len()).collect();
                order.sort_unstable_by_key(|&c| (hashes.get(c).copied().unwrap_or(0), c));
                let mut chosen = vec![false; hashes.len()];
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                for &c in order.iter().take(n) {
                    if let Some(x) = chosen.get_mut(c) {
                        *x = true;
                    }
                }
                chosen
            }
            _ => {
                return Err(invalid_option(
                    "give exactly one of the sample's `fraction` (a share of customers) and \
                     `count` (a number of customers)"
                        .to_owned(),
                ))
            }
        };
        let mut kept = Vec::new();
        for (c, &x) in chosen.iter().enumerate() {
            if x {
                kept.extend(self.customer_range(c));
            }
        }
        Ok(self.select(&kept))
    }

    /// The log with session ids derived by inactivity ([`SessionOptions`] gives the rule);
    /// every other column is kept.
    ///
    /// # Errors
    /// `invalid_option` for a gap of 0, or for a log that has session ids unless
    /// `replace`.
    pub fn sessionize(&self, options: &SessionOptions) -> Result<EventLog> {
        if options.gap_seconds == 0 {
            return Err(invalid_option(
                "the session `gap_seconds` is 0; it must be at least 1 (default 1800, 30 \
                 minutes)"
                    .to_owned(),
            ));
        }
        if !options.replace && self.session.ids.iter().any(|&id| id != NONE) {
            return Err(invalid_option(
                "the log already has session ids (its session column); pass `replace` \
                 (Python `replace=True`) to derive sessions by inactivity instead, or use \
                 the ids it has"
                    .to_owned(),
            ));
        }
        let gap = i128::from(options.gap_seconds) * 1_000_000_000;
        let mut names: Vec<String> = Vec::new();
        let mut ids: Vec<u32> = Vec::with_capacity(self.len());
        // The customer's name once, each session's name built on it (`{customer}:{k}`).
        let mut customer = String::new();
        for c in 0..self.customers.len() {
            customer.clear();
            match &self.customers {
                CustomerIds::Int(v) => {
                    let _ = write!(customer, "{}", v.get(c).copied().unwrap_or_default());
                }
                CustomerIds::Str(v) => customer.push_str(v.get(c).map_or("", String::as_str)),
            }
            let mut previous: Option<i64> = None;
            let mut k = 0u64;
            for i in self.customer_range(c) {
                let t = self.ts.get(i).copied().unwrap_or(0);
                let opens = previous.is_none_or(|p| i128::from(t) - i128::from(p) > gap);
                if opens {
                    k += 1;
                    let mut name = String::with_capacity(customer.len() + 4);
                    name.push_str(&customer);
                    let _ = write!(name, ":{k}");
                    names.push(name);
                }
                previous = Some(t);
                ids.push(u32::try_from(names.len() - 1).unwrap_or(NONE - 1));
            }
        }
        let (dict, remap) = super::log::sort_dict(names);
        let session = StrColumn {
            dict,
            ids: ids
                .iter()
                .map(|&id| remap.get(id as usize).copied().unwrap_or(NONE))
                .collect(),
        };
        // Every column but the sessions copied (the old session column is not needed).
        Ok(EventLog {
            customers: self.customers.clone(),
            offsets: self.offsets.clone(),
            ts: self.ts.clone(),
            event: self.event.clone(),
            row: self.row.clone(),
            names: self.names.clone(),
            channel: self.channel.clone(),
            session,
            value: self.value.clone(),
            extras: self.extras.clone(),
        })
    }

    /// The units an analysis counts (`unit`): this log's customers, or its sessions. When
    /// every customer's sessions are runs of consecutive events (as `sessionize` makes
    /// them, and as most session columns are), the sessions are a view of this log with
    /// other offsets, no event moved; otherwise their events are regrouped
    /// ([`Self::session_units`], numbered). For the analyses that count units and never
    /// name one (funnels, directly-follows, variants, flows).
    ///
    /// # Errors
    /// As [`Self::session_units`].
    pub(crate) fn units(&self, unit: AnalysisUnit, argument: &str) -> Result<Units<'_>> {
        match unit {
            AnalysisUnit::Customer => Ok(Units::Log(self, None)),
            AnalysisUnit::Session => {
                self.check_sessions(argument)?;
                Ok(match self.session_runs() {
                    Some(offsets) => Units::Log(self, Some(offsets)),
                    None => Units::Regrouped(Box::new(self.session_units(argument, false)?)),
                })
            }
        }
    }

    /// Where each (customer, session) unit starts when every customer's sessions are runs
    /// of consecutive events; `None` when a customer comes back to a session after
    /// another one.
    fn session_runs(&self) -> Option<Vec<usize>> {
        let mut offsets = Vec::with_capacity(self.customers.len() + 1);
        offsets.push(0usize);
        let mut runs: Vec<u32> = Vec::new();
        for c in 0..self.customers.len() {
            let range = self.customer_range(c);
            let end = range.end;
            runs.clear();
            let mut previous: Option<u32> = None;
            for i in range {
                let id = self.session.ids.get(i).copied().unwrap_or(NONE);
                if previous != Some(id) {
                    if previous.is_some() {
                        offsets.push(i);
                    }
                    runs.push(id);
                    previous = Some(id);
                }
            }
            if previous.is_some() {
                offsets.push(end);
            }
            if runs.len() > 1 {
                runs.sort_unstable();
                if runs.windows(2).any(|w| w.first() == w.get(1)) {
                    return None;
                }
            }
        }
        Some(offsets)
    }

    /// `unknown_column` when the log has no session ids (read through `argument`),
    /// `invalid_option` when some event has none.
    fn check_sessions(&self, argument: &str) -> Result<()> {
        if self.is_empty() {
            return Ok(());
        }
        check_column_present(self, "session", argument)?;
        let missing = (0..self.len())
            .filter(|&i| self.session.ids.get(i).is_none_or(|&id| id == NONE))
            .count();
        if missing > 0 {
            return Err(invalid_option(format!(
                "`{argument}=\"session\"` needs a session id on every event, and `{missing}` of \
                 the `{}` events have none; derive sessions by inactivity with `sessionize` \
                 (Python `log.sessionize()`, `replace=True` to derive every one), or drop \
                 those events first",
                self.len()
            )));
        }
        Ok(())
    }

    /// The log whose units ("customers") are the (customer, session id) pairs, for
    /// analyses with [`AnalysisUnit::Session`]; events keep their order inside a unit.
    /// `named`: each unit's id is the text customer U+001F session, the same in every
    /// partition of a log (`FunnelState` merges the events of one id across partitions;
    /// numbers per partition would merge different sessions), the units in the order of
    /// those ids. Otherwise the units are numbered 0, 1, … in the log's customer order, and
    /// no id is formatted or sorted: the same units and events, for counting.
    ///
    /// # Errors
    /// `unknown_column` when the log has no session ids (read through `argument`);
    /// `invalid_option` when some event has none.
    pub(crate) fn session_units(&self, argument: &str, named: bool) -> Result<EventLog> {
        if self.is_empty() {
            return Ok(self.clone());
        }
        self.check_sessions(argument)?;
        let session_of = |i: &usize| self.session.ids.get(*i).copied().unwrap_or(NONE);
        let mut offsets = vec![0usize];
        let mut order: Vec<usize> = Vec::with_capacity(self.len());
        let mut names: Vec<String> = Vec::new();
        let mut events: Vec<usize> = Vec::new();
        for c in 0..self.customers.len() {
            events.clear();
            events.extend(self.customer_range(c));
            // Stable: a session's events keep their order (sessions by inactivity are
            // runs already, which the sort only checks).
            events.sort_by_key(session_of);
            let customer = if named {
                self.customers.name(c).unwrap_or_default()
            } else {
                String::new()
            };
            for chunk in events.chunk_by(|a, b| session_of(a) == session_of(b)) {
                if named {
                    let session = chunk
                        .first()
                        .and_then(|&i| self.session.get(i))
                        .unwrap_or_default();
                    names.push(format!("{customer}\u{1f}{session}"));
                }
                order.extend_from_slice(chunk);
                offsets.push(order.len());
            }
        }
        if !named {
            let units = i64::try_from(offsets.len() - 1).unwrap_or(i64::MAX);
            return Ok(self.assemble(CustomerIds::Int((0..units).collect()), offsets, &order));
        }
        // In the order of the ids: each unit's events, by the rank of its id.
        let mut rank: Vec<usize> = (0..names.len()).collect();
        rank.sort_unstable_by(|&a, &b| names.get(a).cmp(&names.get(b)));
        let mut sorted_offsets = Vec::with_capacity(offsets.len());
        sorted_offsets.push(0usize);
        let mut sorted_order = Vec::with_capacity(order.len());
        let mut sorted_names = Vec::with_capacity(names.len());
        for &u in &rank {
            let (Some(&from), Some(&to)) = (offsets.get(u), offsets.get(u + 1)) else {
                continue;
            };
            sorted_order.extend_from_slice(order.get(from..to).unwrap_or(&[]));
            sorted_offsets.push(sorted_order.len());
            sorted_names.push(std::mem::take(
                names.get_mut(u).unwrap_or(&mut String::new()),
            ));
        }
        Ok(self.assemble(
            CustomerIds::Str(sorted_names),
            sorted_offsets,
            &sorted_order,
        ))
    }

    /// The log with its events renamed by `options.labels`, events without a label
    /// dropped ([`RelabelOptions`]); customers, times, order and every other column stay.
    /// Customers left without events leave the log.
    ///
    /// # Errors
    /// `invalid_option` for no labels or an empty label; `unknown_event` for a labelled
    /// name the log lacks (unless `allow_missing`).
    pub fn relabel(&self, options: &RelabelOptions) -> Result<EventLog> {
        if options.labels.is_empty() {
            return Err(invalid_option(
                "`labels` is empty, so every event would be dropped: name at least one event \
                 and its new name"
                    .to_owned(),
            ));
        }
        check_events_present(
            self,
            options
                .labels
                .keys()
                .map(|n| ("labelled event", n.as_str())),
            options.allow_missing,
        )?;
        if let Some((name, _)) = options.labels.iter().find(|(_, l)| l.is_empty()) {
            return Err(invalid_option(format!(
                "the label of event `{name}` is empty: give every event name a non-empty \
                 new name, or leave it out to drop its events"
            )));
        }
        // The new dictionary (sorted, distinct; labels of names that have events) and
        // each old code's new code.
        let mut used = vec![false; self.names.len()];
        for &e in &self.event {
            if let Some(u) = used.get_mut(e as usize) {
                *u = true;
            }
        }
        let labels: BTreeSet<&str> = self
            .names
            .iter()
            .zip(&used)
            .filter(|(_, &u)| u)
            .filter_map(|(n, _)| options.labels.get(n).map(String::as_str))
            .collect();
        let dict: Vec<String> = labels.iter().map(|&l| l.to_owned()).collect();
        let code_of: Vec<u32> = self
            .names
            .iter()
            .map(|n| {
                options
                    .labels
                    .get(n)
                    .and_then(|l| dict.binary_search(l).ok())
                    .and_then(|i| u32::try_from(i).ok())
                    .unwrap_or(NONE)
            })
            .collect();
        let new_code = |i: usize| {
            self.event
                .get(i)
                .and_then(|&e| code_of.get(e as usize))
                .copied()
                .unwrap_or(NONE)
        };
        let kept: Vec<usize> = (0..self.len()).filter(|&i| new_code(i) != NONE).collect();
        let mut out = self.select(&kept);
        out.event = kept.iter().map(|&i| new_code(i)).collect();
        out.names = dict;
        Ok(out)
    }

    /// The columns of the ordered log, to export it (Python `EventLog.to_arrow`, JS
    /// `toColumns`).
    #[must_use]
    pub fn export(&self) -> LogExport<'_> {
        let mut customer = Vec::with_capacity(self.len());
        for c in 0..self.customers.len() {
            let code = u32::try_from(c).unwrap_or(NONE - 1);
            customer.extend(self.customer_range(c).map(|_| code));
        }
        LogExport {
            customers: &self.customers,
            customer,
            timestamp_ns: &self.ts,
            event: Coded {
                dict: &self.names,
                codes: &self.event,
            },
            channel: coded(&self.channel),
            session: coded(&self.session),
            value: (!self.value.is_empty()).then_some(self.value.as_slice()),
            extras: self
                .extras
                .iter()
                .map(|(n, col)| {
                    (
                        n.as_str(),
                        Coded {
                            dict: &col.dict,
                            codes: &col.ids,
                        },
                    )
                })
                .collect(),
        }
    }
}

fn coded(col: &StrColumn) -> Option<Coded<'_>> {
    (!col.ids.is_empty()).then_some(Coded {
        dict: &col.dict,
        codes: &col.ids,
    })
}

/// The sample hash of one customer ([`SampleOptions`]).
#[must_use]
pub fn sample_hash(seed: u64, id: CustomerId<'_>) -> u64 {
    let mut hasher = Sha256::new();
    hasher.update(format!("{seed}:{id}").as_bytes());
    let digest = hasher.finalize();
    let mut first = [0u8; 8];
    for (slot, b) in first.iter_mut().zip(digest.iter()) {
        *slot = *b;
    }
    u64::from_be_bytes(first)
}

/// An interned column of the ordered log: `dict[codes[i]]` is the value of event `i`;
/// [`NO_VALUE`] means none.
#[derive(Debug, Clone, Copy)]
pub struct Coded<'a> {
    /// The distinct values, sorted.
    pub dict: &'a [String],
    /// One code per event.
    pub codes: &'a [u32],
}

/// The code of "no value" in a [`Coded`] column.
pub const NO_VALUE: u32 = NONE;

/// The columns of a log in its order (customer, timestamp, input row), from
/// [`EventLog::export`].
#[derive(Debug, Clone)]
pub struct LogExport<'a> {
    /// The customers, sorted.
    pub customers: &'a CustomerIds,
    /// Per event, the position of its customer in `customers`.
    pub customer: Vec<u32>,
    /// Per event, nanoseconds since the epoch (UTC).
    pub timestamp_ns: &'a [i64],
    /// Event names.
    pub event: Coded<'a>,
    /// Channels; `None` when the log has no channel column.
    pub channel: Option<Coded<'a>>,
    /// Sessions; `None` when the log has no session column.
    pub session: Option<Coded<'a>>,
    /// Values (NaN: none); `None` when the log has no value column.
    pub value: Option<&'a [f64]>,
    /// Extra columns by name.
    pub extras: Vec<(&'a str, Coded<'a>)>,
}

impl IngestReport {
    /// The warnings this report has that `earlier`, the report it was made from by a log
    /// operation ([`LogOperation::apply`]), did not: what to show the user after an
    /// operation (`empty_log` when it emptied the log), without repeating the ingest's.
    /// `earlier` must be the report given to `apply` (this one extends it); for any other
    /// report the answer means nothing.
    #[must_use]
    pub fn new_warnings(&self, earlier: &IngestReport) -> &[IngestWarning] {
        self.warnings
            .get(earlier.warnings.len()..)
            .unwrap_or_default()
    }

    /// The report of `after`, made from `before` (whose report this is) by `operation`:
    /// the ingest account is kept (`rows_read`, `rejected`, `consent_filtered`), the
    /// counts describe the new log (`rows_used`, `customers`, `event_names`, and
    /// `unmapped_events` recounted on its events), the events removed are added to
    /// `removed_by_operations` (so `rows_read = rows_used + rejected_total +
    /// consent_filtered + removed_by_operations`), and the operation is appended to
    /// `operations`. When it leaves an empty log from a non-empty one, the warning
    /// `empty_log` is added.
    #[must_use]
    pub fn after(&self, before: &EventLog, after: &EventLog, operation: Definition) -> Self {
        let mut out = self.clone();
        let removed = before.len().saturating_sub(after.len()) as u64;
        out.rows_used = after.len() as u64;
        out.removed_by_operations = out.removed_by_operations.saturating_add(removed);
        out.customers = after.customers().len() as u64;
        out.event_names = after.event_names().len() as u64;
        if !out.unmapped_events.is_empty() {
            let mut counts = vec![0u64; after.names.len()];
            for &e in &after.event {
                if let Some(c) = counts.get_mut(e as usize) {
                    *c += 1;
                }
            }
            out.unmapped_events = self
                .unmapped_events
                .iter()
                .filter_map(|u| {
                    let k = after.names.binary_search(&u.event).ok()?;
                    Some(NameCount {
                        event: u.event.clone(),
                        count: counts.get(k).copied().unwrap_or(0),
                    })
                })
                .collect();
            out.unmapped_total = out.unmapped_events.iter().map(|u| u.count).sum();
        }
        if after.is_empty() && !before.is_empty() {
            out.warnings.push(IngestWarning {
                code: crate::InputCode::EmptyLog.as_str().to_owned(),
                message: format!(
                    "the operation `{}` (definition `{}`) left no events of the `{}` it was \
                     given; analyses of an empty log give empty results, and those naming \
                     events fail with `unknown_event` unless `allow_missing_events`",
                    operation.kind,
                    operation.hash,
                    before.len()
                ),
            });
        }
        out.operations.push(AppliedOperation {
            definition: operation,
            events_before: before.len() as u64,
            events_after: after.len() as u64,
            customers_before: before.customers().len() as u64,
            customers_after: after.customers().len() as u64,
        });
        out
    }
}

/// The units an analysis counts ([`EventLog::units`]).
#[derive(Debug)]
pub(crate) enum Units<'a> {
    /// The log's customers (`None`), or its sessions as runs of each customer's events:
    /// where each session starts.
    Log(&'a EventLog, Option<Vec<usize>>),
    /// Sessions whose events were regrouped, numbered.
    Regrouped(Box<EventLog>),
}

impl Units<'_> {
    /// The log whose columns the units read.
    pub(crate) fn log(&self) -> &EventLog {
        match self {
            Self::Log(log, _) => log,
            Self::Regrouped(log) => log,
        }
    }

    /// The units' sequence view, with a breakdown column of [`Self::log`].
    pub(crate) fn seqs<'s>(&'s self, group: Option<&'s StrColumn>) -> Seqs<'s> {
        match self {
            Self::Log(log, Some(offsets)) => Seqs {
                customers: CustomerNames::Numbered,
                offsets,
                to: offsets.len().saturating_sub(1),
                ..Seqs::from_log(log, group)
            },
            Self::Log(log, None) => Seqs::from_log(log, group),
            Self::Regrouped(log) => Seqs::from_log(log, group),
        }
    }
}
