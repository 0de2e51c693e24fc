//! `liaison bench-pages`: every page at the size of a region. Builds the demo programme plus
//! N organisations and 10·N contacts (one organisation holding 200) in an on-disk database
//! through the import code, sends a briefing to every subscribed contact, starts the real
//! server on a loopback port, signs in as a programme manager, and drives each page with real
//! HTTP over TCP at C connections for S seconds. Prints, per page: requests/s, p50, p99 and the
//! throughput as a share of `/health` with a session cookie in the same run; then the start-up
//! time with that register and the peak memory under load.
//!
//! The load generator runs in this process (reqwest on its own runtime), so it shares the two
//! cores with the server as `wrk` would; it is heavier than `wrk` per request, which makes the
//! figures conservative, and the ratio column compares like with like.
use crate::bench::peak_memory_mb;
use crate::config::Settings;
use crate::devmail::MailSink;
use crate::Application;
use anyhow::{bail, Context};
use app::backend::db::DbConfig;
use app::backend::mail::transport::SmtpConfig;
use app::backend::repo::audit::Actor;
use app::backend::{import, Store};
use app::domain::briefing::BriefingDraft;
use app::domain::segment::SegmentFilter;
use std::time::{Duration, Instant};

pub struct PagesOptions {
    pub organisations: usize,
    pub connections: usize,
    pub seconds: u64,
    /// Only the pages whose path contains this text (all when empty).
    pub only: String,
    /// A SurrealDB server to measure against (a new database on it); `None`: embedded SurrealKV.
    pub remote: Option<DbConfig>,
    /// Keep rendered pages (`server::page_cache`), as the server does by default; off, every
    /// request renders its page.
    pub page_cache: bool,
}

/// The target from the issue on pages at the size of a region.
const P99_TARGET_MS: f64 = 20.0;
const RATIO_TARGET: f64 = 0.30;

const FIRST_NAMES: &[&str] = &[
    "Zoë",
    "Amir",
    "Siobhán",
    "Olusegun",
    "Priya",
    "Gareth",
    "Aleksandra",
    "Chinedu",
    "Hannah",
    "Mohammed",
    "Rhiannon",
    "Tomás",
    "Fatima",
    "Declan",
    "Ying",
    "Renée",
];
const SURNAMES: &[&str] = &[
    "Okafor", "Brennan", "Khan", "Jones", "Nowak", "Patel", "Müller", "O'Neill", "Williams", "Ahmed", "Evans", "Singh",
    "Lefèvre", "Clarke", "Chen", "Davies", "Hughes",
];
const AREAS: &[&str] = app::domain::register::WEST_MIDLANDS_ICS_AREAS;
const KINDS: &[&str] = &[
    "Primary care provider",
    "Primary care provider",
    "Primary care provider",
    "Acute trust",
    "Community trust",
    "Mental health trust",
    "Higher education institution",
];
const ENGAGEMENT: &[&str] = &["Unaware", "Resistant", "Neutral", "Supportive", "Leading"];

/// The region's spreadsheet: organisation 0 holds 200 contacts, the rest share the remainder.
fn spreadsheet(organisations: usize) -> String {
    let contacts = organisations * 10;
    let mut out = String::from(
        "Name,Email,Job title,Organisation,Organisation kind,Area,Influence,Interest,Engagement now,Engagement target,Tags\r\n",
    );
    for i in 0..contacts {
        let org = if i < 200 {
            0
        } else {
            1 + (i - 200) % (organisations - 1)
        };
        let name = format!(
            "{} {} {i:05}",
            FIRST_NAMES[i % FIRST_NAMES.len()],
            SURNAMES[(i / FIRST_NAMES.len()) % SURNAMES.len()]
        );
        out.push_str(&format!(
            "{name},person.{i:05}@org{org:04}.example.org,Advanced practice lead,Region Organisation {org:04},{},\"{}\",{},{},{},{},{}\r\n",
            KINDS[org % KINDS.len()],
            AREAS[org % AREAS.len()],
            1 + i % 5,
            1 + (i / 5) % 5,
            ENGAGEMENT[i % 4],
            ENGAGEMENT[1 + (i / 4) % 4],
            if i % 3 == 0 { "region;acp-faculty" } else { "region" },
        ));
    }
    out
}

/// Resets VmHWM so that the figure printed is the peak under load, not while building the data.
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

struct Stats {
    requests: usize,
    errors: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
}

/// C tasks request `url` in a loop for `seconds`; every response body is read in full.
async fn load(client: &reqwest::Client, url: &str, connections: usize, seconds: u64) -> Stats {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (client, url) = (client.clone(), url.to_string());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            while Instant::now() < deadline {
                let t = Instant::now();
                let ok = match client.get(&url).send().await {
                    Ok(r) => r.status().is_success() && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                times.push(t.elapsed());
                if !ok {
                    errors += 1;
                }
            }
            (times, errors)
        }));
    }
    let mut times = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((t, e)) = t.await {
            times.extend(t);
            errors += e;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    times.sort_unstable();
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(f64::NAN)
    };
    Stats {
        requests: times.len(),
        errors,
        rps: times.len() as f64 / elapsed,
        p50_ms: pct(0.50),
        p99_ms: pct(0.99),
    }
}

/// The first request (which renders the page: nothing is kept for it yet) and the median of
/// the five after it (kept pages, unless the page cache is off).
async fn single(client: &reqwest::Client, url: &str) -> anyhow::Result<(f64, f64)> {
    let mut times = Vec::new();
    for _ in 0..6 {
        let t = Instant::now();
        let r = client.get(url).send().await?;
        let status = r.status();
        let body = r.text().await?;
        if !status.is_success() {
            bail!(
                "{url} answered {status}: {}",
                body.chars().take(300).collect::<String>()
            );
        }
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let first = times.remove(0);
    times.sort_by(f64::total_cmp);
    Ok((first, times[times.len() / 2]))
}

/// Copies a sent briefing and its deliveries `n` times (same recipients, same quarter), each
/// copy asking for acknowledgement and with about half of its deliveries acknowledged. What the
/// dispatcher keeps of a send when it finishes is kept for each copy too: what it reached and
/// its acknowledgements (repo/tallies.rs).
async fn more_sends(store: &Store, briefing: &str, n: usize) -> anyhow::Result<()> {
    for i in 0..n {
        let mut res = store
            .db()
            .query(
                "BEGIN TRANSACTION;
                 LET $src = type::record('briefing', $id);
                 LET $new = (CREATE ONLY briefing SET subject = $subject, body = $src.body, segment = $src.segment,
                    workstreams = [], ack_required = true, state = 'sent', send_at = $src.send_at,
                    sent_at = $src.sent_at, recipients = $src.recipients, created_by = 'bench').id;
                 INSERT INTO delivery (SELECT $new AS briefing, contact, kind, email, name, org_name, org_kind, state,
                    attempts, due, sent_at, IF rand::bool() { time::now() } ELSE { NONE } AS acknowledged_at
                    FROM delivery WHERE briefing = $src AND kind = 'briefing') RETURN NONE;
                 RETURN record::id($new);
                 COMMIT TRANSACTION;",
            )
            .bind(("id", briefing.to_string()))
            .bind(("subject", format!("Regional briefing (bench copy {})", i + 1)))
            .await?
            .check()?;
        // The transaction's RETURN: the last statement with a value (COMMIT has none).
        let copy = (0..res.num_statements())
            .rev()
            .find_map(|i| res.take::<Option<String>>(i).ok().flatten())
            .context("the copy's id")?;
        store.tallies().keep(&copy).await?;
    }
    Ok(())
}

async fn one_id(store: &Store, sql: &str) -> anyhow::Result<String> {
    let mut res = store.db().query(sql).await?;
    let ids: Vec<String> = res.take(0)?;
    ids.into_iter().next().with_context(|| format!("no row for {sql}"))
}

/// The register and the programme, written through the seed and the import as a user's would be.
async fn build_register(store: &Store, organisations: usize) -> anyhow::Result<String> {
    crate::seed::seed_demo(store, None)
        .await?
        .map_err(|reason| anyhow::anyhow!("the demo was not loaded: {reason}"))?;
    let actor = Actor::Other("bench".into());
    let file = spreadsheet(organisations);
    let id = import::stage(store, &actor, "region.csv", file.as_bytes())
        .await
        .map_err(anyhow::Error::msg)?;
    let result = import::commit(store, &actor, &id).await?;
    println!("  import: {result}");
    // A briefing to every subscribed contact, sent through the server's own dispatcher.
    let everyone = store
        .segments()
        .create(
            &actor,
            "Everyone subscribed (bench)",
            &SegmentFilter {
                subscribed_only: true,
                ..SegmentFilter::default()
            },
        )
        .await?;
    let draft = BriefingDraft {
        subject: "Regional briefing (bench)".into(),
        body: "Dear partners,\n\nThis is the **regional** briefing. ".repeat(10),
        segment: everyone,
        workstreams: vec![],
        ack_required: true,
        ack_deadline: None,
        remind_days_before: None,
    };
    let briefing = store.briefings().create(&actor, &draft, "bench").await?;
    store
        .briefings()
        .schedule(&actor, &briefing, chrono::Utc::now())
        .await?;
    Ok(briefing)
}

pub async fn run(opts: PagesOptions) -> anyhow::Result<()> {
    anyhow::ensure!(opts.organisations >= 21, "--organisations must be at least 21");
    let dir = std::env::temp_dir().join("liaison-bench-pages");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let (db, db_name) = crate::bench::bench_database(opts.remote.as_ref(), &dir);
    println!(
        "Building the register: the demo programme plus {} organisations and {} contacts, in {} …",
        opts.organisations,
        opts.organisations * 10,
        db_name
    );
    let t = Instant::now();
    let briefing = {
        let store = Store::open(&db).await?;
        let b = build_register(&store, opts.organisations).await?;
        drop(store);
        // The embedded database closes in the background: let it release the directory.
        tokio::time::sleep(Duration::from_millis(500)).await;
        b
    };
    println!("  built in {:.1} s", t.elapsed().as_secs_f64());

    let (smtp, _sink) = MailSink::bounded(16).start(([127, 0, 0, 1], 0).into()).await?;
    let mut settings = Settings::for_tests();
    // Required on a remote database; any key will do for a benchmark.
    settings.secret_key = Some("42".repeat(32));
    settings.db = db;
    settings.dev_mail = false;
    settings.smtp = Some(SmtpConfig::loopback(smtp, 8, Duration::from_secs(30)));
    settings.log = "error".into();
    settings.page_cache = opts.page_cache;
    let t = Instant::now();
    let app = Application::build(settings).await?;
    let startup = t.elapsed();
    let base = format!("http://127.0.0.1:{}", app.port());
    let store = app.store().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async move {
        let _ = stopped.await;
    }));
    println!("  server started in {:.2} s", startup.as_secs_f64());

    // Wait for the send to finish, so that the report is of a whole send and the dispatcher
    // is idle while pages are measured.
    let t = Instant::now();
    loop {
        let b = store.briefings().get(&briefing).await?;
        if b.summary.state == app::domain::briefing::BriefingState::Sent {
            break;
        }
        if t.elapsed() > Duration::from_secs(900) {
            bail!("the bench briefing was not sent within 15 minutes");
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    println!(
        "  briefing sent to every subscribed contact in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // The board report's quarter: 19 more sends like that one (copied, with about half
    // acknowledged), so the quarter holds 20 briefings to every subscribed contact.
    let t = Instant::now();
    more_sends(&store, &briefing, 19).await?;
    println!(
        "  19 more sends copied into the quarter ({} deliveries in all) in {:.1} s",
        store
            .db()
            .query("SELECT count() FROM delivery GROUP ALL")
            .await?
            .take::<Option<i64>>((0, "count"))?
            .unwrap_or(0),
        t.elapsed().as_secs_f64()
    );

    // The board report worked out cold (nothing kept in memory yet), as its first viewer meets it.
    let t = Instant::now();
    let quarter = app::domain::board::Quarter::containing(app::domain::time::london_date(chrono::Utc::now()));
    let (q_start, q_end) = quarter.bounds();
    app::backend::services::engagement::reach(&store, q_start, q_end).await?;
    println!(
        "  the quarter's reach worked out cold in {:.0} ms",
        t.elapsed().as_secs_f64() * 1000.0
    );
    let t = Instant::now();
    let board = app::backend::services::engagement::board_report(&store, quarter, chrono::Utc::now()).await?;
    println!(
        "  board report for {} worked out cold in {:.0} ms: {} briefings, {} deliveries, {} contacts reached",
        quarter.key(),
        t.elapsed().as_secs_f64() * 1000.0,
        board.reach.briefings.len(),
        board.reach.briefings.iter().map(|b| b.delivered).sum::<u64>(),
        board.reach.reached()
    );

    let big_org = one_id(
        &store,
        "SELECT VALUE record::id(id) FROM organisation WHERE name = 'Region Organisation 0000'",
    )
    .await?;
    let contact = one_id(
        &store,
        "SELECT VALUE record::id(id) FROM contact WHERE string::starts_with(email, 'person.05000@')",
    )
    .await?;
    let segment = one_id(
        &store,
        "SELECT VALUE record::id(id) FROM segment ORDER BY name_key LIMIT 1",
    )
    .await?;
    let workstream = one_id(&store, "SELECT VALUE record::id(id) FROM workstream LIMIT 1").await?;

    // Clients on their own runtime threads would not help on two cores; one client, pooled.
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()?;
    let bare = reqwest::Client::builder().timeout(Duration::from_secs(60)).build()?;
    let (email, _, password) = crate::seed::DEMO_MANAGER;
    let res = client
        .post(format!("{base}/api/auth/sign-in"))
        .header("Accept", "application/json")
        .form(&[("email", email), ("password", password), ("next", "/")])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "sign-in failed: {}", res.status());

    let deep_orgs = (opts.organisations + 51).div_ceil(app::domain::query::PER_PAGE as usize);
    let deep_contacts = (opts.organisations * 10 + 150).div_ceil(app::domain::query::PER_PAGE as usize) - 2;
    let pages: Vec<String> = vec![
        "/health".to_string(),
        "/".into(),
        "/organisations".into(),
        format!("/organisations?page={deep_orgs}"),
        "/organisations?q=organisation+0500".into(),
        "/organisations?kind=hei".into(),
        format!("/organisations/{big_org}"),
        "/contacts".into(),
        format!("/contacts?page={deep_contacts}"),
        "/contacts?q=zoe".into(),
        "/contacts?q=okafor".into(),
        "/contacts?kind=acute_trust".into(),
        "/contacts?area=Black+Country".into(),
        format!("/contacts?org={big_org}"),
        "/contacts?engagement=resistant".into(),
        "/contacts?quadrant=manage_closely".into(),
        "/contacts?tag=acp-faculty".into(),
        "/contacts?subscribed=no".into(),
        "/contacts?below=1".into(),
        "/contacts?held=1".into(),
        "/contacts?sort=gap".into(),
        format!("/contacts/{contact}"),
        "/engagement".into(),
        "/map".into(),
        "/map?since=2026-01-01".into(),
        "/map?cell=3-3".into(),
        "/follow-ups".into(),
        "/segments".into(),
        format!("/segments/{segment}"),
        "/plan".into(),
        "/briefings".into(),
        format!("/briefings/{briefing}"),
        "/reports/board".into(),
        "/interactions".into(),
        "/inbox".into(),
        "/inbox?view=all".into(),
        "/contacts/retention".into(),
        format!("/workstreams/{workstream}"),
        "/setup/workstreams".into(),
        "/users".into(),
        "/audit".into(),
        "/contacts/import".into(),
    ];

    println!();
    println!(
        "Pages, signed in as a programme manager: {} connections, {} s each (target: p99 ≤ {P99_TARGET_MS} ms and ≥ {:.0} % of /health with a session cookie)",
        opts.connections,
        opts.seconds,
        RATIO_TARGET * 100.0
    );
    println!(
        "page cache: {}",
        if opts.page_cache && opts.remote.is_none() {
            "on (\"first\" renders the page; \"single\" and the load are served kept pages)"
        } else {
            "off (every request renders its page)"
        }
    );
    println!(
        "{:<44} {:>9} {:>9} {:>10} {:>9} {:>9} {:>7}  ",
        "page", "first", "single", "req/s", "p50", "p99", "ratio"
    );
    reset_peak_memory();
    // /health without a cookie first, for reference; then with one, the yardstick.
    let no_cookie = load(&bare, &format!("{base}/health"), opts.connections, opts.seconds).await;
    print_row("/health (no session cookie)", None, &no_cookie, None);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut yardstick = None;
    let mut misses = 0;
    for path in &pages {
        if !opts.only.is_empty() && !path.contains(&opts.only) && path != "/health" {
            continue;
        }
        let url = format!("{base}{path}");
        let one = single(&client, &url).await?;
        let s = load(&client, &url, opts.connections, opts.seconds).await;
        let label = if path == "/health" {
            "/health (session cookie)"
        } else {
            path.as_str()
        };
        let ratio = yardstick.map(|y: f64| s.rps / y);
        if path == "/health" {
            yardstick = Some(s.rps);
        } else if s.p99_ms > P99_TARGET_MS || ratio.is_some_and(|r| r < RATIO_TARGET) || s.errors > 0 {
            misses += 1;
        }
        print_row(label, Some(one), &s, ratio);
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    println!();
    println!("start-up with this register: {:.2} s", startup.as_secs_f64());
    println!(
        "peak memory under load (VmHWM, server and load generator): {:.0} MB",
        peak_memory_mb()
    );
    println!("pages missing the target: {misses}");
    let _ = stop.send(());
    let _ = server.await;
    drop(store);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn print_row(label: &str, single_ms: Option<(f64, f64)>, s: &Stats, ratio: Option<f64>) {
    let miss = s.p99_ms > P99_TARGET_MS || ratio.is_some_and(|r| r < RATIO_TARGET) || s.errors > 0;
    let ms = |m: Option<f64>| m.map(|m| format!("{m:.1}ms")).unwrap_or_else(|| "–".into());
    println!(
        "{:<44} {:>9} {:>9} {:>10.0} {:>7.1}ms {:>7.1}ms {:>7}  {}{}",
        label.chars().take(44).collect::<String>(),
        ms(single_ms.map(|(first, _)| first)),
        ms(single_ms.map(|(_, median)| median)),
        s.rps,
        s.p50_ms,
        s.p99_ms,
        ratio
            .map(|r| format!("{:.0} %", r * 100.0))
            .unwrap_or_else(|| "–".into()),
        if miss { "MISS" } else { "ok" },
        if s.errors > 0 {
            format!(" ({} of {} failed)", s.errors, s.requests)
        } else {
            String::new()
        }
    );
}
