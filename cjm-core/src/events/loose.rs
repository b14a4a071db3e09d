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
//! What each cell of a plain array may be is decided here too ([`LooseColumns::read_text`],
//! [`LooseColumns::read_times`], [`LooseColumns::read_values`]; the binding only says
//! what kind of value each cell is, a [`LooseCell`]):
//!
//! - a text column (customer, event, channel, session) takes text, `null`/`undefined`
//!   (missing), and numbers and `BigInt`s, which are read as the text JavaScript writes
//!   for them (`String(x)`: `12`, `0.5`, `1e+21`, `NaN`);
//! - a timestamp column takes numbers, `BigInt`s, ISO-8601 text and missing values;
//! - a value column takes numbers (a `BigInt` as the nearest number) and missing values;
//! - anything else (a boolean, an object, an array, a symbol, a `BigInt` outside the
//!   64-bit range) is `wrong_type` naming the column and the row.
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

/// One cell of a plain array, as the caller's binding sees it: translation only (what a
/// cell of each column may be is decided by [`LooseColumns::read_text`],
/// [`LooseColumns::read_times`] and [`LooseColumns::read_values`]).
#[derive(Debug, Clone, PartialEq)]
pub enum LooseCell {
    /// `null`, `undefined` or a hole.
    Missing,
    /// A string.
    Text(String),
    /// A number (`NaN` and `-0` included).
    Number(f64),
    /// An integer: a `BigInt` within the `i64` range.
    Int(i64),
    /// Anything else: a boolean, an object, an array, a symbol, a `BigInt` out of range.
    Other,
}

/// `x` as JavaScript's `String(x)` writes it (ECMAScript `Number::toString`, radix 10):
/// the shortest digits that read back as `x`, the one nearest to `x` among them and the
/// even one of two equally near (Rust's `{:e}` gives the shortest digits but may take the
/// other on such a tie), placed by the standard's rules: plain from 1e-6 up to 1e21, else
/// `d.ddde±n`. Written here rather than taken from `ryu-js` (its tables add 14 kB gzipped
/// to the browser module, where core's float formatting is linked anyway); `ryu-js` is
/// the oracle of its property test.
pub(crate) fn js_number_text(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x == 0.0 {
        return "0".to_owned();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    if x.is_infinite() {
        return format!("{sign}Infinity");
    }
    let abs = x.abs();
    let (mut digits, exp) = sci_digits(&format!("{abs:e}"));
    // x = 0.digits × 10^n, with k digits.
    let (k, n) = (digits.len(), exp + 1);
    // A tie: the exact digits of x are those of the lower candidate and a 5 (checked
    // on k + 1 rounded digits first, which is cheap). Then the even candidate, if it
    // reads back as x (below a power of two the lower one may not).
    if sci_digits(&format!("{abs:.k$e}")).0.ends_with('5') {
        let (exact, exact_exp) = sci_digits(&format!("{abs:.800e}"));
        let exact = exact.trim_end_matches('0');
        if exact.len() == k + 1 && exact.ends_with('5') && exact_exp == exp {
            let lower = exact.get(..k).unwrap_or_default();
            let upper = lower
                .parse::<u64>()
                .map(|l| (l + 1).to_string())
                .unwrap_or_default();
            let odd = |d: &str| d.ends_with(['1', '3', '5', '7', '9']);
            let even = if odd(lower) { upper } else { lower.to_owned() };
            let reads_back = |d: &str| {
                let back = format!("0.{d}e{n}").parse::<f64>();
                d.len() == k && back == Ok(abs)
            };
            if reads_back(&even) {
                digits = even;
            }
        }
    }
    let at = |i: usize| (digits.get(..i).unwrap_or(""), digits.get(i..).unwrap_or(""));
    let body = match usize::try_from(n) {
        Ok(n) if k <= n && n <= 21 => format!("{digits}{}", "0".repeat(n - k)),
        Ok(n) if n > 0 && n <= 21 => {
            let (whole, fraction) = at(n);
            format!("{whole}.{fraction}")
        }
        _ if n > -6 && n <= 0 => format!("0.{}{digits}", "0".repeat(n.unsigned_abs() as usize)),
        _ => {
            let (first, rest) = at(1);
            let dot = if rest.is_empty() { "" } else { "." };
            let e = n - 1;
            format!(
                "{first}{dot}{rest}e{}{}",
                if e < 0 { '-' } else { '+' },
                e.abs()
            )
        }
    };
    format!("{sign}{body}")
}

/// The significant digits (no point, no sign) and the exponent of Rust's `{:e}` text.
fn sci_digits(sci: &str) -> (String, i32) {
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci, "0"));
    let digits = mantissa.chars().filter(char::is_ascii_digit).collect();
    (digits, exp.parse().unwrap_or(0))
}

/// Column `name` cell by cell with `cell`, which says what a cell it cannot take should
/// have been (`want`); the first such cell is `wrong_type` with its row.
fn read_cells<T>(
    cells: impl IntoIterator<Item = LooseCell>,
    name: &str,
    want: &str,
    cell: impl Fn(LooseCell) -> Option<T>,
) -> Result<Vec<T>> {
    let cells = cells.into_iter();
    let mut out = Vec::with_capacity(cells.size_hint().0);
    for c in cells {
        let row = out.len();
        out.push(cell(c).ok_or_else(|| {
            bad_row(
                row,
                format!("column `{name}`, row `{row}`: expected {want}"),
            )
        })?);
    }
    Ok(out)
}

impl LooseColumns {
    /// A text column (customer, event, channel, session): text, missing, or a number or
    /// `BigInt`, read as the text JavaScript's `String(x)` gives (`12`, `0.5`, `1e+21`).
    ///
    /// # Errors
    /// `wrong_type` with the row of the first other cell.
    pub fn read_text(
        cells: impl IntoIterator<Item = LooseCell>,
        name: &str,
    ) -> Result<Vec<Option<String>>> {
        read_cells(cells, name, "a string, a number or null", |c| match c {
            LooseCell::Missing => Some(None),
            LooseCell::Text(s) => Some(Some(s)),
            LooseCell::Int(i) => Some(Some(i.to_string())),
            LooseCell::Number(x) => Some(Some(js_number_text(x))),
            LooseCell::Other => None,
        })
    }

    /// A timestamp column: numbers and `BigInt`s (whole counts of the unit, checked when
    /// the log is built), ISO-8601 text and missing values.
    ///
    /// # Errors
    /// `wrong_type` with the row of the first other cell.
    pub fn read_times(cells: impl IntoIterator<Item = LooseCell>) -> Result<LooseTimes> {
        let want = "a number, a BigInt (64-bit), ISO-8601 text or null";
        let times = read_cells(cells, "timestamp", want, |c| match c {
            LooseCell::Missing => Some(LooseTime::Missing),
            LooseCell::Text(s) => Some(LooseTime::Text(s)),
            LooseCell::Int(i) => Some(LooseTime::Ticks(i)),
            LooseCell::Number(x) => Some(LooseTime::Number(x)),
            LooseCell::Other => None,
        })?;
        Ok(LooseTimes::Values(times))
    }

    /// A value column: numbers (a `BigInt` as the nearest number) and missing values.
    ///
    /// # Errors
    /// `wrong_type` with the row of the first other cell.
    pub fn read_values(cells: impl IntoIterator<Item = LooseCell>) -> Result<Vec<Option<f64>>> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "a BigInt value is read as the nearest number, as `Number(x)` does"
        )]
        read_cells(cells, "value", "a number or null", |c| match c {
            LooseCell::Missing => Some(None),
            LooseCell::Number(x) => Some(Some(x)),
            LooseCell::Int(i) => Some(Some(i as f64)),
            LooseCell::Text(_) | LooseCell::Other => None,
        })
    }

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
    fn cells_of_plain_arrays() {
        use LooseCell::{Int, Missing, Number, Other, Text};
        let t = |s: &str| Text(s.to_owned());
        // Numbers and BigInts in a text column are the text JavaScript's `String(x)`
        // writes (ECMAScript Number::toString: exponent form from 1e21 and below 1e-6).
        let cells = [
            t("a"),
            Missing,
            Number(12.0),
            Number(-0.0),
            Number(0.5),
            Number(1e21),
        ];
        let more = [Number(1e-7), Number(f64::NAN), Int(i64::MIN)];
        let text = LooseColumns::read_text(cells.into_iter().chain(more), "customer").unwrap();
        let want = [
            "a",
            "",
            "12",
            "0",
            "0.5",
            "1e+21",
            "1e-7",
            "NaN",
            "-9223372036854775808",
        ];
        let want: Vec<_> = want
            .iter()
            .map(|s| (!s.is_empty()).then(|| (*s).to_owned()))
            .collect();
        assert_eq!(text, want);
        let err = LooseColumns::read_text([t("a"), Number(1.0), Other], "event").unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(2)));
        let message = "column `event`, row `2`: expected a string, a number or null";
        assert!(err.to_string().contains(message), "{err}");

        let times = LooseColumns::read_times([Missing, Int(5), Number(1.5), t("2024-01-01")]);
        let want = [
            LooseTime::Missing,
            LooseTime::Ticks(5),
            LooseTime::Number(1.5),
            LooseTime::Text("2024-01-01".into()),
        ];
        assert_eq!(times.unwrap(), LooseTimes::Values(want.to_vec()));
        let err = LooseColumns::read_times([Number(1.0), Other]).unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(1)));

        let values = LooseColumns::read_values([Number(1.0), Missing, Int(-7)]).unwrap();
        assert_eq!(values, [Some(1.0), None, Some(-7.0)]);
        let err = LooseColumns::read_values([Number(1.0), Missing, t("2")]).unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(2)));
        let message = "column `value`, row `2`: expected a number or null";
        assert!(err.to_string().contains(message), "{err}");
    }

    #[test]
    fn numbers_as_javascript_writes_them() {
        // By hand from ECMAScript Number::toString (and `String(x)` in any browser).
        for (x, want) in [
            (1.0, "1"),
            (-0.0, "0"),
            (123_456_789.0, "123456789"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
            (0.000_001, "0.000001"),
            (1e-7, "1e-7"),
            (-2.5e-8, "-2.5e-8"),
            (123.456, "123.456"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            // 565065190359033.25, exactly halfway between two 16-digit candidates: the
            // even one.
            (4_520_521_522_872_266.0 / 8.0, "565065190359033.2"),
            // 2^-24 = 5.9604644775390625e-8: the even 16-digit candidate (…062) does not
            // read back (the gap below a power of two is half the gap above), so …063.
            (
                f64::from_bits(0x3E70_0000_0000_0000),
                "5.960464477539063e-8",
            ),
            (
                -f64::from_bits(0x3E70_0000_0000_0000),
                "-5.960464477539063e-8",
            ),
        ] {
            assert_eq!(js_number_text(x), want, "{x:e}");
        }
    }

    #[test]
    fn powers_of_two_agree_with_ryu_js() {
        // Where the gaps around a number differ: every power of two, and its neighbours.
        for e in 0..2046u64 {
            for bits in [e << 52, (e << 52) + 1, (e << 52).saturating_sub(1)] {
                let x = f64::from_bits(bits);
                let mut oracle = ryu_js::Buffer::new();
                assert_eq!(js_number_text(x), oracle.format(x), "{bits:#x}");
            }
        }
    }

    proptest::proptest! {
        // Any finite or special f64, as `ryu-js` (ECMAScript-exact) writes it. Random
        // bits reach every exponent; the ranges are where the plain and exponent forms
        // meet (1e-7 … 1e-6, 1e20 … 1e22) and where most ids and values live.
        #[test]
        fn numbers_agree_with_ryu_js(
            bits in proptest::prelude::any::<u64>(),
            large in -1e23f64..1e23,
            small in -1e-5f64..1e-5,
            whole in proptest::prelude::any::<i64>(),
        ) {
            #[allow(clippy::cast_precision_loss, reason = "any number will do")]
            for x in [f64::from_bits(bits), large, small, whole as f64, large.trunc()] {
                let mut oracle = ryu_js::Buffer::new();
                proptest::prop_assert_eq!(js_number_text(x), oracle.format(x));
            }
        }
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
