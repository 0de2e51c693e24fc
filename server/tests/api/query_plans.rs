//! Every query a page runs per request reads an index, never the whole table: `EXPLAIN` of
//! each shape, against the real schema, so that a migration that drops an index, or a query
//! that stops using one, fails here. (The list pages read the in-memory register view, which
//! is built by reading both register tables whole, once per change: see `register_view`.)
use crate::helpers::*;

/// (what runs it, the statement): values are literals, as the planner sees bound ones.
const PER_REQUEST: &[(&str, &str)] = &[
    (
        "every signed-in request: the session",
        "SELECT * FROM session WHERE token_hash = 'x' LIMIT 1",
    ),
    (
        "a contact: deliveries",
        "SELECT * FROM delivery WHERE contact = contact:x",
    ),
    (
        "a contact: interactions",
        "SELECT * FROM interaction WHERE contact = contact:x",
    ),
    (
        "an organisation: interactions",
        "SELECT * FROM interaction WHERE organisation = organisation:x",
    ),
    (
        "a briefing's report",
        "SELECT * FROM delivery WHERE briefing = briefing:x AND kind != 'test'",
    ),
    (
        "a briefing's stopped blocks",
        "SELECT * FROM delivery_block WHERE briefing = briefing:x AND state = 'stopped'",
    ),
    (
        "deleting an organisation: its contacts",
        "SELECT VALUE id FROM contact WHERE organisation = organisation:x",
    ),
    (
        "a lead's workstreams",
        "SELECT * FROM workstream WHERE leads CONTAINS user:x",
    ),
    (
        "follow-ups",
        "SELECT * FROM interaction WHERE follow_up_owner = user:x AND follow_up_done = false",
    ),
    (
        "the audit log",
        "SELECT * FROM audit WHERE true ORDER BY at DESC, id DESC LIMIT 51",
    ),
    (
        "the audit log, older entries",
        "SELECT * FROM audit WHERE at <= d'2026-01-01T00:00:00Z' AND (at < d'2026-01-01T00:00:00Z' OR id < audit:x) ORDER BY at DESC, id DESC LIMIT 51",
    ),
    (
        "the audit log, newer entries",
        "SELECT * FROM audit WHERE at >= d'2026-01-01T00:00:00Z' AND (at > d'2026-01-01T00:00:00Z' OR id > audit:x) ORDER BY at ASC, id ASC LIMIT 51",
    ),
    (
        "a workstream's milestones",
        "SELECT * FROM milestone WHERE workstream = workstream:x",
    ),
    (
        "a workstream's updates",
        "SELECT * FROM status_update WHERE workstream = workstream:x",
    ),
    ("a delivery link", "SELECT * FROM delivery WHERE id = delivery:x"),
    (
        "a contact's engagement history",
        "SELECT * FROM engagement_change WHERE contact = contact:x ORDER BY at",
    ),
    (
        "the map's moves since a date",
        "SELECT * FROM engagement_change WHERE at <= d'2026-01-01T00:00:00Z' ORDER BY at",
    ),
];

#[tokio::test]
async fn every_per_request_query_reads_an_index() {
    let app = spawn_app().await;
    let mut scans = Vec::new();
    for (what, sql) in PER_REQUEST {
        let mut res = app.store.db().query(format!("EXPLAIN {sql}")).await.expect("explain");
        let plan: Option<String> = res.take(0).expect("a plan");
        let plan = plan.unwrap_or_default();
        let reads_index = plan.contains("IndexScan") || plan.contains("RecordIdScan");
        if !reads_index || plan.contains("TableScan") {
            scans.push(format!("{what}: {sql}\n{plan}"));
        }
    }
    assert!(scans.is_empty(), "these scan a table:\n{}", scans.join("\n"));
}
