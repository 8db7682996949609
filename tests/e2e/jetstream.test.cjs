// JetStream from the console's pages against a real nats-server 2.15 with JetStream, every
// request made as a user of the account (the admin's vault signs an account link): the seed's
// walkthrough — ORDERS with NEW (pull, max deliver 20, sample 100), DISPATCH and MONITOR (push),
// publish, the lag moving, fetch and ack, copy to ARCHIVE, an edit shown as a diff, purge with
// the count, one message removed, delete — a work-queue stream browsed without being consumed,
// an export as JSON Lines; bad input refused at its field; the system account's refusal shown
// with the server's code. Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { freePort, waitFor, natsServerBinary, launchChromium } = require("./support.cjs");
const { startConsole, adminPage, createAdmin } = require("./support-admin.cjs");

test("the seed's JetStream walkthrough from the console's pages", { timeout: 240000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nats-console-jetstream-"));
  const stops = [];
  t.after(() => stops.reverse().forEach((stop) => { try { stop(); } catch (_) { /* gone */ } }));
  const { base, log: consoleLog } = await startConsole(work, stops);
  const browser = await launchChromium();
  stops.push(() => browser.close());
  const h = await adminPage(browser, work);
  const { page, expectNotice, nav, saveDownload } = h;
  await createAdmin(h, base, consoleLog);

  // an account with JetStream
  await nav("Accounts");
  await page.getByLabel("Account name").fill("SHOP");
  await page.getByLabel("JetStream enabled").check();
  await page.getByRole("button", { name: "Create and push" }).click();
  await expectNotice("account SHOP pushed");

  // nats-server with JetStream on the generated configuration; the console linked to it
  await nav("Operator");
  const [natsPort, monitorPort] = [await freePort(), await freePort()];
  await page.getByLabel("Client address (listen)").fill(`127.0.0.1:${natsPort}`);
  await page.getByLabel("Monitoring address").fill(`127.0.0.1:${monitorPort}`);
  await page.getByLabel(/Server name/).fill("js1");
  const conf = await saveDownload(() => page.getByRole("button", { name: "Download nats-server.conf" }).click(), "nats-server.conf");
  assert.match(fs.readFileSync(conf, "utf8"), /jetstream \{/, "SHOP uses JetStream: the configuration enables it");
  const server = spawn(natsServerBinary(), ["-c", conf], { cwd: work, stdio: ["ignore", "ignore", fs.openSync(path.join(work, "nats.log"), "w")] });
  stops.push(() => server.kill("SIGKILL"));
  await waitFor(async () => (await fetch(`http://127.0.0.1:${monitorPort}/varz`)).ok, "nats-server");
  await page.getByLabel("NATS URL").fill(`nats://127.0.0.1:${natsPort}`);
  await page.getByRole("button", { name: "Connect console to NATS" }).click();
  await waitFor(async () => (await page.textContent("#link-state")) === "NATS: connected", "the console's link", 20000);
  // the admin's session is a user of SYS, which has no JetStream: the server says so, with its code
  await nav("JetStream");
  // the session began before the link: it connects now
  await waitFor(async () => /\(connected\)/.test((await page.textContent("#js-acting")) || ""), "acting as the session", 20000);
  await page.getByRole("tab", { name: "Usage and limits" }).click();
  await waitFor(async () => /10039/.test((await page.textContent("#js-info-error").catch(() => "")) || ""), "SYS has no JetStream (10039)");

  // SHOP: the vault signs a user of it for an hour
  await page.getByLabel("Account", { exact: true }).selectOption({ label: "SHOP" });
  await page.locator("#js-link").click();
  await waitFor(async () => /signed by your vault.*connected/.test((await page.textContent("#js-acting")) || ""), "acting as a user of SHOP", 20000);
  await page.getByRole("tab", { name: "Usage and limits" }).click();
  await waitFor(async () => /API level \d/.test((await page.textContent("#js-api-level").catch(() => "")) || ""), "the API level");
  assert.match(await page.textContent("#js-usage"), /unlimited/);
  await page.getByRole("tab", { name: "Streams" }).click();

  // bad input is refused at its field, before any request
  await page.locator("#stream-new").click();
  const refusedAt = async (field, pattern) => {
    await page.locator("#stream-save").click();
    await waitFor(async () => pattern.test((await page.textContent(`#${field}-error`).catch(() => "")) || ""), `${field} refused`);
  };
  await page.locator("#stream-name").fill("OR DERS");
  await page.getByLabel(/^Subjects/).fill("ORDERS.*");
  await refusedAt("stream-name", /space/);
  await page.locator("#stream-name").fill("ORDERS");
  await page.getByLabel(/^Subjects/).fill("ORDERS.>.x");
  await refusedAt("stream-subjects", /last token/);
  await page.getByLabel(/^Subjects/).fill("ORDERS.*");
  await page.getByLabel(/^Max age/).fill("-5s");
  await refusedAt("stream-max-age", /not a duration/);
  await page.getByLabel(/^Max age/).fill("1y");
  await refusedAt("stream-max-age", /unit/);
  await page.getByLabel(/^Max age/).fill("365d");
  await page.getByLabel(/^Max messages$/).fill("-7");
  await refusedAt("stream-max-msgs", /whole number/);
  await page.getByLabel(/^Max messages$/).fill("");
  await page.getByLabel(/^Subject transform: from/).fill("ORDERS.*");
  await refusedAt("stream-transform-destination", /maps to/);
  await page.getByLabel(/^Subject transform: from/).fill("");
  // a 2.15 server takes the newer switches: not greyed out
  assert.equal(await page.locator("#stream-allow-msg-ttl").isDisabled(), false);
  // JSON mode: malformed JSON is refused at the JSON
  await page.locator("#stream-json-toggle").click();
  const json = JSON.parse(await page.inputValue("#stream-json"));
  assert.deepEqual([json.name, json.subjects, json.max_age], ["ORDERS", ["ORDERS.*"], 365 * 86400 * 1e9]);
  assert.equal(json.subject_transform, undefined);
  assert.equal(json.placement, undefined);
  await page.fill("#stream-json", '{"name": "ORDERS",');
  await refusedAt("stream-json", /not JSON/);
  await page.fill("#stream-json", JSON.stringify(json));
  await page.locator("#stream-save").click();
  await expectNotice("stream ORDERS created");
  await waitFor(async () => /Stream ORDERS/.test(await page.textContent("#stream-title")), "the stream's page");

  // consumers: NEW (pull), DISPATCH and MONITOR (push)
  await page.getByRole("tab", { name: "Consumers" }).click();
  const addConsumer = async (name, fill) => {
    await page.locator("#consumer-new").click();
    await page.locator("#con-name").fill(name);
    await fill();
    await page.locator("#con-save").click();
    await expectNotice(`consumer ${name} created`);
  };
  await page.locator("#consumer-new").click();
  await page.locator("#con-name").fill("N.EW");
  await page.locator("#con-save").click();
  await waitFor(async () => /may not contain/.test((await page.textContent("#notice")) || ""), "a bad consumer name refused");
  await page.getByRole("button", { name: "Cancel" }).click();
  await addConsumer("NEW", async () => {
    await page.getByLabel(/^Filter subjects/).fill("ORDERS.received");
    await page.getByLabel("Max deliveries").fill("20");
    await page.getByLabel(/^Sample frequency/).fill("100");
  });
  await addConsumer("DISPATCH", async () => {
    await page.getByLabel("Kind").selectOption("push");
    await page.getByLabel("Deliver to subject").fill("dispatch.orders");
    await page.getByLabel(/^Filter subjects/).fill("ORDERS.processed");
  });
  await addConsumer("MONITOR", async () => {
    await page.getByLabel("Kind").selectOption("push");
    await page.getByLabel("Deliver to subject").fill("monitor.orders");
    await page.getByLabel("Acknowledgements").selectOption("none");
  });
  const consumerRow = (name) => page.locator(`tr.consumer[data-name="${name}"]`);
  await waitFor(async () => (await consumerRow("MONITOR").count()) === 1, "three consumers listed");

  // publish: the lag of NEW moves
  await page.getByRole("tab", { name: "Messages" }).click();
  await page.locator("#publish summary").click();
  const publish = async (subject, data, headers = "") => {
    await page.getByLabel("Subject", { exact: true }).fill(subject);
    await page.getByLabel(/^Headers/).fill(headers);
    await page.getByLabel("Payload", { exact: true }).fill(data);
    await page.locator("#pub-send").click();
    await expectNotice(`published to ${subject}: stream ORDERS`);
  };
  await page.getByLabel("Subject", { exact: true }).fill("ORDERS.*");
  await page.locator("#pub-send").click();
  await waitFor(async () => /wildcard/.test((await page.textContent("#pub-subject-error").catch(() => "")) || ""), "a wildcard publish refused");
  await publish("ORDERS.received", '{"order": 1}', "Order-Id: 1");
  await publish("ORDERS.received", '{"order": 2}');
  await publish("ORDERS.processed", '{"order": 1, "done": true}');
  await waitFor(async () => (await page.locator("tr.message").count()) === 3, "three messages browsed");
  await page.locator('tr.message[data-seq="1"]').getByRole("button", { name: "Show" }).click();
  assert.match(await page.textContent(".message-detail .headers"), /Order-Id: 1/);
  await page.getByRole("button", { name: "json" }).click();
  assert.match(await page.textContent(".message-detail .payload"), /"order": 1/);
  await page.getByRole("button", { name: "hex" }).click();
  assert.match(await page.textContent(".message-detail .payload"), /^00000000  7b 22 6f 72/);

  await page.getByRole("tab", { name: "Consumers" }).click();
  await waitFor(async () => (await consumerRow("NEW").locator(".pending").textContent()) === "2", "NEW lags by 2");
  // fetch one from NEW and ack it
  await consumerRow("NEW").getByRole("button", { name: "Fetch" }).click();
  await page.fill("#fetch-batch", "1");
  await page.locator("#fetch-go").click();
  await waitFor(async () => (await page.locator("tr.fetched").count()) === 1, "one message fetched");
  assert.match(await page.textContent("tr.fetched"), /ORDERS\.received/);
  await waitFor(async () => /^1 \//.test(await consumerRow("NEW").locator("td").nth(4).textContent()), "one in flight");
  await page.locator("tr.fetched").getByRole("button", { name: "Ack" }).click();
  await waitFor(async () => (await page.locator("tr.fetched").count()) === 0, "acknowledged");
  await waitFor(async () => (await consumerRow("NEW").locator(".pending").textContent()) === "1" &&
    /^0 \//.test(await consumerRow("NEW").locator("td").nth(4).textContent()), "NEW lags by 1, none in flight");

  // copy ORDERS to ARCHIVE (configuration only), then delete the copy
  await page.getByRole("tab", { name: "Info" }).click();
  await page.locator("#stream-copy").click();
  await page.locator("#stream-name").fill("ARCHIVE");
  await page.getByLabel(/^Subjects/).fill("ARCHIVE.*");
  await page.locator("#stream-save").click();
  await expectNotice("stream ARCHIVE created");
  await waitFor(async () => /Stream ARCHIVE/.test(await page.textContent("#stream-title")), "the copy's page");
  await page.locator("#stream-delete").click();
  await expectNotice("stream ARCHIVE deleted");
  assert.ok(h.dialogs.some((d) => /Delete stream ARCHIVE/.test(d)));

  // edit ORDERS's subjects: the diff first; storage is locked
  await page.getByRole("button", { name: "ORDERS", exact: true }).click();
  await page.locator("#stream-edit").click();
  assert.equal(await page.locator("#stream-name").isDisabled(), true);
  await page.getByLabel(/^Subjects/).fill("ORDERS.*, SHIPPED.*");
  await page.locator("#stream-save").click();
  await waitFor(async () => /subjects/.test((await page.textContent("#stream-diff").catch(() => "")) || ""), "the diff");
  assert.match(await page.textContent("#stream-diff"), /ORDERS\.\*.*SHIPPED\.\*/);
  await page.locator("#stream-apply").click();
  await expectNotice("stream ORDERS updated");

  // purge one subject: the count first
  await page.locator("#purge summary").click();
  await page.getByLabel(/^Only on subject/).fill("ORDERS.processed");
  await page.locator("#purge-count").click();
  await waitFor(async () => /removes 1 messages/.test((await page.textContent("#purge-count-text").catch(() => "")) || ""), "the count");
  await page.locator("#purge-confirm").click();
  await expectNotice("purged 1 messages from ORDERS");

  // remove one message
  await page.getByRole("tab", { name: "Messages" }).click();
  await waitFor(async () => (await page.locator("tr.message").count()) === 2, "two messages left");
  await page.locator('tr.message[data-seq="1"]').getByRole("button", { name: "Remove" }).click();
  await expectNotice("message 1 removed");
  await waitFor(async () => (await page.locator("tr.message").count()) === 1, "one message left");
  const exported = await saveDownload(() => page.locator("#msg-export").click(), "orders.jsonl");
  const lines = fs.readFileSync(exported, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => l.seq), [2]);
  assert.equal(Buffer.from(lines[0].data, "base64").toString(), '{"order": 2}');

  // a work-queue stream is browsed without being consumed
  await page.getByRole("button", { name: "← All streams" }).click();
  await page.locator("#stream-new").click();
  await page.locator("#stream-name").fill("JOBS");
  await page.getByLabel(/^Subjects/).fill("JOBS.>");
  await page.getByLabel("Retention").selectOption("workqueue");
  await page.getByLabel("Storage").selectOption("memory");
  await page.locator("#stream-save").click();
  await expectNotice("stream JOBS created");
  await page.getByRole("tab", { name: "Messages" }).click();
  await page.locator("#publish summary").click();
  for (const i of [1, 2]) {
    await page.getByLabel("Subject", { exact: true }).fill(`JOBS.${i}`);
    await page.getByLabel("Payload", { exact: true }).fill(`job ${i}`);
    await page.locator("#pub-send").click();
    await expectNotice(`published to JOBS.${i}: stream JOBS`);
  }
  await waitFor(async () => (await page.locator("tr.message").count()) === 2, "two jobs browsed");
  await page.getByRole("tab", { name: "Info" }).click();
  await waitFor(async () => /Messages\s*2/.test(await page.textContent("#stream-state")), "the jobs are still there");

  // the list: both streams, with their counts
  await page.getByRole("button", { name: "← All streams" }).click();
  await waitFor(async () => (await page.locator("#streams tbody tr").count()) === 2, "two streams listed");
  assert.deepEqual(h.noSeedsSent(), []);
});
