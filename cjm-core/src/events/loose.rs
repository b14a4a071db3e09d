//! Columns as a dynamically typed caller hands them over (JavaScript's
//! `EventLog.fromColumns`): owned arrays whose timestamps may mix numbers, integers and
//! ISO-8601 text in one column. The rules of reading them live here, once:
//!
//! - a number is a whole count of the unit: `NaN` is missing, a fraction or a count
//!   outside the `i64` range is `wrong_type` with its row;
//! - every column must have the customer column's length (`column_length_mismatch`);
//! - a timestamp column of counts only (numbers, integers, missing) takes the columnar
//!   path ([`EventLog::from_columns`]), where integer customer ids stay integers and sort
//!   by value;
//! - a column with any text is read row by row ([`EventLogBuilder::push`]), and integer
//!   customer ids there are read as their decimal text (and sort as text).
//!
//! [`EventLogBuilder::push`]: super::EventLogBuilder::push

use super::log::{Columns, EventLog, IngestReport, RawEvent, TimeValue};
use super::spec::IngestSpec;
use crate::error::{Error, Result};
use crate::{InputCode, ValidJourney};

/// One timestamp of a column of mixed values.
#[derive(Debug, Clone, PartialEq)]
pub enum LooseTime {
    /// No timestamp (`null`, `undefined`).
    Missing,
    /// A number: a whole count of the unit (`NaN`: missing).
    Number(f64),
    /// An integer count of the unit (a `BigInt`).
    Ticks(i64),
    /// ISO-8601 text.
    Text(String),
}

/// A timestamp column.
#[derive(Debug, Clone, PartialEq)]
pub enum LooseTimes {
    /// Integer counts of the unit (a `BigInt64Array`).
    Ticks(Vec<i64>),
    /// Numbers, whole counts of the unit (`NaN`: missing; a `Float64Array`…).
    Numbers(Vec<f64>),
    /// Values of any kind (a plain array).
    Values(Vec<LooseTime>),
}

impl LooseTimes {
    fn len(&self) -> usize {
        match self {
            Self::Ticks(v) => v.len(),
            Self::Numbers(v) => v.len(),
            Self::Values(v) => v.len(),
        }
    }
}

/// A customer column.
#[derive(Debug, Clone, PartialEq)]
pub enum LooseIds {
    /// Integer ids (a `BigInt64Array`).
    Ints(Vec<i64>),
    /// Text ids (`None`: missing).
    Text(Vec<Option<String>>),
}

/// Owned event columns of a dynamically typed caller; see the module's documentation.
#[derive(Debug, Clone, PartialEq)]
pub struct LooseColumns {
    /// Customer ids.
    pub customer: LooseIds,
    /// Timestamps.
    pub timestamp: LooseTimes,
    /// Event names.
    pub event: Vec<Option<String>>,
    /// Channels, optional column.
    pub channel: Option<Vec<Option<String>>>,
    /// Session ids, optional column.
    pub session: Option<Vec<Option<String>>>,
    /// Values (revenue), optional column.
    pub value: Option<Vec<Option<f64>>>,
}

/// 2^63 as an f64 (exact).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

fn bad_row(row: usize, message: String) -> Error {
    Error::Input {
        code: InputCode::WrongType,
        row: Some(row),
        message,
    }
}

/// A whole count of the unit from a number (`NaN`: missing).
fn ticks_of(x: f64, row: usize) -> Result<Option<i64>> {
    if x.is_nan() {
        return Ok(None);
    }
    // 2^63 is exactly representable; every whole f64 in [−2^63, 2^63) fits an i64.
    if x.fract() == 0.0 && (-TWO_POW_63..TWO_POW_63).contains(&x) {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "checked: whole and in range"
        )]
        return Ok(Some(x as i64));
    }
    Err(bad_row(
        row,
        format!("column `timestamp`, row `{row}`: `{x}` is not a whole number of the unit"),
    ))
}

fn at<'a>(c: Option<&[Option<&'a str>]>, i: usize) -> Option<&'a str> {
    c.and_then(|c| c.get(i).copied().flatten())
}

fn strs(column: &[Option<String>]) -> Vec<Option<&str>> {
    column.iter().map(Option::as_deref).collect()
}

impl LooseColumns {
    /// The log of these columns, read with `spec` (its
    /// [`IngestSpec::bare_columns_options`]) and bound to `journey`.
    ///
    /// # Errors
    /// `wrong_type` (with `row`) for a timestamp that is not a whole count,
    /// `column_length_mismatch`, the spec's `invalid_option`; the builder's errors
    /// (in strict mode the first unusable row, `naive_timestamp`…).
    pub fn build(
        &self,
        spec: &IngestSpec,
        journey: Option<&ValidJourney>,
    ) -> Result<(EventLog, IngestReport)> {
        // Every timestamp as a count (text: `None`), and whether any is text.
        let (counts, text): (Vec<Option<i64>>, bool) = match &self.timestamp {
            LooseTimes::Ticks(v) => (v.iter().copied().map(Some).collect(), false),
            LooseTimes::Numbers(v) => (
                v.iter()
                    .enumerate()
                    .map(|(row, &x)| ticks_of(x, row))
                    .collect::<Result<_>>()?,
                false,
            ),
            LooseTimes::Values(v) => (
                v.iter()
                    .enumerate()
                    .map(|(row, t)| match t {
                        LooseTime::Number(x) => ticks_of(*x, row),
                        LooseTime::Ticks(x) => Ok(Some(*x)),
                        LooseTime::Missing | LooseTime::Text(_) => Ok(None),
                    })
                    .collect::<Result<_>>()?,
                v.iter().any(|t| matches!(t, LooseTime::Text(_))),
            ),
        };
        let n = match &self.customer {
            LooseIds::Ints(ids) => ids.len(),
            LooseIds::Text(ids) => ids.len(),
        };
        super::log::same_lengths(
            n,
            &[
                Some(self.timestamp.len()),
                Some(self.event.len()),
                self.channel.as_ref().map(Vec::len),
                self.session.as_ref().map(Vec::len),
                self.value.as_ref().map(Vec::len),
            ],
        )?;
        // Integer ids stay integers on the columnar path; rows read one by one (text
        // times) take them as text.
        let (ints, int_text): (Option<Vec<Option<i64>>>, Vec<Option<String>>) = match &self.customer
        {
            LooseIds::Ints(ids) if !text => {
                (Some(ids.iter().copied().map(Some).collect()), Vec::new())
            }
            LooseIds::Ints(ids) => (None, ids.iter().map(|id| Some(id.to_string())).collect()),
            LooseIds::Text(_) => (None, Vec::new()),
        };
        let customer = match &self.customer {
            LooseIds::Text(ids) => strs(ids),
            LooseIds::Ints(_) => strs(&int_text),
        };
        let event = strs(&self.event);
        let channel = self.channel.as_deref().map(strs);
        let session = self.session.as_deref().map(strs);
        let mut b = spec.builder(spec.bare_columns_options()?, journey)?;
        if !text {
            let columns = Columns {
                customer: &customer,
                customer_ids: ints.as_deref(),
                timestamp: &counts,
                event: &event,
                channel: channel.as_deref(),
                session: session.as_deref(),
                value: self.value.as_deref(),
                consent: None,
            };
            return EventLog::from_columns(&columns, b);
        }
        // Some text (so a plain array of values): row by row.
        let times: &[LooseTime] = match &self.timestamp {
            LooseTimes::Values(v) => v,
            _ => &[],
        };
        b.reserve(n);
        for i in 0..n {
            let timestamp = match times.get(i) {
                Some(LooseTime::Text(s)) => TimeValue::Text(s),
                _ => counts
                    .get(i)
                    .copied()
                    .flatten()
                    .map_or(TimeValue::Missing, TimeValue::Ticks),
            };
            b.push(&RawEvent {
                customer: customer.get(i).copied().flatten(),
                timestamp,
                event: event.get(i).copied().flatten(),
                channel: at(channel.as_deref(), i),
                session: at(session.as_deref(), i),
                value: self
                    .value
                    .as_ref()
                    .and_then(|v| v.get(i).copied().flatten()),
                consent: None,
                extra: &[],
                row: None,
            })?;
        }
        b.finish_checked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> IngestSpec {
        serde_json::from_str(r#"{"unit": "seconds"}"#).unwrap()
    }

    fn text(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| Some((*s).to_owned())).collect()
    }

    fn columns(customer: LooseIds, timestamp: LooseTimes) -> LooseColumns {
        LooseColumns {
            customer,
            timestamp,
            event: text(&["a", "b", "a"]),
            channel: None,
            session: None,
            value: None,
        }
    }

    #[test]
    fn numbers_are_whole_counts_and_nan_is_missing() {
        let ids = LooseIds::Text(text(&["u1", "u1", "u2"]));
        let c = columns(ids.clone(), LooseTimes::Numbers(vec![0.0, 5.0, f64::NAN]));
        let (log, report) = c.build(&spec(), None).unwrap();
        assert_eq!((log.len(), report.rows_used), (2, 2));
        let c = columns(ids, LooseTimes::Numbers(vec![0.0, 1.5, 2.0]));
        let err = c.build(&spec(), None).unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(1)));
        assert!(err
            .to_string()
            .contains("`1.5` is not a whole number of the unit"));
        let big = columns(
            LooseIds::Text(text(&["u1", "u1", "u2"])),
            LooseTimes::Values(vec![
                LooseTime::Missing,
                LooseTime::Number(1e19),
                LooseTime::Text("x".into()),
            ]),
        );
        let err = big.build(&spec(), None).unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(1)));
    }

    #[test]
    fn lengths_must_agree() {
        let mut c = columns(
            LooseIds::Text(text(&["u1", "u1", "u2"])),
            LooseTimes::Ticks(vec![0, 1, 2]),
        );
        c.value = Some(vec![Some(1.0)]);
        let err = c.build(&spec(), None).unwrap_err();
        assert_eq!(err.code(), "column_length_mismatch");
        assert!(err.to_string().contains("customer column has `3` rows"));
    }

    #[test]
    fn integer_ids_sort_by_value_with_counts_and_as_text_with_text_times() {
        let ids = || LooseIds::Ints(vec![10, -5, 2]);
        let counts = columns(
            ids(),
            LooseTimes::Values(vec![
                LooseTime::Ticks(0),
                LooseTime::Number(1.0),
                LooseTime::Number(2.0),
            ]),
        );
        let (log, report) = counts.build(&spec(), None).unwrap();
        assert_eq!(report.rows_used, 3);
        // By value: -5 (event b), 2 (a), 10 (a); as text "10" < "2" < "-5" would differ.
        match log.export().customers {
            crate::events::CustomerIds::Int(ids) => assert_eq!(*ids, [-5, 2, 10]),
            crate::events::CustomerIds::Str(_) => panic!("integer ids kept as text"),
        }
        let iso = "2024-01-01T00:00:00Z";
        let texts = columns(
            ids(),
            LooseTimes::Values(vec![
                LooseTime::Text(iso.into()),
                LooseTime::Ticks(0),
                LooseTime::Number(3.0),
            ]),
        );
        let (log, report) = texts.build(&spec(), None).unwrap();
        assert_eq!(report.rows_used, 3);
        // As text, sorted as strings: "-5" < "10" < "2".
        match log.export().customers {
            crate::events::CustomerIds::Str(ids) => assert_eq!(*ids, ["-5", "10", "2"]),
            crate::events::CustomerIds::Int(_) => panic!("ids beside text times kept as integers"),
        }
    }
}
