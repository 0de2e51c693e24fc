//! Mail coming back: the SMTP listener that receives it, the classifier that reads it, and the
//! loop that records what each message means (`services::inbound`).
pub mod classify;
pub mod listener;
