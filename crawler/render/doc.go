// Package render loads pages in a headless Chromium, driven with chromedp,
// for the crawler's --render: pages whose images exist only after their
// scripts have run, appear as the reader scrolls, or sit in a lazy loader.
//
// A Renderer owns one browser, started on the first Render (a crawl that
// renders nothing never starts one), and a bounded pool of tabs reused from
// page to page. Render loads one page from the document the caller already
// fetched, waits for its network to go quiet, scrolls it down in steps, and
// returns the rendered DOM, the background images of its computed styles
// and the images it asked for.
//
// Every request the browser makes is paused (the DevTools Fetch domain)
// and answered here, never by the browser's own network stack: documents,
// scripts, style sheets and XHR by the caller's Loader, which applies the
// crawler's rules (robots.txt, address policy, politeness, size caps);
// images with a one-pixel placeholder, their URLs reported for the caller
// to fetch once; fonts, media and known trackers are refused. The browser
// is also started with a proxy that does not exist, so that a request the
// interception could miss (a popup's, a WebSocket) reaches nothing.
//
// A tab that crashes or hangs is closed and the page tried once more in a
// fresh tab, in a fresh browser if the browser died; a second failure is
// the page's error. Close ends the browser and every process it started.
// If the crawler dies without Close (kill -9), the browser exits when its
// DevTools pipe closes, and on Linux is also sent SIGKILL (Pdeathsig, set
// by chromedp); its children follow it.
//
// Files:
//   - config.go: Config, its defaults, and finding the browser.
//   - types.go: Page, Request, Response and Result.
//   - renderer.go: Renderer, the tab pool, retries.
//   - browser.go: starting and ending one browser process.
//   - tab.go: one tab and the state of the page it is loading.
//   - intercept.go: answering each paused request.
//   - steps.go: the steps of one page: load, quiet, scroll, collect.
//   - block.go: the hosts of known trackers.
package render
