//! Audiences (stored as `segment`): saved rules for which contacts a plan item or briefing
//! goes to. Created, edited, archived (when used) or deleted (when not) by programme managers.
use crate::domain::audience::SegmentForm;
use crate::domain::segment::SegmentFilter;
use crate::domain::*;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::backend::ctx::{authorized, finish};
#[cfg(feature = "ssr")]
use crate::domain::policy::Action;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub count: u64,
    pub archived: bool,
}

pub use crate::domain::segment::{Member, SegmentPage};

/// The edit page: the saved audience as its form, and the version the save must name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentEdit {
    pub id: String,
    pub version: u32,
    pub archived: bool,
    pub form: SegmentForm,
}

#[cfg(feature = "ssr")]
fn row(s: crate::backend::repo::segments::Segment) -> SegmentRow {
    SegmentRow {
        description: describe(&s.filter),
        id: s.id,
        name: s.name,
        count: s.count,
        archived: s.archived,
    }
}

pub fn describe(f: &SegmentFilter) -> String {
    let mut parts = vec![];
    if !f.kinds.is_empty() {
        parts.push(f.kinds.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "));
    }
    if !f.areas.is_empty() {
        parts.push(format!("in {}", f.areas.join(", ")));
    }
    if !f.engagement.is_empty() {
        parts.push(format!(
            "engagement {}",
            f.engagement
                .iter()
                .map(|e| e.label().to_lowercase())
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if f.require_basis {
        parts.push("with a lawful basis on record".to_string());
    }
    if f.influence_min > 1 {
        parts.push(format!("influence {}+", f.influence_min));
    }
    if f.interest_min > 1 {
        parts.push(format!("interest {}+", f.interest_min));
    }
    if !f.tags.is_empty() {
        parts.push(format!("tagged {}", f.tags.as_slice().join(" or ")));
    }
    if !f.organisations.is_empty() {
        parts.push(format!(
            "{} chosen organisation{}",
            f.organisations.len(),
            if f.organisations.len() == 1 { "" } else { "s" }
        ));
    }
    if parts.is_empty() {
        "All subscribed contacts".into()
    } else {
        format!("Subscribed contacts: {}", parts.join("; "))
    }
}

#[server(endpoint = "segments/list")]
pub async fn list_segments() -> Result<Vec<SegmentRow>, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let segs = finish(ctx.store.segments().list().await)?;
    Ok(segs.into_iter().map(row).collect())
}

#[server(endpoint = "segments/get")]
pub async fn get_segment(id: String) -> Result<SegmentPage<SegmentRow>, AppError> {
    let ctx = authorized(Action::ViewPlan)?;
    let id = finish(SegmentId::parse(&id))?;
    let s = finish(ctx.store.segments().get(&id).await)?;
    let members = finish(ctx.store.segments().members(&id, 500).await)?;
    Ok(SegmentPage {
        segment: row(s),
        members,
    })
}

#[server(endpoint = "segments/edit-form")]
pub async fn segment_edit_form(id: String) -> Result<SegmentEdit, AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(SegmentId::parse(&id))?;
    let s = finish(ctx.store.segments().get(&id).await)?;
    Ok(SegmentEdit {
        form: SegmentForm::of(&s.name, &s.filter),
        id: s.id,
        version: s.version,
        archived: s.archived,
    })
}

/// The audience form's fields, as posted (multi-valued fields arrive as `name[]`).
#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
fn segment_form(
    name: String,
    kinds: Option<Vec<String>>,
    areas: Option<Vec<String>>,
    engagement: Option<Vec<String>>,
    influence_min: String,
    interest_min: String,
    tags: String,
    organisations: Option<Vec<String>>,
    require_basis: Option<String>,
) -> SegmentForm {
    SegmentForm {
        name,
        kinds: kinds.unwrap_or_default(),
        areas: areas.unwrap_or_default(),
        engagement: engagement.unwrap_or_default(),
        influence_min,
        interest_min,
        tags,
        organisations: organisations.unwrap_or_default(),
        require_basis,
    }
}

#[cfg(feature = "ssr")]
fn duplicate_name(form: &SegmentForm) -> impl Fn(crate::backend::StoreError) -> AppError + '_ {
    move |e| match e {
        crate::backend::StoreError::Duplicate { .. } => AppError::Invalid(
            FormErrors::single("name", "An audience with this name already exists: choose another name")
                .with_values(form.values()),
        ),
        crate::backend::StoreError::Refused(r) => {
            AppError::Invalid(FormErrors::single("name", r).with_values(form.values()))
        }
        other => other.into(),
    }
}

#[server(endpoint = "segments/create")]
pub async fn create_segment(
    name: String,
    kinds: Option<Vec<String>>,
    areas: Option<Vec<String>>,
    engagement: Option<Vec<String>>,
    influence_min: String,
    interest_min: String,
    #[server(default)] tags: String,
    #[server(default)] organisations: Option<Vec<String>>,
    #[server(default)] require_basis: Option<String>,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let form = segment_form(
        name,
        kinds,
        areas,
        engagement,
        influence_min,
        interest_min,
        tags,
        organisations,
        require_basis,
    );
    let d = finish(form.parse().map_err(AppError::Invalid))?;
    let id = finish(
        ctx.store
            .segments()
            .create(&ctx.actor(), &d.name, &d.filter)
            .await
            .map_err(duplicate_name(&form)),
    )?;
    leptos_axum::redirect(&format!("/segments/{id}"));
    Ok(())
}

/// Saves an edited audience. Refused, keeping what was typed, when someone saved it since
/// `version` was read.
#[server(endpoint = "segments/update")]
pub async fn update_segment(
    id: String,
    version: String,
    name: String,
    kinds: Option<Vec<String>>,
    areas: Option<Vec<String>>,
    engagement: Option<Vec<String>>,
    influence_min: String,
    interest_min: String,
    #[server(default)] tags: String,
    #[server(default)] organisations: Option<Vec<String>>,
    #[server(default)] require_basis: Option<String>,
) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(SegmentId::parse(&id))?;
    let form = segment_form(
        name,
        kinds,
        areas,
        engagement,
        influence_min,
        interest_min,
        tags,
        organisations,
        require_basis,
    );
    let d = finish(form.parse().map_err(AppError::Invalid))?;
    let version = finish(crate::backend::ctx::form_version(&version, "audience"))?;
    finish(
        ctx.store
            .segments()
            .update(&ctx.actor(), &id, &d, version)
            .await
            .map_err(duplicate_name(&form)),
    )?;
    leptos_axum::redirect(&format!("/segments/{id}?saved=1"));
    Ok(())
}

/// Deletes an audience nothing uses, or archives one that a briefing or plan item used.
#[server(endpoint = "segments/remove")]
pub async fn remove_segment(id: String) -> Result<(), AppError> {
    use crate::backend::repo::segments::Removal;
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(SegmentId::parse(&id))?;
    match finish(ctx.store.segments().remove(&ctx.actor(), &id).await)? {
        Removal::Deleted => leptos_axum::redirect("/segments?deleted=1"),
        Removal::Archived => leptos_axum::redirect(&format!("/segments/{id}?archived=1")),
    }
    Ok(())
}

/// Offers an archived audience for new briefings and plan items again.
#[server(endpoint = "segments/restore")]
pub async fn restore_segment(id: String) -> Result<(), AppError> {
    let ctx = authorized(Action::EditPlan)?;
    let id = finish(SegmentId::parse(&id))?;
    finish(ctx.store.segments().restore(&ctx.actor(), &id).await)?;
    leptos_axum::redirect(&format!("/segments/{id}"));
    Ok(())
}
