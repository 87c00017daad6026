package crawler

import (
	"net/url"
	"path"
	"strings"
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

// looksLikeImage reports whether a linked URL names an image file, so that
// `<a href="big.jpg">` is fetched as an image rather than as a page.
func looksLikeImage(p string) bool {
	switch strings.ToLower(path.Ext(p)) {
	case ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".svg", ".avif":
		return true
	}
	return false
}
