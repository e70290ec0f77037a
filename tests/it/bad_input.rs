//! Bad input: every mistake an operator can make gets one clear line, a non-zero exit code,
//! and an answer in well under five seconds. Never a panic.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use crate::common::{Node, NodeOpts, RunOutput, all_text, json, run};

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
fn host_part_that_is_no_host() {
    let out = refuses(&["check", "127.0.0.1:23000:5"], 2, "127.0.0.1:23000:5");
    assert_one_error_line(&out);
    assert!(out.stderr.contains("hint:"), "{out}");
    let out = refuses(&["check", "[::1]"], 2, "missing port");
    assert_one_error_line(&out);
    assert!(out.stderr.contains("[::1]:7000"), "{out}");
}

#[test]
fn ipv6_address_is_echoed_in_brackets() {
    let Some(port) = closed_port_v6() else {
        eprintln!("skipped: this host has no IPv6 loopback");
        return;
    };
    for given in [format!("::1:{port}"), format!("[::1]:{port}")] {
        let out = refuses(&["check", &given], 1, &format!("[::1]:{port}: "));
        assert_one_error_line(&out);
    }
}

/// A port on ::1 with nothing listening, or `None` on a host without IPv6.
fn closed_port_v6() -> Option<u16> {
    let listener = TcpListener::bind("[::1]:0").ok()?;
    Some(listener.local_addr().ok()?.port())
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

/// redis-cli's lines that are wrong get rcluster's own messages (exit 2), never clap's tip
/// about `--`, and nothing is contacted (the port has no server).
#[test]
fn redis_cli_lines_with_bad_values_or_words() {
    let entry = "127.0.0.1:1";
    for (args, needle) in [
        (
            vec!["--cluster", "reshard", entry, "--cluster-slots", "-5"],
            "from 1 to 16384",
        ),
        (vec!["reshard", entry, "--slots", "-5"], "from 1 to 16384"),
        (
            vec!["--cluster", "create", "a:1", "--cluster-replicas", "-1"],
            "whole number",
        ),
        (vec!["set-timeout", entry, "-5"], "whole number"),
        (
            vec!["--cluster", "frobnicate", entry],
            "Unknown --cluster subcommand",
        ),
        (
            vec!["--cluster", "check", entry, "--bogus"],
            "Unrecognized option",
        ),
        (
            vec!["--cluster", "check", entry, "--cluster-to"],
            "needs a value",
        ),
        (vec!["--cluster"], "needs a subcommand"),
        (
            vec!["-u", "http://u:secret@h", "--cluster", "check", entry],
            "unknown scheme",
        ),
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}:\n{out}");
        assert!(
            all_text(&out).contains(needle),
            "{args:?}: no {needle:?}:\n{out}"
        );
        assert!(
            !all_text(&out).contains("use '--"),
            "{args:?}: clap's tip:\n{out}"
        );
        assert!(
            !all_text(&out).contains("secret"),
            "{args:?}: password shown:\n{out}"
        );
    }
}

/// Under --json a usage error, clap's own included, is one JSON document on stdout.
#[test]
fn usage_errors_under_json_are_one_document() {
    for args in [
        vec!["check", "127.0.0.1:1", "--bogus", "--json"],
        vec!["--json", "reshard", "127.0.0.1:1", "--slots", "x"],
        vec!["--json", "--cluster", "frobnicate", "127.0.0.1:1"],
        vec!["--json", "check"],
    ] {
        let out = run(&args);
        assert_eq!(out.code, 2, "{args:?}:\n{out}");
        let doc = json(&out);
        assert_eq!(doc["exit_code"], 2, "{args:?}: {doc}");
        assert!(
            doc["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{args:?}: {doc}"
        );
    }
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

/// The membership and data commands refuse bad arguments before contacting anything.
#[test]
fn membership_and_data_commands_check_their_arguments() {
    let closed = format!("127.0.0.1:{}", closed_port());
    let c = closed.as_str();
    refuses(&["add-node", c, c], 2, "both");
    refuses(&["add-node", "127.0.0.1", c], 2, "127.0.0.1");
    refuses(
        &["add-node", c, "127.0.0.1:1", "--wait-timeout", "0"],
        2,
        "--wait-timeout",
    );
    refuses(&["del-node", c, "not-an-id"], 2, "not a node id");
    refuses(&["del-node", c, &"a".repeat(41)], 2, "not a node id");
    refuses(&["call", c], 2, "COMMAND");
    refuses(&["call", c, ""], 2, "give a command");
    refuses(
        &["call", c, "PING", "--only-masters", "--only-replicas"],
        2,
        "cannot be used",
    );
    refuses(&["set-timeout", c, "99"], 2, "100");
    refuses(&["set-timeout", c, "soon"], 2, "soon");
    refuses(&["import", c], 2, "--from");
    refuses(&["import", c, "--from", "nowhere"], 2, "nowhere");
    refuses(
        &["import", c, "--from", c, "--pipeline", "0"],
        2,
        "--pipeline",
    );
    refuses(
        &["import", c, "--from", c, "--parallel", "0"],
        2,
        "--parallel",
    );
    refuses(
        &["import", c, "--from", c, "--from-user", "u"],
        2,
        "--from-pass",
    );
    refuses(&["load", c, "--by", "bytes"], 2, "net-in");
    refuses(&["load", c, "--window", "0"], 2, "--window");
    refuses(&["load", c, "--top", "0"], 2, "--top");
    refuses(&["rebalance", c, "--by", "bytes"], 2, "net-in");
    refuses(
        &["rebalance", c, "--by", "cpu", "--window", "0"],
        2,
        "--window",
    );
    refuses(&["backup", c], 2, "DIR");
    refuses(&["backup", c, "/tmp/x", "--parallel", "0"], 2, "--parallel");
    refuses(&["restore", c, "/nonexistent/backup"], 1, "manifest.json");
}

/// Unreachable entry nodes: one clear error, exit 1, for every new command.
#[test]
fn membership_and_data_commands_name_an_unreachable_node() {
    let closed = format!("127.0.0.1:{}", closed_port());
    let c = closed.as_str();
    for args in [
        vec!["add-node", "127.0.0.1:1", c],
        vec!["del-node", c, "0123456789012345678901234567890123456789"],
        vec!["call", c, "PING"],
        vec!["set-timeout", c, "5000"],
        vec!["import", c, "--from", "127.0.0.1:1"],
        vec!["backup", c, "/tmp/rcluster-never-created"],
    ] {
        let out = refuses(&args, 1, &closed);
        assert_one_error_line(&out);
    }
    assert!(!std::path::Path::new("/tmp/rcluster-never-created").exists());
}

/// Every option redis-cli's own `--help` lists is accepted on a `--cluster` line (applied or
/// ignored, never "unrecognized"): the run gets as far as connecting (exit 1: nothing
/// listens), or shows the help or version (exit 0). redis-cli is the oracle of the list.
#[test]
fn every_option_of_redis_cli_help_is_accepted() {
    if !crate::common::redis_cli_available() {
        eprintln!("redis-cli not found: not applicable");
        return;
    }
    let help = std::process::Command::new("redis-cli")
        .arg("--help")
        .output()
        .expect("redis-cli --help");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&help.stdout),
        String::from_utf8_lossy(&help.stderr)
    );
    let mut tried = 0;
    // Option lines are indented by one or two spaces; deeper ones continue a description.
    for line in text.lines().filter(|l| l.len() - l.trim_start().len() <= 2) {
        let mut words = line.split_whitespace();
        let Some(option) = words.next().filter(|w| w.starts_with('-')) else {
            continue;
        };
        // Needing files, stdin or being the mode itself: tested on their own.
        if [
            "--cluster",
            "--cacert",
            "--cacertdir",
            "--cert",
            "--key",
            "-x",
            "-X",
        ]
        .contains(&option)
        {
            continue;
        }
        let takes_value = words.next().is_some_and(|w| w.starts_with('<'));
        let mut args: Vec<&str> = match option {
            "--user" => vec!["--user", "u", "-a", "p"],
            "--sni" | "--insecure" => vec!["--tls", option],
            _ => vec![option],
        };
        if takes_value && option != "--user" {
            args.push(match option {
                "-u" => "redis://127.0.0.1:1",
                "--sni" => "example.org",
                _ => "1",
            });
        }
        args.extend(["--cluster", "check", "127.0.0.1:1", "-t", "1"]);
        let out = run(&args);
        tried += 1;
        assert!(
            matches!(out.code, 0 | 1),
            "{args:?} was not accepted:\n{out}"
        );
        assert!(!out.stderr.contains("panicked"), "{args:?}:\n{out}");
    }
    assert!(
        tried >= 50,
        "only {tried} options found in redis-cli --help"
    );
}
