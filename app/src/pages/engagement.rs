//! Engagement gaps: the stakeholder engagement assessment matrix (SEAM), with C where each
//! contact is and D where the programme wants them, furthest below target first, and a
//! summary by sector.
use crate::api::register::{engagement_gaps, ContactQuery};
use crate::components::errors::NotFoundOrError;
use crate::components::layout::Pagination;
use crate::components::url::query_string;
use crate::domain::Engagement;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EngagementPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || query.with(|q| ContactQuery::from_params(|k| q.get(k)));
    let data = Resource::new(params, engagement_gaps);
    view! {
        <Title text="Engagement gaps – Liaison"/>
        <h1>"Engagement gaps"</h1>
        <p class="lede">"Where each stakeholder is (C, current) against where the programme needs them (D, desired), furthest below target first. Filter it from the contacts list: the same filters work here."</p>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let q = params();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e/> }.into_any(),
                };
                let base = {
                    let p = q.to_params();
                    query_string(&p.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
                };
                let (page, page_count) = (d.page.page, d.page.page_count());
                view! {
                    <h2>"By sector"</h2>
                    <ul>
                        {d.sectors.into_iter().map(|s| view! {
                            <li>{format!("{}: {} of {} contact{} below target, {} resistant", s.kind.label(), s.below_target, s.contacts, if s.contacts == 1 { "" } else { "s" }, s.resistant)}</li>
                        }).collect_view()}
                    </ul>
                    <h2>"Stakeholder engagement assessment matrix"</h2>
                    <div class="table-wrap" role="region" aria-label="Engagement matrix" tabindex="0">
                        <table class="table">
                            <caption class="visually-hidden">"Engagement matrix: C marks the current level, D the desired"</caption>
                            <thead><tr>
                                <th scope="col">"Contact"</th>
                                {Engagement::ALL.iter().map(|e| view! { <th scope="col">{e.label()}</th> }).collect_view()}
                                <th scope="col" class="table__numeric">"Gap"</th>
                            </tr></thead>
                            <tbody>
                                {d.page.items.into_iter().map(|c| {
                                    let gap = c.engagement_gap();
                                    view! {
                                        <tr>
                                            <th scope="row"><a href=format!("/contacts/{}", c.id)>{c.name.to_string()}</a>
                                                <span class="hint">{c.organisation_name.to_string()}</span></th>
                                            {Engagement::ALL.iter().map(|e| {
                                                let mark = match (*e == c.engagement_current, *e == c.engagement_target) {
                                                    (true, true) => "C D",
                                                    (true, false) => "C",
                                                    (false, true) => "D",
                                                    (false, false) => "",
                                                };
                                                let spoken = match mark {
                                                    "C D" => "current and desired",
                                                    "C" => "current",
                                                    "D" => "desired",
                                                    _ => "",
                                                };
                                                view! { <td><span aria-hidden="true">{mark}</span><span class="visually-hidden">{spoken}</span></td> }
                                            }).collect_view()}
                                            <td class="table__numeric">{gap}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pagination page page_count base_query=base path="/engagement"/>
                }.into_any()
            })}
        </Transition>
    }
}
