package crawler

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store/state"
)

// get fetches raw for a worker or the robots cache through the host's
// connection budget (c.reach): a host given up fails at once with an
// *fetch.UnreachableError, a host waiting for its next try is not
// contacted, and a failure to connect counts once for the whole host.
// decode asks for compressed bodies and decodes them (pages).
func (c *Crawler) get(ctx context.Context, raw string, hdr http.Header, max int64, decode bool) (*http.Response, error) {
	return c.getParsed(ctx, raw, nil, hdr, max, decode)
}

// getParsed is get with raw already parsed: u, when not nil, is
// url.Parse(raw), which is then not parsed again.
func (c *Crawler) getParsed(ctx context.Context, raw string, u *url.URL, hdr http.Header, max int64, decode bool) (*http.Response, error) {
	get := c.client.Get
	if decode {
		get = c.client.GetDecoded
	}
	if u == nil {
		var err error
		if u, err = url.Parse(raw); err != nil {
			return get(ctx, raw, hdr, max) // the client names the bad URL
		}
	}
	if err := c.reach.Before(u); err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := get(ctx, raw, hdr, max)
	return resp, c.reach.After(u, start, err)
}

// unreachable ends or postpones an item whose host could not be connected
// to: a host given up fails it with the host's reason; otherwise it waits
// for the host's next try, which is not one of the item's own retries.
func (c *Crawler) unreachable(it state.Item, ue *fetch.UnreachableError) result {
	if ue.GaveUp {
		return c.failed(it, ue)
	}
	return c.later(it, ue.RetryAt)
}
