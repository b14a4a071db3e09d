//! `options_from`: options read from any serde source (a JS object in the wasm binding)
//! keep NaN for the options' own checks, refuse unknown keys, name the option that does not
//! fit and say the range of an integer, and stop cyclic or deep input with an error.

#![allow(clippy::unwrap_used, reason = "test code")]

use cjm_core::events::FlowOptions;
use cjm_core::render::MapOptions;
use cjm_core::scoring::ScoringModel;
use cjm_core::{options_from, Error};
use serde::de::value::{Error as ValueError, MapDeserializer};
use serde_json::json;

fn message(err: &Error) -> String {
    assert_eq!(err.code(), "invalid_option", "{err}");
    err.to_string()
}

#[test]
fn nan_reaches_the_options_own_check() {
    for x in [f64::NAN, f64::INFINITY] {
        let source = MapDeserializer::<_, ValueError>::new([("min_share", x)].into_iter());
        let options: FlowOptions = options_from(source, "options").unwrap();
        assert!(!options.min_share.is_finite());
        assert!(message(&options.check().unwrap_err()).contains("min_share"));
    }
}

#[test]
fn the_option_that_does_not_fit_is_named() {
    let err = options_from::<ScoringModel, _>(json!({"weights": {"nps": "x"}}), "model");
    let text = message(&err.unwrap_err());
    assert!(text.contains("`model`: option `weights.nps`"), "{text}");
    let err = options_from::<MapOptions, _>(json!({"colour": "red"}), "options");
    let text = message(&err.unwrap_err());
    assert!(
        text.contains("option `colour`") && text.contains("unknown field"),
        "{text}"
    );
}

#[test]
fn integers_out_of_range_say_the_range() {
    // A JavaScript number beyond 2^53 arrives as a float: it is read as the integer it is.
    for (width, shown) in [(2f64.powi(40), "1099511627776"), (-1.0, "-1"), (1.5, "1.5")] {
        let source = MapDeserializer::<_, ValueError>::new([("width", width)].into_iter());
        let text = message(&options_from::<MapOptions, _>(source, "options").unwrap_err());
        let want = format!("option `width` must be an integer from 0 to 4294967295, not {shown}");
        assert!(text.contains(&want), "{text}");
    }
    let source = MapDeserializer::<_, ValueError>::new([("width", 640.0)].into_iter());
    assert_eq!(
        options_from::<MapOptions, _>(source, "options")
            .unwrap()
            .width,
        640
    );
    let text = message(&options_from::<u32, _>(json!(-3), "k").unwrap_err());
    assert_eq!(text, "`k` must be an integer from 0 to 4294967295, not -3");
}

#[test]
fn deep_input_stops_with_an_error() {
    let mut deep = json!(1);
    for _ in 0..200 {
        deep = json!({ "stage_weights": deep });
    }
    let text = message(&options_from::<ScoringModel, _>(deep, "model").unwrap_err());
    assert!(text.contains("deeper than the limit"), "{text}");
}

#[test]
fn path_and_model_options_given_together_are_split_by_the_core() {
    use cjm_core::attribution::{Model, PathOptions, TableOptions, TouchKind};
    let read = |v: serde_json::Value| PathOptions::with_models(v, "attribute");
    let (paths, models) = read(json!({
        "conversion_events": "purchase",
        "touch": "event",
        "lookback_seconds": 86400.0,
        "models": ["first", "linear"],
    }))
    .unwrap();
    // One conversion event may be given as a string.
    assert_eq!(paths.conversion_events, vec!["purchase"]);
    assert_eq!(paths.touch, TouchKind::Event);
    assert_eq!(paths.lookback_seconds, Some(86400.0));
    assert_eq!(models.models, vec![Model::First, Model::Linear]);
    // Each part keeps its defaults.
    let (paths, models) = read(json!({"conversion_events": ["a", "b"]})).unwrap();
    assert_eq!(
        paths,
        PathOptions {
            conversion_events: vec!["a".into(), "b".into()],
            ..PathOptions::default()
        }
    );
    assert_eq!(models, Default::default());
    // A key neither has is refused, named; a value that does not fit is named too.
    assert!(
        message(&read(json!({"conversion_events": "a", "lookbak": 1})).unwrap_err())
            .contains("lookbak")
    );
    assert!(
        message(&read(json!({"conversion_events": "a", "touch": "page"})).unwrap_err())
            .contains("touch")
    );
    assert!(message(&read(json!(["a"])).unwrap_err()).contains("options by name"));
    let (table, models) =
        TableOptions::with_models(json!({"separator": "|", "models": ["last"]}), "attribute")
            .unwrap();
    assert_eq!(table.separator, "|");
    assert_eq!(models.models, vec![Model::Last]);
}
