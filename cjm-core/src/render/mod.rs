//! Pictures (DOMAIN.md section 7): SVG journey maps, funnels, flows, emotion curves,
//! Mermaid, HTML report. (In progress.)
