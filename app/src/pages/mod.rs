//! One module per route.
pub mod accounts;
pub mod admin;
pub mod audiences;
pub mod board;
pub mod briefings;
pub mod consent;
pub mod contacts;
pub mod engagement;
pub mod import;
pub mod inbox;
pub mod interactions;
pub mod map;
pub mod organisations;
pub mod plan;
pub mod sign_in;
pub mod workstream_setup;
pub mod workstreams;
