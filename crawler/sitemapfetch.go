package crawler

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// sitemapTry is the outcome of one request for a sitemap file.
type sitemapTry struct {
	sm    extract.Sitemap
	next  *url.URL  // a redirect to follow
	again time.Time // when set, err may pass: try again then
	free  bool      // the wait is the host's connection budget, not one of the file's retries
	err   error
}

// fetch fetches and parses one sitemap file as a worker fetches a page:
// in a slot of its host (politeness), after robots.txt allows it, through
// the host's connection budget and the address policy; redirects are
// followed up to MaxRedirects, and failures retried as Retries, RetryPolicy
// and MaxRetryWait say.
func (r *sitemapReader) fetch(ctx context.Context, u *url.URL) (extract.Sitemap, error) {
	hops, failed := 0, 0
	for {
		t := r.try(ctx, u, failed+1)
		switch {
		case t.next != nil:
			if hops++; hops > r.c.s.MaxRedirects {
				return t.sm, fmt.Errorf("more than %d redirects", r.c.s.MaxRedirects)
			}
			u = t.next
			continue
		case t.err == nil || t.again.IsZero() || ctx.Err() != nil:
			return t.sm, t.err
		case !t.free:
			if failed++; failed > r.c.s.Retries {
				return t.sm, fmt.Errorf("after %d attempts: %w", failed, t.err)
			}
		}
		if err := sleepUntil(ctx, t.again); err != nil {
			return t.sm, err
		}
	}
}

// try makes one request for u, the attempt-th.
func (r *sitemapReader) try(ctx context.Context, u *url.URL, attempt int) sitemapTry {
	c := r.c
	release, err := r.slot(ctx, u.Host)
	if err != nil {
		return sitemapTry{err: err}
	}
	defer release()
	if t, stop := r.obeyRobots(ctx, u); stop {
		return t
	}
	c.meter.requests.Add(1)
	resp, err := c.get(ctx, u.String(), nil, c.sitemapMaxBytes, true)
	if err != nil {
		return r.failed(nil, err, attempt)
	}
	resp.Body = countingBody{resp.Body, &c.meter.bytesIn}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code >= 300 && code < 400 && resp.Header.Get("Location") != "":
		fetch.DrainAndClose(resp.Body)
		loc := resp.Header.Get("Location")
		next, err := urlnorm.Resolve(u, loc)
		if err == nil && next.Scheme != "http" && next.Scheme != "https" {
			err = errors.New("not http or https")
		}
		if err != nil {
			return sitemapTry{err: errSitemapRedirect(loc, err)}
		}
		return sitemapTry{next: next}
	case code < 200 || code >= 300:
		fetch.DrainAndClose(resp.Body)
		t := r.failed(resp, &fetch.StatusError{URL: u.String(), Code: code}, attempt)
		if !t.again.IsZero() && resp.Header.Get("Retry-After") != "" {
			c.hosts.Pause(u.Host, t.again)
		}
		return t
	}
	sm, err := extract.ParseSitemap(r.unzip(resp.Body, u), u)
	return sitemapTry{sm: sm, err: err}
}

// slot waits for the host's politeness to let a request to host start,
// and returns its release.
func (r *sitemapReader) slot(ctx context.Context, host string) (func(), error) {
	for {
		release, at, ok := r.c.hosts.Acquire(host)
		if ok {
			return release, nil
		}
		if at.IsZero() { // the host's requests in flight are at the cap
			at = time.Now().Add(20 * time.Millisecond)
		}
		if err := sleepUntil(ctx, at); err != nil {
			return nil, err
		}
	}
}

// obeyRobots asks robots.txt about u, as a worker does for a page, and sets
// the host's Crawl-delay; stop reports that the request must not be made.
func (r *sitemapReader) obeyRobots(ctx context.Context, u *url.URL) (t sitemapTry, stop bool) {
	if r.c.s.IgnoreRobots {
		return sitemapTry{}, false
	}
	allowed, delay, err := r.c.robots.Check(ctx, u)
	if err != nil {
		var ue *fetch.RobotsUnavailableError
		if errors.As(err, &ue) && (ue.Err == nil || fetch.Retryable(ue.Err)) {
			return sitemapTry{err: err, again: ue.RetryAt}, true
		}
		return sitemapTry{err: err}, true
	}
	if delay > 0 {
		r.c.hosts.SetCrawlDelay(u.Host, delay)
	}
	if !allowed {
		return sitemapTry{err: ErrRobots}, true
	}
	return sitemapTry{}, false
}

// failed says whether and when a failed request is tried again: a host
// waiting for its next connection try is tried then, without counting it
// as one of the file's own retries; otherwise the retry policy decides.
func (r *sitemapReader) failed(resp *http.Response, err error, attempt int) sitemapTry {
	t := sitemapTry{err: err}
	var une *fetch.UnreachableError
	if errors.As(err, &une) {
		if !une.GaveUp {
			t.again, t.free = une.RetryAt, true
		}
		return t
	}
	perr := err
	if resp != nil {
		perr = nil // the policy judges the response (and its Retry-After)
	}
	if ok, wait := r.c.s.RetryPolicy(resp, perr, attempt); ok && wait <= r.c.s.MaxRetryWait {
		t.again = time.Now().Add(wait)
	}
	return t
}

// unzip returns the sitemap in body, decompressed when it is gzipped (a
// .gz file served as is): Content-Encoding is decoded already
// (fetch.Client.GetDecoded). Both are capped at sitemapMaxBytes.
func (r *sitemapReader) unzip(body io.ReadCloser, u *url.URL) io.Reader {
	br := bufio.NewReader(body)
	if head, _ := br.Peek(2); len(head) < 2 || head[0] != 0x1f || head[1] != 0x8b {
		return br
	}
	return fetch.Decode(struct {
		io.Reader
		io.Closer
	}{br, body}, "gzip", u.String(), r.c.sitemapMaxBytes)
}
