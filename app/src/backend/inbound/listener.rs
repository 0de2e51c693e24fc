//! The inbound SMTP listener (`LIAISON_INBOUND_BIND`), for an MX record or a relay's forward.
//!
//! Commands are parsed by smtp-proto; this module keeps the dialogue's state. It accepts mail
//! only for the addresses it owns, bounds message size, connections and idle time, speaks
//! STARTTLS when given a certificate (`LIAISON_INBOUND_TLS_CERT`/`_KEY`), and answers
//! `250` to DATA only once the message is stored in the database: on a database error it
//! answers `451` and the sender keeps the message and tries again. A message stored but not yet
//! classified (a crash just after the `250`) is classified when the process starts again.
use smtp_proto::request::receiver::{DataReceiver, RequestReceiver};
use smtp_proto::{Error as ProtoError, Request};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, Semaphore};

/// Addresses the listener accepts mail for: each base address, and its `+tag` forms (VERP).
#[derive(Debug, Clone)]
pub struct Owned(Vec<(String, String)>);

impl Owned {
    /// From addresses such as `bounces@liaison.example.nhs.uk`; those that are not addresses
    /// are skipped.
    pub fn new<'a>(addresses: impl IntoIterator<Item = &'a str>) -> Self {
        Owned(
            addresses
                .into_iter()
                .filter_map(|a| {
                    let (l, d) = a.trim().rsplit_once('@')?;
                    Some((l.to_ascii_lowercase(), d.to_ascii_lowercase()))
                })
                .collect(),
        )
    }

    pub fn accepts(&self, address: &str) -> bool {
        let Some((local, domain)) = address.trim().rsplit_once('@') else {
            return false;
        };
        let local = local.to_ascii_lowercase();
        let base = local.split_once('+').map(|(b, _)| b).unwrap_or(&local);
        self.0.iter().any(|(l, d)| *l == base && domain.eq_ignore_ascii_case(d))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The listener's TLS identity.
pub type ServerTls = Arc<tokio_rustls::rustls::ServerConfig>;

/// The listener's TLS from a PEM certificate chain and private key (RSA, ECDSA or Ed25519).
pub fn server_tls(cert: &std::path::Path, key: &std::path::Path) -> Result<ServerTls, String> {
    use tokio_rustls::rustls;
    use tokio_rustls::rustls::pki_types::pem::PemObject;
    use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the certificate {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("{} holds no PEM certificate", cert.display()));
    }
    let key =
        PrivateKeyDer::from_pem_file(key).map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the certificate and key do not make a TLS identity: {e}"))?;
    Ok(Arc::new(config))
}

#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest message accepted (advertised with SIZE).
    pub max_bytes: usize,
    /// Connections served at once; more are told to come back later (421).
    pub max_connections: usize,
    /// How long a client may stay silent.
    pub idle: Duration,
    pub max_recipients: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 10 * 1024 * 1024,
            max_connections: 32,
            idle: Duration::from_secs(120),
            max_recipients: 50,
        }
    }
}

/// A message received (by the listener, handed to the store before `250` is sent; or read from
/// a mailbox).
pub struct Accepted {
    /// `smtp` or `imap`.
    pub via: &'static str,
    pub envelope_from: String,
    pub envelope_to: Vec<String>,
    pub raw: Vec<u8>,
}

/// Where accepted messages go: stores them durably (or fails, and the client hears 451).
pub trait Sink: Send + Sync + 'static {
    fn store(&self, m: Accepted) -> impl std::future::Future<Output = Result<(), String>> + Send;
}

pub struct Listener<S> {
    pub owned: Owned,
    /// Offered as STARTTLS when a certificate is configured.
    pub tls: Option<ServerTls>,
    pub limits: Limits,
    pub hostname: String,
    pub sink: Arc<S>,
    /// Woken after every stored message (the classifier waits on it).
    pub stored: Arc<Notify>,
}

impl<S: Sink> Listener<S> {
    /// Serves until `shutdown` turns true.
    pub async fn serve(self: Arc<Self>, listener: TcpListener, mut shutdown: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(self.limits.max_connections));
        loop {
            let accepted = tokio::select! {
                a = listener.accept() => a,
                _ = shutdown.changed() => return,
            };
            let (stream, peer) = match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!(error = %e, "inbound SMTP accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            };
            let me = self.clone();
            match slots.clone().try_acquire_owned() {
                Ok(permit) => {
                    tokio::spawn(async move {
                        if let Err(e) = me.session(stream, peer).await {
                            tracing::debug!(error = %e, %peer, "inbound SMTP session ended");
                        }
                        drop(permit);
                    });
                }
                Err(_) => {
                    tokio::spawn(async move {
                        let mut stream = stream;
                        let _ = stream
                            .write_all(b"421 4.3.2 Too many connections, try again later\r\n")
                            .await;
                    });
                }
            }
        }
    }

    async fn session(&self, mut stream: TcpStream, peer: SocketAddr) -> std::io::Result<()> {
        let _ = stream.set_nodelay(true);
        reply(&mut stream, format!("220 {} Liaison ESMTP\r\n", self.hostname)).await?;
        let tls = self.tls.clone();
        let Some(plain) = self.dialogue(stream, peer, tls.is_some()).await? else {
            return Ok(());
        };
        // STARTTLS: the dialogue starts again inside TLS (RFC 3207); what the client sent
        // after the command, before the handshake, was dropped with the plain buffer.
        let Some(config) = tls else { return Ok(()) };
        let secure = tokio_rustls::TlsAcceptor::from(config).accept(plain).await?;
        self.dialogue(secure, peer, false).await?;
        Ok(())
    }

    /// One SMTP dialogue on `stream`. Returns the stream when the client asked for STARTTLS
    /// (and `starttls` offered it), `None` when the dialogue is over.
    async fn dialogue<T>(&self, mut stream: T, peer: SocketAddr, starttls: bool) -> std::io::Result<Option<T>>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let mut requests = RequestReceiver::default();
        let mut from: Option<String> = None;
        let mut to: Vec<String> = Vec::new();
        // The message being received, and whether it has passed the size limit.
        let mut data: Option<(DataReceiver, Vec<u8>, bool)> = None;
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let n = match tokio::time::timeout(self.limits.idle, stream.read(&mut buf)).await {
                Ok(r) => r?,
                Err(_) => {
                    reply(&mut stream, "421 4.4.2 Idle too long, closing\r\n".into()).await?;
                    return Ok(None);
                }
            };
            if n == 0 {
                return Ok(None);
            }
            let mut iter = buf[..n].iter();
            let mut out = String::new();
            loop {
                if let Some((receiver, body, too_big)) = data.as_mut() {
                    let done = receiver.ingest(&mut iter, body);
                    // Past the limit the rest is read and dropped, so the dialogue stays in step.
                    if body.len() > self.limits.max_bytes {
                        *too_big = true;
                        body.clear();
                    }
                    if !done {
                        break;
                    }
                    let too_big = *too_big;
                    let body = std::mem::take(body);
                    data = None;
                    if too_big {
                        out.push_str(&format!(
                            "552 5.3.4 Message too big: the limit is {} bytes\r\n",
                            self.limits.max_bytes
                        ));
                    } else {
                        let accepted = Accepted {
                            via: "smtp",
                            envelope_from: from.take().unwrap_or_default(),
                            envelope_to: std::mem::take(&mut to),
                            raw: body,
                        };
                        match self.sink.store(accepted).await {
                            Ok(()) => {
                                self.stored.notify_one();
                                out.push_str("250 2.0.0 Stored\r\n");
                            }
                            Err(e) => {
                                tracing::error!(error = %e, %peer, "storing an inbound message failed; the sender will retry");
                                out.push_str("451 4.3.0 Cannot store the message now, try again later\r\n");
                            }
                        }
                    }
                    from = None;
                    to.clear();
                    continue;
                }
                let request = match requests.ingest(&mut iter) {
                    Ok(r) => r,
                    Err(ProtoError::NeedsMoreData { .. }) => break,
                    Err(ProtoError::ResponseTooLong) => {
                        out.push_str("500 5.5.2 Line too long\r\n");
                        continue;
                    }
                    Err(ProtoError::UnknownCommand) => {
                        out.push_str("500 5.5.1 Command not recognised\r\n");
                        continue;
                    }
                    Err(ProtoError::InvalidRecipientAddress) | Err(ProtoError::InvalidSenderAddress) => {
                        out.push_str("501 5.1.3 Bad address syntax\r\n");
                        continue;
                    }
                    Err(_) => {
                        out.push_str("501 5.5.4 Syntax error in parameters\r\n");
                        continue;
                    }
                };
                match request {
                    Request::Ehlo { .. } => {
                        from = None;
                        to.clear();
                        out.push_str(&format!(
                            "250-{}\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-ENHANCEDSTATUSCODES\r\n{}250 SIZE {}\r\n",
                            self.hostname,
                            if starttls { "250-STARTTLS\r\n" } else { "" },
                            self.limits.max_bytes
                        ));
                    }
                    Request::Helo { .. } | Request::Lhlo { .. } => {
                        from = None;
                        to.clear();
                        out.push_str(&format!("250 {}\r\n", self.hostname));
                    }
                    Request::Mail { from: f } => {
                        if from.is_some() {
                            out.push_str("503 5.5.1 Sender already given\r\n");
                        } else if f.size > self.limits.max_bytes {
                            out.push_str("552 5.3.4 Message too big\r\n");
                        } else {
                            // The null sender (`<>`) is what bounces come from.
                            from = Some(f.address.to_string());
                            out.push_str("250 2.1.0 OK\r\n");
                        }
                    }
                    Request::Rcpt { to: t } => {
                        if from.is_none() {
                            out.push_str("503 5.5.1 Need MAIL first\r\n");
                        } else if to.len() >= self.limits.max_recipients {
                            out.push_str("452 4.5.3 Too many recipients\r\n");
                        } else if self.owned.accepts(&t.address) {
                            to.push(t.address.to_string());
                            out.push_str("250 2.1.5 OK\r\n");
                        } else {
                            out.push_str("550 5.1.1 No such mailbox here\r\n");
                        }
                    }
                    Request::Data => {
                        if to.is_empty() {
                            out.push_str("503 5.5.1 Need RCPT first\r\n");
                        } else {
                            out.push_str("354 End data with <CR><LF>.<CR><LF>\r\n");
                            data = Some((DataReceiver::new(), Vec::new(), false));
                        }
                    }
                    Request::Rset => {
                        from = None;
                        to.clear();
                        out.push_str("250 2.0.0 OK\r\n");
                    }
                    Request::Noop { .. } => out.push_str("250 2.0.0 OK\r\n"),
                    Request::Quit => {
                        out.push_str("221 2.0.0 Bye\r\n");
                        reply(&mut stream, out).await?;
                        return Ok(None);
                    }
                    Request::StartTls if starttls => {
                        out.push_str("220 2.0.0 Ready to start TLS\r\n");
                        reply(&mut stream, out).await?;
                        return Ok(Some(stream));
                    }
                    Request::Vrfy { .. } => out.push_str("252 2.5.0 Cannot verify\r\n"),
                    _ => out.push_str("502 5.5.1 Command not implemented\r\n"),
                }
            }
            if !out.is_empty() {
                reply(&mut stream, out).await?;
            }
        }
    }
}

async fn reply<T: tokio::io::AsyncWrite + Unpin>(stream: &mut T, line: String) -> std::io::Result<()> {
    stream.write_all(line.as_bytes()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_addresses_take_their_verp_forms_and_nothing_else() {
        let o = Owned::new([
            "bounces@Liaison.example.org",
            "replies@liaison.example.org",
            "not an address",
        ]);
        assert!(o.accepts("bounces@liaison.example.org"));
        assert!(o.accepts("BOUNCES+AbCd1234@liaison.EXAMPLE.org"));
        assert!(o.accepts("replies@liaison.example.org"));
        assert!(!o.accepts("postmaster@liaison.example.org"));
        assert!(!o.accepts("bounces@elsewhere.example.org"));
        assert!(!o.accepts("bounces"));
    }
}
