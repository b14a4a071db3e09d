//! Retention cohorts (docs/events.md), counted in unique customers, with PostHog's and
//! Amplitude's semantics; the rule is recorded in every result's definition as
//! `calendar_periods`.
//!
//! # Rule
//!
//! * **Periods** are calendar days, ISO weeks (Monday to Sunday) or calendar months of the
//!   local time at a fixed UTC offset (`time_zone`, default UTC): an event at `t` is in
//!   the period that holds `t + offset`. Zones with daylight-saving time are not offered.
//! * **Cohort entries.** `first_time` (default): a customer enters the cohort of the period
//!   of their first `start_event` (first seen, when no start event is named) and no other.
//!   `recurring`: every period in which the customer has a start event is a cohort entry
//!   of its own, so one customer can be in many cohorts.
//! * **Retained at k.** Period 0 is the cohort period itself: every entry counts there (the
//!   retained count at 0 is the cohort size, rate 1), whatever the return event, as
//!   PostHog counts it. For k ≥ 1, `on` (default): the customer has a `return_event` (any
//!   event by default) in period p + k exactly; `on_or_after`: in period p + k or any later
//!   one (Amplitude's "unbounded" retention; PostHog's "on or after" looks only within
//!   the table's periods, see docs/events.md). Return events before or in the cohort
//!   period do not count for k ≥ 1.
//! * **Observation.** The table is as known at `as_of` (events after it are not read), or
//!   else at the log's last timestamp. The cell (p, k) is observable when period p + k
//!   has begun by then; otherwise its count and rate are `null`, never 0. The last
//!   observable period may be partly observed, as in PostHog.
//! * **Means** at each k, over the cohorts observable at k: weighted (retained summed over
//!   sizes summed) and simple (the mean of the cohorts' rates).
//! * **Breakdown** by a string column: each cohort entry takes the column's value at its
//!   first start event in the cohort period; return events count whatever their value.
//!
//! One pass over the log: each customer's events (sorted by time) give their cohort
//! entries and the distinct periods with a return event, read from event codes; no
//! allocation per event.

use super::log::{EventLog, NONE};
use super::seq::{ratio, Seqs};
use super::time::{
    civil_from_days, format_iso8601, format_utc_offset, parse_instant, parse_utc_offset,
    NANOS_PER_SECOND,
};
use crate::definition::Definition;
use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The most periods after the cohort period one table may have.
pub const MAX_RETENTION_PERIODS: u32 = 10_000;

const DAY_NS: i64 = 86_400 * NANOS_PER_SECOND;

/// One event name, or any of several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum EventMatch {
    /// Events with this name.
    One(String),
    /// Events with any of these names.
    AnyOf(Vec<String>),
}

impl<'de> Deserialize<'de> for EventMatch {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Match;
        impl<'de> serde::de::Visitor<'de> for Match {
            type Value = EventMatch;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an event name or a list of event names")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<EventMatch, E> {
                Ok(EventMatch::One(v.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> std::result::Result<EventMatch, A::Error> {
                let mut names = Vec::new();
                while let Some(name) = seq.next_element::<String>()? {
                    names.push(name);
                }
                Ok(EventMatch::AnyOf(names))
            }
        }
        d.deserialize_any(Match)
    }
}

impl EventMatch {
    pub(crate) fn names(&self) -> &[String] {
        match self {
            Self::One(name) => std::slice::from_ref(name),
            Self::AnyOf(names) => names,
        }
    }

    /// The same set in one form: names sorted and unique, a set of one name as `One`.
    pub(crate) fn canonical(&self) -> Self {
        let mut names = self.names().to_vec();
        // Insertion sort: the lists are a few names, and a sort of strings would weigh on
        // the browser module.
        for i in 1..names.len() {
            let mut j = i;
            while j > 0 && names.get(j - 1) > names.get(j) {
                names.swap(j - 1, j);
                j -= 1;
            }
        }
        names.dedup();
        match <[String; 1]>::try_from(names) {
            Ok([one]) => Self::One(one),
            Err(names) => Self::AnyOf(names),
        }
    }
}

/// The length of a retention period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetentionPeriod {
    /// Calendar days.
    #[default]
    Day,
    /// ISO weeks, Monday to Sunday.
    Week,
    /// Calendar months.
    Month,
}

/// When a customer counts as retained in period k.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetentionMode {
    /// A return event in period k exactly.
    #[default]
    On,
    /// A return event in period k or any later period (Amplitude's "unbounded").
    OnOrAfter,
}

/// Which periods of a customer are cohort entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CohortType {
    /// The period of the customer's first start event only.
    #[default]
    FirstTime,
    /// Every period in which the customer has a start event.
    Recurring,
}

/// Options of a retention table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionOptions {
    /// The event that puts a customer in a cohort: one name or a list of names (any of
    /// them); null (default) for any event, so that the cohort is the period the customer
    /// was first seen.
    pub start_event: Option<EventMatch>,
    /// The event that counts as a return: one name or a list of names; null (default)
    /// for any event.
    pub return_event: Option<EventMatch>,
    /// The period: `day` (default), `week` (ISO, Monday first) or `month`.
    pub period: RetentionPeriod,
    /// The last period reported after the cohort period: the table has periods 0 to
    /// `periods` (default 10, so 11 columns, as PostHog's default table).
    pub periods: u32,
    /// `on` (default): a return in period k exactly; `on_or_after`: in period k or later.
    pub mode: RetentionMode,
    /// `first_time` (default): one cohort per customer, that of the first start event;
    /// `recurring`: every period with a start event is a cohort entry.
    pub cohort: CohortType,
    /// The fixed UTC offset the periods are read in: `±HH:MM` (also `±HHMM`, `±HH`, `Z`,
    /// `UTC`; default `+00:00`). Zones with daylight-saving time are not supported.
    pub time_zone: String,
    /// The time the table is as of (ISO-8601 with offset, or a date alone: the start of
    /// that day in UTC): events after it are not read, and cells whose period starts
    /// after it are null. Default: the log's last timestamp.
    pub as_of: Option<String>,
    /// Read `as_of` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
    /// A string column to break the table down by (`channel`, `session` or an extra
    /// column), read at the first start event of each cohort entry.
    pub breakdown: Option<String>,
    /// Allow start and return events that the log does not contain (default false: such
    /// a name is an `unknown_event` error, as it is most often a misspelling).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_missing_events: bool,
}

impl Default for RetentionOptions {
    fn default() -> Self {
        Self {
            start_event: None,
            return_event: None,
            period: RetentionPeriod::Day,
            periods: 10,
            mode: RetentionMode::On,
            cohort: CohortType::FirstTime,
            time_zone: "+00:00".to_owned(),
            as_of: None,
            assume_utc: false,
            breakdown: None,
            allow_missing_events: false,
        }
    }
}

/// One cohort: the customers whose cohort entry is in one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionCohort {
    /// The first day of the cohort period (`YYYY-MM-DD`, in the table's time zone).
    pub period_start: String,
    /// Customers in the cohort (cohort entries in this period).
    pub size: u64,
    /// Per period k = 0..=`periods`: customers retained (k = 0: the size); null when
    /// period k had not begun by the end of observation.
    pub retained: Vec<Option<u64>>,
    /// Per period k: `retained / size`; null where `retained` is.
    pub rates: Vec<Option<f64>>,
}

/// The mean retention curve over cohorts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionMean {
    /// Per period k: retained customers summed over the cohorts observable at k, over
    /// their sizes summed (null when no cohort is observable at k).
    pub weighted: Vec<Option<f64>>,
    /// Per period k: the mean of the rates of the cohorts observable at k.
    pub simple: Vec<Option<f64>>,
    /// Per period k: how many cohorts are observable at k.
    pub cohorts: Vec<u64>,
    /// Per period k: the sizes of those cohorts, summed (the weight of `weighted`).
    pub customers: Vec<u64>,
}

/// The retention table of one breakdown group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionGroup {
    /// The column value (null for cohort entries without one).
    pub value: Option<String>,
    /// Distinct customers with a cohort entry in this group.
    pub customers: u64,
    /// The cohorts, by period.
    pub cohorts: Vec<RetentionCohort>,
    /// The mean curves.
    pub mean: RetentionMean,
}

/// A retention table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RetentionResult {
    /// The definition used.
    pub definition: Definition,
    /// The end of observation (`as_of`, or the log's last timestamp), ISO-8601 in UTC;
    /// null for an empty log.
    pub observed_until: Option<String>,
    /// Distinct customers with at least one cohort entry.
    pub customers: u64,
    /// The cohorts, by period (periods without a cohort entry are not listed).
    pub cohorts: Vec<RetentionCohort>,
    /// The mean curves.
    pub mean: RetentionMean,
    /// Per group of the breakdown column, in value order (values written as integers
    /// first, by number; then the others by their bytes; null last); empty without one.
    pub breakdown: Vec<RetentionGroup>,
}

pub(crate) fn invalid(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    }
}

/// Periods of local time at a fixed offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Clock {
    offset_ns: i64,
    period: RetentionPeriod,
}

impl Clock {
    /// Periods of `period` at an offset of `minutes` east of UTC.
    pub(crate) fn new(minutes: i32, period: RetentionPeriod) -> Self {
        Self {
            offset_ns: i64::from(minutes) * 60 * NANOS_PER_SECOND,
            period,
        }
    }

    /// The index of the period holding the instant `t` (days, Monday-weeks or months
    /// since the epoch's, in local time).
    pub(crate) fn period(self, t: i64) -> i64 {
        self.period_of_day(self.day(t))
    }

    /// The local day of the instant `t`, in days since 1970-01-01.
    pub(crate) fn day(self, t: i64) -> i64 {
        match t.checked_add(self.offset_ns) {
            Some(local) => local.div_euclid(DAY_NS),
            // Within an offset of the ends of the range: |t| < 2^63 ns is about 106,752
            // days, so the day always fits.
            None => i64::try_from(
                (i128::from(t) + i128::from(self.offset_ns)).div_euclid(i128::from(DAY_NS)),
            )
            .unwrap_or(0),
        }
    }

    /// The index of the period holding local day `day`.
    pub(crate) fn period_of_day(self, day: i64) -> i64 {
        match self.period {
            RetentionPeriod::Day => day,
            // 1970-01-01 was a Thursday: day 4 (1970-01-05) starts week 1.
            RetentionPeriod::Week => (day + 3).div_euclid(7),
            RetentionPeriod::Month => {
                let (y, m, _) = civil_from_days(day);
                y * 12 + (m - 1)
            }
        }
    }

    /// The first day of period `p`, `YYYY-MM-DD`.
    pub(crate) fn start_date(self, p: i64) -> String {
        let (y, m, d) = match self.period {
            RetentionPeriod::Day => civil_from_days(p),
            RetentionPeriod::Week => civil_from_days(p.saturating_mul(7).saturating_sub(3)),
            RetentionPeriod::Month => (p.div_euclid(12), p.rem_euclid(12) + 1, 1),
        };
        format!("{y:04}-{m:02}-{d:02}")
    }

    /// The smallest and largest period any timestamp can be in.
    pub(crate) fn range(self) -> (i64, i64) {
        (self.period(i64::MIN), self.period(i64::MAX))
    }
}

/// Retention options checked and resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetentionPlan {
    /// The options in canonical form (event lists sorted, the offset as `±HH:MM`).
    pub(crate) options: RetentionOptions,
    start: Option<Vec<String>>,
    ret: Option<Vec<String>>,
    clock: Clock,
    as_of_ns: Option<i64>,
    periods: usize,
}

#[derive(Serialize)]
struct DefinitionParams<'a> {
    options: &'a RetentionOptions,
    rule: &'static str,
}

pub(crate) fn event_names(m: Option<&EventMatch>, what: &str) -> Result<Option<Vec<String>>> {
    let Some(m) = m else { return Ok(None) };
    let names = m.canonical().names().to_vec();
    if names.is_empty() {
        return Err(invalid(format!(
            "`{what}` is an empty list; give a name, a list of names, or null for any event"
        )));
    }
    if names.iter().any(String::is_empty) {
        return Err(invalid(format!("`{what}` names an empty event")));
    }
    Ok(Some(names))
}

impl RetentionOptions {
    /// Checks the options and resolves them.
    pub(crate) fn plan(&self) -> Result<RetentionPlan> {
        if self.periods > MAX_RETENTION_PERIODS {
            return Err(invalid(format!(
                "`periods` must be from 0 to {MAX_RETENTION_PERIODS}, not `{}`",
                self.periods
            )));
        }
        let minutes = parse_utc_offset(&self.time_zone, "time_zone")?;
        let start = event_names(self.start_event.as_ref(), "start_event")?;
        let ret = event_names(self.return_event.as_ref(), "return_event")?;
        let as_of_ns = self
            .as_of
            .as_deref()
            .map(|t| parse_instant(t, "as_of", self.assume_utc))
            .transpose()?;
        if self.breakdown.as_deref() == Some("") {
            return Err(invalid("`breakdown` names an empty column".to_owned()));
        }
        let options = Self {
            start_event: self.start_event.as_ref().map(EventMatch::canonical),
            return_event: self.return_event.as_ref().map(EventMatch::canonical),
            time_zone: format_utc_offset(minutes),
            ..self.clone()
        };
        Ok(RetentionPlan {
            options,
            start,
            ret,
            clock: Clock {
                offset_ns: i64::from(minutes) * 60 * NANOS_PER_SECOND,
                period: self.period,
            },
            as_of_ns,
            periods: usize::try_from(self.periods).unwrap_or(usize::MAX),
        })
    }

    /// The checks that look at the whole log: named events are in it (unless
    /// `allow_missing_events`), the breakdown column has values.
    fn check_against(&self, log: &EventLog) -> Result<()> {
        let wanted = [
            ("retention start event", self.start_event.as_ref()),
            ("retention return event", self.return_event.as_ref()),
        ];
        let wanted = wanted.iter().flat_map(|(what, m)| {
            m.map_or(&[][..], |m| m.names())
                .iter()
                .map(move |n| (*what, n.as_str()))
        });
        super::checks::check_events_present(log, wanted, self.allow_missing_events)?;
        if let Some(column) = &self.breakdown {
            super::checks::check_column_present(log, column, "breakdown")?;
        }
        Ok(())
    }

    /// The resolved plan and the counts of a log's customers.
    pub(crate) fn tally(&self, log: &EventLog) -> Result<(RetentionPlan, RetentionTally)> {
        let plan = self.plan()?;
        let group = match &self.breakdown {
            None => None,
            Some(name) => Some(log.column(name).ok_or_else(|| Error::Input {
                code: crate::InputCode::UnknownColumn,
                row: None,
                message: format!(
                    "the log has no column `{name}` to break down by; keep it when loading the \
                     log (Python `extra=[\"{name}\"]`), or use `channel` or `session`"
                ),
            })?),
        };
        let tally = plan.tally(&Seqs::from_log(log, group));
        Ok((plan, tally))
    }
}

impl EventLog {
    /// The retention table of the log (see [`RetentionOptions`] and docs/events.md).
    ///
    /// # Errors
    /// `invalid_option` for unusable options (a `time_zone` that is not a fixed offset,
    /// `periods` above [`MAX_RETENTION_PERIODS`], an empty event list), `unknown_event` for
    /// a start or return event the log does not contain (unless `allow_missing_events`),
    /// `unknown_column` for a breakdown column the log lacks (or has no value in),
    /// `invalid_timestamp` for a bad `as_of`.
    pub fn retention(&self, options: &RetentionOptions) -> Result<RetentionResult> {
        options.plan()?;
        options.check_against(self)?;
        let (plan, tally) = options.tally(self)?;
        Ok(plan.finish(&tally))
    }
}

/// The cohorts of a set of whole customers: distinct customers with an entry, and per
/// cohort period (sorted, unique) the counts for k = 0..=periods (`[0]` is the cohort
/// size). Sorted vectors rather than maps: a table has few periods, and maps of these
/// types would weigh on the browser module.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Cohorts {
    pub(crate) customers: u64,
    pub(crate) rows: Vec<(i64, Vec<u64>)>,
}

impl Cohorts {
    /// The counts of period `p`, a row of `width` zeros when it is new.
    pub(crate) fn row_mut(&mut self, p: i64, width: usize) -> Option<&mut Vec<u64>> {
        let i = match self.rows.binary_search_by_key(&p, |r| r.0) {
            Ok(i) => i,
            Err(i) => {
                self.rows.insert(i, (p, vec![0; width]));
                i
            }
        };
        self.rows.get_mut(i).map(|r| &mut r.1)
    }

    /// The counts of period `p`, if it has any.
    pub(crate) fn row(&self, p: i64) -> Option<&[u64]> {
        let i = self.rows.binary_search_by_key(&p, |r| r.0).ok()?;
        self.rows.get(i).map(|r| r.1.as_slice())
    }

    /// Adds one cohort entry in period `p` whose customer returned in the (increasing,
    /// distinct) periods `returns`.
    fn enter(&mut self, p: i64, returns: &[i64], n: usize, mode: RetentionMode) {
        let Some(row) = self.row_mut(p, n + 1) else {
            return;
        };
        let mut bump = |k: usize| {
            if let Some(x) = row.get_mut(k) {
                *x = x.saturating_add(1);
            }
        };
        bump(0);
        let later = returns.get(returns.partition_point(|&r| r <= p)..);
        let lag = |r: i64| usize::try_from(r.saturating_sub(p)).unwrap_or(usize::MAX);
        match mode {
            RetentionMode::On => {
                for &r in later.unwrap_or(&[]) {
                    let k = lag(r);
                    if k > n {
                        break;
                    }
                    bump(k);
                }
            }
            RetentionMode::OnOrAfter => {
                if let Some(&last) = later.and_then(<[i64]>::last) {
                    for k in 1..=lag(last).min(n) {
                        bump(k);
                    }
                }
            }
        }
    }

    /// Adds `other` (counted over other customers, same options).
    pub(crate) fn add(&mut self, other: &Self) {
        // Saturating: only crafted state bytes come near u64::MAX.
        self.customers = self.customers.saturating_add(other.customers);
        for (p, theirs) in &other.rows {
            if let Some(mine) = self.row_mut(*p, theirs.len()) {
                for (a, b) in mine.iter_mut().zip(theirs) {
                    *a = a.saturating_add(*b);
                }
            }
        }
    }
}

/// A breakdown group's key: `(is null, value)`, so that the null group sorts last.
pub(crate) type GroupKey = (bool, String);

/// The count-level retention of a set of whole customers, overall and per breakdown group
/// (sorted by key, unique), and the last timestamp read (the end of observation without
/// `as_of`).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct RetentionTally {
    pub(crate) last_ts: Option<i64>,
    pub(crate) overall: Cohorts,
    pub(crate) groups: Vec<(GroupKey, Cohorts)>,
}

impl RetentionTally {
    /// Adds `other` (built with the same options, over other customers).
    pub(crate) fn add(&mut self, other: &Self) {
        self.last_ts = match (self.last_ts, other.last_ts) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.overall.add(&other.overall);
        for (key, cohorts) in &other.groups {
            match self.groups.binary_search_by(|g| g.0.cmp(key)) {
                Ok(i) => {
                    if let Some(mine) = self.groups.get_mut(i) {
                        mine.1.add(cohorts);
                    }
                }
                Err(i) => self.groups.insert(i, (key.clone(), cohorts.clone())),
            }
        }
    }
}

/// `table[e]`: whether event code `e` is one of `names` (`None`: every event is).
pub(crate) fn code_table(all: &[String], names: Option<&[String]>) -> Option<Vec<bool>> {
    names.map(|names| all.iter().map(|n| names.binary_search(n).is_ok()).collect())
}

pub(crate) fn is_in(table: Option<&[bool]>, e: u32) -> bool {
    table.is_none_or(|t| t.get(e as usize).copied().unwrap_or(false))
}

impl RetentionPlan {
    pub(crate) fn definition(&self) -> Definition {
        Definition::new(
            "retention",
            &DefinitionParams {
                options: &self.options,
                rule: "calendar_periods",
            },
        )
    }

    /// The smallest and largest cohort period a state may hold.
    pub(crate) fn period_range(&self) -> (i64, i64) {
        self.clock.range()
    }

    /// The period of an instant.
    pub(crate) fn period_of(&self, t: i64) -> i64 {
        self.clock.period(t)
    }

    pub(crate) fn periods(&self) -> usize {
        self.periods
    }

    pub(crate) fn as_of(&self) -> Option<i64> {
        self.as_of_ns
    }

    /// The counts of the customers of `seqs` (each with all their events), on two threads
    /// for long logs ([`super::seq::par_tally`]).
    pub(crate) fn tally(&self, seqs: &Seqs<'_>) -> RetentionTally {
        super::seq::par_tally(seqs, |part| self.tally_part(part), RetentionTally::add)
    }

    /// [`Self::tally`] over the customers of one view: one pass.
    pub(crate) fn tally_part(&self, seqs: &Seqs<'_>) -> RetentionTally {
        let n = self.periods;
        let mode = self.options.mode;
        let recurring = self.options.cohort == CohortType::Recurring;
        let start = code_table(seqs.names, self.start.as_deref());
        let ret = code_table(seqs.names, self.ret.as_deref());
        // Reused per customer: cohort entries (period, group id) and return periods.
        let mut entries: Vec<(i64, u32)> = Vec::new();
        let mut returns: Vec<i64> = Vec::new();
        let mut seen_groups: Vec<usize> = Vec::new();
        let mut overall = Cohorts::default();
        // Per group id of the (sorted) dictionary, and last the events without a value:
        // in this order the groups are sorted by (is null, value).
        let dict: &[String] = seqs.group.map_or(&[], |(_, d)| d);
        let mut groups: Vec<Option<Cohorts>> = vec![None; dict.len() + 1];
        let slot = |g: u32| (g as usize).min(dict.len());
        let mut last_ts: Option<i64> = None;
        // The period of the last day seen: events come in time order, so most share it.
        let mut day_period = (i64::MIN, 0i64);
        for c in 0..seqs.customer_count() {
            let (ts, sym, group) = seqs.customer(c);
            entries.clear();
            returns.clear();
            for (i, (&t, &e)) in ts.iter().zip(sym).enumerate() {
                if self.as_of_ns.is_some_and(|a| t > a) {
                    break;
                }
                last_ts = Some(last_ts.map_or(t, |l| l.max(t)));
                let starts = (recurring || entries.is_empty()) && is_in(start.as_deref(), e);
                let returns_here = is_in(ret.as_deref(), e);
                if !starts && !returns_here {
                    continue;
                }
                let day = self.clock.day(t);
                if day != day_period.0 {
                    day_period = (day, self.clock.period_of_day(day));
                }
                let p = day_period.1;
                if starts && entries.last().map(|x| x.0) != Some(p) {
                    let g = group.and_then(|g| g.get(i)).copied().unwrap_or(NONE);
                    entries.push((p, g));
                }
                if returns_here && returns.last() != Some(&p) {
                    returns.push(p);
                }
            }
            if entries.is_empty() {
                continue;
            }
            overall.customers += 1;
            for &(p, _) in &entries {
                overall.enter(p, &returns, n, mode);
            }
            if group.is_some() {
                seen_groups.clear();
                for &(p, g) in &entries {
                    let i = slot(g);
                    if let Some(c) = groups.get_mut(i) {
                        c.get_or_insert_with(Cohorts::default)
                            .enter(p, &returns, n, mode);
                    }
                    if !seen_groups.contains(&i) {
                        seen_groups.push(i);
                    }
                }
                for &i in &seen_groups {
                    if let Some(Some(c)) = groups.get_mut(i) {
                        c.customers += 1;
                    }
                }
            }
        }
        RetentionTally {
            last_ts,
            overall,
            groups: groups
                .into_iter()
                .enumerate()
                .filter_map(|(i, cohorts)| {
                    let value = dict.get(i);
                    Some((
                        (value.is_none(), value.cloned().unwrap_or_default()),
                        cohorts?,
                    ))
                })
                .collect(),
        }
    }

    /// The end of observation: `as_of`, else the last timestamp read.
    fn end(&self, tally: &RetentionTally) -> Option<i64> {
        self.as_of_ns.or(tally.last_ts)
    }

    /// The result of counts (of the whole log, or merged from a log's customers).
    pub(crate) fn finish(&self, tally: &RetentionTally) -> RetentionResult {
        let end = self.end(tally);
        let end_period = end.map(|t| self.clock.period(t));
        let (cohorts, mean) = self.table(&tally.overall, end_period);
        let mut breakdown = tally
            .groups
            .iter()
            .map(|((null, value), c)| {
                let (cohorts, mean) = self.table(c, end_period);
                RetentionGroup {
                    value: (!null).then(|| value.clone()),
                    customers: c.customers,
                    cohorts,
                    mean,
                }
            })
            .collect();
        crate::sort::stable_by(&mut breakdown, |a: &RetentionGroup, b| {
            crate::sort::group_cmp(a.value.as_deref(), b.value.as_deref())
        });
        RetentionResult {
            definition: self.definition(),
            observed_until: end.map(format_iso8601),
            customers: tally.overall.customers,
            cohorts,
            mean,
            breakdown,
        }
    }

    #[allow(clippy::cast_precision_loss, reason = "a mean of at most 2^53 rates")]
    fn table(&self, c: &Cohorts, end_period: Option<i64>) -> (Vec<RetentionCohort>, RetentionMean) {
        let n = self.periods;
        let mut sum_retained = vec![0u64; n + 1];
        let mut sum_size = vec![0u64; n + 1];
        let mut sum_rates = vec![0f64; n + 1];
        let mut observable = vec![0u64; n + 1];
        let mut cohorts = Vec::with_capacity(c.rows.len());
        for (p, row) in &c.rows {
            let p = *p;
            let size = row.first().copied().unwrap_or(0);
            let mut retained = Vec::with_capacity(n + 1);
            let mut rates = Vec::with_capacity(n + 1);
            for k in 0..=n {
                let lag = i64::try_from(k).unwrap_or(i64::MAX);
                let seen = end_period.is_some_and(|e| p.saturating_add(lag) <= e);
                let count = row.get(k).copied().unwrap_or(0);
                let rate = if seen { ratio(count, size) } else { None };
                retained.push(seen.then_some(count));
                rates.push(rate);
                if let Some(r) = rate {
                    for (sums, x) in [(&mut sum_retained, count), (&mut sum_size, size)] {
                        if let Some(s) = sums.get_mut(k) {
                            *s = s.saturating_add(x);
                        }
                    }
                    if let Some(s) = sum_rates.get_mut(k) {
                        *s += r;
                    }
                    if let Some(o) = observable.get_mut(k) {
                        *o += 1;
                    }
                }
            }
            cohorts.push(RetentionCohort {
                period_start: self.clock.start_date(p),
                size,
                retained,
                rates,
            });
        }
        let mean = RetentionMean {
            weighted: sum_retained
                .iter()
                .zip(&sum_size)
                .map(|(&r, &s)| ratio(r, s))
                .collect(),
            simple: sum_rates
                .iter()
                .zip(&observable)
                .map(|(&r, &o)| (o > 0).then(|| r / o as f64))
                .collect(),
            cohorts: observable,
            customers: sum_size,
        };
        (cohorts, mean)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;
    use crate::events::time::parse_iso8601;

    fn clock(period: RetentionPeriod, minutes: i64) -> Clock {
        Clock {
            offset_ns: minutes * 60 * NANOS_PER_SECOND,
            period,
        }
    }

    fn at(text: &str) -> i64 {
        parse_iso8601(text, false).unwrap()
    }

    #[test]
    fn periods_and_their_first_days() {
        let day = clock(RetentionPeriod::Day, 0);
        assert_eq!(day.period(0), 0);
        assert_eq!(day.period(-1), -1);
        assert_eq!(
            day.start_date(day.period(at("2024-02-29T23:59:59Z"))),
            "2024-02-29"
        );
        // +02:00 moves 23:30 UTC to the next local day.
        let east = clock(RetentionPeriod::Day, 120);
        assert_eq!(
            east.start_date(east.period(at("2024-02-29T23:30:00Z"))),
            "2024-03-01"
        );
        let west = clock(RetentionPeriod::Day, -330);
        assert_eq!(
            west.start_date(west.period(at("2024-03-01T02:00:00Z"))),
            "2024-02-29"
        );
        // Weeks start on Monday: 2024-03-03 is a Sunday, 2024-03-04 a Monday.
        let week = clock(RetentionPeriod::Week, 0);
        assert_eq!(
            week.start_date(week.period(at("2024-03-03T12:00:00Z"))),
            "2024-02-26"
        );
        assert_eq!(
            week.start_date(week.period(at("2024-03-04T00:00:00Z"))),
            "2024-03-04"
        );
        assert_eq!(week.start_date(week.period(0)), "1969-12-29");
        assert_eq!(week.period(at("1970-01-05T00:00:00Z")), 1);
        let month = clock(RetentionPeriod::Month, 0);
        assert_eq!(
            month.start_date(month.period(at("2024-02-29T12:00:00Z"))),
            "2024-02-01"
        );
        assert_eq!(
            month.period(at("2024-03-01T00:00:00Z")) - month.period(at("2024-02-29T23:59:59Z")),
            1
        );
        assert_eq!(
            month.start_date(month.period(at("1969-12-31T00:00:00Z"))),
            "1969-12-01"
        );
        // The extremes of the range do not overflow.
        for c in [day, east, west, week, month] {
            let (lo, hi) = c.range();
            assert!(lo < hi);
            assert!(
                c.start_date(lo).starts_with("1677-09"),
                "{}",
                c.start_date(lo)
            );
            assert!(
                c.start_date(hi).starts_with("2262-04"),
                "{}",
                c.start_date(hi)
            );
        }
    }

    #[test]
    fn canonical_event_sets() {
        let any = EventMatch::AnyOf(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(
            any.canonical(),
            EventMatch::AnyOf(vec!["a".into(), "b".into()])
        );
        let one = EventMatch::AnyOf(vec!["a".into(), "a".into()]);
        assert_eq!(one.canonical(), EventMatch::One("a".into()));
    }
}
