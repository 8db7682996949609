//! Watching a NATS cluster from the browser: the servers, their rates and an hour of history
//! kept here (a ring buffer, no backend store). Data comes straight from monitor ports (see
//! [`direct`]) when monitor URLs are set, else through the console as the signed-in session
//! (`/api/v1/monitor/<z>`). Polling goes on across pages, so the history survives navigation.

pub mod direct;
pub mod events;

use std::collections::{HashMap, VecDeque};

use leptos::prelude::*;
use nats_auth::monitoring::rfc3339_nanos;
use serde_json::Value;

use crate::api;

/// History kept: one hour.
pub const HISTORY_MS: f64 = 3_600_000.0;
/// Poll intervals offered (seconds).
pub const INTERVALS: [u32; 6] = [1, 2, 5, 10, 15, 30];
/// Monitor URLs remembered at most.
pub const MAX_URLS: usize = 32;
const URLS_KEY: &str = "nats-console.monitor-urls";
const INTERVAL_KEY: &str = "nats-console.monitor-interval";

/// Messages and bytes per second, from two successive samples.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rates {
    pub msgs_in: f64,
    pub msgs_out: f64,
    pub bytes_in: f64,
    pub bytes_out: f64,
}

/// One server as last seen.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerRow {
    /// The server id through the console, the monitor URL directly.
    pub key: String,
    pub name: String,
    pub id: String,
    pub url: Option<String>,
    /// "console", "CORS" or "JSONP".
    pub via: &'static str,
    pub up: bool,
    pub error: Option<String>,
    /// The latest varz (kept while the server is down, to show what it was).
    pub varz: Value,
    pub health: Option<String>,
    pub rates: Rates,
}

impl ServerRow {
    pub fn number(&self, field: &str) -> f64 {
        self.varz[field].as_f64().unwrap_or(0.0)
    }
}

/// Cluster totals at one moment (a chart point).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Point {
    pub at_ms: f64,
    pub rates: Rates,
    pub connections: f64,
    pub cpu: f64,
    pub mem: f64,
    pub slow_consumers: f64,
    pub up: usize,
}

/// The counters a rate is made of, at the server's own clock.
#[derive(Clone, Copy)]
struct Counters {
    at_ns: i128,
    msgs_in: f64,
    msgs_out: f64,
    bytes_in: f64,
    bytes_out: f64,
}

impl Counters {
    fn of(varz: &Value) -> Option<Counters> {
        let n = |f: &str| varz[f].as_f64().unwrap_or(0.0);
        Some(Counters {
            at_ns: rfc3339_nanos(varz["now"].as_str()?)?,
            msgs_in: n("in_msgs"),
            msgs_out: n("out_msgs"),
            bytes_in: n("in_bytes"),
            bytes_out: n("out_bytes"),
        })
    }

    /// Per second since `earlier`; a counter that went down (server restarted) gives no rate.
    fn rates_since(&self, earlier: &Counters) -> Rates {
        let seconds = (self.at_ns - earlier.at_ns) as f64 / 1e9;
        let rate = |now: f64, then: f64| {
            if seconds <= 0.0 || now < then {
                0.0
            } else {
                (now - then) / seconds
            }
        };
        Rates {
            msgs_in: rate(self.msgs_in, earlier.msgs_in),
            msgs_out: rate(self.msgs_out, earlier.msgs_out),
            bytes_in: rate(self.bytes_in, earlier.bytes_in),
            bytes_out: rate(self.bytes_out, earlier.bytes_out),
        }
    }
}

#[derive(Clone, Copy)]
pub struct Monitor {
    /// Monitor URLs polled directly (empty: through the console).
    pub urls: RwSignal<Vec<String>>,
    pub interval_s: RwSignal<u32>,
    pub servers: RwSignal<Vec<ServerRow>>,
    pub history: RwSignal<VecDeque<Point>>,
    /// What is polled and how, or why nothing is.
    pub status: RwSignal<String>,
    previous: StoredValue<HashMap<String, Counters>>,
    running: StoredValue<bool>,
}

impl Monitor {
    pub fn new() -> Monitor {
        let storage = web_sys::window().and_then(|w| w.local_storage().ok().flatten());
        let urls = storage
            .as_ref()
            .and_then(|s| s.get_item(URLS_KEY).ok().flatten())
            .and_then(|t| serde_json::from_str::<Vec<String>>(&t).ok())
            .unwrap_or_default();
        let interval = storage
            .as_ref()
            .and_then(|s| s.get_item(INTERVAL_KEY).ok().flatten())
            .and_then(|t| t.parse().ok())
            .filter(|i| INTERVALS.contains(i))
            .unwrap_or(2);
        Monitor {
            urls: RwSignal::new(urls),
            interval_s: RwSignal::new(interval),
            servers: RwSignal::new(Vec::new()),
            history: RwSignal::new(VecDeque::new()),
            status: RwSignal::new("not polling yet".into()),
            previous: StoredValue::new(HashMap::new()),
            running: StoredValue::new(false),
        }
    }

    /// Sets the monitor URLs (each checked) and remembers them; history starts over.
    pub fn set_urls(&self, text: &str) -> Result<usize, String> {
        let urls: Vec<String> = text
            .split([',', '\n', ' '])
            .filter(|u| !u.trim().is_empty())
            .map(direct::normalize)
            .collect::<Result<_, _>>()?;
        if urls.len() > MAX_URLS {
            return Err(format!("at most {MAX_URLS} monitor URLs"));
        }
        if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
            let _ = storage.set_item(URLS_KEY, &serde_json::to_string(&urls).unwrap_or_default());
        }
        let count = urls.len();
        self.urls.set(urls);
        self.servers.set(Vec::new());
        self.history.set(VecDeque::new());
        self.previous.set_value(HashMap::new());
        Ok(count)
    }

    pub fn set_interval(&self, seconds: u32) {
        if INTERVALS.contains(&seconds) {
            self.interval_s.set(seconds);
            if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten())
            {
                let _ = storage.set_item(INTERVAL_KEY, &seconds.to_string());
            }
        }
    }

    /// Starts the polling loop (once per page load).
    pub fn start(&self, console: crate::state::Console) {
        if self.running.get_value() {
            return;
        }
        self.running.set_value(true);
        let this = *self;
        leptos::task::spawn_local(async move {
            loop {
                this.poll(console).await;
                sleep_ms(this.interval_s.get_untracked() as i32 * 1000).await;
            }
        });
    }

    /// One round: every server's varz and healthz.
    pub async fn poll(&self, console: crate::state::Console) {
        let urls = self.urls.get_untracked();
        let rows = if !urls.is_empty() {
            self.status.set(format!(
                "polling {} monitor URL(s) directly every {} s",
                urls.len(),
                self.interval_s.get_untracked()
            ));
            poll_direct(&urls).await
        } else if console.session.get_untracked().is_some() {
            match poll_console().await {
                Ok(rows) => {
                    self.status.set(format!(
                        "{} server(s) answering through the console (the system account) every {} s",
                        rows.iter().filter(|r| r.up).count(),
                        self.interval_s.get_untracked()
                    ));
                    rows
                }
                Err(e) => {
                    self.status
                        .set(format!("the console could not ask the cluster: {e}"));
                    return;
                }
            }
        } else {
            self.status.set(
                "nothing to poll: sign in (admin) to watch the cluster through the console, or give monitor URLs".into(),
            );
            return;
        };
        self.take(rows);
    }

    /// Folds a round's rows in: rates against the previous sample, down servers kept with their
    /// last data, a history point of the totals.
    fn take(&self, mut rows: Vec<ServerRow>) {
        let mut previous = self.previous.get_value();
        let known = self.servers.get_untracked();
        for row in rows.iter_mut() {
            if !row.up {
                if let Some(last) = known
                    .iter()
                    .find(|k| k.key == row.key || (!row.name.is_empty() && k.name == row.name))
                {
                    row.varz = last.varz.clone();
                    if row.name.is_empty() {
                        row.name = last.name.clone();
                    }
                }
                continue;
            }
            if let Some(now) = Counters::of(&row.varz) {
                if let Some(before) = previous.get(&row.key) {
                    row.rates = now.rates_since(before);
                }
                previous.insert(row.key.clone(), now);
            }
        }
        // a server that answered before and is absent now (through the console) is down
        for gone in known.iter() {
            if !rows
                .iter()
                .any(|r| r.key == gone.key || r.name == gone.name)
                && self.urls.with_untracked(|u| u.is_empty())
            {
                let mut down = gone.clone();
                down.up = false;
                down.error = Some("did not answer".into());
                down.rates = Rates::default();
                rows.push(down);
            }
        }
        rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.key.cmp(&b.key)));
        self.previous.set_value(previous);
        let up: Vec<&ServerRow> = rows.iter().filter(|r| r.up).collect();
        let sum = |f: &dyn Fn(&ServerRow) -> f64| up.iter().map(|r| f(r)).sum::<f64>();
        let point = Point {
            at_ms: js_sys::Date::now(),
            rates: Rates {
                msgs_in: sum(&|r| r.rates.msgs_in),
                msgs_out: sum(&|r| r.rates.msgs_out),
                bytes_in: sum(&|r| r.rates.bytes_in),
                bytes_out: sum(&|r| r.rates.bytes_out),
            },
            connections: sum(&|r| r.number("connections")),
            cpu: sum(&|r| r.number("cpu")),
            mem: sum(&|r| r.number("mem")),
            slow_consumers: sum(&|r| r.number("slow_consumers")),
            up: up.len(),
        };
        self.history.update(|h| {
            h.push_back(point);
            while h
                .front()
                .is_some_and(|p| point.at_ms - p.at_ms > HISTORY_MS)
            {
                h.pop_front();
            }
        });
        self.servers.set(rows);
    }
}

impl Default for Monitor {
    fn default() -> Self {
        Monitor::new()
    }
}

async fn poll_console() -> Result<Vec<ServerRow>, String> {
    let varz = api::get("/api/v1/monitor/varz").await?;
    let health = api::get("/api/v1/monitor/healthz").await.ok();
    let health_of = |id: &str| -> Option<String> {
        health.as_ref()?["servers"]
            .as_array()?
            .iter()
            .find(|s| s["server"]["id"] == id)
            .map(|s| s["data"]["status"].as_str().unwrap_or("?").to_string())
    };
    let mut rows: Vec<ServerRow> = varz["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let id = s["server"]["id"].as_str().unwrap_or("").to_string();
            ServerRow {
                key: id.clone(),
                name: s["server"]["name"].as_str().unwrap_or("").to_string(),
                health: health_of(&id),
                id,
                url: None,
                via: "console",
                up: true,
                error: None,
                varz: s["data"].clone(),
                rates: Rates::default(),
            }
        })
        .collect();
    for name in varz["missing"].as_array().into_iter().flatten() {
        let name = name.as_str().unwrap_or("").to_string();
        rows.push(ServerRow {
            key: name.clone(),
            name,
            id: String::new(),
            url: None,
            via: "console",
            up: false,
            error: Some("did not answer".into()),
            varz: Value::Null,
            health: None,
            rates: Rates::default(),
        });
    }
    Ok(rows)
}

async fn poll_direct(urls: &[String]) -> Vec<ServerRow> {
    let rounds = urls.iter().map(|url| async move {
        let varz = direct::get(url, "varz", "").await;
        let health = match &varz {
            Ok(_) => direct::get(url, "healthz", "")
                .await
                .ok()
                .map(|(h, _)| h["status"].as_str().unwrap_or("?").to_string()),
            Err(_) => None,
        };
        match varz {
            Ok((varz, transport)) => ServerRow {
                key: url.clone(),
                name: varz["server_name"].as_str().unwrap_or(url).to_string(),
                id: varz["server_id"].as_str().unwrap_or("").to_string(),
                url: Some(url.clone()),
                via: transport.name(),
                up: true,
                error: None,
                varz,
                health,
                rates: Rates::default(),
            },
            Err(e) => ServerRow {
                key: url.clone(),
                name: String::new(),
                id: String::new(),
                url: Some(url.clone()),
                via: "",
                up: false,
                error: Some(e),
                varz: Value::Null,
                health: None,
                rates: Rates::default(),
            },
        }
    });
    futures_util::future::join_all(rounds).await
}

/// Resolves after `ms` milliseconds.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `1234567` → `1.2 M`.
pub fn human(n: f64) -> String {
    let (value, unit) = if n >= 1e9 {
        (n / 1e9, " G")
    } else if n >= 1e6 {
        (n / 1e6, " M")
    } else if n >= 1e3 {
        (n / 1e3, " k")
    } else {
        return format!("{}", (n * 10.0).round() / 10.0);
    };
    format!("{value:.1}{unit}")
}

/// Bytes as KiB/MiB/GiB.
pub fn bytes(n: f64) -> String {
    if n >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.1} GiB", n / (1024.0 * 1024.0 * 1024.0))
    } else if n >= 1024.0 * 1024.0 {
        format!("{:.1} MiB", n / (1024.0 * 1024.0))
    } else if n >= 1024.0 {
        format!("{:.1} KiB", n / 1024.0)
    } else {
        format!("{n:.0} B")
    }
}
