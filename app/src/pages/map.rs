//! The influence × interest map: the 5 × 5 grid with its four quadrants, the number of contacts
//! in each cell (counted, not piled up), and arrows for how they moved since a chosen date.
//! Server-rendered SVG, so it reads without JavaScript, with a table of the same numbers.
//!
//! Moving people: choosing a cell (its number in the table) lists its people, each with a form
//! to move them (no JavaScript needed), and draws them one by one in their cell; with
//! JavaScript, dragging one of those points onto another cell moves them (islands/map_drag.rs).
use crate::api::analysis::{map_of_contacts, ChosenCell, MapView, PlaceOnMap, Placed};
use crate::api::register::ContactQuery;
use crate::components::loaded::Loaded;
use crate::components::url::{link_with, query_string};
use crate::domain::stakeholder_map::{cell_key, quadrant, Cell};
use crate::domain::Quadrant;
use crate::islands::map_drag::MapDrag;
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

/// How many people of a chosen cell are drawn in it as points (5 × 5 of them fit a cell).
const DRAWN_AT_MOST: usize = 25;

#[component]
pub fn MapPage() -> impl IntoView {
    let query = use_query_map();
    let params = move || {
        query.with(|q| {
            (
                ContactQuery::from_params(|k| q.get(k)),
                q.get("since").unwrap_or_default(),
                q.get("cell").unwrap_or_default(),
                (q.get("moved").unwrap_or_default(), q.get("from").unwrap_or_default()),
            )
        })
    };
    let place = ServerAction::<PlaceOnMap>::new();
    let data = Resource::new(
        move || (params(), place.version().get()),
        |((q, since, cell, (moved, from)), _)| map_of_contacts(q, since, cell, moved, from),
    );
    view! {
        <Title text="Influence and interest map – Liaison" />
        <h1>"Influence and interest map"</h1>
        <p class="lede">
            "Where the contacts stand by influence and interest, and how they moved since a date you choose. The contacts list's filters work here too."
        </p>
        <Loaded resource=data let:map>
            {map_view(params().0, map, place)}
        </Loaded>
    }
}

/// `/map` with the view's (already encoded) parameters and, when given, a chosen cell with its
/// list in view.
fn map_href(base_query: &str, cell: Option<Cell>) -> String {
    match cell {
        Some(c) => format!("{}#cell-people", link_with("/map", base_query, "cell", &cell_key(c))),
        None => link_with("/map", base_query, "cell", ""),
    }
}

fn placed_text(p: &Placed) -> String {
    format!(
        "Moved {} from influence {}, interest {} to influence {}, interest {} ({}).",
        p.name,
        p.from.0,
        p.from.1,
        p.to.0,
        p.to.1,
        quadrant(p.to).label().to_lowercase()
    )
}

/// What the last move did (the map is loaded again after one, see `moved_href`), or why a
/// cell's form was refused (as the server answered the post).
fn move_status(moved: Option<Placed>, place: ServerAction<PlaceOnMap>) -> impl IntoView {
    let refused = move || {
        place.value().get().and_then(|r| r.err()).map(|e| {
            let text = if e.form_errors().is_some() {
                "Influence and interest must each be a whole number from 1 to 5.".to_string()
            } else {
                e.to_string()
            };
            view! {
                <div class="notice notice--error">
                    <p>{text}</p>
                </div>
            }
        })
    };
    view! {
        <div role="status" class="map__status">
            {moved
                .map(|p| {
                    view! {
                        <div class="notice notice--success">
                            <p>{placed_text(&p)}</p>
                        </div>
                    }
                })}
            {refused}
        </div>
    }
}

fn map_view(q: ContactQuery, v: MapView, place: ServerAction<PlaceOnMap>) -> impl IntoView {
    let filters = crate::pages::contacts::view_query(&q);
    // The view's filters (the contacts list's, without its page): kept by the "since" form
    // and, with the date, by every link of this view.
    let view_params: Vec<(&'static str, String)> = q
        .to_params()
        .into_iter()
        .filter(|(k, v)| !v.is_empty() && *k != "page")
        .collect();
    let base_query = query_string(
        &view_params
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .chain(v.since.as_deref().map(|d| ("since", d)))
            .collect::<Vec<_>>(),
    );
    let hidden = view_params
        .into_iter()
        .map(|(k, v)| view! { <input type="hidden" name=k value=v /> })
        .collect_view();
    let may_move = v.may_move;
    let unchosen_href = map_href(&base_query, None);
    let chosen = v.chosen;
    // This view with its chosen cell: where a move comes back to.
    let back = chosen
        .as_ref()
        .map(|c| link_with("/map", &base_query, "cell", &cell_key(c.cell)))
        .unwrap_or_else(|| unchosen_href.clone());
    let chosen_cell = chosen.as_ref().map(|c| c.cell);
    let points = chosen.clone().map(|c| people_points(c, may_move));
    let map = v.map;
    // The drawing goes into the drag island's children (a closure that owns what it draws).
    let rest = map.clone();
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
        {move_status(v.moved, place)}
        <form method="get" action="/map" class="inline-form" aria-label="Map">
            {hidden}
            <div class="form-group">
                <label class="label" for="map-since">
                    "Show moves since"
                </label>
                <input class="input" id="map-since" name="since" type="date" value=since />
            </div>
            <div class="form-group">
                <button class="button button--secondary" type="submit">
                    "Show"
                </button>
            </div>
        </form>
        <p>
            <a href=format!("/contacts?{filters}")>"Change the filters on the contacts list"</a>
        </p>
        <p class="caption" role="status">
            {summary.clone()}
        </p>
        <MapDrag back=back.clone()>
            <svg
                class="map"
                viewBox=format!("0 0 {} {}", LEFT + GRID + 10.0, TOP + GRID + 60.0)
                role="img"
                aria-labelledby="map-title map-desc"
            >
                <title id="map-title">"Influence and interest map"</title>
                <desc id="map-desc">{format!("{summary}. The table below gives the same numbers.")}</desc>
                <defs>
                    <marker
                        id="map-arrow"
                        viewBox="0 0 10 10"
                        refX="9"
                        refY="5"
                        markerWidth="6"
                        markerHeight="6"
                        orient="auto-start-reverse"
                    >
                        <path d="M 0 0 L 10 5 L 0 10 z" class="map__arrowhead" />
                    </marker>
                </defs>
                {quadrants
                    .into_iter()
                    .map(|(q, x, y, w, h)| {
                        view! {
                            <rect class=format!("map__quadrant map__quadrant--{}", q.key()) x=x y=y width=w height=h />
                            <text class="map__quadrant-label" x=x + 6.0 y=y + 16.0>
                                {q.label()}
                            </text>
                        }
                    })
                    .collect_view()}
                {(1..=5u8)
                    .map(|i| {
                        let (_, y) = centre((i, 1));
                        let (x, _) = centre((1, i));
                        view! {
                            <text class="map__tick" x=LEFT - 10.0 y=y + 4.0 text-anchor="end">
                                {i}
                            </text>
                            <text class="map__tick" x=x y=TOP + GRID + 18.0 text-anchor="middle">
                                {i}
                            </text>
                        }
                    })
                    .collect_view()}
                <text class="map__axis" x=LEFT + GRID / 2.0 y=TOP + GRID + 44.0 text-anchor="middle">
                    "Interest"
                </text>
                <text
                    class="map__axis"
                    x=18.0
                    y=TOP + GRID / 2.0
                    text-anchor="middle"
                    transform=format!("rotate(-90 18 {})", TOP + GRID / 2.0)
                >
                    "Influence"
                </text>
                // One target per cell for a dragged point (see the map's style: while dragging, only
                // these take the pointer).
                {crate::domain::stakeholder_map::all_cells()
                    .map(|c| {
                        let (x, y) = centre(c);
                        let half = CELL / 2.0;
                        view! {
                            <rect
                                class=if chosen_cell == Some(c) { "map__cell map__cell--chosen" } else { "map__cell" }
                                data-cell=cell_key(c)
                                x=x - half
                                y=y - half
                                width=CELL
                                height=CELL
                            />
                        }
                    })
                    .collect_view()}
                {map
                    .moves
                    .iter()
                    .map(|(from, to, n)| {
                        let ((x1, y1), (x2, y2)) = (centre(*from), centre(*to));
                        let (dx, dy) = (x2 - x1, y2 - y1);
                        let len = (dx * dx + dy * dy).sqrt().max(1.0);
                        let (x2, y2) = (x2 - dx / len * 22.0, y2 - dy / len * 22.0);
                        let width = 1.5 + 4.0 * f64::from(*n) / f64::from(max_move);
                        // Stop short of the target's centre, so the head shows beside its count.
                        view! {
                            <line
                                class="map__move"
                                x1=x1
                                y1=y1
                                x2=x2
                                y2=y2
                                stroke-width=width
                                marker-end="url(#map-arrow)"
                            >
                                <title>{move_text(*from, *to, *n)}</title>
                            </line>
                        }
                    })
                    .collect_view()}
                {crate::domain::stakeholder_map::all_cells()
                    .filter(|c| map.count(*c) > 0 && chosen_cell != Some(*c))
                    .map(|c| {
                        let n = map.count(c);
                        let (x, y) = centre(c);
                        let r = 9.0 + 21.0 * (f64::from(n) / f64::from(max)).sqrt();
                        view! {
                            <circle class="map__point" cx=x cy=y r=r />
                            <text class="map__count" x=x y=y + 4.0 text-anchor="middle">
                                {n}
                            </text>
                        }
                    })
                    .collect_view()}
                {points}
            </svg>
        </MapDrag>
        <h2>"The map as a table"</h2>
        <div class="table-wrap" role="region" aria-label="Contacts by influence and interest" tabindex="0">
            <table class="table">
                <caption>"Contacts by influence (rows) and interest (columns)"</caption>
                <thead>
                    <tr>
                        <td></td>
                        {(1..=5u8)
                            .map(|i| {
                                view! {
                                    <th scope="col" class="table__numeric">
                                        {format!("Interest {i}")}
                                    </th>
                                }
                            })
                            .collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {(1..=5u8)
                        .rev()
                        .map(|inf| {
                            view! {
                                <tr>
                                    <th scope="row">{format!("Influence {inf}")}</th>
                                    {(1..=5u8)
                                        .map(|int| {
                                            let n = rest.count((inf, int));
                                            let label = format!(
                                                "{n}: list the contacts at influence {inf}, interest {int}",
                                            );
                                            view! {
                                                <td class="table__numeric">
                                                    {if n == 0 {
                                                        view! { "0" }.into_any()
                                                    } else {
                                                        view! {
                                                            <a
                                                                href=map_href(&base_query, Some((inf, int)))
                                                                aria-label=label
                                                            >
                                                                {n}
                                                            </a>
                                                        }
                                                            .into_any()
                                                    }}
                                                </td>
                                            }
                                        })
                                        .collect_view()}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
        {chosen.map(|chosen| people_list(chosen, may_move, place, unchosen_href, back))}
        <h2>"By quadrant"</h2>
        <ul>
            {rest
                .by_quadrant()
                .into_iter()
                .map(|(quadrant, n)| {
                    let narrowed = ContactQuery {
                        quadrant: Some(quadrant),
                        page: 1,
                        ..q.clone()
                    };
                    let href = format!("/contacts?{}", crate::pages::contacts::view_query(&narrowed));
                    // The same view of the register, narrowed to the quadrant.
                    view! {
                        <li>
                            <a href=href>{quadrant.label()}</a>
                            {format!(": {n}")}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {v
            .since
            .map(|d| {
                view! {
                    <h2>{format!("Moves since {d}")}</h2>
                    {if rest.moves.is_empty() {
                        view! { <p>"Nobody moved."</p> }.into_any()
                    } else {
                        view! {
                            <ul>
                                {rest
                                    .moves
                                    .iter()
                                    .map(|(f, t, n)| view! { <li>{move_text(*f, *t, *n)}</li> })
                                    .collect_view()}
                            </ul>
                        }
                            .into_any()
                    }}
                }
            })}
        <p class="hint">
            "To move someone, choose the number of their cell in the table: its people are listed with a form to move each, and drawn in their cell, where (with JavaScript) they can be dragged to another cell. Their Edit page changes the scores too. Every change is recorded in their history and audited."
        </p>
    }
}

/// The chosen cell's people as points in a 5 × 5 arrangement inside it, each draggable
/// (with JavaScript, by the map's island) onto another cell by someone who may move them.
fn people_points(chosen: ChosenCell, may_move: bool) -> impl IntoView {
    let (cx, cy) = centre(chosen.cell);
    let step = CELL / 6.0;
    let cell = chosen.cell;
    chosen
        .people
        .into_iter()
        .take(DRAWN_AT_MOST)
        .enumerate()
        .map(|(i, p)| {
            let (row, col) = (i / 5, i % 5);
            let x = cx + (col as f64 - 2.0) * step;
            let y = cy + (row as f64 - 2.0) * step;
            let title = format!("{}, {}", p.name, p.organisation);
            let class = if may_move {
                "map__person map__person--movable"
            } else {
                "map__person"
            };
            view! {
                <circle class=class data-contact=p.id data-from=cell_key(cell) cx=x cy=y r=5.0>
                    <title>{title}</title>
                </circle>
            }
        })
        .collect_view()
}

/// The chosen cell's people, each with a form to move them (works without JavaScript).
fn people_list(
    chosen: ChosenCell,
    may_move: bool,
    place: ServerAction<PlaceOnMap>,
    unchosen_href: String,
    back: String,
) -> impl IntoView {
    let (inf, int) = chosen.cell;
    let listed = chosen.people.len();
    let heading = format!(
        "Influence {inf}, interest {int} ({}): {} contact{}",
        quadrant(chosen.cell).label().to_lowercase(),
        chosen.total,
        if chosen.total == 1 { "" } else { "s" }
    );
    let drawn = listed.min(DRAWN_AT_MOST);
    let note = if usize::try_from(chosen.total).unwrap_or(usize::MAX) > listed {
        format!("The first {listed} are listed (narrow the filters for the others); the first {drawn} are drawn in their cell.")
    } else if listed > drawn {
        format!("The first {drawn} are drawn in their cell.")
    } else if may_move {
        "Each is drawn in the cell: with JavaScript, drag one onto another cell to move them, or use the form beside their name.".to_string()
    } else {
        String::new()
    };
    let score_options = move |current: u8| {
        (1..=5u8)
            .map(|v| {
                view! {
                    <option value=v.to_string() selected=v == current>
                        {v}
                    </option>
                }
            })
            .collect_view()
    };
    view! {
        <h2 id="cell-people">{heading}</h2>
        <p>
            <a href=unchosen_href>"Close this list"</a>
            {(!note.is_empty()).then(|| format!(" {note}"))}
        </p>
        <div class="table-wrap" role="region" aria-labelledby="cell-people" tabindex="0">
            <table class="table">
                <caption class="visually-hidden">"The contacts in the chosen cell"</caption>
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Organisation"</th>
                        {may_move.then(|| view! { <th scope="col">"Move to"</th> })}
                    </tr>
                </thead>
                <tbody>
                    {chosen
                        .people
                        .into_iter()
                        .map(|p| {
                            let (inf_id, int_id) = (format!("inf-{}", p.id), format!("int-{}", p.id));
                            let back = back.clone();
                            view! {
                                <tr>
                                    <td>
                                        <a href=format!("/contacts/{}", p.id)>{p.name.clone()}</a>
                                    </td>
                                    <td>{p.organisation.clone()}</td>
                                    {may_move
                                        .then(|| {
                                            view! {
                                                <td>
                                                    <ActionForm action=place attr:class="map__move-form">
                                                        <input type="hidden" name="id" value=p.id.clone() />
                                                        <input type="hidden" name="next" value=back.clone() />
                                                        <label class="map__move-label" for=inf_id.clone()>
                                                            "Influence"
                                                            <span class="visually-hidden">
                                                                {format!(" of {}", p.name)}
                                                            </span>
                                                        </label>
                                                        <select class="select" id=inf_id name="influence">
                                                            {score_options(inf)}
                                                        </select>
                                                        <label class="map__move-label" for=int_id.clone()>
                                                            "Interest"
                                                            <span class="visually-hidden">
                                                                {format!(" of {}", p.name)}
                                                            </span>
                                                        </label>
                                                        <select class="select" id=int_id name="interest">
                                                            {score_options(int)}
                                                        </select>
                                                        <button class="button button--secondary" type="submit">
                                                            "Move"
                                                            <span class="visually-hidden">
                                                                {format!(" {}", p.name)}
                                                            </span>
                                                        </button>
                                                    </ActionForm>
                                                </td>
                                            }
                                        })}
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
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
