package crawler

import (
	"net/url"
)

// follow reports whether a page link is followed: in scope and passing the
// include and exclude filters. s is u.String().
func (c *Crawler) follow(u *url.URL, s string) bool {
	if c.s.Scope != ScopeAll && !c.scope[c.scopeKey(u)] {
		return false
	}
	if len(c.s.include) > 0 {
		ok := false
		for _, re := range c.s.include {
			if re.MatchString(s) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	for _, re := range c.s.exclude {
		if re.MatchString(s) {
			return false
		}
	}
	return true
}
