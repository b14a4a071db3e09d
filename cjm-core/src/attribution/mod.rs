//! Multi-touch attribution (DOMAIN.md section 5). (In progress.)
