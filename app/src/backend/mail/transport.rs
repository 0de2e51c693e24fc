//! SMTP over connections we open ourselves with `TCP_NODELAY`: lettre's pooled transport leaves
//! Nagle on, and every message then waits ~40 ms for the relay's delayed ACK. Each dispatch
//! worker owns one `SmtpClient` (one connection), reconnecting after an error.
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain SMTP (a relay on the same host or a trusted network; tests).
    None,
    /// Upgrade with STARTTLS after connecting (port 587).
    StartTls,
    /// TLS from the first byte (port 465).
    Implicit,
}

impl TlsMode {
    pub fn parse(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::StartTls),
            "tls" | "implicit" => Ok(TlsMode::Implicit),
            other => Err(format!("SMTP TLS mode must be none, starttls or tls, not {other:?}")),
        }
    }
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Parallel connections (dispatch workers).
    pub connections: usize,
    /// Messages handed to the relay across all workers (30 a minute…); `None` for no limit.
    pub rate: Option<crate::domain::sending::SendRate>,
    pub timeout: Duration,
}

impl SmtpConfig {
    /// A plain, unauthenticated SMTP server on this machine (the development sink, the
    /// benchmark's smtp-sink).
    pub fn loopback(addr: std::net::SocketAddr, connections: usize, timeout: Duration) -> Self {
        SmtpConfig {
            host: addr.ip().to_string(),
            port: addr.port(),
            tls: TlsMode::None,
            username: None,
            password: None,
            connections,
            rate: None,
            timeout,
        }
    }
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("connections", &self.connections)
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

/// Why a message was not accepted. Permanent failures (5xx) are not retried.
#[derive(Debug, Clone, PartialEq)]
pub enum SendError {
    /// The relay could not be reached at all: an outage, not the message's fault.
    Unavailable(String),
    Transient(String),
    Permanent(String),
}

pub struct SmtpClient {
    config: SmtpConfig,
    conn: Option<AsyncSmtpConnection>,
    hello: ClientId,
}

impl SmtpClient {
    pub fn new(config: SmtpConfig) -> Self {
        let hello = ClientId::Domain("liaison.localhost".into());
        Self {
            config,
            conn: None,
            hello,
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let c = &self.config;
        let transient = |e: String| SendError::Transient(e);
        let mut conn = match c.tls {
            TlsMode::Implicit => {
                // lettre opens this socket itself (no TCP_NODELAY): implicit TLS is for
                // remote relays, where it matters less. STARTTLS keeps our socket.
                let tls = TlsParameters::new(c.host.clone()).map_err(|e| transient(e.to_string()))?;
                AsyncSmtpConnection::connect_tokio1(
                    (c.host.as_str(), c.port),
                    Some(c.timeout),
                    &self.hello,
                    Some(tls),
                    None,
                )
                .await
                .map_err(|e| transient(e.to_string()))?
            }
            TlsMode::None | TlsMode::StartTls => {
                let tcp = tokio::time::timeout(c.timeout, tokio::net::TcpStream::connect((c.host.as_str(), c.port)))
                    .await
                    .map_err(|_| transient(format!("timed out connecting to {}:{}", c.host, c.port)))?
                    .map_err(|e| transient(format!("cannot connect to {}:{}: {e}", c.host, c.port)))?;
                tcp.set_nodelay(true).map_err(|e| transient(e.to_string()))?;
                let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                    .await
                    .map_err(|e| transient(e.to_string()))?;
                if c.tls == TlsMode::StartTls {
                    let tls = TlsParameters::new(c.host.clone()).map_err(|e| transient(e.to_string()))?;
                    conn.starttls(tls, &self.hello)
                        .await
                        .map_err(|e| transient(e.to_string()))?;
                }
                conn
            }
        };
        if let (Some(u), Some(p)) = (&c.username, &c.password) {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(u.clone(), p.clone()),
            )
            .await
            .map_err(|e| {
                if e.is_permanent() {
                    SendError::Permanent(e.to_string())
                } else {
                    transient(e.to_string())
                }
            })?;
        }
        Ok(conn)
    }

    /// Sends one message; returns the relay's response text.
    pub async fn send(&mut self, envelope: &Envelope, bytes: &[u8]) -> Result<String, SendError> {
        if self.conn.is_none() {
            self.conn = Some(self.connect().await.map_err(|e| match e {
                SendError::Transient(m) => SendError::Unavailable(m),
                other => other,
            })?);
        }
        let Some(conn) = self.conn.as_mut() else {
            return Err(SendError::Transient("not connected".into()));
        };
        match tokio::time::timeout(self.config.timeout, conn.send(envelope, bytes)).await {
            Ok(Ok(response)) => Ok(response.message().collect::<Vec<_>>().join(" ")),
            Ok(Err(e)) => {
                let permanent = e.is_permanent();
                // lettre closes the session on any error: the next send reconnects.
                if let Some(mut c) = self.conn.take() {
                    c.abort().await;
                }
                let msg = e.to_string();
                Err(if permanent {
                    SendError::Permanent(msg)
                } else {
                    SendError::Transient(msg)
                })
            }
            Err(_) => {
                if let Some(mut c) = self.conn.take() {
                    c.abort().await;
                }
                Err(SendError::Transient("timed out waiting for the SMTP server".into()))
            }
        }
    }

    pub async fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit().await;
        }
    }
}

/// Spaces sends to at most `per_second` across all workers sharing it.
pub struct RateLimiter {
    interval: Option<Duration>,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl RateLimiter {
    pub fn new(rate: Option<crate::domain::sending::SendRate>) -> Self {
        Self {
            interval: rate.map(|r| r.interval()),
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    pub async fn wait(&self) {
        let Some(interval) = self.interval else { return };
        let at = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let at = (*next).max(now);
            *next = at + interval;
            at
        };
        tokio::time::sleep_until(at).await;
    }
}
