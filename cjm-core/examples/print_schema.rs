//! Prints the journey JSON Schema.
fn main() {
    print!("{}", cjm_core::schema::journey_schema_json());
}
