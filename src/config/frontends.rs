//! Issue 11: where the front ends' `/_status` is and how `frontend-status` asks for it.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `server "FQDN", :ipaddress => "IP", :role => "frontend"` | | the front ends, in file order |
//! | `api_fqdn "FQDN"` | the front end's own FQDN | the name asked for: TLS server name, certificate and `Host` |
//! | `ha['frontend_scheme']` | `"auto"` | `"https"`, `"http"`, or `"auto"`: HTTPS, and HTTP only when nothing listens on the HTTPS port (connection refused; never after a TLS or certificate error) |
//! | `nginx['ssl_port']`, `nginx['non_ssl_port']` | 443, 80 | the ports (the original's nginx attributes) |
//! | `ha['frontend_timeout']` | 5 | seconds each front end may take, connection included |

use std::net::IpAddr;
use std::time::Duration;

use super::Config;

/// `ha['frontend_scheme']`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// HTTPS, then HTTP when the HTTPS port refuses the connection.
    Auto,
    /// HTTPS only.
    Https,
    /// HTTP only.
    Http,
}

/// The default of `ha['frontend_timeout']`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// One front end to ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The `server` FQDN.
    pub name: String,
    /// Its `:ipaddress`.
    pub address: IpAddr,
    /// The name in the URL: TLS server name, certificate and `Host` header.
    pub host: String,
}

/// How to reach the front ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub scheme: Scheme,
    pub https_port: u16,
    pub http_port: u16,
    pub timeout: Duration,
}

impl Config {
    /// The front ends, in file order.
    pub fn frontend_targets(&self) -> Vec<Target> {
        let api = self.topology.api_fqdn.clone();
        self.topology
            .frontends()
            .into_iter()
            .map(|s| Target {
                name: s.fqdn.clone(),
                address: s.ipaddress,
                host: api.clone().unwrap_or_else(|| s.fqdn.clone()),
            })
            .collect()
    }

    /// The settings (values were type-checked at load).
    pub fn frontend_settings(&self) -> Settings {
        let port = |key: &str, default: u16| {
            self.attr("nginx", key)
                .and_then(|v| v.as_int())
                .and_then(|p| u16::try_from(p).ok())
                .unwrap_or(default)
        };
        Settings {
            scheme: match self.attr("ha", "frontend_scheme").and_then(|v| v.as_str()) {
                Some("https") => Scheme::Https,
                Some("http") => Scheme::Http,
                _ => Scheme::Auto,
            },
            https_port: port("ssl_port", 443),
            http_port: port("non_ssl_port", 80),
            timeout: self
                .attr("ha", "frontend_timeout")
                .and_then(|v| v.as_int())
                .and_then(|s| u64::try_from(s).ok())
                .map(Duration::from_secs)
                .unwrap_or(DEFAULT_TIMEOUT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn cfg(text: &str) -> Config {
        Config::from_text(text, Path::new("private-chef.rb")).unwrap()
    }

    #[test]
    fn front_ends_and_defaults() {
        let c = cfg(r#"topology "ha"
server "be1.example", :ipaddress => "10.0.0.1", :role => "backend", :bootstrap => true
server "fe1.example", :ipaddress => "10.0.0.21", :role => "frontend"
server "fe2.example", :ipaddress => "10.0.0.22", :role => "frontend"
api_fqdn "chef.example"
"#);
        let t = c.frontend_targets();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].name, "fe2.example");
        assert_eq!(t[1].address.to_string(), "10.0.0.22");
        assert_eq!(t[1].host, "chef.example");
        let s = c.frontend_settings();
        assert_eq!(
            s,
            Settings {
                scheme: Scheme::Auto,
                https_port: 443,
                http_port: 80,
                timeout: DEFAULT_TIMEOUT
            }
        );
    }

    #[test]
    fn settings_are_read_and_checked() {
        let c = cfg(
            r#"server "fe1.example", :ipaddress => "10.0.0.21", :role => "frontend"
ha['frontend_scheme'] = "http"
ha['frontend_timeout'] = 2
nginx['ssl_port'] = 8443
nginx['non_ssl_port'] = 8080
"#,
        );
        assert_eq!(c.frontend_targets()[0].host, "fe1.example");
        let s = c.frontend_settings();
        assert_eq!(
            (s.scheme, s.https_port, s.http_port, s.timeout),
            (Scheme::Http, 8443, 8080, Duration::from_secs(2))
        );
        for (bad, want) in [
            (
                "ha['frontend_scheme'] = \"ftp\"",
                "\"auto\" or \"https\" or \"http\"",
            ),
            ("ha['frontend_timeout'] = 0", "from 1 to 300"),
            ("nginx['ssl_port'] = 70000", "a port number"),
        ] {
            let e = Config::from_text(bad, Path::new("private-chef.rb"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(want), "{bad}: {e}");
        }
    }
}
