//! `tce`: the command-line entry point. Parses arguments, opens the workspace
//! and hands over to the libraries; everything reusable lives in `crates/`.

mod advocacy;
mod alerts;
mod analyze;
mod assess;
mod cases;
mod cli;
mod commands;
mod learn;
mod pipeline;
mod web;
mod workspace;

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = cli::Cli::parse();
    init_tracing(cli.verbose);
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("{} {error:#}", paint("error:", RED));
            ExitCode::FAILURE
        }
    }
}

/// `tce stats | head` closes the pipe early; printing then fails. Like other
/// command-line tools, stop quietly instead of reporting a crash.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info.to_string();
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("TCE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_colour())
        .init();
}

/// Whether to colour what goes to stderr: only on a terminal, and never when
/// `NO_COLOR` is set to anything (<https://no-color.org>).
pub(crate) fn stderr_colour() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Bold red, for `error:`.
pub(crate) const RED: &str = "1;31";
/// Bold yellow, for `warning:`.
pub(crate) const YELLOW: &str = "1;33";
/// Bold, for `FILE:LINE:` locations.
pub(crate) const BOLD: &str = "1";

/// `text` in an ANSI style when stderr takes colour, plain otherwise.
pub(crate) fn paint(text: &str, style: &str) -> String {
    if stderr_colour() {
        format!("\x1b[{style}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}
