//! Every problem code is documented in `docs/errors.md` and has a golden vector; every
//! input-error code (`InputCode`) is in its "Input problems" table, the table names no
//! other, and each is produced somewhere (core, Python and JS bindings, Python package).

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use std::collections::BTreeMap;

#[test]
fn every_code_is_documented_and_exercised() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let mut vectors = String::new();
    for entry in std::fs::read_dir(root.join("tests/vectors/documents")).unwrap() {
        vectors.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
    }
    // The schema of ProblemCode lists every variant as a `const`.
    let schema = serde_json::to_value(schemars::schema_for!(cjm_core::ProblemCode)).unwrap();
    let codes: Vec<String> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["const"].as_str().unwrap().to_owned())
        .collect();
    assert!(codes.len() >= 20);
    for code in codes {
        assert!(
            catalogue.contains(&format!("`{code}`")),
            "{code} missing from docs/errors.md"
        );
        // Limits that need megabytes of input are exercised in tests/limits.rs instead.
        if ![
            "document_too_large",
            "string_too_long",
            "too_many_items",
            "not_finite",
        ]
        .contains(&code.as_str())
        {
            assert!(
                vectors.contains(&format!("\"{code}\"")),
                "{code} has no golden vector"
            );
        }
    }
}

/// Every file under `dir` whose name ends in `.{ext}`, as (path, text).
fn sources(dir: &std::path::Path, ext: &str, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

/// The top-level arguments of a call whose text starts just after its `(`, as written
/// (trimmed), honouring nested brackets and string literals.
fn call_args(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                current.push(c);
                while let Some(s) = chars.next() {
                    current.push(s);
                    if s == '\\' {
                        current.extend(chars.next());
                    } else if s == '"' {
                        break;
                    }
                }
                continue;
            }
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => {
                args.push(current.trim().to_owned());
                return args;
            }
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut current).trim().to_owned());
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    panic!("unclosed call: {}", &text[..text.len().min(200)]);
}

/// `"snake_case"` → `snake_case`; anything else → None.
fn code_literal(arg: &str) -> Option<String> {
    let inner = arg.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .then(|| inner.to_owned())
}

/// Where each input code is produced: `InputCode::Variant` in the Rust sources of the
/// core, cjm-arrow and both bindings (outside its definition), and `InputError(message, "code")` in
/// the Python package (which raises a few input errors of its own).
fn emitted_input_codes(
    root: &std::path::Path,
    variants: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut rust = Vec::new();
    for dir in [
        "cjm-core/src",
        "cjm-arrow/src",
        "cjm-py/src",
        "cjm-wasm/src",
    ] {
        sources(&root.join(dir), "rs", &mut rust);
    }
    let mut python = Vec::new();
    sources(&root.join("cjm-py/python/cjm"), "py", &mut python);
    let mut codes = BTreeMap::new();
    for (path, text) in rust.iter().filter(|(p, _)| !p.ends_with("src/error.rs")) {
        for (code, variant) in variants {
            // `InputCode::X` followed by a character that cannot continue an identifier.
            let used = text
                .match_indices(&format!("InputCode::{variant}"))
                .any(|(at, m)| {
                    !text[at + m.len()..]
                        .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_')
                });
            if used {
                codes.entry(code.clone()).or_insert_with(|| path.clone());
            }
        }
    }
    for (path, text) in &python {
        for (at, _) in text.match_indices("InputError(") {
            if text[..at].ends_with("class ") {
                continue;
            }
            let args = call_args(&text[at + "InputError(".len()..]);
            let code = args
                .get(1)
                .and_then(|a| code_literal(a))
                .unwrap_or_else(|| panic!("{path}: InputError without a literal code: {args:?}"));
            assert!(
                variants.contains_key(&code),
                "{path}: InputError code `{code}` is not an InputCode"
            );
            codes.entry(code).or_insert_with(|| path.clone());
        }
    }
    codes
}

/// The codes of the "Input problems" table of `docs/errors.md` (a row may name several:
/// `` `missing_column` / `unknown_column` ``).
fn documented_input_codes(catalogue: &str) -> std::collections::BTreeSet<String> {
    let start = catalogue.find("## Input problems").unwrap();
    let section = &catalogue[start..];
    let end = section[3..].find("\n## ").map_or(section.len(), |e| e + 3);
    let mut codes = std::collections::BTreeSet::new();
    for line in section[..end].lines() {
        let Some(first) = line.strip_prefix("| `") else {
            continue;
        };
        let cell = first.split(" |").next().unwrap();
        for (i, part) in format!("`{cell}").split('`').enumerate() {
            if i % 2 == 1 {
                codes.insert(part.to_owned());
            }
        }
    }
    codes
}

/// Every `InputCode` as (code, variant name), from the enum's schema.
fn input_code_variants() -> BTreeMap<String, String> {
    let schema = serde_json::to_value(schemars::schema_for!(cjm_core::InputCode)).unwrap();
    let mut variants = BTreeMap::new();
    for v in schema["oneOf"].as_array().unwrap() {
        let code = v["const"].as_str().unwrap().to_owned();
        assert!(
            v["description"].as_str().is_some_and(|d| !d.is_empty()),
            "{code} has no doc comment"
        );
        // The serialised form and `as_str` (what the bindings raise) agree.
        let parsed: cjm_core::InputCode = serde_json::from_value(v["const"].clone()).unwrap();
        assert_eq!(parsed.as_str(), code);
        let variant = format!("{parsed:?}");
        variants.insert(code, variant);
    }
    variants
}

#[test]
fn every_input_code_is_documented_and_emitted() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let catalogue = std::fs::read_to_string(root.join("docs/errors.md")).unwrap();
    let documented = documented_input_codes(&catalogue);
    let variants = input_code_variants();
    assert!(variants.len() >= 40, "{variants:?}");
    let undocumented: Vec<_> = variants
        .keys()
        .filter(|code| !documented.contains(*code))
        .collect();
    assert!(
        undocumented.is_empty(),
        "input codes missing from docs/errors.md (Input problems): {undocumented:?}"
    );
    let unknown: Vec<_> = documented
        .iter()
        .filter(|code| !variants.contains_key(*code))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/errors.md documents input codes that are not InputCode variants: {unknown:?}"
    );
    let emitted = emitted_input_codes(&root, &variants);
    let unused: Vec<_> = variants
        .keys()
        .filter(|code| !emitted.contains_key(*code))
        .collect();
    assert!(
        unused.is_empty(),
        "InputCode variants that no source emits: {unused:?}"
    );
}

#[test]
fn reject_reasons_raise_their_own_code() {
    let schema =
        serde_json::to_value(schemars::schema_for!(cjm_core::events::RejectReason)).unwrap();
    let reasons = schema["oneOf"].as_array().unwrap();
    assert_eq!(reasons.len(), 9);
    for v in reasons {
        let reason: cjm_core::events::RejectReason =
            serde_json::from_value(v["const"].clone()).unwrap();
        assert_eq!(reason.code(), v["const"].as_str().unwrap());
        assert_eq!(reason.input_code().as_str(), reason.code());
    }
}

/// `Error::data`, what every binding's exception carries, as JSON: a document error's
/// first problem and all of them; an input error's row; `null` where there is none.
#[test]
fn error_data_is_what_the_exceptions_carry() {
    let doc = cjm_core::load_str(r#"{"schema_version": 1}"#).unwrap_err();
    let data = serde_json::to_value(doc.data()).unwrap();
    assert_eq!(data["family"], "document");
    assert_eq!(data["code"], doc.code());
    assert_eq!(data["path"], doc.path());
    assert_eq!(data["row"], serde_json::Value::Null);
    assert_eq!(
        data["problems"].as_array().unwrap().len(),
        doc.problems().len()
    );
    let input = cjm_core::Error::Input {
        code: cjm_core::InputCode::WrongType,
        row: Some(3),
        message: "m".to_owned(),
    };
    assert_eq!(
        serde_json::to_value(input.data()).unwrap(),
        serde_json::json!({
            "code": "wrong_type", "path": "", "family": "input", "row": 3, "problems": []
        })
    );
}
