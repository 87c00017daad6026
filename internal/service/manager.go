package service

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/index"
)

// ManagerConfig configures a Manager.
type ManagerConfig struct {
	// Data is the folder that holds the jobs (Data/jobs/ID).
	Data string
	// MaxJobs is how many jobs run at once (default 2); the rest queue.
	MaxJobs int
	// Gate is the politeness every job shares: requests in flight per host,
	// requests per second per host and in total, over all jobs together.
	Gate fetch.HostsConfig
	// Policy is what jobs' options may ask for.
	Policy Policy
	// Logger receives the jobs' warnings; default discard.
	Logger *slog.Logger
	// Thumbnails, when set, has saved images get a thumbnail for the
	// gallery, made by this many workers (off the crawls' hot path).
	Thumbnails int
	// Index, when set, records every job's images and pages
	// (crawler.Config.Index). The caller opens it and closes it after
	// Close.
	Index *index.Index
	// Browser is the Chromium binary of the jobs that render pages
	// (crawler.Config.Browser); "" = chromium in PATH. Jobs cannot
	// choose it.
	Browser string
}

// ErrNotFound is a job ID the manager does not hold.
var ErrNotFound = errors.New("no such job")

// StateError is an action a job's state does not allow (cancel a finished
// job, resume a running one).
type StateError struct {
	ID     string
	State  State
	Action string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("job %s is %s: cannot %s it", e.ID, e.State, e.Action)
}

// Manager runs jobs: a bounded number at once, the rest queued, all through
// one shared politeness gate. It keeps every job under Data and, when
// opened, queues again those a stopped service left unfinished. Safe for
// concurrent use. Close stops it.
type Manager struct {
	cfg  ManagerConfig
	gate *fetch.Hosts
	m    *metrics
	log  *slog.Logger

	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	thumbs *thumbnailer
	lock   *os.File // DATA/serve.lock, held while open

	mu      sync.Mutex
	jobs    map[string]*Job
	queue   []*Job
	running int
	closed  bool
}

// OpenManager opens the jobs under cfg.Data and starts those left
// unfinished.
func OpenManager(cfg ManagerConfig, m *metrics) (*Manager, error) {
	if cfg.MaxJobs <= 0 {
		cfg.MaxJobs = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Policy.Index = cfg.Index != nil
	dir := filepath.Join(cfg.Data, "jobs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("service: --data: %w", err)
	}
	lock, err := lockData(filepath.Join(cfg.Data, "serve.lock"))
	if err != nil {
		return nil, err
	}
	ctx, stop := context.WithCancel(context.Background())
	mg := &Manager{cfg: cfg, gate: fetch.NewHosts(cfg.Gate), m: m, log: cfg.Logger,
		ctx: ctx, stop: stop, jobs: make(map[string]*Job), lock: lock}
	if cfg.Thumbnails > 0 {
		mg.thumbs = newThumbnailer(ctx, cfg.Thumbnails, cfg.Logger)
	}
	m.gauges(func() float64 { mg.mu.Lock(); defer mg.mu.Unlock(); return float64(len(mg.queue)) },
		func() float64 { mg.mu.Lock(); defer mg.mu.Unlock(); return float64(mg.running) })
	entries, err := os.ReadDir(dir)
	if err != nil {
		mg.Close()
		return nil, fmt.Errorf("service: --data: %w", err)
	}
	var resume []*Job
	for _, e := range entries {
		if !e.IsDir() || !validID(e.Name()) {
			continue
		}
		rec, err := loadRecord(filepath.Join(dir, e.Name()))
		if err != nil {
			mg.log.Warn("skipping an unreadable job", "dir", e.Name(), "err", err)
			continue
		}
		j := mg.newJob(rec)
		mg.jobs[rec.ID] = j
		if !rec.State.finished() {
			resume = append(resume, j)
		}
	}
	slices.SortFunc(resume, func(a, b *Job) int { return a.rec.Created.Compare(b.rec.Created) })
	for _, j := range resume {
		if err := j.update(func(r *Record) { r.State = Queued }); err != nil {
			mg.log.Warn("cannot queue a job again", "job", j.rec.ID, "err", err)
			continue
		}
		mg.enqueue(j)
	}
	return mg, nil
}

func (mg *Manager) newJob(rec Record) *Job {
	dir := filepath.Join(mg.cfg.Data, "jobs", rec.ID)
	j := &Job{dir: dir, out: filepath.Join(dir, "out"), rec: rec, live: newLive(mg.m), thumbs: mg.thumbs}
	if mg.thumbs != nil {
		j.live.onItem = func(it ItemEvent) { mg.thumbs.add(j.Out(), it.Path) }
	}
	return j
}

// Create validates spec as the command line would and queues a new job.
// A bad spec is a *FieldError.
func (mg *Manager) Create(spec Spec) (*Job, error) {
	if mg.cfg.Data == "" {
		return nil, errSingle
	}
	if _, err := spec.parse(mg.cfg.Policy); err != nil {
		return nil, err
	}
	now := time.Now()
	rec := Record{ID: newID(now), Spec: spec, State: Queued, Created: now}
	j := mg.newJob(rec)
	if err := os.MkdirAll(j.dir, 0o755); err != nil {
		return nil, fmt.Errorf("service: %w", err)
	}
	if err := saveRecord(j.dir, rec); err != nil {
		return nil, err
	}
	mg.mu.Lock()
	mg.jobs[rec.ID] = j
	mg.mu.Unlock()
	mg.enqueue(j)
	return j, nil
}

// Get returns the job with that ID.
func (mg *Manager) Get(id string) (*Job, error) {
	mg.mu.Lock()
	defer mg.mu.Unlock()
	if j := mg.jobs[id]; j != nil {
		return j, nil
	}
	return nil, ErrNotFound
}

// List returns every job, newest first.
func (mg *Manager) List() []*Job {
	mg.mu.Lock()
	list := make([]*Job, 0, len(mg.jobs))
	for _, j := range mg.jobs {
		list = append(list, j)
	}
	mg.mu.Unlock()
	slices.SortFunc(list, func(a, b *Job) int {
		ra, rb := a.Record(), b.Record()
		if c := rb.Created.Compare(ra.Created); c != 0 {
			return c
		}
		return compareStrings(rb.ID, ra.ID)
	})
	return list
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Cancel stops a queued or running job; Resume continues it.
func (mg *Manager) Cancel(id string) error {
	if mg.cfg.Data == "" {
		return errSingle
	}
	j, err := mg.Get(id)
	if err != nil {
		return err
	}
	mg.mu.Lock()
	defer mg.mu.Unlock()
	j.mu.Lock()
	st, cancel := j.rec.State, j.cancel
	if st.finished() {
		j.mu.Unlock()
		return &StateError{id, st, "cancel"}
	}
	j.canceled = true
	j.mu.Unlock()
	if cancel != nil {
		// Started (its record may still say queued): its run ends it as
		// canceled.
		cancel()
		return nil
	}
	mg.queue = slices.DeleteFunc(mg.queue, func(q *Job) bool { return q == j })
	return j.update(func(r *Record) { r.State = Canceled })
}

// Resume queues a canceled or failed job again: it continues where it
// stopped, fetching nothing twice.
func (mg *Manager) Resume(id string) error {
	if mg.cfg.Data == "" {
		return errSingle
	}
	j, err := mg.Get(id)
	if err != nil {
		return err
	}
	j.mu.Lock()
	st := j.rec.State
	j.mu.Unlock()
	if st != Canceled && st != Failed {
		return &StateError{id, st, "resume"}
	}
	if err := j.update(func(r *Record) { r.State, r.Error = Queued, "" }); err != nil {
		return err
	}
	mg.enqueue(j)
	return nil
}

// enqueue adds a job to the queue and starts what may start.
func (mg *Manager) enqueue(j *Job) {
	mg.mu.Lock()
	defer mg.mu.Unlock()
	if mg.closed {
		return
	}
	mg.queue = append(mg.queue, j)
	mg.startQueued()
}

// startQueued starts queued jobs while slots are free; mg.mu is held.
func (mg *Manager) startQueued() {
	for mg.running < mg.cfg.MaxJobs && len(mg.queue) > 0 && !mg.closed {
		j := mg.queue[0]
		mg.queue = mg.queue[1:]
		mg.running++
		ctx, cancel := context.WithCancel(mg.ctx)
		j.mu.Lock()
		j.cancel, j.canceled = cancel, false
		j.mu.Unlock()
		mg.wg.Go(func() {
			defer cancel()
			mg.run(ctx, j)
			mg.mu.Lock()
			mg.running--
			mg.startQueued()
			mg.mu.Unlock()
		})
	}
}

// Close stops every running job and waits for them. Jobs running or queued
// stay so on disk: the next OpenManager resumes them.
func (mg *Manager) Close() {
	mg.mu.Lock()
	mg.closed = true
	mg.mu.Unlock()
	mg.stop()
	mg.wg.Wait()
	if mg.thumbs != nil {
		mg.thumbs.close()
	}
	if mg.lock != nil {
		mg.lock.Close()
	}
}
