//! Composing a briefing, and editing a draft or scheduled one.
use crate::api::audiences::list_segments;
use crate::api::briefings::*;
use crate::api::workstreams::programme_overview;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::domain::briefing::BriefingState;
use crate::domain::policy::Action;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

#[component]
pub fn NewBriefingPage() -> impl IntoView {
    let segments = Resource::new(|| (), |_| list_segments());
    let overview = Resource::new(|| (), |_| programme_overview());
    let create = ServerAction::<CreateBriefing>::new();
    let form = FormView::from_result(
        create.value().into(),
        BTreeMap::from([("ack_required".to_string(), "on".to_string())]),
    );
    let error = Signal::derive(move || create.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Compose a briefing – Liaison" />
        <p>
            <a href="/briefings">"Back to briefings"</a>
        </p>
        <h1>"Compose a briefing"</h1>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditPlan).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let segs: Vec<(String, String)> = segments
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| !s.archived)
                    .map(|s| (s.id, format!("{} ({} contacts)", s.name, s.count)))
                    .collect();
                let workstreams: Vec<(String, String)> = overview
                    .await
                    .map(|o| o.workstreams.into_iter().map(|w| (w.view.id.to_string(), w.view.name)).collect())
                    .unwrap_or_default();
                view! {
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=create attr:novalidate=true>
                        {briefing_fields(form, segs, workstreams, vec![])}
                        <button class="button" type="submit">
                            "Save draft and preview"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// The fields of the compose and edit forms.
fn briefing_fields(
    form: FormView,
    segs: Vec<(String, String)>,
    workstreams: Vec<(String, String)>,
    checked: Vec<String>,
) -> impl IntoView {
    view! {
        <TextField form name="subject" label="Subject" width="30" />
        <TextArea
            form
            name="body"
            label="Briefing"
            hint="Markdown: **bold**, *italic*, lists, [links](https://…). Recipients see it as formatted email and as plain text."
            rows=10
        />
        <SelectField form name="segment" label="Audience" options=segs placeholder="Select an audience" />
        <CheckboxGroup
            legend="Append the current status of these workstreams"
            name="workstreams"
            options=workstreams
            checked
        />
        <Checkbox form name="ack_required" label="Ask recipients to confirm they have read it" />
        <TextField form name="ack_deadline" label="Confirm by (optional)" input_type="date" width="10" />
        <TextField
            form
            name="remind_days_before"
            label="Remind those who have not confirmed, days before the deadline (optional)"
            input_type="number"
            width="10"
        />
    }
}

/// `/briefings/:id/edit`: a draft or a scheduled briefing not yet sending.
#[component]
pub fn EditBriefingPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, briefing_edit_form);
    let segments = Resource::new(|| (), |_| list_segments());
    let overview = Resource::new(|| (), |_| programme_overview());
    let update = ServerAction::<UpdateBriefing>::new();
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditPlan).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let b = match data.await {
                    Ok(b) => b,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let segs: Vec<(String, String)> = segments
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| !s.archived || s.id == b.form.segment)
                    .map(|s| (s.id, format!("{} ({} contacts)", s.name, s.count)))
                    .collect();
                let workstreams: Vec<(String, String)> = overview
                    .await
                    .map(|o| o.workstreams.into_iter().map(|w| (w.view.id.to_string(), w.view.name)).collect())
                    .unwrap_or_default();
                let form = FormView::from_result(update.value().into(), b.form.values());
                let checked = b.form.workstreams.clone();
                let editable = matches!(b.state, BriefingState::Draft | BriefingState::Scheduled);
                view! {
                    <Title text=crate::components::layout::title_text(format!("Edit {} – Liaison", b.form.subject)) />
                    <p>
                        <a href=format!("/briefings/{}", b.id)>"Back to the briefing"</a>
                    </p>
                    <h1>{format!("Edit {}", b.form.subject)}</h1>
                    {b
                        .when
                        .clone()
                        .map(|w| view! { <p>{format!("Scheduled for {w} (UK time). Saving keeps this time.")}</p> })}
                    {if editable {
                        view! {
                            <ErrorSummary form />
                            <ActionErrorNotice error />
                            <ActionForm action=update attr:novalidate=true>
                                <input type="hidden" name="id" value=b.id.clone() />
                                <input type="hidden" name="version" value=b.version.to_string() />
                                {briefing_fields(form, segs, workstreams, checked)}
                                <button class="button" type="submit">
                                    "Save changes"
                                </button>
                            </ActionForm>
                        }
                            .into_any()
                    } else {
                        view! {
                            <p>
                                {format!(
                                    "This briefing is {} and can no longer be edited.",
                                    b.state.label().to_lowercase(),
                                )}
                            </p>
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            })}
        </Transition>
    }
}
