package crawler

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"time"

	"github.com/imgcrawl/imgcrawl/store/state"

	"github.com/imgcrawl/imgcrawl/fetch"
	"github.com/imgcrawl/imgcrawl/store"
)

// Version is the engine's version, used in the default User-Agent.
var Version = "0.1.0"

// DefaultUserAgent is the User-Agent sent when Config.UserAgent is empty.
func DefaultUserAgent() string {
	return "imgcrawl/" + Version + " (+https://github.com/imgcrawl/imgcrawl)"
}

// Scope says which pages are followed. Images are fetched from any host.
type Scope string

// The scopes.
const (
	ScopeHost   Scope = "host"   // the seeds' hosts (default)
	ScopeDomain Scope = "domain" // the seeds' registrable domains
	ScopeAll    Scope = "all"    // anywhere
)

// Config configures a crawl. The zero value of each field means its
// documented default; New validates the whole.
type Config struct {
	// Seeds are the start pages (depth 0). Invalid ones are reported as
	// failed events and skipped.
	Seeds []string
	// Images, when set, is a stream of image URLs to download (the `get`
	// mode): each is fetched as an image at depth 0. The crawl ends when the
	// channel is closed and everything is done. The caller closes it.
	Images <-chan string

	Out          string        // folder for images (default "images")
	Depth        int           // link depth from a seed; 0 = the seed pages only
	Concurrency  int           // requests in flight in total (default 16)
	PerHost      int           // requests in flight per host (default 4)
	Rate         float64       // requests per second in total; 0 = unlimited
	HostRate     float64       // requests per second per host; 0 = unlimited
	Scope        Scope         // default ScopeHost
	Include      []string      // page URL regexps; a page must match one when set
	Exclude      []string      // page URL regexps; a page matching one is not followed
	IgnoreRobots bool          // do not obey robots.txt
	UserAgent    string        // default DefaultUserAgent()
	Retries      int           // retries per URL (default 3; -1 = none)
	MaxRetryWait time.Duration // a Retry-After beyond this fails the URL (default 10m)
	MaxRedirects int           // default 10
	MaxPageSize  int64         // bytes, after decompression (default 16 MiB)
	// ResumeAbove is the size from which an image download is kept when it
	// is interrupted, to resume with a Range request (default 8 MiB).
	ResumeAbove int64

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
	MaxSize            int64           // images larger than this are skipped (default 512 MiB)
	MinWidth           int
	MinHeight          int
	Fsync              bool
	ContentDisposition bool

	// Manifest is the manifest file (default OUT/manifest.jsonl); "-" for none.
	Manifest string
	// State is the crawl state; nil = a fresh in-memory state. The caller
	// opens and closes it.
	State state.State

	// RobotsRetry is the first wait before robots.txt is asked again after
	// a 5xx, 429 or unreachable host (then doubling); meanwhile the host is
	// disallowed. A URL gives up after Retries such waits (default 5s:
	// 5s, 10s, 20s).
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
	// OnEvent, when set, is called for every page and image as it completes,
	// from one goroutine, in completion order. It must not block for long.
	OnEvent func(Event)
	// Logger receives debug and warning logs; default discard.
	Logger *slog.Logger
}

// ConfigError is a configuration problem: the CLI maps it to a usage error.
type ConfigError struct {
	Field string
	Err   error
}

func (e *ConfigError) Error() string { return fmt.Sprintf("crawler: %s: %v", e.Field, e.Err) }
func (e *ConfigError) Unwrap() error { return e.Err }

type settings struct {
	Config
	include, exclude []*regexp.Regexp
}

func (c Config) withDefaults() (settings, error) {
	s := settings{Config: c}
	if s.Out == "" {
		s.Out = "images"
	}
	if s.Depth < 0 {
		return s, &ConfigError{"depth", errors.New("must be >= 0")}
	}
	if s.Concurrency == 0 {
		s.Concurrency = 16
	}
	if s.Concurrency < 0 {
		return s, &ConfigError{"concurrency", errors.New("must be > 0")}
	}
	if s.PerHost == 0 {
		s.PerHost = 4
	}
	if s.PerHost < 0 {
		return s, &ConfigError{"per-host", errors.New("must be > 0")}
	}
	if s.Rate < 0 || s.HostRate < 0 {
		return s, &ConfigError{"rate", errors.New("must be >= 0")}
	}
	switch s.Scope {
	case "":
		s.Scope = ScopeHost
	case ScopeHost, ScopeDomain, ScopeAll:
	default:
		return s, &ConfigError{"scope", fmt.Errorf("%q is not one of host, domain, all", s.Scope)}
	}
	for _, p := range s.Include {
		re, err := regexp.Compile(p)
		if err != nil {
			return s, &ConfigError{"include", fmt.Errorf("bad regexp %q: %w", p, err)}
		}
		s.include = append(s.include, re)
	}
	for _, p := range s.Exclude {
		re, err := regexp.Compile(p)
		if err != nil {
			return s, &ConfigError{"exclude", fmt.Errorf("bad regexp %q: %w", p, err)}
		}
		s.exclude = append(s.exclude, re)
	}
	if s.UserAgent == "" {
		s.UserAgent = s.Fetch.UserAgent
	}
	if s.UserAgent == "" {
		s.UserAgent = DefaultUserAgent()
	}
	if s.Retries == 0 {
		s.Retries = 3
	}
	if s.Retries < 0 {
		s.Retries = 0
	}
	if s.MaxRetryWait == 0 {
		s.MaxRetryWait = 10 * time.Minute
	}
	if s.MaxRedirects == 0 {
		s.MaxRedirects = 10
	}
	if s.MaxPageSize == 0 {
		s.MaxPageSize = 16 << 20
	}
	if s.ResumeAbove <= 0 {
		s.ResumeAbove = 8 << 20
	}
	if s.MaxSize == 0 {
		s.MaxSize = 512 << 20
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
	if len(s.Seeds) == 0 && s.Images == nil {
		return s, &ConfigError{"seeds", errors.New("no seed URLs")}
	}
	return s, nil
}
