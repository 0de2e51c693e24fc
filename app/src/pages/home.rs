//! The start page: what is in the register, and where to go next.
use crate::api::register::register_summary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    let summary = Resource::new(|| (), |_| register_summary());
    view! {
        <Title text="Liaison"/>
        <h1>"Regional advanced clinical practice programme"</h1>
        <p class="lede">"Who the programme works with, what they are told, and whether they have read it."</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(s) => view! {
                        <div class="card-grid">
                            <div class="card">
                                <h2 class="card__heading"><a href="/organisations">"Organisations"</a></h2>
                                <p class="stat"><span class="stat__number">{s.organisations}</span><span class="stat__label">" partner organisations"</span></p>
                            </div>
                            <div class="card">
                                <h2 class="card__heading"><a href="/contacts">"Contacts"</a></h2>
                                <p class="stat"><span class="stat__number">{s.contacts}</span><span class="stat__label">" people in the register"</span></p>
                            </div>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <div class="notice notice--error" role="alert"><p>{e.to_string()}</p></div> }.into_any(),
                }
            })}
        </Transition>
    }
}
