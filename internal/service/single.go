package service

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// errSingle answers a request to start or change jobs on a single crawl's
// view.
var errSingle = errors.New("this service shows one crawl (crawl --listen): it starts no jobs")

// SingleID is the job ID of the crawl a single view shows.
const SingleID = "run"

// NewSingle returns a Service that shows one crawl its caller runs (imgcrawl
// crawl --listen): the same status, event stream, gallery and metrics as a
// job of imgcrawl serve has, under the job ID SingleID. It hooks cfg's gate
// and OnEvent to watch the crawl, so call it once cfg is complete, before
// crawler.New; call Finish when Run returns, and Close at the end.
func NewSingle(cfg *crawler.Config, token string, log *slog.Logger) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m := newMetrics()
	ctx, stop := context.WithCancel(context.Background())
	mg := &Manager{cfg: ManagerConfig{MaxJobs: 1, Logger: log}, m: m, log: log, ctx: ctx, stop: stop,
		jobs: make(map[string]*Job), closed: true}
	mg.thumbs = newThumbnailer(ctx, 1, log)
	m.gauges(func() float64 { return 0 }, func() float64 { return 1 })
	kind, urls := KindCrawl, cfg.Seeds
	if cfg.Images != nil {
		kind, urls = KindGet, nil
	}
	out := cfg.Out
	if out == "" {
		out = "images"
	}
	now := time.Now()
	j := &Job{out: out, live: newLive(m), thumbs: mg.thumbs,
		rec: Record{ID: SingleID, Spec: Spec{Kind: kind, URLs: urls}, State: Running, Created: now, Started: now, Runs: 1}}
	j.live.onItem = func(it ItemEvent) { mg.thumbs.add(j.out, it.Path) }
	mg.jobs[SingleID] = j

	var own fetch.Gate = cfg.Gate
	if own == nil {
		own = fetch.NewHosts(fetch.HostsConfig{PerHost: cfg.PerHost, HostRate: cfg.HostRate, Rate: cfg.Rate})
	}
	cfg.Gate = &jobGate{own: own, live: j.live, inflight: m.inflight.WithLabelValues(SingleID), m: m}
	next := cfg.OnEvent
	cfg.OnEvent = func(ev crawler.Event) {
		j.live.event(ev)
		if next != nil {
			next(ev)
		}
	}
	s := &Service{mg: mg, m: m, token: token, done: make(chan struct{}), single: true}
	s.handler = s.routes()
	return s
}

// Finish records the end of a single view's crawl: err is what Run
// returned.
func (s *Service) Finish(err error) {
	j, gerr := s.mg.Get(SingleID)
	if gerr != nil {
		return
	}
	state, msg := Done, ""
	switch {
	case errors.Is(err, context.Canceled):
		state = Canceled
	case err != nil:
		state, msg = Failed, err.Error()
	}
	j.update(func(r *Record) { r.State, r.Finished, r.Error = state, time.Now(), msg })
	j.live.publish("end", map[string]string{"state": string(state), "error": msg})
}
