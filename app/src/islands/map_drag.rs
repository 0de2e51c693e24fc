//! Dragging a person on the influence × interest map (pages/map.rs) onto another cell.
//!
//! The map is drawn by the server and handed to this island as its children, so none of its
//! drawing is compiled to WebAssembly. The island listens to the pointer on the whole map
//! (events bubble up from the SVG): which point was pressed (`data-contact`, `data-from`) and
//! over which cell it was let go (`data-cell`, the cells' targets that alone take the pointer
//! while dragging). It moves the person through `analysis/place` and loads the map again as a
//! cell's form does (`back`, with what moved: `moved_href`), so the server draws the map as it
//! now is and says what moved.
use crate::api::analysis::{moved_href, place_on_map};
use leptos::ev::PointerEvent;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

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

/// `back`: this map's address with its view and chosen cell.
#[island]
pub fn MapDrag(back: String, children: Children) -> impl IntoView {
    // Why the last move was refused.
    let refused = RwSignal::new(None::<String>);
    // The person being carried and the cell they came from ("4-3").
    let carried = StoredValue::new(None::<(String, String)>);
    let back = StoredValue::new(back);
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
            match place_on_map(id.clone(), influence, interest, String::new()).await {
                Ok(placed) => {
                    let _ = window()
                        .location()
                        .assign(&moved_href(&back.get_value(), &id, placed.from));
                }
                Err(e) => {
                    let text = if e.form_errors().is_some() {
                        "Influence and interest must each be a whole number from 1 to 5.".to_string()
                    } else {
                        e.to_string()
                    };
                    refused.set(Some(text));
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
        <div role="alert" class="map__status">
            {move || {
                refused
                    .get()
                    .map(|text| {
                        view! {
                            <div class="notice notice--error">
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
