//! Dragging a person on the influence × interest map (pages/map.rs) onto another cell.
//!
//! The map is drawn by the server and handed to this island as its children, so none of its
//! drawing is compiled to WebAssembly. The island listens to the pointer on the whole map
//! (events bubble up from the SVG): which point was pressed (`data-contact`, `data-from`) and
//! over which cell it was let go (`data-cell`, the cells' targets that alone take the pointer
//! while dragging). It moves the person through `analysis/place` and loads the page again, so
//! the server draws the map as it now is; the sentence saying what moved waits in the tab's
//! session storage over that reload.
use crate::api::analysis::{place_on_map, Placed};
use crate::domain::stakeholder_map::quadrant;
use leptos::ev::PointerEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Where the sentence waits over the reload.
const SAID_KEY: &str = "liaison.map.moved";

pub fn placed_text(p: &Placed) -> String {
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

/// The element the pointer event happened on, or its nearest ancestor, matching `selector`.
fn hit(ev: &PointerEvent, selector: &str) -> Option<web_sys::Element> {
    ev.target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .closest(selector)
        .ok()?
}

/// Drops the dragging look wherever the pointer went.
fn let_go(ev: &PointerEvent) {
    let Some(map) = ev.current_target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) else {
        return;
    };
    if let Ok(Some(svg)) = map.query_selector("svg.map") {
        let _ = svg.class_list().remove_1("map--dragging");
    }
    if let Ok(Some(point)) = map.query_selector(".map__person--carried") {
        let _ = point.class_list().remove_1("map__person--carried");
    }
}

fn session_storage() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

#[island]
pub fn MapDrag(children: Children) -> impl IntoView {
    // What the last move did, or why it was refused: (refused, sentence).
    let said = RwSignal::new(None::<(bool, String)>);
    // The person being carried and the cell they came from ("4-3").
    let carried = StoredValue::new(None::<(String, String)>);
    Effect::new(move |_| {
        if let Some(store) = session_storage() {
            if let Ok(Some(text)) = store.get_item(SAID_KEY) {
                let _ = store.remove_item(SAID_KEY);
                said.set(Some((false, text)));
            }
        }
    });
    let press = move |ev: PointerEvent| {
        let Some(point) = hit(&ev, "circle.map__person--movable[data-contact]") else {
            return;
        };
        // No text selection or native drag while a point is carried; a touch would otherwise
        // keep the pointer captured by the point, and the cell under the finger never hear it.
        ev.prevent_default();
        let _ = point.release_pointer_capture(ev.pointer_id());
        let (Some(id), Some(from)) = (point.get_attribute("data-contact"), point.get_attribute("data-from")) else {
            return;
        };
        carried.set_value(Some((id, from)));
        let _ = point.class_list().add_1("map__person--carried");
        if let Ok(Some(svg)) = point.closest("svg.map") {
            let _ = svg.class_list().add_1("map--dragging");
        }
    };
    let release = move |ev: PointerEvent| {
        let Some((id, from)) = carried.get_value() else {
            return;
        };
        carried.set_value(None);
        let to = hit(&ev, "rect[data-cell]").and_then(|r| r.get_attribute("data-cell"));
        let_go(&ev);
        let Some((influence, interest)) = to
            .filter(|to| *to != from)
            .and_then(|to| to.split_once('-').map(|(i, n)| (i.to_string(), n.to_string())))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            match place_on_map(id, influence, interest).await {
                Ok(placed) => {
                    if let Some(store) = session_storage() {
                        let _ = store.set_item(SAID_KEY, &placed_text(&placed));
                    }
                    let _ = window().location().reload();
                }
                Err(e) => {
                    let text = if e.form_errors().is_some() {
                        "Influence and interest must each be a whole number from 1 to 5.".to_string()
                    } else {
                        e.to_string()
                    };
                    said.set(Some((true, text)));
                }
            }
        });
    };
    let cancel = move |ev: PointerEvent| {
        if carried.get_value().is_some() {
            carried.set_value(None);
            let_go(&ev);
        }
    };
    view! {
        <div role="status" class="map__status">
            {move || {
                said.get()
                    .map(|(refused, text)| {
                        let class = if refused { "notice notice--error" } else { "notice notice--success" };
                        view! {
                            <div class=class>
                                <p>{text}</p>
                            </div>
                        }
                    })
            }}
        </div>
        <div class="map-drag" on:pointerdown=press on:pointerup=release on:pointercancel=cancel on:pointerleave=cancel>
            {children()}
        </div>
    }
}
