//! Briefings: drafts, scheduling, cancelling, repeating with a plan item, and what is due.
//! (Reports: `services::reports`; personal links: `repo::deliveries`; a contact's history:
//! `repo::interactions`.)
use super::audit::Actor;
use super::{audit_vars, checked, new_key, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::briefing::{BriefingDraft, BriefingState};
use crate::domain::plan::{ack_within_days, instance_subject, Instance, InstanceMode, PlanItem};
use crate::domain::report::Labelled;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use surrealdb::types::SurrealValue;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingSummary {
    pub id: String,
    pub subject: String,
    pub segment_name: String,
    pub state: BriefingState,
    pub send_at: Option<DateTime<Utc>>,
    pub recipients: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingDetail {
    pub summary: BriefingSummary,
    pub body: String,
    pub segment: String,
    pub workstreams: Vec<String>,
    pub ack_required: bool,
    pub ack_deadline: Option<NaiveDate>,
    pub remind_days_before: Option<u32>,
    pub reminder_sent: bool,
    /// Incremented by every edit: a save that names an older version is refused.
    pub version: u32,
    /// A repeating template: the plan item, by its objective.
    pub repeats_with: Option<Labelled>,
    /// An instance: its template, by its subject.
    pub instance_of: Option<Labelled>,
}

#[derive(SurrealValue)]
struct Row {
    id: String,
    subject: String,
    body: String,
    segment: String,
    segment_name: String,
    workstreams: Vec<String>,
    ack_required: bool,
    ack_deadline: Option<String>,
    remind_days_before: Option<i64>,
    reminder_sent: bool,
    state: String,
    send_at: Option<DateTime<Utc>>,
    recipients: i64,
    plan_item: Option<String>,
    plan_objective: Option<String>,
    instance_of: Option<String>,
    template_subject: Option<String>,
    version: Option<i64>,
}

const FIELDS: &str =
    "record::id(id) AS id, subject, body, record::id(segment) AS segment, segment.name AS segment_name,
    workstreams.map(|$w| record::id($w)) AS workstreams, ack_required, ack_deadline, remind_days_before, reminder_sent,
    state, send_at, recipients, created_at, version,
    (IF plan_item != NONE { record::id(plan_item) }) AS plan_item, plan_item.objective AS plan_objective,
    (IF instance_of != NONE { record::id(instance_of) }) AS instance_of, instance_of.subject AS template_subject";

impl Row {
    fn into_detail(self) -> Result<BriefingDetail, StoreError> {
        Ok(BriefingDetail {
            summary: BriefingSummary {
                id: self.id,
                subject: self.subject,
                segment_name: self.segment_name,
                state: BriefingState::parse(&self.state).map_err(StoreError::Corrupt)?,
                send_at: self.send_at,
                recipients: self.recipients.max(0) as u64,
            },
            body: self.body,
            segment: self.segment,
            workstreams: self.workstreams,
            ack_required: self.ack_required,
            ack_deadline: self
                .ack_deadline
                .and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
            remind_days_before: self.remind_days_before.map(|d| d.max(0) as u32),
            reminder_sent: self.reminder_sent,
            version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
            repeats_with: self.plan_item.map(|id| Labelled {
                id,
                label: self.plan_objective.unwrap_or_default(),
            }),
            instance_of: self.instance_of.map(|id| Labelled {
                id,
                label: self.template_subject.unwrap_or_default(),
            }),
        })
    }
}

/// A briefing repeating with a plan item.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeating {
    pub id: String,
    pub subject: String,
    pub plan_item: String,
    pub since: DateTime<Utc>,
    pub ack_within_days: Option<u32>,
}

pub struct Briefings<'a> {
    store: &'a Store,
}

/// A briefing sent within a period (the board report).
#[derive(Debug, Clone, SurrealValue)]
pub struct SentBriefing {
    pub id: String,
    pub subject: String,
    pub ack_required: bool,
    pub at: DateTime<Utc>,
    /// Its send is finished (`sent`), not still going.
    pub finished: bool,
}

impl<'a> Briefings<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create(&self, actor: &Actor, d: &BriefingDraft, created_by: &str) -> Result<String, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $seg = type::record('segment', $segment);
                 IF !record::exists($seg) {{ THROW '{REFUSAL_MARK}The selected audience no longer exists.' }};
                 IF $seg.archived {{ THROW '{REFUSAL_MARK}The selected audience is archived: choose another, or restore it first.' }};
                 CREATE type::record('briefing', $key) SET subject = $subject, body = $body, segment = $seg,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), ack_required = $ack_required,
                    ack_deadline = $ack_deadline, remind_days_before = $remind, state = 'draft', created_by = $created_by;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("key", key.clone()))
            .bind(("subject", d.subject.clone()))
            .bind(("body", d.body.clone()))
            .bind(("segment", d.segment.clone()))
            .bind(("workstreams", d.workstreams.clone()))
            .bind(("ack_required", d.ack_required))
            .bind(("ack_deadline", d.ack_deadline.map(|x| x.format("%Y-%m-%d").to_string())))
            .bind(("remind", d.remind_days_before.map(|x| x as i64)))
            .bind(("created_by", created_by.to_string()))
            .bind(audit_vars(actor, AuditAction::Create, format!("briefing:{key} ({})", d.subject), "draft".into()))
            .await?;
        checked(res)?;
        Ok(key)
    }

    /// Schedules (or, with `send_at` = now, sends) a draft or rescheduled briefing. The
    /// state check and the change are one transaction.
    pub async fn schedule(&self, actor: &Actor, id: &str, send_at: DateTime<Utc>) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        current.summary.state.schedule().map_err(StoreError::Refused)?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $b = type::record('briefing', $id);
                 IF $b.state NOT IN $from {{ THROW '{REFUSAL_MARK}This briefing is already being sent.' }};
                 UPDATE $b SET state = 'scheduled', send_at = $send_at, version = ($b.version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("send_at", send_at))
            .bind(("from", BriefingState::keys_from(BriefingState::schedule)))
            .bind(audit_vars(
                actor,
                AuditAction::Send,
                format!("briefing:{id} ({})", current.summary.subject),
                format!("scheduled for {send_at}"),
            ))
            .await?;
        checked(res)?;
        Ok(())
    }

    /// Makes a draft the template of an email-briefing plan item's recurring instances.
    pub async fn repeat(&self, actor: &Actor, id: &str, item: &PlanItem, now: DateTime<Utc>) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        current.summary.state.repeat().map_err(StoreError::Refused)?;
        if item.channel != crate::domain::plan::Channel::EmailBriefing {
            return Err(StoreError::Refused(
                "Only an email-briefing plan item can send briefings. Choose another plan item.".into(),
            ));
        }
        let within = ack_within_days(
            item,
            current.ack_deadline,
            crate::domain::workstream::today_in_london(now),
        );
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $b = type::record('briefing', $id);
                 LET $p = type::record('plan_item', $plan);
                 IF $b.state != 'draft' {{ THROW '{REFUSAL_MARK}Only a draft can repeat with a plan item.' }};
                 IF !record::exists($p) {{ THROW '{REFUSAL_MARK}The plan item no longer exists.' }};
                 UPDATE $b SET state = 'recurring', plan_item = $p, recurring_since = $now, ack_within_days = $within, send_at = NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("plan", item.id.clone()))
            .bind(("now", now))
            .bind(("within", within.map(|d| d as i64)))
            .bind(audit_vars(actor, AuditAction::Update, format!("briefing:{id} ({})", current.summary.subject), format!("repeats with plan item {} ({})", item.id, item.objective)))
            .await?;
        checked(res)?;
        Ok(())
    }

    /// Every repeating template.
    pub async fn recurring(&self) -> Result<Vec<Repeating>, StoreError> {
        #[derive(SurrealValue)]
        struct R {
            id: String,
            subject: String,
            plan_item: String,
            since: DateTime<Utc>,
            within: Option<i64>,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, subject, record::id(plan_item) AS plan_item, recurring_since AS since, ack_within_days AS within
                 FROM briefing WHERE state = 'recurring' AND plan_item != NONE AND recurring_since != NONE",
            )
            .await?;
        let rows: Vec<R> = res.take(0)?;
        Ok(rows
            .into_iter()
            .map(|r| Repeating {
                id: r.id,
                subject: r.subject,
                plan_item: r.plan_item,
                since: r.since,
                ack_within_days: r.within.map(|d| d.clamp(0, 365) as u32),
            })
            .collect())
    }

    /// Creates one instance of a repeating template (a draft or a scheduled send, as its plan
    /// item says). Its key comes from the template and the date, so making it again, from
    /// another pass or process, changes nothing. Returns its key when it was made now.
    pub async fn create_instance(
        &self,
        template: &Repeating,
        instance: &Instance,
        mode: InstanceMode,
    ) -> Result<Option<String>, StoreError> {
        let key = format!("{}-{}", template.id, instance.occurrence.format("%Y%m%d"));
        let subject = instance_subject(&template.subject, instance.occurrence);
        let result = retry_conflicts(|| {
            let (key, subject) = (key.clone(), subject.clone());
            async move {
                let res = self
                    .store
                    .db()
                    .query(format!(
                        "BEGIN TRANSACTION;
                         LET $t = type::record('briefing', $template);
                         IF $t.state != 'recurring' {{ THROW '{REFUSAL_MARK}not-repeating' }};
                         LET $i = type::record('briefing', $key);
                         LET $made = !record::exists($i);
                         IF $made {{
                            CREATE $i SET subject = $subject, body = $t.body, segment = $t.segment,
                                workstreams = $t.workstreams, ack_required = $t.ack_required, ack_deadline = $deadline,
                                remind_days_before = $t.remind_days_before, state = $state, send_at = $send_at,
                                created_by = $t.created_by, instance_of = $t, occurrence = $occurrence;
                            {AUDIT_SQL}
                         }};
                         $made;
                         COMMIT TRANSACTION;"
                    ))
                    .bind(("template", template.id.clone()))
                    .bind(("key", key.clone()))
                    .bind(("subject", subject.clone()))
                    .bind((
                        "deadline",
                        instance.ack_deadline.map(|d| d.format("%Y-%m-%d").to_string()),
                    ))
                    .bind(("state", mode.key().to_string()))
                    .bind(("send_at", (mode == InstanceMode::Scheduled).then_some(instance.send_at)))
                    .bind(("occurrence", instance.occurrence.format("%Y-%m-%d").to_string()))
                    .bind(audit_vars(
                        &Actor::system(),
                        AuditAction::Create,
                        format!("briefing:{key}"),
                        format!("instance for {} ({})", instance.occurrence, mode.key()),
                    ))
                    .await?;
                let mut res = checked(res)?;
                let made: Option<bool> = res.take(6)?;
                Ok(made.unwrap_or(false).then_some(key))
            }
        })
        .await;
        match result {
            Err(StoreError::Refused(r)) if r == "not-repeating" => Ok(None),
            other => other,
        }
    }

    /// The instances a repeating template has made, by date.
    pub async fn instances(&self, template: &str) -> Result<Vec<BriefingSummary>, StoreError> {
        let rows = self
            .rows(
                "instance_of = type::record('briefing', $id) ORDER BY occurrence",
                template,
            )
            .await?;
        rows.into_iter().map(|r| r.into_detail().map(|d| d.summary)).collect()
    }

    /// Briefings matching `filter` (which may use `$id`).
    async fn rows(&self, filter: &str, id: &str) -> Result<Vec<Row>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {FIELDS}, occurrence FROM briefing WHERE {filter}"))
            .bind(("id", id.to_string()))
            .await?;
        Ok(res.take(0)?)
    }

    /// Saves an edited draft or scheduled briefing (its send time stays) if nobody saved it
    /// since `version` was read and it has not started sending; otherwise refuses with the
    /// reason and writes nothing.
    pub async fn update(&self, actor: &Actor, id: &str, d: &BriefingDraft, version: u32) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        let changes = super::diff(&[
            ("subject", current.summary.subject.clone(), d.subject.clone()),
            ("body", current.body.clone(), d.body.clone()),
            ("audience", current.segment.clone(), d.segment.clone()),
            ("workstreams", current.workstreams.join(", "), d.workstreams.join(", ")),
            (
                "acknowledgement",
                current.ack_required.to_string(),
                d.ack_required.to_string(),
            ),
            (
                "confirm by",
                current.ack_deadline.map(|x| x.to_string()).unwrap_or_default(),
                d.ack_deadline.map(|x| x.to_string()).unwrap_or_default(),
            ),
            (
                "reminder",
                current.remind_days_before.map(|x| x.to_string()).unwrap_or_default(),
                d.remind_days_before.map(|x| x.to_string()).unwrap_or_default(),
            ),
        ]);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $b = type::record('briefing', $id);
                 IF !record::exists($b) {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $b.state NOT IN $from {{
                     THROW '{REFUSAL_MARK}This briefing is ' + $b.state + ' and can no longer be edited.'
                 }};
                 {STALE}
                 LET $seg = type::record('segment', $segment);
                 IF !record::exists($seg) {{ THROW '{REFUSAL_MARK}The selected audience no longer exists.' }};
                 IF $seg.archived AND $seg != $b.segment {{ THROW '{REFUSAL_MARK}The selected audience is archived: choose another, or restore it first.' }};
                 UPDATE $b SET subject = $subject, body = $body, segment = $seg,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), ack_required = $ack_required,
                    ack_deadline = $ack_deadline, remind_days_before = $remind, version = ($b.version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = super::stale_check("$b", "briefing")
            ))
            .bind(("id", id.to_string()))
            .bind(("version", i64::from(version)))
            .bind(("subject", d.subject.clone()))
            .bind(("body", d.body.clone()))
            .bind(("segment", d.segment.clone()))
            .bind(("workstreams", d.workstreams.clone()))
            .bind(("ack_required", d.ack_required))
            .bind(("ack_deadline", d.ack_deadline.map(|x| x.format("%Y-%m-%d").to_string())))
            .bind(("remind", d.remind_days_before.map(|x| x as i64)))
            .bind(("from", BriefingState::keys_from(BriefingState::edit)))
            .bind(audit_vars(actor, AuditAction::Update, format!("briefing:{id} ({})", d.subject), changes))
            .await?;
        checked(res).map_err(StoreError::not_found_as("briefing"))?;
        Ok(())
    }

    /// Turns a scheduled briefing back into a draft (its send time is forgotten).
    pub async fn unschedule(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $b = type::record('briefing', $id);
                 IF $b.state != 'scheduled' {{ THROW '{REFUSAL_MARK}Only a scheduled briefing can be unscheduled.' }};
                 UPDATE $b SET state = 'draft', send_at = NONE, version = ($b.version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("briefing:{id} ({})", current.summary.subject),
                "state: scheduled → draft".into(),
            ))
            .await?;
        checked(res)?;
        Ok(())
    }

    pub async fn cancel(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let current = self.get(id).await?;
        current.summary.state.cancel().map_err(StoreError::Refused)?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $b = type::record('briefing', $id);
                 IF $b.state NOT IN $from {{ THROW '{REFUSAL_MARK}This briefing can no longer be cancelled.' }};
                 UPDATE $b SET state = 'cancelled';
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("from", BriefingState::keys_from(BriefingState::cancel)))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("briefing:{id} ({})", current.summary.subject),
                "cancelled".into(),
            ))
            .await?;
        checked(res)?;
        Ok(())
    }

    pub async fn get(&self, id: &str) -> Result<BriefingDetail, StoreError> {
        let rows = self.rows("id = type::record('briefing', $id)", id).await?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("briefing"))?
            .into_detail()
    }

    pub async fn list(&self) -> Result<Vec<BriefingSummary>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM briefing ORDER BY created_at DESC LIMIT 200"
            ))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(|r| r.into_detail().map(|d| d.summary)).collect()
    }

    /// Scheduled briefings whose time has come.
    /// Briefings sent (or sending) whose send started within `[from, to)`, oldest first.
    /// A send's start is its scheduled time; a briefing sent at once has only `sent_at`.
    pub async fn sent_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<SentBriefing>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, subject, ack_required, send_at ?? sent_at AS at, state = 'sent' AS finished FROM briefing
                    WHERE state IN $from_states AND (send_at ?? sent_at) >= $from AND (send_at ?? sent_at) < $to
                    ORDER BY at",
            )
            .bind((
                "from_states",
                [BriefingState::Sending, BriefingState::Sent]
                    .map(|s| s.key().to_string())
                    .to_vec(),
            ))
            .bind(("from", from))
            .bind(("to", to))
            .await?;
        Ok(res.take(0)?)
    }

    pub async fn due(&self, now: DateTime<Utc>) -> Result<Vec<String>, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE record::id(id) FROM briefing WHERE state = 'scheduled' AND send_at <= $now")
            .bind(("now", now))
            .await?;
        Ok(res.take(0)?)
    }

    /// Sent briefings with a reminder policy whose reminder has not gone yet.
    pub async fn awaiting_reminder(&self) -> Result<Vec<(String, NaiveDate, u32)>, StoreError> {
        #[derive(SurrealValue)]
        struct R {
            id: String,
            deadline: String,
            days: i64,
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, ack_deadline AS deadline, remind_days_before AS days FROM briefing
                 WHERE state = 'sent' AND ack_required = true AND reminder_sent = false
                   AND ack_deadline != NONE AND remind_days_before != NONE",
            )
            .await?;
        let rows: Vec<R> = res.take(0)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                NaiveDate::parse_from_str(&r.deadline, "%Y-%m-%d")
                    .ok()
                    .map(|d| (r.id, d, r.days.max(0) as u32))
            })
            .collect())
    }
}
