//! Mail coming back: the SMTP listener that receives it, the mailbox poller that fetches it, the classifier that reads it, and the
//! loop that records what each message means (`services::inbound`).
pub mod classify;
pub mod imap;
pub mod listener;
