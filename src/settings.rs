//! Turning parsed options into what the rest of the program uses: connection options with
//! certificate files already read, the password resolved, and the output mode. No Redis I/O.

use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crate::address::NodeAddr;
use crate::cli::GlobalOpts;
use crate::error::UsageError;
use crate::net::conn::{Auth, ConnectOptions, TlsSettings};
use crate::output::Output;

/// Environment variables holding the password: redis-cli's, then valkey-cli's own name.
const PASSWORD_ENVS: [&str; 2] = ["REDISCLI_AUTH", "VALKEYCLI_AUTH"];

/// Builds the connection options from the global flags.
pub(crate) fn connect_options(global: &GlobalOpts) -> anyhow::Result<ConnectOptions> {
    if !global.timeout.is_finite() || global.timeout <= 0.0 {
        return Err(UsageError::new(format!(
            "invalid -t/--connect-timeout {}: give a positive number of seconds, e.g. -t 2 or -t 0.5",
            global.timeout
        ))
        .into());
    }
    let timeout = Duration::from_secs_f64(global.timeout.min(86_400.0));
    Ok(ConnectOptions {
        auth: auth(global)?,
        tls: tls(global)?,
        connect_timeout: timeout,
        io_timeout: timeout,
        prefer_ipv6: global.prefer_ipv6,
    })
}

/// The output mode from the global flags.
pub(crate) fn output(global: &GlobalOpts) -> Output {
    Output::new(global.color, global.quiet, global.json)
}

/// Parses a subcommand's `HOST:PORT` / `HOST PORT` arguments.
pub(crate) fn node_addr(args: &[String]) -> anyhow::Result<NodeAddr> {
    NodeAddr::from_args(args).map_err(|e| UsageError::new(e.to_string()).into())
}

fn auth(global: &GlobalOpts) -> anyhow::Result<Auth> {
    let password = if global.askpass {
        Some(ask_password("Please input password")?)
    } else {
        global.password.clone().or_else(|| {
            PASSWORD_ENVS
                .iter()
                .find_map(|name| std::env::var(name).ok().filter(|p| !p.is_empty()))
        })
    };
    if global.user.is_some() && password.is_none() {
        return Err(UsageError::new(
            "--user needs a password: add -a/--pass, --askpass or set REDISCLI_AUTH",
        )
        .into());
    }
    Ok(Auth {
        user: global.user.clone(),
        password,
    })
}

/// Reads a password: a hidden prompt on a terminal, else one line of stdin.
pub(crate) fn ask_password(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        return dialoguer::Password::new()
            .with_prompt(prompt)
            .allow_empty_password(true)
            .interact()
            .map_err(|e| anyhow::anyhow!("cannot read the password: {e}"));
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn tls(global: &GlobalOpts) -> anyhow::Result<Option<TlsSettings>> {
    let any_tls_option = global.cacert.is_some()
        || global.cacertdir.is_some()
        || global.cert.is_some()
        || global.key.is_some()
        || global.sni.is_some()
        || global.insecure;
    if !global.tls {
        if any_tls_option {
            return Err(UsageError::new(
                "TLS options (--cacert, --cacertdir, --cert, --key, --sni, --insecure) need --tls",
            )
            .into());
        }
        return Ok(None);
    }
    let read = |path: &Path, what: &str| {
        std::fs::read(path)
            .map_err(|e| UsageError::new(format!("cannot read {what} '{}': {e}", path.display())))
    };
    let ca_pem = match (&global.cacert, &global.cacertdir) {
        (Some(_), Some(_)) => {
            return Err(UsageError::new("give either --cacert or --cacertdir, not both").into());
        }
        (Some(file), None) => Some(read(file, "CA certificate")?),
        (None, Some(dir)) => Some(TlsSettings::read_ca_dir(dir).map_err(|e| {
            UsageError::new(format!("cannot read CA directory '{}': {e}", dir.display()))
        })?),
        (None, None) => None,
    };
    let client_cert_key = match (&global.cert, &global.key) {
        (Some(cert), Some(key)) => {
            Some((read(cert, "client certificate")?, read(key, "client key")?))
        }
        (None, None) => None,
        _ => {
            return Err(UsageError::new("--cert and --key go together").into());
        }
    };
    Ok(Some(TlsSettings {
        ca_pem,
        client_cert_key,
        insecure: global.insecure,
        skip_hostname_check: global.sni.is_some(),
    }))
}
