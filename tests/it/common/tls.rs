//! Per-test TLS material generated with rcgen: a CA, a server certificate
//! (usable as client certificate too, for the TLS cluster bus and
//! replication) and a client certificate, written as PEM files.

use std::fs;
use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use tempfile::TempDir;

/// Subject alternative names of the server certificate.
const SERVER_SANS: [&str; 4] = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "localhost"];

/// PEM files of a freshly generated test PKI; deleted on drop.
#[derive(Debug)]
pub struct TlsFiles {
    /// The directory holding the files, kept until drop.
    _dir: TempDir,
    /// CA certificate (`ca.crt`).
    pub ca_cert: PathBuf,
    /// Server certificate (`server.crt`), EKU serverAuth + clientAuth.
    pub server_cert: PathBuf,
    /// Server private key (`server.key`).
    pub server_key: PathBuf,
    /// Client certificate (`client.crt`), EKU clientAuth.
    pub client_cert: PathBuf,
    /// Client private key (`client.key`).
    pub client_key: PathBuf,
}

impl TlsFiles {
    /// Generates a CA, a server and a client certificate into a new temp dir.
    pub fn generate() -> TlsFiles {
        let dir = tempfile::Builder::new()
            .prefix("rcluster-tls-")
            .tempdir()
            .expect("create TLS temp dir");
        let (ca_pem, issuer) = new_ca();
        let server_sans: Vec<String> = SERVER_SANS.iter().map(|s| s.to_string()).collect();
        let server = new_leaf(
            server_sans,
            "rcluster-test-server",
            &[
                ExtendedKeyUsagePurpose::ServerAuth,
                ExtendedKeyUsagePurpose::ClientAuth,
            ],
            &issuer,
        );
        let client = new_leaf(
            Vec::new(),
            "rcluster-test-client",
            &[ExtendedKeyUsagePurpose::ClientAuth],
            &issuer,
        );
        let write = |name: &str, pem: &str| -> PathBuf {
            let path = dir.path().join(name);
            fs::write(&path, pem).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
            path
        };
        TlsFiles {
            ca_cert: write("ca.crt", &ca_pem),
            server_cert: write("server.crt", &server.0),
            server_key: write("server.key", &server.1),
            client_cert: write("client.crt", &client.0),
            client_key: write("client.key", &client.1),
            _dir: dir,
        }
    }

    /// `--tls --cacert <ca> --cert <client.crt> --key <client.key>`, the flag
    /// spelling shared by redis-cli and rcluster.
    pub fn cli_args(&self) -> Vec<String> {
        vec![
            "--tls".into(),
            "--cacert".into(),
            path_str(&self.ca_cert),
            "--cert".into(),
            path_str(&self.client_cert),
            "--key".into(),
            path_str(&self.client_key),
        ]
    }

    /// Certificates for `redis::Client::build_with_tls`: trust the test CA and,
    /// when `with_client_cert`, present the client certificate.
    pub fn redis_certificates(&self, with_client_cert: bool) -> redis::TlsCertificates {
        let client_tls = with_client_cert.then(|| redis::ClientTlsConfig {
            client_cert: read(&self.client_cert),
            client_key: read(&self.client_key),
        });
        redis::TlsCertificates {
            client_tls,
            root_cert: Some(read(&self.ca_cert)),
        }
    }
}

/// Installs the ring crypto provider for rustls (idempotent).
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("temp path is UTF-8").to_string()
}

/// Self-signed CA: returns its PEM and an issuer to sign leaves with.
fn new_ca() -> (String, Issuer<'static, KeyPair>) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "rcluster test CA");
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let key = KeyPair::generate().expect("CA key");
    let cert = params.self_signed(&key).expect("self-sign CA");
    (cert.pem(), Issuer::new(params, key))
}

/// Leaf certificate signed by `issuer`: returns (certificate PEM, key PEM).
fn new_leaf(
    sans: Vec<String>,
    common_name: &str,
    ekus: &[ExtendedKeyUsagePurpose],
    issuer: &Issuer<'static, KeyPair>,
) -> (String, String) {
    let mut params = CertificateParams::new(sans).expect("leaf params");
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.use_authority_key_identifier_extension = true;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = ekus.to_vec();
    let key = KeyPair::generate().expect("leaf key");
    let cert = params.signed_by(&key, issuer).expect("sign leaf");
    (cert.pem(), key.serialize_pem())
}
