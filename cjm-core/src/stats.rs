//! Small exact statistics shared by the analyses (pure functions, no state).

/// z for a two-sided 95 % interval: Φ⁻¹(0.975).
pub(crate) const Z95: f64 = 1.959_963_984_540_054;

/// ln(n!) through `lgamma` (exact to the last bits for the counts used here).
#[allow(clippy::cast_precision_loss, reason = "counts far below 2^53")]
fn ln_factorial(n: u64) -> f64 {
    libm::lgamma(n as f64 + 1.0)
}

/// Two-sided p-value of Fisher's exact test on the 2×2 table `[[a, b], [c, d]]`, as
/// `scipy.stats.fisher_exact(alternative="two-sided")` computes it: the probability,
/// under the hypergeometric distribution with the table's margins, of every table no more
/// likely than the observed one (with scipy's relative tolerance of 1e-7 for ties).
///
/// The distribution is unimodal, so both tails are summed outward from where they start
/// until their terms no longer change the sum: the work grows with the spread of the
/// distribution, not with the counts.
#[must_use]
pub(crate) fn fisher_exact_two_sided(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (row1, col1) = (a.saturating_add(b), a.saturating_add(c));
    let n = row1.saturating_add(c).saturating_add(d);
    let row2 = n - row1;
    // x (the top-left cell) ranges over [lo, hi] for these margins.
    let lo = col1.saturating_sub(row2);
    let hi = col1.min(row1);
    if lo == hi {
        return 1.0;
    }
    let fixed =
        ln_factorial(row1) + ln_factorial(row2) + ln_factorial(col1) + ln_factorial(n - col1)
            - ln_factorial(n);
    let ln_p = |x: u64| {
        fixed
            - ln_factorial(x)
            - ln_factorial(row1 - x)
            - ln_factorial(col1 - x)
            - ln_factorial(row2 + x - col1)
    };
    let observed = ln_p(a);
    // Tables as likely as the observed one within scipy's tolerance count as "no more
    // likely".
    let threshold = observed + (1.0 + 1e-7f64).ln();
    // The mode of the hypergeometric distribution.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "a count within [lo, hi]"
    )]
    let mode = ((((row1 + 1) as f64) * ((col1 + 1) as f64) / ((n + 2) as f64)).floor() as u64)
        .clamp(lo, hi);
    // Sums exp(ln_p) over x = start, start ∓ 1, … while the terms matter.
    let tail = |start: u64, down: bool| -> f64 {
        let mut sum = 0.0f64;
        let mut x = start;
        loop {
            let p = (ln_p(x) - observed).exp();
            sum += p;
            if p < sum * 1e-17 || (down && x == lo) || (!down && x == hi) {
                break;
            }
            x = if down { x - 1 } else { x + 1 };
        }
        sum
    };
    // The first x (moving away from the mode) whose probability is at most the
    // threshold, on the side [mode, hi] going up or [lo, mode] going down.
    let first_below = |down: bool| -> Option<u64> {
        let (mut inner, mut outer) = if down { (mode, lo) } else { (mode, hi) };
        if ln_p(outer) > threshold {
            return None;
        }
        if ln_p(inner) <= threshold {
            return Some(inner);
        }
        // ln_p(inner) > threshold ≥ ln_p(outer): bisect.
        while inner.abs_diff(outer) > 1 {
            let mid = if down {
                outer + (inner - outer) / 2
            } else {
                inner + (outer - inner) / 2
            };
            if ln_p(mid) <= threshold {
                outer = mid;
            } else {
                inner = mid;
            }
        }
        Some(outer)
    };
    let mut relative = 0.0;
    if let Some(x) = first_below(true) {
        relative += tail(x, true);
    }
    if let Some(x) = first_below(false) {
        // The mode itself is counted once when both sides start there.
        let start = if first_below(true) == Some(x) {
            x + 1
        } else {
            x
        };
        if start <= hi {
            relative += tail(start, false);
        }
    }
    (relative * observed.exp()).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values from `scipy.stats.fisher_exact` (scipy 1.17), checked by hand for the first:
    /// margins 3, 3 / 3, 3, tables x = 0..3 with probabilities 1, 9, 9, 1 (/20); x = 3 is
    /// as unlikely as x = 0, so p = 2/20 = 0.1.
    #[test]
    fn fisher_matches_scipy() {
        assert!((fisher_exact_two_sided(3, 0, 0, 3) - 0.1).abs() < 1e-15);
        assert!((fisher_exact_two_sided(1, 1, 1, 1) - 1.0).abs() < 1e-15);
        assert_eq!(fisher_exact_two_sided(0, 0, 0, 0), 1.0);
        // scipy.stats.fisher_exact([[a, b], [c, d]])[1], scipy 1.17.1.
        for (table, scipy) in [
            ((8, 2, 1, 5), 0.034965034965034975),
            ((20, 380, 10, 590), 0.003817593219562117),
            ((0, 5, 7, 0), 0.0012626262626262627),
            ((120, 30000, 80, 50000), 1.5746986517068191e-10),
            ((2, 7, 8, 2), 0.02301413756522116),
        ] {
            let (a, b, c, d) = table;
            let p = fisher_exact_two_sided(a, b, c, d);
            assert!(
                (p - scipy).abs() <= 1e-9 * scipy,
                "{table:?}: {p} vs {scipy}"
            );
        }
    }
}
