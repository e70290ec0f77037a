//! The `rcluster` binary: installs the TLS crypto provider and hands argv to [`rcluster::run`].

fn main() {
    // rustls needs one process-wide crypto provider; ring is the only one compiled in.
    let _ = rustls::crypto::ring::default_provider().install_default();
    std::process::exit(rcluster::run(std::env::args_os()));
}
