package redis

import (
	"context"
	"strconv"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Gate is per-host politeness shared by every worker of a job, kept in
// Redis: a per-host cap on requests in flight (a leased semaphore: a dead
// worker's slots expire with its lease), a per-host rate and a total rate
// (GCRA: one "next allowed" time each, burst 1), robots.txt Crawl-delay and
// Retry-After pauses, and the hold on a host's first request that
// fetch.Gate describes. Times come from the Redis server's clock. Acquire is
// one round trip. Get it from State.Gate; it is safe for concurrent use.
//
// When Redis cannot be reached, Acquire says "not now, retry in a second"
// rather than letting requests through unpaced.
type Gate struct {
	s         *State
	hostIv    int64 // µs between requests to one host; 0 = none
	globalIv  int64 // µs between requests in total; 0 = none
	mu        sync.Mutex
	seq       uint64
	slots     map[string]string        // token -> host, for slots held by this worker
	perHost   map[string]int           // slots held by this worker per host
	delays    map[string]time.Duration // Crawl-delays already stored, by host
	idleHosts time.Duration
}

// capWait is when to ask again about a host whose cap is reached by other
// workers only: no release of this worker's will wake the caller, so it
// polls (briefly, so the crawler keeps the items rather than shedding them).
const capWait = 30 * time.Millisecond

// gateErrWait is when to ask again after Redis failed to answer.
const gateErrWait = time.Second

func newGate(s *State) *Gate {
	iv := func(perSecond float64) int64 {
		if perSecond <= 0 {
			return 0
		}
		return max(int64(1e6/perSecond), 1)
	}
	return &Gate{s: s, hostIv: iv(s.opt.HostRate), globalIv: iv(s.opt.Rate),
		slots: make(map[string]string), perHost: make(map[string]int),
		delays: make(map[string]time.Duration), idleHosts: 24 * time.Hour}
}

// The gate scripts. A host's HASH holds "until" (paused until, µs), "iv"
// (Crawl-delay, µs), "tat" (next allowed request, µs) and "paced" (1 once
// a request has ended or a Crawl-delay is set: the first-request hold is
// over); its ZSET holds the slots in flight, scored by expiry.
const gatePrelude = `
if redis.replicate_commands then redis.replicate_commands() end
local function fmt(n) return string.format('%.0f', n) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
`

// KEYS: host hash, host slots, global rate hash. ARGV: token, per-host cap,
// host interval µs, global interval µs, lease µs, idle ms. Returns
// {1, 0} when granted, {0, wait µs} when rate-limited or paused, {0, -1}
// when the cap is reached (or the host's first request is out).
var acquireScript = goredis.NewScript(gatePrelude + `
local hv = redis.call('HMGET', KEYS[1], 'until', 'iv', 'tat', 'paced')
local untl = tonumber(hv[1]) or 0
if now < untl then return {0, untl - now} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', fmt(now))
local cap = tonumber(ARGV[2])
if hv[4] ~= '1' then cap = 1 end
if redis.call('ZCARD', KEYS[2]) >= cap then return {0, -1} end
local iv = math.max(tonumber(ARGV[3]), tonumber(hv[2]) or 0)
local tat = tonumber(hv[3]) or 0
if iv > 0 and tat > now then return {0, tat - now} end
local giv = tonumber(ARGV[4])
if giv > 0 then
  local gtat = tonumber(redis.call('HGET', KEYS[3], 'tat')) or 0
  if gtat > now then return {0, gtat - now} end
  redis.call('HSET', KEYS[3], 'tat', fmt(now + giv))
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
end
if iv > 0 then
  redis.call('HSET', KEYS[1], 'tat', fmt(now + iv))
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
end
redis.call('ZADD', KEYS[2], fmt(now + tonumber(ARGV[5])), ARGV[1])
redis.call('PEXPIRE', KEYS[2], math.floor(2 * tonumber(ARGV[5]) / 1000) + 1000)
return {1, 0}
`)

// KEYS: slot sets. ARGV: lease µs, then one token per key.
var renewSlotsScript = goredis.NewScript(gatePrelude + `
local exp = fmt(now + tonumber(ARGV[1]))
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', exp, ARGV[i + 1])
  redis.call('PEXPIRE', KEYS[i], math.floor(2 * tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
`)

// KEYS: host hash. ARGV: pause length µs, idle ms.
var pauseScript = goredis.NewScript(gatePrelude + `
local untl = now + tonumber(ARGV[1])
if untl > (tonumber(redis.call('HGET', KEYS[1], 'until')) or 0) then
  redis.call('HSET', KEYS[1], 'until', fmt(untl))
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`)

// KEYS: host hash. ARGV: interval µs, idle ms. Keeps the longest delay;
// a longer one counts a request as starting now (the caller's), so the
// next one waits the whole delay.
var crawlDelayScript = goredis.NewScript(gatePrelude + `
local iv = tonumber(ARGV[1])
if iv > (tonumber(redis.call('HGET', KEYS[1], 'iv')) or 0) then
  redis.call('HSET', KEYS[1], 'iv', ARGV[1])
  if now + iv > (tonumber(redis.call('HGET', KEYS[1], 'tat')) or 0) then
    redis.call('HSET', KEYS[1], 'tat', fmt(now + iv))
  end
end
redis.call('HSET', KEYS[1], 'paced', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`)

// KEYS: host hash, host slots. ARGV: token, idle ms. Frees a slot and ends
// the host's first-request hold.
var releaseScript = goredis.NewScript(`
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSET', KEYS[1], 'paced', '1')
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 0
`)

// Acquire implements fetch.Gate for the whole job. When the cap is reached
// and this worker holds one of the host's slots, retryAt is zero (ask again
// when a request ends); when only other workers hold them, retryAt is a
// short poll.
func (g *Gate) Acquire(host string) (release func(), retryAt time.Time, ok bool) {
	g.mu.Lock()
	g.seq++
	token := g.s.opt.Worker + ":" + strconv.FormatUint(g.seq, 10)
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(g.s.ctx, opTimeout)
	defer cancel()
	k := g.s.k
	res, err := acquireScript.Run(ctx, g.s.rdb, []string{k.host(host), k.slots(host), k.globalRate()},
		token, g.s.opt.PerHost, g.hostIv, g.globalIv, g.s.opt.Lease.Microseconds(), g.idleHosts.Milliseconds()).Int64Slice()
	now := time.Now()
	if err != nil || len(res) != 2 {
		return nil, now.Add(gateErrWait), false
	}
	switch {
	case res[0] == 1:
	case res[1] >= 0:
		return nil, now.Add(time.Duration(res[1]) * time.Microsecond), false
	default:
		g.mu.Lock()
		mine := g.perHost[host] > 0
		g.mu.Unlock()
		if mine {
			return nil, time.Time{}, false
		}
		return nil, now.Add(capWait), false
	}
	g.mu.Lock()
	g.slots[token] = host
	g.perHost[host]++
	g.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { g.release(token) }) }, time.Time{}, true
}

// release frees a slot. A slot that cannot be freed (Redis away) expires
// with its lease.
func (g *Gate) release(token string) {
	g.mu.Lock()
	host, ok := g.slots[token]
	if ok {
		delete(g.slots, token)
		if g.perHost[host]--; g.perHost[host] <= 0 {
			delete(g.perHost, host)
		}
	}
	g.mu.Unlock()
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(g.s.ctx, opTimeout)
	defer cancel()
	_ = releaseScript.Run(ctx, g.s.rdb, []string{g.s.k.host(host), g.s.k.slots(host)}, token,
		g.idleHosts.Milliseconds()).Err()
}

// SetCrawlDelay implements fetch.Gate: host gets at most one request per d
// from the whole job (when that is slower than Options.HostRate), the next
// one d after now.
func (g *Gate) SetCrawlDelay(host string, d time.Duration) {
	if d <= 0 {
		return
	}
	g.mu.Lock()
	if g.delays[host] >= d {
		g.mu.Unlock()
		return
	}
	if len(g.delays) > 10000 {
		clear(g.delays)
	}
	g.mu.Unlock()
	ctx, cancel := context.WithTimeout(g.s.ctx, opTimeout)
	defer cancel()
	err := crawlDelayScript.Run(ctx, g.s.rdb, []string{g.s.k.host(host)}, d.Microseconds(),
		g.idleHosts.Milliseconds()).Err()
	if err == nil {
		g.mu.Lock()
		g.delays[host] = max(g.delays[host], d)
		g.mu.Unlock()
	}
}

// Pause implements fetch.Gate: no worker of the job starts a request to
// host before t (a Retry-After).
func (g *Gate) Pause(host string, t time.Time) {
	d := time.Until(t)
	if d <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(g.s.ctx, opTimeout)
	defer cancel()
	_ = pauseScript.Run(ctx, g.s.rdb, []string{g.s.k.host(host)}, d.Microseconds(),
		max(g.idleHosts, d+time.Minute).Milliseconds()).Err()
}

// renew extends the leases of this worker's slots.
func (g *Gate) renew(ctx context.Context) {
	g.mu.Lock()
	keys := make([]string, 0, len(g.slots))
	args := make([]any, 0, len(g.slots)+1)
	args = append(args, g.s.opt.Lease.Microseconds())
	for token, host := range g.slots {
		keys = append(keys, g.s.k.slots(host))
		args = append(args, token)
	}
	g.mu.Unlock()
	if len(keys) > 0 {
		_ = renewSlotsScript.Run(ctx, g.s.rdb, keys, args...).Err()
	}
}

// releaseAll frees every slot this worker still holds (Close).
func (g *Gate) releaseAll(ctx context.Context) {
	g.mu.Lock()
	slots := g.slots
	g.slots, g.perHost = make(map[string]string), make(map[string]int)
	g.mu.Unlock()
	if len(slots) == 0 {
		return
	}
	pipe := g.s.rdb.Pipeline()
	for token, host := range slots {
		pipe.ZRem(ctx, g.s.k.slots(host), token)
	}
	_, _ = pipe.Exec(ctx)
}
