//! Configuration: read once from the environment at start-up, typed, with no default secrets.
use anyhow::{bail, Context};
use app::backend::db::DbConfig;
use app::backend::mail::transport::{SmtpConfig, TlsMode};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Where on-disk state lives (the embedded database by default).
    pub data_dir: PathBuf,
    pub db: DbConfig,
    /// Whether the demo programme was asked for: `LIAISON_SEED_DEMO`, or by default the
    /// development run (a debug build: `cargo leptos watch/serve`). Even then it is only
    /// loaded into a database with no users and no organisations, and never behind https
    /// (`seed::demo_refusal`).
    pub seed_demo: bool,
    /// Use the in-process development mail sink when no relay is configured. Asked for with
    /// `LIAISON_DEV_MAIL=true` (the development run's default), allowed by default only when the
    /// public URL is not https; otherwise a missing relay stops start-up.
    pub dev_mail: bool,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers name the real client
    /// (`LIAISON_TRUSTED_PROXIES`: addresses or CIDR ranges, comma-separated).
    pub trusted_proxies: Vec<app::backend::net::IpRange>,
    /// Directory holding the built site (`pkg/` with the WebAssembly, JS and CSS).
    pub site_root: String,
    pub log: String,
    /// The address people reach Liaison at (links in emails; allowed form origin; https here
    /// makes cookies Secure). Defaults to http://<bind address>.
    pub public_url: Option<String>,
    /// Days after which a workstream's status counts as stale on the overview.
    pub stale_days: u32,
    /// `LIAISON_RETENTION_YEARS`: contacts with no delivery or interaction for this long are
    /// listed for review (3).
    pub retention_years: u32,
    /// The SMTP relay. `None`: development mail (only where `dev_mail` allows it) — an SMTP
    /// server inside the process that keeps what it receives, readable by programme managers
    /// at /dev/mail.
    pub smtp: Option<SmtpConfig>,
    pub mail_from: String,
    pub mail_reply_to: Option<String>,
    /// DKIM signing, when a key is configured.
    pub dkim: Option<DkimSettings>,
    /// Secret for personal link tokens; `None`: kept in `<data dir>/secret.key`, created on
    /// first start. Every process on one database must share it.
    pub secret_key: Option<String>,
    /// Run the dispatcher and scheduler in this process.
    pub workers: bool,
    /// `LIAISON_PAGE_CACHE`: keep rendered pages per person until something changes (see
    /// `page_cache`); never on a shared database.
    pub page_cache: bool,
    pub max_attempts: u32,
    /// `LIAISON_SEND_WINDOW`: the hours (UK time) briefings go out; `None` for any time.
    pub send_window: Option<app::domain::sending::SendWindow>,
    /// `LIAISON_INBOUND_BIND`: where the inbound SMTP listener (bounces, replies) listens;
    /// `None`: no listener.
    pub inbound_bind: Option<SocketAddr>,
    /// `LIAISON_INBOUND_MAX_BYTES`: the largest inbound message accepted (10 MB).
    pub inbound_max_bytes: usize,
    /// `LIAISON_INBOUND_TLS_CERT` and `LIAISON_INBOUND_TLS_KEY` (PEM): the listener offers
    /// STARTTLS with them.
    pub inbound_tls: Option<(PathBuf, PathBuf)>,
    /// The mailbox polled for bounces and replies (`LIAISON_INBOUND_IMAP_*`); `None`: none.
    pub inbound_imap: Option<app::backend::inbound::imap::ImapConfig>,
    /// `LIAISON_BOUNCE_ADDRESS`: the envelope sender of briefings, in its VERP form
    /// (`bounces+<delivery>@…`); `None`: the From address, and bounces are matched by the
    /// Message-ID they quote.
    pub bounce_address: Option<String>,
}

/// `LIAISON_DKIM_KEY_FILE` (PKCS#1 PEM for RSA; base64 of the 32-byte seed for Ed25519),
/// `LIAISON_DKIM_SELECTOR`, `LIAISON_DKIM_ALGORITHM` (rsa, the default, or ed25519) and
/// `LIAISON_DKIM_DOMAIN` (default: the domain of LIAISON_MAIL_FROM).
#[derive(Debug, Clone)]
pub struct DkimSettings {
    pub key_file: PathBuf,
    pub selector: String,
    pub ed25519: bool,
    pub domain: Option<String>,
}

fn dkim_from_env() -> anyhow::Result<Option<DkimSettings>> {
    let Some(key_file) = var("LIAISON_DKIM_KEY_FILE") else {
        return Ok(None);
    };
    let selector = var("LIAISON_DKIM_SELECTOR")
        .context("LIAISON_DKIM_KEY_FILE is set: set LIAISON_DKIM_SELECTOR to the selector published in DNS too")?;
    let ed25519 = match var("LIAISON_DKIM_ALGORITHM")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("rsa") => false,
        Some("ed25519") => true,
        Some(other) => bail!("LIAISON_DKIM_ALGORITHM must be rsa or ed25519, not {other:?}"),
    };
    Ok(Some(DkimSettings {
        key_file: PathBuf::from(key_file),
        selector,
        ed25519,
        domain: var("LIAISON_DKIM_DOMAIN"),
    }))
}

/// The relay from `LIAISON_SMTP_*`, or `None` when no host is set.
fn smtp_from_env() -> anyhow::Result<Option<SmtpConfig>> {
    let Some(host) = var("LIAISON_SMTP_HOST") else {
        return Ok(None);
    };
    let tls =
        TlsMode::parse(&var("LIAISON_SMTP_TLS").unwrap_or_else(|| "starttls".into())).map_err(anyhow::Error::msg)?;
    let username = var("LIAISON_SMTP_USER");
    // Credentials over plain SMTP cross the network in clear text: only to this machine.
    if tls == TlsMode::None && username.is_some() && !is_loopback_host(&host) {
        bail!(
            "LIAISON_SMTP_TLS=none would send LIAISON_SMTP_USER's password in clear text to {host}: \
             use starttls or tls, or a relay on this machine (localhost)"
        );
    }
    Ok(Some(SmtpConfig {
        host,
        port: number("LIAISON_SMTP_PORT", 587)?,
        tls,
        username,
        password: var("LIAISON_SMTP_PASS"),
        connections: number("LIAISON_SMTP_CONNECTIONS", 8)?,
        rate: var("LIAISON_SMTP_RATE")
            .map(|v| app::domain::sending::SendRate::parse(&v).map_err(|e| anyhow::anyhow!("LIAISON_SMTP_RATE: {e}")))
            .transpose()?,
        timeout: Duration::from_secs(30),
    }))
}

/// `LIAISON_INBOUND_IMAP_HOST` and the rest: the mailbox Liaison polls for bounces and replies.
fn imap_from_env() -> anyhow::Result<Option<app::backend::inbound::imap::ImapConfig>> {
    let Some(host) = var("LIAISON_INBOUND_IMAP_HOST") else {
        return Ok(None);
    };
    let tls = match var("LIAISON_INBOUND_IMAP_TLS")
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("tls") => true,
        Some("none") => false,
        Some(other) => bail!("LIAISON_INBOUND_IMAP_TLS must be tls or none, not {other:?}"),
    };
    if !tls && !is_loopback_host(&host) {
        bail!("LIAISON_INBOUND_IMAP_TLS=none sends the mailbox password in clear: allowed only for an IMAP server on this machine");
    }
    let username = var("LIAISON_INBOUND_IMAP_USER").context(
        "LIAISON_INBOUND_IMAP_HOST is set: set LIAISON_INBOUND_IMAP_USER (and LIAISON_INBOUND_IMAP_PASS) too",
    )?;
    let password = var("LIAISON_INBOUND_IMAP_PASS").context("set LIAISON_INBOUND_IMAP_PASS, the mailbox's password")?;
    Ok(Some(app::backend::inbound::imap::ImapConfig {
        port: number("LIAISON_INBOUND_IMAP_PORT", if tls { 993 } else { 143 })?,
        host,
        tls,
        username,
        password,
        folder: var("LIAISON_INBOUND_IMAP_FOLDER").unwrap_or_else(|| "INBOX".into()),
        done_folder: var("LIAISON_INBOUND_IMAP_DONE_FOLDER").unwrap_or_else(|| "Liaison processed".into()),
        every: Duration::from_secs(number("LIAISON_INBOUND_IMAP_EVERY", 60u64)?.max(5)),
        timeout: Duration::from_secs(60),
    }))
}

fn is_loopback_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The development run: a debug build, which is what `cargo leptos watch` and `cargo leptos
/// serve` (without `--release`) build and start. cargo-leptos 0.3.6 passes no environment of
/// its own that tells development from production (`LEPTOS_WATCH` is set by `watch` only), so
/// the build profile decides: a release build, the only kind the README tells anyone to deploy,
/// is never the development run.
pub fn is_development_run() -> bool {
    cfg!(debug_assertions) || flag("LEPTOS_WATCH", false).unwrap_or(false)
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn flag(name: &str, default: bool) -> anyhow::Result<bool> {
    match var(name).as_deref().map(str::to_ascii_lowercase).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => bail!("{name} must be true or false, not {other:?}"),
    }
}

/// A secret given directly (`NAME`) or, for secrets managers and container secrets, as a file
/// holding it (`NAME_FILE`; one trailing newline is not part of the secret). Not both: which one
/// wins would be a guess.
fn secret(name: &str) -> anyhow::Result<Option<String>> {
    let file_var = format!("{name}_FILE");
    match (var(name), var(&file_var)) {
        (Some(_), Some(_)) => bail!("set {name} or {file_var}, not both"),
        (Some(v), None) => Ok(Some(v)),
        (None, Some(path)) => {
            let text =
                std::fs::read_to_string(&path).with_context(|| format!("{file_var}: cannot read the file {path:?}"))?;
            let value = text.strip_suffix('\n').unwrap_or(&text);
            let value = value.strip_suffix('\r').unwrap_or(value);
            if value.is_empty() {
                bail!("{file_var}: the file {path:?} is empty");
            }
            Ok(Some(value.to_string()))
        }
        (None, None) => Ok(None),
    }
}

fn number<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse()
            .map_err(|_| anyhow::anyhow!("{name} must be a number, not {v:?}")),
    }
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        // cargo-leptos passes the address it was configured with as LEPTOS_SITE_ADDR.
        let bind = var("LIAISON_BIND")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let bind: SocketAddr = bind
            .parse()
            .with_context(|| format!("LIAISON_BIND must be an address like 127.0.0.1:3000, not {bind:?}"))?;
        let data_dir = PathBuf::from(var("LIAISON_DATA_DIR").unwrap_or_else(|| "data".into()));
        let url = match var("LIAISON_DATABASE_URL") {
            Some(url) => url,
            None => format!("surrealkv://{}", data_dir.join("db").display()),
        };
        let db = DbConfig {
            url,
            namespace: var("LIAISON_DB_NAMESPACE").unwrap_or_else(|| "liaison".into()),
            database: var("LIAISON_DB_DATABASE").unwrap_or_else(|| "main".into()),
            username: var("LIAISON_DB_USER"),
            password: secret("LIAISON_DB_PASS")?,
            user_level: match var("LIAISON_DB_USER_LEVEL") {
                None => Default::default(),
                Some(v) => v.parse().map_err(|e| anyhow::anyhow!("LIAISON_DB_USER_LEVEL {e}"))?,
            },
        };
        let public_url = var("LIAISON_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string());
        let https = public_url
            .as_deref()
            .is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        let dev_run = is_development_run();
        let smtp = smtp_from_env()?;
        let dev_mail = flag("LIAISON_DEV_MAIL", dev_run || !https)?;
        if smtp.is_none() && !dev_mail {
            bail!(
                "no SMTP relay is configured: set LIAISON_SMTP_HOST (and LIAISON_SMTP_PORT, LIAISON_SMTP_TLS, \
                 LIAISON_SMTP_USER, LIAISON_SMTP_PASS). The development mail sink, which delivers nothing, is only \
                 used when LIAISON_DEV_MAIL=true or when LIAISON_PUBLIC_URL is not https."
            );
        }
        Ok(Self {
            bind,
            data_dir,
            db,
            seed_demo: flag("LIAISON_SEED_DEMO", dev_run)?,
            dev_mail,
            trusted_proxies: match var("LIAISON_TRUSTED_PROXIES") {
                None => Vec::new(),
                Some(list) => app::backend::net::IpRange::parse_list(&list)
                    .map_err(|e| anyhow::anyhow!("LIAISON_TRUSTED_PROXIES: {e}"))?,
            },
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            log: var("LIAISON_LOG")
                .or_else(|| var("RUST_LOG"))
                .unwrap_or_else(|| "info".into()),
            public_url,
            smtp,
            mail_from: var("LIAISON_MAIL_FROM")
                .unwrap_or_else(|| "Regional ACP Programme <programme@liaison.example.org>".into()),
            mail_reply_to: var("LIAISON_MAIL_REPLY_TO"),
            dkim: dkim_from_env()?,
            secret_key: var("LIAISON_SECRET_KEY"),
            workers: flag("LIAISON_WORKERS", true)?,
            page_cache: flag("LIAISON_PAGE_CACHE", true)?,
            max_attempts: number("LIAISON_SMTP_MAX_ATTEMPTS", 8)?,
            send_window: var("LIAISON_SEND_WINDOW")
                .map(|v| {
                    app::domain::sending::SendWindow::parse(&v).map_err(|e| anyhow::anyhow!("LIAISON_SEND_WINDOW: {e}"))
                })
                .transpose()?,
            inbound_bind: var("LIAISON_INBOUND_BIND")
                .map(|b| {
                    b.parse()
                        .with_context(|| format!("LIAISON_INBOUND_BIND must be an address like 0.0.0.0:2525, not {b:?}"))
                })
                .transpose()?,
            inbound_max_bytes: number("LIAISON_INBOUND_MAX_BYTES", 10 * 1024 * 1024)?,
            inbound_imap: imap_from_env()?,
            inbound_tls: match (var("LIAISON_INBOUND_TLS_CERT"), var("LIAISON_INBOUND_TLS_KEY")) {
                (Some(c), Some(k)) => Some((PathBuf::from(c), PathBuf::from(k))),
                (None, None) => None,
                _ => bail!("set both LIAISON_INBOUND_TLS_CERT and LIAISON_INBOUND_TLS_KEY (PEM files) for STARTTLS, or neither"),
            },
            retention_years: match number("LIAISON_RETENTION_YEARS", 3u32)? {
                0 => bail!("LIAISON_RETENTION_YEARS must be at least 1"),
                y => y,
            },
            bounce_address: var("LIAISON_BOUNCE_ADDRESS")
                .map(|a| {
                    a.parse::<lettre::Address>()
                        .map(|_| a.trim().to_string())
                        .with_context(|| format!("LIAISON_BOUNCE_ADDRESS must be an address like bounces@liaison.example.nhs.uk, not {a:?}"))
                })
                .transpose()?,
            stale_days: match var("LIAISON_STALE_DAYS") {
                None => 14,
                Some(v) => v
                    .parse()
                    .ok()
                    .filter(|d| *d > 0)
                    .with_context(|| format!("LIAISON_STALE_DAYS must be a whole number of days, not {v:?}"))?,
            },
        })
    }

    /// For tests: an in-memory database, a random port, no demo data.
    pub fn for_tests() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            data_dir: std::env::temp_dir(),
            db: DbConfig::memory(),
            seed_demo: false,
            dev_mail: true,
            trusted_proxies: Vec::new(),
            site_root: "target/site".into(),
            log: "warn".into(),
            public_url: None,
            stale_days: 14,
            retention_years: 3,
            smtp: None,
            mail_from: "Programme Team <programme@liaison.example.org>".into(),
            mail_reply_to: Some("replies@liaison.example.org".into()),
            dkim: None,
            secret_key: None,
            workers: true,
            page_cache: true,
            max_attempts: 4,
            send_window: None,
            inbound_bind: None,
            inbound_max_bytes: 10 * 1024 * 1024,
            inbound_imap: None,
            inbound_tls: None,
            bounce_address: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback_host;

    #[test]
    fn only_this_machine_counts_as_loopback() {
        for host in ["localhost", "127.0.0.1", "::1", "[::1]", "LOCALHOST"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["smtp.office365.com", "10.0.0.5", "127.0.0.1.evil.test"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
