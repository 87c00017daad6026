package options

import (
	"fmt"
	"strings"

	"github.com/imgcrawl/imgcrawl/crawler"
)

// Crawl are the options of a crawl from seed pages: how far and where links
// are followed, and what is read besides pages. Its zero value crawls the
// seeds alone: start from Defaults().Crawl.
type Crawl struct {
	Depth   int      `json:"depth" short:"d" default:"2" help:"Link depth from a seed; a seed page is depth 0."`
	Scope   string   `json:"scope" default:"host" enum:"host,domain,all" help:"Pages followed: the seed's host, its registrable domain, or anywhere (host|domain|all)."`
	Include []string `json:"include" sep:"none" placeholder:"RE" help:"Follow only pages whose URL matches, repeatable."`
	Exclude []string `json:"exclude" sep:"none" placeholder:"RE" help:"Do not follow pages whose URL matches, repeatable."`
	Srcset  string   `json:"srcset" default:"all" placeholder:"all|largest" help:"Of each srcset and <picture>, save every candidate (all), or only the largest and never request the others (largest)."`
	SkipExt string   `json:"skip-ext" name:"skip-ext" placeholder:"LIST" default:"${default_skip_ext}" help:"Extensions of links never requested, comma-separated; replaces the list, and an empty value requests every link (default ${default})."`

	Sitemaps bool `json:"sitemaps" help:"Also read each seed host's sitemaps (robots.txt Sitemap lines, else /sitemap.xml): their pages are crawled from depth 0, their images saved."`

	MaxStylesheetSize ByteSize `json:"max-stylesheet-size" name:"max-stylesheet-size" default:"${default_max_stylesheet_size}" help:"Largest style sheet read for images, after decompression; a larger one is not read."`
}

// Apply copies c into cfg; crawler.Config.Validate (see Check) checks it.
func (c *Crawl) Apply(cfg *crawler.Config) error {
	// The library reads Depth 0 as its default (2): the option's 0 is
	// crawler.SeedsOnly.
	switch {
	case c.Depth < 0:
		return &Error{"depth", fmt.Errorf("must be >= 0, got %d", c.Depth)}
	case c.Depth == 0:
		cfg.Depth = crawler.SeedsOnly
	default:
		cfg.Depth = c.Depth
	}
	cfg.Scope = crawler.Scope(c.Scope)
	cfg.Include, cfg.Exclude = c.Include, c.Exclude
	cfg.SkipExtensions, cfg.Srcset = SplitList(c.SkipExt), crawler.Srcset(c.Srcset)
	cfg.Sitemaps, cfg.MaxStylesheetSize = c.Sitemaps, int64(c.MaxStylesheetSize)
	return nil
}

// SplitList splits a comma-separated value; "" gives an empty, non-nil
// list (the library reads nil as "the default").
func SplitList(s string) []string {
	list := []string{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			list = append(list, f)
		}
	}
	return list
}
