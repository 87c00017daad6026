package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
)

// Crawler is one crawl. Make it with New and start it with Run, once. The
// zero value is not usable.
type Crawler struct {
	s       resolved
	client  *fetch.Client
	hosts   fetch.Gate
	robots  *fetch.RobotsCache
	reach   *fetch.Reach // hosts that cannot be connected to
	writer  *store.Writer
	state   state.State
	agent   string
	seeds   []state.Item
	badSeed []Event
	scope   map[string]bool // seed hosts or registrable domains
	ran     bool
	crawlID string // Settings.CrawlID, set by checkSettings
	events  chan Event
	meter   meter

	renderer *render.Renderer // nil unless Config.Render; started by the first page rendered
	loads    loadCache        // the browser's scripts and style sheets

	sitemapMaxBytes int64 // SitemapMaxBytes; tests lower it
	// sheetEnc holds the encodings style sheets fall back on.
	sheetEnc sheetEncodings
}

// New validates cfg and prepares a crawl: it creates the output folder but
// fetches nothing.
func New(cfg Config) (*Crawler, error) {
	s, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(s.Seeds) == 0 && s.Images == nil {
		return nil, &ConfigError{"seeds", errors.New("no seed URLs")}
	}
	if s.Index == nil && s.SkipKnown {
		return nil, &ConfigError{"skip-known", errors.New("needs an index (Config.Index)")}
	}
	if s.Index == nil && s.Revalidate {
		return nil, &ConfigError{"revalidate", errors.New("needs an index (Config.Index)")}
	}
	c := &Crawler{s: s, state: s.State, scope: make(map[string]bool), sitemapMaxBytes: SitemapMaxBytes}
	if c.state == nil {
		c.state = state.NewMemory()
	}
	c.state = &patientState{State: c.state, log: s.Logger, giveUp: s.StateRetry}
	allow := append([]string(nil), s.Fetch.AllowHosts...)
	var seeds []*url.URL
	for _, raw := range s.Seeds {
		u, err := urlnorm.Normalize(raw)
		if err != nil {
			c.badSeed = append(c.badSeed, event(KindPage, raw, Failed, fmt.Errorf("bad seed URL: %w", err)))
			continue
		}
		c.seeds = append(c.seeds, state.Item{Key: state.KeyOf(u.String()), URL: u.String(), Kind: state.KindPage})
		c.scope[c.scopeKey(u)] = true
		allow = append(allow, u.Hostname())
		seeds = append(seeds, u)
	}
	if len(c.seeds) == 0 && s.Images == nil {
		return nil, &ConfigError{"seeds", fmt.Errorf("no valid seed URL (%d given)", len(s.Seeds))}
	}
	c.client = s.Client
	if c.client == nil {
		fc := s.Fetch
		fc.UserAgent = s.UserAgent
		fc.AllowHosts = allow
		if fc.Logger == nil {
			fc.Logger = s.Logger
		}
		if c.client, err = fetch.NewClient(fc); err != nil {
			return nil, &ConfigError{"fetch", err}
		}
	}
	for _, u := range seeds {
		c.client.AllowCredentials(u)
	}
	c.hosts = s.Gate
	if c.hosts == nil {
		c.hosts = fetch.NewHosts(fetch.HostsConfig{PerHost: s.PerHost, HostRate: s.HostRate, Rate: s.Rate})
	}
	c.reach = fetch.NewReach(fetch.ReachConfig{Tries: 1 + s.Retries})
	c.agent = fetch.RobotsProductToken(s.UserAgent)
	c.robots = fetch.NewRobotsCache(fetch.RobotsConfig{
		Agent:    c.agent,
		RetryMin: s.RobotsRetry,
		Get: func(ctx context.Context, u string) (*http.Response, error) {
			c.meter.requests.Add(1)
			return c.get(ctx, u, nil, 1<<40, false)
		},
	})
	var claims store.Claimer = c.state
	if s.SkipKnown || s.Revalidate {
		claims = indexClaims{c.state, c}
	}
	if c.renderer, err = c.newRenderer(); err != nil {
		return nil, err
	}
	c.writer, err = store.NewWriter(store.WriterConfig{
		Dir: s.Out, Layout: s.Layout, Claims: claims, Accept: s.Accept,
		MinSize: s.MinSize, MaxSize: s.MaxSize, MinWidth: s.MinWidth, MinHeight: s.MinHeight,
		Fsync: s.Fsync, ContentDisposition: s.ContentDisposition, Sink: s.Sink,
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// RemoveTemp removes the temp files of the images being written now, for a
// caller about to exit without waiting for Run to end (a second Ctrl-C).
// Files under their final names are complete and stay; the images in flight
// are fetched again by the next run. Safe to call while Run runs.
func (c *Crawler) RemoveTemp() { c.writer.RemoveTemp() }

// Run crawls until there is nothing left to do, ctx is cancelled, or a fatal
// error (a write error under OUT, a state error) stops it. Failed URLs are
// not errors: they are counted in the Summary. On cancellation Run returns
// ctx's error after in-flight work has ended. No goroutine outlives Run.
func (c *Crawler) Run(ctx context.Context) (Summary, error) {
	if c.ran {
		return Summary{}, errors.New("crawler: Run called twice")
	}
	c.ran = true
	start := time.Now()
	resumed, err := c.checkSettings(ctx)
	if err != nil {
		return Summary{}, err
	}
	ix := c.newIndexer(ctx)
	manifest, err := c.openManifest(ctx, resumed, ix)
	if err != nil {
		if ix != nil {
			ix.close(ctx)
		}
		return Summary{}, err
	}
	col := c.newCollector(manifest, start)
	col.index = ix
	c.events = col.events
	colDone := make(chan struct{})
	go func() { defer close(colDone); col.run(c.tick()) }()
	for _, ev := range c.badSeed {
		c.events <- ev
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	f := newFrontier(c)
	err = f.seed(ctx)

	var wg sync.WaitGroup
	var feedDone chan struct{}
	var sitemaps SitemapCounts
	if err == nil && (c.s.Images != nil || c.s.Sitemaps) {
		feedDone = make(chan struct{})
		wg.Go(func() {
			defer close(feedDone)
			if c.s.Images != nil {
				c.feed(ctx, f.feed)
			} else {
				sitemaps = c.readSitemaps(ctx, f.feed)
			}
		})
	}
	if err == nil {
		for range c.s.Concurrency {
			wg.Add(2)
			go func() { defer wg.Done(); c.worker(ctx, f.pageJobs, f.results) }()
			go func() { defer wg.Done(); c.worker(ctx, f.imageJobs, f.results) }()
		}
		err = f.run(ctx, cancel, feedDone)
	}
	close(f.pageJobs)
	close(f.imageJobs)
	cancel(err)
	wg.Wait()
	if c.renderer != nil {
		c.renderer.Close() // the browser and its processes are gone when it returns
	}
	close(c.events)
	<-colDone
	c.client.CloseIdleConnections()

	if ferr := c.state.Flush(context.WithoutCancel(ctx)); err == nil && ferr != nil {
		err = ferr
	}
	if manifest != nil {
		if merr := manifest.Close(); err == nil && merr != nil {
			err = merr
		}
	}
	if err == nil && col.err != nil {
		err = col.err
	}
	sum := col.sum
	if ix != nil {
		var ierr error
		if sum.Indexed, ierr = ix.close(ctx); err == nil && ierr != nil {
			err = ierr
		}
	}
	sum.CrawlID = c.crawlID
	sum.Elapsed = time.Since(start)
	sum.Resumed, sum.AlreadyDone = resumed, c.meter.alreadyDone.Load()
	sum.Sitemaps = sitemaps
	sum.Rendered = c.meter.rendered.Load()
	if total, cerr := c.state.Counts(context.WithoutCancel(ctx)); cerr == nil {
		sum.Total = total
	}
	col.finish(sum, start.Add(sum.Elapsed))
	return sum, err
}

// newCollector makes the collector of a run started at start.
func (c *Crawler) newCollector(manifest *store.Manifest, start time.Time) *collector {
	s := &c.s
	get := s.Images != nil
	col := &collector{
		events: make(chan Event, 1024), manifest: manifest, onEvent: s.OnEvent, start: start,
		progress: newProgress(s.Progress, s.ProgressTTY, get, s.ImagesTotal, s.ProgressInterval),
		meter:    &c.meter, sampleEvery: min(2*time.Second, s.ProgressInterval, c.tick()),
		rates: rateWindow{window: 10 * time.Second},
	}
	col.progress.last = start // the first plain line after an interval
	if s.Progress != nil || s.SnapshotInterval > 0 {
		col.counts = c.state.(*patientState).State.Counts // not patient: a sample may fail
	}
	if s.SnapshotInterval > 0 {
		col.snap = newSnapshotter(s.Out, get, s.ImagesTotal, s.SnapshotInterval, start, s.Logger)
		col.snap.write(reading{counts: col.sampled}, start, true)
	}
	return col
}

// tick is how often the collector refreshes the display and samples.
func (c *Crawler) tick() time.Duration {
	d := min(time.Second, c.s.ProgressInterval)
	if c.s.Progress != nil && c.s.ProgressTTY {
		d = min(d, 500*time.Millisecond)
	}
	if c.s.SnapshotInterval > 0 {
		d = min(d, c.s.SnapshotInterval)
	}
	return d
}

// openManifest opens the manifest for this run (nil with Manifest "-"): a
// new one for a new crawl; for a resumed one, rebuilt from the records the
// state kept (so that what a crash lost or left half-written is restored),
// or appended to when the state keeps none (a shared Redis job). A resumed
// crawl with an index hands ix the same records (upserts: rows written
// already are written the same again).
func (c *Crawler) openManifest(ctx context.Context, resumed bool, ix *indexer) (*store.Manifest, error) {
	path := c.s.Manifest
	switch path {
	case "-":
		path = ""
	case "":
		path = filepath.Join(c.s.Out, "manifest.jsonl")
	}
	rec, ok := c.s.State.(state.Recorder)
	switch {
	case !resumed && path == "":
		return nil, nil
	case !resumed:
		return store.CreateManifest(path)
	case !ok && path == "":
		return nil, nil
	case !ok:
		return store.OpenManifest(path)
	case path == "":
		if ix == nil {
			return nil, nil
		}
		return nil, rec.Records(ctx, func(line []byte) error { ix.record(line); return ctx.Err() })
	}
	return store.RebuildManifest(path, func(yield func([]byte) error) error {
		return rec.Records(ctx, func(line []byte) error {
			if ix != nil {
				ix.record(line)
			}
			return yield(line)
		})
	})
}

// feed turns the caller's stream of image URLs into frontier items, in
// batches, blocking when the frontier has enough work (so a list of a
// million URLs is never held in memory).
func (c *Crawler) feed(ctx context.Context, out chan<- []state.Item) {
	const batch = 64
	var items []state.Item
	lastOrigin := ""
	send := func() bool {
		if len(items) == 0 {
			return true
		}
		select {
		case out <- items:
			items = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		var raw string
		var ok bool
		select {
		case raw, ok = <-c.s.Images:
		case <-ctx.Done():
			return
		}
		if !ok {
			send()
			return
		}
		u, err := urlnorm.Normalize(raw)
		if err != nil {
			c.emit(event(KindImage, raw, Failed, fmt.Errorf("bad URL: %w", err)))
			continue
		}
		if o := u.Scheme + "://" + u.Host; o != lastOrigin {
			c.named(u)
			lastOrigin = o
		}
		items = append(items, state.Item{Key: state.KeyOf(u.String()), URL: u.String(), Kind: state.KindImage})
		if len(items) >= batch || len(c.s.Images) == 0 {
			if !send() {
				return
			}
		}
	}
}

func (c *Crawler) emit(ev Event) { c.events <- ev }

// named takes note of a URL the user listed for a get: its host is exempt
// from the address policy and its origin receives the credentials of
// Fetch.Header, as a seed's does.
func (c *Crawler) named(u *url.URL) {
	c.client.Allow(u.Hostname())
	c.client.AllowCredentials(u)
}

// scopeKey is what a page's URL must share with a seed to be followed.
func (c *Crawler) scopeKey(u *url.URL) string {
	if c.s.Scope == ScopeDomain {
		return registrableDomain(u.Hostname())
	}
	return u.Host
}
