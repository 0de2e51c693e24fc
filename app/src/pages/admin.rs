//! Programme-manager pages: users and the audit log.
use crate::api::admin::*;
use crate::components::errors::NotFoundOrError;
use crate::components::layout::CursorPagination;
use crate::components::loaded::Loaded;
use crate::components::notice::{Notice, Tone};
use crate::components::url::query_string;
use crate::domain::audit::AuditAction;
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
        <Title text="Users – Liaison" />
        <h1>"Users"</h1>
        <p class="hint">
            "Invite people by email: each chooses their own password through a link that works once, for 72 hours. Nobody else ever handles a password."
        </p>
        <crate::components::form::ActionErrorNotice error />
        <Invitations />
        <h2>"Accounts"</h2>
        <Loaded resource=users let:users>
            <div class="table-wrap" role="region" aria-label="User accounts" tabindex="0">
                <table class="table">
                    <caption class="visually-hidden">"User accounts"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Name"</th>
                            <th scope="col">"Email"</th>
                            <th scope="col">"Role"</th>
                            <th scope="col">"Last signed in"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {users
                            .into_iter()
                            .map(|u| {
                                let other_role = match u.role {
                                    crate::domain::policy::Role::ProgrammeManager => {
                                        crate::domain::policy::Role::WorkstreamLead
                                    }
                                    crate::domain::policy::Role::WorkstreamLead => {
                                        crate::domain::policy::Role::ProgrammeManager
                                    }
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
                                        <td>
                                            {if u.active {
                                                view! { <span class="tag tag--green">"Active"</span> }
                                            } else {
                                                view! { <span class="tag tag--grey">"Disabled"</span> }
                                            }}
                                        </td>
                                        <td>
                                            <ActionForm action=set_active>
                                                <input type="hidden" name="email" value=email />
                                                <input
                                                    type="hidden"
                                                    name="active"
                                                    value=if u.active { "false" } else { "true" }
                                                />
                                                <button class="button button--secondary" type="submit">
                                                    {if u.active { "Disable" } else { "Enable" }}
                                                    <span class="visually-hidden">{disable_label}</span>
                                                </button>
                                            </ActionForm>
                                            <ActionForm action=set_role>
                                                <input type="hidden" name="id" value=uid />
                                                <input type="hidden" name="role" value=other_role.key() />
                                                <button class="button button--secondary" type="submit">
                                                    {format!("Make {}", other_role.label().to_lowercase())}
                                                    <span class="visually-hidden">{role_label}</span>
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
        </Loaded>
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
                q.get("before").unwrap_or_default(),
                q.get("after").unwrap_or_default(),
            )
        })
    };
    let entries = Resource::new(params, |(actor, action, record, before, after)| {
        list_audit(actor, action, record, before, after)
    });
    view! {
        <Title text="Audit log – Liaison" />
        <h1>"Audit log"</h1>
        <form method="get" action="/audit" class="inline-form" role="search" aria-label="Audit log">
            <div class="form-group">
                <label class="label" for="audit-actor">
                    "Who"
                </label>
                <input
                    class="input input--width-20"
                    id="audit-actor"
                    name="actor"
                    type="search"
                    value=move || params().0
                />
            </div>
            <div class="form-group">
                <label class="label" for="audit-action">
                    "Action"
                </label>
                <select class="select" id="audit-action" name="action">
                    <option value="">"All actions"</option>
                    {move || {
                        let current = params().1;
                        AuditAction::ALL
                            .iter()
                            .map(|a| {
                                view! {
                                    <option value=a.key() selected=current == a.key()>
                                        {a.key()}
                                    </option>
                                }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <div class="form-group">
                <label class="label" for="audit-record">
                    "Record"
                </label>
                <input
                    class="input input--width-20"
                    id="audit-record"
                    name="record"
                    type="search"
                    value=move || params().2
                />
            </div>
            <div class="form-group">
                <button class="button button--secondary" type="submit">
                    "Filter"
                </button>
            </div>
        </form>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let (actor, action, record, ..) = params();
                match entries.await {
                    Ok(page) => {
                        let base = query_string(&[("actor", &actor), ("action", &action), ("record", &record)]);
                        let empty = page.items.is_empty();
                        view! {
                            {empty
                                .then(|| {
                                    view! {
                                        <p class="caption" role="status">
                                            "No entries match."
                                        </p>
                                    }
                                })}
                            <div class="table-wrap" role="region" aria-label="Audit entries, newest first" tabindex="0">
                                <table class="table">
                                    <caption class="visually-hidden">"Audit entries, newest first"</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">"When"</th>
                                            <th scope="col">"Who"</th>
                                            <th scope="col">"Action"</th>
                                            <th scope="col">"Record"</th>
                                            <th scope="col">"What changed"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {page
                                            .items
                                            .into_iter()
                                            .map(|e| {
                                                view! {
                                                    <tr>
                                                        <td>{e.at}</td>
                                                        <td>{e.actor}</td>
                                                        <td>{e.action}</td>
                                                        <td>{e.record}</td>
                                                        <td>{e.changes}</td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <CursorPagination
                                newer=page.newer
                                older=page.older
                                base_query=base
                                path="/audit"
                                noun="entries"
                            />
                        }
                            .into_any()
                    }
                    Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Inviting people, and the invitations sent so far with their state.
#[component]
fn Invitations() -> impl IntoView {
    use crate::api::accounts::*;
    use crate::components::form::*;
    use crate::domain::policy::Role;
    let invite = ServerAction::<Invite>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    let data = Resource::new(
        move || (invite.version().get(), resend.version().get(), revoke.version().get()),
        |_| list_invitations(),
    );
    let form = FormView::from_result(invite.value().into(), std::collections::BTreeMap::new());
    let error = Signal::derive(move || {
        resend
            .value()
            .get()
            .and_then(|r| r.err())
            .or_else(|| revoke.value().get().and_then(|r| r.err()))
    });
    let query = use_query_map();
    let notice = move || {
        query.with(|q| {
            if q.get("invited").is_some() {
                Some("The invitation is on its way.")
            } else if q.get("resent").is_some() {
                Some("The invitation was sent again with a new link; the old link no longer works.")
            } else {
                None
            }
        })
    };
    let roles: Vec<(String, String)> = [Role::WorkstreamLead, Role::ProgrammeManager]
        .iter()
        .map(|r| (r.key().to_string(), r.label().to_string()))
        .collect();
    view! {
        {move || notice().map(|n| view! { <Notice tone=Tone::Success>{n}</Notice> })}
        <ActionErrorNotice error />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new({
                let roles = roles.clone();
                async move {
                    match data.await {
                        Ok(page) => {
                            view! {
                                <details class="details">
                                    <summary>"Invite a person"</summary>
                                    <ErrorSummary form />
                                    <ActionForm action=invite attr:novalidate=true>
                                        <TextField form name="name" label="Full name" autocomplete="off" width="30" />
                                        <TextField
                                            form
                                            name="email"
                                            label="Email address"
                                            input_type="email"
                                            autocomplete="off"
                                            width="30"
                                        />
                                        <SelectField
                                            form
                                            name="role"
                                            label="Role"
                                            options=roles
                                            placeholder="Select a role"
                                        />
                                        <CheckboxGroup
                                            legend="Workstreams they lead (workstream leads only)"
                                            name="workstreams"
                                            options=page.workstreams.clone()
                                        />
                                        <button class="button" type="submit">
                                            "Send invitation"
                                        </button>
                                    </ActionForm>
                                </details>
                                {(!page.invitations.is_empty())
                                    .then(|| {
                                        view! {
                                            <div class="table-wrap" role="region" aria-label="Invitations" tabindex="0">
                                                <table class="table">
                                                    <caption>"Invitations"</caption>
                                                    <thead>
                                                        <tr>
                                                            <th scope="col">"Name"</th>
                                                            <th scope="col">"Email"</th>
                                                            <th scope="col">"Role"</th>
                                                            <th scope="col">"State"</th>
                                                            <th scope="col">"Invited by"</th>
                                                            <th scope="col">"Actions"</th>
                                                        </tr>
                                                    </thead>
                                                    <tbody>
                                                        {page
                                                            .invitations
                                                            .into_iter()
                                                            .map(|i| {
                                                                let (id_resend, id_revoke) = (i.id.clone(), i.id.clone());
                                                                let (resend_label, revoke_label) = (
                                                                    format!(" the invitation to {}", i.email),
                                                                    format!(" the invitation to {}", i.email),
                                                                );
                                                                let pending = i.state
                                                                    == crate::domain::account::InvitationState::Pending;
                                                                view! {
                                                                    <tr>
                                                                        <td>{i.name.clone()}</td>
                                                                        <td>{i.email.clone()}</td>
                                                                        <td>{i.role.label()}</td>
                                                                        <td>
                                                                            {i.state.label()}
                                                                            {(i.sent_count > 1)
                                                                                .then(|| format!(" (sent {} times)", i.sent_count))}
                                                                        </td>
                                                                        <td>{i.invited_by.clone()}</td>
                                                                        <td>
                                                                            {i
                                                                                .state
                                                                                .can_resend()
                                                                                .then(|| {
                                                                                    view! {
                                                                                        <ActionForm action=resend>
                                                                                            <input type="hidden" name="id" value=id_resend />
                                                                                            <button
                                                                                                class="button button--secondary button--small"
                                                                                                type="submit"
                                                                                            >
                                                                                                "Resend"
                                                                                                <span class="visually-hidden">{resend_label}</span>
                                                                                            </button>
                                                                                        </ActionForm>
                                                                                    }
                                                                                })}
                                                                            {pending
                                                                                .then(|| {
                                                                                    view! {
                                                                                        <ActionForm action=revoke>
                                                                                            <input type="hidden" name="id" value=id_revoke />
                                                                                            <button
                                                                                                class="button button--secondary button--small"
                                                                                                type="submit"
                                                                                            >
                                                                                                "Revoke"
                                                                                                <span class="visually-hidden">{revoke_label}</span>
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
                                        }
                                    })}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <NotFoundOrError error=e /> }.into_any(),
                    }
                }
            })}
        </Transition>
    }
}
