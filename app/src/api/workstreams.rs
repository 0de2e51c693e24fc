//! Workstreams: the programme overview, a workstream's page, status updates and milestones.
use crate::domain::workstream::*;
use crate::domain::*;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use super::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::{allows, Action};

/// A workstream as the caller sees it, with whether they may update it. `now` comes from the
/// server, so the browser renders exactly what the server did (no hydration mismatch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkstreamPanel {
    pub view: WorkstreamView,
    pub can_update: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub workstreams: Vec<WorkstreamPanel>,
    pub now: DateTime<Utc>,
    pub stale_days: u32,
    /// For programme managers: whether the plan has an item yet (the other steps of the
    /// getting-started list are read from the workstreams and the register).
    pub plan_started: Option<bool>,
}

#[server(endpoint = "workstreams/overview")]
pub async fn programme_overview() -> Result<Overview, AppError> {
    let ctx = authorized(Action::ViewWorkstreams)?;
    let views = finish(ctx.store.workstreams().views(None).await)?;
    Ok(Overview {
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
pub async fn get_workstream(id: String) -> Result<(WorkstreamPanel, DateTime<Utc>, u32), AppError> {
    let ctx = authorized(Action::ViewWorkstreams)?;
    let id = finish(WorkstreamId::parse(&id).map_err(|_| AppError::NotFound("No workstream has that address".into())))?;
    let view = finish(ctx.store.workstreams().view(&id).await)?;
    let can_update = allows(&ctx.user, &Action::UpdateWorkstream(id));
    Ok((
        WorkstreamPanel { view, can_update },
        Utc::now(),
        ctx.state.web.stale_days,
    ))
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
    let id = finish(
        WorkstreamId::parse(&workstream).map_err(|_| AppError::NotFound("No workstream has that address".into())),
    )?;
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
    let id = finish(
        WorkstreamId::parse(&workstream).map_err(|_| AppError::NotFound("No workstream has that address".into())),
    )?;
    let ctx = authorized(Action::UpdateWorkstream(id.clone()))?;
    let date = (done == "true").then(|| today_in_london(Utc::now()));
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
    let id = finish(
        WorkstreamId::parse(&workstream).map_err(|_| AppError::NotFound("No workstream has that address".into())),
    )?;
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
        let id =
            finish(WorkstreamId::parse(&id).map_err(|_| AppError::NotFound("No workstream has that address".into())))?;
        let version: u32 =
            finish(version.trim().parse().map_err(|_| {
                AppError::Conflict("The form is missing its version: open the workstream again.".into())
            }))?;
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
    let id = finish(WorkstreamId::parse(&id).map_err(|_| AppError::NotFound("No workstream has that address".into())))?;
    finish(
        ctx.store
            .workstreams()
            .set_archived(&ctx.actor(), &id, archived == "true")
            .await,
    )?;
    leptos_axum::redirect("/setup/workstreams");
    Ok(())
}
