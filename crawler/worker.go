package crawler

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
)

// worker runs jobs until jobs is closed. Pages and images have pools of
// their own, but the same loop.
func (c *Crawler) worker(ctx context.Context, jobs <-chan job, results chan<- result) {
	for j := range jobs {
		r := c.process(ctx, j)
		j.release()
		results <- c.filter(r) // the filter needs no host slot
	}
}

func (c *Crawler) process(ctx context.Context, j job) result {
	it := j.item
	if r, stop := c.obeyRobots(ctx, j); stop {
		return r
	}
	max := c.s.MaxPageSize
	switch it.Kind {
	case state.KindImage:
		max = noCap // the store enforces max-size, so an image over it is skipped with the reason
	case state.KindStylesheet:
		max = c.s.MaxStylesheetSize
	}
	var hdr http.Header
	partial, resuming := (*store.Partial)(nil), false
	if it.Kind == state.KindImage {
		if partial, resuming = c.writer.LoadPartial(it.Key); resuming {
			hdr = http.Header{"Range": {fmt.Sprintf("bytes=%d-", partial.Size)}, "If-Range": {partial.Validator}}
		}
	}
	known, isKnown := c.known(ctx, it)
	if isKnown && !c.s.Revalidate {
		return c.finish(it, Skipped, knownSkip(known, "known"))
	}
	if isKnown && !resuming {
		hdr = conditional(known)
	}
	req, hdr, err := c.onRequest(ctx, it, j.u, hdr)
	if err != nil {
		return c.hookErr(ctx, it, "request", err)
	}
	c.meter.requests.Add(1)
	u := j.u // url.Parse(it.URL), unless that failed (no scheme): then get parses it to say why
	if u.Scheme == "" {
		u = nil
	}
	resp, err := c.getParsed(ctx, it.URL, u, hdr, max, it.Kind.PageLike())
	if err != nil {
		var une *fetch.UnreachableError
		if errors.As(err, &une) {
			return c.unreachable(it, une)
		}
		return c.retry(ctx, it, nil, err)
	}
	resp.Body = countingBody{resp.Body, &c.meter.bytesIn}
	defer resp.Body.Close()
	if err := c.onResponse(ctx, it, j.u, req, resp); err != nil {
		fetch.DrainAndClose(resp.Body)
		return c.hookErr(ctx, it, "response", err)
	}
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		fetch.DrainAndClose(resp.Body)
		return c.redirect(j, resp.Header.Get("Location"))
	case code == http.StatusNotModified && isKnown && hdr != nil:
		fetch.DrainAndClose(resp.Body)
		return c.finish(it, Skipped, knownSkip(known, "not modified"))
	case code == http.StatusRequestedRangeNotSatisfiable && resuming:
		// The kept bytes do not fit the file any more: start over.
		fetch.DrainAndClose(resp.Body)
		c.writer.DropPartial(it.Key)
		return c.later(it, time.Now())
	case code < 200 || code >= 300:
		fetch.DrainAndClose(resp.Body)
		return c.retry(ctx, it, resp, &fetch.StatusError{URL: it.URL, Code: code})
	}
	if it.Kind == state.KindStylesheet {
		return c.stylesheet(ctx, j, resp)
	}
	if it.Kind == state.KindPage {
		switch kind, why := classifyLinked(resp); kind {
		case linkedPage:
			return c.page(ctx, j, resp)
		case linkedOther:
			return c.finish(it, Skipped, errors.New(why)) // the body is closed unread: not drained
		}
	}
	// An image, or a "page" that turned out to be one (a link to a file).
	offset := int64(0)
	if resuming && resp.StatusCode == http.StatusPartialContent && rangeStart(resp) == partial.Size {
		offset = partial.Size
	}
	return c.image(ctx, j, resp, offset)
}

// obeyRobots asks robots.txt about j and sets the host's Crawl-delay; stop
// reports that the job ends here, with result r (disallowed, or robots.txt
// unavailable: failed, or tried again later).
func (c *Crawler) obeyRobots(ctx context.Context, j job) (r result, stop bool) {
	it := j.item
	if c.s.IgnoreRobots {
		return result{}, false
	}
	allowed, delay, err := c.robots.Check(ctx, j.u)
	if err != nil {
		if ctx.Err() != nil {
			return result{item: it, aborted: true}, true
		}
		var ue *fetch.RobotsUnavailableError
		var pe *fetch.PolicyError
		var une *fetch.UnreachableError
		if errors.As(err, &pe) {
			return c.failed(it, err), true // the host itself is refused: robots.txt cannot help
		}
		if errors.As(err, &une) {
			return c.unreachable(it, une), true // the host's budget, not the URL's, paces it
		}
		if errors.As(err, &ue) {
			if ue.Err != nil && !fetch.Retryable(ue.Err) {
				return c.failed(it, err), true // no such host, a TLS failure: asking again will not help
			}
			// The host is disallowed until robots.txt can be read; ask
			// again later, a few times, then give the URL up.
			if it.Attempt++; it.Attempt > c.s.Retries {
				if it.Attempt > 1 {
					err = fmt.Errorf("after %d attempts: %w", it.Attempt, err)
				}
				return c.failed(it, err), true
			}
			return c.later(it, ue.RetryAt), true
		}
		return c.failed(it, err), true
	}
	if delay > 0 {
		c.hosts.SetCrawlDelay(j.u.Host, delay)
	}
	if !allowed {
		return c.finish(it, Skipped, ErrRobots), true
	}
	return result{}, false
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// rangeStart returns the first byte position of a 206's Content-Range, or -1.
func rangeStart(resp *http.Response) int64 {
	var start, end, size int64
	if _, err := fmt.Sscanf(resp.Header.Get("Content-Range"), "bytes %d-%d/%d", &start, &end, &size); err != nil {
		return -1
	}
	return start
}

// validator returns what If-Range can check a resumed download against.
func validator(resp *http.Response) string {
	if etag := resp.Header.Get("ETag"); etag != "" && !strings.HasPrefix(etag, "W/") {
		return etag
	}
	return resp.Header.Get("Last-Modified")
}

const noCap = 1 << 62

// page parses an HTML page and reports its links, images and style
// sheets, and the page its meta refresh leads to.
func (c *Crawler) page(ctx context.Context, j job, resp *http.Response) result {
	it := j.item
	opt := extract.Options{Largest: c.s.Srcset == SrcsetLargest}
	var hooks *pageHooks
	if len(c.s.html) > 0 {
		hooks = &pageHooks{hooks: c.s.html, url: j.u, depth: it.Depth}
		opt.Document = func(doc *goquery.Document, base *url.URL) { hooks.run(ctx, doc, base) }
	}
	var ex extract.Result
	var err error
	if c.renderer == nil {
		ex, err = opt.HTML(resp.Body, resp.Header.Get("Content-Type"), j.u)
	} else {
		ex, err = c.readPage(ctx, j, resp, opt)
	}
	var rerr *RenderError
	var serr *render.StartError
	if errors.As(err, &serr) {
		return result{item: it, fatal: err} // no page can be rendered
	}
	if errors.As(err, &rerr) && ctx.Err() == nil {
		err = nil // fail the page below, after what its HTML names
	}
	if err != nil {
		return c.retry(ctx, it, nil, err)
	}
	if hooks != nil {
		if ctx.Err() != nil {
			return result{item: it, aborted: true}
		}
		if hooks.err != nil {
			c.s.Logger.Warn("hook panicked", "err", hooks.err)
			return c.failed(it, hooks.err)
		}
		ex.Links = append(ex.Links, hooks.pages...)
		ex.Images = append(ex.Images, hooks.images...)
	}
	add := make([]state.Item, 0, len(ex.Links)+len(ex.Images)+len(ex.Stylesheets)+1)
	// Style sheets first: a URL the page also links to (with an empty
	// skip list) is read as the style sheet it is.
	add = c.sheets(add, it, ex.Stylesheets, ex.Encoding)
	if ex.Refresh != nil {
		if next, err := c.refresh(it, ex.Refresh); err != nil {
			c.s.Logger.Debug("meta refresh not followed", "page", fetch.Redact(it.URL), "err", err)
		} else {
			add = append(add, next)
		}
	}
	for _, l := range ex.Links {
		s := l.String()
		if extract.LooksLikeImage(l.Path) {
			add = append(add, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindImage, Depth: it.Depth, Page: it.URL})
			continue
		}
		if it.Depth+1 > c.s.Depth || c.skipLink(l.Path) || !c.follow(l, s) {
			continue
		}
		add = append(add, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindPage, Depth: it.Depth + 1, Page: it.URL})
	}
	for _, im := range ex.Images {
		s := im.String()
		add = append(add, state.Item{Key: state.KeyOf(s), URL: s, Kind: state.KindImage, Depth: it.Depth, Page: it.URL})
	}
	r := c.finish(it, Parsed, nil)
	if rerr != nil {
		r = c.failed(it, rerr)
	}
	r.add = add
	return r
}

// image streams an image body to disk.
func (c *Crawler) image(ctx context.Context, j job, resp *http.Response, offset int64) result {
	it := j.item
	img := store.Image{Key: it.Key, URL: j.u, ContentLength: resp.ContentLength,
		ContentDisposition: resp.Header.Get("Content-Disposition")}
	if img.ContentLength >= 0 {
		img.ContentLength += offset
	}
	var res store.Result
	var err error
	v := validator(resp)
	if offset > 0 || (v != "" && img.ContentLength >= c.s.ResumeAbove && it.Kind == state.KindImage) {
		res, err = c.writer.SaveResumable(ctx, img, v, offset, resp.Body)
	} else {
		res, err = c.writer.Save(ctx, img, resp.Body)
	}
	if err != nil {
		var we *store.WriteError
		if errors.As(err, &we) {
			return result{item: it, fatal: err}
		}
		return c.retry(ctx, it, nil, err)
	}
	if it.Kind == KindPage && res.Status == Skipped {
		// A linked page typed as an image that the writer skips.
		return c.finish(it, Skipped, fmt.Errorf("%s: %s", res.Reason, resp.Header.Get("Content-Type")))
	}
	ev := Event{Kind: KindImage, Result: res, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified")}
	if res.Reason != "" {
		ev.Err = errors.New(res.Reason)
	}
	return c.report(it, ev)
}

// redirect reports the target of a redirect as a new item of the same kind
// and depth; the frontier's seen set stops loops and repeats.
func (c *Crawler) redirect(j job, loc string) result {
	it := j.item
	target, err := urlnorm.Resolve(j.u, loc)
	if err != nil {
		return c.failed(it, fmt.Errorf("bad redirect to %q: %w", loc, err))
	}
	next, status, err := c.hop(it, target)
	if err != nil {
		return c.finish(it, status, err)
	}
	next.Page, next.Origin = it.Page, cmp.Or(it.Origin, it.URL)
	return result{item: it, add: []state.Item{next}, redirect: &next, outcome: state.Outcome{Status: state.Redirected}}
}

// refresh returns the page that the meta refresh of it, a parsed page,
// leads to: followed like a redirect (see hop), but named by it, which
// keeps its own event; an error says why not. A target seen already is
// dropped by the frontier's seen set, silently: it, unlike a redirect, was
// a page.
func (c *Crawler) refresh(it state.Item, target *url.URL) (state.Item, error) {
	next, _, err := c.hop(it, target)
	next.Page = it.URL
	return next, err
}

// hop returns the item a redirect or a meta refresh of it to target leads
// to: of the same kind and depth (not one deeper, as a link), one hop
// further, counted against MaxRedirects. A page's target must be in scope
// and not have an extension in the skip list; an image's or a style
// sheet's may be anywhere (a style sheet's keeps its fallback encoding).
// On error, status is what becomes of a redirect that is not followed.
func (c *Crawler) hop(it state.Item, target *url.URL) (state.Item, Status, error) {
	if it.Hops+1 > c.s.MaxRedirects {
		return state.Item{}, Failed, fmt.Errorf("more than %d redirects", c.s.MaxRedirects)
	}
	s := target.String()
	if it.Kind == state.KindPage && !c.follow(target, s) {
		return state.Item{}, Skipped, fmt.Errorf("%w to %s", ErrOutOfScope, fetch.Redact(s))
	}
	if it.Kind == state.KindPage && c.skipLink(target.Path) {
		err := fmt.Errorf("redirects to %s, whose extension is in the skip list", fetch.Redact(s))
		return state.Item{}, Skipped, err
	}
	next := state.Item{Key: state.KeyOf(s), URL: s, Kind: it.Kind, Depth: it.Depth, Hops: it.Hops + 1}
	if it.Kind == state.KindStylesheet {
		c.sheetEnc.put(next.Key, c.sheetEnc.get(it.Key))
	}
	return next, "", nil
}

// retry requeues a failed attempt when the policy allows, else fails it.
func (c *Crawler) retry(ctx context.Context, it state.Item, resp *http.Response, err error) result {
	if ctx.Err() != nil {
		return result{item: it, aborted: true}
	}
	attempt := it.Attempt + 1
	perr := err
	if resp != nil {
		perr = nil // the policy judges the response (and its Retry-After)
	}
	ok, wait := c.s.RetryPolicy(resp, perr, attempt)
	if !ok || attempt > c.s.Retries {
		if attempt > 1 {
			err = fmt.Errorf("after %d attempts: %w", attempt, err)
		}
		return c.failed(it, err)
	}
	if wait > c.s.MaxRetryWait {
		return c.failed(it, fmt.Errorf("server asks to wait %s, more than max-retry-wait %s: %w",
			wait.Round(time.Second), c.s.MaxRetryWait, err))
	}
	at := time.Now().Add(wait)
	if resp != nil && resp.Header.Get("Retry-After") != "" {
		c.hosts.Pause(hostOf(it.URL), at)
	}
	it.Attempt = attempt
	return c.later(it, at)
}

// later puts an item back until at.
func (c *Crawler) later(it state.Item, at time.Time) result {
	it.NotBefore = at
	return result{item: it, requeue: true}
}

func (c *Crawler) failed(it state.Item, err error) result {
	return c.finish(it, Failed, err)
}

// finish reports an item that ended with only a status (and err, why).
func (c *Crawler) finish(it state.Item, status Status, err error) result {
	return c.report(it, Event{Kind: it.Kind, Result: store.Result{Status: status}, Err: err})
}

// report completes an item's event from the item and builds the result the
// frontier records: the outcome, and the event it sends on once the state
// has acknowledged the item.
func (c *Crawler) report(it state.Item, ev Event) result {
	ev.URL = it.URL
	if it.Origin != "" {
		ev.URL = it.Origin
	}
	ev.Page, ev.Depth = it.Page, it.Depth
	ev.FetchedAt = now()
	return result{item: it, outcome: outcomeOf(&ev), ev: &ev}
}

// outcomeOf returns what the state records for an event: its status, bytes
// and error, and for an image its manifest line, which ev keeps too.
func outcomeOf(ev *Event) state.Outcome {
	out := state.Outcome{Status: ev.Status, Bytes: ev.Bytes}
	if ev.Err != nil {
		out.Error = ev.Err.Error()
	}
	if ev.Kind == KindImage {
		ev.line = manifestLine(ev)
		out.Record = ev.line
	}
	return out
}
