//! The page shown instead of content that could not be loaded: not found, not signed in, not
//! allowed, or broken, with the HTTP status set to match during server rendering.
use crate::domain::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundOrError(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = axum::http::StatusCode::from_u16(error.status()) {
            resp.set_status(status);
        }
    }
    let title = match error {
        AppError::NotFound(_) => "Page not found",
        AppError::Unauthenticated => "Sign in to continue",
        AppError::Forbidden => "You do not have permission to see this page",
        _ => "Sorry, there is a problem",
    };
    view! {
        <Title text=crate::components::layout::title_text(format!("{title} – Liaison")) />
        <h1>{title}</h1>
        <p>{error.to_string()}</p>
        <p>
            <a href="/">"Go to the start page"</a>
        </p>
    }
}
