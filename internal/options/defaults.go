package options

import (
	"strconv"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/internal/humanize"
)

// All is every option a job takes: the fetch, image, crawl and render
// options (the last two ignored by a get), and the options of an index. It reads from JSON with the flags' names as
// keys: {"per-host": 2, "max-size": "10MiB", "depth": 1}.
type All struct {
	Fetch
	Images
	Crawl
	Render
	Known `flag:"-"`
}

// Defaults returns the options as the flags default them.
func Defaults() All {
	return All{
		Fetch: Fetch{
			Concurrency: crawler.DefaultConcurrency, PerHost: crawler.DefaultPerHost,
			Retries: crawler.DefaultRetries, MaxRetryWait: Duration(crawler.DefaultMaxRetryWait),
			ConnectTimeout: Duration(10 * time.Second), HeaderTimeout: Duration(30 * time.Second),
			IdleTimeout: Duration(30 * time.Second), MaxPageSize: crawler.DefaultMaxPageSize,
			MaxRedirects: crawler.DefaultMaxRedirects,
		},
		Images: Images{MaxSize: crawler.DefaultMaxSize},
		Crawl: Crawl{
			Depth: 2, Scope: string(crawler.ScopeHost), Srcset: string(crawler.SrcsetAll),
			SkipExt:           strings.Join(crawler.DefaultSkipExtensions(), ","),
			MaxStylesheetSize: crawler.DefaultMaxStylesheetSize,
		},
		Render: Render{RenderTabs: crawler.DefaultRenderTabs}, // Render "" is off
	}
}

// Apply copies every option into cfg; with crawl false (a get) the crawl
// and render options are left out. It then validates cfg as crawler.New
// would, naming the option at fault (an *Error).
func (a *All) Apply(cfg *crawler.Config, crawl bool) error {
	if err := a.Fetch.Apply(cfg); err != nil {
		return err
	}
	if err := a.Images.Apply(cfg); err != nil {
		return err
	}
	a.Known.Apply(cfg)
	if crawl {
		if err := a.Crawl.Apply(cfg); err != nil {
			return err
		}
		if err := a.Render.Apply(cfg); err != nil {
			return err
		}
	}
	return Check(*cfg)
}

// Vars are the library's defaults as the variables of the flags' tags
// (default:"${default_concurrency}" and help), so that the flags do not
// repeat them.
func Vars() map[string]string {
	return map[string]string{
		"default_concurrency":    strconv.Itoa(crawler.DefaultConcurrency),
		"default_per_host":       strconv.Itoa(crawler.DefaultPerHost),
		"default_retries":        strconv.Itoa(crawler.DefaultRetries),
		"default_max_retry_wait": humanize.Exact(crawler.DefaultMaxRetryWait),
		"default_max_redirects":  strconv.Itoa(crawler.DefaultMaxRedirects),
		"default_max_page_size":  FormatByteSize(crawler.DefaultMaxPageSize),
		"default_max_size":       FormatByteSize(crawler.DefaultMaxSize),
		"default_user_agent":     crawler.DefaultUserAgent(),
		"default_skip_ext":       strings.Join(crawler.DefaultSkipExtensions(), ", "),

		"default_max_stylesheet_size": FormatByteSize(crawler.DefaultMaxStylesheetSize),
		"default_render_tabs":         strconv.Itoa(crawler.DefaultRenderTabs),
	}
}
