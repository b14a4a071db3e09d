//! Comparisons of two groups of survey answers (docs/scoring.md): each KPI with the
//! difference and its uncertainty. Two versions of a map and patterns across several maps
//! are compared above the insights, in `crate::maps`.
//!
//! - Rates (CSAT or CES top box, conversion) use the **two-proportion z-test** with the
//!   pooled proportion, `z = (p₁ − p₂)/sqrt(p(1 − p)(1/n₁ + 1/n₂))`, two-sided p-value
//!   `2(1 − Φ(|z|))` — the same as statsmodels' `proportions_ztest` — and a 95 % interval
//!   of the difference with the unpooled standard error.
//! - NPS differences carry the margin `sqrt(m₁² + m₂²)` of two independent samples, each
//!   margin as in the NPS definition; the difference is significant when it exceeds it.
//! - Means (CSAT or CES `mean`) use a normal approximation with unpooled variances from the
//!   answer counts, `z = (x̄₁ − x̄₂)/sqrt(s₁²/n₁ + s₂²/n₂)` (sample variances, n − 1).

use super::survey::{
    top_box_points, GroupSelector, GroupState, ScaleMethod, ScaleState, SurveyOptions, SurveyState,
    SurveyTable, Z95,
};
use crate::definition::Definition;
use serde::{Deserialize, Serialize};

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
                code: crate::InputCode::InvalidOption,
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

impl SurveyState {
    /// The groups `a` and `b` picked from these answers ([`SurveyState::select`]) and
    /// compared ([`compare_groups`]). Each side comes with the name the caller gave it
    /// (`a`, `options.b`), which an error in picking that group starts with.
    ///
    /// # Errors
    /// `invalid_option` from [`SurveyState::select`], its message prefixed by the side's
    /// name; `invalid_option` for a `min_group_size` above 0, which a comparison does
    /// not apply (it would otherwise compare groups the caller meant to keep hidden).
    pub fn compare(
        &self,
        a: (&str, &GroupSelector),
        b: (&str, &GroupSelector),
        options: &SurveyOptions,
    ) -> crate::Result<GroupComparison> {
        if options.min_group_size > 0 {
            return Err(crate::Error::Input {
                code: crate::InputCode::InvalidOption,
                row: None,
                message: format!(
                    "`min_group_size` ({}) does not apply to a comparison, which compares \
                     the two groups whatever their size: leave it out; to see which groups \
                     are too small to report, use `survey_kpis` (`surveyKpis`) with it",
                    options.min_group_size
                ),
            });
        }
        let pick = |(name, selector): (&str, &GroupSelector)| {
            self.select(selector).map_err(|e| match e {
                crate::Error::Input { code, row, message } => crate::Error::Input {
                    code,
                    row,
                    message: format!("`{name}`: {message}"),
                },
                other => other,
            })
        };
        Ok(compare_groups(&pick(a)?, &pick(b)?, options))
    }
}

/// A comparison of two groups of one survey table as one options object from a
/// dynamically typed caller (JavaScript's `compareSegments(table, {a, b, survey?})`):
/// both groups are required, `survey` scores them; an unknown key is `invalid_option`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareData {
    /// The first group.
    pub a: GroupSelector,
    /// The second group.
    pub b: GroupSelector,
    /// How the answers are scored (`min_group_size` is refused, as by
    /// [`SurveyState::compare`]).
    #[serde(default, deserialize_with = "crate::validate::null_default")]
    pub survey: SurveyOptions,
}

impl CompareData {
    /// The two groups of `table` compared: its answers counted ([`SurveyState`]), then
    /// [`SurveyState::compare`], an error in picking a group starting with
    /// `options.a` or `options.b`.
    ///
    /// # Errors
    /// The table's errors (an answer off its scale, with its row), then
    /// [`SurveyState::compare`]'s.
    pub fn compare(&self, table: &SurveyTable) -> crate::Result<GroupComparison> {
        let mut state = SurveyState::identity(&self.survey)?;
        state.extend(0, table)?;
        state.compare(("options.a", &self.a), ("options.b", &self.b), &self.survey)
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
