//! The binding in a real browser (headless Chromium through chromedriver), through the
//! same Rust entry points that JavaScript calls. Run by `scripts/test.sh`:
//! `cargo test -p cjm-wasm --target wasm32-unknown-unknown` with
//! `wasm-bindgen-test-runner` as the runner.

#![cfg(target_arch = "wasm32")]

use cjm_wasm::{journey_schema, load_journey, template, templates, validate, Journey};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn get(target: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(target, &JsValue::from_str(key)).expect("property read")
}

fn get_str(target: &JsValue, key: &str) -> String {
    get(target, key).as_string().expect("a string property")
}

fn parse(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON parses")
}

fn first_template_object() -> JsValue {
    template("b2c-ecommerce".into())
        .expect("template loads")
        .to_object()
        .expect("to object")
}

#[wasm_bindgen_test]
fn templates_load_and_summarise() {
    let list = js_sys::Array::from(&templates().expect("templates"));
    assert!(list.length() >= 3);
    for info in list.iter() {
        let name = get_str(&info, "name");
        let journey = template(name.into()).expect("every template loads");
        let summary = journey.summary().expect("summary");
        assert_eq!(get_str(&summary, "id"), journey.id());
        assert!(js_sys::Array::is_array(&get(&summary, "stages")));
    }
}

#[wasm_bindgen_test]
fn outputs_are_plain_objects() {
    let object = first_template_object();
    assert!(object.is_object());
    assert!(object.dyn_ref::<js_sys::Map>().is_none());
    let proto = js_sys::Object::get_prototype_of(&object);
    assert!(proto == js_sys::Object::get_prototype_of(&js_sys::Object::new()));
    let schema = journey_schema().expect("schema");
    assert!(schema.dyn_ref::<js_sys::Map>().is_none());
    assert!(get(&schema, "$defs").is_object());
}

#[wasm_bindgen_test]
fn round_trip_object_and_text() {
    let journey = template("b2b-saas".into()).expect("template loads");
    let again = Journey::from_object(journey.to_object().expect("to object")).expect("reloads");
    let compact = |j: &Journey| j.to_json(JsValue::UNDEFINED).expect("to JSON");
    assert_eq!(compact(&journey), compact(&again));
    let pretty = journey.to_json(JsValue::TRUE).expect("to JSON");
    let from_text = Journey::from_json(pretty.into()).expect("reloads");
    assert_eq!(compact(&journey), compact(&from_text));
    assert_eq!(from_text.schema_version(), 1);
}

#[wasm_bindgen_test]
fn errors_are_error_objects_with_fields() {
    let object = first_template_object();
    let touchpoints = get(&object, "touchpoints");
    let first = js_sys::Reflect::get_u32(&touchpoints, 0).expect("a touchpoint");
    js_sys::Reflect::set(&first, &"stage".into(), &"nope".into()).expect("set");
    let err = load_journey(object).expect_err("dangling stage is refused");
    let as_error = err.dyn_ref::<js_sys::Error>().expect("a real Error");
    assert_eq!(String::from(as_error.name()), "CjmError");
    assert_eq!(get_str(&err, "code"), "dangling_reference");
    assert_eq!(get_str(&err, "path"), "touchpoints[0].stage");
    assert_eq!(get_str(&err, "family"), "document");
    let problems = js_sys::Array::from(&get(&err, "problems"));
    assert!(problems.length() >= 1);
    let problem = problems.get(0);
    assert_eq!(get_str(&problem, "code"), "dangling_reference");
    assert!(!get_str(&problem, "message").is_empty());
}

#[wasm_bindgen_test]
fn nan_in_an_object_is_reported_with_its_path() {
    let object = parse(
        r#"{"schema_version": 1, "id": "j", "name": "J",
        "personas": [{"id": "p", "name": "P", "share": 0.5}]}"#,
    );
    let persona = js_sys::Reflect::get_u32(&get(&object, "personas"), 0).expect("persona");
    js_sys::Reflect::set(&persona, &"share".into(), &JsValue::from_f64(f64::NAN)).expect("set");
    let result = validate(object).expect("validate returns");
    assert_eq!(get(&result, "valid").as_bool(), Some(false));
    let problems = js_sys::Array::from(&get(&result, "problems"));
    let codes: Vec<(String, String)> = problems
        .iter()
        .map(|p| (get_str(&p, "code"), get_str(&p, "path")))
        .collect();
    assert!(
        codes.contains(&("not_finite".to_owned(), "personas[0].share".to_owned())),
        "{codes:?}"
    );
}

#[wasm_bindgen_test]
fn validate_never_throws_for_documents() {
    let documents = [
        JsValue::from_str("{not json"),
        JsValue::from_str("[]"),
        parse(r#"{"schema_version": 99}"#),
    ];
    for input in documents {
        let result = validate(input).expect("validate returns");
        assert_eq!(get(&result, "valid").as_bool(), Some(false));
    }
    // Neither text nor a plain object: not a document, a `wrong_type` argument.
    let arguments = [
        JsValue::UNDEFINED,
        JsValue::NULL,
        JsValue::from_f64(42.0),
        js_sys::Array::new().into(),
        js_sys::Date::new_0().into(),
    ];
    for input in arguments {
        let err = validate(input).expect_err("a wrong argument throws");
        assert_eq!(get_str(&err, "code"), "wrong_type");
    }
}

#[wasm_bindgen_test]
fn unknown_template_is_a_template_error() {
    let err = template("nope".into()).expect_err("unknown");
    assert_eq!(get_str(&err, "code"), "unknown_template");
    assert_eq!(get_str(&err, "family"), "template");
}

#[wasm_bindgen_test]
fn event_log_from_typed_arrays_in_the_browser() {
    let columns = parse(r#"{"customer": ["u1", "u1", "u2"], "event": ["a", "b", "a"]}"#);
    let ts = js_sys::BigInt64Array::new_with_length(3);
    ts.copy_from(&[0, 10, 5]);
    js_sys::Reflect::set(&columns, &JsValue::from_str("timestamp"), &ts).expect("set");
    let log = cjm_wasm::EventLog::from_columns(columns, parse(r#"{"unit": "seconds"}"#))
        .expect("log builds");
    assert_eq!(log.length(), 3);
    let funnel = log
        .funnel(
            parse(r#"["a", "b"]"#),
            JsValue::UNDEFINED,
            JsValue::UNDEFINED,
        )
        .expect("funnel runs");
    let steps = js_sys::Array::from(&get(&funnel, "steps"));
    let customers: Vec<f64> = steps
        .iter()
        .map(|s| get(&s, "customers").as_f64().expect("a count"))
        .collect();
    assert_eq!(customers, [2.0, 1.0]);
}

#[wasm_bindgen_test]
fn pictures_render_in_the_browser() {
    let journey = template("b2c-ecommerce".into()).expect("template loads");
    let svg = journey.map_svg(JsValue::UNDEFINED).expect("map renders");
    let parsed = web_sys_free_parse(&svg);
    assert_eq!(parsed, "svg");
}

/// The root element name of an SVG string, through the browser's DOMParser (called via
/// `Reflect`, so the test needs no `web-sys` features).
fn web_sys_free_parse(svg: &str) -> String {
    let global = js_sys::global();
    let ctor: js_sys::Function = get(&global, "DOMParser").dyn_into().expect("DOMParser");
    let parser = js_sys::Reflect::construct(&ctor, &js_sys::Array::new()).expect("new DOMParser");
    let parse: js_sys::Function = get(&parser, "parseFromString").dyn_into().expect("method");
    let doc = parse
        .call2(
            &parser,
            &JsValue::from_str(svg),
            &JsValue::from_str("image/svg+xml"),
        )
        .expect("parses");
    get(&get(&doc, "documentElement"), "localName")
        .as_string()
        .expect("a name")
}
