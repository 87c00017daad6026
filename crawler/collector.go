package crawler

import (
	"context"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// collector is the one goroutine that owns the counters, the manifest, the
// progress display and the status snapshot. Workers send it events; it
// never blocks them for long.
type collector struct {
	events   chan Event
	manifest *store.Manifest
	index    *indexer // nil: no index
	progress *progress
	onEvent  func(Event)
	sum      Summary
	start    time.Time
	err      error // first manifest write error

	meter *meter
	// counts asks the state for its counts; the collector samples them every
	// sampleEvery (never per event), for the display and the snapshot.
	counts      func(context.Context) (state.Counts, error)
	sampled     *state.Counts
	lastSample  time.Time
	sampleEvery time.Duration
	rates       rateWindow
	snap        *snapshotter // nil: no snapshot
}

const maxSummaryErrors = 20

// run collects events until the channel closes, refreshing the display
// and sampling every tick.
func (c *collector) run(tick time.Duration) {
	c.rates.add(sample{at: c.start})
	c.sampleCounts(c.start)
	ticker := time.NewTicker(tick)
	defer ticker.Stop()
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.flush()
				return
			}
			c.add(ev)
		case now := <-ticker.C:
			c.refresh(now)
		case <-flush.C:
			c.flush()
		}
	}
}

// refresh samples the counters, redraws the display and, when due, the
// state's counts and the snapshot.
func (c *collector) refresh(now time.Time) {
	c.rates.add(sample{at: now, requests: c.meter.requests.Load(), bytes: c.meter.bytesIn.Load(), ends: c.ended()})
	if now.Sub(c.lastSample) >= c.sampleEvery {
		c.sampleCounts(now)
	}
	r := c.reading(now)
	c.progress.update(r, now)
	if c.snap != nil {
		c.snap.maybeWrite(r, now)
	}
}

// sampleCounts asks the state for its counts, briefly: a slow shared
// state keeps the last sample rather than holding up the events.
func (c *collector) sampleCounts(now time.Time) {
	c.lastSample = now
	if c.counts == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if cnt, err := c.counts(ctx); err == nil {
		c.sampled = &cnt
	}
}

// ended counts the listed URLs (a get) that ended or were found done.
func (c *collector) ended() int64 { return c.sum.Seeds + c.meter.alreadyDone.Load() }

// reading is what the display and the snapshot show now.
func (c *collector) reading(now time.Time) reading {
	s := c.sum
	s.Elapsed = now.Sub(c.start)
	r := reading{sum: s, counts: c.sampled, ended: c.ended()}
	r.reqRate, r.byteRate, r.endRate, r.span = c.rates.rates()
	return r
}

func (c *collector) add(ev Event) {
	switch ev.Status {
	case Parsed:
		if ev.Kind == KindStylesheet {
			c.sum.Stylesheets++
			break
		}
		c.sum.Pages++
	case Saved:
		c.sum.Images++
		c.sum.Bytes += ev.Bytes
	case Duplicate:
		c.sum.Duplicates++
	case Skipped:
		c.sum.Skipped++
	case Failed:
		c.sum.Failed++
		if len(c.sum.Errors) < maxSummaryErrors {
			c.sum.Errors = append(c.sum.Errors, failure(&ev))
		}
	}
	if ev.Page == "" { // a URL the caller gave: a seed, or a listed image
		c.seed(&ev)
	}
	if ev.Kind == KindImage && c.manifest != nil && c.err == nil {
		line := ev.line
		if line == nil { // an image that never was a state item (a bad URL)
			line = manifestLine(&ev)
		}
		c.err = c.manifest.WriteLine(line)
	}
	if c.index != nil {
		c.index.event(&ev)
	}
	if c.onEvent != nil {
		c.onEvent(ev)
	}
}

// seed counts a seed's end, and why it was not fetched.
func (c *collector) seed(ev *Event) {
	c.sum.Seeds++
	if fetched(ev) {
		c.sum.SeedsFetched++
	} else if len(c.sum.SeedFailures) < maxSummaryErrors {
		c.sum.SeedFailures = append(c.sum.SeedFailures, failure(ev))
	}
}

func (c *collector) flush() {
	if c.manifest != nil && c.err == nil {
		c.err = c.manifest.Flush()
	}
}

// finish draws the final display and writes the last snapshot, once Run
// knows the run's summary and the state's final counts.
func (c *collector) finish(sum Summary, now time.Time) {
	c.rates.add(sample{at: now, requests: c.meter.requests.Load(), bytes: c.meter.bytesIn.Load(), ends: c.ended()})
	r := c.reading(now)
	r.sum, r.counts = sum, &sum.Total
	c.progress.finish(r, c.meter.requests.Load(), c.meter.bytesIn.Load())
	if c.snap != nil {
		c.snap.write(r, now, false)
	}
}
