//! Trends (docs/events.md): event volume and unique customers per calendar period, and a
//! funnel's conversion by the period in which customers entered it, with PostHog's and
//! Amplitude's semantics ("total count" and "unique users" per interval; PostHog's
//! "funnel trends"). The rule is recorded in every result's definition.
//!
//! # Rule (`calendar_periods`)
//!
//! * **Periods** are those of retention: calendar days, ISO weeks (Monday to Sunday) or
//!   calendar months of the local time at a fixed UTC offset (`time_zone`); an event at `t`
//!   is in the period that holds `t + offset`, labelled by its first day in that offset.
//! * **Observed range.** Events before `since` or after `as_of` are not read. The periods
//!   reported run from the period of `since` (else of the first event read, of any name)
//!   to the period of `as_of` (else of the last event read), every period in between
//!   included: a period without a selected event has counts 0. The first and last periods
//!   may be partly observed.
//! * **Volume** of event e in period p: the events named e in p. **Customers**: the
//!   distinct customers with at least one event e in p. The **total** of p: all selected
//!   events in p, and the distinct customers with any of them (not the sum of the
//!   events' customers).
//! * **Breakdown** by a string column: each event counts in the group of its own value
//!   (events without one in the null group, listed last); a customer counts in every group
//!   of which they have an event in the period.
//! * **Funnel trends**: each attempt of the funnel (its matching rule, window, order and
//!   exclusions unchanged) belongs to the period of its step-1 event (for `any` order, of
//!   its first event). Per period, `entered` counts the customers with a non-void attempt
//!   there (the funnel's step 1 restricted to these attempts), `converted` those of them
//!   with an attempt there that completes every step within the window, and `rate` is
//!   their ratio (null when nobody entered, never NaN). A customer counts in every period
//!   in which they have an attempt. With a breakdown, the attempts are also grouped by the
//!   column's value at their step-1 event, as in the funnel.
//!
//! One pass over the log; no allocation per event.

use super::funnel::{Funnel, Plan};
use super::log::{EventLog, NONE};
use super::retention::{
    code_table, event_names, invalid, is_in, Clock, EventMatch, GroupKey, RetentionPeriod,
};
use super::seq::{ratio, Seqs};
use super::time::{format_iso8601, format_utc_offset, parse_instant, parse_utc_offset};
use crate::definition::Definition;
use crate::error::{Error, Result};
use crate::validate::ValidJourney;
use rustc_hash::FxHashMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The most periods one trend may report (274 years of days): beyond it, narrow the
/// range with `since` and `as_of`, or take a longer period.
pub const MAX_TREND_PERIODS: usize = 100_000;

/// Options of event trends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TrendsOptions {
    /// The events to count, one series each: a list of names; null (default) for every
    /// event name of the log. One name may be given as a string.
    #[serde(deserialize_with = "crate::validate::some_one_or_many")]
    #[schemars(with = "Option<crate::validate::NameOrNames>")]
    pub events: Option<Vec<String>>,
    /// The period: `day` (default), `week` (ISO, Monday first) or `month`.
    pub period: RetentionPeriod,
    /// The fixed UTC offset the periods are read in: `±HH:MM` (also `±HHMM`, `±HH`, `Z`,
    /// `UTC`; default `+00:00`). Zones with daylight-saving time are not supported.
    pub time_zone: String,
    /// The start of the range (ISO-8601 with offset, or a date alone: the start of that
    /// day in UTC): earlier events are not read, and the first period reported is the one
    /// holding it. Default: the log's first timestamp.
    pub since: Option<String>,
    /// The end of the range, inclusive (same forms as `since`): later events are not read,
    /// and the last period reported is the one holding it. Default: the log's last
    /// timestamp.
    pub as_of: Option<String>,
    /// Read `since` and `as_of` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
    /// A string column to break the trends down by (`channel`, `session` or an extra
    /// column), read at each event.
    pub breakdown: Option<String>,
    /// Allow events that the log does not contain (default false: such a name is an
    /// `unknown_event` error, as it is most often a misspelling); their series are zeros.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_missing_events: bool,
}

impl Default for TrendsOptions {
    fn default() -> Self {
        Self {
            events: None,
            period: RetentionPeriod::Day,
            time_zone: "+00:00".to_owned(),
            since: None,
            as_of: None,
            assume_utc: false,
            breakdown: None,
            allow_missing_events: false,
        }
    }
}

/// The periods of a funnel trend (the funnel's own options give its window, order,
/// exclusions, `as_of` and breakdown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct FunnelTrendsOptions {
    /// The period: `day` (default), `week` (ISO, Monday first) or `month`.
    pub period: RetentionPeriod,
    /// The fixed UTC offset the periods are read in: `±HH:MM` (also `±HHMM`, `±HH`, `Z`,
    /// `UTC`; default `+00:00`).
    pub time_zone: String,
    /// The start of the range (ISO-8601 with offset, or a date alone: the start of that
    /// day in UTC): attempts whose step-1 event is earlier are not counted, and the first
    /// period reported is the one holding it. Default: the log's first timestamp. The
    /// end of the range is the funnel's `as_of` (attempts starting after it are not
    /// counted), else the log's last timestamp.
    pub since: Option<String>,
    /// Read `since` written without an offset (a date and time, no `Z`) as UTC (default
    /// false: such a value is a `naive_timestamp` error, as no zone is guessed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub assume_utc: bool,
}

impl FunnelTrendsOptions {
    /// The option names that are the periods' rather than the funnel's.
    pub const FIELDS: [&'static str; 3] = ["period", "time_zone", "since"];

    /// Periods and funnel options given together as one set of keys (Python's keyword
    /// arguments of `EventLog.funnel_trends`): the keys of [`Self::FIELDS`] are the
    /// periods', the others the funnel's, and `assume_utc` is read by both.
    ///
    /// # Errors
    /// `invalid_option` naming the option that does not fit; a key neither type has is
    /// reported with the funnel's keys.
    pub fn with_funnel<'de, D: serde::Deserializer<'de>>(
        options: D,
        what: &str,
    ) -> Result<(Self, super::FunnelOptions)> {
        let (mut periods, funnel): (Self, super::FunnelOptions) =
            crate::validate::split_options(options, what, &Self::FIELDS)?;
        periods.assume_utc = funnel.assume_utc;
        Ok((periods, funnel))
    }
}

impl Default for FunnelTrendsOptions {
    fn default() -> Self {
        Self {
            period: RetentionPeriod::Day,
            time_zone: "+00:00".to_owned(),
            since: None,
            assume_utc: false,
        }
    }
}

/// Volume and unique customers per period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrendsTotal {
    /// Per period: the number of events.
    pub volume: Vec<u64>,
    /// Per period: the distinct customers with at least one of these events.
    pub customers: Vec<u64>,
}

/// The trend of one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrendsSeries {
    /// The event name.
    pub event: String,
    /// Per period: the number of events with this name.
    pub volume: Vec<u64>,
    /// Per period: the distinct customers with at least one event with this name.
    pub customers: Vec<u64>,
}

/// The trends of one breakdown group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TrendsGroup {
    /// The column value (null for events without one).
    pub value: Option<String>,
    /// One series per selected event, by name.
    pub events: Vec<TrendsSeries>,
    /// All selected events of the group.
    pub total: TrendsTotal,
}

/// Event trends.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrendsResult {
    /// The definition used.
    pub definition: Definition,
    /// The start of the range (`since`, or the first timestamp read), ISO-8601 in UTC;
    /// null when there is none.
    pub observed_from: Option<String>,
    /// The end of the range (`as_of`, or the last timestamp read), ISO-8601 in UTC; null
    /// when there is none.
    pub observed_until: Option<String>,
    /// The first day of each period (`YYYY-MM-DD` in the time zone), every period of the
    /// range in order; the vectors of the series are aligned with it.
    pub periods: Vec<String>,
    /// One series per selected event, by name (every event of the log by default).
    pub events: Vec<TrendsSeries>,
    /// All selected events: the volume, and the distinct customers with any of them.
    pub total: TrendsTotal,
    /// Per group of the breakdown column, in value order (values written as integers
    /// first, by number; then the others by their bytes; null last); empty without one.
    pub breakdown: Vec<TrendsGroup>,
}

/// A funnel's conversion per period of entry.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FunnelTrendsGroup {
    /// The column value (null for attempts without one).
    pub value: Option<String>,
    /// Per period: customers with a non-void attempt starting in it.
    pub entered: Vec<u64>,
    /// Per period: those of them with an attempt starting in it that completes the funnel.
    pub converted: Vec<u64>,
    /// Per period: `converted / entered` (null when nobody entered).
    pub rates: Vec<Option<f64>>,
    /// Per period: entered customers who did not convert and have an attempt starting in
    /// it whose window is still open at the funnel's `as_of` (0 without `as_of`).
    pub pending: Vec<u64>,
}

/// Funnel trends: a funnel's conversion by the period in which customers entered it.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FunnelTrendsResult {
    /// The definition used (it holds the funnel's own definition).
    pub definition: Definition,
    /// The start of the range (`since`, or the log's first timestamp), ISO-8601 in UTC.
    pub observed_from: Option<String>,
    /// The end of the range (the funnel's `as_of`, or the log's last timestamp).
    pub observed_until: Option<String>,
    /// The first day of each period (`YYYY-MM-DD` in the time zone), every period of the
    /// range in order.
    pub periods: Vec<String>,
    /// Per period: customers with a non-void attempt starting in it.
    pub entered: Vec<u64>,
    /// Per period: those of them with an attempt starting in it that completes the funnel.
    pub converted: Vec<u64>,
    /// Per period: `converted / entered` (null when nobody entered).
    pub rates: Vec<Option<f64>>,
    /// Per period: entered customers not converted whose window is still open at `as_of`.
    pub pending: Vec<u64>,
    /// Per group of the funnel's breakdown column, in value order (values written as
    /// integers first, by number; then the others by their bytes; null last).
    pub breakdown: Vec<FunnelTrendsGroup>,
}

/// A time range of the options: `since` and `as_of` read, in order.
fn range(
    (since, since_utc): (Option<&str>, bool),
    (as_of, as_of_utc): (Option<&str>, bool),
) -> Result<(Option<i64>, Option<i64>)> {
    let since_ns = since
        .map(|t| parse_instant(t, "since", since_utc))
        .transpose()?;
    let as_of_ns = as_of
        .map(|t| parse_instant(t, "as_of", as_of_utc))
        .transpose()?;
    if let (Some(s), Some(a)) = (since_ns, as_of_ns) {
        if s > a {
            return Err(invalid(format!(
                "`since` ({}) is after `as_of` ({}); give a range in order",
                format_iso8601(s),
                format_iso8601(a)
            )));
        }
    }
    Ok((since_ns, as_of_ns))
}

/// The periods from the one holding `from` to the one holding `until`.
fn period_span(clock: Clock, from: Option<i64>, until: Option<i64>) -> Result<(i64, usize)> {
    let (Some(a), Some(b)) = (from, until) else {
        return Ok((0, 0));
    };
    let (p, q) = (clock.period(a), clock.period(b));
    let n = q.saturating_sub(p).saturating_add(1);
    let n = usize::try_from(n).unwrap_or(0);
    if n > MAX_TREND_PERIODS {
        return Err(invalid(format!(
            "the range from {} to {} holds {n} periods, more than {MAX_TREND_PERIODS}; \
             narrow it with `since` and `as_of`, or take a longer `period`",
            format_iso8601(a),
            format_iso8601(b)
        )));
    }
    Ok((p, n))
}

fn min_max(a: Option<i64>, b: Option<i64>, max: bool) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if max { x.max(y) } else { x.min(y) }),
        (x, y) => x.or(y),
    }
}

/// Trends options checked and resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrendsPlan {
    /// The options in canonical form (event names sorted and unique, the offset `±HH:MM`).
    pub(crate) options: TrendsOptions,
    clock: Clock,
    since_ns: Option<i64>,
    as_of_ns: Option<i64>,
}

#[derive(Serialize)]
struct DefinitionParams<'a, O> {
    options: &'a O,
    rule: &'static str,
}

impl TrendsOptions {
    /// Checks the options and resolves them.
    pub(crate) fn plan(&self) -> Result<TrendsPlan> {
        let minutes = parse_utc_offset(&self.time_zone, "time_zone")?;
        let events = event_names(
            self.events.clone().map(EventMatch::AnyOf).as_ref(),
            "events",
        )?;
        let (since_ns, as_of_ns) = range(
            (self.since.as_deref(), self.assume_utc),
            (self.as_of.as_deref(), self.assume_utc),
        )?;
        if self.breakdown.as_deref() == Some("") {
            return Err(invalid("`breakdown` names an empty column".to_owned()));
        }
        Ok(TrendsPlan {
            options: Self {
                events,
                time_zone: format_utc_offset(minutes),
                ..self.clone()
            },
            clock: Clock::new(minutes, self.period),
            since_ns,
            as_of_ns,
        })
    }

    fn check_against(&self, log: &EventLog) -> Result<()> {
        let wanted = self
            .events
            .iter()
            .flatten()
            .map(|n| ("trends event", n.as_str()));
        super::checks::check_events_present(log, wanted, self.allow_missing_events)?;
        if let Some(column) = &self.breakdown {
            super::checks::check_column_present(log, column, "breakdown")?;
        }
        Ok(())
    }

    /// The resolved plan and the counts of a log's customers.
    pub(crate) fn tally(&self, log: &EventLog) -> Result<(TrendsPlan, TrendsTally)> {
        let plan = self.plan()?;
        let group = breakdown_column(log, self.breakdown.as_deref())?;
        let tally = plan.tally(&Seqs::from_log(log, group));
        Ok((plan, tally))
    }
}

fn breakdown_column<'a>(
    log: &'a EventLog,
    name: Option<&str>,
) -> Result<Option<&'a super::log::StrColumn>> {
    let Some(name) = name else { return Ok(None) };
    log.column(name).map(Some).ok_or_else(|| Error::Input {
        code: crate::InputCode::UnknownColumn,
        row: None,
        message: format!(
            "the log has no column `{name}` to break down by; keep it when loading the log \
             (Python `extra=[\"{name}\"]`), or use `channel` or `session`"
        ),
    })
}

/// One cell's counts: (volume, distinct customers).
pub(crate) type Cell = (u64, u64);

/// The counts of event trends over a set of whole customers: the first and last timestamps
/// read, the event names of the series (the log's, when every event is selected), and per
/// (group — `None` overall —, event — `None` for the total —, period) the volume and the
/// distinct customers.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TrendsTally {
    pub(crate) first_ts: Option<i64>,
    pub(crate) last_ts: Option<i64>,
    pub(crate) names: Vec<String>,
    pub(crate) cells: BTreeMap<(Option<GroupKey>, Option<String>, i64), Cell>,
}

impl TrendsTally {
    /// Adds `other` (same options, other customers: customers are counted once per
    /// state, so the distinct counts add up only over disjoint sets of customers).
    pub(crate) fn add(&mut self, other: &Self) {
        self.first_ts = min_max(self.first_ts, other.first_ts, false);
        self.last_ts = min_max(self.last_ts, other.last_ts, true);
        for n in &other.names {
            if let Err(i) = self.names.binary_search(n) {
                self.names.insert(i, n.clone());
            }
        }
        for (key, (v, c)) in &other.cells {
            let mine = self.cells.entry(key.clone()).or_insert((0, 0));
            // Saturating: only crafted state bytes come near u64::MAX.
            mine.0 = mine.0.saturating_add(*v);
            mine.1 = mine.1.saturating_add(*c);
        }
    }
}

impl TrendsPlan {
    pub(crate) fn definition(&self) -> Definition {
        Definition::new(
            "trends",
            &DefinitionParams {
                options: &self.options,
                rule: "calendar_periods",
            },
        )
    }

    pub(crate) fn since(&self) -> Option<i64> {
        self.since_ns
    }

    pub(crate) fn as_of(&self) -> Option<i64> {
        self.as_of_ns
    }

    pub(crate) fn period_of(&self, t: i64) -> i64 {
        self.clock.period(t)
    }

    /// The counts of the customers of `seqs` (each with all their events), on two threads
    /// for long logs ([`super::seq::par_tally`]).
    pub(crate) fn tally(&self, seqs: &Seqs<'_>) -> TrendsTally {
        super::seq::par_tally(seqs, |part| self.tally_part(part), TrendsTally::add)
    }

    /// [`Self::tally`] over the customers of one view: one pass.
    pub(crate) fn tally_part(&self, seqs: &Seqs<'_>) -> TrendsTally {
        let selected = code_table(seqs.names, self.options.events.as_deref());
        let dict: &[String] = seqs.group.map_or(&[], |(_, d)| d);
        let slot = |g: u32| if g == NONE { dict.len() } else { g as usize };
        // (slot: 0 overall, 1 + group; event code, u32::MAX for the total; period) →
        // (volume, customers, the last customer counted).
        let mut cells: FxHashMap<(usize, u32, i64), (u64, u64, usize)> = FxHashMap::default();
        let mut bump = |key: (usize, u32, i64), c: usize| {
            let cell = cells.entry(key).or_insert((0, 0, usize::MAX));
            cell.0 += 1;
            if cell.2 != c {
                cell.1 += 1;
                cell.2 = c;
            }
        };
        let (mut first_ts, mut last_ts) = (None, None);
        let mut day_period = (i64::MIN, 0i64);
        for c in 0..seqs.customer_count() {
            let (ts, sym, group) = seqs.customer(c);
            for (i, (&t, &e)) in ts.iter().zip(sym).enumerate() {
                if self.since_ns.is_some_and(|s| t < s) {
                    continue;
                }
                if self.as_of_ns.is_some_and(|a| t > a) {
                    break;
                }
                first_ts = min_max(first_ts, Some(t), false);
                last_ts = min_max(last_ts, Some(t), true);
                if !is_in(selected.as_deref(), e) {
                    continue;
                }
                let day = self.clock.day(t);
                if day != day_period.0 {
                    day_period = (day, self.clock.period_of_day(day));
                }
                let p = day_period.1;
                bump((0, e, p), c);
                bump((0, u32::MAX, p), c);
                if let Some(group) = group {
                    let g = 1 + slot(group.get(i).copied().unwrap_or(NONE));
                    bump((g, e, p), c);
                    bump((g, u32::MAX, p), c);
                }
            }
        }
        let names = match &self.options.events {
            Some(list) => list.clone(),
            None => seqs.names.to_vec(),
        };
        // Inserted one by one rather than collected: collecting sorts, and a sort of these
        // keys would weigh on the browser module.
        let mut sorted = BTreeMap::new();
        for ((g, e, p), (v, n, _)) in cells {
            let group = g.checked_sub(1).map(|g| {
                let value = dict.get(g);
                (value.is_none(), value.cloned().unwrap_or_default())
            });
            let event = seqs.names.get(e as usize).cloned();
            sorted.insert((group, event, p), (v, n));
        }
        let cells = sorted;
        TrendsTally {
            first_ts,
            last_ts,
            names,
            cells,
        }
    }

    /// The result of counts (of the whole log, or merged from a log's customers).
    pub(crate) fn finish(&self, tally: &TrendsTally) -> Result<TrendsResult> {
        let from = self.since_ns.or(tally.first_ts);
        let until = self.as_of_ns.or(tally.last_ts);
        let (p0, n) = period_span(self.clock, from, until)?;
        let counts = |group: &Option<GroupKey>, event: Option<&String>| {
            let mut volume = vec![0u64; n];
            let mut customers = vec![0u64; n];
            let lo = (group.clone(), event.cloned(), p0);
            let last = p0.saturating_add(i64::try_from(n).unwrap_or(0));
            for ((_, _, p), (v, c)) in tally
                .cells
                .range(lo..)
                .take_while(|(k, _)| k.0 == *group && k.1.as_ref() == event && k.2 < last)
            {
                let i = usize::try_from(p - p0).unwrap_or(usize::MAX);
                if let (Some(a), Some(b)) = (volume.get_mut(i), customers.get_mut(i)) {
                    *a = *v;
                    *b = *c;
                }
            }
            (volume, customers)
        };
        let table = |group: &Option<GroupKey>| {
            let events = tally
                .names
                .iter()
                .map(|name| {
                    let (volume, customers) = counts(group, Some(name));
                    TrendsSeries {
                        event: name.clone(),
                        volume,
                        customers,
                    }
                })
                .collect();
            let (volume, customers) = counts(group, None);
            (events, TrendsTotal { volume, customers })
        };
        let (events, total) = table(&None);
        let mut groups: Vec<&GroupKey> = tally
            .cells
            .keys()
            .filter_map(|(g, _, _)| g.as_ref())
            .collect();
        groups.dedup();
        let mut breakdown = groups
            .into_iter()
            .map(|key| {
                let (events, total) = table(&Some(key.clone()));
                TrendsGroup {
                    value: (!key.0).then(|| key.1.clone()),
                    events,
                    total,
                }
            })
            .collect();
        crate::sort::stable_by(&mut breakdown, |a: &TrendsGroup, b| {
            crate::sort::group_cmp(a.value.as_deref(), b.value.as_deref())
        });
        Ok(TrendsResult {
            definition: self.definition(),
            observed_from: from.map(format_iso8601),
            observed_until: until.map(format_iso8601),
            periods: (0..n)
                .map(|i| {
                    self.clock
                        .start_date(p0.saturating_add(i64::try_from(i).unwrap_or(0)))
                })
                .collect(),
            events,
            total,
            breakdown,
        })
    }
}

impl EventLog {
    /// Event trends of the log: volume and unique customers per period per event (see
    /// [`TrendsOptions`] and docs/events.md).
    ///
    /// # Errors
    /// `invalid_option` for unusable options (a `time_zone` that is not a fixed offset, an
    /// empty event list, `since` after `as_of`, more than [`MAX_TREND_PERIODS`] periods),
    /// `unknown_event` for an event the log does not contain (unless
    /// `allow_missing_events`), `unknown_column` for a breakdown column the log lacks (or
    /// has no value in), `invalid_timestamp` for a bad `since` or `as_of`.
    pub fn trends(&self, options: &TrendsOptions) -> Result<TrendsResult> {
        options.plan()?;
        options.check_against(self)?;
        let (plan, tally) = options.tally(self)?;
        plan.finish(&tally)
    }
}

/// A funnel trend's cell: (group — `None` overall —, period) and (entered, converted,
/// pending).
pub(crate) type FunnelTrendsCell = ((Option<GroupKey>, i64), [u64; 3]);

/// The counts of funnel trends: the range's first and last timestamps read, and per
/// (group — `None` overall —, period) the customers entered, converted and pending.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct FunnelTrendsTally {
    pub(crate) first_ts: Option<i64>,
    pub(crate) last_ts: Option<i64>,
    /// Sorted by key, unique.
    pub(crate) cells: Vec<FunnelTrendsCell>,
}

#[derive(Serialize)]
struct FunnelTrendsParams<'a> {
    funnel: &'a Definition,
    options: &'a FunnelTrendsOptions,
    rule: &'static str,
}

impl Funnel {
    /// The funnel's conversion by the period in which customers entered it (the period of
    /// each attempt's step-1 event; see [`FunnelTrendsOptions`] and docs/events.md).
    /// Touchpoint and stage steps need the journey.
    ///
    /// # Errors
    /// As [`Funnel::run`], and `invalid_option` for an unusable `time_zone`, `since` after
    /// the funnel's `as_of`, more than [`MAX_TREND_PERIODS`] periods, or a
    /// `breakdown_attribution` other than the step-1 value.
    pub fn trends(
        &self,
        log: &EventLog,
        journey: Option<&ValidJourney>,
        options: &FunnelTrendsOptions,
    ) -> Result<FunnelTrendsResult> {
        let minutes = parse_utc_offset(&options.time_zone, "time_zone")?;
        let plan = self.plan(journey)?;
        if !self.options.breakdown_attribution.is_first_step() {
            return Err(Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: "funnel trends put each attempt in the period and breakdown group \
                          of its step-1 event; leave `breakdown_attribution` out (or \
                          `first_step`)"
                    .to_owned(),
            });
        }
        let (since, as_of) = range(
            (options.since.as_deref(), options.assume_utc),
            (self.options.as_of.as_deref(), self.options.assume_utc),
        )?;
        self.check_against(log)?;
        let clock = Clock::new(minutes, options.period);
        // Customers, or sessions (`unit`), as every funnel counts them.
        let units = log.units(self.options.unit, "unit")?;
        let group = breakdown_column(units.log(), self.options.breakdown.as_deref())?;
        let tally = funnel_trends_tally(&plan, clock, since, &units.seqs(group));
        let options = FunnelTrendsOptions {
            time_zone: format_utc_offset(minutes),
            ..options.clone()
        };
        finish_funnel_trends(&plan, &options, clock, since, as_of, &tally)
    }
}

fn funnel_trends_tally(
    plan: &Plan,
    clock: Clock,
    since: Option<i64>,
    seqs: &Seqs<'_>,
) -> FunnelTrendsTally {
    let as_of = plan.as_of();
    let in_range = |t: i64| since.is_none_or(|s| t >= s) && as_of.is_none_or(|a| t <= a);
    let (mut first_ts, mut last_ts) = (None, None);
    for &t in seqs.ts {
        if in_range(t) {
            first_ts = min_max(first_ts, Some(t), false);
            last_ts = min_max(last_ts, Some(t), true);
        }
    }
    let dict: &[String] = seqs.group.map_or(&[], |(_, d)| d);
    let k = plan.steps();
    // A sorted vector rather than a map: few cells, and a map of these keys would weigh on
    // the browser module.
    let mut cells: Vec<FunnelTrendsCell> = Vec::new();
    let mut count = |key: (Option<GroupKey>, i64), depth: usize, pending: bool| {
        if depth == 0 {
            return;
        }
        let i = match cells.binary_search_by(|c| c.0.cmp(&key)) {
            Ok(i) => i,
            Err(i) => {
                cells.insert(i, (key, [0; 3]));
                i
            }
        };
        if let Some((_, cell)) = cells.get_mut(i) {
            cell[0] += 1;
            if depth == k {
                cell[1] += 1;
            } else if pending {
                cell[2] += 1;
            }
        }
    };
    let key = |t: i64, _: u32| in_range(t).then(|| clock.period(t));
    plan.outcomes_by_key(seqs, key, |p, depth, pending| {
        count((None, p), depth, pending);
    });
    if seqs.group.is_some() {
        let key = |t: i64, g: u32| in_range(t).then(|| (g, clock.period(t)));
        plan.outcomes_by_key(seqs, key, |(g, p), depth, pending| {
            let value = dict.get(g as usize);
            let group = (value.is_none(), value.cloned().unwrap_or_default());
            count((Some(group), p), depth, pending);
        });
    }
    FunnelTrendsTally {
        first_ts,
        last_ts,
        cells,
    }
}

fn finish_funnel_trends(
    plan: &Plan,
    options: &FunnelTrendsOptions,
    clock: Clock,
    since: Option<i64>,
    as_of: Option<i64>,
    tally: &FunnelTrendsTally,
) -> Result<FunnelTrendsResult> {
    let from = since.or(tally.first_ts);
    let until = as_of.or(tally.last_ts);
    let (p0, n) = period_span(clock, from, until)?;
    let columns = |group: &Option<GroupKey>| {
        let mut out = [vec![0u64; n], vec![0u64; n], vec![0u64; n]];
        for ((g, p), cell) in &tally.cells {
            if g != group {
                continue;
            }
            let i = usize::try_from(p - p0).unwrap_or(usize::MAX);
            for (column, x) in out.iter_mut().zip(cell) {
                if let Some(slot) = column.get_mut(i) {
                    *slot = *x;
                }
            }
        }
        let [entered, converted, pending] = out;
        let rates = converted
            .iter()
            .zip(&entered)
            .map(|(&c, &e)| ratio(c, e))
            .collect();
        (entered, converted, rates, pending)
    };
    let (entered, converted, rates, pending) = columns(&None);
    // The cells are sorted by group first.
    let mut groups: Vec<&GroupKey> = tally
        .cells
        .iter()
        .filter_map(|((g, _), _)| g.as_ref())
        .collect();
    groups.dedup();
    let mut breakdown = groups
        .into_iter()
        .map(|key| {
            let (entered, converted, rates, pending) = columns(&Some(key.clone()));
            FunnelTrendsGroup {
                value: (!key.0).then(|| key.1.clone()),
                entered,
                converted,
                rates,
                pending,
            }
        })
        .collect();
    crate::sort::stable_by(&mut breakdown, |a: &FunnelTrendsGroup, b| {
        crate::sort::group_cmp(a.value.as_deref(), b.value.as_deref())
    });
    let funnel = plan.definition();
    Ok(FunnelTrendsResult {
        definition: Definition::new(
            "funnel_trends",
            &FunnelTrendsParams {
                funnel: &funnel,
                options,
                rule: "step1_period",
            },
        ),
        observed_from: from.map(format_iso8601),
        observed_until: until.map(format_iso8601),
        periods: (0..n)
            .map(|i| clock.start_date(p0.saturating_add(i64::try_from(i).unwrap_or(0))))
            .collect(),
        entered,
        converted,
        rates,
        pending,
        breakdown,
    })
}
