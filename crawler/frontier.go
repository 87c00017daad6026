package crawler

import (
	"context"
	"net/url"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

// job is one item handed to a worker, with its host slot.
type job struct {
	item    state.Item
	u       *url.URL
	release func()
}

// result is what a worker reports back for a job.
type result struct {
	item    state.Item
	add     []state.Item  // discovered links, images and redirect targets
	outcome state.Outcome // recorded with Done
	ev      *Event        // sent to the collector once Done succeeded
	requeue bool          // put the item back (retry, politeness): item.NotBefore set
	aborted bool          // cancelled: neither Done nor Requeue
	fatal   error
	// redirect, when set, is the target of a redirect; if the state has seen
	// it already, the frontier reports that.
	redirect *state.Item
}

// frontier is the one goroutine that hands work out: it takes items from the
// state, holds a small buffer per host, and starts a job only when the host
// and the global limits allow. It owns its buffer and in-flight counts;
// workers talk to it through channels only.
type frontier struct {
	c         *Crawler
	pageJobs  chan job
	imageJobs chan job
	results   chan result
	feed      chan []state.Item

	buf          map[string]*hostQueue
	ring         []string
	nbuf         int
	inflight     int
	listedOrigin string // the scheme and host last named by push
	low          int    // take more when the buffer is below this
	high         int    // never buffer more than this
}

type hostQueue struct {
	items   []buffered
	blocked time.Time // host limited until then (rate, Retry-After)
}

func newFrontier(c *Crawler) *frontier {
	n := c.s.Concurrency
	return &frontier{
		c:         c,
		pageJobs:  make(chan job),
		imageJobs: make(chan job),
		results:   make(chan result, 2*n),
		feed:      make(chan []state.Item),
		buf:       make(map[string]*hostQueue),
		low:       2 * n,
		high:      4*n + 16,
	}
}

// seed adds the seeds to the state (a seed seen in an earlier run of a
// resumed crawl is not added again).
func (f *frontier) seed(ctx context.Context) error {
	if len(f.c.seeds) == 0 {
		return nil
	}
	_, err := f.c.state.Add(ctx, f.c.seeds)
	return err
}

// run is the frontier loop. It returns when no work is left, on a fatal
// error, or when ctx ends (after in-flight jobs have reported).
func (f *frontier) run(ctx context.Context, cancel context.CancelCauseFunc, feedDone <-chan struct{}) error {
	st := f.c.state
	var fatal error
	fail := func(err error) {
		if fatal == nil {
			fatal = err
			cancel(err)
		}
	}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	idle := 0 // consecutive empty takes
	for {
		if ctx.Err() != nil || fatal != nil {
			break
		}
		now := time.Now()
		if err := f.fill(ctx, now); err != nil {
			fail(err)
			break
		}
		next := f.dispatch(ctx, now)
		if f.inflight < f.c.s.Concurrency {
			if err := f.shed(ctx, now); err != nil {
				fail(err)
				break
			}
		}
		feed := f.feed
		if feedDone == nil || f.nbuf >= f.low {
			feed = nil // enough work buffered: let the feeder wait
		}
		if f.inflight == 0 && f.nbuf == 0 && feedDoneOrNil(feedDone) {
			cnt, err := st.Counts(ctx)
			if err != nil {
				fail(err)
				break
			}
			if cnt.PagesPending == 0 && cnt.ImagesPending == 0 {
				break
			}
			// Work waits for a not-before time (or, on a shared state, is
			// leased by another worker): poll.
			idle++
			if next.IsZero() || next.Sub(now) > pollDelay(idle) {
				next = now.Add(pollDelay(idle))
			}
		} else {
			idle = 0
		}
		if next.IsZero() {
			next = now.Add(time.Second)
		}
		timer.Reset(time.Until(next))
		select {
		case r := <-f.results:
			f.inflight--
			if err := f.handle(ctx, r); err != nil {
				fail(err)
			}
		case items, ok := <-feed:
			if !ok {
				feedDone = nil
				break
			}
			if err := f.addListed(ctx, items); err != nil {
				fail(err)
			}
		case <-feedDone:
			feedDone = nil
		case <-f.ackReady():
			if err := f.acked(ctx); err != nil {
				fail(err)
			}
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	if err := f.drain(context.WithoutCancel(ctx), fatal); err != nil {
		return err
	}
	return context.Cause(ctx)
}

// fill takes items from the state while the buffer is low.
func (f *frontier) fill(ctx context.Context, now time.Time) error {
	if f.nbuf >= f.low {
		return nil
	}
	items, err := f.c.state.Take(ctx, f.high-f.nbuf, now)
	if err != nil {
		return err
	}
	for _, it := range items {
		f.push(it)
	}
	return nil
}

// addListed adds a batch of listed image URLs (get), or of what sitemaps
// list (crawl), to the state.
func (f *frontier) addListed(ctx context.Context, items []state.Item) error {
	added, err := f.c.state.Add(ctx, items)
	for _, ok := range added {
		if !ok && f.c.s.Images != nil {
			f.c.meter.alreadyDone.Add(1) // not new: not downloaded again, not a duplicate
		}
	}
	return err
}

// drain lets in-flight jobs end (cancelled or not), records their results
// unless the crawl failed already, and hands back what the buffer holds. It
// returns the first fatal error.
func (f *frontier) drain(ctx context.Context, fatal error) error {
	for f.inflight > 0 {
		r := <-f.results
		f.inflight--
		if fatal == nil {
			fatal = f.handle(ctx, r)
		}
	}
	f.giveBack(ctx)
	return fatal
}

func feedDoneOrNil(ch <-chan struct{}) bool {
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func pollDelay(idle int) time.Duration {
	d := time.Duration(idle) * 20 * time.Millisecond
	return min(d, time.Second)
}
