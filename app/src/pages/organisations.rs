//! Organisation pages: list (search, filter, sort, pages), detail, create, edit, delete.
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

pub(crate) fn kind_options() -> Vec<(String, String)> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.key().to_string(), k.label().to_string()))
        .collect()
}

#[component]
pub fn OrganisationsPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                ListQuery::new(
                    &q.get("q").unwrap_or_default(),
                    &q.get("kind").unwrap_or_default(),
                    &q.get("page").unwrap_or_default(),
                ),
                OrgSort::parse(&q.get("sort").unwrap_or_default()),
            )
        })
    };
    let orgs = Resource::new(params, |(q, sort)| list_organisations(q, sort));
    let deleted = move || query.with(|q| q.get("deleted").is_some());

    view! {
        <Title text="Organisations – Liaison" />
        <h1>"Organisations"</h1>
        {move || deleted().then(|| view! { <Notice tone=Tone::Success>"The organisation was deleted."</Notice> })}
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                Session::can(Action::EditRegister)
                    .await
                    .then(|| {
                        view! {
                            <p>
                                <A href="/organisations/new" attr:class="button">
                                    "Add an organisation"
                                </A>
                            </p>
                        }
                    })
            })}
        </Transition>
        <form method="get" action="/organisations" class="inline-form" role="search" aria-label="Organisations">
            <div class="form-group">
                <label class="label" for="search-q">
                    "Name, ODS code or UKPRN"
                </label>
                <input
                    class="input input--width-20"
                    id="search-q"
                    name="q"
                    type="search"
                    value=move || params().0.search
                />
            </div>
            <div class="form-group">
                <label class="label" for="search-kind">
                    "Kind"
                </label>
                <select class="select" id="search-kind" name="kind">
                    <option value="">"All kinds"</option>
                    {move || {
                        let current = params().0.kind;
                        OrgKind::ALL
                            .iter()
                            .map(|k| {
                                view! {
                                    <option value=k.key() selected=current == Some(*k)>
                                        {k.label()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="form-group">
                <button class="button button--secondary" type="submit">
                    "Search"
                </button>
            </div>
        </form>
        <Transition fallback=|| {
            view! { <p>"Loading organisations…"</p> }
        }>
            {move || Suspend::new(async move {
                let (q, sort) = params();
                match orgs.await {
                    Ok(page) => view! { <OrgTable page q sort /> }.into_any(),
                    Err(e) => view! { <Notice tone=Tone::Error>{e.to_string()}</Notice> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn OrgTable(page: Page<Organisation>, q: ListQuery, sort: OrgSort) -> impl IntoView {
    let kind_key = q.kind.map(|k| k.key()).unwrap_or("");
    let base = query_string(&[("q", &q.search), ("kind", kind_key), ("sort", sort.key())]);
    let sort_link = |asc: OrgSort, desc: OrgSort| {
        let next = if sort == asc { desc } else { asc };
        format!(
            "/organisations?{}",
            query_string(&[("q", &q.search), ("kind", kind_key), ("sort", next.key())])
        )
    };
    let aria = |asc: OrgSort, desc: OrgSort| {
        if sort == asc {
            Some("ascending")
        } else if sort == desc {
            Some("descending")
        } else {
            None
        }
    };
    let count = page.total;
    let page_count = page.page_count();
    let current = page.page;
    view! {
        <p class="caption" role="status">
            {format!("{count} organisation{}", if count == 1 { "" } else { "s" })}
        </p>
        {if page.items.is_empty() {
            let filtered = !q.search.is_empty() || q.kind.is_some();
            if filtered {
                view! { <p>"No organisations match. Try another name or kind."</p> }.into_any()
            } else {
                view! {
                    <p>
                        "No organisations yet. The register holds the universities, trusts, primary care providers and other bodies the programme works with: each is added once, then its people."
                    </p>
                }
                    .into_any()
            }
        } else {
            view! {
                <div class="table-wrap" role="region" aria-label="Organisations in the register" tabindex="0">
                    <table class="table">
                        <caption class="visually-hidden">"Organisations in the register"</caption>
                        <thead>
                            <tr>
                                <th scope="col" aria-sort=aria(OrgSort::NameAsc, OrgSort::NameDesc)>
                                    <a class="sort-link" href=sort_link(OrgSort::NameAsc, OrgSort::NameDesc)>
                                        "Name"
                                    </a>
                                </th>
                                <th scope="col" aria-sort=aria(OrgSort::KindAsc, OrgSort::KindDesc)>
                                    <a class="sort-link" href=sort_link(OrgSort::KindAsc, OrgSort::KindDesc)>
                                        "Kind"
                                    </a>
                                </th>
                                <th scope="col">"Area"</th>
                                <th scope="col" class="table__numeric">
                                    "Contacts"
                                </th>
                            </tr>
                        </thead>
                        <tbody>
                            {page
                                .items
                                .into_iter()
                                .map(|o| {
                                    view! {
                                        <tr>
                                            <td>
                                                <a href=format!("/organisations/{}", o.id)>{o.name.to_string()}</a>
                                            </td>
                                            <td>{o.kind.label()}</td>
                                            <td>{o.area.map(|a| a.to_string()).unwrap_or_default()}</td>
                                            <td class="table__numeric">{o.contact_count}</td>
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
        <Pagination page=current page_count base_query=base path="/organisations" />
    }
}

#[component]
pub fn OrganisationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, get_organisation);
    let delete = ServerAction::<DeleteOrganisation>::new();
    let delete_error = Signal::derive(move || delete.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditRegister).await;
                match data.await {
                    Ok(OrganisationPage { organisation: org, contacts }) => {
                        let id = org.id.to_string();
                        let log_for = id.clone();
                        view! {
                            <Title text=crate::components::layout::title_text(format!("{} – Liaison", org.name)) />
                            <p>
                                <a href="/organisations">"Back to organisations"</a>
                            </p>
                            <h1>{org.name.to_string()}</h1>
                            <ActionErrorNotice error=delete_error />
                            <dl class="summary-list">
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">"Kind"</dt>
                                    <dd class="summary-list__value">{org.kind.label()}</dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">"Area"</dt>
                                    <dd class="summary-list__value">
                                        {org.area.map(|a| a.to_string()).unwrap_or_else(|| "Not recorded".into())}
                                    </dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">"ODS code"</dt>
                                    <dd class="summary-list__value">
                                        {org
                                            .ods_code
                                            .map(|c| c.as_str().to_string())
                                            .unwrap_or_else(|| "Not recorded".into())}
                                    </dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">"UKPRN"</dt>
                                    <dd class="summary-list__value">
                                        {org
                                            .ukprn
                                            .map(|c| c.as_str().to_string())
                                            .unwrap_or_else(|| "Not recorded".into())}
                                    </dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">"Notes"</dt>
                                    <dd class="summary-list__value">
                                        {org.notes.map(|n| n.to_string()).unwrap_or_else(|| "None".into())}
                                    </dd>
                                </div>
                            </dl>
                            {can_edit
                                .then(|| {
                                    view! {
                                        <div class="button-group">
                                            <a
                                                class="button button--secondary"
                                                href=format!("/organisations/{id}/edit")
                                            >
                                                "Edit organisation"
                                            </a>
                                            <a
                                                class="button button--secondary"
                                                href=format!("/contacts/new?organisation={id}")
                                            >
                                                "Add a contact here"
                                            </a>
                                            <ActionForm action=delete>
                                                <input type="hidden" name="id" value=id.clone() />
                                                <button class="button button--warning" type="submit">
                                                    "Delete organisation"
                                                </button>
                                            </ActionForm>
                                        </div>
                                    }
                                })}
                            <h2>{format!("Contacts ({})", contacts.len())}</h2>
                            <ContactMiniTable contacts />
                            <crate::pages::interactions::InteractionPanel organisation=log_for />
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
fn ContactMiniTable(contacts: Vec<Contact>) -> impl IntoView {
    if contacts.is_empty() {
        return view! { <p>"No contacts at this organisation yet: add the people the programme deals with here."</p> }
            .into_any();
    }
    view! {
        <div class="table-wrap" role="region" aria-label="Contacts at this organisation" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">"Contacts at this organisation"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Job title"</th>
                        <th scope="col">"Engagement"</th>
                    </tr>
                </thead>
                <tbody>
                    {contacts
                        .into_iter()
                        .map(|c| {
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/contacts/{}", c.id)>{c.name.to_string()}</a>
                                    </td>
                                    <td>{c.job_title.map(|t| t.to_string()).unwrap_or_default()}</td>
                                    <td>
                                        {format!(
                                            "{} → {}",
                                            c.engagement_current.label(),
                                            c.engagement_target.label(),
                                        )}
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
}

fn org_fields(form: FormView, kinds: Vec<(String, String)>) -> impl IntoView {
    view! {
        <TextField form name="name" label="Organisation name" autocomplete="organization" width="30" />
        <SelectField form name="kind" label="Kind of organisation" options=kinds placeholder="Select a kind" />
        <TextField
            form
            name="area"
            label="Area (optional)"
            hint="The integrated care system, for example Black Country"
            width="30"
        />
        <TextField
            form
            name="ods_code"
            label="ODS code (optional)"
            hint="The NHS organisation code, for example RRK"
            width="10"
        />
        <TextField
            form
            name="ukprn"
            label="UKPRN (optional)"
            hint="For universities: the 8-digit UK provider reference number"
            width="10"
        />
        <TextArea form name="notes" label="Notes (optional)" />
    }
}

#[component]
pub fn NewOrganisationPage() -> impl IntoView {
    let action = ServerAction::<CreateOrganisation>::new();
    let form = FormView::from_result(action.value().into(), OrganisationForm::default().values());
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Title text="Add an organisation – Liaison" />
        <p>
            <a href="/organisations">"Back to organisations"</a>
        </p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditRegister).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                view! {
                    <h1>"Add an organisation"</h1>
                    <ErrorSummary form />
                    <ActionErrorNotice error />
                    <ActionForm action=action attr:novalidate=true>
                        {org_fields(form, kind_options())}
                        <button class="button" type="submit">
                            "Save organisation"
                        </button>
                    </ActionForm>
                }
                    .into_any()
            })}
        </Transition>
    }
}

#[component]
pub fn EditOrganisationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let data = Resource::new(id, get_organisation);
    let action = ServerAction::<UpdateOrganisation>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    view! {
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::EditRegister).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                match data.await {
                    Ok(OrganisationPage { organisation: org, .. }) => {
                        let form = FormView::from_result(
                            action.value().into(),
                            OrganisationForm::from_organisation(&org).values(),
                        );
                        let id = org.id.to_string();
                        view! {
                            <Title text=crate::components::layout::title_text(
                                format!("Edit {} – Liaison", org.name),
                            ) />
                            <p>
                                <a href=format!("/organisations/{id}")>"Back to the organisation"</a>
                            </p>
                            <h1>"Edit organisation"</h1>
                            <ErrorSummary form />
                            <ActionErrorNotice error />
                            <ActionForm action=action attr:novalidate=true>
                                <input type="hidden" name="id" value=id.clone() />
                                {org_fields(form, kind_options())}
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
