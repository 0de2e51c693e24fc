//! A briefing's page: preview, test, schedule, repeat, stop and resume, and the live report.
use super::state_tag;
use crate::api::briefings::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Session;
use crate::components::notice::{Notice, Tone};
use crate::domain::briefing::BriefingState;
use crate::domain::policy::Action;
use crate::domain::report::Tally;
use crate::islands::progress::LiveProgress;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

#[component]
pub fn BriefingPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let test = ServerAction::<SendTestBriefing>::new();
    let schedule = ServerAction::<ScheduleBriefing>::new();
    let cancel = ServerAction::<CancelBriefing>::new();
    let repeat = ServerAction::<RepeatBriefing>::new();
    let stop = ServerAction::<StopSending>::new();
    let resume = ServerAction::<ResumeSending>::new();
    let retry = ServerAction::<RetryFailed>::new();
    let unschedule = ServerAction::<UnscheduleBriefing>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                test.version().get(),
                schedule.version().get(),
                cancel.version().get(),
                repeat.version().get(),
                (
                    stop.version().get(),
                    resume.version().get(),
                    retry.version().get(),
                    unschedule.version().get(),
                ),
            )
        },
        |(id, ..)| get_briefing(id),
    );
    // Read after every action on the page; in the browser the progress island polls it.
    let progress = Resource::new(
        move || {
            (
                id(),
                schedule.version().get(),
                (stop.version().get(), resume.version().get(), retry.version().get()),
            )
        },
        |(id, ..)| briefing_progress(id),
    );
    let schedule_form = FormView::from_result(schedule.value().into(), BTreeMap::new());
    let repeat_form = FormView::from_result(repeat.value().into(), BTreeMap::new());
    let error = Signal::derive(move || {
        schedule
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| cancel.value().get().and_then(|r| r.err()))
            .or_else(|| test.value().get().and_then(|r| r.err()))
            .or_else(|| stop.value().get().and_then(|r| r.err()))
            .or_else(|| resume.value().get().and_then(|r| r.err()))
            .or_else(|| retry.value().get().and_then(|r| r.err()))
            .or_else(|| unschedule.value().get().and_then(|r| r.err()))
    });
    let retried = move || query.with(|q| q.get("retried"));
    let saved = move || query.with(|q| q.get("saved").is_some());
    let tested = move || query.with(|q| q.get("tested").is_some());
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditPlan).await;
                match data.await {
                    Ok(b) => {
                        let id = b.row.id.clone();
                        let id_progress = id.to_string();
                        let editable = matches!(b.row.state, BriefingState::Draft | BriefingState::Scheduled);
                        view! {
                            <Title text=crate::components::layout::title_text(
                                format!("{} – Liaison", b.row.subject),
                            ) />
                            <p>
                                <a href="/briefings">"Back to briefings"</a>
                            </p>
                            <h1>{b.row.subject.clone()}</h1>
                            <p>
                                <strong class=state_tag(b.row.state)>{b.row.state.label()}</strong>
                                " To: "
                                {b.row.audience.clone()}
                                {b.row.when.clone().map(|w| format!(". Send time: {w} (UK time)"))}
                            </p>
                            {b
                                .instance_of
                                .clone()
                                .map(|t| {
                                    view! {
                                        <p>
                                            "One occurrence of the repeating briefing "
                                            <a href=format!("/briefings/{}", t.id)>{t.label}</a> "."
                                        </p>
                                    }
                                })}
                            {move || {
                                tested()
                                    .then(|| {
                                        view! {
                                            <Notice tone=Tone::Success>
                                                "A test copy is on its way to your email address."
                                            </Notice>
                                        }
                                    })
                            }}
                            <ActionErrorNotice error />
                            <ErrorSummary form=schedule_form />
                            <ErrorSummary form=repeat_form />
                            {b
                                .repeats_with
                                .clone()
                                .map(|plan| {
                                    let instances = b.instances.clone();
                                    let id_stop = id.clone();
                                    view! {
                                        <h2>"Repeats with the communication plan"</h2>
                                        <p>
                                            "This briefing is a template: it is not sent itself. Each occurrence of the plan item "
                                            <a href=format!("/plan#item-{}", plan.id)>{plan.label}</a>
                                            {format!(
                                                " becomes its own briefing, made {} days ahead, with the date in its subject.",
                                                crate::domain::plan::INSTANCE_LOOKAHEAD_DAYS,
                                            )}
                                        </p>
                                        {if instances.is_empty() {
                                            view! { <p>"No occurrence falls in the next two weeks yet."</p> }.into_any()
                                        } else {
                                            view! {
                                                <div
                                                    class="table-wrap"
                                                    role="region"
                                                    aria-label="Occurrences made so far"
                                                    tabindex="0"
                                                >
                                                    <table class="table">
                                                        <caption>"Occurrences made so far"</caption>
                                                        <thead>
                                                            <tr>
                                                                <th scope="col">"Briefing"</th>
                                                                <th scope="col">"Status"</th>
                                                                <th scope="col">"Send time"</th>
                                                            </tr>
                                                        </thead>
                                                        <tbody>
                                                            {instances
                                                                .into_iter()
                                                                .map(|r| {
                                                                    view! {
                                                                        <tr>
                                                                            <td>
                                                                                <a href=format!("/briefings/{}", r.id)>{r.subject}</a>
                                                                            </td>
                                                                            <td>
                                                                                <strong class=state_tag(r.state)>{r.state.label()}</strong>
                                                                            </td>
                                                                            <td>{r.when.unwrap_or_default()}</td>
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
                                        {(can_edit && b.row.state == BriefingState::Recurring)
                                            .then(|| {
                                                view! {
                                                    <ActionForm action=cancel>
                                                        <input type="hidden" name="id" value=id_stop />
                                                        <button class="button button--warning" type="submit">
                                                            "Stop repeating"
                                                        </button>
                                                    </ActionForm>
                                                }
                                            })}
                                    }
                                })}

                            <h2>"Progress"</h2>
                            <Transition fallback=|| ()>
                                {move || {
                                    let id = id_progress.clone();
                                    Suspend::new(async move {
                                        progress.await.ok().map(|progress| view! { <LiveProgress id progress /> })
                                    })
                                }}
                            </Transition>

                            {(can_edit && editable)
                                .then(|| {
                                    let (id_test, id_now, id_cancel, id_later) = (
                                        id.clone(),
                                        id.clone(),
                                        id.clone(),
                                        id.clone(),
                                    );
                                    view! {
                                        <h2>"Send"</h2>
                                        <div class="button-group">
                                            <ActionForm action=test>
                                                <input type="hidden" name="id" value=id_test />
                                                <button class="button button--secondary" type="submit">
                                                    "Send a test to me"
                                                </button>
                                            </ActionForm>
                                            <ActionForm action=schedule>
                                                <input type="hidden" name="id" value=id_now />
                                                <input type="hidden" name="when" value="now" />
                                                <input type="hidden" name="date" value="" />
                                                <input type="hidden" name="time" value="" />
                                                <button class="button" type="submit">
                                                    "Send now"
                                                </button>
                                            </ActionForm>
                                            <ActionForm action=cancel>
                                                <input type="hidden" name="id" value=id_cancel />
                                                <button class="button button--warning" type="submit">
                                                    "Cancel briefing"
                                                </button>
                                            </ActionForm>
                                        </div>
                                        <details class="details">
                                            <summary>"Schedule for later"</summary>
                                            <ActionForm action=schedule attr:novalidate=true>
                                                <input type="hidden" name="id" value=id_later />
                                                <input type="hidden" name="when" value="later" />
                                                <TextField
                                                    form=schedule_form
                                                    name="date"
                                                    label="Date"
                                                    input_type="date"
                                                    width="10"
                                                />
                                                <TextField
                                                    form=schedule_form
                                                    name="time"
                                                    label="Time (UK)"
                                                    input_type="time"
                                                    hint="For example 09:30"
                                                    width="10"
                                                />
                                                <button class="button button--secondary" type="submit">
                                                    "Schedule"
                                                </button>
                                            </ActionForm>
                                        </details>
                                        {(!b.repeatable_with.is_empty())
                                            .then(|| {
                                                let id_repeat = id.clone();
                                                let options = b
                                                    .repeatable_with
                                                    .iter()
                                                    .map(|p| (p.id.clone(), p.label.clone()))
                                                    .collect::<Vec<_>>();
                                                view! {
                                                    <details class="details">
                                                        <summary>"Repeat with an email-briefing plan item"</summary>
                                                        <ActionForm action=repeat attr:novalidate=true>
                                                            <input type="hidden" name="id" value=id_repeat />
                                                            <SelectField
                                                                form=repeat_form
                                                                name="plan_item"
                                                                label="Plan item"
                                                                options
                                                                placeholder="Select a plan item"
                                                                hint="This draft becomes a template: each occurrence of the plan item becomes its own briefing, a draft or a scheduled send as the plan item says."
                                                            />
                                                            <button class="button button--secondary" type="submit">
                                                                "Repeat with this plan item"
                                                            </button>
                                                        </ActionForm>
                                                    </details>
                                                }
                                            })}
                                    }
                                })}

                            <h2>"Acknowledgements"</h2>
                            {if b.ack_required {
                                view! {
                                    <p>
                                        {format!(
                                            "Recipients are asked to confirm{}.",
                                            b.ack_deadline.clone().map(|d| format!(" by {d}")).unwrap_or_default(),
                                        )}
                                        {b
                                            .remind_days_before
                                            .map(|d| {
                                                format!(
                                                    " Non-confirmers are reminded {d} days before the deadline ({} reminders sent).",
                                                    b.reminders_sent,
                                                )
                                            })}
                                    </p>
                                    <RateTable
                                        caption="Acknowledgement rate by kind of organisation"
                                        rows=b.by_kind.clone()
                                    />
                                    <RateTable
                                        caption="Acknowledgement rate by organisation"
                                        rows=b.by_organisation.clone()
                                    />
                                    <details class="details">
                                        <summary>
                                            {format!("Not yet acknowledged ({})", b.not_acknowledged_count)}
                                        </summary>
                                        {(b.not_acknowledged_count > b.not_acknowledged.len() as u64)
                                            .then(|| {
                                                view! {
                                                    <p class="caption">
                                                        {format!("The first {} by name.", b.not_acknowledged.len())}
                                                    </p>
                                                }
                                            })}
                                        <ul>
                                            {b
                                                .not_acknowledged
                                                .iter()
                                                .map(|r| {
                                                    view! {
                                                        <li>{format!("{} <{}>, {}", r.name, r.email, r.detail)}</li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    </details>
                                }
                                    .into_any()
                            } else {
                                view! { <p>"This briefing does not ask for acknowledgement."</p> }.into_any()
                            }}
                            {move || {
                                saved()
                                    .then(|| view! { <Notice tone=Tone::Success>"Your changes were saved."</Notice> })
                            }}
                            {(can_edit && editable)
                                .then(|| {
                                    let id_unschedule = id.clone();
                                    let scheduled = b.row.state == BriefingState::Scheduled;
                                    view! {
                                        <p>
                                            <a class="button button--secondary" href=format!("/briefings/{id}/edit")>
                                                "Edit briefing"
                                            </a>
                                        </p>
                                        {scheduled
                                            .then(|| {
                                                view! {
                                                    <ActionForm action=unschedule>
                                                        <input type="hidden" name="id" value=id_unschedule />
                                                        <button class="button button--secondary" type="submit">
                                                            "Unschedule (back to draft)"
                                                        </button>
                                                    </ActionForm>
                                                }
                                            })}
                                    }
                                })}
                            {move || {
                                retried()
                                    .map(|n| {
                                        view! {
                                            <Notice tone=Tone::Success>
                                                {format!("{n} failed deliveries were queued again.")}
                                            </Notice>
                                        }
                                    })
                            }}
                            {can_edit
                                .then(|| {
                                    let (id_stop, id_resume) = (id.clone(), id.clone());
                                    match b.row.state {
                                        BriefingState::Sending => {
                                            Some(
                                                view! {
                                                    <ActionForm action=stop>
                                                        <input type="hidden" name="id" value=id_stop />
                                                        <button class="button button--warning" type="submit">
                                                            "Stop sending"
                                                        </button>
                                                    </ActionForm>
                                                }
                                                    .into_any(),
                                            )
                                        }
                                        BriefingState::Stopped => {
                                            Some(
                                                view! {
                                                    <p>
                                                        "Sending was stopped. Those not yet sent to are held; resuming sends only to them."
                                                    </p>
                                                    <ActionForm action=resume>
                                                        <input type="hidden" name="id" value=id_resume />
                                                        <button class="button" type="submit">
                                                            "Resume sending"
                                                        </button>
                                                    </ActionForm>
                                                }
                                                    .into_any(),
                                            )
                                        }
                                        _ => None,
                                    }
                                })}
                            {(!b.failures.is_empty())
                                .then(|| {
                                    let id_retry = id.clone();
                                    view! {
                                        <h2>"Failed deliveries"</h2>
                                        <ul>
                                            {b
                                                .failures
                                                .iter()
                                                .map(|r| {
                                                    view! {
                                                        <li>{format!("{} <{}>: {}", r.name, r.email, r.detail)}</li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                        {(can_edit
                                            && matches!(b.row.state, BriefingState::Sent | BriefingState::Sending))
                                            .then(|| {
                                                view! {
                                                    <ActionForm action=retry>
                                                        <input type="hidden" name="id" value=id_retry />
                                                        <button class="button button--secondary" type="submit">
                                                            "Retry failed"
                                                        </button>
                                                        <p class="hint">
                                                            "Queues each failed delivery once more, for example after the mail relay's problem is fixed."
                                                        </p>
                                                    </ActionForm>
                                                }
                                            })}
                                    }
                                })}
                            {(!b.bounces.is_empty())
                                .then(|| {
                                    view! {
                                        <h2>{format!("Bounced ({})", b.bounces.len())}</h2>
                                        <p>
                                            {format!(
                                                "Sent, then returned by the recipient's mail server. {} address{} now held: no more briefings go to {} until the address is corrected on the contact.",
                                                b.held,
                                                if b.held == 1 { " is" } else { "es are" },
                                                if b.held == 1 { "it" } else { "them" },
                                            )}
                                        </p>
                                        <ul>
                                            {b
                                                .bounces
                                                .iter()
                                                .map(|r| {
                                                    view! {
                                                        <li>{format!("{} <{}>: {}", r.name, r.email, r.detail)}</li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}
                            {(!b.retries.is_empty())
                                .then(|| {
                                    view! {
                                        <h2>"Retried deliveries"</h2>
                                        <ul>
                                            {b
                                                .retries
                                                .iter()
                                                .map(|r| {
                                                    view! {
                                                        <li>{format!("{} <{}>: {}", r.name, r.email, r.detail)}</li>
                                                    }
                                                })
                                                .collect_view()}
                                        </ul>
                                    }
                                })}

                            <h2>"Preview"</h2>
                            <div
                                class="email-preview"
                                role="region"
                                aria-label="Preview of the email as recipients see it"
                                inner_html=b.preview_html.clone()
                            ></div>
                            <details class="details">
                                <summary>"Plain-text version"</summary>
                                <pre class="email-text">{b.preview_text.clone()}</pre>
                            </details>
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
fn RateTable(caption: &'static str, rows: Vec<Tally>) -> impl IntoView {
    view! {
        <div class="table-wrap" role="region" aria-label=caption tabindex="0">
            <table class="table">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">"Group"</th>
                        <th scope="col" class="table__numeric">
                            "Delivered"
                        </th>
                        <th scope="col" class="table__numeric">
                            "Acknowledged"
                        </th>
                        <th scope="col" class="table__numeric">
                            "Rate"
                        </th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|t| {
                            view! {
                                <tr>
                                    <td>{t.label.clone()}</td>
                                    <td class="table__numeric">{t.delivered}</td>
                                    <td class="table__numeric">{t.acknowledged}</td>
                                    <td class="table__numeric">{format!("{}%", t.rate())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}
