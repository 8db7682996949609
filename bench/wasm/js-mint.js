// The same work as nats-auth's mint_user_creds, with the official JavaScript libraries:
// a new user key, a user JWT signed by an account, its creds file. Bundled for the page by esbuild.
const jwt = require("@nats-io/jwt");
const nkeys = require("@nats-io/nkeys");

globalThis.mintWithJs = async function (n) {
  const account = nkeys.createAccount();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const user = nkeys.createUser();
    const token = await jwt.encodeUser("alice", user, account, {
      pub: { allow: ["app.>", "_INBOX.>"] },
      sub: { allow: ["app.>", "_INBOX.>"], deny: ["app.secret.>"] },
    }, { exp: 4102444800 });
    total += jwt.fmtCreds(token, user).length;
  }
  return total;
};
