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
//! [`LooseColumns::read_times`], [`LooseColumns::read_values`], which read a column from
//! any serde deserializer, serde-wasm-bindgen's in the browser):
//!
//! - a text column (customer, event, channel, session) takes text, `null`/`undefined`
//!   (missing), and numbers and `BigInt`s, which are read as the text JavaScript writes
//!   for them (`String(x)`: `12`, `0.5`, `1e+21`, `NaN`);
//! - a timestamp column takes numbers, `BigInt`s, ISO-8601 text and missing values;
//! - a value column takes numbers (a `BigInt` as the nearest number) and missing values;
//! - anything else (a boolean, an object, an array) is `wrong_type` naming the column and
//!   the row, as is a value that is not an array.
//!
//! [`EventLogBuilder::push`]: super::EventLogBuilder::push

use super::log::{Columns, EventLog, IngestReport, RawEvent, TimeValue};
use super::spec::IngestSpec;
use crate::error::{Error, Result};
use crate::{InputCode, ValidJourney};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;

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

/// One cell of a plain array, as a self-describing deserializer hands it over.
enum Loose {
    Missing,
    Text(String),
    Int(i64),
    /// A `BigInt` above `i64::MAX`.
    Big(u64),
    Number(f64),
    /// A boolean, an object, an array, bytes: no cell of any column.
    Other,
}

impl<'de> serde::Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Loose;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a cell")
            }
            fn visit_unit<E>(self) -> std::result::Result<Loose, E> {
                Ok(Loose::Missing)
            }
            fn visit_none<E>(self) -> std::result::Result<Loose, E> {
                Ok(Loose::Missing)
            }
            fn visit_some<D: Deserializer<'de>>(
                self,
                d: D,
            ) -> std::result::Result<Loose, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Loose, E> {
                Ok(Loose::Text(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Loose, E> {
                Ok(Loose::Text(v))
            }
            fn visit_i64<E>(self, v: i64) -> std::result::Result<Loose, E> {
                Ok(Loose::Int(v))
            }
            fn visit_u64<E>(self, v: u64) -> std::result::Result<Loose, E> {
                Ok(i64::try_from(v).map_or(Loose::Big(v), Loose::Int))
            }
            fn visit_f64<E>(self, v: f64) -> std::result::Result<Loose, E> {
                Ok(Loose::Number(v))
            }
            fn visit_bool<E>(self, _: bool) -> std::result::Result<Loose, E> {
                Ok(Loose::Other)
            }
            fn visit_bytes<E>(self, _: &[u8]) -> std::result::Result<Loose, E> {
                Ok(Loose::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Loose, A::Error> {
                while a.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut a: A,
            ) -> std::result::Result<Loose, A::Error> {
                while a.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Loose::Other)
            }
        }
        d.deserialize_any(V)
    }
}

/// `x` as JavaScript's `String(x)` writes it (ECMAScript `Number::toString`, radix 10):
/// the shortest digits that read back as `x` (Rust's `{:e}`), placed by the standard's
/// rules: plain from 1e-6 up to 1e21, else `d.ddde±n`. Written here rather than taken
/// from `ryu-js` (its tables add 14 kB gzipped to the browser module, where core's float
/// formatting is linked anyway); `ryu-js` is the oracle of its property test.
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
    let (mut digits, exp) = sci_digits(&format!("{:e}", x.abs()));
    // x = 0.digits × 10^n, with k digits.
    let (k, n) = (digits.len(), exp + 1);
    // A tie (x exactly halfway between two shortest candidates): Rust rounds up,
    // ECMAScript takes the even one. Then the exact digits of x are the k of the lower
    // candidate and a 5 (checked on the k + 1 digits first, which is cheap).
    if sci_digits(&format!("{:.1$e}", x.abs(), k)).0.ends_with('5') {
        let (exact, exact_exp) = sci_digits(&format!("{:.800e}", x.abs()));
        let exact = exact.trim_end_matches('0');
        let lower = exact.get(..k).unwrap_or_default();
        let odd = lower.ends_with(['1', '3', '5', '7', '9']);
        if exact.len() == k + 1 && exact.ends_with('5') && exact_exp == exp && !odd {
            digits = lower.to_owned();
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

/// Reads column `name` (a sequence) cell by cell with `cell`, which says what a cell it
/// cannot take should have been; the first such cell is `wrong_type` with its row.
fn read_cells<'de, D: Deserializer<'de>, T>(
    column: D,
    name: &str,
    cell: impl Fn(Loose) -> std::result::Result<T, &'static str>,
) -> Result<Vec<T>> {
    struct Cells<'a, F> {
        cell: F,
        bad: &'a Cell<Option<(usize, &'static str)>>,
    }
    impl<'de, T, F: Fn(Loose) -> std::result::Result<T, &'static str>> Visitor<'de> for Cells<'_, F> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array or a typed array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> std::result::Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0));
            while let Some(value) = a.next_element::<Loose>()? {
                match (self.cell)(value) {
                    Ok(v) => out.push(v),
                    Err(want) => {
                        self.bad.set(Some((out.len(), want)));
                        return Err(de::Error::custom(want));
                    }
                }
            }
            Ok(out)
        }
    }
    let bad = Cell::new(None);
    let cells = Cells { cell, bad: &bad };
    column.deserialize_seq(cells).map_err(|e| match bad.get() {
        Some((row, want)) => bad_row(
            row,
            format!("column `{name}`, row `{row}`: expected {want}"),
        ),
        None => Error::Input {
            code: InputCode::WrongType,
            row: None,
            message: format!("`columns.{name}` must be an array or a typed array: {e}"),
        },
    })
}

impl LooseColumns {
    /// A text column of a plain array (customer, event, channel, session); see the module's
    /// documentation for what a cell may be.
    ///
    /// # Errors
    /// `wrong_type`: with the row of the first cell that is not text, a number or missing;
    /// without a row when `column` is not a sequence.
    pub fn read_text<'de, D: Deserializer<'de>>(
        column: D,
        name: &str,
    ) -> Result<Vec<Option<String>>> {
        read_cells(column, name, |cell| match cell {
            Loose::Missing => Ok(None),
            Loose::Text(s) => Ok(Some(s)),
            Loose::Int(i) => Ok(Some(i.to_string())),
            Loose::Big(u) => Ok(Some(u.to_string())),
            Loose::Number(x) => Ok(Some(js_number_text(x))),
            Loose::Other => Err("a string, a number or null"),
        })
    }

    /// A timestamp column of a plain array; see the module's documentation.
    ///
    /// # Errors
    /// `wrong_type` as [`Self::read_text`], and for a `BigInt` outside the `i64` range.
    pub fn read_times<'de, D: Deserializer<'de>>(column: D) -> Result<LooseTimes> {
        let cells = read_cells(column, "timestamp", |cell| match cell {
            Loose::Missing => Ok(LooseTime::Missing),
            Loose::Text(s) => Ok(LooseTime::Text(s)),
            Loose::Int(i) => Ok(LooseTime::Ticks(i)),
            Loose::Number(x) => Ok(LooseTime::Number(x)),
            Loose::Big(_) => Err("a BigInt within the 64-bit range"),
            Loose::Other => Err("a number, a BigInt, ISO-8601 text or null"),
        })?;
        Ok(LooseTimes::Values(cells))
    }

    /// A value column of a plain array; see the module's documentation.
    ///
    /// # Errors
    /// `wrong_type` as [`Self::read_text`].
    pub fn read_values<'de, D: Deserializer<'de>>(column: D) -> Result<Vec<Option<f64>>> {
        #[allow(
            clippy::cast_precision_loss,
            reason = "a BigInt value is read as the nearest number, as `Number(x)` does"
        )]
        read_cells(column, "value", |cell| match cell {
            Loose::Missing => Ok(None),
            Loose::Number(x) => Ok(Some(x)),
            Loose::Int(i) => Ok(Some(i as f64)),
            Loose::Big(u) => Ok(Some(u as f64)),
            Loose::Text(_) | Loose::Other => Err("a number or null"),
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

    fn json(text: &str) -> serde_json::Value {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn cells_of_plain_arrays() {
        // Numbers in a text column are the text JavaScript's `String(x)` writes (ECMAScript
        // Number::toString: exponent form from 1e21 and below 1e-6).
        let text =
            LooseColumns::read_text(json(r#"["a", null, 12, -3, 0.5, 1e21, 1e-7]"#), "customer");
        let want = [
            Some("a"),
            None,
            Some("12"),
            Some("-3"),
            Some("0.5"),
            Some("1e+21"),
            Some("1e-7"),
        ];
        assert_eq!(text.unwrap(), want.map(|s| s.map(str::to_owned)));
        let big = LooseColumns::read_text(json("[18446744073709551615]"), "customer").unwrap();
        assert_eq!(big, [Some("18446744073709551615".to_owned())]);
        let err = LooseColumns::read_text(json(r#"["a", 1, true]"#), "event").unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(2)));
        assert!(err
            .to_string()
            .contains("column `event`, row `2`: expected a string, a number or null"));
        let err = LooseColumns::read_text(json(r#""abc""#), "event").unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", None));
        assert!(err
            .to_string()
            .contains("`columns.event` must be an array or a typed array"));

        let times = LooseColumns::read_times(json(r#"[null, 5, 1.5, "2024-01-01T00:00:00Z"]"#));
        let want = [
            LooseTime::Missing,
            LooseTime::Ticks(5),
            LooseTime::Number(1.5),
            LooseTime::Text("2024-01-01T00:00:00Z".into()),
        ];
        assert_eq!(times.unwrap(), LooseTimes::Values(want.to_vec()));
        for (bad, row) in [("[1, {}]", 1), ("[18446744073709551615]", 0), ("[[1]]", 0)] {
            let err = LooseColumns::read_times(json(bad)).unwrap_err();
            assert_eq!((err.code(), err.row()), ("wrong_type", Some(row)), "{bad}");
        }

        let values = LooseColumns::read_values(json("[1, null, 2.5]")).unwrap();
        assert_eq!(values, [Some(1.0), None, Some(2.5)]);
        let err = LooseColumns::read_values(json(r#"[1, null, "2"]"#)).unwrap_err();
        assert_eq!((err.code(), err.row()), ("wrong_type", Some(2)));
        assert!(err
            .to_string()
            .contains("column `value`, row `2`: expected a number or null"));
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
        ] {
            assert_eq!(js_number_text(x), want, "{x:e}");
        }
    }

    proptest::proptest! {
        // Any finite or special f64, as `ryu-js` (ECMAScript-exact) writes it.
        #[test]
        // Random bits reach every exponent; the ranges are where the plain and exponent
        // forms meet (1e-7 … 1e-6, 1e20 … 1e22) and where most ids and values live.
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
