//! Adversarial inputs end in a clear problem with a path, never a panic or a hang.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

use cjm_core::{load_from, load_str};
use serde_json::{json, Value};

fn codes(err: &cjm_core::Error) -> Vec<(&str, &str)> {
    err.problems()
        .iter()
        .map(|p| (p.code.as_str(), p.path.as_str()))
        .collect()
}

#[test]
fn fifty_megabyte_string() {
    let big = "x".repeat(50 * 1024 * 1024);
    let doc = json!({"schema_version": 1, "id": "x", "name": big});
    let err = load_str(&doc.to_string()).unwrap_err();
    assert_eq!(codes(&err), vec![("document_too_large", "")]);
    let err = load_from(doc).unwrap_err();
    assert_eq!(codes(&err), vec![("string_too_long", "name")]);
}

#[test]
fn many_small_strings_are_too_large_together() {
    let names: Vec<Value> = (0..300)
        .map(|_| Value::String("y".repeat(60_000)))
        .collect();
    let doc = json!({"schema_version": 1, "id": "x", "name": "n", "extensions": {"blob": names}});
    let err = load_from(doc).unwrap_err();
    assert_eq!(err.code(), "document_too_large");
}

#[test]
fn very_deep_text_is_refused_early() {
    let depth = 1_000_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let err = load_str(&text).unwrap_err();
    assert_eq!(err.code(), "too_deep");
    // The root array is level 1, so the 33rd array (after 32 `[0]` steps) breaks the limit of 32.
    assert_eq!(err.path(), "[0]".repeat(32));
}

#[test]
fn deep_value_is_refused() {
    let mut v = json!("leaf");
    for _ in 0..200 {
        v = json!({ "a": v });
    }
    let err = load_from(json!({"schema_version": 1, "id": "x", "name": "n", "extensions": v}))
        .unwrap_err();
    assert_eq!(err.code(), "too_deep");
    // Root object level 1, `extensions` level 2, so the 32nd nested object (level 33) is refused.
    assert_eq!(err.path(), format!("extensions{}", ".a".repeat(31)));
}

#[test]
fn too_many_items() {
    let limits = cjm_core::Limits {
        max_items: 10,
        ..cjm_core::Limits::default()
    };
    let doc =
        json!({"schema_version": 1, "id": "x", "name": "n", "extensions": {"list": vec![1; 11]}});
    let err = cjm_core::Loader::new()
        .limits(limits)
        .load_str(&doc.to_string())
        .unwrap_err();
    assert_eq!(codes(&err), vec![("too_many_items", "extensions.list")]);
}

#[test]
fn nan_and_infinity_from_in_memory_sources() {
    // serde_json::Value cannot hold NaN (it silently makes it null), but Python floats and
    // JS numbers can: feed a self-describing source that keeps them, as pythonize does.
    let s = |v: &str| Tok::S(v.to_owned());
    let doc = Tok::Map(vec![
        ("schema_version".into(), Tok::U(1)),
        ("id".into(), s("x")),
        ("name".into(), s("n")),
        (
            "personas".into(),
            Tok::Seq(vec![Tok::Map(vec![
                ("id".into(), s("p")),
                ("name".into(), s("P")),
                ("share".into(), Tok::F(f64::NAN)),
            ])]),
        ),
        (
            "extensions".into(),
            Tok::Map(vec![("inf".into(), Tok::F(f64::NEG_INFINITY))]),
        ),
    ]);
    let err = load_from(TokDe(doc)).unwrap_err();
    assert_eq!(
        codes(&err),
        vec![
            ("not_finite", "personas[0].share"),
            ("not_finite", "extensions.inf")
        ]
    );
}

/// A minimal self-describing tree (like serde_json::Value, but holding any f64).
#[derive(Debug, Clone)]
enum Tok {
    F(f64),
    U(u64),
    S(String),
    Seq(Vec<Tok>),
    Map(Vec<(String, Tok)>),
}

impl<'de> serde::de::IntoDeserializer<'de, serde::de::value::Error> for Tok {
    type Deserializer = TokDe;
    fn into_deserializer(self) -> TokDe {
        TokDe(self)
    }
}

struct TokDe(Tok);

impl<'de> serde::Deserializer<'de> for TokDe {
    type Error = serde::de::value::Error;
    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, Self::Error> {
        match self.0 {
            Tok::F(f) => v.visit_f64(f),
            Tok::U(u) => v.visit_u64(u),
            Tok::S(s) => v.visit_string(s),
            Tok::Seq(items) => {
                v.visit_seq(serde::de::value::SeqDeserializer::new(items.into_iter()))
            }
            Tok::Map(entries) => {
                v.visit_map(serde::de::value::MapDeserializer::new(entries.into_iter()))
            }
        }
    }
    serde::forward_to_deserialize_any! { bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any }
}

#[test]
fn arbitrary_bytes_as_text() {
    for text in [
        "",
        " ",
        "null",
        "{",
        "}",
        "[]",
        "\"str\"",
        "1e999",
        "{\"schema_version\": 1e400}",
        "\u{0}",
    ] {
        let err = load_str(text).unwrap_err();
        assert!(!err.problems().is_empty(), "{text:?}");
    }
}

#[test]
fn bytes_with_bom_and_invalid_utf8() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(br#"{"schema_version": 1, "id": "x", "name": "n"}"#);
    assert!(cjm_core::load_slice(&bytes).is_ok());
    let err = cjm_core::load_slice(b"{\"name\": \"\xFF\"}").unwrap_err();
    assert_eq!(codes(&err), vec![("invalid_json", "")]);
}
