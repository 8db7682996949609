#!/usr/bin/env bash
# nats-auth in headless Chromium (wasm32, release) next to the native numbers of bench/run.
# Prints operations per second for user JWT encode, decode+verify and minting creds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cargo build --release --locked --target wasm32-unknown-unknown -p nats-auth-bench-wasm
out=target/bench-wasm
rm -rf "$out" && mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/nats_auth_bench_wasm.wasm
# the official JavaScript libraries, bundled for the same page
esbuild bench/wasm/js-mint.js --bundle --format=iife --minify --outfile="$out/js-mint.js" --log-level=warning
node bench/wasm/run.cjs "$out"
