//! Workstreams: the programme's delivery themes and who leads them.
use super::{new_key, stored};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::{UserId, WorkstreamId};
use surrealdb::types::SurrealValue;

/// A workstream in a list: enough to name it and know its lead.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorkstreamSummary {
    pub id: WorkstreamId,
    pub name: String,
    pub aim: String,
    pub lead: Option<UserId>,
    pub lead_name: Option<String>,
}

pub struct Workstreams<'a> {
    store: &'a Store,
}

impl<'a> Workstreams<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create(
        &self,
        name: &str,
        aim: &str,
        position: i64,
        lead: Option<&UserId>,
    ) -> Result<WorkstreamId, StoreError> {
        let key = new_key();
        self.store
            .db()
            .query(
                "CREATE type::record('workstream', $key) SET name = $name, aim = $aim, position = $position,
                    lead = IF $lead = NONE { NONE } ELSE { type::record('user', $lead) }",
            )
            .bind(("key", key.clone()))
            .bind(("name", name.to_string()))
            .bind(("aim", aim.to_string()))
            .bind(("position", position))
            .bind(("lead", lead.map(|l| l.as_str().to_string())))
            .await?
            .check()?;
        stored("id", WorkstreamId::parse(&key))
    }

    pub async fn list(&self) -> Result<Vec<WorkstreamSummary>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            id: String,
            name: String,
            aim: String,
            lead: Option<String>,
            lead_name: Option<String>,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, name, aim, position,
                        IF lead = NONE { NONE } ELSE { record::id(lead) } AS lead, lead.name AS lead_name
                 FROM workstream ORDER BY position",
            )
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .map(|r| {
                Ok(WorkstreamSummary {
                    id: stored("id", WorkstreamId::parse(&r.id))?,
                    name: r.name,
                    aim: r.aim,
                    lead: r.lead.map(|l| stored("lead", UserId::parse(&l))).transpose()?,
                    lead_name: r.lead_name,
                })
            })
            .collect()
    }
}

use super::audit::Actor;
use super::{audit_vars, checked, AUDIT_SQL};
use crate::backend::error::REFUSAL_MARK;
use crate::domain::workstream::{Milestone, MilestoneDraft, Rag, StatusDraft, StatusUpdate, WorkstreamView};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(SurrealValue)]
struct MilestoneRow {
    id: String,
    workstream: String,
    title: String,
    due: String,
    done: Option<String>,
}

#[derive(SurrealValue)]
struct UpdateRow {
    id: String,
    workstream: String,
    rag: String,
    summary: String,
    risks: String,
    issues: String,
    next_steps: String,
    commentary: String,
    author_name: String,
    at: DateTime<Utc>,
}

fn date(field: &str, s: &str) -> Result<NaiveDate, StoreError> {
    stored(field, NaiveDate::parse_from_str(s, "%Y-%m-%d"))
}

impl MilestoneRow {
    fn into_domain(self) -> Result<(String, Milestone), StoreError> {
        Ok((
            self.workstream,
            Milestone {
                due: date("due", &self.due)?,
                done: self.done.as_deref().map(|d| date("done", d)).transpose()?,
                id: self.id,
                title: self.title,
            },
        ))
    }
}

impl UpdateRow {
    fn into_domain(self) -> Result<(String, StatusUpdate), StoreError> {
        Ok((
            self.workstream,
            StatusUpdate {
                rag: stored("rag", Rag::parse(&self.rag))?,
                commentary_html: crate::backend::markdown::to_html(&self.commentary),
                id: self.id,
                summary: self.summary,
                risks: self.risks,
                issues: self.issues,
                next_steps: self.next_steps,
                commentary: self.commentary,
                author: self.author_name,
                at: self.at,
            },
        ))
    }
}

impl<'a> Workstreams<'a> {
    /// Every workstream with its milestones and full status history (newest first), or just
    /// the one asked for.
    pub async fn views(&self, only: Option<&WorkstreamId>) -> Result<Vec<WorkstreamView>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "LET $only = IF $id = NONE { NONE } ELSE { type::record('workstream', $id) };
                 SELECT record::id(id) AS id, name, aim, position, lead.name AS lead_name FROM workstream
                    WHERE $only = NONE OR id = $only ORDER BY position;
                 SELECT record::id(id) AS id, record::id(workstream) AS workstream, title, due, done FROM milestone
                    WHERE $only = NONE OR workstream = $only ORDER BY due;
                 SELECT record::id(id) AS id, record::id(workstream) AS workstream, rag, summary, risks, issues,
                        next_steps, commentary, author_name, at FROM status_update
                    WHERE $only = NONE OR workstream = $only ORDER BY at DESC;",
            )
            .bind(("id", only.map(|i| i.as_str().to_string())))
            .await?;
        #[derive(SurrealValue)]
        struct WsRow {
            id: String,
            name: String,
            aim: String,
            lead_name: Option<String>,
        }
        let ws: Vec<WsRow> = res.take(1)?;
        let milestones: Vec<MilestoneRow> = res.take(2)?;
        let updates: Vec<UpdateRow> = res.take(3)?;
        let mut views: Vec<WorkstreamView> = ws
            .into_iter()
            .map(|w| {
                Ok(WorkstreamView {
                    id: stored("id", WorkstreamId::parse(&w.id))?,
                    name: w.name,
                    aim: w.aim,
                    lead_name: w.lead_name,
                    milestones: vec![],
                    updates: vec![],
                })
            })
            .collect::<Result<_, StoreError>>()?;
        for m in milestones {
            let (ws, m) = m.into_domain()?;
            if let Some(v) = views.iter_mut().find(|v| v.id.as_str() == ws) {
                v.milestones.push(m);
            }
        }
        for u in updates {
            let (ws, u) = u.into_domain()?;
            if let Some(v) = views.iter_mut().find(|v| v.id.as_str() == ws) {
                v.updates.push(u);
            }
        }
        Ok(views)
    }

    pub async fn view(&self, id: &WorkstreamId) -> Result<WorkstreamView, StoreError> {
        self.views(Some(id))
            .await?
            .into_iter()
            .next()
            .ok_or(StoreError::NotFound("workstream"))
    }

    /// Appends a status update (never edits one), with its audit entry, in one transaction.
    pub async fn post_status(
        &self,
        actor: &Actor,
        author: &str,
        id: &WorkstreamId,
        d: &StatusDraft,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let author_id = match actor {
            Actor::User { id, .. } => Some(id.as_str().to_string()),
            Actor::Other(_) => None,
        };
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $ws = type::record('workstream', $id);
                 IF !record::exists($ws) {{ THROW '{REFUSAL_MARK}not-found' }};
                 CREATE status_update SET workstream = $ws, rag = $rag, summary = $summary, risks = $risks,
                    issues = $issues, next_steps = $next_steps, commentary = $commentary,
                    author = IF $author = NONE {{ NONE }} ELSE {{ type::record('user', $author) }},
                    author_name = $author_name, at = $at;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("rag", d.rag.key().to_string()))
            .bind(("summary", d.summary.clone()))
            .bind(("risks", d.risks.clone()))
            .bind(("issues", d.issues.clone()))
            .bind(("next_steps", d.next_steps.clone()))
            .bind(("commentary", d.commentary.clone()))
            .bind(("author", author_id))
            .bind(("author_name", author.to_string()))
            .bind(("at", now))
            .bind(audit_vars(
                actor,
                "status-update",
                format!("workstream:{id}"),
                format!("rag: {}; summary: {}", d.rag.label(), d.summary),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream or milestone"))?;
        Ok(())
    }

    pub async fn add_milestone(&self, actor: &Actor, id: &WorkstreamId, d: &MilestoneDraft) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $ws = type::record('workstream', $id);
                 IF !record::exists($ws) {{ THROW '{REFUSAL_MARK}not-found' }};
                 CREATE milestone SET workstream = $ws, title = $title, due = $due;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("title", d.title.clone()))
            .bind(("due", d.due.format("%Y-%m-%d").to_string()))
            .bind(audit_vars(
                actor,
                "create",
                format!("workstream:{id} milestone"),
                format!("{}, due {}", d.title, d.due),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream or milestone"))?;
        Ok(())
    }

    /// Marks a milestone of this workstream done on `done` (or not done with `None`). A
    /// milestone id of another workstream is not found: a lead cannot tick someone else's.
    pub async fn set_milestone_done(
        &self,
        actor: &Actor,
        id: &WorkstreamId,
        milestone: &str,
        done: Option<NaiveDate>,
    ) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('milestone', $milestone);
                 IF !record::exists($m) OR $m.workstream != type::record('workstream', $id) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $m SET done = $done;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("milestone", milestone.to_string()))
            .bind(("done", done.map(|d| d.format("%Y-%m-%d").to_string())))
            .bind(audit_vars(
                actor,
                "update",
                format!("milestone:{milestone} (workstream:{id})"),
                match done {
                    Some(d) => format!("done: {d}"),
                    None => "done: (none)".into(),
                },
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream or milestone"))?;
        Ok(())
    }
}
