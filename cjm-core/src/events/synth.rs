//! A seeded generator of realistic synthetic clickstreams, for benchmarks, demos and
//! tests. Event names are GA4-style and match the touchpoint events of the
//! `b2c-ecommerce` template, with unmapped housekeeping events (`session_start`,
//! `page_view`, `scroll`) mixed in as in real exports.
//!
//! Each customer has 1–5 sessions hours to days apart, each on one channel (weighted:
//! organic search, paid search, social, email, direct, referral), and moves through the
//! stages with drop-off: entry (awareness) → browsing (consideration, 80 % of customers)
//! → basket (35 % of browsers) → checkout (60 %) → purchase (70 %) → delivery → retention
//! (50 % of buyers) → advocacy (30 % of retained). The same seed gives the same log.

use super::log::{EventLog, EventLogBuilder, IngestOptions, IngestReport, RawEvent, TimeValue};
use super::time::TimeUnit;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Options of the generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SynthOptions {
    /// Number of customers (default 1000; about 14 events each on average).
    pub customers: usize,
    /// Random seed (default 42).
    pub seed: u64,
    /// Milliseconds since the epoch of the earliest first visit (default
    /// 2024-01-01T00:00:00Z); first visits spread over 30 days.
    pub start_ms: i64,
}

impl Default for SynthOptions {
    fn default() -> Self {
        Self {
            customers: 1000,
            seed: 42,
            start_ms: 1_704_067_200_000,
        }
    }
}

/// One generated event (timestamps in milliseconds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynthEvent {
    /// Customer id (`c000042`).
    pub customer: String,
    /// Milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// GA4-style event name.
    pub event: &'static str,
    /// Channel of the session.
    pub channel: &'static str,
    /// Session id (`c000042-s1`).
    pub session: String,
    /// Revenue on `purchase`.
    pub value: Option<f64>,
}

/// SplitMix64: small, fast, good enough for synthetic data.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[allow(clippy::cast_precision_loss, reason = "53 random bits")]
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1).max(1);
        lo + i64::try_from(self.next() % span).unwrap_or(0)
    }

    fn pick<T: Copy>(&mut self, items: &[(T, u32)]) -> Option<T> {
        let total: u32 = items.iter().map(|(_, w)| w).sum();
        let mut x = u32::try_from(self.next() % u64::from(total.max(1))).unwrap_or(0);
        for &(item, w) in items {
            if x < w {
                return Some(item);
            }
            x -= w;
        }
        items.first().map(|&(i, _)| i)
    }
}

const CHANNELS: [(&str, u32); 6] = [
    ("organic_search", 30),
    ("paid_search", 20),
    ("social", 15),
    ("email", 10),
    ("direct", 20),
    ("referral", 5),
];

/// Calls `emit` for every event of every customer, in customer order and time order
/// within a customer, without collecting them.
pub fn for_each_event<F: FnMut(&SynthEventRef<'_>)>(options: &SynthOptions, mut emit: F) {
    let mut rng = Rng(options.seed ^ 0x5EED_CAFE);
    let mut customer = String::new();
    let mut session = String::new();
    for c in 0..options.customers {
        customer.clear();
        customer.push_str(&format!("c{c:06}"));
        let mut t = options.start_ms + rng.range(0, 30 * 86_400_000);
        let sessions = rng
            .pick(&[(1, 40), (2, 30), (3, 15), (4, 10), (5, 5)])
            .unwrap_or(1);
        // How deep this customer goes (0 entry, 1 browse, 2 basket, 3 checkout,
        // 4 purchase, 5 retention, 6 advocacy).
        let mut depth = 0;
        for p in [0.8, 0.35, 0.6, 0.7, 0.5, 0.3] {
            if rng.chance(p) {
                depth += 1;
            } else {
                break;
            }
        }
        let mut reached = 0;
        for s in 0..sessions {
            session.clear();
            session.push_str(&format!("{customer}-s{s}"));
            let channel = rng.pick(&CHANNELS).unwrap_or("direct");
            let mut out = |name: &'static str, t: &mut i64, rng: &mut Rng, value: Option<f64>| {
                *t += rng.range(2_000, 90_000);
                emit(&SynthEventRef {
                    customer: &customer,
                    timestamp_ms: *t,
                    event: name,
                    channel,
                    session: &session,
                    value,
                });
            };
            out("session_start", &mut t, &mut rng, None);
            let entry = match channel {
                "paid_search" => "ad_click",
                "social" => "social_post_click",
                "email" if s > 0 => "page_view",
                _ if s == 0 => "first_visit",
                _ => "page_view",
            };
            out(entry, &mut t, &mut rng, None);
            // Share the funnel's progress over the sessions; the last session goes
            // to the customer's depth.
            let goal = if s + 1 == sessions {
                depth
            } else {
                reached.max(rng.range(0, i64::from(depth)).try_into().unwrap_or(0))
            };
            if goal >= 1 {
                if rng.chance(0.5) {
                    out("search", &mut t, &mut rng, None);
                }
                out("view_item_list", &mut t, &mut rng, None);
                if rng.chance(0.2) {
                    out("view_promotion", &mut t, &mut rng, None);
                    if rng.chance(0.3) {
                        out("select_promotion", &mut t, &mut rng, None);
                    }
                }
                for _ in 0..rng.range(1, 4) {
                    out("view_item", &mut t, &mut rng, None);
                    out("scroll", &mut t, &mut rng, None);
                }
                if rng.chance(0.1) {
                    out("add_to_wishlist", &mut t, &mut rng, None);
                }
            }
            if goal >= 2 {
                out("add_to_cart", &mut t, &mut rng, None);
                out("view_cart", &mut t, &mut rng, None);
            }
            if goal >= 3 {
                out("begin_checkout", &mut t, &mut rng, None);
                if rng.chance(0.3) {
                    out("sign_up", &mut t, &mut rng, None);
                }
                out("add_shipping_info", &mut t, &mut rng, None);
                out("add_payment_info", &mut t, &mut rng, None);
            }
            if goal >= 4 && reached < 4 {
                #[allow(clippy::cast_precision_loss, reason = "small integers")]
                let value = rng.range(2_000, 20_000) as f64 / 100.0;
                out("purchase", &mut t, &mut rng, Some(value));
                t += rng.range(1, 4) * 86_400_000;
                out("delivery_confirmed", &mut t, &mut rng, None);
            }
            if goal >= 5 && s + 1 == sessions {
                t += rng.range(1, 20) * 86_400_000;
                out("login", &mut t, &mut rng, None);
                out("reorder", &mut t, &mut rng, None);
            }
            if goal >= 6 && s + 1 == sessions {
                out("review_submitted", &mut t, &mut rng, None);
                if rng.chance(0.5) {
                    out("share", &mut t, &mut rng, None);
                }
            }
            reached = reached.max(goal);
            // Next session: hours to days later.
            t += rng.range(3_600_000, 5 * 86_400_000);
        }
    }
}

/// One generated event, borrowed (see [`for_each_event`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SynthEventRef<'a> {
    /// Customer id.
    pub customer: &'a str,
    /// Milliseconds since the epoch.
    pub timestamp_ms: i64,
    /// Event name.
    pub event: &'static str,
    /// Channel.
    pub channel: &'static str,
    /// Session id.
    pub session: &'a str,
    /// Revenue on `purchase`.
    pub value: Option<f64>,
}

/// Generates the events as owned rows.
#[must_use]
pub fn generate(options: &SynthOptions) -> Vec<SynthEvent> {
    let mut out = Vec::new();
    for_each_event(options, |e| {
        out.push(SynthEvent {
            customer: e.customer.to_owned(),
            timestamp_ms: e.timestamp_ms,
            event: e.event,
            channel: e.channel,
            session: e.session.to_owned(),
            value: e.value,
        });
    });
    out
}

/// Generates an event log directly (timestamps in milliseconds).
#[must_use]
pub fn generate_log(options: &SynthOptions) -> (EventLog, IngestReport) {
    let mut b = EventLogBuilder::new(IngestOptions {
        time_unit: TimeUnit::Milliseconds,
        ..IngestOptions::default()
    });
    b.reserve(options.customers.saturating_mul(14));
    for_each_event(options, |e| {
        // Not strict: pushing cannot fail.
        let _ = b.push(&RawEvent {
            customer: Some(e.customer),
            timestamp: TimeValue::Ticks(e.timestamp_ms),
            event: Some(e.event),
            channel: Some(e.channel),
            session: Some(e.session),
            value: e.value,
            consent: None,
            extra: &[],
            row: None,
        });
    });
    b.finish()
}
