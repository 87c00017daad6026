package crawler

import (
	"net"
	"strings"

	"golang.org/x/net/publicsuffix"
)

// registrableDomain returns the registrable domain (eTLD+1) of host, the
// part a single owner controls: "img.news.example.co.uk" gives
// "example.co.uk". host may carry a port ("example.com:8080") and IPv6
// brackets; letters are lowercased and a trailing dot is ignored. The public
// suffix list compiled into golang.org/x/net/publicsuffix decides.
//
// For an IP address, "localhost", a public suffix itself ("co.uk") and any
// other host without a registrable domain, registrableDomain returns the
// host itself, lowercased and without port, brackets or trailing dot, so that such hosts
// are only ever related to themselves.
func registrableDomain(host string) string {
	h := strings.TrimSuffix(strings.ToLower(scopeStripPort(host)), ".")
	if h == "" || net.ParseIP(h) != nil || h == "localhost" {
		return h
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return h
	}
	return d
}

// scopeStripPort removes a ":port" suffix and IPv6 brackets from host.
func scopeStripPort(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		return host[1 : len(host)-1]
	}
	return host
}
