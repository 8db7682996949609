# wrk scripts, nginx's configuration and the median the benchmarks share (sourced, not run).

# post_lua POSTS: POST /jwt/v1/accounts/<key> of each "KEY JWT" line of POSTS, every request a
# different account (a POST of identical bytes is a no-op and would flatter the rate); each wrk
# thread takes every other line.
post_lua() {
  cat <<LUA
local posts = {}
for line in io.lines("$1") do
  local key, jwt = line:match("^(%S+) (%S+)\$")
  posts[#posts + 1] = { key, jwt }
end
local threads = 0
setup = function(thread) thread:set("offset", threads); threads = threads + 1 end
local counter = 0
request = function()
  local p = posts[((counter * 2 + offset) % #posts) + 1]
  counter = counter + 1
  return wrk.format("POST", "/jwt/v1/accounts/" .. p[1], { ["Content-Type"] = "application/jwt" }, p[2])
end
LUA
}

# median: the median of the numbers on standard input, one per line.
median() {
  sort -n | awk '{r[NR] = $1} END {if (NR) print (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2}'
}

# nginx_conf WORK "PORT ROOT LAYOUT"...: nginx (one worker, as the console has one core) serving
# ROOT/jwt's account files on each PORT; LAYOUT is flat (<key>.jwt) or sharded (<last two>/<key>.jwt).
nginx_conf() {
  local work=$1 port root layout
  shift
  cat <<CONF
daemon off;
user root;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  sendfile on;
CONF
  for server in "$@"; do
    read -r port root layout <<<"$server"
    case "$layout" in
      sharded) printf '  server { listen 127.0.0.1:%s; location ~ "^/jwt/v1/accounts/(A[A-Z2-7]{53}([A-Z2-7]{2}))$" { root %s; default_type application/jwt; try_files /jwt/$2/$1.jwt =404; } }\n' "$port" "$root" ;;
      *) printf '  server { listen 127.0.0.1:%s; location ~ "^/jwt/v1/accounts/(A[A-Z2-7]{55})$" { root %s; default_type application/jwt; try_files /jwt/$1.jwt =404; } }\n' "$port" "$root" ;;
    esac
  done
  echo "}"
}
