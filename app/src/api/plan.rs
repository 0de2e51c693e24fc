//! The communication plan: its rows and what falls due in the coming weeks.
use crate::domain::plan::*;
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub items: Vec<PlanItem>,
    /// (date, index into items) for the next eight weeks, in UK dates.
    pub calendar: Vec<(chrono::NaiveDate, usize)>,
    /// For each item (same order): its latest past occurrences and what happened for each.
    pub outcomes: Vec<Vec<crate::domain::plan_outcome::OccurrenceOutcome>>,
}

#[server(endpoint = "plan/list")]
pub async fn communication_plan() -> Result<PlanView, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let items = finish(ctx.store.plan().list().await)?;
    let today = crate::domain::workstream::today_in_london(chrono::Utc::now());
    let calendar = calendar(&items, today, today + chrono::Duration::weeks(8));
    let outcomes = finish(crate::backend::services::plan::plan_outcomes(&ctx.store, &items, today).await)?;
    Ok(PlanView {
        items,
        calendar,
        outcomes,
    })
}

#[server(endpoint = "plan/create")]
pub async fn create_plan_item(
    segment: String,
    objective: String,
    key_message: String,
    channel: String,
    frequency: String,
    owner: String,
    start: String,
    end: String,
    workstreams: Option<Vec<String>>,
    feedback: String,
    #[server(default)] send_time: String,
    #[server(default)] instances: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let form = PlanForm {
        segment,
        objective,
        key_message,
        channel,
        frequency,
        owner,
        start,
        end,
        workstreams: workstreams.unwrap_or_default(),
        feedback,
        send_time,
        instances,
    };
    let draft = finish(form.parse())?;
    finish(ctx.store.plan().create(&ctx.actor(), &draft).await)?;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// Pauses (`active` = "false") or resumes a plan item.
#[server(endpoint = "plan/active")]
pub async fn set_plan_item_active(id: String, active: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(PlanItemId::parse(&id))?;
    let active = finish(crate::domain::form::parse_flag("active", &active))?;
    finish(ctx.store.plan().set_active(&ctx.actor(), &id, active).await)?;
    leptos_axum::redirect("/plan");
    Ok(())
}

/// The edit page: the saved item as its form, and the version the save must name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanItemEdit {
    pub id: String,
    pub version: u32,
    pub archived: bool,
    /// Whether it drives a repeating briefing (the page says what editing the timing does).
    pub repeats: bool,
    pub form: PlanForm,
}

#[server(endpoint = "plan/edit-form")]
pub async fn plan_item_edit_form(id: String) -> Result<PlanItemEdit, AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(PlanItemId::parse(&id))?;
    let item = finish(ctx.store.plan().get(&id).await)?;
    Ok(PlanItemEdit {
        id: item.id.clone(),
        version: item.version,
        archived: item.archived,
        repeats: item.channel == Channel::EmailBriefing,
        form: PlanForm::of(&item),
    })
}

/// Saves an edited plan item. Refused, keeping what was typed, when someone saved it since
/// `version` was read. New timing applies to occurrences from today on.
#[server(endpoint = "plan/update")]
pub async fn update_plan_item(
    id: String,
    version: String,
    segment: String,
    objective: String,
    key_message: String,
    channel: String,
    frequency: String,
    owner: String,
    start: String,
    end: String,
    workstreams: Option<Vec<String>>,
    feedback: String,
    #[server(default)] send_time: String,
    #[server(default)] instances: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(PlanItemId::parse(&id))?;
    let form = PlanForm {
        segment,
        objective,
        key_message,
        channel,
        frequency,
        owner,
        start,
        end,
        workstreams: workstreams.unwrap_or_default(),
        feedback,
        send_time,
        instances,
    };
    let draft = finish(form.parse())?;
    let version = finish(crate::backend::ctx::form_version(&version, "plan item"))?;
    let today = crate::domain::workstream::today_in_london(chrono::Utc::now());
    finish(
        ctx.store
            .plan()
            .update(&ctx.actor(), &id, &draft, version, today)
            .await
            .map_err(|e| match e {
                crate::backend::StoreError::Refused(r) => {
                    AppError::Invalid(FormErrors::single("objective", r).with_values(form.values()))
                }
                other => other.into(),
            }),
    )?;
    leptos_axum::redirect(&format!("/plan#item-{id}"));
    Ok(())
}

/// Deletes a plan item that produced no briefing; archives one that did.
#[server(endpoint = "plan/remove")]
pub async fn remove_plan_item(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(PlanItemId::parse(&id))?;
    let archived = finish(ctx.store.plan().remove(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(if archived {
        "/plan?archived=1"
    } else {
        "/plan?deleted=1"
    });
    Ok(())
}
