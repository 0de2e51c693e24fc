//! The data-protection part of a contact's page: the lawful basis on record (and the form that
//! records it), the subscription history, and the subject-access export.
use crate::api::register::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::*;
use crate::domain::consent::{BasisForm, BasisSource, LawfulBasis};
use crate::domain::Contact;
use leptos::prelude::*;
use leptos_meta::Title;

fn options<T: Copy>(all: &[T], key: fn(T) -> &'static str, label: fn(T) -> &'static str) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (key(*v).to_string(), label(*v).to_string()))
        .collect()
}

#[component]
pub fn ConsentPanel(contact: Contact, can_edit: bool) -> impl IntoView {
    let id = contact.id.to_string();
    let record = ServerAction::<RecordLawfulBasis>::new();
    let today = crate::domain::workstream::today_in_london(chrono::Utc::now());
    let initial = match &contact.basis {
        Some(b) => BasisForm {
            basis: b.basis.key().into(),
            source: b.source.key().into(),
            recorded_on: b.recorded_on.to_string(),
        },
        None => BasisForm {
            recorded_on: today.to_string(),
            ..Default::default()
        },
    };
    let form = FormView::from_result(record.value().into(), initial.values());
    let erase = ServerAction::<EraseContact>::new();
    let erase_error = Signal::derive(move || erase.value().get().and_then(|r| r.err()));
    let history_id = id.clone();
    let history = Resource::new(
        move || (history_id.clone(), record.version().get()),
        |(id, _)| subscription_history(id),
    );
    // Read again after each recording (the form stays on this page with JavaScript).
    let basis_id = id.clone();
    let current = Resource::new(
        move || (basis_id.clone(), record.version().get()),
        |(id, _)| get_contact(id),
    );
    let shown = contact.basis.clone();
    let basis_text = move |b: Option<crate::domain::consent::Basis>| match b {
        Some(b) => format!(
            "{}: {}, recorded {} by {}",
            b.basis.label(),
            b.source.label().to_lowercase(),
            b.recorded_on.format("%-d %B %Y"),
            b.recorded_by
        ),
        None => "Not recorded".to_string(),
    };
    view! {
        <h2 id="data-protection">"Data protection"</h2>
        <dl class="summary-list">
            <div class="summary-list__row">
                <dt class="summary-list__key">"Lawful basis for briefings"</dt>
                <dd class="summary-list__value">
                    <Transition fallback=move || basis_text(
                        shown.clone(),
                    )>
                        {move || Suspend::new(async move { basis_text(current.await.ok().and_then(|c| c.basis)) })}
                    </Transition>
                </dd>
            </div>
        </dl>
        {can_edit
            .then(|| {
                let id = id.clone();
                view! {
                    <details class="details" open=move || form.errors().get().is_some()>
                        <summary>"Record the lawful basis"</summary>
                        <ErrorSummary form />
                        <ActionForm action=record attr:novalidate=true>
                            <input type="hidden" name="id" value=id />
                            <SelectField
                                form
                                name="basis"
                                label="Lawful basis"
                                options=options(LawfulBasis::ALL, LawfulBasis::key, LawfulBasis::label)
                                placeholder="Select the basis"
                            />
                            <SelectField
                                form
                                name="source"
                                label="Where it was given"
                                options=options(BasisSource::ALL, BasisSource::key, BasisSource::label)
                                placeholder="Select where"
                            />
                            <TextField form name="recorded_on" label="Date given" input_type="date" width="10" />
                            <button class="button button--secondary" type="submit">
                                "Record the basis"
                            </button>
                        </ActionForm>
                    </details>
                }
            })}
        {can_edit
            .then(|| {
                let id = id.clone();
                view! {
                    <h3 class="heading-s">"Their rights"</h3>
                    <p>
                        "Everything Liaison holds about them, for a subject access request: "
                        <a href=format!("/contacts/{id}/subject-access.json") download="">
                            "download as JSON"
                        </a>" or " <a href=format!("/contacts/{id}/subject-access.csv") download="">
                            "as a spreadsheet (CSV)"
                        </a>"."
                    </p>
                    <ActionErrorNotice error=erase_error />
                    <details class="details">
                        <summary>"Erase this person"</summary>
                        <p>
                            "Replaces their name, email address, job title, tags and lawful basis with a tombstone, and blanks the notes, replies and questions about them. Briefing reports keep their counts. This cannot be undone."
                        </p>
                        <ActionForm action=erase>
                            <input type="hidden" name="id" value=id />
                            <button class="button button--warning" type="submit">
                                "Erase this person"
                            </button>
                        </ActionForm>
                    </details>
                }
            })}
        <h3 class="heading-s">"Subscription history"</h3>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let changes = history.await.unwrap_or_default();
                if changes.is_empty() {
                    return view! { <p>"No changes recorded."</p> }.into_any();
                }
                view! {
                    <div class="table-wrap" role="region" aria-label="Subscription history, newest first" tabindex="0">
                        <table class="table">
                            <caption class="visually-hidden">"Subscription history, newest first"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"When"</th>
                                    <th scope="col">"Change"</th>
                                    <th scope="col">"How"</th>
                                    <th scope="col">"By"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {changes
                                    .into_iter()
                                    .map(|c| {
                                        view! {
                                            <tr>
                                                <td>{crate::domain::time::format_london(c.at)}</td>
                                                <td>{c.change}</td>
                                                <td>{c.via}</td>
                                                <td>{c.by}</td>
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

/// The retention review: contacts nobody has emailed or met for the configured years, longest
/// silent first, to keep (nothing to do) or erase from their page.
#[component]
pub fn RetentionPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| retention_review());
    view! {
        <Title text="Retention review – Liaison" />
        <p>
            <a href="/contacts">"Back to contacts"</a>
        </p>
        <h1>"Retention review"</h1>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let years = d.years;
                view! {
                    <p class="lede">
                        {format!(
                            "Contacts with no briefing sent and no interaction logged for {years} years (LIAISON_RETENTION_YEARS), longest first. Keep those the programme still needs; erase the others from their page.",
                        )}
                    </p>
                    {if d.contacts.is_empty() {
                        view! { <p>"Nobody to review."</p> }.into_any()
                    } else {
                        view! {
                            <div class="table-wrap" role="region" aria-label="Contacts to review" tabindex="0">
                                <table class="table">
                                    <caption class="visually-hidden">"Contacts to review"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Organisation"</th>
                                            <th scope="col">"Last in touch"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {d
                                            .contacts
                                            .into_iter()
                                            .map(|c| {
                                                view! {
                                                    <tr>
                                                        <td>
                                                            <a href=format!(
                                                                "/contacts/{}#data-protection",
                                                                c.id,
                                                            )>{c.name}</a>
                                                        </td>
                                                        <td>{c.organisation}</td>
                                                        <td>
                                                            {if c.ever_contacted {
                                                                c.last.format("%-d %b %Y").to_string()
                                                            } else {
                                                                format!("Never (added {})", c.last.format("%-d %b %Y"))
                                                            }}
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
                }
                    .into_any()
            })}
        </Transition>
    }
}
