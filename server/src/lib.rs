//! The Liaison process: configuration, database, HTTP router, and the background workers
//! (dispatcher, scheduler). `Application::build` is what `main` runs and what the integration
//! tests spawn on a random port.
pub mod assets;
pub mod bench;
pub mod bench_import;
pub mod bench_pages;
pub mod config;
pub mod demo_data;
pub mod devmail;
pub mod page_cache;
pub mod register_files;
pub mod routes;
pub mod seed;
pub mod users_cli;
pub mod web;

use anyhow::Context;
use app::backend::mail::render::MailIdentity;
use app::backend::mail::transport::SmtpConfig;
use app::backend::outbox::{DispatchConfig, Dispatcher};
use app::backend::scheduler::{self, SystemClock};
use app::backend::state::{AppState, WebConfig};
use app::backend::tokens::TokenKey;
use app::backend::Store;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use config::Settings;
use leptos::config::get_configuration;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
    state: AppState,
    settings: Settings,
    dev_mail: Option<devmail::MailSink>,
    smtp: SmtpConfig,
    /// The inbound SMTP listener's socket (`LIAISON_INBOUND_BIND`), bound at start-up so that a
    /// taken port stops start-up rather than going unheard.
    inbound: Option<TcpListener>,
    /// STARTTLS for the inbound listener, read at start-up (a bad certificate stops it).
    inbound_tls: Option<app::backend::inbound::listener::ServerTls>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        if settings.db.url.starts_with("surrealkv://") {
            app::backend::tokens::create_private_dir(&settings.data_dir)
                .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
        }
        let store = Store::open(&settings.db)
            .await
            .with_context(|| format!("cannot open the database at {}", settings.db.url))?;
        if settings.seed_demo {
            match seed::seed_demo(&store, settings.public_url.as_deref())
                .await
                .context("cannot load the demo data")?
            {
                Ok(()) => {}
                Err(reason) => tracing::warn!("demo data was asked for but not loaded: {reason}"),
            }
        } else {
            tracing::info!(
                "no demo data: this is a release build, not the development run (cargo leptos serve), and LIAISON_SEED_DEMO is not true"
            );
        }
        let key = match &settings.secret_key {
            Some(k) => TokenKey::parse(k).map_err(anyhow::Error::msg)?,
            None if settings.db.url.starts_with("mem://") => TokenKey::random(),
            // Each process would make its own key in its own data directory, and a link one
            // process signed would be refused by the next: on a shared database the key is given.
            None if settings.db.is_remote() => anyhow::bail!(
                "LIAISON_SECRET_KEY is required with a remote database (LIAISON_DATABASE_URL={}): every Liaison \
                 process on one database must sign personal links with the same key. Make one with \
                 `openssl rand -hex 32` and give it to each process.",
                settings.db.url
            ),
            None => {
                let path = settings.data_dir.join("secret.key");
                TokenKey::load_or_create(&path).with_context(|| format!("cannot read or create {}", path.display()))?
            }
        };
        // Without a configured relay, mail goes to an SMTP server inside this process, where
        // `Settings` allows it (development, or asked for); otherwise start-up already failed.
        let (smtp, dev_mail) = match &settings.smtp {
            Some(s) => (s.clone(), None),
            None if !settings.dev_mail => anyhow::bail!(
                "no SMTP relay is configured: set LIAISON_SMTP_HOST (or LIAISON_DEV_MAIL=true for the development mail sink, which delivers nothing)"
            ),
            None => {
                let sink = devmail::MailSink::bounded(devmail::DEV_SINK_CAPACITY);
                let (addr, _task) = sink.clone().start(([127, 0, 0, 1], 0).into()).await?;
                tracing::warn!(
                    "no SMTP relay configured (LIAISON_SMTP_HOST): emails go to the development mail sink, \
                     readable at /dev/mail, and reach nobody"
                );
                let smtp = SmtpConfig::loopback(addr, 4, Duration::from_secs(10));
                (smtp, Some(sink))
            }
        };
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot listen on {} (is another copy running?)", settings.bind))?;
        let addr = listener.local_addr()?;
        let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
        let from: lettre::message::Mailbox = settings
            .mail_from
            .parse()
            .with_context(|| format!("LIAISON_MAIL_FROM is not an address: {}", settings.mail_from))?;
        let dkim = settings.dkim.as_ref().map(|d| dkim_config(d, &from)).transpose()?;
        let identity = MailIdentity {
            dkim,
            from,
            reply_to: settings
                .mail_reply_to
                .as_deref()
                .map(|r| {
                    r.parse()
                        .with_context(|| format!("LIAISON_MAIL_REPLY_TO is not an address: {r}"))
                })
                .transpose()?,
            bounce_address: settings.bounce_address.clone(),
            message_id_domain: public_url
                .split("://")
                .nth(1)
                .unwrap_or("localhost")
                .split([':', '/'])
                .next()
                .unwrap_or("localhost")
                .to_string(),
            public_url: public_url.clone(),
        };
        let web = WebConfig {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            stale_days: settings.stale_days,
            retention_years: settings.retention_years,
            identity,
            key,
            trusted_proxies: settings.trusted_proxies.clone(),
            send_rate: smtp.rate,
            send_window: settings.send_window,
        };
        let mut leptos_options = get_configuration(None)
            .context("invalid Leptos configuration")?
            .leptos_options;
        leptos_options.site_addr = addr;
        leptos_options.site_root = settings.site_root.clone().into();
        if leptos_options.output_name.is_empty() {
            leptos_options.output_name = "liaison".into();
        }
        let state = AppState {
            leptos_options,
            store: store.clone(),
            web,
        };
        let pages = page_cache::PageCache::new(store.clone(), settings.page_cache);
        let router = router(state.clone(), dev_mail.clone(), pages);
        let inbound = match settings.inbound_bind {
            Some(addr) => Some(
                TcpListener::bind(addr)
                    .await
                    .with_context(|| format!("cannot listen for inbound mail on {addr} (LIAISON_INBOUND_BIND)"))?,
            ),
            None => None,
        };
        let inbound_tls = settings
            .inbound_tls
            .as_ref()
            .map(|(cert, key)| app::backend::inbound::listener::server_tls(cert, key))
            .transpose()
            .map_err(|e| anyhow::anyhow!("LIAISON_INBOUND_TLS_CERT/KEY: {e}"))?;
        Ok(Self {
            inbound_tls,
            inbound,
            listener,
            router,
            store,
            state,
            settings,
            dev_mail,
            smtp,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// The inbound SMTP listener's port, when it is configured.
    pub fn inbound_port(&self) -> Option<u16> {
        self.inbound
            .as_ref()
            .and_then(|l| l.local_addr().ok())
            .map(|a| a.port())
    }

    /// The addresses the inbound listener accepts mail for: the bounce, reply-to and from
    /// addresses (each with its `+tag` forms).
    fn owned_addresses(&self) -> app::backend::inbound::listener::Owned {
        let identity = &self.state.web.identity;
        let reply_to = identity.reply_to.as_ref().map(|m| m.email.to_string());
        let from = identity.from.email.to_string();
        let list: Vec<String> = [identity.bounce_address.clone(), reply_to, Some(from)]
            .into_iter()
            .flatten()
            .collect();
        app::backend::inbound::listener::Owned::new(list.iter().map(String::as_str))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The in-process development mail server, when no relay is configured.
    pub fn dev_mail(&self) -> Option<&devmail::MailSink> {
        self.dev_mail.as_ref()
    }

    /// The dispatcher this process runs (tests start extra ones to prove they never collide).
    pub fn dispatcher(&self) -> Dispatcher {
        Dispatcher {
            store: self.store.clone(),
            smtp: self.smtp.clone(),
            identity: self.state.web.identity.clone(),
            key: self.state.web.key.clone(),
            config: DispatchConfig {
                max_attempts: self.settings.max_attempts,
                window: self.settings.send_window,
                ..DispatchConfig::default()
            },
            timings: Arc::default(),
        }
    }

    /// The sender of account emails (invitations, password resets) this process runs.
    pub fn account_mailer(&self) -> app::backend::account_mailer::AccountMailer {
        app::backend::account_mailer::AccountMailer {
            store: self.store.clone(),
            smtp: SmtpConfig {
                connections: 1,
                rate: None,
                ..self.smtp.clone()
            },
            identity: self.state.web.identity.clone(),
            owner: format!("account-mailer-{:08x}", rand_u32()),
            max_attempts: i64::from(self.settings.max_attempts),
            poll: Duration::from_millis(500),
        }
    }

    /// Serves (and runs the workers) until `shutdown` completes; workers then finish what
    /// they hold.
    pub async fn run_until(
        mut self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        // Every process that serves pages follows the register, workers or not.
        let mut workers = vec![
            tokio::spawn(app::backend::freshness::watch(self.store.clone(), stop_rx.clone())),
            tokio::spawn(app::backend::reachability::probe(self.store.clone(), stop_rx.clone())),
        ];
        let inbound_stored = Arc::new(tokio::sync::Notify::new());
        let owned = self.owned_addresses();
        if let Some(listener) = self.inbound.take() {
            use app::backend::inbound::listener::{Limits, Listener};
            let inbound = Arc::new(Listener {
                owned,
                tls: self.inbound_tls.clone(),
                limits: Limits {
                    max_bytes: self.settings.inbound_max_bytes,
                    ..Limits::default()
                },
                hostname: self.state.web.identity.message_id_domain.clone(),
                sink: Arc::new(app::backend::services::inbound::StoreSink(self.store.clone())),
                stored: inbound_stored.clone(),
            });
            workers.push(tokio::spawn(inbound.serve(listener, stop_rx.clone())));
        }
        if let (true, Some(imap)) = (self.settings.workers, self.settings.inbound_imap.clone()) {
            workers.push(tokio::spawn(app::backend::inbound::imap::run(
                imap,
                Arc::new(app::backend::services::inbound::StoreSink(self.store.clone())),
                inbound_stored.clone(),
                stop_rx.clone(),
            )));
        }
        if self.settings.workers {
            workers.push(tokio::spawn(app::backend::services::inbound::run(
                self.store.clone(),
                app::backend::inbound::classify::Ours {
                    message_id_domain: self.state.web.identity.message_id_domain.clone(),
                },
                inbound_stored,
                Duration::from_secs(30),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(self.dispatcher().run(stop_rx.clone())));
            workers.push(tokio::spawn(self.account_mailer().run(stop_rx.clone())));
            workers.push(tokio::spawn(scheduler::run(
                self.store.clone(),
                Arc::new(SystemClock),
                Duration::from_secs(1),
                stop_rx.clone(),
            )));
            workers.push(tokio::spawn(scheduler::run_nudges(
                self.store.clone(),
                self.state.web.identity.clone(),
                self.settings.stale_days,
                Duration::from_secs(60),
                stop_rx,
            )));
        }
        // Without TCP_NODELAY every static file waits ~40 ms for the browser's delayed ACK.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(
            listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_tx.send(true);
        for w in workers {
            let _ = tokio::time::timeout(Duration::from_secs(30), w).await;
        }
        served
    }
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    // A random per-process name for leases; RandomState is seeded from the OS.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(std::process::id().into());
    h.finish() as u32
}

/// The paths of the application's pages (Leptos routes), as the router knows them: the
/// permission matrix test checks that it covers each one.
pub fn page_paths() -> Vec<String> {
    route_list().iter().map(|r| r.path().to_string()).collect()
}

/// The application's routes, generated once per process.
///
/// Generating them renders the app with a process-wide "do not load resources" flag set
/// (leptos_router's `RouteList::generate`); a page whose resource first polls in another thread
/// at that moment waits for ever (leptos issue #4773). `main` generates before it serves, but
/// the integration tests build many applications while others serve pages, which hung a test
/// now and then; generating once, before any application can serve, closes that window.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

fn router(
    state: AppState,
    dev_mail: Option<devmail::MailSink>,
    page_cache: Option<Arc<page_cache::PageCache>>,
) -> Router {
    let leptos_options = state.leptos_options.clone();
    let routes = route_list();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let https = state.web.secure_cookies;
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .merge(routes::token_routes())
        .merge(register_files::routes())
        .merge(routes::dev_mail_routes(dev_mail))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(
            context, shell,
        ))
        // Inside the guard: it reads who is signed in from what the guard put on the request;
        // the guard answers from it before reading the session.
        .layer(axum::middleware::from_fn_with_state(
            page_cache.clone(),
            page_cache::serve,
        ))
        .layer(axum::middleware::from_fn_with_state(
            web::Guard {
                state: state.clone(),
                pages: page_cache,
            },
            web::guard,
        ))
        .layer(assets::compression())
        // Pages set their own, with their nonce (see `app::backend::csp`).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(app::backend::csp::WITHOUT_SCRIPTS),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        // same-origin, not no-referrer: forms posted without JavaScript are redirected back to
        // their Referer, with any validation errors.
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ));
    // Behind an https public URL, browsers are told to use nothing else for a year.
    let router = if https {
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    };
    router.with_state(state)
}

/// Reads and checks the DKIM key at start-up, so a bad key stops the server with a clear
/// message rather than failing every send.
fn dkim_config(
    d: &config::DkimSettings,
    from: &lettre::message::Mailbox,
) -> anyhow::Result<std::sync::Arc<lettre::message::dkim::DkimConfig>> {
    use lettre::message::dkim::{
        DkimCanonicalization, DkimCanonicalizationType, DkimConfig, DkimSigningAlgorithm, DkimSigningKey,
    };
    use lettre::message::header::HeaderName;
    let key = std::fs::read_to_string(&d.key_file)
        .with_context(|| format!("cannot read LIAISON_DKIM_KEY_FILE {}", d.key_file.display()))?;
    let algorithm = if d.ed25519 {
        DkimSigningAlgorithm::Ed25519
    } else {
        DkimSigningAlgorithm::Rsa
    };
    let key = DkimSigningKey::new(key.trim(), algorithm).map_err(|e| {
        anyhow::anyhow!("LIAISON_DKIM_KEY_FILE {} is not a valid {} key ({e}): RSA keys are PKCS#1 PEM (BEGIN RSA PRIVATE KEY), Ed25519 keys the base64 of the 32-byte seed", d.key_file.display(), if d.ed25519 { "Ed25519" } else { "RSA" })
    })?;
    let domain = d.domain.clone().unwrap_or_else(|| from.email.domain().to_string());
    // The one-click unsubscribe headers must be signed for mailbox providers to honour them.
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "Reply-To",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
        "MIME-Version",
        "Content-Type",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    let canonicalization = DkimCanonicalization {
        header: DkimCanonicalizationType::Relaxed,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(std::sync::Arc::new(DkimConfig::new(
        d.selector.clone(),
        domain,
        key,
        headers,
        canonicalization,
    )))
}
