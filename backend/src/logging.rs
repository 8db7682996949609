//! Log lines as nats-server and nats-account-server print them:
//! `[pid] 2026/11/22 20:45:01.123456 [INF] message`, to stderr.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::config::Logging;

struct NatsStyle {
    time: bool,
    pid: bool,
    colors: bool,
}

impl<S, N> FormatEvent<S, N> for NatsStyle
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        if self.pid {
            write!(writer, "[{}] ", std::process::id())?;
        }
        if self.time {
            write!(writer, "{} ", crate::time::log_timestamp())?;
        }
        let (label, color) = match *event.metadata().level() {
            Level::ERROR => ("ERR", "\x1b[31m"),
            Level::WARN => ("WRN", "\x1b[33m"),
            Level::INFO => ("INF", "\x1b[32m"),
            Level::DEBUG => ("DBG", "\x1b[36m"),
            Level::TRACE => ("TRC", "\x1b[35m"),
        };
        if self.colors {
            write!(writer, "[{color}{label}\x1b[0m] ")?;
        } else {
            write!(writer, "[{label}] ")?;
        }
        ctx.format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Installs the global logger. Colours only on a terminal.
pub fn init(options: &Logging) {
    let level = if options.trace {
        Level::TRACE
    } else if options.debug {
        Level::DEBUG
    } else {
        Level::INFO
    };
    let colors = options.colors && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_ansi(colors)
        .event_format(NatsStyle {
            time: options.time,
            pid: options.pid,
            colors,
        })
        .try_init();
}
