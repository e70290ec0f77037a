//! Where text goes: stdout for reports, stderr for errors and progress; colors and quiet mode.
//!
//! Renderers build a [`Doc`] (pure data); [`Output`] prints it. Write errors on stdout (a
//! closed pipe) are ignored so that a mutating command never stops half-way because its
//! reader went away.

use std::io::{IsTerminal, Write};

use crate::cli::ColorChoice;

/// How a line is emphasized, following redis-cli's log levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// Plain text.
    Plain,
    /// `>>>` headings (bold).
    Info,
    /// `[OK]` lines (green).
    Ok,
    /// `[WARNING]` lines (yellow).
    Warn,
    /// `[ERR]` lines (red).
    Err,
}

impl Style {
    fn ansi(self) -> &'static str {
        match self {
            Style::Plain => "",
            Style::Info => "\x1b[1m",
            Style::Ok => "\x1b[32;1m",
            Style::Warn => "\x1b[33;1m",
            Style::Err => "\x1b[31;1m",
        }
    }

    /// True for lines kept in quiet mode.
    fn survives_quiet(self) -> bool {
        matches!(self, Style::Warn | Style::Err)
    }
}

/// A rendered text report: styled lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Doc {
    /// The lines, in order.
    pub(crate) lines: Vec<(Style, String)>,
}

impl Doc {
    /// An empty document.
    pub(crate) fn new() -> Self {
        Doc::default()
    }

    /// Appends a line.
    pub(crate) fn push(&mut self, style: Style, text: impl Into<String>) {
        self.lines.push((style, text.into()));
    }

    /// Appends a plain line.
    pub(crate) fn plain(&mut self, text: impl Into<String>) {
        self.push(Style::Plain, text);
    }

    /// Appends every line of `other`.
    pub(crate) fn extend(&mut self, other: Doc) {
        self.lines.extend(other.lines);
    }

    /// The document as plain text, one `\n` after each line.
    pub(crate) fn to_text(&self) -> String {
        self.lines.iter().map(|(_, l)| format!("{l}\n")).collect()
    }
}

/// The output settings of one run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Output {
    /// Use ANSI colors on stdout.
    pub(crate) color: bool,
    /// Print only warnings and errors.
    pub(crate) quiet: bool,
    /// A JSON document replaces the text report.
    pub(crate) json: bool,
}

impl Output {
    /// Resolves `--color`, `NO_COLOR` and whether stdout is a terminal.
    pub(crate) fn new(color: ColorChoice, quiet: bool, json: bool) -> Self {
        let color = match color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        };
        Output {
            color: color && !json,
            quiet,
            json,
        }
    }

    /// Prints a text report (nothing in JSON mode).
    pub(crate) fn doc(&self, doc: &Doc) {
        if self.json {
            return;
        }
        let mut text = String::new();
        for (style, line) in &doc.lines {
            if self.quiet && !style.survives_quiet() {
                continue;
            }
            if self.color && *style != Style::Plain {
                text.push_str(style.ansi());
                text.push_str(line);
                text.push_str("\x1b[0m\n");
            } else {
                text.push_str(line);
                text.push('\n');
            }
        }
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    /// Prints one line of a text report right away (for long operations).
    pub(crate) fn line(&self, style: Style, text: impl Into<String>) {
        let mut doc = Doc::new();
        doc.push(style, text);
        self.doc(&doc);
    }

    /// Prints a JSON document (only in JSON mode).
    pub(crate) fn json<T: serde::Serialize>(&self, value: &T) {
        if !self.json {
            return;
        }
        let text = serde_json::to_string_pretty(value)
            .unwrap_or_else(|e| format!("{{\"error\":\"cannot serialize the report: {e}\"}}"));
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }

    /// Prints a table or other preformatted block (nothing in JSON or quiet mode).
    pub(crate) fn block(&self, text: &str) {
        if self.json || self.quiet {
            return;
        }
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_renders_plain_text() {
        let mut doc = Doc::new();
        doc.push(Style::Ok, "[OK] fine");
        doc.plain("x");
        assert_eq!(doc.to_text(), "[OK] fine\nx\n");
    }
}
