//! The SurrealDB connection: embedded SurrealKV on disk, in memory for tests, or a remote
//! server over WebSocket — one code path (`engine::any`), chosen by the URL.
use super::error::StoreError;
use super::migrations;
use std::time::Duration;
use surrealdb::engine::any::{self, Any};
use surrealdb::opt::auth::{Database, Namespace, Root};
use surrealdb::Surreal;

/// Where the database is and how to reach it. Credentials are only used for remote servers.
#[derive(Clone)]
pub struct DbConfig {
    pub url: String,
    pub namespace: String,
    pub database: String,
    pub username: Option<String>,
    pub password: Option<String>,
    /// At which level `username` is defined on the server.
    pub user_level: UserLevel,
}

/// Where a SurrealDB user is defined (`DEFINE USER … ON ROOT | NAMESPACE | DATABASE`). A root
/// user may create the namespace and database; a namespace or database user (the least
/// privilege: `ROLES EDITOR` on Liaison's database is enough to apply migrations and run) finds
/// them already defined by the server's administrator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum UserLevel {
    #[default]
    Root,
    Namespace,
    Database,
}

impl std::str::FromStr for UserLevel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "root" => Ok(Self::Root),
            "namespace" | "ns" => Ok(Self::Namespace),
            "database" | "db" => Ok(Self::Database),
            other => Err(format!("must be root, namespace or database, not {other:?}")),
        }
    }
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
            user_level: UserLevel::Root,
        }
    }

    pub fn is_remote(&self) -> bool {
        ["ws://", "wss://", "http://", "https://"]
            .iter()
            .any(|p| self.url.starts_with(p))
    }
}

/// The application's handle on the database. Cheap to clone: clones share the connection
/// and the in-memory register view.
#[derive(Clone)]
pub struct Store {
    /// Shared, not cloned: cloning a `Surreal` handle opens a new session on the server (SDK 3),
    /// which on a remote server starts without the sign-in (queries are then refused with
    /// "Method not allowed") and costs a round trip for every clone.
    db: std::sync::Arc<Surreal<Any>>,
    register: std::sync::Arc<super::register_view::RegisterCache>,
    reports: std::sync::Arc<super::freshness::ReportCache>,
    reachability: std::sync::Arc<super::reachability::Reachability>,
    remote: bool,
}

impl Store {
    /// Connects, selects the namespace and database (creating them on a remote server, which
    /// SurrealDB 3 does not do implicitly) and applies pending migrations.
    pub async fn open(config: &DbConfig) -> Result<Self, StoreError> {
        let db = any::connect(config.url.as_str()).await?;
        if config.is_remote() {
            let (ns, dbn) = (config.namespace.clone(), config.database.clone());
            if let (Some(username), Some(password)) = (config.username.clone(), config.password.clone()) {
                match config.user_level {
                    UserLevel::Root => db.signin(Root { username, password }).await.map(drop)?,
                    UserLevel::Namespace => db
                        .signin(Namespace {
                            namespace: ns.clone(),
                            username,
                            password,
                        })
                        .await
                        .map(drop)?,
                    UserLevel::Database => db
                        .signin(Database {
                            namespace: ns.clone(),
                            database: dbn.clone(),
                            username,
                            password,
                        })
                        .await
                        .map(drop)?,
                }
            }
            // DEFINE takes identifiers, not parameters: both names are checked to be plain
            // identifiers (config, not user input) before they are put in the statement. Only a
            // root user may define a namespace, and only a root or namespace user a database.
            let ns = identifier(&ns)?;
            let dbn = identifier(&dbn)?;
            if config.user_level == UserLevel::Root {
                db.query(format!("DEFINE NAMESPACE IF NOT EXISTS {ns}"))
                    .await?
                    .check()?;
            }
            if config.user_level != UserLevel::Database {
                db.use_ns(ns.to_string()).await?;
                db.query(format!("DEFINE DATABASE IF NOT EXISTS {dbn}"))
                    .await?
                    .check()?;
            }
        }
        db.use_ns(config.namespace.clone())
            .use_db(config.database.clone())
            .await?;
        let store = Self {
            db: std::sync::Arc::new(db),
            // A remote server may be written by other processes: see `register_view`.
            register: std::sync::Arc::new(super::register_view::RegisterCache::new(config.is_remote())),
            reports: std::sync::Arc::new(super::freshness::ReportCache::new(config.is_remote())),
            reachability: Default::default(),
            remote: config.is_remote(),
        };
        migrations::apply(&store).await?;
        Ok(store)
    }

    pub fn db(&self) -> &Surreal<Any> {
        &self.db
    }

    /// Whether the database lives elsewhere (a SurrealDB server) and may be written by other
    /// processes or go away.
    pub fn is_remote(&self) -> bool {
        self.remote
    }

    /// Whether the database answered its last probe (see [`super::reachability`]).
    pub fn reachability(&self) -> &super::reachability::Reachability {
        &self.reachability
    }

    /// How many changes to the register and to the sending tables this process has counted
    /// (see [`super::freshness`]): something worked out from them is current while neither
    /// has moved.
    pub fn change_counts(&self) -> super::freshness::ChangeCounts {
        super::freshness::ChangeCounts {
            register: self.register.freshness_arc().current(),
            sending: self.reports.freshness_arc().current(),
        }
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

    pub fn tallies(&self) -> super::repo::tallies::Tallies<'_> {
        super::repo::tallies::Tallies::new(self)
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
