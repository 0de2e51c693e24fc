//! The state every request can reach, and what the session middleware learns about a request.
use super::db::Store;
use crate::domain::policy::CurrentUser;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub web: WebConfig,
}

/// What the web layer needs to know about how it is reached.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// The address users reach Liaison at, e.g. `https://liaison.example.nhs.uk`; links in
    /// emails use it, and form posts must come from it (or from the address served).
    pub public_url: String,
    /// Mark cookies `Secure` (when the public address is https).
    pub secure_cookies: bool,
    /// A workstream whose latest status is older than this many days is shown as stale.
    pub stale_days: u32,
    /// Sender identity and link base of emails.
    pub identity: super::mail::render::MailIdentity,
    /// Signs and checks personal link tokens.
    pub key: super::tokens::TokenKey,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}

/// Put into each request's extensions by the session middleware; read by server functions
/// and pages through `api::ctx`.
#[derive(Clone, Debug, Default)]
pub struct RequestInfo {
    pub user: Option<CurrentUser>,
    /// The session token's hash, for signing out.
    pub session: Option<String>,
    /// The peer address, for sign-in throttling.
    pub client: Option<std::net::IpAddr>,
}

pub const SESSION_COOKIE: &str = "liaison_session";
