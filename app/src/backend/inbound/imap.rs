//! The mailbox poller (`LIAISON_INBOUND_IMAP_*`): what most NHS teams have is a mailbox, not an
//! MX record. Every poll reads each message in the configured folder, stores it (keyed by a
//! hash of its bytes, so storing twice is storing once), and only then moves it to the "done"
//! folder. A crash between the two leaves the message where it was: the next poll stores it
//! again, which changes nothing, and moves it. Two processes polling one mailbox may both read
//! a message; it is still one record, classified once.
use super::listener::{Accepted, Sink};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

#[derive(Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    /// TLS from the first byte (port 993); off only for a server on this machine (tests).
    pub tls: bool,
    pub username: String,
    pub password: String,
    /// The folder Liaison reads (a dedicated mailbox's INBOX, or a folder a mail rule fills).
    pub folder: String,
    /// Where a stored message is moved (created if missing).
    pub done_folder: String,
    pub every: Duration,
    pub timeout: Duration,
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("folder", &self.folder)
            .field("done_folder", &self.done_folder)
            .finish_non_exhaustive()
    }
}

/// The most messages one poll reads (the rest wait for the next).
const BATCH: usize = 100;

/// One poll: stores and moves every message in the folder (up to [`BATCH`]); returns how many
/// were stored.
pub async fn poll_once<S: Sink>(cfg: &ImapConfig, sink: &S) -> Result<usize, String> {
    tokio::time::timeout(cfg.timeout, poll(cfg, sink))
        .await
        .map_err(|_| format!("the IMAP server {}:{} did not answer in time", cfg.host, cfg.port))?
}

async fn poll<S: Sink>(cfg: &ImapConfig, sink: &S) -> Result<usize, String> {
    let tcp = tokio::net::TcpStream::connect((cfg.host.as_str(), cfg.port))
        .await
        .map_err(|e| format!("cannot connect to the IMAP server {}:{}: {e}", cfg.host, cfg.port))?;
    if !cfg.tls {
        return session(tcp, cfg, sink).await;
    }
    use rustls_platform_verifier::BuilderVerifierExt;
    use tokio_rustls::rustls;
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(|e| format!("cannot set up TLS: {e}"))?
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(cfg.host.clone())
        .map_err(|e| format!("{:?} is not a host name for TLS: {e}", cfg.host))?;
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS with the IMAP server {} failed: {e}", cfg.host))?;
    session(tls, cfg, sink).await
}

async fn session<T, S>(stream: T, cfg: &ImapConfig, sink: &S) -> Result<usize, String>
where
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + std::fmt::Debug + Send,
    S: Sink,
{
    let mut client = async_imap::Client::new(stream);
    client
        .read_response()
        .await
        .map_err(|e| format!("the IMAP server did not greet: {e}"))?;
    let mut session = client
        .login(&cfg.username, &cfg.password)
        .await
        .map_err(|(e, _)| format!("the IMAP server refused the sign-in of {}: {e}", cfg.username))?;
    session
        .select(&cfg.folder)
        .await
        .map_err(|e| format!("cannot open the IMAP folder {:?}: {e}", cfg.folder))?;
    let mut uids: Vec<u32> = session
        .uid_search("ALL")
        .await
        .map_err(|e| e.to_string())?
        .into_iter()
        .collect();
    uids.sort_unstable();
    uids.truncate(BATCH);
    let mut stored = Vec::new();
    if !uids.is_empty() {
        let set = uids.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let mut messages = Vec::new();
        {
            let mut fetches = session
                .uid_fetch(&set, "(UID BODY.PEEK[])")
                .await
                .map_err(|e| e.to_string())?;
            while let Some(f) = fetches.next().await {
                let f = f.map_err(|e| e.to_string())?;
                if let (Some(uid), Some(body)) = (f.uid, f.body()) {
                    messages.push((uid, body.to_vec()));
                }
            }
        }
        for (uid, raw) in messages {
            // A message that cannot be stored stays in the folder for the next poll.
            let accepted = Accepted {
                via: "imap",
                envelope_from: String::new(),
                envelope_to: Vec::new(),
                raw,
            };
            match sink.store(accepted).await {
                Ok(()) => stored.push(uid),
                Err(e) => {
                    tracing::error!(error = %e, uid, "storing a mailbox message failed; it stays for the next poll")
                }
            }
        }
    }
    if !stored.is_empty() {
        // Made once; "already exists" is the usual answer.
        let _ = session.create(&cfg.done_folder).await;
        let set = stored.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        session
            .uid_mv(&set, &cfg.done_folder)
            .await
            .map_err(|e| format!("stored, but cannot move the messages to {:?}: {e}", cfg.done_folder))?;
    }
    let _ = session.logout().await;
    Ok(stored.len())
}

/// Polls every `cfg.every` until stopped, waking the classifier after each message stored.
pub async fn run<S: Sink>(cfg: ImapConfig, sink: Arc<S>, stored: Arc<Notify>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            break;
        }
        match poll_once(&cfg, sink.as_ref()).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(messages = n, folder = %cfg.folder, "stored mail from the mailbox");
                stored.notify_one();
            }
            Err(e) => tracing::warn!(error = %e, "polling the mailbox failed; trying again"),
        }
        tokio::select! {
            _ = tokio::time::sleep(cfg.every) => {}
            _ = shutdown.changed() => {}
        }
    }
}
