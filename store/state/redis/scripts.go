package redis

import goredis "github.com/redis/go-redis/v9"

// The frontier scripts all take the same KEYS, in the order of
// keys.frontier():
//
//	1 seen     SET   of 16-byte URL keys ever added
//	2 rec      HASH  key -> record "SKRD": state (r ready, d delayed,
//	                 l leased), kind (p page, i image), reclaimed (0/1,
//	                 set when a lease expired), depth in decimal
//	3 data     HASH  key -> the item, encoded by Go (opaque to Lua)
//	4 own      HASH  key -> worker holding the lease
//	5 cnt      HASH  counters: seen, pp, ip (pending), pd, saved, dup,
//	                 skip, fail, bytes
//	6 delayed  ZSET  key by not-before time (µs, the workers' clock)
//	7 rp       ZSET  ready pages by depth*2^33 + sequence (FIFO per depth)
//	8 ri       ZSET  ready images by sequence
//	9 seq      STRING sequence for the ready sets
//	10 leases  ZSET  key by lease expiry (µs, the Redis server's clock)
//	11 ld      HASH  depth -> pages leased at that depth
//	12 gen     STRING the job's generation
//
// ARGV[1] is the caller's generation: a script run against a job that is
// not the caller's (gone, or created again) changes nothing and fails with
// an error reply "JOBLOST <generation now>". The scripts read their own
// arguments from A, which is ARGV without it.
// A page counts for the breadth-first barrier while it is ready (in rp) or
// leased (in ld); a delayed page does not. Leases use the server's clock so
// that workers with skewed clocks agree on when a lease has expired.
const prelude = `
if redis.replicate_commands then redis.replicate_commands() end
local seen, rec, data, own, cnt, delayed, rp, ri, seqk, leases, ld =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10], KEYS[11]
local gen = redis.call('GET', KEYS[12])
if gen ~= ARGV[1] then return redis.error_reply('` + jobLostReply + ` ' .. (gen or '')) end
local A = {}
for i = 2, #ARGV do A[i - 1] = ARGV[i] end
local P2 = 8589934592
local function fmt(n) return string.format('%.0f', n) end
local function server_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local function push_ready(key, kind, depth)
  local seq = redis.call('INCR', seqk)
  if kind == 'p' then
    redis.call('ZADD', rp, fmt(tonumber(depth) * P2 + seq), key)
  else
    redis.call('ZADD', ri, fmt(seq), key)
  end
end
local function ld_decr(depth)
  if redis.call('HINCRBY', ld, depth, -1) <= 0 then redis.call('HDEL', ld, depth) end
end
-- unlease moves a leased item back to ready; reclaimed marks it so that a
-- late Done from its former holder is still accepted.
local function unlease(key, r, reclaimed)
  redis.call('ZREM', leases, key)
  redis.call('HDEL', own, key)
  local kind, depth = string.sub(r, 2, 2), string.sub(r, 4)
  if kind == 'p' then ld_decr(depth) end
  local flag = string.sub(r, 3, 3)
  if reclaimed then flag = '1' end
  redis.call('HSET', rec, key, 'r' .. kind .. flag .. depth)
  push_ready(key, kind, depth)
end
`

// A: groups of (key, kind p|i, depth, not-before µs or "", encoded item).
// Returns one 0/1 per group: whether the key was new.
var addScript = goredis.NewScript(prelude + `
local out = {}
for i = 1, #A, 5 do
  local key, kind, depth, nb = A[i], A[i+1], A[i+2], A[i+3]
  if redis.call('SADD', seen, key) == 1 then
    redis.call('HSET', data, key, A[i+4])
    if nb ~= '' then
      redis.call('HSET', rec, key, 'd' .. kind .. '0' .. depth)
      redis.call('ZADD', delayed, nb, key)
    else
      redis.call('HSET', rec, key, 'r' .. kind .. '0' .. depth)
      push_ready(key, kind, depth)
    end
    redis.call('HINCRBY', cnt, kind == 'p' and 'pp' or 'ip', 1)
    redis.call('HINCRBY', cnt, 'seen', 1)
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
`)

// A: now µs (the caller's clock, for not-before), max, worker, lease µs.
// Reclaims expired leases, makes due items ready, then hands out up to max
// items as the in-memory queue does while few images wait: pages of the
// barrier depth (up to half of max), images, more pages. (It does not put
// images first over a backlog: the queue lives in Redis, not in the
// worker's memory.) Returns key, item, key, item...
var takeScript = goredis.NewScript(prelude + `
local snow = server_us()
for _, key in ipairs(redis.call('ZRANGEBYSCORE', leases, '-inf', fmt(snow), 'LIMIT', 0, 1000)) do
  local r = redis.call('HGET', rec, key)
  if r and string.sub(r, 1, 1) == 'l' then
    unlease(key, r, true)
  else
    redis.call('ZREM', leases, key)
    redis.call('HDEL', own, key)
  end
end
for _, key in ipairs(redis.call('ZRANGEBYSCORE', delayed, '-inf', A[1], 'LIMIT', 0, 1000)) do
  redis.call('ZREM', delayed, key)
  local r = redis.call('HGET', rec, key)
  if r and string.sub(r, 1, 1) == 'd' then
    redis.call('HSET', rec, key, 'r' .. string.sub(r, 2))
    push_ready(key, string.sub(r, 2, 2), string.sub(r, 4))
  end
end
local max = tonumber(A[2])
if max <= 0 then return {} end
local d = -1
local first = redis.call('ZRANGE', rp, 0, 0, 'WITHSCORES')
if first[2] then d = math.floor(tonumber(first[2]) / P2) end
local byDepth = redis.call('HGETALL', ld)
for j = 1, #byDepth, 2 do
  local dd, n = tonumber(byDepth[j]), tonumber(byDepth[j + 1])
  if n > 0 and (d < 0 or dd < d) then d = dd end
end
local taken = {}
local function take_pages(n)
  if d < 0 or #taken >= n then return end
  local ks = redis.call('ZRANGEBYSCORE', rp, fmt(d * P2), '(' .. fmt((d + 1) * P2), 'LIMIT', 0, n - #taken)
  for _, key in ipairs(ks) do
    redis.call('ZREM', rp, key)
    taken[#taken + 1] = key
  end
end
take_pages(math.floor((max + 1) / 2))
if #taken < max then
  local imgs = redis.call('ZPOPMIN', ri, max - #taken)
  for j = 1, #imgs, 2 do taken[#taken + 1] = imgs[j] end
end
take_pages(max)
local exp = fmt(snow + tonumber(A[4]))
local out = {}
for _, key in ipairs(taken) do
  local r = redis.call('HGET', rec, key)
  redis.call('HSET', rec, key, 'l' .. string.sub(r, 2))
  redis.call('HSET', own, key, A[3])
  redis.call('ZADD', leases, exp, key)
  if string.sub(r, 2, 2) == 'p' then redis.call('HINCRBY', ld, string.sub(r, 4), 1) end
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGET', data, key)
end
return out
`)

// A: key, worker, encoded item, not-before µs or "". Only the worker
// holding the lease may requeue. Returns 1 when the item was requeued.
var requeueScript = goredis.NewScript(prelude + `
local key = A[1]
local r = redis.call('HGET', rec, key)
if not r or string.sub(r, 1, 1) ~= 'l' or redis.call('HGET', own, key) ~= A[2] then return 0 end
redis.call('HSET', data, key, A[3])
if A[4] == '' then
  unlease(key, r, false)
  return 1
end
redis.call('ZREM', leases, key)
redis.call('HDEL', own, key)
if string.sub(r, 2, 2) == 'p' then ld_decr(string.sub(r, 4)) end
redis.call('HSET', rec, key, 'd' .. string.sub(r, 2))
redis.call('ZADD', delayed, A[4], key)
return 1
`)

// A: key, status, bytes. Accepts an item that is leased (by any worker:
// a late Done after the lease moved on completes the item once) or that
// was reclaimed from an expired lease; ignores anything else. Returns 1
// when the item was acknowledged.
var doneScript = goredis.NewScript(prelude + `
local key = A[1]
local r = redis.call('HGET', rec, key)
if not r then return 0 end
local st, kind, rc, depth = string.sub(r, 1, 1), string.sub(r, 2, 2), string.sub(r, 3, 3), string.sub(r, 4)
if st == 'l' then
  redis.call('ZREM', leases, key)
  redis.call('HDEL', own, key)
  if kind == 'p' then ld_decr(depth) end
elseif rc == '1' and st == 'r' then
  redis.call('ZREM', kind == 'p' and rp or ri, key)
elseif rc == '1' and st == 'd' then
  redis.call('ZREM', delayed, key)
else
  return 0
end
redis.call('HDEL', rec, key)
redis.call('HDEL', data, key)
if kind == 'p' then
  redis.call('HINCRBY', cnt, 'pp', -1)
  redis.call('HINCRBY', cnt, 'pd', 1)
  return 1
end
redis.call('HINCRBY', cnt, 'ip', -1)
local field = ({saved = 'saved', duplicate = 'dup', skipped = 'skip', failed = 'fail'})[A[2]]
if field then redis.call('HINCRBY', cnt, field, 1) end
if A[2] == 'saved' then redis.call('HINCRBY', cnt, 'bytes', A[3]) end
return 1
`)

// A: worker, lease µs, key... Extends the worker's leases; returns the
// keys it no longer holds.
var renewScript = goredis.NewScript(prelude + `
local exp = fmt(server_us() + tonumber(A[2]))
local lost = {}
for j = 3, #A do
  local key = A[j]
  if redis.call('HGET', own, key) == A[1] then
    redis.call('ZADD', leases, 'XX', exp, key)
  else
    lost[#lost + 1] = key
  end
end
return lost
`)

// A: worker, key... Hands the worker's leased items back to the ready
// queue at once (Close), instead of letting their leases run out.
var unleaseScript = goredis.NewScript(prelude + `
for j = 2, #A do
  local key = A[j]
  local r = redis.call('HGET', rec, key)
  if r and string.sub(r, 1, 1) == 'l' and redis.call('HGET', own, key) == A[1] then
    unlease(key, r, false)
  end
end
return 0
`)

// KEYS: content, gen. ARGV: generation, sum, path. Returns {1|0,
// recorded path}.
var claimScript = goredis.NewScript(`
local g = redis.call('GET', KEYS[2])
if g ~= ARGV[1] then return redis.error_reply('` + jobLostReply + ` ' .. (g or '')) end
if redis.call('HSETNX', KEYS[1], ARGV[2], ARGV[3]) == 1 then return {1, ARGV[3]} end
return {0, redis.call('HGET', KEYS[1], ARGV[2])}
`)

// KEYS: cnt, gen. ARGV: generation. Returns the counters, as HGETALL.
var countsScript = goredis.NewScript(`
local g = redis.call('GET', KEYS[2])
if g ~= ARGV[1] then return redis.error_reply('` + jobLostReply + ` ' .. (g or '')) end
return redis.call('HGETALL', KEYS[1])
`)
