//! The scheduler: turns scheduled briefings into queued deliveries when their time comes,
//! queues reminders, and nudges the leads of stale workstreams. Time comes from a clock that tests can set, so scheduling across clock
//! changes is tested without waiting.
use super::mail::account::stale_nudge;
use super::mail::render::MailIdentity;
use super::Store;
use crate::domain::briefing::reminder_due;
use crate::domain::plan::instances_due;
use crate::domain::workstream::nudge_due;
use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

/// Where "now" comes from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// What one pass did.
#[derive(Debug, Default, PartialEq)]
pub struct Tick {
    /// Keys of recurring instances made in this pass.
    pub instances_made: Vec<String>,
    pub briefings_started: Vec<(String, u64)>,
    pub reminders_queued: Vec<(String, u64)>,
}

/// One pass: start every due briefing, queue every due reminder. Safe to run in several
/// processes at once: each change is a compare-and-set in a transaction.
pub async fn tick(store: &Store, now: DateTime<Utc>) -> Result<Tick, super::StoreError> {
    let mut t = Tick {
        instances_made: make_instances(store, now).await?,
        ..Default::default()
    };
    for id in store.briefings().due(now).await? {
        if let Some(n) = store.deliveries().enqueue_briefing(&id, now).await? {
            tracing::info!(briefing = %id, recipients = n, "briefing queued for sending");
            t.briefings_started.push((id, n));
        }
    }
    for (id, deadline, days) in store.briefings().awaiting_reminder().await? {
        if reminder_due(deadline, days).is_some_and(|due| now >= due) {
            if let Some(n) = store.deliveries().enqueue_reminders(&id, now).await? {
                tracing::info!(briefing = %id, reminders = n, "reminders queued");
                t.reminders_queued.push((id, n));
            }
        }
    }
    Ok(t)
}

/// Makes the instances of every repeating briefing that fall within the lookahead (drafts or
/// scheduled sends, as each plan item says). Idempotent: an instance that exists is left alone.
pub async fn make_instances(store: &Store, now: DateTime<Utc>) -> Result<Vec<String>, super::StoreError> {
    let mut made = Vec::new();
    for template in store.briefings().recurring().await? {
        let item = match store.plan().get(&template.plan_item).await {
            Ok(item) => item,
            Err(super::StoreError::NotFound(_)) => continue,
            Err(e) => return Err(e),
        };
        for instance in instances_due(&item, template.since, now, template.ack_within_days) {
            if let Some(key) = store
                .briefings()
                .create_instance(&template, &instance, item.instances)
                .await?
            {
                tracing::info!(template = %template.id, occurrence = %instance.occurrence, mode = item.instances.key(), "recurring briefing instance made");
                made.push(key);
            }
        }
    }
    Ok(made)
}

pub async fn run(store: Store, clock: Arc<dyn Clock>, every: Duration, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(e) = tick(&store, clock.now()).await {
            tracing::error!(error = %e, "scheduler pass failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Emails the leads of every workstream whose status went stale, once per stale period (see
/// [`nudge_due`]); returns the workstreams nudged. Safe with several processes: each nudge is
/// a compare-and-set on the workstream, in the transaction that queues its emails.
pub async fn nudge_stale(
    store: &Store,
    identity: &MailIdentity,
    stale_days: u32,
    now: DateTime<Utc>,
) -> Result<Vec<String>, super::StoreError> {
    let mut nudged = Vec::new();
    for w in store.workstreams().nudge_candidates().await? {
        if w.leads.is_empty() || !nudge_due(w.last, w.nudged_at, now, stale_days) {
            continue;
        }
        let mails = w
            .leads
            .iter()
            .map(|l| stale_nudge(identity, &l.email, &l.name, &w.name, &w.id, stale_days))
            .collect();
        if store.workstreams().nudge(&w.id, w.nudged_at, now, mails).await? {
            tracing::info!(workstream = %w.id, leads = w.leads.len(), "stale workstream: leads nudged");
            nudged.push(w.id);
        }
    }
    Ok(nudged)
}

/// Looks for stale workstreams every `every` until stopped.
pub async fn run_nudges(
    store: Store,
    identity: MailIdentity,
    stale_days: u32,
    every: Duration,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        if let Err(e) = nudge_stale(&store, &identity, stale_days, Utc::now()).await {
            tracing::error!(error = %e, "looking for stale workstreams failed");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = shutdown.changed() => {}
        }
    }
}
