//! Briefing use cases that span several repositories: what a briefing's email contains, the
//! briefing page, scheduling (and starting a send that is due now), and repeating with a plan
//! item (and making the instances already due).
use crate::backend::db::Store;
use crate::backend::error::StoreError;
use crate::backend::mail::render::{render, BriefingContent, MailIdentity, Personal};
use crate::backend::repo::audit::Actor;
use crate::backend::repo::briefings::BriefingSummary;
use crate::domain::briefing::BriefingState;
use crate::domain::plan::{Channel, PlanItem};
use crate::domain::policy::CurrentUser;
use crate::domain::report::{email_body, BriefingPage, BriefingRow, Labelled, Progress, NOT_ACKNOWLEDGED_SHOWN};
use crate::domain::workstream::Digest;
use crate::domain::WorkstreamId;
use chrono::{DateTime, Utc};

impl BriefingRow {
    pub fn of(b: BriefingSummary) -> Self {
        BriefingRow {
            when: b.send_at.map(crate::domain::time::format_london),
            id: b.id,
            subject: b.subject,
            audience: b.segment_name,
            state: b.state,
            recipients: b.recipients,
        }
    }
}

/// The email content: subject, body, and the linked workstreams' current digests.
pub async fn content(store: &Store, id: &str, now: DateTime<Utc>) -> Result<BriefingContent, StoreError> {
    let d = store.briefings().get(id).await?;
    let mut digests = Vec::new();
    for w in &d.workstreams {
        if let Ok(wid) = WorkstreamId::parse(w) {
            if let Ok(view) = store.workstreams().view(&wid).await {
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

/// Everything the briefing page shows: the briefing, its report, a preview of its email as a
/// sample recipient receives it, and what it repeats with.
pub async fn page(
    store: &Store,
    identity: &MailIdentity,
    id: &str,
    now: DateTime<Utc>,
) -> Result<BriefingPage, StoreError> {
    let d = store.briefings().get(id).await?;
    let report = super::reports::report(store, id).await?;
    let content = content(store, id, now).await?;
    let sample = Personal {
        name: "Sample Recipient",
        email: "sample@example.org",
        delivery_key: "preview",
        ack_token: "PREVIEW",
        unsubscribe_token: "PREVIEW",
    };
    let preview = render(identity, &content, &sample);
    let instances = if d.repeats_with.is_some() {
        store.briefings().instances(id).await?
    } else {
        vec![]
    };
    let repeatable_with = if d.summary.state == BriefingState::Draft && d.instance_of.is_none() {
        store
            .plan()
            .list()
            .await?
            .into_iter()
            .filter(|p| p.channel == Channel::EmailBriefing)
            .map(|p| Labelled {
                label: plan_item_label(&p),
                id: p.id,
            })
            .collect()
    } else {
        vec![]
    };
    Ok(BriefingPage {
        repeats_with: d.repeats_with,
        instance_of: d.instance_of,
        instances: instances.into_iter().map(BriefingRow::of).collect(),
        repeatable_with,
        body: d.body,
        ack_required: d.ack_required,
        ack_deadline: d.ack_deadline.map(|x| x.format("%-d %B %Y").to_string()),
        remind_days_before: d.remind_days_before,
        reminders_sent: report.reminders_sent,
        progress: Progress::of(d.summary.recipients, d.summary.state, &report),
        retries: report.retries.clone(),
        row: BriefingRow::of(d.summary),
        failures: report.failures.clone(),
        bounces: report.bounces.clone(),
        held: report.held,
        by_kind: report.by_kind.clone(),
        by_organisation: report.by_organisation.clone(),
        not_acknowledged: report
            .not_acknowledged
            .iter()
            .take(NOT_ACKNOWLEDGED_SHOWN)
            .cloned()
            .collect(),
        not_acknowledged_count: report.not_acknowledged.len() as u64,
        preview_html: email_body(&preview.html),
        preview_text: preview.text,
    })
}

/// The live numbers of a briefing being sent.
pub async fn progress(store: &Store, id: &str) -> Result<Progress, StoreError> {
    let d = store.briefings().get(id).await?;
    let report = super::reports::report(store, id).await?;
    Ok(Progress::of(d.summary.recipients, d.summary.state, &report))
}

/// Schedules a briefing; one due now starts sending at once rather than at the scheduler's
/// next pass.
pub async fn schedule(
    store: &Store,
    actor: &Actor,
    id: &str,
    send_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    store.briefings().schedule(actor, id, send_at).await?;
    if send_at <= now {
        store.deliveries().enqueue_briefing(id, now).await?;
    }
    Ok(())
}

/// Sends a test copy of a briefing to the caller (it must exist: a test of nothing is refused).
pub async fn send_test(store: &Store, id: &str, to: &CurrentUser, now: DateTime<Utc>) -> Result<(), StoreError> {
    store.briefings().get(id).await?;
    store
        .deliveries()
        .enqueue_test(id, to.email.as_str(), &to.name, now)
        .await?;
    Ok(())
}

/// Makes a draft repeat with an email-briefing plan item; the instances within the lookahead
/// are made at once (then by the scheduler as time passes).
pub async fn repeat(
    store: &Store,
    actor: &Actor,
    id: &str,
    plan_item: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let item = store.plan().get(plan_item).await?;
    store.briefings().repeat(actor, id, &item, now).await?;
    crate::backend::scheduler::make_instances(store, now).await?;
    Ok(())
}

/// "Monthly: Keep partners informed (All partners), from 2 Dec 2026 at 09:00, each instance a draft to review".
pub fn plan_item_label(p: &PlanItem) -> String {
    format!(
        "{}: {} ({}), from {} at {}{}, {}",
        p.frequency.label(),
        p.objective,
        p.audience,
        p.start.format("%-d %b %Y"),
        p.send_time.format("%H:%M"),
        if p.active { "" } else { ", paused" },
        p.instances.each()
    )
}
