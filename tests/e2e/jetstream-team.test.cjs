// JetStream for a team, in a second browser profile that holds only the member's own key of
// account SHOP: the member's session sees SHOP's streams and never BANK's; a link to BANK's
// pages says why this session cannot act for it; the console refuses BANK's routes; asked by
// name inside SHOP, nats-server answers that no such stream exists; and a request the member's
// role denies is refused by nats-server, with the missing permission shown on the page.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");

const { SEED, waitFor } = require("./support.cjs");
const { shop, serverConfig, startServer, actForShop } = require("./support-jetstream.cjs");

test("a team of SHOP cannot see or touch BANK's streams; nats-server's refusals are shown", { timeout: 240000 }, async (t) => {
  const { work, stops, h } = await shop(t, "jsteam");
  const { page, expectNotice, nav } = h;
  await nav("Accounts");
  await page.getByLabel("Account name").fill("BANK");
  await page.getByLabel("JetStream enabled").check();
  await page.getByRole("button", { name: "Create and push" }).click();
  await expectNotice("account BANK pushed");
  const keyOf = async (name) => (await page.locator("tr", { has: page.getByRole("button", { name: `Edit ${name}` }) }).getAttribute("id")).replace("account-", "");
  const [shopKey, bankKey] = [await keyOf("SHOP"), await keyOf("BANK")];
  const node = await serverConfig(h, work, "jst1");
  await startServer(node, stops);
  await actForShop(h, node.client);

  // the admin makes ORDERS in SHOP and LEDGER in BANK (acting for BANK through a link)
  const createStream = async (p, name, subjects) => {
    await p.locator("#stream-new").click();
    await p.locator("#stream-name").fill(name);
    await p.getByLabel(/^Subjects/).fill(subjects);
    await p.locator("#stream-save").click();
  };
  await createStream(page, "ORDERS", "orders.>");
  await expectNotice("stream ORDERS created");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "BANK" });
  assert.equal(new URL(page.url()).searchParams.get("account"), bankKey, "the address names the account acted for");
  await page.locator("#js-link").click();
  await waitFor(async () => /signed by your vault.*\(connected\)/.test((await page.textContent("#js-acting")) || ""), "acting as a user of BANK", 20000);
  await createStream(page, "LEDGER", "ledger.>");
  await expectNotice("stream LEDGER created");

  // the member: a vault of their own, a key of their own, access asked for SHOP
  const member = await (await page.context().browser().newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const memberErrors = [];
  const memberRequests = [];
  member.on("pageerror", (e) => memberErrors.push(e.message));
  member.on("request", (r) => memberRequests.push(r.url() + JSON.stringify(r.headers()) + (r.postData() || "")));
  member.on("dialog", (d) => d.accept());
  const memberNotice = async () => (await member.textContent("#notice")) || "";
  const expectMember = async (text) => waitFor(async () => (await memberNotice()).includes(text), `member notice "${text}" (now: "${await memberNotice()}"; ${memberErrors.join(" | ")})`);
  const memberBase = new URL(page.url()).origin;
  await member.goto(memberBase);
  await member.getByLabel("New passphrase").fill("dana's own passphrase");
  await member.locator("#repeat-passphrase").fill("dana's own passphrase");
  await member.getByRole("button", { name: "Create vault" }).click();
  await expectMember("vault created and unlocked");
  await member.getByRole("link", { name: "Team" }).click();
  await member.getByLabel("Account public key (ask your admin)").fill(shopKey);
  await member.getByLabel("Your name").fill("dana");
  await member.getByRole("button", { name: "Generate my key and ask for access" }).click();
  await expectMember("access requested");

  // the admin approves it with a role that may use SHOP's JetStream but not delete a stream
  await nav("Team");
  await page.getByLabel("Role name").fill("streams");
  await page.getByLabel("Role may publish to", { exact: true }).fill("$JS.API.>, _INBOX.>, $SYS.REQ.ACCOUNT.PING.*, orders.>");
  await page.getByLabel("Role may not publish to", { exact: true }).fill("$JS.API.STREAM.DELETE.>");
  await page.getByLabel("Role may subscribe to", { exact: true }).fill("_INBOX.>");
  await page.getByRole("button", { name: "Approve dana" }).click();
  await expectNotice("dana's key is approved");

  // dana signs in: the team of SHOP, with only her own key in her vault
  await member.click("#refresh-my-requests");
  await waitFor(async () => (await member.textContent("#my-requests")).includes("approved"), "the approved request");
  await member.getByRole("link", { name: "Sign in" }).click();
  await member.getByLabel("Your name (the audit log records who signed in)").fill("dana");
  await member.getByRole("button", { name: "Sign in", exact: true }).click();
  await expectMember("signed in as dana (team) of account");

  // her JetStream page acts as her session's user; SHOP is the only account; ORDERS, not LEDGER
  await member.getByRole("link", { name: "JetStream" }).click();
  await waitFor(async () => /your session's user \(connected\)/.test((await member.textContent("#js-acting")) || ""), "acting as dana's session", 20000);
  assert.deepEqual(await member.locator("#js-account option").allTextContents(), ["SHOP (this session's account)"]);
  await waitFor(async () => /ORDERS/.test((await member.textContent("#streams").catch(() => "")) || ""), "SHOP's ORDERS listed");
  assert.doesNotMatch(await member.textContent("#streams"), /LEDGER/, "BANK's stream shows in SHOP's list");

  // a shared link to BANK's pages: the page says why this session cannot act for BANK
  await member.goto(`${memberBase}/jetstream?account=${bankKey}`);
  await waitFor(async () => /cannot act for account/.test((await member.textContent("#js-refused").catch(() => "")) || ""), "the refusal of BANK");
  assert.match(await member.textContent("#js-refused"), /team of SHOP.*holds no key of that account/);
  await waitFor(async () => /ORDERS/.test((await member.textContent("#streams").catch(() => "")) || ""), "still SHOP's streams");
  assert.doesNotMatch(await member.textContent("#streams"), /LEDGER/);

  // BANK's routes are refused by the console; LEDGER asked for inside SHOP does not exist there
  const ask = (url) => member.evaluate((u) => fetch(u, { method: "POST", headers: { "content-type": "application/json" }, body: "null" })
    .then(async (r) => ({ status: r.status, body: await r.json() })), url);
  const bank = await ask(`/api/v1/jetstream/${bankKey}/api/STREAM.INFO.LEDGER`);
  assert.equal(bank.status, 409, JSON.stringify(bank));
  assert.match(bank.body.error, /acts for account SHOP/);
  const inShop = await ask(`/api/v1/jetstream/${shopKey}/api/STREAM.INFO.LEDGER`);
  assert.equal(inShop.body.err_code, 10059, JSON.stringify(inShop));

  // her role denies deleting a stream: nats-server refuses, the page names the permission
  await member.getByRole("button", { name: "ORDERS", exact: true }).click();
  await member.locator("#stream-delete").click();
  await expectMember('Permissions Violation for Publish to "$JS.API.STREAM.DELETE.ORDERS"');
  await member.getByRole("button", { name: "← All streams" }).click();
  await waitFor(async () => /ORDERS/.test((await member.textContent("#streams").catch(() => "")) || ""), "ORDERS is still there");

  // the admin still finds LEDGER in BANK, untouched
  await nav("JetStream");
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "BANK" });
  await waitFor(async () => /LEDGER/.test((await page.textContent("#streams").catch(() => "")) || ""), "LEDGER in BANK");
  assert.deepEqual(memberErrors, []);
  assert.deepEqual(memberRequests.filter((r) => SEED.test(r)), [], "a seed left dana's browser");
  assert.deepEqual(h.noSeedsSent(), []);
});
