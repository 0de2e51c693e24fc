//! Plan items: the rows of the communication plan.
use super::audit::Actor;
use super::{audit_vars, checked, diff, new_key, stale_check, stored, AUDIT_SQL, REMOVAL_AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::plan::{Channel, Frequency, InstanceMode, PlanDraft, PlanItem};
use chrono::{NaiveDate, NaiveTime};
use surrealdb::types::SurrealValue;

/// A briefing sent for a plan item (one of its repeating briefing's instances).
#[derive(Debug, Clone, SurrealValue)]
pub struct PlanBriefing {
    pub id: String,
    pub plan_item: String,
    pub subject: String,
    pub ack_required: bool,
    /// The occurrence (a UK date) it was made for.
    pub occurrence: Option<String>,
    pub at: Option<chrono::DateTime<chrono::Utc>>,
}

/// An interaction logged against a plan item.
#[derive(Debug, Clone, SurrealValue)]
pub struct PlanInteraction {
    pub plan_item: String,
    pub date: Option<String>,
    pub kind: String,
    pub summary: String,
    pub with_link: String,
    pub with_name: String,
}

#[derive(SurrealValue)]
struct Row {
    id: String,
    segment: String,
    audience: String,
    objective: String,
    key_message: String,
    channel: String,
    frequency: String,
    owner: String,
    start: String,
    end: Option<String>,
    workstreams: Vec<String>,
    feedback: String,
    active: bool,
    send_time: String,
    instances: String,
    workstream_ids: Vec<String>,
    version: Option<i64>,
    archived: Option<bool>,
}

const FIELDS: &str = "record::id(id) AS id, record::id(segment) AS segment, segment.name AS audience, objective, key_message,
    channel, frequency, owner, start, end, workstreams.map(|$w| $w.name) AS workstreams, feedback, active, send_time, instances,
    workstreams.map(|$w| record::id($w)) AS workstream_ids, version, archived";

impl Row {
    fn into_domain(self) -> Result<PlanItem, StoreError> {
        let date = |f: &str, s: &str| stored(f, NaiveDate::parse_from_str(s, "%Y-%m-%d"));
        Ok(PlanItem {
            channel: stored("channel", Channel::parse(&self.channel))?,
            frequency: stored("frequency", Frequency::parse(&self.frequency))?,
            start: date("start", &self.start)?,
            end: self.end.as_deref().map(|e| date("end", e)).transpose()?,
            send_time: stored("send_time", NaiveTime::parse_from_str(&self.send_time, "%H:%M"))?,
            instances: stored("instances", InstanceMode::parse(&self.instances))?,
            id: self.id,
            segment: self.segment,
            audience: self.audience,
            objective: self.objective,
            key_message: self.key_message,
            owner: self.owner,
            workstreams: self.workstreams,
            feedback: self.feedback,
            active: self.active,
            workstream_ids: self.workstream_ids,
            version: self.version.unwrap_or(1).clamp(0, i64::from(u32::MAX)) as u32,
            archived: self.archived.unwrap_or(false),
        })
    }
}

pub struct Plan<'a> {
    store: &'a Store,
}

impl<'a> Plan<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    pub async fn create(&self, actor: &Actor, d: &PlanDraft) -> Result<String, StoreError> {
        let key = new_key();
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $seg = type::record('segment', $segment);
                 IF !record::exists($seg) {{ THROW '{REFUSAL_MARK}The selected audience no longer exists.' }};
                 IF $seg.archived {{ THROW '{REFUSAL_MARK}The selected audience is archived: choose another, or restore it first.' }};
                 CREATE type::record('plan_item', $key) SET segment = $seg, objective = $objective, key_message = $key_message,
                    channel = $channel, frequency = $frequency, owner = $owner, start = $start, end = $end,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), feedback = $feedback, active = true,
                    send_time = $send_time, instances = $instances;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("key", key.clone()))
            .bind(("segment", d.segment.clone()))
            .bind(("objective", d.objective.clone()))
            .bind(("key_message", d.key_message.clone()))
            .bind(("channel", d.channel.key().to_string()))
            .bind(("frequency", d.frequency.key().to_string()))
            .bind(("owner", d.owner.clone()))
            .bind(("start", d.start.format("%Y-%m-%d").to_string()))
            .bind(("end", d.end.map(|e| e.format("%Y-%m-%d").to_string())))
            .bind(("workstreams", d.workstreams.clone()))
            .bind(("feedback", d.feedback.clone()))
            .bind(("send_time", d.send_time.format("%H:%M").to_string()))
            .bind(("instances", d.instances.key().to_string()))
            .bind(audit_vars(actor, AuditAction::Create, format!("plan_item:{key}"), d.objective.clone()))
            .await?;
        checked(res)?;
        Ok(key)
    }

    /// Whether the plan has any item yet (the getting-started checklist).
    pub async fn any(&self) -> Result<bool, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE record::id(id) FROM plan_item LIMIT 1")
            .await?;
        let ids: Vec<String> = res.take(0)?;
        Ok(!ids.is_empty())
    }

    pub async fn list(&self) -> Result<Vec<PlanItem>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!("SELECT {FIELDS} FROM plan_item ORDER BY start"))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter().map(Row::into_domain).collect()
    }

    /// What carried out plan items: the sent (or sending) instances of their repeating
    /// briefings, and the interactions logged against them.
    pub async fn evidence(&self) -> Result<(Vec<PlanBriefing>, Vec<PlanInteraction>), StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, record::id(instance_of.plan_item) AS plan_item, subject, ack_required,
                    occurrence, send_at ?? sent_at AS at
                 FROM briefing WHERE instance_of != NONE AND instance_of.plan_item != NONE AND state IN ['sending', 'sent'];
                 SELECT record::id(plan_item) AS plan_item, date, kind, note AS summary,
                    (IF contact != NONE { '/contacts/' + record::id(contact) } ELSE { '/organisations/' + record::id(organisation) }) AS with_link,
                    (IF contact != NONE { contact.name } ELSE { organisation.name }) ?? '' AS with_name
                 FROM interaction WHERE plan_item != NONE AND logged = true;",
            )
            .await?;
        let briefings: Vec<PlanBriefing> = res.take(0)?;
        let interactions: Vec<PlanInteraction> = res.take(1)?;
        Ok((briefings, interactions))
    }

    pub async fn get(&self, id: &str) -> Result<PlanItem, StoreError> {
        let mut res = self
            .store
            .db()
            .query(format!(
                "SELECT {FIELDS} FROM plan_item WHERE id = type::record('plan_item', $id)"
            ))
            .bind(("id", id.to_string()))
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .next()
            .ok_or(StoreError::NotFound("plan item"))?
            .into_domain()
    }

    /// Pauses or resumes a plan item: a paused email briefing makes no new instances.
    pub async fn set_active(&self, actor: &Actor, id: &str, active: bool) -> Result<(), StoreError> {
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $p = type::record('plan_item', $id);
                 IF !record::exists($p) {{ THROW '{REFUSAL_MARK}not-found' }};
                 UPDATE $p SET active = $active;
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(("active", active))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("plan_item:{id}"),
                if active { "resumed".into() } else { "paused".into() },
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("plan item"))?;
        Ok(())
    }

    /// Saves an edited plan item if nobody saved it since `version` was read. When the edit
    /// moves its occurrences (frequency, dates, send time…), the instances already made ahead
    /// for dates from `today` that nobody has touched (still as the scheduler made them, not
    /// sending) are removed in the same transaction, and the scheduler makes them again under
    /// the new timing: only future occurrences change, and what was sent stays as it was.
    pub async fn update(
        &self,
        actor: &Actor,
        id: &str,
        d: &PlanDraft,
        version: u32,
        today: NaiveDate,
    ) -> Result<(), StoreError> {
        let before = self.get(id).await?;
        let date = |x: Option<NaiveDate>| x.map(|x| x.format("%Y-%m-%d").to_string()).unwrap_or_default();
        let changes = diff(&[
            ("audience", before.segment.clone(), d.segment.clone()),
            ("objective", before.objective.clone(), d.objective.clone()),
            ("key message", before.key_message.clone(), d.key_message.clone()),
            ("channel", before.channel.key().into(), d.channel.key().into()),
            ("frequency", before.frequency.key().into(), d.frequency.key().into()),
            ("owner", before.owner.clone(), d.owner.clone()),
            ("start", date(Some(before.start)), date(Some(d.start))),
            ("end", date(before.end), date(d.end)),
            (
                "workstreams",
                before.workstream_ids.join(", "),
                d.workstreams.join(", "),
            ),
            ("feedback", before.feedback.clone(), d.feedback.clone()),
            (
                "send time",
                before.send_time.format("%H:%M").to_string(),
                d.send_time.format("%H:%M").to_string(),
            ),
            ("instances", before.instances.key().into(), d.instances.key().into()),
        ]);
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $p = type::record('plan_item', $id);
                 IF !record::exists($p) {{ THROW '{REFUSAL_MARK}not-found' }};
                 IF $p.archived {{ THROW '{REFUSAL_MARK}This plan item is archived and can no longer be edited.' }};
                 {STALE}
                 LET $seg = type::record('segment', $segment);
                 IF !record::exists($seg) {{ THROW '{REFUSAL_MARK}The selected audience no longer exists.' }};
                 IF $seg.archived AND $seg != $p.segment {{
                     THROW '{REFUSAL_MARK}The selected audience is archived: choose another, or restore it first.'
                 }};
                 UPDATE $p SET segment = $seg, objective = $objective, key_message = $key_message, channel = $channel,
                    frequency = $frequency, owner = $owner, start = $start, end = $end,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), feedback = $feedback,
                    send_time = $send_time, instances = $instances, version = (version ?? 1) + 1,
                    updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 IF $moves {{
                     LET $templates = SELECT VALUE id FROM briefing WHERE plan_item = $p;
                     DELETE briefing WHERE instance_of IN $templates AND state IN ['draft', 'scheduled']
                        AND updated_by = NONE AND occurrence >= $today;
                 }};
                 {AUDIT_SQL}
                 COMMIT TRANSACTION;",
                STALE = stale_check("$p", "plan item")
            ))
            .bind(("id", id.to_string()))
            .bind(("version", i64::from(version)))
            .bind(("segment", d.segment.clone()))
            .bind(("objective", d.objective.clone()))
            .bind(("key_message", d.key_message.clone()))
            .bind(("channel", d.channel.key().to_string()))
            .bind(("frequency", d.frequency.key().to_string()))
            .bind(("owner", d.owner.clone()))
            .bind(("start", d.start.format("%Y-%m-%d").to_string()))
            .bind(("end", d.end.map(|e| e.format("%Y-%m-%d").to_string())))
            .bind(("workstreams", d.workstreams.clone()))
            .bind(("feedback", d.feedback.clone()))
            .bind(("send_time", d.send_time.format("%H:%M").to_string()))
            .bind(("instances", d.instances.key().to_string()))
            .bind(("moves", d.moves_occurrences(&before)))
            .bind(("today", today.format("%Y-%m-%d").to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Update,
                format!("plan_item:{id} ({})", d.objective),
                changes,
            ))
            .await?;
        checked(res).map_err(StoreError::not_found_as("plan item"))?;
        Ok(())
    }

    /// Deletes a plan item that has produced no briefing; archives (and pauses) one that has,
    /// so the plan keeps its history. Returns true when it was archived.
    pub async fn remove(&self, actor: &Actor, id: &str) -> Result<bool, StoreError> {
        let before = self.get(id).await?;
        let res = self
            .store
            .db()
            .query(format!(
                "BEGIN TRANSACTION;
                 LET $p = type::record('plan_item', $id);
                 IF !record::exists($p) {{ THROW '{REFUSAL_MARK}not-found' }};
                 LET $used = array::len((SELECT VALUE id FROM briefing WHERE plan_item = $p LIMIT 1)) > 0;
                 IF $used {{
                    UPDATE $p SET archived = true, active = false, version = (version ?? 1) + 1,
                        updated_at = time::now(), updated_by = $audit_label RETURN NONE;
                 }} ELSE {{
                    DELETE $p;
                 }};
                 {REMOVAL_AUDIT_SQL}
                 RETURN $used;
                 COMMIT TRANSACTION;"
            ))
            .bind(("id", id.to_string()))
            .bind(audit_vars(
                actor,
                AuditAction::Remove,
                format!("plan_item:{id} ({})", before.objective),
                super::listing(&[
                    ("objective", before.objective.clone()),
                    ("audience", before.audience.clone()),
                ]),
            ))
            .await?;
        let mut res = checked(res).map_err(StoreError::not_found_as("plan item"))?;
        Ok(super::returned::<bool>(&mut res).unwrap_or(false))
    }
}
