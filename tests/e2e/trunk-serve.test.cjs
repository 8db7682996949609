// Development setup: `trunk serve` with the proxies of Trunk.toml in front of a running console.
// The test copies Trunk.toml with the console's port (ephemeral here, 9090 in Trunk.toml) and
// checks that the app, the console API and the account-server API are all reachable through
// trunk's server, and that the app loads in Chromium from there.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { root, freePort, waitFor, launchChromium } = require("./support.cjs");

test("trunk serve proxies /api and /jwt to the console", async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-trunk-"));
  const consolePort = await freePort();
  const trunkPort = await freePort();
  const processes = [];
  // trunk runs cargo and wasm-opt as children: stop the whole group
  t.after(() => processes.forEach((p) => { try { process.kill(-p.pid, "SIGKILL"); } catch (_) { p.kill("SIGKILL"); } }));

  const consoleProcess = spawn(path.join(root, "target/debug/nats-console"),
    ["-dir", path.join(work, "jwt"), "-hp", `127.0.0.1:${consolePort}`],
    { stdio: "ignore", detached: true });
  processes.push(consoleProcess);

  // Trunk.toml as committed, pointed at this console
  const committed = fs.readFileSync(path.join(root, "Trunk.toml"), "utf8");
  assert.match(committed, /backend = "http:\/\/127\.0\.0\.1:9090\/api\/"/);
  assert.match(committed, /backend = "http:\/\/127\.0\.0\.1:9090\/jwt\/"/);
  const config = path.join(root, ".trunk-serve-test.toml");
  fs.writeFileSync(config, committed.replaceAll("127.0.0.1:9090", `127.0.0.1:${consolePort}`));
  t.after(() => fs.rmSync(config, { force: true }));

  const env = { ...process.env, TRUNK_SKIP_VERSION_CHECK: "true",
    PATH: `${path.join(root, "node_modules/.bin")}:${path.join(os.homedir(), ".cargo/bin")}:${process.env.PATH}` };
  const trunkLog = path.join(work, "trunk.log");
  const trunk = spawn("trunk", ["serve", "--config", config, "--release", "--locked", "--no-autoreload",
    "--address", "127.0.0.1", "--port", String(trunkPort), "--dist", path.join(work, "dist")],
  { cwd: root, env, detached: true, stdio: ["ignore", fs.openSync(trunkLog, "w"), fs.openSync(trunkLog, "a")] });
  processes.push(trunk);
  const base = `http://127.0.0.1:${trunkPort}`;
  await waitFor(async () => (await (await fetch(base)).text()).includes("nats-console-web"),
    `trunk serve (log: ${trunkLog})`, 300000);

  // the console API and the account-server API, through trunk's proxies
  // (the console answers its API to a signed-in session: 401 without one, a sign-in key for anyone)
  const info = await fetch(`${base}/api/v1/info`);
  assert.equal(info.status, 401);
  assert.deepEqual(await info.json(), { error: "sign in first" });
  const key = await (await fetch(`${base}/api/v1/session/key`, { method: "POST" })).json();
  assert.match(key.key, /^U[A-Z2-7]{55}$/);
  const help = await fetch(`${base}/jwt/v1/help`);
  assert.equal(help.status, 200);
  assert.match(await help.text(), /accounts/);
  // the app's own routes fall back to index.html
  assert.match(await (await fetch(`${base}/accounts`)).text(), /nats-console-web/);

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.goto(`${base}/operator`);
  await waitFor(async () => (await page.textContent("main h2")) === "Operator", "the operator page", 15000);
  assert.deepEqual(pageErrors, []);
});
