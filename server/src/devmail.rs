//! A small SMTP server that keeps what it receives: for development (`liaison dev-mail`, with
//! the messages readable as JSON over HTTP) and for the tests, which need a real SMTP peer over
//! TCP. It speaks enough of RFC 5321 for lettre: EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed),
//! RSET, NOOP, QUIT. It can be told to refuse recipients (permanently or temporarily).
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body, CRLF line ends).
    pub data: String,
}

/// How the sink answers `RCPT TO` for addresses containing a marker.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Behaviour {
    /// Recipients containing this text get `550` (permanent failure).
    pub reject_permanently: Option<String>,
    /// Recipients containing this text get `451` (try again later).
    pub reject_temporarily: Option<String>,
}

/// How many messages the development sink inside `liaison serve` keeps: the newest, so a
/// long-running development instance does not grow without bound.
pub const DEV_SINK_CAPACITY: usize = 1_000;

#[derive(Clone, Default)]
pub struct MailSink {
    messages: Arc<Mutex<VecDeque<Received>>>,
    behaviour: Arc<Mutex<Behaviour>>,
    /// Keep at most this many (the oldest are dropped); `None`: all (tests, the benchmark).
    capacity: Option<usize>,
}

impl MailSink {
    pub fn new() -> Self {
        Self::default()
    }

    /// A sink that keeps only the newest `capacity` messages.
    pub fn bounded(capacity: usize) -> Self {
        Self {
            capacity: Some(capacity),
            ..Self::default()
        }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.messages
            .lock()
            .map(|m| m.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// A page of the messages kept, newest first: `limit` of them from `offset`, and the total.
    pub fn page_newest_first(&self, offset: usize, limit: usize) -> (Vec<Received>, usize) {
        self.messages
            .lock()
            .map(|m| (m.iter().rev().skip(offset).take(limit).cloned().collect(), m.len()))
            .unwrap_or_default()
    }

    pub fn clear(&self) {
        if let Ok(mut m) = self.messages.lock() {
            m.clear();
        }
    }

    pub fn set_behaviour(&self, b: Behaviour) {
        if let Ok(mut cur) = self.behaviour.lock() {
            *cur = b;
        }
    }

    /// Accepts connections on `listener` until the task is aborted.
    pub async fn serve(self, listener: TcpListener) {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let sink = self.clone();
            tokio::spawn(async move {
                if let Err(e) = sink.session(stream).await {
                    tracing::debug!(error = %e, "dev-mail session ended");
                }
            });
        }
    }

    /// Binds and serves in the background; returns the address and the task (abort to stop).
    pub async fn start(self, addr: SocketAddr) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
        let listener = TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        Ok((local, tokio::spawn(self.serve(listener))))
    }

    async fn session(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut reader = BufReader::new(read);
        write.write_all(b"220 liaison-devmail ESMTP ready\r\n").await?;
        let mut from = String::new();
        let mut to: Vec<String> = Vec::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let cmd = line.trim_end().to_string();
            let upper = cmd.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-liaison-devmail\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
            } else if upper.starts_with("HELO") {
                b"250 liaison-devmail\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                from = address(&cmd[10..]);
                to.clear();
                b"250 OK\r\n"
            } else if upper.starts_with("RCPT TO:") {
                let rcpt = address(&cmd[8..]);
                let b = self.behaviour.lock().map(|b| b.clone()).unwrap_or_default();
                if b.reject_permanently.as_ref().is_some_and(|m| rcpt.contains(m.as_str())) {
                    b"550 5.1.1 No such mailbox\r\n"
                } else if b.reject_temporarily.as_ref().is_some_and(|m| rcpt.contains(m.as_str())) {
                    b"451 4.3.0 Try again later\r\n"
                } else {
                    to.push(rcpt);
                    b"250 OK\r\n"
                }
            } else if upper == "DATA" {
                if to.is_empty() {
                    b"554 No valid recipients\r\n"
                } else {
                    write.write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n").await?;
                    let mut data = String::new();
                    loop {
                        line.clear();
                        if reader.read_line(&mut line).await? == 0 {
                            return Ok(());
                        }
                        if line == ".\r\n" || line == ".\n" {
                            break;
                        }
                        // Dot-unstuffing (RFC 5321 4.5.2).
                        data.push_str(line.strip_prefix('.').unwrap_or(&line));
                    }
                    if let Ok(mut m) = self.messages.lock() {
                        m.push_back(Received {
                            from: from.clone(),
                            to: std::mem::take(&mut to),
                            data,
                        });
                        while self.capacity.is_some_and(|c| m.len() > c) {
                            m.pop_front();
                        }
                    }
                    b"250 OK queued\r\n"
                }
            } else if upper == "RSET" {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            } else if upper == "NOOP" {
                b"250 OK\r\n"
            } else if upper == "QUIT" {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            } else {
                b"502 Command not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
    }
}

fn address(arg: &str) -> String {
    let arg = arg.trim();
    let inner = arg
        .strip_prefix('<')
        .and_then(|a| a.split_once('>'))
        .map(|(a, _)| a)
        .unwrap_or(arg);
    inner.split_whitespace().next().unwrap_or("").to_string()
}

/// `liaison dev-mail`: the sink on an SMTP port, and its messages as JSON on an HTTP port
/// (`GET /messages`, `DELETE /messages`), for development and the browser tests, which also
/// make it refuse recipients (`PUT /behaviour` with `{"reject_permanently": "marker"}`, or
/// `{}` to accept everyone again) to play a relay that fails and is then fixed.
pub async fn run(smtp: SocketAddr, http: SocketAddr) -> anyhow::Result<()> {
    use axum::routing::get;
    let sink = MailSink::new();
    let (smtp_addr, _task) = sink.clone().start(smtp).await?;
    let api = axum::Router::new()
        .route(
            "/behaviour",
            axum::routing::put({
                let sink = sink.clone();
                move |axum::Json(b): axum::Json<Behaviour>| async move {
                    sink.set_behaviour(b);
                    "ok"
                }
            }),
        )
        .route(
            "/messages",
            get({
                let sink = sink.clone();
                move || async move { axum::Json(sink.messages()) }
            })
            .delete({
                let sink = sink.clone();
                move || async move {
                    sink.clear();
                    "cleared"
                }
            }),
        );
    let listener = TcpListener::bind(http).await?;
    println!(
        "dev-mail: SMTP on {smtp_addr}, messages at http://{}/messages",
        listener.local_addr()?
    );
    axum::serve(listener, api).await?;
    Ok(())
}
