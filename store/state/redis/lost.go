package redis

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// ErrJobLost is what a *JobLostError is (errors.Is): the job's state in
// Redis is gone or was replaced while this worker was part of it.
var ErrJobLost = errors.New("redis: job lost")

// JobLostError says that the job a worker joined is no longer in Redis:
// its generation (written when the job was created, remembered by every
// worker) is missing or different. Redis came back empty after a restart
// without persistence, someone ran FLUSHALL or deleted the keys, memory
// eviction removed them, or a failover promoted a replica that never had
// them. A worker that sees it must stop: the seen set and the queue it was
// working from are gone, and going on would crawl everything again and take
// the empty job for a finished one.
type JobLostError struct {
	Job   string // the job's name
	Where string // the Redis, as Open described it
	Gen   string // the generation this worker joined
	Now   string // the generation Redis holds now; "" when there is none
}

func (e *JobLostError) Error() string {
	if e.Now == "" {
		return fmt.Sprintf("redis: job %s is gone from redis at %s (generation %s was there when this worker joined): "+
			"Redis lost its data (a restart without persistence, FLUSHALL, eviction under maxmemory, or a failover to a replica without the job)",
			e.Job, e.Where, e.Gen)
	}
	return fmt.Sprintf("redis: job %s in redis at %s was replaced (generation %s when this worker joined, %s now): "+
		"Redis lost the job's data and another worker started it over",
		e.Job, e.Where, e.Gen, e.Now)
}

// Is makes errors.Is(err, ErrJobLost) true.
func (e *JobLostError) Is(target error) bool { return target == ErrJobLost }

// jobLostReply is how the scripts report a generation that is not the
// caller's: an error reply "JOBLOST <generation now, or nothing>".
const jobLostReply = "JOBLOST"

// newGeneration names a new job generation: its creation time and 8 random
// bytes, so that a job created again under the same name differs.
func newGeneration(now time.Time) string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

// KEYS: gen, meta. ARGV: a new generation, "1" to create the job. Returns
// the job's generation, after setting the new one if the job has none and
// may be created (or was created by an older imgcrawl, which wrote no
// generation but its settings); nil when there is no job to join.
var genScript = goredis.NewScript(`
local g = redis.call('GET', KEYS[1])
if g then return g end
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[2]) == 0 then return false end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`)

// ErrNoJob is Open's error when Options.Join is set and Redis holds no
// such job.
var ErrNoJob = errors.New("redis: no such job")

// joinGeneration creates the job's generation, or reads the one it has.
func (s *State) joinGeneration(ctx context.Context) error {
	create := "1"
	if s.opt.Join {
		create = "0"
	}
	gen, err := genScript.Run(ctx, s.rdb, []string{s.k.gen(), s.k.meta()}, newGeneration(time.Now()), create).Text()
	if errors.Is(err, goredis.Nil) {
		return fmt.Errorf("%w: %s (redis at %s)", ErrNoJob, s.opt.Job, s.where)
	}
	if err != nil {
		return s.errf("join the job", err)
	}
	s.gen = gen
	return nil
}

// lostErr returns the JobLostError once the job was found lost, else nil.
func (s *State) lostErr() error {
	if e := s.lost.Load(); e != nil {
		return e
	}
	return nil
}

// classify turns a Redis error into this package's errors: a JOBLOST
// reply into a *JobLostError (remembered: every later call fails with it
// too), a reply that Redis will take back soon (LOADING, READONLY,
// MASTERDOWN, CLUSTERDOWN, TRYAGAIN) into one that is
// state.ErrUnavailable, anything else wrapped with what was being done and
// where.
func (s *State) classify(what string, err error) error {
	if err == nil {
		return nil
	}
	if _, now, ok := strings.Cut(err.Error(), jobLostReply); ok {
		le := &JobLostError{Job: s.opt.Job, Where: s.where, Gen: s.gen, Now: strings.TrimSpace(now)}
		s.lost.CompareAndSwap(nil, le)
		return s.lost.Load()
	}
	if cc, ok := s.rdb.(*goredis.ClusterClient); ok {
		cc.ReloadState(context.Background()) // perhaps a master died: find its successor
	}
	if goredis.IsLoadingError(err) || goredis.IsReadOnlyError(err) || goredis.IsMasterDownError(err) ||
		goredis.IsClusterDownError(err) || goredis.IsTryAgainError(err) {
		return fmt.Errorf("redis: %s (redis at %s): %w: %w", what, s.where, state.ErrUnavailable, err)
	}
	return fmt.Errorf("redis: %s (redis at %s): %w", what, s.where, err)
}
