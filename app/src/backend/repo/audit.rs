//! The audit log: append and read, nothing else. The database refuses updates and deletes
//! of its rows too (an event in the migration), so it stays append-only from the application.
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::policy::CurrentUser;
use crate::domain::UserId;
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

    pub(crate) fn label(&self) -> String {
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
    key: String,
    actor_label: String,
    action: String,
    record: String,
    changes: String,
}

/// A place in the log, newest first: an entry's time and key (two entries written in one
/// transaction can share a time). Written into the page's links as `<nanoseconds>.<key>`.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditCursor {
    at: DateTime<Utc>,
    key: String,
}

impl AuditCursor {
    pub fn parse(s: &str) -> Option<Self> {
        let (nanos, key) = s.split_once('.')?;
        let at = DateTime::from_timestamp_nanos(nanos.parse().ok()?);
        let plain = !key.is_empty() && key.len() <= 64 && key.bytes().all(|b| b.is_ascii_alphanumeric());
        plain.then(|| Self {
            at,
            key: key.to_string(),
        })
    }

    pub fn encode(&self) -> String {
        format!("{}.{}", self.at.timestamp_nanos_opt().unwrap_or(0), self.key)
    }

    fn of(r: &Row) -> Self {
        Self {
            at: r.at,
            key: r.key.clone(),
        }
    }
}

/// Which part of the log a page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum AuditFrom {
    #[default]
    Newest,
    /// The entries older than this one.
    Before(AuditCursor),
    /// The entries newer than this one (the "Newer" link).
    After(AuditCursor),
}

/// Filters of the audit page; empty strings match everything.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AuditFilter {
    pub actor: String,
    pub action: String,
    pub record: String,
    pub from: AuditFrom,
}

/// One page of the log, with where the next pages start (`None`: there is nothing there).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditSlice {
    pub items: Vec<AuditEntry>,
    pub older: Option<AuditCursor>,
    pub newer: Option<AuditCursor>,
}

pub struct Audit<'a> {
    store: &'a Store,
}

impl<'a> Audit<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn append(
        &self,
        actor: &Actor,
        action: crate::domain::audit::AuditAction,
        record: &str,
        changes: &str,
    ) -> Result<(), StoreError> {
        self.store
            .db()
            .query(
                "CREATE audit SET at = time::now(), actor = IF $actor = NONE { NONE } ELSE { type::record('user', $actor) },
                    actor_label = $label, action = $action, record = $record, changes = $changes",
            )
            .bind(("actor", actor.id()))
            .bind(("label", actor.label()))
            .bind(("action", action.key().to_string()))
            .bind(("record", record.to_string()))
            .bind(("changes", changes.to_string()))
            .await?
            .check()?;
        Ok(())
    }

    /// A page of the log, newest first, by keyset: the index on `at` is read from the cursor,
    /// and nothing counts the whole table (it only grows).
    pub async fn list(&self, f: &AuditFilter, per_page: u32) -> Result<AuditSlice, StoreError> {
        let filter = "($actor = '' OR string::contains(string::lowercase(actor_label), $actor))
            AND ($action = '' OR action = $action)
            AND ($record = '' OR string::contains(string::lowercase(record), $record))";
        let (cursor, newer_first) = match &f.from {
            AuditFrom::Newest => (None, false),
            AuditFrom::Before(c) => (Some(c), false),
            AuditFrom::After(c) => (Some(c), true),
        };
        // Each shape written out (not `$at = NONE OR …`), so the planner reads the index on `at`
        // from the cursor (`query_plans` holds it to that).
        let (range, order) = match f.from {
            AuditFrom::Newest => ("true", "at DESC, id DESC"),
            AuditFrom::Before(_) => ("at <= $at AND (at < $at OR id < $rid)", "at DESC, id DESC"),
            AuditFrom::After(_) => ("at >= $at AND (at > $at OR id > $rid)", "at ASC, id ASC"),
        };
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT at, record::id(id) AS key, actor_label, action, record, changes, id FROM audit
                    WHERE {range} AND {filter} ORDER BY {order} LIMIT $limit"
            ))
            .bind(("actor", f.actor.trim().to_lowercase()))
            .bind(("action", f.action.trim().to_string()))
            .bind(("record", f.record.trim().to_lowercase()))
            .bind(("at", cursor.map(|c| c.at)))
            .bind((
                "rid",
                surrealdb::types::RecordId::new("audit", cursor.map_or(String::new(), |c| c.key.clone())),
            ))
            // One more than shown: whether there is another page.
            .bind(("limit", per_page as i64 + 1))
            .await?;
        let mut rows: Vec<Row> = res.take(0)?;
        let more = rows.len() > per_page as usize;
        rows.truncate(per_page as usize);
        if newer_first {
            rows.reverse();
        }
        let (first, last) = (rows.first().map(AuditCursor::of), rows.last().map(AuditCursor::of));
        // Coming from a cursor, there is something on its other side: the entry it names.
        let (older, newer) = match f.from {
            AuditFrom::Newest => (more.then_some(last).flatten(), None),
            AuditFrom::Before(_) => (more.then_some(last).flatten(), first),
            AuditFrom::After(_) => (last, more.then_some(first).flatten()),
        };
        Ok(AuditSlice {
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
            older,
            newer,
        })
    }

    pub async fn count(&self) -> Result<u64, StoreError> {
        let mut res = self.store.db().query("SELECT count() FROM audit GROUP ALL").await?;
        let n: Option<i64> = res.take((0, "count"))?;
        Ok(n.unwrap_or(0).max(0) as u64)
    }
}
