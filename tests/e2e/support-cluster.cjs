// A three-server nats-server 2.15 cluster (routes, JetStream, monitor ports, operator mode
// resolving through a console's URL resolver) for the browser tests, and Debian's 2.9.10 as a
// plain server (JSONP, no CORS). Every process is stopped by pid when the test ends.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawn, execFileSync } = require("node:child_process");
const { root, freePort, waitFor, natsServerBinary } = require("./support.cjs");

const DEBIAN_NATS_SERVER = process.env.NATS_SERVER_DEBIAN_BIN || "/usr/sbin/nats-server";

/// An operator, SYS, the named accounts and users' creds (test fixtures) from the
/// test_deployment example.
function deployment(accounts, users) {
  const out = execFileSync(path.join(root, "target/debug/examples/test_deployment"), [...accounts, "--", ...users]);
  return JSON.parse(out.toString());
}

async function monitorUp(port, basePath = "") {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}${basePath}/varz`)).ok, `the monitor port ${port}`, 20000);
}

class Cluster {
  /// Plans three servers `<prefix>-1..3` resolving accounts at `resolverUrl`.
  static async plan(work, prefix, d, resolverUrl) {
    const sys = d.accounts.find((a) => a.name === "SYS");
    const routes = [await freePort(), await freePort(), await freePort()];
    const nodes = [];
    for (let i = 0; i < 3; i++) {
      const name = `${prefix}-${i + 1}`;
      const client = await freePort();
      const monitor = await freePort();
      const dir = path.join(work, name);
      fs.mkdirSync(dir, { recursive: true });
      const others = routes.filter((_, j) => j !== i).map((p) => `nats-route://127.0.0.1:${p}`).join(", ");
      const config = [
        `server_name: ${name}`, `listen: 127.0.0.1:${client}`, `http: 127.0.0.1:${monitor}`,
        `cluster { name: ${prefix}, listen: 127.0.0.1:${routes[i]}, routes: [${others}] }`,
        `jetstream { store_dir: ${JSON.stringify(path.join(dir, "js"))} }`,
        `operator: ${d.operator_jwt}`, `system_account: ${sys.public}`, `resolver: URL(${resolverUrl})`, "",
      ].join("\n");
      fs.writeFileSync(path.join(dir, "nats-server.conf"), config);
      nodes.push({ name, client, monitor, dir, process: null });
    }
    return new Cluster(nodes);
  }

  constructor(nodes) { this.nodes = nodes; }

  async start(i) {
    const node = this.nodes[i];
    node.process = spawn(natsServerBinary(), ["-c", path.join(node.dir, "nats-server.conf")],
      { stdio: ["ignore", "ignore", fs.openSync(path.join(node.dir, "nats-server.log"), "a")] });
    await monitorUp(node.monitor);
  }

  /// Starts every node and waits until each says it is healthy (routes up, JetStream current).
  async startAll() {
    await Promise.all(this.nodes.map((_, i) => this.start(i)));
    for (const node of this.nodes) {
      await waitFor(async () => (await fetch(`http://127.0.0.1:${node.monitor}/healthz`)).ok, `${node.name} healthy`, 60000);
    }
  }

  stop(i) {
    const node = this.nodes[i];
    if (node.process) { process.kill(node.process.pid, "SIGKILL"); node.process = null; }
  }

  stopAll() { this.nodes.forEach((_, i) => this.stop(i)); }
}

/// Debian's nats-server 2.9.10, no auth, with a monitor port (JSONP, no CORS) under
/// `http_base_path: /nats`.
async function startDebianServer(work) {
  const monitor = await freePort();
  const dir = path.join(work, "debian");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "nats-server.conf"), `server_name: old-2-9\nlisten: 127.0.0.1:-1\nhttp: 127.0.0.1:${monitor}\nhttp_base_path: /nats\n`);
  const child = spawn(DEBIAN_NATS_SERVER, ["-c", path.join(dir, "nats-server.conf")],
    { stdio: ["ignore", "ignore", fs.openSync(path.join(dir, "nats-server.log"), "w")] });
  await monitorUp(monitor, "/nats");
  return { monitor, url: `http://127.0.0.1:${monitor}/nats`, stop: () => process.kill(child.pid, "SIGKILL") };
}

/// The console (`build`: "debug" or "release") serving dist/, trusting `d`'s operator, its
/// accounts pushed, and a cluster planned to resolve through it (not started). Every process
/// is registered in `stops`.
async function consoleWithCluster(work, d, prefix, stops, build = "debug") {
  const httpPort = await freePort();
  const base = `http://127.0.0.1:${httpPort}`;
  const cluster = await Cluster.plan(work, prefix, d, `${base}/jwt/v1/accounts/`);
  stops.push(() => cluster.stopAll());
  fs.writeFileSync(path.join(work, "operator.jwt"), d.operator_jwt);
  fs.writeFileSync(path.join(work, "sys.creds"), d.users.sys.creds);
  const args = ["-dir", path.join(work, "jwt"), "-hp", `127.0.0.1:${httpPort}`, "-web", path.join(root, "dist"),
    "-operator", path.join(work, "operator.jwt"), "-nats", `nats://127.0.0.1:${cluster.nodes[0].client}`,
    "-creds", path.join(work, "sys.creds")];
  const launch = () => {
    const child = spawn(path.join(root, `target/${build}/nats-console`), args,
      { stdio: ["ignore", "ignore", fs.openSync(path.join(work, "console.log"), "a")] });
    stops.push(() => process.kill(child.pid, "SIGKILL"));
    return child;
  };
  let consoleProcess = launch();
  await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the console");
  for (const a of d.accounts) {
    const r = await fetch(`${base}/jwt/v1/accounts/${a.public}`, { method: "POST", body: a.jwt });
    if (r.status !== 200) throw new Error(`pushing ${a.name}: ${r.status} ${await r.text()}`);
  }
  /// Stops the console (SIGTERM, as a service manager does) and starts it again on its port.
  const restart = async () => {
    const exited = new Promise((r) => consoleProcess.once("exit", r));
    process.kill(consoleProcess.pid, "SIGTERM");
    await exited;
    consoleProcess = launch();
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, "the console again");
  };
  return { base, cluster, get consoleProcess() { return consoleProcess; }, restart };
}

module.exports = { Cluster, consoleWithCluster, deployment, startDebianServer };
