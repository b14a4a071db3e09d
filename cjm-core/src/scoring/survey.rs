//! Survey KPIs: NPS, CSAT and CES from answer columns (docs/scoring.md).
//!
//! Each metric is computed from a small **mergeable state** of answer counts: the state of
//! a table split any way and merged equals the state of the whole table, so partitions
//! (Spark, Dask, threads) can be scored separately. States serialise to versioned bytes.
//!
//! Definitions, exactly:
//! - **NPS** on whole answers 0–10: promoters 9–10, passives 7–8, detractors 0–6;
//!   `NPS = 100·(P − D)/N` with N the answered count (nulls excluded, and counted as
//!   missing). 95 % margin of error `1.96·100·sqrt((p_P + p_D − (p_P − p_D)²)/N)`.
//! - **CSAT** on whole answers 1..k (k = 5 by default, 2..=11 allowed): `top_box` (default)
//!   is the share of answers in the top ⌈k/2.5⌉ points ×100 (k = 5: 4 and 5; k = 7: 5–7;
//!   k = 10: 7–10), with a 95 % Wilson score interval computed with z = Φ⁻¹(0.975) =
//!   1.959963984540054 (as statsmodels' `proportion_confint(method="wilson")`); `mean` is
//!   the mean answer; `pct_of_max` is the mean as a percentage of k.
//! - **CES** on whole answers 1..k, k = 7 (default, "it was easy to…" agreement, higher =
//!   easier) or 5: `mean` (default) or `top_box` (as for CSAT: 5–7 on 1–7, 4–5 on 1–5).
//!
//! With no answers a value is `None` (undefined), never NaN. Answers that are not whole,
//! outside the scale, NaN or infinite are rejected with the row index of the first one.

use crate::definition::Definition;
use crate::events::columns::{pack_bits, Bitmap, Keys, NumCol, NumValues, StrCol};
use crate::state_bytes::{header, invalid_state, kind, put_len, put_u64, seal, Reader};
use crate::{Error, Result};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// z for a two-sided 95 % interval, Φ⁻¹(0.975), as statsmodels uses for Wilson intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// The constant of the NPS margin of error (docs/scoring.md).
pub const NPS_MARGIN_Z: f64 = 1.96;

fn reject(code: crate::InputCode, row: usize, message: String) -> Error {
    Error::Input {
        code,
        row: Some(row),
        message,
    }
}

/// Checks one answer: whole, finite, within `lo..=hi`. Returns the integer answer.
#[inline]
fn whole_answer(row: usize, metric: &str, value: f64, lo: u8, hi: u8) -> Result<u8> {
    // Fast path: `as` saturates (NaN to 0, infinities to 0 or 255), so the value is a
    // whole number in range exactly when it survives the round trip and lies in range.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the round trip below rejects whatever the cast changed"
    )]
    let whole = value as u8;
    if f64::from(whole) == value && (lo..=hi).contains(&whole) {
        return Ok(whole);
    }
    bad_answer(row, metric, value, lo, hi)
}

/// The error of an answer [`whole_answer`] refused (kept out of the per-row loop).
#[cold]
#[inline(never)]
fn bad_answer(row: usize, metric: &str, value: f64, lo: u8, hi: u8) -> Result<u8> {
    if !value.is_finite() {
        return Err(reject(
            crate::InputCode::NotFinite,
            row,
            format!("{metric} answer in row `{row}` is `{value}`, not a finite number"),
        ));
    }
    if value.fract() != 0.0 || value < f64::from(lo) || value > f64::from(hi) {
        return Err(reject(
            crate::InputCode::OutOfScale,
            row,
            format!("{metric} answer `{value}` in row `{row}` is not a whole number from `{lo}` to `{hi}`"),
        ));
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "whole and within lo..=hi, checked above"
    )]
    Ok(value as u8)
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn f(n: u64) -> f64 {
    n as f64
}

/// Mergeable counts of NPS answers.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct NpsState {
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// Null answers.
    pub missing: u64,
}

/// An NPS with its margin of error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct NpsScore {
    /// −100..100; `None` without answers.
    pub value: Option<f64>,
    /// Half-width of the 95 % interval, in NPS points; `None` without answers.
    pub margin: Option<f64>,
    /// Answered count N.
    pub answered: u64,
    /// Null answers.
    pub missing: u64,
    /// Answers 9–10.
    pub promoters: u64,
    /// Answers 7–8.
    pub passives: u64,
    /// Answers 0–6.
    pub detractors: u64,
    /// How it was computed; `None` (and left out of the JSON) inside a survey report's
    /// groups, whose report holds it once in `definitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
}

impl NpsState {
    /// The empty state (identity of `merge`).
    #[must_use]
    pub fn identity() -> Self {
        Self::default()
    }

    /// Adds one answer (`None` for a null). `row` names it in errors.
    ///
    /// # Errors
    /// `out_of_scale` or `not_finite` for an answer that is not a whole number 0–10.
    pub fn push(&mut self, row: usize, answer: Option<f64>) -> Result<()> {
        match answer {
            None => self.missing += 1,
            Some(v) => match whole_answer(row, "NPS", v, 0, 10)? {
                9 | 10 => self.promoters += 1,
                7 | 8 => self.passives += 1,
                _ => self.detractors += 1,
            },
        }
        Ok(())
    }

    /// Adds a column of answers; rows are numbered from `first_row`.
    ///
    /// # Errors
    /// As [`Self::push`], for the first bad answer.
    pub fn extend(&mut self, first_row: usize, answers: &[Option<f64>]) -> Result<()> {
        for (i, answer) in answers.iter().enumerate() {
            self.push(first_row + i, *answer)?;
        }
        Ok(())
    }

    /// Combines two states (associative and commutative).
    pub fn merge(&mut self, other: &Self) {
        // Saturating: only crafted state bytes come near u64::MAX.
        self.promoters = self.promoters.saturating_add(other.promoters);
        self.passives = self.passives.saturating_add(other.passives);
        self.detractors = self.detractors.saturating_add(other.detractors);
        self.missing = self.missing.saturating_add(other.missing);
    }

    /// The score.
    #[must_use]
    pub fn score(&self) -> NpsScore {
        let n = self
            .promoters
            .saturating_add(self.passives)
            .saturating_add(self.detractors);
        let (value, margin) = if n == 0 {
            (None, None)
        } else {
            let p = f(self.promoters) / f(n);
            let d = f(self.detractors) / f(n);
            let variance = (p + d - (p - d).powi(2)).max(0.0);
            (
                Some(100.0 * (p - d)),
                Some(NPS_MARGIN_Z * 100.0 * (variance / f(n)).sqrt()),
            )
        };
        NpsScore {
            value,
            margin,
            answered: n,
            missing: self.missing,
            promoters: self.promoters,
            passives: self.passives,
            detractors: self.detractors,
            definition: Some(nps_definition()),
        }
    }

    /// Versioned bytes (the shared state format): the four counts as u64.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header(kind::NPS);
        for n in [self.promoters, self.passives, self.detractors, self.missing] {
            put_u64(&mut out, n);
        }
        seal(out)
    }

    /// Reads bytes written by [`Self::to_bytes`].
    ///
    /// # Errors
    /// `invalid_state` for bytes of another kind, version or length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let counts = read_u64s(bytes, kind::NPS, 4)?;
        match counts.as_slice() {
            [promoters, passives, detractors, missing]
                if [*passives, *detractors, *missing]
                    .iter()
                    .try_fold(*promoters, |sum, &n| sum.checked_add(n))
                    .is_none() =>
            {
                Err(invalid_state("NPS counts whose sum overflows"))
            }
            [promoters, passives, detractors, missing] => Ok(Self {
                promoters: *promoters,
                passives: *passives,
                detractors: *detractors,
                missing: *missing,
            }),
            _ => Err(invalid_state("an NPS state has four counts")),
        }
    }
}

/// The definition of a CSAT or CES score (`kind`) on a 1..`k` scale by `method`.
fn scale_definition(kind: &str, k: u8, method: ScaleMethod) -> Definition {
    Definition::new(
        kind,
        &serde_json::json!({"scale": format!("1-{k}"), "method": method,
            "top_box_points": "ceil(k/2.5)", "interval": "wilson z=1.959963984540054"}),
    )
}

fn nps_definition() -> Definition {
    Definition::new(
        "nps",
        &serde_json::json!({
            "scale": "0-10", "promoters": "9-10", "passives": "7-8", "detractors": "0-6",
            "margin": "1.96*100*sqrt((pP+pD-(pP-pD)^2)/N)"
        }),
    )
}

/// The sum of `counts`, saturating (only crafted state bytes come near `u64::MAX`).
fn saturating_sum(counts: &[u64]) -> u64 {
    counts.iter().fold(0, |sum, &n| sum.saturating_add(n))
}

/// Reads `count` u64s after the header of a `kind` state, and nothing more.
fn read_u64s(bytes: &[u8], kind: u8, count: usize) -> Result<Vec<u64>> {
    let mut r = Reader::new(bytes);
    r.header(kind)?;
    let values = (0..count).map(|_| r.u64()).collect::<Result<Vec<u64>>>()?;
    r.end()?;
    Ok(values)
}

/// How a CSAT or CES value is computed from the answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScaleMethod {
    /// Share of answers in the top ⌈k/2.5⌉ points, ×100, with a Wilson interval.
    TopBox,
    /// Mean answer.
    Mean,
    /// Mean answer as a percentage of the scale maximum.
    PctOfMax,
}

/// Mergeable counts of answers on a 1..k scale (CSAT, CES).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScaleState {
    /// Answers per point: `counts[i]` is the number of answers `i + 1`.
    pub counts: Vec<u64>,
    /// Null answers.
    pub missing: u64,
}

/// A CSAT or CES value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ScaleScore {
    /// The value (0–100 for `top_box` and `pct_of_max`, 1..k for `mean`); `None` without
    /// answers.
    pub value: Option<f64>,
    /// 95 % Wilson interval `[low, high]` of `top_box`, ×100; `None` for other methods or
    /// without answers.
    pub interval: Option<[f64; 2]>,
    /// Answered count.
    pub answered: u64,
    /// Null answers.
    pub missing: u64,
    /// The method used.
    pub method: ScaleMethod,
    /// The scale maximum k (answers are 1..k).
    pub scale_max: u8,
    /// The answers counted as top box (`top_box` only), e.g. `[4, 5]`.
    pub top_box: Vec<u8>,
    /// How it was computed; `None` (and left out of the JSON) inside a survey report's
    /// groups, whose report holds it once in `definitions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<Definition>,
}

impl ScaleState {
    /// The empty state for answers 1..=`scale_max` (identity of `merge` for that scale).
    #[must_use]
    pub fn identity(scale_max: u8) -> Self {
        Self {
            counts: vec![0; usize::from(scale_max)],
            missing: 0,
        }
    }

    /// The scale maximum k.
    #[must_use]
    pub fn scale_max(&self) -> u8 {
        u8::try_from(self.counts.len()).unwrap_or(u8::MAX)
    }

    /// Adds one answer (`None` for a null). `metric` names it in errors.
    ///
    /// # Errors
    /// `out_of_scale` or `not_finite` for an answer that is not a whole number 1..=k.
    pub fn push(&mut self, metric: &str, row: usize, answer: Option<f64>) -> Result<()> {
        match answer {
            None => self.missing += 1,
            Some(v) => {
                let point = whole_answer(row, metric, v, 1, self.scale_max())?;
                if let Some(count) = self.counts.get_mut(usize::from(point) - 1) {
                    *count += 1;
                }
            }
        }
        Ok(())
    }

    /// Combines two states of the same scale.
    ///
    /// # Errors
    /// `scale_mismatch` when the scales differ.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if self.counts.len() != other.counts.len() {
            return Err(Error::Input {
                code: crate::InputCode::ScaleMismatch,
                row: None,
                message: format!(
                    "cannot merge answers on a 1..{} scale with answers on a 1..{} scale",
                    self.counts.len(),
                    other.counts.len()
                ),
            });
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a = a.saturating_add(*b);
        }
        self.missing = self.missing.saturating_add(other.missing);
        Ok(())
    }

    /// The value by `method`; `kind` (`csat` or `ces`) names the definition.
    #[must_use]
    pub fn score(&self, kind: &str, method: ScaleMethod) -> ScaleScore {
        let k = self.scale_max();
        let n = saturating_sum(&self.counts);
        let top_points = top_box_points(k);
        let first_top = usize::from(k - top_points);
        let top = saturating_sum(self.counts.get(first_top..).unwrap_or_default());
        let weighted: f64 = self
            .counts
            .iter()
            .zip(1u32..)
            .map(|(count, point)| f(*count) * f64::from(point))
            .sum();
        let (value, interval) = if n == 0 {
            (None, None)
        } else {
            match method {
                ScaleMethod::TopBox => {
                    let (lo, hi) = wilson(top, n);
                    (Some(100.0 * f(top) / f(n)), Some([100.0 * lo, 100.0 * hi]))
                }
                ScaleMethod::Mean => (Some(weighted / f(n)), None),
                ScaleMethod::PctOfMax => (Some(100.0 * weighted / f(n) / f64::from(k)), None),
            }
        };
        ScaleScore {
            value,
            interval,
            answered: n,
            missing: self.missing,
            method,
            scale_max: k,
            top_box: if method == ScaleMethod::TopBox {
                (k - top_points + 1..=k).collect()
            } else {
                Vec::new()
            },
            definition: Some(scale_definition(kind, k, method)),
        }
    }

    /// Versioned bytes (the shared state format): the number of points, the count per
    /// point and the missing count, as u64.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header(kind::SCALE);
        put_len(&mut out, self.counts.len());
        for n in self.counts.iter().chain(std::iter::once(&self.missing)) {
            put_u64(&mut out, *n);
        }
        seal(out)
    }

    /// Reads bytes written by [`Self::to_bytes`].
    ///
    /// # Errors
    /// `invalid_state` for bytes of another kind, version or length.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(kind::SCALE)?;
        let points = r.len(8)?;
        if !(2..=11).contains(&points) {
            return Err(invalid_state("a scale has 2 to 11 points"));
        }
        let counts = (0..points).map(|_| r.u64()).collect::<Result<Vec<u64>>>()?;
        let missing = r.u64()?;
        r.end()?;
        Ok(Self { counts, missing })
    }
}

/// How many top points count as top box on a 1..k scale: ⌈k/2.5⌉.
#[must_use]
pub fn top_box_points(k: u8) -> u8 {
    // ⌈k/2.5⌉ = ⌈2k/5⌉, in integers.
    (2 * u16::from(k)).div_ceil(5).try_into().unwrap_or(k)
}

/// The 95 % Wilson score interval of `x` successes in `n` trials, as proportions.
#[must_use]
pub fn wilson(x: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let nf = f(n);
    let p = f(x) / nf;
    let z2 = Z95 * Z95;
    let denominator = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denominator;
    let half = Z95 / denominator * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Answer columns of a survey, one entry per response. `scope` is the touchpoint or stage
/// id the answer is about (null: the journey as a whole); `segment` the persona or
/// segment. Absent metric columns are simply not scored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyTable {
    /// Touchpoint or stage id per response.
    #[serde(default)]
    pub scope: Vec<Option<String>>,
    /// Persona or segment per response.
    #[serde(default)]
    pub segment: Vec<Option<String>>,
    /// NPS answers 0–10.
    #[serde(default)]
    pub nps: Option<Vec<Option<f64>>>,
    /// CSAT answers 1..k.
    #[serde(default)]
    pub csat: Option<Vec<Option<f64>>>,
    /// CES answers 1..k.
    #[serde(default)]
    pub ces: Option<Vec<Option<f64>>>,
}

impl SurveyTable {
    /// The keys of a survey table's serde form, in order: what a reader that does not
    /// see unknown keys (serde-wasm-bindgen reads a struct's fields by name) checks an
    /// object against.
    pub const KEYS: [&'static str; 5] = ["scope", "segment", "nps", "csat", "ces"];
}

/// Which columns of a table hold the answers, by name (Python's keyword arguments of
/// `survey_kpis` and `cjm.spark`'s columns); a column not named is not read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct SurveyColumnNames {
    /// The touchpoint or stage id column.
    pub scope: Option<String>,
    /// The persona or segment column.
    pub segment: Option<String>,
    /// The NPS answers column (0–10).
    pub nps: Option<String>,
    /// The CSAT answers column (1..k).
    pub csat: Option<String>,
    /// The CES answers column (1..k).
    pub ces: Option<String>,
}

impl SurveyColumnNames {
    /// The column arguments' names, to tell them from [`SurveyOptions`]' keys.
    pub const FIELDS: [&'static str; 5] = ["scope", "segment", "nps", "csat", "ces"];

    /// Each argument of [`Self::FIELDS`] with the column it names.
    fn by_argument(&self) -> impl Iterator<Item = (&'static str, &Option<String>)> {
        let named = [&self.scope, &self.segment, &self.nps, &self.csat, &self.ces];
        Self::FIELDS.into_iter().zip(named)
    }

    /// The columns named, in the order of [`Self::FIELDS`]: the columns a reader needs.
    #[must_use]
    pub fn named(&self) -> Vec<&String> {
        self.by_argument()
            .filter_map(|(_, name)| name.as_ref())
            .collect()
    }

    /// Checks that every column named is among the data's `columns`.
    ///
    /// # Errors
    /// `missing_column` for the first that is not, naming the argument that named it and
    /// listing the data's columns.
    pub fn check_present<S: AsRef<str>>(&self, columns: &[S]) -> crate::Result<()> {
        for (argument, name) in self.by_argument() {
            let Some(name) = name else { continue };
            if !columns.iter().any(|c| c.as_ref() == name) {
                return Err(crate::Error::Input {
                    code: crate::InputCode::MissingColumn,
                    row: None,
                    message: format!(
                        "the data has no column `{}` (named as the `{argument}` column); {}",
                        crate::error::excerpt(name),
                        crate::error::its_columns(columns)
                    ),
                });
            }
        }
        Ok(())
    }

    /// Which metrics are read, as `[nps, csat, ces]`.
    #[must_use]
    pub fn metrics(&self) -> [bool; 3] {
        [self.nps.is_some(), self.csat.is_some(), self.ces.is_some()]
    }

    /// Column names and survey options given together as one set of keys (Python's
    /// keyword arguments of `survey_kpis`): the keys of [`Self::FIELDS`] name columns,
    /// the others are options, each read with its defaults.
    ///
    /// # Errors
    /// `invalid_option` naming the option that does not fit; a key neither type has is
    /// reported with the options' keys.
    pub fn with_options<'de, D: serde::Deserializer<'de>>(
        options: D,
        what: &str,
    ) -> Result<(Self, SurveyOptions)> {
        crate::validate::split_options(options, what, &Self::FIELDS)
    }
}

/// Borrowed answer columns: the same as [`SurveyTable`] without owning the strings.
/// `None` means the table has no such column.
#[derive(Debug, Clone, Copy, Default)]
pub struct SurveyColumns<'a> {
    /// Touchpoint or stage id per response.
    pub scope: Option<&'a [Option<&'a str>]>,
    /// Persona or segment per response.
    pub segment: Option<&'a [Option<&'a str>]>,
    /// NPS answers 0–10.
    pub nps: Option<&'a [Option<f64>]>,
    /// CSAT answers 1..k.
    pub csat: Option<&'a [Option<f64>]>,
    /// CES answers 1..k.
    pub ces: Option<&'a [Option<f64>]>,
}

/// A batch of answer columns as they arrive from Arrow: `scope` and `segment` plain or
/// dictionary-encoded strings, the metrics numeric columns of any integer or float type.
/// `None` means the table has no such column.
#[derive(Debug, Clone, Default)]
pub struct SurveyBatch<'a> {
    /// Touchpoint or stage id per response.
    pub scope: Option<StrCol<'a>>,
    /// Persona or segment per response.
    pub segment: Option<StrCol<'a>>,
    /// NPS answers 0–10.
    pub nps: Option<NumCol<'a>>,
    /// CSAT answers 1..k.
    pub csat: Option<NumCol<'a>>,
    /// CES answers 1..k.
    pub ces: Option<NumCol<'a>>,
}

impl SurveyBatch<'_> {
    /// Which metric columns the batch has, as `[nps, csat, ces]`.
    #[must_use]
    pub fn metrics(&self) -> [bool; 3] {
        [self.nps.is_some(), self.csat.is_some(), self.ces.is_some()]
    }

    /// Rows of the batch: the longest of its columns (columns of different lengths are
    /// an error when the batch is added).
    #[must_use]
    pub fn rows(&self) -> usize {
        [
            self.scope.as_ref().map(StrCol::len),
            self.segment.as_ref().map(StrCol::len),
            self.nps.as_ref().map(NumCol::len),
            self.csat.as_ref().map(NumCol::len),
            self.ces.as_ref().map(NumCol::len),
        ]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0)
    }
}

/// How to score a survey table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SurveyOptions {
    /// CSAT scale maximum k (answers 1..k), 2..=11; default 5.
    pub csat_scale: u8,
    /// CSAT method; default `top_box`.
    pub csat_method: ScaleMethod,
    /// CES scale maximum: 7 (default) or 5.
    pub ces_scale: u8,
    /// CES method; default `mean`.
    pub ces_method: ScaleMethod,
    /// Groups with fewer answered responses than this have their values suppressed
    /// (privacy); default 0 (nothing suppressed).
    pub min_group_size: u64,
    /// Count NaN answers as missing instead of rejecting them (for data frames that write
    /// missing numbers as NaN); default false: NaN is an error (docs/errors.md).
    pub nan_as_missing: bool,
}

impl Default for SurveyOptions {
    fn default() -> Self {
        Self {
            csat_scale: 5,
            csat_method: ScaleMethod::TopBox,
            ces_scale: 7,
            ces_method: ScaleMethod::Mean,
            min_group_size: 0,
            nan_as_missing: false,
        }
    }
}

impl SurveyOptions {
    /// The KPIs of the survey answers `table` scored with these options ([`survey_kpis`]),
    /// or `None` without answers. Options other than the defaults without answers are
    /// refused: they would change nothing, although the caller meant them to (`what`
    /// names the options, `answers` the missing answers).
    ///
    /// # Errors
    /// [`survey_kpis`]' errors; `invalid_option` saying the answers are missing.
    pub fn kpis_of(
        &self,
        table: Option<&SurveyTable>,
        what: &str,
        answers: &str,
    ) -> crate::Result<Option<SurveyReport>> {
        if let Some(table) = table {
            return survey_kpis(table, self).map(Some);
        }
        if *self == Self::default() {
            return Ok(None);
        }
        Err(crate::Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: format!(
                "`{what}` is given without `{answers}`, so it would change nothing: give \
                 the survey answers, or leave it out"
            ),
        })
    }
}

/// The mergeable state of a whole survey table: per (scope, segment) group, the three
/// metric states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SurveyState {
    /// CSAT scale maximum.
    pub csat_scale: u8,
    /// CES scale maximum.
    pub ces_scale: u8,
    /// Whether the input had a scope column (per-scope groups are reported).
    pub by_scope: bool,
    /// Whether the input had a segment column (per-segment groups are reported).
    pub by_segment: bool,
    /// Whether NaN answers count as missing.
    #[serde(default)]
    pub nan_as_missing: bool,
    /// Which metric columns the answers were read with, as `[nps, csat, ces]` (a report
    /// scores these: see [`Self::report`]); `None` until a table is added (the identity,
    /// which merges with any state). States read with other metric columns do not merge,
    /// and a batch with other metric columns is not added.
    #[serde(default)]
    pub metrics: Option<[bool; 3]>,
    /// States per group, keyed by `(scope, segment)`.
    pub groups: BTreeMap<GroupKey, GroupState>,
}

/// The metric columns `[nps, csat, ces]` by name, for messages: "`nps` and `ces`", "no
/// metric column".
pub(crate) fn metric_names(metrics: [bool; 3]) -> String {
    let names: Vec<&str> = ["`nps`", "`csat`", "`ces`"]
        .into_iter()
        .zip(metrics)
        .filter_map(|(name, has)| has.then_some(name))
        .collect();
    match names.as_slice() {
        [] => "no metric column".to_owned(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `(scope, segment)` of a group of responses.
pub type GroupKey = (Option<String>, Option<String>);

/// `(level, scope, segment)` of a reported group.
type RollKey = (GroupLevel, Option<String>, Option<String>);

/// The states of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupState {
    /// Responses in the group.
    pub responses: u64,
    /// NPS counts.
    pub nps: NpsState,
    /// CSAT counts.
    pub csat: ScaleState,
    /// CES counts.
    pub ces: ScaleState,
}

/// Which responses a [`SurveyGroup`] rolls up.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupLevel {
    /// Every response.
    Overall,
    /// Every response of one scope (all segments).
    Scope,
    /// Every response of one segment (all scopes), to compare personas or segments.
    Segment,
    /// The responses of one scope and one segment.
    ScopeSegment,
}

/// Which reported group of a survey's answers a comparison takes (see `GroupLevel`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GroupSelector {
    /// The level. Default: from what is named — a scope and a segment: `scope_segment`; a
    /// scope: `scope`; a segment: `segment`, or `scope_segment` without a scope when the
    /// answers have no scope column (the only level that holds it); neither: `overall`.
    pub level: Option<GroupLevel>,
    /// The scope (touchpoint or stage id).
    pub scope: Option<String>,
    /// The segment.
    pub segment: Option<String>,
}

/// Which column a comparison's two values are values of.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Segments (personas, plans…), the default.
    #[default]
    Segment,
    /// Scopes (touchpoints or stages).
    Scope,
}

impl GroupSelector {
    /// The group of one value of the `by` column; with `within`, only the answers with
    /// that value of the other column.
    #[must_use]
    pub fn by(by: GroupBy, value: &str, within: Option<&str>) -> Self {
        let (value, within) = (Some(value.to_owned()), within.map(str::to_owned));
        match by {
            GroupBy::Segment => Self {
                level: None,
                scope: within,
                segment: value,
            },
            GroupBy::Scope => Self {
                level: None,
                scope: value,
                segment: within,
            },
        }
    }
}

/// Scores of one group of responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SurveyGroup {
    /// What the group rolls up.
    pub level: GroupLevel,
    /// Touchpoint or stage id (`None`: responses without a scope, or the overall group).
    pub scope: Option<String>,
    /// Segment (`None`: responses without a segment, or a scope's all-segment group).
    pub segment: Option<String>,
    /// Responses in the group.
    pub responses: u64,
    /// Whether the values were suppressed for privacy (`min_group_size`).
    pub suppressed: bool,
    /// NPS, when the table has an NPS column.
    pub nps: Option<NpsScore>,
    /// CSAT, when the table has a CSAT column.
    pub csat: Option<ScaleScore>,
    /// CES, when the table has a CES column.
    pub ces: Option<ScaleScore>,
}

/// Survey KPIs overall, per scope (when the table has a scope column), per segment (when
/// it has scope and segment columns) and per scope × segment (when it has a segment
/// column).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SurveyReport {
    /// Groups in order: overall first, then by scope (no scope first): each scope's
    /// all-segment group, the segment groups across scopes (under no scope), then the
    /// scope's segments.
    pub groups: Vec<SurveyGroup>,
    /// How each metric of the groups was computed, once for every group.
    pub definitions: SurveyDefinitions,
    /// The options in force and their hash.
    pub definition: Definition,
}

/// The definitions of a survey report's metrics (`None` for a metric the table lacks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SurveyDefinitions {
    /// How the NPS of every group was computed.
    pub nps: Option<Definition>,
    /// How the CSAT of every group was computed.
    pub csat: Option<Definition>,
    /// How the CES of every group was computed.
    pub ces: Option<Definition>,
}

impl SurveyReport {
    /// The group of `level` for `scope` and `segment`.
    #[must_use]
    pub fn group(
        &self,
        level: GroupLevel,
        scope: Option<&str>,
        segment: Option<&str>,
    ) -> Option<&SurveyGroup> {
        self.groups.iter().find(|g| {
            g.level == level && g.scope.as_deref() == scope && g.segment.as_deref() == segment
        })
    }

    /// All responses together.
    #[must_use]
    pub fn overall(&self) -> Option<&SurveyGroup> {
        self.group(GroupLevel::Overall, None, None)
    }

    /// All responses about one touchpoint or stage.
    #[must_use]
    pub fn scope(&self, id: &str) -> Option<&SurveyGroup> {
        self.group(GroupLevel::Scope, Some(id), None)
    }
}

impl SurveyState {
    /// The empty state for the given options.
    ///
    /// # Errors
    /// `invalid_option` for a CSAT scale outside 2..=11 or a CES scale other than 5 or 7.
    pub fn identity(options: &SurveyOptions) -> Result<Self> {
        if !(2..=11).contains(&options.csat_scale) {
            return Err(invalid_option(format!(
                "CSAT scale `1..{}` is not supported: use 2 to 11 points",
                options.csat_scale
            )));
        }
        if ![5, 7].contains(&options.ces_scale) {
            return Err(invalid_option(format!(
                "CES scale `1..{}` is not supported: use 7 (default) or 5",
                options.ces_scale
            )));
        }
        Ok(Self {
            csat_scale: options.csat_scale,
            ces_scale: options.ces_scale,
            by_scope: false,
            by_segment: false,
            nan_as_missing: options.nan_as_missing,
            metrics: None,
            groups: BTreeMap::new(),
        })
    }

    /// Adds a table whose first row has index `first_row` in the caller's numbering.
    ///
    /// # Errors
    /// `column_length_mismatch`, or the first bad answer (`out_of_scale`, `not_finite`).
    pub fn extend(&mut self, first_row: usize, table: &SurveyTable) -> Result<()> {
        let scope: Vec<Option<&str>> = table.scope.iter().map(Option::as_deref).collect();
        let segment: Vec<Option<&str>> = table.segment.iter().map(Option::as_deref).collect();
        self.extend_columns(
            first_row,
            &SurveyColumns {
                scope: (!scope.is_empty()).then_some(scope.as_slice()),
                segment: (!segment.is_empty()).then_some(segment.as_slice()),
                nps: table.nps.as_deref(),
                csat: table.csat.as_deref(),
                ces: table.ces.as_deref(),
            },
        )
    }

    /// Adds borrowed answer columns (what a binding hands over from Arrow without copying
    /// strings). Rows are numbered from `first_row`. Either every row is added or, on an
    /// error, none: the state is unchanged.
    ///
    /// # Errors
    /// `column_length_mismatch`, or the first bad answer (`out_of_scale`, `not_finite`).
    pub fn extend_columns(&mut self, first_row: usize, columns: &SurveyColumns<'_>) -> Result<()> {
        let numbers = |c: Option<&[Option<f64>]>| {
            c.map(|c| {
                (
                    c.iter().map(|x| x.unwrap_or(0.0)).collect::<Vec<f64>>(),
                    pack_bits(c.iter().map(Option::is_some)),
                )
            })
        };
        let (nps, csat, ces) = (
            numbers(columns.nps),
            numbers(columns.csat),
            numbers(columns.ces),
        );
        fn col(c: &Option<(Vec<f64>, Vec<u8>)>) -> Option<NumCol<'_>> {
            c.as_ref().map(|(values, bits)| NumCol {
                values: NumValues::F64(values),
                validity: Some(Bitmap { bits, offset: 0 }),
            })
        }
        self.extend_batch(
            first_row,
            &SurveyBatch {
                scope: columns.scope.map(StrCol::strs),
                segment: columns.segment.map(StrCol::strs),
                nps: col(&nps),
                csat: col(&csat),
                ces: col(&ces),
            },
        )
    }

    /// Adds batches in order, rows numbered across them from `first_row` (a table read
    /// in record batches). When they hold at least 131,072 rows in two or more batches,
    /// the first batches up to about half the rows and the rest are counted on two
    /// threads (not in WebAssembly) and the two states merged: every count is a sum, so
    /// the state is the one [`Self::extend_batch`] gives batch after batch. Either every
    /// row is added or, on an error, none.
    ///
    /// # Errors
    /// As [`Self::extend_batch`]: the error of the first bad row over all batches.
    pub fn extend_batches(&mut self, first_row: usize, batches: &[SurveyBatch<'_>]) -> Result<()> {
        let mut metrics = self.metrics;
        let (mut answered, mut grouping) =
            (!self.groups.is_empty(), (self.by_scope, self.by_segment));
        for batch in batches {
            metrics = Some(added_metrics(metrics, batch.metrics())?);
            if batch.rows() > 0 {
                let batch_grouping = (batch.scope.is_some(), batch.segment.is_some());
                same_grouping(answered, grouping, batch_grouping)?;
                (answered, grouping) = (true, batch_grouping);
            }
        }
        let rows: Vec<usize> = batches.iter().map(SurveyBatch::rows).collect();
        let total: usize = rows.iter().sum();
        let count = |part: &[SurveyBatch<'_>], mut row: usize, lens: &[usize]| -> Result<Self> {
            let mut state = self.empty_like();
            let mut scratch = Scratch::default();
            for (batch, len) in part.iter().zip(lens) {
                state.extend_batch_in(row, batch, &mut scratch)?;
                row += len;
            }
            Ok(state)
        };
        let parts = if crate::events::PARALLEL
            && batches.len() >= 2
            && total >= crate::events::PARALLEL_ROWS
        {
            // The first batch whose rows start at or after half of them.
            let mut at = 0usize;
            let mid = rows
                .iter()
                .position(|&len| {
                    let past = at >= total / 2;
                    at += len;
                    past
                })
                .unwrap_or(batches.len())
                .clamp(1, batches.len() - 1);
            let (left, right) = batches.split_at(mid);
            let (left_rows, right_rows) = rows.split_at(mid);
            let right_first = first_row + left_rows.iter().sum::<usize>();
            let [a, b] = crate::events::both(
                true,
                || count(left, first_row, left_rows),
                || count(right, right_first, right_rows),
            );
            // The first half's error first: its rows come first.
            vec![a?, b?]
        } else {
            vec![count(batches, first_row, &rows)?]
        };
        let mut out = self.empty_like();
        out.merge(self)?;
        for part in &parts {
            out.merge(part)?;
        }
        *self = out;
        Ok(())
    }

    /// Counts each metric column row by row, for a batch with a bad answer: the error
    /// kept is that of the first bad row (within a row, the first metric).
    fn count_each(
        &self,
        metrics: &[(Option<&NumCol<'_>>, &str, u8, u8)],
        groups: &Groups,
        first_row: usize,
        first_error: &mut Option<(usize, Error)>,
    ) -> Vec<Option<Answers>> {
        let mut counted = Vec::with_capacity(metrics.len());
        for &(col, metric, lo, hi) in metrics {
            let Some(col) = col else {
                counted.push(None);
                continue;
            };
            match count_answers(
                col,
                groups,
                (metric, lo, hi),
                first_row,
                self.nan_as_missing,
            ) {
                Ok(a) => counted.push(Some(a)),
                Err((row, e)) => {
                    if first_error.as_ref().is_none_or(|(r, _)| row < *r) {
                        *first_error = Some((row, e));
                    }
                    counted.push(None);
                }
            }
        }
        counted
    }

    /// A state with this one's settings and no responses.
    fn empty_like(&self) -> Self {
        Self {
            csat_scale: self.csat_scale,
            ces_scale: self.ces_scale,
            by_scope: false,
            by_segment: false,
            nan_as_missing: self.nan_as_missing,
            metrics: None,
            groups: BTreeMap::new(),
        }
    }

    /// Adds a batch of columns as Arrow lays them out (see [`SurveyBatch`]). Responses
    /// are grouped by the codes of `scope` × `segment` (a dictionary column is looked at
    /// once per dictionary value, so a row costs one look-up), and each metric column is
    /// counted as a slice of its own type. Rows are numbered from `first_row`. Either
    /// every row is added or, on an error, none: the state is unchanged.
    ///
    /// # Errors
    /// `column_length_mismatch`, or the first bad answer (`out_of_scale`, `not_finite`;
    /// by row, then NPS, CSAT, CES).
    pub fn extend_batch(&mut self, first_row: usize, batch: &SurveyBatch<'_>) -> Result<()> {
        self.extend_batch_in(first_row, batch, &mut Scratch::default())
    }

    /// [`Self::extend_batch`] with the per-row buffers of `scratch`, so that a thread
    /// reading many batches allocates (and the system zeroes) them once.
    fn extend_batch_in(
        &mut self,
        first_row: usize,
        batch: &SurveyBatch<'_>,
        scratch: &mut Scratch,
    ) -> Result<()> {
        same_grouping(
            !self.groups.is_empty() && batch.rows() > 0,
            (self.by_scope, self.by_segment),
            (batch.scope.is_some(), batch.segment.is_some()),
        )?;
        let columns = added_metrics(self.metrics, batch.metrics())?;
        let lengths = [
            ("scope", batch.scope.as_ref().map(StrCol::len)),
            ("segment", batch.segment.as_ref().map(StrCol::len)),
            ("nps", batch.nps.as_ref().map(NumCol::len)),
            ("csat", batch.csat.as_ref().map(NumCol::len)),
            ("ces", batch.ces.as_ref().map(NumCol::len)),
        ];
        let n = lengths
            .iter()
            .filter_map(|(_, len)| *len)
            .max()
            .unwrap_or(0);
        for (name, len) in lengths {
            if let Some(len) = len.filter(|&len| len != n) {
                return Err(Error::Input {
                    code: crate::InputCode::ColumnLengthMismatch,
                    row: None,
                    message: format!("column `{name}` has `{len}` rows where the table has `{n}`"),
                });
            }
        }
        let mut groups = Groups::of(batch.scope.as_ref(), batch.segment.as_ref(), n, scratch);
        // Groups numbered in order of appearance are counted already, and may be many (a
        // per-response column passed as `scope`): refused before their answers are
        // counted. A small grid's groups are counted with the answers, then checked.
        let counted_rows = groups.responses.len() == groups.keys.len();
        if counted_rows {
            if let Err(e) = self.check_group_count(groups.present().map(|(_, k)| k)) {
                scratch.of_row = groups.of_row;
                return Err(e);
            }
        }
        let nan_as_missing = self.nan_as_missing;
        let metrics = [
            (batch.nps.as_ref(), "NPS", 0u8, 10u8),
            (batch.csat.as_ref(), "CSAT", 1, self.csat_scale),
            (batch.ces.as_ref(), "CES", 1, self.ces_scale),
        ];
        let mut first_error: Option<(usize, Error)> = None;
        let counted = match count_clean(&metrics, &groups, nan_as_missing) {
            Some(counted) => counted,
            None => self.count_each(&metrics, &groups, first_row, &mut first_error),
        };
        groups.count_responses(counted.iter().flatten().next());
        let too_many = if counted_rows {
            Ok(())
        } else {
            self.check_group_count(groups.present().map(|(_, k)| k))
        };
        let Groups {
            of_row,
            keys,
            responses,
        } = groups;
        scratch.of_row = of_row;
        too_many?;
        if let Some((_, e)) = first_error {
            return Err(e);
        }
        self.by_scope |= batch.scope.is_some();
        self.by_segment |= batch.segment.is_some();
        self.metrics = Some(columns);
        let mut counted = counted.into_iter();
        let (nps, csat, ces) = (
            counted.next().flatten(),
            counted.next().flatten(),
            counted.next().flatten(),
        );
        for (g, key) in keys.into_iter().enumerate() {
            let responses = responses.get(g).copied().unwrap_or(0);
            if responses == 0 {
                // A cell of the grid without rows.
                continue;
            }
            let mut state = GroupState {
                responses,
                nps: NpsState::identity(),
                csat: ScaleState::identity(self.csat_scale),
                ces: ScaleState::identity(self.ces_scale),
            };
            if let Some(a) = &nps {
                let c = a.counts(g);
                let sum = |r: std::ops::Range<usize>| c.get(r).map_or(0, |s| s.iter().sum());
                state.nps = NpsState {
                    promoters: sum(9..11),
                    passives: sum(7..9),
                    detractors: sum(0..7),
                    missing: a.missing.get(g).copied().unwrap_or(0),
                };
            }
            for (a, scale) in [(&csat, &mut state.csat), (&ces, &mut state.ces)] {
                if let Some(a) = a {
                    scale.counts = a.counts(g).to_vec();
                    scale.missing = a.missing.get(g).copied().unwrap_or(0);
                }
            }
            match self.groups.get_mut(&key) {
                Some(ours) => {
                    ours.responses = ours.responses.saturating_add(state.responses);
                    ours.nps.merge(&state.nps);
                    ours.csat.merge(&state.csat)?;
                    ours.ces.merge(&state.ces)?;
                }
                None => {
                    self.groups.insert(key, state);
                }
            }
        }
        Ok(())
    }

    /// Combines two states of the same scales.
    ///
    /// # Errors
    /// `scale_mismatch` when the scales differ; `incompatible_states` when the states
    /// treat NaN differently or were read with different metric columns.
    pub fn merge(&mut self, other: &Self) -> Result<()> {
        if (self.csat_scale, self.ces_scale) != (other.csat_scale, other.ces_scale) {
            return Err(Error::Input {
                code: crate::InputCode::ScaleMismatch,
                row: None,
                message: "cannot merge survey states scored on different scales".to_owned(),
            });
        }
        if self.nan_as_missing != other.nan_as_missing {
            return Err(Error::Input {
                code: crate::InputCode::IncompatibleStates,
                row: None,
                message: "cannot merge survey states that treat NaN differently".to_owned(),
            });
        }
        if let (Some(ours), Some(theirs)) = (self.metrics, other.metrics) {
            if ours != theirs {
                return Err(Error::Input {
                    code: crate::InputCode::IncompatibleStates,
                    row: None,
                    message: format!(
                        "cannot merge a survey state read with {} with one read with {}; \
                         read every part with the same metric columns",
                        metric_names(ours),
                        metric_names(theirs)
                    ),
                });
            }
        }
        same_grouping(
            !self.groups.is_empty() && !other.groups.is_empty(),
            (self.by_scope, self.by_segment),
            (other.by_scope, other.by_segment),
        )?;
        self.check_group_count(other.groups.keys())?;
        self.by_scope |= other.by_scope;
        self.by_segment |= other.by_segment;
        self.metrics = self.metrics.or(other.metrics);
        for (key, theirs) in &other.groups {
            match self.groups.get_mut(key) {
                Some(ours) => {
                    ours.responses = ours.responses.saturating_add(theirs.responses);
                    ours.nps.merge(&theirs.nps);
                    ours.csat.merge(&theirs.csat)?;
                    ours.ces.merge(&theirs.ces)?;
                }
                None => {
                    self.groups.insert(key.clone(), theirs.clone());
                }
            }
        }
        Ok(())
    }

    /// Versioned bytes (the shared state format, then a JSON body).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header(kind::SURVEY);
        let groups: Vec<_> = self.groups.iter().collect();
        let body = serde_json::json!({
            "csat_scale": self.csat_scale, "ces_scale": self.ces_scale,
            "by_scope": self.by_scope, "by_segment": self.by_segment,
            "nan_as_missing": self.nan_as_missing, "metrics": self.metrics,
            "groups": groups,
        });
        out.extend_from_slice(body.to_string().as_bytes());
        seal(out)
    }

    /// Reads bytes written by [`Self::to_bytes`].
    ///
    /// # Errors
    /// `invalid_state` for bytes that are not such a state.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let mut r = Reader::new(bytes);
        r.header(kind::SURVEY)?;
        let body = r.rest();
        #[derive(Deserialize)]
        struct Body {
            csat_scale: u8,
            ces_scale: u8,
            by_scope: bool,
            by_segment: bool,
            #[serde(default)]
            nan_as_missing: bool,
            // Absent from the bytes of builds before it: not known, as the identity's.
            #[serde(default)]
            metrics: Option<[bool; 3]>,
            groups: Vec<(GroupKey, GroupState)>,
        }
        let body: Body = serde_json::from_slice(body)
            .map_err(|e| invalid_state(&format!("survey state body: {e}")))?;
        Ok(Self {
            csat_scale: body.csat_scale,
            ces_scale: body.ces_scale,
            by_scope: body.by_scope,
            by_segment: body.by_segment,
            nan_as_missing: body.nan_as_missing,
            metrics: body.metrics,
            groups: body.groups.into_iter().collect(),
        })
    }

    /// The answer counts of every reported group, rolled up from the (scope, segment)
    /// groups: overall, per scope, per segment and per scope × segment.
    fn roll_up(&self) -> BTreeMap<RollKey, GroupState> {
        let mut rolled: BTreeMap<RollKey, GroupState> = BTreeMap::new();
        for ((scope, segment), state) in &self.groups {
            let levels = [
                Some((GroupLevel::Overall, None, None)),
                self.by_scope
                    .then(|| (GroupLevel::Scope, scope.clone(), None)),
                (self.by_segment && self.by_scope)
                    .then(|| (GroupLevel::Segment, None, segment.clone())),
                self.by_segment
                    .then(|| (GroupLevel::ScopeSegment, scope.clone(), segment.clone())),
            ];
            for key in levels.into_iter().flatten() {
                let entry = rolled.entry(key).or_insert_with(|| GroupState {
                    responses: 0,
                    nps: NpsState::identity(),
                    csat: ScaleState::identity(self.csat_scale),
                    ces: ScaleState::identity(self.ces_scale),
                });
                entry.responses = entry.responses.saturating_add(state.responses);
                entry.nps.merge(&state.nps);
                // Same scales by construction: merging cannot fail.
                let _ = entry.csat.merge(&state.csat);
                let _ = entry.ces.merge(&state.ces);
            }
        }
        rolled
    }

    /// The answer counts of the group `selector` names, for comparisons.
    ///
    /// # Errors
    /// `invalid_option` when the selector names a scope or segment and the answers were
    /// read without that column, or when the group has no responses.
    pub fn select(&self, selector: &GroupSelector) -> Result<GroupState> {
        let invalid = |message: String| Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message,
        };
        for (named, read, column) in [
            (selector.scope.is_some(), self.by_scope, "scope"),
            (selector.segment.is_some(), self.by_segment, "segment"),
        ] {
            // No answers at all: say so below, whatever the columns.
            if named && !read && !self.groups.is_empty() {
                return Err(invalid(format!(
                    "a {column} is named, but the answers were read without a {column} column: name it (`{column}`)"
                )));
            }
        }
        let (scope, segment) = (selector.scope.as_deref(), selector.segment.as_deref());
        let level = selector
            .level
            .unwrap_or(match (scope.is_some(), segment.is_some()) {
                (true, true) => GroupLevel::ScopeSegment,
                (true, false) => GroupLevel::Scope,
                (false, true) if self.by_scope => GroupLevel::Segment,
                (false, true) => GroupLevel::ScopeSegment,
                (false, false) => GroupLevel::Overall,
            });
        self.group_state(level, scope, segment).ok_or_else(|| {
            let named: Vec<String> = [("scope", scope), ("segment", segment)]
                .iter()
                .filter_map(|(k, v)| v.map(|v| format!("{k} `{v}`")))
                .collect();
            invalid(format!(
                "no responses at level `{}`{}",
                serde_json::to_value(level)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                if named.is_empty() {
                    String::new()
                } else {
                    format!(" with {}", named.join(" and "))
                }
            ))
        })
    }

    /// The answer counts of one reported group (see [`GroupLevel`]), for comparisons.
    #[must_use]
    pub fn group_state(
        &self,
        level: GroupLevel,
        scope: Option<&str>,
        segment: Option<&str>,
    ) -> Option<GroupState> {
        self.roll_up()
            .remove(&(level, scope.map(str::to_owned), segment.map(str::to_owned)))
    }

    /// Scores every group, every scope and the whole table, on the metrics `table_has`
    /// (`[nps, csat, ces]`): those the answers were read with ([`Self::metrics`];
    /// `states::finish_state` refuses a request that names others).
    #[must_use]
    pub fn report(&self, table_has: [bool; 3], options: &SurveyOptions) -> SurveyReport {
        let rolled = self.roll_up();
        let [has_nps, has_csat, has_ces] = table_has;
        // Overall first, then per scope its all-segment group followed by its segments.
        let mut entries: Vec<(RollKey, GroupState)> = rolled.into_iter().collect();
        crate::sort::stable_by(&mut entries, |(a, _), (b, _)| {
            let rank = |k: &RollKey| (k.0 != GroupLevel::Overall, k.1.clone(), k.0, k.2.clone());
            rank(a).cmp(&rank(b))
        });
        let groups = entries
            .into_iter()
            .map(|((level, scope, segment), state)| {
                let answered = [
                    saturating_sum(&[
                        state.nps.promoters,
                        state.nps.passives,
                        state.nps.detractors,
                    ]),
                    saturating_sum(&state.csat.counts),
                    saturating_sum(&state.ces.counts),
                ]
                .into_iter()
                .max()
                .unwrap_or(0);
                let suppressed = answered < options.min_group_size;
                // Each metric's definition is the report's, once, not each group's.
                SurveyGroup {
                    level,
                    scope,
                    segment,
                    responses: state.responses,
                    suppressed,
                    nps: (has_nps && !suppressed).then(|| NpsScore {
                        definition: None,
                        ..state.nps.score()
                    }),
                    csat: (has_csat && !suppressed).then(|| ScaleScore {
                        definition: None,
                        ..state.csat.score("csat", options.csat_method)
                    }),
                    ces: (has_ces && !suppressed).then(|| ScaleScore {
                        definition: None,
                        ..state.ces.score("ces", options.ces_method)
                    }),
                }
            })
            .collect();
        SurveyReport {
            groups,
            definitions: SurveyDefinitions {
                nps: has_nps.then(nps_definition),
                csat: has_csat
                    .then(|| scale_definition("csat", self.csat_scale, options.csat_method)),
                ces: has_ces.then(|| scale_definition("ces", self.ces_scale, options.ces_method)),
            },
            definition: Definition::new("survey", options),
        }
    }
}

/// At most this many `(scope, segment)` groups in one survey state: far beyond any map's
/// touchpoints × segments, and a guard against a free-text or id column passed as
/// `scope` (each group costs its counts and its report rows).
pub const MAX_SURVEY_GROUPS: usize = 100_000;

impl SurveyState {
    /// `too_many_groups` when adding the groups `keys` would make the state hold more than
    /// [`MAX_SURVEY_GROUPS`].
    fn check_group_count<'k>(&self, keys: impl Iterator<Item = &'k GroupKey>) -> Result<()> {
        let new = keys.filter(|k| !self.groups.contains_key(*k)).count();
        check_group_count(self.groups.len() + new)
    }
}

/// The metric columns of a state after adding a batch with `batch`'s, or
/// `incompatible_states` when the state was read with others.
fn added_metrics(state: Option<[bool; 3]>, batch: [bool; 3]) -> Result<[bool; 3]> {
    match state {
        Some(ours) if ours != batch => Err(Error::Input {
            code: crate::InputCode::IncompatibleStates,
            row: None,
            message: format!(
                "cannot add answers with {} to a survey state read with {}; read every \
                 part with the same metric columns",
                metric_names(batch),
                metric_names(ours)
            ),
        }),
        _ => Ok(batch),
    }
}

/// `incompatible_states` when answers read with a scope or segment column meet answers
/// read without it (`both`: both sides hold answers; an empty part has no groups to
/// mix): the ones without would be reported as a group of no scope (segment) beside the
/// others.
fn same_grouping(both: bool, ours: (bool, bool), theirs: (bool, bool)) -> Result<()> {
    if !both || ours == theirs {
        return Ok(());
    }
    let columns = |(scope, segment): (bool, bool)| match (scope, segment) {
        (true, true) => "scope and segment columns",
        (true, false) => "a scope column and no segment column",
        (false, true) => "a segment column and no scope column",
        (false, false) => "neither scope nor segment column",
    };
    Err(Error::Input {
        code: crate::InputCode::IncompatibleStates,
        row: None,
        message: format!(
            "cannot combine survey answers read with {} with answers read with {}; read \
             every part with the same columns",
            columns(theirs),
            columns(ours)
        ),
    })
}

/// `too_many_groups` when a state would hold more than [`MAX_SURVEY_GROUPS`] groups.
fn check_group_count(groups: usize) -> Result<()> {
    if groups <= MAX_SURVEY_GROUPS {
        return Ok(());
    }
    Err(Error::Input {
        code: crate::InputCode::TooManyGroups,
        row: None,
        message: format!(
            "the survey has `{groups}` (scope, segment) groups, more than the limit of \
             `{MAX_SURVEY_GROUPS}`: `scope` should name touchpoint or stage ids and \
             `segment` personas, not a free-text or per-response column"
        ),
    })
}

/// Per-row buffers of a batch, kept for the next batch.
#[derive(Default)]
struct Scratch {
    scope: Vec<u32>,
    segment: Vec<u32>,
    of_row: Vec<u32>,
}

/// The `(scope, segment)` groups of a batch: a group per row, from the codes of the two
/// columns (a cell of a small grid when the product of their distinct values is small,
/// numbered in order of appearance otherwise).
struct Groups {
    /// Group of each row.
    of_row: Vec<u32>,
    /// Key of each group.
    keys: Vec<GroupKey>,
    /// Responses per group.
    responses: Vec<u64>,
}

impl Groups {
    /// The groups of the rows of a batch. When the grid of scope codes × segment codes is
    /// small, a row's group is its cell of the grid, computed without a branch or a
    /// look-up (groups without rows are then listed, with no responses: see
    /// [`Self::present`]); otherwise cells are numbered densely in order of appearance.
    fn of(
        scope: Option<&StrCol<'_>>,
        segment: Option<&StrCol<'_>>,
        n: usize,
        scratch: &mut Scratch,
    ) -> Self {
        const NULL: u32 = u32::MAX;
        /// Cells of a grid at most this large are groups of their own.
        const SMALL_GRID: usize = 1 << 12;
        /// Codes of a column's rows (into `out`) and its distinct strings (equal
        /// strings of a dictionary share a code).
        fn codes<'a>(col: Option<&StrCol<'a>>, n: usize, out: &mut Vec<u32>) -> Vec<&'a [u8]> {
            out.clear();
            let Some(col) = col else {
                out.resize(n, NULL);
                return Vec::new();
            };
            let mut seen: FxHashMap<&'a [u8], u32> = FxHashMap::default();
            let mut strings: Vec<&'a [u8]> = Vec::new();
            col.codes_into(out, NULL, |b| {
                *seen.entry(b).or_insert_with(|| {
                    strings.push(b);
                    u32::try_from(strings.len() - 1).unwrap_or(NULL - 1)
                })
            });
            strings
        }
        /// A dictionary column without null keys (or no column): its keys, distinct
        /// strings and the code of each dictionary value (`NULL` for a null value),
        /// interned in the order [`codes`] interns them.
        #[allow(
            clippy::type_complexity,
            reason = "a private helper's tuple, named where it is taken apart"
        )]
        fn dictionary<'a>(
            col: Option<&StrCol<'a>>,
        ) -> Option<(Option<Keys<'a>>, Vec<&'a [u8]>, Vec<u32>)> {
            let (keys, values) = match col {
                None => return Some((None, Vec::new(), Vec::new())),
                Some(StrCol::Dict {
                    keys,
                    validity: None,
                    values,
                }) => (*keys, values),
                Some(_) => return None,
            };
            let mut seen: FxHashMap<&'a [u8], u32> = FxHashMap::default();
            let mut strings: Vec<&'a [u8]> = Vec::new();
            let table = (0..values.values.len())
                .map(|k| {
                    values.bytes(k).map_or(NULL, |b| {
                        *seen.entry(b).or_insert_with(|| {
                            strings.push(b);
                            u32::try_from(strings.len() - 1).unwrap_or(NULL - 1)
                        })
                    })
                })
                .collect();
            Some((Some(keys), strings, table))
        }
        // Two dictionary columns (the usual export) on a small grid: each row's cell is
        // `scope code × width + segment code`, read through each dictionary a chunk of
        // rows at a time, without a code column per row.
        if let (
            Some((scope_keys, scope_strings, scope_table)),
            Some((segment_keys, segment_strings, segment_table)),
        ) = (dictionary(scope), dictionary(segment))
        {
            let width = segment_strings.len() + 1;
            let cells = (scope_strings.len() + 1).saturating_mul(width);
            if cells <= SMALL_GRID {
                let (null_scope, null_segment, w) = (
                    u32::try_from(scope_strings.len()).unwrap_or(NULL),
                    u32::try_from(segment_strings.len()).unwrap_or(NULL),
                    u32::try_from(width).unwrap_or(NULL),
                );
                // Below SMALL_GRID, so no product overflows.
                let scope_cell: Vec<u32> = scope_table
                    .iter()
                    .map(|&c| if c == NULL { null_scope * w } else { c * w })
                    .collect();
                let segment_cell: Vec<u32> = segment_table
                    .iter()
                    .map(|&c| if c == NULL { null_segment } else { c })
                    .collect();
                let mut of_row = std::mem::take(&mut scratch.of_row);
                of_row.clear();
                of_row.reserve(n);
                let (a, b) = (&mut scratch.scope, &mut scratch.segment);
                for start in (0..n).step_by(CHUNK) {
                    let len = CHUNK.min(n - start);
                    for (buf, keys, table, null) in [
                        (&mut *a, scope_keys, &scope_cell, null_scope * w),
                        (&mut *b, segment_keys, &segment_cell, null_segment),
                    ] {
                        buf.clear();
                        match keys {
                            Some(k) => k.slice(start, len).extend_codes(table, null, buf),
                            None => buf.resize(len, null),
                        }
                    }
                    of_row.extend(a.iter().zip(b.iter()).map(|(&x, &y)| x + y));
                }
                let text = |strings: &[&[u8]], k: usize| {
                    strings
                        .get(k)
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                };
                let keys = (0..cells)
                    .map(|c| {
                        (
                            text(&scope_strings, c / width),
                            text(&segment_strings, c % width),
                        )
                    })
                    .collect();
                return Self {
                    of_row,
                    keys,
                    responses: Vec::new(),
                };
            }
        }
        let scope_strings = codes(scope, n, &mut scratch.scope);
        let segment_strings = codes(segment, n, &mut scratch.segment);
        let (sc, gc) = (&scratch.scope, &scratch.segment);
        // Null is code `len` of its column.
        let (null_scope, null_segment) = (
            u32::try_from(scope_strings.len()).unwrap_or(NULL),
            u32::try_from(segment_strings.len()).unwrap_or(NULL),
        );
        let width = segment_strings.len() + 1;
        let cells = (scope_strings.len() + 1).saturating_mul(width);
        let text = |strings: &[&[u8]], k: usize| {
            strings
                .get(k)
                .map(|b| String::from_utf8_lossy(b).into_owned())
        };
        let key = |(s, g): (usize, usize)| (text(&scope_strings, s), text(&segment_strings, g));
        let mut of_row = std::mem::take(&mut scratch.of_row);
        of_row.clear();
        if cells <= SMALL_GRID {
            let w = u32::try_from(width).unwrap_or(NULL);
            of_row.extend(sc.iter().zip(gc).map(|(&s, &g)| {
                let s = if s == NULL { null_scope } else { s };
                let g = if g == NULL { null_segment } else { g };
                s * w + g
            }));
            let keys = (0..cells).map(|c| key((c / width, c % width))).collect();
            // Counted by `count_responses`.
            let responses = Vec::new();
            return Self {
                of_row,
                keys,
                responses,
            };
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let mut responses: Vec<u64> = Vec::new();
        let mut dense_of: FxHashMap<(u32, u32), u32> = FxHashMap::default();
        of_row.reserve(n);
        for (&s, &g) in sc.iter().zip(gc) {
            let pair = (
                if s == NULL { null_scope } else { s },
                if g == NULL { null_segment } else { g },
            );
            let dense = *dense_of.entry(pair).or_insert_with(|| {
                pairs.push((pair.0 as usize, pair.1 as usize));
                responses.push(0);
                u32::try_from(pairs.len() - 1).unwrap_or(NULL)
            });
            if let Some(r) = responses.get_mut(dense as usize) {
                *r += 1;
            }
            of_row.push(dense);
        }
        let keys = pairs.into_iter().map(key).collect();
        Self {
            of_row,
            keys,
            responses,
        }
    }

    /// Counts the rows of each group unless counted already: from the counts of a
    /// metric when there is one (each row is an answer or missing in each metric),
    /// otherwise row by row.
    fn count_responses(&mut self, answers: Option<&Answers>) {
        if self.responses.len() == self.keys.len() {
            return;
        }
        self.responses = match answers {
            Some(a) => (0..self.keys.len())
                .map(|g| a.counts(g).iter().sum::<u64>() + a.missing.get(g).copied().unwrap_or(0))
                .collect(),
            None => {
                let mut responses = vec![0u64; self.keys.len()];
                for &g in &self.of_row {
                    if let Some(r) = responses.get_mut(g as usize) {
                        *r += 1;
                    }
                }
                responses
            }
        };
    }

    /// The groups with rows, with their index.
    fn present(&self) -> impl Iterator<Item = (usize, &GroupKey)> {
        self.keys
            .iter()
            .enumerate()
            .filter(|&(g, _)| self.responses.get(g).is_some_and(|&r| r > 0))
    }
}

/// Answer counts of one metric per group: `counts[group * width + answer - lo]`.
struct Answers {
    width: usize,
    counts: Vec<u64>,
    missing: Vec<u64>,
}

impl Answers {
    fn counts(&self, group: usize) -> &[u64] {
        self.counts
            .get(group * self.width..(group + 1) * self.width)
            .unwrap_or(&[])
    }
}

/// Counts a metric column per group, reading it as a slice of its own type; the error is
/// that of the first bad answer, with its row.
fn count_answers(
    col: &NumCol<'_>,
    groups: &Groups,
    (metric, lo, hi): (&str, u8, u8),
    first_row: usize,
    nan_as_missing: bool,
) -> std::result::Result<Answers, (usize, Error)> {
    let width = usize::from(hi - lo) + 1;
    let mut out = Answers {
        width,
        counts: vec![0; groups.keys.len() * width],
        missing: vec![0; groups.keys.len()],
    };
    let (counts, missing) = (&mut out.counts, &mut out.missing);
    let mut tally = |i: usize, answer: Option<u8>| {
        let g = groups.of_row.get(i).copied().unwrap_or(0) as usize;
        let slot = match answer {
            Some(a) => counts.get_mut(g * width + usize::from(a - lo)),
            None => missing.get_mut(g),
        };
        if let Some(c) = slot {
            *c += 1;
        }
    };
    let bad = |i: usize, value: f64| {
        let row = first_row + i;
        (row, bad_answer(row, metric, value, lo, hi).err())
    };
    /// Integers: an answer is its value when within `lo..=hi`.
    fn ints<T: Copy + TryInto<i64>>(
        values: &[T],
        col: &NumCol<'_>,
        lo: u8,
        hi: u8,
        tally: &mut impl FnMut(usize, Option<u8>),
    ) -> std::result::Result<(), (usize, i64)> {
        for (i, &v) in values.iter().enumerate() {
            if !col.is_valid(i) {
                tally(i, None);
                continue;
            }
            let v: i64 = v.try_into().unwrap_or(i64::MAX);
            match u8::try_from(v) {
                Ok(a) if (lo..=hi).contains(&a) => tally(i, Some(a)),
                _ => return Err((i, v)),
            }
        }
        Ok(())
    }
    #[allow(
        clippy::cast_precision_loss,
        reason = "only an error message shows the value"
    )]
    let int_result =
        |r: std::result::Result<(), (usize, i64)>| r.map_err(|(i, v)| bad(i, v as f64));
    let floats = |values: &mut dyn Iterator<Item = f64>,
                  tally: &mut dyn FnMut(usize, Option<u8>)|
     -> std::result::Result<(), (usize, Option<Error>)> {
        for (i, v) in values.enumerate() {
            if !col.is_valid(i) || (nan_as_missing && v.is_nan()) {
                tally(i, None);
                continue;
            }
            match whole_answer(first_row + i, metric, v, lo, hi) {
                Ok(a) => tally(i, Some(a)),
                Err(_) => return Err(bad(i, v)),
            }
        }
        Ok(())
    };
    let result = match col.values {
        NumValues::I8(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::I16(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::I32(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::I64(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::U8(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::U16(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::U32(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::U64(v) => int_result(ints(v, col, lo, hi, &mut tally)),
        NumValues::F32(v) => floats(&mut v.iter().map(|&x| f64::from(x)), &mut tally),
        NumValues::F64(v) => floats(&mut v.iter().copied(), &mut tally),
        NumValues::Null(n) => {
            (0..n).for_each(|i| tally(i, None));
            Ok(())
        }
    };
    match result {
        Ok(()) => Ok(out),
        Err((row, e)) => Err((
            row,
            e.unwrap_or_else(|| {
                reject(
                    crate::InputCode::OutOfScale,
                    row,
                    format!("{metric} answer in row `{row}` is out of scale"),
                )
            }),
        )),
    }
}

/// Rows per chunk of [`count_clean`]: a chunk's slots stay in the first-level cache.
const CHUNK: usize = 2048;

/// The counts of every metric column when every answer is good, or `None` when some
/// answer is bad ([`count_answers`] then finds the first, row by row). Rows are read in
/// chunks: each column's answers become slots (`answer − lo`, or `width` for missing)
/// without a branch, then one pass adds each row's slots to its group's cells. Which
/// rows are answered is as random as the answers, so a branch per row would be
/// mispredicted about every other row.
fn count_clean(
    metrics: &[(Option<&NumCol<'_>>, &str, u8, u8)],
    groups: &Groups,
    nan_as_missing: bool,
) -> Option<Vec<Option<Answers>>> {
    // Per metric column: its `lo`, `width`, and cells (per group, its answers then its
    // missing).
    let mut counting: Vec<(&NumCol<'_>, u8, usize, Vec<u64>)> = metrics
        .iter()
        .filter_map(|&(col, _, lo, hi)| {
            let width = usize::from(hi - lo) + 1;
            col.map(|c| (c, lo, width, vec![0u64; groups.keys.len() * (width + 1)]))
        })
        .collect();
    let of_row = groups.of_row.as_slice();
    // Several metrics on a small enough grid: each row's slots of every metric as one
    // combined slot, counted once (one increment a row, not one per metric), then
    // spread over the metrics' cells.
    let combos: usize = counting.iter().map(|c| c.2 + 1).product();
    let combined = counting.len() > 1
        && groups.keys.len().saturating_mul(combos) <= COMBINED_CELLS
        && u32::try_from(of_row.len()).is_ok();
    let mut slots = [0u8; CHUNK];
    if combined {
        let mut cells = vec![0u32; groups.keys.len() * combos];
        let mut combo = [0u16; CHUNK];
        for (start, rows) in (0..).step_by(CHUNK).zip(of_row.chunks(CHUNK)) {
            let slots = slots.get_mut(..rows.len())?;
            let combo = combo.get_mut(..rows.len())?;
            combo.fill(0);
            for (col, lo, width, _) in &counting {
                if !fill_slots(col, start, (*lo, *width), nan_as_missing, slots) {
                    return None;
                }
                #[allow(clippy::cast_possible_truncation, reason = "combos fit in u16")]
                let w = (*width + 1) as u16;
                for (c, &s) in combo.iter_mut().zip(slots.iter()) {
                    *c = *c * w + u16::from(s);
                }
            }
            for (&g, &c) in rows.iter().zip(combo.iter()) {
                if let Some(cell) = cells.get_mut(g as usize * combos + usize::from(c)) {
                    *cell += 1;
                }
            }
        }
        for (g, per_group) in cells.chunks_exact(combos).enumerate() {
            for (c, &n) in per_group.iter().enumerate().filter(|(_, &n)| n > 0) {
                let mut rest = c;
                for (_, _, width, metric_cells) in counting.iter_mut().rev() {
                    let stride = *width + 1;
                    let slot = rest % stride;
                    rest /= stride;
                    if let Some(m) = metric_cells.get_mut(g * stride + slot) {
                        *m += u64::from(n);
                    }
                }
            }
        }
    } else {
        for (start, rows) in (0..).step_by(CHUNK).zip(of_row.chunks(CHUNK)) {
            let slots = slots.get_mut(..rows.len())?;
            for (col, lo, width, cells) in &mut counting {
                if !fill_slots(col, start, (*lo, *width), nan_as_missing, slots) {
                    return None;
                }
                add_slots(rows, slots, cells, *width + 1);
            }
        }
    }
    let mut counted = counting.into_iter();
    let answers = metrics
        .iter()
        .map(|(col, ..)| {
            col.and_then(|_| counted.next())
                .map(|(_, _, width, cells)| {
                    let mut counts = Vec::with_capacity(groups.keys.len() * width);
                    let mut missing = Vec::with_capacity(groups.keys.len());
                    for cell in cells.chunks_exact(width + 1) {
                        let (answers, absent) = cell.split_at(width);
                        counts.extend_from_slice(answers);
                        missing.extend_from_slice(absent);
                    }
                    Answers {
                        width,
                        counts,
                        missing,
                    }
                })
        })
        .collect();
    Some(answers)
}

/// The most cells of the combined count of [`count_clean`] (4 bytes each: half a MiB).
const COMBINED_CELLS: usize = 1 << 17;

/// Adds each row's slot to the cells of its group.
#[inline(never)]
fn add_slots(rows: &[u32], slots: &[u8], cells: &mut [u64], stride: usize) {
    for (&g, &slot) in rows.iter().zip(slots) {
        if let Some(c) = cells.get_mut(g as usize * stride + usize::from(slot)) {
            *c += 1;
        }
    }
}

/// The slot that marks a bad answer in [`fill_slots`]'s first pass (slots are below 12).
const BAD_SLOT: u8 = u8::MAX;

/// The slots of rows `start..start + out.len()` of a column (`answer − lo`, or `width`
/// for missing); false when a valid answer is not a whole number in `0..width` after
/// `lo` is subtracted. Two passes, neither with a branch per row: the values become
/// slots (or [`BAD_SLOT`]), then the validity bitmap, eight rows at a time, puts the
/// missing slot in null rows.
fn fill_slots(
    col: &NumCol<'_>,
    start: usize,
    (lo, width): (u8, usize),
    nan_as_missing: bool,
    out: &mut [u8],
) -> bool {
    let missing = u8::try_from(width).unwrap_or(u8::MAX);
    let end = start + out.len();
    /// Integers: a slot is the value minus `lo` when below `width`.
    fn ints<T: Copy + TryInto<i64>>(
        values: Option<&[T]>,
        lo: u8,
        missing: u8,
        out: &mut [u8],
    ) -> bool {
        let Some(values) = values else {
            return false;
        };
        for (&v, o) in values.iter().zip(out.iter_mut()) {
            let v: i64 = v.try_into().unwrap_or(i64::MAX);
            #[allow(
                clippy::cast_sign_loss,
                clippy::cast_possible_truncation,
                reason = "a negative value wraps far above `missing`, and is then bad"
            )]
            let a = v.wrapping_sub(i64::from(lo)) as u64;
            #[allow(clippy::cast_possible_truncation, reason = "below `missing` when used")]
            let slot = a as u8;
            *o = if a < u64::from(missing) {
                slot
            } else {
                BAD_SLOT
            };
        }
        true
    }
    /// Floating point: a slot is the value minus `lo` when whole and below `width`; NaN
    /// is missing under `nan_as_missing`.
    fn floats(
        values: impl Iterator<Item = f64>,
        (lo, missing, nan_as_missing): (u8, u8, bool),
        out: &mut [u8],
    ) -> bool {
        for (v, o) in values.zip(out.iter_mut()) {
            let a = v - f64::from(lo);
            // `as` saturates (NaN to 0): the answer is good when it survives the round
            // trip.
            #[allow(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                reason = "the round trip rejects whatever the cast changed"
            )]
            let whole = a as u8;
            let good = (f64::from(whole) == a) & (whole < missing);
            let slot = if good { whole } else { BAD_SLOT };
            *o = if nan_as_missing & v.is_nan() {
                missing
            } else {
                slot
            };
        }
        true
    }
    /// Bytes (the usual type of small scores: pandas `Int8`, Arrow `int8`/`uint8`): the
    /// same rule in 16-bit arithmetic, which the compiler turns into vector code (16 or
    /// 32 rows an instruction); through `i64` it stayed one row at a time.
    fn bytes<T: Copy + Into<i16>>(
        values: Option<&[T]>,
        lo: u8,
        missing: u8,
        out: &mut [u8],
    ) -> bool {
        let Some(values) = values else {
            return false;
        };
        for (&v, o) in values.iter().zip(out.iter_mut()) {
            #[allow(
                clippy::cast_sign_loss,
                reason = "a value below `lo` wraps far above `missing`, and is then bad"
            )]
            let a = (v.into() - i16::from(lo)) as u16;
            #[allow(clippy::cast_possible_truncation, reason = "below `missing` when used")]
            let slot = a as u8;
            *o = if a < u16::from(missing) {
                slot
            } else {
                BAD_SLOT
            };
        }
        true
    }
    let read = match col.values {
        NumValues::I8(v) => bytes(v.get(start..end), lo, missing, out),
        NumValues::I16(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::I32(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::I64(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::U8(v) => bytes(v.get(start..end), lo, missing, out),
        NumValues::U16(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::U32(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::U64(v) => ints(v.get(start..end), lo, missing, out),
        NumValues::F32(v) => v.get(start..end).is_some_and(|v| {
            floats(
                v.iter().map(|&x| f64::from(x)),
                (lo, missing, nan_as_missing),
                out,
            )
        }),
        NumValues::F64(v) => v
            .get(start..end)
            .is_some_and(|v| floats(v.iter().copied(), (lo, missing, nan_as_missing), out)),
        NumValues::Null(_) => {
            out.fill(missing);
            return true;
        }
    };
    read && apply_validity(col.validity.as_ref(), start, missing, out)
}

/// Each byte of `BYTE_MASKS[b]` is `0xFF` where bit `b` is set, 8 bits to 8 bytes.
#[allow(
    clippy::indexing_slicing,
    reason = "a constant table, indices below 256"
)]
const BYTE_MASKS: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut mask = 0u64;
        let mut bit = 0;
        while bit < 8 {
            if (b >> bit) & 1 == 1 {
                mask |= 0xFF << (8 * bit);
            }
            bit += 1;
        }
        table[b] = mask;
        b += 1;
    }
    table
};

/// Puts the missing slot in the null rows of `out` (rows `start..` of the bitmap) and
/// tells whether every valid row's slot is good: eight rows at a time, as one word masked
/// by their eight validity bits.
fn apply_validity(
    validity: Option<&Bitmap<'_>>,
    start: usize,
    missing: u8,
    out: &mut [u8],
) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Some(bits) = validity else {
        return !out.contains(&BAD_SLOT);
    };
    let missing8 = LOW * u64::from(missing);
    let mut bad = 0u64;
    let mut chunks = out.chunks_exact_mut(8);
    let mut row = bits.offset + start;
    for chunk in &mut chunks {
        // The eight validity bits of these rows, from the two bytes they may span.
        let at = row / 8;
        let pair = u16::from(bits.bits.get(at).copied().unwrap_or(0))
            | (u16::from(bits.bits.get(at + 1).copied().unwrap_or(0)) << 8);
        #[allow(clippy::cast_possible_truncation, reason = "the low eight bits")]
        let byte = (pair >> (row % 8)) as u8;
        let mask = BYTE_MASKS.get(usize::from(byte)).copied().unwrap_or(0);
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let slots = u64::from_le_bytes(word);
        // Bytes equal to BAD_SLOT (0xFF) are the zero bytes of `!slots`, whose high bit
        // the usual zero-byte test sets (the other bytes are slots below 12, so at least
        // 0xF3 inverted: no borrow reaches their high bit).
        let inverted = !slots;
        bad |= inverted.wrapping_sub(LOW) & !inverted & HIGH & mask;
        let kept = (slots & mask) | (missing8 & !mask);
        chunk.copy_from_slice(&kept.to_le_bytes());
        row += 8;
    }
    for (j, o) in chunks.into_remainder().iter_mut().enumerate() {
        let valid = bits.get(row - bits.offset + j);
        if valid && *o == BAD_SLOT {
            return false;
        }
        if !valid {
            *o = missing;
        }
    }
    bad == 0
}

fn invalid_option(message: String) -> Error {
    Error::Input {
        code: crate::InputCode::InvalidOption,
        row: None,
        message,
    }
}

/// Scores a survey table: NPS, CSAT and CES per scope × segment, per scope and overall.
///
/// # Errors
/// `invalid_option`, `column_length_mismatch`, or the first bad answer with its row.
pub fn survey_kpis(table: &SurveyTable, options: &SurveyOptions) -> Result<SurveyReport> {
    let mut state = SurveyState::identity(options)?;
    state.extend(0, table)?;
    Ok(state.report(
        [
            table.nps.is_some(),
            table.csat.is_some(),
            table.ces.is_some(),
        ],
        options,
    ))
}

#[cfg(test)]
mod tests {
    use super::{apply_validity, Bitmap, BAD_SLOT};
    use crate::events::columns::pack_bits;

    /// The validity pass word by word and in its tail, from a bitmap that starts
    /// mid-byte: null rows get the missing slot whatever their value (a bad one
    /// included), and a bad slot in a valid row is reported, in either part.
    #[test]
    fn validity_masks_null_rows_and_finds_bad_valid_rows() {
        let missing = 5u8;
        for offset in 0..8 {
            for len in [0usize, 3, 8, 13, 24] {
                let valid: Vec<bool> = (0..len).map(|i| i % 3 != 1).collect();
                let bits =
                    pack_bits(std::iter::repeat_n(false, offset).chain(valid.iter().copied()));
                let bitmap = Bitmap {
                    bits: &bits,
                    offset,
                };
                // Bad values in null rows only: good, and masked.
                let mut out: Vec<u8> = (0..len)
                    .map(|i| if valid[i] { (i % 5) as u8 } else { BAD_SLOT })
                    .collect();
                assert!(
                    apply_validity(Some(&bitmap), 0, missing, &mut out),
                    "{offset} {len}"
                );
                let want: Vec<u8> = (0..len)
                    .map(|i| if valid[i] { (i % 5) as u8 } else { missing })
                    .collect();
                assert_eq!(out, want, "{offset} {len}");
                // A bad value in a valid row, in the words or in the tail.
                for bad in (0..len).filter(|&i| valid[i]) {
                    let mut out = want.clone();
                    out[bad] = BAD_SLOT;
                    assert!(
                        !apply_validity(Some(&bitmap), 0, missing, &mut out),
                        "{offset} {len} {bad}"
                    );
                }
            }
        }
    }
}
