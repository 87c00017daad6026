package fetch

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/net/publicsuffix"
)

// Defaults applied by NewClient to zero Config fields.
const (
	DefaultUserAgent      = "imgcrawl (+https://github.com/imgcrawl/imgcrawl)"
	DefaultConnectTimeout = 10 * time.Second
	DefaultHeaderTimeout  = 30 * time.Second
	DefaultIdleTimeout    = 30 * time.Second
)

// ProxyDirect is the Config.Proxy value that disables proxies, including
// those named by the environment.
const ProxyDirect = "direct"

// Config configures a Client. The zero value is usable: default timeouts,
// proxies from the environment, the address policy on, an empty cookie jar.
// There is deliberately no whole-request timeout: a large body arriving
// steadily always completes; a stalled one fails after IdleTimeout.
type Config struct {
	// UserAgent is sent with every request; "" means DefaultUserAgent.
	UserAgent string
	// Header holds extra headers sent with every request (a "Host" entry
	// sets the request's Host). Get's extra headers override them.
	//
	// Credentials among them (Authorization, Proxy-Authorization and
	// Cookie) go only to the credential origins (CredentialOrigins and
	// AllowCredentials): never to another host, such as an image CDN, the
	// target of a cross-host redirect or their robots.txt, as curl drops
	// them on a redirect to another host. Proxy credentials belong in the
	// Proxy URL ("http://user:pass@proxy:3128"), which sends them to the
	// proxy only. The cookie jar (CookieFile) keeps its own domain rules.
	Header http.Header
	// CredentialOrigins are URLs whose origins (scheme, host and port: any
	// URL of the site will do) receive the credentials in Header. With
	// none, and none added with AllowCredentials, no request carries them.
	// A URL that is not http(s) with a host is an error.
	CredentialOrigins []string
	// ConnectTimeout bounds DNS, TCP connect, proxy and TLS handshakes;
	// 0 means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// HeaderTimeout bounds the wait from sending the request to receiving
	// the response headers; 0 means DefaultHeaderTimeout.
	HeaderTimeout time.Duration
	// IdleTimeout fails a body read (*TimeoutError{Phase: "body"}) when no
	// byte arrives for this long; 0 means DefaultIdleTimeout.
	IdleTimeout time.Duration
	// AllowPrivate turns the address policy off: loopback, private,
	// link-local and other internal addresses may then be dialed.
	AllowPrivate bool
	// AllowHosts lists host names and IPs (as written in URLs, optionally
	// with a port) exempt from the address policy, typically the seeds'
	// hosts. A name's resolved addresses are exempt too.
	AllowHosts []string
	// Proxy is an http://, https://, socks5:// or socks5h:// proxy URL.
	// "" takes HTTP_PROXY, HTTPS_PROXY and NO_PROXY from the environment
	// (http.ProxyFromEnvironment, which reads them once per process); ProxyDirect ("direct") uses no proxy. The address
	// policy then applies to the connection to the proxy, whose host is
	// exempted automatically: the proxy, not this client, reaches the
	// target, so the policy cannot protect proxied requests.
	Proxy string
	// Insecure skips TLS certificate verification.
	Insecure bool
	// CookieFile is a Netscape-format cookie file (as written by curl or
	// browser extensions) loaded into the client's jar; "" = empty jar.
	CookieFile string
	// Transport, when set, carries the requests instead of the transport
	// NewClient builds: ConnectTimeout, HeaderTimeout, the address policy,
	// Proxy and Insecure are then the caller's business.
	Transport http.RoundTripper
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
	// Resolver looks up host names for the transport NewClient builds;
	// nil means net.DefaultResolver.
	Resolver *net.Resolver
}

// Client does single GET requests without following redirects. It is safe
// for concurrent use. Each Client has its own cookie jar and connection pool.
// Create it with NewClient; the zero Client is not usable.
type Client struct {
	hc          *http.Client
	ua          string
	header      http.Header // Config.Header but its credentials
	creds       http.Header // Config.Header's credentials, for credOrigins
	credOrigins *credentialOrigins
	idle        time.Duration
	log         *slog.Logger
	policy      *dialPolicy // nil when the caller injected a Transport
}

// NewClient validates cfg and builds a Client. A malformed proxy URL, an
// unreadable or malformed cookie file, or a negative timeout is an error
// naming the setting.
func NewClient(cfg Config) (*Client, error) {
	connect, err := clientDuration("ConnectTimeout", cfg.ConnectTimeout, DefaultConnectTimeout)
	if err != nil {
		return nil, err
	}
	header, err := clientDuration("HeaderTimeout", cfg.HeaderTimeout, DefaultHeaderTimeout)
	if err != nil {
		return nil, err
	}
	idle, err := clientDuration("IdleTimeout", cfg.IdleTimeout, DefaultIdleTimeout)
	if err != nil {
		return nil, err
	}
	credOrigins, err := newCredentialOrigins(cfg.CredentialOrigins)
	if err != nil {
		return nil, err
	}
	std, err := cookiejar.New(&cookiejar.Options{PublicSuffixList: publicsuffix.List})
	if err != nil {
		return nil, fmt.Errorf("fetch: cookie jar: %w", err)
	}
	jar := &lazyJar{jar: std}
	if cfg.CookieFile != "" {
		if err := cookieLoadFile(jar, cfg.CookieFile); err != nil {
			return nil, err
		}
	}
	rt := cfg.Transport
	var policy *dialPolicy
	if rt == nil {
		rt, policy, err = clientTransport(cfg, connect, header)
		if err != nil {
			return nil, err
		}
	}
	c := &Client{
		hc: &http.Client{
			Transport: rt,
			Jar:       jar,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		ua:          cfg.UserAgent,
		credOrigins: credOrigins,
		idle:        idle,
		log:         cfg.Logger,
		policy:      policy,
	}
	c.creds, c.header = splitCredentials(cfg.Header)
	if c.ua == "" {
		c.ua = DefaultUserAgent
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

func clientDuration(name string, d, def time.Duration) (time.Duration, error) {
	switch {
	case d < 0:
		return 0, fmt.Errorf("fetch: %s %v is negative", name, d)
	case d == 0:
		return def, nil
	}
	return d, nil
}

// readBuffer is the size of each connection's read buffer.
const readBuffer = 16 << 10

// clientTransport builds the transport: the settings of
// http.DefaultTransport, minus any whole-request limit, with the address
// policy in the dialer.
func clientTransport(cfg Config, connect, header time.Duration) (*http.Transport, *dialPolicy, error) {
	policy := newDialPolicy(cfg.AllowPrivate, cfg.AllowHosts, connect)
	if cfg.Resolver != nil {
		policy.resolver, policy.dialer.Resolver = cfg.Resolver, cfg.Resolver
	}
	t := &http.Transport{
		DialContext:           policy.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   connect,
		ResponseHeaderTimeout: header,
		ExpectContinueTimeout: time.Second,
		// Room for a response's header and a small image in one read:
		// the default 4 KiB takes two reads for a 4 KiB image.
		ReadBufferSize:  readBuffer,
		TLSClientConfig: &tls.Config{InsecureSkipVerify: cfg.Insecure},
	}
	switch cfg.Proxy {
	case ProxyDirect:
	case "":
		// http.ProxyFromEnvironment reads the variables once per process.
		for _, name := range []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"} {
			if u, err := clientParseProxy(os.Getenv(name)); err == nil {
				policy.allowHost(u.Hostname())
			}
		}
		t.Proxy = http.ProxyFromEnvironment
	default:
		u, err := clientParseProxy(cfg.Proxy)
		if err != nil {
			return nil, nil, fmt.Errorf("fetch: proxy %q: %w", Redact(cfg.Proxy), err)
		}
		policy.allowHost(u.Hostname())
		t.Proxy = http.ProxyURL(u)
	}
	return t, policy, nil
}

// Allow exempts host (a name or IP, as written in a URL) from the address
// policy from now on: the crawler calls it for the hosts a user names
// (seeds, a download list), never for hosts found in pages. Safe for
// concurrent use.
func (c *Client) Allow(host string) {
	if c.policy != nil {
		c.policy.allowHost(host)
	}
}

// clientParseProxy parses a proxy URL; a bare "host:port" means http.
func clientParseProxy(raw string) (*url.URL, error) {
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.Unwrap(err) // the *url.Error would repeat the unredacted URL
	}
	switch u.Scheme {
	case "http", "https", "socks5", "socks5h":
	default:
		return nil, fmt.Errorf("unsupported scheme %q (want http, https, socks5 or socks5h)", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("no host")
	}
	return u, nil
}

// Get performs one GET of rawURL. Redirects are not followed: a 3xx comes
// back as a Response with its Location header, and no status code is turned
// into an error (see StatusError).
//
// maxBytes caps the body, counted after transparent gzip decompression;
// maxBytes <= 0 means no cap. A declared Content-Length over maxBytes is
// refused with *TooLargeError before the body is read (and the body is
// closed). extra headers are set on the request after Config.Header (for
// example Range and If-Range); Config.Header's credentials are sent only
// when rawURL's origin is a credential origin.
//
// On success the caller must Close resp.Body. Reads from it return
// *TooLargeError once more than maxBytes would be delivered (exactly
// maxBytes bytes are delivered first; nothing is silently truncated),
// *TimeoutError{Phase: "body"} when a read waits IdleTimeout without a
// byte, and *ShortBodyError when the body ends before its Content-Length
// or a chunked or gzip stream is cut off.
//
// Errors: *PolicyError, *TimeoutError ("connect" or "header") and errors
// wrapping the cause otherwise, all naming the redacted URL. When ctx ends,
// the error wraps ctx.Err().
func (c *Client) Get(ctx context.Context, rawURL string, extra http.Header, maxBytes int64) (*http.Response, error) {
	rctx, cancel := context.WithCancelCause(ctx)
	var gotConn atomic.Bool
	rctx = httptrace.WithClientTrace(rctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, rawURL, nil) // parses the URL
	if err != nil {
		cancel(err)
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("fetch: bad url %s: %w", Redact(rawURL), err)
	}
	u := req.URL
	if u.Scheme != "http" && u.Scheme != "https" {
		cancel(context.Canceled)
		return nil, fmt.Errorf("fetch: %s: unsupported scheme %q", Redact(rawURL), u.Scheme)
	}
	redacted := Redact(rawURL)
	req.Header.Set("User-Agent", c.ua)
	creds := c.creds
	if creds != nil && !c.credOrigins.has(u) {
		creds = nil
	}
	for _, h := range []http.Header{c.header, creds, extra} {
		for k, vs := range h {
			if http.CanonicalHeaderKey(k) == "Host" && len(vs) > 0 {
				req.Host = vs[0]
				continue
			}
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel(err)
		err = c.mapError(ctx, redacted, err, gotConn.Load())
		c.log.Debug("fetch: get failed", "url", redacted, "err", err)
		return nil, err
	}
	if c.log.Enabled(ctx, slog.LevelDebug) { // the arguments alone cost allocations per request
		c.log.Debug("fetch: get", "url", redacted, "status", resp.StatusCode, "length", resp.ContentLength)
	}
	if maxBytes > 0 && resp.ContentLength > maxBytes {
		resp.Body.Close()
		cancel(context.Canceled)
		return nil, &TooLargeError{URL: redacted, Limit: maxBytes, Declared: resp.ContentLength}
	}
	resp.Body = newBodyReader(resp.Body, redacted, maxBytes, resp.ContentLength, c.idle, rctx, cancel)
	return resp, nil
}

// mapError turns a transport error into the package's typed errors.
// connected reports whether a connection had been obtained, which tells a
// connect timeout from a header timeout.
func (c *Client) mapError(ctx context.Context, redacted string, err error, connected bool) error {
	if ue, ok := err.(*url.Error); ok {
		err = ue.Err // its URL field is not redacted
	}
	var pe *PolicyError
	if errors.As(err, &pe) {
		cp := *pe
		cp.URL = redacted
		return &cp
	}
	var te *TimeoutError
	if errors.As(err, &te) {
		return &TimeoutError{URL: redacted, Phase: te.Phase}
	}
	if ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != ctx.Err() {
			return fmt.Errorf("fetch: get %s: %w: %w", redacted, ctx.Err(), cause)
		}
		return fmt.Errorf("fetch: get %s: %w", redacted, ctx.Err())
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		phase := PhaseHeader
		if !connected {
			phase = PhaseConnect
		}
		return &TimeoutError{URL: redacted, Phase: phase}
	}
	return fmt.Errorf("fetch: get %s: %w", redacted, err)
}

// CloseIdleConnections closes idle keep-alive connections (tests, shutdown).
// Connections in use are not affected.
func (c *Client) CloseIdleConnections() {
	c.hc.CloseIdleConnections()
}
