//! The real SurrealDB server (`surreal start`, built from the `surrealdb-server` crate by
//! `cargo build -p liaison-surreal --profile surreal`, as `.ci/test` does) for the tests that run
//! Liaison against a remote database: on a random loopback port, SurrealKV in a temp dir, killed
//! when dropped.
use crate::helpers::free_port;
use app::backend::db::DbConfig;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const ROOT_USER: &str = "root";
pub const ROOT_PASS: &str = "a root password for tests";

/// `LIAISON_TEST_DATABASE=server`: the suites that honour it (`spawn_app`) run each test against
/// its own real SurrealDB server instead of an in-memory database.
pub fn suites_use_server() -> bool {
    std::env::var("LIAISON_TEST_DATABASE").is_ok_and(|v| v == "server")
}

pub struct SurrealServer {
    child: Option<Child>,
    pub port: u16,
    dir: tempfile::TempDir,
}

/// Where the server binary is: `LIAISON_SURREAL_BIN`, or beside this test binary's target
/// directory in the `surreal` profile's folder (`<target>/surreal/surreal`).
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("LIAISON_SURREAL_BIN") {
        return PathBuf::from(path);
    }
    // <target>/debug/deps/api-<hash>
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe
        .ancestors()
        .nth(3)
        .expect("the test binary is inside a target directory");
    target.join("surreal").join("surreal")
}

impl SurrealServer {
    pub async fn start() -> Self {
        let mut server = Self {
            child: None,
            port: free_port(),
            dir: tempfile::tempdir().expect("a temp dir"),
        };
        server.launch().await;
        server
    }

    async fn launch(&mut self) {
        let bin = binary();
        assert!(
            bin.exists(),
            "the SurrealDB server is not built at {}: run `cargo build -p liaison-surreal --profile surreal` \
             (or set LIAISON_SURREAL_BIN)",
            bin.display()
        );
        let child = Command::new(&bin)
            .args([
                "start", "--user", ROOT_USER, "--pass", ROOT_PASS, "--log", "error", "--bind",
            ])
            .arg(format!("127.0.0.1:{}", self.port))
            .arg(format!("surrealkv://{}", self.dir.path().join("data").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .spawn()
            .expect("the SurrealDB server starts");
        self.child = Some(child);
        self.wait_ready().await;
    }

    /// Until the server answers its health check (about a second; a minute at most).
    async fn wait_ready(&mut self) {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(res) = client
                .get(format!("http://127.0.0.1:{}/health", self.port))
                .send()
                .await
            {
                if res.status().is_success() {
                    return;
                }
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                panic!("the SurrealDB server stopped at start-up: {status}");
            }
            assert!(Instant::now() < deadline, "the SurrealDB server never became ready");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Liaison's database on this server, reached as the root user.
    pub fn config(&self, database: &str) -> DbConfig {
        DbConfig {
            url: self.url(),
            namespace: "liaison".into(),
            database: database.into(),
            username: Some(ROOT_USER.into()),
            password: Some(ROOT_PASS.into()),
            ..DbConfig::memory()
        }
    }

    /// `kill -9`: no shutdown, no flush beyond what SurrealKV had made durable.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Killed and started again on the same port and data.
    pub async fn restart(&mut self) {
        self.kill();
        self.launch().await;
    }

    /// A connection as the root user, for what a server's administrator does (defining users)
    /// and for looking at what was stored.
    pub async fn root(&self) -> surrealdb::Surreal<surrealdb::engine::any::Any> {
        let db = surrealdb::engine::any::connect(self.url()).await.expect("connects");
        db.signin(surrealdb::opt::auth::Root {
            username: ROOT_USER.into(),
            password: ROOT_PASS.into(),
        })
        .await
        .expect("root signs in");
        db
    }
}

impl Drop for SurrealServer {
    fn drop(&mut self) {
        self.kill();
    }
}
