package render

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/inspector"
	"github.com/chromedp/chromedp"
)

// errCrashed is the cause of a page's end when its tab's renderer crashed.
var errCrashed = errors.New("the browser tab crashed")

// tab is one browser tab, reused from page to page. Its listener answers
// the requests of the page it is loading (cur). Not safe for concurrent
// use, except for its listener.
type tab struct {
	b      *browser
	cfg    *Config
	ctx    context.Context // the tab's chromedp context
	cancel context.CancelFunc

	mu       sync.Mutex
	cur      *pageState // nil between pages
	closed   bool
	answers  sync.WaitGroup // the goroutines answering paused requests
	gotCrash bool
}

// tabTimeout bounds opening a tab.
const tabTimeout = 20 * time.Second

// newTab opens a tab in b with every request intercepted.
func newTab(ctx context.Context, b *browser, cfg *Config) (*tab, error) {
	tctx, cancel := chromedp.NewContext(b.ctx)
	t := &tab{b: b, cfg: cfg, ctx: tctx, cancel: cancel}
	done := context.AfterFunc(ctx, cancel)
	defer done()
	var late atomic.Bool
	timer := time.AfterFunc(tabTimeout, func() { late.Store(true); cancel() }) // a browser that does not answer
	defer timer.Stop()
	err := chromedp.Listen(tctx, t.onEvent)
	if err == nil {
		_, err = chromedp.Call(tctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*"}}})
	}
	if err != nil {
		t.close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if late.Load() {
			return nil, fmt.Errorf("the browser did not open a tab in %s", tabTimeout)
		}
		return nil, err
	}
	return t, nil
}

// onEvent is the tab's listener. It must not block: requests are answered
// by goroutines of their own, which close waits for.
func (t *tab) onEvent(ev any) {
	switch ev := ev.(type) {
	case *fetch.EventRequestPaused:
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.closed {
			return
		}
		ps := t.cur
		t.answers.Add(1)
		go func() {
			defer t.answers.Done()
			t.answer(ps, ev)
		}()
	case *inspector.EventTargetCrashed:
		t.mu.Lock()
		defer t.mu.Unlock()
		t.gotCrash = true
		if t.cur != nil {
			t.cur.cancel(errCrashed)
		}
	}
}

// crashed reports whether the tab's renderer crashed.
func (t *tab) crashed() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.gotCrash
}

// setPage makes ps (nil: none) the page the listener answers for.
func (t *tab) setPage(ps *pageState) {
	t.mu.Lock()
	t.cur = ps
	t.mu.Unlock()
}

// close closes the tab and waits for its answering goroutines. Safe to
// call more than once.
func (t *tab) close() {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	t.cancel()
	t.answers.Wait()
}

// pageState is what the listener knows of the page a tab is loading.
type pageState struct {
	page   Page
	ctx    context.Context // ends with the try
	cancel context.CancelCauseFunc

	mu         sync.Mutex
	mainServed bool
	inflight   int
	last       time.Time // the last request's start or end
	images     []string
	seen       map[string]bool
	loaded     int
	blocked    int
}

func newPageState(ctx context.Context, cancel context.CancelCauseFunc, p Page) *pageState {
	return &pageState{page: p, ctx: ctx, cancel: cancel, last: time.Now(), seen: make(map[string]bool)}
}

// begin and end count a request in flight.
func (ps *pageState) begin() {
	ps.mu.Lock()
	ps.inflight++
	ps.last = time.Now()
	ps.mu.Unlock()
}

func (ps *pageState) end() {
	ps.mu.Lock()
	ps.inflight--
	ps.last = time.Now()
	ps.mu.Unlock()
}

// poke counts an event of the page (a scroll) as network activity, so that
// a quiet wait after it waits a whole quiet period.
func (ps *pageState) poke() {
	ps.mu.Lock()
	ps.last = time.Now()
	ps.mu.Unlock()
}

// quietFor returns how long no request has been in flight (0 while one is).
func (ps *pageState) quietFor(now time.Time) time.Duration {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.inflight > 0 {
		return 0
	}
	return now.Sub(ps.last)
}

// claimMain reports whether a document request is the page's own: the
// first document the tab asks for once the page is set.
func (ps *pageState) claimMain() bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.mainServed {
		return false
	}
	ps.mainServed = true
	return true
}

// maxImages bounds the image URLs one page reports.
const maxImages = 10000

func (ps *pageState) addImage(u string) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if !ps.seen[u] && len(ps.images) < maxImages {
		ps.seen[u] = true
		ps.images = append(ps.images, u)
	}
}

func (ps *pageState) count(loaded bool) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if loaded {
		ps.loaded++
	} else {
		ps.blocked++
	}
}

// results copies what the listener gathered into r.
func (ps *pageState) results(r *Result) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	r.Images = append([]string(nil), ps.images...)
	r.Loaded, r.Blocked = ps.loaded, ps.blocked
}
