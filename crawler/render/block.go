package render

import "strings"

// trackers are the registrable domains of common analytics, advertising
// and tag-management services: a page's requests to them (and to their
// subdomains) are refused, as an ad blocker would. They never carry a
// page's content.
var trackers = map[string]bool{
	"google-analytics.com":  true,
	"googletagmanager.com":  true,
	"googletagservices.com": true,
	"doubleclick.net":       true,
	"googlesyndication.com": true,
	"googleadservices.com":  true,
	"adservice.google.com":  true,
	"facebook.net":          true,
	"connect.facebook.net":  true,
	"hotjar.com":            true,
	"segment.io":            true,
	"segment.com":           true,
	"mixpanel.com":          true,
	"amplitude.com":         true,
	"newrelic.com":          true,
	"nr-data.net":           true,
	"scorecardresearch.com": true,
	"quantserve.com":        true,
	"criteo.com":            true,
	"criteo.net":            true,
	"taboola.com":           true,
	"outbrain.com":          true,
	"adnxs.com":             true,
	"amazon-adsystem.com":   true,
	"clarity.ms":            true,
	"matomo.cloud":          true,
	"plausible.io":          true,
	"sentry.io":             true,
}

// isTracker reports whether host (lower case, no port) is a tracker's or
// one of its subdomains.
func isTracker(host string) bool {
	host = strings.TrimSuffix(host, ".")
	for h := host; h != ""; {
		if trackers[h] {
			return true
		}
		i := strings.IndexByte(h, '.')
		if i < 0 {
			break
		}
		h = h[i+1:]
	}
	return false
}
