//! The SurrealDB connection: embedded SurrealKV on disk, in memory for tests, or a remote
//! server over WebSocket — one code path (`engine::any`), chosen by the URL.
use super::error::StoreError;
use super::migrations;
use std::time::Duration;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::Root;
use surrealdb::Surreal;

/// Where the database is and how to reach it. Credentials are only used for remote servers.
#[derive(Clone)]
pub struct DbConfig {
    pub url: String,
    pub namespace: String,
    pub database: String,
    pub username: Option<String>,
    pub password: Option<String>,
}

impl std::fmt::Debug for DbConfig {
    // The password never reaches a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DbConfig")
            .field("url", &self.url)
            .field("namespace", &self.namespace)
            .field("database", &self.database)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl DbConfig {
    pub fn memory() -> Self {
        Self {
            url: "mem://".into(),
            namespace: "liaison".into(),
            database: "main".into(),
            username: None,
            password: None,
        }
    }

    fn is_remote(&self) -> bool {
        ["ws://", "wss://", "http://", "https://"]
            .iter()
            .any(|p| self.url.starts_with(p))
    }
}

/// The application's handle on the database. Cheap to clone: clones share the connection
/// and the in-memory register view.
#[derive(Clone)]
pub struct Store {
    db: Surreal<Any>,
    register: std::sync::Arc<super::register_view::RegisterCache>,
    reports: std::sync::Arc<super::freshness::ReportCache>,
}

impl Store {
    /// Connects, selects the namespace and database (creating them on a remote server, which
    /// SurrealDB 3 does not do implicitly) and applies pending migrations.
    pub async fn open(config: &DbConfig) -> Result<Self, StoreError> {
        let db = any::connect(config.url.as_str()).await?;
        if config.is_remote() {
            if let (Some(u), Some(p)) = (&config.username, &config.password) {
                db.signin(Root {
                    username: u.clone(),
                    password: p.clone(),
                })
                .await?;
            }
            // DEFINE takes identifiers, not parameters: both names are checked to be plain
            // identifiers (config, not user input) before they are put in the statement.
            let ns = identifier(&config.namespace)?;
            let dbn = identifier(&config.database)?;
            db.query(format!("DEFINE NAMESPACE IF NOT EXISTS {ns}"))
                .await?
                .check()?;
            db.use_ns(ns.to_string()).await?;
            db.query(format!("DEFINE DATABASE IF NOT EXISTS {dbn}"))
                .await?
                .check()?;
        }
        db.use_ns(config.namespace.clone())
            .use_db(config.database.clone())
            .await?;
        let store = Self {
            db,
            // A remote server may be written by other processes: see `register_view`.
            register: std::sync::Arc::new(super::register_view::RegisterCache::new(config.is_remote())),
            reports: std::sync::Arc::new(super::freshness::ReportCache::new(config.is_remote())),
        };
        migrations::apply(&store).await?;
        Ok(store)
    }

    pub fn db(&self) -> &Surreal<Any> {
        &self.db
    }

    pub(crate) fn register_cache(&self) -> &super::register_view::RegisterCache {
        &self.register
    }

    pub(crate) fn register_cache_arc(&self) -> std::sync::Arc<super::register_view::RegisterCache> {
        self.register.clone()
    }

    pub(crate) fn report_cache_arc(&self) -> std::sync::Arc<super::freshness::ReportCache> {
        self.reports.clone()
    }

    pub fn organisations(&self) -> super::repo::organisations::Organisations<'_> {
        super::repo::organisations::Organisations::new(self)
    }

    pub fn contacts(&self) -> super::repo::contacts::Contacts<'_> {
        super::repo::contacts::Contacts::new(self)
    }

    pub fn users(&self) -> super::repo::users::Users<'_> {
        super::repo::users::Users::new(self)
    }

    pub fn audit(&self) -> super::repo::audit::Audit<'_> {
        super::repo::audit::Audit::new(self)
    }

    pub fn workstreams(&self) -> super::repo::workstreams::Workstreams<'_> {
        super::repo::workstreams::Workstreams::new(self)
    }

    pub fn deliveries(&self) -> super::repo::deliveries::Deliveries<'_> {
        super::repo::deliveries::Deliveries::new(self)
    }

    pub fn segments(&self) -> super::repo::segments::Segments<'_> {
        super::repo::segments::Segments::new(self)
    }

    pub fn briefings(&self) -> super::repo::briefings::Briefings<'_> {
        super::repo::briefings::Briefings::new(self)
    }

    pub fn interactions(&self) -> super::repo::interactions::Interactions<'_> {
        super::repo::interactions::Interactions::new(self)
    }

    pub fn inbound(&self) -> super::repo::inbound::Inbound<'_> {
        super::repo::inbound::Inbound::new(self)
    }

    pub fn imports(&self) -> super::repo::imports::Imports<'_> {
        super::repo::imports::Imports::new(self)
    }

    pub fn plan(&self) -> super::repo::plan::Plan<'_> {
        super::repo::plan::Plan::new(self)
    }

    pub fn throttle(&self) -> super::repo::throttle::Throttle<'_> {
        super::repo::throttle::Throttle::new(self)
    }

    pub fn accounts(&self) -> super::repo::accounts::Accounts<'_> {
        super::repo::accounts::Accounts::new(self)
    }

    pub fn send_control(&self) -> super::repo::send_control::SendControl<'_> {
        super::repo::send_control::SendControl::new(self)
    }
}

fn identifier(name: &str) -> Result<&str, StoreError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(name)
    } else {
        Err(StoreError::Refused(format!(
            "{name:?} is not a valid namespace or database name"
        )))
    }
}

static CONFLICT_RETRIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many times this process has re-run a transaction after a write conflict (the benchmark
/// reports it).
pub fn conflict_retries() -> u64 {
    CONFLICT_RETRIES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `op` again when SurrealKV reports an optimistic-transaction write conflict, a bounded
/// number of times with a growing, jittered pause. Any other error is returned at once.
pub async fn retry_conflicts<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, StoreError>>,
{
    let mut attempt = 0u32;
    loop {
        match op().await {
            Err(e) if e.is_retryable() && attempt < 8 => {
                attempt += 1;
                CONFLICT_RETRIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // 4 ms, 8 ms, … 512 ms (plus jitter): conflicts between the dispatcher's claim
                // and its recorder clear within milliseconds, so the first pauses are short.
                let base = 2u64 << attempt;
                let jitter = rand::random::<u64>() % base;
                tokio::time::sleep(Duration::from_millis(base + jitter)).await;
            }
            other => return other,
        }
    }
}
