// Monitoring under load, on this machine: a three-server nats-server 2.15 cluster with
// CONNECTIONS client connections spread over it, the console (release build) in front.
//  1. GET /api/v1/monitor/connz (default page of 1 024, and limit=10000): p50/p99 of N requests
//  2. the browser's render of one refresh of the connections page (10 000 rows, only those in
//     view rendered): the page's own measure (set → DOM updated), p50/max over refreshes
//  3. polling the three servers every second for POLL_SECONDS: the console's CPU and the page's
//     JS heap over time (flat is the goal)
// Run by bench/monitor.sh (which builds what it needs); prints the numbers for README and notes.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { chromium } = require("playwright-core");
const jwt = require("@nats-io/jwt");

const { root, waitFor } = require("../tests/e2e/support.cjs");
const { consoleWithCluster, deployment } = require("../tests/e2e/support-cluster.cjs");

const CONNECTIONS = Number(process.env.CONNECTIONS || 10000);
const REQUESTS = Number(process.env.REQUESTS || 40);
const POLL_SECONDS = Number(process.env.POLL_SECONDS || 60);

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const cpuSeconds = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 1/100 s
};
const rssMiB = (pid) => Number(fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/VmRSS:\s+(\d+)/)[1]) / 1024;

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-bench-ops-"));
  const stops = [];
  const stopAll = () => stops.reverse().forEach((s) => { try { s(); } catch (_) { /* gone */ } });
  process.on("exit", stopAll);
  const d = deployment(["APP"], ["load@APP"]);
  const sys = d.accounts.find((a) => a.name === "SYS");
  const { base, cluster, consoleProcess } = await consoleWithCluster(work, d, "bench", stops, "release");
  await cluster.startAll();

  // CONNECTIONS clients, round robin over the servers (async-nats, in their own process)
  fs.writeFileSync(path.join(work, "load.creds"), d.users.load.creds);
  const load = spawn(path.join(root, "target/release/examples/hold_connections"),
    [path.join(work, "load.creds"), String(CONNECTIONS), ...cluster.nodes.map((n) => `nats://127.0.0.1:${n.client}`)],
    { stdio: ["ignore", "pipe", "inherit"] });
  stops.push(() => process.kill(load.pid, "SIGKILL"));
  console.log(await new Promise((resolve, reject) => {
    load.stdout.once("data", (line) => resolve(line.toString().trim()));
    load.once("exit", (code) => reject(new Error(`hold_connections exited with ${code}`)));
  }));

  // a session for the API timings: a SYS user JWT for the console's key
  const { key } = await (await fetch(`${base}/api/v1/session/key`, { method: "POST" })).json();
  const token = await jwt.encodeUser("bench", key, jwt.fromSeed(new TextEncoder().encode(sys.seed)), {},
    { exp: Math.floor(Date.now() / 1000) + 3600 });
  const signIn = await fetch(`${base}/api/v1/session`, { method: "POST", body: JSON.stringify({ jwt: token }) });
  const cookie = signIn.headers.get("set-cookie").split(";")[0];
  await waitFor(async () => (await (await fetch(`${base}/api/v1/session`, { headers: { cookie } })).json()).nats === "connected", "the session's NATS connection");

  // 1. connz through the console
  for (const limit of [1024, 10000]) {
    const times = [];
    let last;
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const r = await fetch(`${base}/api/v1/monitor/connz?limit=${limit}`, { headers: { cookie } });
      last = await r.json();
      times.push(performance.now() - t0);
    }
    const bytes = JSON.stringify(last).length;
    console.log(`GET /api/v1/monitor/connz?limit=${limit}: p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms ` +
      `(${REQUESTS} requests; ${last.merged.connections.length} rows of total ${last.merged.total}; ${(bytes / 1e6).toFixed(1)} MB; servers ${last.servers.length}, missing ${last.missing.length})`);
  }

  // 2 and 3: the browser
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--enable-precise-memory-info", "--js-flags=--expose-gc"] });
  stops.push(() => browser.close());
  const context = await browser.newContext();
  await context.addCookies([{ name: "nats_console_session", value: cookie.split("=")[1], url: base }]);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Performance.enable");
  const heapMiB = async () => {
    await page.evaluate(() => window.gc && window.gc());
    const { metrics } = await cdp.send("Performance.getMetrics");
    return metrics.find((m) => m.name === "JSHeapUsedSize").value / 1048576;
  };
  await page.goto(`${base}/ops/connections`);
  await page.evaluate(() => localStorage.setItem("nats-console.monitor-interval", "1"));
  await page.reload();
  await page.fill("#connz-limit", "10000");
  await page.dispatchEvent("#connz-limit", "change");
  await page.click("button:has-text('Refresh')");
  await waitFor(async () => (await page.locator("#connz-summary").textContent()).startsWith(`${CONNECTIONS}`) ||
    Number((await page.locator("#connz-summary").textContent()).split(" ")[0]) >= CONNECTIONS, "10 000 rows", 60000);
  const renders = [];
  const seen = new Set();
  const until = Date.now() + 20000;
  while (Date.now() < until && renders.length < 15) {
    const summary = await page.locator("#connz-summary").textContent();
    const ms = Number(await page.getAttribute("#connections", "data-render-ms"));
    if (!seen.has(summary)) { seen.add(summary); if (ms > 0) renders.push(ms); }
    await new Promise((r) => setTimeout(r, 300));
  }
  const rowsInDom = await page.locator("#connections tr.conn").count();
  console.log(`connections page, ${CONNECTIONS} rows: render of one refresh p50 ${percentile(renders, 50).toFixed(1)} ms, max ${Math.max(...renders).toFixed(1)} ms (${renders.length} refreshes; ${rowsInDom} rows in the DOM)`);
  // scrolling to the end renders the last rows
  await page.locator(".scroller").evaluate((el) => { el.scrollTop = el.scrollHeight; });
  await new Promise((r) => setTimeout(r, 200));
  console.log(`  after scrolling to the end: last row cid ${await page.locator("#connections tr.conn").last().locator("td").nth(1).textContent()}, ${await page.locator("#connections tr.conn").count()} rows in the DOM`);

  // 3. one minute of polling the three servers every second (overview page)
  await page.goto(`${base}/ops/overview`);
  await waitFor(async () => (await page.locator("#total-up").textContent()).startsWith("3 of 3"), "three servers", 20000);
  const cpu0 = cpuSeconds(consoleProcess.pid);
  const t0 = Date.now();
  const heaps = [];
  for (let s = 0; s <= POLL_SECONDS; s += 10) {
    heaps.push(`${s}s ${(await heapMiB()).toFixed(1)} MiB`);
    if (s < POLL_SECONDS) await new Promise((r) => setTimeout(r, 10000));
  }
  const cpu = cpuSeconds(consoleProcess.pid) - cpu0;
  const seconds = (Date.now() - t0) / 1000;
  const samples = await page.locator(".muted", { hasText: "samples of the last hour" }).textContent();
  console.log(`polling 3 servers every 1 s for ${seconds.toFixed(0)} s: console CPU ${(100 * cpu / seconds).toFixed(2)} % of one core ` +
    `(${cpu.toFixed(2)} s), RSS ${rssMiB(consoleProcess.pid).toFixed(1)} MiB; page JS heap ${heaps.join(", ")}; ${samples}`);
  stopAll();
  process.exit(0);
}

main().catch((e) => { console.error(e); process.exit(1); });
