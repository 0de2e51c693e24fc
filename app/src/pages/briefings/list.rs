//! The list of briefings.
use super::state_tag;
use crate::api::briefings::*;
use crate::components::errors::NotFoundOrError;
use crate::components::layout::Session;
use crate::domain::policy::Action;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn BriefingsPage() -> impl IntoView {
    let briefings = Resource::new(|| (), |_| list_briefings());
    view! {
        <Title text="Briefings – Liaison" />
        <h1>"Briefings"</h1>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let can_edit = Session::can(Action::EditPlan).await;
                match briefings.await {
                    Ok(list) => {
                        view! {
                            {can_edit
                                .then(|| {
                                    view! {
                                        <p>
                                            <a class="button" href="/briefings/new">
                                                "Compose a briefing"
                                            </a>
                                        </p>
                                    }
                                })}
                            {if list.is_empty() {
                                view! {
                                    <p>
                                        "No briefings yet. A briefing is an email to an audience, with an optional link to acknowledge it: compose one, preview it, send a test, then send it or schedule it."
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <div
                                        class="table-wrap"
                                        role="region"
                                        aria-label="Briefings, newest first"
                                        tabindex="0"
                                    >
                                        <table class="table">
                                            <caption class="visually-hidden">"Briefings, newest first"</caption>
                                            <thead>
                                                <tr>
                                                    <th scope="col">"Subject"</th>
                                                    <th scope="col">"Audience"</th>
                                                    <th scope="col">"Status"</th>
                                                    <th scope="col">"Send time"</th>
                                                    <th scope="col" class="table__numeric">
                                                        "Recipients"
                                                    </th>
                                                </tr>
                                            </thead>
                                            <tbody>
                                                {list
                                                    .into_iter()
                                                    .map(|b| {
                                                        view! {
                                                            <tr>
                                                                <td>
                                                                    <a href=format!("/briefings/{}", b.id)>{b.subject}</a>
                                                                </td>
                                                                <td>{b.audience}</td>
                                                                <td>
                                                                    <strong class=state_tag(b.state)>{b.state.label()}</strong>
                                                                </td>
                                                                <td>{b.when.unwrap_or_default()}</td>
                                                                <td class="table__numeric">{b.recipients}</td>
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
