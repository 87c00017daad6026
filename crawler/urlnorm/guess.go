package urlnorm

import (
	"net/netip"
	"net/url"
	"strings"
)

// GuessScheme reads raw as a browser's address bar reads a URL typed
// without a scheme: "example.com", "127.0.0.1:8900/", "localhost:8080/x".
// When raw has no scheme, starts with a plausible host (a name with a dot,
// localhost, or an IP address, each with an optional numeric port) and
// "http://"+raw normalizes, GuessScheme returns that normalized URL and
// true. Otherwise (a scheme is given, raw is a path, names no plausible
// host, or carries user information) it returns false. It is safe for
// concurrent use.
func GuessScheme(raw string) (*url.URL, bool) {
	s := strings.TrimSpace(raw)
	if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s[:1], "/\\.") {
		return nil, false
	}
	auth := s
	if i := strings.IndexAny(s, "/?#\\"); i >= 0 {
		auth = s[:i]
	}
	if !plausibleHost(auth) {
		return nil, false
	}
	u, err := Normalize("http://" + s)
	if err != nil || u.Hostname() == "" {
		return nil, false
	}
	return u, true
}

// plausibleHost reports whether auth, the part of a scheme-less URL before
// its path, is host[:port] for a host someone would type: a name with a dot,
// localhost, or an IP address ("[::1]" for IPv6). "mailto:a@b.example",
// "javascript:x" and "tel:+1" are not.
func plausibleHost(auth string) bool {
	if strings.Contains(auth, "@") {
		return false
	}
	host, port := auth, ""
	if strings.HasPrefix(auth, "[") {
		end := strings.Index(auth, "]")
		if end < 0 {
			return false
		}
		host, port = auth[1:end], auth[end+1:]
		if port != "" && !strings.HasPrefix(port, ":") {
			return false
		}
		port = strings.TrimPrefix(port, ":")
		if _, err := netip.ParseAddr(host); err != nil {
			return false
		}
	} else if i := strings.LastIndex(auth, ":"); i >= 0 {
		host, port = auth[:i], auth[i+1:]
	}
	for _, c := range port {
		if c < '0' || c > '9' {
			return false
		}
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	return strings.EqualFold(host, "localhost") || (strings.Contains(host, ".") && !strings.ContainsAny(host, ":"))
}
