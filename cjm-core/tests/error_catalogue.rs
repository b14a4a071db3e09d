//! Every problem code is documented in `docs/errors.md` and has a golden vector.

#![allow(clippy::unwrap_used, reason = "test code")]

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
