package crawler

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// browserLoad answers a request of the browser rendering a page (a
// script, a style sheet, an XHR, a frame) as the crawler makes its own:
// robots.txt, the host's politeness and connection budget, the address
// policy and credentials of the client, and a size cap (MaxPageSize, or
// MaxStylesheetSize for a style sheet). Scripts and style sheets are kept
// in a small cache, so that the pages of a site that share them do not
// fetch them again. Errors wrap render.ErrRefused when the rules forbid
// the request.
func (c *Crawler) browserLoad(ctx context.Context, r render.Request) (render.Response, error) {
	u, err := urlnorm.Normalize(r.URL)
	if err != nil {
		return render.Response{}, fmt.Errorf("%w: bad URL: %w", render.ErrRefused, err)
	}
	if !c.s.IgnoreRobots {
		allowed, delay, err := c.robots.Check(ctx, u)
		if err != nil {
			return render.Response{}, fmt.Errorf("%w: %w", render.ErrRefused, err) // unavailable: disallowed
		}
		if delay > 0 {
			c.hosts.SetCrawlDelay(u.Host, delay)
		}
		if !allowed {
			return render.Response{}, fmt.Errorf("%w: %w", render.ErrRefused, ErrRobots)
		}
	}
	cacheable := r.Kind == render.KindScript || r.Kind == render.KindStylesheet
	key := u.String()
	if cacheable {
		if resp, ok := c.loads.get(key); ok {
			return resp, nil
		}
	}
	release, err := c.slot(ctx, u.Host)
	if err != nil {
		return render.Response{}, err
	}
	defer release()
	max := c.s.MaxPageSize
	if r.Kind == render.KindStylesheet {
		max = c.s.MaxStylesheetSize
	}
	c.meter.requests.Add(1)
	resp, err := c.get(ctx, key, r.Header, max, true)
	if err != nil {
		var pe *fetch.PolicyError
		if errors.As(err, &pe) {
			return render.Response{}, fmt.Errorf("%w: %w", render.ErrRefused, err)
		}
		return render.Response{}, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(countingBody{resp.Body, &c.meter.bytesIn})
	if err != nil {
		return render.Response{}, err
	}
	out := render.Response{Status: resp.StatusCode, Header: resp.Header, Body: body}
	if cacheable && resp.StatusCode == http.StatusOK {
		c.loads.put(key, out)
	}
	return out, nil
}

// slot waits for the host's politeness to let a request to host start,
// and returns its release.
func (c *Crawler) slot(ctx context.Context, host string) (func(), error) {
	for {
		release, at, ok := c.hosts.Acquire(host)
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

// loadCache keeps the scripts and style sheets the browser loaded, up to
// loadCacheBytes in all and loadCacheEntry each, the oldest dropped first.
// Safe for concurrent use; the zero value is empty.
type loadCache struct {
	mu    sync.Mutex
	m     map[string]render.Response
	order []string
	bytes int
}

const (
	loadCacheBytes = 32 << 20
	loadCacheEntry = 4 << 20
)

func (lc *loadCache) get(key string) (render.Response, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	r, ok := lc.m[key]
	return r, ok
}

func (lc *loadCache) put(key string, r render.Response) {
	if len(r.Body) > loadCacheEntry {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.m == nil {
		lc.m = make(map[string]render.Response)
	}
	if _, ok := lc.m[key]; ok {
		return
	}
	for lc.bytes+len(r.Body) > loadCacheBytes && len(lc.order) > 0 {
		old := lc.order[0]
		lc.order = lc.order[1:]
		lc.bytes -= len(lc.m[old].Body)
		delete(lc.m, old)
	}
	lc.m[key] = r
	lc.order = append(lc.order, key)
	lc.bytes += len(r.Body)
}
