// What the admin-side browser tests share: a console on a fresh store, a page with the helpers
// every test uses (notice, navigation, downloads; requests recorded for the no-seed check), and
// the first steps of an admin (vault, operator, accounts, users). Not a test file itself.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");
const { root, SEED, freePort, waitFor } = require("./support.cjs");

const PASSPHRASE = "correct horse battery staple";

/// A console on 127.0.0.1 with its store in `work`/jwt (deletes allowed when asked), stopped
/// through `stops`. Returns its base URL and log file.
async function startConsole(work, stops, { allowDelete = false } = {}) {
  const port = await freePort();
  const log = path.join(work, "console.log");
  fs.writeFileSync(path.join(work, "console.conf"), [
    `http { host: "127.0.0.1", port: ${port} }`,
    `store { dir: ${JSON.stringify(path.join(work, "jwt"))}, allow_delete: ${allowDelete} }`,
    `web_dir: ${JSON.stringify(path.join(root, "dist"))}`, "",
  ].join("\n"));
  const process = spawn(path.join(root, "target/debug/nats-console"), ["-c", path.join(work, "console.conf")],
    { stdio: ["ignore", "ignore", fs.openSync(log, "w")] });
  stops.push(() => process.kill("SIGKILL"));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the console");
  return { base, log };
}

/// A new page of `browser` with the helpers; dialogs are accepted and recorded.
async function adminPage(browser, work) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const requests = [];
  const pageErrors = [];
  const dialogs = [];
  page.on("request", (r) => requests.push({ url: r.url(), headers: r.headers(), body: r.postData() || "" }));
  page.on("pageerror", (e) => pageErrors.push(e.message));
  page.on("dialog", async (d) => { dialogs.push(d.message()); await d.accept(); });
  const notice = async () => (await page.textContent("#notice")) || "";
  return {
    page, requests, dialogs,
    notice,
    expectNotice: async (text, ms) => waitFor(async () => (await notice()).includes(text),
      `notice "${text}" (now: "${await notice()}"; page errors: ${pageErrors.join(" | ")})`, ms),
    nav: (name) => page.getByRole("navigation", { name: "Pages" }).getByRole("link", { name, exact: true }).click(),
    saveDownload: async (click, name) => {
      const [download] = await Promise.all([page.waitForEvent("download"), click()]);
      const file = path.join(work, name || download.suggestedFilename());
      await download.saveAs(file);
      return file;
    },
    /// No request carried a seed.
    noSeedsSent: () => requests.filter((r) => SEED.test(r.url + JSON.stringify(r.headers) + r.body)).map((r) => r.url),
  };
}

/// A vault, an operator ACME (strict: with signing keys and strict signing) trusted by the
/// console with its setup code; the admin is signed in.
async function createAdmin(h, base, consoleLog, { strict = false } = {}) {
  const { page } = h;
  await page.goto(base);
  await page.fill("#new-passphrase", PASSPHRASE);
  await page.fill("#repeat-passphrase", PASSPHRASE);
  await page.getByRole("button", { name: "Create vault" }).click();
  await h.expectNotice("vault created and unlocked");
  await h.nav("Operator");
  await page.getByLabel("Operator name").fill("ACME");
  if (strict) {
    await page.getByLabel("Sign accounts with a signing key").check();
    await page.getByLabel("Strict signing").check();
  }
  await page.getByLabel("Setup code").fill(fs.readFileSync(consoleLog, "utf8").match(/setup code: (\S+)/)[1]);
  await page.getByRole("button", { name: "Create operator" }).click();
  await h.expectNotice("you are signed in as admin");
}

/// Accounts created and pushed; returns their public keys, in order.
async function createAccounts(h, names) {
  const { page } = h;
  await h.nav("Accounts");
  const keys = [];
  for (const name of names) {
    await page.getByLabel("Account name").fill(name);
    await page.getByRole("button", { name: "Create and push" }).click();
    await h.expectNotice(`account ${name} pushed`);
    const row = page.locator("tr", { has: page.getByRole("button", { name: `Edit ${name}` }) });
    keys.push((await row.getAttribute("id")).replace("account-", ""));
  }
  return keys;
}

/// Users created from [account, user] pairs; returns user → creds file.
async function createUsers(h, pairs) {
  const { page } = h;
  await h.nav("Users");
  const creds = {};
  for (const [account, user] of pairs) {
    await page.getByLabel("Account", { exact: true }).selectOption({ label: account });
    await page.getByLabel("User name").fill(user);
    creds[user] = await h.saveDownload(() => page.getByRole("button", { name: "Create user and download creds" }).click(), `${user}.creds`);
  }
  return creds;
}

module.exports = { PASSPHRASE, startConsole, adminPage, createAdmin, createAccounts, createUsers };
