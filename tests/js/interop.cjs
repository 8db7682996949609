// Checks what nats-auth (Rust) produced with the official JavaScript libraries, and answers
// with JavaScript-made data for Rust to check. Input: a JSON file path (argv[2]).
// Output: JSON on stdout; any failure exits 1 with the reasons on stderr.
"use strict";
const fs = require("node:fs");
const assert = require("node:assert/strict");
const jwt = require("@nats-io/jwt");
const nkeys = require("@nats-io/nkeys");

const input = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const failures = [];
const check = (name, fn) => {
  try {
    fn();
  } catch (e) {
    failures.push(`${name}: ${e.message}`);
  }
};
const te = new TextEncoder();
const td = new TextDecoder();

(async () => {
  // every JWT verifies with the JS library and decodes to the claims Rust meant
  for (const { name, token, claims } of input.jwts) {
    check(`jwt ${name}`, () => assert.deepEqual(jwt.decode(token), claims));
  }
  // a tampered copy is refused
  check("tampered", () => {
    const [h, p, s] = input.jwts[0].token.split(".");
    const flipped = p.slice(0, -2) + (p.at(-2) === "A" ? "B" : "A") + p.at(-1);
    assert.throws(() => jwt.decode(`${h}.${flipped}.${s}`));
  });
  // creds: the JS parser reads the Rust-written file
  for (const { name, text, seed, token } of input.creds) {
    try {
      const parsed = await jwt.parseCreds(te.encode(text));
      check(`creds ${name}`, () => {
        assert.equal(parsed.jwt, token);
        assert.equal(td.decode(nkeys.fromSeed(te.encode(seed)).getSeed()), seed);
        assert.equal(parsed.uc.sub, nkeys.fromSeed(te.encode(seed)).getPublicKey());
      });
    } catch (e) {
      failures.push(`creds ${name}: ${e.message}`);
    }
  }
  // keys: the JS library derives the same public keys from Rust's seeds
  for (const { seed, public_key } of input.keys) {
    check(`key ${public_key}`, () => {
      const kp = seed.startsWith("SX") ? nkeys.fromCurveSeed(te.encode(seed)) : nkeys.fromSeed(te.encode(seed));
      assert.equal(kp.getPublicKey(), public_key);
    });
  }
  // xkeys: open what Rust sealed, then seal an answer for Rust to open
  const x = input.xkey;
  const recipient = nkeys.fromCurveSeed(te.encode(x.recipient_seed));
  let answer = null;
  check("xkey open", () => {
    const opened = recipient.open(Buffer.from(x.sealed_base64url, "base64url"), x.sender_public);
    assert.ok(opened, "could not open");
    assert.equal(td.decode(opened), x.message);
    answer = Buffer.from(recipient.seal(te.encode(x.reply), x.sender_public)).toString("base64url");
  });

  if (failures.length) {
    console.error(failures.join("\n"));
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ reply_sealed_base64url: answer, recipient_public: recipient.getPublicKey() }));
})();
