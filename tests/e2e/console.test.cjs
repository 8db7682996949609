// End to end, with real components: the console (built SPA + backend, fresh store), headless
// Chromium driven by playwright-core, a real nats-server and a real NATS client (node `nats`).
// A new user goes from nothing to working creds; no seed ever leaves the page.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { connect, credsAuthenticator } = require("nats");

const { root, SEED, freePort, waitFor, launchChromium } = require("./support.cjs");
const shots = process.env.E2E_SCREENSHOTS || path.join(root, "target/e2e-screenshots");

function natsServerBinary() {
  if (process.env.NATS_SERVER_BIN) return process.env.NATS_SERVER_BIN;
  const tools = process.env.NATS_CONSOLE_TOOLS || path.join(os.homedir(), ".cache/nats-console");
  return path.join(tools, "venv/bin/nats-server");
}

test("a new user goes from nothing to working creds, and revocation applies", async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-e2e-"));
  fs.mkdirSync(shots, { recursive: true });
  const httpPort = await freePort();
  const processes = [];
  t.after(() => processes.forEach((p) => p.kill("SIGKILL")));

  // the console on a fresh store, serving the built web app
  const consoleLog = path.join(work, "console.log");
  const consoleProcess = spawn(path.join(root, "target/debug/nats-console"),
    ["-dir", path.join(work, "jwt"), "-hp", `127.0.0.1:${httpPort}`, "-web", path.join(root, "dist")],
    { stdio: ["ignore", "ignore", fs.openSync(consoleLog, "w")] });
  processes.push(consoleProcess);
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the console");

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage({ acceptDownloads: true });
  const requests = [];
  page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || "" }));
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  // confirmations (revoke …) are accepted; the admin test checks what they say
  page.on("dialog", (d) => d.accept());
  const notice = () => page.textContent("#notice");
  const expectNotice = async (text) => waitFor(async () => (await notice()).includes(text), `notice "${text}" (now: "${await notice()}")`);
  const saveDownload = async (click) => {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    return file;
  };

  // a clock the test can move: the idle lock is checked at the end
  await page.clock.install();

  // vault
  await page.goto(base);
  // by keyboard only: type, Tab to the next input, type, Enter
  await page.getByLabel("New passphrase").focus();
  await page.keyboard.type("correct horse battery staple");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.id), "repeat-passphrase");
  await page.keyboard.type("correct horse battery staple");
  await page.keyboard.press("Enter");
  await expectNotice("vault created and unlocked");
  await page.screenshot({ path: path.join(shots, "1-vault.png") });

  // operator with SYS, pushed to this console
  await page.getByRole("link", { name: "Operator" }).click();
  await page.getByLabel("Operator name").fill("ACME");
  // a console that trusts no operator yet wants the setup code it printed at start
  const setupCode = fs.readFileSync(consoleLog, "utf8").match(/setup code: (\S+)/)[1];
  await page.getByRole("button", { name: "Create operator" }).click();
  await waitFor(async () => (await page.textContent("#operator-setup-code-error") || "").includes("setup code"), "the setup code asked for at its input");
  await page.getByLabel("Setup code").fill(setupCode);
  await page.getByRole("button", { name: "Push operator and SYS to this console" }).click();
  await expectNotice("SYS is pushed, and you are signed in as admin");
  assert.match(await page.textContent("#session-state"), /ACME admin · admin of SYS/);
  await page.screenshot({ path: path.join(shots, "2-operator.png"), fullPage: true });
  // the configuration names where the server listens and where its monitoring port is
  const natsPort = await freePort();
  await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${natsPort}`);
  await page.getByLabel("Monitoring address").fill(`127.0.0.1:${await freePort()}`);
  const serverConfig = await saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click());
  assert.match(fs.readFileSync(serverConfig, "utf8"), new RegExp(`# where clients connect\nlisten: 127.0.0.1:${natsPort}\n`));

  // account with a signing key generated into the vault, pushed; a bad limit is named at its input
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByLabel("Account name").fill("APP");
  // signed with the operator's signing key unless another key is chosen: the form shows it
  const accountSigner = await page.$eval("#account-signer", (s) => s.options[s.selectedIndex]?.textContent);
  assert.match(accountSigner || "", /^operator signing key/);
  await page.getByLabel("Maximum leaf node connections").fill("lots");
  await page.getByRole("button", { name: "Create account" }).click();
  await waitFor(async () => (await page.textContent("#account-leaf-error")).includes("a whole number"), "the error under the leaf input");
  assert.equal(await page.getAttribute("#account-leaf", "aria-invalid"), "true");
  assert.equal(await page.getAttribute("#account-leaf", "aria-describedby"), "account-leaf-error");
  assert.equal(await page.evaluate(() => document.activeElement.id), "account-leaf", "focus moves to the input at fault");
  await page.screenshot({ path: path.join(shots, "3a-accounts-field-error.png"), fullPage: true });
  await page.getByLabel("Maximum leaf node connections").fill("-1");
  await page.getByLabel("Generate a new signing key into the vault").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await expectNotice("account APP created");
  assert.equal(await page.$("#account-leaf-error"), null, "the error is gone once the input is fixed");
  await page.getByRole("button", { name: "Push APP" }).click();
  await expectNotice("account APP pushed");
  await waitFor(async () => (await page.textContent("table")).includes("pushed"), "the pushed status");
  await page.screenshot({ path: path.join(shots, "3-accounts.png"), fullPage: true });

  // user with permissions; its creds download
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "APP" });
  await page.getByLabel("User name").fill("alice");
  // signed by APP's signing key: the user JWT names APP as issuer_account
  const signers = await page.$$eval("#user-signer option", (os) => os.map((o) => o.textContent));
  assert.equal(signers.length, 2, `identity and signing key offered: ${signers}`);
  await page.getByLabel("Sign with").selectOption({ label: signers.find((s) => s.startsWith("account signing key")) });
  await page.getByLabel("May publish to (empty: all)").fill("orders.>, _INBOX.>");
  await page.getByLabel("May subscribe to (empty: all)").fill("orders.>, _INBOX.>");
  const credsFile = await saveDownload(() => page.getByRole("button", { name: "Create user and download creds" }).click());
  await expectNotice("user alice created");
  await page.screenshot({ path: path.join(shots, "4-users.png"), fullPage: true });
  const creds = fs.readFileSync(credsFile, "utf8");
  assert.match(creds, /-----BEGIN NATS USER JWT-----/);
  const aliceClaims = JSON.parse(Buffer.from(creds.match(/-----BEGIN NATS USER JWT-----\n(.+)\n/)[1].split(".")[1], "base64url"));
  assert.ok(aliceClaims.nats.issuer_account.startsWith("A") && aliceClaims.iss !== aliceClaims.nats.issuer_account, "issued by a signing key of APP");

  // a real nats-server with the downloaded configuration, resolving through the console
  const natsConf = serverConfig;
  const natsServer = spawn(natsServerBinary(), ["-c", natsConf], { stdio: ["ignore", "ignore", fs.openSync(path.join(work, "nats.log"), "w")] });
  processes.push(natsServer);
  let nc;
  await waitFor(async () => { nc = await connect({ servers: `127.0.0.1:${natsPort}`, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), reconnect: false }); return true; }, "alice's connection");
  const errors = [];
  (async () => { for await (const s of nc.status()) if (s.type === "error") errors.push(String(s.data)); })();
  const sub = nc.subscribe("orders.new", { max: 1 });
  nc.publish("orders.new", "order 1");
  for await (const m of sub) assert.equal(new TextDecoder().decode(m.data), "order 1");
  // nats.js ends the subscription's iterator with the server's permission error
  const denied = nc.subscribe("secret.plans");
  (async () => { try { for await (const _ of denied) { /* nothing may arrive */ } } catch (e) { errors.push(String(e)); } })();
  await nc.flush();
  await waitFor(() => errors.some((e) => /Permissions Violation for Subscription to "secret.plans"/i.test(e)), "the permission violation");

  // connect the console to this nats-server, as the operator page offers
  await page.getByRole("link", { name: "Operator" }).click();
  await page.getByLabel("NATS URL").fill(`nats://127.0.0.1:${natsPort}`);
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await expectNotice("this console is connecting to NATS");
  // the console API answers a signed-in session only: asked from the page, with its cookie
  assert.equal((await fetch(`${base}/api/v1/info`)).status, 401, "no session, no console API");
  await waitFor(async () => (await page.evaluate(() => fetch("/api/v1/info").then((r) => r.json()))).nats === "connected", "the console's NATS link");

  // --- the team portal, with a second browser profile for the member ---
  // the member asks for access to APP with a key of their own, made in their own vault
  const appKey = aliceClaims.nats.issuer_account;
  const member = await browser.newPage({ acceptDownloads: true });
  member.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || "" }));
  member.on("pageerror", (e) => pageErrors.push(e.message));
  const memberNotice = () => member.textContent("#notice");
  const expectMember = async (text) => waitFor(async () => (await memberNotice()).includes(text), `member notice "${text}" (now: "${await memberNotice()}")`);
  await member.goto(base);
  await member.getByLabel("New passphrase").fill("bob's own passphrase");
  await member.locator("#repeat-passphrase").fill("bob's own passphrase");
  await member.getByRole("button", { name: "Create vault" }).click();
  await expectMember("vault created and unlocked");
  await member.getByRole("link", { name: "Team" }).click();
  await member.getByLabel("Account public key (ask your admin)").fill(appKey);
  await member.getByLabel("Your name").fill("bob");
  await member.getByLabel("What you need it for (optional)").fill("the orders service");
  await member.getByRole("button", { name: "Generate my key and ask for access" }).click();
  await expectMember("access requested");
  await waitFor(async () => (await member.textContent("#my-requests")).includes("pending"), "the pending request");

  // the admin gives bob's key a role; the form warns while it would deny what the team pages need
  await page.getByRole("link", { name: "Team" }).click();
  await page.getByLabel("Role name").fill("orders");
  await page.getByLabel("Role may publish to", { exact: true }).fill("orders.{{name()}}.>, _INBOX.>");
  await waitFor(async () => ((await page.textContent("#role-warning")) || "").includes("$SYS.REQ.ACCOUNT.PING.CONNZ"), "the role warning");
  await page.getByLabel("Role may publish to", { exact: true }).fill("orders.{{name()}}.>, _INBOX.>, $SYS.REQ.ACCOUNT.PING.*");
  await page.getByLabel("Role may subscribe to", { exact: true }).fill("orders.>, _INBOX.>");
  await waitFor(async () => (await page.$("#role-warning")) === null, "the warning gone");
  // the requests can be filtered (by name, account, key, who asked)
  await page.getByLabel("Filter requests").fill("nobody-by-this-name");
  await waitFor(async () => (await page.getByRole("button", { name: "Approve bob" }).count()) === 0, "bob filtered out");
  await page.getByLabel("Filter requests").fill("APP");
  await waitFor(async () => (await page.getByRole("button", { name: "Approve bob" }).count()) === 1, "bob found by his account's name");
  await page.getByLabel("Filter requests").fill("");
  await page.getByRole("button", { name: "Approve bob" }).click();
  await expectNotice("bob's key is approved");
  await page.screenshot({ path: path.join(shots, "8-team-admin.png"), fullPage: true });

  // bob signs in with his key: the team of APP, which is all he sees
  await member.click("#refresh-my-requests");
  await waitFor(async () => (await member.textContent("#my-requests")).includes("approved"), "the approved request");
  await member.getByRole("link", { name: "Sign in" }).click();
  await member.getByLabel("Your name (the audit log records who signed in)").fill("bob");
  await member.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectMember("signed in as bob (team) of account");
  const memberAccounts = await member.evaluate(() => fetch("/api/v1/accounts").then((r) => r.json()));
  assert.deepEqual(memberAccounts.accounts.map((a) => a.name), ["APP"], "a team sees its own account only");
  assert.equal(await member.evaluate(() => fetch("/api/v1/audit").then((r) => r.status)), 403);
  await waitFor(async () => (await member.evaluate(() => fetch("/api/v1/session").then((r) => r.json()))).nats === "connected", "bob's session on NATS");

  // bob issues svc under the role: its creds connect with exactly the template's permissions
  await member.getByRole("link", { name: "Team" }).click();
  await member.getByLabel("User name").fill("svc");
  const [svcDownload] = await Promise.all([member.waitForEvent("download"), member.getByRole("button", { name: "Issue user and download creds" }).click()]);
  const svcFile = path.join(work, "svc.creds");
  await svcDownload.saveAs(svcFile);
  await expectMember("user svc issued");
  const svcCreds = fs.readFileSync(svcFile, "utf8");
  const svcAuth = credsAuthenticator(new TextEncoder().encode(svcCreds));
  const svc = await connect({ servers: `127.0.0.1:${natsPort}`, authenticator: svcAuth, reconnect: false });
  const svcErrors = [];
  // nats.js reports a publish violation as a status: the code and what was refused
  (async () => { for await (const st of svc.status()) if (st.type === "error") svcErrors.push(`${st.data} ${st.permissionContext?.operation} ${st.permissionContext?.subject}`); })();
  const orders = svc.subscribe("orders.>", { max: 1 });
  svc.publish("orders.svc.new", "mine");
  for await (const m of orders) assert.equal(m.subject, "orders.svc.new");
  svc.publish("orders.alice.new", "not mine");
  await svc.flush();
  await waitFor(() => svcErrors.includes("PERMISSIONS_VIOLATION publish orders.alice.new"), `the template's limit on svc (${svcErrors})`);
  await member.getByRole("button", { name: "Connections of svc" }).click();
  await waitFor(async () => (await member.textContent("#team-users .connections")).includes("1 connected"), "svc's live connection");
  await member.screenshot({ path: path.join(shots, "9-team-member.png"), fullPage: true });

  // bob asks for svc's revocation; the admin approves it; nats-server refuses svc
  await member.getByRole("button", { name: "Request revocation of svc" }).click();
  await expectMember("revocation of svc requested");
  await page.click("#refresh-requests");
  await page.getByRole("button", { name: "Approve revocation of svc" }).click();
  await expectNotice("svc is revoked");
  await waitFor(async () => {
    try {
      const again = await connect({ servers: `127.0.0.1:${natsPort}`, authenticator: svcAuth, reconnect: false });
      await again.close();
      return false;
    } catch (e) {
      return /Authorization Violation/i.test(String(e));
    }
  }, "nats-server refusing revoked svc", 20000);
  await member.click("#refresh-team-users");
  await waitFor(async () => (await member.textContent("#team-users")).includes("revoked"), "the revoked badge");
  assert.match(await member.textContent("#team-revocations"), /approved/);
  await svc.close().catch(() => {});

  // the admin reads the audit log in the app: the team's steps, the head hash to pin, the file
  await page.getByRole("link", { name: "Audit" }).click();
  await waitFor(async () => (await page.textContent("#audit-entries")).includes("revocation.approved"), "the audit entries");
  const auditText = await page.textContent("#audit-entries");
  for (const action of ["operator.trusted", "session.signed-in", "access.requested", "access.approved", "user.issued", "revocation.requested", "nats-link.set"]) {
    assert.ok(auditText.includes(action), `audit page shows ${action}`);
  }
  await page.getByLabel("Action contains (e.g. account.pushed, session.)").fill("access.");
  await page.getByRole("button", { name: "Filter" }).click();
  await waitFor(async () => !(await page.textContent("#audit-entries")).includes("session.signed-in"), "the filtered entries");
  const head = await page.textContent("#audit-head");
  assert.match(head, /^[0-9a-f]{64}$/);
  await page.screenshot({ path: path.join(shots, "10-audit.png"), fullPage: true });
  const auditFile = await saveDownload(() => page.getByRole("link", { name: "Download audit log" }).click());
  const verified = require("node:child_process").spawnSync(path.join(root, "target/debug/nats-console"), ["audit", "verify", auditFile, "--head", head], { encoding: "utf8" });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.doesNotMatch(fs.readFileSync(auditFile, "utf8"), SEED, "no seed in the audit log");

  // revoke alice in the UI: the account is re-signed and pushed; nats-server refuses her
  await page.getByRole("link", { name: "Users" }).click();
  await page.getByRole("button", { name: "Revoke alice" }).click();
  await expectNotice("the server has the new account JWT");
  await page.screenshot({ path: path.join(shots, "5-revoked.png"), fullPage: true });
  // editing a revoked user warns that a new JWT would not be covered by the revocation
  await page.getByRole("button", { name: "Edit alice" }).click();
  await expectNotice("alice is revoked: saving issues a new JWT");
  await page.getByRole("button", { name: "Cancel editing" }).click();
  await waitFor(async () => {
    try {
      const again = await connect({ servers: `127.0.0.1:${natsPort}`, authenticator: credsAuthenticator(new TextEncoder().encode(creds)), reconnect: false });
      await again.close();
      return false;
    } catch (e) {
      return /Authorization Violation/i.test(String(e));
    }
  }, "nats-server refusing revoked alice", 20000);

  // editing APP: the list says it differs from what the server stores until it is pushed
  await page.getByRole("link", { name: "Accounts" }).click();
  await page.getByRole("button", { name: "Edit APP" }).click();
  assert.equal(await page.inputValue("#account-leaf"), "", "the form shows the stored account (unlimited: empty, its placeholder says so)");
  await page.getByLabel("Description").fill("orders service");
  await page.getByRole("button", { name: "Save account" }).click();
  await expectNotice("account APP re-signed");
  await waitFor(async () => (await page.textContent("table")).includes("differs from stored"), "the differs status");
  await page.getByRole("button", { name: "Push APP" }).click();
  await expectNotice("account APP pushed");
  await waitFor(async () => !(await page.textContent("table")).includes("differs from stored"), "the pushed status after the edit");

  // the keys page lists the signing key with what it signs for
  await page.getByRole("link", { name: "Keys" }).click();
  await waitFor(async () => (await page.textContent("table")).includes("account signing key"), "the account signing key");
  assert.match(await page.textContent("table"), /users of APP \(with issuer_account\)/);
  await page.screenshot({ path: path.join(shots, "6-keys.png"), fullPage: true });
  const backupFile = await saveDownload(() => page.getByRole("button", { name: "Download encrypted backup" }).click());
  const backup = fs.readFileSync(backupFile, "utf8");
  assert.ok(JSON.parse(backup).ciphertext, "the backup is the sealed vault");
  assert.doesNotMatch(backup, SEED, "no seed in the clear in the backup");

  // the inspector lays out the creds' claims as nsc describe
  await page.getByRole("link", { name: "Inspector" }).click();
  // dropped as a file, as from a file manager
  const dropped = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], "alice.creds", { type: "text/plain" }));
    return transfer;
  }, creds);
  await page.dispatchEvent("#inspect-input", "drop", { dataTransfer: dropped });
  await waitFor(async () => (await page.textContent("#inspect-describe")).includes("User Details"), "described claims");
  const described = await page.textContent("#inspect-describe");
  assert.match(described, /Issuer Account/);
  assert.match(described, /orders\.>/);
  assert.match(await page.textContent("#inspect-claims"), /"issuer_account"/);
  assert.match(await page.textContent("#inspect-verdict"), /revoked by account/, "alice is revoked in the vault's APP");
  await page.screenshot({ path: path.join(shots, "7-inspector.png"), fullPage: true });

  // the browser's back button returns to the previous page
  await page.goBack();
  await waitFor(async () => new URL(page.url()).pathname === "/keys" && (await page.textContent("main h2")) === "Keys", "back to the keys page");

  // an idle page locks the vault: 16 minutes without a click or a key
  await page.clock.fastForward("16:00");
  await waitFor(async () => (await page.textContent("#vault-state")) === "Vault locked · unlock", "the idle lock");
  await expectNotice("vault locked after 15 minutes");

  // another browser profile, no vault: the inspector checks alice against APP as the console
  // stores it (revoked there)
  const other = await browser.newPage();
  other.on("pageerror", (e) => pageErrors.push(e.message));
  await other.goto(`${base}/inspect`);
  await other.getByLabel("JWT or creds file", { exact: false }).fill(creds);
  await waitFor(async () => /revoked by account/.test(await other.textContent("#inspect-verdict")), "the verdict against the stored account");

  // the backup restores into that profile, and opens with the passphrase only
  await other.getByRole("link", { name: "Vault", exact: true }).click();
  await other.getByText("Restore an encrypted backup").click();
  await other.getByLabel("Backup (nats-console-vault.json").fill(backup);
  await other.getByRole("button", { name: "Restore backup" }).click();
  await waitFor(async () => (await other.textContent("#notice")).includes("backup restored"), "the restore");
  await other.getByLabel("Passphrase", { exact: true }).fill("wrong passphrase");
  await other.getByRole("button", { name: "Unlock vault" }).click();
  await waitFor(async () => (await other.textContent("#notice")).includes("wrong passphrase"), "the wrong passphrase refused");
  assert.match(await other.textContent("#passphrase-error"), /wrong passphrase/, "the error sits at the field");
  assert.equal(await other.getAttribute("#passphrase", "aria-invalid"), "true");
  await other.getByLabel("Passphrase", { exact: true }).fill("correct horse battery staple");
  await other.getByRole("button", { name: "Unlock vault" }).click();
  await waitFor(async () => (await other.textContent("#vault-state")) === "Vault unlocked · lock", "the restored vault unlocked");
  await other.getByRole("link", { name: "Users" }).click();
  await waitFor(async () => (await other.textContent("table")).includes("alice"), "alice in the restored vault");

  // no seed left the page: requests, the console's log, the store files
  for (const r of requests) {
    assert.doesNotMatch(r.url, SEED, `seed in a request URL: ${r.url}`);
    assert.doesNotMatch(JSON.stringify(r.headers), SEED, `seed in request headers to ${r.url}`);
    assert.doesNotMatch(r.body, SEED, `seed in a request body to ${r.url}`);
  }
  assert.ok(requests.some((r) => r.url.endsWith("/jwt/v1/operator")) && requests.filter((r) => r.body).length >= 4, "the scan saw the pushes");
  assert.doesNotMatch(fs.readFileSync(consoleLog, "utf8"), SEED, "seed in the console's log");
  for (const file of fs.readdirSync(path.join(work, "jwt"), { recursive: true })) {
    const full = path.join(work, "jwt", String(file));
    if (fs.statSync(full).isFile()) assert.doesNotMatch(fs.readFileSync(full, "utf8"), SEED, `seed in store file ${file}`);
  }
  assert.deepEqual(pageErrors, []);
  await nc.close().catch(() => {});
});
