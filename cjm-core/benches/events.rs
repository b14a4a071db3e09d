//! Benchmarks of the event-log analytics on ~1M synthetic events (`events::synth`).
//!
//! `cargo bench -p cjm-core --bench events`

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark code")]

use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::events::{
    Columns, DirectlyFollowsOptions, EventLog, EventLogBuilder, Funnel, FunnelOptions,
    IngestOptions, SequenceState, TimeUnit, VariantOptions,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let options = SynthOptions {
        customers: 70_000,
        ..SynthOptions::default()
    };
    let (log, _) = generate_log(&options);
    let n = log.len() as u64;
    eprintln!(
        "synthetic log: {n} events, {} customers",
        log.customers().len()
    );
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let mut g = c.benchmark_group("events_1m");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function("ingest_synth", |b| {
        b.iter(|| black_box(generate_log(&options).0.len()))
    });
    // The same events as columns in time order (customers interleaved, as logs arrive):
    // ingest alone, without the synthesis.
    let mut rows: Vec<_> = log.iter().collect();
    rows.sort_by_key(|e| (e.timestamp, e.row));
    let customer: Vec<Option<&str>> = rows.iter().map(|e| Some(e.customer)).collect();
    let timestamp: Vec<Option<i64>> = rows.iter().map(|e| Some(e.timestamp)).collect();
    let event: Vec<Option<&str>> = rows.iter().map(|e| Some(e.event)).collect();
    let channel: Vec<Option<&str>> = rows.iter().map(|e| e.channel).collect();
    let columns = Columns {
        customer: &customer,
        timestamp: &timestamp,
        event: &event,
        channel: Some(&channel),
        ..Columns::default()
    };
    let ns = IngestOptions {
        time_unit: TimeUnit::Nanoseconds,
        ..IngestOptions::default()
    };
    g.bench_function("ingest_columns_time_ordered", |b| {
        b.iter(|| {
            let builder = EventLogBuilder::new(ns.clone());
            black_box(EventLog::from_columns(&columns, builder).unwrap().0.len())
        });
    });
    let checkout = Funnel::events(&["view_item", "add_to_cart", "begin_checkout", "purchase"]);
    g.bench_function("funnel_4_steps_sequential", |b| {
        b.iter(|| black_box(checkout.run(&log, None).unwrap()));
    });
    let by_channel = checkout.clone().with_options(FunnelOptions {
        breakdown: Some("channel".to_owned()),
        ..FunnelOptions::default()
    });
    g.bench_function("funnel_4_steps_by_channel", |b| {
        b.iter(|| black_box(by_channel.run(&log, None).unwrap()));
    });
    let stages = Funnel::from_stages(&journey);
    g.bench_function("funnel_stages", |b| {
        b.iter(|| black_box(stages.run(&log, Some(&journey)).unwrap()));
    });
    g.bench_function("directly_follows", |b| {
        b.iter(|| black_box(log.directly_follows(&DirectlyFollowsOptions::default())));
    });
    g.bench_function("variants_top10", |b| {
        b.iter(|| black_box(log.variants(&VariantOptions::default())));
    });
    g.bench_function("traffic", |b| b.iter(|| black_box(log.traffic(&journey))));
    g.bench_function("sequence_state_from_log", |b| {
        b.iter(|| black_box(SequenceState::from_log(&log).events()));
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
