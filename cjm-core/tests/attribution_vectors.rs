//! Hand-worked attribution vectors in `tests/vectors/attribution/` (see its README).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::attribution::{
    attribute, Attribution, AttributionOptions, PathInput, PathTable, TableOptions,
};
use serde_json::Value;
use std::path::PathBuf;

mod common;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/attribution")
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + b.abs())
}

fn num_or_null(actual: Option<f64>, expected: &Value, what: &str) {
    match (actual, expected.as_f64()) {
        (None, None) => assert!(expected.is_null(), "{what}: expected {expected}, got null"),
        (Some(a), Some(e)) => assert!(close(a, e), "{what}: expected {e}, got {a}"),
        (a, _) => panic!("{what}: expected {expected}, got {a:?}"),
    }
}

fn check(name: &str, r: &Attribution, expected: &Value) {
    let json = serde_json::to_value(r).unwrap();
    let text = json.to_string();
    assert!(!text.contains("NaN"), "{name}: NaN in output");
    if let Some(t) = expected.get("totals") {
        for (k, v) in t.as_object().unwrap() {
            num_or_null(
                json["totals"][k].as_f64(),
                v,
                &format!("{name}: totals.{k}"),
            );
        }
    }
    if let Some(credits) = expected.get("credits") {
        for (channel, models) in credits.as_object().unwrap() {
            let row = r
                .channels
                .iter()
                .find(|c| &c.channel == channel)
                .unwrap_or_else(|| panic!("{name}: no channel {channel}"));
            for (model, want) in models.as_object().unwrap() {
                let got = row
                    .credit(model)
                    .unwrap_or_else(|| panic!("{name}: no {model} credit for {channel}"));
                let what = format!("{name}: {model} of {channel}");
                if want.is_null() {
                    assert_eq!(got.conversions, None, "{what}");
                    assert_eq!(got.value, None, "{what}");
                } else {
                    num_or_null(got.conversions, &want[0], &format!("{what} conversions"));
                    num_or_null(got.value, &want[1], &format!("{what} value"));
                }
            }
        }
    }
    if let Some(p) = expected.get("conversion_probability") {
        let m = r.markov.as_ref().unwrap();
        num_or_null(m.conversion_probability, p, &format!("{name}: P(conv)"));
    }
    if let Some(res) = expected.get("removal_effects") {
        let m = r.markov.as_ref().unwrap();
        for (channel, want) in res.as_object().unwrap() {
            let e = m.channels.iter().find(|e| &e.channel == channel).unwrap();
            num_or_null(e.removal_effect, want, &format!("{name}: RE of {channel}"));
        }
    }
    if let Some(ts) = expected.get("transitions") {
        let m = r.markov.as_ref().unwrap();
        let ts = ts.as_array().unwrap();
        assert_eq!(m.transitions.len(), ts.len(), "{name}: transitions");
        for (t, want) in m.transitions.iter().zip(ts) {
            assert_eq!(t.from, want[0].as_str().unwrap(), "{name}");
            assert_eq!(t.to, want[1].as_str().unwrap(), "{name}");
            assert!(
                close(t.probability, want[2].as_f64().unwrap()),
                "{name}: {t:?}"
            );
        }
    }
    if let Some(s) = expected.get("shapley") {
        for (k, v) in s.as_object().unwrap() {
            num_or_null(
                json["shapley"][k].as_f64(),
                v,
                &format!("{name}: shapley.{k}"),
            );
        }
    }
    if let Some(o) = expected.get("ordered_shapley") {
        let got = r.ordered_shapley.as_ref().unwrap();
        let o = o.as_array().unwrap();
        assert_eq!(got.len(), o.len(), "{name}: ordered shapley rows");
        for (g, w) in got.iter().zip(o) {
            assert_eq!(g.channel, w[0].as_str().unwrap());
            assert_eq!(g.position as u64, w[1].as_u64().unwrap());
            assert!(
                close(g.conversions, w[2].as_f64().unwrap()),
                "{name}: {g:?}"
            );
            assert!(close(g.value, w[3].as_f64().unwrap()), "{name}: {g:?}");
        }
    }
    if let Some(s) = expected.get("skipped") {
        let got: Vec<&str> = r.skipped.iter().map(|s| s.model.name()).collect();
        let want: Vec<&str> = s
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{name}: skipped");
    }
}

#[test]
fn attribution_vectors() {
    let mut files: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 4, "vectors missing");
    let mut cases = 0;
    for file in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        assert!(
            v["description"].as_str().is_some_and(|d| d.len() > 40),
            "{file:?}: describe the arithmetic"
        );
        for case in v["cases"].as_array().unwrap() {
            let name = format!(
                "{} / {}",
                file.file_name().unwrap().to_string_lossy(),
                case["name"].as_str().unwrap()
            );
            let paths: Vec<PathInput> =
                serde_json::from_value(case.get("paths").unwrap_or(&v["paths"]).clone()).unwrap();
            let table_options: TableOptions = serde_json::from_value(
                v.get("table_options")
                    .cloned()
                    .unwrap_or(Value::Object(Default::default())),
            )
            .unwrap();
            let options: AttributionOptions =
                serde_json::from_value(case["options"].clone()).unwrap();
            let table = PathTable::from_rows(&paths, &table_options).unwrap();
            let r = attribute(&table, &options).unwrap();
            check(&name, &r, &case["expected"]);
            if let Some(tables) = case.get("tables") {
                common::check_tables(&r, tables, &name);
            }
            cases += 1;
        }
    }
    assert!(cases >= 10);
}

/// The option names a binding uses to split one set of keyword arguments are exactly the
/// properties of each type's JSON Schema (so a new option cannot be missed).
#[test]
fn option_names_are_the_schemas_properties() {
    use cjm_core::attribution::{AttributionOptions, PathOptions, TableOptions};
    fn properties<T: schemars::JsonSchema>() -> Vec<String> {
        let schema = serde_json::to_value(schemars::schema_for!(T)).unwrap();
        let mut names: Vec<String> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        names.sort();
        names
    }
    let sorted = |names: &[&str]| {
        let mut v: Vec<String> = names.iter().map(|s| (*s).to_owned()).collect();
        v.sort();
        v
    };
    assert_eq!(properties::<PathOptions>(), sorted(&PathOptions::FIELDS));
    assert_eq!(properties::<TableOptions>(), sorted(&TableOptions::FIELDS));
    // The model options share no name with the path options: a keyword argument can
    // only mean one of them.
    for name in properties::<AttributionOptions>() {
        assert!(!PathOptions::FIELDS.contains(&name.as_str()), "{name}");
        assert!(!TableOptions::FIELDS.contains(&name.as_str()), "{name}");
    }
}

/// A path table written by the core reads back into the same table (JavaScript passes
/// `log.paths()` to `attribute`); its rows are checked as rows of path strings are.
#[test]
fn a_written_path_table_reads_back() {
    use cjm_core::attribution::{PathInput, PathRowInput, PathTable, TableOptions};
    let rows = [
        ("search > email", 2.0, 30.0, 1.0),
        ("email", 0.0, 0.0, 3.0),
        ("a>b>a", 1.0, 5.0, 0.0),
    ]
    .map(|(path, conversions, value, nulls)| PathInput {
        path: path.into(),
        conversions,
        value,
        nulls,
        seconds_to_conversion: None,
    });
    let table = PathTable::from_rows(&rows, &TableOptions::default()).unwrap();
    let text = serde_json::to_string(&table.rows).unwrap();
    let back: Vec<PathRowInput> = serde_json::from_str(&text).unwrap();
    assert_eq!(PathTable::from_path_rows(back).unwrap(), table);
    // Counts left out are 0; unknown keys, empty channels and bad numbers are refused.
    let row: PathRowInput = serde_json::from_str(r#"{"channels": ["a"]}"#).unwrap();
    assert_eq!((row.conversions, row.value, row.nulls), (0.0, 0.0, 0.0));
    assert!(serde_json::from_str::<PathRowInput>(r#"{"channels": [], "conversion": 1}"#).is_err());
    let bad = |json: &str| {
        let rows: Vec<PathRowInput> = serde_json::from_str(json).unwrap();
        PathTable::from_path_rows(rows).unwrap_err()
    };
    let e = bad(r#"[{"channels": ["a"]}, {"channels": ["a", " "], "conversions": 1}]"#);
    assert_eq!((e.code(), e.row()), ("invalid_path", Some(1)));
    // Channels are trimmed, as in a path string: " a" is the channel "a".
    let spaced: Vec<PathRowInput> = serde_json::from_str(
        r#"[{"channels": [" search ", "email"], "conversions": 2, "value": 30, "nulls": 1}]"#,
    )
    .unwrap();
    let spaced = PathTable::from_path_rows(spaced).unwrap();
    assert_eq!(
        spaced.rows.first(),
        table
            .rows
            .iter()
            .find(|r| r.channels == ["search", "email"])
    );
    let e = bad(r#"[{"channels": ["a"], "conversions": -1}]"#);
    assert_eq!(e.code(), "out_of_range");
    let e = bad(r#"[{"channels": ["a", "b"], "seconds_to_conversion": [1.0]}]"#);
    assert_eq!(e.code(), "invalid_times");
}

/// A path-table row read through `PathColumns` from a map of cells, as a binding does.
fn row_of(
    columns: &cjm_core::attribution::PathColumns,
    cells: &[(&str, cjm_core::attribution::PathCell)],
) -> cjm_core::Result<PathInput> {
    use cjm_core::attribution::{CellKind, PathCell};
    let found = |name: &str, _: CellKind| -> Result<PathCell, ()> {
        Ok(cells
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(PathCell::Absent, |(_, c)| c.clone()))
    };
    columns.read_row(3, found).unwrap()
}

#[test]
fn path_columns_default_to_channelattribution_names_and_read_short_names() {
    use cjm_core::attribution::{PathCell, PathColumns};
    let columns = PathColumns::default();
    let row = row_of(
        &columns,
        &[
            ("path", PathCell::Text("a > b".into())),
            ("total_conversions", PathCell::Number(2.0)),
            ("value", PathCell::Number(5.5)),
            ("total_null", PathCell::Null),
        ],
    )
    .unwrap();
    // `value` is the short name of the default `total_conversion_value`; a null count is 0.
    assert_eq!(
        row,
        PathInput {
            path: "a > b".into(),
            conversions: 2.0,
            value: 5.5,
            nulls: 0.0,
            seconds_to_conversion: None,
        }
    );
    // A renamed column is read under its name only: the short name is not tried.
    let renamed = PathColumns {
        conversions: "conv".into(),
        ..PathColumns::default()
    };
    let row = row_of(
        &renamed,
        &[
            ("path", PathCell::Text("a".into())),
            ("conversions", PathCell::Number(9.0)),
        ],
    )
    .unwrap();
    assert_eq!(row.conversions, 0.0);
}

#[test]
fn path_columns_report_the_row_and_column_of_a_bad_cell() {
    use cjm_core::attribution::{PathCell, PathColumns};
    let columns = PathColumns::default();
    let missing = row_of(&columns, &[("total_conversions", PathCell::Number(1.0))]).unwrap_err();
    assert_eq!(missing.code(), "missing_column");
    assert!(
        missing.to_string().contains("no column `path`") && missing.to_string().contains("path="),
        "the message names the column and the fix: {missing}"
    );
    let wrong = row_of(
        &columns,
        &[
            ("path", PathCell::Text("a".into())),
            ("total_null", PathCell::Wrong("str".into())),
        ],
    )
    .unwrap_err();
    assert_eq!(wrong.code(), "wrong_type");
    assert!(
        wrong
            .to_string()
            .contains("column `total_null` must hold numbers, not `str`"),
        "{wrong}"
    );
    match wrong {
        cjm_core::Error::Input { row, .. } => assert_eq!(row, Some(3)),
        other => panic!("{other:?}"),
    }
    // A count read under its short name is named so in the error.
    let short = row_of(
        &columns,
        &[
            ("path", PathCell::Text("a".into())),
            ("conversions", PathCell::Wrong("str".into())),
        ],
    )
    .unwrap_err();
    assert!(
        short
            .to_string()
            .contains("column `conversions` must hold numbers, not `str`"),
        "{short}"
    );
}

#[test]
fn credit_of_a_channel_and_model() {
    // Hand-worked: "search > email" converts twice, "email" once. Last touch gives email
    // all 3 conversions and search none; first touch gives search 2 and email 1.
    let rows = [("search > email", 2.0), ("email", 1.0)].map(|(path, conversions)| PathInput {
        path: path.into(),
        conversions,
        value: 0.0,
        nulls: 0.0,
        seconds_to_conversion: None,
    });
    let table = PathTable::from_rows(&rows, &TableOptions::default()).unwrap();
    let options: AttributionOptions =
        serde_json::from_str(r#"{"models": ["first", "last"]}"#).unwrap();
    let r = attribute(&table, &options).unwrap();
    assert_eq!(r.credit("email", "last").unwrap(), Some(3.0));
    assert_eq!(r.credit("search", "first").unwrap(), Some(2.0));
    assert_eq!(r.credit("email", "first").unwrap(), Some(1.0));
    assert_eq!(r.credit("search", "last").unwrap(), Some(0.0));
    let e = r.credit("emial", "last").unwrap_err();
    assert_eq!(e.code(), "unknown_channel");
    assert_eq!(
        e.to_string(),
        "no channel `emial`; this result has `email`, `search`"
    );
    let e = r.credit("email", "markov").unwrap_err();
    assert_eq!(e.code(), "unknown_model");
    assert_eq!(
        e.to_string(),
        "no model column `markov`; this result has `first`, `last`"
    );
    // A model asked for and skipped says why (time decay needs times to conversion).
    let decay: AttributionOptions =
        serde_json::from_str(r#"{"models": ["first", "time_decay"]}"#).unwrap();
    let e = attribute(&table, &decay)
        .unwrap()
        .credit("email", "time_decay")
        .unwrap_err();
    assert_eq!(e.code(), "unknown_model");
    assert!(
        e.to_string()
            .starts_with("no model column `time_decay` (not run: ")
            && e.to_string().ends_with("; this result has `first`"),
        "{e}"
    );
    // Without conversions the Markov credit is undefined (docs/attribution.md): `None`.
    let nulls = [PathInput {
        path: "search > email".into(),
        conversions: 0.0,
        value: 0.0,
        nulls: 3.0,
        seconds_to_conversion: None,
    }];
    let markov: AttributionOptions = serde_json::from_str(r#"{"models": ["markov"]}"#).unwrap();
    let none = PathTable::from_rows(&nulls, &TableOptions::default()).unwrap();
    assert_eq!(
        attribute(&none, &markov)
            .unwrap()
            .credit("email", "markov")
            .unwrap(),
        None
    );
    // A long list is cut after 12 names.
    let many: Vec<PathInput> = (0..15)
        .map(|i| PathInput {
            path: format!("c{i:02}"),
            conversions: 1.0,
            value: 0.0,
            nulls: 0.0,
            seconds_to_conversion: None,
        })
        .collect();
    let table = PathTable::from_rows(&many, &TableOptions::default()).unwrap();
    let e = attribute(&table, &options)
        .unwrap()
        .credit("x", "last")
        .unwrap_err();
    assert!(e.to_string().ends_with("`c10`, `c11` and 3 more"), "{e}");
}

#[test]
fn paths_input_is_told_by_its_shape() {
    use cjm_core::attribution::PathsInput;
    let read = |json: &str| serde_json::from_str::<PathsInput>(json);
    let rows = read(r#"[{"path": "search > email", "conversions": 2, "nulls": 1}]"#).unwrap();
    let written =
        read(r#"{"rows": [{"channels": ["search", "email"], "conversions": 2, "nulls": 1}]}"#)
            .unwrap();
    assert!(matches!(rows, PathsInput::Rows(_)));
    assert!(matches!(written, PathsInput::Table(_)));
    // The same table either way.
    let a = rows.clone().table(None).unwrap();
    assert_eq!(a, written.clone().table(None).unwrap());
    assert_eq!(a.rows.len(), 1);
    // Table options split path strings: they apply to rows, and are refused with a
    // written table.
    let pipe: TableOptions = serde_json::from_str(r#"{"separator": "|"}"#).unwrap();
    let piped = read(r#"[{"path": "search | email", "conversions": 2, "nulls": 1}]"#).unwrap();
    assert_eq!(piped.table(Some(&pipe)).unwrap(), a);
    let e = written.table(Some(&pipe)).unwrap_err();
    assert_eq!(e.code(), "invalid_option");
    assert!(
        e.to_string().contains("not to a `{rows}` path table"),
        "{e}"
    );
    // An object is a written table and nothing else; anything else is neither.
    assert!(read(r#"{"rows": [], "separator": "|"}"#)
        .unwrap_err()
        .to_string()
        .contains("unknown field `separator`"));
    assert!(read(r#"{}"#)
        .unwrap_err()
        .to_string()
        .contains("missing field `rows`"));
    assert!(read(r#""a > b""#)
        .unwrap_err()
        .to_string()
        .contains("an array of `{path, conversions, value, nulls}` rows or a `{rows}` path table"));
    // A bad row keeps its detail (not "no variant matched").
    assert!(read(r#"[{"path": "a", "conversion": 1}]"#)
        .unwrap_err()
        .to_string()
        .contains("unknown field `conversion`"));
}
