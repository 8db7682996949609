// What the JetStream browser tests share: an admin with a JetStream account SHOP in a fresh
// console, nats-server started on the configuration the Operator page writes, and the JetStream
// page acting for SHOP. Not a test file itself.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { freePort, waitFor, natsServerBinary, launchChromium } = require("./support.cjs");
const { startConsole, adminPage, createAdmin } = require("./support-admin.cjs");

/// An admin with account SHOP (JetStream) in a fresh console, in a browser.
async function shop(t, prefix) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `nats-console-${prefix}-`));
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));
  const { base, log } = await startConsole(work, stops);
  const browser = await launchChromium();
  stops.push(() => browser.close());
  const h = await adminPage(browser, work);
  await createAdmin(h, base, log);
  await h.nav("Accounts");
  await h.page.getByLabel("Account name").fill("SHOP");
  await h.page.getByLabel("JetStream enabled").check();
  await h.page.getByRole("button", { name: "Create and push" }).click();
  await h.expectNotice("account SHOP pushed");
  return { work, stops, h };
}

/// The Operator page's nats-server configuration for one server (of a cluster when `cluster`).
async function serverConfig(h, work, name, cluster) {
  const { page } = h;
  await h.nav("Operator");
  const [client, monitor] = [await freePort(), await freePort()];
  await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${client}`);
  await page.getByLabel("Monitoring address").fill(`127.0.0.1:${monitor}`);
  await page.getByLabel(/Server name/).fill(name);
  if (cluster) {
    await page.getByLabel(/^Cluster name/).fill(cluster.name);
    await page.getByLabel(/^Route address/).fill(cluster.listen);
    await page.getByLabel(/^Routes:/).fill(cluster.routes.join(", "));
  }
  const dir = path.join(work, name);
  fs.mkdirSync(dir, { recursive: true });
  const conf = await h.saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click(), `${name}.conf`);
  return { name, client, monitor, dir, conf, process: null };
}

async function startServer(node, stops) {
  node.process = spawn(natsServerBinary(), ["-c", node.conf], { cwd: node.dir, stdio: ["ignore", "ignore", fs.openSync(path.join(node.dir, "nats.log"), "a")] });
  const started = node.process;
  stops.push(() => started.kill("SIGKILL"));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${node.monitor}/varz`)).ok, `nats-server ${node.name}`, 20000);
}

/// Links the console to NATS, then acts for SHOP on the JetStream page.
async function actForShop(h, natsPort) {
  const { page } = h;
  await page.getByLabel("NATS URL").fill(`nats://127.0.0.1:${natsPort}`);
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await waitFor(async () => (await page.textContent("#link-state")) === "NATS: connected", "the console's link", 20000);
  await h.nav("JetStream");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SHOP" });
  await page.locator("#js-link").click();
  await waitFor(async () => /signed by your vault.*\(connected\)/.test((await page.textContent("#js-acting")) || ""), "acting as a user of SHOP", 20000);
}

module.exports = { shop, serverConfig, startServer, actForShop };
