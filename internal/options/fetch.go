package options

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/imgcrawl/imgcrawl/crawler"
	"github.com/imgcrawl/imgcrawl/fetch"
)

// Fetch are the options of every command that downloads: concurrency,
// politeness, retries, timeouts, the address policy and request headers.
// Its zero value is not the defaults: start from Defaults().Fetch.
type Fetch struct {
	Concurrency    int      `json:"concurrency" short:"c" default:"${default_concurrency}" help:"Requests in flight in total, pages and images together."`
	PerHost        int      `json:"per-host" name:"per-host" default:"${default_per_host}" help:"Requests in flight per host."`
	Rate           float64  `json:"rate" default:"0" help:"Requests per second in total (0 = unlimited)."`
	HostRate       float64  `json:"host-rate" name:"host-rate" default:"0" help:"Requests per second per host (0 = unlimited)."`
	IgnoreRobots   bool     `json:"ignore-robots" name:"ignore-robots" help:"Do not obey robots.txt."`
	UserAgent      string   `json:"user-agent" name:"user-agent" placeholder:"S" help:"User-Agent header (default ${default_user_agent})."`
	Retries        int      `json:"retries" default:"${default_retries}" help:"Retries of transport errors, 408, 429, 500, 502, 503, 504."`
	MaxRetryWait   Duration `json:"max-retry-wait" name:"max-retry-wait" default:"${default_max_retry_wait}" help:"Longest Retry-After honoured; beyond it the URL fails."`
	ConnectTimeout Duration `json:"connect-timeout" name:"connect-timeout" default:"10s" help:"Connect (and TLS handshake) timeout."`
	HeaderTimeout  Duration `json:"header-timeout" name:"header-timeout" default:"30s" help:"Timeout for response headers."`
	IdleTimeout    Duration `json:"idle-timeout" name:"idle-timeout" default:"30s" help:"Fail a body that makes no progress for this long."`
	MaxPageSize    ByteSize `json:"max-page-size" name:"max-page-size" default:"${default_max_page_size}" help:"Largest page, after decompression."`
	MaxRedirects   int      `json:"max-redirects" name:"max-redirects" default:"${default_max_redirects}" help:"Redirects followed per URL."`
	AllowPrivate   bool     `json:"allow-private" name:"allow-private" help:"Allow links and redirects into loopback and private networks."`
	Insecure       bool     `json:"insecure" help:"Skip TLS certificate verification."`
	Proxy          string   `json:"proxy" placeholder:"URL" help:"Proxy (http, https, socks5); default from HTTP_PROXY/HTTPS_PROXY/NO_PROXY."`
	Header         []string `json:"header" short:"H" sep:"none" placeholder:"'NAME: VALUE'" help:"Extra request header, repeatable; Authorization, Cookie and Proxy-Authorization go to the seeds' sites only."`
	Cookies        string   `json:"cookies" type:"existingfile" placeholder:"FILE" help:"Netscape cookie file."`
}

// Apply checks f and copies it into cfg.
func (f *Fetch) Apply(cfg *crawler.Config) error {
	// The library reads 0 as "the default", which the options have
	// already: 0 given is a mistake. crawler.New checks the rest.
	if f.Concurrency == 0 {
		return &Error{"concurrency", errors.New("must be > 0, got 0")}
	}
	if f.PerHost == 0 {
		return &Error{"per-host", errors.New("must be > 0, got 0")}
	}
	for _, d := range []struct {
		name string
		v    Duration
	}{{"max-retry-wait", f.MaxRetryWait}, {"connect-timeout", f.ConnectTimeout},
		{"header-timeout", f.HeaderTimeout}, {"idle-timeout", f.IdleTimeout}} {
		if d.v < 0 {
			return &Error{d.name, fmt.Errorf("must be >= 0, got %v", d.v)}
		}
	}
	if f.MaxRedirects < 0 {
		return &Error{"max-redirects", fmt.Errorf("must be >= 0, got %d", f.MaxRedirects)}
	}
	cfg.Concurrency, cfg.PerHost, cfg.Rate, cfg.HostRate = f.Concurrency, f.PerHost, f.Rate, f.HostRate
	// The library reads Retries 0 as its default (3): the option's 0 is
	// crawler.NoRetries.
	switch {
	case f.Retries < 0:
		return &Error{"retries", fmt.Errorf("must be >= 0, got %d", f.Retries)}
	case f.Retries == 0:
		cfg.Retries = crawler.NoRetries
	default:
		cfg.Retries = f.Retries
	}
	cfg.IgnoreRobots, cfg.UserAgent = f.IgnoreRobots, f.UserAgent
	cfg.MaxRetryWait, cfg.MaxRedirects = time.Duration(f.MaxRetryWait), f.MaxRedirects
	cfg.MaxPageSize = int64(f.MaxPageSize)
	hdr := http.Header{}
	for _, h := range f.Header {
		name, value, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return &Error{"header", fmt.Errorf("%q: want 'Name: value'", h)}
		}
		hdr.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	cfg.Fetch = fetch.Config{
		Header: hdr, ConnectTimeout: time.Duration(f.ConnectTimeout), HeaderTimeout: time.Duration(f.HeaderTimeout),
		IdleTimeout: time.Duration(f.IdleTimeout), AllowPrivate: f.AllowPrivate, Proxy: f.Proxy,
		Insecure: f.Insecure, CookieFile: f.Cookies,
	}
	return nil
}
