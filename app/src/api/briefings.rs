//! Briefings (compose, preview, test, schedule, cancel, edit, stop, retry) and their reports.
#[cfg(feature = "ssr")]
use crate::domain::briefing::*;
use crate::domain::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish, form_version};
#[cfg(feature = "ssr")]
use crate::backend::services::briefings as service;
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

pub use crate::domain::report::{BriefingEdit, BriefingPage, BriefingRow, Progress};

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
    let ctx = authorized(Action::ViewPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    finish(service::page(&ctx.store, &ctx.state.web.identity, &id, chrono::Utc::now()).await)
}

/// The live numbers of a briefing being sent (polled by its page).
#[server(endpoint = "briefings/progress")]
pub async fn briefing_progress(id: String) -> Result<Progress, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    let mut p = finish(service::progress(&ctx.store, &id).await)?;
    if p.queued > 0 && p.state == Some(crate::domain::briefing::BriefingState::Sending) {
        let web = &ctx.state.web;
        p.outlook = crate::domain::sending::outlook(web.send_rate, web.send_window, p.queued, chrono::Utc::now());
    }
    Ok(p)
}

#[server(endpoint = "briefings/edit-form")]
pub async fn briefing_edit_form(id: String) -> Result<BriefingEdit, AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
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
    let id = finish(BriefingId::parse(&id))?;
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
    let version = finish(form_version(&version, "briefing"))?;
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
    let id = finish(BriefingId::parse(&id))?;
    finish(ctx.store.briefings().unschedule(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Stops a briefing that is sending: nothing more of it is handed to the relay.
#[server(endpoint = "briefings/stop")]
pub async fn stop_sending(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    finish(ctx.store.send_control().stop(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Resumes a stopped briefing: those not yet sent to are sent to.
#[server(endpoint = "briefings/resume")]
pub async fn resume_sending(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    finish(ctx.store.send_control().resume(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Queues a briefing's failed deliveries again, once each.
#[server(endpoint = "briefings/retry-failed")]
pub async fn retry_failed(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    let n = finish(ctx.store.send_control().retry_failed(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}?retried={n}"));
    Ok(())
}

#[server(endpoint = "briefings/test")]
pub async fn send_test_briefing(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    finish(service::send_test(&ctx.store, &id, &ctx.user, chrono::Utc::now()).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}?tested=1"));
    Ok(())
}

/// `when` = "now", or "later" with a UK date and time.
#[server(endpoint = "briefings/schedule")]
pub async fn schedule_briefing(id: String, when: String, date: String, time: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    let now = chrono::Utc::now();
    let send_at = finish(parse_send_at(&when, &date, &time, now))?;
    finish(service::schedule(&ctx.store, &ctx.actor(), &id, send_at, now).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

/// Makes a draft repeat with an email-briefing plan item (and makes the instances due).
#[server(endpoint = "briefings/repeat")]
pub async fn repeat_briefing(id: String, plan_item: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    if plan_item.trim().is_empty() {
        return finish(Err(AppError::Invalid(FormErrors::single(
            "plan_item",
            "Select the plan item this briefing repeats with",
        ))));
    }
    let plan_item = finish(PlanItemId::parse(plan_item.trim()))?;
    finish(service::repeat(&ctx.store, &ctx.actor(), &id, &plan_item, chrono::Utc::now()).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}

#[server(endpoint = "briefings/cancel")]
pub async fn cancel_briefing(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(BriefingId::parse(&id))?;
    finish(ctx.store.briefings().cancel(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/briefings/{id}"));
    Ok(())
}
