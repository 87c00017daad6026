package crawler

import (
	"time"

	"github.com/imgcrawl/imgcrawl/store"
)

// collector is the one goroutine that owns the counters, the manifest and the
// progress display. Workers send it events; it never blocks them for long.
type collector struct {
	events   chan Event
	manifest *store.Manifest
	progress *progress
	onEvent  func(Event)
	sum      Summary
	start    time.Time
	err      error // first manifest write error
}

const maxSummaryErrors = 20

func (c *collector) run(interval time.Duration) {
	tick := time.NewTicker(interval)
	defer tick.Stop()
	flush := time.NewTicker(time.Second)
	defer flush.Stop()
	for {
		select {
		case ev, ok := <-c.events:
			if !ok {
				c.finish()
				return
			}
			c.add(ev)
		case <-tick.C:
			c.progress.update(c.snapshot(), false)
		case <-flush.C:
			c.flush()
		}
	}
}

func (c *collector) snapshot() Summary {
	s := c.sum
	s.Elapsed = time.Since(c.start)
	return s
}

func (c *collector) add(ev Event) {
	switch ev.Status {
	case Parsed:
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
	if c.onEvent != nil {
		c.onEvent(ev)
	}
	c.progress.tick(c.snapshot())
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

func (c *collector) finish() {
	c.flush()
	c.progress.update(c.snapshot(), true)
}
