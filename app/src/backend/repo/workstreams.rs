//! Workstreams: the programme's delivery themes and who leads them.
use super::{new_key, stored};
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::domain::audit::AuditAction;
use crate::domain::workstream_setup::{WorkstreamDraft, WorkstreamSetup};
use crate::domain::{UserId, WorkstreamId};
use surrealdb::types::SurrealValue;

/// A workstream whose leads may be nudged, as the scheduler reads it.
#[derive(Debug, Clone, SurrealValue)]
pub struct NudgeCandidate {
    pub id: String,
    pub name: String,
    pub nudged_at: Option<DateTime<Utc>>,
    /// The newest update, or when it was set up.
    pub last: DateTime<Utc>,
    pub leads: Vec<Lead>,
}

#[derive(Debug, Clone, SurrealValue)]
pub struct Lead {
    pub email: String,
    pub name: String,
}

/// A workstream in a list: enough to name it and know its leads.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct WorkstreamSummary {
    pub id: WorkstreamId,
    pub name: String,
    pub aim: String,
    pub leads: Vec<UserId>,
}

pub struct Workstreams<'a> {
    store: &'a Store,
}

/// The fields of a workstream's definition, as SurrealQL parameters.
fn setup_vars(d: &WorkstreamDraft) -> surrealdb::types::Variables {
    let mut v = surrealdb::types::Variables::new();
    v.insert("name", d.name.clone());
    v.insert("aim", d.purpose.clone());
    v.insert("objectives", d.objectives.clone());
    v.insert("starts_on", d.starts_on.map(|x| x.to_string()));
    v.insert("ends_on", d.ends_on.map(|x| x.to_string()));
    v.insert("position", i64::from(d.position));
    v.insert(
        "leads",
        d.leads.iter().map(|l| l.as_str().to_string()).collect::<Vec<_>>(),
    );
    v
}

/// What the audit log says about a definition.
fn setup_fields(d: &WorkstreamDraft, lead_names: &[String]) -> Vec<(&'static str, String)> {
    vec![
        ("name", d.name.clone()),
        ("purpose", d.purpose.clone()),
        ("objectives", d.objectives.clone()),
        ("starts", d.starts_on.map(|x| x.to_string()).unwrap_or_default()),
        ("ends", d.ends_on.map(|x| x.to_string()).unwrap_or_default()),
        ("position", d.position.to_string()),
        ("leads", lead_names.join(", ")),
    ]
}

const SETUP_FIELDS: &str = "record::id(id) AS id, name, aim, objectives, starts_on, ends_on, position,
    leads.map(|$l| record::id($l)) AS leads,
    (SELECT VALUE name FROM user WHERE id IN $parent.leads ORDER BY name) AS lead_names,
    archived_at != NONE AS archived, nudges != false AS nudges, version, updated_at, updated_by";

#[derive(SurrealValue)]
struct SetupRow {
    id: String,
    name: String,
    aim: String,
    objectives: String,
    starts_on: Option<String>,
    ends_on: Option<String>,
    position: i64,
    leads: Vec<String>,
    lead_names: Vec<String>,
    archived: bool,
    nudges: bool,
    version: i64,
}

impl SetupRow {
    fn into_domain(self) -> Result<WorkstreamSetup, StoreError> {
        Ok(WorkstreamSetup {
            id: stored("id", WorkstreamId::parse(&self.id))?,
            name: self.name,
            purpose: self.aim,
            objectives: self.objectives,
            starts_on: self.starts_on.as_deref().map(|d| date("starts_on", d)).transpose()?,
            ends_on: self.ends_on.as_deref().map(|d| date("ends_on", d)).transpose()?,
            position: self.position.clamp(0, i64::from(u32::MAX)) as u32,
            leads: self
                .leads
                .iter()
                .map(|l| stored("leads", UserId::parse(l)))
                .collect::<Result<_, _>>()?,
            lead_names: self.lead_names,
            archived: self.archived,
            nudges: self.nudges,
            version: self.version.clamp(0, i64::from(u32::MAX)) as u32,
        })
    }
}

impl<'a> Workstreams<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// A workstream with one lead (the demo seed).
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
                    leads = IF $lead = NONE { [] } ELSE { [type::record('user', $lead)] }, objectives = '', version = 1",
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

    /// The workstreams on the overview (not archived), in their order.
    pub async fn list(&self) -> Result<Vec<WorkstreamSummary>, StoreError> {
        Ok(self
            .setups(false)
            .await?
            .into_iter()
            .map(|w| WorkstreamSummary {
                id: w.id,
                name: w.name,
                aim: w.purpose,
                leads: w.leads,
            })
            .collect())
    }

    /// Every workstream as the set-up page shows it; archived ones too when asked.
    pub async fn setups(&self, include_archived: bool) -> Result<Vec<WorkstreamSetup>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {SETUP_FIELDS} FROM workstream WHERE $all OR archived_at = NONE ORDER BY position, name"
            ))
            .bind(("all", include_archived))
            .await?;
        let rows: Vec<SetupRow> = res.take(0)?;
        rows.into_iter().map(SetupRow::into_domain).collect()
    }

    pub async fn setup(&self, id: &WorkstreamId) -> Result<WorkstreamSetup, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {SETUP_FIELDS} FROM type::record('workstream', $id)"))
            .bind(("id", id.as_str().to_string()))
            .await?;
        let rows: Vec<SetupRow> = res.take(0)?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("workstream"))?
            .into_domain()
    }

    /// Creates a workstream, with its audit entry in the same transaction. Every lead must be
    /// an active workstream-lead or programme-manager account.
    pub async fn create_setup(&self, actor: &Actor, d: &WorkstreamDraft) -> Result<WorkstreamId, StoreError> {
        let key = new_key();
        let names = self.lead_names(&d.leads).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 {LEADS_CHECK}
                 CREATE type::record('workstream', $key) SET name = $name, aim = $aim, objectives = $objectives,
                    starts_on = $starts_on, ends_on = $ends_on, position = $position, leads = $lead_records,
                    version = 1, updated_at = time::now(), updated_by = $audit_label;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(setup_vars(d))
            .bind(("key", key.clone()))
            .bind(audit_vars(
                actor,
                AuditAction::Create,
                format!("workstream:{key} ({})", d.name),
                super::listing(&setup_fields(d, &names)),
            ))
            .await?;
        checked(res)?;
        stored("id", WorkstreamId::parse(&key))
    }

    /// Saves an edited definition if nobody saved the workstream since `version` was read;
    /// otherwise refuses with who changed it and when, and writes nothing. Leads' rights
    /// follow at once (the session reads them on every request).
    pub async fn update_setup(
        &self,
        actor: &Actor,
        id: &WorkstreamId,
        d: &WorkstreamDraft,
        version: u32,
    ) -> Result<(), StoreError> {
        let before = self.setup(id).await?;
        let names = self.lead_names(&d.leads).await?;
        let before_draft = WorkstreamDraft {
            name: before.name.clone(),
            purpose: before.purpose.clone(),
            objectives: before.objectives.clone(),
            starts_on: before.starts_on,
            ends_on: before.ends_on,
            position: before.position,
            leads: before.leads.clone(),
        };
        let changes: Vec<(&str, String, String)> = setup_fields(&before_draft, &before.lead_names)
            .into_iter()
            .zip(setup_fields(d, &names))
            .map(|((f, a), (_, b))| (f, a, b))
            .collect();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $ws = type::record('workstream', $id);
                 IF !record::exists($ws) {{ THROW '{REFUSAL_MARK}not-found' }};
                 {STALE}
                 {LEADS_CHECK}
                 UPDATE $ws SET name = $name, aim = $aim, objectives = $objectives, starts_on = $starts_on,
                    ends_on = $ends_on, position = $position, leads = $lead_records, version = version + 1,
                    updated_at = time::now(), updated_by = $audit_label;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = super::stale_check("$ws", "workstream")
            ))
            .bind(setup_vars(d))
            .bind(("id", id.as_str().to_string()))
            .bind(("version", i64::from(version)))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("workstream:{id} ({})", d.name),
                super::diff(&changes),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream"))?;
        Ok(())
    }

    /// Archives (or restores) a workstream: it keeps its history, leaves the overview and its
    /// leads' rights, and comes back as it was when restored.
    pub async fn set_archived(&self, actor: &Actor, id: &WorkstreamId, archived: bool) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $ws = type::record('workstream', $id);
                 IF !record::exists($ws) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $ws SET archived_at = IF $archived {{ time::now() }} ELSE {{ NONE }}, version = version + 1,
                    updated_at = time::now(), updated_by = $audit_label;
                 LET $audit_record = 'workstream:' + $id + ' (' + $ws.name + ')';
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("archived", archived))
            .bind(audit_vars(
                actor,
                if archived {
                    AuditAction::Archive
                } else {
                    AuditAction::Restore
                },
                String::new(),
                format!("archived: {archived}"),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream"))?;
        Ok(())
    }

    /// Accounts that can lead a workstream (active leads and managers), for the form.
    pub async fn lead_options(&self) -> Result<Vec<(UserId, String)>, StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            id: String,
            name: String,
            email: String,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT record::id(id) AS id, name, email FROM user WHERE active = true ORDER BY name")
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .map(|r| Ok((stored("id", UserId::parse(&r.id))?, format!("{} ({})", r.name, r.email))))
            .collect()
    }

    async fn lead_names(&self, leads: &[UserId]) -> Result<Vec<String>, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE name FROM user WHERE id IN $ids.map(|$k| type::record('user', $k)) ORDER BY name")
            .bind(("ids", leads.iter().map(|l| l.as_str().to_string()).collect::<Vec<_>>()))
            .await?;
        Ok(res.take(0)?)
    }
}

/// Turns `$leads` (user keys) into records, refusing any that is not an active account.
const LEADS_CHECK: &str = "LET $lead_records = $leads.map(|$k| type::record('user', $k));
                 IF array::len((SELECT VALUE id FROM user WHERE id IN $lead_records AND active = true)) != array::len($lead_records) {
                     THROW 'liaison-refused:Choose the leads from the list: one of them is not an active account'
                 };";

use super::accounts::MAIL_SQL;
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
    version: Option<i64>,
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
                version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
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
    /// Every workstream with its milestones and its newest status updates (newest first, at most
    /// `UPDATES_SHOWN`, with the count of all), or just the one asked for.
    pub async fn views(&self, only: Option<&WorkstreamId>) -> Result<Vec<WorkstreamView>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "LET $only = IF $id = NONE { NONE } ELSE { type::record('workstream', $id) };
                 LET $ws = SELECT id, record::id(id) AS key, name, aim, position,
                        (SELECT VALUE name FROM user WHERE id IN $parent.leads ORDER BY name) AS lead_names,
                        count((SELECT VALUE id FROM status_update WHERE workstream = $parent.id)) AS update_count,
                        nudged_at, nudged_to
                    FROM workstream WHERE ($only = NONE AND archived_at = NONE) OR id = $only ORDER BY position;
                 SELECT key AS id, name, aim, lead_names, update_count, nudged_at, nudged_to FROM $ws;
                 SELECT record::id(id) AS id, record::id(workstream) AS workstream, title, due, done, version FROM milestone
                    WHERE $only = NONE OR workstream = $only ORDER BY due;
                 -- The newest few of each workstream, by the index on `workstream`.
                 array::flatten($ws.map(|$w| SELECT record::id(id) AS id, record::id(workstream) AS workstream, rag,
                        summary, risks, issues, next_steps, commentary, author_name, at FROM status_update
                    WHERE workstream = $w.id ORDER BY at DESC LIMIT $shown));",
            )
            .bind(("id", only.map(|i| i.as_str().to_string())))
            .bind(("shown", i64::from(crate::domain::workstream::UPDATES_SHOWN)))
            .await?;
        #[derive(SurrealValue)]
        struct WsRow {
            id: String,
            name: String,
            aim: String,
            lead_names: Vec<String>,
            update_count: i64,
            nudged_at: Option<DateTime<Utc>>,
            nudged_to: Option<String>,
        }
        let ws: Vec<WsRow> = res.take(2)?;
        let milestones: Vec<MilestoneRow> = res.take(3)?;
        let updates: Vec<UpdateRow> = res.take(4)?;
        let mut views: Vec<WorkstreamView> = ws
            .into_iter()
            .map(|w| {
                Ok(WorkstreamView {
                    id: stored("id", WorkstreamId::parse(&w.id))?,
                    name: w.name,
                    aim: w.aim,
                    lead_name: (!w.lead_names.is_empty()).then(|| w.lead_names.join(", ")),
                    milestones: vec![],
                    updates: vec![],
                    update_count: w.update_count.max(0) as u64,
                    nudged: w.nudged_at.map(|at| crate::domain::workstream::Nudged {
                        at,
                        to: w.nudged_to.unwrap_or_default(),
                    }),
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

    /// Each current workstream's RAG status over `[from, to)`: the last update before `from`,
    /// and every update within (oldest first). For the board report.
    pub async fn rag_between(
        &self,
        from: chrono::DateTime<chrono::Utc>,
        to: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<crate::domain::board::WorkstreamQuarter>, StoreError> {
        const UPDATE: &str = "record::id(id) AS id, record::id(workstream) AS workstream, rag, summary, risks, issues,
            next_steps, commentary, author_name, at";
        let mut res = self
            .store
            .db()
            .query(format!(
                "LET $ws = SELECT id, record::id(id) AS key, name FROM workstream WHERE archived_at = NONE ORDER BY position;
                 SELECT key AS id, name FROM $ws;
                 array::flatten($ws.map(|$w| SELECT {UPDATE} FROM status_update
                    WHERE workstream = $w.id AND at < $from ORDER BY at DESC LIMIT 1));
                 array::flatten($ws.map(|$w| SELECT {UPDATE} FROM status_update
                    WHERE workstream = $w.id AND at >= $from AND at < $to ORDER BY at));"
            ))
            .bind(("from", from))
            .bind(("to", to))
            .await?;
        #[derive(SurrealValue)]
        struct WsRow {
            id: String,
            name: String,
        }
        let ws: Vec<WsRow> = res.take(1)?;
        let before: Vec<UpdateRow> = res.take(2)?;
        let within: Vec<UpdateRow> = res.take(3)?;
        let mut out: Vec<crate::domain::board::WorkstreamQuarter> = ws
            .into_iter()
            .map(|w| crate::domain::board::WorkstreamQuarter {
                id: w.id,
                name: w.name,
                at_start: None,
                updates: vec![],
            })
            .collect();
        for u in before {
            let (ws, u) = u.into_domain()?;
            if let Some(w) = out.iter_mut().find(|w| w.id == ws) {
                w.at_start = Some(u.rag);
            }
        }
        for u in within {
            let (ws, u) = u.into_domain()?;
            if let Some(w) = out.iter_mut().find(|w| w.id == ws) {
                w.updates.push(u);
            }
        }
        Ok(out)
    }

    /// Every current workstream that nudges its leads, with when it was last updated (or set
    /// up), when it last nudged, and its active leads (email, name).
    pub async fn nudge_candidates(&self) -> Result<Vec<NudgeCandidate>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, name, nudged_at,
                    (SELECT VALUE at FROM status_update WHERE workstream = $parent.id ORDER BY at DESC LIMIT 1)[0]
                        ?? created_at AS last,
                    (SELECT email, name FROM user WHERE id IN $parent.leads AND active = true ORDER BY name) AS leads
                 FROM workstream WHERE archived_at = NONE AND nudges != false",
            )
            .await?;
        Ok(res.take(0)?)
    }

    /// Records a nudge and queues its emails in one transaction, only if nobody nudged since
    /// `seen` (another process's scheduler): each stale period nudges once.
    pub async fn nudge(
        &self,
        id: &str,
        seen: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
        mails: Vec<crate::backend::mail::account::AccountMail>,
    ) -> Result<bool, StoreError> {
        let to = mails.iter().map(|m| m.name.clone()).collect::<Vec<_>>().join(", ");
        // "Never nudged" is compared as the epoch: a bound `None` is not NONE in SurrealQL.
        let never = DateTime::<Utc>::UNIX_EPOCH;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $w = type::record('workstream', $id);
                 IF ($w.nudged_at ?? $never) != $seen {{ THROW '{REFUSAL_MARK}already-nudged' }};
                 UPDATE $w SET nudged_at = $now, nudged_to = $to RETURN NONE;
                 FOR $mail IN $mails {{ {MAIL_SQL} }};
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("never", never))
            .bind(("seen", seen.unwrap_or(never)))
            .bind(("now", now))
            .bind(("to", to))
            .bind(("mails", mails))
            .await?;
        match checked(res) {
            Ok(_) => Ok(true),
            Err(StoreError::Refused(r)) if r == "already-nudged" => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Turns a workstream's nudges on or off (managers).
    pub async fn set_nudges(&self, actor: &Actor, id: &WorkstreamId, on: bool) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $w = type::record('workstream', $id);
                 IF !record::exists($w) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $w SET nudges = $on RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("on", on))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("workstream:{id}"),
                format!("nudges: {}", if on { "on" } else { "off" }),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("workstream"))?;
        Ok(())
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
                AuditAction::StatusUpdate,
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
                AuditAction::Create,
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
                actor, AuditAction::Update,
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

    /// One milestone of this workstream (another workstream's id is not found).
    pub async fn milestone(&self, id: &WorkstreamId, milestone: &str) -> Result<Milestone, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, record::id(workstream) AS workstream, title, due, done, version
                    FROM milestone WHERE id = type::record('milestone', $milestone)
                    AND workstream = type::record('workstream', $id)",
            )
            .bind(("id", id.as_str().to_string()))
            .bind(("milestone", milestone.to_string()))
            .await?;
        let rows: Vec<MilestoneRow> = res.take(0)?;
        let row = rows.into_iter().next().ok_or(StoreError::NotFound("milestone"))?;
        Ok(row.into_domain()?.1)
    }

    /// Saves an edited milestone of this workstream if nobody saved it since `version`.
    pub async fn update_milestone(
        &self,
        actor: &Actor,
        id: &WorkstreamId,
        milestone: &str,
        d: &MilestoneDraft,
        done: Option<NaiveDate>,
        version: u32,
    ) -> Result<(), StoreError> {
        let before = self.milestone(id, milestone).await?;
        let day = |x: Option<NaiveDate>| x.map(|x| x.to_string()).unwrap_or_default();
        let changes = super::diff(&[
            ("title", before.title.clone(), d.title.clone()),
            ("due", before.due.to_string(), d.due.to_string()),
            ("done", day(before.done), day(done)),
        ]);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('milestone', $milestone);
                 IF !record::exists($m) OR $m.workstream != type::record('workstream', $id) {{ THROW '{REFUSAL_MARK}not-found' }};
                 {STALE}
                 UPDATE $m SET title = $title, due = $due, done = $done, version = (version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = super::stale_check("$m", "milestone")
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("milestone", milestone.to_string()))
            .bind(("version", i64::from(version)))
            .bind(("title", d.title.clone()))
            .bind(("due", d.due.format("%Y-%m-%d").to_string()))
            .bind(("done", done.map(|d| d.format("%Y-%m-%d").to_string())))
            .bind(audit_vars(
                actor, AuditAction::Update,
                format!("milestone:{milestone} (workstream:{id})"),
                changes,
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("milestone"))?;
        Ok(())
    }

    /// Deletes a milestone of this workstream.
    pub async fn delete_milestone(&self, actor: &Actor, id: &WorkstreamId, milestone: &str) -> Result<(), StoreError> {
        let before = self.milestone(id, milestone).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $m = type::record('milestone', $milestone);
                 IF !record::exists($m) OR $m.workstream != type::record('workstream', $id) {{ THROW '{REFUSAL_MARK}not-found' }};
                 DELETE $m;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.as_str().to_string()))
            .bind(("milestone", milestone.to_string()))
            .bind(audit_vars(
                actor, AuditAction::Delete,
                format!("milestone:{milestone} (workstream:{id})"),
                format!("{}, due {}", before.title, before.due),
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("milestone"))?;
        Ok(())
    }
}
