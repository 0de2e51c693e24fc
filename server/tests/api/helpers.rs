//! `spawn_app()` and one helper per action, in the manner of zero-to-production.
use app::domain::policy::Role;
use app::domain::{EmailAddress, UserId};
use server::config::Settings;
use server::Application;

pub struct TestApp {
    pub address: String,
    /// The SMTP server the application sends to (in-process, real SMTP over loopback TCP).
    pub mail: server::devmail::MailSink,
    /// A dispatcher like the application's own, for tests that run their own.
    pub dispatcher: Option<app::backend::outbox::Dispatcher>,
    /// Signed in as a programme manager (most tests act as one).
    pub client: reqwest::Client,
    pub store: app::backend::Store,
    /// The inbound SMTP listener's port, when the settings ask for one.
    pub inbound: Option<u16>,
    /// The real SurrealDB server this test runs on (`LIAISON_TEST_DATABASE=server`), stopped
    /// when the test ends.
    _database: Option<crate::surreal::SurrealServer>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub const PASSWORD: &str = "a long test password";
pub const MANAGER: &str = "manager@test.example.org";

pub async fn spawn_app() -> TestApp {
    spawn_with(Settings::for_tests()).await
}

pub async fn spawn_with(settings: Settings) -> TestApp {
    spawn_with_options(settings, true).await
}

/// `sign_in`: give the test a client signed in as the manager (not possible where the cookie
/// is Secure and the test talks plain http).
pub async fn spawn_with_options(mut settings: Settings, sign_in: bool) -> TestApp {
    // Server errors in the test's output (`LIAISON_TEST_LOG=debug` for more).
    let _ = tracing_subscriber::fmt()
        .with_env_filter(std::env::var("LIAISON_TEST_LOG").unwrap_or_else(|_| "error".into()))
        .with_test_writer()
        .try_init();
    // One suite body, two backends: with LIAISON_TEST_DATABASE=server a test meant for the
    // in-memory database gets its own real SurrealDB server instead.
    let database = if settings.db.url == "mem://" && crate::surreal::suites_use_server() {
        let server = crate::surreal::SurrealServer::start().await;
        settings.db = server.config("main");
        Some(server)
    } else {
        None
    };
    if settings.db.is_remote() && settings.secret_key.is_none() {
        // Required on a shared database (every process signs links with one key).
        settings.secret_key = Some(format!(
            "{:032x}{:032x}",
            rand::random::<u128>(),
            rand::random::<u128>()
        ));
    }
    let app = Application::build(settings).await.expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    let mail = app.dev_mail().cloned().unwrap_or_default();
    let dispatcher = Some(app.dispatcher());
    let inbound = app.inbound_port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run_until(async move {
        let _ = rx.await;
    }));
    let mut app = TestApp {
        address,
        mail,
        dispatcher,
        client: new_client(),
        store,
        inbound,
        _database: database,
        _shutdown: tx,
    };
    app.add_user(MANAGER, Role::ProgrammeManager).await;
    if sign_in {
        app.client = app.signed_in(MANAGER).await;
    }
    app
}

/// A loopback port nothing listens on now (for a process the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
        // A request that hangs fails its test within a minute instead of stalling the suite.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

pub fn org_form(name: &str, kind: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("kind", kind.to_string()),
        ("area", "Black Country".to_string()),
        ("ods_code", String::new()),
        ("ukprn", String::new()),
        ("notes", String::new()),
    ]
}

pub fn contact_form(name: &str, email: &str, org: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", name.to_string()),
        ("email", email.to_string()),
        ("job_title", "Course Lead".to_string()),
        ("organisation", org.to_string()),
        ("influence", "4".to_string()),
        ("interest", "5".to_string()),
        ("engagement_current", "neutral".to_string()),
        ("engagement_target", "supportive".to_string()),
        ("subscribed", "on".to_string()),
    ]
}

impl TestApp {
    pub async fn add_user(&self, email: &str, role: Role) -> UserId {
        let hash = app::backend::auth::hash_password(PASSWORD.into()).await.expect("hash");
        self.store
            .users()
            .create(&EmailAddress::parse(email).expect("email"), "Test User", role, &hash)
            .await
            .expect("user created")
    }

    /// Signs in through the real sign-in endpoint and returns a client holding the cookie.
    pub async fn signed_in(&self, email: &str) -> reqwest::Client {
        let client = new_client();
        let res = self.sign_in_with(&client, email, PASSWORD).await;
        assert_eq!(
            res.status().as_u16(),
            200,
            "sign-in of {email}: {}",
            res.text().await.unwrap_or_default()
        );
        client
    }

    pub async fn sign_in_with(&self, client: &reqwest::Client, email: &str, password: &str) -> reqwest::Response {
        client
            .post(format!("{}/api/auth/sign-in", self.address))
            .header("Accept", "application/json")
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a server function as the given client.
    pub async fn call_as(
        &self,
        client: &reqwest::Client,
        endpoint: &str,
        form: &[(&str, String)],
    ) -> reqwest::Response {
        client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("Accept", "application/json")
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    /// Calls a server function the way the hydrated browser does (no `Accept: text/html`).
    pub async fn call(&self, endpoint: &str, form: &[(&str, String)]) -> reqwest::Response {
        self.call_as(&self.client, endpoint, form).await
    }

    /// Uploads `bytes` for import as a browser does; returns the status and where it was sent next.
    pub async fn upload_as(&self, client: &reqwest::Client, name: &str, bytes: Vec<u8>) -> (u16, String) {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
        let res = client
            .post(format!("{}/contacts/import/upload", self.address))
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("upload sent");
        (res.status().as_u16(), redirect_target(&res))
    }

    /// Posts a form the way a browser without JavaScript does.
    pub async fn post_plain_form(&self, endpoint: &str, form: &[(&str, String)], referer: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/{endpoint}", self.address))
            .header("Accept", "text/html,application/xhtml+xml")
            .header("Referer", format!("{}{referer}", self.address))
            .form(form)
            .send()
            .await
            .expect("request sent")
    }

    pub async fn get_html(&self, path: &str) -> (u16, String) {
        let res = self
            .client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("request sent");
        let status = res.status().as_u16();
        (status, res.text().await.unwrap_or_default())
    }

    pub async fn org_count(&self) -> u64 {
        self.store.organisations().count().await.expect("count")
    }

    pub async fn contact_count(&self) -> u64 {
        self.store.contacts().count().await.expect("count")
    }
}

/// Where a server function asked the browser to go next.
pub fn redirect_target(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .or_else(|| res.headers().get("serverfnredirect"))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// Polls `check` until it is true or `secs` pass.
pub async fn wait_for<F, Fut>(secs: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    false
}

/// A message body with quoted-printable soft line breaks and `=3D` undone, so links can be found.
pub fn unfolded(data: &str) -> String {
    data.replace("=\r\n", "").replace("=3D", "=")
}

/// The first link in `data` that starts with `prefix`.
pub fn link(data: &str, prefix: &str) -> Option<String> {
    let text = unfolded(data);
    let start = text.find(prefix)?;
    let rest = &text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '>')
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// A page as it was sent.
pub struct Served {
    /// How it was made (`Server-Timing: page;desc="kept"` or `…"rendered"`), "neither" where no
    /// page cache runs (see `server::page_cache`).
    pub how: String,
    /// The nonce its Content-Security-Policy names.
    pub nonce: String,
    pub body: String,
}

/// GETs a page (which must answer 200) and says how it was made.
pub async fn page_as_served(client: &reqwest::Client, url: &str) -> Served {
    let res = client.get(url).send().await.expect("request sent");
    assert_eq!(res.status().as_u16(), 200, "{url}");
    let header = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (timing, policy) = (header("server-timing"), header("content-security-policy"));
    let how = if timing.contains("\"kept\"") {
        "kept"
    } else if timing.contains("\"rendered\"") {
        "rendered"
    } else {
        "neither"
    };
    let nonce = policy
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_default()
        .to_string();
    Served {
        how: how.to_string(),
        nonce,
        body: res.text().await.unwrap(),
    }
}
