//! Presentational pieces: no server calls here.
pub mod form;
pub mod layout;
pub mod timeline;
