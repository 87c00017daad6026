package service

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/internal/options"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state/bolt"
)

// snapshotInterval is how often a job's crawl writes its snapshot.
const snapshotInterval = time.Second

// run runs one job to its end, as the imgcrawl command runs a crawl: the
// same Config from the same options, crawler.New and Run, on a bbolt state
// under the job's OUT.
func (mg *Manager) run(ctx context.Context, j *Job) {
	rec := j.Record()
	log := mg.log.With("job", rec.ID)
	j.live.reset()
	if err := j.update(func(r *Record) {
		r.State, r.Started, r.Finished, r.Error = Running, time.Now(), time.Time{}, ""
		r.Runs++
	}); err != nil {
		log.Warn("cannot save the job", "err", err)
	}
	err := mg.crawl(ctx, j, rec)
	stopping := false
	next, msg := Done, ""
	// One step under the job's lock, so that a cancel sees the job either
	// running (and cancels it) or ended.
	if err := j.update(func(r *Record) {
		userCanceled := j.canceled
		j.cancel = nil
		if ctx.Err() != nil && !userCanceled {
			// The service is stopping: the job stays running on disk, to
			// be resumed by the next start.
			stopping = true
			return
		}
		switch {
		case userCanceled:
			next = Canceled
		case err != nil:
			next, msg = Failed, err.Error()
		}
		r.State, r.Finished, r.Error = next, time.Now(), msg
	}); err != nil {
		log.Warn("cannot save the job", "err", err)
	}
	if stopping {
		return
	}
	if next == Failed {
		log.Warn("job failed", "err", msg)
	}
	j.live.publish("end", map[string]string{"state": string(next), "error": msg})
}

// crawl runs the job's crawl once.
func (mg *Manager) crawl(ctx context.Context, j *Job, rec Record) error {
	opts, err := rec.Spec.parse(mg.cfg.Policy)
	if err != nil {
		return err
	}
	cfg := crawler.Config{Out: j.Out()}
	if err := rec.Spec.apply(&cfg, opts); err != nil {
		return err
	}
	st, err := bolt.Open(store.StatePath(cfg.Out), bolt.Options{NoSync: !opts.Fsync})
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.State, cfg.SnapshotInterval = st, snapshotInterval
	cfg.Logger = mg.log.With("job", rec.ID)
	gauge := mg.m.inflight.WithLabelValues(rec.ID)
	defer mg.m.inflight.DeleteLabelValues(rec.ID)
	cfg.Gate = newJobGate(opts, mg.gate, j.live, gauge, mg.m)
	cfg.OnEvent = j.live.event
	cfg.Index, cfg.Browser = mg.cfg.Index, mg.cfg.Browser

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var fed chan struct{}
	if rec.Kind == KindGet {
		urls := make(chan string)
		cfg.Images, cfg.ImagesTotal = urls, int64(len(rec.URLs))
		fed = make(chan struct{})
		go func() {
			defer close(fed)
			defer close(urls)
			for _, u := range rec.URLs {
				select {
				case urls <- u:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	cr, err := crawler.New(cfg)
	var sum crawler.Summary
	if err == nil {
		sum, err = cr.Run(ctx)
	}
	cancel()
	if fed != nil {
		<-fed
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	if err == nil && sum.NothingFetched() {
		// As the command exits 1: every URL given failed.
		what := "seed"
		if rec.Kind == KindGet {
			what = "URL"
		}
		err = fmt.Errorf("no %s could be fetched", what)
		if len(sum.SeedFailures) > 0 {
			err = fmt.Errorf("%w: %v", err, sum.SeedFailures[0])
		}
	}
	return options.Named(err)
}

// newJobGate is a job's gate over the shared one, with the job's own
// politeness options.
func newJobGate(opts options.All, shared fetch.Gate, l *live, inflight interface {
	Inc()
	Dec()
}, m *metrics) *jobGate {
	own := fetch.NewHosts(fetch.HostsConfig{PerHost: opts.PerHost, HostRate: opts.HostRate, Rate: opts.Rate})
	return &jobGate{own: own, shared: shared, live: l, inflight: inflight, m: m}
}
