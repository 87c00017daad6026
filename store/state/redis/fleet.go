package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// heartbeat is what a worker writes about itself into the job's workers
// hash at every renewal.
type heartbeat struct {
	Seen    int64  `json:"seen"`    // Unix ms, the Redis server's clock
	Started int64  `json:"started"` // Unix ms, the worker's clock
	Lease   int64  `json:"lease"`   // the worker's lease, ms: silent longer than that, it is gone
	Held    int    `json:"held"`    // items leased to it, as it counts them
	Host    string `json:"host,omitempty"`
	PID     int    `json:"pid,omitempty"`
}

// KEYS: workers, gen. ARGV: generation, worker, heartbeat JSON without
// "seen" (the script adds the server's time). Fails with JOBLOST like the
// frontier scripts, so an idle worker learns of a lost job too.
var heartbeatScript = goredis.NewScript(`
local g = redis.call('GET', KEYS[2])
if g ~= ARGV[1] then return redis.error_reply('` + jobLostReply + ` ' .. (g or '')) end
local t = redis.call('TIME')
local hb = cjson.decode(ARGV[3])
hb['seen'] = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], ARGV[2], cjson.encode(hb))
return 0
`)

// beat writes this worker's heartbeat (and checks the job's generation).
func (s *State) beat(ctx context.Context, held int) error {
	host, _ := os.Hostname()
	b, _ := json.Marshal(heartbeat{Started: s.started.UnixMilli(), Lease: s.opt.Lease.Milliseconds(),
		Held: held, Host: host, PID: os.Getpid()})
	err := heartbeatScript.Run(ctx, s.rdb, []string{s.k.workers(), s.k.gen()}, s.gen, s.opt.Worker, string(b)).Err()
	return s.classify("heartbeat", err)
}

// JobStatus is a job as Redis holds it, for a view over the whole fleet.
type JobStatus struct {
	Job string
	// Generation is the job's generation; "" when Redis holds no such job.
	Generation string
	Counts     state.Counts
	// ReadyPages and ReadyImages are waiting to be handed out; Delayed wait
	// for a not-before time (a retry); Leased are handed out to workers.
	ReadyPages, ReadyImages, Delayed, Leased int64
	Workers                                  []WorkerStatus // by name
	Now                                      time.Time      // the Redis server's clock
}

// WorkerStatus is one worker of a job, from its heartbeats and leases.
type WorkerStatus struct {
	Name     string
	Host     string
	PID      int
	Started  time.Time
	LastSeen time.Time     // its last heartbeat, on the server's clock
	Lease    time.Duration // how long its leases last without renewal
	Leased   int           // items leased to it now
	// Live is whether it sent a heartbeat within its lease: a worker that
	// died (kill -9, lost network) stops, and once its leases run out its
	// items go to others.
	Live bool
}

// Finished reports whether the job exists and nothing is pending in it.
func (j JobStatus) Finished() bool {
	return j.Generation != "" && j.Counts.PagesPending == 0 && j.Counts.ImagesPending == 0
}

// Status reads the job's status from the Redis at redisURL (any URL that
// Open takes) without joining it: it creates nothing and changes nothing.
// A job Redis does not hold has an empty Generation.
func Status(ctx context.Context, redisURL, job string) (JobStatus, error) {
	if err := checkJob(job); err != nil {
		return JobStatus{}, err
	}
	quiet.Do(func() { goredis.SetLogger(discardLog{}) })
	rdb, _, where, err := connect(ctx, redisURL)
	if err != nil {
		return JobStatus{}, err
	}
	defer rdb.Close()
	k := newKeys(job)
	// All of a job's keys are in one slot: one pipeline to one node.
	pipe := rdb.Pipeline()
	gen := pipe.Get(ctx, k.gen())
	cnt := pipe.HGetAll(ctx, k.counts())
	rp, ri := pipe.ZCard(ctx, k.name("rp")), pipe.ZCard(ctx, k.name("ri"))
	delayed, leases := pipe.ZCard(ctx, k.name("delayed")), pipe.ZCard(ctx, k.name("leases"))
	workers := pipe.HGetAll(ctx, k.workers())
	owners := pipe.HVals(ctx, k.name("own"))
	now := pipe.Time(ctx)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, goredis.Nil) {
		return JobStatus{}, fmt.Errorf("redis: status of job %s (redis at %s): %w", job, where, err)
	}
	st := JobStatus{Job: job, Generation: gen.Val(), Counts: countsOf(cnt.Val()),
		ReadyPages: rp.Val(), ReadyImages: ri.Val(), Delayed: delayed.Val(), Leased: leases.Val(),
		Now: now.Val()}
	leased := map[string]int{}
	for _, w := range owners.Val() {
		leased[w]++
	}
	for name, raw := range workers.Val() {
		var hb heartbeat
		if json.Unmarshal([]byte(raw), &hb) != nil {
			continue
		}
		w := WorkerStatus{Name: name, Host: hb.Host, PID: hb.PID, Started: time.UnixMilli(hb.Started),
			LastSeen: time.UnixMilli(hb.Seen), Lease: time.Duration(hb.Lease) * time.Millisecond, Leased: leased[name]}
		w.Live = st.Now.Sub(w.LastSeen) <= w.Lease
		delete(leased, name)
		st.Workers = append(st.Workers, w)
	}
	for name, n := range leased { // leases of a worker that never sent a heartbeat (an older build)
		st.Workers = append(st.Workers, WorkerStatus{Name: name, Leased: n})
	}
	slices.SortFunc(st.Workers, func(a, b WorkerStatus) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return st, nil
}

// countsOf reads the counters hash.
func countsOf(m map[string]string) state.Counts {
	n := func(f string) int64 { v, _ := strconv.ParseInt(m[f], 10, 64); return v }
	return state.Counts{
		PagesDone: n("pd"), PagesPending: n("pp"), ImagesPending: n("ip"),
		Saved: n("saved"), Duplicates: n("dup"), Skipped: n("skip"), Failed: n("fail"),
		Bytes: n("bytes"), Seen: n("seen"),
	}
}
