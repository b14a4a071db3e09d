//! The committed JSON Schema must be exactly what the code generates.
//! Run with `CJM_BLESS=1` to rewrite the committed file after changing the model.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: a failed expectation should panic"
)]

#[test]
fn committed_schema_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../docs/schema/journey-1.schema.json");
    let generated = cjm_core::schema::journey_schema_json();
    if std::env::var_os("CJM_BLESS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/schema/journey-1.schema.json is out of date: run `CJM_BLESS=1 cargo test -p cjm-core --test schema_drift` and commit it"
    );
}
