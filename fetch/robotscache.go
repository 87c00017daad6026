package fetch

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults and limits of RobotsCache.
const (
	robotsDefaultTTL      = 24 * time.Hour
	robotsDefaultMaxBytes = 500 << 10
	robotsDefaultMaxIdle  = 10000
	robotsDefaultRetryMin = time.Minute
	robotsDefaultRetryMax = time.Hour
	robotsMaxRedirects    = 5              // RFC 9309 asks crawlers to follow at least five
	robotsMaxRetryAfter   = 24 * time.Hour // cap on a server's Retry-After
)

// RobotsGetter performs one GET of a robots.txt URL without following
// redirects (it returns 3xx responses as they are). The RobotsCache closes
// every body it is given. NewRobotsGetter builds one from an *http.Client.
type RobotsGetter func(ctx context.Context, robotsURL string) (*http.Response, error)

// NewRobotsGetter returns a RobotsGetter that sends requests with a copy of
// client (http.DefaultClient when nil) whose redirects are not followed, and
// sets the User-Agent header to userAgent when it is not empty.
func NewRobotsGetter(client *http.Client, userAgent string) RobotsGetter {
	if client == nil {
		client = http.DefaultClient
	}
	c := *client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return func(ctx context.Context, robotsURL string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, robotsURL, nil)
		if err != nil {
			return nil, err
		}
		if userAgent != "" {
			req.Header.Set("User-Agent", userAgent)
		}
		return c.Do(req)
	}
}

// RobotsConfig configures a RobotsCache. Zero fields take the defaults given.
type RobotsConfig struct {
	// Get fetches robots.txt. Default: NewRobotsGetter(nil, Agent).
	Get RobotsGetter
	// Agent is the crawler's product token ("imgcrawl"); a full User-Agent
	// string works too, as its product token is used (RobotsProductToken).
	Agent string
	// TTL is how long a fetched robots.txt is used. Default 24h.
	TTL time.Duration
	// MaxBytes caps the body read; longer bodies are truncated, as RFC 9309
	// allows. Default 500 KiB.
	MaxBytes int64
	// MaxIdle caps the number of hosts cached; the least recently used are
	// evicted beyond it. Default 10000.
	MaxIdle int
	// RetryMin and RetryMax bound the wait after a failed fetch: RetryMin,
	// doubling after each consecutive failure up to RetryMax. A longer
	// Retry-After from the server (429, 503) is honoured up to 24h. When
	// Get fails with an *UnreachableError (it consults a Reach), its
	// RetryAt is used instead: the host's connection budget paces the
	// retries. Defaults 1m and 1h.
	RetryMin, RetryMax time.Duration
	// Now is the clock. Default time.Now.
	Now func() time.Time
}

// RobotsCache fetches and caches robots.txt per scheme://host[:port] and
// answers whether URLs may be fetched. Only one fetch per host is in flight
// at a time: concurrent callers for the same host wait for it. A
// RobotsCache is safe for concurrent use; create it with NewRobotsCache
// (the zero value is not usable).
type RobotsCache struct {
	get                RobotsGetter
	agent              string
	ttl                time.Duration
	maxBytes           int64
	maxIdle            int
	retryMin, retryMax time.Duration
	now                func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // values are *robotsEntry
	lru     *list.List               // most recently used at the front

	waitHook func() // tests: called when a caller starts waiting on a fetch
}

// robotsEntry is the cached state of one host, guarded by RobotsCache.mu.
type robotsEntry struct {
	key      string
	robots   *Robots                 // nil allows everything
	unavail  *RobotsUnavailableError // non-nil: disallowed until expires
	expires  time.Time               // robots/unavail answer until then
	failures int                     // consecutive failed fetches
	inflight chan struct{}           // non-nil while a fetch runs; closed when it ends
}

// robotsResult is the outcome of one robots.txt fetch: a parsed file (nil
// allows everything); or why it is unavailable (status 429/5xx, or err);
// or ctxErr when the caller's context ended (nothing is cached then).
type robotsResult struct {
	robots      *Robots
	status      int
	err, ctxErr error
	retryAfter  time.Duration
}

// RobotsUnavailableError reports that a host's robots.txt cannot be had
// right now: the server answered 429 or 5xx, or could not be reached. Until
// RetryAt every URL of the host is treated as disallowed; the caller should
// put the URL back and ask again after RetryAt.
type RobotsUnavailableError struct {
	Host    string    // scheme://host[:port]
	Status  int       // the HTTP status, or 0 when the request failed
	Err     error     // the transport error, or nil when Status is set
	RetryAt time.Time // when Check will fetch robots.txt again
}

// Error implements error.
func (e *RobotsUnavailableError) Error() string {
	at := e.RetryAt.Format(time.RFC3339)
	if e.Err != nil {
		return fmt.Sprintf("fetch: robots.txt for %s unavailable until %s: %v", e.Host, at, e.Err)
	}
	return fmt.Sprintf("fetch: robots.txt for %s unavailable until %s: status %d", e.Host, at, e.Status)
}

// Unwrap returns Err.
func (e *RobotsUnavailableError) Unwrap() error { return e.Err }

// Temporary reports true: the condition is expected to pass by RetryAt.
func (e *RobotsUnavailableError) Temporary() bool { return true }

// NewRobotsCache returns a RobotsCache configured by cfg.
func NewRobotsCache(cfg RobotsConfig) *RobotsCache {
	c := &RobotsCache{
		get:      cfg.Get,
		agent:    RobotsProductToken(cfg.Agent),
		ttl:      robotsOr(cfg.TTL, robotsDefaultTTL),
		maxBytes: robotsOr(cfg.MaxBytes, robotsDefaultMaxBytes),
		maxIdle:  robotsOr(cfg.MaxIdle, robotsDefaultMaxIdle),
		retryMin: robotsOr(cfg.RetryMin, robotsDefaultRetryMin),
		retryMax: robotsOr(cfg.RetryMax, robotsDefaultRetryMax),
		now:      cfg.Now,
		entries:  make(map[string]*list.Element),
		lru:      list.New(),
	}
	c.retryMax = max(c.retryMax, c.retryMin)
	if c.get == nil {
		c.get = NewRobotsGetter(nil, cfg.Agent)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// robotsOr returns v, or def when v is not positive.
func robotsOr[T int | int64 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Check reports whether u may be fetched under its host's robots.txt, and
// the Crawl-delay that applies (0 when none), fetching robots.txt first
// when it is not cached or has expired. Only http and https URLs are
// accepted. A 4xx answer (other than 429), or more than five redirects,
// allows everything. When robots.txt cannot be had right now (429, 5xx,
// unreachable) Check returns a *RobotsUnavailableError with RetryAt, and
// returns it again without fetching until then. If ctx ends first, Check
// returns ctx.Err() and caches nothing.
func (c *RobotsCache) Check(ctx context.Context, u *url.URL) (allowed bool, delay time.Duration, err error) {
	rb, ue, err := c.lookup(ctx, u)
	if err != nil {
		return false, 0, err
	}
	return c.robotsAnswer(rb, ue, u.RequestURI())
}

// Sitemaps returns the Sitemap lines of u's host's robots.txt (see
// Robots.Sitemaps), fetching it as Check does, and with Check's errors:
// none when the host has no robots.txt, a *RobotsUnavailableError when it
// cannot be had right now.
func (c *RobotsCache) Sitemaps(ctx context.Context, u *url.URL) ([]string, error) {
	rb, ue, err := c.lookup(ctx, u)
	if err != nil {
		return nil, err
	}
	if ue != nil {
		return nil, ue
	}
	return rb.Sitemaps(), nil
}

// lookup returns the cached state of u's host, fetching robots.txt first
// when it is not cached or has expired; err is set only for a bad URL or
// the end of ctx.
func (c *RobotsCache) lookup(ctx context.Context, u *url.URL) (*Robots, *RobotsUnavailableError, error) {
	key, err := robotsCacheKey(u)
	if err != nil {
		return nil, nil, err
	}
	for {
		c.mu.Lock()
		e := c.robotsEntry(key)
		if ch := e.inflight; ch != nil {
			c.mu.Unlock()
			if c.waitHook != nil {
				c.waitHook()
			}
			select {
			case <-ch:
				continue // the fetch ended; if it was cancelled, take over
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		if c.now().Before(e.expires) {
			rb, ue := e.robots, e.unavail
			c.mu.Unlock()
			return rb, ue, nil
		}
		ch := make(chan struct{})
		e.inflight = ch
		c.mu.Unlock()

		res := c.robotsFetch(ctx, key)

		c.mu.Lock()
		e.inflight = nil
		close(ch)
		if res.ctxErr != nil {
			c.mu.Unlock()
			return nil, nil, res.ctxErr
		}
		rb, ue := c.robotsStore(e, key, res)
		c.mu.Unlock()
		return rb, ue, nil
	}
}

// Len returns the number of hosts in the cache.
func (c *RobotsCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// robotsEntry returns the entry for key, creating it, marks it most
// recently used and evicts idle entries beyond maxIdle. c.mu must be held.
func (c *RobotsCache) robotsEntry(key string) *robotsEntry {
	if el, ok := c.entries[key]; ok {
		c.lru.MoveToFront(el)
		return el.Value.(*robotsEntry)
	}
	e := &robotsEntry{key: key}
	c.entries[key] = c.lru.PushFront(e)
	for el := c.lru.Back(); el != nil && c.lru.Len() > c.maxIdle; {
		prev := el.Prev()
		if old := el.Value.(*robotsEntry); old != e && old.inflight == nil {
			c.lru.Remove(el)
			delete(c.entries, old.key)
		}
		el = prev
	}
	return e
}

// robotsStore records a fetch result in e and returns the new state.
// c.mu must be held.
func (c *RobotsCache) robotsStore(e *robotsEntry, key string, res robotsResult) (*Robots, *RobotsUnavailableError) {
	now := c.now()
	if res.status == 0 && res.err == nil {
		e.failures = 0
		e.robots, e.unavail, e.expires = res.robots, nil, now.Add(c.ttl)
		return e.robots, nil
	}
	e.failures++
	wait := c.retryMin
	for i := 1; i < e.failures && wait < c.retryMax; i++ {
		wait *= 2
	}
	wait = min(wait, c.retryMax)
	wait = max(wait, res.retryAfter)
	if ue := (*UnreachableError)(nil); errors.As(res.err, &ue) && !ue.RetryAt.IsZero() {
		wait = max(ue.RetryAt.Sub(now), 0) // the host's own budget paces it
	}
	e.robots, e.expires = nil, now.Add(wait)
	e.unavail = &RobotsUnavailableError{Host: key, Status: res.status, Err: res.err, RetryAt: e.expires}
	return nil, e.unavail
}

// robotsAnswer turns a cached state into Check's results.
func (c *RobotsCache) robotsAnswer(rb *Robots, ue *RobotsUnavailableError, target string) (bool, time.Duration, error) {
	if ue != nil {
		return false, 0, ue
	}
	delay, _ := rb.CrawlDelay(c.agent)
	return rb.Allowed(c.agent, target), delay, nil
}

// robotsFetch fetches key's robots.txt, following up to robotsMaxRedirects
// redirects, and classifies the outcome as RFC 9309 section 2.3.1 says.
func (c *RobotsCache) robotsFetch(ctx context.Context, key string) robotsResult {
	cur := key + "/robots.txt"
	for hop := 0; ; hop++ {
		resp, err := c.get(ctx, cur)
		if err == nil && resp == nil {
			err = errors.New("no response")
		}
		if err != nil {
			return robotsFailed(ctx, err)
		}
		code := resp.StatusCode
		switch {
		case code >= 200 && code < 300:
			body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes))
			resp.Body.Close()
			if err != nil {
				return robotsFailed(ctx, err)
			}
			return robotsResult{robots: robotsParse(body)}
		case code >= 300 && code < 400:
			loc := resp.Header.Get("Location")
			robotsDrain(resp)
			next, ok := robotsRedirect(cur, loc)
			if !ok || hop >= robotsMaxRedirects {
				return robotsResult{} // unfollowable: treated like 4xx, everything allowed
			}
			cur = next
		case code >= 400 && code < 500 && code != http.StatusTooManyRequests:
			robotsDrain(resp)
			return robotsResult{} // no robots.txt: everything is allowed
		default: // 429, 5xx and codes outside the RFC's classes
			ra := robotsRetryAfter(resp.Header.Get("Retry-After"), c.now())
			robotsDrain(resp)
			return robotsResult{status: code, retryAfter: ra}
		}
	}
}

// robotsFailed classifies a failed request: the caller's context ending, or
// the host being unreachable.
func robotsFailed(ctx context.Context, err error) robotsResult {
	if ctx.Err() != nil {
		return robotsResult{ctxErr: ctx.Err()}
	}
	return robotsResult{err: err}
}

// robotsRedirect resolves a Location header against the current URL.
// It reports false when there is none or it is not http(s).
func robotsRedirect(cur, loc string) (string, bool) {
	base, err := url.Parse(cur)
	if err != nil || loc == "" {
		return "", false
	}
	next, err := base.Parse(loc)
	if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
		return "", false
	}
	next.Fragment, next.RawFragment = "", ""
	return next.String(), true
}

// robotsDrain reads a little of a body that is not needed, so the
// connection can be reused, and closes it.
func robotsDrain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
	resp.Body.Close()
}

// robotsRetryAfter parses a Retry-After header (seconds or HTTP date) into
// a wait from now, at most robotsMaxRetryAfter; 0 when absent, invalid or
// in the past.
func robotsRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(h, 10, 64); err == nil {
		return time.Duration(min(max(secs, 0), int64(robotsMaxRetryAfter/time.Second))) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil && t.After(now) {
		return min(t.Sub(now), robotsMaxRetryAfter)
	}
	return 0
}

// robotsCacheKey returns "scheme://host[:port]" for u, lowercased and
// without a default port, so equivalent authorities share one entry.
func robotsCacheKey(u *url.URL) (string, error) {
	if u == nil {
		return "", errors.New("fetch: robots.txt: nil URL")
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	if scheme != "http" && scheme != "https" {
		return "", fmt.Errorf("fetch: robots.txt for %s: unsupported scheme %q", u.Redacted(), u.Scheme)
	}
	if host == "" {
		return "", fmt.Errorf("fetch: robots.txt for %s: no host", u.Redacted())
	}
	if port := u.Port(); port != "" && !(scheme == "http" && port == "80" || scheme == "https" && port == "443") {
		host = net.JoinHostPort(host, port)
	} else if strings.Contains(host, ":") {
		host = "[" + host + "]" // IPv6 literal
	}
	return scheme + "://" + host, nil
}
