//! Signing in and out, and who is signed in.
use crate::domain::policy::CurrentUser;
use crate::domain::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use super::ctx::{caller, finish, request_info, state};

/// Where to go after signing in: a path on this site only (no `//host`, no scheme), so the
/// sign-in page cannot be used to redirect people elsewhere.
pub fn safe_next(next: &str) -> String {
    let ok = next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') && !next.starts_with("/sign-in");
    if ok {
        next.to_string()
    } else {
        "/".to_string()
    }
}

#[server(endpoint = "auth/sign-in")]
pub async fn sign_in(email: String, password: String, next: String) -> Result<(), AppError> {
    use crate::backend::auth::{sign_in as authenticate, SignInError};
    let state = state()?;
    let client = request_info().client;
    let values = std::collections::BTreeMap::from([("email".to_string(), email.clone())]);
    match authenticate(&state.store, &email, password, client).await {
        Ok(token) => {
            set_session_cookie(&token, state.web.secure_cookies);
            leptos_axum::redirect(&safe_next(&next));
            Ok(())
        }
        Err(SignInError::Refused) => finish(Err(AppError::Invalid(
            FormErrors::single("email", "Enter a correct email address and password").with_values(values),
        ))),
        Err(SignInError::Throttled) => finish(Err(AppError::TooManyRequests(
            "too many failed sign-in attempts. Wait 15 minutes, then try again.".into(),
        ))),
        Err(SignInError::Store(e)) => finish(Err(e)),
    }
}

#[server(endpoint = "auth/sign-out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = state()?;
    let info = request_info();
    if let Some(hash) = &info.session {
        finish(state.store.users().end_session(hash).await)?;
    }
    if let Some(user) = &info.user {
        let actor = crate::backend::repo::audit::Actor::user(user);
        finish(
            state
                .store
                .audit()
                .append(&actor, "sign-out", &format!("user:{}", user.id), "")
                .await,
        )?;
    }
    set_session_cookie("", state.web.secure_cookies);
    leptos_axum::redirect("/sign-in?signed_out=1");
    Ok(())
}

/// The signed-in user, or `None`. Anyone may ask.
#[server(endpoint = "auth/me")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(caller())
}

/// Whether any programme manager can sign in yet (the sign-in page explains the first-run
/// command when not).
#[server(endpoint = "auth/ready")]
pub async fn has_programme_manager() -> Result<bool, AppError> {
    let state = state()?;
    finish(state.store.users().count_active_managers().await.map(|n| n > 0))
}

/// An empty token clears the cookie. No Max-Age: the browser forgets it when closed, and the
/// server's sliding expiry decides how long an idle session lives.
#[cfg(feature = "ssr")]
fn set_session_cookie(token: &str, secure: bool) {
    use crate::backend::state::SESSION_COOKIE;
    use axum::http::{header::SET_COOKIE, HeaderValue};
    let mut cookie = format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    if token.is_empty() {
        cookie.push_str("; Max-Age=0");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    if let (Some(res), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        HeaderValue::from_str(&cookie),
    ) {
        res.append_header(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next("/organisations?q=a"), "/organisations?q=a");
        for bad in [
            "//evil.test/x",
            "https://evil.test",
            "/\\evil",
            "",
            "organisations",
            "/sign-in",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad}");
        }
    }
}
