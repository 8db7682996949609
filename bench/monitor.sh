#!/usr/bin/env bash
# Monitoring under load (bench/monitor.cjs): a three-server cluster with 10 000 connections,
# connz through the console, the connections page's render, a minute of polling.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools
[ -d dist/ops ] || scripts/build-web
cargo build -q --release --locked -p nats-console --bin nats-console --example hold_connections
cargo build -q --locked -p nats-console --example test_deployment
ulimit -n "$(ulimit -Hn)"
node bench/monitor.cjs
