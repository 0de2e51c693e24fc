//! Server functions of the stakeholder register. Thin: context, authorise, one repository
//! call, map the error. Mutating functions have fixed endpoints so tests can post to them.
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

// The list queries are domain types (the repositories read them too); re-exported here for
// the pages that call these server functions.
pub use crate::domain::query::{ContactQuery, ContactSort, ListQuery, OrgSort, PER_PAGE};

#[server(endpoint = "organisations/list")]
pub async fn list_organisations(query: ListQuery, sort: OrgSort) -> Result<Page<Organisation>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    finish(ctx.store.organisations().list(&query, sort, PER_PAGE).await)
}

/// An organisation's page: the organisation and its contacts.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OrganisationPage {
    pub organisation: Organisation,
    pub contacts: Vec<Contact>,
}

#[server(endpoint = "organisations/get")]
pub async fn get_organisation(id: String) -> Result<OrganisationPage, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let id = finish(OrgId::parse(&id))?;
    let org = finish(ctx.store.organisations().get(&id).await)?;
    let contacts = finish(ctx.store.contacts().for_organisation(&id).await)?;
    Ok(OrganisationPage {
        organisation: org,
        contacts,
    })
}

/// Organisations as `(id, name)` for select boxes.
#[server(endpoint = "organisations/options")]
pub async fn organisation_options() -> Result<Vec<(String, String)>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    finish(ctx.store.organisations().options().await)
}

#[server(endpoint = "organisations/create")]
pub async fn create_organisation(
    name: String,
    kind: String,
    area: String,
    ods_code: String,
    ukprn: String,
    notes: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let form = OrganisationForm {
        name,
        kind,
        area,
        ods_code,
        ukprn,
        notes,
    };
    let draft = finish(form.parse())?;
    let id = finish(
        ctx.store
            .organisations()
            .create(&ctx.actor(), &draft)
            .await
            .map_err(|e| e.into_form_error(&form.values())),
    )?;
    leptos_axum::redirect(&format!("/organisations/{id}"));
    Ok(())
}

#[server(endpoint = "organisations/update")]
pub async fn update_organisation(
    id: String,
    name: String,
    kind: String,
    area: String,
    ods_code: String,
    ukprn: String,
    notes: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(OrgId::parse(&id))?;
    let form = OrganisationForm {
        name,
        kind,
        area,
        ods_code,
        ukprn,
        notes,
    };
    let draft = finish(form.parse())?;
    finish(
        ctx.store
            .organisations()
            .update(&ctx.actor(), &id, &draft)
            .await
            .map_err(|e| e.into_form_error(&form.values())),
    )?;
    leptos_axum::redirect(&format!("/organisations/{id}"));
    Ok(())
}

#[server(endpoint = "organisations/delete")]
pub async fn delete_organisation(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(OrgId::parse(&id))?;
    finish(ctx.store.organisations().delete(&ctx.actor(), &id).await)?;
    leptos_axum::redirect("/organisations?deleted=1");
    Ok(())
}

#[server(endpoint = "contacts/list")]
pub async fn list_contacts(query: ContactQuery) -> Result<Page<Contact>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    finish(ctx.store.contacts().list(&query, PER_PAGE).await)
}

/// The engagement-gap view (SEAM): each sector's contacts below target, and the contacts the
/// query selects, furthest below target first unless another sort is asked for.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngagementView {
    pub sectors: Vec<crate::domain::register::SectorSummary>,
    pub page: Page<Contact>,
}

#[server(endpoint = "contacts/engagement")]
pub async fn engagement_gaps(query: ContactQuery) -> Result<EngagementView, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let mut query = query;
    if query.sort == ContactSort::Name {
        query.sort = ContactSort::Gap;
    }
    let sectors = finish(ctx.store.contacts().sector_summary().await)?;
    let page = finish(ctx.store.contacts().list(&query, 50).await)?;
    Ok(EngagementView { sectors, page })
}

#[server(endpoint = "contacts/get")]
pub async fn get_contact(id: String) -> Result<Contact, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let id = finish(ContactId::parse(&id))?;
    finish(ctx.store.contacts().get(&id).await)
}

/// A contact's briefings, acknowledgements and other interactions, newest first.
/// Records the lawful basis for emailing a contact (managers).
#[server(endpoint = "contacts/basis")]
pub async fn record_lawful_basis(
    id: String,
    basis: String,
    source: String,
    recorded_on: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(ContactId::parse(&id))?;
    let form = crate::domain::consent::BasisForm {
        basis,
        source,
        recorded_on,
    };
    let today = crate::domain::workstream::today_in_london(chrono::Utc::now());
    let d = finish(form.parse(today).map_err(AppError::Invalid))?;
    finish(ctx.store.contacts().set_basis(&ctx.actor(), &id, &d).await)?;
    leptos_axum::redirect(&format!("/contacts/{id}?basis=1"));
    Ok(())
}

/// Erases a contact (the right to erasure): a tombstone stays so reports keep their counts.
#[server(endpoint = "contacts/erase")]
pub async fn erase_contact(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(ContactId::parse(&id))?;
    finish(ctx.store.contacts().erase(&ctx.actor(), &id).await)?;
    leptos_axum::redirect("/contacts?erased=1");
    Ok(())
}

/// The retention review: contacts with no briefing sent and no interaction for the
/// configured number of years.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RetentionList {
    pub years: u32,
    pub contacts: Vec<crate::domain::consent::Silent>,
}

#[server(endpoint = "contacts/retention")]
pub async fn retention_review() -> Result<RetentionList, AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let years = ctx.state.web.retention_years;
    let cutoff = chrono::Utc::now()
        .checked_sub_months(chrono::Months::new(12 * years))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
    Ok(RetentionList {
        years,
        contacts: finish(ctx.store.contacts().silent_since(cutoff).await)?,
    })
}

/// A contact's subscription history, newest first.
#[server(endpoint = "contacts/subscriptions")]
pub async fn subscription_history(id: String) -> Result<Vec<crate::domain::consent::SubscriptionChange>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let id = finish(ContactId::parse(&id))?;
    finish(ctx.store.contacts().subscription_history(&id).await)
}

#[server(endpoint = "contacts/history")]
pub async fn contact_history(id: String) -> Result<Vec<crate::domain::interaction::HistoryLine>, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let id = finish(ContactId::parse(&id))?;
    let entries = finish(ctx.store.interactions().history(id.as_str()).await)?;
    Ok(entries
        .into_iter()
        .map(|e| crate::domain::interaction::HistoryLine {
            at: crate::domain::time::format_london(e.at),
            what: e.what,
            detail: e.detail,
        })
        .collect())
}

#[server(endpoint = "contacts/create")]
pub async fn create_contact(
    name: String,
    email: String,
    job_title: String,
    organisation: String,
    influence: String,
    interest: String,
    engagement_current: String,
    engagement_target: String,
    subscribed: Option<String>,
    #[server(default)] tags: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let form = ContactForm {
        name,
        email,
        job_title,
        organisation,
        influence,
        interest,
        engagement_current,
        engagement_target,
        subscribed,
        tags,
    };
    let draft = finish(form.parse())?;
    let id = finish(
        ctx.store
            .contacts()
            .create(&ctx.actor(), &draft)
            .await
            .map_err(|e| e.into_form_error(&form.values())),
    )?;
    leptos_axum::redirect(&format!("/contacts/{id}"));
    Ok(())
}

#[server(endpoint = "contacts/update")]
pub async fn update_contact(
    id: String,
    name: String,
    email: String,
    job_title: String,
    organisation: String,
    influence: String,
    interest: String,
    engagement_current: String,
    engagement_target: String,
    subscribed: Option<String>,
    #[server(default)] tags: String,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(ContactId::parse(&id))?;
    let form = ContactForm {
        name,
        email,
        job_title,
        organisation,
        influence,
        interest,
        engagement_current,
        engagement_target,
        subscribed,
        tags,
    };
    let draft = finish(form.parse())?;
    finish(
        ctx.store
            .contacts()
            .update(&ctx.actor(), &id, &draft)
            .await
            .map_err(|e| e.into_form_error(&form.values())),
    )?;
    leptos_axum::redirect(&format!("/contacts/{id}"));
    Ok(())
}

#[server(endpoint = "contacts/delete")]
pub async fn delete_contact(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditRegister)?;
    let id = finish(ContactId::parse(&id))?;
    finish(ctx.store.contacts().delete(&ctx.actor(), &id).await)?;
    leptos_axum::redirect("/contacts?deleted=1");
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterCounts {
    pub organisations: u64,
    pub contacts: u64,
}

#[server(endpoint = "register/summary")]
pub async fn register_summary() -> Result<RegisterCounts, AppError> {
    let ctx = authorized(Action::ViewRegister)?;
    let organisations = finish(ctx.store.organisations().count().await)?;
    let contacts = finish(ctx.store.contacts().count().await)?;
    Ok(RegisterCounts {
        organisations,
        contacts,
    })
}
