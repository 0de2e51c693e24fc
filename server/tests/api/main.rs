//! Integration tests: the real server on a random loopback port, a real (in-memory or
//! on-disk) SurrealDB, exercised over HTTP.
mod accounts;
mod analysis;
mod assets;
mod auth;
mod board;
mod consent;
mod editing;
mod endpoints;
mod hardening;
mod helpers;
mod import;
mod inbound;
mod interactions;
mod mailbox;
mod nudges;
mod outbox;
mod page_cache;
mod permissions;
mod plan;
mod query_plans;
mod register;
mod register_view;
mod remote;
mod setup;
mod storage;
mod surreal;
