//! Request guards in front of every route: the cross-site request check, and the session
//! (who is calling), which pages and server functions then read from the request.
use app::backend::auth::{looks_like_token, token_hash};
use app::backend::net::client_address;
use app::backend::state::{AppState, RequestInfo};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::SocketAddr;
use std::sync::Arc;

/// What the guard needs: the application, and the kept pages it may answer from before it
/// reads the session (`None` when pages are not kept).
#[derive(Clone)]
pub struct Guard {
    pub state: AppState,
    pub pages: Option<Arc<crate::page_cache::PageCache>>,
}

/// Paths an anonymous visitor may open: the sign-in page, static files, the health check,
/// server functions (which refuse on their own with 401), and the pages that an emailed token
/// opens.
fn is_public(path: &str) -> bool {
    path == "/sign-in"
        || path == "/forgot-password"
        || path == "/health"
        || path == "/favicon.ico"
        || [
            "/pkg/",
            "/api/",
            "/ack/",
            "/unsubscribe/",
            "/invitation/",
            "/reset-password/",
        ]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Against DNS rebinding (a page on another site whose name the attacker points at this
/// machine): a request must name Liaison's public host, `localhost`, or an IP address. An IP
/// address cannot be rebound, and is what a reverse proxy or a health probe usually sends.
fn host_allowed(host: Option<&str>, public_url: &str) -> bool {
    let Some(host) = host else {
        // HTTP/1.0 without Host: no browser sends that, so no page can be behind it.
        return true;
    };
    let name = strip_port(host);
    if name.eq_ignore_ascii_case("localhost") || name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let public = public_url.split_once("://").map(|(_, rest)| rest).unwrap_or(public_url);
    let public = public.split('/').next().unwrap_or(public);
    name.eq_ignore_ascii_case(strip_port(public))
}

/// `host:port`, `[v6]:port`, `[v6]` or `host` without the port (and brackets).
fn strip_port(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match authority.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && !name.contains(':') => name,
        _ => authority,
    }
}

/// A path with the token of a personal link (`/ack/<token>`, `/unsubscribe/<token>`,
/// `/invitation/<token>`, `/reset-password/<token>`) cut off, for the log.
fn redact_token(path: &str) -> String {
    for prefix in ["/ack/", "/unsubscribe/", "/invitation/", "/reset-password/"] {
        if path.starts_with(prefix) {
            return format!("{prefix}…");
        }
    }
    path.to_string()
}

/// Paths served without reading the session: the health check and the built assets.
fn is_sessionless(path: &str) -> bool {
    path == "/health" || path == "/favicon.ico" || path.starts_with("/pkg/")
}

/// Endpoints that are posted to from outside a page of ours by design: RFC 8058 one-click
/// unsubscribe is posted by mail providers. They authenticate by their token, not a cookie.
fn is_cross_site_by_design(path: &str) -> bool {
    path.starts_with("/unsubscribe/")
}

fn cookie<'a>(req: &'a Request, name: &str) -> Option<&'a str> {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A state-changing request must come from one of our own pages. Browsers send `Origin` on
/// every POST (form posts included); where it is missing (old browsers, non-browser clients)
/// `Sec-Fetch-Site`, when present, must not say another site sent it.
fn same_origin(req: &Request, public_url: &str) -> bool {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    match req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        Some(origin) => {
            let origin = origin.trim_end_matches('/');
            let authority = origin.split_once("://").map(|(_, a)| a);
            origin.eq_ignore_ascii_case(public_url.trim_end_matches('/')) || (authority.is_some() && authority == host)
        }
        None => !matches!(
            req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()),
            Some("cross-site" | "same-site")
        ),
    }
}

pub async fn guard(State(Guard { state, pages }): State<Guard>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host_allowed(host, &state.web.public_url) {
        tracing::warn!(host = ?host, "refused a request for another host name");
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "This is not the address Liaison is served at. Use the address in LIAISON_PUBLIC_URL.",
        )
            .into_response();
    }
    let safe_method = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe_method && !is_cross_site_by_design(&path) && !same_origin(&req, &state.web.public_url) {
        // Personal-link paths carry a token: it is never written to the log.
        tracing::warn!(path = %redact_token(&path), "refused a cross-site request");
        return (
            StatusCode::FORBIDDEN,
            "Refused: this request did not come from a Liaison page.",
        )
            .into_response();
    }

    // The built assets need no database: served whatever its state. An embedded database
    // cannot go away: no probe runs for it, and its requests need no watch.
    if path.starts_with("/pkg/") || !state.store.is_remote() {
        return signed_in_part(state, pages, req, next, &path, safe_method).await;
    }
    // A remote database that does not answer: say so at once rather than hold the request
    // until the SDK has reconnected.
    let store = state.store.clone();
    if !store.reachability().reachable() {
        return database_away(safe_method);
    }
    tokio::select! {
        res = signed_in_part(state, pages, req, next, &path, safe_method) => {
            // A request that failed while the database was away failed because of it: the
            // person is told that, not given an error reference to report.
            if res.status() == StatusCode::INTERNAL_SERVER_ERROR && !store.reachability().reachable() {
                database_away(safe_method)
            } else {
                res
            }
        }
        // The SDK holds queries while it reconnects: a request caught by an outage (in its
        // session lookup or its own work) would hang until the server is back. It ends when
        // the probe notices instead.
        _ = store.reachability().lost() => database_away(safe_method),
        _ = tokio::time::sleep(REQUEST_LIMIT) => {
            tracing::error!(path = %redact_token(&path), "a request took longer than {} s", REQUEST_LIMIT.as_secs());
            database_away(safe_method)
        }
    }
}

/// The session (who is calling) and the sign-in redirect, then the route itself.
async fn signed_in_part(
    state: AppState,
    pages: Option<Arc<crate::page_cache::PageCache>>,
    mut req: Request,
    next: Next,
    path: &str,
    safe_method: bool,
) -> Response {
    // The health check and static files never look at the session: no database read for them.
    if is_sessionless(path) {
        let mut res = next.run(req).await;
        if let Some(v) = crate::assets::cache_control(path) {
            res.headers_mut().insert(header::CACHE_CONTROL, v);
        }
        return res;
    }
    let session = cookie(&req, state.web.session_cookie())
        .filter(|t| looks_like_token(t))
        .map(token_hash);
    // A page kept for this session needs no session lookup (see `page_cache` for why).
    if let (Some(pages), Some(hash)) = (&pages, &session) {
        if let Some(res) = pages.kept(hash, &req) {
            return res;
        }
    }
    let user = match &session {
        Some(hash) => match state.store.users().session_user(hash, chrono::Utc::now()).await {
            Ok(user) => user,
            Err(e) => {
                // Not "signed out": the database failed. Sending the person to the sign-in page
                // would only fail again there.
                tracing::error!(error = %e, "session lookup failed");
                return database_away(safe_method);
            }
        },
        None => None,
    };
    let signed_in = user.is_some();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let client = peer.map(|peer| {
        let values = |name| {
            req.headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
        };
        client_address(
            peer,
            &state.web.trusted_proxies,
            &values("x-forwarded-for"),
            &values("forwarded"),
        )
    });
    req.extensions_mut().insert(RequestInfo { user, session, client });

    if !signed_in && safe_method && !is_public(path) {
        let target = req.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
        let next: String = url_encode(target);
        return Redirect::to(&format!("/sign-in?next={next}")).into_response();
    }
    next.run(req).await
}

/// The longest any request on a remote database may take (a 10 MB import commit takes a few
/// seconds). Past it the request is abandoned: every write is one transaction, so nothing is
/// left half-written.
const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(60);

/// 503 with what happened and what to do. A change sent as the database went away may still
/// be applied when it is back (the SDK sends what it holds once it has reconnected), so the
/// person is asked to look before sending it again.
fn database_away(safe_method: bool) -> Response {
    let message = if safe_method {
        "Liaison cannot reach its database just now. It reconnects by itself: try again in a minute. \
         Nothing saved before this is lost."
    } else {
        "Liaison cannot reach its database just now, so this may not have been saved. It reconnects \
         by itself: in a minute, check whether your change is there before making it again."
    };
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::RETRY_AFTER, "5"), (header::CACHE_CONTROL, "no-store")],
        message,
    )
        .into_response()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn post(origin: Option<&str>, fetch_site: Option<&str>) -> Request {
        let mut b = Request::builder()
            .method("POST")
            .uri("/api/x")
            .header("host", "127.0.0.1:3000");
        if let Some(o) = origin {
            b = b.header("origin", o);
        }
        if let Some(f) = fetch_site {
            b = b.header("sec-fetch-site", f);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn origin_must_match_host_or_public_url() {
        let public = "https://liaison.example.org";
        assert!(same_origin(&post(Some("http://127.0.0.1:3000"), None), public));
        assert!(same_origin(&post(Some("https://liaison.example.org"), None), public));
        assert!(!same_origin(&post(Some("https://evil.test"), None), public));
        assert!(!same_origin(&post(Some("null"), None), public));
        assert!(same_origin(&post(None, None), public));
        assert!(same_origin(&post(None, Some("same-origin")), public));
        assert!(!same_origin(&post(None, Some("cross-site")), public));
    }

    #[test]
    fn only_our_host_names_and_ip_addresses_are_served() {
        let public = "https://liaison.example.nhs.uk";
        for ok in [
            Some("liaison.example.nhs.uk"),
            Some("LIAISON.example.nhs.uk:443"),
            Some("127.0.0.1:3000"),
            Some("localhost:3000"),
            Some("[::1]:3000"),
            Some("10.0.0.7"),
            None,
        ] {
            assert!(host_allowed(ok, public), "{ok:?}");
        }
        for bad in [
            "evil.test",
            "evil.test:3000",
            "liaison.example.nhs.uk.evil.test",
            "127.0.0.1.nip.io:3000",
        ] {
            assert!(!host_allowed(Some(bad), public), "{bad}");
        }
        assert!(host_allowed(Some("127.0.0.1:3000"), "http://127.0.0.1:3000"));
    }

    #[test]
    fn tokens_never_reach_the_log() {
        assert_eq!(redact_token("/ack/abc.def"), "/ack/…");
        assert_eq!(redact_token("/reset-password/secret"), "/reset-password/…");
        assert_eq!(redact_token("/organisations"), "/organisations");
    }

    #[test]
    fn only_entry_pages_are_public() {
        assert!(is_public("/sign-in") && is_public("/pkg/liaison.wasm") && is_public("/api/auth/sign-in"));
        assert!(!is_public("/organisations") && !is_public("/") && !is_public("/users"));
    }
}
