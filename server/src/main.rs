//! `liaison`: the stakeholder communication tracker. `liaison serve` (the default) runs the
//! web server; `migrate` and `seed` manage the database.
use anyhow::Context;
use clap::{Parser, Subcommand};
use server::config::Settings;
use server::{seed, users_cli, Application};
use tracing_subscriber::EnvFilter;

// jemalloc rather than glibc's allocator: the dispatch benchmark ran about 14 % faster on it
// (README, Benchmark).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

// Two arenas instead of jemalloc's four per core, and freed pages handed back after a tenth of
// a second instead of ten, by jemalloc's background thread (so no request waits for it): the
// dispatch benchmark's peak went from 145-147 MB to 121-125 MB with a one-second decay at the
// same rate, and a 10,000-row import's from 264-283 MB to 237-251 MB with this one, at the same
// speed (README, Benchmark). Read by jemalloc at start-up (a thin pointer to a C string, hence an
// array reference); `_RJEM_MALLOC_CONF` in the environment overrides it, e.g. more arenas on a
// machine with many cores.
#[cfg(feature = "jemalloc")]
#[allow(non_upper_case_globals)]
#[export_name = "_rjem_malloc_conf"]
pub static malloc_conf: &[u8; 52] = b"narenas:2,dirty_decay_ms:100,background_thread:true\0";

#[derive(Parser)]
#[command(
    name = "liaison",
    version,
    about = "Stakeholder communication and engagement tracker"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply pending schema migrations and exit.
    Migrate,
    /// Load the demo programme into an empty database and exit.
    Seed,
    /// Run a development SMTP server that keeps what it receives (JSON at http://<http>/messages).
    DevMail {
        #[arg(long, default_value = "127.0.0.1:2525")]
        smtp: std::net::SocketAddr,
        #[arg(long, default_value = "127.0.0.1:2580")]
        http: std::net::SocketAddr,
    },
    /// Benchmark: one briefing to N contacts through a loopback SMTP sink, and the bare-lettre ceiling.
    Bench {
        #[arg(long, default_value_t = 10_000)]
        contacts: usize,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// An SMTP server to use instead of starting Postfix's smtp-sink.
        #[arg(long)]
        smtp: Option<std::net::SocketAddr>,
        /// Deliveries claimed (and outcomes recorded) per transaction; default: the server's.
        #[arg(long)]
        batch: Option<u32>,
        /// Dispatchers in this process sharing the send (each with its own connection to a remote server).
        #[arg(long, default_value_t = 1)]
        dispatchers: usize,
        /// Liaison processes sharing the send (SurrealDB server only): this one and N-1 `liaison serve`.
        #[arg(long, default_value_t = 1)]
        processes: usize,
    },
    /// Benchmark: import a CSV of N contacts (preview, commit, re-import) on an on-disk database.
    BenchImport {
        #[arg(long, default_value_t = 10_000)]
        contacts: usize,
    },
    /// Benchmark: every page under load with a region-sized register (README "Benchmark").
    BenchPages {
        /// Organisations to add to the demo programme; ten contacts each (one holds 200).
        #[arg(long, default_value_t = 1_000)]
        organisations: usize,
        #[arg(long, default_value_t = 32)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Only the pages whose path contains this text.
        #[arg(long, default_value = "")]
        only: String,
        /// Render every request's page (measures rendering rather than kept pages).
        #[arg(long)]
        no_page_cache: bool,
    },
    /// Manage user accounts.
    User {
        #[command(subcommand)]
        command: users_cli::UserCommand,
    },
}

/// The benchmarks measure embedded SurrealKV unless `LIAISON_DATABASE_URL` names a SurrealDB
/// server; then they use a new database of their own on it (credentials as for `serve`).
fn remote_for_bench(settings: &Settings) -> Option<app::backend::db::DbConfig> {
    settings.db.is_remote().then(|| settings.db.clone())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::from_env()?;
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_new(&settings.log).context("LIAISON_LOG is not a valid log filter")?)
        .init();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            tracing::info!("Liaison is listening on http://{}", settings.bind);
            app.run_until(shutdown_signal()).await?;
        }
        Command::Migrate => {
            // Opening the store applies pending migrations.
            app::backend::Store::open(&settings.db).await?;
            println!("Migrations are up to date.");
        }
        Command::Seed => {
            let store = app::backend::Store::open(&settings.db).await?;
            match seed::seed_demo(&store, settings.public_url.as_deref()).await? {
                Ok(()) => println!("Loaded the demo programme."),
                Err(reason) => println!("Demo data not loaded: {reason}."),
            }
        }
        Command::Bench {
            contacts,
            connections,
            smtp,
            batch,
            dispatchers,
            processes,
        } => {
            server::bench::run(server::bench::BenchOptions {
                contacts,
                connections,
                smtp,
                batch,
                remote: remote_for_bench(&settings),
                dispatchers,
                processes,
            })
            .await?
        }
        Command::DevMail { smtp, http } => server::devmail::run(smtp, http).await?,
        Command::BenchImport { contacts } => server::bench_import::run(contacts).await?,
        Command::BenchPages {
            organisations,
            connections,
            seconds,
            only,
            no_page_cache,
        } => {
            server::bench_pages::run(server::bench_pages::PagesOptions {
                organisations,
                connections,
                seconds,
                only,
                remote: remote_for_bench(&settings),
                page_cache: !no_page_cache,
            })
            .await?
        }
        Command::User { command } => {
            let store = app::backend::Store::open(&settings.db).await?;
            users_cli::run(&store, command).await?;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
