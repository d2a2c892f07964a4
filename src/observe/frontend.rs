//! Issue 11: ask every front end for `/_status`, in parallel, each bounded in time.
//!
//! The URL is `https://HOST/_status` where HOST is the api_fqdn (the name the front ends'
//! certificate is for, sent as TLS server name and `Host`), connected to the front end's own
//! address: a resolver maps HOST to that address, so no DNS is asked. The certificate is
//! checked against the system CA store (rustls with the platform's native certificates:
//! `$SSL_CERT_FILE`, else `/etc/ssl/certs/ca-certificates.crt` on Debian). In `auto` mode a
//! refused HTTPS connection (nothing listens) is retried over HTTP; a TLS or certificate
//! failure never is. Redirects are not followed.

use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use crate::config::frontends::{Scheme, Settings, Target};
use crate::model::frontend::{FrontendResult, MAX_BODY_BYTES};

/// Asks every target; the results are in the targets' order.
pub fn probe_all(targets: &[Target], settings: &Settings) -> Vec<FrontendResult> {
    std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|t| s.spawn(move || probe(t, settings)))
            .collect();
        handles
            .into_iter()
            .zip(targets)
            .map(|(h, t)| {
                h.join().unwrap_or_else(|_| {
                    FrontendResult::unreachable(
                        &t.name,
                        &t.address.to_string(),
                        "",
                        "the request thread failed".to_string(),
                        0,
                    )
                })
            })
            .collect()
    })
}

/// Asks one front end (with the HTTP fallback of `auto`).
pub fn probe(t: &Target, settings: &Settings) -> FrontendResult {
    let started = Instant::now();
    let https = (t.address, settings.https_port);
    let http = (t.address, settings.http_port);
    match settings.scheme {
        Scheme::Http => get(t, "http", http, settings.timeout, started),
        Scheme::Https => get(t, "https", https, settings.timeout, started),
        Scheme::Auto => match attempt(t, "https", https, settings.timeout) {
            Err(Failure::Refused(why)) => {
                let left = settings.timeout.saturating_sub(started.elapsed());
                let mut r = get(t, "http", http, left, started);
                if let Some(e) = &mut r.error {
                    e.push_str(&format!(" (HTTPS first: {why})"));
                }
                r
            }
            other => finish(t, "https", https, other, started),
        },
    }
}

enum Failure {
    /// Nothing listens on the port.
    Refused(String),
    /// Any other failure without an HTTP answer.
    Other(String),
}

type Answer = Result<(u16, Vec<u8>), Failure>;

fn get(
    t: &Target,
    scheme: &str,
    at: (IpAddr, u16),
    timeout: Duration,
    started: Instant,
) -> FrontendResult {
    let a = attempt(t, scheme, at, timeout);
    finish(t, scheme, at, a, started)
}

fn url(t: &Target, scheme: &str, port: u16) -> String {
    let default = if scheme == "https" { 443 } else { 80 };
    let host = if t.host.contains(':') {
        format!("[{}]", t.host) // an IPv6 literal
    } else {
        t.host.clone()
    };
    if port == default {
        format!("{scheme}://{host}/_status")
    } else {
        format!("{scheme}://{host}:{port}/_status")
    }
}

fn finish(
    t: &Target,
    scheme: &str,
    at: (IpAddr, u16),
    a: Answer,
    started: Instant,
) -> FrontendResult {
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let u = url(t, scheme, at.1);
    let addr = SocketAddr::from(at).to_string();
    match a {
        Ok((code, body)) => FrontendResult::answered(&t.name, &addr, &u, code, &body, ms),
        Err(Failure::Refused(why) | Failure::Other(why)) => {
            FrontendResult::unreachable(&t.name, &addr, &u, why, ms)
        }
    }
}

fn attempt(t: &Target, scheme: &str, at: (IpAddr, u16), timeout: Duration) -> Answer {
    if timeout.is_zero() {
        return Err(Failure::Other("no time left".to_string()));
    }
    let to = SocketAddr::from(at);
    let agent = ureq::AgentBuilder::new()
        .timeout(timeout)
        .timeout_connect(timeout)
        .redirects(0)
        .max_idle_connections(0)
        .user_agent(concat!("private-chef-ctl/", env!("CARGO_PKG_VERSION")))
        // every name resolves to this front end's address: no DNS, and the certificate is
        // still checked against HOST
        .resolver(move |_netloc: &str| Ok(vec![to]))
        .build();
    let u = url(t, scheme, at.1);
    let resp = match agent.get(&u).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(e)) => return Err(classify(&e, scheme, to, timeout)),
    };
    let code = resp.status();
    let mut body = Vec::new();
    match resp
        .into_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body)
    {
        Ok(_) if body.len() as u64 > MAX_BODY_BYTES => Err(Failure::Other(format!(
            "HTTP {code} with a body over {} KiB",
            MAX_BODY_BYTES / 1024
        ))),
        Ok(_) => Ok((code, body)),
        Err(e) => Err(Failure::Other(format!(
            "HTTP {code}, reading the body from {to}: {}",
            io_reason(&e, timeout)
        ))),
    }
}

fn io_reason(e: &std::io::Error, timeout: Duration) -> String {
    match e.kind() {
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock => {
            format!("timed out after {:.1} s", timeout.as_secs_f64())
        }
        _ => e.to_string(),
    }
}

fn classify(e: &ureq::Transport, scheme: &str, to: SocketAddr, timeout: Duration) -> Failure {
    let mut src: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return Failure::Refused(format!("{to}: connection refused"));
            }
            if matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ) {
                return Failure::Other(format!(
                    "{to}: timed out after {:.1} s",
                    timeout.as_secs_f64()
                ));
            }
            // a rustls error (certificate, handshake) travels inside an io::Error
            if let Some(inner) = io.get_ref() {
                let what = if scheme == "https" { "TLS" } else { "HTTP" };
                return Failure::Other(format!("{to}: {what}: {inner}"));
            }
            return Failure::Other(format!("{to}: {}: {io}", e.kind()));
        }
        src = s.source();
    }
    Failure::Other(format!("{to}: {e}"))
}
