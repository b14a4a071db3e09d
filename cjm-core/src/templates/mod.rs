//! Built-in starter maps, as the journey-mapping guides recommend starting from: each is a
//! valid document with realistic stages, channels, touchpoints (bound to typical event
//! names), personas, observations, pain points, opportunities and KPIs.

use crate::{Error, Result, ValidJourney};
use serde::Serialize;

/// A built-in template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct TemplateInfo {
    /// The name to load it by.
    pub name: &'static str,
    /// Display title.
    pub title: &'static str,
    /// What kind of business it fits.
    pub description: &'static str,
}

struct Template {
    info: TemplateInfo,
    source: &'static str,
}

const TEMPLATES: &[Template] = &[
    Template {
        info: TemplateInfo {
            name: "b2c-ecommerce",
            title: "B2C e-commerce",
            description: "An online shop: discovery through search, social and ads, \
                          product pages, checkout, delivery, returns and reviews",
        },
        source: include_str!(concat!(env!("OUT_DIR"), "/b2c-ecommerce.json")),
    },
    Template {
        info: TemplateInfo {
            name: "b2b-saas",
            title: "B2B SaaS",
            description: "A software product sold to companies: content and events, \
                          trial or demo, sales-assisted purchase, onboarding, expansion",
        },
        source: include_str!(concat!(env!("OUT_DIR"), "/b2b-saas.json")),
    },
    Template {
        info: TemplateInfo {
            name: "subscription-retention",
            title: "Subscription and retention",
            description: "A consumer subscription: sign-up, first value, habit, \
                          renewal, cancellation attempts and win-back",
        },
        source: include_str!(concat!(env!("OUT_DIR"), "/subscription-retention.json")),
    },
];

/// The built-in templates, in a fixed order.
#[must_use]
pub fn list() -> Vec<TemplateInfo> {
    TEMPLATES.iter().map(|t| t.info).collect()
}

/// The JSON text of a built-in template, as shipped (compact: the indented files in
/// `src/templates/` without the whitespace between tokens).
#[must_use]
pub fn source(name: &str) -> Option<&'static str> {
    TEMPLATES
        .iter()
        .find(|t| t.info.name == name)
        .map(|t| t.source)
}

/// Loads and validates a built-in template by name.
///
/// # Errors
/// [`Error::UnknownTemplate`] for a name that is not built in.
pub fn load(name: &str) -> Result<ValidJourney> {
    match source(name) {
        Some(text) => crate::load_str(text),
        None => Err(Error::UnknownTemplate {
            name: name.to_owned(),
            known: TEMPLATES
                .iter()
                .map(|t| t.info.name)
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}
