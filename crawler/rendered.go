package crawler

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/imgcrawl/imgcrawl/crawler/extract"
	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// newRenderer makes the renderer of a crawl that renders pages, nil for
// one that does not. The browser starts with the first page rendered.
func (c *Crawler) newRenderer() (*render.Renderer, error) {
	if c.s.Render == RenderOff {
		return nil, nil
	}
	r, err := render.New(render.Config{
		Browser: c.s.Browser, Tabs: c.s.RenderTabs, UserAgent: c.s.UserAgent,
		Load: c.browserLoad, Logger: c.s.Logger,
	})
	if err != nil {
		return nil, &ConfigError{"browser", err}
	}
	return r, nil
}

// readPage reads a page's body whole (capped at MaxPageSize by the client)
// and extracts what its HTML names; with rendering on, it renders the page
// when it should, and adds what the rendered page shows. When rendering
// fails, the error is a *RenderError and the result holds what the HTML
// names.
func (c *Crawler) readPage(ctx context.Context, j job, resp *http.Response, opt extract.Options) (extract.Result, error) {
	ct := resp.Header.Get("Content-Type")
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return extract.Result{}, err
	}
	ex, err := opt.HTML(bytes.NewReader(body), ct, j.u)
	if err != nil || !c.shouldRender(j.u, body, ex) {
		return ex, err
	}
	// The browser's requests take slots of their own, the page's own
	// host included: holding the page's slot meanwhile could starve them.
	j.release()
	res, rerr := c.renderer.Render(ctx, render.Page{URL: j.u.String(), ContentType: ct, Body: body})
	if rerr != nil {
		return ex, &RenderError{URL: j.u.String(), Err: rerr}
	}
	c.meter.rendered.Add(1)
	base := j.u
	if u, err := url.Parse(res.URL); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		base = u
	}
	rex, err := opt.HTML(bytes.NewReader(res.HTML), "text/html; charset=utf-8", base)
	if err != nil {
		return ex, &RenderError{URL: j.u.String(), Err: err}
	}
	// The images the browser asked for, unless only the largest srcset
	// candidates are wanted: the browser picks the candidate that fits its
	// window, which the rendered DOM's srcset names anyway.
	lists := [][]string{res.Images, res.Backgrounds}
	if opt.Largest {
		lists = lists[1:]
	}
	asked := make([]*url.URL, 0, len(res.Images)+len(res.Backgrounds))
	for _, list := range lists {
		for _, raw := range list {
			if u, err := urlnorm.Normalize(raw); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
				asked = append(asked, u)
			}
		}
	}
	ex.Links = union(ex.Links, rex.Links)
	ex.Stylesheets = union(ex.Stylesheets, rex.Stylesheets)
	ex.Images = union(ex.Images, append(rex.Images, asked...))
	c.s.Logger.Debug("page rendered", "page", fetch.Redact(j.u.String()), "tries", res.Tries,
		"loaded", res.Loaded, "blocked", res.Blocked, "images", len(res.Images))
	return ex, nil
}

// RenderError is a page that could not be rendered (Config.Render): the
// browser crashed or hung twice, or did not start. The page is reported
// failed with it; what its HTML names is still followed.
type RenderError struct {
	URL string
	Err error
}

func (e *RenderError) Error() string {
	return "crawler: render " + fetch.Redact(e.URL) + ": " + e.Err.Error()
}

func (e *RenderError) Unwrap() error { return e.Err }

// shouldRender reports whether a page, whose HTML is body and names what
// ex holds, is rendered: always with RenderOn; with RenderAuto, when
// RenderMatch matches its URL, or when it names no image but has a script.
func (c *Crawler) shouldRender(u *url.URL, body []byte, ex extract.Result) bool {
	switch c.s.Render {
	case RenderOn:
		return true
	case RenderAuto:
		if c.s.renderMatch != nil && c.s.renderMatch.MatchString(u.String()) {
			return true
		}
		if len(ex.Images) > 0 {
			return false
		}
		for _, l := range ex.Links {
			if extract.LooksLikeImage(l.Path) {
				return false
			}
		}
		return hasScript(body)
	}
	return false
}

// hasScript reports whether an HTML document has a <script> element.
func hasScript(body []byte) bool {
	const tag = "<script"
	for i := 0; ; {
		k := bytes.IndexByte(body[i:], '<')
		if k < 0 {
			return false
		}
		i += k
		if len(body)-i >= len(tag) && bytes.EqualFold(body[i:i+len(tag)], []byte(tag)) {
			return true
		}
		i++
	}
}

// union appends to a the URLs of b it lacks.
func union(a, b []*url.URL) []*url.URL {
	if len(b) == 0 {
		return a
	}
	seen := make(map[string]bool, len(a))
	for _, u := range a {
		seen[u.String()] = true
	}
	for _, u := range b {
		if s := u.String(); !seen[s] {
			seen[s] = true
			a = append(a, u)
		}
	}
	return a
}
