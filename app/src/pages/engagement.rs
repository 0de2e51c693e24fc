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
        <Title text="Engagement gaps – Liaison" />
        <h1>"Engagement gaps"</h1>
        <p class="lede">
            "Where each stakeholder is (C, current) against where the programme needs them (D, desired), furthest below target first. Filter it from the contacts list: the same filters work here."
        </p>
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                let q = params();
                let d = match data.await {
                    Ok(d) => d,
                    Err(e) => return view! { <NotFoundOrError error=e /> }.into_any(),
                };
                let base = {
                    let p = q.to_params();
                    query_string(&p.iter().map(|(k, v)| (*k, v.as_str())).collect::<Vec<_>>())
                };
                let (page, page_count) = (d.page.page, d.page.page_count());
                view! {
                    <h2>"By sector"</h2>
                    <ul>
                        {d
                            .sectors
                            .into_iter()
                            .map(|s| {
                                view! {
                                    <li>
                                        {format!(
                                            "{}: {} of {} contact{} below target, {} resistant",
                                            s.kind.label(),
                                            s.below_target,
                                            s.contacts,
                                            if s.contacts == 1 { "" } else { "s" },
                                            s.resistant,
                                        )}
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                    <h2>"Stakeholder engagement assessment matrix"</h2>
                    <div class="table-wrap" role="region" aria-label="Engagement matrix" tabindex="0">
                        <table class="table">
                            <caption class="visually-hidden">
                                "Engagement matrix: C marks the current level, D the desired"
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Contact"</th>
                                    {Engagement::ALL
                                        .iter()
                                        .map(|e| view! { <th scope="col">{e.label()}</th> })
                                        .collect_view()}
                                    <th scope="col" class="table__numeric">
                                        "Gap"
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {d
                                    .page
                                    .items
                                    .into_iter()
                                    .map(|c| {
                                        let gap = c.engagement_gap();
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <a href=format!("/contacts/{}", c.id)>{c.name.to_string()}</a>
                                                    <span class="hint">{c.organisation_name.to_string()}</span>
                                                </th>
                                                {Engagement::ALL
                                                    .iter()
                                                    .map(|e| {
                                                        let mark = match (
                                                            *e == c.engagement_current,
                                                            *e == c.engagement_target,
                                                        ) {
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
                                                        view! {
                                                            <td>
                                                                <span aria-hidden="true">{mark}</span>
                                                                <span class="visually-hidden">{spoken}</span>
                                                            </td>
                                                        }
                                                    })
                                                    .collect_view()}
                                                <td class="table__numeric">{gap}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                    <Pagination page page_count base_query=base path="/engagement" />
                }
                    .into_any()
            })}
        </Transition>
    }
}

/// The overview's engagement panel: who the last 90 days' briefings reached, how the latest
/// were acknowledged, and who is below target, by sector. Each figure links to its source.
#[component]
pub fn EngagementPanelView(panel: crate::domain::board::EngagementPanel) -> impl IntoView {
    use crate::components::chart::{percent, PercentBars};
    let reach = panel.reach;
    let reached = reach.reached();
    let contacts: u64 = reach.sectors.iter().map(|s| s.contacts).sum();
    let below: u64 = reach.sectors.iter().map(|s| s.below_target).sum();
    view! {
        <section class="engagement-panel" aria-labelledby="engagement-panel">
            <h2 id="engagement-panel">"Engagement"</h2>
            <p>
                {format!("In the last {} days, briefings reached {reached} of {contacts} contacts; ", panel.days)}
                <a href="/engagement?below=1">
                    {format!("{below} contact{} below target", if below == 1 { " is" } else { "s are" })}
                </a> ". " <a href="/reports/board">"Quarterly board report"</a>
            </p>
            <div class="table-wrap" role="region" aria-label="Engagement by sector" tabindex="0">
                <table class="table">
                    <caption class="visually-hidden">
                        {format!("Reach in the last {} days and contacts below target, by sector", panel.days)}
                    </caption>
                    <thead>
                        <tr>
                            <th scope="col">"Sector"</th>
                            <th scope="col" class="table__numeric">
                                "Contacts"
                            </th>
                            <th scope="col" class="table__numeric">
                                {format!("Reached ({} days)", panel.days)}
                            </th>
                            <th scope="col" class="table__numeric">
                                "Acknowledged"
                            </th>
                            <th scope="col" class="table__numeric">
                                "Below target"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{reach.sectors.iter().map(|s| view! { <SectorRow s=s.clone() /> }).collect_view()}</tbody>
                </table>
            </div>
            {(!panel.latest.is_empty())
                .then(|| {
                    view! {
                        <h3>"Acknowledgement of the latest briefings"</h3>
                        <PercentBars
                            title="Acknowledgement rate of the latest briefings"
                            rows=panel.latest.iter().map(|b| (b.subject.clone(), b.rate())).collect()
                        />
                        <ul class="body-small">
                            {panel
                                .latest
                                .iter()
                                .map(|b| {
                                    view! {
                                        <li>
                                            <a href=format!("/briefings/{}", b.id)>{b.subject.clone()}</a>
                                            {format!(
                                                " ({}): {} of {} acknowledged, {}",
                                                b.sent_on,
                                                b.acknowledged,
                                                b.delivered,
                                                percent(b.rate()),
                                            )}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
        </section>
    }
}

/// One sector's row of the reach tables (the overview's panel, the board report): contacts
/// (linked to the contacts list of that kind), reached, acknowledgement rate, below target
/// (linked to its engagement gaps).
#[component]
pub fn SectorRow(s: crate::domain::board::SectorReach) -> impl IntoView {
    use crate::components::chart::percent;
    use crate::domain::board::rate;
    let kind = s.kind.map(|k| k.key()).unwrap_or("");
    view! {
        <tr>
            <th scope="row">{s.label()}</th>
            <td class="table__numeric">
                <a href=format!("/contacts?{}", query_string(&[("kind", kind)]))>{s.contacts}</a>
            </td>
            <td class="table__numeric">{format!("{} ({})", s.reached, percent(rate(s.reached, s.contacts)))}</td>
            <td class="table__numeric">{percent(s.rate())}</td>
            <td class="table__numeric">
                <a href=format!("/engagement?{}", query_string(&[("kind", kind), ("below", "1")]))>{s.below_target}</a>
            </td>
        </tr>
    }
}
