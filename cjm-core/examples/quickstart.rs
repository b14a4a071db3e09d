//! The 30-second tour for Rust users: load a built-in template, summarise it, and see
//! what validation says about a broken document.
//!
//! `cargo run -p cjm-core --example quickstart`

fn main() -> Result<(), cjm_core::Error> {
    for info in cjm_core::templates::list() {
        println!("template {:<24} {}", info.name, info.title);
    }

    let journey = cjm_core::templates::load("b2c-ecommerce")?;
    let summary = journey.summary();
    println!(
        "\n{} ({} personas, {} touchpoints, {} KPIs)",
        summary.name, summary.personas, summary.touchpoints, summary.kpis
    );
    for stage in &summary.stages {
        println!(
            "  {:<16} {:>2} touchpoints on {} channels, {} pain points",
            stage.name, stage.touchpoints, stage.channels, stage.pain_points
        );
    }

    let broken = r#"{
        "schema_version": 1, "id": "shop", "name": "Shop",
        "stages": [{"id": "buy", "name": "Buy"}],
        "channels": [{"id": "web", "name": "Web", "kind": "online"}],
        "touchpoints": [{"id": "cart", "name": "Cart", "stage": "pay", "channel": "web", "colour": "red"}]
    }"#;
    if let Err(err) = cjm_core::load_str(broken) {
        println!("\n{err}");
        for problem in err.problems() {
            println!("  code={} path={}", problem.code, problem.path);
        }
    }
    Ok(())
}
