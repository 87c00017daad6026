package crawler

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/index"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// indexer feeds Config.Index from what the state acknowledged: the
// collector hands it each event, a resumed crawl first the state's
// records. Its index.Writer writes them off the collector's goroutine; a
// full buffer blocks the collector, and so the crawl.
type indexer struct {
	w       *index.Writer
	ctx     context.Context // the caller's: a cancelled crawl stops waiting for room
	crawlID string
	out     string // the absolute OUT, for the rows' out_dir

	// deferAcks is set for a state that keeps no records to re-sync from
	// (a shared Redis job): there an image is acknowledged only once its
	// row is committed (ackAfterWrite), so that a worker killed at any
	// moment loses no row: what it had not acknowledged, another worker
	// does again.
	deferAcks bool
	mu        sync.Mutex
	acks      []deferredAck // committed, to be acknowledged by the frontier
	ackReady  chan struct{} // a signal (capacity 1) that acks has some
}

// deferredAck is an image result whose row is committed: the frontier
// acknowledges it in the state, then sends its event on.
type deferredAck struct {
	item state.Item
	out  state.Outcome
	ev   Event
}

// newIndexer starts the writer of a run with an index; nil without one.
func (c *Crawler) newIndexer(ctx context.Context) *indexer {
	if c.s.Index == nil {
		return nil
	}
	out, err := filepath.Abs(c.s.Out)
	if err != nil {
		out = c.s.Out
	}
	w := index.NewWriter(c.s.Index, index.WriterConfig{Buffer: c.s.IndexBuffer, Logger: c.s.Logger})
	_, recorder := c.s.State.(state.Recorder)
	return &indexer{w: w, ctx: ctx, crawlID: c.crawlID, out: out, deferAcks: !recorder, ackReady: make(chan struct{}, 1)}
}

// ackAfterWrite hands an image result's row to the writer; once it is
// committed, the result waits in acks for the frontier. A cancelled crawl
// leaves it unacknowledged: done again by the next run or another worker.
func (x *indexer) ackAfterWrite(it state.Item, out state.Outcome, ev Event) {
	ev.indexed = true
	_ = x.w.ImageThen(x.ctx, index.ImageOf(x.crawlID, x.out, entry(&ev)), func() {
		x.mu.Lock()
		x.acks = append(x.acks, deferredAck{it, out, ev})
		x.mu.Unlock()
		select {
		case x.ackReady <- struct{}{}:
		default:
		}
	})
}

// takeAcks returns the committed results waiting for acknowledgement.
func (x *indexer) takeAcks() []deferredAck {
	x.mu.Lock()
	defer x.mu.Unlock()
	a := x.acks
	x.acks = nil
	return a
}

// event hands the rows of one event to the writer: an image's, or a
// page's. A row that cannot be handed over because the crawl was
// cancelled while the buffer was full is left to the next run's re-sync.
func (x *indexer) event(ev *Event) {
	switch ev.Kind {
	case KindImage:
		if !ev.indexed {
			x.image(entry(ev))
		}
	case KindPage:
		_ = x.w.Page(x.ctx, index.Page{CrawlID: x.crawlID, URLKey: state.KeyOf(ev.URL).String(), URL: ev.URL,
			Depth: ev.Depth, Status: ev.Status, FetchedAt: ev.FetchedAt})
	}
}

func (x *indexer) image(e store.Entry) {
	_ = x.w.Image(x.ctx, index.ImageOf(x.crawlID, x.out, e))
}

// record hands over the row of one manifest line a state kept.
func (x *indexer) record(line []byte) {
	var e store.Entry
	if json.Unmarshal(line, &e) == nil && e.URL != "" {
		x.image(e)
	}
}

// close writes what is buffered and stops the writer, returning the rows
// written. While the crawl goes on (ctx live) it waits for a database that
// is down; after a cancel it tries for a few seconds more, and what is not
// written by then a resumed crawl writes again.
func (x *indexer) close(ctx context.Context) (int64, error) {
	if ctx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
	}
	err := x.w.Close(ctx)
	return x.w.Written(), err
}
