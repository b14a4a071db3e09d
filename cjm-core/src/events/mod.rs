//! Event-log analytics (DOMAIN.md section 4): ingestion, binding to the map, funnels,
//! paths, drivers, mergeable states. (In progress.)
