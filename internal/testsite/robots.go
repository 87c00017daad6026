package testsite

import "strings"

// robotsTxt is served at /robots.txt. The imgcrawl group overrides the "*"
// group (so /private/open.png is allowed for imgcrawl only); its Allow line
// comes first, so a matcher that takes the first matching rule instead of
// the longest one also gets it right, while one that ignores Allow does not.
const robotsTxt = `# robots.txt of the imgcrawl synthetic test site
User-agent: BadBot
Disallow: /

User-agent: *
Disallow: /private/

User-agent: imgcrawl
Disallow: /private/
Allow: /private/open.png
`

// robotsRule is one rule of the imgcrawl group.
type robotsRule struct {
	prefix string
	allow  bool
}

var imgcrawlRules = []robotsRule{
	{"/private/", false},
	{"/private/open.png", true},
}

// Disallowed reports whether the site's robots.txt disallows path (a path
// with optional query, in any spelling NormalizeTarget accepts) for the
// product token "imgcrawl": the longest matching rule wins and Allow wins a
// tie, as RFC 9309 says.
func (s *Site) Disallowed(path string) bool {
	return robotsDisallowed(path)
}

func robotsDisallowed(path string) bool {
	p := NormalizeTarget(path)
	best, allow := -1, true
	for _, r := range imgcrawlRules {
		if !strings.HasPrefix(p, r.prefix) {
			continue
		}
		if n := len(r.prefix); n > best || n == best && r.allow {
			best, allow = n, r.allow
		}
	}
	return !allow
}
