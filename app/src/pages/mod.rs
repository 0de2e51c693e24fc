//! One module per route.
pub mod contacts;
pub mod home;
pub mod organisations;
