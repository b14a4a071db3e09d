//! Loud checks for likely mistakes: an event name the log does not contain, a column the
//! log lacks, a log where no input row was used.
//!
//! Each check is a rule of the core so that Rust, Python and JavaScript give the same
//! error (a stable code and a message that names the fix), never a silent empty result.

use super::log::{EventLog, IngestReport};
use super::report::{IngestWarning, RejectReason};
use crate::error::{excerpt, Error, Result};

impl IngestWarning {
    /// The warnings of a report (see [`IngestReport::nothing_used`]).
    #[must_use]
    pub fn of(report: &IngestReport) -> Vec<Self> {
        report
            .nothing_used()
            .map(|e| Self {
                code: e.code().to_owned(),
                message: e.to_string(),
            })
            .into_iter()
            .collect()
    }
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let delete = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let insert = cur.get(j).copied().unwrap_or(0) + 1;
            if let Some(x) = cur.get_mut(j + 1) {
                *x = substitute.min(delete).min(insert);
            }
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev.last().copied().unwrap_or(0)
}

/// Up to `n` names closest to `name` by edit distance (case-insensitive), nearest first,
/// ties by name.
#[must_use]
pub fn closest_names<'a>(name: &str, names: &'a [String], n: usize) -> Vec<&'a str> {
    let lower = name.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .iter()
        .map(|c| (edit_distance(&lower, &c.to_lowercase()), c.as_str()))
        .collect();
    scored.sort_unstable();
    scored.into_iter().take(n).map(|(_, c)| c).collect()
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{}`", excerpt(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `unknown_event` error for `name` (a `what`: "funnel step", "conversion event"…),
/// naming the closest event names of the log.
fn unknown_event(what: &str, name: &str, names: &[String]) -> Error {
    let hint = if names.is_empty() {
        "the log has no events".to_owned()
    } else {
        format!(
            "closest names in the log: {}",
            quoted(&closest_names(name, names, 3))
        )
    };
    Error::Input {
        code: crate::InputCode::UnknownEvent,
        row: None,
        message: format!(
            "{what} `{}` is not an event of the log ({hint}); check the spelling, or set \
             `allow_missing_events` (Python `allow_missing_events=True`) if the log may \
             legitimately lack it",
            excerpt(name)
        ),
    }
}

/// Checks that every event name asked for occurs in the log.
///
/// `wanted` gives, for each name, what it is (`"funnel step"`, `"exclusion event"`,
/// `"conversion event"`), used in the message. Nothing is checked when `allow_missing`
/// is true.
///
/// # Errors
/// `unknown_event` for the first name the log does not contain, with the closest names.
pub fn check_events_present<'a>(
    log: &EventLog,
    wanted: impl IntoIterator<Item = (&'a str, &'a str)>,
    allow_missing: bool,
) -> Result<()> {
    if allow_missing {
        return Ok(());
    }
    let names = log.event_names();
    for (what, name) in wanted {
        // The dictionary is sorted.
        if names.binary_search_by(|n| n.as_str().cmp(name)).is_err() {
            return Err(unknown_event(what, name, names));
        }
    }
    Ok(())
}

/// Checks that a non-empty log has a value in the string column `column` (`channel`,
/// `session` or an extra column), for an analysis reading it through `argument`
/// (`breakdown`, `touch`).
///
/// # Errors
/// `unknown_column`, saying which argument to pass when loading the log (or instead).
pub fn check_column_present(log: &EventLog, column: &str, argument: &str) -> Result<()> {
    let extras = log.extra_columns();
    let (exists, filled) = match column {
        "channel" => (true, !log.channel.dict.is_empty()),
        "session" => (true, !log.session.dict.is_empty()),
        other => match log.column(other) {
            Some(c) => (true, !c.dict.is_empty()),
            None => (false, false),
        },
    };
    if log.is_empty() || (exists && filled) {
        return Ok(());
    }
    let kept = if extras.is_empty() {
        "the log keeps no extra columns".to_owned()
    } else {
        format!("its extra columns are {}", quoted(&extras))
    };
    let message = match column {
        "channel" | "session" => format!(
            "`{argument}` reads the `{column}` column, but the log has no {column} values; \
             name the {column} column when loading the log (Python `{column}=\"…\"`, JS \
             `mapping.{column}`){}",
            if argument == "touch" {
                ", or attribute by `touch=\"event\"` or `touch=\"touchpoint\"`"
            } else {
                ""
            }
        ),
        _ if exists => {
            format!("`{argument}` reads the column `{column}`, but it has no values in this log")
        }
        _ => format!(
            "`{argument}` names the column `{column}`, which the log does not keep ({kept}); \
             keep it when loading the log (Python `extra=[\"{column}\"]`), or use `channel` \
             or `session`"
        ),
    };
    Err(Error::Input {
        code: crate::InputCode::UnknownColumn,
        row: None,
        message,
    })
}

impl IngestReport {
    /// The rule "zero used rows of a non-empty input is a mistake": when rows were read
    /// and none is in the log, the `no_rows_used` problem, with the reasons, their counts
    /// and a sample value. Bindings raise it in strict mode and warn with it otherwise
    /// (it is also listed in [`IngestReport::warnings`]).
    #[must_use]
    pub fn nothing_used(&self) -> Option<Error> {
        // A log emptied by a filter or sample used its rows (see `empty_log`).
        if self.rows_read == 0 || self.rows_used > 0 || self.removed_by_operations > 0 {
            return None;
        }
        let mut reasons: Vec<String> = self
            .rejected
            .iter()
            .map(|r| {
                let sample = r
                    .sample
                    .as_deref()
                    .map(|s| format!(", e.g. `{s}`"))
                    .unwrap_or_default();
                format!(
                    "{} × {} (first at row `{}`{sample})",
                    r.count,
                    r.reason.code(),
                    r.first_row
                )
            })
            .collect();
        if self.consent_filtered > 0 {
            reasons.push(format!(
                "{} without consent (the consent column must say `true`)",
                self.consent_filtered
            ));
        }
        let fix = if self
            .rejected
            .iter()
            .any(|r| r.reason == RejectReason::InvalidTimestamp)
        {
            "; timestamps must be ISO-8601 with `Z` or an offset (or say `assume_utc`), or \
             integers of the given `unit`"
        } else if self.rejected.iter().any(|r| {
            matches!(
                r.reason,
                RejectReason::MissingCustomer
                    | RejectReason::InvalidCustomer
                    | RejectReason::MissingEvent
                    | RejectReason::InvalidEvent
            )
        }) {
            "; check that the customer and event columns are the right ones"
        } else {
            ""
        };
        Some(Error::Input {
            code: crate::InputCode::NoRowsUsed,
            row: None,
            message: format!(
                "none of the `{}` input rows is usable: {}{fix}",
                self.rows_read,
                reasons.join(", ")
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]
    use super::*;

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("purchse", "purchase"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn closest_first() {
        let names: Vec<String> = ["catalog", "purchase", "purchased", "view"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        assert_eq!(
            closest_names("purchse", &names, 2),
            vec!["purchase", "purchased"]
        );
        assert_eq!(closest_names("PURCHASE", &names, 1), vec!["purchase"]);
    }
}
