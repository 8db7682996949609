// Serves the wasm-bindgen output on 127.0.0.1 and times nats-auth's exports in headless Chromium.
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const dir = path.resolve(process.argv[2]);
const types = { ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };
const server = http.createServer((req, res) => {
  const file = path.join(dir, req.url === "/" ? "index.html" : path.normalize(req.url));
  if (!file.startsWith(dir) || !fs.existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { "content-type": types[path.extname(file)] || "application/octet-stream" });
  fs.createReadStream(file).pipe(res);
});
fs.writeFileSync(path.join(dir, "index.html"), '<!doctype html><title>nats-auth bench</title><script src="/js-mint.js"></script>');

server.listen(0, "127.0.0.1", async () => {
  const url = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const results = await page.evaluate(async () => {
      const m = await import("/nats_auth_bench_wasm.js");
      await m.default();
      const time = (name, fn, n) => {
        fn(Math.max(1, n / 10)); // warm up
        const t0 = performance.now();
        fn(n);
        const ms = performance.now() - t0;
        return { name, n, ms: Math.round(ms), per_second: Math.round((n * 1000) / ms) };
      };
      const results = [
        time("user JWT encode", m.encode_user_jwts, 20000),
        time("JWT decode+verify", m.decode_user_jwts, 10000),
        time("mint user (key + JWT + creds)", m.mint_user_creds, 5000),
      ];
      // the same minting with @nats-io/jwt + @nats-io/nkeys (async: they hash with WebCrypto)
      await globalThis.mintWithJs(20);
      const n = 500;
      const t0 = performance.now();
      await globalThis.mintWithJs(n);
      const ms = performance.now() - t0;
      results.push({ name: "mint user, @nats-io/jwt (JS)", n, ms: Math.round(ms), per_second: Math.round((n * 1000) / ms) });
      return results;
    });
    for (const r of results) {
      console.log(`chromium  ${r.name.padEnd(32)} ${String(r.per_second).padStart(8)}/s  (${r.n} in ${r.ms} ms)`);
    }
    const wasm = results.find((r) => r.name.startsWith("mint user (key"));
    const js = results.find((r) => r.name.includes("(JS)"));
    console.log(`minting: nats-auth (wasm) is ${(wasm.per_second / js.per_second).toFixed(1)}x @nats-io/jwt`);
  } finally {
    await browser.close();
    server.close();
  }
});
