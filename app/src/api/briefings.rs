//! Briefings (compose, preview, test, schedule, cancel, edit, stop, retry) and their reports.
use crate::domain::plan::*;
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingRow {
    pub id: String,
    pub subject: String,
    pub audience: String,
    pub state: BriefingState,
    pub when: Option<String>,
    pub recipients: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub recipients: u64,
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
    /// Held back by "Stop sending" (sent on resume).
    pub stopped: u64,
    /// Failed deliveries queued again by "Retry failed".
    pub retried: u64,
    pub acknowledged: u64,
    pub state: Option<BriefingState>,
}

impl Progress {
    /// Share of recipients with an outcome (sent or failed), 0–100.
    pub fn percent(&self) -> u32 {
        let done = self.sent + self.failed;
        match (done * 100).checked_div(self.recipients) {
            Some(pct) => pct.min(100) as u32,
            // No recipients: done once sent.
            None if self.state == Some(BriefingState::Sent) => 100,
            None => 0,
        }
    }
}

/// How many of those who have not acknowledged the page names: a regional send has thousands,
/// which no one reads in a page (and which made the page megabytes long).
pub const NOT_ACKNOWLEDGED_SHOWN: usize = 100;

/// Everything the briefing page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingPage {
    pub row: BriefingRow,
    pub body: String,
    pub ack_required: bool,
    pub ack_deadline: Option<String>,
    pub remind_days_before: Option<u32>,
    pub reminders_sent: u64,
    pub progress: Progress,
    pub failures: Vec<(String, String, String)>,
    /// Deliveries "Retry failed" queued again: (name, email, what happened since).
    pub retries: Vec<(String, String, String)>,
    /// (label, delivered, acknowledged, rate %)
    pub by_kind: Vec<(String, u64, u64, u32)>,
    pub by_organisation: Vec<(String, u64, u64, u32)>,
    /// The first [`NOT_ACKNOWLEDGED_SHOWN`] of them, by name.
    pub not_acknowledged: Vec<(String, String, String)>,
    pub not_acknowledged_count: u64,
    pub preview_html: String,
    pub preview_text: String,
    /// A repeating template: (plan item id, objective) and the instances made so far.
    pub repeats_with: Option<(String, String)>,
    pub instances: Vec<BriefingRow>,
    /// An instance: (template id, template subject).
    pub instance_of: Option<(String, String)>,
    /// Email-briefing plan items a draft can repeat with: (id, description).
    pub repeatable_with: Vec<(String, String)>,
}

impl BriefingRow {
    #[cfg(feature = "ssr")]
    fn of(b: crate::backend::repo::briefings::BriefingSummary) -> Self {
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

/// The inside of an email's `<body>`, to show it in the page (our own renderer produced it:
/// user text is escaped and Markdown sanitised).
pub fn email_body(html: &str) -> String {
    let start = html
        .find("<body")
        .and_then(|i| html[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    html[start..end.max(start)].to_string()
}

#[server(endpoint = "briefings/list")]
pub async fn list_briefings() -> Result<Vec<BriefingRow>, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let rows = finish(ctx.store.briefings().list().await)?;
    Ok(rows.into_iter().map(BriefingRow::of).collect())
}

#[server(endpoint = "briefings/create")]
pub async fn create_briefing(
    subject: String,
    body: String,
    segment: String,
    workstreams: Option<Vec<String>>,
    ack_required: Option<String>,
    ack_deadline: String,
    remind_days_before: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let form = BriefingForm {
        subject,
        body,
        segment,
        workstreams: workstreams.unwrap_or_default(),
        ack_required,
        ack_deadline,
        remind_days_before,
    };
    let draft = finish(form.parse(crate::domain::workstream::today_in_london(chrono::Utc::now())))?;
    let id = finish(ctx.store.briefings().create(&ctx.actor(), &draft, &ctx.user.name).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

#[server(endpoint = "briefings/get")]
pub async fn get_briefing(id: String) -> Result<BriefingPage, AppError> {
    use crate::backend::mail::render::{render, Personal};
    let ctx = authorized(Action::ViewPlan)?;
    let d = finish(ctx.store.briefings().get(&id).await)?;
    let report = finish(ctx.store.briefings().report(&id).await)?;
    let content = finish(ctx.store.briefings().content(&id, chrono::Utc::now()).await)?;
    let sample = Personal {
        name: "Sample Recipient",
        email: "sample@example.org",
        delivery_key: "preview",
        ack_token: "PREVIEW",
        unsubscribe_token: "PREVIEW",
    };
    let preview = render(&ctx.state.web.identity, &content, &sample);
    let tallies = |t: &[crate::backend::repo::briefings::Tally]| {
        t.iter()
            .map(|t| (t.label.clone(), t.delivered, t.acknowledged, t.rate()))
            .collect()
    };
    let instances = if d.repeats_with.is_some() {
        finish(ctx.store.briefings().instances(&id).await)?
    } else {
        vec![]
    };
    let repeatable_with = if d.summary.state == BriefingState::Draft && d.instance_of.is_none() {
        finish(ctx.store.plan().list().await)?
            .into_iter()
            .filter(|p| p.channel == Channel::EmailBriefing)
            .map(|p| (p.id.clone(), plan_item_label(&p)))
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
        progress: Progress {
            recipients: d.summary.recipients,
            queued: report.queued,
            sent: report.sent,
            failed: report.failed,
            stopped: report.stopped,
            retried: report.retried,
            acknowledged: report.acknowledged,
            state: Some(d.summary.state),
        },
        retries: report.retries.clone(),
        row: BriefingRow::of(d.summary),
        failures: report.failures.clone(),
        by_kind: tallies(report.by_kind.as_slice()),
        by_organisation: tallies(report.by_organisation.as_slice()),
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

/// The live numbers of a briefing being sent (polled by its page).
#[server(endpoint = "briefings/progress")]
pub async fn briefing_progress(id: String) -> Result<Progress, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let d = finish(ctx.store.briefings().get(&id).await)?;
    let r = finish(ctx.store.briefings().report(&id).await)?;
    Ok(Progress {
        recipients: d.summary.recipients,
        queued: r.queued,
        sent: r.sent,
        failed: r.failed,
        stopped: r.stopped,
        retried: r.retried,
        acknowledged: r.acknowledged,
        state: Some(d.summary.state),
    })
}

/// What the edit page of a briefing starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BriefingEdit {
    pub id: String,
    pub version: u32,
    pub state: BriefingState,
    pub form: BriefingForm,
    /// The send time that saving keeps (UK time), for a scheduled briefing.
    pub when: Option<String>,
}

#[server(endpoint = "briefings/edit-form")]
pub async fn briefing_edit_form(id: String) -> Result<BriefingEdit, AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let d = finish(ctx.store.briefings().get(&id).await)?;
    Ok(BriefingEdit {
        id: d.summary.id.clone(),
        version: d.version,
        state: d.summary.state,
        when: d.summary.send_at.map(crate::domain::time::format_london),
        form: BriefingForm {
            subject: d.summary.subject.clone(),
            body: d.body,
            segment: d.segment,
            workstreams: d.workstreams,
            ack_required: d.ack_required.then(|| "on".to_string()),
            ack_deadline: d.ack_deadline.map(|x| x.to_string()).unwrap_or_default(),
            remind_days_before: d.remind_days_before.map(|x| x.to_string()).unwrap_or_default(),
        },
    })
}

/// Saves an edited draft or scheduled briefing; a scheduled one keeps its send time. Refused,
/// keeping what was typed, when someone saved it since `version` was read.
#[server(endpoint = "briefings/update")]
pub async fn update_briefing(
    id: String,
    version: String,
    subject: String,
    body: String,
    segment: String,
    workstreams: Option<Vec<String>>,
    ack_required: Option<String>,
    ack_deadline: String,
    remind_days_before: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let form = BriefingForm {
        subject,
        body,
        segment,
        workstreams: workstreams.unwrap_or_default(),
        ack_required,
        ack_deadline,
        remind_days_before,
    };
    let draft = finish(form.parse(crate::domain::workstream::today_in_london(chrono::Utc::now())))?;
    let version = finish(super::ctx::form_version(&version, "briefing"))?;
    let values = form.values();
    finish(
        ctx.store
            .briefings()
            .update(&ctx.actor(), &id, &draft, version)
            .await
            .map_err(|e| match e {
                crate::backend::StoreError::Refused(r) => {
                    AppError::Invalid(FormErrors::single("subject", r).with_values(values.clone()))
                }
                other => other.into(),
            }),
    )?;
    leptos_axum::redirect(&format!("/briefings/{id}?saved=1"));
    Ok(())
}

/// A scheduled briefing back to a draft.
#[server(endpoint = "briefings/unschedule")]
pub async fn unschedule_briefing(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    finish(ctx.store.briefings().unschedule(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Stops a briefing that is sending: nothing more of it is handed to the relay.
#[server(endpoint = "briefings/stop")]
pub async fn stop_sending(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    finish(ctx.store.send_control().stop(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Resumes a stopped briefing: those not yet sent to are sent to.
#[server(endpoint = "briefings/resume")]
pub async fn resume_sending(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    finish(ctx.store.send_control().resume(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Queues a briefing's failed deliveries again, once each.
#[server(endpoint = "briefings/retry-failed")]
pub async fn retry_failed(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let n = finish(ctx.store.send_control().retry_failed(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}?retried={n}"));
    Ok(())
}

#[server(endpoint = "briefings/test")]
pub async fn send_test_briefing(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    finish(ctx.store.briefings().get(&id).await)?;
    finish(
        ctx.store
            .deliveries()
            .enqueue_test(&id, ctx.user.email.as_str(), &ctx.user.name, chrono::Utc::now())
            .await,
    )?;
    leptos_axum::redirect(&format!("/briefings/{id}?tested=1"));
    Ok(())
}

/// `when` = "now", or "later" with a UK date and time.
#[server(endpoint = "briefings/schedule")]
pub async fn schedule_briefing(id: String, when: String, date: String, time: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let now = chrono::Utc::now();
    let send_at = if when == "later" {
        let mut v = Validator::new();
        let values = std::collections::BTreeMap::from([
            ("date".to_string(), date.clone()),
            ("time".to_string(), time.clone()),
            ("when".to_string(), when.clone()),
        ]);
        let d = v.check("date", crate::domain::workstream::parse_date(&date, "date to send"));
        let t = v.check("time", parse_time(&time));
        let at = match (d, t) {
            (Some(d), Some(t)) => v.check(
                "time",
                london_to_utc(d, t).and_then(|at| {
                    if at <= now {
                        Err("Choose a time in the future".into())
                    } else {
                        Ok(at)
                    }
                }),
            ),
            _ => None,
        };
        match at {
            Some(at) if v.is_ok() => at,
            _ => return finish(Err(AppError::Invalid(v.into_errors(values)))),
        }
    } else {
        now
    };
    finish(ctx.store.briefings().schedule(&ctx.actor(), &id, send_at).await)?;
    if send_at <= now {
        // Start at once rather than at the scheduler's next pass.
        finish(ctx.store.deliveries().enqueue_briefing(&id, now).await)?;
    }
    leptos_axum::redirect(&format!("/briefings/{id}"));
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

/// Makes a draft repeat with an email-briefing plan item; the instances within the lookahead
/// are made at once (then by the scheduler as time passes).
#[server(endpoint = "briefings/repeat")]
pub async fn repeat_briefing(id: String, plan_item: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    if plan_item.trim().is_empty() {
        return finish(Err(AppError::Invalid(FormErrors::single(
            "plan_item",
            "Select the plan item this briefing repeats with",
        ))));
    }
    let item = finish(ctx.store.plan().get(plan_item.trim()).await)?;
    let now = chrono::Utc::now();
    finish(ctx.store.briefings().repeat(&ctx.actor(), &id, &item, now).await)?;
    finish(crate::backend::scheduler::make_instances(&ctx.store, now).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

#[server(endpoint = "briefings/cancel")]
pub async fn cancel_briefing(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    finish(ctx.store.briefings().cancel(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}
