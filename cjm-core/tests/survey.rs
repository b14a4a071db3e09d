//! Survey KPIs: the shared golden vectors, and the laws of the formulas.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::scoring::{survey_kpis, NpsState, SurveyOptions, SurveyState, SurveyTable};
use proptest::prelude::*;
use serde_json::Value;
use std::path::PathBuf;

mod common;
use common::contains;

#[test]
fn survey_vectors() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/survey");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 10);
    let mut failures = Vec::new();
    for file in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let table: SurveyTable = serde_json::from_value(v["table"].clone()).unwrap();
        let options: SurveyOptions = serde_json::from_value(v["options"].clone()).unwrap();
        match (survey_kpis(&table, &options), v["expect"].get("error")) {
            (Ok(report), None) => {
                let found = serde_json::to_value(&report).unwrap();
                contains(&found, &v["expect"], &name, &mut failures);
            }
            (Err(err), Some(expected)) => {
                if err.code() != expected["code"] || serde_json::json!(err.row()) != expected["row"]
                {
                    failures.push(format!("{name}: got {} at row {:?}", err.code(), err.row()));
                }
            }
            (Ok(_), Some(_)) => failures.push(format!("{name}: expected an error")),
            (Err(err), None) => failures.push(format!("{name}: unexpected error {err}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn states_round_trip_through_bytes_and_refuse_garbage() {
    let mut nps = NpsState::identity();
    nps.extend(0, &[Some(10.0), Some(0.0), None]).unwrap();
    assert_eq!(NpsState::from_bytes(&nps.to_bytes()).unwrap(), nps);
    for bad in [
        &b""[..],
        b"cjms",
        b"cjms\x01\x02",
        b"xxxx\x01\x01",
        &nps.to_bytes()[..20],
    ] {
        assert_eq!(
            NpsState::from_bytes(bad).unwrap_err().code(),
            "invalid_state"
        );
    }
    let table = SurveyTable {
        scope: vec![Some("a".into()), None],
        segment: vec![],
        nps: Some(vec![Some(9.0), Some(3.0)]),
        csat: Some(vec![Some(5.0), None]),
        ces: None,
    };
    let options = SurveyOptions::default();
    let mut state = SurveyState::identity(&options).unwrap();
    state.extend(0, &table).unwrap();
    assert_eq!(SurveyState::from_bytes(&state.to_bytes()).unwrap(), state);
    assert_eq!(
        SurveyState::from_bytes(b"cjms\x03\x01{")
            .unwrap_err()
            .code(),
        "invalid_state"
    );
}

fn answers() -> impl Strategy<Value = Vec<Option<f64>>> {
    proptest::collection::vec(
        proptest::option::weighted(0.9, (0u8..=10).prop_map(f64::from)),
        0..60,
    )
}

proptest! {
    #[test]
    fn nps_is_within_bounds(a in answers()) {
        let mut s = NpsState::identity();
        s.extend(0, &a).unwrap();
        let score = s.score();
        if let (Some(v), Some(m)) = (score.value, score.margin) {
            prop_assert!((-100.0..=100.0).contains(&v));
            prop_assert!(m >= 0.0 && m.is_finite());
        } else {
            prop_assert_eq!(score.answered, 0);
        }
    }

    #[test]
    fn a_detractor_turned_promoter_never_lowers_nps(a in answers(), pick in any::<usize>()) {
        let detractors: Vec<usize> = a.iter().enumerate()
            .filter(|(_, v)| v.is_some_and(|x| x <= 6.0)).map(|(i, _)| i).collect();
        prop_assume!(!detractors.is_empty());
        let mut better = a.clone();
        better[detractors[pick % detractors.len()]] = Some(10.0);
        let score = |answers: &[Option<f64>]| {
            let mut s = NpsState::identity();
            s.extend(0, answers).unwrap();
            s.score().value.unwrap()
        };
        prop_assert!(score(&better) >= score(&a));
    }

    #[test]
    fn split_merge_and_row_order_do_not_matter(
        nps in answers(), cuts in proptest::collection::vec(any::<usize>(), 0..4), seed in any::<u64>()
    ) {
        let n = nps.len();
        let table = |rows: &[usize]| SurveyTable {
            scope: rows.iter().map(|&i| Some(format!("tp{}", i % 3))).collect(),
            segment: rows.iter().map(|&i| (i % 2 == 0).then(|| "a".to_owned())).collect(),
            nps: Some(rows.iter().map(|&i| nps[i]).collect()),
            csat: Some(rows.iter().map(|&i| nps[i].map(|v| (v / 2.5).floor() + 1.0)).collect()),
            ces: None,
        };
        let options = SurveyOptions::default();
        let all: Vec<usize> = (0..n).collect();
        let whole = survey_kpis(&table(&all), &options).unwrap();
        // Any split, merged in any grouping, gives the whole.
        let mut bounds: Vec<usize> = cuts.iter().map(|c| if n == 0 { 0 } else { c % (n + 1) }).collect();
        bounds.push(0);
        bounds.push(n);
        bounds.sort_unstable();
        let mut merged = SurveyState::identity(&options).unwrap();
        for pair in bounds.windows(2).rev() {
            let mut part = SurveyState::identity(&options).unwrap();
            part.extend(pair[0], &table(&all[pair[0]..pair[1]])).unwrap();
            let part = SurveyState::from_bytes(&part.to_bytes()).unwrap();
            let mut acc = part;
            acc.merge(&merged).unwrap();
            merged = acc;
        }
        prop_assert_eq!(merged.report([true, true, false], &options), whole.clone());
        // Rows shuffled: same report.
        let mut shuffled = all.clone();
        let mut x = seed | 1;
        for i in (1..shuffled.len()).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            shuffled.swap(i, usize::try_from(x % (i as u64 + 1)).unwrap());
        }
        prop_assert_eq!(survey_kpis(&table(&shuffled), &options).unwrap(), whole);
    }
}

#[test]
fn nan_is_an_error_unless_declared_missing_and_errors_leave_the_state_unchanged() {
    let table = SurveyTable {
        nps: Some(vec![Some(9.0), Some(f64::NAN), Some(3.0)]),
        ..SurveyTable::default()
    };
    let err = survey_kpis(&table, &SurveyOptions::default()).unwrap_err();
    assert_eq!((err.code(), err.row()), ("not_finite", Some(1)));
    let options = SurveyOptions {
        nan_as_missing: true,
        ..SurveyOptions::default()
    };
    let report = survey_kpis(&table, &options).unwrap();
    let nps = report.overall().unwrap().nps.as_ref().unwrap();
    // 9 and 3: one promoter, one detractor → 0; the NaN counted as missing.
    assert_eq!((nps.value, nps.answered, nps.missing), (Some(0.0), 2, 1));

    // A failed extend adds nothing: the state equals the one before the call.
    let mut state = SurveyState::identity(&SurveyOptions::default()).unwrap();
    state
        .extend(
            0,
            &SurveyTable {
                nps: Some(vec![Some(10.0)]),
                ..SurveyTable::default()
            },
        )
        .unwrap();
    let before = state.clone();
    let bad = SurveyTable {
        nps: Some(vec![Some(7.0), Some(11.0)]),
        ..SurveyTable::default()
    };
    assert_eq!(state.extend(1, &bad).unwrap_err().row(), Some(2));
    assert_eq!(state, before);
    // States that treat NaN differently do not merge.
    let other = SurveyState::identity(&options).unwrap();
    assert_eq!(
        state.merge(&other).unwrap_err().code(),
        "incompatible_states"
    );
}

/// Dictionary-encoded scope and segment with integer answers (`SurveyBatch`, as Arrow
/// hands them over) give the state of the same rows as strings and floats
/// (`SurveyColumns`), the same first error included.
mod columnar {
    use cjm_core::events::columns::{
        pack_bits, Bitmap, Keys, NumCol, NumValues, StrArray, StrCol, Utf8,
    };
    use cjm_core::scoring::{SurveyBatch, SurveyColumns, SurveyOptions, SurveyState};
    use proptest::prelude::*;

    const SCOPES: [Option<&str>; 4] = [Some("t1"), Some("t2"), None, Some("t1")];
    const SEGMENTS: [Option<&str>; 3] = [Some("new"), Some("loyal"), None];

    proptest! {
        #[test]
        fn dictionary_codes_and_integer_answers_equal_strings_and_floats(
            rows in proptest::collection::vec(
                (
                    0usize..4,
                    0usize..3,
                    // The extremes of the type too: a byte path computes in narrow arithmetic.
                    proptest::option::weighted(0.8, prop_oneof![8 => -1i8..=11, 1 => Just(i8::MIN), 1 => Just(i8::MAX)]),
                    proptest::option::of(prop_oneof![8 => 0u8..=6, 1 => Just(u8::MAX)]),
                ),
                0..200,
            ),
            first_row in 0usize..1000,
        ) {
            let scope_keys: Vec<i32> = rows.iter().map(|r| i32::try_from(r.0).unwrap()).collect();
            let segment_keys: Vec<u8> = rows.iter().map(|r| u8::try_from(r.1).unwrap()).collect();
            let nps: Vec<i8> = rows.iter().map(|r| r.2.unwrap_or(0)).collect();
            let nps_valid = pack_bits(rows.iter().map(|r| r.2.is_some()));
            let csat: Vec<u8> = rows.iter().map(|r| r.3.unwrap_or(0)).collect();
            let csat_valid = pack_bits(rows.iter().map(|r| r.3.is_some()));
            let batch = SurveyBatch {
                scope: Some(StrCol::Dict {
                    keys: Keys::I32(&scope_keys),
                    validity: None,
                    values: StrArray { values: Utf8::Strs(&SCOPES), validity: None },
                }),
                segment: Some(StrCol::Dict {
                    keys: Keys::U8(&segment_keys),
                    validity: None,
                    values: StrArray { values: Utf8::Strs(&SEGMENTS), validity: None },
                }),
                nps: Some(NumCol { values: NumValues::I8(&nps), validity: Some(Bitmap { bits: &nps_valid, offset: 0 }) }),
                csat: Some(NumCol { values: NumValues::U8(&csat), validity: Some(Bitmap { bits: &csat_valid, offset: 0 }) }),
                ces: None,
            };
            let scope: Vec<Option<&str>> = rows.iter().map(|r| SCOPES[r.0]).collect();
            let segment: Vec<Option<&str>> = rows.iter().map(|r| SEGMENTS[r.1]).collect();
            let nps_f: Vec<Option<f64>> = rows.iter().map(|r| r.2.map(f64::from)).collect();
            let csat_f: Vec<Option<f64>> = rows.iter().map(|r| r.3.map(f64::from)).collect();
            let columns = SurveyColumns {
                scope: Some(&scope),
                segment: Some(&segment),
                nps: Some(&nps_f),
                csat: Some(&csat_f),
                ces: None,
            };
            let options = SurveyOptions::default();
            let mut by_batch = SurveyState::identity(&options).unwrap();
            let mut by_columns = SurveyState::identity(&options).unwrap();
            let a = by_batch.extend_batch(first_row, &batch);
            // The reference: row by row, one answer at a time, as the scores define it.
            let mut expected = Ok(());
            for (i, r) in rows.iter().enumerate() {
                let bad_nps = r.2.is_some_and(|v| !(0..=10).contains(&v));
                let bad_csat = r.3.is_some_and(|v| !(1..=5).contains(&v));
                if bad_nps || bad_csat {
                    expected = Err(first_row + i);
                    break;
                }
            }
            let b = by_columns.extend_columns(first_row, &columns);
            match (&a, &b, expected) {
                (Ok(()), Ok(()), Ok(())) => {
                    prop_assert_eq!(&by_batch, &by_columns);
                    // Counted here by hand, per (scope, segment): responses, NPS
                    // categories and CSAT points.
                    let mut want: std::collections::BTreeMap<(Option<String>, Option<String>), [u64; 11]> =
                        std::collections::BTreeMap::new();
                    for r in &rows {
                        let key = (SCOPES[r.0].map(str::to_owned), SEGMENTS[r.1].map(str::to_owned));
                        let c = want.entry(key).or_insert([0; 11]);
                        c[0] += 1;
                        match r.2 {
                            None => c[4] += 1,
                            Some(9..=10) => c[1] += 1,
                            Some(7..=8) => c[2] += 1,
                            Some(_) => c[3] += 1,
                        }
                        match r.3 {
                            None => c[10] += 1,
                            Some(p) => c[4 + usize::from(p)] += 1,
                        }
                    }
                    let got: std::collections::BTreeMap<_, [u64; 11]> = by_batch
                        .groups
                        .iter()
                        .map(|(k, g)| {
                            let c = &g.csat.counts;
                            (k.clone(), [g.responses, g.nps.promoters, g.nps.passives,
                                g.nps.detractors, g.nps.missing, c[0], c[1], c[2], c[3], c[4],
                                g.csat.missing])
                        })
                        .collect();
                    prop_assert_eq!(got, want);
                }
                (Err(ea), Err(eb), Err(row)) => {
                    prop_assert_eq!(ea.to_string(), eb.to_string());
                    prop_assert_eq!(ea.row(), Some(row));
                    prop_assert_eq!(&by_batch, &SurveyState::identity(&options).unwrap());
                }
                other => prop_assert!(false, "{:?}", other),
            }
        }
    }
}

/// Long batches (several chunks of the counting loop), a scope dictionary large enough
/// that (scope, segment) cells are numbered in order of appearance rather than laid out
/// on a grid, floating-point answers with NaN declared missing, integer answers of
/// another width, and validity bitmaps that start mid-byte: the state equals one built
/// row by row with `NpsState::push` and `ScaleState::push`, the definitions of the
/// scores.
mod long_batches {
    use cjm_core::events::columns::{
        pack_bits, Bitmap, Keys, NumCol, NumValues, StrArray, StrCol, Utf8,
    };
    use cjm_core::scoring::{
        GroupState, NpsState, ScaleState, SurveyBatch, SurveyOptions, SurveyState,
    };
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const SEGMENTS: [Option<&str>; 3] = [Some("new"), None, Some("loyal")];

    /// Bits for rows `0..n` after `offset` unused leading bits.
    fn bits_at(valid: &[bool], offset: usize) -> Vec<u8> {
        pack_bits(std::iter::repeat_n(false, offset).chain(valid.iter().copied()))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        #[test]
        fn long_batches_and_large_dictionaries_count_as_row_by_row(
            scopes in prop_oneof![Just(4usize), Just(3_000usize)],
            rows in proptest::collection::vec(
                (any::<u16>(), 0usize..3, 0u8..=12, 0u8..=9),
                0..7_000,
            ),
            offset in 0usize..8,
        ) {
            let names: Vec<String> = (0..scopes).map(|i| format!("tp{i}")).collect();
            let dictionary: Vec<Option<&str>> = names.iter().map(|s| Some(s.as_str())).collect();
            let scope_keys: Vec<u16> = rows.iter().map(|r| r.0 % u16::try_from(scopes).unwrap()).collect();
            let segment: Vec<Option<&str>> = rows.iter().map(|r| SEGMENTS[r.1]).collect();
            // NPS as floats: 0..=10 an answer, 11 NaN (missing, declared so), 12 null.
            let nps: Vec<f64> = rows.iter().map(|r| match r.2 { 11 => f64::NAN, v => f64::from(v) }).collect();
            let nps_valid: Vec<bool> = rows.iter().map(|r| r.2 != 12).collect();
            // CES as 16-bit integers: 1..=7 an answer, 0, 8 and 9 null.
            let ces: Vec<i16> = rows.iter().map(|r| i16::from(r.3)).collect();
            let ces_valid: Vec<bool> = rows.iter().map(|r| (1..=7).contains(&r.3)).collect();
            let (nps_bits, ces_bits) = (bits_at(&nps_valid, offset), bits_at(&ces_valid, offset));
            let batch = SurveyBatch {
                scope: Some(StrCol::Dict {
                    keys: Keys::U16(&scope_keys),
                    validity: None,
                    values: StrArray { values: Utf8::Strs(&dictionary), validity: None },
                }),
                segment: Some(StrCol::Plain(StrArray { values: Utf8::Strs(&segment), validity: None })),
                nps: Some(NumCol { values: NumValues::F64(&nps), validity: Some(Bitmap { bits: &nps_bits, offset }) }),
                csat: None,
                ces: Some(NumCol { values: NumValues::I16(&ces), validity: Some(Bitmap { bits: &ces_bits, offset }) }),
            };
            let options = SurveyOptions { nan_as_missing: true, ..SurveyOptions::default() };
            let mut state = SurveyState::identity(&options).unwrap();
            state.extend_batch(0, &batch).unwrap();
            // The reference, row by row.
            let mut want: BTreeMap<(Option<String>, Option<String>), GroupState> = BTreeMap::new();
            for (i, r) in rows.iter().enumerate() {
                let key = (Some(names[usize::from(scope_keys[i])].clone()), SEGMENTS[r.1].map(str::to_owned));
                let g = want.entry(key).or_insert_with(|| GroupState {
                    responses: 0,
                    nps: NpsState::identity(),
                    csat: ScaleState::identity(options.csat_scale),
                    ces: ScaleState::identity(options.ces_scale),
                });
                g.responses += 1;
                let answer = (nps_valid[i] && !nps[i].is_nan()).then_some(nps[i]);
                g.nps.push(i, answer).unwrap();
                g.ces.push("CES", i, ces_valid[i].then(|| f64::from(ces[i]))).unwrap();
            }
            let got: Vec<_> = state.groups.iter().map(|(k, g)| (k.clone(), g.responses, g.nps, g.ces.clone())).collect();
            let want: Vec<_> = want.into_iter().map(|(k, g)| (k, g.responses, g.nps, g.ces)).collect();
            prop_assert_eq!(got, want);
        }
    }
}

/// A per-response column passed as `scope` is refused with `too_many_groups` (issue 14),
/// in one table and across merged states, and the state is unchanged.
#[test]
fn too_many_groups_is_an_error() {
    use cjm_core::scoring::{SurveyColumns, MAX_SURVEY_GROUPS};
    let ids: Vec<String> = (0..=MAX_SURVEY_GROUPS).map(|i| format!("r{i}")).collect();
    let scope: Vec<Option<&str>> = ids.iter().map(|s| Some(s.as_str())).collect();
    let options = SurveyOptions::default();
    let mut state = SurveyState::identity(&options).unwrap();
    let columns = SurveyColumns {
        scope: Some(&scope),
        ..SurveyColumns::default()
    };
    let err = state.extend_columns(0, &columns).unwrap_err();
    assert_eq!(err.code(), "too_many_groups");
    assert!(err.to_string().contains("100000"), "{err}");
    assert_eq!(state, SurveyState::identity(&options).unwrap());
    // Exactly at the limit is fine; one more group from another state is not.
    let at_limit = SurveyColumns {
        scope: Some(&scope[..MAX_SURVEY_GROUPS]),
        ..SurveyColumns::default()
    };
    state.extend_columns(0, &at_limit).unwrap();
    let mut other = SurveyState::identity(&options).unwrap();
    other
        .extend_columns(
            0,
            &SurveyColumns {
                scope: Some(&[Some("new")]),
                ..SurveyColumns::default()
            },
        )
        .unwrap();
    assert_eq!(state.merge(&other).unwrap_err().code(), "too_many_groups");
}

/// A report states each metric's definition once, not once per group (issue 14: 1e5
/// groups used to carry ~6.5 KB of repeated definitions each), and the groups' scores
/// still carry every number.
#[test]
fn definitions_are_stated_once_per_report() {
    let scopes: Vec<Option<String>> = (0..50).map(|i| Some(format!("tp-{i}"))).collect();
    let table = SurveyTable {
        scope: scopes.clone(),
        segment: vec![],
        nps: Some((0..50).map(|i| Some(f64::from(i % 11))).collect()),
        csat: Some((0..50).map(|i| Some(f64::from(1 + i % 5))).collect()),
        ces: None,
    };
    let options = SurveyOptions {
        min_group_size: 1,
        ..SurveyOptions::default()
    };
    let mut state = SurveyState::identity(&options).unwrap();
    state.extend(0, &table).unwrap();
    let report = state.report([true, true, false], &options);
    assert_eq!(report.groups.len(), 51);
    let json = serde_json::to_string(&report).unwrap();
    assert_eq!(json.matches("top_box_points").count(), 1, "{json}");
    assert_eq!(json.matches("\"margin\":\"1.96").count(), 1, "{json}");
    let defs = &report.definitions;
    assert_eq!(defs.nps.as_ref().unwrap().kind, "nps");
    assert_eq!(defs.csat.as_ref().unwrap().kind, "csat");
    assert!(defs.ces.is_none());
    // The same definition a standalone score states.
    let mut nps = NpsState::identity();
    nps.extend(0, &[Some(10.0)]).unwrap();
    assert_eq!(nps.score().definition.as_ref(), defs.nps.as_ref());
    assert!(report
        .groups
        .iter()
        .all(|g| g.nps.as_ref().unwrap().definition.is_none()));
    assert_eq!(report.groups[0].nps.as_ref().unwrap().answered, 50);
}

/// A table handed over in record batches: `extend_batches` (two threads past 131,072
/// rows) gives the state of adding the batches one after another, and on a bad answer
/// the error of the first bad row over all batches, the state unchanged.
mod batches {
    use cjm_core::events::columns::{NumCol, NumValues, StrArray, StrCol, Utf8};
    use cjm_core::scoring::{SurveyBatch, SurveyOptions, SurveyState};

    const SCOPES: [Option<&str>; 3] = [Some("t1"), Some("t2"), None];

    /// `n` rows in batches of `size`: scope cycles over three values, NPS over 0..=10,
    /// CSAT over 1..=5; `bad` rows get NPS 11.
    fn columns(n: usize, bad: &[usize]) -> (Vec<Option<&'static str>>, Vec<i64>, Vec<u8>) {
        let scope = (0..n).map(|i| SCOPES[i % 3]).collect();
        let nps = (0..n)
            .map(|i| {
                if bad.contains(&i) {
                    11
                } else {
                    (i % 11) as i64
                }
            })
            .collect();
        let csat = (0..n).map(|i| (i % 5 + 1) as u8).collect();
        (scope, nps, csat)
    }

    fn batches<'a>(
        cols: &'a (Vec<Option<&'static str>>, Vec<i64>, Vec<u8>),
        size: usize,
    ) -> Vec<SurveyBatch<'a>> {
        let (scope, nps, csat) = cols;
        scope
            .chunks(size)
            .zip(nps.chunks(size))
            .zip(csat.chunks(size))
            .map(|((s, n), c)| SurveyBatch {
                scope: Some(StrCol::Plain(StrArray {
                    values: Utf8::Strs(s),
                    validity: None,
                })),
                segment: None,
                nps: Some(NumCol {
                    values: NumValues::I64(n),
                    validity: None,
                }),
                csat: Some(NumCol {
                    values: NumValues::U8(c),
                    validity: None,
                }),
                ces: None,
            })
            .collect()
    }

    #[test]
    fn batches_on_two_threads_equal_one_after_another() {
        let n = 300_007;
        let cols = columns(n, &[]);
        let parts = batches(&cols, 40_000);
        assert_eq!(parts.len(), 8);
        let options = SurveyOptions::default();
        let mut serial = SurveyState::identity(&options).unwrap();
        let mut row = 5;
        for b in &parts {
            serial.extend_batch(row, b).unwrap();
            row += b.rows();
        }
        let mut together = SurveyState::identity(&options).unwrap();
        together.extend_batches(5, &parts).unwrap();
        assert_eq!(together, serial);
        // Counted by hand: scope t1 is rows 0, 3, 6, … (100,003 rows), whose NPS i % 11
        // runs through every answer; responses per scope add up to n.
        let t1 = &together.groups[&(Some("t1".to_owned()), None)];
        assert_eq!(t1.responses, 100_003);
        let total: u64 = together.groups.values().map(|g| g.responses).sum();
        assert_eq!(total, n as u64);
    }

    #[test]
    fn the_first_bad_row_over_all_batches_and_nothing_added() {
        // Bad rows in the second thread's part and in the first's: the first's is reported.
        let cols = columns(300_000, &[250_001, 70_002]);
        let parts = batches(&cols, 50_000);
        let options = SurveyOptions::default();
        let mut state = SurveyState::identity(&options).unwrap();
        state
            .extend_batches(0, &batches(&columns(10, &[]), 10))
            .unwrap();
        let before = state.clone();
        let e = state.extend_batches(1_000, &parts).unwrap_err();
        assert_eq!(e.code(), "out_of_scale");
        assert_eq!(e.row(), Some(71_002));
        assert_eq!(state, before);
        // Only in the second part: that row.
        let cols = columns(300_000, &[250_001]);
        let e = state
            .extend_batches(0, &batches(&cols, 50_000))
            .unwrap_err();
        assert_eq!(e.row(), Some(250_001));
        assert_eq!(state, before);
    }
}

/// The columns a reader of survey answers needs: those named, in the arguments' order.
#[test]
fn named_columns_are_those_given_in_field_order() {
    use cjm_core::scoring::SurveyColumnNames;
    let columns = SurveyColumnNames {
        ces: Some("effort".into()),
        scope: Some("touchpoint".into()),
        nps: Some("nps".into()),
        ..SurveyColumnNames::default()
    };
    assert_eq!(columns.named(), ["touchpoint", "nps", "effort"]);
    assert!(SurveyColumnNames::default().named().is_empty());
}

/// A named column the data lacks: the argument that named it and the data's columns.
#[test]
fn a_named_column_the_data_lacks_is_missing_column_with_the_data_columns() {
    use cjm_core::scoring::SurveyColumnNames;
    let columns = SurveyColumnNames {
        scope: Some("touchpoint".into()),
        csat: Some("sat".into()),
        ..SurveyColumnNames::default()
    };
    assert!(columns
        .check_present(&["sat", "touchpoint", "other"])
        .is_ok());
    let e = columns.check_present(&["touchpoint", "csat"]).unwrap_err();
    assert_eq!(e.code(), "missing_column");
    assert_eq!(
        e.to_string(),
        "the data has no column `sat` (named as the `csat` column); its columns are \
         `touchpoint`, `csat`"
    );
    let none: [&str; 0] = [];
    assert!(columns
        .check_present(&none)
        .unwrap_err()
        .to_string()
        .ends_with("it has no columns"));
}

/// Survey options beside answers that were not given: the defaults (an empty options
/// object in JavaScript) pass, anything else is refused, since it would change nothing;
/// with answers, the KPIs are `survey_kpis`' of them under the options.
#[test]
fn survey_options_without_answers_are_refused_unless_default() {
    assert_eq!(
        SurveyOptions::default().kpis_of(None, "surveyOptions", "survey"),
        Ok(None)
    );
    let scale = SurveyOptions {
        csat_scale: 7,
        ..SurveyOptions::default()
    };
    let e = scale.kpis_of(None, "surveyOptions", "survey").unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    assert_eq!(
        e.to_string(),
        "`surveyOptions` is given without `survey`, so it would change nothing: give the \
         survey answers, or leave it out"
    );
    let table = SurveyTable {
        csat: Some(vec![Some(7.0), Some(3.0)]),
        ..SurveyTable::default()
    };
    let scored = scale.kpis_of(Some(&table), "surveyOptions", "survey");
    assert_eq!(scored, survey_kpis(&table, &scale).map(Some));
    // On the default 5-point scale the 7 is off it: the options are applied.
    let err = SurveyOptions::default()
        .kpis_of(Some(&table), "surveyOptions", "survey")
        .unwrap_err();
    assert_eq!((err.code(), err.row()), ("out_of_scale", Some(0)));
}

/// `SurveyTable::KEYS` (what the browser binding checks an object's keys against) are the
/// keys of the table's serde form: those a full table writes, and those its reader lists
/// when it refuses another.
#[test]
fn survey_table_keys_are_its_serde_keys() {
    let full = SurveyTable {
        scope: vec![None],
        segment: vec![None],
        nps: Some(vec![None]),
        csat: Some(vec![None]),
        ces: Some(vec![None]),
    };
    let written = serde_json::to_value(&full).unwrap();
    let keys: Vec<&str> = written
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = SurveyTable::KEYS.to_vec();
    want.sort_unstable();
    let mut got = keys.clone();
    got.sort_unstable();
    assert_eq!(got, want);
    let err = serde_json::from_str::<SurveyTable>(r#"{"score": []}"#).unwrap_err();
    let listed = SurveyTable::KEYS.map(|k| format!("`{k}`")).join(", ");
    assert!(
        err.to_string()
            .contains(&format!("expected one of {listed}")),
        "{err}"
    );
}
