#!/usr/bin/env bash
# nats-auth in headless Chromium (wasm32, release) next to the native numbers of bench/run.
# Prints operations per second for user JWT encode, decode+verify and minting creds.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# twice: nats-auth with its default features (as the server and the CLI), and as the web app
# builds it (without curve25519's precomputed signing table)
for variant in default web-app; do
  flags=(); [ "$variant" = web-app ] && flags=(--no-default-features)
  cargo build --release --locked --target wasm32-unknown-unknown -p nats-auth-bench-wasm "${flags[@]}"
  out=target/bench-wasm/$variant
  rm -rf "$out" && mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out" target/wasm32-unknown-unknown/release/nats_auth_bench_wasm.wasm
  # the official JavaScript libraries, bundled for the same page
  esbuild bench/wasm/js-mint.js --bundle --format=iife --minify --outfile="$out/js-mint.js" --log-level=warning
  echo "== nats-auth features: $variant"
  node bench/wasm/run.cjs "$out"
done
