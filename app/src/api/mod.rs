//! Server functions: the browser's only door to the backend.
#[cfg(feature = "ssr")]
pub mod ctx;
pub mod register;
