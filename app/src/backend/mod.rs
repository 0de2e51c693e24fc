//! Server-only: the SurrealDB store, schema migrations, state. Compiled with `ssr` only.
pub mod auth;
pub mod db;
pub mod error;
pub mod markdown;
pub mod migrations;
pub mod repo;
pub mod state;

pub use db::Store;
pub use error::StoreError;
