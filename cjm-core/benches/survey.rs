//! Survey scoring on 1M generated responses: 12 touchpoints × 3 segments, NPS, CSAT and
//! CES with about 5 % nulls (the same shape as cjm-py/bench/survey_bench.py).
//!
//! `cargo bench -p cjm-core --bench survey`
//!
//! `survey_export_shape`: the columns as Arrow hands an export (the survey table of
//! cjm-py/bench/export_bench.py): `touchpoint` and `segment` dictionary-encoded (30 and 5
//! values, int32 keys), one question asked per row and the three answer columns int8
//! with validity bitmaps, in batches of 1M rows; `CJM_BENCH_SURVEY_ROWS` rows in all
//! (default 10M).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "benchmark code"
)]

use cjm_core::events::columns::{Bitmap, Keys, NumCol, NumValues, StrArray, StrCol, Utf8};
use cjm_core::scoring::{
    survey_kpis, SurveyBatch, SurveyColumns, SurveyOptions, SurveyState, SurveyTable,
};
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

/// Owned columns of an export-shaped survey table.
struct Export {
    touchpoint: Vec<i32>,
    segment: Vec<i32>,
    answers: [(Vec<i8>, Vec<u8>); 3],
}

fn export(n: usize) -> Export {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut e = Export {
        touchpoint: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        answers: Default::default(),
    };
    for (_, bits) in &mut e.answers {
        bits.resize(n.div_ceil(8), 0);
    }
    for i in 0..n {
        let r = next();
        // A skewed touchpoint: the low codes far more often.
        let tp = (r % 30).min((r >> 5) % 30);
        e.touchpoint.push(i32::try_from(tp).unwrap());
        e.segment.push(i32::try_from((r >> 10) % 5).unwrap());
        let asked = usize::try_from((r >> 13) % 3).unwrap();
        let answered = (r >> 15) % 10 != 0;
        for (m, (values, bits)) in e.answers.iter_mut().enumerate() {
            let (lo, k) = [(0, 11), (1, 5), (1, 7)][m];
            values.push(i8::try_from(lo + (r >> (20 + 4 * m)) % k).unwrap());
            if m == asked && answered {
                bits[i / 8] |= 1 << (i % 8);
            }
        }
    }
    e
}

fn bench_export(c: &mut Criterion) {
    const BATCH: usize = 1 << 20;
    static TOUCHPOINTS: [Option<&str>; 30] = {
        const NAMES: [&str; 30] = [
            "tp00", "tp01", "tp02", "tp03", "tp04", "tp05", "tp06", "tp07", "tp08", "tp09", "tp10",
            "tp11", "tp12", "tp13", "tp14", "tp15", "tp16", "tp17", "tp18", "tp19", "tp20", "tp21",
            "tp22", "tp23", "tp24", "tp25", "tp26", "tp27", "tp28", "tp29",
        ];
        let mut out = [None; 30];
        let mut i = 0;
        while i < 30 {
            out[i] = Some(NAMES[i]);
            i += 1;
        }
        out
    };
    static SEGMENTS: [Option<&str>; 5] = [
        Some("new"),
        Some("loyal"),
        Some("lapsed"),
        Some("vip"),
        Some("b2b"),
    ];
    let n: usize = std::env::var("CJM_BENCH_SURVEY_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000_000);
    let e = export(n);
    let dict = |keys: &'static [i32], values: &'static [Option<&'static str>]| StrCol::Dict {
        keys: Keys::I32(keys),
        validity: None,
        values: StrArray {
            values: Utf8::Strs(values),
            validity: None,
        },
    };
    let e: &'static Export = Box::leak(Box::new(e));
    let batches: Vec<SurveyBatch<'static>> = (0..n)
        .step_by(BATCH)
        .map(|a| {
            let z = (a + BATCH).min(n);
            let col = |m: usize| {
                let (values, bits) = &e.answers[m];
                Some(NumCol {
                    values: NumValues::I8(&values[a..z]),
                    validity: Some(Bitmap {
                        bits: &bits[a / 8..],
                        offset: 0,
                    }),
                })
            };
            SurveyBatch {
                scope: Some(dict(&e.touchpoint[a..z], &TOUCHPOINTS)),
                segment: Some(dict(&e.segment[a..z], &SEGMENTS)),
                nps: col(0),
                csat: col(1),
                ces: col(2),
            }
        })
        .collect();
    let options = SurveyOptions::default();
    let mut group = c.benchmark_group("survey_export_shape");
    group.sample_size(20);
    group.bench_function("extend_batches_and_report", |b| {
        b.iter(|| {
            let mut state = SurveyState::identity(&options).unwrap();
            state.extend_batches(0, &batches).unwrap();
            state.report([true, true, true], &options)
        });
    });
    group.finish();
}

criterion_group!(benches, bench, bench_export);
criterion_main!(benches);
