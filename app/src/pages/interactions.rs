//! The interaction log on a contact's or organisation's page, its edit page, and each
//! person's follow-ups.
use crate::api::interactions::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::domain::interaction::{Interaction, InteractionKind};
use crate::domain::policy::Action;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::collections::BTreeMap;

fn kinds() -> Vec<(String, String)> {
    InteractionKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), k.label().to_string()))
        .collect()
}

/// The fields of the interaction form.
fn interaction_fields(
    form: FormView,
    owners: Vec<(String, String)>,
    plan_items: Vec<(String, String)>,
) -> impl IntoView {
    let has_plan = !plan_items.is_empty();
    view! {
        <SelectField form name="kind" label="Kind" options=kinds() placeholder="Select the kind" />
        <TextField form name="date" label="Date" input_type="date" width="10" />
        <TextField
            form
            name="participants"
            label="Participants (optional)"
            hint="Who took part, for example: Zoë Ashworth, Sam Patel"
            width="30"
        />
        <TextArea form name="summary" label="Summary" hint="What was discussed or agreed" rows=4 />
        <TextField form name="follow_up_on" label="Follow up by (optional)" input_type="date" width="10" />
        <SelectField form name="follow_up_owner" label="Who follows up (optional)" options=owners placeholder="Me" />
        {has_plan
            .then(|| {
                view! {
                    <SelectField
                        form
                        name="plan_item"
                        label="Part of the communication plan (optional)"
                        options=plan_items
                        placeholder="Not a planned communication"
                    />
                }
            })}
    }
}

fn follow_up_text(i: &Interaction) -> Option<String> {
    i.follow_up_on.map(|d| {
        let who = i.follow_up_owner_name.clone().unwrap_or_default();
        let state = if i.follow_up_done { "done" } else { "open" };
        format!("Follow-up by {} ({who}, {state})", d.format("%-d %b %Y"))
    })
}

/// The log on a contact's (`contact`) or organisation's (`organisation`) page: the
/// interactions people logged, and a form to log another.
#[component]
pub fn InteractionPanel(
    #[prop(optional, into)] contact: String,
    #[prop(optional, into)] organisation: String,
) -> impl IntoView {
    let log = ServerAction::<LogInteraction>::new();
    let (c, o) = (contact.clone(), organisation.clone());
    let data = Resource::new(
        move || log.version().get(),
        move |_| interactions_with(c.clone(), o.clone()),
    );
    let today = chrono::Utc::now().date_naive().to_string();
    let form = FormView::from_result(log.value().into(), BTreeMap::from([("date".to_string(), today)]));
    view! {
        <h2 id="interactions">"Interactions"</h2>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || {
                let (contact, organisation) = (contact.clone(), organisation.clone());
                Suspend::new(async move {
                    let can_log = Session::can(Action::LogInteraction).await;
                    let log_data = match data.await {
                        Ok(d) => d,
                        Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                    };
                    view! {
                        {if log_data.items.is_empty() {
                            view! { <p>"No meetings, calls or notes logged yet."</p> }.into_any()
                        } else {
                            view! {
                                <ul class="interaction-log">
                                    {log_data
                                        .items
                                        .into_iter()
                                        .map(|(i, editable)| {
                                            let follow = follow_up_text(&i);
                                            let edit = format!("/interactions/{}/edit", i.id);
                                            view! {
                                                <li class="interaction-log__item">
                                                    <p>
                                                        <strong>
                                                            {format!(
                                                                "{} on {}",
                                                                i.kind.label(),
                                                                i.date.format("%-d %b %Y"),
                                                            )}
                                                        </strong>
                                                        {format!(" – logged by {}", i.author_name)}
                                                    </p>
                                                    {(!i.participants.is_empty())
                                                        .then(|| {
                                                            view! {
                                                                <p class="hint">{format!("With {}", i.participants)}</p>
                                                            }
                                                        })}
                                                    <p>{i.summary.clone()}</p>
                                                    {follow.map(|f| view! { <p class="hint">{f}</p> })}
                                                    {editable
                                                        .then(|| {
                                                            view! {
                                                                <p>
                                                                    <a href=edit>
                                                                        "Edit"
                                                                        <span class="visually-hidden">
                                                                            {format!(
                                                                                " the {} on {}",
                                                                                i.kind.label().to_lowercase(),
                                                                                i.date,
                                                                            )}
                                                                        </span>
                                                                    </a>
                                                                </p>
                                                            }
                                                        })}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }}
                        {can_log
                            .then(|| {
                                view! {
                                    <details class="details" open=form.errors().get_untracked().is_some()>
                                        <summary>"Log a meeting, call, email, workshop or note"</summary>
                                        <ErrorSummary form />
                                        <ActionForm action=log attr:novalidate=true>
                                            <input type="hidden" name="contact" value=contact.clone() />
                                            <input type="hidden" name="organisation" value=organisation.clone() />
                                            {interaction_fields(
                                                form,
                                                log_data.owners.clone(),
                                                log_data.plan_items.clone(),
                                            )}
                                            <button class="button" type="submit">
                                                "Log interaction"
                                            </button>
                                        </ActionForm>
                                    </details>
                                }
                            })}
                    }
                        .into_any()
                })
            }}
        </Transition>
    }
}

#[component]
pub fn EditInteractionPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        interaction_edit_form,
    );
    let update = ServerAction::<UpdateInteraction>::new();
    let error = Signal::derive(move || update.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let Some((i, _)) = d.items.into_iter().next() else {
                    return view! {
                        <NotFoundOrError error=crate::domain::AppError::NotFound(
                            "No interaction has that address.".into(),
                        ) />
                    }
                        .into_any();
                };
                let form = FormView::from_result(update.value().into(), i.form().values());
                let (back, name) = i.with.clone();
                view! {
                    <Title text="Edit an interaction – Liaison" />
                    <p>
                        <a href=back>{format!("Back to {name}")}</a>
                    </p>
                    <h1>{format!("Edit the {} with {name}", i.kind.label().to_lowercase())}</h1>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=update attr:novalidate=true>
                        <input type="hidden" name="id" value=i.id.clone() />
                        <input type="hidden" name="version" value=i.version.to_string() />
                        {interaction_fields(form, d.owners, d.plan_items)}
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

#[component]
pub fn FollowUpsPage() -> impl IntoView {
    let done = ServerAction::<CompleteFollowUp>::new();
    let data = Resource::new(move || done.version().get(), |_| my_follow_ups());
    view! {
        <Title text="Your follow-ups – Liaison" />
        <h1>"Your follow-ups"</h1>
        <p class="lede">"What you said you would do after a meeting, call or note, soonest first."</p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                if d.items.is_empty() {
                    return view! {
                        <p>
                            "Nothing to follow up. A follow-up is added when you log an interaction with a follow-up date."
                        </p>
                    }
                        .into_any();
                }
                let today = d.today;
                view! {
                    <div class="table-wrap" role="region" aria-label="Your open follow-ups" tabindex="0">
                        <table class="table">
                            <caption class="visually-hidden">"Your open follow-ups"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"By"</th>
                                    <th scope="col">"With"</th>
                                    <th scope="col">"From"</th>
                                    <th scope="col">"Action"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {d
                                    .items
                                    .into_iter()
                                    .map(|(i, _)| {
                                        let due = i
                                            .follow_up_on
                                            .map(|x| x.format("%-d %b %Y").to_string())
                                            .unwrap_or_default();
                                        let overdue = i.follow_up_on.is_some_and(|x| x < today);
                                        let (link, name) = i.with.clone();
                                        view! {
                                            <tr>
                                                <td>
                                                    {due}
                                                    {overdue
                                                        .then(|| {
                                                            view! {
                                                                " "
                                                                <strong class="tag tag--red">"Overdue"</strong>
                                                            }
                                                        })}
                                                </td>
                                                <td>
                                                    <a href=link>{name}</a>
                                                </td>
                                                <td>
                                                    {format!(
                                                        "{} on {}: {}",
                                                        i.kind.label(),
                                                        i.date.format("%-d %b %Y"),
                                                        i.summary,
                                                    )}
                                                </td>
                                                <td>
                                                    <ActionForm action=done>
                                                        <input type="hidden" name="id" value=i.id.clone() />
                                                        <button
                                                            class="button button--secondary button--small"
                                                            type="submit"
                                                        >
                                                            "Mark done"
                                                            <span class="visually-hidden">
                                                                {format!(": {}", i.summary)}
                                                            </span>
                                                        </button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// Every logged interaction of a period, of one kind or all: a plain GET form, so a view can
/// be bookmarked (the board report links here).
#[component]
pub fn InteractionLogPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map();
    let params = move || {
        query.with(|q| {
            (
                q.get("kind").unwrap_or_default(),
                q.get("from").unwrap_or_default(),
                q.get("to").unwrap_or_default(),
            )
        })
    };
    let data = Resource::new(params, |(k, f, t)| logged_interactions(k, f, t));
    view! {
        <Title text="Interaction log – Liaison" />
        <h1>"Interaction log"</h1>
        <p class="lede">
            "Meetings, calls, emails, workshops and notes people logged with contacts and organisations, newest first."
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let kind = d.kind.map(|k| k.key()).unwrap_or("");
                view! {
                    <form
                        method="get"
                        action="/interactions"
                        class="inline-form"
                        role="search"
                        aria-label="Interaction log"
                    >
                        <div class="form-group">
                            <label class="label" for="log-kind">
                                "Kind"
                            </label>
                            <select class="select" id="log-kind" name="kind">
                                <option value="" selected=kind.is_empty()>
                                    "All kinds"
                                </option>
                                {InteractionKind::ALL
                                    .iter()
                                    .map(|k| {
                                        view! {
                                            <option value=k.key() selected=k.key() == kind>
                                                {k.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                        <div class="form-group">
                            <label class="label" for="log-from">
                                "From"
                            </label>
                            <input
                                class="input input--width-10"
                                type="date"
                                id="log-from"
                                name="from"
                                value=d.from.to_string()
                            />
                        </div>
                        <div class="form-group">
                            <label class="label" for="log-to">
                                "To"
                            </label>
                            <input
                                class="input input--width-10"
                                type="date"
                                id="log-to"
                                name="to"
                                value=d.to.to_string()
                            />
                        </div>
                        <div class="form-group">
                            <button class="button button--secondary" type="submit">
                                "Show"
                            </button>
                        </div>
                    </form>
                    <p>
                        {format!(
                            "{} interaction{} from {} to {}",
                            d.items.len(),
                            if d.items.len() == 1 { "" } else { "s" },
                            d.from.format("%-d %b %Y"),
                            d.to.format("%-d %b %Y"),
                        )}
                    </p>
                    {(!d.items.is_empty())
                        .then(|| {
                            view! {
                                <div class="table-wrap" role="region" aria-label="Logged interactions" tabindex="0">
                                    <table class="table">
                                        <caption class="visually-hidden">"Logged interactions"</caption>
                                        <thead>
                                            <tr>
                                                <th scope="col">"Date"</th>
                                                <th scope="col">"Kind"</th>
                                                <th scope="col">"With"</th>
                                                <th scope="col">"Summary"</th>
                                                <th scope="col">"Logged by"</th>
                                            </tr>
                                        </thead>
                                        <tbody>
                                            {d
                                                .items
                                                .into_iter()
                                                .map(|i| {
                                                    let (link, name) = i.with.clone();
                                                    view! {
                                                        <tr>
                                                            <td>{i.date.format("%-d %b %Y").to_string()}</td>
                                                            <td>{i.kind.label()}</td>
                                                            <td>
                                                                <a href=link>{name}</a>
                                                            </td>
                                                            <td>{i.summary.clone()}</td>
                                                            <td>{i.author_name.clone()}</td>
                                                        </tr>
                                                    }
                                                })
                                                .collect_view()}
                                        </tbody>
                                    </table>
                                </div>
                            }
                        })}
                }
                    .into_any()
            })}
        </Transition>
    }
}
