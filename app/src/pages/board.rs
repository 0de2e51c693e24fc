//! The quarterly engagement report for the programme board: one print-ready page (A4, see the
//! print rules in the stylesheet) that the browser turns into a PDF. Every figure links to the
//! view in Liaison it comes from.
use crate::api::analysis::quarterly_board_report;
use crate::components::chart::{percent, PercentBars};
use crate::components::errors::NotFoundOrError;
use crate::components::timeline::RagTimeline;
use crate::components::url::query_string;
use crate::domain::board::*;
use crate::islands::print::PrintButton;
use crate::pages::engagement::SectorRow;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Moves listed by name; the rest are counted and linked to the map.
const MOVES_SHOWN: usize = 100;

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

#[component]
pub fn BoardReportPage() -> impl IntoView {
    let query = use_query_map();
    let quarter = move || query.with(|q| q.get("quarter").unwrap_or_default());
    let data = Resource::new(quarter, quarterly_board_report);
    view! {
        <Title text="Board report – Liaison" />
        <Transition fallback=|| {
            view! { <p>"Loading…"</p> }
        }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! { <Report r /> }.into_any(),
                    Err(e) => {
                        view! {
                            <h1>"Board report"</h1>
                            <NotFoundOrError error=e />
                        }
                            .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[component]
fn Report(r: BoardReport) -> impl IntoView {
    let q = r.quarter;
    let (first, last) = (q.first_day(), q.last_day());
    let since = first.to_string();
    let period_end = crate::domain::time::london_date(r.until);
    let reached = r.reach.reached();
    let contacts: u64 = r.reach.sectors.iter().map(|s| s.contacts).sum();
    let logged: u64 = r.interactions.iter().map(|(_, n)| n).sum();
    let interactions_link = |kind: &str| {
        format!(
            "/interactions?{}",
            query_string(&[("kind", kind), ("from", &first.to_string()), ("to", &last.to_string())])
        )
    };
    let all_interactions = interactions_link("");
    let previous = format!("/reports/board?quarter={}", q.previous().key());
    let next = (!r.in_progress).then(|| format!("/reports/board?quarter={}", q.next().key()));
    let (start_instant, _) = q.bounds();
    let until = r.until;
    let end_label = if r.in_progress {
        "today".to_string()
    } else {
        last.format("%-d %b %Y").to_string()
    };
    view! {
        <article class="board">
            <h1>"Quarterly engagement report"</h1>
            <p class="lede">
                {format!(
                    "{}{}",
                    q.label(),
                    if r.in_progress {
                        format!(", so far (to {})", period_end.format("%-d %B %Y"))
                    } else {
                        String::new()
                    },
                )}
            </p>
            <p class="body-small">
                {format!(
                    "For the programme board. Produced by Liaison on {} from the live register; every figure links to its source.",
                    r.generated,
                )}
            </p>
            <nav class="board__periods" aria-label="Other quarters">
                <a href=previous>"Previous quarter"</a>
                {next
                    .map(|n| {
                        view! {
                            " · "
                            <a href=n>"Next quarter"</a>
                        }
                    })}
                " · "
                <PrintButton />
                <span class="hint board__print-hint">" (or use your browser's Print command)"</span>
            </nav>

            <section aria-labelledby="board-summary">
                <h2 id="board-summary">"Summary"</h2>
                <ul class="board__facts">
                    <li>
                        <a href="#board-briefings">
                            {plural(r.reach.briefings.len() as u64, "briefing sent", "briefings sent")}
                        </a>
                    </li>
                    <li>
                        <a href="#board-sectors">
                            {format!("{} of {} reached", plural(reached, "contact", "contacts"), contacts)}
                        </a>
                    </li>
                    <li>
                        <a href="#board-sectors">
                            {format!("Acknowledgement rate {}", percent(r.reach.overall_rate()))}
                        </a>
                    </li>
                    <li>
                        <a href="#board-movement">
                            {format!(
                                "{} closer to target, {} further away",
                                plural(r.movement.improved() as u64, "contact moved", "contacts moved"),
                                r.movement.worsened(),
                            )}
                        </a>
                    </li>
                    <li>
                        <a href="/engagement?below=1">
                            {format!("{} below target", plural(r.movement.below_target, "contact", "contacts"))}
                        </a>
                    </li>
                    <li>
                        <a href=all_interactions
                            .clone()>{plural(logged, "interaction logged", "interactions logged")}</a>
                    </li>
                    <li>
                        <a href="#board-overdue">
                            {plural(r.overdue.len() as u64, "follow-up overdue", "follow-ups overdue")}
                        </a>
                    </li>
                </ul>
            </section>

            <section aria-labelledby="board-briefings">
                <h2 id="board-briefings">"Briefings sent"</h2>
                {if r.reach.briefings.is_empty() {
                    view! { <p>"No briefings were sent this quarter. "<a href="/briefings">"All briefings"</a></p> }
                        .into_any()
                } else {
                    view! {
                        <table class="table">
                            <caption class="visually-hidden">"Briefings sent this quarter"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Briefing"</th>
                                    <th scope="col">"Sent"</th>
                                    <th scope="col" class="table__numeric">
                                        "Delivered"
                                    </th>
                                    <th scope="col" class="table__numeric">
                                        "Acknowledged"
                                    </th>
                                    <th scope="col" class="table__numeric">
                                        "Rate"
                                    </th>
                                </tr>
                            </thead>
                            <tbody>
                                {r
                                    .reach
                                    .briefings
                                    .iter()
                                    .map(|b| {
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <a href=format!("/briefings/{}", b.id)>{b.subject.clone()}</a>
                                                </th>
                                                <td>{b.sent_on.clone()}</td>
                                                <td class="table__numeric">{b.delivered}</td>
                                                <td class="table__numeric">
                                                    {if b.ack_required {
                                                        b.acknowledged.to_string()
                                                    } else {
                                                        "not asked".into()
                                                    }}
                                                </td>
                                                <td class="table__numeric">{percent(b.rate())}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }}
            </section>

            <section aria-labelledby="board-sectors">
                <h2 id="board-sectors">"Reach and acknowledgement by sector"</h2>
                <p class="body-small">
                    "Reached: contacts sent at least one briefing this quarter. Acknowledgement rate: of deliveries of briefings that asked for an acknowledgement. Below target: at the end of the period."
                </p>
                <table class="table">
                    <caption class="visually-hidden">"Reach, acknowledgement and engagement by sector"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Sector"</th>
                            <th scope="col" class="table__numeric">
                                "Contacts"
                            </th>
                            <th scope="col" class="table__numeric">
                                "Reached"
                            </th>
                            <th scope="col" class="table__numeric">
                                "Acknowledgement rate"
                            </th>
                            <th scope="col" class="table__numeric">
                                "Below target"
                            </th>
                        </tr>
                    </thead>
                    <tbody>{r.reach.sectors.iter().map(|s| view! { <SectorRow s=s.clone() /> }).collect_view()}</tbody>
                </table>
                {r
                    .reach
                    .sectors
                    .iter()
                    .any(|s| s.rate().is_some())
                    .then(|| {
                        view! {
                            <PercentBars
                                title="Acknowledgement rate by sector"
                                rows=r.reach.sectors.iter().map(|s| (s.label().to_string(), s.rate())).collect()
                            />
                        }
                    })}
            </section>

            <section aria-labelledby="board-movement">
                <h2 id="board-movement">"Engagement movement (SEAM)"</h2>
                <p>
                    {format!(
                        "{} closer to target, {} further away, {} added to the register; {} still below target. ",
                        plural(r.movement.improved() as u64, "contact moved", "contacts moved"),
                        r.movement.worsened(),
                        r.movement.added,
                        r.movement.below_target,
                    )} <a href=format!("/map?since={since}")>"See the moves on the map"</a> " · "
                    <a href="/engagement?below=1">"Who is below target"</a>
                </p>
                {(!r.movement.moves.is_empty())
                    .then(|| {
                        let more = r.movement.moves.len().saturating_sub(MOVES_SHOWN);
                        view! {
                            <table class="table">
                                <caption class="visually-hidden">
                                    "Contacts whose engagement moved this quarter"
                                </caption>
                                <thead>
                                    <tr>
                                        <th scope="col">"Contact"</th>
                                        <th scope="col">"Organisation"</th>
                                        <th scope="col">"From"</th>
                                        <th scope="col">"To"</th>
                                        <th scope="col">"Target"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {r
                                        .movement
                                        .moves
                                        .iter()
                                        .take(MOVES_SHOWN)
                                        .map(|m| {
                                            view! {
                                                <tr>
                                                    <th scope="row">
                                                        <a href=format!("/contacts/{}", m.contact)>{m.name.clone()}</a>
                                                    </th>
                                                    <td>{m.organisation.clone()}</td>
                                                    <td>{m.from.label()}</td>
                                                    <td>
                                                        {format!(
                                                            "{}{}",
                                                            m.to.label(),
                                                            if m.to > m.from { " (up)" } else { " (down)" },
                                                        )}
                                                    </td>
                                                    <td>{m.target.label()}</td>
                                                </tr>
                                            }
                                        })
                                        .collect_view()}
                                </tbody>
                            </table>
                            {(more > 0)
                                .then(|| {
                                    view! {
                                        <p>
                                            <a href=format!(
                                                "/map?since={since}",
                                            )>{format!("And {more} more: see the map")}</a>
                                        </p>
                                    }
                                })}
                        }
                    })}
            </section>

            <section aria-labelledby="board-workstreams">
                <h2 id="board-workstreams">"Workstreams"</h2>
                {r
                    .workstreams
                    .into_iter()
                    .map(|w| {
                        let start_rag = w.at_start;
                        let end_rag = w.at_end();
                        let label = w.name.clone();
                        view! {
                            <div class="board__workstream">
                                <h3>
                                    <a href=format!("/workstreams/{}", w.id)>{w.name.clone()}</a>
                                </h3>
                                <p>
                                    {format!(
                                        "{} at the start, {} at the end; {}.",
                                        start_rag.map(|r| r.label()).unwrap_or("No status"),
                                        end_rag.map(|r| r.label()).unwrap_or("no status"),
                                        plural(w.updates.len() as u64, "update", "updates"),
                                    )}
                                </p>
                                <RagTimeline
                                    updates=w.updates.clone()
                                    now=until
                                    label
                                    from=start_instant
                                    end_label=end_label.clone()
                                    initial=start_rag
                                />
                                <ul class="board__updates">
                                    {w
                                        .updates
                                        .iter()
                                        .map(|u| {
                                            view! {
                                                <li>
                                                    {format!(
                                                        "{}: {}. {}",
                                                        crate::domain::time::format_london(u.at),
                                                        u.rag.label(),
                                                        u.summary,
                                                    )}
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </div>
                        }
                    })
                    .collect_view()}
            </section>

            <section aria-labelledby="board-interactions">
                <h2 id="board-interactions">"Interactions logged"</h2>
                <table class="table">
                    <caption class="visually-hidden">"Interactions logged this quarter, by kind"</caption>
                    <thead>
                        <tr>
                            <th scope="col">"Kind"</th>
                            <th scope="col" class="table__numeric">
                                "Logged"
                            </th>
                        </tr>
                    </thead>
                    <tbody>
                        {r
                            .interactions
                            .iter()
                            .map(|(k, n)| {
                                view! {
                                    <tr>
                                        <th scope="row">{k.label()}</th>
                                        <td class="table__numeric">
                                            <a href=interactions_link(k.key())>{*n}</a>
                                        </td>
                                    </tr>
                                }
                            })
                            .collect_view()} <tr>
                            <th scope="row">"All"</th>
                            <td class="table__numeric">
                                <a href=all_interactions>{logged}</a>
                            </td>
                        </tr>
                    </tbody>
                </table>
            </section>

            <section aria-labelledby="board-overdue">
                <h2 id="board-overdue">"Follow-ups overdue"</h2>
                {if r.overdue.is_empty() {
                    view! { <p>"None: every follow-up due has been done."</p> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <caption class="visually-hidden">"Follow-ups past their date and not done"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"With"</th>
                                    <th scope="col">"Owner"</th>
                                    <th scope="col">"Due"</th>
                                    <th scope="col">"About"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {r
                                    .overdue
                                    .iter()
                                    .map(|o| {
                                        view! {
                                            <tr>
                                                <th scope="row">
                                                    <a href=o.href.clone()>{o.with.clone()}</a>
                                                </th>
                                                <td>{o.owner.clone()}</td>
                                                <td>{o.due.clone()}</td>
                                                <td>{o.summary.clone()}</td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    }
                        .into_any()
                }}
            </section>
        </article>
    }
}
