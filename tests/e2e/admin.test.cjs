// An admin who has never seen the console, with real components (the console with deletes
// allowed, headless Chromium, a real nats-server): the state shown is the real one (header,
// after a reload, with the vault locked), dangerous actions ask first and stay visible, messages
// stay in view and belong to their page, focus follows actions, files come in by picker, limits
// take units, errors say what is expected. Then every page of both bundles, locked and unlocked,
// at 390 px and 1280 px: screenshots, no sideways overflow, and axe-core finds no serious or
// critical violation.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const nkeys = require("@nats-io/nkeys");
const { connect, credsAuthenticator } = require("nats");

const { root, SEED, freePort, waitFor, natsServerBinary, launchChromium } = require("./support.cjs");
const { startConsole } = require("./support-admin.cjs");
const shots = path.join(process.env.E2E_SCREENSHOTS || path.join(root, "target/e2e-screenshots"), "admin");
const AXE = require.resolve("axe-core/axe.min.js");

const MAIN_PAGES = ["/", "/operator", "/accounts", "/sharing", "/users", "/keys", "/inspect", "/sign-in", "/health", "/nsc", "/team", "/nats-resolver", "/audit"];
const OPS_PAGES = ["/ops/home", "/ops/servers", "/ops/overview", "/ops/connections", "/ops/cluster", "/ops/events"];
const PASSPHRASE = "correct horse battery staple";

test("an admin finds state, safety and words where expected; every page passes axe", { timeout: 300000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-admin-"));
  fs.mkdirSync(shots, { recursive: true });
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));

  // the console, deletes allowed (store { allow_delete: true })
  const { base, log: consoleLog } = await startConsole(work, stops, { allowDelete: true });

  // a nats-server that refuses the console's link (it wants a token)
  const natsPort = await freePort();
  fs.writeFileSync(path.join(work, "nats.conf"), `listen: 127.0.0.1:${natsPort}\nauthorization { token: "s3cret-for-tests" }\n`);
  const nats = spawn(natsServerBinary(), ["-c", path.join(work, "nats.conf")], { stdio: "ignore" });
  stops.push(() => nats.kill("SIGKILL"));

  const browser = await launchChromium();
  stops.push(() => browser.close());
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  const requests = [];
  page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || "" }));
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // every confirmation is recorded; `answer` says whether the next ones are accepted
  const dialogs = [];
  let answer = true;
  page.on("dialog", async (d) => { dialogs.push(d.message()); await (answer ? d.accept() : d.dismiss()); });
  const lastDialog = () => dialogs[dialogs.length - 1] || "";
  const notice = async () => (await page.textContent("#notice")) || "";
  const expectNotice = async (text) => waitFor(async () => (await notice()).includes(text), `notice "${text}" (now: "${await notice()}")`);
  const focusedId = () => page.evaluate(() => document.activeElement && document.activeElement.id);
  const focusedIn = (selector) => page.evaluate((s) => !!document.activeElement.closest(s), selector);
  const saveDownload = async (click) => {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    return file;
  };
  const nav = (name) => page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name, exact: true }).click();

  // 1. a fresh browser is told to create a vault; the passphrase rules show before they are broken
  await page.goto(base);
  assert.equal((await page.textContent("#vault-state")).trim(), "No vault yet · create one");
  assert.match(await page.textContent("main"), /This browser has no vault yet: choose a passphrase to create one/);
  assert.equal(await page.$("#passphrase"), null, "no unlock form in a browser without a vault");
  assert.match(await page.textContent("#passphrase-rules"), /At least 8 characters/);
  // the first load carries no page chunk (scripts/build-web splits them off); a page's chunk is
  // fetched when the page is first shown, and the web files are revalidated on every load
  const chunks = () => requests.map((r) => new URL(r.url).pathname).filter((p) => /^\/split_\w+\.wasm$/.test(p));
  assert.deepEqual(chunks(), [], "no page chunk on the first load");
  const shell = await (await fetch(`${base}/nats-console-web_bg.wasm`)).headers.get("cache-control");
  assert.equal(shell, "no-cache");
  assert.match(await page.getAttribute("#new-passphrase", "aria-describedby"), /passphrase-rules/);
  await page.fill("#new-passphrase", "short");
  await page.fill("#repeat-passphrase", "short");
  await page.getByRole("button", { name: "Create vault" }).click();
  await waitFor(async () => ((await page.textContent("#new-passphrase-error")) || "").includes("at least 8 characters"), "the error at the passphrase");
  assert.equal(await page.getAttribute("#new-passphrase", "aria-invalid"), "true");
  assert.equal(await focusedId(), "new-passphrase");
  await page.fill("#new-passphrase", PASSPHRASE);
  await page.fill("#repeat-passphrase", PASSPHRASE + "!");
  await page.getByRole("button", { name: "Create vault" }).click();
  await waitFor(async () => ((await page.textContent("#repeat-passphrase-error")) || "").includes("differ"), "the error at the repeated passphrase");
  await page.fill("#repeat-passphrase", PASSPHRASE);
  await page.getByRole("button", { name: "Create vault" }).click();
  await expectNotice("vault created and unlocked");
  assert.equal((await page.textContent("#vault-state")).trim(), "Vault unlocked · lock");

  // 2. the operator: a service URL without its scheme is answered with what is expected
  await nav("Operator");
  assert.equal(await notice(), "", "a message belongs to the page it was shown on");
  await page.getByLabel("Operator name").fill("ACME");
  await page.getByLabel("Service URLs").fill("localhost:4222");
  await page.getByRole("button", { name: "Create operator" }).click();
  await waitFor(async () => ((await page.textContent("#operator-service-urls-error")) || "").includes("nats://host:4222"), "the service URL error");
  assert.match(await page.textContent("#operator-service-urls-error"), /expected service URLs such as nats:\/\/host:4222 \(got "localhost:4222"\)/);
  await page.getByLabel("Service URLs").fill("nats://localhost:4222");
  await page.getByRole("button", { name: "Create operator" }).click();
  await waitFor(async () => ((await page.textContent("#operator-setup-code-error")) || "").includes("setup code"), "the setup code asked for");
  await page.getByLabel("Setup code").fill(fs.readFileSync(consoleLog, "utf8").match(/setup code: (\S+)/)[1]);
  await page.getByRole("button", { name: "Push operator and SYS to this console" }).click();
  await expectNotice("you are signed in as admin");
  // the header tells the console's NATS link as it is
  await waitFor(async () => (await page.textContent("#link-state")) === "NATS: not linked", "the link state", 12000);

  // 3. accounts: limits in units, save and push in one step, status at once, push only where it changes something
  await nav("Accounts");
  await page.getByLabel("Account name").fill("APP");
  await page.getByLabel("Maximum data (bytes)").fill("1MB");
  await page.getByLabel("Maximum payload (bytes)").fill("lots");
  assert.equal(await page.getAttribute("#account-conn", "placeholder"), "unlimited");
  await page.getByRole("button", { name: "Create and push" }).click();
  await waitFor(async () => ((await page.textContent("#account-payload-error")) || "").includes("1MB, 512K"), "the unit hint at the payload");
  await page.getByLabel("Maximum payload (bytes)").fill("512K");
  await page.getByRole("button", { name: "Create and push" }).click();
  await expectNotice("account APP pushed");
  const appRow = page.locator("tr", { has: page.getByRole("button", { name: "Edit APP" }) });
  await waitFor(async () => (await appRow.locator(".account-status").textContent()) === "pushed", "APP pushed in the list");
  assert.equal(await page.getByRole("button", { name: "Push APP", exact: true }).count(), 0, "no push where it changes nothing");
  const appKey = (await appRow.getAttribute("id")).replace("account-", "");
  assert.ok(await focusedIn(`#account-${appKey}`), "focus goes to the account just made");
  const stored = JSON.parse(Buffer.from((await (await fetch(`${base}/jwt/v1/accounts/${appKey}`)).text()).split(".")[1], "base64url"));
  assert.deepEqual([stored.nats.limits.data, stored.nats.limits.payload, stored.nats.limits.conn], [1000000, 512000, -1]);
  // created without a push: "local only" stands out, and Push is offered
  await page.getByLabel("Account name").fill("TEMP");
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await expectNotice("account TEMP created");
  const tempRow = page.locator("tr", { has: page.getByRole("button", { name: "Edit TEMP" }) });
  await waitFor(async () => (await tempRow.locator(".account-status .badge-warn").textContent()) === "local only", "TEMP local only, marked");
  await page.getByRole("button", { name: "Push TEMP", exact: true }).click();
  await waitFor(async () => (await tempRow.locator(".account-status").textContent()) === "pushed", "TEMP pushed");
  const tempKey = (await tempRow.getAttribute("id")).replace("account-", "");
  assert.equal(await page.getByRole("button", { name: "Delete SYS" }).count(), 0, "the system account is not offered for deletion");
  // the JWT as a file, from the list
  const appJwtFile = await saveDownload(() => page.getByRole("button", { name: "Download the JWT of APP" }).click());
  assert.equal(JSON.parse(Buffer.from(fs.readFileSync(appJwtFile, "utf8").split(".")[1], "base64url")).sub, appKey);
  // copy buttons: a key and a JWT
  await page.getByRole("button", { name: "Copy JWT of APP" }).click();
  await waitFor(async () => (await page.getByRole("button", { name: "Copy JWT of APP" }).textContent()) === "Copied", "the copy said where it was clicked");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(JSON.parse(Buffer.from(copied.split(".")[1], "base64url")).sub, appKey, "the clipboard holds APP's JWT");
  await page.getByRole("button", { name: `Copy ${appKey}` }).click();
  await waitFor(async () => (await page.evaluate(() => navigator.clipboard.readText())) === appKey, "the key copied");
  // search
  await page.getByLabel("Filter accounts").fill("tem");
  await waitFor(async () => (await page.getByRole("button", { name: "Edit APP" }).count()) === 0, "APP filtered out");
  assert.equal(await page.getByRole("button", { name: "Edit TEMP" }).count(), 1);
  await page.getByLabel("Filter accounts").fill("");
  await page.screenshot({ path: path.join(shots, "accounts.png"), fullPage: true });

  // 4. users: times of day, focus on the new row, the account remembered, a warning for SYS
  await nav("Users");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "APP" });
  await page.getByLabel("User name").fill("alice");
  await page.getByLabel("Times of day it may connect").fill("08:00-17:00");
  await page.getByLabel("Time zone of those times").fill("Europe/Berlin");
  const aliceCreds = await saveDownload(() => page.getByRole("button", { name: "Create user and download creds" }).click());
  const alice = JSON.parse(Buffer.from(fs.readFileSync(aliceCreds, "utf8").match(/-----BEGIN NATS USER JWT-----\n(.+)\n/)[1].split(".")[1], "base64url"));
  assert.deepEqual([alice.nats.times, alice.nats.times_location], [[{ start: "08:00:00", end: "17:00:00" }], "Europe/Berlin"]);
  await waitFor(() => focusedIn(`#user-${alice.sub}`), "focus on alice's row");
  // edit moves focus to the form, cancel back to the row
  await page.getByRole("button", { name: "Edit alice" }).click();
  await waitFor(async () => (await focusedId()) === "user-name", "focus in the form after Edit");
  await page.getByRole("button", { name: "Cancel editing" }).click();
  await waitFor(() => focusedIn(`#user-${alice.sub}`), "focus back on alice's row after Cancel");
  await page.getByLabel("User name").fill("bob");
  const bobCreds = await saveDownload(() => page.getByRole("button", { name: "Create user and download creds" }).click());

  // after a reload the vault is locked: the page says so and offers to unlock right there
  await page.reload();
  await waitFor(async () => (await page.textContent("#vault-state")).trim() === "Vault locked · unlock", "the header after a reload");
  // the Users page is a chunk of its own (scripts/build-web): fetched after the reload
  await waitFor(async () => /The vault is locked/.test(await page.textContent("main")), "the locked Users page");
  assert.equal(await page.getByRole("button", { name: "Create user and download creds" }).count(), 0, "nothing offered that needs the vault");
  await page.screenshot({ path: path.join(shots, "users-locked.png"), fullPage: true });
  await page.fill("#passphrase", PASSPHRASE);
  await page.getByRole("button", { name: "Unlock vault" }).click();
  await expectNotice("vault unlocked");
  await waitFor(async () => (await page.$eval("#user-account", (s) => s.options[s.selectedIndex].textContent)) === "APP", "the account last used, remembered");

  // adding a user to the system account asks first
  answer = false;
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SYS" });
  await page.getByLabel("User name").fill("ops");
  await page.getByRole("button", { name: "Create user and download creds" }).click();
  await waitFor(() => lastDialog().includes("system account"), "the system account warning");
  assert.equal(await page.getByRole("button", { name: "Edit ops" }).count(), 0, "declined: no user made");

  // revoking asks first, and a revoked user is marked; its creds download with a warning
  dialogs.length = 0;
  await page.getByRole("button", { name: "Revoke alice" }).click();
  await waitFor(() => lastDialog().startsWith("Revoke alice?"), "the revoke confirmation");
  assert.equal(await page.locator(`#user-${alice.sub} .badge`).count(), 0, "declined: not revoked");
  answer = true;
  await page.getByRole("button", { name: "Revoke alice" }).click();
  await expectNotice("user alice revoked: the server has the new account JWT");
  await waitFor(async () => (await page.locator(`#user-${alice.sub} .badge`).textContent()) === "revoked", "the revoked badge");
  assert.equal(await page.getByRole("button", { name: "Revoke alice" }).count(), 0);
  await saveDownload(() => page.getByRole("button", { name: "Download creds of alice" }).click());
  assert.match(lastDialog(), /alice is revoked: these creds no longer connect/);
  await expectNotice("nats-server refuses these creds");

  // a message stays in view however far the page is scrolled
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
  await page.getByLabel("User name").fill("");
  await page.getByRole("button", { name: "Create user and download creds" }).click();
  await expectNotice("the user needs a name");
  const box = await page.$eval("#notice", (n) => { const r = n.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, height: window.innerHeight }; });
  assert.ok(box.top >= 0 && box.bottom <= box.height, `the message is in view: ${JSON.stringify(box)}`);
  assert.equal(await focusedId(), "user-name", "focus on the input at fault");
  await nav("Keys");
  assert.equal(await notice(), "", "the message stayed with its page");
  await waitFor(async () => chunks().some((p) => p === "/split_keys_page.wasm"), "the Keys page's chunk fetched");
  assert.ok(!chunks().some((p) => p === "/split_sharing_page.wasm"), `no chunk of a page not shown: ${chunks()}`);
  // a chunk that cannot be fetched is a message, not a dead app: the vault stays unlocked, and
  // opening the page again retries
  await page.route("**/split_audit_page.wasm", (r) => r.abort());
  await nav("Audit");
  await waitFor(async () => /This page could not be loaded/.test(await page.textContent("main")), "the failed chunk said");
  assert.equal((await page.textContent("#vault-state")).trim(), "Vault unlocked · lock");
  await page.unroute("**/split_audit_page.wasm");
  await nav("Keys");
  await nav("Audit");
  await waitFor(async () => !/could not be loaded|Loading the page/.test(await page.textContent("main")), "the Audit page on a second try");
  await nav("Keys");

  // 5. keys: export one as .nk (with a warning); deleting names the role and what stops working
  await page.getByLabel("Filter keys").fill("alice");
  const nkFile = await saveDownload(() => page.getByRole("button", { name: "Export .nk of user alice" }).click());
  assert.match(lastDialog(), /plain text/);
  const nkSeed = fs.readFileSync(nkFile, "utf8").trim();
  assert.equal(nkeys.fromSeed(new TextEncoder().encode(nkSeed)).getPublicKey(), alice.sub, "the .nk file holds alice's seed");
  fs.rmSync(nkFile);
  answer = false;
  await page.getByLabel("Filter keys").fill("operator");
  await page.getByRole("button", { name: "Delete operator ACME", exact: true }).click();
  await waitFor(() => lastDialog().includes("operator's identity"), "the operator key's consequences");
  await page.getByLabel("Filter keys").fill("bob");
  await page.getByRole("button", { name: "Delete user bob", exact: true }).click();
  await waitFor(() => lastDialog().includes("creds can no longer be downloaded"), "the user key's consequences");
  answer = true;
  await page.getByRole("button", { name: "Delete user bob", exact: true }).click();
  await expectNotice("deleted from the vault");
  // files as files: bob's creds come back in through the picker, named and placed under APP
  await page.setInputFiles("#import-seed-file", bobCreds);
  await waitFor(async () => (await page.inputValue("#import-seed")).includes("BEGIN NATS USER JWT"), "the picked file in the input");
  await page.getByRole("button", { name: "Import key" }).click();
  await expectNotice("imported");
  await page.getByLabel("Filter keys").fill("bob");
  await waitFor(async () => /nothing: a user of APP/.test(await page.textContent("main table")), "bob, a user of APP");
  assert.equal(await page.getAttribute("#import-seed-file", "type"), "file");

  // the vault restore takes its backup file by picker too
  await nav("Vault");
  await page.getByText("Restore an encrypted backup").click();
  assert.equal(await page.getAttribute("#backup-file", "type"), "file");

  // 6. the inspector: from the list, by picker, and decoding errors as sentences
  await nav("Accounts");
  await page.getByRole("button", { name: "Inspect APP" }).click();
  await waitFor(async () => /OK/.test((await page.textContent("#inspect-verdict")) || ""), "APP inspected");
  assert.match(await page.textContent("main"), /APP/);
  await page.fill("#inspect-input", "eyJ0eXAiOiJKV1QiLCJhbGciOiJlZDI1NTE5LW5rZXkifQ.eyJqdGkiO!.c2ln");
  await waitFor(async () => /^This is not a whole JWT/.test(await page.textContent("#inspect-verdict")), "a sentence for a cut JWT");
  assert.doesNotMatch(await page.textContent("#inspect-verdict"), /illegal base64/);
  await page.setInputFiles("#inspect-input-file", aliceCreds);
  await waitFor(async () => /revoked/.test((await page.textContent("#inspect-verdict")) || ""), "alice's creds, picked, inspected");
  assert.ok(await page.$("#inspect-input-file"));

  // 7. deleting an account asks, and the console's store forgets it
  await nav("Accounts");
  dialogs.length = 0;
  await page.getByRole("button", { name: "Delete TEMP" }).click();
  await expectNotice("account TEMP deleted");
  assert.match(lastDialog(), /Delete account TEMP\?.*can no longer connect/);
  assert.equal((await fetch(`${base}/jwt/v1/accounts/${tempKey}`)).status, 404);
  assert.equal(await page.getByRole("button", { name: "Edit TEMP" }).count(), 0);

  // 8. a link the server refuses is shown failing, with the server's reason
  await nav("Operator");
  await page.getByLabel("NATS URL").fill(`nats://127.0.0.1:${natsPort}`);
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await waitFor(async () => /^NATS: failing · .*authorization/i.test(await page.textContent("#link-state")), "the failing link in the header", 20000);
  assert.ok(await page.$("#link-state.link-failing"));
  await page.screenshot({ path: path.join(shots, "operator-link-failing.png"), fullPage: true });

  // a nats-resolver configuration (type full, SYS preloaded) that nats-server 2.15 runs: sys connects
  const [resolverPort, resolverMonitor] = [await freePort(), await freePort()];
  await page.getByLabel("Accounts are resolved by").selectOption("full");
  await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${resolverPort}`);
  await page.getByLabel("Monitoring address").fill(`127.0.0.1:${resolverMonitor}`);
  const resolverConf = await saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click());
  const resolverText = fs.readFileSync(resolverConf, "utf8");
  assert.match(resolverText, /resolver \{\n  type: full\n/);
  assert.match(resolverText, /resolver_preload \{\n  A[A-Z2-7]{55}: eyJ/);
  const resolverDir = path.join(work, "resolver");
  fs.mkdirSync(resolverDir);
  const resolverServer = spawn(natsServerBinary(), ["-c", resolverConf], { cwd: resolverDir, stdio: ["ignore", "ignore", fs.openSync(path.join(work, "resolver.log"), "w")] });
  stops.push(() => resolverServer.kill("SIGKILL"));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${resolverMonitor}/varz`)).ok, "the resolver server's monitoring port", 15000);
  await nav("Users");
  const sysCreds = await saveDownload(() => page.getByRole("button", { name: "Download creds of sys" }).click());
  const sysConnection = await connect({ servers: `127.0.0.1:${resolverPort}`, authenticator: credsAuthenticator(new TextEncoder().encode(fs.readFileSync(sysCreds, "utf8"))), reconnect: false });
  await sysConnection.close();
  await nav("Operator");

  // 9. locking from the header; what the server knows stays shown, nothing offers to create it
  await page.click("#vault-state");
  await waitFor(async () => (await page.textContent("#vault-state")).trim() === "Vault locked · unlock", "locked");
  // the control is re-rendered, and focus moves onto the new one a task later (focus_later)
  await waitFor(async () => (await focusedId()) === "vault-state", "focus stays on the vault control");
  await waitFor(async () => /Trusted by this console/.test(await page.textContent("main")), "the trusted operator, shown locked");
  assert.match(await page.textContent("table.operator"), /ACME/);
  assert.equal(await page.getByRole("button", { name: "Create operator" }).count(), 0);
  await nav("Accounts");
  await waitFor(async () => /stored \(ok\)/.test(await page.textContent("main table")), "APP as stored, while locked");

  // 10. every page, locked and unlocked, at both widths: axe, overflow, screenshots
  const problems = [];
  const check = async (label) => {
    await page.waitForSelector("main h2");
    await page.addScriptTag({ path: AXE });
    const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ["violations"] })).violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`));
    violations.forEach((v) => problems.push(`${label}: ${v}`));
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (overflow > 0) problems.push(`${label}: ${overflow}px wider than the window`);
    const landmarks = await page.evaluate(() => [document.querySelectorAll("nav[aria-label]").length, document.querySelectorAll("main h2").length]);
    if (landmarks[0] !== 1 || landmarks[1] < 1) problems.push(`${label}: navigation landmarks ${landmarks[0]}, page headings ${landmarks[1]}`);
    await page.screenshot({ path: path.join(shots, `${label.replace(/[^a-z0-9]+/gi, "-")}.png`), fullPage: true });
  };
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    for (const p of [...MAIN_PAGES, ...OPS_PAGES]) {
      await page.goto(base + p);
      // signed in, "/" sends the browser on to the ops home: check the page it lands on
      if (p === "/") await waitFor(async () => new URL(page.url()).pathname === "/ops/home", "the ops home after /");
      await check(`${width} locked ${p}`);
    }
    // unlocked: one load (signed in, "/" leads to the ops home: unlock on Keys), then the menu
    // (the vault lives in the page's memory)
    await page.goto(base + "/keys");
    await page.fill("#passphrase", PASSPHRASE);
    await page.getByRole("button", { name: "Unlock vault" }).click();
    await expectNotice("vault unlocked");
    for (const p of MAIN_PAGES) {
      await page.locator(`nav a[href="${p}"]`).click();
      await waitFor(async () => new URL(page.url()).pathname === p, `the ${p} page`);
      await check(`${width} unlocked ${p}`);
    }
  }
  assert.deepEqual(problems, [], problems.join("\n"));

  // no seed ever left the page
  for (const r of requests) {
    assert.doesNotMatch(r.url + JSON.stringify(r.headers) + r.body, SEED, `a seed in a request to ${r.url}`);
  }
  assert.doesNotMatch(fs.readFileSync(consoleLog, "utf8"), SEED);
  assert.deepEqual(pageErrors, []);
});
