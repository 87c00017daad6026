package main

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/internal/humanize"

	"github.com/alecthomas/kong"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/imagetype"
	redisstate "github.com/imgcrawl/imgcrawl/store/state/redis"
)

// fetchFlags are the flags of every command that downloads.
type fetchFlags struct {
	Concurrency    int           `short:"c" default:"${default_concurrency}" help:"Requests in flight in total, pages and images together."`
	PerHost        int           `name:"per-host" default:"${default_per_host}" help:"Requests in flight per host."`
	Rate           float64       `default:"0" help:"Requests per second in total (0 = unlimited)."`
	HostRate       float64       `name:"host-rate" default:"0" help:"Requests per second per host (0 = unlimited)."`
	IgnoreRobots   bool          `name:"ignore-robots" help:"Do not obey robots.txt."`
	UserAgent      string        `name:"user-agent" placeholder:"S" help:"User-Agent header (default ${default_user_agent})."`
	Retries        int           `default:"${default_retries}" help:"Retries of transport errors, 408, 429, 500, 502, 503, 504."`
	MaxRetryWait   time.Duration `name:"max-retry-wait" default:"${default_max_retry_wait}" help:"Longest Retry-After honoured; beyond it the URL fails."`
	ConnectTimeout time.Duration `name:"connect-timeout" default:"10s" help:"Connect (and TLS handshake) timeout."`
	HeaderTimeout  time.Duration `name:"header-timeout" default:"30s" help:"Timeout for response headers."`
	IdleTimeout    time.Duration `name:"idle-timeout" default:"30s" help:"Fail a body that makes no progress for this long."`
	MaxPageSize    byteSize      `name:"max-page-size" default:"${default_max_page_size}" help:"Largest page, after decompression."`
	MaxRedirects   int           `name:"max-redirects" default:"${default_max_redirects}" help:"Redirects followed per URL."`
	AllowPrivate   bool          `name:"allow-private" help:"Allow links and redirects into loopback and private networks."`
	Insecure       bool          `help:"Skip TLS certificate verification."`
	Proxy          string        `placeholder:"URL" help:"Proxy (http, https, socks5); default from HTTP_PROXY/HTTPS_PROXY/NO_PROXY."`
	Header         []string      `short:"H" sep:"none" placeholder:"'NAME: VALUE'" help:"Extra request header, repeatable; Authorization, Cookie and Proxy-Authorization go to the seeds' sites only."`
	Cookies        string        `type:"existingfile" placeholder:"FILE" help:"Netscape cookie file."`
}

// storeFlags are the flags of every command that saves images.
type storeFlags struct {
	Out                string   `short:"o" default:"./images" placeholder:"DIR" help:"Where images go."`
	Manifest           string   `placeholder:"FILE" help:"Manifest file (default OUT/manifest.jsonl; '-' for none)."`
	Accept             string   `placeholder:"TYPES" help:"Image types to keep, e.g. png,jpeg,gif,webp,avif,svg (default all)."`
	MinSize            byteSize `name:"min-size" default:"0" help:"Skip images smaller than this (bytes, KiB, MiB)."`
	MaxSize            byteSize `name:"max-size" default:"${default_max_size}" help:"Skip images larger than this."`
	MinWidth           int      `name:"min-width" default:"0" help:"Skip images narrower than this (pixels)."`
	MinHeight          int      `name:"min-height" default:"0" help:"Skip images shorter than this (pixels)."`
	Fsync              bool     `help:"Fsync each image before it is renamed into place."`
	ContentDisposition bool     `name:"content-disposition" help:"Name files from Content-Disposition (base name only, sanitized)."`
	State              string   `placeholder:"FILE" help:"Crawl state file (default OUT/.imgcrawl/state.db; 'none' = in memory, not resumable)."`
	Fresh              bool     `help:"Discard the stored crawl state and start over."`
	Index              string   `placeholder:"DSN" help:"Also record every image (and page) in an SQL index: sqlite:FILE, mysql://USER:PASS@HOST:PORT/DB (MySQL, MariaDB) or postgres://USER:PASS@HOST:PORT/DB."`
	SkipKnown          bool     `name:"skip-known" help:"With --index: do not request image URLs another crawl saved, and keep no copy of content another crawl saved (recorded as a duplicate of that file)."`
	Revalidate         bool     `help:"With --index: request image URLs another crawl saved only if changed (If-None-Match, If-Modified-Since); unchanged ones are skipped, changed ones saved."`
	Quiet              bool     `short:"q" help:"No progress display; errors and the summary only."`
	Strict             bool     `help:"Exit 3 when any page or image failed (default: failures are counted, exit 0)."`
	redisFlags
}

// byteSize is a size flag: 100, 64KiB, 16MiB, 1GiB (also KB/MB/GB, K/M/G).
type byteSize int64

func (b *byteSize) UnmarshalText(text []byte) error {
	n, err := parseByteSize(string(text))
	if err != nil {
		return err
	}
	*b = byteSize(n)
	return nil
}

func parseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := len(t)
	for i > 0 && (t[i-1] < '0' || t[i-1] > '9') {
		i--
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]int64{"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20,
		"mb": 1000 * 1000, "mib": 1 << 20, "g": 1 << 30, "gb": 1000 * 1000 * 1000, "gib": 1 << 30}[unit]
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || mult == 0 || n < 0 {
		return 0, fmt.Errorf("bad size %q (want bytes, or a number with KiB, MiB or GiB)", s)
	}
	return n * mult, nil
}

// apply copies the fetch flags into a crawler config.
func (f *fetchFlags) apply(cfg *crawler.Config) error {
	// The library reads 0 as "the default", which these flags have already:
	// 0 given on the command line is a mistake. crawler.New checks the rest.
	if f.Concurrency == 0 {
		return usageError{errors.New("--concurrency: must be > 0, got 0")}
	}
	if f.PerHost == 0 {
		return usageError{errors.New("--per-host: must be > 0, got 0")}
	}
	cfg.Concurrency, cfg.PerHost, cfg.Rate, cfg.HostRate = f.Concurrency, f.PerHost, f.Rate, f.HostRate
	retries, err := libCount("--retries", f.Retries, crawler.NoRetries)
	if err != nil {
		return err
	}
	cfg.IgnoreRobots, cfg.UserAgent, cfg.Retries = f.IgnoreRobots, f.UserAgent, retries
	cfg.MaxRetryWait, cfg.MaxRedirects, cfg.MaxPageSize = f.MaxRetryWait, f.MaxRedirects, int64(f.MaxPageSize)
	hdr := http.Header{}
	for _, h := range f.Header {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return usageError{fmt.Errorf("--header %q: want 'Name: value'", h)}
		}
		hdr.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	cfg.Fetch = fetch.Config{
		Header: hdr, ConnectTimeout: f.ConnectTimeout, HeaderTimeout: f.HeaderTimeout,
		IdleTimeout: f.IdleTimeout, AllowPrivate: f.AllowPrivate, Proxy: f.Proxy,
		Insecure: f.Insecure, CookieFile: f.Cookies,
	}
	return nil
}

// libCount maps the count n given to flag to the library's value: the
// library reads 0 as its default and none as zero. A negative count is a
// usage error (the library would take -1 for none).
func libCount(flag string, n, none int) (int, error) {
	switch {
	case n < 0:
		return 0, usageError{fmt.Errorf("%s: must be >= 0, got %d", flag, n)}
	case n == 0:
		return none, nil
	}
	return n, nil
}

// apply copies the store flags into a crawler config.
func (s *storeFlags) apply(cfg *crawler.Config, layout string) error {
	cfg.Out, cfg.Layout, cfg.Manifest = s.Out, store.Layout(layout), s.Manifest
	if s.Accept != "" {
		var err error
		if cfg.Accept, err = imagetype.ParseAccept(s.Accept); err != nil {
			return usageError{fmt.Errorf("--accept: %w", err)}
		}
	}
	cfg.MinSize, cfg.MaxSize, cfg.MinWidth, cfg.MinHeight = int64(s.MinSize), int64(s.MaxSize), s.MinWidth, s.MinHeight
	cfg.Fsync, cfg.ContentDisposition = s.Fsync, s.ContentDisposition
	cfg.SkipKnown, cfg.Revalidate = s.SkipKnown, s.Revalidate
	if (s.SkipKnown || s.Revalidate) && s.Index == "" {
		flag := "--skip-known"
		if s.Revalidate {
			flag = "--revalidate"
		}
		return usageError{fmt.Errorf("%s needs --index DSN: the index is what tells which images are known", flag)}
	}
	return nil
}

// defaultVars are the library's defaults, for the flags' default tags
// (${default_concurrency}) and help, so that the CLI does not repeat them.
func defaultVars() kong.Vars {
	return kong.Vars{
		"default_concurrency":    strconv.Itoa(crawler.DefaultConcurrency),
		"default_per_host":       strconv.Itoa(crawler.DefaultPerHost),
		"default_retries":        strconv.Itoa(crawler.DefaultRetries),
		"default_max_retry_wait": humanize.Exact(crawler.DefaultMaxRetryWait),
		"default_max_redirects":  strconv.Itoa(crawler.DefaultMaxRedirects),
		"default_max_page_size":  formatByteSize(crawler.DefaultMaxPageSize),
		"default_max_size":       formatByteSize(crawler.DefaultMaxSize),
		"default_user_agent":     crawler.DefaultUserAgent(),
		"default_redis_lease":    humanize.Exact(redisstate.DefaultLease),
		"default_skip_ext":       strings.Join(crawler.DefaultSkipExtensions(), ", "),

		"default_max_stylesheet_size": formatByteSize(crawler.DefaultMaxStylesheetSize),
		"default_render_tabs":         strconv.Itoa(crawler.DefaultRenderTabs),
	}
}

// splitList splits a comma-separated flag value; "" gives an empty,
// non-nil list (the library reads nil as "the default").
func splitList(s string) []string {
	list := []string{}
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			list = append(list, f)
		}
	}
	return list
}

// formatByteSize writes n as parseByteSize reads it, in the largest binary
// unit that divides it: 16MiB.
func formatByteSize(n int64) string {
	for _, u := range []struct {
		name string
		size int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n != 0 && n%u.size == 0 {
			return strconv.FormatInt(n/u.size, 10) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
