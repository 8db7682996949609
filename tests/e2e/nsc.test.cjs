// nsc in and out, in the browser: an nsc environment made here with the JS jwt library, laid out
// as nsc 2.x does (stores/ and keys/, picked as folders) and as the old ~/.nsc + ~/.nkeys layout
// (creds beside the users, zipped with deflate), with the operator's identity seed missing and
// bob's seed only in his creds file. The page shows what matched, imports into the vault, pushes
// on request; the vault goes out as an nsc zip (read back by Python's zipfile) and as a NATS CLI
// context. Zero seeds on the wire.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const nkeys = require("@nats-io/nkeys");
const jwt = require("@nats-io/jwt");

const { root, SEED, freePort, waitFor, launchChromium } = require("./support.cjs");

const PASSPHRASE = "correct horse battery staple";

/// An operator ACME (identity + signing key) with account APP (identity + signing key), alice
/// (signed by APP's signing key) and bob (signed by APP).
async function environment() {
  const [op, opSk, app, appSk, alice, bob] = [
    nkeys.createOperator(), nkeys.createOperator(), nkeys.createAccount(), nkeys.createAccount(), nkeys.createUser(), nkeys.createUser(),
  ];
  const operatorJwt = await jwt.encodeOperator("ACME", op, { signing_keys: [opSk.getPublicKey()] });
  const appJwt = await jwt.encodeAccount("APP", app, { signing_keys: [appSk.getPublicKey()] }, { signer: opSk });
  const aliceJwt = await jwt.encodeUser("alice", alice, app, {}, { signer: appSk });
  // bob expired yesterday: the health report offers to renew him
  const bobJwt = await jwt.encodeUser("bob", bob, app, {}, { exp: Math.floor(Date.now() / 1000) - 86400 });
  const seed = (kp) => new TextDecoder().decode(kp.getSeed());
  const bobCreds = new TextDecoder().decode(jwt.fmtCreds(bobJwt, bob));
  return { op, opSk, app, appSk, alice, bob, operatorJwt, appJwt, aliceJwt, bobJwt, bobCreds, seed };
}

function write(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/// The store folder of one operator and the keys folder: nsc's new layout, or the old one.
function layOut(env, dir, legacy) {
  const store = path.join(dir, legacy ? ".nsc/nats/ACME" : "nats/nsc/stores/ACME");
  const keys = path.join(dir, legacy ? ".nkeys" : "nats/nsc/keys");
  write(path.join(store, ".nsc"), JSON.stringify({ name: "ACME", managed: false, kind: "operator", version: "1" }));
  write(path.join(store, "ACME.jwt"), env.operatorJwt);
  write(path.join(store, "accounts/APP/APP.jwt"), env.appJwt);
  write(path.join(store, "accounts/APP/users/alice.jwt"), env.aliceJwt);
  write(path.join(store, "accounts/APP/users/bob.jwt"), env.bobJwt);
  // the operator's identity seed is kept offline: not here
  for (const kp of [env.opSk, env.app, env.appSk, env.alice]) {
    const key = kp.getPublicKey();
    write(path.join(keys, "keys", key[0], key.slice(1, 3), `${key}.nk`), env.seed(kp));
  }
  write(path.join(keys, ".gitignore"), "**/*.nk\n**/*.creds\n");
  // bob's seed lives only in his creds file
  write(legacy ? path.join(keys, "ACME/accounts/APP/users/bob.creds") : path.join(keys, "creds/ACME/APP/bob.creds"), env.bobCreds);
  return { store, keys };
}

test("nsc environments come in from folders and zips, and go out as a zip and a context", { timeout: 180000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-nsc-"));
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));
  const env = await environment();
  const fresh = layOut(env, path.join(work, "home-new"), false);
  // the stores folder also holds another operator, with an account of its own
  const [otherOp, otherAcc] = [nkeys.createOperator(), nkeys.createAccount()];
  const otherStore = path.join(path.dirname(fresh.store), "OTHER");
  write(path.join(otherStore, "OTHER.jwt"), await jwt.encodeOperator("OTHER", otherOp));
  write(path.join(otherStore, "accounts/THEIRS/THEIRS.jwt"), await jwt.encodeAccount("THEIRS", otherAcc, {}, { signer: otherOp }));
  const legacy = layOut(env, path.join(work, "home-old"), true);
  const legacyZip = path.join(work, "nsc-old.zip");
  execFileSync("python3", ["-c", `
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for top in sys.argv[2:]:
        base = os.path.dirname(top)
        for d, _, files in os.walk(top):
            for f in files:
                p = os.path.join(d, f)
                z.write(p, os.path.relpath(p, base))
`, legacyZip, legacy.store, legacy.keys]);

  // the console trusts ACME from the start (-operator), as when nsc ran the show
  const operatorFile = path.join(work, "ACME.jwt");
  fs.writeFileSync(operatorFile, env.operatorJwt);
  const httpPort = await freePort();
  const consoleProcess = spawn(path.join(root, "target/debug/nats-console"),
    ["-hp", `127.0.0.1:${httpPort}`, "-dir", path.join(work, "jwt"), "-operator", operatorFile, "-web", path.join(root, "dist")],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(work, "console.log"), "w")] });
  stops.push(() => consoleProcess.kill("SIGKILL"));
  const base = `http://127.0.0.1:${httpPort}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the console");

  const browser = await launchChromium();
  stops.push(() => browser.close());
  const requests = [];
  const open = async () => {
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || "" }));
    page.on("dialog", (d) => d.accept());
    await page.goto(base);
    await page.fill("#new-passphrase", PASSPHRASE);
    await page.fill("#repeat-passphrase", PASSPHRASE);
    await page.getByRole("button", { name: "Create vault" }).click();
    await waitFor(async () => (await notice(page)).includes("vault created"), "the vault");
    await page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name: "nsc", exact: true }).click();
    await page.waitForSelector("#nsc-store");
    return page;
  };
  const notice = async (page) => (await page.textContent("#notice")) || "";
  const expectNotice = (page, text) => waitFor(async () => (await notice(page)).includes(text), `notice "${text}"`);
  const saveDownload = async (page, click) => {
    const [download] = await Promise.all([page.waitForEvent("download"), click()]);
    const file = path.join(work, `${Date.now()}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    return file;
  };
  const seedColumn = async (page, kp) => (await page.locator(`#nsc-keys-found tr[data-key="${kp.getPublicKey()}"] td:nth-child(4)`).textContent());

  // 1. the new layout, picked as two folders
  const page = await open();
  await page.setInputFiles("#nsc-store", path.dirname(fresh.store));
  await page.setInputFiles("#nsc-keys", fresh.keys);
  await page.getByRole("button", { name: "Read", exact: true }).click();
  await expectNotice(page, "2 operator JWT(s), 2 account(s), 2 user(s), 5 seed(s)");
  // two operators: one is picked, and only its accounts and users are shown and imported
  await page.getByLabel("Several operators were found: import").selectOption({ label: "ACME" });
  await waitFor(async () => /^Operator ACME/.test(await page.textContent("#nsc-operator")), "ACME picked");
  assert.equal(await page.locator(`#nsc-keys-found tr[data-key="${otherAcc.getPublicKey()}"]`).count(), 0, "OTHER's account left out");
  assert.match(await page.textContent("#nsc-operator"), /^Operator ACME/);
  assert.equal(await seedColumn(page, env.op), "missing");
  assert.match(await seedColumn(page, env.opSk), /^found in keys\/keys\/O\//);
  assert.match(await seedColumn(page, env.appSk), /^found in /);
  assert.match(await seedColumn(page, env.bob), /^found in keys\/creds\/ACME\/APP\/bob\.creds$/);
  await page.getByRole("button", { name: "Import into the vault" }).click();
  await expectNotice(page, "imported operator ACME, 1 account(s), 2 user(s) and 5 key(s) from nsc; no seed found for: operator of ACME");
  // the health report: APP is not stored here yet, bob has expired; one click fixes each
  const nav = (p, name) => p.getByRole("navigation", { name: "Pages" }).getByRole("link", { name, exact: true }).click();
  await nav(page, "Health");
  const finding = (check, kp) => page.locator(`#health-findings tr[data-check="${check}"][data-subject="${kp.getPublicKey()}"]`);
  await waitFor(async () => (await finding("account-not-stored", env.app).count()) === 1, "APP not stored, found");
  assert.match(await finding("expired", env.bob).textContent(), /critical.*user bob expired/);
  assert.match(await page.textContent("#health-findings tr:nth-child(2)"), /critical/, "critical first");
  assert.equal(await finding("operator-identity-signs-accounts", env.app).count(), 0, "APP is signed by a signing key");
  await finding("account-not-stored", env.app).getByRole("button", { name: "Push" }).click();
  await waitFor(async () => (await finding("account-not-stored", env.app).count()) === 0, "APP pushed from the report");
  const stored = await (await fetch(`${base}/jwt/v1/accounts/${env.app.getPublicKey()}`)).text();
  assert.equal(stored, env.appJwt, "the console stores nsc's JWT byte for byte");
  await finding("expired", env.bob).getByRole("button", { name: "Renew" }).click();
  await expectNotice(page, "user bob renewed");
  await waitFor(async () => (await finding("expired", env.bob).count()) === 0, "bob no longer expired");
  // bob's seed came from his creds: his renewed creds download from the Users page
  await nav(page, "Users");
  const bobCreds = fs.readFileSync(await saveDownload(page, () => page.getByRole("button", { name: "Download creds of bob" }).click()), "utf8");
  const bobSeed = bobCreds.match(/-----BEGIN USER NKEY SEED-----\n(\S+)\n/)[1];
  assert.equal(nkeys.fromSeed(new TextEncoder().encode(bobSeed)).getPublicKey(), env.bob.getPublicKey());
  const renewedBob = JSON.parse(Buffer.from(bobCreds.match(/-----BEGIN NATS USER JWT-----\n(\S+)\n/)[1].split(".")[1], "base64url"));
  assert.ok(renewedBob.exp > Date.now() / 1000, "bob's renewed JWT is valid again");

  // 2. the old layout as a deflated zip, in another browser profile's vault
  const other = await open();
  await other.setInputFiles("#nsc-zip", legacyZip);
  await other.getByRole("button", { name: "Read", exact: true }).click();
  await expectNotice(other, "1 operator JWT(s), 1 account(s), 2 user(s), 5 seed(s)");
  assert.match(await seedColumn(other, env.bob), /^found in nsc-old\.zip\/\.nkeys\/ACME\/accounts\/APP\/users\/bob\.creds$/);
  assert.equal(await seedColumn(other, env.op), "missing");
  await other.getByRole("button", { name: "Import into the vault" }).click();
  await expectNotice(other, "imported operator ACME, 1 account(s), 2 user(s) and 5 key(s)");
  await other.getByRole("button", { name: "Push the 1 account(s) to this console" }).click();
  await expectNotice(other, "1 account(s) pushed to this console");

  // 3. out again: an nsc zip that Python's zipfile reads and checks, and a NATS CLI context
  const zipFile = await saveDownload(other, () => other.getByRole("button", { name: "Download the vault as an nsc zip" }).click());
  const listing = JSON.parse(execFileSync("python3", ["-c", `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps({n: z.read(n).decode() for n in z.namelist()}))
`, zipFile]).toString());
  assert.equal(listing["nsc/stores/ACME/ACME.jwt"], env.operatorJwt);
  assert.equal(listing["nsc/stores/ACME/accounts/APP/APP.jwt"], env.appJwt);
  const alicePub = env.alice.getPublicKey();
  assert.equal(listing[`nsc/keys/keys/${alicePub[0]}/${alicePub.slice(1, 3)}/${alicePub}.nk`], env.seed(env.alice));
  assert.match(listing["nsc/keys/creds/ACME/APP/bob.creds"], /BEGIN NATS USER JWT/);
  await other.getByLabel("User", { exact: true }).selectOption({ label: "alice" });
  await other.getByLabel("NATS URLs").fill("nats://n1:4222, nats://n2:4222");
  await other.getByLabel("Where the creds file will be").fill("/home/ops/alice.creds");
  const downloads = [];
  other.on("download", (d) => downloads.push(d));
  await other.getByRole("button", { name: "Download NATS CLI context and creds" }).click();
  await waitFor(() => downloads.length === 2, "the context and the creds");
  const contextFile = path.join(work, "alice.json");
  await downloads.find((d) => d.suggestedFilename() === "alice.json").saveAs(contextFile);
  assert.deepEqual(JSON.parse(fs.readFileSync(contextFile, "utf8")),
    { description: "alice, made by NATS Console", url: "nats://n1:4222,nats://n2:4222", creds: "/home/ops/alice.creds" });

  for (const r of requests) {
    assert.doesNotMatch(r.url + JSON.stringify(r.headers) + r.body, SEED, `a seed in a request to ${r.url}`);
  }
});
