//! `liaison bench`: one briefing to N contacts through a loopback SMTP sink, on an embedded
//! on-disk database, and, in the same run, the ceiling: a bare lettre client on TCP_NODELAY
//! connections sending the same number of messages to the same sink with no database.
//! Prints the dispatch rate, the time from "send" to the last delivery, the peak memory
//! (VmHWM of this process) and the ratio to the ceiling.
use crate::devmail::MailSink;
use anyhow::Context;
use app::backend::db::DbConfig;
use app::backend::mail::render::{self, BriefingContent, MailIdentity, Personal};
use app::backend::mail::transport::{SmtpClient, SmtpConfig};
use app::backend::outbox::{DispatchConfig, Dispatcher};
use app::backend::repo::audit::Actor;
use app::backend::tokens::TokenKey;
use app::backend::Store;
use app::domain::briefing::BriefingDraft;
use app::domain::segment::SegmentFilter;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::watch;

pub struct BenchOptions {
    pub contacts: usize,
    pub connections: usize,
    /// An SMTP server to send to; `None`: start Postfix's smtp-sink if installed, else the
    /// in-process development sink.
    pub smtp: Option<SocketAddr>,
    /// Deliveries per claim and per outcome transaction (`None`: the server's default).
    pub batch: Option<u32>,
    /// A SurrealDB server to measure against (a new database on it); `None`: embedded
    /// SurrealKV in a temp dir, production's default.
    pub remote: Option<DbConfig>,
    /// Dispatchers in this process sharing the send, each with its own connection to a remote
    /// server (on embedded storage they share the one handle).
    pub dispatchers: usize,
    /// Liaison processes sharing the send, on a SurrealDB server only: this one and
    /// `processes - 1` children of this binary running `liaison serve` against the same
    /// database and sink, as a deployment behind one address runs. Embedded storage belongs to
    /// one process, so there it must be 1.
    pub processes: usize,
}

/// Another `liaison serve` process of the same deployment (same database, link key and relay),
/// killed when dropped.
struct Peer {
    child: tokio::process::Child,
}

impl Peer {
    async fn start(
        db: &DbConfig,
        smtp: SocketAddr,
        connections: usize,
        key: &TokenKey,
        data: &std::path::Path,
    ) -> anyhow::Result<Self> {
        let http = free_port()?;
        std::fs::create_dir_all(data)?;
        // The database credentials are inherited as this process read them (LIAISON_DB_USER,
        // LIAISON_DB_PASS or LIAISON_DB_PASS_FILE, LIAISON_DB_USER_LEVEL); the database is the
        // benchmark's own. Whatever else the environment configures for serving is left out.
        let child = tokio::process::Command::new(std::env::current_exe()?)
            .arg("serve")
            .env("LIAISON_BIND", format!("127.0.0.1:{http}"))
            .env("LIAISON_DATA_DIR", data)
            .env("LIAISON_DATABASE_URL", &db.url)
            .env("LIAISON_DB_NAMESPACE", &db.namespace)
            .env("LIAISON_DB_DATABASE", &db.database)
            .env("LIAISON_SECRET_KEY", key.encode())
            .env("LIAISON_SMTP_HOST", smtp.ip().to_string())
            .env("LIAISON_SMTP_PORT", smtp.port().to_string())
            .env("LIAISON_SMTP_TLS", "none")
            .env("LIAISON_SMTP_CONNECTIONS", connections.to_string())
            .env("LIAISON_DEV_MAIL", "false")
            .env("LIAISON_SEED_DEMO", "false")
            .env("LIAISON_LOG", "warn")
            .env_remove("LIAISON_SMTP_USER")
            .env_remove("LIAISON_SMTP_RATE")
            .env_remove("LIAISON_SEND_WINDOW")
            .env_remove("LIAISON_INBOUND_BIND")
            .env_remove("LIAISON_INBOUND_IMAP_HOST")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("starting another liaison process")?;
        let peer = Peer { child };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let res = client.get(format!("http://127.0.0.1:{http}/health")).send().await;
            if res.is_ok_and(|r| r.status().is_success()) {
                return Ok(peer);
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the second liaison process did not answer /health within a minute"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

/// Where a benchmark keeps its data, and how to say so: embedded SurrealKV in `dir`
/// (production's default), or, given a SurrealDB server, a database of its own on it, so that
/// the benchmark starts empty and leaves the programme's data alone.
pub fn bench_database(remote: Option<&DbConfig>, dir: &std::path::Path) -> (DbConfig, String) {
    match remote {
        Some(remote) => {
            let config = DbConfig {
                database: format!("bench_{}", chrono::Utc::now().format("%Y%m%d_%H%M%S_%f")),
                ..remote.clone()
            };
            let said = format!("database {} on the SurrealDB server at {}", config.database, config.url);
            (config, said)
        }
        None => (
            DbConfig {
                url: format!("surrealkv://{}", dir.join("db").display()),
                ..DbConfig::memory()
            },
            format!("embedded SurrealKV on disk at {}", dir.display()),
        ),
    }
}

/// `n` subscribed contacts at one organisation (`organisation:bench`), written straight to the
/// database in transactions of 1,000, as an import would, so that preparing the register does
/// not set the process's peak memory. For benchmarks and the tests that need a big send.
pub async fn bench_register(store: &Store, n: usize) -> anyhow::Result<()> {
    store
        .db()
        .query("CREATE organisation:bench SET name = 'Bench University', name_key = 'bench university', kind = 'hei';")
        .await?
        .check()?;
    for start in (0..n).step_by(1000) {
        store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 FOR $i IN $start..$end {
                    CREATE contact SET organisation = organisation:bench, name = 'Bench Person ' + <string>$i,
                        email = 'bench' + <string>$i + '@bench.example.org',
                        influence = 3, interest = 3, engagement_current = 'neutral', engagement_target = 'supportive',
                        subscribed = true;
                 };
                 COMMIT TRANSACTION;",
            )
            .bind(("start", start as i64))
            .bind(("end", (start + 1000).min(n) as i64))
            .await?
            .check()?;
    }
    Ok(())
}

/// CPU time (user + system) a process (`None`: this one) has used so far, in seconds.
fn cpu_seconds(pid: Option<u32>) -> f64 {
    let proc = pid.map_or("self".to_string(), |p| p.to_string());
    // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (100 per second on Linux).
    std::fs::read_to_string(format!("/proc/{proc}/stat"))
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1.split_whitespace().collect::<Vec<_>>();
            Some((after.get(11)?.parse::<f64>().ok()? + after.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}

/// The peak resident memory of this process so far (VmHWM), in MB: every benchmark reports it.
pub fn peak_memory_mb() -> f64 {
    peak_memory_of(None)
}

/// The peak resident memory (VmHWM) of a process (`None`: this one), in MB.
fn peak_memory_of(pid: Option<u32>) -> f64 {
    let proc = pid.map_or("self".to_string(), |p| p.to_string());
    std::fs::read_to_string(format!("/proc/{proc}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(|l| l.to_string()))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<f64>().ok()))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

pub async fn run(opts: BenchOptions) -> anyhow::Result<()> {
    // The sink.
    let mut child = None;
    let (addr, sink_name) = match opts.smtp {
        Some(a) => (a, format!("the SMTP server at {a}")),
        None if std::path::Path::new("/usr/sbin/smtp-sink").exists() => {
            let port = free_port()?;
            let mut cmd = tokio::process::Command::new("/usr/sbin/smtp-sink");
            if std::env::var("USER").as_deref() == Ok("root") || is_root() {
                cmd.args(["-u", "nobody"]);
            }
            cmd.args([format!("127.0.0.1:{port}"), "1024".into()])
                .kill_on_drop(true);
            child = Some(cmd.spawn().context("starting smtp-sink")?);
            tokio::time::sleep(Duration::from_millis(300)).await;
            (
                SocketAddr::from(([127, 0, 0, 1], port)),
                "Postfix smtp-sink on loopback".to_string(),
            )
        }
        None => {
            let (a, _task) = MailSink::new().start(([127, 0, 0, 1], 0).into()).await?;
            (
                a,
                "the in-process development SMTP sink (install postfix for smtp-sink)".to_string(),
            )
        }
    };
    let smtp = SmtpConfig::loopback(addr, opts.connections, Duration::from_secs(30));
    let identity = MailIdentity {
        from: "Programme Team <programme@liaison.example.org>".parse()?,
        reply_to: None,
        public_url: "https://liaison.example.org".into(),
        message_id_domain: "liaison.example.org".into(),
        dkim: None,
        bounce_address: None,
    };

    let dir = tempfile_dir()?;
    let (config, db_name) = bench_database(opts.remote.as_ref(), &dir);
    let store = Store::open(&config).await?;
    let actor = Actor::Other("bench".into());
    let n = opts.contacts;
    println!("Preparing {n} contacts in {db_name} …");
    bench_register(&store, n).await?;
    let segment = store
        .segments()
        .create(&actor, "Bench audience", &SegmentFilter::default())
        .await?;
    let draft = BriefingDraft {
        subject: "Benchmark briefing".into(),
        body: "Dear partners,\n\nThis is a **benchmark** briefing of realistic length. ".repeat(20),
        segment,
        workstreams: vec![],
        ack_required: true,
        ack_deadline: None,
        remind_days_before: None,
    };
    let briefing = store.briefings().create(&actor, &draft, "bench").await?;
    let key = TokenKey::random();
    anyhow::ensure!(
        opts.processes <= 1 || opts.remote.is_some(),
        "--processes needs a SurrealDB server (LIAISON_DATABASE_URL=ws://…): embedded storage belongs to one process"
    );
    let mut peers = Vec::new();
    for i in 1..opts.processes.max(1) {
        peers.push(Peer::start(&config, addr, opts.connections, &key, &dir.join(format!("peer{i}"))).await?);
    }

    // What `serve` runs beside the dispatcher: the live queries that keep the register view and
    // the reports current (on an embedded database: the register, blocks and briefings).
    let (stop_watch, watch_rx) = watch::channel(false);
    let watcher = tokio::spawn(app::backend::freshness::watch(store.clone(), watch_rx));

    // The product path: send → freeze recipients → dispatch → every outcome recorded.
    let before_mb = peak_memory_mb();
    let cpu_before = cpu_seconds(None);
    let peers_cpu_before: f64 = peers.iter().map(|p| cpu_seconds(p.pid())).sum();
    let started = Instant::now();
    store
        .briefings()
        .schedule(&actor, &briefing, chrono::Utc::now())
        .await?;
    let frozen = store
        .deliveries()
        .enqueue_briefing(&briefing, chrono::Utc::now())
        .await?;
    // Another process's scheduler may have frozen it a moment earlier (it fires once): then
    // the recipients are read from the briefing.
    let frozen = match frozen {
        Some(k) => k,
        None => store.briefings().get(&briefing).await?.summary.recipients,
    };
    anyhow::ensure!(frozen == n as u64, "{frozen} recipients frozen, {n} expected");
    let enqueued = started.elapsed();
    let after_enqueue_mb = peak_memory_mb();
    let batch = opts.batch.unwrap_or(DispatchConfig::default().batch);
    let timings: std::sync::Arc<app::backend::outbox::DispatchTimings> = std::sync::Arc::default();
    let (stop, rx) = watch::channel(false);
    let mut handles = Vec::new();
    for _ in 0..opts.dispatchers.max(1) {
        let own = match opts.remote {
            Some(_) => Store::open(&config).await?,
            None => store.clone(),
        };
        let dispatcher = Dispatcher {
            store: own,
            smtp: smtp.clone(),
            identity: identity.clone(),
            key: key.clone(),
            config: DispatchConfig {
                poll: Duration::from_millis(20),
                batch,
                ..DispatchConfig::default()
            },
            timings: timings.clone(),
        };
        handles.push(tokio::spawn(dispatcher.run(rx.clone())));
    }
    // Done when the dispatcher marks the briefing sent (every delivery has an outcome). Polling
    // that one record keeps the measurement from loading the database it measures, as counting
    // 10,000 deliveries every 50 ms would.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if store.briefings().get(&briefing).await?.summary.state == app::domain::briefing::BriefingState::Sent {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            let done = store.deliveries().outcomes(&briefing).await?;
            anyhow::bail!("not finished after 10 minutes: {done} done");
        }
    }
    let total = started.elapsed();
    // The send's peak, read before the checks below: reading the finished briefing's report
    // (10,000 rows) costs about 30 MB more, a page view's cost, printed on its own line.
    let peak_mb = peak_memory_mb();
    let cpu = cpu_seconds(None) - cpu_before;
    let peers_cpu = peers.iter().map(|p| cpu_seconds(p.pid())).sum::<f64>() - peers_cpu_before;
    let peers_mb: Vec<f64> = peers.iter().map(|p| peak_memory_of(p.pid())).collect();
    let done = store.deliveries().outcomes(&briefing).await?;
    anyhow::ensure!(
        done == n as u64,
        "the briefing was marked sent with {done} of {n} outcomes recorded"
    );
    let r = app::backend::services::reports::report(&store, &briefing).await?;
    let report_peak_mb = peak_memory_mb();
    if r.failed > 0 {
        println!("warning: {} deliveries failed: {:?}", r.failed, r.failures.first());
    }
    let _ = stop.send(true);
    for handle in handles {
        let _ = handle.await;
    }
    let _ = stop_watch.send(true);
    let _ = watcher.await;
    drop(peers);
    let rate = n as f64 / total.as_secs_f64();

    // The ceiling: the same messages, bare lettre on TCP_NODELAY connections, no database.
    let content = app::backend::services::briefings::content(&store, &briefing, chrono::Utc::now()).await?;
    let ceiling = ceiling(&smtp, &identity, &content, n).await?;
    let ceiling_rate = n as f64 / ceiling.as_secs_f64();

    println!();
    println!(
        "Liaison dispatch benchmark ({n} recipients, {} dispatcher(s) with {} SMTP connections each, sink: {sink_name})",
        opts.dispatchers.max(1) + peers_mb.len(),
        opts.connections
    );
    if !peers_mb.is_empty() {
        println!(
            "  processes: this one ({} dispatcher(s)) and {} `liaison serve` process(es) with one dispatcher each",
            opts.dispatchers.max(1),
            peers_mb.len()
        );
    }
    println!("  database: {db_name}");
    println!(
        "  enqueue (recipient list frozen, one transaction): {:.2} s",
        enqueued.as_secs_f64()
    );
    println!(
        "  send → last delivery recorded:                   {:.2} s",
        total.as_secs_f64()
    );
    println!("  dispatch rate:                                   {rate:.0} emails/s");
    println!(
        "  CPU used by this process while sending:          {cpu:.2} s ({:.0} % of {} cores)",
        100.0 * cpu / total.as_secs_f64() / cores() as f64,
        cores()
    );
    if !peers_mb.is_empty() {
        println!(
            "  CPU used by the other liaison processes:         {peers_cpu:.2} s; their peak memory: {}",
            peers_mb
                .iter()
                .map(|mb| format!("{mb:.0} MB"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    println!("  peak memory (VmHWM, whole process):              {peak_mb:.0} MB (before sending: {before_mb:.0} MB, after freezing the recipients: {after_enqueue_mb:.0} MB)");
    println!("  peak memory after reading the briefing's report: {report_peak_mb:.0} MB (its {n} delivery rows read at once)");
    println!(
        "  ceiling, bare lettre on TCP_NODELAY, no database: {ceiling_rate:.0} emails/s ({:.2} s)",
        ceiling.as_secs_f64()
    );
    println!(
        "  dispatch rate / ceiling:                         {:.0} %",
        100.0 * rate / ceiling_rate
    );
    println!(
        "  transactions re-run after a write conflict:      {}",
        app::backend::db::conflict_retries()
    );
    let ms = |us: &std::sync::atomic::AtomicU64| us.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0;
    let count = |n: &std::sync::atomic::AtomicU64| n.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "  dispatcher database time: claims {:.0} ms in {} transactions, outcomes {:.0} ms in {} (batch {batch})",
        ms(&timings.claim_us),
        count(&timings.claims),
        ms(&timings.record_us),
        count(&timings.records),
    );
    drop(child);
    // The last handle closes the embedded database; its background tasks need a moment to stop
    // before the runtime ends (else each logs that it was cancelled).
    drop(store);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn ceiling(
    smtp: &SmtpConfig,
    identity: &MailIdentity,
    content: &BriefingContent,
    n: usize,
) -> anyhow::Result<Duration> {
    let key = TokenKey::random();
    let mut messages = Vec::with_capacity(n);
    for i in 0..n {
        let k = format!("ceiling{i}");
        let (ack, unsub) = (
            key.sign(app::backend::tokens::Purpose::Acknowledge, &k),
            key.sign(app::backend::tokens::Purpose::Unsubscribe, &k),
        );
        let email = format!("bench{i}@bench.example.org");
        let name = format!("Bench Person {i}");
        let p = Personal {
            name: &name,
            email: &email,
            delivery_key: &k,
            ack_token: &ack,
            unsubscribe_token: &unsub,
        };
        let m = render::message(identity, content, &p).map_err(anyhow::Error::msg)?;
        messages.push((m.envelope().clone(), m.formatted()));
    }
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(messages));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..smtp.connections.max(1) {
        let queue = queue.clone();
        let mut client = SmtpClient::new(smtp.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().await.pop();
                let Some((env, bytes)) = next else { break };
                if let Err(e) = client.send(&env, &bytes).await {
                    eprintln!("ceiling send failed: {e:?}");
                }
            }
            client.close().await;
        }));
    }
    for t in tasks {
        t.await?;
    }
    Ok(started.elapsed())
}

fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn tempfile_dir() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("liaison-bench-{:08x}", rand_u32()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn rand_u32() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
        ^ std::process::id()
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}
