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
#[allow(clippy::too_many_arguments)]
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
