package crawler

import (
	"context"
	"net/url"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"
)

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
	case ch <- job{item: it, u: u, release: sync.OnceFunc(release)}: // a page being rendered releases early
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
