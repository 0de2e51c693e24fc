//! The interaction log: logging a meeting, call, email, workshop or note with a contact or an
//! organisation, editing it (its author or a manager), and the follow-ups each person owes.
use crate::domain::interaction::Interaction;
use crate::domain::AppError;
#[cfg(feature = "ssr")]
use crate::domain::InteractionId;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::backend::repo::interactions::With;
#[cfg(feature = "ssr")]
use crate::domain::interaction::InteractionForm;
#[cfg(feature = "ssr")]
use crate::domain::policy::{may_edit_interaction, Action, Role};

/// A contact's or organisation's logged interactions, with what the caller may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionLog {
    /// (interaction, whether the caller may edit it)
    pub items: Vec<(Interaction, bool)>,
    /// (user id, name) of everyone who can own a follow-up.
    pub owners: Vec<(String, String)>,
    pub today: chrono::NaiveDate,
    /// (plan item id, label) of the plan's items an interaction can carry out: the live ones
    /// that are not email briefings.
    #[serde(default)]
    pub plan_items: Vec<(String, String)>,
}

#[cfg(feature = "ssr")]
fn subject(contact: &str, organisation: &str) -> Result<With, AppError> {
    match (contact.trim(), organisation.trim()) {
        (c, "") if !c.is_empty() => Ok(With::Contact(c.to_string())),
        ("", o) if !o.is_empty() => Ok(With::Organisation(o.to_string())),
        _ => Err(AppError::NotFound(
            "Log an interaction from a contact's or an organisation's page.".into(),
        )),
    }
}

#[cfg(feature = "ssr")]
async fn owners(ctx: &crate::backend::ctx::Ctx) -> Result<Vec<(String, String)>, AppError> {
    Ok(finish(ctx.store.users().list().await)?
        .into_iter()
        .filter(|u| u.active)
        .map(|u| (u.id.to_string(), u.name))
        .collect())
}

#[cfg(feature = "ssr")]
async fn plan_items(ctx: &crate::backend::ctx::Ctx) -> Result<Vec<(String, String)>, AppError> {
    use crate::domain::plan::Channel;
    Ok(finish(ctx.store.plan().list().await)?
        .into_iter()
        .filter(|p| p.active && !p.archived && p.channel != Channel::EmailBriefing)
        .map(|p| {
            (
                p.id.clone(),
                format!("{}: {} ({})", p.channel.label(), p.objective, p.audience),
            )
        })
        .collect())
}

#[cfg(feature = "ssr")]
fn today() -> chrono::NaiveDate {
    crate::domain::workstream::today_in_london(chrono::Utc::now())
}

#[server(endpoint = "interactions/list")]
pub async fn interactions_with(
    #[server(default)] contact: String,
    #[server(default)] organisation: String,
) -> Result<InteractionLog, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let with = finish(subject(&contact, &organisation))?;
    let items = finish(ctx.store.interactions().with(&with).await)?
        .into_iter()
        .map(|i| {
            let editable = may_edit_interaction(&ctx.user, i.author.as_deref());
            (i, editable)
        })
        .collect();
    Ok(InteractionLog {
        items,
        owners: owners(&ctx).await?,
        today: today(),
        plan_items: plan_items(&ctx).await?,
    })
}

#[server(endpoint = "interactions/log")]
pub async fn log_interaction(
    #[server(default)] contact: String,
    #[server(default)] organisation: String,
    kind: String,
    date: String,
    #[server(default)] participants: String,
    summary: String,
    #[server(default)] follow_up_on: String,
    #[server(default)] follow_up_owner: String,
    #[server(default)] plan_item: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::LogInteraction)?;
    let with = finish(subject(&contact, &organisation))?;
    let form = InteractionForm {
        kind,
        date,
        participants,
        summary,
        follow_up_on,
        follow_up_owner,
        plan_item,
    };
    let draft = finish(form.parse(today()))?;
    finish(
        ctx.store
            .interactions()
            .create(&ctx.actor(), ctx.user.id.as_str(), &ctx.user.name, &with, &draft)
            .await,
    )?;
    leptos_axum::redirect(&match with {
        With::Contact(c) => format!("/contacts/{c}?logged=1"),
        With::Organisation(o) => format!("/organisations/{o}?logged=1"),
    });
    Ok(())
}

#[server(endpoint = "interactions/edit-form")]
pub async fn interaction_edit_form(id: String) -> Result<InteractionLog, AppError> {
    let ctx = authorized(Action::LogInteraction)?;
    let id = finish(InteractionId::parse(&id))?;
    let i = finish(ctx.store.interactions().get(&id).await)?;
    if !may_edit_interaction(&ctx.user, i.author.as_deref()) {
        return finish(Err(AppError::Forbidden));
    }
    Ok(InteractionLog {
        items: vec![(i, true)],
        owners: owners(&ctx).await?,
        today: today(),
        plan_items: plan_items(&ctx).await?,
    })
}

#[server(endpoint = "interactions/update")]
pub async fn update_interaction(
    id: String,
    version: String,
    kind: String,
    date: String,
    #[server(default)] participants: String,
    summary: String,
    #[server(default)] follow_up_on: String,
    #[server(default)] follow_up_owner: String,
    #[server(default)] plan_item: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::LogInteraction)?;
    let id = finish(InteractionId::parse(&id))?;
    let form = InteractionForm {
        kind,
        date,
        participants,
        summary,
        follow_up_on,
        follow_up_owner,
        plan_item,
    };
    let draft = finish(form.parse(today()))?;
    let version = finish(crate::backend::ctx::form_version(&version, "interaction"))?;
    let before = finish(ctx.store.interactions().get(&id).await)?;
    if !may_edit_interaction(&ctx.user, before.author.as_deref()) {
        return finish(Err(AppError::Forbidden));
    }
    finish(
        ctx.store
            .interactions()
            .update(
                &ctx.actor(),
                ctx.user.id.as_str(),
                ctx.user.role == Role::ProgrammeManager,
                &id,
                &draft,
                version,
            )
            .await
            .map_err(|e| match e {
                crate::backend::StoreError::Refused(r) => {
                    AppError::Invalid(crate::domain::FormErrors::single("summary", r).with_values(form.values()))
                }
                other => other.into(),
            }),
    )?;
    leptos_axum::redirect(&format!("{}?logged=1", before.with.0));
    Ok(())
}

/// The caller's open follow-ups, soonest first.
#[server(endpoint = "interactions/follow-ups")]
pub async fn my_follow_ups() -> Result<InteractionLog, AppError> {
    let ctx = authorized(Action::LogInteraction)?;
    let items = finish(ctx.store.interactions().follow_ups(ctx.user.id.as_str()).await)?
        .into_iter()
        .map(|i| (i, true))
        .collect();
    Ok(InteractionLog {
        items,
        owners: vec![],
        today: today(),
        plan_items: vec![],
    })
}

#[server(endpoint = "interactions/follow-up-done")]
pub async fn complete_follow_up(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::LogInteraction)?;
    let id = finish(InteractionId::parse(&id))?;
    finish(
        ctx.store
            .interactions()
            .complete(
                &ctx.actor(),
                ctx.user.id.as_str(),
                ctx.user.role == Role::ProgrammeManager,
                &id,
            )
            .await,
    )?;
    leptos_axum::redirect("/follow-ups");
    Ok(())
}

/// The logged interactions of a period, of one kind or all (the log's own page, and where the
/// board report's counts link to).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InteractionsInPeriod {
    pub items: Vec<Interaction>,
    pub kind: Option<crate::domain::interaction::InteractionKind>,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// `from`/`to`: days (YYYY-MM-DD, inclusive); blank means the last 90 days. `kind`: blank for all.
#[server(endpoint = "interactions/logged")]
pub async fn logged_interactions(
    #[server(default)] kind: String,
    #[server(default)] from: String,
    #[server(default)] to: String,
) -> Result<InteractionsInPeriod, AppError> {
    use crate::domain::interaction::InteractionKind;
    let ctx = authorized(Action::ViewRegister)?;
    let day = |raw: &str, default: chrono::NaiveDate| match raw.trim() {
        "" => Ok(default),
        d => chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| AppError::NotFound(format!("\"{d}\" is not a date: write it as 2026-10-01"))),
    };
    let to = finish(day(&to, today()))?;
    let from = finish(day(&from, to - chrono::Duration::days(89)))?;
    let kind = match kind.trim() {
        "" => None,
        k => Some(finish(InteractionKind::parse(k).map_err(AppError::NotFound))?),
    };
    let items = finish(ctx.store.interactions().logged_between(kind, from, to).await)?;
    Ok(InteractionsInPeriod { items, kind, from, to })
}
