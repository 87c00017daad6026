package render

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// deadProxy is the proxy the browser is started with: nothing listens on
// the discard port, so a request that escaped the interception (a popup's,
// a web socket) fails.
const deadProxy = "http://127.0.0.1:9"

// browser is one Chromium process and its root chromedp context. Tabs are
// made from ctx. It is safe for concurrent use.
type browser struct {
	ctx       context.Context // the browser's root context
	cancel    context.CancelFunc
	allocStop context.CancelFunc
	closed    atomic.Bool
}

// dead reports that the browser was lost or closed: make no tab from it.
func (b *browser) dead() bool { return b.closed.Load() || b.ctx.Err() != nil }

// startBrowser starts a browser process and waits until it answers.
func startBrowser(ctx context.Context, cfg *Config) (*browser, error) {
	opts := append(slices.Clone(chromedp.DefaultExecAllocatorOptions[:]),
		chromedp.ExecPath(cfg.Browser),
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 1024),
		chromedp.ProxyServer(deadProxy),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"), // no implicit bypass for loopback
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("mute-audio", true),
		// One renderer process per site, reused from page to page, and no
		// page kept alive for the back button: a new process for each page
		// (site isolation, the about:blank between pages) doubled the CPU
		// time per page. Isolation protects the user's data in other
		// sites' pages; this browser holds none (cookies live in the
		// crawler), and its pages are thrown away.
		chromedp.Flag("disable-features", "Translate,BlinkGenPropertyTrees,BackForwardCache,IsolateOrigins,site-per-process"),
		chromedp.Flag("disable-site-isolation-trials", true),
		chromedp.Flag("process-per-site", true),
		// Popups open targets that are not intercepted: let the browser
		// block them as it does by default (the proxy stops the rest).
		chromedp.Flag("disable-popup-blocking", false),
	)
	if cfg.UserAgent != "" {
		opts = append(opts, chromedp.UserAgent(cfg.UserAgent))
	}
	// The browser lives as long as the Renderer, not as the Render call
	// that started it: its context is detached from ctx's cancellation.
	actx, astop := chromedp.NewExecAllocator(context.WithoutCancel(ctx), opts...)
	bctx, bcancel := chromedp.NewContext(actx)
	b := &browser{ctx: bctx, cancel: bcancel, allocStop: astop}
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(bctx) }()
	select {
	case err := <-started:
		if err != nil {
			b.close()
			return nil, &StartError{Browser: cfg.Browser, Err: err}
		}
	case <-ctx.Done():
		b.close()
		<-started
		return nil, ctx.Err()
	}
	return b, nil
}

// probeTimeout bounds the wait for a browser's answer to a probe.
const probeTimeout = 5 * time.Second

// responsive reports whether the browser answers a command in time: a
// browser that does not (frozen, swapping) is closed and replaced.
func (b *browser) responsive() bool {
	ctx, cancel := context.WithTimeout(b.ctx, probeTimeout)
	defer cancel()
	_, err := chromedp.CallBrowser(ctx, cdpbrowser.GetVersion, cdp.Empty{})
	return err == nil
}

// close ends the browser and waits for its process, and the processes it
// started, to be gone (chromedp kills those left by their user data
// directory). Safe to call more than once.
func (b *browser) close() {
	b.closed.Store(true)
	b.cancel()
	b.allocStop() // waits for the process and removes its user data directory
}

// StartError is a browser that could not be started (or did not answer):
// a broken installation rather than a page's fault.
type StartError struct {
	Browser string
	Err     error
}

func (e *StartError) Error() string { return fmt.Sprintf("render: start %s: %v", e.Browser, e.Err) }
func (e *StartError) Unwrap() error { return e.Err }
