//! Time: explicit units and a strict ISO-8601 reader.
//!
//! Every timestamp in an [`super::EventLog`] is held as whole **nanoseconds since the Unix
//! epoch** (UTC) in an `i64`, whatever the input unit, so that logs of different units
//! compare exactly. The range is therefore 1677-09-21 to 2262-04-11; a timestamp outside
//! it is rejected as `invalid_timestamp` (never wrapped or clamped). No time zone is ever
//! guessed: a text timestamp must carry `Z` or an offset unless the caller says it is UTC.

use crate::error::{Error, Result};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Nanoseconds in one second.
pub const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// The unit of integer timestamps (counted from the Unix epoch, 1970-01-01T00:00:00Z).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Seconds (Unix time); also read as `s`.
    #[serde(alias = "s")]
    Seconds,
    /// Milliseconds (JavaScript `Date.now()`); also read as `ms`.
    #[default]
    #[serde(alias = "ms")]
    Milliseconds,
    /// Microseconds (GA4 `event_timestamp`); also read as `us`.
    #[serde(alias = "us")]
    Microseconds,
    /// Nanoseconds; also read as `ns`.
    #[serde(alias = "ns")]
    Nanoseconds,
}

impl TimeUnit {
    /// How many nanoseconds one tick of this unit is.
    #[must_use]
    pub fn nanos(self) -> i64 {
        match self {
            Self::Seconds => NANOS_PER_SECOND,
            Self::Milliseconds => 1_000_000,
            Self::Microseconds => 1_000,
            Self::Nanoseconds => 1,
        }
    }

    /// Converts a count of this unit to nanoseconds, `None` when out of range.
    #[must_use]
    pub fn to_nanos(self, value: i64) -> Option<i64> {
        value.checked_mul(self.nanos())
    }
}

/// Converts nanoseconds to seconds as a float (for durations in results).
#[must_use]
#[allow(
    clippy::cast_precision_loss,
    reason = "durations in seconds for display"
)]
pub fn nanos_to_seconds(nanos: i64) -> f64 {
    let whole = nanos / NANOS_PER_SECOND;
    let frac = nanos % NANOS_PER_SECOND;
    whole as f64 + frac as f64 / 1e9
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * m + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `(year, month 1–12, day 1–31)` of a count of days since
/// 1970-01-01 (Howard Hinnant's algorithm). Exact for any day of the `i64` nanosecond range
/// (and far beyond); saturating for counts near `i64::MAX`, which no timestamp reaches.
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe
        .saturating_add(era.saturating_mul(400))
        .saturating_add(i64::from(m <= 2));
    (y, m, d)
}

/// Reads a fixed UTC offset: `±HH:MM`, `±HHMM` or `±HH` (hours 0–23, minutes 0–59), or
/// `Z` / `UTC` for zero; returns minutes east of UTC. Zone names (`Europe/Paris`) are
/// refused: their offset changes with daylight-saving time, which a fixed offset cannot
/// say.
///
/// # Errors
/// `invalid_option` naming `what` (the option).
pub fn parse_utc_offset(text: &str, what: &str) -> Result<i32> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("z") || t.eq_ignore_ascii_case("utc") {
        return Ok(0);
    }
    let bad = || Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message: format!(
            "`{what}` must be a fixed UTC offset such as `+02:00`, `-05:30` or `UTC`, not `{}`; \
             zones with daylight-saving time (`Europe/Paris`) are not supported: give the \
             offset in force over the period studied",
            crate::error::excerpt(text)
        ),
    };
    let b = t.as_bytes();
    let sign = match b.first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let mut c = Cursor { bytes: b, pos: 1 };
    let h = c.digits(2).ok_or_else(bad)?;
    let m = if c.pos == b.len() {
        0
    } else {
        let colon = c.eat(b':');
        let m = c.digits(2).ok_or_else(bad)?;
        if (colon && b.len() != 6) || (!colon && b.len() != 5) {
            return Err(bad());
        }
        m
    };
    if c.pos != b.len() || h > 23 || m > 59 {
        return Err(bad());
    }
    i32::try_from(sign * (h * 60 + m)).map_err(|_| bad())
}

/// `±HH:MM` of an offset in minutes (zero is `+00:00`).
#[must_use]
pub fn format_utc_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let a = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn bad(text: &str, why: &str) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidTimestamp,
        row: None,
        message: format!(
            "`{}` is not an ISO-8601 timestamp: {why}",
            crate::error::excerpt(text)
        ),
    }
}

/// A cursor over ASCII digits.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v: i64 = 0;
        for _ in 0..n {
            let b = *self.bytes.get(self.pos)?;
            if !b.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i64::from(b - b'0');
            self.pos += 1;
        }
        Some(v)
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.bytes.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
}

/// Reads an instant option (`as_of`, `since`, a filter's `start`/`end`), named `what`
/// in errors: ISO-8601 with an offset (as [`parse_iso8601`]); a date alone
/// (`YYYY-MM-DD`), which means the start of that day in UTC; or, only when `assume_utc`
/// is true, a date and time without an offset, read as UTC.
///
/// # Errors
/// [`Error::Input`] with code `naive_timestamp` for a date and time without an offset
/// when `assume_utc` is false (no zone is guessed), else `invalid_timestamp`.
pub fn parse_instant(text: &str, what: &str, assume_utc: bool) -> Result<i64> {
    let t = text.trim();
    let b = t.as_bytes();
    let is_date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if is_date {
        return parse_iso8601(&format!("{t}T00:00:00Z"), false);
    }
    if !assume_utc && is_naive_iso8601(t) {
        return Err(Error::Input {
            code: crate::InputCode::NaiveTimestamp,
            row: None,
            message: format!(
                "`{what}` `{}` has no time zone; no zone is guessed: write it with `Z` or an \
                 offset (Python: a datetime with tzinfo), or pass `assume_utc` (Python \
                 `assume_utc=True`, JS `{{assume_utc: true}}`) to read it as UTC",
                crate::error::excerpt(t)
            ),
        });
    }
    parse_iso8601(t, assume_utc)
}

/// [`parse_instant`] for an `as_of` that must carry its offset (or be a date alone).
///
/// # Errors
/// As [`parse_instant`].
pub fn parse_as_of(text: &str) -> Result<i64> {
    parse_instant(text, "as_of", false)
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.f…]` followed by `Z` or `±hh:mm` (also `±hhmm`) into
/// nanoseconds since the epoch. The date/time separator may be `T` or one space (as RFC
/// 3339 allows); up to 9 fraction digits are kept exactly. A timestamp without an offset
/// is an error unless `assume_utc` is true. Leap seconds (`:60`) are rejected.
///
/// # Errors
/// [`Error::Input`] with code `invalid_timestamp`.
pub fn parse_iso8601(text: &str, assume_utc: bool) -> Result<i64> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let year = c
        .digits(4)
        .ok_or_else(|| bad(text, "expected a 4-digit year"))?;
    let sep_ok = c.eat(b'-');
    let month = c.digits(2).filter(|_| sep_ok);
    let month = month.ok_or_else(|| bad(text, "expected `-MM`"))?;
    let sep_ok = c.eat(b'-');
    let day = c
        .digits(2)
        .filter(|_| sep_ok)
        .ok_or_else(|| bad(text, "expected `-DD`"))?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err(bad(text, "not a calendar date"));
    }
    if !(c.eat(b'T') || c.eat(b't') || c.eat(b' ')) {
        return Err(bad(text, "expected `T` and a time of day"));
    }
    let hour = c.digits(2).ok_or_else(|| bad(text, "expected `HH`"))?;
    let sep_ok = c.eat(b':');
    let minute = c
        .digits(2)
        .filter(|_| sep_ok)
        .ok_or_else(|| bad(text, "expected `:MM`"))?;
    let sep_ok = c.eat(b':');
    let second = c
        .digits(2)
        .filter(|_| sep_ok)
        .ok_or_else(|| bad(text, "expected `:SS`"))?;
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad(text, "time of day out of range"));
    }
    let mut nanos: i64 = 0;
    if c.eat(b'.') || c.eat(b',') {
        let mut n = 0;
        while let Some(b) = c.peek().filter(u8::is_ascii_digit) {
            if n < 9 {
                nanos = nanos * 10 + i64::from(b - b'0');
            }
            n += 1;
            c.pos += 1;
        }
        if n == 0 {
            return Err(bad(text, "empty fraction of a second"));
        }
        if n > 9 {
            return Err(bad(text, "more than 9 fraction digits"));
        }
        for _ in n..9 {
            nanos *= 10;
        }
    }
    let offset_minutes = match c.peek() {
        Some(b'Z' | b'z') => {
            c.pos += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.pos += 1;
            let h = c
                .digits(2)
                .ok_or_else(|| bad(text, "expected offset `hh`"))?;
            let colon = c.eat(b':');
            let m = c.digits(2);
            let m = match (colon, m) {
                (_, Some(m)) => m,
                (false, None) => 0,
                (true, None) => return Err(bad(text, "expected offset `:mm`")),
            };
            if h > 23 || m > 59 {
                return Err(bad(text, "offset out of range"));
            }
            let total = h * 60 + m;
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        None if assume_utc => 0,
        None => {
            return Err(bad(
                text,
                "no `Z` or offset; say `assume_utc` if the log is in UTC",
            ))
        }
        Some(_) => return Err(bad(text, "unexpected character")),
    };
    if c.pos != c.bytes.len() {
        return Err(bad(text, "unexpected trailing characters"));
    }
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
    secs.checked_mul(NANOS_PER_SECOND)
        .and_then(|s| s.checked_add(nanos))
        .ok_or_else(|| bad(text, "outside the range 1677–2262"))
}

/// Whether `text` is an ISO-8601 timestamp that is complete but for its `Z` or offset.
#[must_use]
pub fn is_naive_iso8601(text: &str) -> bool {
    parse_iso8601(text, false).is_err() && parse_iso8601(text, true).is_ok()
}

/// The `naive_timestamp` error: timestamps without `Z` or offset and no `assume_utc`.
/// `row` is the 0-based input row, `column` the column name when known.
#[must_use]
pub fn naive_timestamp_error(text: &str, row: Option<usize>, column: Option<&str>) -> Error {
    let column = column
        .map(|c| format!("column `{c}` holds "))
        .unwrap_or_default();
    Error::Input {
        code: crate::InputCode::NaiveTimestamp,
        row,
        message: format!(
            "{column}timestamps without a time zone (`{}`); no zone is guessed: pass \
             `assume_utc` (Python `assume_utc=True`, JS `{{assume_utc: true}}`) if they are \
             UTC, or write them with `Z` or an offset",
            crate::error::excerpt(text)
        ),
    }
}

/// Reads one text timestamp of an input row (`row`, 0-based): the nanoseconds, or the
/// reason the row is rejected (`invalid_timestamp`). A timestamp that is valid but for a
/// missing offset, when UTC is not assumed, is an error for the whole input
/// (`naive_timestamp`): it says how the column is written, not that one row is bad.
///
/// # Errors
/// `naive_timestamp`.
pub fn read_text_timestamp(
    text: &str,
    assume_utc: bool,
    row: u64,
) -> Result<std::result::Result<i64, super::report::RejectReason>> {
    match parse_iso8601(text, assume_utc) {
        Ok(t) => Ok(Ok(t)),
        Err(_) if !assume_utc && is_naive_iso8601(text) => {
            Err(naive_timestamp_error(text, usize::try_from(row).ok(), None))
        }
        Err(_) => Ok(Err(super::report::RejectReason::InvalidTimestamp)),
    }
}

/// Formats nanoseconds since the epoch as `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z` (UTC).
#[must_use]
pub fn format_iso8601(nanos: i64) -> String {
    let secs = nanos.div_euclid(NANOS_PER_SECOND);
    let frac = nanos.rem_euclid(NANOS_PER_SECOND);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let base = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    );
    if frac == 0 {
        format!("{base}Z")
    } else {
        let digits = format!("{frac:09}");
        format!("{base}.{}Z", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn as_of_takes_a_date_as_the_start_of_its_day_in_utc() {
        // 2025-01-31T00:00:00Z: 20,119 days after the epoch.
        assert_eq!(
            parse_as_of("2025-01-31").unwrap(),
            20_119 * 86_400 * 1_000_000_000
        );
        assert_eq!(
            parse_as_of(" 2025-01-31 ").unwrap(),
            parse_iso8601("2025-01-31T00:00:00Z", false).unwrap()
        );
        assert_eq!(
            parse_as_of("2025-01-31T12:00:00+02:00").unwrap(),
            parse_iso8601("2025-01-31T10:00:00Z", false).unwrap()
        );
        // A date and time without an offset: no zone is guessed unless UTC is assumed.
        let naive = parse_as_of("2025-01-31T12:00:00").unwrap_err();
        assert_eq!(naive.code(), "naive_timestamp");
        assert!(naive.to_string().contains("assume_utc"), "{naive}");
        assert_eq!(
            parse_instant("2025-01-31T12:00:00", "as_of", true).unwrap(),
            (20_119 * 86_400 + 12 * 3_600) * 1_000_000_000
        );
        for bad in [
            "2025-02-30",
            "2025-1-31",
            "31/01/2025",
            "2025-01-31T25:00:00",
        ] {
            assert_eq!(
                parse_as_of(bad).unwrap_err().code(),
                "invalid_timestamp",
                "{bad}"
            );
        }
    }

    #[test]
    fn parses_known_instants() {
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z", false).unwrap(), 0);
        // date -u -d 2024-02-29T12:34:56Z +%s → 1709210096
        assert_eq!(
            parse_iso8601("2024-02-29T12:34:56Z", false).unwrap(),
            1_709_210_096 * NANOS_PER_SECOND
        );
        assert_eq!(
            parse_iso8601("2024-02-29T14:34:56.5+02:00", false).unwrap(),
            1_709_210_096 * NANOS_PER_SECOND + 500_000_000
        );
        assert_eq!(
            parse_iso8601("2024-02-29 07:34:56-0500", false).unwrap(),
            1_709_210_096 * NANOS_PER_SECOND
        );
        assert_eq!(
            parse_iso8601("1969-12-31T23:59:59.999999999Z", false).unwrap(),
            -1
        );
    }

    #[test]
    fn rejects_bad_text() {
        for t in [
            "",
            "2024-02-30T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "2024-01-01T24:00:00Z",
            "2024-01-01T00:00:60Z",
            "2024-01-01",
            "2024-01-01T00:00:00",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00Zx",
            "2024-1-01T00:00:00Z",
            "9999-01-01T00:00:00Z",
            "2024-01-01T00:00:00+2400",
        ] {
            let e = parse_iso8601(t, false).unwrap_err();
            assert_eq!(e.code(), "invalid_timestamp", "{t}");
        }
        assert_eq!(
            parse_iso8601("2024-01-01T00:00:00", true).unwrap(),
            1_704_067_200 * NANOS_PER_SECOND
        );
    }

    #[test]
    fn civil_dates_of_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        // 2024-02-29: 19,782 days after the epoch (date -u -d 2024-02-29 +%s / 86400).
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        for d in [-106_752, -3, 0, 59, 60, 11_016, 106_751] {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
    }

    #[test]
    fn utc_offsets() {
        for (text, minutes) in [
            ("+02:00", 120),
            ("-05:30", -330),
            ("+0545", 345),
            ("-03", -180),
            ("UTC", 0),
            ("z", 0),
            (" +00:00 ", 0),
            ("-00:00", 0),
        ] {
            assert_eq!(
                parse_utc_offset(text, "time_zone").unwrap(),
                minutes,
                "{text}"
            );
        }
        for text in [
            "",
            "+2",
            "02:00",
            "+02:",
            "+02:0",
            "+24:00",
            "+02:60",
            "+02:00x",
            "+020",
            "Europe/Paris",
            "+02:00:00",
        ] {
            let e = parse_utc_offset(text, "time_zone").unwrap_err();
            assert_eq!(e.code(), "invalid_option", "{text}");
        }
        assert_eq!(format_utc_offset(-330), "-05:30");
        assert_eq!(format_utc_offset(0), "+00:00");
        assert_eq!(format_utc_offset(840), "+14:00");
    }

    #[test]
    fn formats_round_trip() {
        for t in [
            "2024-02-29T12:34:56Z",
            "1969-12-31T23:59:59.999999999Z",
            "2000-03-01T00:00:00.25Z",
        ] {
            assert_eq!(format_iso8601(parse_iso8601(t, false).unwrap()), t);
        }
    }
}
