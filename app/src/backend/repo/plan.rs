//! Plan items: the rows of the communication plan.
use super::audit::Actor;
use super::{audit_vars, checked, new_key, stored, AUDIT_SQL};
use crate::backend::db::Store;
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::plan::{Channel, Frequency, PlanDraft, PlanItem};
use chrono::NaiveDate;
use surrealdb::types::SurrealValue;

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
                 CREATE type::record('plan_item', $key) SET segment = $seg, objective = $objective, key_message = $key_message,
                    channel = $channel, frequency = $frequency, owner = $owner, start = $start, end = $end,
                    workstreams = $workstreams.map(|$w| type::record('workstream', $w)), feedback = $feedback, active = true;
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
            .bind(audit_vars(actor, "create", format!("plan_item:{key}"), d.objective.clone()))
            .await?;
        checked(res)?;
        Ok(key)
    }

    pub async fn list(&self) -> Result<Vec<PlanItem>, StoreError> {
        let mut res = self
            .store
            .db()
            .query(
                "SELECT record::id(id) AS id, record::id(segment) AS segment, segment.name AS audience, objective, key_message,
                    channel, frequency, owner, start, end, workstreams.map(|$w| $w.name) AS workstreams, feedback, active
                 FROM plan_item ORDER BY start",
            )
            .await?;
        let rows: Vec<Row> = res.take(0)?;
        rows.into_iter()
            .map(|r| {
                let date = |f: &str, s: &str| stored(f, NaiveDate::parse_from_str(s, "%Y-%m-%d"));
                Ok(PlanItem {
                    channel: stored("channel", Channel::parse(&r.channel))?,
                    frequency: stored("frequency", Frequency::parse(&r.frequency))?,
                    start: date("start", &r.start)?,
                    end: r.end.as_deref().map(|e| date("end", e)).transpose()?,
                    id: r.id,
                    segment: r.segment,
                    audience: r.audience,
                    objective: r.objective,
                    key_message: r.key_message,
                    owner: r.owner,
                    workstreams: r.workstreams,
                    feedback: r.feedback,
                    active: r.active,
                })
            })
            .collect()
    }
}
