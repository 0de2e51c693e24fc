//! The communication plan page: the plan as the programme keeps it, and what is due soon.
use crate::api::audiences::list_segments;
use crate::api::plan::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::components::notice::Notice;
use crate::domain::plan::{Channel, Frequency, InstanceMode, PlanItem};
use crate::domain::plan_outcome::{Happened, OccurrenceOutcome, MISSED_AFTER_DAYS};
use crate::domain::policy::Action;
use crate::domain::time::short_date;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

#[component]
pub fn PlanPage() -> impl IntoView {
    let create = ServerAction::<CreatePlanItem>::new();
    let toggle = ServerAction::<SetPlanItemActive>::new();
    let plan = Resource::new(
        move || (create.version().get(), toggle.version().get()),
        |_| communication_plan(),
    );
    let segments = Resource::new(|| (), |_| list_segments());
    let overview = Resource::new(|| (), |_| crate::api::workstreams::programme_overview());
    let form = FormView::from_result(create.value().into(), BTreeMap::new());
    let query = use_query_map();
    view! {
        <Title text="Communication plan – Liaison" />
        <h1>"Communication plan"</h1>
        <p class="lede">"Who is told what, through which channel, how often, and by whom."</p>
        {move || {
            query
                .with(|q| {
                    if q.get("deleted").is_some() {
                        Some("The plan item was deleted.")
                    } else if q.get("archived").is_some() {
                        Some(
                            "The plan item had produced briefings, so it was archived rather than deleted: it is listed under archived plan items.",
                        )
                    } else {
                        None
                    }
                })
                .map(|n| view! { <Notice>{n}</Notice> })
        }}
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditPlan).await;
                let workstreams: Vec<(String, String)> = if can_edit {
                    overview
                        .await
                        .map(|o| o.workstreams.into_iter().map(|w| (w.view.id.to_string(), w.view.name)).collect())
                        .unwrap_or_default()
                } else {
                    vec![]
                };
                let segs: Vec<(String, String)> = segments
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| !s.archived)
                    .map(|s| (s.id, s.name))
                    .collect();
                match plan.await {
                    Ok(p) => {
                        let items = p.items.clone();
                        let archived: Vec<(String, String)> = p
                            .items
                            .iter()
                            .filter(|i| i.archived)
                            .map(|i| (i.objective.clone(), i.audience.clone()))
                            .collect();
                        let empty = p.items.iter().all(|i| i.archived);
                        let happened: Vec<(PlanItem, Vec<OccurrenceOutcome>)> = items
                            .iter()
                            .cloned()
                            .zip(p.outcomes.clone())
                            .filter(|(i, o)| !i.archived && !o.is_empty())
                            .collect();
                        view! {
                            {empty
                                .then(|| {
                                    view! {
                                        <p>
                                            "The plan is empty. Each row says who is told what, through which channel, how often and by whom: first save an audience (who), then add the row below. An email-briefing row can make each occurrence its own briefing."
                                        </p>
                                    }
                                })}
                            <div
                                class="table-wrap"
                                role="region"
                                aria-label="Communication plan"
                                tabindex="0"
                                hidden=empty
                            >
                                <table class="table">
                                    <caption class="visually-hidden">"Communication plan"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Audience"</th>
                                            <th scope="col">"Objective"</th>
                                            <th scope="col">"Key message"</th>
                                            <th scope="col">"Channel"</th>
                                            <th scope="col">"Frequency"</th>
                                            <th scope="col">"Owner"</th>
                                            <th scope="col">"Dates"</th>
                                            <th scope="col">"Workstreams"</th>
                                            <th scope="col">"Feedback"</th>
                                            <th scope="col">"Status"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p
                                            .items
                                            .into_iter()
                                            .filter(|i| !i.archived)
                                            .map(|i| {
                                                let email = (i.channel == Channel::EmailBriefing)
                                                    .then(|| {
                                                        format!(
                                                            "Sends at {} (UK); {}",
                                                            i.send_time.format("%H:%M"),
                                                            i.instances.each(),
                                                        )
                                                    });
                                                let (id, active, objective) = (
                                                    i.id.clone(),
                                                    i.active,
                                                    i.objective.clone(),
                                                );
                                                let anchor = format!("item-{}", i.id);
                                                view! {
                                                    <tr id=anchor>
                                                        <td>
                                                            <a href=format!("/segments/{}", i.segment)>{i.audience}</a>
                                                        </td>
                                                        <td>{i.objective}</td>
                                                        <td>{i.key_message}</td>
                                                        <td>{i.channel.label()}</td>
                                                        <td>{i.frequency.label()}</td>
                                                        <td>{i.owner}</td>
                                                        <td>
                                                            {format!(
                                                                "{}{}",
                                                                i.start.format("%-d %b %Y"),
                                                                i
                                                                    .end
                                                                    .map(|e| format!(" to {}", e.format("%-d %b %Y")))
                                                                    .unwrap_or_else(|| " onwards".into()),
                                                            )}
                                                        </td>
                                                        <td>{i.workstreams.join(", ")}</td>
                                                        <td>{i.feedback}</td>
                                                        <td>
                                                            <strong class=if active {
                                                                "tag tag--green"
                                                            } else {
                                                                "tag tag--grey"
                                                            }>{if active { "Active" } else { "Paused" }}</strong>
                                                            {email.map(|e| view! { <span class="hint">{e}</span> })}
                                                            {can_edit
                                                                .then(|| {
                                                                    view! {
                                                                        <a
                                                                            class="button button--secondary button--small"
                                                                            href=format!("/plan/{}/edit", id)
                                                                        >
                                                                            "Edit"
                                                                            <span class="visually-hidden">
                                                                                {format!(" {objective}")}
                                                                            </span>
                                                                        </a>
                                                                        <ActionForm action=toggle>
                                                                            <input type="hidden" name="id" value=id />
                                                                            <input
                                                                                type="hidden"
                                                                                name="active"
                                                                                value=if active { "false" } else { "true" }
                                                                            />
                                                                            <button
                                                                                class="button button--secondary button--small"
                                                                                type="submit"
                                                                            >
                                                                                {if active { "Pause" } else { "Resume" }}
                                                                            </button>
                                                                        </ActionForm>
                                                                    }
                                                                })}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            {(!happened.is_empty())
                                .then(|| {
                                    view! {
                                        <h2 id="what-happened">"The plan against what happened"</h2>
                                        <p>
                                            {format!(
                                                "The latest occurrences of each item, newest first: the briefings sent for it, and the interactions logged as part of it. An occurrence with nothing against it {MISSED_AFTER_DAYS} days after its date is missed.",
                                            )}
                                        </p>
                                        {happened
                                            .into_iter()
                                            .map(|(i, outcomes)| view! { <WhatHappened item=i outcomes /> })
                                            .collect_view()}
                                    }
                                })}
                            {(!archived.is_empty())
                                .then(|| {
                                    view! {
                                        <h2>"Archived plan items"</h2>
                                        <p>
                                            "Removed from the plan after they had produced briefings: kept, paused, so the plan keeps its history."
                                        </p>
                                        <ul>
                                            {archived
                                                .into_iter()
                                                .map(|(o, a)| view! { <li>{format!("{o} ({a})")}</li> })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                            <h2>"Due in the next eight weeks"</h2>
                            {if p.calendar.is_empty() {
                                view! { <p>"Nothing is due."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="calendar">
                                        {p
                                            .calendar
                                            .into_iter()
                                            .map(|(d, n)| {
                                                let i = &items[n];
                                                view! {
                                                    <li>
                                                        <strong>{short_date(d)}</strong>
                                                        ": "
                                                        {format!(
                                                            "{} – {} ({})",
                                                            i.channel.label(),
                                                            i.objective,
                                                            i.audience,
                                                        )}
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ul>
                                }
                                    .into_any()
                            }}
                            {can_edit
                                .then(|| {
                                    view! {
                                        <h2>"Add to the plan"</h2>
                                        <ErrorSummary form />
                                        <ActionForm action=create attr:novalidate=true>
                                            {plan_fields(form, segs.clone(), workstreams.clone(), vec![])}
                                            <button class="button" type="submit">
                                                "Add to the plan"
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

/// The fields of the plan item form; `checked` are the linked workstreams' ids.
fn plan_fields(
    form: FormView,
    segs: Vec<(String, String)>,
    workstreams: Vec<(String, String)>,
    checked: Vec<String>,
) -> impl IntoView {
    let channels: Vec<(String, String)> = Channel::ALL
        .iter()
        .map(|c| (c.key().into(), c.label().into()))
        .collect();
    let freqs: Vec<(String, String)> = Frequency::ALL
        .iter()
        .map(|c| (c.key().into(), c.label().into()))
        .collect();
    let modes: Vec<(String, String)> = InstanceMode::ALL
        .iter()
        .map(|c| (c.key().into(), c.label().into()))
        .collect();
    view! {
        <SelectField form name="segment" label="Audience" options=segs placeholder="Select an audience" />
        <TextField form name="objective" label="Objective" width="30" />
        <TextArea form name="key_message" label="Key message" rows=3 />
        <SelectField form name="channel" label="Channel" options=channels placeholder="Select a channel" />
        <SelectField form name="frequency" label="Frequency" options=freqs placeholder="Select how often" />
        <TextField form name="owner" label="Owner" width="20" />
        <TextField form name="start" label="Start date" input_type="date" width="10" />
        <TextField form name="end" label="End date (optional)" input_type="date" width="10" />
        <CheckboxGroup legend="Linked workstreams" name="workstreams" options=workstreams checked />
        <TextField form name="feedback" label="Feedback mechanism (optional)" width="30" />
        <fieldset class="fieldset">
            <legend class="fieldset__legend">"For email briefings"</legend>
            <TextField
                form
                name="send_time"
                label="Send time (UK, optional)"
                input_type="time"
                hint="Each occurrence sends at this time; 09:00 if left blank"
                width="10"
            />
            <SelectField
                form
                name="instances"
                label="Each occurrence becomes"
                options=modes
                placeholder="A draft to review (default)"
            />
        </fieldset>
    }
}

#[component]
pub fn EditPlanItemPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.with(|p| p.get("id").unwrap_or_default()),
        plan_item_edit_form,
    );
    let segments = Resource::new(|| (), |_| list_segments());
    let overview = Resource::new(|| (), |_| crate::api::workstreams::programme_overview());
    let update = ServerAction::<UpdatePlanItem>::new();
    let remove = ServerAction::<RemovePlanItem>::new();
    let error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| remove.value().get().and_then(|r| r.err()))
    });
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditPlan).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let item = match data.await {
                    Ok(item) => item,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let segs: Vec<(String, String)> = segments
                    .await
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| !s.archived || s.id == item.form.segment)
                    .map(|s| (s.id, s.name))
                    .collect();
                let workstreams: Vec<(String, String)> = overview
                    .await
                    .map(|o| o.workstreams.into_iter().map(|w| (w.view.id.to_string(), w.view.name)).collect())
                    .unwrap_or_default();
                let form = FormView::from_result(update.value().into(), item.form.values());
                let (id_update, id_remove) = (item.id.clone(), item.id.clone());
                view! {
                    <Title text=crate::components::layout::title_text(
                        format!("Edit {} – Liaison", item.form.objective),
                    ) />
                    <p>
                        <a href=format!("/plan#item-{}", item.id)>"Back to the plan"</a>
                    </p>
                    <h1>{format!("Edit {}", item.form.objective)}</h1>
                    {if item.archived {
                        view! { <p>"This plan item is archived and can no longer be edited."</p> }.into_any()
                    } else {
                        view! {
                            {item
                                .repeats
                                .then(|| {
                                    view! {
                                        <p>
                                            "Changing when this item falls (frequency, dates, send time) changes future occurrences only: briefings already sent, and any you have edited or scheduled yourself, stay as they are."
                                        </p>
                                    }
                                })}
                            <ErrorSummary form />
                            <ActionErrorNotice error />
                            <ActionForm action=update attr:novalidate=true>
                                <input type="hidden" name="id" value=id_update />
                                <input type="hidden" name="version" value=item.version.to_string() />
                                {plan_fields(form, segs, workstreams, item.form.workstreams.clone())}
                                <button class="button" type="submit">
                                    "Save changes"
                                </button>
                            </ActionForm>
                            <h2>"Remove from the plan"</h2>
                            <p>
                                "An item that has produced briefings is archived instead of deleted, so the plan keeps its history."
                            </p>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=id_remove />
                                <button class="button button--warning" type="submit">
                                    "Remove plan item"
                                </button>
                            </ActionForm>
                        }
                            .into_any()
                    }}
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// One plan item's latest occurrences and what happened for each.
#[component]
fn WhatHappened(item: PlanItem, outcomes: Vec<OccurrenceOutcome>) -> impl IntoView {
    view! {
        <h3 class="heading-s">{format!("{} – {} ({})", item.channel.label(), item.objective, item.audience)}</h3>
        <ul class="what-happened">
            {outcomes
                .into_iter()
                .map(|o| {
                    let status = if o.missed {
                        Some(
                            view! {
                                <strong class="tag tag--red">"Missed"</strong>
                                " "
                            }
                                .into_any(),
                        )
                    } else if o.happened.is_empty() {
                        Some(
                            view! {
                                <strong class="tag tag--grey">"Nothing yet"</strong>
                                " "
                            }
                                .into_any(),
                        )
                    } else {
                        None
                    };
                    view! {
                        <li>
                            <strong>{o.date.format("%-d %b %Y").to_string()}</strong>
                            ": "
                            {status}
                            {o.missed.then_some("nothing was sent or logged for it.")}
                            {o
                                .happened
                                .into_iter()
                                .map(|h| match h {
                                    Happened::Briefing { id, subject, sent_on, reached, ack_rate, .. } => {
                                        view! {
                                            <span class="what-happened__item">
                                                "Briefing " <a href=format!("/briefings/{id}")>{subject}</a>
                                                {format!(
                                                    " sent {} to {reached}{}",
                                                    sent_on.format("%-d %b %Y"),
                                                    ack_rate.map(|r| format!(", {r}% acknowledged")).unwrap_or_default(),
                                                )}
                                            </span>
                                        }
                                            .into_any()
                                    }
                                    Happened::Logged { date, kind, summary, with_link, with_name } => {
                                        view! {
                                            <span class="what-happened__item">
                                                {format!("{kind} on {} with ", date.format("%-d %b %Y"))}
                                                <a href=with_link>{with_name}</a>{format!(": {summary}")}
                                            </span>
                                        }
                                            .into_any()
                                    }
                                })
                                .collect_view()}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
}
