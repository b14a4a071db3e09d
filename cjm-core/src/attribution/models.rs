//! Heuristic and Shapley credit rules, path by path.

use super::codes::Row;
use super::{AttributionOptions, DecayCurve, PositionWeights};
use crate::error::{Error, Result};

/// Validated (first, middle, last) weights.
pub(crate) fn position_weights(p: &PositionWeights) -> Result<[f64; 3]> {
    let w = match *p {
        PositionWeights::U => [0.4, 0.2, 0.4],
        PositionWeights::J => [0.2, 0.2, 0.6],
        PositionWeights::InverseJ => [0.6, 0.2, 0.2],
        PositionWeights::Custom {
            first,
            middle,
            last,
        } => [first, middle, last],
    };
    let sum: f64 = w.iter().sum();
    if w.iter().any(|x| !x.is_finite() || *x < 0.0) || (sum - 1.0).abs() > 1e-9 {
        return Err(Error::Input {
            code: crate::InputCode::InvalidOption,
            row: None,
            message: format!(
                "`position_weights` `{}`, `{}`, `{}` must be non-negative and sum to 1",
                w[0], w[1], w[2]
            ),
        });
    }
    Ok(w)
}

/// Share of each touch of a path of `n` touches under position weights.
pub(crate) fn position_fractions(n: usize, w: [f64; 3]) -> Vec<f64> {
    let [first, middle, last] = w;
    match n {
        0 => Vec::new(),
        1 => vec![1.0],
        2 => {
            let s = first + last;
            if s > 0.0 {
                vec![first / s, last / s]
            } else {
                vec![0.5, 0.5]
            }
        }
        _ => {
            #[allow(clippy::cast_precision_loss, reason = "path lengths are small")]
            let each = middle / (n - 2) as f64;
            let mut v = vec![each; n];
            if let Some(x) = v.first_mut() {
                *x = first;
            }
            if let Some(x) = v.last_mut() {
                *x = last;
            }
            v
        }
    }
}

/// Time-decay shares, or `None` when the row has no times.
pub(crate) fn decay_fractions(row: &Row<'_>, options: &AttributionOptions) -> Option<Vec<f64>> {
    let times = row.seconds?;
    if times.len() != row.codes.len() {
        return None;
    }
    let h = options.half_life_seconds;
    // Exponents of 2, shifted by their maximum so the largest weight is 1 (no underflow
    // of every weight at once).
    let e: Vec<f64> = times
        .iter()
        .map(|t| {
            let x = t / h;
            -(match options.decay {
                DecayCurve::Continuous => x,
                DecayCurve::Stepped => x.floor(),
            })
        })
        .collect();
    let max = e.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = e.iter().map(|x| (x - max).exp2()).collect();
    let sum: f64 = w.iter().sum();
    (sum > 0.0 && sum.is_finite()).then(|| w.iter().map(|x| x / sum).collect())
}

/// Index of the touch that last non-direct credits; `direct` is the direct channel's
/// code (`None` when no path touches it).
pub(crate) fn last_non_direct(row: &Row<'_>, direct: Option<u32>) -> Option<usize> {
    row.codes
        .iter()
        .rposition(|&c| Some(c) != direct)
        .or_else(|| row.codes.len().checked_sub(1))
}

/// Distinct channels of a path, in first-seen order, into `out`.
pub(crate) fn distinct(row: &Row<'_>, out: &mut Vec<u32>) {
    out.clear();
    for &c in row.codes {
        if !out.contains(&c) {
            out.push(c);
        }
    }
}
