//! Contact pages: the list (search, filters and sort in the URL, so a view can be bookmarked
//! and shared and works without JavaScript), detail, create, edit, delete.
use crate::api::register::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::components::layout::Pagination;
use crate::components::layout::Session;
use crate::components::notice::{Notice, Tone};
use crate::components::url::query_string;
use crate::domain::policy::Action;
use crate::domain::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

fn score_options() -> Vec<(String, String)> {
    (Score::MIN..=Score::MAX)
        .map(|v| (v.to_string(), v.to_string()))
        .collect()
}

fn engagement_options() -> Vec<(String, String)> {
    Engagement::ALL
        .iter()
        .map(|e| (e.key().to_string(), e.label().to_string()))
        .collect()
}

/// The query string of a contact view (without its page).
pub(crate) fn view_query(q: &ContactQuery) -> String {
    let params = q.to_params();
    query_string(&params.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
}

/// One `<select>` of the filter form: "" means any.
fn filter_select(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    any: &'static str,
    options: Vec<(String, String)>,
    current: String,
) -> impl IntoView {
    view! {
        <div class="form-group">
            <label class="label" for=id>
                {label}
            </label>
            <select class="select" id=id name=name>
                <option value="">{any}</option>
                {options
                    .into_iter()
                    .map(|(v, l)| {
                        let selected = v == current;
                        view! {
                            <option value=v selected=selected>
                                {l}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </div>
    }
}

#[component]
pub fn ContactsPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || query.with(|q| ContactQuery::from_params(|k| q.get(k)));
    let contacts = Resource::new(params, list_contacts);
    let deleted = move || query.with(|q| q.get("deleted").is_some());
    view! {
        <Title text="Contacts – Liaison" />
        <h1>"Contacts"</h1>
        {move || deleted().then(|| view! { <Notice tone=Tone::Success>"The contact was deleted."</Notice> })}
        {move || {
            query
                .with(|q| q.get("erased").is_some())
                .then(|| {
                    view! {
                        <Notice tone=Tone::Success>
                            "The person was erased: their personal data is gone, and briefing reports keep their counts."
                        </Notice>
                    }
                })
        }}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let export = format!("/contacts/export.csv?{}", view_query(&params()));
                Session::can(Action::ImportRegister)
                    .await
                    .then(|| {
                        view! {
                            <div class="actions">
                                <A href="/contacts/new" attr:class="button">
                                    "Add a contact"
                                </A>
                                <a href="/contacts/import" class="button button--secondary">
                                    "Import from a spreadsheet"
                                </a>
                                <a href=export class="button button--secondary" download="">
                                    "Export this view (CSV)"
                                </a>
                                <a href="/contacts/retention" class="button button--secondary">
                                    "Retention review"
                                </a>
                            </div>
                        }
                    })
            })}
        </Transition>
        {move || {
            let q = params();
            let kinds = OrgKind::ALL.iter().map(|k| (k.key().to_string(), k.label().to_string())).collect();
            let areas = register::WEST_MIDLANDS_ICS_AREAS.iter().map(|a| (a.to_string(), a.to_string())).collect();
            let levels = Engagement::ALL.iter().map(|e| (e.key().to_string(), e.label().to_string())).collect();
            let quadrants = Quadrant::ALL.iter().map(|x| (x.key().to_string(), x.label().to_string())).collect();
            let subscribed = vec![
                ("yes".to_string(), "Subscribed".to_string()),
                ("no".to_string(), "Unsubscribed".to_string()),
            ];
            let sorts = ContactSort::ALL
                .iter()
                .map(|x| (x.key().to_string(), x.label().to_string()))
                .collect::<Vec<_>>();
            view! {
                <p>
                    <a href=format!(
                        "/engagement?{}",
                        view_query(&q),
                    )>"See this view as engagement gaps (C now, D desired)"</a>
                    " · "
                    <a href=format!("/map?{}", view_query(&q))>"See it on the influence and interest map"</a>
                </p>
                <form method="get" action="/contacts" class="inline-form" role="search" aria-label="Contacts">
                    <div class="form-group">
                        <label class="label" for="search-q">
                            "Name, email or organisation"
                        </label>
                        <input
                            class="input input--width-20"
                            id="search-q"
                            name="q"
                            type="search"
                            value=q.search.clone()
                        />
                    </div>
                    {filter_select(
                        "search-kind",
                        "kind",
                        "Organisation kind",
                        "All kinds",
                        kinds,
                        q.kind.map(|k| k.key().to_string()).unwrap_or_default(),
                    )}
                    {filter_select("search-area", "area", "Area", "All areas", areas, q.area.clone())}
                    {filter_select(
                        "search-engagement",
                        "engagement",
                        "Engagement now",
                        "Any engagement",
                        levels,
                        q.engagement.map(|e| e.key().to_string()).unwrap_or_default(),
                    )}
                    {filter_select(
                        "search-quadrant",
                        "quadrant",
                        "Quadrant (influence × interest)",
                        "All quadrants",
                        quadrants,
                        q.quadrant.map(|x| x.key().to_string()).unwrap_or_default(),
                    )}
                    <div class="form-group">
                        <label class="label" for="search-tag">
                            "Tag"
                        </label>
                        <input
                            class="input input--width-10"
                            id="search-tag"
                            name="tag"
                            type="text"
                            value=q.tag.clone()
                        />
                    </div>
                    {filter_select(
                        "search-subscribed",
                        "subscribed",
                        "Briefings",
                        "Subscribed or not",
                        subscribed,
                        match q.subscribed {
                            Some(true) => "yes".into(),
                            Some(false) => "no".into(),
                            None => String::new(),
                        },
                    )}
                    <div class="form-group">
                        <label class="label" for="search-sort">
                            "Sort by"
                        </label>
                        <select class="select" id="search-sort" name="sort">
                            {sorts
                                .into_iter()
                                .map(|(v, l)| {
                                    let selected = v == q.sort.key();
                                    view! {
                                        <option value=v selected=selected>
                                            {l}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </div>
                    <div class="form-group checkbox">
                        <input type="checkbox" id="search-below" name="below" value="1" checked=q.below_target />
                        <label for="search-below">"Below target engagement only"</label>
                    </div>
                    <div class="form-group checkbox">
                        <input type="checkbox" id="search-held" name="held" value="1" checked=q.held_only />
                        <label for="search-held">"Undeliverable addresses only"</label>
                    </div>
                    {q.organisation.clone().map(|o| view! { <input type="hidden" name="org" value=o.to_string() /> })}
                    <div class="form-group">
                        <button class="button button--secondary" type="submit">
                            "Search"
                        </button>
                        {q
                            .is_filtered()
                            .then(|| {
                                view! {
                                    " "
                                    <a href="/contacts">"Clear filters"</a>
                                }
                            })}
                    </div>
                </form>
            }
        }}
        <Transition fallback=|| {
            view! { <p>"Loading contacts…"</p> }
        }>
            {move || Suspend::new(async move {
                let q = params();
                match contacts.await {
                    Ok(page) => view! { <ContactTable page q /> }.into_any(),
                    Err(e) => view! { <Notice tone=Tone::Error>{e.to_string()}</Notice> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ContactTable(page: Page<Contact>, q: ContactQuery) -> impl IntoView {
    let base = view_query(&q);
    let count = page.total;
    let page_count = page.page_count();
    let current = page.page;
    view! {
        <p class="caption" role="status">
            {format!("{count} contact{}", if count == 1 { "" } else { "s" })}
        </p>
        {if page.items.is_empty() {
            if q.is_filtered() {
                view! { <p>"No contacts match. Try another search, or clear the filters."</p> }.into_any()
            } else {
                view! {
                    <p>
                        "No contacts yet. Contacts are the people the programme informs and engages: add each one to their organisation, from the organisation's page or with “Add a contact”, or import a spreadsheet."
                    </p>
                }
                    .into_any()
            }
        } else {
            view! {
                <div class="table-wrap" role="region" aria-label="Contacts in the register" tabindex="0">
                    <table class="table">
                        <caption class="visually-hidden">"Contacts in the register"</caption>
                        <thead>
                            <tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Organisation"</th>
                                <th scope="col">"Email"</th>
                                <th scope="col" class="table__numeric">
                                    "Influence"
                                </th>
                                <th scope="col" class="table__numeric">
                                    "Interest"
                                </th>
                                <th scope="col">"Engagement (now → target)"</th>
                            </tr>
                        </thead>
                        <tbody>
                            {page
                                .items
                                .into_iter()
                                .map(|c| {
                                    let gap = c.engagement_gap();
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/contacts/{}", c.id)>{c.name.to_string()}</a>
                                                {(!c.subscribed)
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class="tag tag--grey">"Unsubscribed"</span>
                                                        }
                                                    })}
                                                {c
                                                    .held
                                                    .is_some()
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class="tag tag--red">"Address held"</span>
                                                        }
                                                    })}
                                            </td>
                                            <td>
                                                <a href=format!(
                                                    "/organisations/{}",
                                                    c.organisation,
                                                )>{c.organisation_name.to_string()}</a>
                                            </td>
                                            <td>{c.email.to_string()}</td>
                                            <td class="table__numeric">{c.influence.get()}</td>
                                            <td class="table__numeric">{c.interest.get()}</td>
                                            <td>
                                                {format!(
                                                    "{} → {}",
                                                    c.engagement_current.label(),
                                                    c.engagement_target.label(),
                                                )}
                                                {(gap > 0)
                                                    .then(|| {
                                                        view! {
                                                            " "
                                                            <span class="tag tag--amber">{format!("{gap} below")}</span>
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
            }
                .into_any()
        }}
        <Pagination page=current page_count base_query=base path="/contacts" />
    }
}

#[component]
pub fn ContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, get_contact);
    let history = Resource::new(id, contact_history);
    let standing = Resource::new(id, crate::api::analysis::engagement_history);
    let delete = ServerAction::<DeleteContact>::new();
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditRegister).await;
                let history = history.await.unwrap_or_default();
                let standing = standing.await.unwrap_or_default();
                match data.await {
                    Ok(c) => {
                        let id = c.id.to_string();
                        let log_for = id.clone();
                        let row = |k: &'static str, v: String| {
                            view! {
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">{k}</dt>
                                    <dd class="summary-list__value">{v}</dd>
                                </div>
                            }
                        };
                        view! {
                            <Title text=crate::components::layout::title_text(format!("{} – Liaison", c.name)) />
                            <p>
                                <a href="/contacts">"Back to contacts"</a>
                            </p>
                            <h1>{c.name.to_string()}</h1>
                            <ActionErrorNotice error=delete_error />
                            <dl class="summary-list">
                                {row("Organisation", c.organisation_name.to_string())}
                                {row(
                                    "Job title",
                                    c.job_title.as_ref().map(|t| t.to_string()).unwrap_or_else(|| "Not recorded".into()),
                                )} {row("Email", c.email.to_string())}
                                {row("Influence", format!("{} of 5", c.influence.get()))}
                                {row("Interest", format!("{} of 5", c.interest.get()))}
                                {row("Stakeholder map", c.quadrant().label().to_string())}
                                {row("Engagement now", c.engagement_current.label().to_string())}
                                {row("Engagement target", c.engagement_target.label().to_string())}
                                {row(
                                    "Briefings",
                                    match (&c.held, c.subscribed) {
                                        (Some(h), _) => {
                                            format!(
                                                "Address held since {}: {} Correct the email address to send to them again.",
                                                crate::domain::time::format_london(h.since),
                                                h.reason,
                                            )
                                        }
                                        (None, true) => "Subscribed".to_string(),
                                        (None, false) => "Unsubscribed".to_string(),
                                    },
                                )}
                                {row("Tags", if c.tags.is_empty() { "None".to_string() } else { c.tags.to_string() })}
                            </dl>
                            <div class="button-group">
                                <a class="button button--secondary" href=format!("/organisations/{}", c.organisation)>
                                    "View organisation"
                                </a>
                                {can_edit
                                    .then(|| {
                                        view! {
                                            <a class="button button--secondary" href=format!("/contacts/{id}/edit")>
                                                "Edit contact"
                                            </a>
                                            <ActionForm action=delete>
                                                <input type="hidden" name="id" value=id.clone() />
                                                <button class="button button--warning" type="submit">
                                                    "Delete contact"
                                                </button>
                                            </ActionForm>
                                        }
                                    })}
                            </div>
                            <crate::pages::consent::ConsentPanel contact=c.clone() can_edit />
                            <crate::pages::interactions::InteractionPanel contact=log_for />
                            <h2>"How their standing changed"</h2>
                            {if standing.is_empty() {
                                view! { <p>"No changes recorded yet."</p> }.into_any()
                            } else {
                                view! {
                                    <ol
                                        class="timeline"
                                        reversed=true
                                        aria-label="Changes of influence, interest and engagement, newest first"
                                    >
                                        {standing
                                            .into_iter()
                                            .map(|h| {
                                                view! {
                                                    <li class="timeline__item">
                                                        <p class="timeline__meta">{format!("{}, {}", h.at, h.by)}</p>
                                                        <p>{h.changes.join("; ")}</p>
                                                    </li>
                                                }
                                            })
                                            .collect_view()}
                                    </ol>
                                }
                                    .into_any()
                            }}
                            <h2>"Briefings and engagement history"</h2>
                            {if history.is_empty() {
                                view! { <p>"No briefings or interactions yet."</p> }.into_any()
                            } else {
                                view! {
                                    <div
                                        class="table-wrap"
                                        role="region"
                                        aria-label="Briefings and interactions, newest first"
                                        tabindex="0"
                                    >
                                        <table class="table">
                                            <caption class="visually-hidden">
                                                "Briefings and interactions, newest first"
                                            </caption>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"When"</th>
                                                    <th scope="col">"What"</th>
                                                    <th scope="col">"Outcome"</th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {history
                                                    .into_iter()
                                                    .map(|h| {
                                                        view! {
                                                            <tr>
                                                                <td>{h.at}</td>
                                                                <td>{h.what}</td>
                                                                <td>{h.detail}</td>
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
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn contact_fields(form: FormView, orgs: Vec<(String, String)>) -> impl IntoView {
    view! {
        <TextField form name="name" label="Full name" autocomplete="off" width="30" />
        <TextField form name="email" label="Email address" input_type="email" autocomplete="off" width="30" />
        <TextField form name="job_title" label="Job title (optional)" width="30" />
        <SelectField form name="organisation" label="Organisation" options=orgs placeholder="Select an organisation" />
        <fieldset class="fieldset">
            <legend class="fieldset__legend">"Stakeholder map"</legend>
            <SelectField
                form
                name="influence"
                label="Influence"
                hint="1 is low, 5 is high"
                options=score_options()
                placeholder="Select"
            />
            <SelectField
                form
                name="interest"
                label="Interest"
                hint="1 is low, 5 is high"
                options=score_options()
                placeholder="Select"
            />
            <SelectField
                form
                name="engagement_current"
                label="Engagement now"
                options=engagement_options()
                placeholder="Select"
            />
            <SelectField
                form
                name="engagement_target"
                label="Engagement target"
                options=engagement_options()
                placeholder="Select"
            />
        </fieldset>
        <Checkbox form name="subscribed" label="Receives email briefings" />
        <TextField
            form
            name="tags"
            label="Tags (optional)"
            hint="Separated by commas, for example: course lead, senior leader. Audiences can select contacts by tag."
            width="30"
        />
    }
}

#[component]
pub fn NewContactPage() -> impl IntoView {
    let query = use_query_map();
    let orgs = Resource::new(|| (), |_| organisation_options());
    let action = ServerAction::<CreateContact>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Add a contact – Liaison" />
        <p>
            <a href="/contacts">"Back to contacts"</a>
        </p>
        <h1>"Add a contact"</h1>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditRegister).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let orgs = orgs.await.unwrap_or_default();
                let mut initial = ContactForm {
                    subscribed: Some("on".into()),
                    ..Default::default()
                };
                initial.organisation = query.with_untracked(|q| q.get("organisation").unwrap_or_default());
                let form = FormView::from_result(action.value().into(), initial.values());
                view! {
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=action attr:novalidate=true>
                        {contact_fields(form, orgs)}
                        <button class="button" type="submit">
                            "Save contact"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn EditContactPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, get_contact);
    let orgs = Resource::new(|| (), |_| organisation_options());
    let action = ServerAction::<UpdateContact>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditRegister).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                let orgs = orgs.await.unwrap_or_default();
                match data.await {
                    Ok(c) => {
                        let form = FormView::from_result(action.value().into(), ContactForm::from_contact(&c).values());
                        let id = c.id.to_string();
                        view! {
                            <Title text=crate::components::layout::title_text(format!("Edit {} – Liaison", c.name)) />
                            <p>
                                <a href=format!("/contacts/{id}")>"Back to the contact"</a>
                            </p>
                            <h1>"Edit contact"</h1>
                            <ErrorSummary form />
                            <ActionErrorNotice error />
                            <ActionForm action=action attr:novalidate=true>
                                <input type="hidden" name="id" value=id.clone() />
                                {contact_fields(form, orgs)}
                                <button class="button" type="submit">
                                    "Save changes"
                                </button>
                            </ActionForm>
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
