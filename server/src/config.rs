//! Configuration: read once from the environment at start-up, typed, with no default secrets.
use anyhow::{bail, Context};
use app::backend::db::DbConfig;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Settings {
    /// Address the HTTP server listens on.
    pub bind: SocketAddr,
    /// Where on-disk state lives (the embedded database by default).
    pub data_dir: PathBuf,
    pub db: DbConfig,
    /// Load the demo programme into an empty database at start-up.
    pub seed_demo: bool,
    /// Directory holding the built site (`pkg/` with the WebAssembly, JS and CSS).
    pub site_root: String,
    pub log: String,
    /// The address people reach Liaison at (links in emails; allowed form origin; https here
    /// makes cookies Secure). Defaults to http://<bind address>.
    pub public_url: Option<String>,
    /// Days after which a workstream's status counts as stale on the overview.
    pub stale_days: u32,
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
            password: var("LIAISON_DB_PASS"),
        };
        Ok(Self {
            bind,
            data_dir,
            db,
            seed_demo: flag("LIAISON_SEED_DEMO", true)?,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            log: var("LIAISON_LOG").or_else(|| var("RUST_LOG")).unwrap_or_else(|| "info".into()),
            public_url: var("LIAISON_PUBLIC_URL").map(|u| u.trim_end_matches('/').to_string()),
            stale_days: match var("LIAISON_STALE_DAYS") {
                None => 14,
                Some(v) => v.parse().ok().filter(|d| *d > 0).with_context(|| format!("LIAISON_STALE_DAYS must be a whole number of days, not {v:?}"))?,
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
            site_root: "target/site".into(),
            log: "warn".into(),
            public_url: None,
            stale_days: 14,
        }
    }
}
