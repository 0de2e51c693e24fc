//! Controlling a send from the briefing page: stop it, resume it, and queue its failed
//! deliveries again. Each is one transaction with its audit entry, and works with any number of
//! dispatchers on one database: a stopped block or row is simply not claimable, and a
//! dispatcher already holding rows of a stopped briefing records them as `stopped` instead of
//! sending them (it reads the stopped briefings a few times a second; see `outbox`).
use super::audit::Actor;
use super::{audit_vars, checked, AUDIT_SQL};
use crate::backend::db::{retry_conflicts, Store};
use crate::backend::error::{StoreError, REFUSAL_MARK};
use crate::domain::audit::AuditAction;
use crate::domain::briefing::BriefingState;
use surrealdb::types::SurrealValue;

pub struct SendControl<'a> {
    store: &'a Store,
}

impl<'a> SendControl<'a> {
    pub(crate) fn new(store: &'a Store) -> Self {
        Self { store }
    }

    /// The state a briefing is in, for the domain's transition rules.
    async fn state(&self, id: &str) -> Result<(BriefingState, String), StoreError> {
        #[derive(SurrealValue)]
        struct Row {
            state: String,
            subject: String,
        }
        let mut res = self
            .store
            .db()
            .query("SELECT state, subject FROM ONLY type::record('briefing', $id)")
            .bind(("id", id.to_string()))
            .await?;
        let row: Option<Row> = res.take(0)?;
        let row = row.ok_or(StoreError::NotFound("briefing"))?;
        Ok((
            BriefingState::parse(&row.state).map_err(StoreError::Corrupt)?,
            row.subject,
        ))
    }

    /// Stops a briefing that is sending: blocks and rows not yet leased become `stopped`;
    /// dispatchers holding some of its rows record them as stopped rather than send them.
    /// Returns nothing: the report counts what was stopped.
    pub async fn stop(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let _change = crate::backend::freshness::SendingChange::of(self.store);
        let (state, subject) = self.state(id).await?;
        state.stop().map_err(StoreError::Refused)?;
        self.run(
            id,
            BriefingState::stop,
            "IF $b.state NOT IN $from {{ THROW '{REFUSAL_MARK}Only a briefing that is sending can be stopped.' }};
             UPDATE delivery_block SET state = 'stopped' WHERE briefing = $b AND state = 'queued' RETURN NONE;
             UPDATE delivery SET state = 'stopped', lease_owner = NONE, lease_until = NONE
                WHERE briefing = $b AND kind = 'briefing' AND state = 'queued' RETURN NONE;
             UPDATE $b SET state = 'stopped' RETURN NONE;",
            audit_vars(
                actor,
                AuditAction::StopSending,
                format!("briefing:{id} ({subject})"),
                "state: sending → stopped".into(),
            ),
        )
        .await
        .map(|_| ())
    }

    /// Resumes a stopped briefing: what was stopped is queued again, and only those not yet
    /// sent to are sent to.
    pub async fn resume(&self, actor: &Actor, id: &str) -> Result<(), StoreError> {
        let _change = crate::backend::freshness::SendingChange::of(self.store);
        let (state, subject) = self.state(id).await?;
        state.resume().map_err(StoreError::Refused)?;
        self.run(
            id,
            BriefingState::resume,
            "IF $b.state NOT IN $from {{ THROW '{REFUSAL_MARK}Only a stopped briefing can be resumed.' }};
             UPDATE delivery_block SET state = 'queued', lease_owner = NONE, lease_until = NONE
                WHERE briefing = $b AND state = 'stopped' RETURN NONE;
             UPDATE delivery SET state = 'queued', due = time::now() WHERE briefing = $b AND state = 'stopped' RETURN NONE;
             UPDATE $b SET state = 'sending' RETURN NONE;",
            audit_vars(actor, AuditAction::ResumeSending, format!("briefing:{id} ({subject})"), "state: stopped → sending".into()),
        )
        .await
        .map(|_| ())
    }

    /// Queues the briefing's failed deliveries again, once each (after the relay's cause is
    /// fixed), and returns how many. The report counts them as retried.
    pub async fn retry_failed(&self, actor: &Actor, id: &str) -> Result<u64, StoreError> {
        let _change = crate::backend::freshness::SendingChange::of(self.store);
        let (state, subject) = self.state(id).await?;
        state.retry_failed().map_err(StoreError::Refused)?;
        let n = self
            .run(
                id,
                BriefingState::retry_failed,
                "IF $b.state NOT IN $from {{ THROW '{REFUSAL_MARK}Only a sent briefing has failed deliveries to retry.' }};
                 LET $ids = SELECT VALUE id FROM delivery WHERE briefing = $b AND kind = 'briefing' AND state = 'failed';
                 IF array::len($ids) = 0 {{ THROW '{REFUSAL_MARK}There are no failed deliveries to retry.' }};
                 UPDATE $ids SET state = 'queued', due = time::now(), attempts = 0, lease_owner = NONE,
                    lease_until = NONE, retried_at = time::now() RETURN NONE;
                 UPDATE $b SET state = 'sending', retried = (retried ?? 0) + array::len($ids) RETURN NONE;
                 DELETE briefing_tally WHERE briefing = $b;
                 LET $audit_changes = 'failed deliveries queued again: ' + <string>array::len($ids);
                 LET $retried = array::len($ids);",
                audit_vars(actor, AuditAction::RetryFailed, format!("briefing:{id} ({subject})"), String::new()),
            )
            .await?;
        Ok(n)
    }

    /// Runs `body` in a transaction with `$b` bound to the briefing and the audit entry written
    /// with it; returns `$retried` when the body sets it.
    async fn run(
        &self,
        id: &str,
        transition: fn(BriefingState) -> Result<BriefingState, String>,
        body: &str,
        audit: surrealdb::types::Variables,
    ) -> Result<u64, StoreError> {
        // `$from`: the states the transition starts from, as the domain has them.
        let from = BriefingState::keys_from(transition);
        let body = body
            .replace("{{", "{")
            .replace("}}", "}")
            .replace("{REFUSAL_MARK}", REFUSAL_MARK);
        retry_conflicts(|| {
            let audit = audit.clone();
            let body = body.clone();
            let from = from.clone();
            async move {
                let res = self
                    .store
                    .db()
                    .query(format!(
                        "BEGIN TRANSACTION;
                         LET $b = type::record('briefing', $id);
                         IF !record::exists($b) {{ THROW '{REFUSAL_MARK}not-found' }};
                         LET $retried = 0;
                         {body}
                         {AUDIT_SQL}
                         RETURN $retried;
                         COMMIT TRANSACTION;"
                    ))
                    .bind(("id", id.to_string()))
                    .bind(("from", from))
                    .bind(audit)
                    .await?;
                let mut res = checked(res).map_err(StoreError::not_found_as("briefing"))?;
                let n = super::returned::<i64>(&mut res);
                Ok(n.unwrap_or(0).max(0) as u64)
            }
        })
        .await
    }

    /// Ids of the briefings stopped now (dispatchers poll this).
    pub async fn stopped_briefings(&self) -> Result<Vec<String>, StoreError> {
        let mut res = self
            .store
            .db()
            .query("SELECT VALUE record::id(id) FROM briefing WHERE state = 'stopped'")
            .await?;
        Ok(res.take(0)?)
    }
}
