package index

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// The Writer's defaults.
const (
	DefaultBuffer = 20000 // rows waiting for the database
	DefaultBatch  = 1000  // rows per transaction
)

// WriterConfig configures a Writer. The zero value takes the defaults.
type WriterConfig struct {
	// Buffer is how many rows may wait for the database; when that many
	// wait, Image and Page block (the crawl pauses) until it takes some.
	// 0 = DefaultBuffer.
	Buffer int
	// Batch is the most rows written in one transaction; 0 = DefaultBatch.
	Batch int
	// Linger is how long a batch that is not full waits for more rows
	// before it is written; 0 = 100ms.
	Linger time.Duration
	// RetryMin and RetryMax bound the wait between tries of a write that
	// failed (the database is down or restarting); 0 = 100ms and 10s.
	RetryMin, RetryMax time.Duration
	// Logger receives a warning when writes fail and when the buffer is
	// full, and a note when writes succeed again; default discard.
	Logger *slog.Logger
}

// Writer writes rows into an index in batches, from one goroutine of its
// own, so that whoever hands it rows never waits on the database, until
// the buffer is full. A write that fails is tried again, with backoff,
// until it succeeds or Close gives up: rows are never dropped.
//
// Image and Page are called by one owner (not concurrently with Close);
// Written and Waiting are safe from any goroutine.
type Writer struct {
	ix      *Index
	cfg     WriterConfig
	log     *slog.Logger
	in      chan row
	done    chan struct{}
	ctx     context.Context // the goroutine's; cancelled when Close gives up
	cancel  context.CancelFunc
	written atomic.Int64
	full    atomic.Bool // a full-buffer warning is out, not yet followed by a write
	err     error       // why the goroutine stopped with rows unwritten; read after done
	unsent  int
}

// row is an Image or a Page.
type row struct {
	image *Image
	page  *Page
}

// NewWriter starts a Writer into ix. The caller must Close it.
func NewWriter(ix *Index, cfg WriterConfig) *Writer {
	if cfg.Buffer <= 0 {
		cfg.Buffer = DefaultBuffer
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Linger <= 0 {
		cfg.Linger = 100 * time.Millisecond
	}
	if cfg.RetryMin <= 0 {
		cfg.RetryMin = 100 * time.Millisecond
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 10 * time.Second
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &Writer{ix: ix, cfg: cfg, log: log, in: make(chan row, cfg.Buffer), done: make(chan struct{}),
		ctx: ctx, cancel: cancel}
	go w.run()
	return w
}

// Image hands one image row to the writer. It blocks while the buffer is
// full, until the row fits or ctx ends (its error is returned: the row is
// not written).
func (w *Writer) Image(ctx context.Context, im Image) error { return w.put(ctx, row{image: &im}) }

// Page hands one page row to the writer, as Image does.
func (w *Writer) Page(ctx context.Context, p Page) error { return w.put(ctx, row{page: &p}) }

func (w *Writer) put(ctx context.Context, r row) error {
	select {
	case w.in <- r:
		return nil
	default:
	}
	if !w.full.Swap(true) {
		w.log.Warn("index: the database is behind: the crawl waits until it takes rows again",
			"index", w.ix.String(), "rows_waiting", len(w.in))
	}
	select {
	case w.in <- r:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("index: row not handed to the writer: %w", context.Cause(ctx))
	}
}

// Written returns how many rows were committed so far.
func (w *Writer) Written() int64 { return w.written.Load() }

// Waiting returns how many rows wait in the buffer.
func (w *Writer) Waiting() int { return len(w.in) }

// Close writes the rows still buffered and stops the goroutine. While the
// database is down it keeps trying until ctx ends; then it stops and
// returns an error that says how many rows were not written.
func (w *Writer) Close(ctx context.Context) error {
	close(w.in)
	select {
	case <-w.done:
	case <-ctx.Done():
		w.cancel()
		<-w.done
	}
	w.cancel()
	return w.err
}

// run reads rows into batches and writes them until in is closed.
func (w *Writer) run() {
	defer close(w.done)
	var images []Image
	var pages []Page
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		r, ok := <-w.in
		if !ok {
			return
		}
		images, pages = add(images[:0], pages[:0], r)
		linger.Reset(w.cfg.Linger)
		closed := false
	fill:
		for len(images)+len(pages) < w.cfg.Batch {
			select {
			case r, ok := <-w.in:
				if !ok {
					closed = true
					break fill
				}
				images, pages = add(images, pages, r)
			case <-linger.C:
				break fill
			}
		}
		linger.Stop()
		if err := w.write(images, pages); err != nil {
			w.unsent = len(images) + len(pages)
			for range w.in { // closed by Close, which gave up
				w.unsent++
			}
			w.err = fmt.Errorf("index: %d rows not written (a resumed crawl writes them again): %w", w.unsent, err)
			return
		}
		if closed {
			return
		}
	}
}

func add(images []Image, pages []Page, r row) ([]Image, []Page) {
	if r.image != nil {
		return append(images, *r.image), pages
	}
	return images, append(pages, *r.page)
}

// write writes one batch, trying again while it fails, until w.ctx ends.
func (w *Writer) write(images []Image, pages []Page) error {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval, b.MaxInterval = w.cfg.RetryMin, w.cfg.RetryMax
	failed := 0
	for {
		ctx, cancel := context.WithTimeout(w.ctx, time.Minute)
		err := w.ix.Upsert(ctx, images, pages)
		cancel()
		if err == nil {
			w.written.Add(int64(len(images) + len(pages)))
			if failed > 0 {
				w.log.Info("index: writing again", "index", w.ix.String(), "tries", failed+1)
			}
			if w.full.Swap(false) {
				w.log.Info("index: the database caught up: the crawl goes on", "index", w.ix.String())
			}
			return nil
		}
		if w.ctx.Err() != nil {
			return err
		}
		failed++
		wait := b.NextBackOff()
		if failed == 1 || failed%10 == 0 {
			w.log.Warn("index: write failed, trying again", "index", w.ix.String(), "rows", len(images)+len(pages),
				"tries", failed, "wait", wait.Round(time.Millisecond), "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-w.ctx.Done():
			t.Stop()
			return err
		}
	}
}
