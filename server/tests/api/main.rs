//! Integration tests: the real server on a random loopback port, a real (in-memory or
//! on-disk) SurrealDB, exercised over HTTP.
mod helpers;
mod outbox;
mod auth;
mod register;
mod storage;
mod plan;
