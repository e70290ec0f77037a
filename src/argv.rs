//! redis-cli's (and valkey-cli's) command-line grammar, rewritten into rcluster's own before
//! clap sees it, so that a script can put `rcluster` where it had `redis-cli` and keep the
//! rest of its command line.
//!
//! Two shapes of command line:
//!
//! - **With a `--cluster SUB` word**, the line is read as redis-cli reads it: `--cluster SUB`
//!   takes the words after it that do not begin with `-` as SUB's arguments; options may come
//!   before and after, in any order; every `--cluster-*` option is accepted with every
//!   subcommand (one that SUB does not use is dropped, with a note); redis-cli's other global
//!   options are applied where they matter to cluster management (`-a`, `--user`, `--pass`,
//!   `--askpass`, `-u URI`, TLS, `-t`, `-4`/`-6`, `-x`/`-X`) and accepted and ignored where
//!   they do not (`-c`, `-e`, `--raw`, `-h HOST`, `-p PORT`, `-n DB`, ...). rcluster's own
//!   options (`--dry-run`, `--json`, `--engine`, ...) work there too.
//! - **Without it**, the line is rcluster's own; `--cluster-*` options a subcommand does not use
//!   are dropped with a note, and those given before the subcommand move after it.
//!
//! The result is a plain rcluster argv (options as `--long=value`, then `--`, then the
//! subcommand's words), so clap stays the one definition of what each option means.

use std::ffi::OsString;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::error::UsageError;

/// A command line ready for clap, and what was accepted but not used.
#[derive(Debug, PartialEq)]
pub(crate) struct Rewritten {
    /// The argv for clap (program name first).
    pub(crate) args: Vec<OsString>,
    /// One line each for stderr: options accepted and ignored.
    pub(crate) notes: Vec<String>,
}

/// The subcommands of `redis-cli --cluster` (valkey-cli's are the same).
const REDIS_CLI_SUBCOMMANDS: [&str; 13] = [
    "create",
    "check",
    "info",
    "fix",
    "reshard",
    "rebalance",
    "add-node",
    "del-node",
    "call",
    "set-timeout",
    "import",
    "backup",
    "help",
];

/// The subcommands whose arguments are one node as `HOST:PORT` or `HOST PORT`.
const ONE_NODE_SUBCOMMANDS: [&str; 5] = ["check", "info", "fix", "reshard", "rebalance"];

/// How many values a redis-cli option takes.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Arity {
    /// A flag.
    Flag,
    /// One value (the next word, whatever it looks like).
    One,
    /// `--cluster-weight`: the following words that contain `=` and do not begin with `--`.
    Weights,
}

/// Every `--cluster-*` option of redis-cli 6.2 to 8.x and valkey-cli 8.x and 9.x.
const CLUSTER_OPTIONS: [(&str, Arity); 30] = [
    ("--cluster-replicas", Arity::One),
    ("--cluster-yes", Arity::Flag),
    ("--cluster-from", Arity::One),
    ("--cluster-to", Arity::One),
    ("--cluster-slots", Arity::One),
    ("--cluster-timeout", Arity::One),
    ("--cluster-pipeline", Arity::One),
    ("--cluster-replace", Arity::Flag),
    ("--cluster-weight", Arity::Weights),
    ("--cluster-use-empty-masters", Arity::Flag),
    ("--cluster-use-empty-primaries", Arity::Flag),
    ("--cluster-simulate", Arity::Flag),
    ("--cluster-threshold", Arity::One),
    ("--cluster-slave", Arity::Flag),
    ("--cluster-replica", Arity::Flag),
    ("--cluster-master-id", Arity::One),
    ("--cluster-primary-id", Arity::One),
    ("--cluster-primaries-id", Arity::One),
    ("--cluster-search-multiple-owners", Arity::Flag),
    ("--cluster-fix-with-unreachable-masters", Arity::Flag),
    ("--cluster-fix-with-unreachable-primaries", Arity::Flag),
    ("--cluster-only-masters", Arity::Flag),
    ("--cluster-only-primaries", Arity::Flag),
    ("--cluster-only-replicas", Arity::Flag),
    ("--cluster-copy", Arity::Flag),
    ("--cluster-from-user", Arity::One),
    ("--cluster-from-pass", Arity::One),
    ("--cluster-from-askpass", Arity::Flag),
    ("--cluster-use-atomic-slot-migration", Arity::Flag),
    ("--cluster-shutdown", Arity::Flag),
];

/// What rcluster does with one of redis-cli's global options.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Global {
    /// Passed on as this rcluster option.
    As(&'static str),
    /// Accepted and ignored: it changes nothing under `--cluster` (display, protocol, mode).
    Ignore,
    /// Accepted and ignored, with a note saying so: it would matter, rcluster cannot honour it.
    IgnoreNoted(&'static str),
    /// `-u URI`: user, password and TLS from the URI.
    Uri,
    /// `-x`: the whole of stdin is the subcommand's last argument.
    StdinLast,
    /// `-X TAG`: the whole of stdin replaces the argument TAG.
    StdinTag,
    /// `-h`: the host (ignored: the subcommand's arguments name the nodes); as the last word,
    /// the help.
    Host,
}

/// redis-cli's and valkey-cli's global options (7.x to 9.x `--help`), with their arity.
const GLOBAL_OPTIONS: [(&str, Arity, Global); 69] = [
    ("-h", Arity::One, Global::Host),
    ("-p", Arity::One, Global::Ignore),
    ("-s", Arity::One, Global::Ignore),
    ("-t", Arity::One, Global::As("--connect-timeout")),
    ("-a", Arity::One, Global::As("--pass")),
    ("--pass", Arity::One, Global::As("--pass")),
    ("--user", Arity::One, Global::As("--user")),
    ("--askpass", Arity::Flag, Global::As("--askpass")),
    ("-u", Arity::One, Global::Uri),
    ("-r", Arity::One, Global::Ignore),
    ("-i", Arity::One, Global::Ignore),
    ("-n", Arity::One, Global::Ignore),
    ("-2", Arity::Flag, Global::Ignore),
    ("-3", Arity::Flag, Global::Ignore),
    ("-x", Arity::Flag, Global::StdinLast),
    ("-X", Arity::One, Global::StdinTag),
    ("-d", Arity::One, Global::Ignore),
    ("-D", Arity::One, Global::Ignore),
    ("-c", Arity::Flag, Global::Ignore),
    ("-e", Arity::Flag, Global::Ignore),
    ("-4", Arity::Flag, Global::As("-4")),
    ("-6", Arity::Flag, Global::As("-6")),
    ("--tls", Arity::Flag, Global::As("--tls")),
    ("--sni", Arity::One, Global::As("--sni")),
    ("--cacert", Arity::One, Global::As("--cacert")),
    ("--cacertdir", Arity::One, Global::As("--cacertdir")),
    ("--insecure", Arity::Flag, Global::As("--insecure")),
    ("--cert", Arity::One, Global::As("--cert")),
    ("--key", Arity::One, Global::As("--key")),
    (
        "--tls-ciphers",
        Arity::One,
        Global::IgnoreNoted("rcluster's TLS (rustls) uses its own TLS 1.2 cipher list"),
    ),
    (
        "--tls-ciphersuites",
        Arity::One,
        Global::IgnoreNoted("rcluster's TLS (rustls) uses its own TLS 1.3 cipher suites"),
    ),
    ("--raw", Arity::Flag, Global::Ignore),
    ("--no-raw", Arity::Flag, Global::Ignore),
    ("--quoted-input", Arity::Flag, Global::Ignore),
    ("--csv", Arity::Flag, Global::Ignore),
    ("--json", Arity::Flag, Global::As("--json")),
    ("--quoted-json", Arity::Flag, Global::Ignore),
    ("--show-pushes", Arity::One, Global::Ignore),
    ("--no-auth-warning", Arity::Flag, Global::Ignore),
    ("--verbose", Arity::Flag, Global::Ignore),
    ("--resp2", Arity::Flag, Global::Ignore),
    ("--resp3", Arity::Flag, Global::Ignore),
    ("--stat", Arity::Flag, Global::Ignore),
    ("--latency", Arity::Flag, Global::Ignore),
    ("--latency-history", Arity::Flag, Global::Ignore),
    ("--latency-dist", Arity::Flag, Global::Ignore),
    ("--lru-test", Arity::One, Global::Ignore),
    ("--replica", Arity::Flag, Global::Ignore),
    ("--slave", Arity::Flag, Global::Ignore),
    ("--rdb", Arity::One, Global::Ignore),
    ("--functions-rdb", Arity::One, Global::Ignore),
    ("--pipe", Arity::Flag, Global::Ignore),
    ("--pipe-timeout", Arity::One, Global::Ignore),
    ("--bigkeys", Arity::Flag, Global::Ignore),
    ("--memkeys", Arity::Flag, Global::Ignore),
    ("--memkeys-samples", Arity::One, Global::Ignore),
    ("--hotkeys", Arity::Flag, Global::Ignore),
    ("--scan", Arity::Flag, Global::Ignore),
    ("--pattern", Arity::One, Global::Ignore),
    ("--count", Arity::One, Global::Ignore),
    ("--intrinsic-latency", Arity::One, Global::Ignore),
    ("--eval", Arity::One, Global::Ignore),
    ("--ldb", Arity::Flag, Global::Ignore),
    ("--ldb-sync-mode", Arity::Flag, Global::Ignore),
    ("--keystats", Arity::Flag, Global::Ignore),
    ("--keystats-samples", Arity::One, Global::Ignore),
    ("--cursor", Arity::One, Global::Ignore),
    ("--top", Arity::One, Global::Ignore),
    ("--quoted-pattern", Arity::One, Global::Ignore),
];

/// Help and version, as redis-cli spells them.
const HELP_AND_VERSION: [(&str, &str); 3] = [
    ("--help", "--help"),
    ("-v", "--version"),
    ("--version", "--version"),
];

/// Rewrites `args` (program name first) into rcluster's grammar. `read_stdin` is called once,
/// only for `-x`/`-X`, and returns the whole of stdin.
pub(crate) fn rewrite(
    args: Vec<OsString>,
    read_stdin: impl FnOnce() -> std::io::Result<String>,
) -> Result<Rewritten, UsageError> {
    // Words that are not UTF-8 cannot be redis-cli options: leave such a line to clap.
    let Some(words) = args
        .iter()
        .map(|a| a.to_str().map(str::to_string))
        .collect::<Option<Vec<String>>>()
    else {
        return Ok(Rewritten {
            args,
            notes: Vec::new(),
        });
    };
    let program = words.first().cloned().unwrap_or_else(|| "rcluster".into());
    let rest = words.get(1..).unwrap_or_default();
    let end = rest.iter().position(|w| w == "--").unwrap_or(rest.len());
    let mut root = Cli::command();
    root.build();
    let rewritten = match rest[..end].iter().position(|w| w == "--cluster") {
        Some(at) => redis_cli_line(&root, rest, at, read_stdin)?,
        None => native_line(&root, rest.to_vec()),
    };
    let mut args = vec![OsString::from(program)];
    args.extend(rewritten.args);
    Ok(Rewritten {
        args,
        notes: rewritten.notes,
    })
}

/// A `--cluster SUB ...` line, read with redis-cli's grammar. `at` is where `--cluster` stands.
fn redis_cli_line(
    root: &clap::Command,
    words: &[String],
    at: usize,
    read_stdin: impl FnOnce() -> std::io::Result<String>,
) -> Result<Rewritten, UsageError> {
    let sub = words
        .get(at + 1)
        .map(|s| s.to_ascii_lowercase())
        .ok_or_else(|| {
            UsageError::new(
                "--cluster needs a subcommand, e.g. `--cluster check 127.0.0.1:7000` \
                 (see `rcluster --help`)",
            )
        })?;
    if !REDIS_CLI_SUBCOMMANDS.contains(&sub.as_str()) {
        if root.find_subcommand(&sub).is_some() {
            // One of rcluster's own subcommands (nodes, slots, ...): its own grammar.
            let mut rest = words.to_vec();
            rest.remove(at);
            return Ok(native_line(root, rest));
        }
        return Err(UsageError::new(format!(
            "Unknown --cluster subcommand '{sub}': give one of create, check, info, fix, \
             reshard, rebalance, add-node, del-node, call, set-timeout, import, backup, help \
             (or rcluster's nodes, slots, failover, restore, bigkeys, memkeys)"
        )));
    }
    if sub == "help" {
        return Ok(Rewritten {
            args: vec!["--help".into()],
            notes: Vec::new(),
        });
    }
    let command = root
        .find_subcommand(&sub)
        .expect("every redis-cli subcommand is an rcluster subcommand");
    let mut line = Line::new(command);
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        if i == at {
            // `--cluster SUB` and the words after it that do not begin with '-'.
            i += 2;
            while i < words.len() && !words[i].starts_with('-') {
                positional.push(words[i].clone());
                i += 1;
            }
            continue;
        }
        if word == "--cluster" {
            return Err(UsageError::new(
                "--cluster is given twice: give one `--cluster SUBCOMMAND ARGS...`",
            ));
        }
        if !word.starts_with('-') || word == "-" {
            // A run of words after the options: when the subcommand has no arguments yet, it
            // becomes its arguments (`--cluster create --cluster-replicas 1 A B C`); other
            // runs are ignored, as redis-cli ignores them. Options after a run still count.
            let run = words[i..]
                .iter()
                .take_while(|w| !w.starts_with('-') || *w == "-")
                .count();
            if positional.is_empty() && i > at {
                positional.extend(words[i..i + run].iter().cloned());
            } else {
                line.notes.push(format!(
                    "note: ignored, as redis-cli ignores them: {}",
                    words[i..i + run].join(" ")
                ));
            }
            i += run;
            continue;
        }
        i = line.option(words, i)?;
    }
    if let Some(stdin) = line.stdin.take() {
        let text = read_stdin().map_err(|e| {
            UsageError::new(format!("-x/-X: cannot read the argument from stdin: {e}"))
        })?;
        let text = text.strip_suffix('\n').unwrap_or(&text).to_string();
        match stdin {
            StdinUse::Last => positional.push(text),
            StdinUse::Tag(tag) => match positional.iter_mut().find(|p| **p == tag) {
                Some(p) => *p = text,
                None => {
                    return Err(UsageError::new(format!(
                        "-X {tag}: no argument is {tag:?}, so stdin has nowhere to go"
                    )));
                }
            },
        }
    }
    if ONE_NODE_SUBCOMMANDS.contains(&sub.as_str()) && positional.len() > 2 {
        line.notes.push(format!(
            "note: ignored, as redis-cli ignores them: {}",
            positional[2..].join(" ")
        ));
        positional.truncate(2);
    }
    let mut args = vec![sub];
    args.extend(line.options);
    if !positional.is_empty() {
        args.push("--".into());
        args.extend(positional);
    }
    Ok(Rewritten {
        args: args.into_iter().map(OsString::from).collect(),
        notes: line.notes,
    })
}

/// Where `-x`/`-X` put stdin.
#[derive(Debug, Clone, PartialEq)]
enum StdinUse {
    /// As the last argument.
    Last,
    /// In place of the argument equal to this tag.
    Tag(String),
}

/// The options of a redis-cli line being translated for one subcommand.
struct Line<'a> {
    command: &'a clap::Command,
    options: Vec<String>,
    notes: Vec<String>,
    stdin: Option<StdinUse>,
}

impl<'a> Line<'a> {
    fn new(command: &'a clap::Command) -> Self {
        Line {
            command,
            options: Vec::new(),
            notes: Vec::new(),
            stdin: None,
        }
    }

    /// Reads the option at `words[i]` (and its values); returns the index after them.
    fn option(&mut self, words: &[String], i: usize) -> Result<usize, UsageError> {
        let word = words[i].as_str();
        let value = |n: usize| -> Result<&String, UsageError> {
            words.get(i + n).ok_or_else(|| {
                UsageError::new(format!(
                    "Unrecognized option or bad number of args for: '{word}': {word} needs a \
                     value"
                ))
            })
        };
        if let Some((_, to)) = HELP_AND_VERSION.iter().find(|(name, _)| *name == word) {
            self.options.push((*to).into());
            return Ok(i + 1);
        }
        if let Some(&(_, arity, what)) = GLOBAL_OPTIONS.iter().find(|(name, ..)| *name == word) {
            if what == Global::Host && i + 1 == words.len() {
                self.options.push("--help".into());
                return Ok(i + 1);
            }
            let taken = match arity {
                Arity::Flag => None,
                _ => Some(value(1)?.clone()),
            };
            match (what, taken) {
                (Global::As(to), None) => self.options.push(to.into()),
                (Global::As(to), Some(v)) => self.options.push(format!("{to}={v}")),
                (Global::Ignore | Global::Host, _) => {}
                (Global::IgnoreNoted(why), _) => {
                    self.notes.push(format!("note: {word} is ignored: {why}"));
                }
                (Global::Uri, Some(uri)) => self.options.extend(uri_options(&uri)?),
                (Global::StdinLast, _) => self.stdin = Some(StdinUse::Last),
                (Global::StdinTag, Some(tag)) => self.stdin = Some(StdinUse::Tag(tag)),
                (Global::Uri | Global::StdinTag, None) => unreachable!("these take a value"),
            }
            return Ok(i + 1 + usize::from(arity != Arity::Flag));
        }
        if let Some(&(_, arity)) = CLUSTER_OPTIONS.iter().find(|(name, _)| *name == word) {
            let values: Vec<String> = match arity {
                Arity::Flag => Vec::new(),
                Arity::One => vec![value(1)?.clone()],
                Arity::Weights => words[i + 1..]
                    .iter()
                    .take_while(|w| w.contains('=') && !w.starts_with("--"))
                    .cloned()
                    .collect(),
            };
            let next = i + 1 + values.len();
            if accepts(self.command, word) {
                if arity == Arity::Flag {
                    self.options.push(word.into());
                }
                for v in values {
                    self.options.push(format!("{word}={v}"));
                }
            } else {
                self.notes.push(format!(
                    "note: {word} does not apply to {}; ignored, as redis-cli ignores it",
                    self.command.get_name()
                ));
            }
            return Ok(next);
        }
        // rcluster's own options (`--dry-run`, `--json`, `--engine atomic`, ...).
        let name = word.split_once('=').map_or(word, |(n, _)| n);
        if let Some(arg) = find_arg(self.command, name) {
            let takes = arg.get_action().takes_values() && !word.contains('=');
            if takes {
                self.options.push(format!("{word}={}", value(1)?));
                return Ok(i + 2);
            }
            self.options.push(word.into());
            return Ok(i + 1);
        }
        Err(UsageError::new(format!(
            "Unrecognized option or bad number of args for: '{word}' (see `rcluster {} --help` \
             and docs/coming-from-redis-cli.md)",
            self.command.get_name()
        )))
    }
}

/// An rcluster line (no `--cluster` word): `--cluster-*` options given before the subcommand
/// move after it, and those the subcommand does not use are dropped with a note.
fn native_line(root: &clap::Command, words: Vec<String>) -> Rewritten {
    let end = words.iter().position(|w| w == "--").unwrap_or(words.len());
    // The subcommand: the first word that is neither an option nor a global option's value.
    let mut sub_at = None;
    let mut i = 0;
    while i < end {
        let word = &words[i];
        if !word.starts_with('-') {
            sub_at = Some(i);
            break;
        }
        i += 1;
        if let Some(arg) = find_arg(root, word)
            && arg.get_action().takes_values()
            && !word.contains('=')
        {
            i += 1;
        }
    }
    let Some(sub_at) = sub_at else {
        return Rewritten {
            args: words.into_iter().map(OsString::from).collect(),
            notes: Vec::new(),
        };
    };
    let Some(mut command) = root.find_subcommand(&words[sub_at]) else {
        return Rewritten {
            args: words.into_iter().map(OsString::from).collect(),
            notes: Vec::new(),
        };
    };
    let mut sub_end = sub_at + 1;
    if command.has_subcommands()
        && let Some(nested) = words.get(sub_end).and_then(|w| command.find_subcommand(w))
    {
        command = nested;
        sub_end += 1;
    }
    let mut before = Vec::new();
    let mut moved = Vec::new();
    let mut after = Vec::new();
    let mut notes = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        if i >= sub_at && i < sub_end {
            i += 1;
            continue;
        }
        if i >= end {
            after.extend(words[i..].iter().cloned());
            break;
        }
        let name = word.split_once('=').map_or(word.as_str(), |(n, _)| n);
        let cluster_option = CLUSTER_OPTIONS.iter().find(|(n, _)| *n == name);
        let Some(&(_, arity)) = cluster_option else {
            if i < sub_at {
                before.push(word.clone());
            } else {
                after.push(word.clone());
            }
            i += 1;
            continue;
        };
        let values = if word.contains('=') {
            0
        } else {
            match arity {
                Arity::Flag => 0,
                Arity::One => usize::from(i + 1 < end),
                Arity::Weights => words[i + 1..end]
                    .iter()
                    .take_while(|w| w.contains('=') && !w.starts_with("--"))
                    .count(),
            }
        };
        let taken = &words[i..i + 1 + values];
        if accepts(command, name) {
            if i < sub_at {
                moved.extend(taken.iter().cloned());
            } else {
                after.extend(taken.iter().cloned());
            }
        } else {
            notes.push(format!(
                "note: {name} does not apply to {}; ignored, as redis-cli ignores it",
                command.get_name()
            ));
        }
        i += 1 + values;
    }
    let mut args = before;
    args.extend(words[sub_at..sub_end].iter().cloned());
    args.extend(moved);
    args.extend(after);
    Rewritten {
        args: args.into_iter().map(OsString::from).collect(),
        notes,
    }
}

/// True when `command` has an option spelled `name` (`--long`, an alias, or `-s`).
fn accepts(command: &clap::Command, name: &str) -> bool {
    find_arg(command, name).is_some()
}

/// The option of `command` (its globals included) spelled `name`: `--long`, one of its
/// aliases, or `-s`.
fn find_arg<'a>(command: &'a clap::Command, name: &str) -> Option<&'a clap::Arg> {
    if let Some(long) = name.strip_prefix("--") {
        return command.get_arguments().find(|arg| {
            arg.get_long() == Some(long)
                || arg
                    .get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&long))
        });
    }
    let mut chars = name.strip_prefix('-')?.chars();
    let (Some(short), None) = (chars.next(), chars.next()) else {
        return None;
    };
    command.get_arguments().find(|arg| {
        arg.get_short() == Some(short)
            || arg
                .get_all_short_aliases()
                .is_some_and(|aliases| aliases.contains(&short))
    })
}

/// The rcluster options of `-u redis://[USER[:PASSWORD]@]HOST[:PORT][/DB]` (`rediss://`: TLS).
/// In cluster mode only the credentials (and TLS) matter: the nodes are the arguments.
fn uri_options(uri: &str) -> Result<Vec<String>, UsageError> {
    let bad = |why: &str| {
        UsageError::new(format!(
            "-u {}: {why} (expected redis://[USER[:PASSWORD]@]HOST[:PORT][/DB], or rediss:// \
             for TLS)",
            redacted_uri(uri)
        ))
    };
    let (scheme, rest) = uri.split_once("://").ok_or_else(|| bad("no scheme"))?;
    let mut options = Vec::new();
    match scheme.to_ascii_lowercase().as_str() {
        "redis" | "valkey" => {}
        "rediss" | "valkeys" => options.push("--tls".to_string()),
        _ => return Err(bad("unknown scheme")),
    }
    let authority = rest.split('/').next().unwrap_or_default();
    if let Some((credentials, _host)) = authority.rsplit_once('@') {
        let (user, password) = match credentials.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (credentials, None),
        };
        let user = percent_decode(user).ok_or_else(|| bad("bad %-escape in the user"))?;
        let password = password
            .map(|p| percent_decode(p).ok_or_else(|| bad("bad %-escape in the password")))
            .transpose()?;
        match password {
            Some(password) => {
                if !user.is_empty() {
                    options.push(format!("--user={user}"));
                }
                options.push(format!("--pass={password}"));
            }
            // redis-cli takes a lone user name as the password.
            None if !user.is_empty() => options.push(format!("--pass={user}")),
            None => {}
        }
    }
    Ok(options)
}

/// `uri` with its password (if any) replaced by `***`, for messages.
fn redacted_uri(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return "(the URI)".into();
    };
    match rest.rsplit_once('@') {
        Some((credentials, host)) => {
            let user = credentials.split_once(':').map_or("", |(u, _)| u);
            format!("{scheme}://{user}:***@{host}")
        }
        None => uri.to_string(),
    }
}

/// Decodes `%XX` escapes; `None` on a malformed escape or text that is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rewritten argv (without the program name) of `line`, with stdin `input`.
    fn rewritten(line: &str, input: &str) -> (Vec<String>, Vec<String>) {
        let args = std::iter::once("rcluster")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect();
        let out = rewrite(args, || Ok(input.to_string())).expect(line);
        let args = out.args[1..]
            .iter()
            .map(|a| a.to_str().unwrap().to_string())
            .collect();
        (args, out.notes)
    }

    fn args_of(line: &str) -> String {
        rewritten(line, "").0.join(" ")
    }

    fn error_of(line: &str) -> String {
        let args = std::iter::once("rcluster")
            .chain(line.split_whitespace())
            .map(OsString::from)
            .collect();
        rewrite(args, || Ok(String::new()))
            .expect_err(line)
            .to_string()
    }

    /// Every rewritten line must parse with clap.
    fn parses(line: &str) {
        let (args, _) = rewritten(line, "stdin text\n");
        let argv = std::iter::once("rcluster".to_string()).chain(args.clone());
        if let Err(err) = Cli::try_parse_from(argv) {
            panic!("{line:?} → {args:?} does not parse: {err}");
        }
    }

    use clap::Parser;

    #[test]
    fn subcommand_arguments_end_at_the_first_option() {
        assert_eq!(
            args_of("--cluster create a:1 b:2 c:3 --cluster-replicas 1 --cluster-yes"),
            "create --cluster-replicas=1 --cluster-yes -- a:1 b:2 c:3"
        );
        assert_eq!(
            args_of("-a pw --cluster check h:1 --no-auth-warning"),
            "check --pass=pw -- h:1"
        );
    }

    #[test]
    fn options_before_cluster_and_the_fallback_run_of_arguments() {
        assert_eq!(
            args_of("--cluster-yes --cluster call h:1 FUNCTION LIST"),
            "call -- h:1 FUNCTION LIST"
        );
        assert_eq!(
            args_of("--cluster create --cluster-replicas 1 a:1 b:2 c:3"),
            "create --cluster-replicas=1 -- a:1 b:2 c:3"
        );
        assert_eq!(
            args_of("--cluster create --cluster-replicas 1 a:1 b:2 c:3 --cluster-yes"),
            "create --cluster-replicas=1 --cluster-yes -- a:1 b:2 c:3"
        );
    }

    #[test]
    fn unused_cluster_options_are_dropped_with_a_note() {
        let (args, notes) = rewritten(
            "--cluster add-node n:1 e:1 --cluster-yes --cluster-slots 5",
            "",
        );
        assert_eq!(args.join(" "), "add-node -- n:1 e:1");
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(notes[0].contains("--cluster-yes does not apply to add-node"));
    }

    #[test]
    fn display_options_are_ignored_and_connection_options_kept() {
        assert_eq!(
            args_of(
                "--cluster reshard h:1 --cluster-from x --cluster-to y --cluster-slots 10 -c \
                 --no-auth-warning --cluster-yes -e --raw -h 10.0.0.1 -p 6379 -n 2 -3"
            ),
            "reshard --cluster-from=x --cluster-to=y --cluster-slots=10 --cluster-yes -- h:1"
        );
        assert_eq!(
            args_of("-4 --cluster add-node n:1 e:1 -t 1.5 --tls --cacert ca.pem"),
            "add-node -4 --connect-timeout=1.5 --tls --cacert=ca.pem -- n:1 e:1"
        );
    }

    #[test]
    fn values_beginning_with_a_dash_stay_values() {
        assert_eq!(
            args_of("--cluster reshard h:1 --cluster-slots -5 -a -secret"),
            "reshard --cluster-slots=-5 --pass=-secret -- h:1"
        );
    }

    #[test]
    fn weights_take_every_following_id_equals_weight() {
        assert_eq!(
            args_of("--cluster rebalance h:1 --cluster-weight a=1 b=0.5 --cluster-simulate"),
            "rebalance --cluster-weight=a=1 --cluster-weight=b=0.5 --cluster-simulate -- h:1"
        );
    }

    #[test]
    fn host_port_as_two_words_and_extra_words_ignored() {
        assert_eq!(
            args_of("--cluster check 127.0.0.1 7000"),
            "check -- 127.0.0.1 7000"
        );
        let (args, notes) = rewritten("--cluster check 127.0.0.1 7000 extra", "");
        assert_eq!(args.join(" "), "check -- 127.0.0.1 7000");
        assert!(notes[0].contains("extra"));
        let (args, notes) = rewritten("--cluster check h:1 --cluster-yes stray --json", "");
        assert_eq!(args.join(" "), "check --json -- h:1");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn rcluster_options_work_inside_a_redis_cli_line() {
        assert_eq!(
            args_of(
                "--cluster reshard h:1 --cluster-to y --slots 5 --engine atomic --dry-run --json"
            ),
            "reshard --cluster-to=y --slots=5 --engine=atomic --dry-run --json -- h:1"
        );
        assert_eq!(args_of("--cluster nodes h:1"), "nodes h:1");
    }

    #[test]
    fn uri_gives_credentials_and_tls() {
        assert_eq!(
            args_of("-u redis://bob:p%40ss@h:1/0 --cluster check h:1"),
            "check --user=bob --pass=p@ss -- h:1"
        );
        assert_eq!(
            args_of("-u rediss://:pw@h:1 --cluster check h:1"),
            "check --tls --pass=pw -- h:1"
        );
        let err = error_of("-u http://u:secret@h --cluster check h:1");
        assert!(
            err.contains("unknown scheme") && !err.contains("secret"),
            "{err}"
        );
    }

    #[test]
    fn stdin_as_the_last_argument_or_a_tag() {
        let (args, _) = rewritten("-x --cluster call h:1 SET k", "value\n");
        assert_eq!(args.join(" "), "call -- h:1 SET k value");
        let (args, _) = rewritten("--cluster call h:1 SET k TAG v -X TAG", "value\n");
        assert_eq!(args.join(" "), "call -- h:1 SET k value v");
    }

    #[test]
    fn help_version_and_bad_lines() {
        assert_eq!(args_of("--cluster help"), "--help");
        assert_eq!(args_of("--cluster check h:1 -h"), "check --help -- h:1");
        assert!(error_of("--cluster").contains("needs a subcommand"));
        assert!(error_of("--cluster frobnicate h:1").contains("Unknown --cluster subcommand"));
        assert!(error_of("--cluster check h:1 --bogus").contains("Unrecognized option"));
        assert!(error_of("--cluster check h:1 --cluster-to").contains("needs a value"));
        assert!(error_of("--cluster check h:1 --cluster info h:1").contains("twice"));
    }

    #[test]
    fn native_lines_move_and_drop_cluster_options() {
        assert_eq!(
            args_of("--cluster-yes create a:1 b:2 c:3"),
            "create --cluster-yes a:1 b:2 c:3"
        );
        let (args, notes) = rewritten("add-node n:1 e:1 --cluster-yes --yes", "");
        assert_eq!(args.join(" "), "add-node n:1 e:1 --yes");
        assert_eq!(notes.len(), 1);
        assert_eq!(
            args_of("-a pw call h:1 --cluster-yes -- GET --cluster-yes"),
            "-a pw call h:1 -- GET --cluster-yes"
        );
        assert_eq!(
            args_of("local up --cluster-replicas 0"),
            "local up --cluster-replicas 0"
        );
    }

    #[test]
    fn rewritten_lines_parse() {
        for line in [
            "--cluster create a:1 b:2 c:3 d:4 e:5 f:6 --cluster-replicas 1 --cluster-yes",
            "-a pw --no-auth-warning --cluster create a:1 b:2 c:3",
            "--cluster add-node n:1 e:1 --cluster-slave --cluster-master-id abc --cluster-yes",
            "-4 --cluster add-node n:1 e:1",
            "--cluster reshard h:1 --cluster-from all --cluster-to y --cluster-slots 10 -c --cluster-yes",
            "--cluster rebalance h:1 --cluster-weight a=1 b=2 --cluster-use-empty-masters --cluster-threshold 1",
            "--cluster fix h:1 --cluster-search-multiple-owners --cluster-fix-with-unreachable-masters",
            "--cluster-yes --cluster call h:1 FUNCTION LIST",
            "--cluster call h:1 CONFIG GET maxmemory --cluster-only-masters",
            "--cluster set-timeout h:1 5000 --cluster-yes",
            "--cluster import h:1 --cluster-from s:2 --cluster-copy --cluster-replace",
            "--cluster backup h:1 /tmp/b",
            "--cluster del-node h:1 abcdef --cluster-yes",
            "--cluster info h 1",
            "-x --cluster call h:1 SET k",
            "--user u -a p --cluster check h:1",
        ] {
            parses(line);
        }
    }
}
