package fetch

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// isCredentialHeader reports whether the header named name carries
// credentials: Authorization, Proxy-Authorization or Cookie, in any case.
// Such headers in Config.Header go to the credential origins only.
func isCredentialHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie":
		return true
	}
	return false
}

// splitCredentials returns copies of the credential headers of h and of
// the others; either may be nil.
func splitCredentials(h http.Header) (creds, other http.Header) {
	for k, vs := range h {
		dst := &other
		if isCredentialHeader(k) {
			dst = &creds
		}
		if *dst == nil {
			*dst = make(http.Header)
		}
		(*dst)[k] = append([]string(nil), vs...)
	}
	return creds, other
}

// credentialOrigins is the set of origins (scheme, host and port) that
// receive the credential headers of Config.Header. Safe for concurrent use.
type credentialOrigins struct {
	mu  sync.RWMutex
	set map[string]struct{}
}

// add adds the origin of u; it fails when u is not an http(s) URL with a
// host.
func (o *credentialOrigins) add(u *url.URL) error {
	k, ok := credentialOrigin(u)
	if !ok {
		return errors.New("not an http or https URL with a host")
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.set == nil {
		o.set = make(map[string]struct{})
	}
	o.set[k] = struct{}{}
	return nil
}

// has reports whether u's origin is in the set.
func (o *credentialOrigins) has(u *url.URL) bool {
	k, ok := credentialOrigin(u)
	if !ok {
		return false
	}
	o.mu.RLock()
	defer o.mu.RUnlock()
	_, ok = o.set[k]
	return ok
}

// credentialOrigin returns u's origin as "scheme://host:port": scheme and
// host lowercased, a host's trailing dot dropped, the scheme's default port
// when u names none. A redirect from https to http, or to another port,
// is another origin, as it is for curl.
func credentialOrigin(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	switch {
	case port != "":
	case scheme == "http":
		port = "80"
	case scheme == "https":
		port = "443"
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if (scheme != "http" && scheme != "https") || host == "" {
		return "", false
	}
	return scheme + "://" + net.JoinHostPort(host, port), true
}

// AllowCredentials adds the origin of u (its scheme, host and port) to the
// origins that receive the credential headers of Config.Header: the crawler
// calls it for the URLs a user names (seeds, a download list), never for
// URLs found in pages or redirects. A URL that is not http(s) with a host
// is ignored. Safe for concurrent use.
func (c *Client) AllowCredentials(u *url.URL) {
	_ = c.credOrigins.add(u)
}

// newCredentialOrigins builds the set from Config.CredentialOrigins.
func newCredentialOrigins(raw []string) (*credentialOrigins, error) {
	o := &credentialOrigins{}
	for _, s := range raw {
		u, err := url.Parse(s)
		if err == nil {
			err = o.add(u)
		} else {
			err = errors.Unwrap(err) // the *url.Error would repeat the unredacted URL
		}
		if err != nil {
			return nil, fmt.Errorf("fetch: CredentialOrigins %s: %w", Redact(s), err)
		}
	}
	return o, nil
}
