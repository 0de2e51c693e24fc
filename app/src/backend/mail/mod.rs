//! Email: rendering briefings (plain text and HTML from the same Markdown, user text escaped)
//! and talking SMTP.
pub mod account;
pub mod render;
pub mod transport;
