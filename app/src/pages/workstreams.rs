//! The programme overview (the landing page) and a workstream's own page.
use crate::api::register::register_summary;
use crate::api::workstreams::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::notice::{Notice, Tone};
use crate::components::timeline::RagTimeline;
use crate::domain::time::format_london;
use crate::domain::workstream::*;
use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::collections::BTreeMap;

fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let days = (now - t).num_days();
    match days {
        0 => "today".into(),
        1 => "yesterday".into(),
        d => format!("{d} days ago"),
    }
}

#[component]
fn RagTag(rag: Option<Rag>) -> impl IntoView {
    match rag {
        Some(r) => view! { <strong class=r.tag_class()>{r.label()}</strong> }.into_any(),
        None => view! { <strong class="tag tag--grey">"No status yet"</strong> }.into_any(),
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| programme_overview());
    let summary = Resource::new(|| (), |_| register_summary());
    let engagement = Resource::new(|| (), |_| crate::api::analysis::overview_engagement());
    view! {
        <Title text="Programme overview – Liaison" />
        <h1>"Programme overview"</h1>
        <p class="lede">
            "The delivery status of each workstream of the regional advanced clinical practice programme."
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let register = summary.await.ok();
                let engagement = engagement.await.ok();
                match overview.await {
                    Ok(o) => {
                        view! {
                            {o
                                .plan_started
                                .map(|plan| {
                                    let steps = [
                                        (
                                            "Create the programme's workstreams",
                                            "/setup/workstreams",
                                            !o.workstreams.is_empty(),
                                        ),
                                        (
                                            "Give each workstream its lead",
                                            "/setup/workstreams",
                                            !o.workstreams.is_empty()
                                                && o.workstreams.iter().all(|w| w.view.lead_name.is_some()),
                                        ),
                                        (
                                            "Add the stakeholder register: organisations and their people, or import your spreadsheet",
                                            "/contacts/import",
                                            register.as_ref().is_some_and(|r| r.contacts > 0),
                                        ),
                                        ("Set up the communication plan", "/plan", plan),
                                    ];
                                    (!steps.iter().all(|s| s.2))
                                        .then(|| view! { <GettingStarted steps=steps.to_vec() /> })
                                })}
                            {(o.follow_ups_due > 0)
                                .then(|| {
                                    view! {
                                        <div class="notice notice--warning" role="status">
                                            <p>
                                                <a href="/follow-ups">
                                                    {format!(
                                                        "You have {} follow-up{} due",
                                                        o.follow_ups_due,
                                                        if o.follow_ups_due == 1 { "" } else { "s" },
                                                    )}
                                                </a>
                                            </p>
                                        </div>
                                    }
                                })}
                            {(o.plan_missed > 0)
                                .then(|| {
                                    view! {
                                        <div class="notice notice--warning" role="status">
                                            <p>
                                                <a href="/plan#what-happened">
                                                    {format!(
                                                        "{} planned communication{} missed: nothing was sent or logged for {} a week after {} date",
                                                        o.plan_missed,
                                                        if o.plan_missed == 1 { "" } else { "s" },
                                                        if o.plan_missed == 1 { "it" } else { "them" },
                                                        if o.plan_missed == 1 { "its" } else { "their" },
                                                    )}
                                                </a>
                                            </p>
                                        </div>
                                    }
                                })}
                            {o
                                .inbox_waiting
                                .filter(|n| *n > 0)
                                .map(|n| {
                                    view! {
                                        <div class="notice notice--warning" role="status">
                                            <p>
                                                <a href="/inbox">
                                                    {format!(
                                                        "{n} {} from stakeholders waiting for an answer",
                                                        if n == 1 {
                                                            "reply or question"
                                                        } else {
                                                            "replies and questions"
                                                        },
                                                    )}
                                                </a>
                                            </p>
                                        </div>
                                    }
                                })}
                            {o
                                .workstreams
                                .is_empty()
                                .then(|| {
                                    view! {
                                        <p>
                                            "There are no workstreams yet. Each workstream is one theme of the programme's delivery, with a lead who reports its status here."
                                        </p>
                                    }
                                })}
                            <div class="card-grid">
                                {o
                                    .workstreams
                                    .into_iter()
                                    .map(|p| view! { <WorkstreamCard panel=p now=o.now stale_days=o.stale_days /> })
                                    .collect_view()}
                            </div>
                            {register
                                .map(|r| {
                                    view! {
                                        <h2>"Stakeholder register"</h2>
                                        <p>
                                            <a href="/organisations">{format!("{} organisations", r.organisations)}</a>
                                            ", "
                                            <a href="/contacts">{format!("{} contacts", r.contacts)}</a>
                                        </p>
                                    }
                                })}
                            {engagement.map(|panel| view! { <crate::pages::engagement::EngagementPanelView panel /> })}
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// The first manager's checklist on an empty programme: each step links to its page and is
/// ticked once done; it disappears when all are.
#[component]
fn GettingStarted(steps: Vec<(&'static str, &'static str, bool)>) -> impl IntoView {
    view! {
        <section class="card getting-started" aria-labelledby="getting-started">
            <h2 class="card__heading" id="getting-started">
                "Getting started"
            </h2>
            <p>
                "Set up your programme in four steps. Leads need an account first: create it on the server with "
                <code>"liaison user add"</code>" and choose them on the workstream's form."
            </p>
            <ol class="checklist">
                {steps
                    .into_iter()
                    .map(|(label, href, done)| {
                        view! {
                            <li class=if done { "checklist__item checklist__item--done" } else { "checklist__item" }>
                                <a href=href>{label}</a>
                                {if done { " (done)" } else { " (to do)" }}
                            </li>
                        }
                    })
                    .collect_view()}
            </ol>
        </section>
    }
}

#[component]
fn WorkstreamCard(panel: WorkstreamPanel, now: DateTime<Utc>, stale_days: u32) -> impl IntoView {
    let w = panel.view;
    let cur = current(&w.updates).cloned();
    let stale = is_stale(cur.as_ref().map(|u| u.at), now, stale_days);
    let open = upcoming(&w.milestones).into_iter().cloned().collect::<Vec<_>>();
    let overdue: Vec<Milestone> = open.iter().filter(|m| m.is_overdue(now)).cloned().collect();
    let next = open.iter().find(|m| !m.is_overdue(now)).cloned();
    let heading_id = format!("ws-{}", w.id);
    let labelled_by = heading_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 class="card__heading" id=heading_id>
                <a href=format!("/workstreams/{}", w.id)>{w.name.clone()}</a>
            </h2>
            <p>
                <RagTag rag=cur.as_ref().map(|u| u.rag) />
                " "
                {cur.as_ref().map(|u| u.rag.meaning()).unwrap_or("")}
            </p>
            <p class="body-small">
                {match &cur {
                    Some(u) => format!("Updated {} ({}) by {}", ago(u.at, now), format_london(u.at), u.author),
                    None => "Never updated".into(),
                }}
                {stale
                    .then(|| {
                        view! {
                            " "
                            <strong class="tag tag--stale">{format!("Stale: over {stale_days} days")}</strong>
                        }
                    })}
            </p>
            {w
                .nudged
                .clone()
                .filter(|_| stale)
                .map(|n| {
                    view! {
                        <p class="body-small" data-testid="nudged">
                            {format!("Reminded by email on {}: {}", format_london(n.at), n.to)}
                        </p>
                    }
                })}
            {cur.as_ref().map(|u| view! { <p>{u.summary.clone()}</p> })}
            {next
                .map(|m| {
                    view! {
                        <p class="body-small">
                            "Next milestone: " {m.title} ", due " {m.due.format("%-d %b %Y").to_string()}
                        </p>
                    }
                })}
            {(!overdue.is_empty())
                .then(|| {
                    view! {
                        <p class="body-small">
                            <strong class="tag tag--red">{format!("{} overdue", overdue.len())}</strong>
                            " "
                            {overdue
                                .iter()
                                .map(|m| format!("{} (due {})", m.title, m.due.format("%-d %b %Y")))
                                .collect::<Vec<_>>()
                                .join("; ")}
                        </p>
                    }
                })}
            <RagTimeline updates=w.updates.clone() now label=format!("RAG history of {}", w.name) />
        </section>
    }
}

#[component]
pub fn WorkstreamPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let post = ServerAction::<PostStatusUpdate>::new();
    let tick = ServerAction::<SetMilestoneDone>::new();
    let add = ServerAction::<AddMilestone>::new();
    // Reloaded after each change posted from this page (they redirect back here). A refused
    // status update does not reload it: that would redraw the form under someone correcting it
    // and drop what they type meanwhile.
    let posted_ok = Memo::new(move |before: Option<&u32>| {
        let n = before.copied().unwrap_or(0);
        match post.value().get() {
            Some(Ok(())) => n + 1,
            _ => n,
        }
    });
    let data = Resource::new(
        move || (id(), posted_ok.get(), tick.version().get(), add.version().get()),
        |(id, ..)| get_workstream(id),
    );
    let posted = move || query.with(|q| q.get("posted").is_some());
    let errors = Signal::derive(move || {
        tick.value()
            .get()
            .and_then(|r| r.err())
            .filter(|e| e.form_errors().is_none())
    });
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(WorkstreamPage { panel, now, stale_days }) => {
                        let w = panel.view;
                        let id = w.id.to_string();
                        let cur = current(&w.updates).cloned();
                        let stale = is_stale(cur.as_ref().map(|u| u.at), now, stale_days);
                        let status_form = FormView::from_result(
                            post.value().into(),
                            BTreeMap::from([
                                ("rag".to_string(), cur.as_ref().map(|u| u.rag.key().to_string()).unwrap_or_default()),
                            ]),
                        );
                        let milestone_form = FormView::from_result(add.value().into(), BTreeMap::new());
                        let rag_options: Vec<(String, String)> = Rag::ALL
                            .iter()
                            .map(|r| (r.key().to_string(), format!("{} ({})", r.label(), r.meaning())))
                            .collect();
                        view! {
                            <Title text=crate::components::layout::title_text(format!("{} – Liaison", w.name)) />
                            <p>
                                <a href="/">"Back to the programme overview"</a>
                            </p>
                            <h1>{w.name.clone()}</h1>
                            <p class="lede">{w.aim.clone()}</p>
                            <p>"Lead: " {w.lead_name.clone().unwrap_or_else(|| "not assigned".into())}</p>
                            {move || {
                                posted()
                                    .then(|| {
                                        view! { <Notice tone=Tone::Success>"Your status update was posted."</Notice> }
                                    })
                            }}
                            <h2>"Current status"</h2>
                            <p>
                                <RagTag rag=cur.as_ref().map(|u| u.rag) />
                                {cur.as_ref().map(|u| format!(" Updated {} by {}", format_london(u.at), u.author))}
                                {stale
                                    .then(|| {
                                        view! {
                                            " "
                                            <strong class="tag tag--stale">"Stale"</strong>
                                        }
                                    })}
                            </p>
                            <RagTimeline updates=w.updates.clone() now label=format!("RAG history of {}", w.name) />
                            <ActionErrorNotice error=errors />

                            <h2>"Milestones"</h2>
                            <MilestoneTable
                                milestones=w.milestones.clone()
                                now
                                can_update=panel.can_update
                                workstream=id.clone()
                                tick
                            />
                            {panel
                                .can_update
                                .then(|| {
                                    let id = id.clone();
                                    view! {
                                        <details class="details">
                                            <summary>"Add a milestone"</summary>
                                            <ErrorSummary form=milestone_form />
                                            <ActionForm action=add attr:novalidate=true>
                                                <input type="hidden" name="workstream" value=id.clone() />
                                                <TextField
                                                    form=milestone_form
                                                    name="title"
                                                    label="Milestone"
                                                    width="30"
                                                />
                                                <TextField
                                                    form=milestone_form
                                                    name="due"
                                                    label="Due date"
                                                    input_type="date"
                                                    hint="For example 2027-09-30"
                                                    width="10"
                                                />
                                                <button class="button button--secondary" type="submit">
                                                    "Add milestone"
                                                </button>
                                            </ActionForm>
                                        </details>
                                    }
                                })}

                            {panel
                                .can_update
                                .then(|| {
                                    let id = id.clone();
                                    view! {
                                        <h2 id="post-update">"Post a status update"</h2>
                                        <p class="hint">
                                            "Updates are never edited: to correct one, post a new update."
                                        </p>
                                        <ErrorSummary form=status_form />
                                        <ActionForm action=post attr:novalidate=true>
                                            <input type="hidden" name="workstream" value=id.clone() />
                                            <SelectField
                                                form=status_form
                                                name="rag"
                                                label="RAG status"
                                                options=rag_options.clone()
                                                placeholder="Select a status"
                                            />
                                            <TextArea
                                                form=status_form
                                                name="summary"
                                                label="Summary of progress"
                                                rows=3
                                            />
                                            <TextArea form=status_form name="risks" label="Risks (optional)" rows=3 />
                                            <TextArea form=status_form name="issues" label="Issues (optional)" rows=3 />
                                            <TextArea
                                                form=status_form
                                                name="next_steps"
                                                label="Next steps (optional)"
                                                rows=3
                                            />
                                            <TextArea
                                                form=status_form
                                                name="commentary"
                                                label="Commentary (optional)"
                                                hint="Markdown: **bold**, *italic*, lists and links."
                                                rows=5
                                            />
                                            <button class="button" type="submit">
                                                "Post update"
                                            </button>
                                        </ActionForm>
                                    }
                                })}

                            <h2>"Status history"</h2>
                            {(w.update_count > w.updates.len() as u64)
                                .then(|| {
                                    view! {
                                        <p class="hint">
                                            {format!("The newest {} of {} updates.", w.updates.len(), w.update_count)}
                                        </p>
                                    }
                                })}
                            <History updates=w.updates.clone() />
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
fn MilestoneTable(
    milestones: Vec<Milestone>,
    now: DateTime<Utc>,
    can_update: bool,
    workstream: String,
    tick: ServerAction<SetMilestoneDone>,
) -> impl IntoView {
    if milestones.is_empty() {
        return view! { <p>"No milestones yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap" role="region" aria-label="Milestones" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">"Milestones"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Milestone"</th>
                        <th scope="col">"Due"</th>
                        <th scope="col">"Status"</th>
                        {can_update.then(|| view! { <th scope="col">"Action"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {milestones
                        .into_iter()
                        .map(|m| {
                            let status = match m.done {
                                Some(d) => {
                                    view! {
                                        <strong class="tag tag--green">
                                            {format!("Done {}", d.format("%-d %b %Y"))}
                                        </strong>
                                    }
                                        .into_any()
                                }
                                None if m.is_overdue(now) => {
                                    view! { <strong class="tag tag--red">"Overdue"</strong> }.into_any()
                                }
                                None => view! { <strong class="tag tag--grey">"Open"</strong> }.into_any(),
                            };
                            let done = m.done.is_some();
                            let title = m.title.clone();
                            let ws = workstream.clone();
                            let edit_href = format!("/workstreams/{}/milestones/{}", workstream, m.id);
                            let edit_label = format!(": {}", m.title);
                            view! {
                                <tr>
                                    <td>{m.title.clone()}</td>
                                    <td>{m.due.format("%-d %b %Y").to_string()}</td>
                                    <td>{status}</td>
                                    {can_update
                                        .then(|| {
                                            view! {
                                                <td>
                                                    <ActionForm action=tick>
                                                        <input type="hidden" name="workstream" value=ws />
                                                        <input type="hidden" name="milestone" value=m.id.clone() />
                                                        <input
                                                            type="hidden"
                                                            name="done"
                                                            value=if done { "false" } else { "true" }
                                                        />
                                                        <button class="button button--secondary" type="submit">
                                                            {if done { "Mark not done" } else { "Mark done" }}
                                                            <span class="visually-hidden">{format!(": {title}")}</span>
                                                        </button>
                                                    </ActionForm>
                                                    <a class="button button--secondary" href=edit_href>
                                                        "Edit"
                                                        <span class="visually-hidden">{edit_label}</span>
                                                    </a>
                                                </td>
                                            }
                                        })}
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

#[component]
fn History(updates: Vec<StatusUpdate>) -> impl IntoView {
    if updates.is_empty() {
        return view! { <p>"No status updates yet."</p> }.into_any();
    }
    view! {
        <ol class="history">
            {updates
                .into_iter()
                .map(|u| {
                    let section = |label: &'static str, text: String| {
                        (!text.is_empty())
                            .then(|| {
                                view! {
                                    <div class="summary-list__row">
                                        <dt class="summary-list__key">{label}</dt>
                                        <dd class="summary-list__value">{text}</dd>
                                    </div>
                                }
                            })
                    };
                    view! {
                        <li class="card">
                            <h3 class="card__heading">
                                <RagTag rag=Some(u.rag) />
                                " "
                                {format_london(u.at)}
                                " – "
                                {u.author.clone()}
                            </h3>
                            <dl class="summary-list">
                                {section("Summary", u.summary.clone())} {section("Risks", u.risks.clone())}
                                {section("Issues", u.issues.clone())} {section("Next steps", u.next_steps.clone())}
                            </dl>
                            {(!u.commentary_html.is_empty())
                                .then(|| view! { <div class="commentary" inner_html=u.commentary_html.clone()></div> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

#[component]
pub fn EditMilestonePage() -> impl IntoView {
    let params = use_params_map();
    let key = move || params.with(|p| (p.get("id").unwrap_or_default(), p.get("milestone").unwrap_or_default()));
    let data = Resource::new(key, |(w, m)| milestone_edit_form(w, m));
    let update = ServerAction::<UpdateMilestone>::new();
    let delete = ServerAction::<DeleteMilestone>::new();
    let error = Signal::derive(move || {
        update
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| delete.value().get().and_then(|r| r.err()))
    });
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let e = match data.await {
                    Ok(e) => e,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let m = e.milestone.clone();
                let saved = BTreeMap::from([
                    ("title".to_string(), m.title.clone()),
                    ("due".to_string(), m.due.format("%Y-%m-%d").to_string()),
                    ("status".to_string(), if m.done.is_some() { "done" } else { "open" }.to_string()),
                ]);
                let form = FormView::from_result(update.value().into(), saved);
                let (ws_update, ws_delete, back) = (
                    e.workstream.clone(),
                    e.workstream.clone(),
                    format!("/workstreams/{}", e.workstream),
                );
                let (m_update, m_delete) = (m.id.clone(), m.id.clone());
                let statuses = vec![("open".to_string(), "Open".to_string()), ("done".to_string(), "Done".to_string())];
                view! {
                    <Title text=crate::components::layout::title_text(format!("Edit {} – Liaison", m.title)) />
                    <p>
                        <a href=back>{format!("Back to {}", e.workstream_name)}</a>
                    </p>
                    <h1>{format!("Edit {}", m.title)}</h1>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=update attr:novalidate=true>
                        <input type="hidden" name="workstream" value=ws_update />
                        <input type="hidden" name="milestone" value=m_update />
                        <input type="hidden" name="version" value=m.version.to_string() />
                        <TextField form name="title" label="Milestone" width="30" />
                        <TextField
                            form
                            name="due"
                            label="Due date"
                            input_type="date"
                            hint="For example 2027-09-30"
                            width="10"
                        />
                        <SelectField form name="status" label="Status" options=statuses />
                        <button class="button" type="submit">
                            "Save changes"
                        </button>
                    </ActionForm>
                    <h2>"Delete this milestone"</h2>
                    <ActionForm action=delete>
                        <input type="hidden" name="workstream" value=ws_delete />
                        <input type="hidden" name="milestone" value=m_delete />
                        <button class="button button--warning" type="submit">
                            "Delete milestone"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}
