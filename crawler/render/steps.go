package render

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/chromedp/chromedp"
)

// errHung is the cause of a page's end when it overran its time.
var errHung = errors.New("the page did not finish loading in time")

// scrollJS scrolls one viewport down and returns how far down the bottom
// of the viewport is and how tall the document is.
const scrollJS = `(() => {
	const se = document.scrollingElement || document.documentElement;
	window.scrollBy(0, Math.max(200, window.innerHeight));
	return [window.scrollY + window.innerHeight, se ? se.scrollHeight : 0];
})()`

// heightJS returns how tall the document is.
const heightJS = `(document.scrollingElement || document.documentElement).scrollHeight`

// collectJS returns the rendered DOM, the document's address and the
// background images of the computed styles of its first elements.
const collectJS = `(() => {
	const bg = new Set();
	const els = document.querySelectorAll('*');
	const n = Math.min(els.length, 20000);
	const re = /url\("((?:[^"\\]|\\.)*)"\)/g;
	for (let i = 0; i < n; i++) {
		for (const pseudo of [null, '::before', '::after']) {
			const v = getComputedStyle(els[i], pseudo).backgroundImage;
			if (!v || v === 'none') continue;
			for (const m of v.matchAll(re)) bg.add(m[1].replace(/\\(.)/g, '$1'));
		}
	}
	return {html: document.documentElement.outerHTML, url: location.href, backgrounds: [...bg]};
})()`

// collected is collectJS's answer.
type collected struct {
	HTML        string   `json:"html"`
	URL         string   `json:"url"`
	Backgrounds []string `json:"backgrounds"`
}

// render loads p in the tab, waits for its network to go quiet, scrolls
// it down and collects what it shows. An error means the tab cannot be
// trusted with another page.
func (t *tab) render(ctx context.Context, p Page) (Result, error) {
	cfg := t.cfg
	pctx, cancel := context.WithCancelCause(t.ctx)
	defer cancel(nil)
	stop := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	defer stop()
	timer := time.AfterFunc(cfg.PageTimeout, func() { cancel(fmt.Errorf("%w (%s)", errHung, cfg.PageTimeout)) })
	defer timer.Stop()

	ps := newPageState(pctx, cancel, p)
	t.setPage(ps)
	defer t.setPage(nil)
	fail := func(step string, err error) (Result, error) {
		if cause := context.Cause(pctx); cause != nil {
			err = cause
		}
		return Result{}, fmt.Errorf("%s: %w", step, err)
	}

	if err := chromedp.Do(pctx, chromedp.Navigate(p.URL)); err != nil {
		return fail("load", err)
	}
	if err := t.waitQuiet(pctx, ps, cfg.Quiet, cfg.QuietMax); err != nil {
		return fail("wait", err)
	}
	if err := t.scroll(pctx, ps); err != nil {
		return fail("scroll", err)
	}
	c, err := chromedp.Run(pctx, chromedp.Evaluate[collected](collectJS))
	if err != nil {
		return fail("collect", err)
	}
	res := Result{URL: c.URL, HTML: []byte(c.HTML), Backgrounds: c.Backgrounds}
	if res.URL == "" || res.URL == "about:blank" {
		res.URL = p.URL
	}
	ps.results(&res)
	// Leave the page, so that its timers stop spending the CPU.
	if err := chromedp.Do(pctx, chromedp.Navigate("about:blank")); err != nil {
		return fail("unload", err)
	}
	return res, nil
}

// waitQuiet waits until no request of ps has been in flight for quiet, or
// for max at most (a page that polls never goes quiet: that is no error).
func (t *tab) waitQuiet(ctx context.Context, ps *pageState, quiet, max time.Duration) error {
	const poll = 25 * time.Millisecond
	deadline := time.Now().Add(max)
	tick := time.NewTicker(poll)
	defer tick.Stop()
	for {
		now := time.Now()
		if ps.quietFor(now) >= quiet || !now.Before(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
}

// scroll scrolls the page down a viewport at a time, waiting for the
// network to go quiet after each step, until the bottom of the page is in
// view and stays there once the page's requests are over (an infinite
// scroll that stops growing), MaxHeight or ScrollBudget.
func (t *tab) scroll(ctx context.Context, ps *pageState) error {
	cfg := t.cfg
	deadline := time.Now().Add(cfg.ScrollBudget)
	stepQuiet := max(cfg.Quiet/2, 50*time.Millisecond)
	for time.Now().Before(deadline) {
		pos, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](scrollJS))
		if err != nil {
			return err
		}
		ps.poke()
		if err := t.waitQuiet(ctx, ps, stepQuiet, min(cfg.QuietMax, time.Until(deadline))); err != nil {
			return err
		}
		if len(pos) != 2 || pos[0] >= float64(cfg.MaxHeight) {
			return nil
		}
		if pos[0] < pos[1]-1 {
			continue
		}
		// At the bottom: done, unless the page grows within a whole quiet
		// period (an infinite scroll's observer, its fetch and its
		// insertion can take longer than a step's wait on a busy machine).
		ps.poke()
		if err := t.waitQuiet(ctx, ps, cfg.Quiet, min(cfg.QuietMax, time.Until(deadline))); err != nil {
			return err
		}
		h, err := chromedp.Run(ctx, chromedp.Evaluate[float64](heightJS))
		if err != nil {
			return err
		}
		if h <= pos[1] {
			return nil
		}
	}
	return nil
}
