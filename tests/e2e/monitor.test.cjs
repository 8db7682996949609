// The ops pages against real servers: a three-server nats-server 2.15 cluster in operator mode
// (resolving through the console), Debian's 2.9.10, headless Chromium. Direct polling reaches
// 2.15 by CORS and 2.9.10 by JSONP; through the console an admin sees the whole cluster, its
// connections with their server, kicks one, sees AUTH.ERR live, sees a stopped server go down
// and come back, reloads one; a team sees its own account's connections only.
// Needs: target/debug/nats-console, target/debug/examples/test_deployment and dist/.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { connect, credsAuthenticator } = require("nats");

const { root, SEED, freePort, waitFor, launchChromium } = require("./support.cjs");
const { consoleWithCluster, deployment, startDebianServer } = require("./support-cluster.cjs");
const shots = process.env.E2E_SCREENSHOTS || path.join(root, "target/e2e-screenshots");

test("the ops pages watch a cluster directly and through the console", { timeout: 240000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-ops-"));
  fs.mkdirSync(shots, { recursive: true });
  // 55 more accounts, so the accounts list takes more than one page (50)
  const teams = Array.from({ length: 55 }, (_, i) => `TEAM-${String(i).padStart(2, "0")}`);
  const d = deployment(["APP", "OTHER", ...teams], ["alice@APP", "carol@APP", "bob@OTHER", "mallory@STRANGER"]);
  const account = (name) => d.accounts.find((a) => a.name === name);
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));

  // the console first (the servers resolve accounts through it), then the cluster
  const { base, cluster, restart } = await consoleWithCluster(work, d, "ops", stops);
  await cluster.startAll();
  const old = await startDebianServer(work);
  stops.push(() => old.stop());

  // clients of the test on different servers
  const client = async (i, user) => {
    let nc;
    await waitFor(async () => {
      nc = await connect({ servers: `127.0.0.1:${cluster.nodes[i].client}`, name: user,
        authenticator: credsAuthenticator(new TextEncoder().encode(d.users[user].creds)), reconnect: false });
      return true;
    }, `${user}'s connection`, 20000);
    stops.push(() => nc.close());
    return nc;
  };
  const alice = await client(0, "alice");
  const carol = await client(1, "carol");
  // a stream with a consumer that lags 5 messages behind
  // (the account's JetStream may still be settling: adding the same stream again is a no-op)
  let jsm;
  await waitFor(async () => {
    jsm = await carol.jetstreamManager();
    await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
    return true;
  }, "the ORDERS stream", 30000);
  const js = carol.jetstream();
  for (let i = 0; i < 5; i++) await js.publish(`orders.new.${i}`, new TextEncoder().encode(`order ${i}`));
  await jsm.consumers.add("ORDERS", { durable_name: "NEW", ack_policy: "explicit" });
  await client(2, "bob");

  const browser = await launchChromium();
  stops.push(() => browser.close());
  const pageErrors = [];
  const newPage = async () => {
    const page = await browser.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("dialog", (dialog) => dialog.accept());
    return page;
  };
  const page = await newPage();
  const requests = [];
  page.on("request", (r) => requests.push({ url: r.url(), body: r.postData() || "" }));
  const text = async (selector) => (await page.textContent(selector)) || "";
  const serverRow = (p, name) => p.locator(`#servers tr[data-server="${name}"] .server-state`);

  // 1. directly from the browser, no session: 2.15 by CORS, 2.9.10 by JSONP (under its
  // http_base_path)
  await page.goto(`${base}/ops/servers`);
  await page.locator("details.settings summary").click();
  await page.getByLabel(/Monitor URLs/).fill(`http://127.0.0.1:${cluster.nodes[0].monitor}\n${old.url}/`);
  await page.getByLabel("Poll every").selectOption("1");
  await page.getByRole("button", { name: "Apply" }).click();
  await waitFor(async () => (await serverRow(page, "ops-1").textContent()).includes("up (CORS)"), "ops-1 by CORS");
  await waitFor(async () => (await serverRow(page, "old-2-9").textContent()).includes("up (JSONP)"), "2.9.10 by JSONP");
  assert.match(await page.locator('#servers tr[data-server="old-2-9"]').textContent(), /2\.9\.10/);
  const remembered = await page.evaluate(() => JSON.stringify(Object.assign({}, localStorage)));
  assert.match(remembered, new RegExp(`monitor-transport.${old.url}":"jsonp`));
  assert.equal(await page.locator('script[src*="callback="]').count(), 0, "JSONP scripts are removed after use");
  // the direct pages did not use the console's API
  assert.ok(!requests.some((r) => r.url.includes("/api/v1/monitor")), "direct polling went through the console");
  await page.screenshot({ path: path.join(shots, "ops-1-direct.png"), fullPage: true });
  // back to the console as the source
  await page.getByLabel(/Monitor URLs/).fill("");
  await page.getByRole("button", { name: "Apply" }).click();

  // 2. sign in as admin (the SYS key imported into a new vault)
  const signIn = async (p, accountName) => {
    await p.goto(base);
    await p.getByLabel("New passphrase").fill("correct horse battery staple");
    await p.getByLabel("Repeat the passphrase").fill("correct horse battery staple");
    await p.getByLabel("Repeat the passphrase").press("Enter");
    await waitFor(async () => (await p.textContent("#vault-state")) === "Vault unlocked · lock", "the vault");
    await p.getByRole("link", { name: "Keys" }).click();
    await p.getByLabel("Name", { exact: true }).fill(accountName);
    await p.getByLabel("Seed, .nk file or creds file").fill(account(accountName).seed);
    await p.getByRole("button", { name: "Import key" }).click();
    await p.getByRole("link", { name: "Sign in" }).click();
    await p.getByLabel("Your name (the audit log records who signed in)").fill(`${accountName} tester`);
    await p.getByRole("button", { name: "Sign in", exact: true }).click();
    await waitFor(async () => (await p.textContent("#session-state")).includes(`of ${accountName}`), `signed in for ${accountName}`);
  };
  await signIn(page, "SYS");

  // the stored accounts a page at a time, searched by the server (58: SYS, APP, OTHER, 55 teams)
  await page.getByRole("link", { name: "Accounts", exact: true }).click();
  const pager = () => text("#stored-accounts-pager");
  await waitFor(async () => (await pager()).includes("1–50 of 58"), "the first page of stored accounts");
  await page.getByRole("button", { name: "Next page" }).click();
  await waitFor(async () => (await pager()).includes("51–58 of 58"), "the second page");
  assert.equal(await page.locator("tr", { hasText: "stored, not in this vault" }).count(), 8, "the last 8 (SYS, the vault's, is on its own row)");
  await page.getByRole("button", { name: "Previous page" }).click();
  await waitFor(async () => (await pager()).includes("1–50 of 58"), "back to the first page");
  await page.getByLabel("Filter accounts (name or key)").fill("team-4");
  await waitFor(async () => (await pager()).includes("matching the search: 1–10 of 10"), "the search, by name");
  assert.deepEqual((await page.locator("tr", { hasText: "stored, not in this vault" }).locator("td:first-child").allTextContents()).sort(),
    teams.filter((t) => t.startsWith("TEAM-4")));
  await page.getByLabel("Filter accounts (name or key)").fill("");

  // 3. the cluster through the console: three servers up
  await page.getByRole("link", { name: "Servers" }).click();
  for (const node of cluster.nodes) {
    await waitFor(async () => (await serverRow(page, node.name).textContent()).includes("up (console)"), `${node.name} up`);
  }
  await page.screenshot({ path: path.join(shots, "ops-2-servers.png"), fullPage: true });

  // 4. the cluster's connections, each with its server
  await page.getByRole("link", { name: "Connections" }).click();
  const row = (user) => page.locator(`#connections tr.conn[data-user="${d.users[user].public}"]`);
  for (const [user, server] of [["alice", "ops-1"], ["carol", "ops-2"], ["bob", "ops-3"]]) {
    await waitFor(async () => (await row(user).getAttribute("data-server")) === server, `${user} on ${server}`);
  }
  await page.screenshot({ path: path.join(shots, "ops-3-connections.png"), fullPage: true });

  // 5. kick alice: her client is closed, and the closed connection shows the reason
  await row("alice").click();
  await page.locator("#kick").click();
  const closed = await Promise.race([alice.closed().then(() => true), new Promise((r) => setTimeout(() => r(false), 15000))]);
  assert.ok(closed, "kick closed alice's connection");
  await page.locator("#connz-state").selectOption("closed");
  await page.locator("#connz-sort").selectOption("reason");
  await page.getByRole("button", { name: "Refresh" }).click();
  await waitFor(async () => (await row("alice").locator(".reason").textContent()).includes("Kicked"), "alice closed: Kicked");

  // 6. a bad-creds attempt shows as AUTH.ERR in the live feed
  await page.getByRole("link", { name: "Events" }).click();
  await waitFor(async () => (await text("#events-state")).startsWith("live"), "the live feed");
  await assert.rejects(connect({ servers: `127.0.0.1:${cluster.nodes[1].client}`, reconnect: false,
    authenticator: credsAuthenticator(new TextEncoder().encode(d.users.mallory.creds)) }));
  await waitFor(async () => (await page.locator('#events tr[data-type="auth_error"]').count()) > 0, "AUTH.ERR in the feed");
  assert.match(await page.locator('#events tr[data-type="auth_error"]').first().textContent(), /ops-2/);
  await page.screenshot({ path: path.join(shots, "ops-4-events.png"), fullPage: true });
  // the console restarts: the session comes back from its journal, the feed resumes by itself
  // and says it was cut
  await restart();
  await waitFor(async () => (await page.locator('#events tr[data-type="cut"]', { hasText: "console restarted" }).count()) > 0,
    "the cut shown after the restart", 30000);
  await waitFor(async () => (await text("#events-state")).startsWith("live"), "the feed live again");

  // 7. a stopped server is marked down; its restart brings it back; reload answers
  await page.getByRole("link", { name: "Servers" }).click();
  cluster.stop(2);
  await waitFor(async () => (await serverRow(page, "ops-3").textContent()).includes("down"), "ops-3 down", 20000);
  await page.screenshot({ path: path.join(shots, "ops-5-server-down.png"), fullPage: true });
  await cluster.start(2);
  await waitFor(async () => (await serverRow(page, "ops-3").textContent()).includes("up"), "ops-3 back", 30000);
  await page.locator('#servers tr[data-server="ops-1"] button', { hasText: "Reload" }).click();
  await waitFor(async () => (await text("#notice")).includes("ops-1 reloaded its configuration"), "reload answered");

  // 8. home and the cluster tabs answer
  await page.getByRole("link", { name: "Home", exact: true }).click();
  await waitFor(async () => (await text("#user-info")).includes("nats-server knows this session as user"), "USER.INFO on Home");
  await waitFor(async () => (await text("#check-down")).includes("none"), "no server down", 15000).catch(async (e) => { await page.screenshot({ path: path.join(shots, "ops-debug-home.png"), fullPage: true }); throw new Error(`${e.message}: ${await text("#check-down")} / ${await text("main")}`); });
  await page.getByRole("link", { name: "Cluster", exact: true }).click();
  await waitFor(async () => (await page.locator("#routes tbody tr").count()) >= 6, "six routes");
  await page.getByRole("tab", { name: "JetStream" }).click();
  await waitFor(async () => /meta leader: ops-\d/.test(await text("#meta-leader")), "the meta leader");
  const lag = page.locator("#consumers tbody tr", { hasText: "NEW" });
  await waitFor(async () => (await lag.count()) === 1, "consumer NEW listed");
  assert.deepEqual((await lag.locator("td").allTextContents()).slice(1, 4), ["ORDERS", "NEW", "5"], "stream, consumer, lag");
  await page.screenshot({ path: path.join(shots, "ops-6-cluster.png"), fullPage: true });

  // 9. a team sees its own account's connections and nothing else
  const team = await newPage();
  await signIn(team, "APP");
  await team.goto(`${base}/ops/connections`);
  await waitFor(async () => (await team.locator(`#connections tr.conn[data-user="${d.users.carol.public}"]`).count()) === 1, "carol for the team");
  assert.equal(await team.locator(`#connections tr.conn[data-user="${d.users.bob.public}"]`).count(), 0, "bob is not APP's");
  await team.goto(`${base}/ops/servers`);
  await waitFor(async () => (await team.textContent("#monitor-status")).includes("could not ask the cluster"), "servers refused to a team");

  // 10. a static host with no backend at all: the ops bundle polls a monitor port by itself
  const staticPort = await freePort();
  const dist = path.join(root, "dist");
  const staticHost = http.createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    let file = path.join(dist, path.normalize(url.pathname));
    if (!file.startsWith(dist) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      file = url.pathname.startsWith("/ops") ? path.join(dist, "ops/index.html") : path.join(dist, "index.html");
    }
    const types = { ".wasm": "application/wasm", ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };
    res.writeHead(url.pathname.startsWith("/api/") ? 404 : 200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
    res.end(url.pathname.startsWith("/api/") ? "" : fs.readFileSync(file));
  });
  await new Promise((r) => staticHost.listen(staticPort, "127.0.0.1", r));
  stops.push(() => { staticHost.closeAllConnections(); staticHost.close(); });
  const alone = await newPage();
  await alone.goto(`http://127.0.0.1:${staticPort}/ops/servers`);
  await waitFor(async () => (await alone.textContent("#monitor-status")).includes("nothing to poll"), "no source yet");
  await alone.locator("details.settings summary").click();
  await alone.getByLabel(/Monitor URLs/).fill(`http://127.0.0.1:${cluster.nodes[1].monitor}`);
  await alone.getByRole("button", { name: "Apply" }).click();
  await waitFor(async () => (await alone.locator('#servers tr[data-server="ops-2"] .server-state').textContent()).includes("up (CORS)"), "ops-2 from a static host");

  assert.deepEqual(pageErrors, []);
  for (const r of requests) assert.doesNotMatch(`${r.url} ${r.body}`, SEED, `a seed left the page: ${r.url}`);
});
