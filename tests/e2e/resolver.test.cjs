// A cluster on nats-server's own resolver, run from the browser: three nats-server 2.15 on
// configurations the Operator page generates (type full, deletes allowed, routes), the console
// linked to them; the Resolver page compares, pushes (every server's answer shown), heals a
// server that missed an update while down, and deletes an account with a request the operator
// signed in the page: that account's users are refused from then on. No seed leaves the page.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { connect, credsAuthenticator } = require("nats");

const { freePort, waitFor, natsServerBinary, launchChromium } = require("./support.cjs");
const { startConsole, adminPage, createAdmin, createAccounts, createUsers } = require("./support-admin.cjs");

test("a nats-resolver cluster: generated configs, push, reconcile, delete from the browser", { timeout: 240000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-resolver-"));
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));

  const { base, log: consoleLog } = await startConsole(work, stops, { allowDelete: true });
  const browser = await launchChromium();
  stops.push(() => browser.close());
  const h = await adminPage(browser, work);
  const { page, dialogs, expectNotice, nav, saveDownload } = h;

  // a strict operator (accounts and users signed by signing keys); the admin is signed in.
  // APP with its user alice, and EXTRA with bob: stored here, not yet in any cluster
  await createAdmin(h, base, consoleLog, { strict: true });
  const [appKey, extraKey] = await createAccounts(h, ["APP", "EXTRA"]);
  const creds = await createUsers(h, [["APP", "alice"], ["EXTRA", "bob"]]);

  // three servers, each from the Operator page: full resolver, deletes allowed, routes to the others
  await nav("Operator");
  const nodes = [];
  for (let i = 0; i < 3; i++) nodes.push({ name: `n-${i + 1}`, client: await freePort(), monitor: await freePort(), route: await freePort() });
  await page.getByLabel("Accounts are resolved by").selectOption("full");
  await page.getByLabel("Allow deleting accounts").check();
  await page.getByLabel("Cluster name").fill("east");
  for (const [i, node] of nodes.entries()) {
    await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${node.client}`);
    await page.getByLabel("Monitoring address").fill(`127.0.0.1:${node.monitor}`);
    await page.getByLabel("Server name").fill(node.name);
    await page.getByLabel("Route address").fill(`127.0.0.1:${node.route}`);
    await page.getByLabel("Routes: where the other servers listen").fill(nodes.filter((_, j) => j !== i).map((n) => `127.0.0.1:${n.route}`).join(", "));
    node.dir = path.join(work, node.name);
    fs.mkdirSync(node.dir);
    node.conf = await saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click(), `${node.name}.conf`);
    const text = fs.readFileSync(node.conf, "utf8");
    assert.match(text, new RegExp(`server_name: ${node.name}\n`));
    assert.match(text, /allow_delete: true\n/);
    assert.match(text, /cluster \{\n  name: east\n/);
  }
  const start = (node) => {
    node.process = spawn(natsServerBinary(), ["-c", node.conf], { cwd: node.dir, stdio: ["ignore", "ignore", fs.openSync(path.join(work, `${node.name}.log`), "a")] });
    stops.push(() => node.process.kill("SIGKILL"));
  };
  const routed = (node) => waitFor(async () => (await (await fetch(`http://127.0.0.1:${node.monitor}/routez`)).json()).num_routes >= 2, `${node.name}'s routes`, 20000);
  nodes.forEach(start);
  for (const node of nodes) await routed(node);

  // the console links to the cluster; the admin's session gets its own connection too
  await page.getByLabel("NATS URL").fill(nodes.map((n) => `nats://127.0.0.1:${n.client}`).join(","));
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await waitFor(async () => (await page.textContent("#link-state")) === "NATS: connected", "the console's link", 20000);

  // the Resolver page: three servers, SYS the same everywhere, APP and EXTRA only here
  await nav("Resolver");
  const row = (key) => page.locator(`#resolver-accounts tr[data-account="${key}"]`);
  const agreement = async (key) => (await row(key).count()) ? row(key).getAttribute("data-agreement") : "absent";
  await waitFor(async () => (await page.locator("#resolver-servers tr").count()) === 4, "three servers in the report", 15000);
  assert.deepEqual((await page.locator("#resolver-servers td:first-child").allTextContents()).sort(), ["n-1", "n-2", "n-3"]);
  assert.equal(await agreement(appKey), "only_here");
  assert.match(await row(appKey).textContent(), /n-1, n-2, n-3/, "missing on every server");
  await row(appKey).getByRole("button", { name: "Push to the cluster" }).click();
  await expectNotice("Push APP: every server agreed");
  const answers = page.locator("#resolver-answers tr");
  await waitFor(async () => (await answers.count()) === 4, "one answer per server");
  assert.deepEqual((await page.locator("#resolver-answers td:nth-child(3)").allTextContents()), ["jwt updated", "jwt updated", "jwt updated"]);
  await waitFor(async () => (await agreement(appKey)) === "same", "APP the same everywhere");
  await row(extraKey).getByRole("button", { name: "Push to the cluster" }).click();
  await waitFor(async () => (await agreement(extraKey)) === "same", "EXTRA the same everywhere");

  // alice and bob connect, on different servers
  const connectAs = (user, node) => connect({ servers: `127.0.0.1:${node.client}`, reconnect: false,
    authenticator: credsAuthenticator(new TextEncoder().encode(fs.readFileSync(creds[user], "utf8"))) });
  await (await connectAs("alice", nodes[1])).close();
  await (await connectAs("bob", nodes[2])).close();

  // n-3 is down while APP changes: it comes back with the old version, and a push heals it
  nodes[2].process.kill("SIGTERM");
  await waitFor(async () => { try { await fetch(`http://127.0.0.1:${nodes[2].monitor}/varz`); return false; } catch (_) { return true; } }, "n-3 stopped");
  await nav("Accounts");
  await page.getByRole("button", { name: "Edit APP" }).click();
  await page.getByLabel("Description").fill("orders service");
  await page.getByRole("button", { name: "Save and push" }).click();
  await expectNotice("account APP pushed");
  start(nodes[2]);
  await routed(nodes[2]);
  await nav("Resolver");
  await waitFor(async () => (await agreement(appKey)) === "older_in_cluster", "n-3's older APP found", 15000);
  await row(appKey).getByRole("button", { name: "Push to the cluster" }).click();
  await expectNotice("Push APP: every server agreed");
  await waitFor(async () => (await agreement(appKey)) === "same", "APP healed on n-3");

  // EXTRA leaves the console's store (Accounts → Delete): the cluster still has it
  await nav("Accounts");
  await page.getByRole("button", { name: "Delete EXTRA" }).click();
  await expectNotice("account EXTRA deleted");
  await nav("Resolver");
  await waitFor(async () => (await agreement(extraKey)) === "only_in_cluster", "EXTRA only in the cluster", 15000);
  assert.equal(await row(extraKey).getByRole("button", { name: "Store the cluster's version here" }).count(), 1);
  dialogs.length = 0;
  await row(extraKey).getByRole("button", { name: "Delete from the cluster" }).click();
  await expectNotice("Delete EXTRA: every server agreed");
  assert.match(dialogs[0], /Delete EXTRA from every server of the cluster\?/);
  assert.deepEqual(await page.locator("#resolver-answers td:nth-child(3)").allTextContents(), ["deleted 1 accounts", "deleted 1 accounts", "deleted 1 accounts"]);
  // the report is a snapshot taken right after the delete; while a server of the cluster is still
  // settling, compare again, as a person would (one flake in about ten runs without)
  await waitFor(async () => {
    if ((await agreement(extraKey)) === "absent") return true;
    await page.getByRole("button", { name: "Compare again" }).click({ timeout: 2000 });
    await new Promise((r) => setTimeout(r, 500));
    return false;
  }, "EXTRA gone from the report");
  // bob is refused by every server now; alice is not
  for (const node of nodes) {
    await assert.rejects(connectAs("bob", node), /Authorization Violation/i, `bob refused by ${node.name}`);
  }
  await (await connectAs("alice", nodes[0])).close();

  // every step is in the audit log, and no seed ever left the page
  const audit = await page.evaluate(async () => (await (await fetch("/api/v1/audit?action=resolver.&limit=50")).json()).entries.map((e) => e.action));
  assert.deepEqual(audit.filter((a) => a === "resolver.delete").length, 1);
  assert.ok(audit.filter((a) => a === "resolver.push").length >= 3, audit.join(","));
  assert.deepEqual(h.noSeedsSent(), [], "no seed in any request");
});
