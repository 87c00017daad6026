package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/humanize"
	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/crawler"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// redisFlags put a crawl in a job shared through Redis.
type redisFlags struct {
	Redis      string        `placeholder:"URL" help:"Share the crawl through Redis (redis://[:PASSWORD@]HOST:PORT/DB; any node of a Redis Cluster; redis://SENTINEL:PORT/DB?master_name=NAME for Sentinel): every process started with the same --redis and --job works on one crawl."`
	Job        string        `placeholder:"NAME" help:"Name of the shared crawl (default: derived from the seed URLs). Needed to join without URLs."`
	RedisLease time.Duration `name:"redis-lease" hidden:"" default:"${default_redis_lease}" help:"How long a dead worker's items stay leased."`
}

// openRedis opens the job on Redis that the flags name, also setting the
// job-wide politeness gate and, for a worker started without URLs, the
// job's seeds and settings.
func openRedis(cfg *crawler.Config, sf *storeFlags, e *env) (state.State, func(), error) {
	if err := checkRedisFlags(sf); err != nil {
		return nil, nil, err
	}
	joining := len(cfg.Seeds) == 0 && cfg.Images == nil
	job := sf.Job
	switch {
	case job != "":
	case cfg.Images != nil:
		return nil, nil, usageError{errors.New("get --redis needs --job NAME: the job cannot be named from a list of image URLs")}
	case joining:
		return nil, nil, usageError{errors.New("no seed URLs: to join a shared crawl without URLs, name it with --job")}
	default:
		job = redisstate.JobName(cfg.Seeds, "mode=crawl")
	}
	st, err := redisstate.Open(context.Background(), sf.Redis, redisstate.Options{
		Job: job, Lease: sf.RedisLease, PerHost: cfg.PerHost, HostRate: cfg.HostRate, Rate: cfg.Rate,
		Join: joining,
	})
	if errors.Is(err, redisstate.ErrNoJob) {
		return nil, nil, usageError{fmt.Errorf("shared crawl %s has not been started: give seed URLs to start it", job)}
	}
	if err != nil {
		return nil, nil, err
	}
	closeState := func() {
		if err := st.Close(); err != nil {
			fmt.Fprintf(e.stderr, "imgcrawl: %v\n", err)
		}
	}
	if joining {
		if err := joinRedisJob(cfg, st); err != nil {
			closeState()
			return nil, nil, err
		}
	}
	cfg.Gate = st.Gate()
	for _, w := range st.Warnings() { // even with -q: the job is at risk
		fmt.Fprintf(e.stderr, "imgcrawl: warning: %s\n", w)
	}
	if !sf.Quiet {
		fmt.Fprintf(e.stderr, "imgcrawl: shared crawl %s (this worker: %s)\n", job, st.Worker())
	}
	return st, closeState, nil
}

func checkRedisFlags(sf *storeFlags) error {
	u, err := url.Parse(sf.Redis)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "unix") {
		return usageError{errors.New("--redis: want redis://[:PASSWORD@]HOST:PORT/DB (or rediss://, unix://)")}
	}
	if sf.State != "" {
		return usageError{errors.New("--state and --redis exclude each other: the crawl state lives in Redis")}
	}
	if sf.Fresh {
		return usageError{errors.New("--fresh does not apply to a shared crawl: start a new one with another --job")}
	}
	if sf.RedisLease < time.Second {
		return usageError{fmt.Errorf("--redis-lease must be at least 1s, got %v", sf.RedisLease)}
	}
	return nil
}

// joinRedisJob gives a worker started without URLs the job's seeds and
// crawl settings.
func joinRedisJob(cfg *crawler.Config, st *redisstate.State) error {
	s, ok, err := crawler.LoadSettings(context.Background(), st)
	if err != nil {
		return fmt.Errorf("shared crawl %s: %w", st.Job(), err)
	}
	if !ok {
		return usageError{fmt.Errorf("shared crawl %s has not been started: give seed URLs to start it", st.Job())}
	}
	if s.Mode != crawler.ModeCrawl || len(s.Seeds) == 0 {
		return usageError{fmt.Errorf("shared crawl %s is a %q job, not a crawl", st.Job(), s.Mode)}
	}
	s.Apply(cfg)
	return nil
}

// jobLostHint says what to do after a *redisstate.JobLostError.
const jobLostHint = "this worker stopped; the files it saved and its manifest (what Redis had acknowledged) are kept. " +
	"Check the Redis settings (appendonly yes, maxmemory-policy noeviction: see the README), then run the crawl " +
	"again with its seed URLs: the job starts over from its seeds"

// redisStatus prints a shared crawl as Redis holds it: the job's counts,
// its queue, and each worker with its leases and last heartbeat.
func redisStatus(rf redisFlags, e *env) error {
	if rf.Job == "" {
		return usageError{errors.New("status --redis needs --job NAME")}
	}
	if err := checkRedisFlags(&storeFlags{redisFlags: rf}); err != nil {
		return err
	}
	st, err := redisstate.Status(context.Background(), rf.Redis, rf.Job)
	if err != nil {
		return err
	}
	if st.Generation == "" {
		return fmt.Errorf("no shared crawl %s in redis", rf.Job)
	}
	live := 0
	for _, w := range st.Workers {
		if w.Live {
			live++
		}
	}
	crawl := "finished"
	switch {
	case st.Finished():
	case live == 0:
		crawl = "unfinished, and no worker is running: start one with the same --redis and --job"
	default:
		crawl = fmt.Sprintf("running (%d live %s)", live, plural(live, "worker", "workers"))
	}
	fmt.Fprintf(e.stdout, "job:        %s (since %s)\ncrawl:      %s\n", rf.Job, genTime(st.Generation), crawl)
	printCounts(e.stdout, st.Counts)
	fmt.Fprintf(e.stdout, "queue:      %d pages and %d images ready, %d waiting to be retried, %d leased to workers\n",
		st.ReadyPages, st.ReadyImages, st.Delayed, st.Leased)
	for _, w := range st.Workers {
		fmt.Fprintf(e.stdout, "worker:     %s: %s\n", w.Name, workerLine(w, st.Now))
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// workerLine describes one worker of a job.
func workerLine(w redisstate.WorkerStatus, now time.Time) string {
	if w.LastSeen.IsZero() {
		return fmt.Sprintf("%d leased, no heartbeat (an older imgcrawl?)", w.Leased)
	}
	ago := humanize.Duration(max(now.Sub(w.LastSeen), 0))
	switch {
	case !w.Live && w.Leased == 0:
		return fmt.Sprintf("silent for %s (stopped or cut off), nothing leased", ago)
	case !w.Live:
		return fmt.Sprintf("silent for %s (stopped or cut off), %d leased: they go to other workers as the %s leases run out",
			ago, w.Leased, humanize.Duration(w.Lease))
	}
	return fmt.Sprintf("live, seen %s ago, %d in flight or queued here (pid %d on %s, up %s)",
		ago, w.Leased, w.PID, w.Host, humanize.Duration(max(now.Sub(w.Started), 0)))
}

// genTime reads the creation time out of a job's generation
// ("20060102T150405Z-..."), or returns the generation itself.
func genTime(gen string) string {
	stamp, _, _ := strings.Cut(gen, "-")
	t, err := time.Parse("20060102T150405Z", stamp)
	if err != nil {
		return gen
	}
	return t.Format(time.RFC3339)
}
