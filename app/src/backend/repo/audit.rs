//! The audit log: append and read, nothing else. The database refuses updates and deletes
//! of its rows too (an event in the migration), so it stays append-only from the application.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::policy::CurrentUser;
use crate::domain::{Page, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

/// Who did something: a signed-in user, or someone identified only by what they typed or a
/// token (a failed sign-in, a stakeholder acknowledging a briefing), or the system itself.
#[derive(Debug, Clone)]
pub enum Actor {
    User { id: UserId, label: String },
    Other(String),
}

impl Actor {
    pub fn user(u: &CurrentUser) -> Self {
        Actor::User {
            id: u.id.clone(),
            label: format!("{} <{}>", u.name, u.email),
        }
    }

    pub fn system() -> Self {
        Actor::Other("system".into())
    }

    fn id(&self) -> Option<String> {
        match self {
            Actor::User { id, .. } => Some(id.as_str().to_string()),
            Actor::Other(_) => None,
        }
    }

    fn label(&self) -> String {
        match self {
            Actor::User { label, .. } | Actor::Other(label) => label.clone(),
        }
    }
}

/// One audit entry as the audit page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub changes: String,
}

#[derive(SurrealValue)]
struct Row {
    at: DateTime<Utc>,
    actor_label: String,
    action: String,
    record: String,
    changes: String,
}

/// Filters of the audit page; empty strings match everything.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub record: String,
    pub page: u32,
}

pub struct Audit<'a> {
    store: &'a Store,
}

impl<'a> Audit<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn append(&self, actor: &Actor, action: &str, record: &str, changes: &str) -> Result<(), StoreError> {
        self.store
            .db()
            .query(
                "CREATE audit SET at = time::now(), actor = IF $actor = NONE { NONE } ELSE { type::record('user', $actor) },
                    actor_label = $label, action = $action, record = $record, changes = $changes",
            )
            .bind(("actor", actor.id()))
            .bind(("label", actor.label()))
            .bind(("action", action.to_string()))
            .bind(("record", record.to_string()))
            .bind(("changes", changes.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    pub async fn list(&self, f: &AuditFilter, per_page: u32) -> Result<Page<AuditEntry>, StoreError> {
        let filter = "($actor = '' OR string::contains(string::lowercase(actor_label), $actor))
            AND ($action = '' OR action = $action)
            AND ($record = '' OR string::contains(string::lowercase(record), $record))";
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT at, actor_label, action, record, changes FROM audit WHERE {filter} ORDER BY at DESC LIMIT $limit START $start;
                 SELECT count() FROM audit WHERE {filter} GROUP ALL;"
            ))
            .bind(("actor", f.actor.trim().to_lowercase()))
            .bind(("action", f.action.trim().to_string()))
            .bind(("record", f.record.trim().to_lowercase()))
            .bind(("limit", per_page as i64))
            .bind(("start", (f.page.max(1) - 1) as i64 * per_page as i64))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        let total: Option<i64> = res.take((1, "count"))?;
        Ok(Page {
            items: rows
                .into_iter()
                .map(|r| AuditEntry {
                    at: r.at,
                    actor: r.actor_label,
                    action: r.action,
                    record: r.record,
                    changes: r.changes,
                })
                .collect(),
            total: total.unwrap_or(0).max(0) as u64,
            page: f.page.max(1),
            per_page,
        })
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let mut res = self.store.db().query("SELECT count() FROM audit GROUP ALL").await?;
        let n: Option<i64> = res.take((0, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }
}
