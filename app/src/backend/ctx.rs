//! What every server function needs: the store, the caller, the authorisation check, and one
//! place that turns a failure into the response the caller should get.
use crate::backend::repo::audit::Actor;
use crate::backend::state::{AppState, RequestInfo};
use crate::backend::Store;
use crate::domain::policy::{authorize, Action, CurrentUser};
use crate::domain::AppError;
use axum::http::{header::ACCEPT, request::Parts, StatusCode};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;

/// A server function's view of the request: the store and the authorised caller.
pub struct Ctx {
    pub store: Store,
    pub user: CurrentUser,
    pub state: AppState,
}

impl Ctx {
    pub fn actor(&self) -> Actor {
        Actor::user(&self.user)
    }
}

pub fn state() -> Result<AppState, AppError> {
    finish(use_context::<AppState>().ok_or_else(|| AppError::Internal("no-state".into())))
}

/// The backend store, from the context the router provides to every request.
pub fn store() -> Result<Store, AppError> {
    state().map(|s| s.store)
}

/// What the session middleware resolved for this request (the page request during SSR, or
/// the server function's own request).
pub fn request_info() -> RequestInfo {
    use_context::<Parts>()
        .and_then(|p| p.extensions.get::<RequestInfo>().cloned())
        .unwrap_or_default()
}

pub fn caller() -> Option<CurrentUser> {
    request_info().user
}

/// The first line of every server function: may this caller do this? 401 or 403 otherwise.
pub fn authorized(action: Action) -> Result<Ctx, AppError> {
    let state = state()?;
    let user = finish(authorize(caller().as_ref(), &action).cloned())?;
    Ok(Ctx {
        store: state.store.clone(),
        user,
        state,
    })
}

/// True for a plain HTML form post (no JavaScript): the browser must get a redirect, with the
/// error carried in the URL by server_fn, not a 4xx status it would show as a blank page.
fn is_plain_form_post() -> bool {
    use_context::<Parts>()
        .and_then(|p| {
            p.headers
                .get(ACCEPT)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.contains("text/html"))
        })
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

/// The `version` a form carries back (read when the form was opened), for the lost-update
/// check; `what` names the record in the message.
pub fn form_version(raw: &str, what: &str) -> Result<u32, AppError> {
    raw.trim()
        .parse()
        .map_err(|_| AppError::Conflict(format!("The form is missing its version: open the {what} again.")))
}
