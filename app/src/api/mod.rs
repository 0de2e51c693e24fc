//! Server functions: the browser's only door to the backend. Each one names the
//! `policy::Action` it performs as its first line (`ctx::authorized`).
// A server function takes one argument per form field (an `ActionForm`'s field names must be
// its argument names), and `#[server]` also generates the browser's stub, where an attribute on
// the function does not reach: allowed for the whole layer.
#![allow(clippy::too_many_arguments)]
pub mod accounts;
pub mod admin;
pub mod analysis;
pub mod audiences;
pub mod auth;
pub mod briefings;
pub mod import;
pub mod inbox;
pub mod interactions;
pub mod plan;
pub mod register;
pub mod workstreams;
