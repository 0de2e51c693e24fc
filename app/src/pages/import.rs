//! Bringing a spreadsheet into the register: the upload form, then the preview of what every
//! row would do, then the commit. Each step is a plain form, so it works without JavaScript.
use crate::api::import::*;
use crate::components::errors::NotFoundOrError;
use crate::components::form::ActionErrorNotice;
use crate::components::layout::Session;
use crate::components::notice::{Notice, Tone};
use crate::domain::import::Field;
use crate::domain::policy::Action;
use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn ImportPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error"));
    view! {
        <Title text="Import contacts – Liaison" />
        <p>
            <a href="/contacts">"Back to contacts"</a>
        </p>
        <h1>"Import contacts from a spreadsheet"</h1>
        {move || {
            error()
                .map(|e| {
                    view! {
                        <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="import-error-title">
                            <h2 class="error-summary__title" id="import-error-title">
                                "There is a problem"
                            </h2>
                            <p>
                                <a href="#f-file">{e}</a>
                            </p>
                        </div>
                    }
                })
        }}
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                if !Session::can(Action::ImportRegister).await {
                    return view! { <NotFoundOrError error=AppError::Forbidden /> }.into_any();
                }
                view! {
                    <p>
                        "Save the spreadsheet as CSV (“CSV UTF-8” in Excel, or “Comma-separated values” in LibreOffice and Google Sheets). Nothing is written until you have seen what every row would do."
                    </p>
                    <h2>"Columns"</h2>
                    <p>
                        "The first row names the columns. Only “Email” is required: each row is matched to a contact by it. Headings are matched ignoring case, and common names work too (“E-mail”, “Trust”, “Job role”). Other columns are ignored."
                    </p>
                    <ul>{Field::ALL.iter().map(|f| view! { <li>{f.label()}</li> }).collect_view()}</ul>
                    <p>
                        "For a contact already in the register, a blank cell keeps what is saved. A new contact without scores gets 3 for influence and interest, “Unaware” now and “Supportive” as the target. An organisation the register does not have is created when the row gives its kind. An import can unsubscribe someone but never subscribes again a person who unsubscribed."
                    </p>
                    <form method="post" action="/contacts/import/upload" enctype="multipart/form-data">
                        <div class="form-group">
                            <label class="label" for="f-file">
                                "CSV file (up to 10 MB)"
                            </label>
                            <input class="file-upload" id="f-file" name="file" type="file" accept=".csv,text/csv" />
                        </div>
                        <button class="button" type="submit">
                            "Upload and preview"
                        </button>
                    </form>
                }
                    .into_any()
            })}
        </Transition>
    }
}

fn outcome_tag(outcome: &str) -> &'static str {
    match outcome {
        "Create" => "tag tag--green",
        "Update" => "tag tag--blue",
        "Error" => "tag tag--red",
        _ => "tag tag--grey",
    }
}

#[component]
pub fn ImportPreviewPage() -> impl IntoView {
    let params = use_params_map();
    let commit = ServerAction::<CommitImport>::new();
    let columns = ServerAction::<ChooseImportColumns>::new();
    let data = Resource::new(
        move || {
            (
                params.with(|p| p.get("id").unwrap_or_default()),
                commit.version().get(),
                columns.version().get(),
            )
        },
        |(id, _, _)| import_preview(id),
    );
    let error = Signal::derive(move || {
        commit
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| columns.value().get().and_then(|r| r.err()))
    });
    view! {
        <Title text="Import preview – Liaison" />
        <p>
            <a href="/contacts">"Back to contacts"</a>
        </p>
        <ActionErrorNotice error />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let p = match data.await {
                    Ok(p) => p,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let c = p.counts;
                let errors_href = format!("/contacts/import/{}/errors.csv", p.id);
                if let Some(done) = p.committed.clone() {
                    return view! {
                        <h1>{format!("Imported {}", p.filename)}</h1>
                        <Notice tone=Tone::Success>{format!("The import is done: {done}.")}</Notice>
                        {p
                            .has_errors_file
                            .then(|| {
                                view! {
                                    <p>
                                        <a href=errors_href.clone() download="">
                                            "Download the rows that were not imported (CSV, with the reason for each)"
                                        </a>
                                    </p>
                                }
                            })}
                        <p>
                            <a href="/contacts">"See the contacts"</a>
                        </p>
                    }
                        .into_any();
                }
                let id = p.id.clone();
                let columns_id = p.id.clone();
                view! {
                    <h1>{format!("Preview of {}", p.filename)}</h1>
                    <p class="lede" role="status">
                        {format!(
                            "{} to create, {} to update, {} unchanged, {} with errors{}.",
                            c.create,
                            c.update,
                            c.unchanged,
                            c.error,
                            if c.new_organisations > 0 {
                                format!(
                                    ", and {} new organisation{}",
                                    c.new_organisations,
                                    if c.new_organisations == 1 { "" } else { "s" },
                                )
                            } else {
                                String::new()
                            },
                        )}
                    </p>
                    {(!p.email_column)
                        .then(|| {
                            view! {
                                <Notice tone=Tone::Warning>
                                    "No column was recognised as the email addresses, by which contacts are matched: choose it below."
                                </Notice>
                            }
                        })}
                    <h2>"How the columns were read"</h2>
                    <p class="hint">
                        "Matched by their headings. Choose another field for a column, or “Not imported”, and the preview below is worked out again."
                    </p>
                    <ActionForm action=columns>
                        <input type="hidden" name="id" value=columns_id />
                        <div class="table-wrap" role="region" aria-label="Columns" tabindex="0">
                            <table class="table">
                                <caption class="visually-hidden">"Columns"</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Column in the file"</th>
                                        <th scope="col">"Imported as"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {p
                                        .columns
                                        .into_iter()
                                        .enumerate()
                                        .map(|(i, (h, key))| {
                                            let select_id = format!("column-{i}");
                                            view! {
                                                <tr>
                                                    <td>{h.clone()}</td>
                                                    <td>
                                                        <label class="visually-hidden" for=select_id.clone()>
                                                            {format!("Import the column “{h}” as")}
                                                        </label>
                                                        <select class="select" id=select_id name="columns[]">
                                                            <option value="" selected=key.is_empty()>
                                                                "Not imported"
                                                            </option>
                                                            {Field::ALL
                                                                .iter()
                                                                .map(|f| {
                                                                    view! {
                                                                        <option value=f.key() selected=f.key() == key>
                                                                            {f.label()}
                                                                        </option>
                                                                    }
                                                                })
                                                                .collect_view()}
                                                        </select>
                                                    </td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <button class="button button--secondary" type="submit">
                            "Use these columns"
                        </button>
                    </ActionForm>
                    {(!p.new_organisations.is_empty())
                        .then(|| {
                            view! {
                                <h2>"Organisations the import creates"</h2>
                                <ul>
                                    {p.new_organisations.into_iter().map(|o| view! { <li>{o}</li> }).collect_view()}
                                </ul>
                            }
                        })}
                    <h2>"Rows"</h2>
                    {(p.rows_not_shown > 0)
                        .then(|| {
                            view! {
                                <p>
                                    {format!(
                                        "Every row with an error is listed; {} other rows are counted above but not listed.",
                                        p.rows_not_shown,
                                    )}
                                </p>
                            }
                        })}
                    <div class="table-wrap" role="region" aria-label="What each row would do" tabindex="0">
                        <table class="table">
                            <caption class="visually-hidden">"What each row would do"</caption>
                            <thead>
                                <tr>
                                    <th scope="col" class="table__numeric">
                                        "Row"
                                    </th>
                                    <th scope="col">"Name"</th>
                                    <th scope="col">"Email"</th>
                                    <th scope="col">"Outcome"</th>
                                    <th scope="col">"Detail"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {p
                                    .rows
                                    .into_iter()
                                    .map(|r| {
                                        view! {
                                            <tr>
                                                <td class="table__numeric">{r.line}</td>
                                                <td>{r.name}</td>
                                                <td>{r.email}</td>
                                                <td>
                                                    <strong class=outcome_tag(&r.outcome)>{r.outcome.clone()}</strong>
                                                </td>
                                                <td>{r.detail}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                    {if c.create + c.update == 0 || !p.email_column {
                        view! { <p>"Nothing to import: no row would create or change a contact."</p> }.into_any()
                    } else {
                        view! {
                            <ActionForm action=commit>
                                <input type="hidden" name="id" value=id />
                                <button class="button" type="submit">
                                    {format!("Import {} contacts", c.create + c.update)}
                                </button>
                                {(c.error > 0)
                                    .then(|| {
                                        view! {
                                            <p class="hint">
                                                "Rows with errors are left out; you can download them afterwards, fix them and import them again."
                                            </p>
                                        }
                                    })}
                            </ActionForm>
                        }
                            .into_any()
                    }}
                    <p>
                        <a href="/contacts/import">"Upload another file"</a>
                    </p>
                }
                    .into_any()
            })}
        </Transition>
    }
}
