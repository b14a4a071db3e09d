//! The sequential funnel against a brute-force reference written from its documented rule
//! (docs/events.md, "Funnels"): every step-1 event starts an attempt; each later step takes
//! the customer's earliest event of that step at or after the previous step's time (ties
//! in input order), within the window from the step-1 event and the step's own window; a
//! customer counts at the deepest step any attempt reaches, and the times of a step are
//! those of the earliest attempt reaching it. The engine skips work this rule does not
//! need (attempts that cannot go deeper, a comparison sort of the durations); the
//! reference does none of that.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::events::{EventLog, Funnel, FunnelOptions, IngestOptions, RawEvent, TimeUnit};
use proptest::prelude::*;

const NS: i64 = 1_000_000_000;

/// Per step: customers reaching it, and (for steps after the first) the durations in
/// seconds from the first step and from the previous one.
type Reference = Vec<(u64, Vec<f64>, Vec<f64>)>;

/// The funnel of `rows` (`(customer, time in seconds, event)`) by the rule alone; windows
/// in seconds too.
fn reference(
    rows: &[(u16, i64, u8)],
    steps: &[u8],
    window: i64,
    step_windows: &[Option<i64>],
) -> Reference {
    let k = steps.len();
    let mut out: Reference = vec![(0, Vec::new(), Vec::new()); k];
    // Each customer's events in (time, input row) order.
    let mut all: Vec<(u16, i64, usize, u8)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.0, r.1, i, r.2))
        .collect();
    all.sort_unstable();
    for group in all.chunk_by(|a, b| a.0 == b.0) {
        let ev: Vec<(i64, usize, u8)> = group.iter().map(|&(_, t, i, e)| (t, i, e)).collect();
        let mut best = 0usize;
        let mut times: Vec<(f64, f64)> = vec![(0.0, 0.0); k];
        for &(t0, _, e) in &ev {
            if e != steps[0] {
                continue;
            }
            let mut chain = vec![t0];
            for (s, &want) in steps.iter().enumerate().skip(1) {
                let prev = *chain.last().unwrap();
                let next = ev.iter().find(|&&(t, _, e)| e == want && t >= prev);
                let Some(&(t, _, _)) = next else { break };
                let step_ok = step_windows
                    .get(s)
                    .copied()
                    .flatten()
                    .is_none_or(|sw| t - prev <= sw);
                if t - t0 > window || !step_ok {
                    break;
                }
                chain.push(t);
            }
            for s in best..chain.len() {
                let prev = if s == 0 { chain[0] } else { chain[s - 1] };
                times[s] = ((chain[s] - t0) as f64, (chain[s] - prev) as f64);
            }
            best = best.max(chain.len());
        }
        for (s, slot) in out.iter_mut().enumerate().take(best) {
            slot.0 += 1;
            if s > 0 {
                slot.1.push(times[s].0);
                slot.2.push(times[s].1);
            }
        }
    }
    out
}

/// The median with linear interpolation between the two middle values (numpy's default).
fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let pos = (v.len() - 1) as f64 * 0.5;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    match v.get(lo + 1) {
        Some(&hi) => v[lo] + (hi - v[lo]) * frac,
        None => v[lo],
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn sequential_funnel_equals_the_brute_force_rule(
        rows in prop::collection::vec((0u8..6, 0i64..25, 0u8..5), 0..80),
        order in Just(vec![0u8, 1, 2, 3, 4]).prop_shuffle(),
        k in 2usize..5,
        window in 1i64..20,
        step_windows in prop::collection::vec(prop::option::of(0i64..10), 5),
        big in prop::bool::weighted(0.05),
    ) {
        // Long logs (copies of the rows for other customers, up to 160k rows) also take
        // the two-thread split. (The radix sort of the durations has its own test.)
        let rows: Vec<(u16, i64, u8)> = if big {
            (0..2_000u16)
                .flat_map(|r| rows.iter().map(move |&(c, t, e)| (u16::from(c) + 6 * r, t + i64::from(r % 7), e)))
                .collect()
        } else {
            rows.iter().map(|&(c, t, e)| (u16::from(c), t, e)).collect()
        };
        let steps: Vec<u8> = order[..k].to_vec();
        let names: Vec<String> = steps.iter().map(|e| format!("e{e}")).collect();
        let step_windows: Vec<Option<i64>> =
            std::iter::once(None).chain(step_windows[1..k].iter().copied()).collect();
        let text: Vec<(String, i64, String)> =
            rows.iter().map(|&(c, t, e)| (format!("c{c}"), t * NS, format!("e{e}"))).collect();
        let log = EventLog::from_rows(
            text.iter().map(|(c, t, e)| RawEvent::new(c, *t, e)),
            IngestOptions { time_unit: TimeUnit::Nanoseconds, ..IngestOptions::default() },
        )
        .unwrap()
        .0;
        let options = FunnelOptions {
            window_seconds: Some(u64::try_from(window).unwrap()),
            step_windows_seconds: step_windows
                .iter()
                .map(|w| w.map(|w| u64::try_from(w).unwrap()))
                .collect(),
            allow_missing_events: true,
            ..FunnelOptions::default()
        };
        let got = Funnel { options, ..Funnel::events(&names) }.run(&log, None).unwrap();
        // The reference counts in seconds, as the rows are written.
        let want = reference(&rows, &steps, window, &step_windows);
        for (s, (step, (n, from_first, from_prev))) in got.steps.iter().zip(&want).enumerate() {
            prop_assert_eq!(step.customers, *n, "step {}", s);
            if s == 0 || from_first.is_empty() {
                prop_assert!(step.time_from_first.is_none() || s == 0);
                continue;
            }
            for (stats, values) in [(&step.time_from_first, from_first), (&step.time_from_previous, from_prev)] {
                let stats = stats.as_ref().unwrap();
                prop_assert_eq!(stats.count, values.len() as u64);
                let mean = values.iter().sum::<f64>() / values.len() as f64;
                prop_assert!(close(stats.mean_seconds, mean), "step {} mean {} vs {}", s, stats.mean_seconds, mean);
                prop_assert!(close(stats.median_seconds, median(values)), "step {} median {} vs {}", s, stats.median_seconds, median(values));
            }
        }
    }
}
