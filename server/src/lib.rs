//! The Liaison process: configuration, database, HTTP router. `Application::build` is what
//! `main` runs and what the integration tests spawn on a random port.
pub mod config;
pub mod demo_data;
pub mod seed;
pub mod users_cli;
pub mod web;

use anyhow::Context;
use app::backend::state::{AppState, WebConfig};
use app::backend::Store;
use app::{shell, App};
use axum::http::{header, HeaderValue};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Router;
use config::Settings;
use leptos::config::get_configuration;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::set_header::SetResponseHeaderLayer;

pub struct Application {
    listener: TcpListener,
    router: Router,
    store: Store,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        if settings.db.url.starts_with("surrealkv://") {
            std::fs::create_dir_all(&settings.data_dir)
                .with_context(|| format!("cannot create the data directory {}", settings.data_dir.display()))?;
        }
        let store = Store::open(&settings.db)
            .await
            .with_context(|| format!("cannot open the database at {}", settings.db.url))?;
        if settings.seed_demo {
            seed::seed_if_empty(&store).await.context("cannot load the demo data")?;
        }
        let listener = TcpListener::bind(settings.bind)
            .await
            .with_context(|| format!("cannot listen on {} (is another copy running?)", settings.bind))?;
        let router = router(&settings, store.clone(), listener.local_addr()?)?;
        Ok(Self { listener, router, store })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Serves until `shutdown` completes.
    pub async fn run_until(self, shutdown: impl std::future::Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        // Without TCP_NODELAY every static file waits ~40 ms for the browser's delayed ACK.
        let listener = self.listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(listener, self.router.into_make_service_with_connect_info::<std::net::SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
    }
}

fn router(settings: &Settings, store: Store, addr: std::net::SocketAddr) -> anyhow::Result<Router> {
    let mut leptos_options = get_configuration(None).context("invalid Leptos configuration")?.leptos_options;
    leptos_options.site_addr = addr;
    leptos_options.site_root = settings.site_root.clone().into();
    if leptos_options.output_name.is_empty() {
        leptos_options.output_name = "liaison".into();
    }
    let public_url = settings.public_url.clone().unwrap_or_else(|| format!("http://{addr}"));
    let web = WebConfig { secure_cookies: public_url.starts_with("https://"), public_url, stale_days: settings.stale_days };
    let state = AppState { leptos_options: leptos_options.clone(), store, web };
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let router = Router::new()
        .route("/health", get(|| async { "ok" }))
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), web::guard))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::if_not_present(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        // same-origin, not no-referrer: forms posted without JavaScript are redirected back to
        // their Referer, with any validation errors.
        .layer(SetResponseHeaderLayer::if_not_present(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .with_state(state);
    Ok(router)
}
