//! Comparisons (docs/scoring.md): two groups on each KPI with the difference and its
//! uncertainty, two versions of a map, and patterns across several maps.
//!
//! - Rates (CSAT or CES top box, conversion) use the **two-proportion z-test** with the
//!   pooled proportion, `z = (p₁ − p₂)/sqrt(p(1 − p)(1/n₁ + 1/n₂))`, two-sided p-value
//!   `2(1 − Φ(|z|))` — the same as statsmodels' `proportions_ztest` — and a 95 % interval
//!   of the difference with the unpooled standard error.
//! - NPS differences carry the margin `sqrt(m₁² + m₂²)` of two independent samples, each
//!   margin as in the NPS definition; the difference is significant when it exceeds it.
//! - Means (CSAT or CES `mean`) use a normal approximation with unpooled variances from the
//!   answer counts, `z = (x̄₁ − x̄₂)/sqrt(s₁²/n₁ + s₂²/n₂)` (sample variances, n − 1).

use super::health::{health, HealthInputs, HealthReport, HealthScore, ScoringModel};
use super::priority::priorities;
#[cfg(doc)]
use super::survey::SurveyState;
use super::survey::{top_box_points, GroupState, ScaleMethod, ScaleState, SurveyOptions, Z95};
use crate::definition::Definition;
use crate::insights::{insights, InsightInputs, InsightOptions, Severity};
use crate::scoring::emotion_curves;
use crate::ValidJourney;
use serde::Serialize;
use std::collections::BTreeMap;

/// Standard normal cumulative distribution function.
#[must_use]
pub fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
}

#[allow(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn f(n: u64) -> f64 {
    n as f64
}

/// A two-proportion z-test.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ProportionTest {
    /// x₁/n₁.
    pub p1: Option<f64>,
    /// x₂/n₂.
    pub p2: Option<f64>,
    /// p₁ − p₂.
    pub difference: Option<f64>,
    /// The z statistic (pooled standard error); `None` when undefined (a group without
    /// trials, or both proportions 0 or both 1).
    pub z: Option<f64>,
    /// Two-sided p-value.
    pub p_value: Option<f64>,
    /// 95 % interval of the difference (unpooled standard error).
    pub interval: Option<[f64; 2]>,
}

/// Tests whether x₁ of n₁ and x₂ of n₂ come from the same proportion. A group without
/// trials (n = 0, and so x = 0) gives no test: every statistic is `None`.
///
/// # Errors
/// `invalid_option` when successes exceed trials (x > n).
pub fn two_proportion_test(x1: u64, n1: u64, x2: u64, n2: u64) -> crate::Result<ProportionTest> {
    for (x, n, which) in [(x1, n1, 1), (x2, n2, 2)] {
        if x > n {
            return Err(crate::Error::Input {
                code: "invalid_option",
                row: None,
                message: format!("`x{which}` `{x}` is more than `n{which}` `{n}`: successes cannot exceed trials"),
            });
        }
    }
    Ok(proportion_test(x1, n1, x2, n2))
}

/// The test itself, for counts already known to satisfy x ≤ n.
fn proportion_test(x1: u64, n1: u64, x2: u64, n2: u64) -> ProportionTest {
    if n1 == 0 || n2 == 0 {
        return ProportionTest {
            p1: (n1 > 0).then(|| f(x1) / f(n1)),
            p2: (n2 > 0).then(|| f(x2) / f(n2)),
            difference: None,
            z: None,
            p_value: None,
            interval: None,
        };
    }
    let (p1, p2) = (f(x1) / f(n1), f(x2) / f(n2));
    let pooled = f(x1 + x2) / f(n1 + n2);
    let se = (pooled * (1.0 - pooled) * (1.0 / f(n1) + 1.0 / f(n2))).sqrt();
    let z = (se > 0.0).then(|| (p1 - p2) / se);
    let unpooled = (p1 * (1.0 - p1) / f(n1) + p2 * (1.0 - p2) / f(n2)).sqrt();
    ProportionTest {
        p1: Some(p1),
        p2: Some(p2),
        difference: Some(p1 - p2),
        z,
        p_value: z.map(|z| 2.0 * (1.0 - normal_cdf(z.abs()))),
        interval: Some([p1 - p2 - Z95 * unpooled, p1 - p2 + Z95 * unpooled]),
    }
}

/// One KPI compared between two groups.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct KpiComparison {
    /// `nps`, `csat` or `ces`.
    pub metric: String,
    /// Value of group A.
    pub a: Option<f64>,
    /// Value of group B.
    pub b: Option<f64>,
    /// A − B.
    pub difference: Option<f64>,
    /// Half-width of the 95 % interval of the difference.
    pub margin: Option<f64>,
    /// The test statistic, for rates and means.
    pub z: Option<f64>,
    /// Two-sided p-value, for rates and means.
    pub p_value: Option<f64>,
    /// Whether the difference is significant at 95 %.
    pub significant: Option<bool>,
    /// The method (`nps_margins`, `two_proportion_z`, `difference_of_means_z`).
    pub method: String,
}

/// Two survey groups compared on every KPI both have.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct GroupComparison {
    /// One entry per metric.
    pub kpis: Vec<KpiComparison>,
    /// The methods and their hash.
    pub definition: Definition,
}

fn mean_and_variance(state_counts: &[u64]) -> Option<(f64, f64, u64)> {
    let n: u64 = state_counts.iter().sum();
    if n == 0 {
        return None;
    }
    let points = state_counts
        .iter()
        .zip(1u32..)
        .map(|(c, p)| (f(*c), f64::from(p)));
    let mean = points.clone().map(|(c, p)| c * p).sum::<f64>() / f(n);
    let ss: f64 = points.map(|(c, p)| c * (p - mean).powi(2)).sum();
    let variance = if n > 1 { ss / f(n - 1) } else { 0.0 };
    Some((mean, variance, n))
}

fn compare_scale(
    metric: &str,
    method: ScaleMethod,
    sa: &ScaleState,
    sb: &ScaleState,
) -> KpiComparison {
    let (score_a, score_b) = (sa.score(metric, method), sb.score(metric, method));
    let base =
        |difference, margin, z: Option<f64>, p_value: Option<f64>, method: &str| KpiComparison {
            metric: metric.to_owned(),
            a: score_a.value,
            b: score_b.value,
            difference,
            margin,
            z,
            p_value,
            significant: p_value.map(|p| p < 0.05),
            method: method.to_owned(),
        };
    match method {
        ScaleMethod::TopBox => {
            let top = |s: &ScaleState| {
                let first = usize::from(s.scale_max() - top_box_points(s.scale_max()));
                (
                    s.counts.iter().skip(first).sum::<u64>(),
                    s.counts.iter().sum::<u64>(),
                )
            };
            let ((xa, na), (xb, nb)) = (top(sa), top(sb));
            // Top-box counts never exceed the answered counts.
            let t = proportion_test(xa, na, xb, nb);
            base(
                t.difference.map(|d| d * 100.0),
                t.interval.map(|[lo, hi]| (hi - lo) / 2.0 * 100.0),
                t.z,
                t.p_value,
                "two_proportion_z",
            )
        }
        ScaleMethod::Mean | ScaleMethod::PctOfMax => {
            let unit = if method == ScaleMethod::PctOfMax {
                100.0 / f64::from(sa.scale_max())
            } else {
                1.0
            };
            match (mean_and_variance(&sa.counts), mean_and_variance(&sb.counts)) {
                (Some((ma, va, na)), Some((mb, vb, nb))) => {
                    let se = (va / f(na) + vb / f(nb)).sqrt();
                    let z = (se > 0.0).then(|| (ma - mb) / se);
                    let p = z.map(|z| 2.0 * (1.0 - normal_cdf(z.abs())));
                    base(
                        Some((ma - mb) * unit),
                        Some(Z95 * se * unit),
                        z,
                        p,
                        "difference_of_means_z",
                    )
                }
                _ => base(None, None, None, None, "difference_of_means_z"),
            }
        }
    }
}

/// Compares two groups of survey answers — two personas or segments, two channels, or two
/// variants of a touchpoint in an A/B test — on NPS, CSAT and CES, with the methods of
/// `options`. Get the groups' answer counts from [`SurveyState::group_state`].
#[must_use]
pub fn compare_groups(a: &GroupState, b: &GroupState, options: &SurveyOptions) -> GroupComparison {
    let mut kpis = Vec::new();
    let (na, nb) = (a.nps.score(), b.nps.score());
    if na.answered + nb.answered > 0 {
        let difference = na.value.zip(nb.value).map(|(x, y)| x - y);
        let margin = na.margin.zip(nb.margin).map(|(x, y)| x.hypot(y));
        kpis.push(KpiComparison {
            metric: "nps".to_owned(),
            a: na.value,
            b: nb.value,
            difference,
            margin,
            z: None,
            p_value: None,
            significant: difference.zip(margin).map(|(d, m)| d.abs() > m),
            method: "nps_margins".to_owned(),
        });
    }
    let answered = |s: &ScaleState| s.counts.iter().sum::<u64>();
    if answered(&a.csat) + answered(&b.csat) > 0 {
        kpis.push(compare_scale("csat", options.csat_method, &a.csat, &b.csat));
    }
    if answered(&a.ces) + answered(&b.ces) > 0 {
        kpis.push(compare_scale("ces", options.ces_method, &a.ces, &b.ces));
    }
    GroupComparison {
        kpis,
        definition: Definition::new(
            "group_comparison",
            &serde_json::json!({
                "nps": "difference with margin sqrt(m1^2+m2^2)",
                "rates": "two-proportion z-test (pooled), 95% interval unpooled",
                "means": "difference of means, normal approximation, unpooled variances",
                "csat_method": options.csat_method, "ces_method": options.ces_method,
            }),
        ),
    }
}

/// What changed in one collection between two versions of a map.
#[derive(Debug, Clone, Default, PartialEq, Serialize, schemars::JsonSchema)]
pub struct CollectionDiff {
    /// Ids only in the new version.
    pub added: Vec<String>,
    /// Ids only in the old version.
    pub removed: Vec<String>,
    /// Ids in both whose content changed, with the changed top-level fields.
    pub changed: Vec<ChangedItem>,
}

/// An item present in both versions with different content.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ChangedItem {
    /// Item id.
    pub id: String,
    /// Names of the fields that differ.
    pub fields: Vec<String>,
}

/// A score before and after.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ScoreChange {
    /// `journey`, `stage`, `touchpoint`, `pain_point` or `opportunity`.
    pub kind: String,
    /// Item id.
    pub id: String,
    /// Score in the old version (`None`: absent or undefined).
    pub before: Option<f64>,
    /// Score in the new version.
    pub after: Option<f64>,
    /// after − before, when both exist.
    pub delta: Option<f64>,
}

/// Two versions of a map compared: structure and every score.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct MapDiff {
    /// Top-level journey fields that changed (name, description, state, review…).
    pub journey_fields: Vec<String>,
    /// Per collection (`stages`, `touchpoints`…), what changed; unchanged ones omitted.
    pub collections: BTreeMap<String, CollectionDiff>,
    /// Health (journey, stages, touchpoints) and priority (pain points, opportunities)
    /// before and after.
    pub scores: Vec<ScoreChange>,
    /// The scoring model and its hash.
    pub definition: Definition,
}

const COLLECTIONS: &[&str] = &[
    "objectives",
    "personas",
    "stages",
    "channels",
    "touchpoints",
    "observations",
    "pain_points",
    "opportunities",
    "kpis",
    "evidence",
    "teams",
];

fn items_by_id(doc: &serde_json::Value, collection: &str) -> BTreeMap<String, serde_json::Value> {
    doc.get(collection)
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|item| Some((item.get("id")?.as_str()?.to_owned(), item.clone())))
        .collect()
}

fn changed_fields(a: &serde_json::Value, b: &serde_json::Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(k.as_str()) != b.get(k.as_str()))
        .cloned()
        .collect()
}

fn health_scores(report: &HealthReport) -> Vec<(&'static str, &HealthScore)> {
    std::iter::once(("journey", &report.journey))
        .chain(report.stages.iter().map(|s| ("stage", s)))
        .chain(report.touchpoints.iter().map(|t| ("touchpoint", t)))
        .collect()
}

/// Compares two versions of a map: added, removed and changed items by id, and the change
/// in every health score and priority (scored with `model` and each version's inputs).
///
/// # Errors
/// `invalid_option` for an invalid scoring model.
pub fn diff_maps(
    before: &ValidJourney,
    after: &ValidJourney,
    model: &ScoringModel,
    before_inputs: &HealthInputs<'_>,
    after_inputs: &HealthInputs<'_>,
) -> crate::Result<MapDiff> {
    let (a, b) = (
        serde_json::to_value(before.journey()).unwrap_or_default(),
        serde_json::to_value(after.journey()).unwrap_or_default(),
    );
    let mut journey_fields = changed_fields(&a, &b);
    journey_fields.retain(|f| !COLLECTIONS.contains(&f.as_str()));
    let mut collections = BTreeMap::new();
    for &name in COLLECTIONS {
        let (old, new) = (items_by_id(&a, name), items_by_id(&b, name));
        let diff = CollectionDiff {
            added: new
                .keys()
                .filter(|k| !old.contains_key(*k))
                .cloned()
                .collect(),
            removed: old
                .keys()
                .filter(|k| !new.contains_key(*k))
                .cloned()
                .collect(),
            changed: old
                .iter()
                .filter_map(|(id, item)| {
                    let other = new.get(id)?;
                    let fields = changed_fields(item, other);
                    (!fields.is_empty()).then(|| ChangedItem {
                        id: id.clone(),
                        fields,
                    })
                })
                .collect(),
        };
        if diff != CollectionDiff::default() {
            collections.insert(name.to_owned(), diff);
        }
    }
    let (ha, hb) = (
        health(before, model, before_inputs)?,
        health(after, model, after_inputs)?,
    );
    let mut scores: BTreeMap<(String, String), (Option<f64>, Option<f64>)> = BTreeMap::new();
    let mut order: Vec<(String, String)> = Vec::new();
    let mut record = |kind: &str, id: &str, value: Option<f64>, slot: usize| {
        let key = (kind.to_owned(), id.to_owned());
        if !scores.contains_key(&key) {
            order.push(key.clone());
        }
        let entry = scores.entry(key).or_insert((None, None));
        if slot == 0 {
            entry.0 = value;
        } else {
            entry.1 = value;
        }
    };
    for (slot, report) in [&ha, &hb].into_iter().enumerate() {
        for (kind, score) in health_scores(report) {
            record(kind, &score.id, score.score, slot);
        }
    }
    for (slot, (journey, inputs)) in [(before, before_inputs), (after, after_inputs)]
        .into_iter()
        .enumerate()
    {
        let p = priorities(journey, inputs.reach);
        for pain in &p.pain_points {
            record("pain_point", &pain.pain_point, pain.priority, slot);
        }
        for opportunity in &p.opportunities {
            record(
                "opportunity",
                &opportunity.opportunity,
                Some(opportunity.score),
                slot,
            );
        }
    }
    let scores = order
        .into_iter()
        .filter_map(|key| {
            let (before, after) = *scores.get(&key)?;
            Some(ScoreChange {
                kind: key.0,
                id: key.1,
                before,
                after,
                delta: before.zip(after).map(|(x, y)| y - x),
            })
        })
        .collect();
    Ok(MapDiff {
        journey_fields,
        collections,
        scores,
        definition: Definition::new("map_diff", model),
    })
}

/// Something that recurs across maps.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Pattern {
    /// `pain_point` (by name, case and spacing ignored), `low_point` (stage name of a
    /// persona's emotional low point) or `insight` (finding code).
    pub kind: String,
    /// The recurring key (normalised pain point name, stage name, or insight code).
    pub key: String,
    /// How many maps it occurs in.
    pub maps: usize,
    /// How many times in all.
    pub occurrences: usize,
    /// How bad: mean severity 1–5 of the pain points, mean low value (−1..1, lower is
    /// worse) of the low points, the highest insight severity (1 info, 2 warning, 3
    /// critical).
    pub badness: f64,
    /// Ids of the maps it occurs in.
    pub map_ids: Vec<String>,
}

/// Patterns across several maps (or several personas' maps), ranked by how many maps they
/// occur in, then by how bad, then by key.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Patterns {
    /// Patterns occurring in at least two maps.
    pub patterns: Vec<Pattern>,
    /// The rules and their hash.
    pub definition: Definition,
}

/// Finds pain points, emotional low points and insights that recur across maps.
///
/// # Errors
/// `invalid_option` for invalid insight options.
pub fn patterns(maps: &[&ValidJourney], options: &InsightOptions) -> crate::Result<Patterns> {
    type Acc = (Vec<String>, usize, Vec<f64>);
    let mut found: BTreeMap<(String, String), Acc> = BTreeMap::new();
    let mut add = |kind: &str, key: String, map_id: &str, badness: f64| {
        let entry = found
            .entry((kind.to_owned(), key))
            .or_insert_with(|| (Vec::new(), 0, Vec::new()));
        if !entry.0.iter().any(|m| m == map_id) {
            entry.0.push(map_id.to_owned());
        }
        entry.1 += 1;
        entry.2.push(badness);
    };
    for map in maps {
        let j = map.journey();
        for pain in &j.pain_points {
            let key = pain
                .name
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            add("pain_point", key, &j.id, f64::from(pain.severity));
        }
        for curve in emotion_curves(map) {
            if let Some(low) = curve.low {
                let name = j
                    .stages
                    .iter()
                    .find(|s| s.id == low.stage)
                    .map_or(low.stage.clone(), |s| s.name.to_lowercase());
                add("low_point", name, &j.id, low.value);
            }
        }
        for insight in insights(map, options, &InsightInputs::default())?.insights {
            let level = match insight.severity {
                Severity::Info => 1.0,
                Severity::Warning => 2.0,
                Severity::Critical => 3.0,
            };
            add("insight", insight.code, &j.id, level);
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "small counts")]
    let mut patterns: Vec<Pattern> = found
        .into_iter()
        .filter(|(_, (maps, _, _))| maps.len() >= 2)
        .map(|((kind, key), (map_ids, occurrences, values))| {
            let badness = match kind.as_str() {
                "insight" => values.iter().copied().fold(0.0, f64::max),
                _ => values.iter().sum::<f64>() / values.len() as f64,
            };
            Pattern {
                kind,
                key,
                maps: map_ids.len(),
                occurrences,
                badness,
                map_ids,
            }
        })
        .collect();
    // Worse first: higher severity for pain points and insights, lower value for low points.
    let worse = |p: &Pattern| {
        if p.kind == "low_point" {
            -p.badness
        } else {
            p.badness
        }
    };
    crate::sort::stable_by(&mut patterns, |a, b| {
        b.maps
            .cmp(&a.maps)
            .then(worse(b).total_cmp(&worse(a)))
            .then(a.kind.cmp(&b.kind))
            .then(a.key.cmp(&b.key))
    });
    Ok(Patterns {
        patterns,
        definition: Definition::new("patterns", options),
    })
}
