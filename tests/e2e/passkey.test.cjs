// The vault unlocked with a passkey, in headless Chromium with its virtual authenticator
// (DevTools protocol WebAuthn): WebAuthn's PRF secret wraps the vault key; the passphrase stays
// the fallback; an authenticator without PRF is told so. Served as http://localhost (WebAuthn
// takes no IP address as its relying party). Needs target/debug/nats-console and dist/.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { root, SEED, freePort, waitFor, launchChromium } = require("./support.cjs");

test("a passkey with PRF unlocks the vault; one without PRF is refused plainly", async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-passkey-"));
  const port = await freePort();
  const consoleProcess = spawn(path.join(root, "target/debug/nats-console"),
    ["-dir", path.join(work, "jwt"), "-hp", `127.0.0.1:${port}`, "-web", path.join(root, "dist")],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(work, "console.log"), "w")] });
  t.after(() => consoleProcess.kill("SIGKILL"));
  const base = `http://localhost:${port}`;
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).ok, "the console");

  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const notice = () => page.textContent("#notice");
  const expectNotice = async (text) => waitFor(async () => (await notice()).includes(text), `notice "${text}" (now: "${await notice()}")`);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const authenticator = (prf) => cdp.send("WebAuthn.addVirtualAuthenticator", { options: {
    protocol: "ctap2", ctap2Version: "ctap2_1", transport: "internal", hasResidentKey: true,
    hasUserVerification: true, isUserVerified: true, hasPrf: prf, automaticPresenceSimulation: true } });
  let { authenticatorId } = await authenticator(true);

  await page.goto(base);
  await page.getByLabel("New passphrase").fill("correct horse battery staple");
  await page.locator("#repeat-passphrase").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Create vault" }).click();
  await expectNotice("vault created and unlocked");

  // the passphrase confirms who adds a passkey
  await page.getByLabel("Your passphrase, to confirm").fill("not my passphrase");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expectNotice("wrong passphrase");
  await page.getByLabel("Your passphrase, to confirm").fill("correct horse battery staple");
  await page.getByLabel("Passkey name").fill("laptop");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expectNotice("passkey added");
  await waitFor(async () => /laptop/.test(await page.textContent("#passkeys")), `the passkey listed (storage: ${await page.evaluate(() => window.localStorage.getItem("nats-console-passkeys"))})`);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1, "one credential on the authenticator");

  // after a reload the vault is locked; the passkey opens it
  await page.reload();
  await waitFor(async () => (await page.textContent("#vault-state")) === "Vault locked · unlock", "the locked vault");
  await page.getByRole("button", { name: "Unlock with a passkey" }).click();
  await expectNotice("vault unlocked with a passkey");
  assert.equal(await page.textContent("#vault-state"), "Vault unlocked · lock");
  // the passphrase still opens it too
  await page.getByRole("button", { name: "Lock vault" }).click();
  await page.getByLabel("Passphrase", { exact: true }).fill("correct horse battery staple");
  await page.getByRole("button", { name: "Unlock vault" }).click();
  await expectNotice("vault unlocked");

  // nothing stored in the clear: no seed, no raw vault key in localStorage
  const stored = await page.evaluate(() => JSON.stringify(Object.assign({}, window.localStorage)));
  assert.doesNotMatch(stored, SEED);
  assert.match(stored, /wrapped_key/);

  // an authenticator without PRF cannot hold the vault key: said plainly
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  ({ authenticatorId } = await authenticator(false));
  await page.getByLabel("Your passphrase, to confirm").fill("correct horse battery staple");
  await page.getByRole("button", { name: "Add a passkey" }).click();
  await expectNotice("cannot give passkeys a secret (the WebAuthn PRF extension)");
  assert.deepEqual(pageErrors, []);
});
