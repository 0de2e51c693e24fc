//! A notice: one line about what just happened ("Your changes were saved."), announced to
//! screen readers as a status (an error as an alert).
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Tone {
    #[default]
    Info,
    Success,
    Warning,
    Error,
}

#[component]
pub fn Notice(#[prop(optional)] tone: Tone, children: Children) -> impl IntoView {
    let (class, role) = match tone {
        Tone::Info => ("notice", "status"),
        Tone::Success => ("notice notice--success", "status"),
        Tone::Warning => ("notice notice--warning", "status"),
        Tone::Error => ("notice notice--error", "alert"),
    };
    view! {
        <div class=class role=role>
            <p>{children()}</p>
        </div>
    }
}
