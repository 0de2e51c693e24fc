//! Workstreams: the programme overview, a workstream's page, status updates and milestones.
use crate::domain::workstream::*;
use crate::domain::*;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::{allows, Action};

/// A workstream as the caller sees it, with whether they may update it. `now` comes from the
/// server, so the browser renders exactly what the server did (no hydration mismatch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamPanel {
    pub view: WorkstreamView,
    pub can_update: bool,
}

/// A workstream's page: its panel, the server's clock when it was read, and the days after
/// which an update is stale.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamPage {
    pub panel: WorkstreamPanel,
    pub now: DateTime<Utc>,
    pub stale_days: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub workstreams: Vec<WorkstreamPanel>,
    pub now: DateTime<Utc>,
    pub stale_days: u32,
    /// For programme managers: whether the plan has an item yet (the other steps of the
    /// getting-started list are read from the workstreams and the register).
    pub plan_started: Option<bool>,
    /// The caller's open follow-ups whose date has come.
    #[serde(default)]
    pub follow_ups_due: u64,
    /// For those who handle the inbox: replies and questions waiting for an answer.
    #[serde(default)]
    pub inbox_waiting: Option<u64>,
    /// Planned communications whose occurrence passed a week ago with nothing against it
    /// (among each item's latest occurrences).
    #[serde(default)]
    pub plan_missed: u64,
}

#[server(endpoint = "workstreams/overview")]
pub async fn programme_overview() -> Result<Overview, AppError> {
    let ctx = authorized(Action::ViewWorkstreams)?;
    let views = finish(ctx.store.workstreams().views(None).await)?;
    let today = today_in_london(Utc::now());
    let follow_ups_due = finish(ctx.store.interactions().follow_ups(ctx.user.id.as_str()).await)?
        .iter()
        .filter(|i| i.follow_up_due(today))
        .count() as u64;
    let inbox_waiting = if allows(&ctx.user, &Action::HandleInbox) {
        Some(finish(ctx.store.inbound().open_count().await)?)
    } else {
        None
    };
    let plan_missed = if allows(&ctx.user, &Action::ViewPlan) {
        let items = finish(ctx.store.plan().list().await)?;
        finish(crate::backend::services::plan::plan_outcomes(&ctx.store, &items, today).await)?
            .iter()
            .map(|o| crate::domain::plan_outcome::missed(o) as u64)
            .sum()
    } else {
        0
    };
    Ok(Overview {
        plan_missed,
        inbox_waiting,
        follow_ups_due,
        workstreams: views
            .into_iter()
            .map(|view| {
                let can_update = allows(&ctx.user, &Action::UpdateWorkstream(view.id.clone()));
                WorkstreamPanel { view, can_update }
            })
            .collect(),
        now: Utc::now(),
        stale_days: ctx.state.web.stale_days,
        plan_started: if allows(&ctx.user, &Action::ManageWorkstreams) {
            Some(finish(ctx.store.plan().any().await)?)
        } else {
            None
        },
    })
}

#[server(endpoint = "workstreams/get")]
pub async fn get_workstream(id: String) -> Result<WorkstreamPage, AppError> {
    let ctx = authorized(Action::ViewWorkstreams)?;
    let id = finish(WorkstreamId::parse(&id))?;
    let view = finish(ctx.store.workstreams().view(&id).await)?;
    let can_update = allows(&ctx.user, &Action::UpdateWorkstream(id));
    Ok(WorkstreamPage {
        panel: WorkstreamPanel { view, can_update },
        now: Utc::now(),
        stale_days: ctx.state.web.stale_days,
    })
}

#[server(endpoint = "workstreams/status")]
pub async fn post_status_update(
    workstream: String,
    rag: String,
    summary: String,
    risks: String,
    issues: String,
    next_steps: String,
    commentary: String,
) -> Result<(), AppError> {
    let id = finish(WorkstreamId::parse(&workstream))?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let form = StatusForm {
        rag,
        summary,
        risks,
        issues,
        next_steps,
        commentary,
    };
    let draft = finish(form.parse())?;
    finish(
        ctx.store
            .workstreams()
            .post_status(&ctx.actor(), &ctx.user.name, &id, &draft, Utc::now())
            .await,
    )?;
    leptos_axum::redirect(&format!("/workstreams/{id}?posted=1"));
    Ok(())
}

/// Ticks (`done` = "true") or unticks a milestone; ticking records today's date in the UK.
#[server(endpoint = "workstreams/milestone-done")]
pub async fn set_milestone_done(workstream: String, milestone: String, done: String) -> Result<(), AppError> {
    let id = finish(WorkstreamId::parse(&workstream))?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let milestone = finish(MilestoneId::parse(&milestone))?;
    let done = finish(crate::domain::form::parse_flag("done", &done))?;
    let date = done.then(|| today_in_london(Utc::now()));
    finish(
        ctx.store
            .workstreams()
            .set_milestone_done(&ctx.actor(), &id, &milestone, date)
            .await,
    )?;
    leptos_axum::redirect(&format!("/workstreams/{id}"));
    Ok(())
}

#[server(endpoint = "workstreams/milestone-add")]
pub async fn add_milestone(workstream: String, title: String, due: String) -> Result<(), AppError> {
    let id = finish(WorkstreamId::parse(&workstream))?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let draft = finish(parse_milestone(&title, &due))?;
    finish(ctx.store.workstreams().add_milestone(&ctx.actor(), &id, &draft).await)?;
    leptos_axum::redirect(&format!("/workstreams/{id}"));
    Ok(())
}

/// The set-up page: every workstream (archived ones too) and the accounts that can lead one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamSetupPage {
    pub workstreams: Vec<crate::domain::workstream_setup::WorkstreamSetup>,
    /// (user id, "Name (email)") of every active account.
    pub lead_options: Vec<(String, String)>,
}

#[server(endpoint = "workstreams/setup-list")]
pub async fn list_workstream_setups() -> Result<WorkstreamSetupPage, AppError> {
    let ctx = authorized(Action::ManageWorkstreams)?;
    let workstreams = finish(ctx.store.workstreams().setups(true).await)?;
    let lead_options = finish(ctx.store.workstreams().lead_options().await)?;
    Ok(WorkstreamSetupPage {
        workstreams,
        lead_options: lead_options
            .into_iter()
            .map(|(id, label)| (id.to_string(), label))
            .collect(),
    })
}

/// Creates a workstream (`id` empty) or saves an edit of one. An edit names the `version` it
/// started from and is refused, keeping what was typed, if someone saved since.
#[server(endpoint = "workstreams/save")]
pub async fn save_workstream(
    #[server(default)] id: String,
    #[server(default)] version: String,
    name: String,
    purpose: String,
    #[server(default)] objectives: String,
    #[server(default)] starts_on: String,
    #[server(default)] ends_on: String,
    position: String,
    #[server(default)] leads: Option<Vec<String>>,
) -> Result<(), AppError> {
    use crate::backend::StoreError;
    use crate::domain::workstream_setup::WorkstreamForm;
    let ctx = authorized(Action::ManageWorkstreams)?;
    let form = WorkstreamForm {
        name,
        purpose,
        objectives,
        starts_on,
        ends_on,
        position,
        leads: leads.unwrap_or_default(),
    };
    let draft = finish(form.parse())?;
    let values = form.values();
    // A refusal (an edit that lost the race, a lead who is no longer active) goes back to the
    // form with everything typed, as a form error.
    let refused = |e: StoreError| match e {
        StoreError::Refused(reason) => {
            AppError::Invalid(FormErrors::single("name", reason).with_values(values.clone()))
        }
        other => other.into_form_error(&values),
    };
    let store = ctx.store.workstreams();
    if id.trim().is_empty() {
        finish(store.create_setup(&ctx.actor(), &draft).await.map_err(refused))?;
    } else {
        let id = finish(WorkstreamId::parse(&id))?;
        let version = finish(crate::backend::ctx::form_version(&version, "workstream"))?;
        finish(
            store
                .update_setup(&ctx.actor(), &id, &draft, version)
                .await
                .map_err(refused),
        )?;
    }
    leptos_axum::redirect("/setup/workstreams?saved=1");
    Ok(())
}

/// Archives (`archived` = "true") or restores a workstream.
#[server(endpoint = "workstreams/archive")]
pub async fn archive_workstream(id: String, archived: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ManageWorkstreams)?;
    let id = finish(WorkstreamId::parse(&id))?;
    let archived = finish(crate::domain::form::parse_flag("archived", &archived))?;
    finish(ctx.store.workstreams().set_archived(&ctx.actor(), &id, archived).await)?;
    leptos_axum::redirect("/setup/workstreams");
    Ok(())
}

/// Turns the email nudges to a workstream's leads on (`on` = "true") or off.
#[server(endpoint = "workstreams/nudges")]
pub async fn set_workstream_nudges(id: String, on: String) -> Result<(), AppError> {
    let ctx = authorized(Action::ManageWorkstreams)?;
    let id = finish(WorkstreamId::parse(&id))?;
    let on = finish(crate::domain::form::parse_flag("on", &on))?;
    finish(ctx.store.workstreams().set_nudges(&ctx.actor(), &id, on).await)?;
    leptos_axum::redirect("/setup/workstreams");
    Ok(())
}

/// The milestone edit page: the workstream's name and the milestone as saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneEdit {
    pub workstream: String,
    pub workstream_name: String,
    pub milestone: Milestone,
}

#[cfg(feature = "ssr")]
fn workstream_id(raw: &str) -> Result<WorkstreamId, AppError> {
    finish(WorkstreamId::parse(raw))
}

/// Read by the programme manager or the workstream's own lead (who may edit it).
#[server(endpoint = "workstreams/milestone-edit-form")]
pub async fn milestone_edit_form(workstream: String, milestone: String) -> Result<MilestoneEdit, AppError> {
    let id = workstream_id(&workstream)?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let milestone = finish(MilestoneId::parse(&milestone))?;
    let m = finish(ctx.store.workstreams().milestone(&id, &milestone).await)?;
    let name = finish(ctx.store.workstreams().views(Some(&id)).await)?
        .into_iter()
        .next()
        .map(|v| v.name)
        .unwrap_or_default();
    Ok(MilestoneEdit {
        workstream: id.to_string(),
        workstream_name: name,
        milestone: m,
    })
}

/// Saves a milestone's title, due date and status (`status` "done" or "open"). Refused,
/// keeping what was typed, when someone saved it since `version` was read.
#[server(endpoint = "workstreams/milestone-update")]
pub async fn update_milestone(
    workstream: String,
    milestone: String,
    version: String,
    title: String,
    due: String,
    status: String,
) -> Result<(), AppError> {
    let id = workstream_id(&workstream)?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let milestone = finish(MilestoneId::parse(&milestone))?;
    let values = std::collections::BTreeMap::from([
        ("title".to_string(), title.clone()),
        ("due".to_string(), due.clone()),
        ("status".to_string(), status.clone()),
    ]);
    let mut draft = parse_milestone(&title, &due);
    let before = finish(ctx.store.workstreams().milestone(&id, &milestone).await)?;
    let done = before.done_after_edit(&status, today_in_london(Utc::now()));
    if let Err(message) = &done {
        let mut e = draft.err().unwrap_or_default();
        e.errors.push(FieldError {
            field: "status".into(),
            message: message.clone(),
        });
        draft = Err(e.with_values(values.clone()));
    }
    let draft = finish(draft.map_err(|e| AppError::Invalid(e.with_values(values.clone()))))?;
    let version = finish(crate::backend::ctx::form_version(&version, "milestone"))?;
    finish(
        ctx.store
            .workstreams()
            .update_milestone(&ctx.actor(), &id, &milestone, &draft, done.unwrap_or(None), version)
            .await
            .map_err(|e| match e {
                crate::backend::StoreError::Refused(r) => {
                    AppError::Invalid(FormErrors::single("title", r).with_values(values.clone()))
                }
                other => other.into(),
            }),
    )?;
    leptos_axum::redirect(&format!("/workstreams/{id}"));
    Ok(())
}

#[server(endpoint = "workstreams/milestone-delete")]
pub async fn delete_milestone(workstream: String, milestone: String) -> Result<(), AppError> {
    let id = workstream_id(&workstream)?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let milestone = finish(MilestoneId::parse(&milestone))?;
    finish(
        ctx.store
            .workstreams()
            .delete_milestone(&ctx.actor(), &id, &milestone)
            .await,
    )?;
    leptos_axum::redirect(&format!("/workstreams/{id}"));
    Ok(())
}
