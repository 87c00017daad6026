package crawler

import (
	"context"
	"errors"
	"fmt"
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
	// alreadyDone counts listed image URLs the state had seen: done in an
	// earlier run, or listed twice.
	alreadyDone int64
	low         int // take more when the buffer is below this
	high        int // never buffer more than this
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
		if f.nbuf < f.low {
			items, err := st.Take(ctx, f.high-f.nbuf, now)
			if err != nil {
				fail(err)
				break
			}
			for _, it := range items {
				f.push(it)
			}
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
			added, err := st.Add(ctx, items)
			if err != nil {
				fail(err)
			}
			for _, ok := range added {
				if !ok {
					f.alreadyDone++ // not new: not downloaded again, not a duplicate
				}
			}
		case <-feedDone:
			feedDone = nil
		case <-timer.C:
		case <-ctx.Done():
		}
	}
	// Let in-flight jobs end (cancelled or not) and hand back what we hold.
	for f.inflight > 0 {
		r := <-f.results
		f.inflight--
		if fatal == nil {
			if err := f.handle(context.WithoutCancel(ctx), r); err != nil {
				fatal = err
			}
		}
	}
	f.giveBack(context.WithoutCancel(ctx))
	if fatal != nil {
		return fatal
	}
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
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

// buffered is an item taken from the state, with its parsed URL.
type buffered struct {
	it state.Item
	u  *url.URL
}

func (f *frontier) push(it state.Item) {
	u, err := url.Parse(it.URL)
	if err != nil {
		u = &url.URL{Host: ""} // reported as failed when started
	}
	host := u.Host
	if f.c.s.Images != nil && it.Origin == "" && u.Scheme+"://"+host != f.listedOrigin {
		// In a get, every item but a redirect target was listed by the
		// user, in this run or an earlier one: it is named, as the feed
		// names the URLs it reads.
		f.c.named(u)
		f.listedOrigin = u.Scheme + "://" + host
	}
	q := f.buf[host]
	if q == nil {
		q = &hostQueue{}
		f.buf[host] = q
		f.ring = append(f.ring, host)
	}
	q.items = append(q.items, buffered{it, u})
	f.nbuf++
}

// dispatch starts every buffered job the limits allow. It returns the
// earliest time a blocked host may go again (zero if none is time-blocked).
func (f *frontier) dispatch(ctx context.Context, now time.Time) time.Time {
	var next time.Time
	keep := f.ring[:0]
	for _, host := range f.ring {
		q := f.buf[host]
		for len(q.items) > 0 && f.inflight < f.c.s.Concurrency {
			if now.Before(q.blocked) {
				break
			}
			release, at, ok := f.c.hosts.Acquire(host)
			if !ok {
				q.blocked = at
				break
			}
			b := q.items[0]
			q.items[0] = buffered{}
			q.items = q.items[1:]
			f.nbuf--
			if !f.start(ctx, b, release) {
				break
			}
		}
		if len(q.items) == 0 {
			delete(f.buf, host)
			continue
		}
		if !q.blocked.IsZero() && q.blocked.After(now) && (next.IsZero() || q.blocked.Before(next)) {
			next = q.blocked
		}
		keep = append(keep, host)
	}
	// Rotate so the next round starts with another host.
	if len(keep) > 1 {
		keep = append(keep[1:], keep[0])
	}
	f.ring = keep
	return next
}

// start hands a job to a worker of its kind.
func (f *frontier) start(ctx context.Context, b buffered, release func()) bool {
	it, u := b.it, b.u
	if u.Scheme == "" {
		release()
		f.inflight++
		f.results <- result{item: it, outcome: state.Outcome{Status: Failed, Error: "unparsable URL"}}
		return true
	}
	ch := f.pageJobs
	if it.Kind == state.KindImage {
		ch = f.imageJobs
	}
	select {
	case ch <- job{item: it, u: u, release: release}:
		f.inflight++
		return true
	case <-ctx.Done():
		release()
		f.requeueLater(context.WithoutCancel(ctx), it)
		return false
	}
}

func (f *frontier) requeueLater(ctx context.Context, it state.Item) {
	_ = f.c.state.Requeue(ctx, it)
}

// shed hands back buffered items of hosts that cannot go now, so a slow or
// paused host does not hold the buffer (and the breadth-first barrier) while
// other hosts have work.
func (f *frontier) shed(ctx context.Context, now time.Time) error {
	keep := f.ring[:0]
	for _, host := range f.ring {
		q := f.buf[host]
		if q.blocked.Sub(now) < shedAfter {
			keep = append(keep, host)
			continue
		}
		for _, b := range q.items {
			it := b.it
			it.NotBefore = q.blocked
			if err := f.c.state.Requeue(ctx, it); err != nil {
				return err
			}
		}
		f.nbuf -= len(q.items)
		delete(f.buf, host)
	}
	f.ring = keep
	return nil
}

// shedAfter is the shortest host wait worth handing items back for.
const shedAfter = 50 * time.Millisecond

// giveBack returns every buffered item to the state (used on exit).
func (f *frontier) giveBack(ctx context.Context) {
	for host, q := range f.buf {
		for _, b := range q.items {
			_ = f.c.state.Requeue(ctx, b.it)
		}
		delete(f.buf, host)
	}
	f.ring, f.nbuf = nil, 0
}

// handle records a job's result in the state: discovered items first, then
// the acknowledgement, so a crash between the two never loses links.
func (f *frontier) handle(ctx context.Context, r result) error {
	st := f.c.state
	if r.fatal != nil {
		return r.fatal
	}
	if r.aborted {
		return nil
	}
	if r.requeue {
		return st.Requeue(ctx, r.item)
	}
	if len(r.add) > 0 {
		added, err := st.Add(ctx, r.add)
		if err != nil {
			return err
		}
		if r.redirect != nil && len(added) > 0 && !added[0] {
			ev := redirectSeen(r.item, *r.redirect)
			r.ev, r.outcome = &ev, outcomeOf(&ev)
		}
	}
	if err := st.Done(ctx, r.item, r.outcome); err != nil {
		return err
	}
	// Records follow acknowledgements: the manifest never holds a line
	// the state could lose.
	if r.ev != nil {
		f.c.emit(*r.ev)
	}
	return nil
}

// redirectSeen reports a redirect to a URL the crawl has already seen.
func redirectSeen(from, to state.Item) Event {
	origin := from.Origin
	if origin == "" {
		origin = from.URL
	}
	status := Skipped
	err := fmt.Errorf("redirects to %s, already crawled", to.URL)
	if to.URL == origin {
		status, err = Failed, errors.New("redirect loop")
	}
	ev := event(from.Kind, origin, status, err)
	ev.Page, ev.Depth = from.Page, from.Depth
	return ev
}
