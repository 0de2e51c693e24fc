//! Programme-manager pages: users and the audit log.
use super::organisations::{query_string, NotFoundOrError};
use crate::api::admin::*;
use crate::components::layout::Pagination;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UsersPage() -> impl IntoView {
    let set_active = ServerAction::<SetUserActive>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let users = Resource::new(
        move || (set_active.version().get(), set_role.version().get()),
        |_| list_users(),
    );
    let error = Signal::derive(move || {
        set_active
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| set_role.value().get().and_then(|r| r.err()))
    });
    view! {
        <Title text="Users – Liaison"/>
        <h1>"Users"</h1>
        <p class="hint">"Create accounts on the server with " <code>"liaison user add"</code> "; passwords are never sent through the browser by someone else."</p>
        <crate::components::form::ActionErrorNotice error/>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(users) => view! {
                        <div class="table-wrap">
                            <table class="table">
                                <caption class="visually-hidden">"User accounts"</caption>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th>
                                    <th scope="col">"Last signed in"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {users.into_iter().map(|u| {
                                        let other_role = match u.role {
                                            crate::domain::policy::Role::ProgrammeManager => crate::domain::policy::Role::WorkstreamLead,
                                            crate::domain::policy::Role::WorkstreamLead => crate::domain::policy::Role::ProgrammeManager,
                                        };
                                        let disable_label = format!(" {}", u.name);
                                        let role_label = format!(" ({})", u.name);
                                        let email = u.email.to_string();
                                        let uid = u.id.to_string();
                                        view! {
                                            <tr>
                                                <td>{u.name.clone()}</td>
                                                <td>{u.email.to_string()}</td>
                                                <td>{u.role.label()}</td>
                                                <td>{u.last_sign_in.clone().unwrap_or_else(|| "Never".into())}</td>
                                                <td>{if u.active { view! { <span class="tag tag--green">"Active"</span> } } else { view! { <span class="tag tag--grey">"Disabled"</span> } }}</td>
                                                <td>
                                                    <ActionForm action=set_active>
                                                        <input type="hidden" name="email" value=email/>
                                                        <input type="hidden" name="active" value=if u.active { "false" } else { "true" }/>
                                                        <button class="button button--secondary" type="submit">
                                                            {if u.active { "Disable" } else { "Enable" }}
                                                            <span class="visually-hidden">{disable_label}</span>
                                                        </button>
                                                    </ActionForm>
                                                    <ActionForm action=set_role>
                                                        <input type="hidden" name="id" value=uid/>
                                                        <input type="hidden" name="role" value=other_role.key()/>
                                                        <button class="button button--secondary" type="submit">
                                                            {format!("Make {}", other_role.label().to_lowercase())}
                                                            <span class="visually-hidden">{role_label}</span>
                                                        </button>
                                                    </ActionForm>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <NotFoundOrError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                q.get("actor").unwrap_or_default(),
                q.get("action").unwrap_or_default(),
                q.get("record").unwrap_or_default(),
                q.get("page").and_then(|p| p.parse::<u32>().ok()).unwrap_or(1),
            )
        })
    };
    let entries = Resource::new(params, |(actor, action, record, page)| {
        list_audit(actor, action, record, page)
    });
    view! {
        <Title text="Audit log – Liaison"/>
        <h1>"Audit log"</h1>
        <form method="get" action="/audit" class="inline-form" role="search" aria-label="Audit log">
            <div class="form-group">
                <label class="label" for="audit-actor">"Who"</label>
                <input class="input input--width-20" id="audit-actor" name="actor" type="search" value=move || params().0/>
            </div>
            <div class="form-group">
                <label class="label" for="audit-action">"Action"</label>
                <select class="select" id="audit-action" name="action">
                    <option value="">"All actions"</option>
                    {move || {
                        let current = params().1;
                        AUDIT_ACTIONS.iter().map(|a| view! { <option value=*a selected=current == *a>{*a}</option> }).collect_view()
                    }}
                </select>
            </div>
            <div class="form-group">
                <label class="label" for="audit-record">"Record"</label>
                <input class="input input--width-20" id="audit-record" name="record" type="search" value=move || params().2/>
            </div>
            <div class="form-group"><button class="button button--secondary" type="submit">"Filter"</button></div>
        </form>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let (actor, action, record, _) = params();
                match entries.await {
                    Ok(page) => {
                        let base = query_string(&[("actor", &actor), ("action", &action), ("record", &record)]);
                        let (current, count, total) = (page.page, page.page_count(), page.total);
                        view! {
                            <p class="caption" role="status">{format!("{total} entries")}</p>
                            <div class="table-wrap">
                                <table class="table">
                                    <caption class="visually-hidden">"Audit entries, newest first"</caption>
                                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"Record"</th><th scope="col">"What changed"</th></tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|e| view! {
                                            <tr><td>{e.at}</td><td>{e.actor}</td><td>{e.action}</td><td>{e.record}</td><td>{e.changes}</td></tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pagination page=current page_count=count base_query=base path="/audit"/>
                        }.into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
