//! Setting up the programme's workstreams (programme managers): the list with archive and
//! restore, and one form to create or edit a workstream and choose its leads.
use crate::api::workstreams::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::components::notice::{Notice, Tone};
use crate::domain::policy::Action;
use crate::domain::workstream_setup::{WorkstreamForm, WorkstreamSetup};
use crate::domain::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn WorkstreamSetupListPage() -> impl IntoView {
    let archive = ServerAction::<ArchiveWorkstream>::new();
    let nudges = ServerAction::<SetWorkstreamNudges>::new();
    let data = Resource::new(
        move || (archive.version().get(), nudges.version().get()),
        |_| list_workstream_setups(),
    );
    let query = use_query_map();
    let saved = move || query.with(|q| q.get("saved").is_some());
    let error = Signal::derive(move || {
        archive
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| nudges.value().get().and_then(|r| r.err()))
    });
    view! {
        <Title text="Set up workstreams – Liaison" />
        <h1>"Workstreams"</h1>
        <p class="lede">
            "The programme's workstreams, in the order the overview shows them, and who leads each. A lead may post status updates and manage milestones on the workstreams they lead."
        </p>
        {move || saved().then(|| view! { <Notice tone=Tone::Success>"The workstream was saved."</Notice> })}
        <ActionErrorNotice error />
        <p>
            <a class="button" href="/setup/workstreams/new">
                "Add a workstream"
            </a>
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(page) if page.workstreams.is_empty() => {
                        view! {
                            <p>
                                "There are no workstreams yet. A workstream is one theme of the programme's delivery, such as a baseline survey or a curriculum workshop series, with a lead who reports its status. Add the first one with the button above."
                            </p>
                        }
                            .into_any()
                    }
                    Ok(page) => {
                        view! {
                            <div class="table-wrap" role="region" aria-label="Workstreams" tabindex="0">
                                <table class="table">
                                    <caption class="visually-hidden">"Workstreams and their leads"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Order"</th>
                                            <th scope="col">"Workstream"</th>
                                            <th scope="col">"Leads"</th>
                                            <th scope="col">"Dates"</th>
                                            <th scope="col">"State"</th>
                                            <th scope="col">"Reminders to leads"</th>
                                            <th scope="col">"Actions"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page
                                            .workstreams
                                            .into_iter()
                                            .map(|w| view! { <SetupRow w archive nudges /> })
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
fn SetupRow(
    w: WorkstreamSetup,
    archive: ServerAction<ArchiveWorkstream>,
    nudges: ServerAction<SetWorkstreamNudges>,
) -> impl IntoView {
    let id = w.id.to_string();
    let dates = match (w.starts_on, w.ends_on) {
        (None, None) => "not set".to_string(),
        (s, e) => format!(
            "{} to {}",
            s.map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_else(|| "…".into()),
            e.map(|d| d.format("%-d %b %Y").to_string())
                .unwrap_or_else(|| "…".into())
        ),
    };
    let leads = if w.lead_names.is_empty() {
        "none yet".to_string()
    } else {
        w.lead_names.join(", ")
    };
    let (state, button, value) = if w.archived {
        ("Archived", format!("Restore {}", w.name), "false")
    } else {
        ("Active", format!("Archive {}", w.name), "true")
    };
    let nudge_id = id.clone();
    let nudge_label = format!(
        "{} stale-status reminders for {}",
        if w.nudges { "Turn off" } else { "Turn on" },
        w.name
    );
    view! {
        <tr>
            <td>{w.position}</td>
            <td>
                <a href=format!("/workstreams/{id}")>{w.name.clone()}</a>
            </td>
            <td>{leads}</td>
            <td>{dates}</td>
            <td>{state}</td>
            <td>
                {if w.nudges { "On " } else { "Off " }} <ActionForm action=nudges attr:class="inline-form">
                    <input type="hidden" name="id" value=nudge_id />
                    <input type="hidden" name="on" value=if w.nudges { "false" } else { "true" } />
                    <button class="button button--secondary button--small" type="submit" aria-label=nudge_label>
                        {if w.nudges { "Turn off" } else { "Turn on" }}
                    </button>
                </ActionForm>
            </td>
            <td>
                <a href=format!(
                    "/setup/workstreams/{id}",
                )>"Edit"<span class="visually-hidden">" "{w.name.clone()}</span></a>
                <ActionForm action=archive attr:class="inline-form">
                    <input type="hidden" name="id" value=id.clone() />
                    <input type="hidden" name="archived" value=value />
                    <button class="button button--secondary button--small" type="submit" aria-label=button.clone()>
                        {if w.archived { "Restore" } else { "Archive" }}
                    </button>
                </ActionForm>
            </td>
        </tr>
    }
}

/// `/setup/workstreams/new` and `/setup/workstreams/:id`: one form for both.
#[component]
pub fn WorkstreamSetupFormPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(|| (), |_| list_workstream_setups());
    let action = ServerAction::<SaveWorkstream>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <p>
            <a href="/setup/workstreams">"Back to workstreams"</a>
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::ManageWorkstreams).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let page = match data.await {
                    Ok(page) => page,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let key = id();
                let existing = page.workstreams.iter().find(|w| w.id.as_str() == key).cloned();
                if key != "new" && existing.is_none() {
                    return view! {
                        <NotFoundOrError error=AppError::NotFound("No workstream has that address".into()) />
                    }
                        .into_any();
                }
                let next_position = page.workstreams.iter().map(|w| w.position).max().unwrap_or(0) + 1;
                let initial = match &existing {
                    Some(w) => WorkstreamForm::from_setup(w),
                    None => {
                        WorkstreamForm {
                            position: next_position.to_string(),
                            ..Default::default()
                        }
                    }
                };
                let form = FormView::from_result(action.value().into(), initial.values());
                let checked: Vec<String> = form
                    .value("leads")
                    .get_untracked()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let title = match &existing {
                    Some(w) => format!("Edit {}", w.name),
                    None => "Add a workstream".to_string(),
                };
                view! {
                    <Title text=crate::components::layout::title_text(format!("{title} – Liaison")) />
                    <h1>{title}</h1>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=action attr:novalidate=true>
                        <input
                            type="hidden"
                            name="id"
                            value=existing.as_ref().map(|w| w.id.to_string()).unwrap_or_default()
                        />
                        <input
                            type="hidden"
                            name="version"
                            value=existing.as_ref().map(|w| w.version.to_string()).unwrap_or_default()
                        />
                        <TextField form name="name" label="Name" width="30" />
                        <TextArea
                            form
                            name="purpose"
                            label="Purpose"
                            hint="What the workstream is for, in a sentence or two: it appears under its name on the overview"
                            rows=3
                        />
                        <TextArea
                            form
                            name="objectives"
                            label="Objectives (optional)"
                            hint="What it must deliver, one per line"
                        />
                        <TextField form name="starts_on" label="Start date (optional)" input_type="date" width="10" />
                        <TextField form name="ends_on" label="End date (optional)" input_type="date" width="10" />
                        <TextField
                            form
                            name="position"
                            label="Place on the overview"
                            hint="1 comes first"
                            input_type="number"
                            width="4"
                        />
                        <CheckboxGroup
                            legend="Leads"
                            name="leads"
                            options=page.lead_options.clone()
                            checked
                            hint="Leads post status updates and manage milestones on this workstream. Invite people from the users page first."
                        />
                        <button class="button" type="submit">
                            "Save workstream"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}
