//! Connecting to one node: TCP or TLS, AUTH, bounded connect and IO timeouts, and errors that
//! name the node and say what went wrong in plain words.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use redis::{Cmd, ConnectionAddr, ConnectionLike, FromRedisValue, IntoConnectionInfo, Value};

use crate::address::NodeAddr;

/// Credentials sent with AUTH on every connection. `Debug` never shows the password.
#[derive(Clone, Default)]
pub(crate) struct Auth {
    /// ACL user; `None` means the default user.
    pub(crate) user: Option<String>,
    /// Password; `None` means no AUTH is sent.
    pub(crate) password: Option<String>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// TLS settings, with certificate files already read into memory.
#[derive(Clone, Default)]
pub(crate) struct TlsSettings {
    /// PEM bundle of trusted CAs; `None` uses the system trust store.
    pub(crate) ca_pem: Option<Vec<u8>>,
    /// Client certificate and key (PEM) for mutual TLS.
    pub(crate) client_cert_key: Option<(Vec<u8>, Vec<u8>)>,
    /// Skip certificate verification entirely (`--insecure`).
    pub(crate) insecure: bool,
    /// Accept a certificate whose names do not match the address (set by `--sni`).
    pub(crate) skip_hostname_check: bool,
}

impl fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSettings")
            .field("ca_pem", &self.ca_pem.is_some())
            .field("client_cert_key", &self.client_cert_key.is_some())
            .field("insecure", &self.insecure)
            .field("skip_hostname_check", &self.skip_hostname_check)
            .finish()
    }
}

impl TlsSettings {
    /// Reads every PEM file in `dir` (as `--cacertdir` does) into one CA bundle.
    pub(crate) fn read_ca_dir(dir: &Path) -> std::io::Result<Vec<u8>> {
        let mut bundle = Vec::new();
        let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
        entries.sort_by_key(|e| e.path());
        for entry in entries {
            if !entry.file_type()?.is_file() {
                continue;
            }
            let bytes = std::fs::read(entry.path())?;
            if bytes
                .windows(27)
                .any(|w| w == b"-----BEGIN CERTIFICATE-----")
            {
                bundle.extend_from_slice(&bytes);
                bundle.push(b'\n');
            }
        }
        if bundle.is_empty() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no PEM certificate found in the directory",
            ));
        }
        Ok(bundle)
    }
}

/// Everything needed to open a connection to any node of the cluster.
#[derive(Debug, Clone)]
pub(crate) struct ConnectOptions {
    /// AUTH credentials.
    pub(crate) auth: Auth,
    /// TLS settings, `None` for plain TCP.
    pub(crate) tls: Option<TlsSettings>,
    /// Bound on TCP connect + TLS handshake.
    pub(crate) connect_timeout: Duration,
    /// Bound on each command's reply (long commands such as MIGRATE raise it per call).
    pub(crate) io_timeout: Duration,
    /// Resolve host names to IPv6 addresses first (`-6`); IPv4 first otherwise.
    pub(crate) prefer_ipv6: bool,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            auth: Auth::default(),
            tls: None,
            connect_timeout: Duration::from_secs(2),
            io_timeout: Duration::from_secs(10),
            prefer_ipv6: false,
        }
    }
}

impl ConnectOptions {
    /// Opens a connection to `addr`, authenticates, and sets the IO timeouts.
    pub(crate) fn connect(&self, addr: &NodeAddr) -> Result<NodeConn, NodeError> {
        let fail = |kind, message: String| NodeError {
            addr: addr.clone(),
            kind,
            message,
        };
        let client = self
            .client(addr)
            .map_err(|e| fail(ErrorKind::Connect, describe_connect_error(&e, self)))?;
        let conn = client
            .get_connection_with_timeout(self.connect_timeout)
            .map_err(|e| fail(ErrorKind::Connect, describe_connect_error(&e, self)))?;
        let mut node = NodeConn {
            addr: addr.clone(),
            conn,
            broken: false,
        };
        node.set_timeout(self.io_timeout)?;
        if let Some(password) = &self.auth.password {
            let mut auth = redis::cmd("AUTH");
            if let Some(user) = &self.auth.user {
                auth.arg(user);
            }
            auth.arg(password);
            if let Value::ServerError(err) = node.raw(&auth)? {
                let text = server_error_text(&err);
                return Err(fail(ErrorKind::Auth, describe_auth_error(&text)));
            }
        }
        Ok(node)
    }

    fn client(&self, addr: &NodeAddr) -> redis::RedisResult<redis::Client> {
        let settings = redis::RedisConnectionInfo::default().set_skip_set_lib_name();
        let Some(tls) = &self.tls else {
            let info = ConnectionAddr::Tcp(addr.host.clone(), addr.port)
                .into_connection_info()?
                .set_redis_settings(settings);
            return redis::Client::open(info);
        };
        let info = ConnectionAddr::TcpTls {
            host: addr.host.clone(),
            port: addr.port,
            insecure: tls.insecure,
            tls_params: None,
        }
        .into_connection_info()?
        .set_redis_settings(settings);
        let certs = redis::TlsCertificates {
            client_tls: tls
                .client_cert_key
                .as_ref()
                .map(|(cert, key)| redis::ClientTlsConfig {
                    client_cert: cert.clone(),
                    client_key: key.clone(),
                }),
            root_cert: tls.ca_pem.clone(),
        };
        let client = redis::Client::build_with_tls(info, certs)?;
        if !tls.skip_hostname_check {
            return Ok(client);
        }
        let info = client.get_connection_info().clone();
        let mut tls_addr = info.addr().clone();
        tls_addr.set_danger_accept_invalid_hostnames(true);
        redis::Client::open(info.set_addr(tls_addr))
    }
}

pub(crate) use crate::error::{ErrorKind, NodeError};

/// An open, authenticated connection to one node.
pub(crate) struct NodeConn {
    /// The address this connection was opened to.
    pub(crate) addr: NodeAddr,
    conn: redis::Connection,
    /// A reply was lost (timeout, dropped connection): later replies would be out of step.
    broken: bool,
}

impl NodeConn {
    /// Sets the read and write timeout for the following commands.
    pub(crate) fn set_timeout(&mut self, timeout: Duration) -> Result<(), NodeError> {
        let timeout = Some(timeout.max(Duration::from_millis(1)));
        self.conn
            .set_read_timeout(timeout)
            .and_then(|()| self.conn.set_write_timeout(timeout))
            .map_err(|e| self.error(&e))
    }

    /// Runs one command and converts its reply; a server error reply becomes an `Err`.
    pub(crate) fn query<T: FromRedisValue>(&mut self, cmd: &Cmd) -> Result<T, NodeError> {
        let value = self.raw(cmd)?;
        self.convert(value)
    }

    /// Runs one command and returns the raw reply, server errors included as
    /// `Value::ServerError` (for `call`, which prints them as replies).
    pub(crate) fn raw(&mut self, cmd: &Cmd) -> Result<Value, NodeError> {
        let reply = self.conn.req_command(cmd);
        reply.map_err(|e| {
            self.broken = true;
            self.error(&e)
        })
    }

    /// True after a transport error: the connection must not be reused.
    pub(crate) fn is_broken(&self) -> bool {
        self.broken
    }

    /// Sends every command of `pipe` in one round trip and returns the raw replies in order,
    /// server errors included.
    pub(crate) fn pipeline(&mut self, pipe: &redis::Pipeline) -> Result<Vec<Value>, NodeError> {
        if pipe.is_empty() {
            return Ok(Vec::new());
        }
        // Replies are read one by one and the first transport error ends the pipeline: the
        // redis crate's own pipeline keeps reading after a timeout, waiting one more timeout
        // per command still to answer (minutes for a node that stopped answering).
        if let Err(err) = self.conn.send_packed_command(&pipe.get_packed_pipeline()) {
            self.broken = true;
            return Err(self.error(&err));
        }
        let mut replies = Vec::with_capacity(pipe.len());
        for _ in 0..pipe.len() {
            match self.conn.recv_response() {
                Ok(reply) => replies.push(reply),
                Err(err) => {
                    self.broken = true;
                    return Err(self.error(&err));
                }
            }
        }
        Ok(replies)
    }

    /// Sends `pipe` in one round trip and hands each reply to `on_reply` as it arrives; when
    /// `on_reply` returns false, stops reading (the connection is then broken: the remaining
    /// replies are never read). Returns how many replies were handled.
    pub(crate) fn pipeline_each(
        &mut self,
        pipe: &redis::Pipeline,
        mut on_reply: impl FnMut(usize, Value) -> bool,
    ) -> Result<usize, NodeError> {
        if let Err(err) = self.conn.send_packed_command(&pipe.get_packed_pipeline()) {
            self.broken = true;
            return Err(self.error(&err));
        }
        for i in 0..pipe.len() {
            match self.conn.recv_response() {
                Ok(reply) => {
                    if !on_reply(i, reply) {
                        self.broken = i + 1 < pipe.len();
                        return Ok(i + 1);
                    }
                }
                Err(err) => {
                    self.broken = true;
                    return Err(self.error(&err));
                }
            }
        }
        Ok(pipe.len())
    }

    /// Sends `pipe` in one round trip and fails on the first error reply, naming `what` was
    /// being done (e.g. `CLUSTER ADDSLOTSRANGE`).
    pub(crate) fn pipeline_ok(
        &mut self,
        pipe: &redis::Pipeline,
        what: &str,
    ) -> Result<(), NodeError> {
        for value in self.pipeline(pipe)? {
            if let Value::ServerError(err) = &value {
                let text = server_error_text(err);
                return Err(self.server_error(&format!("{what} failed: {text}")));
            }
        }
        Ok(())
    }

    /// Converts a raw reply; a server error becomes an `Err` naming this node.
    pub(crate) fn convert<T: FromRedisValue>(&self, value: Value) -> Result<T, NodeError> {
        if let Value::ServerError(err) = &value {
            return Err(self.server_error(&server_error_text(err)));
        }
        T::from_redis_value(value).map_err(|e| NodeError {
            addr: self.addr.clone(),
            kind: ErrorKind::Io,
            message: format!("unexpected reply: {e}"),
        })
    }

    /// A server-error `NodeError` for this node.
    pub(crate) fn server_error(&self, text: &str) -> NodeError {
        let message = if text.starts_with("NOAUTH") {
            describe_auth_error(text)
        } else {
            text.to_string()
        };
        let kind = if text.starts_with("NOAUTH") || text.starts_with("WRONGPASS") {
            ErrorKind::Auth
        } else {
            ErrorKind::Server
        };
        NodeError {
            addr: self.addr.clone(),
            kind,
            message,
        }
    }

    fn error(&self, err: &redis::RedisError) -> NodeError {
        NodeError {
            addr: self.addr.clone(),
            kind: ErrorKind::Io,
            message: describe_io_error(err),
        }
    }
}

/// The text of a server error reply as redis-cli prints it: `CODE detail`.
pub(crate) fn server_error_text(err: &redis::ServerError) -> String {
    match err.details() {
        Some(detail) => format!("{} {}", err.code(), detail),
        None => err.code().to_string(),
    }
}

fn describe_auth_error(text: &str) -> String {
    if text.starts_with("NOAUTH") {
        "authentication required (NOAUTH): pass the password with -a/--pass, --askpass or REDISCLI_AUTH".into()
    } else if text.starts_with("WRONGPASS") {
        "authentication failed (WRONGPASS): wrong password or user".into()
    } else if text.contains("without any password configured") {
        "authentication failed: a password was given but the node has none configured (drop -a/--pass and REDISCLI_AUTH)".into()
    } else {
        format!("authentication failed ({text})")
    }
}

fn describe_connect_error(err: &redis::RedisError, opts: &ConnectOptions) -> String {
    if err.is_connection_refusal() {
        return "connection refused".into();
    }
    if err.is_timeout() {
        return format!(
            "connection timed out after {} (raise it with -t/--connect-timeout)",
            humanize(opts.connect_timeout)
        );
    }
    if err.kind() == redis::ErrorKind::Parse {
        return NOT_REDIS.into();
    }
    let text = err.to_string();
    let lower = text.to_lowercase();
    if lower.contains("lookup address") || lower.contains("resolve") {
        return "cannot resolve the host name".into();
    }
    if lower.contains("ssl") || lower.contains("tls") || lower.contains("certificate") {
        return format!("TLS handshake failed: {}", err.detail().unwrap_or(&text));
    }
    if opts.tls.is_none() && (lower.contains("reset") || lower.contains("broken pipe")) {
        return format!("{text} (does the node expect TLS? try --tls)");
    }
    text
}

const NOT_REDIS: &str =
    "the reply is not the Redis protocol (is this a Redis node? a TLS port needs --tls)";

fn describe_io_error(err: &redis::RedisError) -> String {
    if err.kind() == redis::ErrorKind::Parse {
        return NOT_REDIS.into();
    }
    if err.is_timeout() {
        return "timed out waiting for a reply (raise the limit with -t/--connect-timeout)".into();
    }
    if err.is_connection_dropped() || err.is_io_error() {
        return format!("connection lost ({err})");
    }
    err.to_string()
}

/// `2s`, `1.5s`, `250ms`.
pub(crate) fn humanize(d: Duration) -> String {
    if d.as_millis().is_multiple_of(1000) {
        format!("{}s", d.as_secs())
    } else if d.as_millis() > 1000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let auth = Auth {
            user: Some("ops".into()),
            password: Some("s3cret".into()),
        };
        let text = format!("{auth:?}");
        assert!(
            !text.contains("s3cret") && text.contains("redacted"),
            "{text}"
        );
    }

    #[test]
    fn auth_errors_read_plainly() {
        assert!(
            describe_auth_error("WRONGPASS invalid username-password pair").contains("WRONGPASS")
        );
        assert!(describe_auth_error("NOAUTH Authentication required.").contains("REDISCLI_AUTH"));
        assert!(
            describe_auth_error(
                "ERR AUTH <password> called without any password configured for the default user."
            )
            .contains("none configured")
        );
    }

    #[test]
    fn durations_read_plainly() {
        assert_eq!(humanize(Duration::from_secs(2)), "2s");
        assert_eq!(humanize(Duration::from_millis(1500)), "1.5s");
        assert_eq!(humanize(Duration::from_millis(250)), "250ms");
    }
}
