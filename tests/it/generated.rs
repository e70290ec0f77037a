//! The committed completions (completions/), man pages (docs/man/) and option reference
//! (docs/reference/) are what the current command-line definition generates. Run
//! `scripts/gen-docs` (RCLUSTER_BLESS=1) to rewrite them after changing the CLI.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use rcluster::generate::{SHELLS, completion, man_pages, reference_pages};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Compares (or with RCLUSTER_BLESS=1 writes) every generated file of `dir`; files in `dir`
/// that nothing generates any more are stale too.
fn check_dir(dir: &Path, files: Vec<(String, Vec<u8>)>, ext: Option<&str>) {
    let bless = std::env::var("RCLUSTER_BLESS").is_ok_and(|v| v == "1");
    if bless {
        std::fs::create_dir_all(dir).unwrap();
    }
    let mut stale = Vec::new();
    let wanted: BTreeSet<String> = files.iter().map(|(n, _)| n.clone()).collect();
    for (name, text) in &files {
        let path = dir.join(name);
        if std::fs::read(&path).ok().as_deref() != Some(text.as_slice()) {
            if bless {
                std::fs::write(&path, text).unwrap();
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let generated_kind = ext.is_none_or(|e| name.ends_with(e));
        if generated_kind && !wanted.contains(&name) {
            if bless {
                std::fs::remove_file(entry.path()).unwrap();
            } else {
                stale.push(format!("{} (no longer generated)", entry.path().display()));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files, run scripts/gen-docs: {stale:#?}"
    );
}

#[test]
fn completions_are_fresh() {
    let files = SHELLS
        .iter()
        .map(|(shell, name)| (name.to_string(), completion(*shell)))
        .collect();
    check_dir(&root().join("completions"), files, None);
}

#[test]
fn man_pages_are_fresh_and_render() {
    let pages = man_pages().unwrap();
    assert!(pages.iter().any(|(n, _)| n == "rcluster-import.1"));
    check_dir(&root().join("docs/man"), pages, Some(".1"));
    // `man -l` renders the page. scripts/test installs man and sets RCLUSTER_TEST_REQUIRE_MAN,
    // so in CI a missing man fails the test instead of skipping the check.
    match std::process::Command::new("man")
        .args(["-l", "docs/man/rcluster.1"])
        .env("MANWIDTH", "80")
        .current_dir(root())
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "man -l failed: {out:?}");
            assert!(text.contains("rcluster"), "{text}");
        }
        Err(err) => assert!(
            std::env::var("RCLUSTER_TEST_REQUIRE_MAN").is_err(),
            "man is required here (RCLUSTER_TEST_REQUIRE_MAN): {err}"
        ),
    }
}

#[test]
fn option_reference_is_fresh() {
    let pages = reference_pages()
        .into_iter()
        .map(|(n, t)| (n, t.into_bytes()))
        .collect();
    check_dir(&root().join("docs/reference"), pages, Some(".md"));
}

#[test]
fn every_subcommand_help_has_a_summary_an_example_and_exit_codes() {
    use clap::CommandFactory;
    let mut cmd = rcluster::cli::Cli::command();
    cmd.build();
    let mut missing = Vec::new();
    // `help` mirrors every subcommand without their texts: skip it.
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        let mut leaves: Vec<&clap::Command> = sub.get_subcommands().collect();
        if leaves.is_empty() {
            leaves.push(sub);
        }
        for leaf in leaves {
            let name = leaf.get_name();
            if name == "help" {
                continue;
            }
            let after = leaf
                .get_after_help()
                .map(ToString::to_string)
                .unwrap_or_default();
            if leaf.get_about().is_none() {
                missing.push(format!("{name}: no one-line summary"));
            }
            if !after.contains("Example") {
                missing.push(format!("{name}: no example"));
            }
            if !after.contains("Exit codes") {
                missing.push(format!("{name}: no exit codes"));
            }
            for arg in leaf.get_arguments() {
                if arg.get_help().is_none() && !arg.is_hide_set() {
                    missing.push(format!("{name}: --{:?} has no help", arg.get_id()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}
