//! Rules a JSON Schema cannot say: id syntax and uniqueness, references between items,
//! emotion values inside their declared scale, KPI values inside their metric's range,
//! calendar dates, durations and non-empty names.
//!
//! The rules read the raw tree, not the typed model, so they run even where the shape
//! check found problems elsewhere, and one call reports everything. A value of the wrong
//! type is skipped here (the shape check has reported it).

use super::raw::{render_path, Raw, Seg};
use crate::error::{excerpt, Problem, ProblemCode};
use std::collections::HashMap;

/// The collections of a journey whose items carry ids, and whether their items need a
/// non-empty `name`.
const COLLECTIONS: &[(&str, bool)] = &[
    ("objectives", true),
    ("personas", true),
    ("stages", true),
    ("channels", true),
    ("touchpoints", true),
    ("observations", false),
    ("pain_points", true),
    ("opportunities", true),
    ("kpis", true),
    ("evidence", true),
    ("teams", true),
];

/// Longest id, in characters.
pub(crate) const MAX_ID_CHARS: usize = 128;

/// Whether `id` is a slug: `[A-Za-z0-9][A-Za-z0-9_.-]*`, at most [`MAX_ID_CHARS`].
#[must_use]
pub(crate) fn is_valid_id(id: &str) -> bool {
    id.len() <= MAX_ID_CHARS
        && id.starts_with(|c: char| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

pub(crate) fn check(raw: &Raw, problems: &mut Vec<Problem>) {
    let mut rules = Rules {
        doc: raw,
        problems,
        ids: HashMap::new(),
    };
    rules.ids_and_names();
    rules.references();
    rules.values();
}

struct Rules<'a> {
    doc: &'a Raw,
    problems: &'a mut Vec<Problem>,
    /// For each collection, its ids mapped to the item index.
    ids: HashMap<&'static str, HashMap<&'a str, usize>>,
}

/// A path from the root: collection, index, then field names.
fn path(collection: &str, index: usize, fields: &[&str]) -> String {
    let mut segs = vec![Seg::Key(collection.to_owned()), Seg::Index(index)];
    segs.extend(fields.iter().map(|f| Seg::Key((*f).to_owned())));
    render_path(&segs)
}

impl<'a> Rules<'a> {
    fn report(&mut self, code: ProblemCode, path: String, message: String) {
        self.problems.push(Problem {
            code,
            path,
            message,
        });
    }

    fn items(&self, collection: &str) -> impl Iterator<Item = (usize, &'a Raw)> {
        self.doc
            .get(collection)
            .and_then(Raw::as_array)
            .unwrap_or_default()
            .iter()
            .enumerate()
    }

    fn ids_and_names(&mut self) {
        if let Some(id) = self.doc.get("id").and_then(Raw::as_str) {
            self.check_id(id, "id".to_owned());
        }
        if let Some(name) = self.doc.get("name").and_then(Raw::as_str) {
            self.check_text(name, "name".to_owned());
        }
        for &(collection, named) in COLLECTIONS {
            let mut seen: HashMap<&'a str, usize> = HashMap::new();
            for (i, item) in self.items(collection) {
                if named {
                    if let Some(name) = item.get("name").and_then(Raw::as_str) {
                        self.check_text(name, path(collection, i, &["name"]));
                    }
                }
                let Some(id) = item.get("id").and_then(Raw::as_str) else {
                    continue;
                };
                let id_path = path(collection, i, &["id"]);
                self.check_id(id, id_path.clone());
                if let Some(first) = seen.get(id) {
                    let first_path = path(collection, *first, &["id"]);
                    self.report(
                        ProblemCode::DuplicateId,
                        id_path,
                        format!("id `{}` is already used at `{first_path}`", excerpt(id)),
                    );
                } else {
                    seen.insert(id, i);
                }
            }
            self.ids.insert(collection, seen);
        }
        for (i, touchpoint) in self.items("touchpoints") {
            let events = touchpoint
                .get("events")
                .and_then(Raw::as_array)
                .unwrap_or_default();
            for (j, event) in events.iter().enumerate() {
                if let Some(name) = event.as_str() {
                    let p = render_path(&[
                        Seg::Key("touchpoints".into()),
                        Seg::Index(i),
                        Seg::Key("events".into()),
                        Seg::Index(j),
                    ]);
                    self.check_text(name, p);
                }
            }
        }
    }

    fn check_id(&mut self, id: &str, at: String) {
        if !is_valid_id(id) {
            self.report(
                ProblemCode::InvalidId,
                at,
                format!(
                    "id `{}` is not a slug: use letters, digits, `_`, `.` and `-`, \
                     starting with a letter or digit, at most {MAX_ID_CHARS} characters",
                    excerpt(id)
                ),
            );
        }
    }

    fn check_text(&mut self, text: &str, at: String) {
        if text.trim().is_empty() {
            self.report(
                ProblemCode::EmptyText,
                at,
                "text must not be empty".to_owned(),
            );
        }
    }

    /// Checks that `item.field` (a string, when present) names an item of `target`.
    /// Returns the index of the referenced item.
    fn reference(
        &mut self,
        collection: &str,
        index: usize,
        item: &'a Raw,
        field: &str,
        target: &'static str,
    ) -> Option<usize> {
        let id = item.get(field)?.as_str()?;
        self.resolve(id, target, path(collection, index, &[field]))
    }

    fn resolve(&mut self, id: &str, target: &'static str, at: String) -> Option<usize> {
        let found = self.ids.get(target).and_then(|ids| ids.get(id)).copied();
        if found.is_none() {
            self.report(
                ProblemCode::DanglingReference,
                at,
                format!("no item in `{target}` has the id `{}`", excerpt(id)),
            );
        }
        found
    }

    /// Checks every string of the list `item.field` against `target`.
    fn reference_list(
        &mut self,
        collection: &str,
        index: usize,
        item: &'a Raw,
        field: &str,
        target: &'static str,
    ) {
        let list = item.get(field).and_then(Raw::as_array).unwrap_or_default();
        for (j, entry) in list.iter().enumerate() {
            if let Some(id) = entry.as_str() {
                let at = render_path(&[
                    Seg::Key(collection.to_owned()),
                    Seg::Index(index),
                    Seg::Key(field.to_owned()),
                    Seg::Index(j),
                ]);
                self.resolve(id, target, at);
            }
        }
    }

    /// The stage id of the touchpoint at `index`.
    fn touchpoint_stage(&self, index: usize) -> Option<&'a str> {
        self.items("touchpoints")
            .nth(index)
            .and_then(|(_, t)| t.get("stage"))
            .and_then(Raw::as_str)
    }

    /// When an item names both a stage and a touchpoint, the touchpoint must be in it.
    fn stage_matches_touchpoint(
        &mut self,
        collection: &str,
        index: usize,
        item: &'a Raw,
        touchpoint: Option<usize>,
    ) {
        let (Some(tp), Some(stage)) = (touchpoint, item.get("stage").and_then(Raw::as_str)) else {
            return;
        };
        if let Some(tp_stage) = self.touchpoint_stage(tp) {
            // A touchpoint whose own stage dangles is reported there; no second problem here.
            let known = self
                .ids
                .get("stages")
                .is_some_and(|ids| ids.contains_key(tp_stage));
            if known && tp_stage != stage {
                let tp_id = item.get("touchpoint").and_then(Raw::as_str).unwrap_or("");
                self.report(
                    ProblemCode::InconsistentReference,
                    path(collection, index, &["touchpoint"]),
                    format!(
                        "touchpoint `{}` belongs to stage `{}`, not to stage `{}`",
                        excerpt(tp_id),
                        excerpt(tp_stage),
                        excerpt(stage)
                    ),
                );
            }
        }
    }

    fn has(item: &Raw, field: &str) -> bool {
        item.get(field).is_some_and(|v| !matches!(v, Raw::Null))
    }

    fn references(&mut self) {
        for (i, item) in self.items("objectives") {
            self.reference_list("objectives", i, item, "kpi_ids", "kpis");
        }
        for (i, item) in self.items("touchpoints") {
            self.reference("touchpoints", i, item, "stage", "stages");
            self.reference("touchpoints", i, item, "channel", "channels");
            self.reference("touchpoints", i, item, "owner", "teams");
        }
        for (i, item) in self.items("observations") {
            self.reference("observations", i, item, "persona", "personas");
            let stage = self.reference("observations", i, item, "stage", "stages");
            let tp = self.reference("observations", i, item, "touchpoint", "touchpoints");
            if stage.is_some() {
                self.stage_matches_touchpoint("observations", i, item, tp);
            }
            self.reference_list("observations", i, item, "evidence_ids", "evidence");
        }
        for (i, item) in self.items("pain_points") {
            let stage = self.reference("pain_points", i, item, "stage", "stages");
            let tp = self.reference("pain_points", i, item, "touchpoint", "touchpoints");
            self.reference("pain_points", i, item, "persona", "personas");
            if stage.is_some() {
                self.stage_matches_touchpoint("pain_points", i, item, tp);
            }
            if !Self::has(item, "stage")
                && !Self::has(item, "touchpoint")
                && item.get("id").is_some()
            {
                self.report(
                    ProblemCode::MissingScope,
                    path("pain_points", i, &[]),
                    "a pain point needs a `stage` or a `touchpoint`".to_owned(),
                );
            }
            self.reference_list("pain_points", i, item, "evidence_ids", "evidence");
        }
        for (i, item) in self.items("opportunities") {
            self.reference_list("opportunities", i, item, "addresses", "pain_points");
            self.reference("opportunities", i, item, "owner", "teams");
        }
        for (i, item) in self.items("kpis") {
            self.reference("kpis", i, item, "stage", "stages");
            self.reference("kpis", i, item, "touchpoint", "touchpoints");
            if Self::has(item, "stage") && Self::has(item, "touchpoint") {
                self.report(
                    ProblemCode::ConflictingScope,
                    path("kpis", i, &[]),
                    "a KPI is scoped to a `stage` or a `touchpoint`, not both (a touchpoint \
                     already implies its stage)"
                        .to_owned(),
                );
            }
        }
    }

    fn values(&mut self) {
        for (i, item) in self.items("observations") {
            if let Some(emotion) = item.get("emotion") {
                self.emotion(emotion, &path("observations", i, &["emotion"]));
            }
        }
        for (i, item) in self.items("stages") {
            if let Some(duration) = item.get("expected_duration").and_then(Raw::as_str) {
                if parse_duration_seconds(duration).is_none() {
                    self.report(
                        ProblemCode::InvalidDuration,
                        path("stages", i, &["expected_duration"]),
                        format!(
                            "`{}` is not a duration: write a number and a unit \
                             `s`, `m`, `h`, `d` or `w`, like `14d`",
                            excerpt(duration)
                        ),
                    );
                }
            }
        }
        for (i, item) in self.items("evidence") {
            if let Some(date) = item.get("collected_on").and_then(Raw::as_str) {
                self.date(date, path("evidence", i, &["collected_on"]));
            }
        }
        if let Some(date) = self
            .doc
            .get("review")
            .and_then(|r| r.get("last_reviewed"))
            .and_then(Raw::as_str)
        {
            self.date(date, "review.last_reviewed".to_owned());
        }
        for (i, item) in self.items("kpis") {
            let Some(metric) = item.get("metric").and_then(Raw::as_str) else {
                continue;
            };
            let Some((lo, hi)) = metric_range(metric) else {
                continue;
            };
            for field in ["target", "actual"] {
                if let Some(v) = item.get(field).and_then(Raw::as_f64) {
                    if v < lo || v > hi {
                        self.report(
                            ProblemCode::OutOfRange,
                            path("kpis", i, &[field]),
                            format!(
                                "`{v}` is out of range for metric `{}`: must be from \
                                 `{lo}` to `{hi}`",
                                excerpt(metric)
                            ),
                        );
                    }
                }
            }
        }
    }

    fn emotion(&mut self, emotion: &Raw, at: &str) {
        let (min, max) = match emotion.get("scale") {
            None | Some(Raw::Null) => (-2.0, 2.0),
            Some(scale) => {
                let (Some(min), Some(max)) = (
                    scale.get("min").and_then(Raw::as_f64),
                    scale.get("max").and_then(Raw::as_f64),
                ) else {
                    return;
                };
                if min >= max {
                    self.report(
                        ProblemCode::InvalidScale,
                        format!("{at}.scale"),
                        format!("scale minimum `{min}` must be below its maximum `{max}`"),
                    );
                    return;
                }
                (min, max)
            }
        };
        if let Some(value) = emotion.get("value").and_then(Raw::as_f64) {
            if value < min || value > max {
                self.report(
                    ProblemCode::OutsideScale,
                    format!("{at}.value"),
                    format!("emotion `{value}` is outside its scale `{min}..{max}`"),
                );
            }
        }
    }

    fn date(&mut self, text: &str, at: String) {
        if parse_date(text).is_none() {
            self.report(
                ProblemCode::InvalidDate,
                at,
                format!("`{}` is not a calendar date `YYYY-MM-DD`", excerpt(text)),
            );
        }
    }
}

/// The allowed range of a KPI's `target` and `actual` for metrics with a natural scale.
fn metric_range(metric: &str) -> Option<(f64, f64)> {
    match metric {
        "conversion_rate" | "drop_off" | "retention_rate" => Some((0.0, 1.0)),
        "nps" => Some((-100.0, 100.0)),
        "csat" => Some((0.0, 100.0)),
        "ces" => Some((1.0, 7.0)),
        "average_order_value" | "revenue" => Some((0.0, f64::MAX)),
        _ => None,
    }
}

/// Parses `YYYY-MM-DD` into (year, month, day), checking the calendar (leap years).
#[must_use]
pub(crate) fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = text.get(range)?;
        if part.bytes().all(|b| b.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = i32::try_from(digits(0..4)?).ok()?;
    let month = digits(5..7)?;
    let day = digits(8..10)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days_in_month)
        .contains(&day)
        .then_some((year, month, day))
}

/// Parses `<number><unit>` (units `s`, `m`, `h`, `d`, `w`) into seconds.
#[must_use]
pub(crate) fn parse_duration_seconds(text: &str) -> Option<f64> {
    let unit = text.chars().last()?;
    let factor = match unit {
        's' => 1.0,
        'm' => 60.0,
        'h' => 3_600.0,
        'd' => 86_400.0,
        'w' => 604_800.0,
        _ => return None,
    };
    let number = text.get(..text.len() - 1)?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    (value.is_finite() && value >= 0.0).then_some(value * factor)
}
