// JetStream data from the console's pages against real nats-server 2.15: a key-value bucket
// (put, get, create refused over a value, history, revert, delete, a live watch), an object of
// 20 MB uploaded and downloaded byte-identical, a 50 MB stream backed up to two files and
// restored into a fresh server with every message identical, the advisories feed; and in a
// three-server cluster an R3 stream's replicas with the leader.
// Needs: target/debug/nats-console and dist/ (scripts/test builds both).
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { connect, credsAuthenticator } = require("nats");

const { freePort, waitFor } = require("./support.cjs");
const { createUsers } = require("./support-admin.cjs");
const { shop, serverConfig, startServer, actForShop } = require("./support-jetstream.cjs");

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

test("key-value, objects, a 50 MB backup restored into a fresh server, advisories", { timeout: 300000 }, async (t) => {
  const { work, stops, h } = await shop(t, "jsdata");
  const { page, expectNotice, saveDownload } = h;
  const creds = await createUsers(h, [["SHOP", "loader"]]);
  const node = await serverConfig(h, work, "js1");
  await startServer(node, stops);
  await actForShop(h, node.client);

  // key-value
  await page.getByRole("tab", { name: "Key-value" }).click();
  await page.locator("#kv-new summary").click();
  await page.getByLabel("Bucket name").fill("c.fg");
  await page.locator("#kv-create").click();
  await waitFor(async () => /letters, digits/.test((await page.textContent("#kv-name-error").catch(() => "")) || ""), "a bad bucket name refused");
  await page.getByLabel("Bucket name").fill("cfg");
  await page.getByLabel(/^History/).fill("5");
  await page.locator("#kv-create").click();
  await expectNotice("bucket cfg created");
  await page.locator('tr.bucket[data-name="cfg"]').getByRole("button", { name: "cfg" }).click();
  const put = async (key, value, button = "#kv-put", says = `put ${key}: revision`) => {
    await page.getByLabel("Key", { exact: true }).fill(key);
    await page.getByLabel("Value", { exact: true }).fill(value);
    await page.locator(button).click();
    await expectNotice(says);
  };
  await page.getByLabel("Key", { exact: true }).fill("db..url");
  await page.locator("#kv-put").click();
  await waitFor(async () => /\.\./.test((await page.textContent("#kv-key-error").catch(() => "")) || ""), "a bad key refused");
  await put("db.url", "postgres://a");
  await put("db.url", "postgres://b");
  await page.locator("#kv-watch").click();
  await waitFor(async () => (await page.textContent("#kv-watch-state")) === "live", "the watch");
  await waitFor(async () => /postgres:\/\/b/.test(await page.textContent("#kv-watched")), "the watch shows the current value");
  await put("db.url", "postgres://c");
  await waitFor(async () => /PUT db\.url = postgres:\/\/c \(revision 3\)/.test(await page.textContent("#kv-watched")), "the watch shows the change");
  // create over an existing value is refused by nats-server (wrong last sequence)
  await page.getByLabel("Key", { exact: true }).fill("db.url");
  await page.locator("#kv-create-key").click();
  await waitFor(async () => /10071|wrong last sequence/.test((await page.textContent("#kv-key-error").catch(() => "")) || ""), "create refused");
  await waitFor(async () => (await page.locator("#kv-history tbody tr").count()) === 3, "three revisions in the history");
  await page.locator("#kv-history tbody tr", { hasText: "postgres://a" }).getByRole("button", { name: "Revert to this" }).click();
  await expectNotice("put db.url: revision 4");
  await waitFor(async () => /postgres:\/\/a/.test(await page.textContent('tr.kv-key[data-key="db.url"]')), "reverted");
  await page.locator("#kv-delete").click();
  await expectNotice("delete db.url: revision 5");
  await waitFor(async () => /DEL/.test(await page.textContent('tr.kv-key[data-key="db.url"]')), "deleted");

  // an object of 20 MB, byte-identical both ways
  await page.getByRole("tab", { name: "Objects" }).click();
  await page.getByLabel("New bucket").fill("files");
  await page.locator("#obj-create").click();
  await expectNotice("object bucket files created");
  await page.locator('tr.obj-bucket[data-name="files"]').getByRole("button", { name: "files" }).click();
  const original = path.join(work, "big.bin");
  fs.writeFileSync(original, crypto.randomBytes(20 * 1024 * 1024));
  const started = Date.now();
  await page.setInputFiles("#obj-upload", original);
  await waitFor(async () => (await page.locator("#obj-progress").count()) === 1, "the upload's progress shown");
  await expectNotice("big.bin uploaded (160 chunks)", 120000);
  const uploadMs = Date.now() - started;
  const downloaded = await saveDownload(() => page.locator('tr.object[data-name="big.bin"]').getByRole("link", { name: "Download" }).click(), "big.downloaded");
  assert.equal(sha256(fs.readFileSync(downloaded)), sha256(fs.readFileSync(original)), "the download differs");
  const digest = await page.textContent('tr.object[data-name="big.bin"] code');
  assert.equal(digest, `SHA-256=${crypto.createHash("sha256").update(fs.readFileSync(original)).digest("base64url")}=`);
  console.log(`# 20 MB object: uploaded in ${uploadMs} ms`);

  // a 50 MB stream, published by a client of SHOP
  const nc = await connect({ servers: `127.0.0.1:${node.client}`, authenticator: credsAuthenticator(fs.readFileSync(creds.loader)), reconnect: false });
  const jsm = await nc.jetstreamManager();
  await jsm.streams.add({ name: "BIG", subjects: ["big.>"], storage: "file" });
  const js = nc.jetstream();
  const sent = [];
  for (let batch = 0; batch < 16; batch++) {
    const acks = [];
    for (let i = 0; i < 50; i++) {
      const data = crypto.randomBytes(64 * 1024);
      sent.push(sha256(data));
      acks.push(js.publish(`big.${(batch * 50 + i) % 7}`, data));
    }
    await Promise.all(acks);
  }
  // advisories: a stream created while the page listens
  await page.getByRole("tab", { name: "Advisories" }).click();
  await waitFor(async () => (await page.textContent("#advisories-state")) === "live", "the advisories feed");
  await jsm.streams.add({ name: "ADVISED", subjects: ["advised.>"], storage: "memory" });
  await waitFor(async () => /STREAM\.CREATED\.ADVISED/.test(await page.textContent("#advisories")), "the advisory shown");
  const messages = async () => {
    const seen = [];
    for (let seq = 1; seq <= sent.length; seq++) {
      const m = await jsm.streams.getMessage("BIG", { seq });
      seen.push(sha256(m.data));
    }
    return seen;
  };
  assert.deepEqual(await messages(), sent);
  await nc.close();

  // back up BIG: two files
  await page.getByRole("tab", { name: "Streams" }).click();
  await page.getByRole("button", { name: "BIG", exact: true }).click();
  const downloads = [];
  page.on("download", (d) => downloads.push(d));
  const backupStarted = Date.now();
  await page.locator("#stream-backup").click();
  await waitFor(async () => downloads.length === 2, "two downloads", 60000);
  const files = {};
  for (const d of downloads) {
    const file = path.join(work, d.suggestedFilename());
    await d.saveAs(file);
    files[d.suggestedFilename()] = file;
  }
  const backupMs = Date.now() - backupStarted;
  const snapshotSize = fs.statSync(files["BIG.snapshot"]).size;
  assert.ok(snapshotSize > 45 * 1024 * 1024, `${snapshotSize} bytes of snapshot`);
  assert.equal(JSON.parse(fs.readFileSync(files["BIG.backup.json"], "utf8")).config.name, "BIG");
  console.log(`# 50 MB stream: backed up (${snapshotSize} bytes) in ${backupMs} ms`);

  // a fresh server: the same configuration, an empty JetStream store
  node.process.kill("SIGTERM");
  await waitFor(async () => node.process.exitCode !== null || node.process.signalCode !== null, "nats-server stopped");
  fs.rmSync(path.join(node.dir, "jetstream"), { recursive: true, force: true });
  await startServer(node, stops);
  await page.getByRole("button", { name: "← All streams" }).click().catch(() => {});
  await waitFor(async () => {
    await page.getByRole("tab", { name: "Usage and limits" }).click();
    await page.getByRole("tab", { name: "Streams" }).click();
    return (await page.locator("#streams").count()) === 1 && (await page.locator("#streams tbody tr").count()) === 0;
  }, "the fresh server, empty", 30000);
  // a file that is not a backup is refused at its field; nothing is created
  const notBackup = path.join(work, "not-backup.json");
  fs.writeFileSync(notBackup, '{"hello": "world"}');
  await page.locator("#restore summary").click();
  await page.setInputFiles("#restore-backup", notBackup);
  await page.setInputFiles("#restore-data", files["BIG.snapshot"]);
  await page.locator("#restore-go").click();
  await waitFor(async () => /not a stream backup/.test((await page.textContent("#restore-backup-error").catch(() => "")) || ""), "a non-backup refused");
  // the backup JSON with data that is not a snapshot: nats-server refuses it
  const notSnapshot = path.join(work, "not.snapshot");
  fs.writeFileSync(notSnapshot, crypto.randomBytes(300 * 1024));
  await page.setInputFiles("#restore-backup", files["BIG.backup.json"]);
  await page.setInputFiles("#restore-data", notSnapshot);
  await page.locator("#restore-go").click();
  await waitFor(async () => ((await page.textContent("#restore-data-error").catch(() => "")) || "").length > 0, "a non-snapshot refused", 30000);
  await page.setInputFiles("#restore-data", files["BIG.snapshot"]);
  const restoreStarted = Date.now();
  await page.locator("#restore-go").click();
  await expectNotice("stream BIG restored", 120000);
  console.log(`# 50 MB stream: restored in ${Date.now() - restoreStarted} ms`);
  const again = await connect({ servers: `127.0.0.1:${node.client}`, authenticator: credsAuthenticator(fs.readFileSync(creds.loader)), reconnect: false });
  const jsm2 = await again.jetstreamManager();
  const restored = [];
  for (let seq = 1; seq <= sent.length; seq++) restored.push(sha256((await jsm2.streams.getMessage("BIG", { seq })).data));
  assert.deepEqual(restored, sent, "the restored messages differ");
  await again.close();
  assert.deepEqual(h.noSeedsSent(), []);
});

test("an R3 stream in a three-server cluster: replicas and the leader", { timeout: 240000 }, async (t) => {
  const { work, stops, h } = await shop(t, "jsr3");
  const { page, expectNotice } = h;
  const routes = [await freePort(), await freePort(), await freePort()];
  const nodes = [];
  for (let i = 0; i < 3; i++) {
    nodes.push(await serverConfig(h, work, `js-${i + 1}`, {
      name: "shop", listen: `127.0.0.1:${routes[i]}`,
      routes: routes.filter((_, j) => j !== i).map((p) => `127.0.0.1:${p}`),
    }));
  }
  await Promise.all(nodes.map((n) => startServer(n, stops)));
  await waitFor(async () => {
    const health = await Promise.all(nodes.map((n) => fetch(`http://127.0.0.1:${n.monitor}/healthz?js-enabled-only=true`).then((r) => r.ok)));
    return health.every(Boolean);
  }, "the cluster healthy", 60000);
  await actForShop(h, nodes[0].client);
  await page.locator("#stream-new").click();
  await page.locator("#stream-name").fill("ORDERS");
  await page.getByLabel(/^Subjects/).fill("ORDERS.*");
  await page.getByLabel("Replicas").fill("3");
  await page.locator("#stream-save").click();
  await expectNotice("stream ORDERS created", 30000);
  await waitFor(async () => /R3, leader js-\d/.test(await page.textContent("#stream-replicas-info")), "R3 with its leader");
  await waitFor(async () => {
    await page.getByRole("tab", { name: "Messages" }).click();
    await page.getByRole("tab", { name: "Info" }).click();
    return (await page.locator("#stream-peers tbody tr").count()) === 2;
  }, "the two other replicas listed", 30000);
  const leader = (await page.textContent("#stream-replicas-info")).match(/leader (js-\d)/)[1];
  const peers = await page.locator("#stream-peers tbody tr td:first-child").allTextContents();
  assert.deepEqual([...peers, leader].sort(), ["js-1", "js-2", "js-3"]);
  await page.getByRole("button", { name: "← All streams" }).click();
  await waitFor(async () => /R3, leader js-\d/.test(await page.textContent("#streams")), "the list shows replicas and leader");
});
