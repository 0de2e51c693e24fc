//! Briefings: drafts, scheduling, cancelling, what recipients receive, reports, and the
//! acknowledgement and unsubscribe that personal links perform.
use super::audit::Actor;
use super::{audit_vars, checked, new_key, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::backend::mail::render::BriefingContent;
use crate::domain::plan::{
    ack_within_days, instance_subject, BriefingDraft, BriefingState, Instance, InstanceMode, PlanItem,
};
use crate::domain::workstream::Digest;
use crate::domain::WorkstreamId;
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
    /// A repeating template: (plan item id, its objective).
    pub repeats_with: Option<(String, String)>,
    /// An instance: (template id, template subject).
    pub instance_of: Option<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub label: String,
    pub delivered: u64,
    pub acknowledged: u64,
}

impl Tally {
    pub fn rate(&self) -> u32 {
        (self.acknowledged * 100).checked_div(self.delivered).unwrap_or(0) as u32
    }
}

/// Each briefing's report as last worked out, with the count of sending changes it was read
/// at (see [`crate::backend::freshness`]): a finished 10,000-recipient send is read once per
/// change, not on every view of its page.
pub struct ReportCache {
    freshness: std::sync::Arc<crate::backend::freshness::Freshness>,
    reports: std::sync::Mutex<std::collections::HashMap<String, (u64, std::sync::Arc<Report>)>>,
}

impl ReportCache {
    pub fn new(shared: bool) -> Self {
        Self {
            freshness: std::sync::Arc::new(crate::backend::freshness::Freshness::new(shared)),
            reports: std::sync::Mutex::new(std::collections::HashMap::new()),
        }
    }

    pub fn freshness_arc(&self) -> std::sync::Arc<crate::backend::freshness::Freshness> {
        self.freshness.clone()
    }

    fn get(&self, id: &str) -> Option<std::sync::Arc<Report>> {
        if !self.freshness.trusted() {
            return None;
        }
        let now = self.freshness.current();
        let reports = self.reports.lock().ok()?;
        reports.get(id).filter(|(g, _)| *g == now).map(|(_, r)| r.clone())
    }

    fn keep(&self, id: &str, generation: u64, report: std::sync::Arc<Report>) {
        if let Ok(mut reports) = self.reports.lock() {
            // Only current reports are worth keeping.
            let now = self.freshness.current();
            reports.retain(|_, (g, _)| *g == now);
            reports.insert(id.to_string(), (generation, report));
        }
    }
}

/// Counts a sending change when dropped: made at the start of each repository write to
/// deliveries, so the change is counted once the write has finished, on every return path.
pub(crate) struct SendingChange(std::sync::Arc<crate::backend::freshness::Freshness>);

impl SendingChange {
    pub(crate) fn of(store: &Store) -> Self {
        Self(store.report_cache_arc().freshness_arc())
    }
}

impl Drop for SendingChange {
    fn drop(&mut self) {
        self.0.changed();
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    /// Not handed to the relay because sending was stopped (sent on resume).
    pub stopped: u64,
    /// Failed deliveries queued again by "Retry failed" (each counted once per retry).
    pub retried: u64,
    /// Of the retried deliveries: (name, email, state now: sent, failed again or waiting).
    pub retries: Vec<(String, String, String)>,
    pub acknowledged: u64,
    pub reminders_sent: u64,
    /// (name, email, error)
    pub failures: Vec<(String, String, String)>,
    pub by_kind: Vec<Tally>,
    pub by_organisation: Vec<Tally>,
    /// (name, email, organisation) of recipients who have not acknowledged.
    pub not_acknowledged: Vec<(String, String, String)>,
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
            repeats_with: self.plan_item.map(|p| (p, self.plan_objective.unwrap_or_default())),
            instance_of: self.instance_of.map(|t| (t, self.template_subject.unwrap_or_default())),
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

/// What an acknowledgement link shows and does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkTarget {
    pub subject: String,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub subscribed: bool,
}

pub struct Briefings<'a> {
    store: &'a Store,
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
            .bind(audit_vars(actor, "create", format!("briefing:{key} ({})", d.subject), "draft".into()))
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
                 IF $b.state NOT IN ['draft', 'scheduled'] {{ THROW '{REFUSAL_MARK}This briefing is already being sent.' }};
                 UPDATE $b SET state = 'scheduled', send_at = $send_at, version = ($b.version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("send_at", send_at))
            .bind(audit_vars(actor, "send", format!("briefing:{id} ({})", current.summary.subject), format!("scheduled for {send_at}")))
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
            .bind(audit_vars(actor, "update", format!("briefing:{id} ({})", current.summary.subject), format!("repeats with plan item {} ({})", item.id, item.objective)))
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
                        "create",
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
                 IF $b.state NOT IN ['draft', 'scheduled'] {{
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
            .bind(audit_vars(actor, "update", format!("briefing:{id} ({})", d.subject), changes))
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
                "update",
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
                 IF $b.state NOT IN ['draft', 'scheduled', 'recurring'] {{ THROW '{REFUSAL_MARK}This briefing can no longer be cancelled.' }};
                 UPDATE $b SET state = 'cancelled';
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(actor, "update", format!("briefing:{id} ({})", current.summary.subject), "cancelled".into()))
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

    /// The email content: subject, body, and the linked workstreams' current digests.
    pub async fn content(&self, id: &str, now: DateTime<Utc>) -> Result<BriefingContent, StoreError> {
        let d = self.get(id).await?;
        let mut digests = Vec::new();
        for w in &d.workstreams {
            if let Ok(wid) = WorkstreamId::parse(w) {
                if let Ok(view) = self.store.workstreams().view(&wid).await {
                    digests.push(Digest::of(&view, now));
                }
            }
        }
        Ok(BriefingContent::new(
            d.summary.subject,
            d.body,
            digests,
            d.ack_required,
            d.ack_deadline.map(|x| x.format("%A %-d %B %Y").to_string()),
        ))
    }

    /// What became of a briefing's deliveries (kept per sending change: see [`ReportCache`]).
    pub async fn report(&self, id: &str) -> Result<std::sync::Arc<Report>, StoreError> {
        let cache = self.store.report_cache_arc();
        if let Some(r) = cache.get(id) {
            return Ok(r);
        }
        let generation = cache.freshness_arc().current();
        let report = std::sync::Arc::new(self.report_now(id).await?);
        cache.keep(id, generation, report.clone());
        Ok(report)
    }

    async fn report_now(&self, id: &str) -> Result<Report, StoreError> {
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
        }
        let mut res = self
            .store
            .db()
            .query(
                "SELECT kind, state, name, email, org_name, org_kind, last_error, acknowledged_at, retried_at != NONE AS retried
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
        let with_row = rows.iter().filter(|d| d.kind == "briefing").count() as u64;
        r.queued = (recipients.unwrap_or(0).max(0) as u64).saturating_sub(with_row + r.stopped);
        let mut kinds: std::collections::BTreeMap<String, Tally> = Default::default();
        let mut orgs: std::collections::BTreeMap<String, Tally> = Default::default();
        for d in rows {
            if d.kind == "reminder" {
                if d.state == "sent" {
                    r.reminders_sent += 1;
                }
                continue;
            }
            if d.retried {
                let now = match d.state.as_str() {
                    "sent" => "sent",
                    "failed" => "failed again",
                    _ => "waiting",
                };
                r.retries.push((d.name.clone(), d.email.clone(), now.to_string()));
            }
            match d.state.as_str() {
                "sent" => r.sent += 1,
                "stopped" => r.stopped += 1,
                "failed" => {
                    r.failed += 1;
                    r.failures.push((
                        d.name.clone(),
                        d.email.clone(),
                        d.last_error.clone().unwrap_or_default(),
                    ));
                }
                _ => r.queued += 1,
            }
            if d.state != "sent" {
                continue;
            }
            let acked = d.acknowledged_at.is_some();
            if acked {
                r.acknowledged += 1;
            } else {
                r.not_acknowledged
                    .push((d.name.clone(), d.email.clone(), d.org_name.clone()));
            }
            let kind_label = crate::domain::OrgKind::parse(&d.org_kind)
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
        Ok(r)
    }

    /// What a personal link points at.
    pub async fn link_target(&self, delivery: &str) -> Result<LinkTarget, StoreError> {
        #[derive(SurrealValue)]
        struct T {
            subject: String,
            acknowledged_at: Option<DateTime<Utc>>,
            subscribed: Option<bool>,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT briefing.subject AS subject, acknowledged_at, contact.subscribed AS subscribed FROM delivery WHERE id = type::record('delivery', $id) AND kind != 'test'")
            .bind(("id", delivery.to_string()))
            .await?;
        let rows: Vec<T> = res.take(0)?;
        let t = rows.into_iter().next().ok_or(StoreError::NotFound("briefing link"))?;
        Ok(LinkTarget {
            subject: t.subject,
            acknowledged_at: t.acknowledged_at,
            subscribed: t.subscribed.unwrap_or(false),
        })
    }

    /// Records the acknowledgement once (a second confirmation changes nothing) and adds it to
    /// the contact's engagement history. Returns the time it was (first) acknowledged.
    pub async fn acknowledge(&self, delivery: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        let _change = SendingChange::of(self.store);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $d = type::record('delivery', $id);
                 IF !record::exists($d) OR $d.kind = 'test' {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $d.acknowledged_at = NONE {{
                    UPDATE $d SET acknowledged_at = $now;
                    IF $d.contact != NONE {{
                        CREATE interaction SET contact = $d.contact, kind = 'acknowledgement', at = $now,
                            note = 'Acknowledged the briefing: ' + $d.briefing.subject;
                    }};
                 }};
                 SELECT VALUE acknowledged_at FROM ONLY $d;
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", delivery.to_string()))
            .bind(("now", now))
            .await?;
        let mut res = checked(res).map_err(StoreError::not_found_as("briefing link"))?;
        let at: Option<DateTime<Utc>> = res.take(4)?;
        Ok(at.unwrap_or(now))
    }

    /// Unsubscribes the contact a delivery went to, recording how in their subscription history.
    pub async fn unsubscribe(&self, delivery: &str, via: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $d = type::record('delivery', $id);
                 IF !record::exists($d) OR $d.contact = NONE {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $d.contact.subscribed = true {{
                    UPDATE $d.contact SET subscribed = false, updated_at = $now;
                    CREATE subscription_event SET contact = $d.contact, subscribed = false, via = $via, at = $now;
                    CREATE interaction SET contact = $d.contact, kind = 'note', at = $now, note = 'Unsubscribed from briefings (' + $via + ')';
                 }};
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", delivery.to_string()))
            .bind(("via", via.to_string()))
            .bind(("now", now))
            .await?;
        self.store.register_changed();
        checked(res).map_err(StoreError::not_found_as("briefing link"))?;
        Ok(())
    }
}

/// One line of a contact's history with the programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub at: DateTime<Utc>,
    pub what: String,
    pub detail: String,
}

impl<'a> Briefings<'a> {
    /// A contact's briefings (with delivery state and acknowledgement) and other interactions,
    /// newest first.
    pub async fn contact_history(&self, contact: &str) -> Result<Vec<HistoryEntry>, StoreError> {
        #[derive(SurrealValue)]
        struct D {
            subject: String,
            kind: String,
            state: String,
            due: DateTime<Utc>,
            sent_at: Option<DateTime<Utc>>,
            acknowledged_at: Option<DateTime<Utc>>,
        }
        #[derive(SurrealValue)]
        struct I {
            kind: String,
            at: DateTime<Utc>,
            note: String,
        }
        let mut res = self
            .store
            .db()
            .query(
                // One snapshot: a row written between two reads would be missed by both.
                "BEGIN TRANSACTION;
                 LET $c = type::record('contact', $id);
                 SELECT briefing.subject AS subject, kind, state, due, sent_at, acknowledged_at FROM delivery WHERE contact = $c;
                 SELECT kind, at, note FROM interaction WHERE contact = $c;
                 -- Frozen with a briefing being sent and not tried yet: an entry of an unfinished
                 -- block with no delivery row (only unfinished blocks keep their entries).
                 SELECT b.subject AS subject, 'briefing' AS kind, 'queued' AS state, b.send_at ?? time::now() AS due
                    FROM (SELECT type::record('delivery_block', record::id(id)).briefing.* AS b FROM delivery_entries
                        WHERE array::len(entries.filter(|$e| $e.contact = $id AND !record::exists(type::record('delivery', $e.key)))) > 0);
                 COMMIT TRANSACTION;",
            )
            .bind(("id", contact.to_string()))
            .await?;
        let mut deliveries: Vec<D> = res.take(2)?;
        let interactions: Vec<I> = res.take(3)?;
        deliveries.extend(res.take::<Vec<D>>(4)?);
        let mut out: Vec<HistoryEntry> = deliveries
            .into_iter()
            .map(|d| HistoryEntry {
                at: d.sent_at.unwrap_or(d.due),
                what: if d.kind == "reminder" {
                    format!("Reminder: {}", d.subject)
                } else {
                    format!("Briefing: {}", d.subject)
                },
                detail: match (d.state.as_str(), d.acknowledged_at) {
                    (_, Some(a)) => format!("acknowledged {}", crate::domain::time::format_london(a)),
                    ("sent", None) => "sent, not acknowledged".into(),
                    ("failed", _) => "delivery failed".into(),
                    (other, _) => other.to_string(),
                },
            })
            .collect();
        out.extend(
            interactions
                .into_iter()
                .filter(|i| i.kind != "acknowledgement")
                .map(|i| HistoryEntry {
                    at: i.at,
                    what: crate::domain::interaction::InteractionKind::parse(&i.kind)
                        .map(|k| k.label().to_string())
                        .unwrap_or(i.kind),
                    detail: i.note,
                }),
        );
        out.sort_by_key(|b| std::cmp::Reverse(b.at));
        Ok(out)
    }
}
