//! What a report page holds: sections ([`ReportSection`]) of content blocks (paragraphs,
//! tables, charts given as data, checked SVG) and the definitions they show. The section
//! builders (`sections`) make them from results; the page (`html`) writes them.

use super::charts::{BarChart, FlowChart, FunnelChart};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a report section is about; sets its anchor and CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Health and survey scores.
    Scores,
    /// Map lint findings.
    Insights,
    /// Funnels.
    Funnel,
    /// Paths and flows.
    Flows,
    /// Attribution results.
    Attribution,
    /// Anything else.
    #[default]
    Other,
}

impl SectionKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Scores => "scores",
            Self::Insights => "insights",
            Self::Funnel => "funnel",
            Self::Flows => "flows",
            Self::Attribution => "attribution",
            Self::Other => "other",
        }
    }
}

/// A section of the report: a heading, an optional introduction and content blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    /// What the section is about.
    #[serde(default)]
    pub kind: SectionKind,
    /// Heading.
    pub title: String,
    /// A paragraph under the heading.
    #[serde(default)]
    pub intro: Option<String>,
    /// The content, in order.
    #[serde(default)]
    pub blocks: Vec<ReportBlock>,
    /// The definitions of the results it shows: numbered footnotes of the page, listed
    /// under "Definitions" at its foot, with a mark after the introduction.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub definitions: Vec<DefinitionNote>,
}

/// A result's definition, named in a footnote of the report: its kind and hash (two
/// results with the same hash were computed by the same definition, every option that can
/// change a number included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefinitionNote {
    /// What it is the definition of, for people (`NPS`, a model's name); the section's
    /// title when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The definition's kind (`funnel`, `attribution`…).
    pub kind: String,
    /// The definition's hash.
    pub hash: String,
}

impl DefinitionNote {
    /// The note of a definition, labelled with its section's title.
    #[must_use]
    pub fn of(definition: &crate::Definition) -> Self {
        Self {
            label: None,
            kind: definition.kind.clone(),
            hash: definition.hash.clone(),
        }
    }

    /// The note of a definition with a label of its own.
    #[must_use]
    pub fn labelled(label: &str, definition: &crate::Definition) -> Self {
        Self {
            label: Some(label.to_owned()),
            ..Self::of(definition)
        }
    }
}

/// One piece of section content. Charts are given as data and drawn by the report, so
/// every string in them is escaped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ReportBlock {
    /// A paragraph of text.
    Paragraph {
        /// The text.
        text: String,
    },
    /// A table.
    Table(ReportTable),
    /// A funnel chart.
    Funnel(FunnelChart),
    /// A flow (Sankey) chart.
    Flow(FlowChart),
    /// A bar chart.
    Bars(BarChart),
    /// Ready-made SVG markup (from another cjm picture, say). It is parsed as XML and
    /// checked against an allow-list of SVG elements and attributes (no script, no event
    /// handlers, no `foreignObject` or `image`, links and `url(...)` only to `#id` in the
    /// picture, nothing after the root element), then written into the page from the
    /// parsed tree. Markup that fails the check is left out, with a notice saying why.
    Svg {
        /// The SVG markup, starting with `<svg`.
        svg: String,
        /// A caption under the picture.
        #[serde(default)]
        caption: Option<String>,
    },
}

/// A table of text cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTable {
    /// A caption above the table.
    #[serde(default)]
    pub caption: Option<String>,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells; cells that look numeric are right-aligned.
    pub rows: Vec<Vec<String>>,
    /// Cells that link to an element of the page (the report's insights link to the
    /// map items they are about).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ReportLink>,
}

/// A table cell that links to an element of the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportLink {
    /// The row, from 0 (in `rows`).
    pub row: usize,
    /// The column, from 0.
    pub column: usize,
    /// The `id` of the element it links to, without `#`: a map item's anchor, say
    /// (`map-stage-…`, `map-touchpoint-…`, `map-pain-point-…`, `map-opportunity-…`,
    /// `map-kpi-…` followed by the item's id).
    pub target: String,
}
