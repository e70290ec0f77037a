//! Taking one master's RDB the way a replica gets it: a raw connection (plain or TLS), AUTH,
//! `SYNC`, then
//! the `$<length>` bulk payload streamed to a temporary file with its SHA-256, checked for
//! an RDB header (`REDIS0011`, or `VALKEY080` from Valkey 9 on), fsynced and renamed into
//! place. The master forks a BGSAVE to serve it; no shell access to the server is needed.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use anyhow::{Context, bail};
use sha2::{Digest, Sha256};

use crate::address::NodeAddr;
use crate::hex::hex;
use crate::net::conn::{Auth, ConnectOptions};
use crate::net::raw_stream::RawStream;

/// Length of an RDB header: `REDIS` and 4 digits, or `VALKEY` and 3.
const RDB_HEADER_LEN: usize = 9;
/// Longest wait for a byte from the master. While it forks and saves, a master sends a
/// newline every second to a replica waiting for the payload, so silence this long means
/// it is gone.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The magic an RDB file starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RdbMagic {
    /// `REDIS`: Redis, and Valkey before 9.0.
    Redis,
    /// `VALKEY`: Valkey 9.0 and later (RDB versions 80 and up).
    Valkey,
}

/// The header of an RDB file: its magic and its format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RdbHeader {
    /// Which magic.
    pub(crate) magic: RdbMagic,
    /// The RDB format version (9 for Redis 6.2, 12 for Redis 8.2, 80 for Valkey 9).
    pub(crate) version: u32,
}

impl RdbHeader {
    /// Reads the first [`RDB_HEADER_LEN`] bytes of a file: `REDIS` and 4 digits, or `VALKEY`
    /// and 3 digits; `None` when they are not an RDB header.
    pub(crate) fn parse(head: &[u8]) -> Option<RdbHeader> {
        let (magic, digits) = if let Some(rest) = head.strip_prefix(b"VALKEY") {
            (RdbMagic::Valkey, rest.get(..3)?)
        } else {
            (RdbMagic::Redis, head.strip_prefix(b"REDIS")?.get(..4)?)
        };
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let version = std::str::from_utf8(digits).ok()?.parse().ok()?;
        Some(RdbHeader { magic, version })
    }
}

impl fmt::Display for RdbHeader {
    /// As in the file: `REDIS0011`, `VALKEY080`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.magic {
            RdbMagic::Redis => write!(f, "REDIS{:04}", self.version),
            RdbMagic::Valkey => write!(f, "VALKEY{:03}", self.version),
        }
    }
}

/// One saved RDB.
#[derive(Debug, Clone)]
pub(crate) struct SavedRdb {
    /// Its size in bytes.
    pub(crate) bytes: u64,
    /// Its SHA-256, lowercase hex.
    pub(crate) sha256: String,
    /// Its header.
    pub(crate) header: RdbHeader,
}

/// Fetches `addr`'s RDB with SYNC into `dest` (atomically: a temporary file in the same
/// directory, renamed when complete). `on_length` gets the payload size once known and
/// `on_bytes` the bytes received so far.
pub(crate) fn fetch_rdb(
    opts: &ConnectOptions,
    addr: &NodeAddr,
    dest: &Path,
    mut on_length: impl FnMut(u64),
    mut on_bytes: impl FnMut(u64),
) -> anyhow::Result<SavedRdb> {
    let tcp = connect(addr, opts.connect_timeout)?;
    tcp.set_read_timeout(Some(READ_TIMEOUT.max(opts.io_timeout)))?;
    tcp.set_write_timeout(Some(opts.io_timeout))?;
    let stream = RawStream::new(tcp, &addr.host, opts.tls.as_ref())
        .with_context(|| format!("{addr}: TLS"))?;
    let mut reader = BufReader::with_capacity(1 << 20, stream);
    authenticate(&mut reader, &opts.auth, addr)?;
    reader.get_mut().write_all(b"*1\r\n$4\r\nSYNC\r\n")?;
    reader.get_mut().flush()?;
    let length = read_payload_header(&mut reader, addr)?;
    on_length(length);

    let tmp = dest.with_file_name(format!(
        ".{}.tmp",
        dest.file_name().and_then(|n| n.to_str()).unwrap_or("rdb")
    ));
    let result = stream_to_file(&mut reader, length, &tmp, &mut on_bytes);
    let (bytes, sha256, header) = match result {
        Ok(done) => done,
        Err(err) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(err.context(format!("{addr}: receiving the RDB failed")));
        }
    };
    std::fs::rename(&tmp, dest)
        .with_context(|| format!("cannot rename {} to {}", tmp.display(), dest.display()))?;
    Ok(SavedRdb {
        bytes,
        sha256,
        header,
    })
}

fn connect(addr: &NodeAddr, timeout: Duration) -> anyhow::Result<TcpStream> {
    let targets: Vec<_> = (addr.host.as_str(), addr.port)
        .to_socket_addrs()
        .with_context(|| format!("{addr}: cannot resolve the host name"))?
        .collect();
    let mut last = None;
    for target in targets {
        match TcpStream::connect_timeout(&target, timeout) {
            Ok(stream) => return Ok(stream),
            Err(err) => last = Some(err),
        }
    }
    Err(anyhow::anyhow!(
        "{addr}: cannot connect: {}",
        last.map_or_else(|| "no address".to_string(), |e| e.to_string())
    ))
}

/// Sends AUTH (when a password is set) and checks the reply line.
fn authenticate(
    stream: &mut BufReader<RawStream>,
    auth: &Auth,
    addr: &NodeAddr,
) -> anyhow::Result<()> {
    let Some(password) = &auth.password else {
        return Ok(());
    };
    let mut parts: Vec<&[u8]> = vec![b"AUTH"];
    if let Some(user) = &auth.user {
        parts.push(user.as_bytes());
    }
    parts.push(password.as_bytes());
    let mut command = format!("*{}\r\n", parts.len()).into_bytes();
    for part in parts {
        command.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        command.extend_from_slice(part);
        command.extend_from_slice(b"\r\n");
    }
    stream.get_mut().write_all(&command)?;
    stream.get_mut().flush()?;
    let line = read_line(stream)?;
    if let Some(err) = line.strip_prefix('-') {
        // The reply never contains the password.
        bail!("{addr}: authentication failed: {err}");
    }
    Ok(())
}

/// Skips the keep-alive newlines and reads `$<length>`.
fn read_payload_header(reader: &mut impl BufRead, addr: &NodeAddr) -> anyhow::Result<u64> {
    loop {
        let line = read_line(reader)?;
        if line.is_empty() {
            continue; // keep-alive while the master saves
        }
        if let Some(err) = line.strip_prefix('-') {
            bail!("{addr}: SYNC refused: {err}");
        }
        let Some(length) = line.strip_prefix('$') else {
            bail!("{addr}: unexpected reply to SYNC: {line:?}");
        };
        if length.starts_with("EOF:") {
            bail!(
                "{addr}: the master sent a diskless (EOF-marked) payload, which is not supported"
            );
        }
        return length
            .parse()
            .with_context(|| format!("{addr}: bad payload length {length:?}"));
    }
}

fn read_line(reader: &mut impl BufRead) -> anyhow::Result<String> {
    let mut line = Vec::new();
    let n = reader.read_until(b'\n', &mut line)?;
    if n == 0 {
        bail!("the connection was closed");
    }
    Ok(String::from_utf8_lossy(&line)
        .trim_end_matches(['\r', '\n'])
        .to_string())
}

/// Copies exactly `length` bytes to `path`, hashing them; checks the RDB header and fsyncs.
fn stream_to_file(
    reader: &mut impl Read,
    length: u64,
    path: &Path,
    on_bytes: &mut impl FnMut(u64),
) -> anyhow::Result<(u64, String, RdbHeader)> {
    let mut file =
        File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut done: u64 = 0;
    let mut head = Vec::with_capacity(RDB_HEADER_LEN);
    while done < length {
        let want = usize::try_from((length - done).min(buf.len() as u64)).unwrap_or(buf.len());
        let n = reader.read(&mut buf[..want])?;
        if n == 0 {
            bail!("the connection closed after {done} of {length} bytes");
        }
        if head.len() < RDB_HEADER_LEN {
            let take = (RDB_HEADER_LEN - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
        file.write_all(&buf[..n])?;
        done += n as u64;
        on_bytes(done);
    }
    let Some(header) = RdbHeader::parse(&head) else {
        bail!(
            "the payload does not start with an RDB header (REDIS or VALKEY and a version; got \
             {:?})",
            String::from_utf8_lossy(&head)
        );
    };
    file.sync_all()?;
    Ok((done, hex(&hasher.finalize()), header))
}

/// The size and SHA-256 (lowercase hex) of a file, and its RDB header if it has one.
pub(crate) fn file_digest(path: &Path) -> anyhow::Result<(u64, String, Option<RdbHeader>)> {
    let mut file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut size: u64 = 0;
    let mut head = Vec::with_capacity(RDB_HEADER_LEN);
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        if head.len() < RDB_HEADER_LEN {
            let take = (RDB_HEADER_LEN - head.len()).min(n);
            head.extend_from_slice(&buf[..take]);
        }
        hasher.update(&buf[..n]);
        size += n as u64;
    }
    Ok((size, hex(&hasher.finalize()), RdbHeader::parse(&head)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_skips_keepalives() {
        let mut input: &[u8] = b"\n\n$1234\r\nREDIS";
        let addr = NodeAddr::new("h", 1);
        assert_eq!(read_payload_header(&mut input, &addr).unwrap(), 1234);
        let mut refused: &[u8] = b"-NOPERM no\r\n";
        assert!(read_payload_header(&mut refused, &addr).is_err());
    }

    #[test]
    fn payload_is_hashed_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.rdb");
        let mut input: &[u8] = b"REDIS0011rest";
        let (bytes, sha, header) = stream_to_file(&mut input, 9, &path, &mut |_| {}).unwrap();
        assert_eq!(bytes, 9);
        assert_eq!(std::fs::read(&path).unwrap(), b"REDIS0011");
        assert_eq!(sha.len(), 64);
        assert_eq!(header.to_string(), "REDIS0011");
        let mut valkey: &[u8] = b"VALKEY080\xfa\x0avalkey-ver";
        let (_, _, header) = stream_to_file(&mut valkey, 20, &path, &mut |_| {}).unwrap();
        assert_eq!(header.magic, RdbMagic::Valkey);
        assert_eq!(file_digest(&path).unwrap().2, Some(header));
        let mut bad: &[u8] = b"NOTANRDB1";
        assert!(stream_to_file(&mut bad, 9, &path, &mut |_| {}).is_err());
        assert_eq!(file_digest(&path).unwrap().2, None);
        let mut short: &[u8] = b"REDIS";
        assert!(stream_to_file(&mut short, 9, &path, &mut |_| {}).is_err());
    }

    #[test]
    fn headers_of_redis_and_valkey_files() {
        let cases: [(&[u8], RdbMagic, u32); 5] = [
            (b"REDIS0009\xfa", RdbMagic::Redis, 9),   // Redis 6.2
            (b"REDIS0010\xfa", RdbMagic::Redis, 10),  // Redis 7.0
            (b"REDIS0011\xfa", RdbMagic::Redis, 11),  // Valkey 8.1
            (b"REDIS0012\xfa", RdbMagic::Redis, 12),  // Redis 8.2
            (b"VALKEY080\xfa", RdbMagic::Valkey, 80), // Valkey 9.0, 9.1
        ];
        for (head, magic, version) in cases {
            let header = RdbHeader::parse(head).unwrap();
            assert_eq!(header, RdbHeader { magic, version });
            assert_eq!(header.to_string().as_bytes(), &head[..RDB_HEADER_LEN]);
        }
        for head in [
            &b""[..],
            b"REDIS",
            b"REDIS001",
            b"REDIS00x1",
            b"VALKEY08",
            b"VALKE0080",
            b"redis0011",
            b"REDIS+011",
        ] {
            assert_eq!(
                RdbHeader::parse(head),
                None,
                "{:?}",
                String::from_utf8_lossy(head)
            );
        }
    }
}
