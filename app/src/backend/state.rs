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
    /// Contacts with no delivery or interaction for this many years are listed for review.
    pub retention_years: u32,
    /// Sender identity and link base of emails.
    pub identity: super::mail::render::MailIdentity,
    /// Signs and checks personal link tokens.
    pub key: super::tokens::TokenKey,
    /// Proxies whose forwarding headers name the client (`LIAISON_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<super::net::IpRange>,
    /// The dispatcher's sending rate and window, for what a briefing's page says of them.
    pub send_rate: Option<crate::domain::sending::SendRate>,
    pub send_window: Option<crate::domain::sending::SendWindow>,
}

impl WebConfig {
    /// The session cookie's name: on https the `__Host-` prefix makes browsers refuse it unless
    /// it is Secure, has `Path=/` and no Domain, so a sibling subdomain cannot plant or shadow it.
    pub fn session_cookie(&self) -> &'static str {
        if self.secure_cookies {
            SESSION_COOKIE_SECURE
        } else {
            SESSION_COOKIE
        }
    }
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
    /// The client address (the peer, or the client a trusted proxy names), for sign-in
    /// throttling.
    pub client: Option<std::net::IpAddr>,
}

pub const SESSION_COOKIE: &str = "liaison_session";
pub const SESSION_COOKIE_SECURE: &str = "__Host-liaison_session";
