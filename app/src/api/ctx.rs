//! What every server function needs: the application state, and one place that turns a
//! failure into the response the caller should get.
use crate::backend::state::AppState;
use crate::domain::AppError;
use axum::http::{header::ACCEPT, request::Parts, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// The backend store, from the context the router provides to every request.
pub fn store() -> Result<crate::backend::Store, AppError> {
    finish(use_context::<AppState>().map(|s| s.store.clone()).ok_or_else(|| AppError::Internal("no-state".into())))
}

/// True for a plain HTML form post (no JavaScript): the browser must get a redirect, with the
/// error carried in the URL by server_fn, not a 4xx status it would show as a blank page.
fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| p.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Maps a result's error to [`AppError`] and sets the HTTP status that goes with it
/// (401, 403, 404, 422, 409…) for programmatic callers.
pub fn finish<T, E: Into<AppError>>(result: Result<T, E>) -> Result<T, AppError> {
    result.map_err(|e| {
        let e: AppError = e.into();
        if !is_plain_form_post() {
            if let (Some(res), Ok(status)) = (use_context::<ResponseOptions>(), StatusCode::from_u16(e.status())) {
                res.set_status(status);
            }
        }
        e
    })
}
