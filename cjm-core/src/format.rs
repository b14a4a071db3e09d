//! How numbers are written for people, once for the whole crate: the HTML report, the
//! pictures and the insights' messages all use these (and the bindings' displays use the
//! report's output), so that a KPI reads `2.6 %` everywhere and never `0.026` in one place.
//! No `-0`, at most the precision the value has, thousands separators for counts.

use crate::model::{Kpi, Metric};

/// Formats a coordinate or value with at most two decimals, without trailing zeros and
/// never as `-0`, so that output is the same on every platform.
#[must_use]
pub fn num(value: f64) -> String {
    if !value.is_finite() {
        return "0".to_owned();
    }
    let mut s = format!("{value:.2}");
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".to_owned();
    }
    s
}

/// Formats a signed value in [−1, 1] with two decimals and an explicit sign (`+0.50`,
/// `−0.75` with a true minus sign, `0.00`).
#[must_use]
pub fn signed(value: f64) -> String {
    let s = format!("{:.2}", value.abs());
    if s == "0.00" {
        s
    } else if value < 0.0 {
        format!("\u{2212}{s}")
    } else {
        format!("+{s}")
    }
}

/// Formats a count with thousands separators (`12,345`).
#[must_use]
pub fn count(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Formats a share (0–1) as a percentage with at most one decimal (`45.6 %`).
#[must_use]
pub fn percent(share: f64) -> String {
    let s = format!("{:.1}", share * 100.0);
    let s = s.strip_suffix(".0").unwrap_or(&s);
    let s = if s == "-0" { "0" } else { s };
    format!("{s}\u{a0}%")
}

/// Formats a duration in seconds for people: `45 s`, `12 min`, `2 h 14 min`,
/// `3 d 4 h` (two units at most, rounded down to the second unit; below a minute whole
/// seconds). Negative or non-finite durations are written `0 s`.
#[must_use]
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() || seconds <= 0.0 {
        return "0\u{a0}s".to_owned();
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a positive finite number of seconds, floored"
    )]
    let s = seconds.floor() as u64;
    let (d, h, m) = (s / 86_400, s % 86_400 / 3_600, s % 3_600 / 60);
    let unit = |n: u64, u: &str| format!("{n}\u{a0}{u}");
    match (d, h, m) {
        (0, 0, 0) => unit(s, "s"),
        (0, 0, m) => unit(m, "min"),
        (0, h, 0) => unit(h, "h"),
        (0, h, m) => format!("{} {}", unit(h, "h"), unit(m, "min")),
        (d, 0, _) => unit(d, "d"),
        (d, h, _) => format!("{} {}", unit(d, "d"), unit(h, "h")),
    }
}

/// A KPI value in its metric's natural form: rates as percentages, NPS as a whole number,
/// others with at most two decimals and the KPI's unit.
#[must_use]
pub fn kpi_value(k: &Kpi, value: f64) -> String {
    match k.metric {
        Metric::ConversionRate | Metric::DropOff | Metric::RetentionRate => percent(value),
        Metric::Nps => format!("{value:.0}"),
        _ => match &k.unit {
            Some(unit) if unit == "%" => format!("{}\u{a0}%", num(value)),
            Some(unit) => format!("{} {unit}", num(value)),
            None => num(value),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_say_them() {
        let nb = |s: &str| s.replace('\u{a0}', " ");
        assert_eq!(nb(&duration(45.7)), "45 s");
        assert_eq!(nb(&duration(720.0)), "12 min");
        // 2 h 14 min 23 s → the seconds are dropped.
        assert_eq!(nb(&duration(8_063.0)), "2 h 14 min");
        assert_eq!(nb(&duration(7_200.0)), "2 h");
        // 1,383,063 s = 16 d 0 h 11 min → days and hours.
        assert_eq!(nb(&duration(1_383_063.245)), "16 d");
        assert_eq!(
            nb(&duration(3.0 * 86_400.0 + 4.0 * 3_600.0 + 59.0)),
            "3 d 4 h"
        );
        assert_eq!(nb(&duration(-1.0)), "0 s");
        assert_eq!(nb(&duration(f64::NAN)), "0 s");
    }

    #[test]
    fn numbers_never_read_minus_zero() {
        assert_eq!(num(-0.0001), "0");
        assert_eq!(percent(-0.00001), "0\u{a0}%");
        assert_eq!(percent(0.026), "2.6\u{a0}%");
        assert_eq!(count(1_234_567), "1,234,567");
    }
}
