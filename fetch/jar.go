package fetch

import (
	"net/http"
	"net/url"
	"sync/atomic"
)

// lazyJar is a cookie jar that answers "no cookies" without a lookup until
// some cookie has been stored. Most crawls never receive one, and the
// standard jar's lookup (public suffix, path matching, a lock) took about 1%
// of the CPU of a get of small images.
type lazyJar struct {
	jar  http.CookieJar
	used atomic.Bool // a cookie has been offered to jar
}

func (j *lazyJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	if len(cookies) == 0 {
		return
	}
	j.used.Store(true)
	j.jar.SetCookies(u, cookies)
}

func (j *lazyJar) Cookies(u *url.URL) []*http.Cookie {
	if !j.used.Load() {
		return nil
	}
	return j.jar.Cookies(u)
}
