package crawler

import (
	"context"
	"fmt"
	"net/url"

	"github.com/PuerkitoBio/goquery"
	"github.com/andybalholm/cascadia"

	"github.com/imgcrawl/imgcrawl/crawler/urlnorm"
)

// Element is one element an HTMLHook's selector matched, on one page. It is
// valid only during the hook's call, and is not safe for concurrent use.
type Element struct {
	// Selection holds the element alone, for anything Text and Attr do not
	// give (its children, its parents). It must not be kept, nor changed.
	Selection *goquery.Selection

	page  *pageHooks
	index int
}

// Text returns the text of the element and its descendants.
func (e *Element) Text() string { return e.Selection.Text() }

// Attr returns the value of the element's attribute name, and whether it
// has one.
func (e *Element) Attr(name string) (string, bool) { return e.Selection.Attr(name) }

// Index is the element's position among the matches of its selector on
// this page: 0, 1, 2...
func (e *Element) Index() int { return e.index }

// Page returns the URL of the page the element is on.
func (e *Element) Page() *url.URL { return e.page.url }

// Depth returns the link depth of the page the element is on.
func (e *Element) Depth() int { return e.page.depth }

// Resolve resolves ref, an attribute's value, against the page's base (its
// <base href>, else its URL) as the crawl resolves links, and normalizes it.
func (e *Element) Resolve(ref string) (*url.URL, error) {
	u, err := urlnorm.Resolve(e.page.base, ref)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("crawler: %q is not an http(s) URL", ref)
	}
	return u, nil
}

// AddPage reports ref (resolved as Resolve does) as a link of the page: it
// is followed like the page's own links, one level deeper, if Depth, the
// scope, Include, Exclude, SkipExtensions and Hooks.Filter allow. colly's
// e.Request.Visit.
func (e *Element) AddPage(ref string) error {
	u, err := e.Resolve(ref)
	if err == nil {
		e.page.pages = append(e.page.pages, u)
	}
	return err
}

// AddImage reports ref (resolved as Resolve does) as an image of the page:
// it is saved like the page's own images, if Hooks.Filter allows.
func (e *Element) AddImage(ref string) error {
	u, err := e.Resolve(ref)
	if err == nil {
		e.page.images = append(e.page.images, u)
	}
	return err
}

// htmlHook is an HTMLHook with its selector compiled.
type htmlHook struct {
	HTMLHook
	sel cascadia.Selector
}

// compileHooks compiles the selectors of hooks.
func compileHooks(hooks []HTMLHook) ([]htmlHook, error) {
	out := make([]htmlHook, 0, len(hooks))
	for i, h := range hooks {
		if h.Func == nil {
			return nil, &ConfigError{"hooks", fmt.Errorf("HTML hook %d (%q) has no Func", i, h.Selector)}
		}
		sel, err := cascadia.Compile(h.Selector)
		if err != nil {
			return nil, &ConfigError{"hooks", fmt.Errorf("HTML hook %d: bad selector %q: %w", i, h.Selector, err)}
		}
		out = append(out, htmlHook{h, sel})
	}
	return out, nil
}

// pageHooks runs the HTML hooks on one page and gathers what they report.
type pageHooks struct {
	hooks  []htmlHook
	url    *url.URL
	base   *url.URL
	depth  int
	pages  []*url.URL
	images []*url.URL
	err    error // the first panic
}

// run runs every hook on doc, whose references resolve against base; it
// stops at the first panic, or when ctx ends.
func (p *pageHooks) run(ctx context.Context, doc *goquery.Document, base *url.URL) {
	p.base = base
	for _, h := range p.hooks {
		matches := doc.FindMatcher(h.sel)
		for i := range matches.Nodes {
			if ctx.Err() != nil {
				return
			}
			e := &Element{Selection: matches.Eq(i), page: p, index: i}
			if err := guard("html "+h.Selector, p.url.String(), func() { h.Func(ctx, e) }); err != nil {
				p.err = err
				return
			}
		}
	}
}
