//! Survey scoring on 1M generated responses: 12 touchpoints × 3 segments, NPS, CSAT and
//! CES with about 5 % nulls (the same shape as cjm-py/bench/survey_bench.py).
//!
//! `cargo bench -p cjm-core --bench survey`

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark code")]

use cjm_core::scoring::{survey_kpis, SurveyColumns, SurveyOptions, SurveyState, SurveyTable};
use criterion::{criterion_group, criterion_main, Criterion};

fn table(n: usize) -> SurveyTable {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut t = SurveyTable {
        nps: Some(Vec::with_capacity(n)),
        csat: Some(Vec::with_capacity(n)),
        ces: Some(Vec::with_capacity(n)),
        ..SurveyTable::default()
    };
    #[allow(clippy::cast_precision_loss, reason = "small values")]
    for _ in 0..n {
        let r = next();
        t.scope.push(Some(format!("tp-{}", r % 12)));
        t.segment.push(Some(format!("seg-{}", (r >> 8) % 3)));
        let answer = |shift: u32, k: u64, lo: u64| {
            ((r >> shift) % 20 != 0).then(|| ((r >> (shift + 5)) % k + lo) as f64)
        };
        t.nps.as_mut().unwrap().push(answer(16, 11, 0));
        t.csat.as_mut().unwrap().push(answer(24, 5, 1));
        t.ces.as_mut().unwrap().push(answer(32, 7, 1));
    }
    t
}

fn bench(c: &mut Criterion) {
    let t = table(1_000_000);
    let options = SurveyOptions::default();
    let mut group = c.benchmark_group("survey_1m");
    group.sample_size(10);
    group.bench_function("survey_kpis owned table", |b| {
        b.iter(|| survey_kpis(&t, &options).unwrap())
    });
    let scope: Vec<Option<&str>> = t.scope.iter().map(Option::as_deref).collect();
    let segment: Vec<Option<&str>> = t.segment.iter().map(Option::as_deref).collect();
    group.bench_function("extend_columns borrowed", |b| {
        b.iter(|| {
            let mut state = SurveyState::identity(&options).unwrap();
            state
                .extend_columns(
                    0,
                    &SurveyColumns {
                        scope: Some(&scope),
                        segment: Some(&segment),
                        nps: t.nps.as_deref(),
                        csat: t.csat.as_deref(),
                        ces: t.ces.as_deref(),
                    },
                )
                .unwrap();
            state.report([true, true, true], &options)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
