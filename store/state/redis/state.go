package redis

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// State is a state.State kept in Redis and shared by every worker of a job:
// each process (on any machine) that opens the same Redis and job crawls
// the same frontier, seen set and content index. Each State is one worker:
// items it takes are leased to it, and a background goroutine renews its
// leases until Close. Make it with Open; the zero value is not usable. It
// is safe for concurrent use.
type State struct {
	rdb     goredis.UniversalClient
	topo    Topology
	opt     Options
	k       keys
	fkeys   []string
	where   string // the Redis, for messages: an address, a Sentinel master, a Cluster
	gen     string // the job's generation when this worker joined
	lost    atomic.Pointer[JobLostError]
	warns   []string
	started time.Time
	gate    *Gate
	ctx     context.Context // ends at Close: renewal and Gate calls
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu     sync.Mutex
	closed bool
	held   map[state.Key]struct{} // items leased to this worker
}

var _ state.State = (*State)(nil)

// opTimeout bounds calls made without a caller's context (Gate, renewal,
// Close).
const opTimeout = 10 * time.Second

// Open connects to the Redis at redisURL and joins the job opt.Job,
// creating it if it is new. The URL is one of:
//
//   - redis://[user:pass@]HOST:PORT/DB (rediss:// for TLS, unix:///path
//     for a socket): one server; when it is a Redis Cluster node, the whole
//     Cluster (more seed nodes in addr=HOST:PORT parameters).
//   - redis://[user:pass@]SENTINEL:PORT/DB?master_name=NAME: the master
//     NAME that Redis Sentinel watches (more Sentinels in addr=; the
//     master's own password in password=).
//
// An unreachable server is an error naming its address. The caller closes
// the State.
//
// Joining a job reads (or, for a new job, writes) its generation, which
// every later call checks: a job that disappears from Redis, or is
// replaced, fails every call with a *JobLostError. Warnings lists the
// server settings that put the job at risk.
//
// Open replaces go-redis's process-wide logger, which writes to stderr,
// with one that discards: a program that wants those logs calls
// goredis.SetLogger after Open.
func Open(ctx context.Context, redisURL string, opt Options) (*State, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return nil, err
	}
	quiet.Do(func() { goredis.SetLogger(discardLog{}) })
	rdb, topo, where, err := connect(ctx, redisURL)
	if err != nil {
		return nil, err
	}
	k := newKeys(opt.Job)
	s := &State{rdb: rdb, topo: topo, opt: opt, k: k, fkeys: k.frontier(), where: where,
		held: make(map[state.Key]struct{}), started: time.Now()}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.gate = newGate(s)
	fail := func(err error) (*State, error) {
		s.cancel()
		rdb.Close()
		return nil, err
	}
	octx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	if err := s.joinGeneration(octx); err != nil {
		return fail(err)
	}
	if err := s.beat(octx, 0); err != nil {
		return fail(err)
	}
	s.warns = s.checkSettings(octx)
	s.wg.Add(1)
	go s.renewLoop()
	return s, nil
}

// Job returns the job's name.
func (s *State) Job() string { return s.opt.Job }

// Worker returns this worker's name in the job.
func (s *State) Worker() string { return s.opt.Worker }

// Gate returns the job's shared per-host politeness: the per-host cap, the
// per-host and total rates of Options, robots.txt Crawl-delay and
// Retry-After pauses hold for all workers together. It stays valid until
// Close.
func (s *State) Gate() *Gate { return s.gate }

// Topology returns how the job's Redis is deployed.
func (s *State) Topology() Topology { return s.topo }

// Generation returns the job's generation as this worker joined it.
func (s *State) Generation() string { return s.gen }

// Warnings lists what Open found in the server's settings that can lose
// the job (no persistence, an evicting maxmemory-policy), one sentence
// each naming the setting; nil when all is well or the settings cannot be
// read (CONFIG disabled).
func (s *State) Warnings() []string { return slices.Clone(s.warns) }

// errf wraps a Redis error with the package prefix and the server address;
// see classify.
func (s *State) errf(what string, err error) error { return s.classify(what, err) }

// check returns state.ErrClosed after Close, and the *JobLostError once the
// job is found lost.
func (s *State) check() error {
	s.mu.Lock()
	closed := s.closed
	s.mu.Unlock()
	if closed {
		return state.ErrClosed
	}
	return s.lostErr()
}

// LoadMeta implements state.State.
func (s *State) LoadMeta(ctx context.Context) ([]byte, bool, error) {
	if err := s.check(); err != nil {
		return nil, false, err
	}
	b, err := s.rdb.Get(ctx, s.k.meta()).Bytes()
	if errors.Is(err, goredis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.errf("load job settings", err)
	}
	return b, true, nil
}

// SaveMeta implements state.State. The first worker to save the job's
// settings wins: saving the same bytes again succeeds, saving other
// settings fails with an error that says so (two workers that started the
// job at the same moment with different settings).
func (s *State) SaveMeta(ctx context.Context, meta []byte) error {
	if err := s.check(); err != nil {
		return err
	}
	ok, err := s.rdb.SetNX(ctx, s.k.meta(), meta, 0).Result()
	if err != nil {
		return s.errf("save job settings", err)
	}
	if ok {
		return nil
	}
	old, err := s.rdb.Get(ctx, s.k.meta()).Bytes()
	if err != nil {
		return s.errf("load job settings", err)
	}
	if !bytes.Equal(old, meta) {
		return fmt.Errorf("redis: job %s was started with other settings (%s), not %s", s.opt.Job, old, meta)
	}
	return nil
}

// ClaimContent implements state.State; the content index is shared by the
// whole job, so an image is stored once across all workers.
//
// A claim is stored as a NUL byte, the claiming item's key and the path;
// claims stored by older builds are the bare path (no claimer known).
func (s *State) ClaimContent(ctx context.Context, sum [32]byte, path string, by state.Key) (string, bool, error) {
	if err := s.check(); err != nil {
		return "", false, err
	}
	val := "\x00" + string(by[:]) + path
	res, err := claimScript.Run(ctx, s.rdb, []string{s.k.content(), s.k.gen()}, s.gen, sum[:], val).Slice()
	if err != nil {
		return "", false, s.errf("claim content", err)
	}
	if len(res) != 2 {
		return "", false, fmt.Errorf("redis: claim content: unexpected reply %v", res)
	}
	first, _ := res[0].(int64)
	stored, _ := res[1].(string)
	if len(stored) > len(by) && stored[0] == 0 {
		owner, claimer := stored[1+len(by):], stored[1:1+len(by)]
		return owner, first == 1 || claimer == string(by[:]), nil
	}
	return stored, first == 1, nil
}

// Counts implements state.State: the counts of the whole job.
func (s *State) Counts(ctx context.Context) (state.Counts, error) {
	if err := s.check(); err != nil {
		return state.Counts{}, err
	}
	kv, err := countsScript.Run(ctx, s.rdb, []string{s.k.counts(), s.k.gen()}, s.gen).StringSlice()
	if err != nil {
		return state.Counts{}, s.errf("counts", err)
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return countsOf(m), nil
}

// Flush implements state.State. Every call is applied by Redis before it
// returns, so there is nothing to flush here; how durable that is depends
// on the server's persistence settings (appendonly yes for crash safety).
func (s *State) Flush(context.Context) error { return s.check() }

// Close stops lease renewal, hands the items still leased to this worker
// back to the job (so other workers need not wait for the leases to run
// out), frees this worker's per-host slots and disconnects. A second Close
// does nothing.
func (s *State) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	held := s.heldArgs()
	s.held = map[state.Key]struct{}{}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), opTimeout)
	defer cancel()
	var err error
	if len(held) > 0 && s.lostErr() == nil {
		args := append([]any{s.gen, s.opt.Worker}, held...)
		if e := unleaseScript.Run(ctx, s.rdb, s.fkeys, args...).Err(); e != nil {
			err = s.errf("hand back leased items", e)
		}
	}
	s.gate.releaseAll(ctx)
	if s.lostErr() == nil {
		_ = s.rdb.HDel(ctx, s.k.workers(), s.opt.Worker).Err() // gone from the fleet's view
	}
	if e := s.rdb.Close(); e != nil && err == nil {
		err = fmt.Errorf("redis: close: %w", e)
	}
	return err
}

// heldArgs lists the leased keys as script arguments; s.mu is held.
func (s *State) heldArgs() []any {
	out := make([]any, 0, len(s.held))
	for k := range s.held {
		out = append(out, string(k[:]))
	}
	return out
}

// renewLoop sends this worker's heartbeat (which checks that the job is
// still there) and extends its leases and host slots every Renew until
// Close. A failed renewal
// is retried at the next tick; a lease lost meanwhile is simply forgotten
// (another worker has the item).
func (s *State) renewLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opt.Renew)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			s.renew()
		}
	}
}

func (s *State) renew() {
	ctx, cancel := context.WithTimeout(s.ctx, s.opt.Renew)
	defer cancel()
	s.mu.Lock()
	held := s.heldArgs()
	s.mu.Unlock()
	if s.lostErr() != nil {
		return
	}
	if s.beat(ctx, len(held)) != nil {
		return // a lost job is remembered for the next call; anything else is retried next time
	}
	if len(held) > 0 {
		args := append([]any{s.gen, s.opt.Worker, s.opt.Lease.Microseconds()}, held...)
		lost, err := renewScript.Run(ctx, s.rdb, s.fkeys, args...).StringSlice()
		_ = s.classify("renew leases", err)
		if err == nil && len(lost) > 0 {
			s.mu.Lock()
			for _, l := range lost {
				delete(s.held, keyOf(l))
			}
			s.mu.Unlock()
		}
	}
	s.gate.renew(ctx)
}

// quiet silences go-redis's logger, once. go-redis has one
// logger per process and it writes to stderr (a failed dial, for
// instance); the library never writes to the terminal, and every failure
// reaches the caller as an error anyway.
var quiet sync.Once

type discardLog struct{}

func (discardLog) Printf(context.Context, string, ...any) {}

// keyOf converts a 16-byte key from Redis back to a state.Key.
func keyOf(raw string) state.Key {
	var k state.Key
	copy(k[:], raw)
	return k
}
