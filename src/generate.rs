//! Everything generated from the clap definition, the single source of the CLI: shell
//! completions, man pages and the option reference of the docs. `rcluster completions` and
//! `rcluster man` print them; `tests/it/generated.rs` checks the committed copies are fresh.

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// The shells completions are generated for, with the file each is committed as.
pub const SHELLS: [(Shell, &str); 5] = [
    (Shell::Bash, "rcluster.bash"),
    (Shell::Zsh, "_rcluster"),
    (Shell::Fish, "rcluster.fish"),
    (Shell::Elvish, "rcluster.elv"),
    (Shell::PowerShell, "_rcluster.ps1"),
];

/// The command definition with a version that does not change with every commit, so that
/// generated files stay stable.
fn command() -> clap::Command {
    Cli::command()
        .version(env!("CARGO_PKG_VERSION"))
        .term_width(100)
}

/// The completion script for `shell`.
pub fn completion(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "rcluster", &mut out);
    out
}

/// The man pages: `rcluster.1`, then `rcluster-SUBCOMMAND.1` for every subcommand (nested
/// ones as `rcluster-local-up.1`), as (file name, roff text).
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut root = command();
    root.build();
    let mut pages = Vec::new();
    render_pages(&root, "rcluster", &mut pages)?;
    Ok(pages)
}

fn render_pages(
    cmd: &clap::Command,
    name: &str,
    pages: &mut Vec<(String, Vec<u8>)>,
) -> std::io::Result<()> {
    let mut out = Vec::new();
    let page = cmd.clone().name(name.to_string());
    clap_mangen::Man::new(page).date("").render(&mut out)?;
    pages.push((format!("{name}.1"), out));
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        render_pages(sub, &format!("{name}-{}", sub.get_name()), pages)?;
    }
    Ok(())
}

/// The option reference of the docs: one Markdown page per subcommand (`docs/reference/
/// NAME.md`, nested ones as `local-up.md`) with its `--help` text and the redis-cli
/// (`--cluster-*`) spellings it accepts, plus an index `README.md`.
pub fn reference_pages() -> Vec<(String, String)> {
    let mut root = command();
    root.build();
    let mut pages = Vec::new();
    let mut index = String::from(
        "# Command reference\n\nGenerated from the command-line definition \
         (`scripts/gen-docs` rewrites these pages; a test fails when they are stale). The \
         user guide with examples is in [../guide](../guide).\n\n",
    );
    collect_reference(&root, &[], &mut pages, &mut index);
    pages.insert(0, ("README.md".to_string(), index));
    pages
}

fn collect_reference(
    cmd: &clap::Command,
    path: &[&str],
    pages: &mut Vec<(String, String)>,
    index: &mut String,
) {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        if name == "help" {
            continue;
        }
        let mut full: Vec<&str> = path.to_vec();
        full.push(name);
        if sub.has_subcommands() {
            collect_reference(sub, &full, pages, index);
            continue;
        }
        let file = format!("{}.md", full.join("-"));
        let about = sub.get_about().map(ToString::to_string).unwrap_or_default();
        index.push_str(&format!(
            "- [`rcluster {}`]({file}): {about}\n",
            full.join(" ")
        ));
        pages.push((file, reference_page(sub, &full)));
    }
}

fn reference_page(sub: &clap::Command, path: &[&str]) -> String {
    let title = format!("rcluster {}", path.join(" "));
    let mut help_cmd = sub.clone().name(title.clone()).bin_name(title.clone());
    let help = help_cmd.render_long_help().to_string();
    let mut page = format!("# {title}\n\n```text\n{}\n```\n", help.trim_end());
    let spellings: Vec<String> = sub
        .get_arguments()
        .filter_map(|arg| {
            let long = arg.get_long()?;
            let aliases: Vec<String> = arg
                .get_all_aliases()
                .unwrap_or_default()
                .into_iter()
                .map(|a| format!("`--{a}`"))
                .collect();
            (!aliases.is_empty()).then(|| format!("| `--{long}` | {} |", aliases.join(", ")))
        })
        .collect();
    if !spellings.is_empty() {
        page.push_str(
            "\nAlso accepted under other spellings (redis-cli's, valkey-cli's, earlier names):\n\n| option | also spelled |\n|---|---|\n",
        );
        page.push_str(&spellings.join("\n"));
        page.push('\n');
    }
    page
}
