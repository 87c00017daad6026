package crawler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// crawlMeta is what a stored crawl remembers of its settings, so that a
// re-run with other seeds or scope is refused instead of mixing two crawls.
type crawlMeta struct {
	Mode    string   `json:"mode"` // "crawl" or "get"
	Seeds   []string `json:"seeds,omitempty"`
	Depth   int      `json:"depth"`
	Scope   Scope    `json:"scope,omitempty"`
	Include []string `json:"include,omitempty"`
	Exclude []string `json:"exclude,omitempty"`
	Layout  string   `json:"layout"`
}

// MismatchError says a stored crawl was started with other settings.
type MismatchError struct {
	Diffs []string // "seeds: stored [...], now [...]"
}

func (e *MismatchError) Error() string {
	return "crawler: the stored crawl differs from this one (" + strings.Join(e.Diffs, "; ") +
		"): use --fresh to discard it, or another output folder"
}

func (c *Crawler) meta() crawlMeta {
	m := crawlMeta{Mode: "crawl", Depth: c.s.Depth, Scope: c.s.Scope, Include: c.s.Include,
		Exclude: c.s.Exclude, Layout: string(c.s.Layout)}
	if c.s.Images != nil && len(c.seeds) == 0 {
		m = crawlMeta{Mode: "get", Layout: string(c.s.Layout)}
	}
	for _, s := range c.seeds {
		m.Seeds = append(m.Seeds, s.URL)
	}
	slices.Sort(m.Seeds)
	return m
}

// checkMeta stores the crawl's settings in a new state, or compares them
// with a stored crawl's; resumed reports a stored crawl.
func (c *Crawler) checkMeta(ctx context.Context) (resumed bool, err error) {
	now := c.meta()
	raw, ok, err := c.state.LoadMeta(ctx)
	if err != nil {
		return false, err
	}
	if !ok {
		b, _ := json.Marshal(now)
		return false, c.state.SaveMeta(ctx, b)
	}
	var old crawlMeta
	if err := json.Unmarshal(raw, &old); err != nil {
		return true, fmt.Errorf("crawler: stored crawl settings unreadable: %w", err)
	}
	var diffs []string
	diff := func(name string, a, b any) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			diffs = append(diffs, fmt.Sprintf("%s: stored %v, now %v", name, a, b))
		}
	}
	diff("mode", old.Mode, now.Mode)
	if now.Mode == "crawl" {
		diff("seeds", old.Seeds, now.Seeds)
		diff("depth", old.Depth, now.Depth)
		diff("scope", old.Scope, now.Scope)
		diff("include", old.Include, now.Include)
		diff("exclude", old.Exclude, now.Exclude)
	}
	diff("layout", old.Layout, now.Layout)
	if len(diffs) > 0 {
		return true, &MismatchError{Diffs: diffs}
	}
	return true, nil
}
