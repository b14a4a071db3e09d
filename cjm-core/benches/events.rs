//! Benchmarks of the event-log analytics on ~1M synthetic events (`events::synth`).
//!
//! `cargo bench -p cjm-core --bench events`

#![allow(missing_docs, clippy::unwrap_used, reason = "benchmark code")]

use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::events::{
    AnalysisUnit, CohortType, Columns, DirectlyFollowsOptions, EventLog, EventLogBuilder,
    EventMatch, FilterOptions, Funnel, FunnelOptions, FunnelTrendsOptions, IngestOptions,
    RetentionMode, RetentionOptions, RetentionPeriod, SampleOptions, SequenceState, SessionOptions,
    TimeUnit, TrendsOptions, VariantOptions,
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
    let customer_ids: Vec<String> = rows.iter().map(|e| e.customer.to_string()).collect();
    let customer: Vec<Option<&str>> = customer_ids.iter().map(|c| Some(c.as_str())).collect();
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
    let daily = RetentionOptions::default();
    g.bench_function("retention_daily_first_seen", |b| {
        b.iter(|| black_box(log.retention(&daily).unwrap()));
    });
    let weekly = RetentionOptions {
        start_event: Some(EventMatch::One("session_start".to_owned())),
        return_event: Some(EventMatch::AnyOf(vec![
            "purchase".to_owned(),
            "view_item".to_owned(),
        ])),
        period: RetentionPeriod::Week,
        periods: 8,
        mode: RetentionMode::OnOrAfter,
        cohort: CohortType::Recurring,
        time_zone: "+01:00".to_owned(),
        breakdown: Some("channel".to_owned()),
        ..RetentionOptions::default()
    };
    g.bench_function("retention_weekly_recurring_by_channel", |b| {
        b.iter(|| black_box(log.retention(&weekly).unwrap()));
    });
    let monthly = RetentionOptions {
        period: RetentionPeriod::Month,
        periods: 3,
        ..RetentionOptions::default()
    };
    g.bench_function("retention_monthly", |b| {
        b.iter(|| black_box(log.retention(&monthly).unwrap()));
    });
    let trends_daily = TrendsOptions::default();
    g.bench_function("trends_daily_every_event", |b| {
        b.iter(|| black_box(log.trends(&trends_daily).unwrap()));
    });
    let trends_weekly = TrendsOptions {
        events: Some(vec!["purchase".to_owned(), "view_item".to_owned()]),
        period: RetentionPeriod::Week,
        time_zone: "+01:00".to_owned(),
        breakdown: Some("channel".to_owned()),
        ..TrendsOptions::default()
    };
    g.bench_function("trends_weekly_two_events_by_channel", |b| {
        b.iter(|| black_box(log.trends(&trends_weekly).unwrap()));
    });
    let checkout = Funnel::events(&["view_item", "add_to_cart", "purchase"]);
    let weekly_entry = FunnelTrendsOptions {
        period: RetentionPeriod::Week,
        ..FunnelTrendsOptions::default()
    };
    g.bench_function("funnel_trends_weekly", |b| {
        b.iter(|| black_box(checkout.trends(&log, None, &weekly_entry).unwrap()));
    });
    g.bench_function("directly_follows", |b| {
        b.iter(|| {
            black_box(
                log.directly_follows(&DirectlyFollowsOptions::default())
                    .unwrap(),
            )
        });
    });
    g.bench_function("variants_top10", |b| {
        b.iter(|| black_box(log.variants(&VariantOptions::default()).unwrap()));
    });
    g.bench_function("traffic", |b| b.iter(|| black_box(log.traffic(&journey))));
    // Log operations: a filter keeping about half of the events (two names in a time
    // range, one channel dropped), a 10 % sample of customers, and the export of the
    // columns (what `to_arrow` and `toColumns` read).
    let half = FilterOptions {
        events: Some(vec!["view_item".to_owned(), "page_view".to_owned()]),
        start: Some("2024-01-05".to_owned()),
        end: Some("2024-01-25".to_owned()),
        where_not: [("channel".to_owned(), vec!["email".to_owned()])]
            .into_iter()
            .collect(),
        ..FilterOptions::default()
    };
    eprintln!(
        "the filter keeps {} events",
        log.filter(&half).unwrap().len()
    );
    g.bench_function("filter_events_time_channel", |b| {
        b.iter(|| black_box(log.filter(&half).unwrap().len()))
    });
    g.bench_function("filter_then_export", |b| {
        b.iter(|| black_box(log.filter(&half).unwrap().export().customer.len()))
    });
    let tenth = SampleOptions {
        fraction: Some(0.1),
        ..SampleOptions::default()
    };
    g.bench_function("sample_10pct_customers", |b| {
        b.iter(|| black_box(log.sample(&tenth).unwrap().len()))
    });
    let sessions = SessionOptions {
        replace: true,
        ..SessionOptions::default()
    };
    g.bench_function("sessionize_30min", |b| {
        b.iter(|| black_box(log.sessionize(&sessions).unwrap().len()))
    });
    let sessionized = log.sessionize(&sessions).unwrap();
    let by_session = Funnel::events(&["session_start", "view_item", "add_to_cart", "purchase"])
        .with_options(FunnelOptions {
            unit: AnalysisUnit::Session,
            ..FunnelOptions::default()
        });
    g.bench_function("funnel_4_steps_by_session", |b| {
        b.iter(|| black_box(by_session.run(&sessionized, None).unwrap()))
    });
    g.bench_function("export_columns", |b| {
        b.iter(|| black_box(log.export().customer.len()))
    });
    g.bench_function("sequence_state_from_log", |b| {
        b.iter(|| black_box(SequenceState::from_log(&log).events()));
    });
    g.finish();
}

/// A log shaped like a real export, not like our generator: random 64-bit customer ids,
/// ~10 events each, rows in global time order (customers interleave), timestamps in
/// microseconds, `event` and `channel` dictionary-encoded (as Arrow and Parquet give
/// them). `CJM_BENCH_EVENTS` sets the size (default 1,000,000).
struct Export {
    ids: Vec<i64>,
    ts: Vec<i64>,
    event_keys: Vec<i32>,
    channel_keys: Vec<i32>,
    events: Vec<Option<&'static str>>,
    channels: Vec<Option<&'static str>>,
}

/// splitmix64: a seeded generator without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn export(events: usize) -> Export {
    const EVENTS: [&str; 12] = [
        "session_start",
        "page_view",
        "search",
        "view_item",
        "add_to_cart",
        "remove_from_cart",
        "begin_checkout",
        "add_payment_info",
        "purchase",
        "login",
        "signup",
        "newsletter",
    ];
    const CHANNELS: [&str; 7] = [
        "direct",
        "organic",
        "paid_search",
        "email",
        "social",
        "referral",
        "display",
    ];
    let customers = (events / 10).max(1);
    let mut rng = Rng(42);
    let ids: Vec<i64> = (0..customers).map(|_| rng.next() as i64).collect();
    let span = 90 * 86_400 * 1_000_000i64;
    let mut rows: Vec<(i64, i64, i32, i32)> = (0..events)
        .map(|_| {
            let c = rng.below(customers as u64) as usize;
            let t = 1_700_000_000_000_000 + (rng.below(span as u64) as i64);
            // A skewed event mix; purchases are rare.
            let r = rng.below(100);
            let e = match r {
                0..=19 => 0,
                20..=49 => 1,
                50..=59 => 2,
                60..=74 => 3,
                75..=82 => 4,
                83..=85 => 5,
                86..=90 => 6,
                91..=93 => 7,
                94..=95 => 8,
                96..=97 => 9,
                98 => 10,
                _ => 11,
            };
            let ch = (rng.below(7) as i32).min(rng.below(7) as i32);
            (t, ids.get(c).copied().unwrap_or(0), e, ch)
        })
        .collect();
    rows.sort_unstable_by_key(|r| r.0);
    Export {
        ids: rows.iter().map(|r| r.1).collect(),
        ts: rows.iter().map(|r| r.0).collect(),
        event_keys: rows.iter().map(|r| r.2).collect(),
        channel_keys: rows.iter().map(|r| r.3).collect(),
        events: EVENTS.iter().map(|&s| Some(s)).collect(),
        channels: CHANNELS.iter().map(|&s| Some(s)).collect(),
    }
}

fn bench_export(c: &mut Criterion) {
    use cjm_core::attribution::{
        attribute_log, AttributionOptions, Model, PathCounts, PathOptions,
    };
    use cjm_core::events::columns::{
        ColumnBatch, I64Col, IdCol, Keys, StrArray, StrCol, TimeCol, Utf8,
    };
    let n: usize = std::env::var("CJM_BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let data = export(n);
    let dict = |keys: &'static [i32], values: &'static [Option<&'static str>]| StrCol::Dict {
        keys: Keys::I32(keys),
        validity: None,
        values: StrArray {
            values: Utf8::Strs(values),
            validity: None,
        },
    };
    let data: &'static Export = Box::leak(Box::new(data));
    let batch = ColumnBatch {
        customer: vec![IdCol::Int(I64Col {
            values: &data.ids,
            validity: None,
        })],
        timestamp: TimeCol::Ticks {
            values: I64Col {
                values: &data.ts,
                validity: None,
            },
            unit: TimeUnit::Microseconds,
        },
        event: dict(&data.event_keys, &data.events),
        channel: Some(dict(&data.channel_keys, &data.channels)),
        session: None,
        value: None,
        consent: None,
        extra: Vec::new(),
        row: None,
    };
    let build = || {
        let mut b = EventLogBuilder::new(IngestOptions::default());
        b.push_batch(&batch).unwrap();
        b.finish().0
    };
    let log = build();
    eprintln!(
        "export-shaped log: {} events, {} customers",
        log.len(),
        log.customers().len()
    );
    let mut g = c.benchmark_group("export_shape");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n as u64));
    g.bench_function("ingest_int_ids_dictionaries", |b| {
        b.iter(|| black_box(build().len()))
    });
    let funnel = Funnel::events(&[
        "session_start",
        "view_item",
        "add_to_cart",
        "begin_checkout",
        "purchase",
    ]);
    g.bench_function("funnel_5_steps", |b| {
        b.iter(|| black_box(funnel.run(&log, None).unwrap()));
    });
    let paths = PathOptions {
        conversion_events: vec!["purchase".to_owned()],
        ..PathOptions::default()
    };
    g.bench_function("attribution_paths", |b| {
        b.iter(|| black_box(PathCounts::from_log(&log, None, &paths).unwrap().len()));
    });
    // What `EventLog.attribute` runs in the export benchmark (`export_bench.py`): the
    // log's paths, then the five models it compares with the peers.
    let models = AttributionOptions {
        models: vec![
            Model::First,
            Model::Last,
            Model::Linear,
            Model::TimeDecay,
            Model::Markov,
        ],
        ..AttributionOptions::default()
    };
    g.bench_function("attribution_5_models", |b| {
        b.iter(|| black_box(attribute_log(&log, None, &paths, &models).unwrap()));
    });
    g.bench_function("directly_follows", |b| {
        b.iter(|| {
            black_box(
                log.directly_follows(&DirectlyFollowsOptions::default())
                    .unwrap(),
            )
        });
    });
    g.finish();
}

criterion_group!(benches, bench, bench_export);
criterion_main!(benches);
