// Two console instances on one NATS key-value bucket behind one address (a small proxy in this
// test, as a load balancer would be), against nats-server 2.15 with JetStream: the admin sets
// up through instance A; the address then moves to instance B, which never saw the session:
// the app signs in again by itself with the same vault key and the page goes on; what B
// stores, A serves. Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { root, freePort, waitFor, natsServerBinary, launchChromium } = require("./support.cjs");
const { adminPage, createAdmin } = require("./support-admin.cjs");

/// A console on the bucket `console` of the JetStream server at `natsPort`.
async function consoleOnBucket(work, name, natsPort, stops) {
  const port = await freePort();
  const log = path.join(work, `${name}.log`);
  fs.writeFileSync(path.join(work, `${name}.conf`), [
    `http { host: "127.0.0.1", port: ${port} }`,
    `store { kv { servers: ["nats://127.0.0.1:${natsPort}"], bucket: console, replicas: 1 } }`,
    `web_dir: ${JSON.stringify(path.join(root, "dist"))}`, "",
  ].join("\n"));
  const child = spawn(path.join(root, "target/debug/nats-console"), ["-c", path.join(work, `${name}.conf`)],
    { stdio: ["ignore", "ignore", fs.openSync(log, "w")] });
  stops.push(() => child.kill("SIGKILL"));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, `console ${name}`, 30000);
  return { port, log };
}

/// One address in front of the instances: forwards everything to the instance `to.port` names.
async function proxy(to, stops) {
  const port = await freePort();
  const server = http.createServer((req, res) => {
    const upstream = http.request({ host: "127.0.0.1", port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  stops.push(() => server.close());
  return `http://127.0.0.1:${port}`;
}

test("two instances on one bucket behind one address: the app signs in again by itself", { timeout: 180000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-kv-"));
  const stops = [];
  t.after(() => { stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }); fs.rmSync(work, { recursive: true, force: true }); });
  const natsPort = await freePort();
  const nats = spawn(natsServerBinary(), ["-js", "-a", "127.0.0.1", "-p", String(natsPort), "-sd", path.join(work, "js")],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(work, "nats.log"), "w")] });
  stops.push(() => nats.kill("SIGKILL"));
  const a = await consoleOnBucket(work, "a", natsPort, stops);
  const b = await consoleOnBucket(work, "b", natsPort, stops);
  const target = { port: a.port };
  const base = await proxy(target, stops);
  // both wait for the same setup code: the bucket keeps the first instance's
  const code = (log) => (fs.readFileSync(log, "utf8").match(/setup code: (\S+)/) || [])[1];
  assert.equal(code(b.log), code(a.log));

  const browser = await launchChromium();
  stops.push(() => browser.close());
  const h = await adminPage(browser, work);
  const { page, expectNotice, nav } = h;
  await createAdmin(h, base, a.log);
  await nav("Accounts");
  await page.getByLabel("Account name").fill("SHOP");
  await page.getByRole("button", { name: "Create and push" }).click();
  await expectNotice("account SHOP pushed");

  // the address moves to B, which never saw this session
  target.port = b.port;
  const before = h.requests.length;
  await nav("Users");
  await nav("Accounts");
  await page.getByLabel("Account name").fill("DEPOT");
  await page.getByRole("button", { name: "Create and push" }).click();
  await expectNotice("account DEPOT pushed");
  const after = h.requests.slice(before).map((r) => r.url);
  assert.ok(after.some((u) => u.endsWith("/api/v1/session")), `signed in again on B: ${after.join(" ")}`);
  assert.match(await page.textContent("#session-state"), /admin/);
  // what B stored, A serves
  const depot = (await page.locator("tr", { has: page.getByRole("button", { name: "Edit DEPOT" }) }).getAttribute("id")).replace("account-", "");
  await waitFor(async () => (await fetch(`http://127.0.0.1:${a.port}/jwt/v1/accounts/${depot}`)).ok, "DEPOT served by A");
  assert.deepEqual(h.noSeedsSent(), []);
});
