//! The `rcluster` binary: installs the TLS crypto provider and hands argv to [`rcluster::run`].

fn main() {
    // Before any other thread: Ctrl-C must not interrupt a thread reading from a node.
    #[cfg(unix)]
    rcluster::exec::interrupt::route_ctrl_c_to_one_thread();
    // rustls needs one process-wide crypto provider; ring is the only one compiled in.
    let _ = rustls::crypto::ring::default_provider().install_default();
    std::process::exit(rcluster::run(std::env::args_os()));
}
