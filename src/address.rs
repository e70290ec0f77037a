//! Node addresses as operators type them: `host:port`, `host port`, `[::1]:7000`, `::1:7000`.

use std::fmt;
use std::net::Ipv6Addr;

/// A node's client address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct NodeAddr {
    /// Host name or IP address, without brackets.
    pub(crate) host: String,
    /// Client port.
    pub(crate) port: u16,
}

impl NodeAddr {
    /// Builds an address from its parts.
    pub(crate) fn new(host: impl Into<String>, port: u16) -> Self {
        NodeAddr {
            host: host.into(),
            port,
        }
    }

    /// Parses one `host:port` token the way redis-cli does: an `@busport` suffix is dropped and
    /// the split is at the last colon, so `::1:7000` and `[::1]:7000` both work. A host part
    /// that holds a colon must be an IPv6 address (`127.0.0.1:7000:5` is refused).
    pub(crate) fn parse(token: &str) -> Result<Self, AddrError> {
        let without_bus = token.split('@').next().unwrap_or(token);
        if let Some(rest) = without_bus.strip_prefix('[') {
            let Some((host, after)) = rest.split_once(']') else {
                return Err(AddrError::BadHost(
                    token.to_string(),
                    without_bus.to_string(),
                ));
            };
            return match after.strip_prefix(':') {
                Some(_) if !is_ipv6(host) => {
                    Err(AddrError::BadHost(token.to_string(), format!("[{host}]")))
                }
                Some(port) => Self::from_parts(token, host, port),
                None if after.is_empty() => Err(AddrError::MissingPort(token.to_string())),
                None => Err(AddrError::BadHost(
                    token.to_string(),
                    without_bus.to_string(),
                )),
            };
        }
        let Some((host, port)) = without_bus.rsplit_once(':') else {
            return Err(AddrError::MissingPort(token.to_string()));
        };
        Self::from_parts(token, host, port)
    }

    /// Parses the positional arguments of a subcommand: either one `host:port` token or the two
    /// tokens `host port`.
    pub(crate) fn from_args(args: &[String]) -> Result<Self, AddrError> {
        match args {
            [one] => Self::parse(one),
            [host, port] => {
                let bare = host
                    .strip_prefix('[')
                    .and_then(|h| h.strip_suffix(']'))
                    .unwrap_or(host);
                Self::from_parts(&format!("{host} {port}"), bare, port)
            }
            _ => Err(AddrError::WrongArity),
        }
    }

    /// Parses a list of node addresses (`create`'s arguments): `host:port` tokens, where a
    /// token without a colon followed by a number is read as the pair `host port`.
    pub(crate) fn list(tokens: &[String]) -> Result<Vec<Self>, AddrError> {
        let mut out = Vec::with_capacity(tokens.len());
        let mut rest = tokens;
        while let Some((first, tail)) = rest.split_first() {
            match tail.first() {
                Some(port) if !first.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
                    out.push(Self::from_parts(&format!("{first} {port}"), first, port)?);
                    rest = &tail[1..];
                }
                _ => {
                    out.push(Self::parse(first)?);
                    rest = tail;
                }
            }
        }
        Ok(out)
    }

    fn from_parts(token: &str, host: &str, port: &str) -> Result<Self, AddrError> {
        if host.is_empty() {
            return Err(AddrError::MissingHost(token.to_string()));
        }
        if host.contains(':') && !is_ipv6(host) {
            return Err(AddrError::BadHost(token.to_string(), host.to_string()));
        }
        let port_num: u32 = port
            .parse()
            .map_err(|_| AddrError::BadPort(token.to_string(), port.to_string()))?;
        if port_num == 0 || port_num > 65535 {
            return Err(AddrError::PortRange(token.to_string(), port_num));
        }
        Ok(NodeAddr::new(host, port_num as u16))
    }
}

/// True for an IPv6 address, with or without a zone (`fe80::1%eth0`).
fn is_ipv6(host: &str) -> bool {
    let addr = host.split_once('%').map_or(host, |(addr, _zone)| addr);
    addr.parse::<Ipv6Addr>().is_ok()
}

/// `host:port`, with an IPv6 host in brackets (`[::1]:7000`), as operators type it back.
impl fmt::Display for NodeAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl serde::Serialize for NodeAddr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Why an address argument was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AddrError {
    /// `127.0.0.1` with no port.
    MissingPort(String),
    /// `:7000` with no host.
    MissingHost(String),
    /// A host part that is neither an IPv6 address nor a host name (`127.0.0.1:7000:5`, an
    /// unclosed `[`): the token and the host part.
    BadHost(String, String),
    /// A port that is not a number.
    BadPort(String, String),
    /// A port outside 1..=65535.
    PortRange(String, u32),
    /// Neither one nor two tokens.
    WrongArity,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddrError::MissingPort(t) if t.starts_with('[') => write!(
                f,
                "invalid address '{t}': missing port (hint: an IPv6 address goes in brackets \
                 followed by its port, e.g. [::1]:7000)"
            ),
            AddrError::MissingPort(t) => write!(
                f,
                "invalid address '{t}': missing port (expected HOST:PORT, e.g. 127.0.0.1:7000, or HOST PORT)"
            ),
            AddrError::BadHost(t, h) => write!(
                f,
                "invalid address '{t}': '{h}' is neither a host name nor an IPv6 address (hint: \
                 give one HOST:PORT, e.g. 127.0.0.1:7000; an IPv6 address goes in brackets, \
                 e.g. [::1]:7000)"
            ),
            AddrError::MissingHost(t) => {
                write!(f, "invalid address '{t}': missing host (expected HOST:PORT)")
            }
            AddrError::BadPort(t, p) => {
                write!(f, "invalid address '{t}': port '{p}' is not a number")
            }
            AddrError::PortRange(t, p) => write!(
                f,
                "invalid address '{t}': port {p} is out of range (1-65535)"
            ),
            AddrError::WrongArity => f.write_str(
                "expected one node address as HOST:PORT (e.g. 127.0.0.1:7000) or as two words HOST PORT",
            ),
        }
    }
}

impl std::error::Error for AddrError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_the_forms_redis_cli_accepts() {
        assert_eq!(
            NodeAddr::parse("127.0.0.1:7000").unwrap(),
            NodeAddr::new("127.0.0.1", 7000)
        );
        assert_eq!(
            NodeAddr::parse("10.0.0.1:7000@17000").unwrap(),
            NodeAddr::new("10.0.0.1", 7000)
        );
        assert_eq!(
            NodeAddr::parse("::1:7000").unwrap(),
            NodeAddr::new("::1", 7000)
        );
        assert_eq!(
            NodeAddr::parse("[::1]:7000").unwrap(),
            NodeAddr::new("::1", 7000)
        );
        assert_eq!(
            NodeAddr::from_args(&args(&["localhost", "7000"])).unwrap(),
            NodeAddr::new("localhost", 7000)
        );
    }

    #[test]
    fn rejects_bad_input_with_reasons() {
        assert!(matches!(
            NodeAddr::parse("127.0.0.1"),
            Err(AddrError::MissingPort(_))
        ));
        assert!(matches!(
            NodeAddr::parse("127.0.0.1:notaport"),
            Err(AddrError::BadPort(..))
        ));
        assert!(matches!(
            NodeAddr::parse("127.0.0.1:70000"),
            Err(AddrError::PortRange(_, 70000))
        ));
        assert!(matches!(
            NodeAddr::parse("127.0.0.1:0"),
            Err(AddrError::PortRange(_, 0))
        ));
        assert!(matches!(
            NodeAddr::parse(":7000"),
            Err(AddrError::MissingHost(_))
        ));
        assert!(matches!(
            NodeAddr::from_args(&args(&["a", "b", "c"])),
            Err(AddrError::WrongArity)
        ));
        let msg = NodeAddr::parse("127.0.0.1:70000").unwrap_err().to_string();
        assert!(msg.contains("out of range"), "{msg}");
    }

    #[test]
    fn refuses_a_host_part_that_is_no_host() {
        for token in [
            "127.0.0.1:23000:5",
            "2001:db8::7000",
            "[::1",
            "[::1]7000",
            "[nope]:7000",
        ] {
            let err = NodeAddr::parse(token).unwrap_err();
            assert!(matches!(err, AddrError::BadHost(..)), "{token}: {err:?}");
            let msg = err.to_string();
            assert!(msg.contains(token) && msg.contains("[::1]:7000"), "{msg}");
        }
        let err = NodeAddr::parse("[::1]").unwrap_err();
        assert!(matches!(err, AddrError::MissingPort(_)), "{err:?}");
        assert!(err.to_string().contains("[::1]:7000"), "{err}");
        assert!(matches!(
            NodeAddr::from_args(&args(&["127.0.0.1:5", "7000"])),
            Err(AddrError::BadHost(..))
        ));
    }

    #[test]
    fn ipv6_in_every_accepted_form() {
        let want = NodeAddr::new("fe80::1%eth0", 7000);
        assert_eq!(NodeAddr::parse("fe80::1%eth0:7000").unwrap(), want);
        assert_eq!(NodeAddr::parse("[fe80::1%eth0]:7000@17000").unwrap(), want);
        assert_eq!(
            NodeAddr::from_args(&args(&["[::1]", "7000"])).unwrap(),
            NodeAddr::new("::1", 7000)
        );
        assert_eq!(
            NodeAddr::from_args(&args(&["::1", "7000"])).unwrap(),
            NodeAddr::new("::1", 7000)
        );
    }

    #[test]
    fn displays_ipv6_in_brackets() {
        assert_eq!(NodeAddr::new("::1", 7000).to_string(), "[::1]:7000");
        assert_eq!(
            NodeAddr::new("127.0.0.1", 7000).to_string(),
            "127.0.0.1:7000"
        );
        assert_eq!(NodeAddr::new("redis-0", 6379).to_string(), "redis-0:6379");
        let json = serde_json::to_string(&NodeAddr::new("::1", 7000)).unwrap();
        assert_eq!(json, "\"[::1]:7000\"");
        for addr in [NodeAddr::new("::1", 7000), NodeAddr::new("10.0.0.1", 1)] {
            assert_eq!(NodeAddr::parse(&addr.to_string()).unwrap(), addr);
        }
    }

    #[test]
    fn list_mixes_tokens_and_pairs() {
        let tokens: Vec<String> = ["127.0.0.1:7000", "localhost", "7001", "[::1]:7002"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let addrs = NodeAddr::list(&tokens).unwrap();
        assert_eq!(
            addrs,
            vec![
                NodeAddr::new("127.0.0.1", 7000),
                NodeAddr::new("localhost", 7001),
                NodeAddr::new("::1", 7002)
            ]
        );
        let bad: Vec<String> = vec!["127.0.0.1".into(), "x".into()];
        assert!(NodeAddr::list(&bad).is_err());
    }
}
