//! Reports: what became of a briefing's deliveries (sent, failed, stopped, retried,
//! acknowledged, by kind of organisation and by organisation), kept per sending change so that
//! a finished 10,000-recipient send is read once per change, not on every view of its page.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::delivery::{DeliveryKind, DeliveryState};
use crate::domain::report::{RecipientLine, Report, Tally};
use crate::domain::OrgKind;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use surrealdb::types::SurrealValue;

/// What became of a briefing's deliveries (kept per sending change: see [`ReportCache`]).
pub async fn report(store: &Store, id: &str) -> Result<Arc<Report>, StoreError> {
    let cache = store.report_cache_arc();
    if let Some(r) = cache.get(id) {
        return Ok(r);
    }
    let generation = cache.freshness_arc().current();
    let report = Arc::new(report_now(store, id).await?);
    cache.keep(id, generation, report.clone());
    Ok(report)
}

async fn report_now(store: &Store, id: &str) -> Result<Report, StoreError> {
    #[derive(SurrealValue)]
    struct D {
        kind: String,
        state: String,
        name: String,
        email: String,
        org_name: String,
        org_kind: String,
        last_error: Option<String>,
        acknowledged_at: Option<DateTime<Utc>>,
        retried: bool,
        bounce_hard: Option<bool>,
        bounce_diagnostic: Option<String>,
        held: bool,
    }
    let mut res = store
        .db()
        .query(
            "SELECT kind, state, name, email, org_name, org_kind, last_error, acknowledged_at, retried_at != NONE AS retried,
                bounce_hard, bounce_diagnostic, contact.held_since != NONE AS held
                FROM delivery WHERE briefing = type::record('briefing', $id) AND kind != 'test';
             SELECT VALUE recipients FROM ONLY type::record('briefing', $id);
             SELECT VALUE retried ?? 0 FROM ONLY type::record('briefing', $id);
             -- Frozen recipients of stopped blocks (no delivery row yet).
             math::sum((SELECT VALUE array::len(entries) FROM (SELECT VALUE record::id(id) FROM delivery_block
                WHERE briefing = type::record('briefing', $id) AND state = 'stopped').map(|$k| type::record('delivery_entries', $k))));",
        )
        .bind(("id", id.to_string()))
        .await?;
    let rows: Vec<D> = res.take(0)?;
    let line = |d: &D, detail: String| RecipientLine {
        name: d.name.clone(),
        email: d.email.clone(),
        detail,
    };
    let recipients: Option<i64> = res.take(1)?;
    let retried: Option<i64> = res.take(2)?;
    let stopped_entries: Option<i64> = res.take(3)?;
    let mut r = Report {
        retried: retried.unwrap_or(0).max(0) as u64,
        stopped: stopped_entries.unwrap_or(0).max(0) as u64,
        ..Default::default()
    };
    // A frozen recipient has a delivery row once its first outcome is known; until then it
    // is only an entry of its block, and counts as queued (or stopped, with its block).
    let with_row = rows
        .iter()
        .filter(|d| DeliveryKind::parse(&d.kind) == Ok(DeliveryKind::Briefing))
        .count() as u64;
    r.queued = (recipients.unwrap_or(0).max(0) as u64).saturating_sub(with_row + r.stopped);
    let mut kinds: std::collections::BTreeMap<String, Tally> = Default::default();
    let mut orgs: std::collections::BTreeMap<String, Tally> = Default::default();
    for d in rows {
        let (kind, state) = (DeliveryKind::parse(&d.kind), DeliveryState::parse(&d.state));
        if kind == Ok(DeliveryKind::Reminder) {
            if state == Ok(DeliveryState::Sent) {
                r.reminders_sent += 1;
            }
            continue;
        }
        if d.retried {
            let now = match state {
                Ok(DeliveryState::Sent) => "sent",
                Ok(DeliveryState::Failed) => "failed again",
                _ => "waiting",
            };
            r.retries.push(line(&d, now.to_string()));
        }
        match state {
            Ok(DeliveryState::Sent) => r.sent += 1,
            Ok(DeliveryState::Stopped) => r.stopped += 1,
            Ok(DeliveryState::Failed) => {
                r.failed += 1;
                r.failures.push(line(&d, d.last_error.clone().unwrap_or_default()));
            }
            _ => r.queued += 1,
        }
        if state != Ok(DeliveryState::Sent) {
            continue;
        }
        if d.held {
            r.held += 1;
        }
        if let Some(diagnostic) = &d.bounce_diagnostic {
            r.bounced += 1;
            let how = if d.bounce_hard == Some(true) {
                "permanent"
            } else {
                "temporary"
            };
            r.bounces.push(line(&d, format!("{how}: {diagnostic}")));
        }
        let acked = d.acknowledged_at.is_some();
        if acked {
            r.acknowledged += 1;
        } else {
            r.not_acknowledged.push(line(&d, d.org_name.clone()));
        }
        let kind_label = OrgKind::parse(&d.org_kind)
            .map(|k| k.label().to_string())
            .unwrap_or(d.org_kind.clone());
        for (map, label) in [(&mut kinds, kind_label), (&mut orgs, d.org_name.clone())] {
            let t = map.entry(label.clone()).or_insert_with(|| Tally {
                label,
                ..Default::default()
            });
            t.delivered += 1;
            if acked {
                t.acknowledged += 1;
            }
        }
    }
    r.by_kind = kinds.into_values().collect();
    r.by_organisation = orgs.into_values().collect();
    r.not_acknowledged.sort();
    r.bounces.sort();
    Ok(r)
}
