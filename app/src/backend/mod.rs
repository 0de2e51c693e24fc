//! Server-only: the SurrealDB store, schema migrations, state. Compiled with `ssr` only.
pub mod account_mailer;
pub mod auth;
pub mod csp;
pub mod csv_io;
pub mod ctx;
pub mod db;
pub mod error;
pub mod freshness;
pub mod import;
pub mod inbound;
pub mod mail;
pub mod markdown;
pub mod migrations;
pub mod net;
pub mod outbox;
pub mod reachability;
pub mod register_view;
pub mod repo;
pub mod scheduler;
pub mod search;
pub mod services;
pub mod state;
pub mod tokens;

pub use db::Store;
pub use error::StoreError;
