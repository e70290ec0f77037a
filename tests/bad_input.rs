//! Bad input: every mistake an operator can make gets one clear line, a non-zero exit code,
//! and an answer in well under five seconds. Never a panic.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use common::{Node, NodeOpts, RunOutput, run};

/// Runs rcluster, checks the failure is quick, clean and explained, and returns it.
fn refuses(args: &[&str], code: i32, needle: &str) -> RunOutput {
    let started = Instant::now();
    let out = run(args);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}: {out}");
    out.assert_code(code);
    assert!(!out.stderr.contains("panicked"), "{out}");
    assert!(
        out.stderr.contains(needle),
        "stderr should mention {needle:?}:\n{out}"
    );
    out
}

/// Error lines of a run: exactly one line beginning `error:`.
fn assert_one_error_line(out: &RunOutput) {
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error:"))
        .collect();
    assert_eq!(errors.len(), 1, "{out}");
}

/// A port on 127.0.0.1 with nothing listening.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[test]
fn address_without_port() {
    let out = refuses(&["check", "127.0.0.1"], 2, "127.0.0.1");
    assert_one_error_line(&out);
}

#[test]
fn port_not_a_number() {
    let out = refuses(&["check", "127.0.0.1:notaport"], 2, "notaport");
    assert_one_error_line(&out);
}

#[test]
fn port_out_of_range() {
    let out = refuses(&["check", "127.0.0.1:70000"], 2, "70000");
    assert_one_error_line(&out);
}

#[test]
fn nothing_listening() {
    let port = closed_port();
    let addr = format!("127.0.0.1:{port}");
    let out = refuses(&["check", &addr], 1, &format!("{addr}: connection refused"));
    assert_one_error_line(&out);
    for sub in ["info", "nodes", "slots"] {
        refuses(&[sub, &addr], 1, "connection refused");
    }
}

#[test]
fn nothing_listening_json_error_document() {
    let addr = format!("127.0.0.1:{}", closed_port());
    let out = refuses(&["check", &addr, "--json"], 1, "connection refused");
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON error document");
    assert_eq!(doc["exit_code"], 1);
    assert!(
        doc["error"]
            .as_str()
            .unwrap()
            .contains("connection refused")
    );
}

#[test]
fn not_a_cluster_node() {
    let node = Node::start(&NodeOpts::new().cluster(false));
    let out = refuses(
        &["check", &node.addr()],
        1,
        &format!("{}: not a cluster node (cluster_enabled:0)", node.addr()),
    );
    assert_one_error_line(&out);
}

#[test]
fn wrong_password_standalone() {
    let node = Node::start(&NodeOpts::new().password("right"));
    let out = refuses(
        &["check", &node.addr(), "-a", "wrong"],
        1,
        "authentication failed (WRONGPASS)",
    );
    assert_one_error_line(&out);
    assert!(!out.stderr.contains("wrong\n") && !out.stdout.contains("wrong"));
}

#[test]
fn password_given_but_none_configured() {
    let node = Node::start(&NodeOpts::new());
    let out = run(["check", &node.addr(), "-a", "x"]);
    assert_ne!(out.code, 0, "{out}");
    assert!(out.stderr.contains(&node.addr()), "{out}");
}

#[test]
fn unknown_subcommand_and_bad_options() {
    refuses(&["frobnicate", "127.0.0.1:7000"], 2, "frobnicate");
    refuses(&["check"], 2, "HOST:PORT");
    refuses(&["check", "127.0.0.1:7000", "-t", "-1"], 2, "timeout");
    refuses(&["check", "127.0.0.1:7000", "--cacert", "/x"], 2, "--tls");
    refuses(
        &[
            "--tls",
            "--cacert",
            "/nonexistent/ca.pem",
            "check",
            "127.0.0.1:7000",
        ],
        2,
        "/nonexistent/ca.pem",
    );
}

#[test]
fn unresolvable_host() {
    let out = run(["check", "no-such-host.invalid:7000", "-t", "2"]);
    assert_eq!(out.code, 1, "{out}");
    assert!(out.stderr.contains("no-such-host.invalid:7000"), "{out}");
    assert!(!out.stderr.contains("panicked"), "{out}");
}

/// A listener that answers every connection with bytes that are not RESP.
fn garbage_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            thread::spawn(move || {
                let mut buf = [0u8; 512];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n");
            });
        }
    });
    port
}

/// A listener that accepts connections and never answers.
fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn not_redis_at_all() {
    let addr = format!("127.0.0.1:{}", garbage_server());
    let out = refuses(&["check", &addr], 1, &addr);
    assert_one_error_line(&out);
}

#[test]
fn server_that_never_answers_times_out() {
    let addr = format!("127.0.0.1:{}", silent_server());
    let out = refuses(&["check", &addr, "-t", "1"], 1, &addr);
    assert!(out.stderr.contains("timed out"), "{out}");
}
