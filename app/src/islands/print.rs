//! The board report's print button.
use leptos::prelude::*;

/// Prints the page. Without JavaScript the button does nothing and the hint beside it says how.
#[island]
pub fn PrintButton() -> impl IntoView {
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <button type="button" class="button button--secondary board__print" on:click=print>
            "Print or save as PDF"
        </button>
    }
}
