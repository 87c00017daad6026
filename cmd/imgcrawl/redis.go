package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/crawler"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// redisFlags put a crawl in a job shared through Redis.
type redisFlags struct {
	Redis      string        `placeholder:"URL" help:"Share the crawl through Redis (redis://[:PASSWORD@]HOST:PORT/DB): every process started with the same --redis and --job works on one crawl."`
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
	})
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
const jobLostHint = "this worker stopped; the files it saved and its manifest are kept. " +
	"Check the Redis settings (appendonly yes, maxmemory-policy noeviction: see the README), then run the crawl " +
	"again with its seed URLs: the job starts over from its seeds"

// redisStatus prints the counts of a shared crawl.
func redisStatus(rf redisFlags, e *env) error {
	if rf.Job == "" {
		return usageError{errors.New("status --redis needs --job NAME")}
	}
	if err := checkRedisFlags(&storeFlags{redisFlags: rf}); err != nil {
		return err
	}
	st, err := redisstate.Open(context.Background(), rf.Redis, redisstate.Options{Job: rf.Job})
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	_, started, err := st.LoadMeta(ctx)
	if err != nil {
		return err
	}
	c, err := st.Counts(ctx)
	if err != nil {
		return err
	}
	if !started && c.Seen == 0 {
		return fmt.Errorf("no shared crawl %s in redis", rf.Job)
	}
	state := "finished"
	if c.PagesPending+c.ImagesPending > 0 {
		state = "unfinished (start a worker with the same --redis and --job to help)"
	}
	fmt.Fprintf(e.stdout, "job:        %s\ncrawl:      %s\n", rf.Job, state)
	fmt.Fprintf(e.stdout, "pages:      %d done, %d pending\n", c.PagesDone, c.PagesPending)
	fmt.Fprintf(e.stdout, "images:     %d saved, %d duplicates, %d skipped, %d failed, %d pending\n",
		c.Saved, c.Duplicates, c.Skipped, c.Failed, c.ImagesPending)
	fmt.Fprintf(e.stdout, "bytes:      %d (%.1f MiB)\nurls seen:  %d\n", c.Bytes, float64(c.Bytes)/(1<<20), c.Seen)
	return nil
}
