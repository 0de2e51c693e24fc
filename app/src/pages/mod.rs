//! One module per route.
pub mod admin;
pub mod contacts;
pub mod organisations;
pub mod sign_in;
pub mod workstreams;
