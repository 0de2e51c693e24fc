//! Audiences: the list, one audience with the contacts it matches now, and its edit page.
use crate::api::audiences::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::components::notice::Notice;
use crate::domain::audience::SegmentForm;
use crate::domain::policy::Action;
use crate::domain::register::WEST_MIDLANDS_ICS_AREAS;
use crate::domain::{AppError, Engagement, OrgKind};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

fn score_options() -> Vec<(String, String)> {
    (1..=5)
        .map(|v| {
            let label = if v == 1 {
                "Any".to_string()
            } else {
                format!("{v} or more")
            };
            (v.to_string(), label)
        })
        .collect()
}

/// The fields of the audience form, ticked as `saved` says (empty for a new audience).
fn segment_fields(form: FormView, saved: SegmentForm, orgs: Vec<(String, String)>) -> impl IntoView {
    let kinds: Vec<(String, String)> = OrgKind::ALL
        .iter()
        .map(|k| (k.key().into(), k.label().into()))
        .collect();
    let areas: Vec<(String, String)> = WEST_MIDLANDS_ICS_AREAS
        .iter()
        .map(|a| (a.to_string(), a.to_string()))
        .collect();
    let engagement: Vec<(String, String)> = Engagement::ALL
        .iter()
        .map(|e| (e.key().into(), e.label().into()))
        .collect();
    let some_orgs = !saved.organisations.is_empty();
    view! {
        <TextField form name="name" label="Name" hint="For example: Acute trusts in the Black Country" width="30" />
        <CheckboxGroup
            legend="Kinds of organisation (none ticked: all)"
            name="kinds"
            options=kinds
            checked=saved.kinds
        />
        <CheckboxGroup legend="Areas (none ticked: all)" name="areas" options=areas checked=saved.areas />
        <CheckboxGroup
            legend="Current engagement (none ticked: any)"
            name="engagement"
            options=engagement
            checked=saved.engagement
        />
        <TextField
            form
            name="tags"
            label="Tags (optional)"
            hint="Contacts with any of these tags, separated by commas: for example course lead, senior leader"
            width="30"
        />
        <details class="details" open=some_orgs>
            <summary>"Only these organisations (optional)"</summary>
            <CheckboxGroup
                legend="Organisations (none ticked: all)"
                name="organisations"
                options=orgs
                checked=saved.organisations
            />
        </details>
        <SelectField form name="influence_min" label="Influence" options=score_options() />
        <SelectField form name="interest_min" label="Interest" options=score_options() />
        <Checkbox
            form
            name="require_basis"
            label="Only contacts with a lawful basis on record"
            hint="Leaves out anyone whose basis for receiving briefings (public task, legitimate interests or consent) has not been recorded on their contact page."
        />
    }
}

#[component]
pub fn SegmentsPage() -> impl IntoView {
    let segments = Resource::new(|| (), |_| list_segments());
    let orgs = Resource::new(|| (), |_| crate::api::register::organisation_options());
    let create = ServerAction::<CreateSegment>::new();
    let form = FormView::from_result(create.value().into(), BTreeMap::new());
    let query = use_query_map();
    let deleted = move || query.with(|q| q.get("deleted").is_some());
    view! {
        <Title text="Audiences – Liaison" />
        <h1>"Audiences"</h1>
        <p class="lede">
            "Saved groups of contacts that plan items and briefings go to. Unsubscribed contacts are never included."
        </p>
        {move || deleted().then(|| view! { <Notice>"The audience was deleted."</Notice> })}
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditPlan).await;
                let orgs = if can_edit { orgs.await.unwrap_or_default() } else { vec![] };
                match segments.await {
                    Ok(list) => {
                        let (archived, current): (Vec<_>, Vec<_>) = list.into_iter().partition(|s| s.archived);
                        view! {
                            {if current.is_empty() {
                                view! {
                                    <p>
                                        "No audiences yet. An audience is a rule, such as “acute trusts in the Black Country with influence 4 or more”: plan items and briefings go to the contacts it matches on the day."
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <div class="table-wrap" role="region" aria-label="Audiences" tabindex="0">
                                        <table class="table">
                                            <caption class="visually-hidden">"Audiences"</caption>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Audience"</th>
                                                    <th scope="col">"Who"</th>
                                                    <th scope="col" class="table__numeric">
                                                        "Contacts now"
                                                    </th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {current
                                                    .into_iter()
                                                    .map(|s| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    <a href=format!("/segments/{}", s.id)>{s.name}</a>
                                                                </td>
                                                                <td>{s.description}</td>
                                                                <td class="table__numeric">{s.count}</td>
                                                            </tr>
                                                        }
                                                    })
                                                    .collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                }
                                    .into_any()
                            }}
                            {(!archived.is_empty())
                                .then(|| {
                                    view! {
                                        <h2>"Archived audiences"</h2>
                                        <p>
                                            "Kept because briefings or plan items used them. They are offered for nothing new until restored."
                                        </p>
                                        <ul>
                                            {archived
                                                .into_iter()
                                                .map(|s| {
                                                    view! {
                                                        <li>
                                                            <a href=format!("/segments/{}", s.id)>{s.name}</a>
                                                        </li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                            {can_edit
                                .then(|| {
                                    view! {
                                        <h2>"New audience"</h2>
                                        <ErrorSummary form />
                                        <ActionForm action=create attr:novalidate=true>
                                            {segment_fields(form, SegmentForm::default(), orgs)}
                                            <button class="button" type="submit">
                                                "Save audience"
                                            </button>
                                        </ActionForm>
                                    }
                                })}
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn SegmentPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let remove = ServerAction::<RemoveSegment>::new();
    let restore = ServerAction::<RestoreSegment>::new();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                restore.version().get(),
            )
        },
        |(id, _)| get_segment(id),
    );
    let error = Signal::derive(move || {
        remove
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| restore.value().get().and_then(|r| r.err()))
    });
    let notice = move || {
        query.with(|q| {
            if q.get("saved").is_some() {
                Some("Your changes were saved.")
            } else if q.get("archived").is_some() {
                Some("Briefings or plan items used this audience, so it was archived rather than deleted: their history stays whole.")
            } else {
                None
            }
        })
    };
    view! {
        {move || notice().map(|n| view! { <Notice>{n}</Notice> })}
        <ActionErrorNotice error />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditPlan).await;
                match data.await {
                    Ok(SegmentPage { segment: s, members }) => {
                        view! {
                            <Title text=crate::components::layout::title_text(format!("{} – Liaison", s.name)) />
                            <p>
                                <a href="/segments">"Back to audiences"</a>
                            </p>
                            <h1>
                                {s.name.clone()}
                                {s
                                    .archived
                                    .then(|| {
                                        view! {
                                            " "
                                            <strong class="tag tag--grey">"Archived"</strong>
                                        }
                                    })}
                            </h1>
                            <p class="lede">{s.description.clone()}</p>
                            {can_edit
                                .then(|| {
                                    view! {
                                        <div class="actions">
                                            {(!s.archived)
                                                .then(|| {
                                                    view! {
                                                        <a
                                                            class="button button--secondary"
                                                            href=format!("/segments/{}/edit", s.id)
                                                        >
                                                            "Edit audience"
                                                        </a>
                                                    }
                                                })}
                                            {if s.archived {
                                                view! {
                                                    <ActionForm action=restore>
                                                        <input type="hidden" name="id" value=s.id.clone() />
                                                        <button class="button button--secondary" type="submit">
                                                            "Restore audience"
                                                        </button>
                                                    </ActionForm>
                                                }
                                                    .into_any()
                                            } else {
                                                view! {
                                                    <ActionForm action=remove>
                                                        <input type="hidden" name="id" value=s.id.clone() />
                                                        <button class="button button--warning" type="submit">
                                                            "Delete audience"
                                                        </button>
                                                        <span class="hint">
                                                            "An audience a briefing or plan item used is archived instead."
                                                        </span>
                                                    </ActionForm>
                                                }
                                                    .into_any()
                                            }}
                                        </div>
                                    }
                                })}
                            <p class="caption" role="status">
                                {format!("{} contacts match now", s.count)}
                            </p>
                            <div class="table-wrap" role="region" aria-label="Contacts in this audience" tabindex="0">
                                <table class="table">
                                    <caption class="visually-hidden">"Contacts in this audience"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Organisation"</th>
                                            <th scope="col">"Email"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {members
                                            .into_iter()
                                            .map(|m| {
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <a href=format!("/contacts/{}", m.id)>{m.name}</a>
                                                        </td>
                                                        <td>{m.organisation}</td>
                                                        <td>{m.email}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn EditSegmentPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        segment_edit_form,
    );
    let orgs = Resource::new(|| (), |_| crate::api::register::organisation_options());
    let update = ServerAction::<UpdateSegment>::new();
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditPlan).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let s = match data.await {
                    Ok(s) => s,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let orgs = orgs.await.unwrap_or_default();
                let form = FormView::from_result(update.value().into(), s.form.values());
                view! {
                    <Title text=crate::components::layout::title_text(format!("Edit {} – Liaison", s.form.name)) />
                    <p>
                        <a href=format!("/segments/{}", s.id)>"Back to the audience"</a>
                    </p>
                    <h1>{format!("Edit {}", s.form.name)}</h1>
                    <p>
                        "Briefings already sent keep the recipients they had. Drafts, scheduled briefings and plan items using this audience go to whoever it matches when they send."
                    </p>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=update attr:novalidate=true>
                        <input type="hidden" name="id" value=s.id.clone() />
                        <input type="hidden" name="version" value=s.version.to_string() />
                        {segment_fields(form, s.form.clone(), orgs)}
                        <button class="button" type="submit">
                            "Save changes"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}
