package crawler

import (
	"context"
	"encoding/json"
	"path/filepath"
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
	return &indexer{w: w, ctx: ctx, crawlID: c.crawlID, out: out}
}

// event hands the rows of one event to the writer: an image's, or a
// page's. A row that cannot be handed over because the crawl was
// cancelled while the buffer was full is left to the next run's re-sync.
func (x *indexer) event(ev *Event) {
	switch ev.Kind {
	case KindImage:
		x.image(entry(ev))
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
