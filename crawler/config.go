package crawler

import (
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler/render"
	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
	"github.com/imgcrawl/imgcrawl/store/index"
)

// Version is the engine's version, used in the default User-Agent.
var Version = "0.1.0"

// DefaultUserAgent is the User-Agent sent when Config.UserAgent is empty.
func DefaultUserAgent() string {
	return "imgcrawl/" + Version + " (+https://github.com/imgcrawl/imgcrawl)"
}

// The defaults New gives the Config fields left at zero; they are the CLI's
// defaults too, so that a Config{Seeds: ...} crawls as `imgcrawl crawl` does.
const (
	DefaultDepth        = 2
	DefaultConcurrency  = 16
	DefaultPerHost      = 4
	DefaultRetries      = 3
	DefaultMaxRetryWait = 10 * time.Minute
	DefaultMaxRedirects = 10
	DefaultMaxPageSize  = 16 << 20  // bytes
	DefaultMaxSize      = 512 << 20 // bytes
)

// The values of Config.Depth and Config.Retries that ask for none, since
// their zero value asks for the default.
const (
	SeedsOnly = -1 // Config.Depth: read the seed pages only, follow no link
	NoRetries = -1 // Config.Retries: never try a failed URL again
)

// DefaultRenderTabs is how many pages are rendered at once when
// Config.RenderTabs is 0.
const DefaultRenderTabs = render.DefaultTabs

// DefaultMaxStylesheetSize is the largest style sheet read, in bytes after
// decompression; the largest of common frameworks are well under 1 MiB.
const DefaultMaxStylesheetSize = 4 << 20

// Scope says which pages are followed. Images are fetched from any host.
type Scope string

// The scopes.
const (
	ScopeHost   Scope = "host"   // the seeds' hosts (default)
	ScopeDomain Scope = "domain" // the seeds' registrable domains
	ScopeAll    Scope = "all"    // anywhere
)

// Srcset says which candidates of a srcset, and of a <picture>, are saved.
type Srcset string

// The srcset choices.
const (
	SrcsetAll     Srcset = "all"     // every candidate (default)
	SrcsetLargest Srcset = "largest" // the largest only; the others are never requested
)

// RenderMode says which pages are loaded in a headless browser before
// their links and images are read (package render).
type RenderMode string

// The render modes.
const (
	RenderOff  RenderMode = "off"  // never (default, also for "")
	RenderOn   RenderMode = "on"   // every page
	RenderAuto RenderMode = "auto" // pages that seem to need it, and those RenderMatch matches
)

// Config configures a crawl. Each field says what its zero value means:
// most mean a default (the Default* constants, which are the CLI's
// defaults), the filters and limits mean none. New validates the whole; Validate does the same without preparing a
// crawl.
type Config struct {
	// Seeds are the start pages (depth 0). Invalid ones are reported as
	// failed events and skipped.
	Seeds []string
	// Images, when set, is a stream of image URLs to download (the `get`
	// mode): each is fetched as an image at depth 0. The crawl ends when the
	// channel is closed and everything is done. The caller closes it.
	Images <-chan string
	// ImagesTotal is how many URLs Images will carry, when the caller knows
	// (a list read from a file): the progress display then shows how many
	// are left and an estimate of the time that takes. 0 = unknown.
	ImagesTotal int64

	Out string // folder for images (default "images")
	// Depth is how many links from a seed pages are followed (a seed is at
	// depth 0); 0 = DefaultDepth, as in the CLI; SeedsOnly reads the seeds
	// alone.
	Depth        int
	Concurrency  int      // requests in flight in total; 0 = DefaultConcurrency
	PerHost      int      // requests in flight per host; 0 = DefaultPerHost
	Rate         float64  // requests per second in total; 0 = unlimited
	HostRate     float64  // requests per second per host; 0 = unlimited
	Scope        Scope    // default ScopeHost
	Include      []string // page URL regexps; a page must match one when set
	Exclude      []string // page URL regexps; a page matching one is not followed
	IgnoreRobots bool     // do not obey robots.txt
	UserAgent    string   // default DefaultUserAgent()
	// Retries is how often a URL is tried again after a retryable failure;
	// 0 = DefaultRetries, as in the CLI; NoRetries for none.
	Retries      int
	MaxRetryWait time.Duration // a Retry-After beyond this fails the URL; 0 = DefaultMaxRetryWait
	MaxRedirects int           // redirects followed per URL; 0 = DefaultMaxRedirects
	MaxPageSize  int64         // bytes, after decompression; 0 = DefaultMaxPageSize
	// MaxStylesheetSize is the largest style sheet read, in bytes after
	// decompression; 0 = DefaultMaxStylesheetSize. A larger one fails,
	// unread, and the images it names are not found.
	MaxStylesheetSize int64
	// RetryPolicy decides whether a failed request is tried again and after
	// how long; nil = fetch.DefaultRetryPolicy. Retries and MaxRetryWait
	// still bound what it allows. It is called from many workers at once.
	RetryPolicy fetch.RetryPolicy
	// ResumeAbove is the size from which an image download is kept when it
	// is interrupted, to resume with a Range request (default 8 MiB).
	ResumeAbove int64
	// SkipExtensions lists the extensions (".zip", case-insensitive, the dot
	// optional) of links that are never requested: nil means
	// DefaultSkipExtensions(), an empty non-nil slice none. It applies to
	// page links and redirects, not to images, seeds or listed URLs.
	SkipExtensions []string
	// Srcset says which candidates of each srcset and each <picture> are
	// saved: SrcsetAll (the default, also for "") or SrcsetLargest, the
	// widest or densest only, as extract.Options.Largest picks it. It is
	// not stored with the crawl: a resumed crawl applies the new choice to
	// the pages it parses from then on.
	Srcset Srcset
	// Sitemaps, when set, has the crawl read the sitemaps of each seed's
	// host: those its robots.txt names on Sitemap lines (read even with
	// IgnoreRobots), else its /sitemap.xml; sitemap indexes (up to
	// SitemapMaxLevel deep), gzipped files and image entries, within
	// SitemapMaxBytes and SitemapMaxFiles. The pages they list are added as
	// depth-0 pages when Scope, Include, Exclude and SkipExtensions let
	// them through, and their images are saved. Each file is fetched like
	// a page (robots.txt, politeness, address policy, retries). A file that
	// cannot be read is logged (Logger, warning) and counted in
	// Summary.Sitemaps. Ignored in a get (Images set). Not stored with the
	// crawl: a resumed crawl reads the sitemaps again, and the seen set
	// drops what an earlier run added.
	Sitemaps bool

	// Render says which pages are loaded in headless Chromium, their
	// scripts run and the page scrolled down, before their links and
	// images are read from the rendered DOM (as well as from the HTML
	// served): RenderOff (default), RenderOn, or RenderAuto: pages whose
	// HTML names no image but has a script, and pages whose URL
	// RenderMatch matches. The browser's requests obey the crawl's rules
	// (robots.txt, the address policy, politeness, MaxPageSize and
	// MaxStylesheetSize, cookies) because the crawler makes them; the images
	// a page asks for are not loaded by the browser but fetched once by the
	// crawler, as the page's images (with SrcsetLargest only those the
	// rendered DOM names, so that the browser's choice of a srcset
	// candidate adds none). Fonts, media and trackers are refused.
	// New fails, saying how to install one, when there is no browser; a
	// browser that cannot be started ends the crawl (Run's error). Not
	// stored with the crawl: a resumed crawl renders as it is told then.
	Render RenderMode
	// RenderMatch is a regexp of page URLs that RenderAuto renders too.
	RenderMatch string
	// RenderTabs is how many pages are rendered at once; 0 =
	// DefaultRenderTabs.
	RenderTabs int
	// Browser is the Chromium or Chrome binary (a path or a name in
	// PATH); "" looks for chromium and google-chrome.
	Browser string

	// Fetch configures the HTTP client (timeouts, proxy, address policy,
	// headers, cookies). UserAgent above wins over Fetch.UserAgent. The seed
	// hosts are added to Fetch.AllowHosts.
	//
	// Credentials in Fetch.Header (Authorization, Proxy-Authorization,
	// Cookie) are sent only to the seeds' origins (scheme, host and port)
	// and, in a get, to the origins of the listed URLs, including those of
	// a resumed get's stored list: never to other hosts, such as an image
	// CDN, the target of a cross-host redirect or their robots.txt. Other
	// headers go everywhere. See fetch.Config.Header.
	Fetch fetch.Config
	// Client, when set, is used instead of one built from Fetch. The
	// crawler adds the origins above to its credential origins
	// (fetch.Client.AllowCredentials), and in a get exempts the listed
	// hosts from its address policy.
	Client *fetch.Client

	Layout             store.Layout    // default store.LayoutMirror
	Accept             map[string]bool // image type names to keep; nil = all
	MinSize            int64           // images smaller than this are skipped; 0 = none
	MaxSize            int64           // images larger than this are skipped; 0 = DefaultMaxSize
	MinWidth           int             // narrower images are skipped (pixels); 0 = none
	MinHeight          int             // shorter images are skipped (pixels); 0 = none
	Fsync              bool
	ContentDisposition bool

	// Sink, when set, receives the images instead of the folder Out, under
	// the names Layout gives them (see store.Sink; package store/s3 has one
	// for S3-compatible object storage). Out still holds the temp files,
	// the manifest and, by default, the state. An error from the sink stops
	// the crawl, as a full disk does.
	Sink store.Sink

	// Manifest is the manifest file (default OUT/manifest.jsonl); "-" for none.
	Manifest string
	// Index, when set, receives a row for every image the manifest records
	// (and one per page), written in batches by a goroutine of Run's, under
	// the crawl's id (Summary.CrawlID). A resumed crawl whose state keeps
	// records (bolt) writes them all again first, so that rows a crash lost
	// come back. While the database is down, rows wait in a buffer of
	// IndexBuffer rows (0 = index.DefaultBuffer); when it is full the crawl
	// pauses, with a warning logged, until the database takes rows again.
	// The caller opens and closes the index.
	Index       *index.Index
	IndexBuffer int
	// SkipKnown, with Index, makes the index a download archive shared by
	// every crawl that writes it: an image URL that another crawl saved is
	// not requested (it ends Skipped, saying where it is), and an image
	// whose content another crawl saved is not kept: it ends Duplicate, its
	// Path the earlier file's absolute path.
	SkipKnown bool
	// Revalidate, with Index, requests an image URL that another crawl
	// saved with If-None-Match and If-Modified-Since (its stored ETag and
	// Last-Modified): unchanged (304), it ends Skipped and nothing is
	// written; changed, it is saved as any image is. It implies SkipKnown's
	// duplicate rule.
	Revalidate bool
	// State is the crawl state; nil = a fresh in-memory state. The caller
	// opens and closes it.
	State state.State

	// RobotsRetry is the first wait before robots.txt is asked again after
	// a 5xx or 429 (then doubling); meanwhile the host is disallowed. A URL
	// gives up after Retries such waits (default 5s; with DefaultRetries:
	// 5s, 10s, 20s). A host that cannot be connected to is disallowed too,
	// but paced by its connection budget (fetch.Reach: 1+Retries tries
	// within fetch.DefaultReachBudget), shared by all its URLs.
	RobotsRetry time.Duration
	// StateRetry is how long transient failures of a shared state (a Redis
	// restart, a network cut) are retried before the crawl gives up
	// (default 5m). Meanwhile no new work is handed out.
	StateRetry time.Duration

	// Gate, when set, paces requests per host instead of one built from
	// PerHost, HostRate and Rate (a shared state supplies one for a job
	// spread over many processes).
	Gate fetch.Gate

	// Progress receives the progress display; nil = none. ProgressTTY draws
	// a live bar (progressbar/v3); otherwise a plain line every
	// ProgressInterval (default 5s).
	Progress         io.Writer
	ProgressTTY      bool
	ProgressInterval time.Duration
	// SnapshotInterval, when set, has Run write a Snapshot of the crawl
	// to SnapshotPath(Out) at the start, this often, and when it returns, for
	// ReadSnapshot (DefaultSnapshotInterval is what the CLI uses). 0 = none.
	SnapshotInterval time.Duration
	// Hooks steer the crawl: a filter on the URLs found, hooks on each
	// request and response, CSS selector hooks on pages. See Hooks for where
	// they run and what they must not do. The zero value has none.
	Hooks Hooks
	// OnEvent, when set, is called for every page and image as it completes,
	// from one goroutine, in completion order. It must not block for long.
	OnEvent func(Event)
	// Logger receives debug and warning logs; default discard.
	Logger *slog.Logger
}

// ConfigError is a configuration problem: the CLI maps it to a usage error.
type ConfigError struct {
	// Field names the Config field at fault in lower case, words joined by
	// hyphens: "depth", "per-host", "host-rate", "min-width".
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("crawler: %s: %v", e.Field, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

// resolved is a validated Config with its defaults filled in.
type resolved struct {
	Config
	include, exclude []*regexp.Regexp
	skip             map[string]bool // SkipExtensions
	html             []htmlHook      // Hooks.HTML, compiled
	renderMatch      *regexp.Regexp  // RenderMatch, nil when empty
}

// Validate reports the first field of c that New would reject, as a
// *ConfigError, without preparing anything. It does not ask for Seeds or
// Images, which a caller may fill in later (see Settings.Apply), nor for
// the Index that SkipKnown and Revalidate need, which a caller may open
// later; New does.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

func (c Config) withDefaults() (resolved, error) {
	s := resolved{Config: c}
	if err := c.checkSigns(); err != nil {
		return s, err
	}
	if s.Out == "" {
		s.Out = "images"
	}
	s.Depth = orNone(s.Depth, DefaultDepth, SeedsOnly)
	s.Retries = orNone(s.Retries, DefaultRetries, NoRetries)
	if s.Concurrency == 0 {
		s.Concurrency = DefaultConcurrency
	}
	if s.PerHost == 0 {
		s.PerHost = DefaultPerHost
	}
	if err := s.choose(); err != nil {
		return s, err
	}
	var err error
	if s.include, err = compileAll("include", s.Include); err != nil {
		return s, err
	}
	if s.exclude, err = compileAll("exclude", s.Exclude); err != nil {
		return s, err
	}
	if s.skip, err = skipSet(s.SkipExtensions); err != nil {
		return s, err
	}
	if s.html, err = compileHooks(s.Hooks.HTML); err != nil {
		return s, err
	}
	if s.Render != RenderOff {
		if _, err := render.FindBrowser(s.Browser); err != nil {
			return s, &ConfigError{"browser", err}
		}
	}
	if s.RenderMatch != "" {
		if s.renderMatch, err = regexp.Compile(s.RenderMatch); err != nil {
			return s, &ConfigError{"render-match", fmt.Errorf("bad regexp %q: %w", s.RenderMatch, err)}
		}
	}
	if s.UserAgent == "" {
		s.UserAgent = s.Fetch.UserAgent
	}
	if s.UserAgent == "" {
		s.UserAgent = DefaultUserAgent()
	}
	if s.MaxRetryWait == 0 {
		s.MaxRetryWait = DefaultMaxRetryWait
	}
	if s.RetryPolicy == nil {
		s.RetryPolicy = fetch.DefaultRetryPolicy
	}
	if s.MaxRedirects == 0 {
		s.MaxRedirects = DefaultMaxRedirects
	}
	if s.MaxPageSize == 0 {
		s.MaxPageSize = DefaultMaxPageSize
	}
	if s.MaxStylesheetSize == 0 {
		s.MaxStylesheetSize = DefaultMaxStylesheetSize
	}
	if s.ResumeAbove <= 0 {
		s.ResumeAbove = 8 << 20
	}
	if s.MaxSize == 0 {
		s.MaxSize = DefaultMaxSize
	}
	if s.Layout == "" {
		s.Layout = store.LayoutMirror
	}
	if _, err := store.ParseLayout(string(s.Layout)); err != nil {
		return s, &ConfigError{"layout", err}
	}
	if s.RobotsRetry <= 0 {
		s.RobotsRetry = 5 * time.Second
	}
	if s.StateRetry <= 0 {
		s.StateRetry = 5 * time.Minute
	}
	if s.ProgressInterval <= 0 {
		s.ProgressInterval = 5 * time.Second
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// choose checks the fields that take one of a few values, and fills in
// their defaults.
func (s *resolved) choose() error {
	switch s.Scope {
	case "":
		s.Scope = ScopeHost
	case ScopeHost, ScopeDomain, ScopeAll:
	default:
		return &ConfigError{"scope", fmt.Errorf("%q is not one of host, domain, all", s.Scope)}
	}
	switch s.Render {
	case "":
		s.Render = RenderOff
	case RenderOff, RenderOn, RenderAuto:
	default:
		return &ConfigError{"render", fmt.Errorf("%q is not one of off, on, auto", s.Render)}
	}
	switch s.Srcset {
	case "":
		s.Srcset = SrcsetAll
	case SrcsetAll, SrcsetLargest:
	default:
		return &ConfigError{"srcset", fmt.Errorf("%q is not one of all, largest", s.Srcset)}
	}
	return nil
}

// checkSigns rejects the numbers no field takes below zero. Concurrency
// and PerHost "must be > 0" because their 0 means the default.
func (c Config) checkSigns() error {
	for _, n := range []struct {
		field, want string
		v, min      float64
	}{
		{"depth", ">= 0, or SeedsOnly (-1)", float64(c.Depth), SeedsOnly},
		{"concurrency", "> 0", float64(c.Concurrency), 0},
		{"per-host", "> 0", float64(c.PerHost), 0},
		{"rate", ">= 0", c.Rate, 0},
		{"host-rate", ">= 0", c.HostRate, 0},
		{"retries", ">= 0, or NoRetries (-1)", float64(c.Retries), NoRetries},
		{"min-width", ">= 0", float64(c.MinWidth), 0},
		{"min-height", ">= 0", float64(c.MinHeight), 0},
		{"max-stylesheet-size", ">= 0", float64(c.MaxStylesheetSize), 0},
		{"render-tabs", ">= 0", float64(c.RenderTabs), 0},
	} {
		if n.v < n.min {
			return &ConfigError{n.field, fmt.Errorf("must be %s, got %v", n.want, n.v)}
		}
	}
	return nil
}

// orNone resolves a count whose zero value means def and whose sentinel
// none means 0.
func orNone(n, def, none int) int {
	switch n {
	case 0:
		return def
	case none:
		return 0
	}
	return n
}

// compileAll compiles the regexps of a field.
func compileAll(field string, patterns []string) ([]*regexp.Regexp, error) {
	var res []*regexp.Regexp
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, &ConfigError{field, fmt.Errorf("bad regexp %q: %w", p, err)}
		}
		res = append(res, re)
	}
	return res, nil
}
