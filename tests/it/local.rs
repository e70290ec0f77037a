//! `rcluster local up/status/down` with real redis-server (or valkey-server) processes: the
//! harness's binary through `--server`, or found on PATH.

use std::path::Path;

use crate::common::{run, server};

/// A free block of `count` consecutive ports (and their bus ports) for a local cluster.
fn free_block(count: u16) -> u16 {
    loop {
        let first = crate::common::allocate_block(count);
        if (0..count).all(|i| crate::common::port_pair_free("127.0.0.1", first + i)) {
            return first;
        }
    }
}

#[test]
fn up_status_down() {
    let dir = tempfile::tempdir().unwrap();
    let place = dir.path().join("cluster");
    let place = place.to_str().unwrap();
    let port = free_block(6);
    let port_text = port.to_string();
    let flags = ["--port", port_text.as_str(), "--dir", place];
    let (flavor, version) = (server().flavor().name(), server().version());
    let server = server().path().to_str().unwrap();

    let mut up = vec!["local", "up", "--server", server];
    up.extend(flags);
    let out = run(&up);
    out.assert_success();
    assert!(
        out.stdout.contains("[OK] All 16384 slots covered."),
        "{out}"
    );
    assert!(
        out.stdout.contains(&format!(
            "Starting 6 {flavor}-server {version} processes ({server})"
        )),
        "the server started is not named:\n{out}"
    );
    assert!(
        out.stdout.contains(&format!("{flavor}-cli -c -p {port}")),
        "{out}"
    );
    assert!(Path::new(place).join("rcluster-local.json").is_file());
    run(["check", &format!("127.0.0.1:{port}")]).assert_success();

    // A second `up` on the same place refuses and changes nothing.
    let again = run(&up);
    again.assert_code(1);
    assert!(again.stderr.contains("already running"), "{again}");

    let mut status = vec!["local", "status", "--json"];
    status.extend(flags);
    let out = run(&status);
    out.assert_success();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["nodes"].as_array().unwrap().len(), 6);
    assert_eq!(doc["cluster"]["shards"].as_array().unwrap().len(), 3);

    let mut down = vec!["local", "down"];
    down.extend(flags);
    let out = run(&down);
    out.assert_success();
    assert!(out.stdout.contains("Stopped 6 node(s)"), "{out}");
    assert!(!Path::new(place).exists());
    assert!(crate::common::port_pair_free("127.0.0.1", port));

    // Down again: nothing to do, still success.
    run(&down).assert_success();
    let mut status = vec!["local", "status"];
    status.extend(flags);
    run(&status).assert_code(1);
}

/// `local up -a PW`: every node wants the password (replicas use it with their masters),
/// which is stored nowhere in clear but the nodes' own mode-600 files; `status` needs it
/// (from `-a` or REDISCLI_AUTH); `down` stops the nodes with or without it.
#[test]
fn password_protects_the_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let place = dir.path().join("c");
    let place = place.to_str().unwrap();
    let port = free_block(6);
    let port_text = port.to_string();
    let flags = ["--port", port_text.as_str(), "--dir", place];
    let password = "s3cret with \"quotes\"";
    let server = server().path().to_str().unwrap();
    let down = |extra: &[&str]| {
        let mut args = vec!["local", "down"];
        args.extend(flags);
        args.extend(extra);
        run(&args)
    };

    let mut up = vec!["local", "up", "--server", server, "-a", password];
    up.extend(flags);
    let out = run(&up);
    if !out.success() {
        down(&["-a", password]);
    }
    out.assert_success();
    assert!(out.stdout.contains("password required"), "{out}");
    assert!(
        out.stdout.contains(&format!("-p {port} --askpass")),
        "{out}"
    );
    assert!(!crate::common::all_text(&out).contains(password), "{out}");
    let state = std::fs::read_to_string(Path::new(place).join("rcluster-local.json")).unwrap();
    assert!(!state.contains("s3cret"), "{state}");

    let addr = format!("127.0.0.1:{port}");
    let refused = run(["check", &addr]);
    refused.assert_code(1);
    assert!(refused.stderr.contains("authentication"), "{refused}");
    let checked = run(["check", &addr, "-a", password]);
    checked.assert_success();
    for replica in port + 3..port + 6 {
        let url = format!("redis://127.0.0.1:{replica}/");
        let mut conn = redis::Client::open(url).unwrap().get_connection().unwrap();
        let noauth = redis::cmd("PING").query::<String>(&mut conn).unwrap_err();
        assert_eq!(noauth.code(), Some("NOAUTH"), "{noauth}");
        let _: () = redis::cmd("AUTH").arg(password).query(&mut conn).unwrap();
        crate::common::wait_until("the replica to sync with the password", || {
            let info: String = redis::cmd("INFO")
                .arg("replication")
                .query(&mut conn)
                .unwrap();
            info.contains("master_link_status:up")
        });
    }

    let mut status = vec!["local", "status"];
    status.extend(flags);
    let out = run(&status);
    out.assert_code(2);
    assert!(
        out.stderr.contains("was started with a password") && out.stderr.contains("-a"),
        "{out}"
    );
    let mut cmd = crate::common::rcluster();
    cmd.env("REDISCLI_AUTH", password).args(&status);
    crate::common::run_command(cmd, None).assert_success();

    // Without the password, down still stops every node (SIGTERM to the recorded pids).
    let out = down(&[]);
    out.assert_success();
    assert!(out.stdout.contains("Stopped 6 node(s)"), "{out}");
    assert!(!Path::new(place).exists());
    assert!((port..port + 6).all(|p| crate::common::port_pair_free("127.0.0.1", p)));

    // With the password, down uses SHUTDOWN.
    let mut up = vec![
        "local",
        "up",
        "--server",
        server,
        "--replicas",
        "0",
        "-a",
        password,
    ];
    up.extend(flags);
    run(&up).assert_success();
    let out = down(&["-a", password]);
    out.assert_success();
    assert!(out.stdout.contains("Stopped 3 node(s)"), "{out}");

    let out = run([
        "local", "up", "--user", "admin", "-a", password, "--port", &port_text,
    ]);
    out.assert_code(2);
    assert!(out.stderr.contains("--user admin"), "{out}");
}

#[test]
fn three_masters_without_replicas_for_ci() {
    let dir = tempfile::tempdir().unwrap();
    let place = dir.path().join("c");
    let port = free_block(3).to_string();
    let args = [
        "local",
        "up",
        "--masters",
        "3",
        "--replicas",
        "0",
        "--yes",
        "--port",
        &port,
        "--dir",
        place.to_str().unwrap(),
    ];
    run(args).assert_success();
    run([
        "local",
        "down",
        "--port",
        &port,
        "--dir",
        place.to_str().unwrap(),
    ])
    .assert_success();
}

/// Without redis-server on PATH, `local up` runs the valkey-server there.
#[test]
fn valkey_server_on_path_is_used_without_redis_server() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let valkey = bin.join("valkey-server");
    std::os::unix::fs::symlink(server().path(), &valkey).unwrap();
    let place = dir.path().join("c");
    let place = place.to_str().unwrap();
    let port = free_block(3).to_string();
    let (flavor, version) = (server().flavor().name(), server().version());

    let mut cmd = crate::common::rcluster();
    cmd.env("PATH", &bin).args([
        "local",
        "up",
        "--masters",
        "3",
        "--replicas",
        "0",
        "--port",
        &port,
        "--dir",
        place,
    ]);
    let out = crate::common::run_command(cmd, None);
    let down = || run(["local", "down", "--port", &port, "--dir", place]);
    if !out.success() {
        down();
    }
    out.assert_success();
    assert!(
        out.stdout.contains(&format!(
            "Starting 3 {flavor}-server {version} processes ({})",
            valkey.display()
        )),
        "the valkey-server on PATH was not used:\n{out}"
    );
    run(["check", &format!("127.0.0.1:{port}")]).assert_success();
    down().assert_success();
}

#[test]
fn missing_server_and_bad_arguments() {
    for flag in ["--server", "--redis-server"] {
        let out = run(["local", "up", flag, "/nonexistent/redis-server"]);
        out.assert_code(2);
        assert!(out.stderr.contains("/nonexistent/redis-server"), "{out}");
    }
    let out = run(["local", "up", "--server", "/bin/true"]);
    out.assert_code(2);
    assert!(
        out.stderr.contains("/bin/true") && out.stderr.contains("valkey-server"),
        "{out}"
    );

    let mut cmd = crate::common::rcluster();
    cmd.env("PATH", "/nonexistent").args(["local", "up"]);
    let out = crate::common::run_command(cmd, None);
    out.assert_code(2);
    assert!(
        out.stderr.contains("apt-get install -y redis-server") && out.stderr.contains("--server"),
        "{out}"
    );

    run(["local", "up", "--masters", "2"]).assert_code(2);
    let out = run(["local", "up", "--port", "60000"]);
    out.assert_code(1);
    assert!(out.stderr.contains("bus ports"), "{out}");
}

#[test]
fn a_taken_port_is_refused_before_anything_starts() {
    let dir = tempfile::tempdir().unwrap();
    let place = dir.path().join("c");
    let port = free_block(3);
    let _held = std::net::TcpListener::bind(("127.0.0.1", port + 1)).unwrap();
    let out = run([
        "local",
        "up",
        "--masters",
        "3",
        "--replicas",
        "0",
        "--port",
        &port.to_string(),
        "--dir",
        place.to_str().unwrap(),
    ]);
    out.assert_code(1);
    assert!(out.stderr.contains(&(port + 1).to_string()), "{out}");
    assert!(!place.exists());
}
