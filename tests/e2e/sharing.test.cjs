// Sharing between accounts, from the Sharing page, enforced by a real nats-server 2.15 (URL
// resolver to the console, which is linked to it so pushes reach it at once): a private service
// export with an activation token answers the importer's requests until the activation is
// revoked and pushed; a stream export imported under a local prefix delivers; a weighted mapping
// splits 1 000 messages within ±10 % of its weights. Bad input is refused at the field.
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

test("exports, activations, imports and mappings from the browser, as nats-server enforces them", { timeout: 180000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-sharing-"));
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));
  const { base, log: consoleLog } = await startConsole(work, stops);
  const browser = await launchChromium();
  stops.push(() => browser.close());
  const h = await adminPage(browser, work);
  const { page, expectNotice, nav, saveDownload } = h;
  await createAdmin(h, base, consoleLog);
  const [svcKey, clientKey] = await createAccounts(h, ["SVC", "CLIENT"]);
  const creds = await createUsers(h, [["SVC", "svc"], ["CLIENT", "client"]]);

  // nats-server on the generated configuration; the console linked to it
  await nav("Operator");
  const [natsPort, monitorPort] = [await freePort(), await freePort()];
  await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${natsPort}`);
  await page.getByLabel("Monitoring address").fill(`127.0.0.1:${monitorPort}`);
  const conf = await saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click(), "nats-server.conf");
  const server = spawn(natsServerBinary(), ["-c", conf], { cwd: work, stdio: ["ignore", "ignore", fs.openSync(path.join(work, "nats.log"), "w")] });
  stops.push(() => server.kill("SIGKILL"));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).ok, "nats-server");
  await page.getByLabel("NATS URL").fill(`nats://127.0.0.1:${natsPort}`);
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await waitFor(async () => (await page.textContent("#link-state")) === "NATS: connected", "the console's link", 20000);

  // SVC exports a private service and a public stream; bad input is refused at its field
  await nav("Sharing");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SVC" });
  await page.getByLabel("Export type").selectOption("service");
  await page.getByLabel("Exported subject").fill("time.now");
  await page.getByLabel("Private: importers need an activation token").check();
  await page.getByLabel("Response threshold").fill("2 seconds");
  await page.getByRole("button", { name: "Add export" }).click();
  await waitFor(async () => /expected a duration|unknown unit/.test((await page.textContent("#export-threshold-error")) || ""), "the threshold refused at its field");
  await page.getByLabel("Response threshold").fill("2s");
  await page.getByRole("button", { name: "Add export" }).click();
  await expectNotice("export time.now added");
  await page.getByLabel("Export type").selectOption("stream");
  await page.getByLabel("Private: importers need an activation token").uncheck();
  await page.getByLabel("Exported subject").fill("events.>");
  await page.getByRole("button", { name: "Add export" }).click();
  await expectNotice("export events.> added");
  // an overlapping export is what nats-server would refuse: the form says so
  await page.getByLabel("Exported subject").fill("events.orders");
  await page.getByRole("button", { name: "Add export" }).click();
  await waitFor(async () => /already exports/.test((await page.textContent("#export-subject-error")) || ""), "the overlap refused");
  await page.getByRole("button", { name: "Push SVC" }).click();
  await expectNotice("account SVC pushed: the server accepted it");
  // an activation for CLIENT
  await page.getByLabel("Importing account (public key)").fill(clientKey);
  await page.getByRole("button", { name: "Activation for time.now" }).click();
  await expectNotice("activation for time.now made");
  const activation = await page.inputValue("#activation-token");
  const claims = JSON.parse(Buffer.from(activation.split(".")[1], "base64url"));
  assert.deepEqual([claims.sub, claims.iss, claims.nats.subject, claims.nats.kind], [clientKey, svcKey, "time.now", "service"]);

  // CLIENT imports both (the stream under a prefix) and maps "work" 80/20
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "CLIENT" });
  await page.getByLabel("Import type").selectOption("service");
  await page.getByLabel("From account (public key)").fill(svcKey);
  await page.getByLabel("Subject as exported").fill("time.now");
  await page.getByRole("button", { name: "Add import" }).click();
  await waitFor(async () => /private: paste the activation token/.test((await page.textContent("#import-token-error")) || ""), "the token asked for");
  await page.fill("#import-token", activation);
  await page.getByRole("button", { name: "Add import" }).click();
  await expectNotice("import of time.now added");
  await page.getByLabel("Import type").selectOption("stream");
  await page.getByLabel("From account (public key)").fill("");
  await page.getByLabel("From an account of this vault").selectOption({ label: "SVC" });
  assert.equal(await page.inputValue("#import-from"), svcKey, "picking a known account fills its key");
  await page.getByLabel("Subject as exported").fill("events.>");
  await page.getByLabel("Subject here").fill("svc.events.>");
  await page.getByRole("button", { name: "Add import" }).click();
  await expectNotice("import of events.> added");
  await page.getByLabel("Mapped subject").fill("work");
  await page.getByLabel("Destinations").fill("work.a:80, work.b:30");
  await page.getByRole("button", { name: "Set mapping" }).click();
  await waitFor(async () => ((await page.textContent("#mapping-to-error")) || "").length > 0, "weights over 100 % refused");
  await page.getByLabel("Destinations").fill("work.a:80, work.b:20");
  await page.getByRole("button", { name: "Set mapping" }).click();
  await expectNotice("mapping of work set");
  await page.getByLabel("Preview: where does this subject go?").fill("work");
  await waitFor(async () => (await page.locator("#mapping-preview li").allTextContents()).join("|") === "work → work.a (80%)|work → work.b (20%)", "the mapping preview");
  await page.getByRole("button", { name: "Push CLIENT" }).click();
  await expectNotice("account CLIENT pushed: the server accepted it");

  // nats-server enforces it
  const as = async (user) => connect({ servers: `127.0.0.1:${natsPort}`, reconnect: false,
    authenticator: credsAuthenticator(new TextEncoder().encode(fs.readFileSync(creds[user], "utf8"))) });
  const svc = await as("svc");
  const client = await as("client");
  stops.push(() => { svc.close(); client.close(); });
  svc.subscribe("time.now", { callback: (_, m) => m.respond(new TextEncoder().encode("tick")) });
  const events = client.subscribe("svc.events.>");
  const [toA, toB] = [client.subscribe("work.a"), client.subscribe("work.b")];
  await svc.flush();
  await client.flush();
  const answer = await client.request("time.now", new Uint8Array(), { timeout: 3000 });
  assert.equal(new TextDecoder().decode(answer.data), "tick", "the private service answers the importer");
  svc.publish("events.order", new TextEncoder().encode("e1"));
  for await (const m of events) {
    assert.equal(m.subject, "svc.events.order", "the stream arrives under the local prefix");
    break;
  }
  for (let i = 0; i < 1000; i++) client.publish("work");
  await client.flush();
  await waitFor(() => toA.getReceived() + toB.getReceived() === 1000, "the 1 000 mapped messages");
  assert.ok(toA.getReceived() >= 700 && toA.getReceived() <= 900, `work.a got ${toA.getReceived()} of 1000 (80 % ± 10 %)`);
  assert.ok(toB.getReceived() >= 100 && toB.getReceived() <= 300, `work.b got ${toB.getReceived()} of 1000 (20 % ± 10 %)`);

  // a role of CLIENT (scoped signing key): its user carol gets exactly the template, with
  // {{name()}} filled in by nats-server
  await nav("Accounts");
  await page.getByRole("button", { name: "Edit CLIENT" }).click();
  await page.getByLabel("Role name").fill("orders");
  await page.getByLabel("Role may publish to").fill("orders.{{user()}}");
  await page.getByRole("button", { name: "Add role" }).click();
  await waitFor(async () => /"user\(\)" is not defined/.test((await page.textContent("#role-pub-allow-error")) || ""), "an unknown template refused");
  await page.getByLabel("Role may publish to").fill("orders.{{name()}}");
  await page.getByLabel("Preview for a user named").fill("carol");
  await waitFor(async () => /may publish to orders\.carol/.test((await page.textContent("#role-preview")) || ""), "the preview");
  await page.getByRole("button", { name: "Add role" }).click();
  await expectNotice("role orders added");
  await page.getByRole("button", { name: "Push CLIENT", exact: true }).click();
  await waitFor(async () => (await page.locator("tr", { has: page.getByRole("button", { name: "Edit CLIENT" }) }).locator(".account-status").textContent()) === "pushed", "CLIENT pushed with its role");
  await nav("Users");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "CLIENT" });
  await page.getByLabel("User name").fill("carol");
  const roleKey = await page.$eval("#user-signer", (s) => [...s.options].find((o) => o.textContent.startsWith("role orders")).value);
  await page.selectOption("#user-signer", roleKey);
  await waitFor(async () => /role orders/.test((await page.textContent("#user-scoped")) || ""), "the form says why its permissions are unused");
  assert.ok(await page.isDisabled("#user-pub-allow"), "the permission inputs are disabled");
  creds.carol = await saveDownload(() => page.getByRole("button", { name: "Create user and download creds" }).click(), "carol.creds");
  const carolClaims = JSON.parse(Buffer.from(fs.readFileSync(creds.carol, "utf8").match(/-----BEGIN NATS USER JWT-----\n(\S+)\n/)[1].split(".")[1], "base64url"));
  assert.deepEqual([carolClaims.nats.pub, carolClaims.nats.sub, carolClaims.nats.issuer_account], [{}, {}, clientKey], "a role's user carries no permissions of its own");
  const carol = await as("carol");
  stops.push(() => carol.close());
  const orders = client.subscribe("orders.>");
  await client.flush();
  carol.publish("orders.dave", new TextEncoder().encode("not mine"));
  carol.publish("orders.carol", new TextEncoder().encode("mine"));
  await carol.flush().catch(() => {});
  for await (const m of orders) {
    assert.equal(m.subject, "orders.carol", "only the template's subject gets through");
    break;
  }
  assert.equal(orders.getReceived(), 1);

  // revoking CLIENT's activation and pushing SVC: the service no longer answers CLIENT
  await nav("Sharing");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SVC" });
  await page.getByLabel("Importing account (public key)").fill(clientKey);
  await page.getByRole("button", { name: "Revoke activations of time.now" }).click();
  await expectNotice("activations of time.now for");
  await waitFor(async () => (await page.textContent('#sharing-exports tr[data-subject="time.now"]')).includes("CLIENT"), "CLIENT listed as revoked");
  assert.match(await page.textContent(`#sharing-activations tr[data-importer="${clientKey}"]`), /time\.now.*revoked/, "the issued activation shown revoked");
  await page.getByRole("button", { name: "Push SVC" }).click();
  await expectNotice("account SVC pushed: the server accepted it");
  await waitFor(async () => {
    try { await client.request("time.now", new Uint8Array(), { timeout: 500 }); return false; } catch (_) { return true; }
  }, "the revoked import refused", 15000);

  // auth callout settings: checked at their inputs, the xkey generated into the vault
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SVC" });
  await page.getByLabel("The service's users").fill("UNOTAKEY");
  await page.getByLabel("Accounts it may place users in").fill(clientKey);
  await page.getByRole("button", { name: "Save auth callout" }).click();
  await waitFor(async () => /not a valid user public key/.test((await page.textContent("#auth-users-error")) || ""), "a bad service user refused");
  const svcUser = JSON.parse(Buffer.from(fs.readFileSync(creds.svc, "utf8").match(/-----BEGIN NATS USER JWT-----\n(\S+)\n/)[1].split(".")[1], "base64url")).sub;
  await page.getByLabel("The service's users").fill(svcUser);
  await page.getByRole("button", { name: "Save auth callout" }).click();
  await expectNotice("auth callout of SVC set");
  await waitFor(async () => /^xkey: X[A-Z2-7]{55}/.test(((await page.textContent("#auth-xkey")) || "").trim()), "the generated xkey shown");

  assert.deepEqual(h.noSeedsSent(), [], "no seed in any request");
});
