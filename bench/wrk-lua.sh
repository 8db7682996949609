# wrk scripts and the median the benchmarks share (sourced, not run).

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
