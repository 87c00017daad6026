package render

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrClosed is returned by Render after Close.
var ErrClosed = errors.New("render: renderer closed")

// Renderer renders pages in one headless browser with a bounded pool of
// reused tabs. Make it with New; Render is safe for concurrent use (at
// most Config.Tabs pages load at once, other callers wait); call Close
// once every Render has returned.
type Renderer struct {
	cfg   Config
	slots chan struct{} // one per tab that may be in use

	mu     sync.Mutex
	b      *browser
	free   []*tab // tabs of b between pages
	closed bool
}

// New checks cfg and finds the browser (an error wrapping ErrNoBrowser
// says how to install one); the browser starts with the first Render.
func New(cfg Config) (*Renderer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Renderer{cfg: cfg, slots: make(chan struct{}, cfg.Tabs)}, nil
}

// Browser returns the path of the browser the Renderer runs.
func (r *Renderer) Browser() string { return r.cfg.Browser }

// Render loads p in a tab and returns what it shows. A page whose tab
// crashes or hangs (PageTimeout) is tried once more in a fresh tab, in a
// fresh browser if the browser died; the error of the second try is
// returned, naming the step that failed. A browser that cannot be started
// is a *StartError, at once. When ctx ends, Render returns its error.
func (r *Renderer) Render(ctx context.Context, p Page) (Result, error) {
	select {
	case r.slots <- struct{}{}:
	case <-ctx.Done():
		return Result{}, ctx.Err()
	}
	defer func() { <-r.slots }()
	var last error
	for try := 1; try <= 2; try++ {
		t, err := r.tab(ctx)
		var se *StartError
		if err != nil && (ctx.Err() != nil || errors.As(err, &se) || errors.Is(err, ErrClosed)) {
			return Result{}, err
		}
		if err != nil { // the browser did not open a tab: replace it
			r.dropBrowser()
			last = err
			continue
		}
		res, err := t.render(ctx, p)
		if err == nil {
			r.put(t)
			res.Tries = try
			return res, nil
		}
		t.close()
		if ctx.Err() != nil {
			return Result{}, ctx.Err()
		}
		switch {
		case t.b.dead():
			err = fmt.Errorf("the browser died: %w", err)
		case t.crashed():
			err = fmt.Errorf("%w: %w", errCrashed, err)
		case !t.b.responsive():
			t.b.close() // the next tab starts a fresh browser
			err = fmt.Errorf("the browser stopped answering: %w", err)
		}
		r.cfg.Logger.Debug("render: try failed", "page", p.URL, "try", try, "err", err)
		last = err
	}
	return Result{}, fmt.Errorf("render: %w (tried twice)", last)
}

// tab returns a free tab, or opens one, starting a browser first when
// there is none or it died.
func (r *Renderer) tab(ctx context.Context) (*tab, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	for len(r.free) > 0 {
		t := r.free[len(r.free)-1]
		r.free = r.free[:len(r.free)-1]
		if !t.b.dead() && t.b == r.b {
			return t, nil
		}
		t.close()
	}
	if r.b == nil || r.b.dead() {
		if r.b != nil {
			r.b.close()
			r.b = nil
		}
		b, err := startBrowser(ctx, &r.cfg)
		if err != nil {
			return nil, err
		}
		r.b = b
	}
	t, err := newTab(ctx, r.b, &r.cfg)
	if err != nil {
		return nil, fmt.Errorf("open a tab: %w", err)
	}
	return t, nil
}

// dropBrowser closes the current browser, so that the next tab starts a
// fresh one.
func (r *Renderer) dropBrowser() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.b != nil {
		r.b.close()
	}
}

// put gives a tab back to the pool.
func (r *Renderer) put(t *tab) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || t.b != r.b {
		t.close()
		return
	}
	r.free = append(r.free, t)
}

// Close ends the browser and waits for its processes to be gone. Call it
// once every Render has returned; it is safe to call more than once.
func (r *Renderer) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, t := range r.free {
		t.close()
	}
	r.free = nil
	if r.b != nil {
		r.b.close()
		r.b = nil
	}
	return nil
}
