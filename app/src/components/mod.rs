//! Presentational pieces: no server calls here.
pub mod chart;
pub mod errors;
pub mod form;
pub mod layout;
pub mod loaded;
pub mod notice;
pub mod timeline;
pub mod url;
