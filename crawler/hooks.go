package crawler

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"runtime/debug"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// Hooks let a program steer a crawl: skip URLs, change requests, judge
// responses, and read pages with CSS selectors. Every field is optional; the
// zero value changes nothing.
//
// Hooks run on the crawl's worker goroutines (Filter on sitemap entries, on
// the goroutine reading sitemaps), many at once: a hook must be safe for
// concurrent use. A hook may block, on a lock or a request of its own, but
// it holds a worker meanwhile, and must return soon after ctx is done
// (Filter, which has no ctx, must not block). A hook must not keep what it
// is handed (a *Request's Header, an *Element or its Selection) after it
// returns: they are reused or freed. A hook that panics fails the URL whose
// worker ran it (a *HookPanic, in its event); the crawl goes on.
type Hooks struct {
	// Filter is asked about every URL a crawl finds before it is queued:
	// the links, images and style sheets of pages, the targets of redirects
	// and meta refreshes, what style sheets and sitemaps name, and what HTML
	// hooks add. It is asked after the crawl's own rules (scope, Include,
	// Exclude, Depth, SkipExtensions) let the URL through; false skips it,
	// silently (a redirect whose target is skipped ends Skipped, with
	// ErrFiltered). It is not asked about the seeds or the URLs of a get
	// (Config.Images), which the caller chose.
	Filter func(Link) bool
	// OnRequest is called before each request for a page, image or style
	// sheet (not robots.txt, not sitemaps), retries included. It may add
	// headers to r.Header. An error wrapping ErrSkip ends the URL Skipped,
	// any other error ends it Failed; either way nothing is requested.
	OnRequest func(ctx context.Context, r *Request) error
	// OnResponse is called with each response's status and headers, before
	// its body is read (every status, redirects included). An error wrapping
	// ErrSkip ends the URL Skipped, any other error Failed; the body is then
	// not read.
	OnResponse func(ctx context.Context, r *Response) error
	// HTML are run on each HTML page parsed, in order: each hook's Func is
	// called once per element its Selector matches, in document order. The
	// selectors are compiled by New (a bad one is a *ConfigError naming
	// "hooks"). They are not run on a page the HTML parser refuses (nested
	// deeper than 512 elements), whose references are read from its tokens.
	HTML []HTMLHook
}

// HTMLHook runs Func on every element of a page that Selector (CSS, as
// goquery.Selection.Find takes it) matches: colly's OnHTML.
type HTMLHook struct {
	Selector string
	Func     func(ctx context.Context, e *Element)
}

// Link is a URL found by the crawl, as Hooks.Filter sees it.
type Link struct {
	URL   *url.URL // normalized; the hook must not modify it
	Kind  Kind     // KindPage, KindImage or KindStylesheet
	Depth int      // the link depth it would be crawled at (a seed is 0)
	Page  string   // the page, style sheet or sitemap that named it
}

// Request is a request about to be sent, as Hooks.OnRequest sees it.
type Request struct {
	URL     *url.URL // the hook must not modify it
	Kind    Kind
	Depth   int
	Page    string // the page that named the URL; "" for a seed
	Attempt int    // 0 for the first try, then 1, 2, ... for retries
	// Header holds headers for this request alone, sent on top of (and
	// winning over) Config.Fetch.Header. It may hold a Range header already
	// (a resumed download). Credentials set here go where the hook sends
	// them, unlike Fetch.Header's.
	Header http.Header
}

// Response is a response's head, as Hooks.OnResponse sees it. The hook must
// not modify it.
type Response struct {
	Request    *Request
	StatusCode int
	Header     http.Header
}

// ErrSkip, returned (or wrapped) by Hooks.OnRequest or Hooks.OnResponse,
// skips the URL: it ends Skipped rather than Failed.
var ErrSkip = errors.New("skipped by a hook")

// ErrFiltered is the reason of a redirect skipped because Hooks.Filter
// refused its target.
var ErrFiltered = errors.New("refused by the filter hook")

// HookPanic is the error of a URL whose hook panicked.
type HookPanic struct {
	Hook  string // "filter", "request", "response" or "html SELECTOR"
	URL   string // the URL being processed
	Value any    // what the hook panicked with
	Stack []byte // the goroutine's stack at the panic
}

func (e *HookPanic) Error() string {
	return fmt.Sprintf("crawler: %s hook panicked on %s: %v", e.Hook, fetch.Redact(e.URL), e.Value)
}

// guard calls f, turning a panic into a *HookPanic for the URL u.
func guard(hook, u string, f func()) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &HookPanic{Hook: hook, URL: u, Value: v, Stack: debug.Stack()}
		}
	}()
	f()
	return nil
}

// hookErr makes the result of an item whose OnRequest or OnResponse hook
// returned err.
func (c *Crawler) hookErr(ctx context.Context, it state.Item, hook string, err error) result {
	switch {
	case ctx.Err() != nil:
		return result{item: it, aborted: true} // taken up again by the next run
	case errors.Is(err, ErrSkip):
		return c.finish(it, Skipped, err)
	}
	var hp *HookPanic
	if !errors.As(err, &hp) {
		err = fmt.Errorf("%s hook: %w", hook, err)
	}
	return c.failed(it, err)
}

// onRequest runs Hooks.OnRequest for a request of it; hdr is the request's
// own header, which the hook may add to (it is made when nil).
func (c *Crawler) onRequest(ctx context.Context, it state.Item, u *url.URL, hdr http.Header) (*Request, http.Header, error) {
	if c.s.Hooks.OnRequest == nil {
		return nil, hdr, nil
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	r := &Request{URL: u, Kind: it.Kind, Depth: it.Depth, Page: it.Page, Attempt: it.Attempt, Header: hdr}
	var err error
	if perr := guard("request", it.URL, func() { err = c.s.Hooks.OnRequest(ctx, r) }); perr != nil {
		err = perr
	}
	return r, hdr, err
}

// onResponse runs Hooks.OnResponse for the response resp to a request of it.
func (c *Crawler) onResponse(ctx context.Context, it state.Item, u *url.URL, req *Request, resp *http.Response) error {
	if c.s.Hooks.OnResponse == nil {
		return nil
	}
	if req == nil {
		req = &Request{URL: u, Kind: it.Kind, Depth: it.Depth, Page: it.Page, Attempt: it.Attempt, Header: http.Header{}}
	}
	r := &Response{Request: req, StatusCode: resp.StatusCode, Header: resp.Header}
	var err error
	if perr := guard("response", it.URL, func() { err = c.s.Hooks.OnResponse(ctx, r) }); perr != nil {
		err = perr
	}
	return err
}

// admit asks Hooks.Filter about one item; a panic is returned as an error.
func (c *Crawler) admit(it state.Item, by string) (ok bool, err error) {
	f := c.s.Hooks.Filter
	if f == nil {
		return true, nil
	}
	u, perr := url.Parse(it.URL)
	if perr != nil {
		return false, nil // never happens: items hold normalized URLs
	}
	err = guard("filter", by, func() { ok = f(Link{URL: u, Kind: it.Kind, Depth: it.Depth, Page: it.Page}) })
	return ok, err
}

// filter applies Hooks.Filter to what a job found (r.add), on the worker
// that ran the job: a refused redirect target ends the redirect Skipped; a
// panic fails the job's URL.
func (c *Crawler) filter(r result) result {
	if c.s.Hooks.Filter == nil || len(r.add) == 0 || r.fatal != nil {
		return r
	}
	kept := r.add[:0]
	for _, it := range r.add {
		ok, err := c.admit(it, r.item.URL)
		if err != nil {
			c.s.Logger.Warn("hook panicked", "err", err)
			return c.failed(r.item, err)
		}
		if ok {
			kept = append(kept, it)
		} else if r.redirect != nil && it.Key == r.redirect.Key {
			return c.finish(r.item, Skipped, fmt.Errorf("%w: redirect to %s", ErrFiltered, fetch.Redact(it.URL)))
		}
	}
	r.add = kept
	return r
}
