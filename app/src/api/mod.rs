//! Server functions: the browser's only door to the backend. Each one names the
//! `policy::Action` it performs as its first line (`ctx::authorized`).
pub mod accounts;
pub mod admin;
pub mod auth;
pub mod briefings;
#[cfg(feature = "ssr")]
pub mod ctx;
pub mod plan;
pub mod register;
pub mod workstreams;
