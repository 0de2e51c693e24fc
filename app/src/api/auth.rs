//! Signing in and out, and who is signed in.
#[cfg(feature = "ssr")]
use crate::domain::audit::AuditAction;
use crate::domain::policy::CurrentUser;
use crate::domain::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use crate::backend::ctx::{caller, finish, request_info, state};

/// Where to go after signing in: a path on this site only, so the sign-in page cannot be used
/// to send people elsewhere. Only visible ASCII is accepted (browsers silently drop tabs and
/// line breaks, which turned `/\t/evil.test` into `//evil.test`, and a line break in a
/// `Location` header cannot be sent at all); the path must start with one `/` that no `/` or
/// `\\` (written or percent-encoded) follows, and contain no backslash anywhere.
pub fn safe_next(next: &str) -> String {
    let visible_ascii = next.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let rest = next.strip_prefix('/');
    let lower = next.to_ascii_lowercase();
    let ok = visible_ascii
        && rest.is_some_and(|r| !r.starts_with('/') && !r.starts_with('\\'))
        && !next.contains('\\')
        && !lower.starts_with("/%2f")
        && !lower.starts_with("/%5c")
        && !lower.contains("%0a")
        && !lower.contains("%0d")
        && !lower.contains("%09")
        && !next.starts_with("/sign-in");
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
            set_session_cookie(&token, &state.web);
            leptos_axum::redirect(&safe_next(&next));
            Ok(())
        }
        Err(SignInError::Refused) => finish(Err(AppError::Invalid(
            FormErrors::single("email", "Enter a correct email address and password").with_values(values),
        ))),
        Err(SignInError::Throttled) => finish(Err(AppError::TooManyRequests(
            "too many failed sign-in attempts. Wait 15 minutes, then try again.".into(),
        ))),
        Err(SignInError::Busy) => finish(Err(AppError::TooManyRequests(
            "Liaison is busy checking other sign-ins. Wait a moment, then try again.".into(),
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
                .append(&actor, AuditAction::SignOut, &format!("user:{}", user.id), "")
                .await,
        )?;
    }
    set_session_cookie("", &state.web);
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
fn set_session_cookie(token: &str, web: &crate::backend::state::WebConfig) {
    use axum::http::{header::SET_COOKIE, HeaderValue};
    let secure = web.secure_cookies;
    let mut cookie = format!("{}={token}; Path=/; HttpOnly; SameSite=Lax", web.session_cookie());
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
        for good in [
            "/organisations?q=a",
            "/contacts/c1",
            "/",
            "/plan#week-2",
            "/briefings?state=sent&page=2",
        ] {
            assert_eq!(safe_next(good), good);
        }
        for bad in [
            "//evil.test/x",
            "https://evil.test",
            "/\\evil",
            "\\/evil.test",
            "",
            "organisations",
            "/sign-in",
            "/\t/evil.test",
            "/\t\t/evil.test",
            "\t//evil.test",
            "/\r\n/evil.test",
            "/ok\nLocation: https://evil.test",
            "/ok\r",
            "/%2F/evil.test",
            "/%2f%2fevil.test",
            "/%5C/evil.test",
            "/x%0d%0aSet-Cookie:a=b",
            "javascript:alert(1)",
            "/ /evil.test",
            "/caf\u{e9}",
            " /evil",
            "/x\\y",
        ] {
            assert_eq!(safe_next(bad), "/", "{bad:?}");
        }
    }

    /// Every short string over an alphabet of the characters that matter either stays a
    /// same-site path (one leading slash, nothing that browsers strip or turn into a slash) or
    /// becomes "/".
    #[test]
    fn fuzzed_next_values_never_leave_the_site() {
        let alphabet = [
            '/', '\\', '\t', '\r', '\n', ' ', '%', '2', 'f', 'F', '5', 'c', ':', 'a', '.', '@', '?', '#',
        ];
        let mut inputs = vec![String::new()];
        for _ in 0..4 {
            inputs = inputs
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            for input in &inputs {
                let out = safe_next(input);
                let bytes = out.as_bytes();
                assert!(bytes.first() == Some(&b'/'), "{input:?} -> {out:?}");
                assert!(
                    out == "/" || (bytes.get(1) != Some(&b'/') && !out.contains('\\')),
                    "{input:?} -> {out:?}"
                );
                assert!(out.bytes().all(|b| (0x21..=0x7e).contains(&b)), "{input:?} -> {out:?}");
                assert!(!out.to_ascii_lowercase().starts_with("/%2f") && !out.to_ascii_lowercase().starts_with("/%5c"));
            }
        }
    }
}
