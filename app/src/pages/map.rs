//! The influence × interest map: the 5 × 5 grid with its four quadrants, the number of contacts
//! in each cell (counted, not piled up), and arrows for how they moved since a chosen date.
//! Server-rendered SVG, so it reads without JavaScript, with a table of the same numbers.
use crate::api::analysis::{map_of_contacts, MapView};
use crate::api::register::ContactQuery;
use crate::components::loaded::Loaded;
use crate::domain::stakeholder_map::{quadrant, Cell};
use crate::domain::Quadrant;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Drawing: each cell is `CELL` units square; axis labels sit in the margins.
const CELL: f64 = 72.0;
const LEFT: f64 = 70.0;
const TOP: f64 = 10.0;
const GRID: f64 = CELL * 5.0;

/// The centre of a cell: interest runs left to right, influence bottom to top.
fn centre((influence, interest): Cell) -> (f64, f64) {
    let x = LEFT + (f64::from(interest) - 0.5) * CELL;
    let y = TOP + (5.5 - f64::from(influence)) * CELL;
    (x, y)
}

#[component]
pub fn MapPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                ContactQuery::from_params(|k| q.get(k)),
                q.get("since").unwrap_or_default(),
            )
        })
    };
    let data = Resource::new(params, |(q, since)| map_of_contacts(q, since));
    view! {
        <Title text="Influence and interest map – Liaison"/>
        <h1>"Influence and interest map"</h1>
        <p class="lede">"Where the contacts stand by influence and interest, and how they moved since a date you choose. The contacts list's filters work here too."</p>
        <Loaded resource=data let:map>
            {map_view(params().0, map)}
        </Loaded>
    }
}

fn map_view(q: ContactQuery, v: MapView) -> impl IntoView {
    let filters = crate::pages::contacts::view_query(&q);
    let hidden = q
        .to_params()
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && *k != "page")
        .map(|(k, v)| view! { <input type="hidden" name=k value=v/> })
        .collect_view();
    let map = v.map;
    let max = map.cells.values().copied().max().unwrap_or(1).max(1);
    let max_move = map.moves.iter().map(|m| m.2).max().unwrap_or(1).max(1);
    let moved: u32 = map.moves.iter().map(|m| m.2).sum();
    let since = v.since.clone().unwrap_or_default();
    let summary = format!(
        "{} contact{} on the map{}",
        map.total,
        if map.total == 1 { "" } else { "s" },
        v.since
            .as_ref()
            .map(|d| format!("; {moved} moved since {d}"))
            .unwrap_or_default()
    );
    // Quadrant areas: high is 3 or more, so the low band is two cells wide.
    let low = f64::from(Quadrant::HIGH - 1) * CELL;
    let quadrants = [
        (Quadrant::KeepSatisfied, LEFT, TOP, low, GRID - low),
        (Quadrant::ManageClosely, LEFT + low, TOP, GRID - low, GRID - low),
        (Quadrant::Monitor, LEFT, TOP + GRID - low, low, low),
        (Quadrant::KeepInformed, LEFT + low, TOP + GRID - low, GRID - low, low),
    ];
    view! {
        <form method="get" action="/map" class="inline-form" aria-label="Map">
            {hidden}
            <div class="form-group">
                <label class="label" for="map-since">"Show moves since"</label>
                <input class="input" id="map-since" name="since" type="date" value=since/>
            </div>
            <div class="form-group"><button class="button button--secondary" type="submit">"Show"</button></div>
        </form>
        <p><a href=format!("/contacts?{filters}")>"Change the filters on the contacts list"</a></p>
        <p class="caption" role="status">{summary.clone()}</p>
        <svg class="map" viewBox=format!("0 0 {} {}", LEFT + GRID + 10.0, TOP + GRID + 60.0) role="img" aria-labelledby="map-title map-desc">
            <title id="map-title">"Influence and interest map"</title>
            <desc id="map-desc">{format!("{summary}. The table below gives the same numbers.")}</desc>
            <defs>
                <marker id="map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="map__arrowhead"/>
                </marker>
            </defs>
            {quadrants.into_iter().map(|(q, x, y, w, h)| view! {
                <rect class=format!("map__quadrant map__quadrant--{}", q.key()) x=x y=y width=w height=h/>
                <text class="map__quadrant-label" x=x + 6.0 y=y + 16.0>{q.label()}</text>
            }).collect_view()}
            {(1..=5u8).map(|i| {
                let (_, y) = centre((i, 1));
                let (x, _) = centre((1, i));
                view! {
                    <text class="map__tick" x=LEFT - 10.0 y=y + 4.0 text-anchor="end">{i}</text>
                    <text class="map__tick" x=x y=TOP + GRID + 18.0 text-anchor="middle">{i}</text>
                }
            }).collect_view()}
            <text class="map__axis" x=LEFT + GRID / 2.0 y=TOP + GRID + 44.0 text-anchor="middle">"Interest"</text>
            <text class="map__axis" x=18.0 y=TOP + GRID / 2.0 text-anchor="middle" transform=format!("rotate(-90 18 {})", TOP + GRID / 2.0)>"Influence"</text>
            {map.moves.iter().map(|(from, to, n)| {
                let ((x1, y1), (x2, y2)) = (centre(*from), centre(*to));
                // Stop short of the target's centre, so the head shows beside its count.
                let (dx, dy) = (x2 - x1, y2 - y1);
                let len = (dx * dx + dy * dy).sqrt().max(1.0);
                let (x2, y2) = (x2 - dx / len * 22.0, y2 - dy / len * 22.0);
                let width = 1.5 + 4.0 * f64::from(*n) / f64::from(max_move);
                view! {
                    <line class="map__move" x1=x1 y1=y1 x2=x2 y2=y2 stroke-width=width marker-end="url(#map-arrow)">
                        <title>{move_text(*from, *to, *n)}</title>
                    </line>
                }
            }).collect_view()}
            {crate::domain::stakeholder_map::all_cells().filter(|c| map.count(*c) > 0).map(|c| {
                let n = map.count(c);
                let (x, y) = centre(c);
                let r = 9.0 + 21.0 * (f64::from(n) / f64::from(max)).sqrt();
                view! {
                    <circle class="map__point" cx=x cy=y r=r/>
                    <text class="map__count" x=x y=y + 4.0 text-anchor="middle">{n}</text>
                }
            }).collect_view()}
        </svg>
        <h2>"The map as a table"</h2>
        <div class="table-wrap" role="region" aria-label="Contacts by influence and interest" tabindex="0">
            <table class="table">
                <caption>"Contacts by influence (rows) and interest (columns)"</caption>
                <thead><tr>
                    <td></td>
                    {(1..=5u8).map(|i| view! { <th scope="col" class="table__numeric">{format!("Interest {i}")}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {(1..=5u8).rev().map(|inf| view! {
                        <tr>
                            <th scope="row">{format!("Influence {inf}")}</th>
                            {(1..=5u8).map(|int| view! {
                                <td class="table__numeric">{map.count((inf, int))}</td>
                            }).collect_view()}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <h2>"By quadrant"</h2>
        <ul>
            {map.by_quadrant().into_iter().map(|(quadrant, n)| {
                // The same view of the register, narrowed to the quadrant.
                let narrowed = ContactQuery { quadrant: Some(quadrant), page: 1, ..q.clone() };
                let href = format!("/contacts?{}", crate::pages::contacts::view_query(&narrowed));
                view! { <li><a href=href>{quadrant.label()}</a>{format!(": {n}")}</li> }
            }).collect_view()}
        </ul>
        {v.since.map(|d| view! {
            <h2>{format!("Moves since {d}")}</h2>
            {if map.moves.is_empty() {
                view! { <p>"Nobody moved."</p> }.into_any()
            } else {
                view! {
                    <ul>{map.moves.iter().map(|(f, t, n)| view! { <li>{move_text(*f, *t, *n)}</li> }).collect_view()}</ul>
                }.into_any()
            }}
        })}
        <p class="hint">"To move someone, change their influence or interest on their page (Edit contact): every change is recorded in their history and audited."</p>
    }
}

fn move_text(from: Cell, to: Cell, n: u32) -> String {
    format!(
        "{n} contact{} from influence {}, interest {} ({}) to influence {}, interest {} ({})",
        if n == 1 { "" } else { "s" },
        from.0,
        from.1,
        quadrant(from).label().to_lowercase(),
        to.0,
        to.1,
        quadrant(to).label().to_lowercase()
    )
}
