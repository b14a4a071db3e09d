//! Report sections built from analysis results render into the HTML report: their SVG is
//! well-formed XML, user text is escaped, and the same inputs give the same bytes.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

use cjm_core::attribution::{attribute, AttributionOptions, PathInput, PathTable, TableOptions};
use cjm_core::events::synth::{generate_log, SynthOptions};
use cjm_core::events::{FlowOptions, Funnel, FunnelOptions, StepSpec};
use cjm_core::insights::{insights, InsightInputs, InsightOptions};
use cjm_core::render::{
    attribution_section, flows_section, funnel_section, health_section, html_report,
    insights_section, DefinitionNote, ReportBlock, ReportOptions, ReportSection, SectionKind,
};
use cjm_core::scoring::{health, HealthInputs, ScoringModel};

/// Every inline `<svg>…</svg>` of a page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").unwrap() + start + "</svg>".len();
        out.push(&rest[start..end]);
        rest = &rest[end..];
    }
    out
}

/// The results the report's sections are built from.
struct Results {
    health: cjm_core::scoring::HealthReport,
    insights: cjm_core::insights::InsightReport,
    funnel: cjm_core::events::FunnelResult,
    flows: cjm_core::events::Flows,
    attribution: cjm_core::attribution::Attribution,
}

fn sections() -> Vec<ReportSection> {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let r = results();
    vec![
        health_section(&r.health, &journey),
        insights_section(&r.insights),
        funnel_section(&r.funnel, Some(&journey)),
        flows_section(&r.flows),
        attribution_section(&r.attribution),
    ]
}

fn results() -> Results {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let (log, _) = generate_log(&SynthOptions {
        customers: 300,
        ..SynthOptions::default()
    });
    let traffic = log.traffic(&journey);
    let reach = cjm_core::scoring::MeasuredReach::from_traffic(&traffic);
    let customers = traffic.touchpoint_customers();
    let scored = health(
        &journey,
        &ScoringModel::default(),
        &HealthInputs {
            reach: Some(&reach),
            traffic: Some(&customers),
            ..HealthInputs::default()
        },
    )
    .unwrap();
    let found = insights(
        &journey,
        &InsightOptions {
            as_of: Some("2026-01-01".to_owned()),
            ..InsightOptions::default()
        },
        &InsightInputs::default(),
    )
    .unwrap();
    let stages: Vec<StepSpec> = journey
        .journey()
        .stages
        .iter()
        .map(|s| StepSpec::Stage(s.id.clone()))
        .collect();
    let funnel = Funnel {
        steps: stages,
        options: FunnelOptions::default(),
    }
    .run(&log, Some(&journey))
    .unwrap();
    let flows = log.flows(&FlowOptions::default()).unwrap();
    // A channel named like markup must come out escaped.
    let rows = vec![
        PathInput {
            path: "<script>alert(1)</script> | email".into(),
            conversions: 2.0,
            value: 30.0,
            nulls: 1.0,
            seconds_to_conversion: None,
        },
        PathInput {
            path: "email".into(),
            conversions: 1.0,
            value: 10.0,
            nulls: 3.0,
            seconds_to_conversion: None,
        },
    ];
    let separator = TableOptions {
        separator: "|".to_owned(),
        ..TableOptions::default()
    };
    let table = PathTable::from_rows(&rows, &separator).unwrap();
    let attribution = attribute(&table, &AttributionOptions::default()).unwrap();
    Results {
        health: scored,
        insights: found,
        funnel,
        flows,
        attribution,
    }
}

#[test]
fn sections_render_into_the_report() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let sections = sections();
    let kinds: Vec<SectionKind> = sections.iter().map(|s| s.kind).collect();
    assert_eq!(
        kinds,
        [
            SectionKind::Scores,
            SectionKind::Insights,
            SectionKind::Funnel,
            SectionKind::Flows,
            SectionKind::Attribution
        ]
    );
    for s in &sections {
        assert!(!s.blocks.is_empty(), "{}: no content", s.title);
        assert!(s.intro.is_some(), "{}: no introduction", s.title);
        // The definition is named in a footnote, not in the text people read.
        assert!(!s.definitions.is_empty(), "{}: no definition", s.title);
        assert!(!s.intro.as_deref().unwrap().contains(&s.definitions[0].hash));
    }
    // The funnel names its steps after the journey's stages.
    let ReportBlock::Funnel(chart) = &sections[2].blocks[0] else {
        panic!("funnel chart first");
    };
    let first_stage = &journey.journey().stages[0].name;
    assert_eq!(&chart.steps[0].label, first_stage);

    let options = ReportOptions {
        sections,
        ..ReportOptions::default()
    };
    let html = html_report(&journey, &options);
    assert_eq!(html, html_report(&journey, &options), "deterministic");
    for id in [
        "section-scores-1",
        "section-insights-2",
        "section-funnel-3",
        "section-flows-4",
        "section-attribution-5",
    ] {
        assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
    }
    let pictures = svgs(&html);
    // Map, emotion curve, health breakdown, funnel, flows, attribution bars.
    assert!(pictures.len() >= 6, "{} pictures", pictures.len());
    for svg in pictures {
        roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("not well-formed XML: {e}\n{svg}"));
    }
    assert!(!html.contains("<script"), "user text must be escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("NaN"));
    assert!(!html.contains("class=\"notice\""), "a picture was left out");
    // Every definition is a numbered footnote under "Definitions", its mark after the
    // section's introduction links to it and it links back.
    let notes: Vec<&DefinitionNote> = options
        .sections
        .iter()
        .flat_map(|s| &s.definitions)
        .collect();
    // One per section, and the attribution has one more per model.
    assert!(notes.len() > 5, "{} notes", notes.len());
    assert!(
        html.contains("<a href=\"#definitions\">Definitions</a>"),
        "in the contents"
    );
    for (i, note) in notes.iter().enumerate() {
        let n = i + 1;
        assert_eq!(
            html.matches(&format!("href=\"#note-{n}\"")).count(),
            1,
            "mark {n}"
        );
        let item = html
            .split(&format!("<li id=\"note-{n}\">"))
            .nth(1)
            .unwrap_or_else(|| panic!("note {n} missing"));
        let item = &item[..item.find("</li>").unwrap()];
        assert!(
            item.contains(&format!("<code>{}</code>", note.hash)),
            "{item}"
        );
        assert!(item.contains(&format!("href=\"#note-ref-{n}\"")), "{item}");
    }
    assert_eq!(
        html.matches("<li id=\"note-").count(),
        notes.len(),
        "one note each"
    );
}

#[test]
fn attribution_table_lists_every_model_with_its_hash() {
    let s = sections().pop().unwrap();
    let tables: Vec<_> = s
        .blocks
        .iter()
        .filter_map(|b| match b {
            ReportBlock::Table(t) => Some(t),
            _ => None,
        })
        .collect();
    let credits = tables[0];
    assert_eq!(credits.columns[0], "Channel");
    assert_eq!(credits.rows.last().unwrap()[0], "Total");
    // `email` is last on every converting path: 3 last-touch conversions.
    let last = credits.columns.iter().position(|c| c == "last").unwrap();
    let email = credits.rows.iter().find(|r| r[0] == "email").unwrap();
    assert_eq!(email[last], "3");
    let models = tables.last().unwrap();
    assert_eq!(models.columns, ["Model", "Sums to the conversions"]);
    // The analysis's definition, then each model's, in footnotes labelled by model.
    let a = results().attribution;
    assert_eq!(s.definitions.len(), 1 + a.models.len());
    assert_eq!(s.definitions[0].hash, a.definition.hash);
    for (note, (m, row)) in s.definitions[1..]
        .iter()
        .zip(a.models.iter().zip(&models.rows))
    {
        assert_eq!(note.hash, m.definition.hash);
        assert_eq!(note.label.as_deref(), Some(row[0].as_str()));
    }
    // Time decay cannot run without touch times, and says so.
    assert!(s
        .blocks
        .iter()
        .any(|b| matches!(b, ReportBlock::Paragraph { text } if text.contains("time decay"))));
}

/// The funnel section says its settings in words, and insights read as sentences, the most
/// severe first, with the rule and place last (issue 18, item 4).
#[test]
fn sections_speak_to_people() {
    let all = sections();
    let funnel = all.iter().find(|s| s.kind == SectionKind::Funnel).unwrap();
    let intro = funnel.intro.as_deref().unwrap();
    // The default funnel: sequential, a 7-day window.
    assert!(
        intro.contains("steps in order, other events allowed between them; each within 7\u{a0}d of the first step"),
        "{intro}"
    );
    // A narrow table (issue 18, item 4): what a stakeholder reads; the whole table is
    // the result's own.
    let ReportBlock::Table(t) = &funnel.blocks[1] else {
        panic!("no funnel table")
    };
    assert_eq!(
        t.columns,
        [
            "Step",
            "Customers",
            "From first",
            "From previous",
            "Median time from previous"
        ]
    );
    assert!(t.rows.iter().all(|r| r.len() == 5));
    let insights = all
        .iter()
        .find(|s| s.kind == SectionKind::Insights)
        .unwrap();
    let ReportBlock::Table(t) = &insights.blocks[0] else {
        panic!("no table")
    };
    assert_eq!(t.columns, ["Severity", "Finding", "Rule (where)"]);
    assert!(!t.rows.is_empty());
    let rank = |s: &str| ["critical", "warning", "info"].iter().position(|x| *x == s);
    let ranks: Vec<usize> = t.rows.iter().map(|r| rank(&r[0]).unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");
    for row in &t.rows {
        let finding = &row[1];
        assert!(!finding.contains('`'), "{finding}");
        assert!(finding.ends_with('.'), "{finding}");
        assert!(finding.chars().next().unwrap().is_uppercase(), "{finding}");
        assert!(row[2].contains(" ("), "{}", row[2]);
    }
}

/// Retention and trends sections say what they show in words, with dates for people.
#[test]
fn retention_and_trends_sections() {
    let (log, _) = generate_log(&SynthOptions {
        customers: 300,
        ..SynthOptions::default()
    });
    let r = log
        .retention(&cjm_core::events::RetentionOptions {
            period: cjm_core::events::RetentionPeriod::Week,
            periods: 4,
            ..Default::default()
        })
        .unwrap();
    let s = cjm_core::render::retention_section(&r);
    let intro = s.intro.clone().unwrap();
    assert!(intro.starts_with("Cohorts by week: each customer in the cohort of their first start event; a cell is the share of the cohort active in that week"), "{intro}");
    let ReportBlock::Svg { svg, caption } = &s.blocks[0] else {
        panic!("no picture")
    };
    assert!(svg.starts_with("<svg"));
    let until = r.observed_until.clone().unwrap();
    assert_eq!(
        caption.as_deref(),
        Some(format!("Observed until {} (UTC).", &until[..10]).as_str())
    );
    let t = log
        .trends(&cjm_core::events::TrendsOptions {
            events: Some(vec!["purchase".to_owned()]),
            ..Default::default()
        })
        .unwrap();
    let s = cjm_core::render::trends_section(&t);
    let intro = s.intro.clone().unwrap();
    let (from, to) = (t.observed_from.unwrap(), t.observed_until.unwrap());
    assert!(
        intro.contains(&format!("from {} to {} (UTC)", &from[..10], &to[..10])),
        "{intro}"
    );
    assert!(matches!(&s.blocks[0], ReportBlock::Svg { .. }));
    // Both pass the report's SVG allow-list: nothing is left out.
    let page = html_report(
        &cjm_core::templates::load("b2c-ecommerce").unwrap(),
        &ReportOptions {
            sections: vec![cjm_core::render::retention_section(&r), s],
            ..ReportOptions::default()
        },
    );
    assert!(!page.contains("A picture was left out"));
}

/// The survey section names its groups and writes each metric in its unit (issue 18).
#[test]
fn survey_section_names_groups_and_units() {
    use cjm_core::scoring::{survey_kpis, SurveyOptions, SurveyTable};
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    // Checkout: NPS 10, 0 → 0; CSAT 5, 2 → top box 50 %; CES 7, 4 → mean 5.5.
    let table = SurveyTable {
        scope: vec![
            Some("tp-checkout".to_owned()),
            Some("tp-checkout".to_owned()),
        ],
        segment: vec![Some("bargain-hunter".to_owned()), None],
        nps: Some(vec![Some(10.0), Some(0.0)]),
        csat: Some(vec![Some(5.0), Some(2.0)]),
        ces: Some(vec![Some(7.0), Some(4.0)]),
    };
    let report = survey_kpis(&table, &SurveyOptions::default()).unwrap();
    let s = cjm_core::render::survey_section(&report, &journey);
    let ReportBlock::Table(t) = &s.blocks[0] else {
        panic!("no table")
    };
    let checkout = t.rows.iter().find(|r| r[0] == "Checkout").unwrap();
    assert_eq!(checkout[1], "touchpoint");
    assert_eq!(checkout[2], "2");
    assert!(checkout[3].starts_with("0 \u{b1} "), "{}", checkout[3]);
    assert_eq!(checkout[4], "50\u{a0}% (n = 2)");
    assert_eq!(checkout[5], "5.5 (n = 2)");
    assert!(t
        .rows
        .iter()
        .any(|r| r[0] == "Deal-seeking shopper" && r[1] == "segment"));
    assert_eq!(t.rows[0][0], "All answers");
}

/// The core builds the five analysis sections from results given as options, in its one
/// order (survey, health, insights, funnel, flows, attribution, the caller's sections,
/// trends, retention), and the results read back from their JSON (as the browser module
/// gets them) give the same page byte for byte.
#[test]
fn results_as_options_are_placed_by_the_core() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let r = results();
    let mine = ReportSection {
        kind: SectionKind::Other,
        title: "Notes of my own".to_owned(),
        intro: None,
        blocks: vec![ReportBlock::Paragraph {
            text: "Written by the caller.".to_owned(),
        }],
        definitions: Vec::new(),
    };
    let (log, _) = generate_log(&SynthOptions {
        customers: 50,
        ..SynthOptions::default()
    });
    let trends = log
        .trends(&cjm_core::events::TrendsOptions::default())
        .unwrap();
    let options = ReportOptions {
        health: Some(r.health.clone()),
        insights: Some(r.insights.clone()),
        funnel: Some(r.funnel.clone()),
        flows: Some(r.flows.clone()),
        attribution: Some(r.attribution.clone()),
        sections: vec![mine.clone()],
        trends: Some(trends.clone()),
        ..ReportOptions::default()
    };
    let html = html_report(&journey, &options);
    let titles: Vec<&str> = html
        .split("<h2>")
        .skip(1)
        .map(|s| s.split("</h2>").next().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Journey map",
            "Emotion curve",
            "Summary",
            "Health",
            "Insights",
            "Funnel",
            "Flows",
            "Attribution",
            "Notes of my own",
            "Trends",
            "Definitions"
        ]
    );
    // The same page as the sections built one by one and given in that order.
    let by_hand = ReportOptions {
        sections: sections().into_iter().chain([mine]).collect(),
        trends: Some(trends),
        ..ReportOptions::default()
    };
    // (The insights' links to the map are the one difference: sections given by hand
    // have none.)
    let unlinked = html
        .split("<td><a href=\"#map-")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part.to_owned()
            } else {
                let rest = &part[part.find("\">").unwrap() + 2..];
                format!("<td>{}", rest.replacen("</a></td>", "</td>", 1))
            }
        })
        .collect::<String>();
    assert_ne!(unlinked, html, "the insights link to the map");
    assert_eq!(unlinked, html_report(&journey, &by_hand));
    // Each result's serialised form reads back as the same result, and the options as
    // JSON (what JavaScript passes) give the same page.
    let json = serde_json::to_value(&options).unwrap();
    for key in ["health", "insights", "funnel", "flows", "attribution"] {
        assert!(json.get(key).is_some(), "{key} not serialised");
    }
    let back: ReportOptions = serde_json::from_value(json).unwrap();
    assert_eq!(back, options);
    assert_eq!(html_report(&journey, &back), html);
    // Absent results are left out of the serialised options.
    let empty = serde_json::to_value(ReportOptions::default()).unwrap();
    assert!(empty.get("attribution").is_none() && empty.get("health").is_none());
}

/// The attribution section says its settings in words (issue 18, item 4): what a touch
/// is, what a conversion is, the lookback and the models with their own settings.
#[test]
fn attribution_section_says_its_settings() {
    use cjm_core::attribution::{attribute_log, Model, PathOptions, TouchKind};
    use cjm_core::events::{EventLog, IngestOptions, RawEvent};
    let rows = [
        ("a", 0, "ad_click"),
        ("a", 1000, "ad_click"),
        ("a", 2000, "purchase"),
        ("b", 0, "email_open"),
        ("b", 1000, "signup"),
    ];
    let log = EventLog::from_rows(
        rows.iter().map(|(c, t, e)| RawEvent::new(c, *t, e)),
        IngestOptions::default(),
    )
    .unwrap()
    .0;
    let paths = PathOptions {
        touch: TouchKind::Event,
        conversion_events: vec!["purchase".to_owned(), "signup".to_owned()],
        lookback_seconds: Some(30.0 * 86_400.0),
        collapse_repeats: true,
        ..PathOptions::default()
    };
    let options = AttributionOptions {
        models: vec![Model::TimeDecay, Model::Markov],
        ..AttributionOptions::default()
    };
    let result = attribute_log(&log, None, &paths, &options).unwrap();
    let intro = attribution_section(&result).intro.unwrap();
    assert!(
        intro.starts_with(
            "Touches are the event names; a conversion is a customer\u{2019}s first \u{201c}purchase\u{201d} or \u{201c}signup\u{201d} event; touches up to 30\u{a0}d before the conversion (or a non-converter\u{2019}s last touch); repeated touches counted once; models: time decay (half-life 7\u{a0}d) and Markov chain of order 1. 2 paths, 2 conversions"
        ),
        "{intro}"
    );
    // A path table has no touch or conversion settings; the default models in words.
    let s = sections().pop().unwrap();
    let intro = s.intro.unwrap();
    assert!(
        intro.starts_with(
            "Paths as given in the path table; models: first touch, last touch, last non-direct touch (direct channel \u{201c}direct\u{201d}), linear, position-based (first 40\u{a0}%, middle 20\u{a0}%, last 40\u{a0}%), time decay (half-life 7\u{a0}d), participation, Markov chain of order 1, Shapley (paths of at most 15 channels) and ordered Shapley. "
        ),
        "{intro}"
    );
}

/// Every `href="#…"` of a page and every `id="…"`.
fn hrefs_and_ids(html: &str) -> (Vec<String>, Vec<String>) {
    let grab = |key: &str| -> Vec<String> {
        html.split(key)
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    };
    (grab("href=\"#"), grab(" id=\""))
}

/// Insights link to the map item they are about (issue 18, item 4): the report's map has
/// an anchor on each stage, touchpoint, pain point, opportunity and KPI, each finding's
/// "Rule (where)" cell links to its item, and no link points at nothing.
#[test]
fn insights_link_to_the_map_items() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let j = journey.journey();
    // Late enough for stale evidence and an overdue review, which the map does not draw.
    let found = insights(
        &journey,
        &InsightOptions {
            as_of: Some("2027-04-01".to_owned()),
            ..InsightOptions::default()
        },
        &InsightInputs::default(),
    )
    .unwrap();
    let options = ReportOptions {
        insights: Some(found.clone()),
        ..ReportOptions::default()
    };
    let html = html_report(&journey, &options);
    let (hrefs, ids) = hrefs_and_ids(&html);
    for href in &hrefs {
        assert!(
            ids.contains(href),
            "a link to #{href}, which is not on the page"
        );
    }
    // Every finding about a stage, touchpoint, pain point or KPI links to that item's
    // anchor on the map, named by the item's id (the template's findings are about pain
    // points and KPIs, among others).
    let (mut linked, mut plain) = (0, 0);
    for i in &found.insights {
        let place = if i.path.is_empty() {
            "the map"
        } else {
            &i.path
        };
        let item = i.path.split_once('[').and_then(|(collection, rest)| {
            let n: usize = rest.split(']').next().unwrap().parse().unwrap();
            match collection {
                "stages" => Some(("stage", &j.stages[n].id)),
                "touchpoints" => Some(("touchpoint", &j.touchpoints[n].id)),
                "pain_points" => Some(("pain-point", &j.pain_points[n].id)),
                "kpis" => Some(("kpi", &j.kpis[n].id)),
                _ => None,
            }
        });
        // Findings about what the map does not draw (personas, evidence, the review)
        // have no link.
        let Some((kind, id)) = item else {
            let cell = format!("<td>{} ({place})</td>", i.code);
            assert!(html.contains(&cell), "{cell}");
            plain += 1;
            continue;
        };
        assert!(html.contains(&format!("<g id=\"map-{kind}-{id}\">")));
        let cell = format!(
            "<td><a href=\"#map-{kind}-{id}\">{} ({})</a></td>",
            i.code, i.path
        );
        assert!(html.contains(&cell), "{cell}");
        linked += 1;
    }
    assert!(
        linked >= 2,
        "the template has findings about pain points and KPIs"
    );
    assert!(plain >= 1, "and about what the map does not draw");
    // Stages are in the map's header; findings about them link there.
    let stage_findings = found
        .insights
        .iter()
        .filter(|i| i.path.starts_with("stages["))
        .count();
    let stage_links = hrefs.iter().filter(|h| h.starts_with("map-stage-")).count();
    assert_eq!(stage_links, stage_findings);
    // Without the pain point lane, pain points are not drawn and not linked.
    let lanes = cjm_core::render::MapOptions {
        lanes: vec![cjm_core::render::Lane::Touchpoints],
        title: false,
        ..cjm_core::render::MapOptions::default()
    };
    let html = html_report(
        &journey,
        &ReportOptions {
            map: lanes,
            ..options
        },
    );
    let (hrefs, ids) = hrefs_and_ids(&html);
    assert!(!hrefs.iter().any(|h| h.starts_with("map-pain-point-")));
    assert!(!ids.iter().any(|h| h.starts_with("map-pain-point-")));
    for href in &hrefs {
        assert!(
            ids.contains(href),
            "a link to #{href}, which is not on the page"
        );
    }
    // The map on its own carries no anchors (its bytes are unchanged).
    let alone =
        cjm_core::render::journey_map_svg(&journey, &cjm_core::render::MapOptions::default());
    assert!(!alone.contains(" id=\"map-"));
}

/// A caller's table link is an in-page link whatever its target says: always `#…`, the
/// target escaped.
#[test]
fn table_links_stay_in_the_page() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let options: ReportOptions = serde_json::from_value(serde_json::json!({
        "sections": [{"title": "Mine", "blocks": [{"type": "table", "columns": ["a", "b"],
            "rows": [["x", "y"]],
            "links": [{"row": 0, "column": 1, "target": "javascript:alert(1)\" onclick=\"alert(2)"}]}]}]
    }))
    .unwrap();
    let html = html_report(&journey, &options);
    assert!(html.contains(
        "<td>x</td><td><a href=\"#javascript:alert(1)&quot; onclick=&quot;alert(2)\">y</a></td>"
    ));
}

/// The time-to-convert chart of a funnel: one bar per bin that starts within the window,
/// one panel per breakdown group, nothing when nobody converted. Worked by hand: u1 a@0
/// b@30 (under 1 minute), u2 a@0 b@120 (1–5 min), u3 a@0 b@4000 (1–6 h), u4 only a; with
/// a 2-hour window the bins are < 1 min, 1–5 min, 5–15 min, 15 min–1 h and 1–6 h
/// (it starts at 1 h, within 2 h); 6 h–1 d starts beyond it.
#[test]
fn time_to_convert_chart_bins_and_panels() {
    use cjm_core::events::{EventLog, IngestOptions, RawEvent, TimeUnit};
    use cjm_core::render::time_to_convert_chart;
    let rows = [
        ("u1", 0, "a", "web"),
        ("u1", 30, "b", "web"),
        ("u2", 0, "a", "app"),
        ("u2", 120, "b", "app"),
        ("u3", 0, "a", "web"),
        ("u3", 4000, "b", "web"),
        ("u4", 0, "a", "web"),
    ];
    let (log, _) = EventLog::from_rows(
        rows.iter().map(|&(c, t, e, ch)| RawEvent {
            channel: Some(ch),
            ..RawEvent::new(c, t, e)
        }),
        IngestOptions {
            time_unit: TimeUnit::Seconds,
            ..IngestOptions::default()
        },
    )
    .unwrap();
    let options = FunnelOptions {
        window_seconds: Some(7200),
        ..FunnelOptions::default()
    };
    let f = Funnel::events(&["a", "b"])
        .with_options(options.clone())
        .run(&log, None)
        .unwrap();
    let chart = time_to_convert_chart(&f).unwrap();
    assert_eq!(
        chart.groups,
        ["< 1 min", "1–5 min", "5–15 min", "15 min–1 h", "1–6 h"]
    );
    assert_eq!(chart.series.len(), 1);
    assert_eq!(
        chart.series[0].values,
        [Some(1.0), Some(1.0), Some(0.0), Some(0.0), Some(1.0)]
    );
    // One unnamed series: no name beside each bar, tooltips of bin and count only.
    let svg = cjm_core::render::bar_chart_svg(&chart);
    assert!(chart.series[0].name.is_empty());
    assert!(!svg.contains(">all<"), "no series name on the bars");
    assert!(svg.contains("<title>1–5 min: 1</title>"), "{svg}");
    // By channel: app (u2: 1–5 min) and web (u1 under 1 min, u3 1–6 h), as panels.
    let by = Funnel::events(&["a", "b"])
        .with_options(FunnelOptions {
            breakdown: Some("channel".into()),
            ..options.clone()
        })
        .run(&log, None)
        .unwrap();
    let chart = time_to_convert_chart(&by).unwrap();
    assert_eq!(chart.layout, cjm_core::render::BarLayout::Panels);
    let panels: Vec<(&str, Vec<Option<f64>>)> = chart
        .series
        .iter()
        .map(|s| (s.name.as_str(), s.values.clone()))
        .collect();
    assert_eq!(
        panels,
        [
            (
                "app",
                vec![Some(0.0), Some(1.0), Some(0.0), Some(0.0), Some(0.0)]
            ),
            (
                "web",
                vec![Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(1.0)]
            )
        ]
    );
    // Nobody reaches c: no chart, and the report's funnel section has no bars.
    let none = Funnel::events(&["a", "c"])
        .with_options(FunnelOptions {
            allow_missing_events: true,
            ..options
        })
        .run(&log, None)
        .unwrap();
    assert!(time_to_convert_chart(&none).is_none());
    assert!(!cjm_core::render::funnel_section(&none, None)
        .blocks
        .iter()
        .any(|b| matches!(b, ReportBlock::Bars(_))));
}

/// A caller's definition notes are text like any other: escaped in the mark's title and
/// in the footnote.
#[test]
fn definition_notes_of_a_caller_are_escaped() {
    let journey = cjm_core::templates::load("b2c-ecommerce").unwrap();
    let evil = DefinitionNote {
        label: Some("<script>alert(1)</script>".to_owned()),
        kind: "k'<b>".to_owned(),
        hash: "\"><img src=x onerror=alert(1)>".to_owned(),
    };
    let html = html_report(
        &journey,
        &ReportOptions {
            sections: vec![ReportSection {
                kind: SectionKind::Other,
                title: "Mine".to_owned(),
                intro: None,
                blocks: Vec::new(),
                definitions: vec![evil],
            }],
            ..ReportOptions::default()
        },
    );
    assert!(!html.contains("<script>alert"), "label");
    assert!(!html.contains("<img src=x"), "hash");
    assert!(!html.contains("k'<b>"), "kind");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;: <code>k&#39;&lt;b&gt;</code>"));
    assert!(html.contains("title=\"definition &quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
    // Without an introduction the mark stands alone.
    assert!(html.contains("<p>Definition<sup class=\"note\"><a id=\"note-ref-1\""));
}
